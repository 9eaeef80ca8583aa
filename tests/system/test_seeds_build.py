"""The seeds' dataset is a pure function of its inputs: facts.csv and panel.csv built from the five
seed documents, the Fujian and Quanzhou reference files and corrections.csv equal, byte for byte,
the committed expectations (made before the package was reorganised). A change of these files
must be a deliberate change of the expectations, in a commit that says why."""
from __future__ import annotations

import shutil
from pathlib import Path

from keyproj.data.build import build

REPO = Path(__file__).resolve().parents[2]
EXPECTED = Path(__file__).resolve().parent / "expected"
REFERENCE_FILES = ("fujian_key_projects.csv", "quanzhou_key_projects.csv")


def test_seed_build_is_byte_identical_to_the_expectations(tmp_path: Path) -> None:
    shutil.copytree(REPO / "data" / "raw", tmp_path / "raw")
    (tmp_path / "reference").mkdir()
    for name in REFERENCE_FILES:
        shutil.copy(REPO / "data" / "reference" / name, tmp_path / "reference" / name)
    shutil.copy(REPO / "data" / "corrections.csv", tmp_path / "corrections.csv")
    result = build(tmp_path)
    assert result.bad_inputs == []
    for name, built in (("seeds_facts.csv", result.facts_path), ("seeds_panel.csv", result.panel_path)):
        expected = (EXPECTED / name).read_bytes()
        actual = built.read_bytes()
        if actual != expected:
            expected_lines, actual_lines = expected.decode().splitlines(), actual.decode().splitlines()
            first = next((i for i, (a, b) in enumerate(zip(expected_lines, actual_lines)) if a != b),
                         min(len(expected_lines), len(actual_lines)))
            raise AssertionError(f"{name} differs from the expectation at line {first + 1}:\n"
                                 f"expected: {expected_lines[first] if first < len(expected_lines) else '<end>'}\n"
                                 f"built:    {actual_lines[first] if first < len(actual_lines) else '<end>'}")
