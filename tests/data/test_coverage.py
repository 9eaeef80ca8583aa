"""The national panel holds every region-period the reference files offer, and the build's coverage
line counts what the files hold (counted here straight from the CSV files, csv module only)."""
from __future__ import annotations

import csv
import shutil
from collections import defaultdict

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
    # The subset is left out of the key: a page that counts only the 在建 part moves its figures
    # there (keyproj.data.panel.own_subsets, tested in tests/data/test_panel.py).
    offered = {(row["region"], row["scope"], row["period_start"], row["period_end"]) for row in reference_rows()}
    panel = national.panel_table
    held = set(zip(panel["region"], panel["scope"], panel["period_start"], panel["period_end"]))
    assert offered - held == set()
    assert held == offered  # a reference-only build invents no row
    assert len(offered) > 850  # region x list x period (896 when written)
    offered_parts = {(row["region"], row["scope"], row["period_start"], row["period_end"])
                     for row in reference_rows() if row["subset"] == "under_construction"}
    held_parts = set(zip(panel["region"], panel["scope"], panel["period_start"], panel["period_end"],
                         panel["subset"]))
    assert {(*key, "under_construction") for key in offered_parts} <= held_parts  # no 在建 part is lost


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


def test_coverage_of_an_empty_panel() -> None:
    from keyproj.data.coverage import panel_coverage
    from keyproj.data.panel import panel_table

    coverage = panel_coverage(panel_table([]))
    assert (coverage.rows, coverage.regions, coverage.region_years, coverage.in_year) == (0, 0, 0, 0)


def _row(region: str, year: str, start: str, end: str, **cells: str) -> dict[str, str]:
    row = {"region": region, "scope": "city", "subset": "", "year": year, "period_start": start,
           "period_end": end, "annual_plan": "", "completed_investment": "", "completion_rate": "",
           "completion_rate_calc": ""}
    row.update(cells)
    return row


def test_region_year_kinds_take_the_best_list_of_a_region_year() -> None:
    from keyproj.data.coverage import region_year_kinds

    rows = [
        _row("甲市", "2020", "2020-01", "2020-12", annual_plan="100", completion_rate="104"),
        _row("甲市", "2021", "2021-01", "2021-12", annual_plan="110"),
        _row("甲市", "2021", "2021-01", "2021-09", completed_investment="80"),
        _row("甲市", "2022", "2022-01", "2022-12", completed_investment="130"),
        _row("乙县", "2022", "2022-01", "2022-12"),
        _row("乙县", "", "0000-01", "0000-12", annual_plan="5"),  # unknown year: not in the grid
    ]
    kinds = region_year_kinds(rows)
    assert kinds == {("甲市", 2020): "both", ("甲市", 2021): "plan", ("甲市", 2022): "full_year",
                     ("乙县", 2022): "list_only"}
    # a plan of one list and a result of another list are not "both"
    other_list = [_row("丙市", "2023", "2023-01", "2023-12", annual_plan="10"),
                  {**_row("丙市", "2023", "2023-01", "2023-12", completion_rate="101"), "scope": "province"}]
    assert region_year_kinds(other_list) == {("丙市", 2023): "full_year"}


def test_the_build_line_states_the_selective_publication_pattern(national: BuildResult) -> None:
    from keyproj.data.coverage import full_year_rates, read_panel_rows

    rows = read_panel_rows(national.panel_path)
    n, at_least = full_year_rates(rows)
    assert 0 < at_least <= n
    by_hand = [float(row["completion_rate"] or row["completion_rate_calc"]) for row in rows
               if (row["completion_rate"] or row["completion_rate_calc"])
               and row["period_start"][5:] == "01" and row["period_end"][5:] == "12"]
    assert (n, at_least) == (len(by_hand), sum(rate >= 100 for rate in by_hand))
    assert f"{at_least} of {n} full-year rates >= 100 %" in national.coverage().line()
