"""Shared pieces of the research functions: the result type, panel selection, clustered OLS.

Units: amounts in 亿元, rates in %, margins and gaps in percentage points (pp), plan growth in
log points (0.01 = about 1 %).
"""
from __future__ import annotations

import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

ESTIMATE_COLUMNS = ["group", "term", "estimate", "std_error", "ci_low", "ci_high", "p_value",
                    "n", "n_clusters", "inference"]
"""Columns of every result's ``estimates`` table."""
LEVEL_ORDER = ["province", "city", "county"]
_LABEL = re.compile(r"^(\d{4})-(\d{2})\.\.(\d{4})-(\d{2})$")


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class Result:
    """What one research function found.

    ``ok`` is False when the panel is too thin for an estimate anyone should read: then the
    estimates are NaN (or the table is empty) and ``why`` says what is missing. ``n`` counts the
    observations used, ``n_clusters`` the regions (or provinces) they come from. ``data`` lists
    them (region, scope, subset, period and the values used) so each can be cited back.
    ``estimates`` has :data:`ESTIMATE_COLUMNS`; ``inference`` says how its errors were computed.
    ``dropped`` counts panel rows left out, by reason (``list_note``: lists known not to be
    comparable, dropped under ``comparable_only``). ``caveats`` are read with the estimates.
    """

    question: str
    ok: bool
    why: str
    n: int
    n_clusters: int
    estimates: pd.DataFrame
    data: pd.DataFrame
    method: str
    dropped: dict[str, int] = field(default_factory=dict)
    caveats: list[str] = field(default_factory=list)

    @property
    def n_dropped_not_comparable(self) -> int:
        """Rows dropped because their list_note marks them as not comparable."""
        return self.dropped.get("list_note", 0)

    def summary(self) -> str:
        """A few lines of plain text: question, status, N, estimates, caveats."""
        status = "ok" if self.ok else f"NOT ESTIMATED: {self.why}"
        lines = [f"{self.question} [{status}] N={self.n}, clusters={self.n_clusters}", self.method]
        if self.ok and self.why:
            lines.append(f"note: {self.why}")
        if len(self.estimates):
            cols = ["group", "term", "estimate", "std_error", "ci_low", "ci_high", "p_value", "n"]
            lines.append(self.estimates[cols].to_string(index=False, float_format=lambda v: f"{v:.4g}"))
        lines += [f"caveat: {text}" for text in self.caveats]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()


def require(panel: pd.DataFrame, columns: Sequence[str], function: str) -> None:
    """Raise ValueError naming the required columns missing from ``panel`` (programmer misuse)."""
    if not isinstance(panel, pd.DataFrame):
        raise ValueError(  # noqa: TRY004 - one exception type for every misuse, as documented
            f"{function}: panel must be a pandas DataFrame, not {type(panel).__name__}")
    missing = [name for name in columns if name not in panel.columns]
    if missing:
        raise ValueError(f"{function}: panel lacks required column(s) {', '.join(missing)}")


def comparable(panel: pd.DataFrame, comparable_only: bool) -> tuple[pd.DataFrame, dict[str, int]]:
    """The panel without rows whose ``list_note`` is non-empty (when asked), and the count dropped."""
    frame = panel.reset_index(drop=True)
    if not comparable_only or "list_note" not in frame.columns:
        return frame, {"list_note": 0}
    noted = frame["list_note"].astype("string").fillna("").str.strip() != ""
    return frame.loc[~noted].reset_index(drop=True), {"list_note": int(noted.sum())}


def num(frame: pd.DataFrame, name: str) -> np.ndarray:
    """Column ``name`` as float with NaN for missing (all NaN when the column is absent)."""
    if name not in frame.columns:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[name], errors="coerce").astype("Float64").to_numpy(dtype=float, na_value=np.nan)


def text(frame: pd.DataFrame, name: str) -> pd.Series:
    """Column ``name`` as plain str ('' for missing or absent)."""
    if name not in frame.columns:
        return pd.Series([""] * len(frame), index=frame.index, dtype=object)
    return frame[name].astype(object).where(frame[name].notna(), "").astype(str)


def months(frame: pd.DataFrame) -> pd.DataFrame:
    """Start month, end month, year of each row (NaN when unknown) and whether it spans one year.

    Months come from period_start / period_end; rows whose year is unknown (NaT) fall back to
    the text label ``period`` ('0000-01..0000-05') when the panel has it.
    """
    out = pd.DataFrame(index=frame.index, columns=["start", "end", "year", "one_year"], dtype=float)
    start, end = frame["period_start"], frame["period_end"]
    known = start.notna() & end.notna()
    out.loc[known, "start"] = start[known].dt.month.astype(float)
    out.loc[known, "end"] = end[known].dt.month.astype(float)
    out.loc[known, "year"] = end[known].dt.year.astype(float)
    out.loc[known, "one_year"] = (start[known].dt.year == end[known].dt.year).astype(float)
    if "period" in frame.columns:
        parts = text(frame, "period").str.extract(_LABEL).astype(float)
        fill = ~known & parts[0].notna()
        out.loc[fill, "start"], out.loc[fill, "end"] = parts.loc[fill, 1], parts.loc[fill, 3]
        out.loc[fill, "one_year"] = (parts.loc[fill, 0] == parts.loc[fill, 2]).astype(float)
    if "year" in frame.columns:
        out["year"] = out["year"].fillna(pd.Series(num(frame, "year"), index=frame.index))
    out["one_year"] = out["one_year"].fillna(0.0).astype(bool)
    return out


def rate(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Completion rate in % (reported, else calculated) and whether it was reported."""
    reported = num(frame, "completion_rate")
    return np.where(np.isnan(reported), num(frame, "completion_rate_calc"), reported), ~np.isnan(reported)


def ordered_levels(levels: Sequence[str]) -> list[str]:
    """Levels in the order province, city, county, then combinations alphabetically."""
    unique = sorted(set(levels))
    return [lvl for lvl in LEVEL_ORDER if lvl in unique] + [lvl for lvl in unique if lvl not in LEVEL_ORDER]


def cite_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """The columns that let a reader find a row again: region, scope, subset, period, sources."""
    cite = pd.DataFrame({"region": text(frame, "region"), "scope": text(frame, "scope"),
                         "subset": text(frame, "subset"), "period_start": frame["period_start"],
                         "period_end": frame["period_end"]})
    for name in ("period", "sources"):
        if name in frame.columns:
            cite[name] = text(frame, name)
    return cite


def empty_estimates() -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype=object if name in ("group", "term", "inference") else float)
                         for name in ESTIMATE_COLUMNS})


def nan_rows(group: str, terms: Sequence[str], n: int, n_clusters: int, why: str) -> pd.DataFrame:
    """Estimate rows holding NaN (the data are too thin), with N and the reason as inference."""
    return pd.DataFrame([{"group": group, "term": term, "estimate": np.nan, "std_error": np.nan,
                          "ci_low": np.nan, "ci_high": np.nan, "p_value": np.nan, "n": n,
                          "n_clusters": n_clusters, "inference": f"not estimated: {why}"}
                         for term in terms], columns=ESTIMATE_COLUMNS)


def thin(n: int, n_clusters: int, min_obs: int, min_clusters: int, what: str, cluster: str = "regions") -> str:
    """Why an estimate is not made ('' when there is enough data)."""
    reasons = []
    if n < min_obs:
        reasons.append(f"{n} {what} < min_obs={min_obs}")
    if n_clusters < min_clusters:
        reasons.append(f"{n_clusters} {cluster} < min_clusters={min_clusters}")
    return "; ".join(reasons)


def concentration(regions: Sequence[str], n_total: int, what: str,
                  parent_of: Mapping[str, str] | None = None, top: int = 3) -> str:
    """A caveat saying how many of the ``what`` (e.g. negative margins) come from the top regions."""
    counts = pd.Series(list(regions), dtype=object).value_counts()
    k = int(counts.sum())
    if k == 0:
        return f"No {what} among {n_total} observations."
    head = counts.head(top)
    named = ", ".join(f"{region} ({count})" for region, count in head.items())
    share = head.sum() / k
    message = (f"{k} of {n_total} observations are {what}; {head.sum()} of them ({share:.0%}) come from "
               f"{len(head)} region(s): {named}")
    if parent_of:
        provinces = pd.Series([parent_of.get(r, r) for r in regions], dtype=object).value_counts()
        message += f"; {provinces.iloc[0]} ({provinces.iloc[0] / k:.0%}) from province {provinces.index[0]}"
    return message + (". Reports of this kind are selected (mostly official bulletins that must print "
                      "them): read this tail as that selection, not as all regions.")


def _rademacher(n_clusters: int, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Cluster weights (G x B): every sign pattern when 2**G <= n_boot, else random draws."""
    if 2 ** n_clusters <= n_boot:
        patterns = (np.arange(2 ** n_clusters)[None, :] >> np.arange(n_clusters)[:, None]) & 1
        return patterns * 2.0 - 1.0
    return rng.choice(np.array([-1.0, 1.0]), size=(n_clusters, n_boot))


def wild_cluster(X: np.ndarray, y: np.ndarray, clusters: np.ndarray, contrasts: np.ndarray, *,
                 restricted: Sequence[int], n_boot: int, rng: np.random.Generator,
                 level: float = 0.95) -> pd.DataFrame:
    """Wild cluster bootstrap (Rademacher weights) for linear contrasts of OLS coefficients.

    CIs: unrestricted bootstrap-t (WCU; residuals of the full fit, symmetric interval
    ``estimate +- q(|t*|) * se``). p-values for H0 contrast = 0: restricted (WCR, the null
    imposed) for the contrasts listed in ``restricted``, unrestricted otherwise. Standard errors
    are CR1 cluster-robust. With 2**G <= n_boot every sign pattern is enumerated.
    """
    n, k = X.shape
    codes, uniques = pd.factorize(clusters)
    g = len(uniques)
    A = np.linalg.pinv(X.T @ X)
    P = A @ X.T
    beta = P @ y
    u = y - X @ beta
    weights = _rademacher(g, n_boot, rng)[codes]  # n x B
    member = np.zeros((g, n))
    member[codes, np.arange(n)] = 1.0
    scale = g / (g - 1) * (n - 1) / max(n - k, 1)
    Z = X @ A @ contrasts.T  # n x m: contrast j's score weights

    def se(z: np.ndarray, U: np.ndarray) -> np.ndarray:
        return np.sqrt(scale * ((member @ (z[:, None] * U)) ** 2).sum(axis=0))

    estimates = contrasts @ beta
    rows = []
    ystar = (X @ beta)[:, None] + u[:, None] * weights
    bstar = P @ ystar
    ustar = ystar - X @ bstar
    for j, c in enumerate(contrasts):
        se0 = float(se(Z[:, j], u[:, None])[0])
        t0 = estimates[j] / se0 if se0 > 0 else np.nan
        tstar = (c @ bstar - estimates[j]) / se(Z[:, j], ustar)
        q = float(np.nanquantile(np.abs(tstar), level))
        p = float(np.mean(np.abs(tstar) >= abs(t0)))
        if j in restricted:
            beta_r = beta - A @ c * (c @ beta) / (c @ A @ c)
            u_r = y - X @ beta_r
            ystar_r = (X @ beta_r)[:, None] + u_r[:, None] * weights
            ustar_r = ystar_r - X @ (P @ ystar_r)
            p = float(np.mean(np.abs((c @ (P @ ystar_r)) / se(Z[:, j], ustar_r)) >= abs(t0)))
        rows.append({"estimate": estimates[j], "std_error": se0, "ci_low": estimates[j] - q * se0,
                     "ci_high": estimates[j] + q * se0, "p_value": p})
    return pd.DataFrame(rows)


def cluster_ols(X: np.ndarray, y: np.ndarray, clusters: np.ndarray, contrasts: np.ndarray,
                restricted: Sequence[int], *, few_clusters: int, n_boot: int,
                rng: np.random.Generator) -> tuple[pd.DataFrame, str]:
    """OLS contrasts with errors clustered by ``clusters``; wild bootstrap when clusters are few.

    Returns a table (estimate, std_error, ci_low, ci_high, p_value per contrast row) and a text
    naming the inference used. With G >= few_clusters: statsmodels CR1 cluster-robust errors,
    t with G-1 degrees of freedom. Otherwise :func:`wild_cluster`.
    """
    g = len(pd.unique(clusters))
    if g < few_clusters:
        table = wild_cluster(X, y, clusters, contrasts, restricted=restricted, n_boot=n_boot, rng=rng)
        draws = min(n_boot, 2 ** g)
        how = (f"wild cluster bootstrap-t, Rademacher weights, {g} clusters < {few_clusters}, {draws} draws"
               f"{' (all sign patterns)' if 2 ** g <= n_boot else ''}: CIs unrestricted (WCU), "
               f"p-values restricted (WCR, null imposed) for the main terms")
        return table, how
    codes = pd.factorize(clusters)[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import statsmodels.api as sm  # 1.5 s to import: only the estimates need it, not `import keyproj.report`

        fit = sm.OLS(y, X).fit(cov_type="cluster", cov_kwds={"groups": codes}, use_t=True)
        test = fit.t_test(contrasts)
    ci = np.asarray(test.conf_int(alpha=0.05))
    table = pd.DataFrame({"estimate": np.ravel(test.effect), "std_error": np.ravel(test.sd),
                          "ci_low": ci[:, 0], "ci_high": ci[:, 1], "p_value": np.ravel(test.pvalue)})
    return table, f"OLS, CR1 cluster-robust errors by {g} clusters, t({g - 1})"


def yearly_plans(frame: pd.DataFrame) -> pd.DataFrame:
    """One annual plan (亿元) and full-year rate (%) per region, scope, subset and known year.

    The plan is the full-year row's annual_plan, else any in-year row's (the panel carries the
    year's plan onto in-year rows, so they agree); period_start / period_end name the row that
    gave the plan. ``rate`` is the January-December completion rate (reported, else
    calculated), NaN when the year has no full-year row.
    """
    when = months(frame)
    value, reported = rate(frame)
    full = ((when["start"] == 1) & (when["end"] == 12) & when["one_year"]).to_numpy()
    base = cite_columns(frame)
    base["year"], base["full_year"], base["plan"] = when["year"].to_numpy(), full, num(frame, "annual_plan")
    base["rate"], base["rate_reported"] = np.where(full, value, np.nan), full & reported
    base = base[base["year"].notna()]
    key = ["region", "scope", "subset", "year"]
    rates = base[base["full_year"] & base["rate"].notna()].drop_duplicates(key)[key + ["rate", "rate_reported"]]
    plans = (base[base["plan"].notna()].sort_values("full_year", ascending=False, kind="stable")
             .drop_duplicates(key).drop(columns=["rate", "rate_reported", "full_year"]))
    out = plans.merge(rates, on=key, how="outer")
    out["year"] = out["year"].astype(int)
    out["rate_reported"] = out["rate_reported"].fillna(False).astype(bool)
    return out.sort_values(key, kind="stable").reset_index(drop=True)
