"""Ratchet: does this year's plan grow with last year's over- or under-fulfilment?"""
from __future__ import annotations

from dataclasses import dataclass

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

RATCHET_TERMS = ["slope_over", "slope_under", "asymmetry"]


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class RatchetResult(Result):
    """A :class:`Result` for :func:`ratchet`; ``bootstrap`` is True when the wild bootstrap was used."""

    bootstrap: bool = False


def ratchet_sample(panel: pd.DataFrame, comparable_only: bool) -> tuple[pd.DataFrame, dict[str, int]]:
    """Region-scope-subset-years with this year's plan, last year's plan and last year's rate.

    Columns: region, scope, subset, year, period_start, period_end (the row giving this year's
    plan), plan and plan_prev (亿元), growth (log points), rate_prev (%), gap (rate_prev - 100,
    pp), gap_over = max(gap, 0), gap_under = min(gap, 0).
    """
    frame, dropped = comparable(panel, comparable_only)
    plans = yearly_plans(frame)
    key = ["region", "scope", "subset"]
    prev = plans[key + ["year", "plan", "rate"]].rename(columns={"plan": "plan_prev", "rate": "rate_prev"})
    prev["year"] += 1
    data = plans.drop(columns=["rate", "rate_reported"]).merge(prev, on=key + ["year"], how="inner")
    usable = (data["plan"] > 0) & (data["plan_prev"] > 0) & data["rate_prev"].notna()
    dropped["no plan or rate for the year before"] = int(len(plans) - usable.sum())
    data = data[usable].reset_index(drop=True)
    data["growth"] = np.log(data["plan"]) - np.log(data["plan_prev"])
    data["gap"] = data["rate_prev"] - 100.0
    data["gap_over"], data["gap_under"] = data["gap"].clip(lower=0), data["gap"].clip(upper=0)
    return data, dropped


def ratchet(panel: pd.DataFrame, *, year_effects: bool = True, min_obs: int = 20, min_clusters: int = 5,
            min_each_side: int = 5, few_clusters: int = 30, n_boot: int = 999, random_state: int | None = 0,
            comparable_only: bool = True) -> RatchetResult:
    """Is the plan ratcheted: does plan growth respond to last year's over- or under-fulfilment?

    Model: growth_t = b_over * gap_over_{t-1} + b_under * gap_under_{t-1} + region effect
    (+ year effect when ``year_effects``) + e, where growth = log plan_t - log plan_{t-1} (same
    region, scope, subset; log points) and gap = last year's full-year completion rate - 100
    (pp). Terms: slope_over, slope_under (log points of plan growth per pp of gap; x100 = % per
    pp) and asymmetry = slope_over - slope_under. Region effects as dummies (regions with one
    observation are dropped: they inform nothing); errors clustered by region (CR1, t(G-1)); with
    fewer than ``few_clusters`` regions a wild cluster bootstrap (Rademacher; CIs unrestricted
    bootstrap-t, p-values restricted with the null imposed). Needs ``min_each_side``
    observations with a positive and with a negative gap.
    """
    require(panel, ["region", "scope", "period_start", "period_end", "annual_plan", "completion_rate"], "ratchet")
    data, dropped = ratchet_sample(panel, comparable_only)
    singles = data["region"].map(data["region"].value_counts()) < 2
    dropped["only observation of its region"] = int(singles.sum())
    data = data[~singles].reset_index(drop=True)
    n, g = len(data), data["region"].nunique()
    n_over, n_under = int((data["gap"] > 0).sum()), int((data["gap"] < 0).sum())
    why = thin(n, g, min_obs, min_clusters, "plan-growth observations")
    if n_over < min_each_side or n_under < min_each_side:
        sides = f"{n_over} years over and {n_under} under plan the year before (need {min_each_side} of each)"
        why = f"{why}; {sides}" if why else sides
    method = "OLS of log plan growth on last year's gap above/below 100 %, region" + (
        " and year" if year_effects else "") + " effects"
    caveat = [("Plans and completion rates come from the same reports: a region that reports only good "
               "years yields no under-fulfilment observations, and its slope_under is not identified.")]
    if why:
        return RatchetResult(question="Are plans ratcheted on last year's completion?", ok=False, why=why, n=n,
                             n_clusters=g, estimates=nan_rows("pooled", RATCHET_TERMS, n, g, why), data=data,
                             method=method, dropped=dropped, caveats=caveat)
    dummies = [pd.get_dummies(data["region"], dtype=float).to_numpy()]
    if year_effects and data["year"].nunique() > 1:
        dummies.append(pd.get_dummies(data["year"], drop_first=True, dtype=float).to_numpy())
    X = np.column_stack([data[["gap_over", "gap_under"]].to_numpy(dtype=float), *dummies])
    contrasts = np.zeros((3, X.shape[1]))
    contrasts[0, 0] = contrasts[1, 1] = contrasts[2, 0] = 1.0
    contrasts[2, 1] = -1.0
    table, how = cluster_ols(X, data["growth"].to_numpy(dtype=float), data["region"].to_numpy(dtype=object),
                             contrasts, restricted=[0, 1, 2], few_clusters=few_clusters, n_boot=n_boot,
                             rng=np.random.default_rng(random_state))
    estimates = table.assign(group="pooled", term=RATCHET_TERMS, n=n, n_clusters=g, inference=how)
    boot = g < few_clusters
    note = f"few clusters ({g} regions < {few_clusters}): wild cluster bootstrap used" if boot else ""
    return RatchetResult(question="Are plans ratcheted on last year's completion?", ok=True, why=note, n=n,
                         n_clusters=g, estimates=estimates[ESTIMATE_COLUMNS], data=data, method=method,
                         dropped=dropped, caveats=caveat, bootstrap=boot)
