"""The national panel holds every region-period the reference files offer, and the build's coverage
line counts what the files hold (counted here straight from the CSV files, csv module only)."""
from __future__ import annotations

import csv
import shutil
from collections import defaultdict
from pathlib import Path

import pytest
from conftest import REFERENCE_DIR

from keyproj.cli import main
from keyproj.data.build import BuildResult, build

FIGURE_FILES = sorted(REFERENCE_DIR.glob("*.csv"))


def reference_rows() -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for path in FIGURE_FILES:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            rows.extend(csv.DictReader(handle))
    return rows


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    data = tmp_path_factory.mktemp("national")
    shutil.copytree(REFERENCE_DIR, data / "reference")
    return build(data)


def test_the_national_file_is_in_the_repository() -> None:
    names = {path.name for path in FIGURE_FILES}
    assert {"china_key_projects.csv", "fujian_key_projects.csv", "quanzhou_key_projects.csv"} <= names
    assert len(reference_rows()) >= 2145


def test_panel_holds_every_region_period_of_the_reference_files(national: BuildResult) -> None:
    offered = {(row["region"], row["scope"], row["subset"], row["period_start"], row["period_end"])
               for row in reference_rows()}
    panel = national.panel_table
    held = set(zip(panel["region"], panel["scope"], panel["subset"], panel["period_start"], panel["period_end"]))
    assert offered - held == set()
    assert held == offered  # a reference-only build invents no row
    assert len(offered) > 900


def test_coverage_counts_what_the_files_hold(national: BuildResult) -> None:
    rows = reference_rows()
    # region x scope x year with a full-year plan and a full-year rate (reported or from completed / plan)
    full_year: dict[tuple[str, str, str, str], set[str]] = defaultdict(set)
    for row in rows:
        year = row["period_start"][:4]
        if (row["period_start"], row["period_end"]) == (f"{year}-01", f"{year}-12") and year != "0000":
            full_year[(row["region"], row["scope"], row["subset"], year)].add(row["metric"])
    region_years = {(region, scope, year) for (region, scope, _, year), metrics in full_year.items()
                    if "annual_plan" in metrics and metrics & {"completion_rate", "completed_investment"}}
    coverage = national.coverage()
    assert coverage.regions == len({row["region"] for row in rows}) >= 217
    assert coverage.region_years == len(region_years) >= 32  # 33 with the seed documents (泉港区 2024)
    assert coverage.in_year >= 450
    assert 0 < coverage.not_comparable < coverage.rows == len(national.panel_table)


def test_build_prints_the_coverage_line(national: BuildResult, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", "--data", str(national.layout.root)]) == 0
    out = capsys.readouterr().out
    coverage = national.coverage()
    assert (f"coverage: {coverage.regions} regions; {coverage.region_years} region-years (region x scope x year) "
            f"with plan and full-year completion; {coverage.in_year} in-year observations") in out


def test_coverage_of_an_empty_panel(tmp_path: Path) -> None:
    coverage = build(tmp_path).coverage()
    assert (coverage.rows, coverage.regions, coverage.region_years, coverage.in_year) == (0, 0, 0, 0)
