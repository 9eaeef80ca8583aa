"""Shared test fixtures: paths into the repository's own data (never ../shared)."""
from __future__ import annotations

from pathlib import Path

import pytest

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


# Headless Chromium for the browser checks (installed by .ci/run; the checks skip without it).
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
