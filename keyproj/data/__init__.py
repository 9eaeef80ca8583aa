"""The data stage: facts of every source -> processed/facts.csv and panel.csv, and their loaders.

``build(data_dir)`` writes the tables (keyproj.data.build); ``load_facts()`` and ``load_panel()``
return them typed, building first when out of date (keyproj.data.load). Exports for other tools:
keyproj.data.export. See docs/dataset.md.
"""
from __future__ import annotations

# Imported eagerly on purpose: the function ``build`` must shadow the submodule of the same name,
# which a lazy __getattr__ cannot do once keyproj.data.build has been imported by its own path.
from keyproj.data.build import BuildResult, build
from keyproj.data.load import load_facts, load_panel

__all__ = ["build", "BuildResult", "load_facts", "load_panel"]
