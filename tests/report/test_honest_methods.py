"""Honest methods in the reports' tables and figures: amounts and rates of one period, imputed plans
and bounds marked and left out of fits, full-year and part-year points never joined, gaps kept,
coverage and the selective-publication pattern stated, signed projects as their own list."""
from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from keyproj import report  # noqa: E402
from keyproj.data.panel import build_panel  # noqa: E402
from keyproj.data.tables import FACTS_TABLE, typed_facts  # noqa: E402


def fact(metric: str, value: float, start: str, end: str, qualifier: str = "", scope: str = "city") -> dict:
    return {"region": "甲市", "scope": scope, "period_start": start, "period_end": end, "metric": metric,
            "value": value, "unit": "", "qualifier": qualifier, "source": f"s-{metric}-{end}"}


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return build_panel([
        fact("completed_investment", 930, "2014-01", "2014-12"), fact("completion_rate", 110.7, "2014-01", "2014-12"),
        fact("completed_investment", 1271, "2017-01", "2017-12"), fact("completion_rate", 110, "2017-01", "2017-12"),
        fact("annual_plan", 2400, "2024-01", "2024-12"),
        fact("completed_investment", 941, "2024-01", "2024-04"), fact("completion_rate", 39.2, "2024-01", "2024-04"),
        fact("completion_rate", 54.83, "2024-01", "2024-06"),
        fact("completed_investment", 2500, "2025-01", "2025-12", qualifier="over"),
        fact("annual_plan", 2535, "2026-01", "2026-12"),
        fact("signed_projects", 78, "2024-01", "2024-06", scope="county"),
        fact("signed_investment", 265.7, "2024-01", "2024-06", scope="county"),
    ])


def test_a_row_pairs_an_amount_with_the_rate_of_its_own_period(panel: pd.DataFrame) -> None:
    lists = report.year_lists(panel, 2024)
    city = lists[lists["scope"] == "city"].iloc[0]
    assert (city["completed_investment"], city["completed_period"]) == (941, "1-4月")
    assert (city["completion_rate"], city["rate_period"]) == (39.2, "1-4月")  # never the 1-6月 54.83


def test_without_a_rate_of_the_same_period_both_periods_are_shown() -> None:
    panel = build_panel([fact("annual_plan", 100, "2024-01", "2024-12"),
                         fact("completed_investment", 40, "2024-01", "2024-04"),
                         fact("completion_rate", 55, "2024-01", "2024-06")])
    row = report.year_lists(panel, 2024).iloc[0]
    # the 1-4月 row's rate is calculated from its own amount (40 / 100), not the 1-6月 55 %
    assert (row["completion_rate"], row["rate_period"], row["rate_kind"]) == (40, "1-4月", "calculated")
    alone = build_panel([fact("completed_investment", 40, "2024-01", "2024-04"),
                         fact("completion_rate", 55, "2024-01", "2024-06")])
    row = report.year_lists(alone, 2024).iloc[0]
    assert (row["completed_period"], row["rate_period"]) == ("1-4月", "1-6月")


def test_bounds_and_imputed_plans_stay_out_of_growth_unless_asked(panel: pd.DataFrame) -> None:
    annual = report.annual_series(report.select_panel(panel, region="甲市", scope="city"))
    by_year = annual.set_index(annual["year"].astype(int))
    assert bool(by_year.loc[2025, "completed_bound"]) and by_year.loc[2014, "plan_kind"] == "implied"
    exact = report.growth_table(annual).set_index("year")
    assert math.isnan(exact.loc[2026, "plan_ratchet_pct"])  # 2535 on "2500以上": no ratchet
    loose = report.growth_table(annual, include_imputed=True).set_index("year")
    assert loose.loc[2026, "plan_ratchet_pct"] == pytest.approx(1.4)


def test_full_year_and_part_year_rates_are_never_joined(panel: pd.DataFrame) -> None:
    report.setup_plotting()
    annual = report.annual_series(report.select_panel(panel, region="甲市", scope="city"))
    fig = report.plot_rates(annual, "完成率")
    ax = fig.axes[0]
    (line,) = [line for line in ax.get_lines() if line.get_label() == "全年完成率"]
    joined = dict(zip(line.get_xdata(), line.get_ydata(), strict=True))
    assert joined[2014] == pytest.approx(110.7) and joined[2017] == 110
    assert math.isnan(joined[2015]) and math.isnan(joined[2016])  # a gap stays a gap
    assert 2024 not in joined or math.isnan(joined[2024])  # the 1-4月 rate is not on the line
    part = [tuple(point) for collection in ax.collections for point in collection.get_offsets()]
    assert (2024, 39.2) in [(int(x), round(float(y), 1)) for x, y in part]
    plt.close(fig)


def test_bars_stand_on_a_real_time_axis_with_kinds_marked(panel: pd.DataFrame) -> None:
    report.setup_plotting()
    annual = report.annual_series(report.select_panel(panel, region="甲市", scope="city"))
    shown = annual.dropna(subset=["annual_plan", "completed_investment"], how="all")
    fig = report.plot_plan_vs_completed(shown, "计划与完成")
    ax = fig.axes[0]
    ticks = [label.get_text() for label in ax.get_xticklabels()]
    assert "2015" in ticks and "2020" in ticks  # years without data keep their place
    hatches = {patch.get_hatch() for patch in ax.patches}
    assert {report.STYLE["implied"]["hatch"], report.STYLE["partial"]["hatch"]} <= hatches
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert "年度计划投资(推算)" in legend and "完成投资(年内某一期)" in legend
    plt.close(fig)


def test_nearly_equal_values_get_a_readable_range() -> None:
    report.setup_plotting()
    data = pd.DataFrame({"year": [2020, 2021, 2022], "elapsed_pct": [100.0, 100.0, 100.01]})
    fig = report.plot_lines(data, "year", ["elapsed_pct"], "时间进度", "%")
    low, high = fig.axes[0].get_ylim()
    assert high - low >= 10  # never 100.0000 to 100.0200
    assert all("e" not in text and "+" not in text for text in report.figure_texts(fig))
    plt.close(fig)


def test_coverage_and_selectivity_are_stated(panel: pd.DataFrame) -> None:
    found = report.report_coverage(panel)
    assert (found.plans_reported, found.plans_implied, found.full_year_results) == (2, 2, 3)
    assert found.periods == ("1-4月", "1-6月")
    assert "1-4月、1-6月" in report.coverage_sentence(panel)
    assert "region-list-years" in report.coverage_sentence(panel, "en")
    selectivity = report.selective_publication(panel)
    assert (selectivity.n, selectivity.at_least_100, selectivity.all_at_least_100) == (2, 2, True)
    assert "全部不低于 100%" in report.selectivity_sentence(panel)
    below = build_panel([fact("completion_rate", 95, "2020-01", "2020-12")])
    assert "1 个低于 100%" in report.selectivity_sentence(pd.concat([panel, below]))


def test_signed_projects_are_their_own_list(panel: pd.DataFrame) -> None:
    lists = report.year_lists(panel, 2024)
    assert "county" not in set(lists["scope"])  # no blank key-project row for signed projects
    signed = report.signed_projects(panel)
    assert signed[["period", "signed_projects", "signed_investment"]].values.tolist() == [["1-6月", 78, 265.7]]


def test_one_year_is_a_sentence_not_a_chart() -> None:
    assert "2024" in report.single_point_text("年度计划", [2024, 2024])
    assert report.single_point_text("年度计划", [2023, 2024]) == ""


def test_labels_have_english_with_chinese_fallback() -> None:
    assert report.label("scopes", "city", "en") == "city key projects"
    assert report.label("scopes", "city") == "市重点项目"
    assert report.label("metrics", "completion_rate", "en") == "完成率(%)"  # no English yet: the Chinese


def test_two_lists_are_not_a_conflict_in_the_audit() -> None:
    base = {"region": "泉州市", "scope": "city", "subset": "", "period_start": "2019-01", "period_end": "2019-12",
            "metric": "projects", "unit": "count", "qualifier": "", "published": "2019-10-12", "doc_id": "",
            "char_start": "", "char_end": ""}
    text = pd.DataFrame([
        {**base, "value": "635", "source": "002", "source_kind": "document", "doc_id": "002", "url": "", "title": "",
         "quote": "635个即将或已经落地建设的市重点项目", "published": "2019-02-20"},
        {**base, "value": "460", "source": "http://www.example.gov.cn/a", "source_kind": "reference", "quote": "",
         "url": "http://www.example.gov.cn/a", "title": "攻坚成效明显 460个在建重点项目完成投资逾八成"},
    ])[FACTS_TABLE.names]
    facts = typed_facts(text)
    panel = build_panel(facts)
    assert report.conflicts(facts, panel).empty  # 635 (the whole list) and 460 (its 在建 part)
    audit = report.audit_facts(facts, region="泉州市")
    labels = {row.value: report.fact_list_label(row) for row in audit.itertuples()}
    assert labels == {635.0: "市重点项目", 460.0: "市重点项目(在建项目)"}
    same_list = typed_facts(text.assign(title="460个重点项目"))
    assert len(report.conflicts(same_list, build_panel(same_list))) == 2  # one list, one period: a conflict


def test_signed_facts_are_labelled_as_their_own_list() -> None:
    row = pd.Series({"metric": "signed_projects", "scope": "county", "subset": "", "list_subset": ""})
    assert report.fact_list_label(row) == "招商签约项目(不是重点项目名单)"


def test_the_pace_figures_carry_their_caveat() -> None:
    report.setup_plotting()
    rows = pd.DataFrame({"label": ["市重点项目 1-9月"], "completion_rate": [76.7], "elapsed_pct": [75.0]})
    fig = report.plot_rate_against_elapsed(rows, "完成率与时间进度")
    caveat = report.label("texts", "pace_figure_caveat")
    assert caveat[:10] in "".join(report.figure_texts(fig)).replace("\n", "")
    plt.close(fig)
    full_year = report.plot_rate_against_elapsed(rows.assign(elapsed_pct=100.0), "全年")
    assert caveat[:10] not in "".join(report.figure_texts(full_year)).replace("\n", "")
    plt.close(full_year)
    data = pd.DataFrame({"level": ["city", "city"], "elapsed_pct": [50.0, 75.0], "rate": [45.0, 70.0]})
    fit = pd.DataFrame({"group": ["pooled"] * 2, "elapsed_pct": [50.0, 75.0], "fit": [45.0, 70.0],
                        "ci_low": [40.0, 65.0], "ci_high": [50.0, 75.0]})
    pace = report.plot_pace(data, fit, "年内完成率与时间进度")
    assert caveat[:10] in "".join(report.figure_texts(pace)).replace("\n", "")
    plt.close(pace)
