"""Planned-vs-actual metrics of key projects (重点项目): small pure, vectorized functions.

Units throughout:

- amounts (plan, completed investment, gaps) in 亿元;
- rates in % (100.0 means 100 %: the plan was met);
- differences of two rates in percentage points (pp).

Every function accepts Python numbers, numpy arrays, pandas Series or DataFrames (and mixes of
them, aligned the pandas way). A scalar input gives a Python ``float``; a Series gives a float
Series with the same index. Missing values (None, NaN, pd.NA) propagate as NaN and never raise;
a division by zero gives NaN, never ``inf``.

Periods are ``'YYYY-MM'`` strings (the fact table's ``period_start`` / ``period_end``); the year
may be the placeholder ``0000`` when a document does not state it.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Iterable, Literal, TypeAlias

import numpy as np
import pandas as pd

from keyproj.errors import KeyprojError

__all__ = [
    "Bunching",
    "MetricsInputError",
    "ahead_of_schedule",
    "bunching",
    "cagr",
    "completion_rate",
    "elapsed_share",
    "implied_annual_plan",
    "months_covered",
    "plan_gap",
    "plan_gap_pct",
    "plan_ratchet",
    "plan_ratchet_series",
    "yoy_growth",
    "yoy_growth_series",
]

Numeric: TypeAlias = "float | int | None | np.ndarray | pd.Series | pd.DataFrame"
Periods: TypeAlias = "str | None | pd.Series | np.ndarray | list[str | None]"
YearIndexed: TypeAlias = "pd.Series | pd.DataFrame"

_PERIOD = re.compile(r"^\s*(\d{4})-(\d{2})\s*$")


class MetricsInputError(KeyprojError, ValueError):
    """A malformed argument (not a missing value): a bad period string or parameter."""


# ---------------------------------------------------------------- numeric plumbing


def _as_float(value: object) -> float | np.ndarray | pd.Series | pd.DataFrame:
    """Float view of an input: pandas objects stay pandas (float64), missing scalars become NaN."""
    if isinstance(value, (pd.Series, pd.DataFrame)):
        dtypes = [value.dtype] if isinstance(value, pd.Series) else list(value.dtypes)
        if all(dtype != object for dtype in dtypes):
            return value.astype(float)
        return value.map(_as_float).astype(float)  # object columns may hold None or pd.NA
    if isinstance(value, np.ndarray) and value.dtype.kind in "fiub":
        return value.astype(float)
    if isinstance(value, (np.ndarray, list, tuple)):
        return np.array([_as_float(item) for item in np.asarray(value, dtype=object).ravel()],
                        dtype=float).reshape(np.shape(value))
    if value is None or pd.isna(value):  # type: ignore[arg-type]
        return math.nan
    return float(value)  # type: ignore[arg-type]


def _nan_where_zero(denominator: float | np.ndarray | pd.Series | pd.DataFrame) -> object:
    """The denominator with zeros replaced by NaN, so that x / 0 is NaN instead of inf."""
    if isinstance(denominator, (pd.Series, pd.DataFrame)):
        return denominator.where(denominator != 0)
    if isinstance(denominator, np.ndarray):
        return np.where(denominator == 0, np.nan, denominator)
    return math.nan if denominator == 0 else denominator


def _finish(result: object) -> object:
    """Scalars come back as Python floats; arrays and pandas objects as they are."""
    if isinstance(result, (pd.Series, pd.DataFrame, np.ndarray)):
        return result
    return float(result)  # type: ignore[arg-type]


def _ratio(numerator: Numeric, denominator: Numeric) -> object:
    num, den = _as_float(numerator), _as_float(denominator)
    with np.errstate(divide="ignore", invalid="ignore"):
        return num / _nan_where_zero(den)  # type: ignore[operator]


# ---------------------------------------------------------------- plan against completion


def completion_rate(completed: Numeric, plan: Numeric) -> Numeric:
    """Completion rate in %: ``completed / plan * 100``.

    ``completed`` and ``plan`` in 亿元 (any common unit works). 100.0 means the plan was met
    exactly; a plan of 0 gives NaN.
    """
    return _finish(_ratio(completed, plan) * 100.0)  # type: ignore[operator]


def ahead_of_schedule(rate: Numeric, elapsed: Numeric) -> Numeric:
    """Lead over the time schedule (超序时进度) in percentage points: ``rate - elapsed``.

    ``rate`` is a completion rate in %, ``elapsed`` the share of the year elapsed in %
    (see :func:`elapsed_share`). Positive = ahead of schedule, negative = behind.
    """
    return _finish(_as_float(rate) - _as_float(elapsed))  # type: ignore[operator]


def implied_annual_plan(completed: Numeric, rate: Numeric) -> Numeric:
    """Annual plan in 亿元 implied by a completed amount and its completion rate.

    ``completed / (rate / 100)``: ``completed`` in 亿元, ``rate`` in %. A rate of 0 gives NaN.
    """
    return _finish(_ratio(completed, _as_float(rate) / 100.0))  # type: ignore[operator]


def plan_gap(plan: Numeric, actual: Numeric) -> Numeric:
    """Gap between actual and plan in 亿元: ``actual - plan``.

    Positive = more done than planned, negative = shortfall.
    """
    return _finish(_as_float(actual) - _as_float(plan))  # type: ignore[operator]


def plan_gap_pct(plan: Numeric, actual: Numeric) -> Numeric:
    """Gap between actual and plan in % of the plan: ``(actual - plan) / plan * 100``.

    Equals ``completion_rate(actual, plan) - 100``. Positive = more done than planned;
    a plan of 0 gives NaN.
    """
    gap = _as_float(actual) - _as_float(plan)  # type: ignore[operator]
    return _finish(_ratio(gap, plan) * 100.0)  # type: ignore[operator]


# ---------------------------------------------------------------- periods


def _month_index(period: object, errors: str) -> float:
    """Months since year 0 of a 'YYYY-MM' string (year * 12 + month - 1); NaN when missing."""
    if period is None or (not isinstance(period, str) and pd.isna(period)):  # type: ignore[arg-type]
        return math.nan
    match = _PERIOD.match(period) if isinstance(period, str) else None
    if match is None or not 1 <= int(match.group(2)) <= 12:
        if errors == "coerce":
            return math.nan
        raise MetricsInputError(f"period {period!r}: expected 'YYYY-MM' with a month from 01 to 12")
    return int(match.group(1)) * 12 + int(match.group(2)) - 1


def _month_indexes(periods: Periods, errors: str) -> float | np.ndarray | pd.Series:
    if isinstance(periods, pd.Series):
        return periods.map(lambda p: _month_index(p, errors)).astype(float)
    if isinstance(periods, (np.ndarray, list, tuple)):
        return np.array([_month_index(p, errors) for p in periods], dtype=float)
    return _month_index(periods, errors)


def _check_errors_arg(errors: str) -> None:
    if errors not in ("raise", "coerce"):
        raise MetricsInputError(f"errors={errors!r}: use 'raise' or 'coerce'")


def _start_end(period_start: Periods, period_end: Periods, errors: str) -> tuple[object, object]:
    """Month indexes of start and end; a period ending before it starts is malformed."""
    _check_errors_arg(errors)
    start, end = _month_indexes(period_start, errors), _month_indexes(period_end, errors)
    with np.errstate(invalid="ignore"):
        reversed_ = end < start  # type: ignore[operator]
    if np.any(reversed_):
        if errors == "raise":
            raise MetricsInputError(
                f"period {_first(period_start, reversed_)!r}..{_first(period_end, reversed_)!r} "
                "ends before it starts; swap period_start and period_end"
            )
        start = _blank(start, reversed_)
    return start, end


def _first(periods: Periods, mask: object) -> object:
    """The first period where ``mask`` holds (for error messages)."""
    if isinstance(periods, pd.Series):
        return periods[np.asarray(mask)].iloc[0]
    if isinstance(periods, (np.ndarray, list, tuple)):
        return np.asarray(periods, dtype=object)[np.asarray(mask)][0]
    return periods


def _blank(values: object, mask: object) -> object:
    """``values`` with NaN where ``mask`` holds, broadcast to the mask's shape."""
    if isinstance(mask, pd.Series):
        series = values if isinstance(values, pd.Series) else pd.Series(values, index=mask.index, dtype=float)
        return series.mask(mask)
    if isinstance(mask, np.ndarray):
        return np.where(mask, np.nan, values)  # type: ignore[arg-type]
    return math.nan if mask else values


def months_covered(
    period_start: Periods, period_end: Periods, *, errors: Literal["raise", "coerce"] = "raise"
) -> Numeric:
    """Number of calendar months in a period, both ends included.

    ``"2024-01".."2024-09"`` -> 9; ``"2024-05".."2024-05"`` -> 1; ``"2016-01".."2020-12"`` -> 60.
    Periods are 'YYYY-MM' strings or Series/arrays of them. A scalar result is an ``int``
    (NaN when a bound is missing); a Series result is float64 holding whole numbers, NaN where
    a bound is missing.

    A malformed period string, or a period ending before it starts, raises
    :class:`MetricsInputError` (a ``ValueError``); with ``errors="coerce"`` it gives NaN instead.
    """
    start, end = _start_end(period_start, period_end, errors)
    months = end - start + 1  # type: ignore[operator]
    if isinstance(months, (pd.Series, np.ndarray)):
        return months
    return math.nan if math.isnan(months) else int(months)


def elapsed_share(
    period_start: Periods,
    period_end: Periods,
    *,
    basis: Literal["cumulative", "period"] = "cumulative",
    errors: Literal["raise", "coerce"] = "raise",
) -> Numeric:
    """Share of the year elapsed by the end of the period (序时进度), in %.

    ``basis="cumulative"`` (default): the months from January to the period's end month,
    ``end_month / 12 * 100``. For periods starting in January this is the usual 序时进度:
    1-9月 -> 75.0, 上半年 (1-6月) -> 50.0, 全年 -> 100.0. A period starting later in the year
    is still counted from January, so a single month ``"2024-05".."2024-05"`` gives 41.67:
    this is the benchmark for a *cumulative* completion rate reported at the end of May.

    ``basis="period"``: only the months the period covers, ``months_covered / 12 * 100``
    (identical to ``"cumulative"`` for periods starting in January). This is the benchmark for a
    rate over that period alone, as in a monthly report: 福建省 March 2020 completed 8.6 % of
    its annual plan "0.3 个百分点 ahead", i.e. against 1/12 = 8.33 %.

    A period spanning more than one calendar year has no 序时进度 and gives NaN. Malformed
    periods behave as in :func:`months_covered` (``errors``).
    """
    if basis not in ("cumulative", "period"):
        raise MetricsInputError(f"basis={basis!r}: use 'cumulative' or 'period'")
    start, end = _start_end(period_start, period_end, errors)
    start_year, end_year = start // 12, end // 12  # type: ignore[operator]
    if basis == "cumulative":
        months = end % 12 + 1  # type: ignore[operator]
    else:
        months = end - start + 1  # type: ignore[operator]
    share = months / 12.0 * 100.0
    return _finish(_blank(share, start_year != end_year))


# ---------------------------------------------------------------- growth across years


def yoy_growth(current: Numeric, previous: Numeric) -> Numeric:
    """Year-on-year growth in %: ``(current / previous - 1) * 100``.

    Amounts in 亿元 (any common unit). A previous value of 0 gives NaN. Meant for non-negative
    amounts; the sign is meaningless when ``previous`` is negative.
    """
    return _finish((_ratio(current, previous) - 1.0) * 100.0)  # type: ignore[operator]


def cagr(first: Numeric, last: Numeric, years: Numeric) -> Numeric:
    """Compound annual growth rate in % per year: ``((last / first) ** (1 / years) - 1) * 100``.

    ``years`` is the number of yearly steps between the two values (2016 -> 2020 is 4).
    NaN when ``years <= 0``, ``first <= 0`` or ``last < 0`` (no real compound rate);
    ``last == 0`` gives -100.0.
    """
    first_f, last_f, years_f = _as_float(first), _as_float(last), _as_float(years)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        valid = (first_f > 0) & (last_f >= 0) & (years_f > 0)  # type: ignore[operator]
        growth = (_ratio(last_f, first_f) ** (1.0 / _nan_where_zero(years_f)) - 1.0) * 100.0  # type: ignore[operator]
    return _finish(_keep_where(growth, valid))


def _keep_where(values: object, valid: object) -> object:
    """``values`` with NaN wherever ``valid`` is False (same shapes, as produced by the operators)."""
    if isinstance(values, (pd.Series, pd.DataFrame)):
        return values.where(valid)  # type: ignore[arg-type]
    if isinstance(values, np.ndarray):
        return np.where(valid, values, np.nan)  # type: ignore[arg-type]
    return values if valid else math.nan


def plan_ratchet(plan: Numeric, previous_actual: Numeric) -> Numeric:
    """This year's plan against last year's actual completion, in %.

    ``(plan / previous_actual - 1) * 100``, both in 亿元: +10.0 means the plan asks 10 % more
    than was done last year (棘轮: plans ratcheted up from past performance); a previous
    actual of 0 gives NaN.
    """
    return yoy_growth(plan, previous_actual)


def _years(index: pd.Index, what: str) -> np.ndarray:
    """Integer years of a year index (ints, year strings, periods or timestamps); unique."""
    if isinstance(index, (pd.PeriodIndex, pd.DatetimeIndex)):
        years = np.asarray(index.year)
    else:
        try:
            years = np.asarray(pd.Index(index).astype(float))
        except (TypeError, ValueError) as exc:
            raise MetricsInputError(f"{what}: index must hold years such as 2024 ({exc})") from None
        if np.isnan(years).any() or (years != np.round(years)).any():
            raise MetricsInputError(f"{what}: index must hold whole years such as 2024, no gaps")
        years = years.astype(int)
    if len(set(years.tolist())) != len(years):
        raise MetricsInputError(f"{what}: each year may appear only once in the index")
    return years


def _previous_year(values: YearIndexed, years: np.ndarray, source: YearIndexed, what: str) -> YearIndexed:
    """``source``'s value for year y-1, laid out like ``values`` (same index and columns)."""
    by_year = source.set_axis(_years(source.index, what), axis=0)
    previous = by_year.reindex(years - 1)
    if isinstance(values, pd.DataFrame):
        previous = previous.reindex(columns=values.columns)
    return previous.set_axis(values.index, axis=0)


def yoy_growth_series(series: YearIndexed) -> YearIndexed:
    """Year-on-year growth in % along a year-indexed Series (or each column of a DataFrame).

    Growth for year y is computed only against year y-1: when y-1 is absent (a gap in the
    years) the result is NaN, never growth over the gap. The index need not be sorted; the
    result keeps the input's index (and columns). Index values are years (ints, year strings,
    or a Period/Datetime index); a duplicate year raises :class:`MetricsInputError`.
    """
    years = _years(series.index, "yoy_growth_series")
    return yoy_growth(series, _previous_year(series, years, series, "yoy_growth_series"))


def plan_ratchet_series(plans: YearIndexed, actuals: YearIndexed) -> YearIndexed:
    """Plan ratchet in % for each year: the plan of year y against the actual of year y-1.

    ``plans`` and ``actuals`` are year-indexed Series (or DataFrames with matching columns,
    e.g. one column per region), amounts in 亿元. The result is laid out like ``plans``; it is
    NaN where the previous year's actual is absent or zero. See :func:`plan_ratchet`.
    """
    if isinstance(plans, pd.DataFrame) != isinstance(actuals, pd.DataFrame):
        raise MetricsInputError("plan_ratchet_series: plans and actuals must both be Series or both DataFrames")
    years = _years(plans.index, "plan_ratchet_series plans")
    return plan_ratchet(plans, _previous_year(plans, years, actuals, "plan_ratchet_series actuals"))


# ---------------------------------------------------------------- bunching at 100 %


@dataclass(frozen=True, slots=True)
class Bunching:
    """Counts of full-year completion rates just above and just below 100 %.

    ``just_above``: rates in [100, 100 + window); ``just_below``: rates in [100 - window, 100);
    ``ratio`` = just_above / just_below (inf when only above, NaN when neither);
    ``n``: number of non-missing rates examined.
    """

    just_above: int
    just_below: int
    ratio: float
    n: int


def bunching(rates: Iterable[float | None] | pd.Series | np.ndarray, window: float = 5.0) -> Bunching:
    """Bunching of full-year completion rates (%) at the 100 % target.

    Counts rates in ``[100, 100 + window)`` ("just above": 100.0 exactly met the plan, so it
    counts as above) against ``[100 - window, 100)`` ("just below"); ``window`` in percentage
    points. Many more just above than just below hints at figures steered to meet the plan.
    Missing rates are ignored; ``n`` counts the non-missing ones. ``window`` must be > 0.
    """
    if not window > 0:
        raise MetricsInputError(f"window={window!r}: must be a positive number of percentage points")
    values = _as_float(list(rates) if not isinstance(rates, (pd.Series, np.ndarray)) else rates)
    values = np.asarray(values, dtype=float).ravel()
    values = values[~np.isnan(values)]
    above = int(((values >= 100.0) & (values < 100.0 + window)).sum())
    below = int(((values >= 100.0 - window) & (values < 100.0)).sum())
    if below:
        ratio = above / below
    else:
        ratio = math.inf if above else math.nan
    return Bunching(just_above=above, just_below=below, ratio=ratio, n=int(values.size))
