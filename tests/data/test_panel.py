"""The panel built from the seed documents' gold facts, and the reconciliation rule."""
from __future__ import annotations

import math

import pandas as pd
import pytest
from conftest import GOLD_FACTS

from keyproj.data.panel import (
    build_panel,
    choose,
    format_number,
    is_government_url,
    normalize_facts,
    panel_table,
)
from keyproj.data.tables import PANEL_TABLE
from keyproj.facts import FACT_COLUMNS


@pytest.fixture(scope="module")
def gold_facts() -> pd.DataFrame:
    facts = pd.read_csv(GOLD_FACTS, dtype=str, keep_default_na=False)
    for column in ("quote", "char_start", "char_end", "subset"):
        facts[column] = ""
    facts["value"] = facts["value"].astype(float)
    return facts[FACT_COLUMNS]


@pytest.fixture(scope="module")
def panel(gold_facts: pd.DataFrame) -> pd.DataFrame:
    return build_panel(gold_facts)


def row(panel: pd.DataFrame, region: str, scope: str, start: str, end: str, subset: str = "") -> pd.Series:
    selected = panel[(panel["region"] == region) & (panel["scope"] == scope) & (panel["subset"] == subset)
                     & (panel["period_start"] == pd.Period(start, "M"))
                     & (panel["period_end"] == pd.Period(end, "M"))]
    assert len(selected) == 1, f"{region} {scope} {start}..{end}: {len(selected)} rows"
    return selected.iloc[0]


def test_quangang_county_2024_full_year(panel: pd.DataFrame) -> None:
    quangang = row(panel, "泉港区", "county", "2024-01", "2024-12")
    assert quangang["annual_plan"] == 309.96
    assert quangang["completed_investment"] == 310.04
    assert quangang["completion_rate"] == 100.02
    assert quangang["completion_rate_calc"] == pytest.approx(100.03, abs=0.01)
    assert quangang["ahead_of_schedule"] == 0.02
    assert quangang["elapsed_pct"] == 100.0
    assert quangang["ahead_calc"] == pytest.approx(0.02, abs=1e-6)
    assert quangang["projects"] == 242
    assert quangang["total_investment"] == 1780.15
    assert (quangang["started_projects"], quangang["finished_projects"]) == (153, 89)
    assert (quangang["signed_projects"], quangang["signed_investment"]) == (126, 1105.42)
    assert quangang["year"] == 2024
    assert quangang["flags"] == ""
    assert quangang["n_sources"] == 1
    assert "annual_plan=000_2f2a21338f61aef2" in quangang["sources"].split(";")


def test_taishang_county_first_three_quarters_joins_the_year_list(panel: pd.DataFrame) -> None:
    taishang = row(panel, "泉州台商投资区", "county", "2024-01", "2024-09")
    assert taishang["completed_investment"] == 110.7
    assert taishang["completion_rate"] == 76.7
    assert taishang["elapsed_pct"] == 75.0
    assert taishang["ahead_calc"] == pytest.approx(1.7, abs=1e-9)
    assert taishang["implied_annual_plan"] == pytest.approx(144.3, abs=0.1)
    assert taishang["projects"] == 192  # from the 2024-01..2024-12 list figure
    assert "projects=004_34d48eeab18069cf" in taishang["sources"]
    assert pd.isna(taishang["annual_plan"]) and pd.isna(taishang["completion_rate_calc"])
    # the province+city row of the same document keeps its own list (48 projects), not the county's
    combined = row(panel, "泉州台商投资区", "province+city", "2024-01", "2024-09")
    assert combined["projects"] == 48 and combined["ahead_of_schedule"] == 3.5


def test_nanan_first_half_2021_province_and_city(panel: pd.DataFrame) -> None:
    province = row(panel, "南安市", "province", "2021-01", "2021-06")
    city = row(panel, "南安市", "city", "2021-01", "2021-06")
    assert (province["completion_rate"], city["completion_rate"]) == (62.2, 66.2)
    assert province["elapsed_pct"] == city["elapsed_pct"] == 50.0
    assert (province["projects"], city["projects"]) == (49, 71)
    assert (province["completed_investment"], city["completed_investment"]) == (113.0, 153.0)
    assert province["ahead_calc"] == pytest.approx(12.2)


def test_one_row_per_key_and_qualifier_kept(panel: pd.DataFrame) -> None:
    keys = panel[["region", "scope", "subset", "period_start", "period_end"]].astype(str)
    assert not keys.duplicated().any()
    quanzhou_2019 = row(panel, "泉州市", "city", "2019-01", "2019-12")
    assert quanzhou_2019["total_investment"] == 10000
    assert quanzhou_2019["qualifiers"] == "total_investment=over"


def test_panel_types(panel: pd.DataFrame) -> None:
    assert list(panel.columns) == PANEL_TABLE.names + ["period"]
    assert isinstance(panel["region"].dtype, pd.CategoricalDtype)
    assert str(panel["projects"].dtype) == "Int64"
    assert str(panel["completion_rate"].dtype) == "Float64"
    assert str(panel["period_end"].dtype) == "period[M]"


def test_text_table_uses_fixed_number_format(gold_facts: pd.DataFrame) -> None:
    text = panel_table(gold_facts)
    quangang = text[(text["region"] == "泉港区") & (text["scope"] == "county")].iloc[0]
    assert quangang["projects"] == "242"
    assert quangang["completion_rate_calc"] == "100.0258"  # calculated columns: 4 decimals
    assert quangang["elapsed_pct"] == "100"
    assert format_number(-0.0) == "0" and format_number(None) == "" and format_number(math.nan) == ""
    assert format_number(1187.4327) == "1187.4327" and format_number(2 / 3, 4) == "0.6667"


def test_year_unknown_rows_join_list_figures_of_the_same_source_only() -> None:
    base = {"region": "泉州市", "scope": "city", "unit": "count"}
    facts = [
        {**base, "source": "a", "period_start": "0000-01", "period_end": "0000-12", "metric": "projects",
         "value": 350.0},
        {**base, "source": "b", "period_start": "0000-01", "period_end": "0000-12", "metric": "projects",
         "value": 999.0},
        {**base, "source": "a", "period_start": "0000-01", "period_end": "0000-10",
         "metric": "completed_investment", "value": 824.8, "unit": "亿元"},
    ]
    panel = build_panel(facts)
    partial = panel[panel["period"] == "0000-01..0000-10"].iloc[0]
    assert partial["projects"] == 350 and partial["flags"] == ""
    assert pd.isna(partial["year"]) and pd.isna(partial["period_end"])
    assert partial["elapsed_pct"] == pytest.approx(83.3333)


def test_multi_year_period_joins_nothing_and_has_no_elapsed_share() -> None:
    facts = [
        {"region": "泉港区", "scope": "county", "period_start": "2021-01", "period_end": "2025-12",
         "metric": "completed_investment", "value": 1356.37, "unit": "亿元", "source": "x"},
        {"region": "泉港区", "scope": "county", "period_start": "2025-01", "period_end": "2025-12",
         "metric": "annual_plan", "value": 300.0, "unit": "亿元", "source": "x"},
    ]
    five_years = build_panel(facts).iloc[0]
    assert five_years["period"] == "2021-01..2025-12"
    assert pd.isna(five_years["annual_plan"]) and pd.isna(five_years["elapsed_pct"])
    assert five_years["year"] == 2025


# ---------------------------------------------------------------- reconciliation rule

def fact(source: str, value: float, kind: str = "reference", published: str = "", url: str = "") -> dict:
    return normalize_facts([{
        "region": "泉州市", "scope": "city", "period_start": "2021-01", "period_end": "2021-06",
        "metric": "completed_investment", "value": value, "unit": "亿元", "source": source,
        "source_kind": kind, "published": published, "url": url or (source if kind == "reference" else ""),
    }])[0]


def test_correction_wins_over_government_site() -> None:
    gov = fact("http://www.quanzhou.gov.cn/a.htm", 1.0, published="2025-01-01")
    correction = fact("correction:lin", 2.0, kind="correction")
    assert choose([gov, correction]) == (correction, True)


def test_government_site_wins_over_later_mirror() -> None:
    gov = fact("https://qzfz.gov.cn/x.htm", 106.0, published="2024-12-24")
    mirror = fact("http://njaxxm.com/y.shtml", 110.0, published="2024-12-30")
    chosen, conflict = choose([mirror, gov])
    assert chosen is gov and conflict
    assert is_government_url("http://nanan.gov.cn/zwgk/x.htm") and not is_government_url("http://gov.cn.example.com/")
    assert not is_government_url("")


def test_later_publication_wins_and_partial_dates_count_as_first_day() -> None:
    year_only = fact("http://news.gqsoso.com/a.html", 940.3, published="2021")
    dated = fact("http://hxnews.com/b.shtml", 939.3, published="2021-08-09")
    assert choose([year_only, dated])[0] is dated
    undated = fact("http://a.example/c", 1.0, published="")
    assert choose([undated, year_only])[0] is year_only


def test_tie_break_document_before_reference_then_source_string() -> None:
    document = fact("000_doc", 5.0, kind="document", published="2021-08-09")
    reference = fact("http://a.example/", 5.0, published="2021-08-09")
    assert choose([reference, document]) == (document, False)
    first, second = fact("http://a.example/", 5.0), fact("http://b.example/", 5.001)
    assert choose([second, first]) == (first, False)  # within 0.005: no conflict


def test_single_month_rate_is_benchmarked_against_that_month() -> None:
    # 福建省, 3月份: 429 亿元, 8.6 % of the annual plan, "0.3 个百分点" ahead (against 1/12, not 3/12)
    base = {"region": "福建省", "scope": "province", "period_start": "2020-03", "period_end": "2020-03",
            "source": "http://fj.people.com.cn/n2/2020/0419/c181466-33958887.html", "source_kind": "reference"}
    march = build_panel([
        {**base, "metric": "completed_investment", "value": 429.0, "unit": "亿元"},
        {**base, "metric": "completion_rate", "value": 8.6, "unit": "%"},
        {**base, "metric": "ahead_of_schedule", "value": 0.3, "unit": "pp"},
    ]).iloc[0]
    assert march["elapsed_pct"] == pytest.approx(8.3333)
    assert march["ahead_calc"] == pytest.approx(0.2667)
    assert march["flags"] == ""
    assert march["implied_annual_plan"] == pytest.approx(4988.372, abs=0.001)


# ---------------------------------------------------------------- lists as they are

def _fact(metric: str, value: float, *, quote: str = "", title: str = "", kind: str = "document",
          source: str = "doc1", end: str = "2021-06", scope: str = "province", subset: str = "") -> dict:
    return {"region": "南安市", "scope": scope, "subset": subset, "period_start": "2021-01", "period_end": end,
            "metric": metric, "value": value, "unit": "", "source": source, "source_kind": kind, "quote": quote,
            "title": title, "published": "2021-07-01", "doc_id": source if kind == "document" else ""}


def test_a_sentence_naming_only_the_zaijian_part_gives_that_part() -> None:
    part = "2021年上半年,49个省在建重点项目完成投资113.0亿元,完成年度计划投资的62.2%。"
    whole = "今年全市安排重点项目120个,其中在建重点项目80个,1-6月完成投资113亿元。"
    table = panel_table([_fact("projects", 49, quote=part, end="2021-12"),
                         _fact("completed_investment", 113, quote=part),
                         _fact("completed_investment", 90, quote=whole, scope="city")])
    by_list = {(r.scope, r.subset, r.period_end): r for r in table.itertuples()}
    assert by_list[("province", "under_construction", "2021-06")].completed_investment == "113"
    assert by_list[("province", "under_construction", "2021-12")].projects == "49"
    assert {key[:2] for key in by_list} == {("province", "under_construction"), ("city", "")}
    # (the 49 projects are never shown as the whole list; a sentence naming the whole list stays)
    assert by_list[("city", "", "2021-06")].completed_investment == "90"


def test_two_counts_of_different_lists_are_two_lists_not_a_conflict() -> None:
    whole = _fact("projects", 635, quote="635个即将或已经落地建设的市重点项目", scope="city", end="2019-12")
    whole["period_start"] = "2019-01"
    page = {**_fact("projects", 460, title="攻坚成效明显 460个在建重点项目完成投资逾八成", kind="reference",
                    source="http://example.gov.cn/a", scope="city", end="2019-12"), "period_start": "2019-01"}
    rate = {**page, "metric": "completion_rate", "value": 82.0, "period_end": "2019-09"}
    table = panel_table([whole, page, rate])
    full_year = table[table["period_end"] == "2019-12"].set_index("subset")
    assert full_year.loc["", "projects"] == "635" and full_year.loc["under_construction", "projects"] == "460"
    assert "conflict" not in ";".join(table["flags"])
    assert table[table["period_end"] == "2019-09"]["subset"].tolist() == ["under_construction"]
    # the same two counts on one list (same list, same period) are still a conflict
    same = panel_table([whole, {**page, "title": "460个重点项目"}])
    assert same["flags"].tolist() == ["conflict"]


def test_a_title_counting_another_figure_moves_nothing() -> None:
    # the page's headline counts 129 在建 projects, its row gives 144: another list, left as it is
    page = _fact("projects", 144, title="晋江本级在建重点项目129个 完成投资143.1亿", kind="reference",
                 source="http://example.com/b", scope="county")
    assert panel_table([page])["subset"].tolist() == [""]
