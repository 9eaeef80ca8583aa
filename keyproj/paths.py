"""Where the data lives: the repository's data/ by default, or --data DIR / $KEYPROJ_DATA."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_ROOT.parent
DATA_ENV = "KEYPROJ_DATA"


@dataclass(frozen=True)
class DataLayout:
    """The folders and files of one data directory."""

    root: Path

    @property
    def raw(self) -> Path:
        return self.root / "raw"

    @property
    def sources(self) -> Path:
        return self.raw / "sources.csv"

    @property
    def reference(self) -> Path:
        return self.root / "reference"

    @property
    def corrections(self) -> Path:
        return self.root / "corrections.csv"

    @property
    def processed(self) -> Path:
        return self.root / "processed"

    @property
    def facts(self) -> Path:
        return self.processed / "facts.csv"

    @property
    def panel(self) -> Path:
        return self.processed / "panel.csv"


def data_layout(data_dir: str | Path | None = None) -> DataLayout:
    """Resolve the data directory: explicit argument, then $KEYPROJ_DATA, then the repository's data/."""
    if data_dir is None:
        data_dir = os.environ.get(DATA_ENV) or (REPO_ROOT / "data")
    return DataLayout(Path(data_dir).expanduser().resolve())


def code_files() -> list[Path]:
    """keyproj's own source and data files (every .py and .yaml, subpackages included), sorted.

    Freshness checks (dataset staleness, render skip) fingerprint these: an edit of a lexicon
    wording changes facts just as a code edit does.
    """
    return sorted(path for pattern in ("*.py", "*.yaml") for path in PACKAGE_ROOT.rglob(pattern)
                  if "__pycache__" not in path.parts)


def display_path(path: str | Path) -> str:
    """``path`` relative to the working directory when it lies inside it, else absolute."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


@dataclass(frozen=True)
class OutputLayout:
    """The folders and files `keyproj render` writes under the outputs folder."""

    root: Path

    @property
    def notebooks(self) -> Path:
        return self.root / "notebooks"

    @property
    def html(self) -> Path:
        return self.root / "html"

    @property
    def failed(self) -> Path:
        return self.root / "failed"

    @property
    def state(self) -> Path:
        return self.root / ".render-state.json"

    @property
    def lock(self) -> Path:
        return self.root / ".render.lock"

    @property
    def index(self) -> Path:
        return self.html / "index.html"

    def notebook_of(self, name: str) -> Path:
        return self.notebooks / f"{name}.ipynb"

    def html_of(self, name: str) -> Path:
        return self.html / f"{name}.html"

    def failed_of(self, name: str) -> Path:
        return self.failed / f"{name}.ipynb"
