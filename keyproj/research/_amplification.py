"""Amplification: do cities' plans add up to more than their province's, or grow faster?"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from keyproj.research._common import (
    ESTIMATE_COLUMNS,
    Result,
    cluster_ols,
    comparable,
    nan_rows,
    require,
    thin,
    yearly_plans,
)

AMPLIFICATION_TERMS = ["ratio", "growth_diff"]


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class AmplificationResult(Result):
    """A :class:`Result` for :func:`amplification`, plus per province-year rows.

    ``by_year``: province, year, province_plan and city_plan_sum (亿元), n_cities,
    n_cities_listed (from ``cities_of``; 0 when unknown), ratio (city_plan_sum / province_plan
    when every listed city has a plan), province_growth, mean_city_growth and growth_diff (log
    points), n_growth (cities with a plan in this and the previous year).
    """

    by_year: pd.DataFrame = field(default_factory=pd.DataFrame)


def _plans(frame: pd.DataFrame, parent_of: Mapping[str, str], provinces: set[str], subset: str) -> pd.DataFrame:
    """Province lists of provinces and city lists of their cities: one plan per region-year."""
    plans = yearly_plans(frame)
    plans = plans[(plans["subset"] == subset) & plans["plan"].gt(0)]
    is_province = (plans["scope"] == "province") & plans["region"].isin(provinces)
    children = [region for region, parent in parent_of.items() if parent in provinces]
    is_city = (plans["scope"] == "city") & ~plans["region"].isin(provinces) & plans["region"].isin(children)
    plans = plans[is_province | is_city].copy()
    plans["role"] = np.where(plans["scope"] == "province", "province", "city")
    plans["province"] = np.where(plans["role"] == "province", plans["region"],
                                 plans["region"].map(lambda r: parent_of.get(r, "")).astype(object))
    plans = plans.sort_values(["region", "year"]).reset_index(drop=True)
    previous = plans.groupby("region")["plan"].shift()
    consecutive = plans.groupby("region")["year"].diff() == 1
    plans["growth"] = np.where(consecutive, np.log(plans["plan"]) - np.log(previous), np.nan)
    return plans


def _by_year(plans: pd.DataFrame,
             cities_of: Mapping[str, Sequence[str]] | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per province-year rows (ratio, growth difference) and the city-years with their growth_diff."""
    prov = plans[plans["role"] == "province"].set_index(["province", "year"])
    cities = plans[plans["role"] == "city"].join(prov[["growth"]].rename(columns={"growth": "province_growth"}),
                                                 on=["province", "year"])
    cities["growth_diff"] = cities["growth"] - cities["province_growth"]
    rows = []
    for (province, year), row in prov.iterrows():
        mine = cities[(cities["province"] == province) & (cities["year"] == year)]
        listed = list(cities_of.get(province, [])) if cities_of else []
        complete = bool(listed) and set(listed) <= set(mine["region"])
        total = mine.loc[mine["region"].isin(listed), "plan"].sum() if listed else mine["plan"].sum()
        diffs = mine["growth_diff"].dropna()
        rows.append({"province": province, "year": year, "province_plan": row["plan"], "city_plan_sum": total,
                     "n_cities": len(mine), "n_cities_listed": len(listed),
                     "ratio": total / row["plan"] if complete else np.nan,
                     "province_growth": row["growth"], "mean_city_growth": mine["growth"].mean(),
                     "growth_diff": diffs.mean() if len(diffs) else np.nan, "n_growth": len(diffs)})
    columns = ["province", "year", "province_plan", "city_plan_sum", "n_cities", "n_cities_listed", "ratio",
               "province_growth", "mean_city_growth", "growth_diff", "n_growth"]
    return pd.DataFrame(rows, columns=columns), cities


def amplification(panel: pd.DataFrame, parent_of: Mapping[str, str], *,
                  cities_of: Mapping[str, Sequence[str]] | None = None, subset: str = "",
                  min_obs: int = 10, min_clusters: int = 5, few_clusters: int = 30, n_boot: int = 999,
                  random_state: int | None = 0, comparable_only: bool = True) -> AmplificationResult:
    """Are plans amplified down the hierarchy (层层加码): city plans against their province's?

    ``parent_of`` maps a region name to its province's name; a province is any region named as
    a parent (or a key of ``cities_of``). Province plans: scope 'province' rows of a province;
    city plans: scope 'city' rows of other regions whose parent is a province (prefecture
    cities; give ``cities_of`` to restrict the sum to listed cities). One plan per region-year
    (亿元, subset ``subset``, default the whole list). Terms:

    - ``ratio``: mean over province-years of sum(city plans) / province plan, only where every
      city in ``cities_of[province]`` has a plan (skipped when ``cities_of`` is None);
    - ``growth_diff``: mean over city-years of (city plan growth - province plan growth), log
      points, same year, consecutive years only.

    Errors clustered by province (CR1, t(G-1)); fewer than ``few_clusters`` provinces: wild
    cluster bootstrap. A term with fewer than ``min_obs`` observations or ``min_clusters``
    provinces is NaN; ``ok`` is True when at least one term is estimated.
    """
    require(panel, ["region", "scope", "period_start", "period_end", "annual_plan"], "amplification")
    if not isinstance(parent_of, Mapping):
        raise ValueError("amplification: parent_of must map region names to province names")  # noqa: TRY004
    frame, dropped = comparable(panel, comparable_only)
    provinces = set(parent_of.values()) | set(cities_of or {})
    plans = _plans(frame, parent_of, provinces, subset)
    by_year, cities = _by_year(plans, cities_of)
    rng = np.random.default_rng(random_state)
    pieces, notes = [], []
    samples = {"ratio": (by_year["ratio"], by_year["province"]),
               "growth_diff": (cities["growth_diff"], cities["province"])}
    for term, (values, groups) in samples.items():
        use = values.notna().to_numpy()
        y, clusters = values.to_numpy(dtype=float)[use], groups.to_numpy(dtype=object)[use]
        n, g = len(y), len(pd.unique(clusters))
        why = thin(n, g, min_obs, min_clusters, f"{term} observations", "provinces")
        if term == "ratio" and cities_of is None:
            why = "cities_of not given: the cities of each province are unknown"
        if why:
            pieces.append(nan_rows("pooled", [term], n, g, why))
            notes.append(f"{term}: {why}")
            continue
        table, how = cluster_ols(np.ones((n, 1)), y, clusters, np.eye(1), restricted=[],
                                 few_clusters=few_clusters, n_boot=n_boot, rng=rng)
        pieces.append(table.assign(group="pooled", term=term, n=n, n_clusters=g, inference=how)[ESTIMATE_COLUMNS])
    estimates = pd.concat(pieces, ignore_index=True)
    data = plans[["region", "scope", "subset", "year", "period_start", "period_end", "role", "province",
                  "plan", "growth"] + [c for c in ("period", "sources") if c in plans.columns]]
    caveats = [("A province's plan counts its own provincial list only; city lists overlap it where "
                "provincial projects sit in a city, so a ratio above 1 is not by itself amplification.")]
    ok = bool(np.isfinite(estimates["estimate"]).any())
    return AmplificationResult(question="Are city plans amplified relative to their province's?", ok=ok,
                               why="; ".join(notes), n=len(data), estimates=estimates,
                               n_clusters=int(plans["province"].nunique()), data=data, method=(
                                   "means of city/province plan ratios and growth differences, "
                                   "clustered by province"), dropped=dropped, caveats=caveats, by_year=by_year)
