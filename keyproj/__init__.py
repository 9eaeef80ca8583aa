"""keyproj: key-project (重点项目) planned-vs-actual investment, from Chinese documents to reports.

The public API is imported lazily so that `import keyproj` stays fast:
``read_document``, ``extract_facts``, ``build``, ``load_facts``, ``load_panel`` and the
``metrics`` module.
"""
from __future__ import annotations

from importlib import import_module
from typing import Any

from keyproj._version import __version__

_LAZY: dict[str, tuple[str, str | None]] = {
    "read_document": ("keyproj.read.documents", "read_document"),
    "Document": ("keyproj.read.documents", "Document"),
    "extract_facts": ("keyproj.extract", "extract_facts"),
    "build": ("keyproj.data.build", "build"),
    "load_facts": ("keyproj.data.load", "load_facts"),
    "load_panel": ("keyproj.data.load", "load_panel"),
    "metrics": ("keyproj.metrics", None),
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'keyproj' has no attribute {name!r}")
    module_name, attribute = _LAZY[name]
    module = import_module(module_name)
    return module if attribute is None else getattr(module, attribute)
