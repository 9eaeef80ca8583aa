"""keyproj.research on synthetic panels with known truth (seeded), thin panels and misuse."""
from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
import pytest

from keyproj import research
from keyproj.research import ESTIMATE_COLUMNS

FLOAT_COLUMNS = ["annual_plan", "completed_investment", "completion_rate", "completion_rate_calc",
                 "elapsed_pct", "ahead_of_schedule", "ahead_calc"]


def make_panel(records: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """A typed panel like keyproj's from records (region, scope, year, start, end, figures).

    ``year`` None gives NaT periods and a '0000-MM..0000-MM' label, as the panel does for
    documents that do not state the year. Missing figures are pd.NA.
    """
    rows = []
    for rec in records:
        year, start, end = rec.get("year"), rec.get("start", 1), rec.get("end", 12)
        label_year = f"{year:04d}" if year is not None else "0000"
        row = {"region": rec["region"], "scope": rec.get("scope", "province"), "subset": rec.get("subset", ""),
               "period_start": pd.Period(f"{year}-{start:02d}", "M") if year is not None else pd.NaT,
               "period_end": pd.Period(f"{year}-{end:02d}", "M") if year is not None else pd.NaT,
               "year": year, "period": f"{label_year}-{start:02d}..{label_year}-{end:02d}",
               "projects": 100, "qualifiers": "", "flags": "", "sources": f"doc-{len(rows)}", "n_sources": 1,
               "list_note": rec.get("list_note", "")}
        for name in FLOAT_COLUMNS:
            row[name] = rec.get(name)
        if row["elapsed_pct"] is None and start == 1:
            row["elapsed_pct"] = end / 12 * 100
        rows.append(row)
    frame = pd.DataFrame(rows)
    for name in ("region", "scope", "subset"):
        frame[name] = frame[name].astype("category")
    for name in ("period_start", "period_end"):
        frame[name] = frame[name].astype("period[M]")
    for name in ("year", "projects", "n_sources"):
        frame[name] = frame[name].astype("Int64")
    for name in FLOAT_COLUMNS:
        frame[name] = frame[name].astype("Float64")
    return frame


def row(table: pd.DataFrame, term: str, group: str = "pooled") -> pd.Series:
    return table[(table["term"] == term) & (table["group"] == group)].iloc[0]


def covers(table: pd.DataFrame, term: str, truth: float, group: str = "pooled") -> bool:
    r = row(table, term, group)
    return bool(r["ci_low"] <= truth <= r["ci_high"])


# ---------------------------------------------------------------- pace

A, B = -6.0, 1.1  # rate = A + B * elapsed


def pace_panel(seed: int = 1, regions: int = 40) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    records = []
    effects = rng.normal(0, 3, regions)
    for r, effect in enumerate(effects - effects.mean()):  # region effects sum to zero: truth is A + B e
        for year in range(2015, 2021):
            for end in (3, 6, 9, 11):
                rate = A + B * end / 12 * 100 + effect + rng.normal(0, 4)
                records.append({"region": f"R{r:02d}", "scope": "province" if r % 2 else "city",
                                "year": year, "end": end, "completion_rate": rate})
    return make_panel(records)


def test_pace_recovers_slope_and_band_covers_truth() -> None:
    result = research.pace(pace_panel(), n_boot=99, margin_min_obs=10_000)
    assert result.ok and result.n == 40 * 6 * 4 and result.n_clusters == 40
    assert list(result.estimates.columns) == ESTIMATE_COLUMNS
    slope = row(result.estimates, "slope")
    assert covers(result.estimates, "slope", B) and covers(result.estimates, "intercept", A)
    assert slope["ci_high"] - slope["ci_low"] < 0.1  # informative, not merely wide
    assert "CR1" in slope["inference"]
    for level in ("province", "city"):
        assert covers(result.estimates, "slope", B, level)
        assert row(result.estimates, "slope", level)["n"] == 480
    band = result.fit[result.fit["group"] == "pooled"]
    truth = A + B * band["elapsed_pct"]
    assert ((band["ci_low"] <= truth) & (truth <= band["ci_high"])).all()
    assert band["elapsed_pct"].min() == 25.0 and band["elapsed_pct"].max() == pytest.approx(1100 / 12)
    assert not result.margin.ok and "min_obs=10000" in result.margin.why


def test_pace_few_regions_uses_wild_bootstrap() -> None:
    result = research.pace(pace_panel(seed=2, regions=8), n_boot=199, margin_min_obs=10_000)
    slope = row(result.estimates, "slope")
    assert result.ok and "wild cluster bootstrap" in slope["inference"]
    assert covers(result.estimates, "slope", B)


def test_pace_selects_in_year_rows_from_january() -> None:
    panel = make_panel([
        {"region": "甲省", "year": 2020, "end": 6, "completion_rate": 55.0},
        {"region": "甲省", "year": None, "end": 9, "completion_rate": 80.0},  # year unknown: label gives months
        {"region": "甲省", "year": 2020, "start": 3, "end": 3, "completion_rate": 9.0, "elapsed_pct": 25.0},
        {"region": "甲省", "year": 2020, "end": 12, "completion_rate": 101.0},
        {"region": "甲省", "year": 2021, "end": 6, "completion_rate_calc": 47.0, "ahead_of_schedule": -2.5},
    ])
    result = research.pace(panel)
    assert sorted(result.data["elapsed_pct"]) == [50.0, 50.0, 75.0]
    assert sorted(result.data["margin"]) == [-2.5, 5.0, 5.0]  # reported margin wins over rate - elapsed
    assert list(result.data["rate_reported"]) == [True, True, False]
    assert result.dropped["not an in-year period from January"] == 2
    with_full = research.pace(panel, include_full_year=True)
    assert with_full.n == 4 and 100.0 in set(with_full.data["elapsed_pct"])


def test_pace_caveat_counts_negative_margins_by_region() -> None:
    records = [{"region": f"城{r}", "scope": "city", "year": 2020 + k, "end": 6, "completion_rate": 55.0 + k}
               for r in range(10) for k in range(3)]
    records += [{"region": "福建省", "year": 2010 + k, "end": 6, "completion_rate": 45.0 - k} for k in range(8)]
    records += [{"region": "福州市", "scope": "city", "year": 2010 + k, "end": 9, "completion_rate": 70.0}
                for k in range(2)]
    result = research.pace(make_panel(records), parent_of={"福州市": "福建省", "城0": "乙省"})
    caveat = result.caveats[0]
    assert "10 of 40" in caveat and "福建省 (8)" in caveat and "福州市 (2)" in caveat and "(100%)" in caveat
    assert "10 (100%) from province 福建省" in caveat
    assert result.margin.caveats[0] == caveat


# ---------------------------------------------------------------- bunching


def margins_panel(seed: int, piled: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    margins = np.concatenate([rng.normal(5, 10, 1500), rng.uniform(0, 2, piled)])
    elapsed = rng.choice([25.0, 50.0, 75.0], size=margins.size)
    return make_panel({"region": f"R{i % 60:02d}", "year": 2000 + i // 60, "end": int(e / 100 * 12),
                       "completion_rate": round(e + m, 1), "ahead_of_schedule": round(m, 1)}
                      for i, (m, e) in enumerate(zip(margins, elapsed)))


def full_year_panel(seed: int, piled: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rates = np.concatenate([rng.normal(100, 10, 1500), rng.uniform(100, 102, piled)])
    return make_panel({"region": f"R{i % 60:02d}", "year": 1900 + i // 60, "completion_rate": round(v, 1)}
                      for i, v in enumerate(rates))


def check_smooth(result: research.BunchingResult, column: str, span: float) -> None:
    assert result.ok and result.n >= 1500
    assert row(result.estimates, "density_jump")["p_value"] > 0.05
    assert covers(result.estimates, "excess_above", 0.0)
    hist = result.histogram
    assert {"bin_left", "bin_right", "count", "counterfactual", "in_window"} <= set(hist.columns)
    inside = (result.data[column] - result.threshold).abs() < span
    assert hist["count"].sum() == inside.sum() < result.n


def check_piled(result: research.BunchingResult, piled: int) -> None:
    excess = row(result.estimates, "excess_above")
    assert result.ok and excess["ci_low"] > 0
    assert 0.5 * piled < excess["estimate"] < 1.5 * piled
    assert row(result.estimates, "density_jump")["p_value"] < 0.05
    window = result.histogram[result.histogram["in_window"] & (result.histogram["bin_left"] >= result.threshold)]
    assert (window["count"] > window["counterfactual"]).all()


def test_margin_bunching_smooth_vs_piled() -> None:
    smooth = research.pace(margins_panel(3, 0), n_boot=199, random_state=1).margin
    check_smooth(smooth, "margin", 20.0)
    assert smooth.histogram["bin_left"].min() == -20.0 and len(smooth.histogram) == 40
    piled = research.pace(margins_panel(3, 200), n_boot=199, random_state=1).margin
    check_piled(piled, 200)


def test_full_year_bunching_smooth_vs_piled() -> None:
    check_smooth(research.full_year_bunching(full_year_panel(4, 0), n_boot=199), "rate", 30.0)
    # rddensity has less power at the mode of the density than away from it: pile up more mass here
    result = research.full_year_bunching(full_year_panel(4, 400), n_boot=199, bootstrap="observations")
    check_piled(result, 400)
    assert "observations" in row(result.estimates, "excess_above")["inference"]
    assert result.histogram["bin_left"].min() == 70.0


def test_bunching_is_seeded() -> None:
    first = research.full_year_bunching(full_year_panel(5, 100), n_boot=99, random_state=7)
    again = research.full_year_bunching(full_year_panel(5, 100), n_boot=99, random_state=7)
    other = research.full_year_bunching(full_year_panel(5, 100), n_boot=99, random_state=8)
    pd.testing.assert_frame_equal(first.estimates, again.estimates)
    assert row(first.estimates, "excess_above")["ci_low"] != row(other.estimates, "excess_above")["ci_low"]


# ---------------------------------------------------------------- ratchet

OVER, UNDER = 0.004, 0.001


def ratchet_panel(seed: int, regions: int, years: int = 9, noise: float = 0.01) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    records = []
    for r in range(regions):
        plan, effect = 100.0 * np.exp(rng.normal(0, 0.5)), rng.normal(0.08, 0.03)
        for year in range(2012, 2012 + years):
            rate = rng.normal(100, 8)
            records.append({"region": f"R{r:02d}", "scope": "city", "year": year, "annual_plan": plan,
                            "completion_rate": rate})
            records.append({"region": f"R{r:02d}", "scope": "city", "year": year, "end": 6,
                            "annual_plan": plan, "completion_rate": rate / 2})  # in-year row: same plan
            gap = rate - 100
            plan *= np.exp(effect + OVER * max(gap, 0) + UNDER * min(gap, 0) + rng.normal(0, noise))
    return make_panel(records)


def test_ratchet_recovers_asymmetric_slopes() -> None:
    result = research.ratchet(ratchet_panel(6, 40))
    assert result.ok and not result.bootstrap and result.n == 40 * 8 and result.n_clusters == 40
    assert covers(result.estimates, "slope_over", OVER) and covers(result.estimates, "slope_under", UNDER)
    asym = row(result.estimates, "asymmetry")
    assert asym["ci_low"] > 0 and asym["p_value"] < 0.05
    assert {"plan", "plan_prev", "growth", "gap_over", "gap_under", "period_start"} <= set(result.data.columns)
    assert (result.data["period_end"].dt.month == 12).all()  # the full-year row's plan


def test_ratchet_without_year_effects_and_with_symmetric_truth() -> None:
    panel = ratchet_panel(7, 40)
    result = research.ratchet(panel, year_effects=False)
    assert covers(result.estimates, "slope_over", OVER)
    symmetric = research.ratchet(ratchet_panel_symmetric(8))
    assert covers(symmetric.estimates, "asymmetry", 0.0) and row(symmetric.estimates, "asymmetry")["p_value"] > 0.05


def ratchet_panel_symmetric(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    records = []
    for r in range(40):
        plan = 100.0
        for year in range(2012, 2021):
            rate = rng.normal(100, 8)
            records.append({"region": f"R{r:02d}", "scope": "city", "year": year, "annual_plan": plan,
                            "completion_rate": rate})
            plan *= np.exp(0.05 + 0.003 * (rate - 100) + rng.normal(0, 0.01))
    return make_panel(records)


def test_ratchet_few_regions_uses_wild_bootstrap() -> None:
    result = research.ratchet(ratchet_panel(9, 8, noise=0.005), n_boot=999)
    assert result.ok and result.bootstrap and result.n_clusters == 8
    assert "wild cluster bootstrap" in result.why and "Rademacher" in row(result.estimates, "asymmetry")["inference"]
    assert "all sign patterns" in row(result.estimates, "asymmetry")["inference"]  # 2**8 = 256 <= 999
    assert covers(result.estimates, "slope_over", OVER) and covers(result.estimates, "slope_under", UNDER)
    assert row(result.estimates, "asymmetry")["p_value"] < 0.05


# ---------------------------------------------------------------- amplification

FACTOR = 1.6


def amplification_panel(seed: int, drift: float = 0.0, provinces: int = 6, cities: int = 4,
                        missing: tuple[str, int] | None = None) -> tuple[pd.DataFrame, dict, dict]:
    rng = np.random.default_rng(seed)
    records, parent_of, cities_of = [], {}, {}
    for p in range(provinces):
        province = f"省{p}"
        shares = rng.dirichlet(np.ones(cities))
        names = [f"{province}市{c}" for c in range(cities)]
        cities_of[province] = names
        plan = 1000.0 * np.exp(rng.normal(0, 0.3))
        for t, year in enumerate(range(2015, 2023)):
            plan *= np.exp(rng.normal(0.08, 0.05))
            records.append({"region": province, "scope": "province", "year": year, "annual_plan": plan})
            for name, share in zip(names, shares):
                parent_of[name] = province
                if missing == (name, year):
                    continue
                city_plan = plan * share * FACTOR * np.exp(drift * t + rng.normal(0, 0.02))
                records.append({"region": name, "scope": "city", "year": year, "annual_plan": city_plan})
    return make_panel(records), parent_of, cities_of


def test_amplification_ratio_recovered() -> None:
    panel, parent_of, cities_of = amplification_panel(10, missing=("省0市1", 2018))
    result = research.amplification(panel, parent_of, cities_of=cities_of, n_boot=999)
    assert result.ok and covers(result.estimates, "ratio", FACTOR) and covers(result.estimates, "growth_diff", 0.0)
    ratio = row(result.estimates, "ratio")
    assert ratio["n"] == 6 * 8 - 1 and ratio["ci_high"] - ratio["ci_low"] < 0.1
    incomplete = result.by_year[(result.by_year["province"] == "省0") & (result.by_year["year"] == 2018)]
    assert incomplete["ratio"].isna().all() and incomplete["n_cities"].iloc[0] == 3
    assert "wild cluster bootstrap" in ratio["inference"]  # 6 provinces < 30


def test_amplification_growth_recovered_without_city_lists() -> None:
    panel, parent_of, _ = amplification_panel(11, drift=0.05)
    result = research.amplification(panel, parent_of, n_boot=999)
    assert result.ok and covers(result.estimates, "growth_diff", 0.05)
    assert row(result.estimates, "growth_diff")["ci_low"] > 0
    assert np.isnan(row(result.estimates, "ratio")["estimate"]) and "cities_of" in result.why
    assert row(result.estimates, "growth_diff")["n"] == 6 * 4 * 7
    assert set(result.data["role"]) == {"province", "city"}


# ---------------------------------------------------------------- thin data, comparability, misuse


def test_thin_panel_says_what_is_missing_without_warnings() -> None:
    panel = make_panel([{"region": "甲省", "year": 2020, "end": 6, "completion_rate": 50.0, "annual_plan": 10.0},
                        {"region": "甲省", "year": 2020, "completion_rate": 101.0, "annual_plan": 10.0},
                        {"region": "乙市", "scope": "city", "year": 2021, "completion_rate": 98.0,
                         "annual_plan": 12.0}])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        results = [research.pace(panel), research.full_year_bunching(panel), research.ratchet(panel),
                   research.amplification(panel, {"乙市": "甲省"}, cities_of={"甲省": ["乙市"]})]
        coverage = research.describe_coverage(panel)
    assert caught == []
    for result in results:
        assert not result.ok and result.why and result.estimates["estimate"].isna().all()
        assert "min_obs" in result.why or "min_clusters" in result.why
    assert results[0].n == 1 and "1 in-year observations < min_obs=20" in results[0].why
    assert results[1].n == 2 and "2 observations" in results[1].why
    assert results[2].n == 0 and "0 years over and 0 under" in results[2].why
    assert coverage.region_years_plan == 2 and coverage.in_year_observations == 1 and coverage.regions == 2
    assert "NOT ESTIMATED" in results[0].summary()


def test_comparable_only_drops_noted_lists_and_counts_them() -> None:
    panel = pace_panel(12)
    noted = panel.index % 7 == 0
    panel["list_note"] = np.where(noted, "mass list (万亿 programme)", "")
    result = research.pace(panel, n_boot=49, margin_min_obs=10_000)
    everything = research.pace(panel, n_boot=49, margin_min_obs=10_000, comparable_only=False)
    assert result.dropped["list_note"] == result.n_dropped_not_comparable == int(noted.sum()) > 0
    assert result.n == len(panel) - noted.sum() and everything.n == len(panel)
    assert everything.dropped["list_note"] == 0
    assert research.describe_coverage(panel).dropped_not_comparable == int(noted.sum())
    assert research.full_year_bunching(panel).dropped["list_note"] == int(noted.sum())
    assert research.ratchet(panel).dropped["list_note"] == int(noted.sum())
    without = research.pace(panel.drop(columns="list_note"), n_boot=49, margin_min_obs=10_000)
    assert without.dropped["list_note"] == 0 and without.n == len(panel)


def test_missing_required_column_raises() -> None:
    panel = pace_panel(13, regions=2)
    with pytest.raises(ValueError, match="completion_rate"):
        research.pace(panel.drop(columns="completion_rate"))
    with pytest.raises(ValueError, match="annual_plan"):
        research.ratchet(panel.drop(columns="annual_plan"))
    with pytest.raises(ValueError, match="parent_of"):
        research.amplification(panel, None)  # type: ignore[arg-type]


def test_results_are_frozen() -> None:
    result = research.full_year_bunching(full_year_panel(14, 0), n_boot=19)
    with pytest.raises(AttributeError):
        result.ok = False  # type: ignore[misc]
