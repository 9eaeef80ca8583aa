"""keyproj.metrics against figures from the seed documents and the reference tables."""
from __future__ import annotations

import dataclasses
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import FUJIAN_REFERENCE_FILES
from hypothesis import given
from hypothesis import strategies as st

from keyproj import metrics
from keyproj.metrics import (
    Bunching,
    MetricsInputError,
    ahead_of_schedule,
    bunching,
    cagr,
    completion_rate,
    elapsed_share,
    implied_annual_plan,
    months_covered,
    plan_gap,
    plan_gap_pct,
    plan_ratchet,
    plan_ratchet_series,
    yoy_growth,
    yoy_growth_series,
)

KEY = ["region", "scope", "subset", "period_start", "period_end"]


# ---------------------------------------------------------------- real figures


def _read_facts(path: Path) -> pd.DataFrame:
    facts = pd.read_csv(path, dtype=str, keep_default_na=False)
    if "subset" not in facts:
        facts["subset"] = ""
    facts["value"] = facts["value"].astype(float)
    return facts[[*KEY, "metric", "value"]].drop_duplicates()


@pytest.fixture(scope="module")
def gold(repo_root: Path) -> pd.DataFrame:
    return _read_facts(repo_root / "tests" / "gold" / "seeds_facts.csv")


@pytest.fixture(scope="module")
def reference(reference_dir: Path) -> pd.DataFrame:
    # The Fujian and Quanzhou figures: checked to agree with each other. The national file holds
    # lists measured against other benchmarks (data/reference/notes/list_notes.csv), on purpose.
    return pd.concat([_read_facts(reference_dir / name) for name in FUJIAN_REFERENCE_FILES], ignore_index=True)


def _value(facts: pd.DataFrame, region: str, scope: str, start: str, end: str, metric: str) -> float:
    """The single value the facts give for one figure (fails if absent or contradictory)."""
    rows = facts[
        (facts.region == region) & (facts.scope == scope) & (facts.period_start == start)
        & (facts.period_end == end) & (facts.metric == metric) & (facts.subset == "")
    ]
    values = set(rows["value"])
    assert len(values) == 1, f"{region} {scope} {start}..{end} {metric}: {values}"
    return values.pop()


def _wide(facts: pd.DataFrame) -> pd.DataFrame:
    """One row per figure key, one column per metric; keys whose sources disagree are dropped."""
    unique = facts.groupby([*KEY, "metric"])["value"].agg(["nunique", "first"])
    unique = unique[unique["nunique"] == 1]["first"]
    return unique.unstack("metric").reset_index()


def test_quangang_county_full_year_2024(gold: pd.DataFrame) -> None:
    plan = _value(gold, "泉港区", "county", "2024-01", "2024-12", "annual_plan")
    completed = _value(gold, "泉港区", "county", "2024-01", "2024-12", "completed_investment")
    reported_rate = _value(gold, "泉港区", "county", "2024-01", "2024-12", "completion_rate")
    assert (plan, completed, reported_rate) == (309.96, 310.04, 100.02)

    assert completion_rate(completed, plan) == pytest.approx(100.03, abs=0.005)
    assert elapsed_share("2024-01", "2024-12") == 100.0
    ahead = ahead_of_schedule(reported_rate, elapsed_share("2024-01", "2024-12"))
    assert ahead == pytest.approx(0.02, abs=1e-9)
    assert ahead == pytest.approx(_value(gold, "泉港区", "county", "2024-01", "2024-12", "ahead_of_schedule"))
    assert plan_gap(plan, completed) == pytest.approx(0.08)
    assert plan_gap_pct(plan, completed) == pytest.approx(completion_rate(completed, plan) - 100.0)


@pytest.mark.parametrize("scope, expected_ahead", [("county", 0.02), ("city", 1.4), ("province", 9.82)])
def test_quangang_reported_ahead_is_rate_minus_full_year(gold: pd.DataFrame, scope: str, expected_ahead: float) -> None:
    rate = _value(gold, "泉港区", scope, "2024-01", "2024-12", "completion_rate")
    reported = _value(gold, "泉港区", scope, "2024-01", "2024-12", "ahead_of_schedule")
    computed = ahead_of_schedule(rate, elapsed_share("2024-01", "2024-12"))
    assert computed == pytest.approx(expected_ahead, abs=1e-9)
    assert computed == pytest.approx(reported, abs=1e-9)


def test_taishang_county_jan_to_sep_2024(gold: pd.DataFrame) -> None:
    region, scope = "泉州台商投资区", "county"
    completed = _value(gold, region, scope, "2024-01", "2024-09", "completed_investment")
    rate = _value(gold, region, scope, "2024-01", "2024-09", "completion_rate")
    assert (completed, rate) == (110.7, 76.7)

    elapsed = elapsed_share("2024-01", "2024-09")
    assert elapsed == 75.0
    assert months_covered("2024-01", "2024-09") == 9
    assert ahead_of_schedule(rate, elapsed) == pytest.approx(1.7, abs=0.005)
    plan = implied_annual_plan(completed, rate)
    assert plan == pytest.approx(144.3, abs=0.05)
    assert completion_rate(completed, plan) == pytest.approx(rate)


@pytest.mark.parametrize("scope, expected_ahead", [("province", 12.2), ("city", 16.2)])
def test_nanan_first_half_2021(gold: pd.DataFrame, scope: str, expected_ahead: float) -> None:
    elapsed = elapsed_share("2021-01", "2021-06")
    assert elapsed == 50.0
    rate = _value(gold, "南安市", scope, "2021-01", "2021-06", "completion_rate")
    assert ahead_of_schedule(rate, elapsed) == pytest.approx(expected_ahead, abs=0.005)


# Xiamen's Jan-Sep 2024 report gives 82 % and "9.5 个百分点 ahead": the two figures disagree
# (82 - 75 = 7), a question for the data checks, not for the formula.
INCONSISTENT_AHEAD = {("厦门市", "province", "", "2024-01", "2024-09")}


def test_reported_ahead_of_schedule_matches_rate_minus_elapsed(gold: pd.DataFrame, reference: pd.DataFrame) -> None:
    wide = _wide(pd.concat([gold, reference], ignore_index=True))
    pairs = wide.dropna(subset=["completion_rate", "ahead_of_schedule"])
    pairs = pairs[pairs.period_start.str.endswith("-01")]
    pairs = pairs[[tuple(row) not in INCONSISTENT_AHEAD for row in pairs[KEY].itertuples(index=False)]]
    assert len(pairs) >= 25  # the check must cover the data, not pass on an empty table

    elapsed = elapsed_share(pairs.period_start, pairs.period_end)
    computed = ahead_of_schedule(pairs.completion_rate, elapsed)
    assert computed.index.equals(pairs.index)
    # reported figures are rounded to 0.1 pp (and 1/12 shares get truncated: 16.6 for 16.67)
    off = pairs.assign(computed=computed)[(computed - pairs.ahead_of_schedule).abs() > 0.1]
    assert off.empty, off.to_string()


def test_single_month_rate_is_measured_against_one_twelfth_on_period_basis(reference: pd.DataFrame) -> None:
    # 福建省, March 2020 alone: 429 亿元, 8.6 % of the year's plan, 0.3 pp ahead.
    wide = _wide(reference)
    march = wide[(wide.region == "福建省") & (wide.period_start == "2020-03") & (wide.period_end == "2020-03")]
    assert len(march) == 1
    rate, reported = march.completion_rate.iloc[0], march.ahead_of_schedule.iloc[0]
    assert (rate, reported) == (8.6, 0.3)
    assert elapsed_share("2020-03", "2020-03", basis="period") == pytest.approx(100 / 12)
    assert ahead_of_schedule(rate, elapsed_share("2020-03", "2020-03", basis="period")) == pytest.approx(reported, abs=0.05)
    # the cumulative benchmark (序时进度 from January) is the default
    assert elapsed_share("2020-03", "2020-03") == 25.0


def test_reported_full_year_rates_match_completed_over_plan(gold: pd.DataFrame, reference: pd.DataFrame) -> None:
    wide = _wide(pd.concat([gold, reference], ignore_index=True))
    full_year = wide.dropna(subset=["annual_plan", "completed_investment", "completion_rate"])
    assert len(full_year) >= 6
    computed = completion_rate(full_year.completed_investment, full_year.annual_plan)
    # rates are reported to 0.01 or 0.1: the computed rate rounds to the reported one
    off = full_year.assign(computed=computed)[(computed - full_year.completion_rate).abs() > 0.05 + 1e-9]
    assert off.empty, off.to_string()


def test_growth_and_ratchet_on_fujian_under_construction_figures(reference: pd.DataFrame) -> None:
    wide = _wide(reference)
    fujian = wide[(wide.region == "福建省") & (wide.subset == "under_construction")
                  & wide.period_start.str.endswith("-01") & wide.period_end.str.endswith("-12")]
    fujian = fujian.assign(year=fujian.period_start.str[:4].astype(int)).set_index("year")
    actuals = fujian.completed_investment.dropna()
    plans = fujian.annual_plan.dropna()
    assert actuals.to_dict() == {2017: 4746.0, 2018: 4737.12}
    assert plans[2018] == 4308.0

    growth = yoy_growth_series(actuals)
    assert math.isnan(growth[2017])
    assert growth[2018] == pytest.approx(-0.187, abs=0.001)

    ratchet = plan_ratchet_series(plans, actuals)
    assert ratchet.index.equals(plans.index)
    assert ratchet[2018] == pytest.approx(-9.23, abs=0.005)  # 2018 plan 4308 below 2017's 4746 done
    assert ratchet.drop(2018).isna().all()  # no actual for the year before any other plan
    assert plan_ratchet(4308.0, 4746.0) == ratchet[2018]


# ---------------------------------------------------------------- periods


@pytest.mark.parametrize(
    "start, end, months, elapsed",
    [
        ("2024-01", "2024-09", 9, 75.0),   # 1-9月
        ("2021-01", "2021-06", 6, 50.0),   # 上半年
        ("2024-01", "2024-12", 12, 100.0),  # 全年
        ("2024-01", "2024-01", 1, 100 / 12),
        ("2024-05", "2024-05", 1, 500 / 12),  # single month: still counted from January
        ("0000-01", "0000-05", 5, 500 / 12),  # year not stated in the document
        ("2016-01", "2020-12", 60, math.nan),  # five-year plan period: no 序时进度
    ],
)
def test_months_covered_and_elapsed_share(start: str, end: str, months: int, elapsed: float) -> None:
    covered = months_covered(start, end)
    assert covered == months and isinstance(covered, int)
    assert elapsed_share(start, end) == pytest.approx(elapsed, nan_ok=True)


def test_period_basis_counts_only_the_period() -> None:
    assert elapsed_share("2024-05", "2024-05", basis="period") == pytest.approx(100 / 12)
    assert elapsed_share("2024-04", "2024-06", basis="period") == 25.0
    assert elapsed_share("2024-01", "2024-09", basis="period") == 75.0
    with pytest.raises(MetricsInputError, match="basis"):
        elapsed_share("2024-01", "2024-09", basis="quarter")  # type: ignore[arg-type]


def test_periods_as_series_keep_the_index() -> None:
    facts = pd.DataFrame(
        {"period_start": ["2024-01", "2021-01", None, "2024-05"],
         "period_end": ["2024-09", "2021-06", "2024-12", "2024-05"]},
        index=["台商", "南安", "missing", "may"],
    )
    months = months_covered(facts.period_start, facts.period_end)
    assert months.index.equals(facts.index)
    assert months.tolist()[:2] == [9.0, 6.0] and math.isnan(months["missing"]) and months["may"] == 1
    elapsed = elapsed_share(facts.period_start, facts.period_end)
    assert elapsed.index.equals(facts.index)
    assert elapsed[["台商", "南安"]].tolist() == [75.0, 50.0]
    assert math.isnan(elapsed["missing"])
    assert elapsed["may"] == pytest.approx(500 / 12)


def test_missing_periods_give_nan() -> None:
    assert math.isnan(months_covered(None, "2024-01"))
    assert math.isnan(months_covered("2024-01", float("nan")))
    assert math.isnan(elapsed_share(None, None))


@pytest.mark.parametrize("bad", ["2024-13", "2024-00", "2024/01", "24-01", "2024-1", ""])
def test_malformed_periods_raise_or_coerce(bad: str) -> None:
    with pytest.raises(MetricsInputError, match="YYYY-MM"):
        months_covered(bad, "2024-12")
    assert isinstance(MetricsInputError("x"), ValueError)
    assert math.isnan(months_covered(bad, "2024-12", errors="coerce"))
    coerced = elapsed_share(pd.Series(["2024-01", bad]), pd.Series(["2024-06", "2024-12"]), errors="coerce")
    assert coerced[0] == 50.0 and math.isnan(coerced[1])


def test_period_ending_before_it_starts() -> None:
    with pytest.raises(MetricsInputError, match="'2024-09'..'2024-01'"):
        months_covered("2024-09", "2024-01")
    with pytest.raises(MetricsInputError, match="'2024-06'..'2023-12'"):
        months_covered(pd.Series(["2024-01", "2024-06"]), pd.Series(["2024-03", "2023-12"]))
    coerced = months_covered(pd.Series(["2024-01", "2024-06"]), pd.Series(["2024-03", "2023-12"]), errors="coerce")
    assert coerced[0] == 3 and math.isnan(coerced[1])
    # a scalar bound against a Series of the other bound
    mixed = months_covered("2024-03", pd.Series(["2024-12", "2024-01"]), errors="coerce")
    assert mixed[0] == 10 and math.isnan(mixed[1])
    assert elapsed_share(pd.Series(["2024-01", "2023-01"]), "2024-09").tolist() == pytest.approx([75.0, math.nan], nan_ok=True)


# ---------------------------------------------------------------- vectorized inputs, missing values


def test_dataframe_columns_in_series_out() -> None:
    table = pd.DataFrame(
        {"plan": [309.96, 144.3, 0.0, None], "completed": [310.04, 110.7, 5.0, 3.0],
         "rate": [100.02, 76.7, 0.0, np.nan]},
        index=["泉港区", "泉州台商投资区", "zero plan", "no plan"],
    )
    rate = completion_rate(table.completed, table.plan)
    assert isinstance(rate, pd.Series) and rate.index.equals(table.index) and rate.dtype == float
    assert rate["泉港区"] == pytest.approx(100.0258, abs=1e-4)
    assert math.isnan(rate["zero plan"]) and math.isnan(rate["no plan"])

    plan = implied_annual_plan(table.completed, table.rate)
    assert plan.index.equals(table.index)
    assert plan["泉州台商投资区"] == pytest.approx(144.33, abs=0.005)
    assert math.isnan(plan["zero plan"]) and math.isnan(plan["no plan"])  # rate 0 / rate missing

    gap = plan_gap(table.plan, table.completed)
    assert gap.tolist()[:3] == pytest.approx([0.08, -33.6, 5.0]) and math.isnan(gap["no plan"])
    gap_pct = plan_gap_pct(table.plan, table.completed)
    assert math.isnan(gap_pct["zero plan"]) and math.isnan(gap_pct["no plan"])
    pd.testing.assert_series_equal(gap_pct, rate - 100.0)

    ahead = ahead_of_schedule(table.rate, 75.0)
    assert ahead.index.equals(table.index) and ahead["泉州台商投资区"] == pytest.approx(1.7)


def test_whole_dataframes_keep_their_shape() -> None:
    completed = pd.DataFrame({"省级": [135.38, 113.0], "市级": [191.15, 153.0]}, index=["泉港区", "南安市"])
    plans = pd.DataFrame({"省级": [123.27, 0.0], "市级": [188.5, None]}, index=["泉港区", "南安市"])
    rates = completion_rate(completed, plans)
    assert rates.shape == (2, 2) and list(rates.columns) == ["省级", "市级"]
    assert rates.loc["泉港区", "省级"] == pytest.approx(135.38 / 123.27 * 100)
    assert rates.loc["南安市"].isna().all()


@pytest.mark.parametrize("missing", [None, float("nan"), np.nan, pd.NA])
def test_missing_scalars_give_nan_and_never_raise(missing: object) -> None:
    for result in (
        completion_rate(missing, 100.0), completion_rate(100.0, missing),
        ahead_of_schedule(missing, 75.0), implied_annual_plan(missing, 50.0), implied_annual_plan(10.0, missing),
        yoy_growth(missing, 1.0), yoy_growth(1.0, missing), cagr(missing, 2.0, 1), cagr(1.0, 2.0, missing),
        plan_ratchet(missing, 1.0), plan_gap(missing, 1.0), plan_gap_pct(1.0, missing),
    ):
        assert isinstance(result, float) and math.isnan(result)


def test_missing_values_inside_series_and_lists() -> None:
    objects = pd.Series([110.7, None, pd.NA, 50.0], dtype=object)
    rates = completion_rate(objects, 100.0)
    assert rates.dtype == float and rates.isna().tolist() == [False, True, True, False]
    nullable = pd.Series([100, None], dtype="Int64")
    assert completion_rate(nullable, 50).isna().tolist() == [False, True]
    listed = completion_rate([310.04, None, 1.0], [309.96, 1.0, 0.0])
    assert isinstance(listed, np.ndarray)
    assert listed[0] == pytest.approx(100.0258, abs=1e-4) and np.isnan(listed[1:]).all()


def test_division_by_zero_gives_nan_not_inf() -> None:
    for result in (completion_rate(1.0, 0), completion_rate(0, 0), implied_annual_plan(1.0, 0),
                   yoy_growth(1.0, 0), plan_ratchet(5.0, 0.0), plan_gap_pct(0.0, 5.0), cagr(0.0, 5.0, 2)):
        assert math.isnan(result)
    series = completion_rate(pd.Series([1.0, 0.0, -1.0]), pd.Series([0.0, 0.0, 0.0]))
    assert series.isna().all()
    assert np.isnan(completion_rate(np.array([1.0, 2.0]), np.array([0, 0]))).all()


def test_scalars_come_back_as_python_floats() -> None:
    assert type(completion_rate(1, 2)) is float
    assert type(ahead_of_schedule(np.float64(76.7), 75)) is float


# ---------------------------------------------------------------- growth


def test_yoy_growth_scalar_and_series() -> None:
    assert yoy_growth(110.0, 100.0) == pytest.approx(10.0)
    assert yoy_growth(90.0, 100.0) == pytest.approx(-10.0)
    growth = yoy_growth(pd.Series([110.0, 50.0], index=["a", "b"]), pd.Series([100.0, 100.0], index=["a", "b"]))
    assert growth.tolist() == pytest.approx([10.0, -50.0])


def test_yoy_growth_series_does_not_bridge_a_gap_year() -> None:
    amounts = pd.Series({2016: 100.0, 2017: 110.0, 2019: 121.0, 2020: 133.1}, name="completed")
    growth = yoy_growth_series(amounts)
    assert growth.index.equals(amounts.index) and growth.name == "completed"
    assert math.isnan(growth[2016])
    assert growth[2017] == pytest.approx(10.0)
    assert math.isnan(growth[2019])  # 2018 is missing: 2017 -> 2019 is not a year-on-year step
    assert growth[2020] == pytest.approx(10.0)

    shuffled = amounts[[2020, 2016, 2019, 2017]]
    pd.testing.assert_series_equal(yoy_growth_series(shuffled), growth[[2020, 2016, 2019, 2017]])
    as_strings = amounts.set_axis([str(year) for year in amounts.index])
    assert yoy_growth_series(as_strings).tolist() == pytest.approx(growth.tolist(), nan_ok=True)
    as_periods = amounts.set_axis(pd.PeriodIndex([str(y) for y in amounts.index], freq="Y"))
    assert yoy_growth_series(as_periods).tolist() == pytest.approx(growth.tolist(), nan_ok=True)


def test_yoy_growth_series_on_a_dataframe_and_bad_indexes() -> None:
    table = pd.DataFrame({"泉州市": [100.0, 120.0, 150.0], "厦门市": [50.0, None, 60.0]}, index=[2021, 2022, 2024])
    growth = yoy_growth_series(table)
    assert growth.shape == table.shape
    assert growth.loc[2022, "泉州市"] == pytest.approx(20.0)
    assert growth.loc[2024].isna().all() and growth.loc[2021].isna().all()
    assert math.isnan(growth.loc[2022, "厦门市"])
    with pytest.raises(MetricsInputError, match="only once"):
        yoy_growth_series(pd.Series([1.0, 2.0], index=[2024, 2024]))
    with pytest.raises(MetricsInputError, match="years"):
        yoy_growth_series(pd.Series([1.0, 2.0], index=["a", "b"]))


def test_plan_ratchet_series_aligns_plan_year_with_previous_actual() -> None:
    plans = pd.Series({2022: 110.0, 2023: 121.0, 2025: 150.0})
    actuals = pd.Series({2021: 100.0, 2022: 0.0, 2023: 130.0})
    ratchet = plan_ratchet_series(plans, actuals)
    assert ratchet.index.equals(plans.index)
    assert ratchet[2022] == pytest.approx(10.0)
    assert math.isnan(ratchet[2023])  # last year's actual was 0
    assert math.isnan(ratchet[2025])  # no actual for 2024

    plan_table = pd.DataFrame({"A": [110.0, 99.0], "B": [200.0, 210.0]}, index=[2022, 2023])
    actual_table = pd.DataFrame({"B": [200.0, 200.0], "A": [100.0, 110.0]}, index=[2021, 2022])
    table = plan_ratchet_series(plan_table, actual_table)
    assert list(table.columns) == ["A", "B"] and table.index.equals(plan_table.index)
    assert table.loc[2022, "A"] == pytest.approx(10.0) and table.loc[2023, "A"] == pytest.approx(-10.0)
    assert table.loc[2022, "B"] == pytest.approx(0.0) and table.loc[2023, "B"] == pytest.approx(5.0)
    with pytest.raises(MetricsInputError, match="both"):
        plan_ratchet_series(plans, actual_table)


def test_cagr_hand_computed() -> None:
    assert cagr(100.0, 121.0, 2) == pytest.approx(10.0)
    assert cagr(100.0, 200.0, 1) == pytest.approx(100.0)
    assert cagr(1000.0, 1000.0, 5) == pytest.approx(0.0)
    assert cagr(64.0, 1.0, 3) == pytest.approx(-75.0)  # 64 -> 16 -> 4 -> 1
    assert cagr(50.0, 0.0, 3) == -100.0
    for undefined in (cagr(100.0, 121.0, 0), cagr(100.0, 121.0, -2), cagr(-100.0, 121.0, 2), cagr(-1.0, -4.0, 2),
                      cagr(100.0, -5.0, 2)):
        assert math.isnan(undefined)
    series = cagr(pd.Series([100.0, 64.0, 0.0]), pd.Series([121.0, 1.0, 5.0]), pd.Series([2, 3, 1]))
    assert series[:2].tolist() == pytest.approx([10.0, -75.0]) and math.isnan(series[2])
    assert cagr(100.0, 121.0, pd.Series([2, 0])).tolist() == pytest.approx([10.0, math.nan], nan_ok=True)


# ---------------------------------------------------------------- bunching


def test_bunching_counts_the_window_either_side_of_100() -> None:
    rates = [94.9, 95.0, 99.99, 100.0, 100.02, 104.99, 105.0, 110.0, 87.0, None, float("nan")]
    result = bunching(rates)
    assert result == Bunching(just_above=3, just_below=2, ratio=1.5, n=9)
    assert bunching(pd.Series(rates)) == result
    assert bunching(np.array(rates, dtype=float)) == result
    narrow = bunching(rates, window=1.0)
    assert (narrow.just_above, narrow.just_below, narrow.ratio) == (2, 1, 2.0)
    wide = bunching(rates, window=15.0)
    assert (wide.just_above, wide.just_below) == (5, 4)


def test_bunching_edge_ratios() -> None:
    only_above = bunching([100.0, 101.0, 130.0])
    assert (only_above.just_above, only_above.just_below, only_above.ratio) == (2, 0, math.inf)
    neither = bunching([80.0, 120.0])
    assert (neither.just_above, neither.just_below, neither.n) == (0, 0, 2) and math.isnan(neither.ratio)
    assert bunching([97.0]).ratio == 0.0
    empty = bunching([])
    assert empty.n == 0 and math.isnan(empty.ratio)
    with pytest.raises(MetricsInputError, match="window"):
        bunching([100.0], window=0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        only_above.n = 5  # type: ignore[misc]


def test_bunching_on_reported_full_year_rates(gold: pd.DataFrame, reference: pd.DataFrame) -> None:
    facts = pd.concat([gold, reference], ignore_index=True)
    full_year = facts[(facts.metric == "completion_rate") & facts.period_start.str.endswith("-01")
                      & facts.period_end.str.endswith("-12") & (facts.period_start.str[:4] == facts.period_end.str[:4])]
    rates = full_year.value
    result = bunching(rates)
    assert result.n == len(rates) >= 10
    assert result.just_above == int(((rates >= 100) & (rates < 105)).sum()) >= 2  # 泉港区 100.02 and 101.4
    assert result.just_below == int(((rates >= 95) & (rates < 100)).sum())
    expected_ratio = result.just_above / result.just_below if result.just_below else math.inf
    assert result.ratio == expected_ratio


# ---------------------------------------------------------------- properties and packaging


@given(completed=st.floats(0.01, 1e5), rate=st.floats(0.1, 500.0))
def test_implied_plan_round_trips_to_the_rate(completed: float, rate: float) -> None:
    assert completion_rate(completed, implied_annual_plan(completed, rate)) == pytest.approx(rate, rel=1e-9)


@given(first=st.floats(0.01, 1e5), growth=st.floats(-90.0, 300.0), years=st.integers(1, 30))
def test_cagr_inverts_compounding(first: float, growth: float, years: int) -> None:
    last = first * (1 + growth / 100) ** years
    assert cagr(first, last, years) == pytest.approx(growth, abs=1e-6)


def test_public_functions_document_their_units() -> None:
    for name in metrics.__all__:
        doc = getattr(metrics, name).__doc__ or ""
        assert doc.strip(), name
        if name not in ("Bunching", "MetricsInputError", "months_covered", "bunching"):
            assert any(unit in doc for unit in ("%", "亿元", "percentage points")), name


def test_import_is_light() -> None:
    code = ("import sys, keyproj.metrics; "
            "print(sorted(m for m in ('matplotlib', 'scipy', 'statsmodels', 'seaborn') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
