"""Hand corrections (corrections.csv): add, drop, replace, and one error line per malformed row."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import REPO_ROOT

from keyproj.data.build import build
from keyproj.data.corrections import CORRECTION_COLUMNS, read_corrections
from keyproj.data.rows import RowsError

HEADER = ",".join(CORRECTION_COLUMNS)
GQSOSO = "http://news.gqsoso.com/fenxi/202108/0998412.html"
HXNEWS = "http://hxnews.com/news/fj/mn/qz/202108/09/2010678.shtml"
QUANZHOU_H1 = "泉州市,city,under_construction,2021-01,2021-06"


@pytest.fixture
def data(fujian_data: Path) -> Path:
    return fujian_data


def write_corrections(data: Path, *rows: str, header: str = HEADER) -> Path:
    path = data / "corrections.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def quanzhou_h1(panel_path: Path) -> pd.Series:
    panel = read(panel_path)
    selected = panel[(panel["region"] == "泉州市") & (panel["scope"] == "city")
                     & (panel["subset"] == "under_construction") & (panel["period_start"] == "2021-01")
                     & (panel["period_end"] == "2021-06")]
    assert len(selected) == 1
    return selected.iloc[0]


def test_committed_corrections_file_is_the_documented_header() -> None:
    path = REPO_ROOT / "data" / "corrections.csv"
    assert path.read_text(encoding="utf-8").splitlines() == [HEADER]
    assert read_corrections(path) == []


def test_drop_removes_the_disputed_figure_and_its_conflict(data: Path) -> None:
    before = quanzhou_h1(build(data).panel_path)
    assert before["completed_investment"] == "939.3" and before["flags"] == "conflict"
    # the article's own headline says 939.3: its 940.3 is a typo
    write_corrections(data, f"drop,{QUANZHOU_H1},completed_investment,940.3,,,{GQSOSO},"
                            "headline of the same article says 939.3,lin")
    result = build(data)
    after = quanzhou_h1(result.panel_path)
    assert after["completed_investment"] == "939.3"
    assert after["flags"] == "conflict"  # the two sites still disagree on the rate (62.6 against 62.5)
    facts = read(result.facts_path)
    completed = facts[(facts["region"] == "泉州市") & (facts["metric"] == "completed_investment")
                      & (facts["subset"] == "under_construction") & (facts["period_end"] == "2021-06")]
    assert list(completed["value"]) == ["939.3"]


def test_drop_both_disputed_figures_clears_the_conflict(data: Path) -> None:
    write_corrections(
        data,
        f"drop,{QUANZHOU_H1},completed_investment,940.3,,,,typo: the headline says 939.3,lin",
        f"drop,{QUANZHOU_H1},completion_rate,,,,{GQSOSO},rate of the typo figure,lin",
    )
    after = quanzhou_h1(build(data).panel_path)
    assert (after["completed_investment"], after["completion_rate"], after["flags"]) == ("939.3", "62.5", "")


def test_replace_sets_the_value_and_wins(data: Path) -> None:
    write_corrections(data, f"replace,{QUANZHOU_H1},completed_investment,941.5,亿元,,{HXNEWS},"
                            "figure checked against the city's statistics bulletin,chen")
    result = build(data)
    after = quanzhou_h1(result.panel_path)
    assert after["completed_investment"] == "941.5"
    assert "completed_investment=correction:chen" in after["sources"]
    facts = read(result.facts_path)
    cell = facts[(facts["region"] == "泉州市") & (facts["metric"] == "completed_investment")
                 & (facts["subset"] == "under_construction") & (facts["period_end"] == "2021-06")]
    # hxnews's 939.3 is replaced; gqsoso's 940.3 stays (the replace named one source)
    assert sorted(zip(cell["source_kind"], cell["value"])) == [("correction", "941.5"), ("reference", "940.3")]
    correction = cell[cell["source_kind"] == "correction"].iloc[0]
    assert correction["source"] == "correction:chen"
    assert correction["title"] == "figure checked against the city's statistics bulletin"
    assert after["flags"] == "conflict"


def test_add_fills_a_missing_figure(data: Path) -> None:
    # 2021's list of 泉州市 city under construction has an annual plan of 1503; add one for 2026's whole list
    before = read(build(data).panel_path)
    row = before[(before["region"] == "泉州市") & (before["scope"] == "city") & (before["subset"] == "")
                 & (before["period_start"] == "2025-01") & (before["period_end"] == "2025-12")].iloc[0]
    assert row["annual_plan"] == "" and row["qualifiers"] == "completed_investment=over"
    write_corrections(data, "add,泉州市,city,,2025-01,2025-12,annual_plan,2400,亿元,,,"
                            "2025 plan from the city's work report,lin")
    after = read(build(data).panel_path)
    row = after[(after["region"] == "泉州市") & (after["scope"] == "city") & (after["subset"] == "")
                & (after["period_start"] == "2025-01") & (after["period_end"] == "2025-12")].iloc[0]
    assert row["annual_plan"] == "2400"
    assert row["completion_rate_calc"] == "104.1667"  # 2500 / 2400
    assert "annual_plan=correction:lin" in row["sources"]


def test_a_correction_wins_over_a_government_site(data: Path) -> None:
    write_corrections(data, "add,丰泽区,county,,2024-01,2024-12,projects,108,count,,,"
                            "count of the published project list,wu")
    panel = read(build(data).panel_path)
    row = panel[(panel["region"] == "丰泽区") & (panel["scope"] == "county")
                & (panel["period_end"] == "2024-12")].iloc[0]
    assert row["projects"] == "108" and "conflict" in row["flags"]


def test_corrections_file_never_rewritten(data: Path) -> None:
    path = write_corrections(data, f"drop,{QUANZHOU_H1},completed_investment,940.3,,,,typo,lin")
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))  # Excel: BOM, CRLF
    before = path.read_bytes()
    build(data)
    build(data)
    assert path.read_bytes() == before


def test_every_malformed_row_named_by_file_and_line(data: Path) -> None:
    write_corrections(
        data,
        f"add,{QUANZHOU_H1},completed_investment,1,,,,fine,lin",                # 2: fine
        f"fix,{QUANZHOU_H1},completed_investment,1,,,,typo,lin",                # 3: action
        f"add,{QUANZHOU_H1},investment,1,,,,typo,lin",                          # 4: metric
        "add,泉州市,city,,2021-1,2021-06,completed_investment,1,,,,typo,lin",    # 5: period
        f"add,{QUANZHOU_H1},completed_investment,about 1,,,,typo,lin",           # 6: value
        f"add,{QUANZHOU_H1},completed_investment,1,,,,,",                        # 7: reason, author
        "",
        f"drop,{QUANZHOU_H1},completed_investment,1,,,,no such value,lin",      # 9: parsed fine
    )
    with pytest.raises(RowsError) as caught:
        build(data)
    problems = caught.value.problems
    assert all("corrections.csv:" in problem for problem in problems)
    lines = [problem.split("corrections.csv:")[1].split(":")[0] for problem in problems]
    assert lines == ["3", "4", "5", "6", "7", "7"]
    assert "action 'fix' is unknown" in problems[0]
    assert "metric 'investment' is unknown" in problems[1]
    assert "period_start '2021-1'" in problems[2]
    assert "value 'about 1' is not a number" in problems[3]
    assert "reason is empty" in problems[4] and "author is empty" in problems[5]


def test_drop_or_replace_matching_nothing_is_an_error(data: Path) -> None:
    write_corrections(
        data,
        f"drop,{QUANZHOU_H1},completed_investment,1000,,,,no such value,lin",
        f"replace,{QUANZHOU_H1},completed_investment,1,,,http://nowhere.example/,no such source,lin",
        "drop,泉州市,city,,2030-01,2030-12,projects,,,,,no such year,lin",
    )
    with pytest.raises(RowsError) as caught:
        build(data)
    problems = caught.value.problems
    assert [problem.split("corrections.csv:")[1].split(":")[0] for problem in problems] == ["2", "3", "4"]
    assert all("matches no fact" in problem for problem in problems)
    assert "with value 1000" in problems[0] and "from source 'http://nowhere.example/'" in problems[1]


def test_two_corrections_of_one_figure_need_a_replace(data: Path) -> None:
    add = f"add,{QUANZHOU_H1},completed_investment,941,,,,first,lin"
    write_corrections(data, add, f"add,{QUANZHOU_H1},completed_investment,942,,,,second,chen")
    with pytest.raises(RowsError, match=r"corrections\.csv:3: line 2 already sets this figure"):
        build(data)
    write_corrections(data, add, f"replace,{QUANZHOU_H1},completed_investment,942,,,correction:lin,second,chen")
    assert quanzhou_h1(build(data).panel_path)["completed_investment"] == "942"


def test_header_problems(data: Path) -> None:
    write_corrections(data, header="action,region,scope,period,metric,value,reason,author")
    with pytest.raises(RowsError, match=r"corrections\.csv:1: missing column\(s\) period_start, "
                                               r"period_end; unknown column\(s\) period"):
        build(data)
    (data / "corrections.csv").write_bytes(b"\xff\xfe" + "action".encode("utf-16-le"))
    with pytest.raises(RowsError, match=r"corrections\.csv:1: not UTF-8 text"):
        build(data)


def test_unit_qualifier_and_source_checks(tmp_path: Path) -> None:
    path = write_corrections(
        tmp_path,
        "add,泉州市,city,,2021-01,2021-06,completed_investment,1,%,,,wrong unit,lin",
        "add,泉州市,city,,2021-01,2021-06,completed_investment,1,,about,,bad qualifier,lin",
        "add,泉州市,city,,2021-01,2021-06,completed_investment,1,,,http://a.example/,add with source,lin",
        "add,泉州市,town,,2021-01,2021-06,completed_investment,1,,,,bad scope,lin",
        "drop,泉州市,city,,2021-06,2021-01,completed_investment,,,,,reversed,lin",
    )
    with pytest.raises(RowsError) as caught:
        read_corrections(path)
    text = "\n".join(caught.value.problems)
    assert "corrections.csv:2: unit '%' is wrong for completed_investment" in text
    assert "corrections.csv:3: qualifier 'about'" in text
    assert "corrections.csv:4: source is only for drop and replace" in text
    assert "corrections.csv:5: scope 'town'" in text
    assert "corrections.csv:6: period 2021-06..2021-01 ends before it starts" in text
