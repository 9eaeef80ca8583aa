"""Report notebooks as `keyproj render` handles them: read, parameterized (papermill), marked failed, saved."""
from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import TYPE_CHECKING

from keyproj.render.config import Report

if TYPE_CHECKING:
    from nbformat import NotebookNode

DEFAULT_KERNEL = "python3"


_SOURCE_CACHE: dict[Path, tuple[float, "NotebookNode"]] = {}


def read_notebook(path: Path) -> "NotebookNode":
    """A fresh copy of a source notebook (parsed once per process)."""
    import nbformat

    mtime = path.stat().st_mtime
    cached = _SOURCE_CACHE.get(path)
    if cached is None or cached[0] != mtime:
        cached = (mtime, nbformat.read(path, as_version=4))
        _SOURCE_CACHE[path] = cached
    return copy.deepcopy(cached[1])


def kernel_name_in(path: Path) -> str:
    """The kernel a notebook file asks for, read as plain JSON (no nbformat: a kernel can start first)."""
    try:
        metadata = json.loads(path.read_text(encoding="utf-8")).get("metadata", {})
        return str(metadata.get("kernelspec", {}).get("name") or DEFAULT_KERNEL)
    except (OSError, ValueError, AttributeError):
        return DEFAULT_KERNEL


def kernel_name_of(nb: "NotebookNode") -> str:
    """The kernel a notebook asks for (python3 by default)."""
    return str(nb.metadata.get("kernelspec", {}).get("name") or DEFAULT_KERNEL)


def parameterize(report: Report) -> "NotebookNode":
    """The report's notebook with papermill's injected-parameters cell after its ``parameters`` cell."""
    from papermill.parameterize import parameterize_notebook

    nb = read_notebook(report.notebook)
    for cell in nb.cells:  # papermill looks up tags on every cell
        cell.metadata.setdefault("tags", [])
    nb.metadata.setdefault("papermill", {})
    nb.metadata.papermill.update({
        "input_path": str(report.notebook),
        "parameters": {},
        "keyproj_report": report.name,
    })
    nb = parameterize_notebook(nb, dict(report.parameters), kernel_name=kernel_name_of(nb), language="python")
    for cell in nb.cells:  # papermill gives the injected cell a random id; the HTML must not change
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"
    return nb


def error_line(nb: "NotebookNode") -> str:
    """``Name: message`` of the first error output of an executed notebook (first line only)."""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                value = str(output.get("evalue", "")).strip().splitlines()
                return f"{output.get('ename', 'Error')}: {value[0] if value else ''}".strip()
    return ""


def mark_failed(nb: "NotebookNode", reason: str) -> "NotebookNode":
    """Put a notice with the one-line reason at the top of a failed notebook (text escaped)."""
    import html

    import nbformat

    notice = nbformat.v4.new_markdown_cell(
        f'<span style="color:#b00;font-weight:bold">keyproj render failed:</span> '
        f"<code>{html.escape(reason, quote=False)}</code>")
    notice.metadata["tags"] = ["keyproj-render-error"]
    nb.cells.insert(0, notice)
    return nb


def notebook_json(nb: "NotebookNode") -> str:
    """A notebook as .ipynb JSON text."""
    import nbformat

    return nbformat.writes(nb)
