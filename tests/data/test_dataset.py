"""`keyproj build`: facts.csv and panel.csv from reference CSVs, documents and corrections."""
from __future__ import annotations

import csv
import io
import random
import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import RAW_DIR, REFERENCE_DIR

from keyproj.cli import main
from keyproj.data.build import build
from keyproj.data.rows import RowsError
from keyproj.data.tables import FACTS_TABLE, FLAGS, PANEL_TABLE, validate
from keyproj.errors import KeyprojError

FIGURE_FILES = sorted(REFERENCE_DIR.glob("*.csv"))
"""The repository's reference figure files (the notes live in reference/notes/)."""
REFERENCE_HEADER = ("region,scope,subset,period_start,period_end,metric,value,unit,qualifier,"
                    "source_url,source_title,published")


def write_reference(data: Path, lines: list[str], name: str = "figures.csv") -> Path:
    """A reference CSV of the given rows (CSV lines without header) in data/reference/."""
    path = data / "reference" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([REFERENCE_HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def read_table(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def panel_row(panel: pd.DataFrame, region: str, start: str, end: str, scope: str = "city",
              subset: str = "") -> pd.Series:
    selected = panel[(panel["region"] == region) & (panel["scope"] == scope) & (panel["subset"] == subset)
                     & (panel["period_start"] == start) & (panel["period_end"] == end)]
    assert len(selected) == 1, f"{region} {scope} {subset} {start}..{end}: {len(selected)} rows"
    return selected.iloc[0]


@pytest.fixture
def reference_only(tmp_path: Path) -> Path:
    """A data folder holding a copy of the repository's reference CSVs and nothing else."""
    shutil.copytree(REFERENCE_DIR, tmp_path / "reference")
    return tmp_path


# ---------------------------------------------------------------- the real reference conflict

def test_quanzhou_first_half_2021_conflict_both_kept_one_chosen(reference_only: Path) -> None:
    result = build(reference_only)
    facts = read_table(result.facts_path)
    cell = facts[(facts["region"] == "泉州市") & (facts["scope"] == "city")
                 & (facts["subset"] == "under_construction") & (facts["period_start"] == "2021-01")
                 & (facts["period_end"] == "2021-06") & (facts["metric"] == "completed_investment")]
    assert sorted(cell["value"]) == ["939.3", "940.3"]
    assert set(cell["source_kind"]) == {"reference"}

    panel = read_table(result.panel_path)
    chosen = panel_row(panel, "泉州市", "2021-01", "2021-06", subset="under_construction")
    # neither site is a government one: the later publication (2021-08-09 against "2021") wins
    assert chosen["completed_investment"] == "939.3"
    assert "completed_investment=http://hxnews.com/news/fj/mn/qz/202108/09/2010678.shtml" in chosen["sources"]
    assert chosen["flags"].split(";") == ["conflict"]
    assert chosen["projects"] == "538" and chosen["annual_plan"] == "1503"  # joined from the 2021 list
    assert int(chosen["n_sources"]) == 2


def test_reference_build_counts_every_row(reference_only: Path) -> None:
    result = build(reference_only)
    rows = sum(len(read_table(path)) for path in FIGURE_FILES)
    assert result.facts_by_kind() == {"document": 0, "reference": rows, "correction": 0}
    facts = read_table(result.facts_path)
    assert list(facts.columns) == FACTS_TABLE.names
    assert (facts["source"] == facts["url"]).all()
    government = panel_row(read_table(result.panel_path), "丰泽区", "2024-01", "2024-11", scope="county")
    # 丰泽区's own government site (qzfz.gov.cn, 106 projects) beats a mirror's 110
    assert government["projects"] == "106" and "conflict" in government["flags"]


# ---------------------------------------------------------------- flags

FLAG_CASES = [
    # conflict: two sites disagree
    "甲市,city,,2024-01,2024-06,completed_investment,50,亿元,,http://a.example/1,a,2024-07-01",
    "甲市,city,,2024-01,2024-06,completed_investment,51,亿元,,http://b.example/1,b,2024-07-02",
    # rate_mismatch: 60 % reported, 50 / 100 = 50 % calculated
    "乙市,city,,2024-01,2024-12,annual_plan,100,亿元,,http://a.example/2,a,2024-07-01",
    "乙市,city,,2024-01,2024-06,completed_investment,50,亿元,,http://a.example/2,a,2024-07-01",
    "乙市,city,,2024-01,2024-06,completion_rate,60,%,,http://a.example/2,a,2024-07-01",
    # no rate_mismatch within 0.5 points
    "丙市,city,,2024-01,2024-12,annual_plan,100,亿元,,http://a.example/3,a,2024-07-01",
    "丙市,city,,2024-01,2024-06,completed_investment,50,亿元,,http://a.example/3,a,2024-07-01",
    "丙市,city,,2024-01,2024-06,completion_rate,50.4,%,,http://a.example/3,a,2024-07-01",
    # ahead_mismatch: 60 % at mid-year is 10 points ahead, not 5
    "丁市,city,,2024-01,2024-06,completion_rate,60,%,,http://a.example/4,a,2024-07-01",
    "丁市,city,,2024-01,2024-06,ahead_of_schedule,5,pp,,http://a.example/4,a,2024-07-01",
    # a qualified ("approx") rate is a bound: no mismatch check
    "戊市,city,,2024-01,2024-06,completion_rate,60,%,approx,http://a.example/5,a,2024-07-01",
    "戊市,city,,2024-01,2024-06,ahead_of_schedule,5,pp,,http://a.example/5,a,2024-07-01",
    # completed_gt_total
    "己市,city,,2024-01,2024-12,total_investment,100,亿元,,http://a.example/6,a,2024-07-01",
    "己市,city,,2024-01,2024-12,completed_investment,120,亿元,,http://a.example/6,a,2024-07-01",
    # subset_gt_whole: 120 projects under construction out of a list of 100
    "庚市,city,,2024-01,2024-12,projects,100,count,,http://a.example/7,a,2024-07-01",
    "庚市,city,under_construction,2024-01,2024-12,projects,120,count,,http://a.example/7,a,2024-07-01",
    "庚市,city,,2023-01,2023-12,projects,100,count,,http://a.example/7,a,2024-07-01",
    "庚市,city,under_construction,2023-01,2023-12,projects,90,count,,http://a.example/7,a,2024-07-01",
    # rate_out_of_range (reported), and (calculated: 700 / 200 = 350 %)
    "辛市,city,,2024-01,2024-12,completion_rate,350,%,,http://a.example/8,a,2024-07-01",
    "壬市,city,,2024-01,2024-12,annual_plan,200,亿元,,http://a.example/9,a,2024-07-01",
    "壬市,city,,2024-01,2024-12,completed_investment,700,亿元,,http://a.example/9,a,2024-07-01",
]
EXPECTED_FLAGS = {
    ("甲市", "", "2024-01", "2024-06"): "conflict",
    ("乙市", "", "2024-01", "2024-06"): "rate_mismatch",
    ("丙市", "", "2024-01", "2024-06"): "",
    ("丁市", "", "2024-01", "2024-06"): "ahead_mismatch",
    ("戊市", "", "2024-01", "2024-06"): "",
    ("己市", "", "2024-01", "2024-12"): "completed_gt_total",
    ("庚市", "under_construction", "2024-01", "2024-12"): "subset_gt_whole",
    ("庚市", "", "2024-01", "2024-12"): "",
    ("庚市", "", "2023-01", "2023-12"): "",
    ("庚市", "under_construction", "2023-01", "2023-12"): "",
    ("辛市", "", "2024-01", "2024-12"): "rate_out_of_range",
    ("壬市", "", "2024-01", "2024-12"): "rate_out_of_range",
}


def test_every_flag(tmp_path: Path) -> None:
    write_reference(tmp_path, FLAG_CASES)
    panel = read_table(build(tmp_path).panel_path)
    got = {(r.region, r.subset, r.period_start, r.period_end): r.flags for r in panel.itertuples()}
    expected = dict(EXPECTED_FLAGS)
    expected[("乙市", "", "2024-01", "2024-12")] = ""
    expected[("丙市", "", "2024-01", "2024-12")] = ""
    assert got == expected
    assert {flag for cell in got.values() for flag in cell.split(";") if flag} == set(FLAGS)
    mismatch = panel_row(panel, "乙市", "2024-01", "2024-06")
    assert (mismatch["completion_rate"], mismatch["completion_rate_calc"]) == ("60", "50")
    assert panel_row(panel, "壬市", "2024-01", "2024-12")["completion_rate_calc"] == "350"


# ---------------------------------------------------------------- determinism and inputs

def test_same_inputs_same_bytes_whatever_the_row_order(reference_only: Path, tmp_path_factory) -> None:
    first = build(reference_only)
    facts_bytes, panel_bytes = first.facts_path.read_bytes(), first.panel_path.read_bytes()
    second = build(reference_only)
    assert second.facts_path.read_bytes() == facts_bytes
    assert second.panel_path.read_bytes() == panel_bytes

    # the same figures shuffled and split over other files give the same outputs
    shuffled = tmp_path_factory.mktemp("shuffled")
    lines = [line for path in FIGURE_FILES for line in path.read_text(encoding="utf-8").splitlines()[1:]]
    random.Random(7).shuffle(lines)
    write_reference(shuffled, lines[:100], "b.csv")
    write_reference(shuffled, lines[100:], "a.csv")
    shutil.copytree(REFERENCE_DIR / "notes", shuffled / "reference" / "notes")
    third = build(shuffled)
    assert third.facts_path.read_bytes() == facts_bytes
    assert third.panel_path.read_bytes() == panel_bytes
    assert not any(name.endswith(".tmp") for name in (p.name for p in third.facts_path.parent.iterdir()))


def test_empty_data_folder_is_an_error_saying_what_it_holds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", "--data", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "holds nothing to build from" in err and "sources.csv" in err
    assert not (tmp_path / "processed" / "facts.csv").exists()


def test_a_data_folder_of_empty_inputs_builds_empty_tables(tmp_path: Path) -> None:
    (tmp_path / "corrections.csv").write_text(
        "action,region,scope,period_start,period_end,metric,value,reason,author\n", encoding="utf-8")
    result = build(tmp_path)
    assert result.facts_path.read_text(encoding="utf-8") == ",".join(FACTS_TABLE.names) + "\n"
    assert result.panel_path.read_text(encoding="utf-8") == ",".join(PANEL_TABLE.names) + "\n"
    assert len(result.panel) == 0 and len(result.facts) == 0


def test_missing_data_folder_is_a_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "no-such-folder"
    assert main(["build", "--data", str(missing)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"data folder {missing} does not exist" in err
    assert not missing.exists()


def test_malformed_reference_rows_listed_with_lines_and_outputs_kept(tmp_path: Path) -> None:
    write_reference(tmp_path, FLAG_CASES[:2])
    good = build(tmp_path)
    panel_before = good.panel_path.read_bytes()
    write_reference(tmp_path, [
        FLAG_CASES[0],
        "甲市,city,,2024-01,2024-13,completed_investment,50,亿元,,http://a.example/1,a,2024-07-01",
        "甲市,city,,2024-01,2024-06,growth,5,%,,http://a.example/1,a,2024-07-01",
        "甲市,city,,2024-01,2024-06,projects,5.5,count,,http://a.example/1,a,2024-07-01",
        "甲市,city,,2024-01,2024-06,projects,abc,count,,http://a.example/1,a,2024-07-01",
        "甲市,city,,2024-01,2024-06,annual_plan,5,%,,http://a.example/1,a,2024-07-01",
    ])
    with pytest.raises(RowsError) as caught:
        build(tmp_path)
    problems = caught.value.problems
    shown = "reference/figures.csv"
    assert [problem.split(": ")[0].split(shown)[-1] for problem in problems] == [":3", ":4", ":5", ":6", ":7"]
    assert "period_end '2024-13'" in problems[0]
    assert "metric 'growth' is unknown" in problems[1]
    assert "whole number" in problems[2] and "'abc' is not a number" in problems[3]
    assert "unit '%' is wrong for annual_plan" in problems[4]
    assert good.panel_path.read_bytes() == panel_before


def test_reference_publication_dates_are_normalized(tmp_path: Path) -> None:
    write_reference(tmp_path, [
        "甲市,city,,2024-01,2024-06,completed_investment,50,亿元,,http://a.example/1,a,2024/7/1",
        "甲市,city,,2024-01,2024-06,completion_rate,50,,,http://a.example/1,a,2024年7月",
    ])
    facts = read_table(build(tmp_path).facts_path)
    assert list(facts["published"]) == ["2024-07-01", "2024-07"]
    assert list(facts["unit"]) == ["亿元", "%"]  # an empty unit is the metric's
    write_reference(tmp_path, ["甲市,city,,2024-01,2024-06,completed_investment,50,亿元,,http://a.example/1,a,July"])
    with pytest.raises(RowsError, match=r"figures\.csv:2: published 'July' is not a date"):
        build(tmp_path)


# ---------------------------------------------------------------- schema

def test_schema_names_file_column_and_first_bad_row(reference_only: Path) -> None:
    result = build(reference_only)
    panel = read_table(result.panel_path)
    validate(panel, PANEL_TABLE, result.panel_path)
    broken = panel.copy()
    broken.loc[5, "completion_rate"] = "n/a"
    broken.loc[9, "completion_rate"] = "x"
    with pytest.raises(KeyprojError, match=r"panel\.csv: column 'completion_rate': row 7 .*'n/a' is not a number"):
        validate(broken, PANEL_TABLE, result.panel_path)
    facts = read_table(result.facts_path)
    index = int((facts["metric"] == "completed_investment").to_numpy().argmax())
    for column, value, message in [
        ("scope", "town", "is not one of"), ("period_start", "2024-1", "is not a month"),
        ("unit", "万元", "is not one of"), ("unit", "count", "unit does not match the metric"),
        ("region", "", "is empty but the column is required"), ("published", "24/7/2021", "is not a date"),
        ("period_end", "2000-01", "ends before it starts"), ("value", "1e400", "is not a number"),
    ]:
        broken = facts.copy()
        broken.loc[index, column] = value
        with pytest.raises(KeyprojError, match=rf"facts\.csv: column '{column}': row {index + 2} .*{message}"):
            validate(broken, FACTS_TABLE, result.facts_path)
    with pytest.raises(KeyprojError, match="missing flags"):
        validate(panel.drop(columns=["flags"]), PANEL_TABLE, result.panel_path)
    flagged = panel.copy()
    flagged.loc[0, "flags"] = "conflict;odd"
    with pytest.raises(KeyprojError, match="column 'flags'"):
        validate(flagged, PANEL_TABLE, result.panel_path)


# ---------------------------------------------------------------- command line

def test_cli_build_prints_summary_unless_quiet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_reference(tmp_path, FLAG_CASES)
    assert main(["build", "--data", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert f"facts: {len(FLAG_CASES)} (document 0, reference {len(FLAG_CASES)}, correction 0)" in out
    assert "panel: 14 rows, 7 flagged" in out and "conflict 1" in out and " s" in out
    assert main(["build", "--data", str(tmp_path), "--quiet"]) == 0
    assert capsys.readouterr() == ("", "")


def test_cli_build_lists_every_bad_row_and_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_reference(tmp_path, FLAG_CASES[:1])
    (tmp_path / "corrections.csv").write_text(
        "action,region,scope,subset,period_start,period_end,metric,value,unit,qualifier,source,reason,author\n"
        "fix,甲市,city,,2024-01,2024-06,completed_investment,50,,,,typo,lin\n"
        "add,甲市,city,,2024-01,2024-06,completed_investment,50,,,,,\n", encoding="utf-8")
    assert main(["build", "--data", str(tmp_path), "--quiet"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("keyproj build: error: ") and "corrections.csv:2: action 'fix' is unknown" in err[0]
    assert "corrections.csv:3: reason is empty" in err[1] and "corrections.csv:3: author is empty" in err[2]
    assert err[-1] == "keyproj build: 3 problem(s); nothing was written"
    assert not (tmp_path / "processed" / "panel.csv").exists()


# ---------------------------------------------------------------- the repository's data (documents too)

@pytest.fixture(scope="module")
def default_build(tmp_path_factory) -> tuple[Path, object]:
    """The repository's raw documents and reference CSVs, built in a scratch folder."""
    data = tmp_path_factory.mktemp("default")
    shutil.copytree(RAW_DIR, data / "raw")
    shutil.copytree(REFERENCE_DIR, data / "reference")
    return data, build(data)


def test_default_build_has_documents_and_reference_rows(default_build) -> None:
    data, result = default_build
    assert result.bad_inputs == []
    kinds = result.facts_by_kind()
    assert kinds["document"] > 0
    assert kinds["reference"] == sum(len(read_table(path)) for path in FIGURE_FILES)
    panel = read_table(result.panel_path)
    quangang = panel_row(panel, "泉港区", "2024-01", "2024-12", scope="county")
    assert quangang["annual_plan"] == "309.96" and quangang["completed_investment"] == "310.04"
    assert "completed_investment=000_2f2a21338f61aef2" in quangang["sources"]
    facts = read_table(result.facts_path)
    documents = facts[facts["source_kind"] == "document"]
    assert (documents["source"] == documents["doc_id"]).all()
    assert set(documents.loc[documents["doc_id"] == "000_2f2a21338f61aef2", "published"]) == {"2025-03-17"}
    assert panel_row(panel, "泉州市", "2021-01", "2021-06", subset="under_construction")["completed_investment"] \
        == "939.3"


def test_default_build_skips_a_bad_document_and_goes_on(tmp_path: Path) -> None:
    shutil.copytree(RAW_DIR, tmp_path / "raw")
    (tmp_path / "raw" / "broken.pdf").write_bytes(b"%PDF-1.4 this is not a pdf")
    result = build(tmp_path)
    assert [Path(error.path).name for error in result.bad_inputs] == ["broken.pdf"]
    assert result.facts_by_kind()["document"] > 0


def test_facts_csv_quotes_what_needs_quoting(default_build) -> None:
    _, result = default_build
    text = result.facts_path.read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert all(len(row) == len(FACTS_TABLE.names) for row in rows)
    assert text.endswith("\n") and "\r" not in text
