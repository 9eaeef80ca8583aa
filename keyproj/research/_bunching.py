"""Bunching at a threshold: a density discontinuity test and an excess-mass estimate.

Used for the margin over the time schedule at 0 pp (keyproj.research.pace) and for full-year
completion rates at 100 % (:func:`full_year_bunching`).
"""
from __future__ import annotations

import contextlib
import io
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from keyproj.research._common import (
    ESTIMATE_COLUMNS,
    Result,
    cite_columns,
    comparable,
    concentration,
    months,
    nan_rows,
    rate,
    require,
    text,
)

BUNCHING_TERMS = ["density_jump", "excess_above", "excess_ratio", "missing_below"]
"""Terms of a bunching result: see :func:`bunching_test`."""


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class BunchingResult(Result):
    """A :class:`Result` plus what a bunching plot needs.

    ``histogram``: bin_left, bin_right, mid (in the running variable's unit), count,
    counterfactual (the polynomial fit), in_window (bins excluded from the fit).
    ``density_test``: the rddensity output (t, p_value, bandwidths h_left/h_right, effective
    N on each side, error text if it failed).
    """

    threshold: float = 0.0
    histogram: pd.DataFrame = field(default_factory=pd.DataFrame)
    density_test: dict[str, float | str] = field(default_factory=dict)


def density_test(values: np.ndarray, threshold: float) -> dict[str, float | str]:
    """Cattaneo-Jansson-Ma (rddensity) test of a density jump at ``threshold``.

    ``jump`` = estimated density just above minus just below (bias-corrected, per unit of the
    running variable), ``std_error`` jackknife, ``p_value`` robust bias-corrected two-sided.
    """
    # Imported here: rddensity takes about a second to import and only this test needs it.
    import rddensity

    out: dict[str, float | str] = {"jump": np.nan, "std_error": np.nan, "t": np.nan, "p_value": np.nan,
                                   "h_left": np.nan, "h_right": np.nan, "n_left": np.nan, "n_right": np.nan,
                                   "error": ""}
    try:
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = rddensity.rddensity(X=np.asarray(values, dtype=float), c=threshold, bino_flag=False)
        out.update(jump=float(fit.hat["diff"]), std_error=float(fit.sd_jk["diff"]), t=float(fit.test["t_jk"]),
                   p_value=float(fit.test["p_jk"]), h_left=float(fit.h["left"]), h_right=float(fit.h["right"]),
                   n_left=float(fit.n["eff_left"]), n_right=float(fit.n["eff_right"]))
    except Exception as exc:  # noqa: BLE001 - rddensity fails in many ways on awkward data: report, never raise
        out["error"] = f"{type(exc).__name__}: {exc}"
    if not out["error"] and np.isnan(float(out["p_value"])):
        out["error"] = "rddensity returned no test (too few observations near the threshold)"
    return out


def _excess_weights(mid: np.ndarray, in_window: np.ndarray, above: np.ndarray, degree: int,
                    span: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Linear maps from bin counts to the counterfactual, excess above and missing mass below."""
    design = np.vander(mid / span, degree + 1, increasing=True)
    fit_map = design @ np.linalg.pinv(design[~in_window])  # bins x bins-outside-window
    to_cf = np.zeros((len(mid), len(mid)))
    to_cf[:, ~in_window] = fit_map
    resid = np.eye(len(mid)) - to_cf  # count - counterfactual, per bin
    return to_cf, resid[in_window & above].sum(axis=0), resid[in_window & ~above].sum(axis=0)


def bunching_test(values: np.ndarray, clusters: np.ndarray, *, threshold: float, bin_width: float,
                  span: float, window: tuple[float, float], degree: int, n_boot: int,
                  bootstrap: Literal["regions", "observations"],
                  rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, float | str]]:
    """Density test and excess mass of ``values`` at ``threshold`` (estimates, histogram, test).

    Histogram: bins of ``bin_width`` over threshold +- ``span``, closed on the left, so a value
    exactly at the threshold (plan exactly met) counts above. A polynomial of ``degree`` in the
    bin mid-point is fitted to the counts outside ``window`` (offsets from the threshold, e.g.
    (-2, 2)); it is the counterfactual (Chetty et al. 2011, without their integration
    constraint). ``excess_above`` = sum(count - counterfactual) over window bins above the
    threshold (observations); ``excess_ratio`` = that over the counterfactual count there;
    ``missing_below`` = the same sum below (negative when mass is missing). CIs: percentile
    bootstrap resampling regions (clusters) or observations, ``n_boot`` draws.
    """
    k = round(span / bin_width)
    left = threshold + np.arange(-k, k) * bin_width
    offset = left - threshold
    in_window = (offset >= window[0] - 1e-9) & (offset + bin_width <= window[1] + 1e-9)
    above = offset >= -1e-9
    index = np.floor((values - threshold) / bin_width + 1e-9).astype(int) + k
    inside = (index >= 0) & (index < 2 * k)
    to_cf, w_above, w_below = _excess_weights(offset + bin_width / 2, in_window, above, degree, span)
    codes, uniques = pd.factorize(clusters)
    by_cluster = np.zeros((len(uniques), 2 * k))
    np.add.at(by_cluster, (codes[inside], index[inside]), 1.0)
    counts = by_cluster.sum(axis=0)
    if bootstrap == "regions":
        picks = rng.integers(0, len(uniques), size=(n_boot, len(uniques)))
        weights = np.stack([np.bincount(row, minlength=len(uniques)) for row in picks])
        draws = weights @ by_cluster
    else:
        probs = np.append(counts, len(values) - counts.sum()) / len(values)
        draws = rng.multinomial(len(values), probs, size=n_boot)[:, :-1].astype(float)
    cf_above = (to_cf[in_window & above]).sum(axis=0)

    def stats(c: np.ndarray) -> np.ndarray:  # rows: draws; columns: excess_above, ratio, missing_below
        ex, base = c @ w_above, c @ cf_above
        return np.column_stack([ex, np.where(base > 0, ex / np.where(base > 0, base, 1), np.nan), c @ w_below])

    point, boot = stats(counts[None, :])[0], stats(draws)
    test = density_test(values, threshold)
    rows = [{"term": "density_jump", "estimate": test["jump"], "std_error": test["std_error"],
             "ci_low": float(test["jump"]) - 1.96 * float(test["std_error"]),
             "ci_high": float(test["jump"]) + 1.96 * float(test["std_error"]), "p_value": test["p_value"],
             "inference": "rddensity (Cattaneo-Jansson-Ma), jackknife SE, robust bias-corrected p"}]
    for j, term in enumerate(BUNCHING_TERMS[1:]):
        b = boot[:, j][~np.isnan(boot[:, j])]
        p = 2 * min(np.mean(b <= 0), np.mean(b >= 0)) if len(b) else np.nan
        rows.append({"term": term, "estimate": point[j], "std_error": np.std(b, ddof=1) if len(b) > 1 else np.nan,
                     "ci_low": np.quantile(b, 0.025) if len(b) else np.nan,
                     "ci_high": np.quantile(b, 0.975) if len(b) else np.nan, "p_value": min(p, 1.0),
                     "inference": f"percentile bootstrap resampling {bootstrap}, {n_boot} draws"})
    hist = pd.DataFrame({"bin_left": left, "bin_right": left + bin_width, "mid": left + bin_width / 2,
                         "count": counts, "counterfactual": to_cf @ counts, "in_window": in_window})
    return pd.DataFrame(rows), hist, test


def bunching_result(question: str, values: np.ndarray, data: pd.DataFrame, dropped: dict[str, int], *,
                    threshold: float, what_below: str, min_obs: int, parent_of: Mapping[str, str] | None,
                    bin_width: float, span: float, window: tuple[float, float], degree: int, n_boot: int,
                    bootstrap: Literal["regions", "observations"], random_state: int | None) -> BunchingResult:
    """Run :func:`bunching_test` on ``values`` (one per row of ``data``) and wrap the result."""
    regions = data["region"].to_numpy(dtype=object)
    n, g = len(values), len(pd.unique(regions))
    method = (f"bunching at {threshold:g}: rddensity test; excess mass over a degree-{degree} polynomial "
              f"fitted to {bin_width:g}-wide bins within +-{span:g} outside window {window}")
    below = regions[values < threshold]
    caveats = [concentration(list(below), n, what_below, parent_of)]
    n_inside = int((np.abs(values - threshold) < span).sum())
    if n < min_obs or n_inside < min_obs:
        why = f"{n} observations ({n_inside} within +-{span:g} of {threshold:g}) < min_obs={min_obs}"
        return BunchingResult(question=question, ok=False, why=why, n=n, n_clusters=g, method=method,
                              estimates=_finish(nan_rows("pooled", BUNCHING_TERMS, n, g, why), n, g),
                              data=data, dropped=dropped, caveats=caveats, threshold=threshold)
    table, hist, test = bunching_test(values, regions, threshold=threshold, bin_width=bin_width, span=span,
                                      window=window, degree=degree, n_boot=n_boot, bootstrap=bootstrap,
                                      rng=np.random.default_rng(random_state))
    whole = np.mean(np.isclose(values, np.round(values)))
    if whole > 0.3:
        caveats.append(f"{whole:.0%} of values are whole numbers: heaping at round numbers, not only at "
                       f"{threshold:g}, shapes the histogram.")
    why = f"density test: {test['error']}" if test["error"] else ""
    table.insert(0, "group", "pooled")
    return BunchingResult(question=question, ok=True, why=why, n=n, n_clusters=g, method=method,
                          estimates=_finish(table, n, g), data=data, dropped=dropped, caveats=caveats,
                          threshold=threshold, histogram=hist, density_test=test)


def _finish(table: pd.DataFrame, n: int, g: int) -> pd.DataFrame:
    table = table.copy()
    table["n"], table["n_clusters"] = n, g
    return table[ESTIMATE_COLUMNS].reset_index(drop=True)


def full_year_bunching(panel: pd.DataFrame, *, threshold: float = 100.0, bin_width: float = 1.0,
                       span: float = 30.0, window: tuple[float, float] = (-2.0, 2.0), degree: int = 4,
                       n_boot: int = 999, bootstrap: Literal["regions", "observations"] = "regions",
                       random_state: int | None = 0, min_obs: int = 50,
                       subsets: Sequence[str] | None = None, parent_of: Mapping[str, str] | None = None,
                       comparable_only: bool = True) -> BunchingResult:
    """Do full-year completion rates (%) bunch just at or above 100 % (the plan met)?

    Rows: periods January-December of one year; rate = completion_rate (reported), else
    completion_rate_calc, in %. ``threshold`` in %, ``bin_width``, ``span`` and ``window`` in
    percentage points. ``subsets``: which list subsets to use (None: all). ``parent_of``
    (region -> province) only sharpens the caveat on where below-plan years come from.
    Estimates: see :func:`bunching_test`.
    """
    require(panel, ["region", "scope", "period_start", "period_end", "completion_rate"], "full_year_bunching")
    frame, dropped = comparable(panel, comparable_only)
    when = months(frame)
    value, reported = rate(frame)
    keep = (when["start"] == 1).to_numpy() & (when["end"] == 12).to_numpy() & when["one_year"].to_numpy()
    dropped["not a full-year period"] = int((~keep).sum())
    if subsets is not None:
        in_subset = text(frame, "subset").isin(list(subsets)).to_numpy()
        dropped["other subset"] = int((keep & ~in_subset).sum())
        keep = keep & in_subset
    dropped["no completion rate"] = int((keep & np.isnan(value)).sum())
    keep = keep & ~np.isnan(value)
    data = cite_columns(frame.loc[keep]).reset_index(drop=True)
    data["rate"], data["rate_reported"] = value[keep], reported[keep]
    return bunching_result("Full-year completion rates bunched at 100 %?", value[keep], data, dropped,
                           threshold=threshold, what_below="below-plan full years (rate < threshold)",
                           min_obs=min_obs, parent_of=parent_of, bin_width=bin_width, span=span,
                           window=window, degree=degree, n_boot=n_boot, bootstrap=bootstrap,
                           random_state=random_state)
