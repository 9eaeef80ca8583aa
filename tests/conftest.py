"""Shared test fixtures: paths into the repository's own data (never ../shared)."""
from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from keyproj.extract import extract_rows
from keyproj.read.documents import read_document

REPO_ROOT = Path(__file__).resolve().parent.parent
RAW_DIR = REPO_ROOT / "data" / "raw"
REFERENCE_DIR = REPO_ROOT / "data" / "reference"
GOLD_FACTS = Path(__file__).resolve().parent / "gold" / "seeds_facts.csv"
SEED_IDS = sorted(p.stem for p in RAW_DIR.glob("*.txt"))


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def raw_dir() -> Path:
    return RAW_DIR


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    return REFERENCE_DIR


FUJIAN_REFERENCE_FILES = ("fujian_key_projects.csv", "quanzhou_key_projects.csv")
"""The Fujian reference files: enough for most data tests and quick to build (the national file is
tested in tests/data/test_coverage.py and test_notes.py)."""


@pytest.fixture
def fujian_data(tmp_path: Path) -> Path:
    """A data folder holding only the Fujian reference files."""
    import shutil

    (tmp_path / "reference").mkdir()
    for name in FUJIAN_REFERENCE_FILES:
        shutil.copy(REFERENCE_DIR / name, tmp_path / "reference" / name)
    return tmp_path


def copy_data_inputs(root: Path) -> Path:
    """A writable copy of the repository's data inputs (documents, reference figures, corrections) in root/data."""
    import shutil

    data = root / "data"
    shutil.copytree(RAW_DIR, data / "raw")
    shutil.copytree(REFERENCE_DIR, data / "reference")
    shutil.copy(REPO_ROOT / "data" / "corrections.csv", data / "corrections.csv")
    return data


def write_notebook(path: Path, parameters: str, *cells: str, title: str | None = None) -> Path:
    """A notebook with a cell tagged parameters and code cells (after a markdown ``title`` if given)."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    parameter_cell = new_code_cell(parameters)
    parameter_cell.metadata["tags"] = ["parameters"]
    nb.cells = [*([new_markdown_cell(title)] if title else []), parameter_cell,
                *(new_code_cell(source) for source in cells)]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


FACT_KEY = ("doc_id", "region", "scope", "period_start", "period_end", "metric")
"""The strict key of `keyproj score`, without the value (compared rounded to 0.01)."""


def _fact_key(row: dict) -> tuple:
    return tuple(str(row[k]) for k in FACT_KEY) + (round(float(row["value"]), 2),)


def gold_and_found(folder: Path) -> tuple[Counter, Counter]:
    """The gold facts of a document set (folder/gold.csv) and the facts keyproj extracts from its
    docs/ with their sources.csv metadata, both counted by strict key."""
    with open(folder / "gold.csv", encoding="utf-8") as handle:
        gold = Counter(_fact_key(row) for row in csv.DictReader(handle))
    with open(folder / "sources.csv", encoding="utf-8") as handle:
        sources = list(csv.DictReader(handle))
    found: Counter = Counter()
    for meta in sources:
        found.update(_fact_key(row) for row in extract_rows(read_document(folder / "docs" / meta["file"], meta)))
    return gold, found


# Headless Chromium for the browser checks (installed by .ci/run; the checks skip without it).
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def text_facts(tmp_path: Path, text: str, region: str, published: str, title: str = "") -> list[dict]:
    """The facts keyproj extracts from ``text`` written as one document of ``region`` published on ``published``."""
    path = tmp_path / "doc.txt"
    path.write_text(text, encoding="utf-8")
    meta = {"file": path.name, "published": published, "region": region, "title": title, "url": ""}
    return extract_rows(read_document(path, meta))
