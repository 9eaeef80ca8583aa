"""Comparability notes on lists (reference/notes/list_notes.csv): parsing, matching, the panel's list_note
and caveats columns, and the notes the repository carries from the reference README."""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import REFERENCE_DIR

from keyproj.cli import main
from keyproj.data.build import build
from keyproj.data.notes import (
    LIST_NOTE_COLUMNS,
    LIST_NOTES_FILE,
    list_notes_path,
    read_list_notes,
)
from keyproj.data.rows import RowsError
from keyproj.data.tables import PANEL_TABLE, validate

HEADER = ",".join(LIST_NOTE_COLUMNS)
REFERENCE_HEADER = ("region,scope,subset,period_start,period_end,metric,value,unit,qualifier,"
                    "source_url,source_title,published")
FIGURES = [
    "甲省,province,,2020-01,2020-12,annual_plan,100,亿元,,http://a.example/1,a,2020-03-01",
    "甲省,province,,2020-01,2020-06,completion_rate,55,%,,http://a.example/1,a,2020-07-01",
    "甲省,province,,2020-01,2020-12,completion_rate,104,%,,http://a.example/1,a,2021-01-10",
    "甲省,province,,2021-01,2021-06,completed_investment,60,亿元,,http://a.example/2,a,2021-07-01",
    "甲省,city,,2021-01,2021-06,completed_investment,300,亿元,,http://a.example/2,a,2021-07-01",
    "甲省,province,,0000-01,0000-06,completion_rate,50,%,,http://a.example/3,a,",
    "乙市,city,,2020-01,2020-06,completion_rate,48,%,,http://a.example/4,a,2020-07-01",
]


def write(data: Path, notes: list[str], figures: list[str] = FIGURES) -> None:
    reference = data / "reference"
    reference.mkdir(parents=True, exist_ok=True)
    (reference / "figures.csv").write_text("\n".join([REFERENCE_HEADER, *figures]) + "\n", encoding="utf-8")
    list_notes_path(reference).parent.mkdir()
    list_notes_path(reference).write_text("\n".join([HEADER, *notes]) + "\n", encoding="utf-8")


def notes_of(data: Path) -> dict[tuple[str, str, str, str], tuple[str, str]]:
    panel = pd.read_csv(build(data).panel_path, dtype=str, keep_default_na=False)
    return {(row.region, row.scope, row.period_start, row.period_end): (row.list_note, row.caveats)
            for row in panel.itertuples()}


def test_scope_years_periods_and_metric_select_the_rows(tmp_path: Path) -> None:
    write(tmp_path, [
        "甲省,province,2020,,,no,mass_list,a mass list in 2020",
        "甲省,,2021,,,no,second_batch,a second batch in 2021",
        "甲省,province,2019-2020,full_year,,no,full_year_margin,full years only",
        "甲省,province,,in_year,annual_plan,no,plan_part,in-year rows holding a plan (joined included)",
        "乙市,,,,,yes,inferred_region,region guessed",
        "乙市,,,,,yes,inferred_region,the same code twice counts once",
    ])
    got = notes_of(tmp_path)
    assert got == {
        ("甲省", "province", "2020-01", "2020-12"): ("mass_list;full_year_margin", ""),
        # the 1-6月 row holds the year's plan, joined from the full-year row
        ("甲省", "province", "2020-01", "2020-06"): ("mass_list;plan_part", ""),
        ("甲省", "province", "2021-01", "2021-06"): ("second_batch", ""),  # no plan: plan_part does not match
        ("甲省", "city", "2021-01", "2021-06"): ("second_batch", ""),
        ("甲省", "province", "0000-01", "0000-06"): ("", ""),  # year unknown: only notes without years
        ("乙市", "city", "2020-01", "2020-06"): ("", "inferred_region"),
    }


def test_notes_columns_are_validated_and_typed_as_text(tmp_path: Path) -> None:
    write(tmp_path, ["甲省,,,,,no,mass_list,x"])
    result = build(tmp_path)
    validate(result.panel_table, PANEL_TABLE, result.panel_path)
    assert list(result.panel.columns[-3:]) == ["list_note", "caveats", "period"]
    assert set(result.panel["list_note"]) == {"mass_list", ""}
    broken = result.panel_table.copy()
    broken.loc[0, "list_note"] = "Mass List"
    with pytest.raises(Exception, match="column 'list_note'"):
        validate(broken, PANEL_TABLE, result.panel_path)


def test_malformed_notes_listed_with_their_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, [
        "甲省,,,,,no,mass_list,a good note",
        "甲省,town,2020,,,no,mass_list,x",
        "甲省,,2021-2019,,,no,mass_list,x",
        "甲省,,20,sometimes,growth,maybe,Mass List,",
        "甲省,,,,,yes,mass_list,the code was 'no' on line 2",
        "甲省,,,,,no",
    ])
    with pytest.raises(RowsError) as caught:
        read_list_notes(list_notes_path(tmp_path / "reference"))
    problems = caught.value.problems
    lines = [problem.split(": ")[0].rsplit(":", 1)[1] for problem in problems]
    assert lines == ["3", "4", "5", "5", "5", "5", "5", "5", "6", "7"]
    assert "scope 'town'" in problems[0] and "years '2021-2019'" in problems[1]
    assert "note is empty" in problems[2] and "years '20'" in problems[3] and "periods 'sometimes'" in problems[4]
    assert "metric 'growth'" in problems[5] and "comparable 'maybe'" in problems[6]
    assert "code 'Mass List'" in problems[7] and "one code, one meaning" in problems[8]
    assert "6 cells but the header has 8" in problems[9]
    assert main(["build", "--data", str(tmp_path), "--quiet"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == len(problems) + 1 and f"{LIST_NOTES_FILE}:3: scope 'town'" in err[0]
    assert not (tmp_path / "processed").exists()


def test_a_note_matching_no_row_is_reported_not_fatal(tmp_path: Path) -> None:
    write(tmp_path, ["甲省,,,,,no,mass_list,x", "丙省,,,,,no,mass_list,misspelt region"])
    summary = build(tmp_path).summary()
    assert f"1 list note(s) match no panel row: {LIST_NOTES_FILE}:3" in summary


def test_notes_file_is_not_read_as_figures(tmp_path: Path) -> None:
    write(tmp_path, ["甲省,,,,,no,mass_list,x"])
    result = build(tmp_path)
    assert result.facts_by_kind()["reference"] == len(FIGURES)


# ---------------------------------------------------------------- the repository's notes

@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    data = tmp_path_factory.mktemp("national")
    shutil.copytree(REFERENCE_DIR, data / "reference")
    result = build(data)
    assert result.unused_notes() == []  # every note of the file finds its rows
    return pd.read_csv(result.panel_path, dtype=str, keep_default_na=False)


def cell(panel: pd.DataFrame, region: str, scope: str, start: str, end: str, column: str = "list_note") -> str:
    row = panel[(panel["region"] == region) & (panel["scope"] == scope) & (panel["subset"] == "")
                & (panel["period_start"] == start) & (panel["period_end"] == end)]
    assert len(row) == 1, (region, scope, start, end)
    return str(row[column].iloc[0])


def test_repository_notes_mark_the_readme_cases(national: pd.DataFrame) -> None:
    assert cell(national, "安徽省", "province", "2015-01", "2015-09") == "mass_list"
    assert cell(national, "安徽省", "province", "2024-01", "2024-04") == ""  # a 1,427-project list
    assert cell(national, "内蒙古自治区", "province", "2024-01", "2024-03") == "mass_list"
    assert cell(national, "山西省", "province", "2015-01", "2015-11") == "list_break;second_batch"
    assert cell(national, "山西省", "city", "2019-01", "2019-12") == "second_batch"
    assert cell(national, "北京市", "province", "2018-01", "2018-11") == "plan_base"
    assert cell(national, "北京市", "province", "2017-01", "2017-12") == ""
    assert cell(national, "重庆市", "province", "2023-01", "2023-12") == "full_year_margin"
    assert cell(national, "重庆市", "province", "2024-01", "2024-11") == ""  # an in-year margin is one
    assert cell(national, "广东省", "province", "2022-01", "2022-06") == "schedule_benchmark"
    assert cell(national, "广东省", "province", "2022-01", "2022-12") == ""  # the plan itself is fine
    assert cell(national, "阜阳市", "province", "2022-01", "2022-12") == "rate_base"
    assert cell(national, "惠东县", "county", "2024-01", "2024-04") == ""
    assert cell(national, "惠东县", "county", "2024-01", "2024-04", "caveats") == "inferred_region"
    assert cell(national, "泉州市", "city", "2024-01", "2024-03") == ""


def test_guangdong_2022_benchmark_shows_in_huidong_margins(national: pd.DataFrame) -> None:
    """The 惠东 2022 note rests on the data: its margins are rate - 1.2 x elapsed, not rate - elapsed."""
    rows = national[(national["region"] == "惠东县") & (national["year"] == "2022")
                    & (national["ahead_of_schedule"] != "")]
    assert len(rows) >= 3 and set(rows["list_note"]) == {"schedule_benchmark"}
    rate = pd.to_numeric(rows["completion_rate"])
    elapsed, ahead = pd.to_numeric(rows["elapsed_pct"]), pd.to_numeric(rows["ahead_of_schedule"])
    assert ((ahead - (rate - 1.2 * elapsed)).abs() < 0.05).all()
    assert ((ahead - (rate - elapsed)).abs() > 5).all()


def test_editing_the_notes_makes_the_dataset_stale(tmp_path: Path) -> None:
    from keyproj.data.load import is_stale, load_panel

    write(tmp_path, ["甲省,,,,,no,mass_list,x"])
    assert set(load_panel(data_dir=tmp_path)["list_note"]) == {"mass_list", ""}
    assert not is_stale(tmp_path)
    path = list_notes_path(tmp_path / "reference")
    path.write_text(f"{HEADER}\n甲省,,,,,no,list_break,y\n", encoding="utf-8")
    stat = path.stat()
    import os

    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    assert is_stale(tmp_path)
    assert set(load_panel(data_dir=tmp_path)["list_note"]) == {"list_break", ""}
