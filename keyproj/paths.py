"""Where the data lives: the repository's data/ by default, or --data DIR / $KEYPROJ_DATA.

The repository is the checkout that runs: the one whose ``.venv`` runs Python. A checkout copied
with its ``.venv`` still imports the original's code (the editable install points there), so the
package's own folder cannot tell; ``make setup`` rebuilds such a ``.venv`` (see the Makefile).
"""
from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from keyproj.errors import KeyprojError

PACKAGE_ROOT = Path(__file__).resolve().parent
DATA_ENV = "KEYPROJ_DATA"
CHECKOUT_FILE = ".keyproj-checkout"
"""File in a ``.venv`` holding the absolute path of the checkout it was built for (make setup)."""


def is_checkout(folder: Path) -> bool:
    """Whether ``folder`` is a keyproj checkout (its pyproject.toml and package are there)."""
    return (folder / "pyproject.toml").is_file() and (folder / "keyproj" / "paths.py").is_file()


def running_checkout(prefix: str | Path | None = None, package_root: Path = PACKAGE_ROOT) -> Path:
    """The checkout that runs: the folder of the running ``.venv`` (``prefix``, default
    ``sys.prefix``) when that folder is a keyproj checkout, else the package's own parent folder
    (an installed keyproj, a conda environment)."""
    venv = Path(prefix if prefix is not None else sys.prefix).resolve()
    if venv.name == ".venv" and is_checkout(venv.parent):
        return venv.parent
    return package_root.parent


def foreign_code(prefix: str | Path | None = None, package_root: Path = PACKAGE_ROOT) -> Path | None:
    """The checkout whose code runs when it is not the running checkout (a copied ``.venv``), else None."""
    checkout = running_checkout(prefix, package_root)
    return None if checkout == package_root.parent else package_root.parent


REPO_ROOT = running_checkout()


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
    """Resolve the data directory: explicit argument, then $KEYPROJ_DATA, then the repository's data/.

    Raises KeyprojError when $KEYPROJ_DATA is set but empty (a cron line whose variable was lost
    would otherwise build from another folder than meant) or ``data_dir`` is ''.
    """
    if data_dir is None:
        data_dir = os.environ.get(DATA_ENV)
        if data_dir is not None and not data_dir.strip():
            raise KeyprojError(f"${DATA_ENV} is set but empty: set it to a data folder ({DATA_HOLDS}) "
                               "or unset it to use the repository's data/")
        data_dir = data_dir or (REPO_ROOT / "data")
    elif not str(data_dir).strip():
        raise KeyprojError(f"--data is empty: give a data folder ({DATA_HOLDS})")
    return DataLayout(Path(data_dir).expanduser().resolve())


DATA_HOLDS = "raw/ with documents and sources.csv, reference/*.csv, corrections.csv"
"""What a data folder holds, for the error messages that ask for one."""


def _within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def input_reason(target: str | Path, inputs: Iterable[str | Path] = (),
                 data_dir: str | Path | None = None) -> str | None:
    """Why writing ``target`` would destroy a file keyproj reads, or None when it would not.

    Inputs: the files and folders given (``inputs``: every file in a given folder), the data
    folder's raw/, reference/ and corrections.csv, the repository's notebooks/, and wherever they
    are, files named sources.csv, corrections.csv or reports.yaml and notebooks (.ipynb).
    """
    target = Path(os.path.realpath(Path(target).expanduser()))  # realpath: a link loop raises nothing
    if target.name in ("sources.csv", "corrections.csv", "reports.yaml") or target.suffix == ".ipynb":
        return f"a file named {target.name} is a keyproj input"
    folders = [REPO_ROOT / "notebooks"]
    for given in inputs:
        given = Path(os.path.realpath(Path(given).expanduser()))
        if target == given or (given.is_dir() and target.parent == given):
            return f"it is an input ({given})"
        folder = given if given.is_dir() else given.parent
        if (folder / "sources.csv").is_file():  # documents of a data folder: its siblings are inputs too
            folders += [folder, folder.parent / "reference"]
    try:
        layout = data_layout(data_dir)
    except KeyprojError:
        layout = None
    folders += [layout.raw, layout.reference] if layout else []
    for folder in folders:
        if _within(target, folder.resolve()):
            return f"it lies in {folder}, which keyproj reads"
    return None


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


def outputs_reason(outputs: str | Path, data_dir: str | Path | None = None) -> str | None:
    """Why ``outputs`` cannot take rendered reports (its notebooks/ and html/ subfolders), or None."""
    folder = Path(outputs).expanduser()
    if folder.exists() and not folder.is_dir():
        return "is a file: give a folder for the rendered reports"
    reason = input_reason(folder / "notebooks" / "report.html", data_dir=data_dir)
    try:
        data_root = data_layout(data_dir).root
    except KeyprojError:
        data_root = None
    if reason is None and Path(os.path.realpath(folder)) in (REPO_ROOT, data_root):
        reason = "it is the repository or the data folder"
    if reason is not None:
        return f"would write over files keyproj reads ({reason}): give an empty or an outputs folder"
    return None
