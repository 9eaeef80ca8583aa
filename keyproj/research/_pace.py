"""Pace: in-year completion rates against the share of the year elapsed (序时进度)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from keyproj.research._bunching import BunchingResult, bunching_result
from keyproj.research._common import (
    ESTIMATE_COLUMNS,
    Result,
    cite_columns,
    cluster_ols,
    comparable,
    concentration,
    months,
    nan_rows,
    num,
    ordered_levels,
    rate,
    require,
    text,
    thin,
)

PACE_TERMS = ["intercept", "slope"]
FIT_COLUMNS = ["group", "elapsed_pct", "fit", "ci_low", "ci_high"]


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class PaceResult(Result):
    """A :class:`Result` for :func:`pace`, plus the fitted lines and the margin's bunching.

    ``fit``: group ('pooled' or a level), elapsed_pct (%), fit, ci_low, ci_high (% completed;
    95 % pointwise band of the mean), over each group's observed range of elapsed_pct.
    ``margin``: bunching of the margin over schedule at 0 pp (:class:`BunchingResult`).
    """

    fit: pd.DataFrame = field(default_factory=pd.DataFrame)
    margin: BunchingResult | None = None
    include_full_year: bool = False


def pace_sample(panel: pd.DataFrame, *, include_full_year: bool, comparable_only: bool,
                subsets: Sequence[str] | None) -> tuple[pd.DataFrame, dict[str, int]]:
    """In-year rows with a rate and the elapsed share: the observations of :func:`pace`.

    Columns: cite columns, level, rate (%), rate_reported, elapsed_pct (%), margin (pp,
    ahead_of_schedule as reported, else rate - elapsed_pct), margin_reported.
    """
    frame, dropped = comparable(panel, comparable_only)
    when = months(frame)
    last = 12 if include_full_year else 11
    keep = ((when["start"] == 1) & (when["end"] <= last) & when["one_year"]).to_numpy()
    dropped["not an in-year period from January"] = int((~keep).sum())
    if subsets is not None:
        in_subset = text(frame, "subset").isin(list(subsets)).to_numpy()
        dropped["other subset"] = int((keep & ~in_subset).sum())
        keep = keep & in_subset
    value, reported = rate(frame)
    elapsed = num(frame, "elapsed_pct")
    elapsed = np.where(np.isnan(elapsed), when["end"].to_numpy(dtype=float) / 12 * 100, elapsed)
    dropped["no completion rate"] = int((keep & np.isnan(value)).sum())
    keep = keep & ~np.isnan(value) & ~np.isnan(elapsed)
    ahead = num(frame, "ahead_of_schedule")
    margin = np.where(np.isnan(ahead), value - elapsed, ahead)
    data = cite_columns(frame.loc[keep]).reset_index(drop=True)
    data.insert(2, "level", data["scope"])
    data["rate"], data["rate_reported"], data["elapsed_pct"] = value[keep], reported[keep], elapsed[keep]
    data["margin"], data["margin_reported"] = margin[keep], ~np.isnan(ahead[keep])
    return data, dropped


def _line(data: pd.DataFrame, group: str, *, min_obs: int, min_clusters: int, few_clusters: int,
          n_boot: int, rng: np.random.Generator, grid_points: int) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """Intercept and slope of rate on elapsed_pct for one group, its fitted band, and why not."""
    n, g = len(data), data["region"].nunique()
    why = thin(n, g, min_obs, min_clusters, "in-year observations")
    if not why and data["elapsed_pct"].nunique() < 2:
        why = "elapsed_pct takes a single value"
    if why:
        return nan_rows(group, PACE_TERMS, n, g, why), pd.DataFrame(columns=FIT_COLUMNS), f"{group}: {why}"
    x = data["elapsed_pct"].to_numpy(dtype=float)
    X = np.column_stack([np.ones(n), x])
    grid = np.linspace(x.min(), x.max(), grid_points)
    contrasts = np.vstack([np.eye(2), np.column_stack([np.ones(grid_points), grid])])
    table, how = cluster_ols(X, data["rate"].to_numpy(dtype=float), data["region"].to_numpy(dtype=object),
                             contrasts, restricted=[0, 1], few_clusters=few_clusters, n_boot=n_boot, rng=rng)
    est = table.iloc[:2].assign(group=group, term=PACE_TERMS, n=n, n_clusters=g, inference=how)
    band = table.iloc[2:].reset_index(drop=True)
    fit = pd.DataFrame({"group": group, "elapsed_pct": grid, "fit": band["estimate"],
                        "ci_low": band["ci_low"], "ci_high": band["ci_high"]})
    return est[ESTIMATE_COLUMNS], fit, ""


def pace(panel: pd.DataFrame, *, levels: Sequence[str] | None = None, include_full_year: bool = False,
         subsets: Sequence[str] | None = None, min_obs: int = 20, min_clusters: int = 5,
         few_clusters: int = 30, n_boot: int = 999, random_state: int | None = 0, grid_points: int = 25,
         margin_min_obs: int = 50, bin_width: float = 1.0, span: float = 20.0,
         window: tuple[float, float] = (-2.0, 2.0), degree: int = 4,
         bootstrap: Literal["regions", "observations"] = "regions",
         parent_of: Mapping[str, str] | None = None, comparable_only: bool = True) -> PaceResult:
    """Do in-year completion rates (%) keep pace with the share of the year elapsed (%)?

    Observations: rows whose period starts in January and ends in month 1-11 of the same year
    (``include_full_year=True`` adds January-December rows; off by default because year-end
    rates answer a different target, 100 %, studied by :func:`full_year_bunching`). Rate:
    completion_rate as reported, else completion_rate_calc (%). Estimates: OLS of rate on
    elapsed_pct, pooled and for each level (``levels``; None: every scope present; combined
    scopes such as 'province+city' are their own level); terms intercept (%) and slope (% per
    % elapsed: 1 = on schedule). Errors clustered by region (CR1, t(G-1)); with fewer than
    ``few_clusters`` regions a wild cluster bootstrap. ``fit`` holds each line and its band.

    ``margin`` tests bunching of the margin over schedule (pp; ahead_of_schedule as reported,
    else rate - elapsed) just above 0: see :func:`keyproj.research.bunching_test`
    (``margin_min_obs``, ``bin_width``, ``span``, ``window``, ``degree``, ``bootstrap``).
    """
    require(panel, ["region", "scope", "period_start", "period_end", "completion_rate"], "pace")
    data, dropped = pace_sample(panel, include_full_year=include_full_year, comparable_only=comparable_only,
                                subsets=subsets)
    rng = np.random.default_rng(random_state)
    groups = ["pooled"] + ordered_levels(data["level"] if levels is None else levels)
    pieces, fits, notes = [], [], []
    for group in groups:
        part = data if group == "pooled" else data[data["level"] == group]
        est, fit, why = _line(part, group, min_obs=min_obs, min_clusters=min_clusters,
                              few_clusters=few_clusters, n_boot=n_boot, rng=rng, grid_points=grid_points)
        pieces.append(est)
        fits.append(fit)
        notes += [why] if why else []
    estimates = pd.concat(pieces, ignore_index=True)
    ok = bool(np.isfinite(estimates["estimate"].iloc[0]))
    margin = bunching_result("Margins over schedule bunched just above 0 pp?", data["margin"].to_numpy(float),
                             data, {}, threshold=0.0, what_below="behind schedule (negative margins)",
                             min_obs=margin_min_obs, parent_of=parent_of, bin_width=bin_width, span=span,
                             window=window, degree=degree, n_boot=n_boot, bootstrap=bootstrap,
                             random_state=random_state)
    caveats = [concentration(list(data.loc[data["margin"] < 0, "region"]), len(data),
                             "behind schedule (negative margins)", parent_of)]
    if len(data) and (~data["rate_reported"]).any():
        caveats.append(f"{int((~data['rate_reported']).sum())} of {len(data)} rates are calculated "
                       "(completed / annual plan), not reported.")
    caveats.append("Elapsed share is calendar time: investment is back-loaded in the year, so a slope "
                   "above 1 with a negative intercept is expected without any misreporting.")
    return PaceResult(question="Do in-year completion rates keep pace with the elapsed share of the year?",
                      ok=ok, why="; ".join(notes), n=len(data), n_clusters=int(data["region"].nunique()),
                      estimates=estimates, data=data, method="OLS of completion rate (%) on elapsed share (%)",
                      dropped=dropped, caveats=caveats, fit=pd.concat(fits, ignore_index=True),
                      margin=margin, include_full_year=include_full_year)
