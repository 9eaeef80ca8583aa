"""Declared schemas of the processed tables (facts.csv, panel.csv), checked on every build and load.

A table is validated in its text form, exactly as it is stored in CSV: every cell a string, an
empty string meaning "missing". :func:`validate` checks the header (names and order), then each
column: required cells present, numbers parse and lie in range, categories among the allowed
values, periods and dates well formed. The first violation raises :class:`KeyprojError` naming
the file, the column and the first bad row (its CSV line number). :func:`typed` then turns a
valid text table into the typed DataFrame the notebooks use.

Deliberately small and dependency-free (no pandera: its import alone would eat the build's 2 s).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from keyproj.errors import KeyprojError
from keyproj.facts import (
    FACT_COLUMNS,
    METRIC_UNITS,
    METRICS,
    QUALIFIERS,
    SCOPE_LEVELS,
    SUBSETS,
)
from keyproj.paths import display_path

if TYPE_CHECKING:
    import pandas as pd

Kind = Literal["str", "category", "float", "int", "period", "date"]

PERIOD_PATTERN = r"\d{4}-(?:0[1-9]|1[0-2])"
"""A month: 'YYYY-MM'; the year '0000' stands for a year the source does not state."""
DATE_PATTERN = r"(?:\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?)?"
"""A publication date, as precise as known: '', 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD'."""

SCOPES: list[str] = [
    "+".join(combo) for size in range(1, len(SCOPE_LEVELS) + 1)
    for combo in combinations(SCOPE_LEVELS, size)
]
"""Allowed scopes: one list level, or several joined by '+' in the order province, city, county
(e.g. 'province+city' for a report on the province and city lists together)."""
SOURCE_KINDS: list[str] = ["document", "reference", "correction"]
UNITS: list[str] = sorted(set(METRIC_UNITS.values()))

FLAGS: dict[str, str] = {
    "conflict": "sources disagree on a figure of the row (values differ by more than 0.005); "
                "the panel holds the one chosen by the reconciliation rule, facts.csv holds all",
    "rate_mismatch": "the reported completion rate differs from completed / annual plan by more "
                     "than 0.5 percentage points",
    "ahead_mismatch": "the reported lead over schedule differs from completion rate minus elapsed "
                      "share of the year by more than 0.5 percentage points",
    "completed_gt_total": "completed investment is above the list's total investment",
    "subset_gt_whole": "a subset of the list (e.g. projects under construction) has more projects, "
                       "total investment or annual plan than the whole list",
    "rate_out_of_range": "a completion rate (reported or calculated) outside 0-300 %",
}
"""Flag codes of panel.csv's ``flags`` column (';'-joined), with what each one means."""


@dataclass(frozen=True)
class Column:
    """One declared column: its kind, whether it may be empty, its allowed values or range."""

    name: str
    kind: Kind = "str"
    required: bool = False
    allowed: Sequence[str] | None = None
    minimum: float | None = None
    maximum: float | None = None
    pattern: str | None = None
    list_separator: str | None = None  # cells hold several allowed values joined by this


@dataclass(frozen=True)
class RowCheck:
    """A check across columns: ``bad(frame)`` is a boolean Series of the rows that break it."""

    columns: tuple[str, ...]
    message: str
    bad: Callable[["pd.DataFrame"], "pd.Series"]


@dataclass(frozen=True)
class Table:
    """A declared table: ordered columns, cross-column checks and the columns naming a row."""

    name: str
    columns: tuple[Column, ...]
    row_checks: tuple[RowCheck, ...] = ()
    row_label: tuple[str, ...] = ()

    @property
    def names(self) -> list[str]:
        return [column.name for column in self.columns]

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)


def _unit_mismatch(frame: "pd.DataFrame") -> "pd.Series":
    expected = frame["metric"].map(METRIC_UNITS)
    return expected.notna() & (frame["unit"] != expected)


def _period_reversed(frame: "pd.DataFrame") -> "pd.Series":
    # Same-length 'YYYY-MM' strings compare like the months they name; '0000' years only
    # compare with each other.
    start, end = frame["period_start"], frame["period_end"]
    unknown_start, unknown_end = start.str.startswith("0000"), end.str.startswith("0000")
    return (unknown_start != unknown_end) | (end < start)


_PERIOD_CHECK = RowCheck(("period_start", "period_end"),
                         "period ends before it starts, or only one end has a year", _period_reversed)

FACTS_TABLE = Table(
    name="facts",
    columns=(
        Column("doc_id"),
        Column("region", "category", required=True),
        Column("scope", "category", required=True, allowed=SCOPES),
        Column("subset", "category", allowed=SUBSETS),
        Column("period_start", "period", required=True),
        Column("period_end", "period", required=True),
        Column("metric", "category", required=True, allowed=METRICS),
        Column("value", "float", required=True, minimum=-1000.0, maximum=1e7),
        Column("unit", "category", required=True, allowed=UNITS),
        Column("qualifier", "category", allowed=QUALIFIERS),
        Column("quote"),
        Column("char_start", "int", minimum=0),
        Column("char_end", "int", minimum=0),
        Column("source", required=True),
        Column("source_kind", "category", required=True, allowed=SOURCE_KINDS),
        Column("published", "date"),
        Column("url"),
        Column("title"),
    ),
    row_checks=(
        RowCheck(("metric", "unit"), "unit does not match the metric (see keyproj.facts.METRIC_UNITS)",
                 _unit_mismatch),
        _PERIOD_CHECK,
    ),
    row_label=("source", "region", "scope", "period_start", "period_end", "metric"),
)
"""facts.csv: every fact of every source (documents, reference CSVs, corrections), long format."""
assert FACTS_TABLE.names[: len(FACT_COLUMNS)] == FACT_COLUMNS

PANEL_VALUE_COLUMNS: tuple[str, ...] = (
    "projects", "total_investment", "annual_plan", "completed_investment",
    "completion_rate", "completion_rate_calc", "elapsed_pct", "ahead_of_schedule", "ahead_calc",
    "implied_annual_plan", "started_projects", "finished_projects", "signed_projects",
    "signed_investment",
)

PANEL_TABLE = Table(
    name="panel",
    columns=(
        Column("region", "category", required=True),
        Column("scope", "category", required=True, allowed=SCOPES),
        Column("subset", "category", allowed=SUBSETS),
        Column("period_start", "period", required=True),
        Column("period_end", "period", required=True),
        Column("year", "int", minimum=1900, maximum=2100),
        Column("projects", "int", minimum=0),
        Column("total_investment", "float", minimum=0.0),
        Column("annual_plan", "float", minimum=0.0),
        Column("completed_investment", "float", minimum=0.0),
        Column("completion_rate", "float", minimum=-1000.0, maximum=10000.0),
        Column("completion_rate_calc", "float"),
        Column("elapsed_pct", "float", minimum=0.0, maximum=100.0),
        Column("ahead_of_schedule", "float", minimum=-1000.0, maximum=10000.0),
        Column("ahead_calc", "float"),
        Column("implied_annual_plan", "float"),
        Column("started_projects", "int", minimum=0),
        Column("finished_projects", "int", minimum=0),
        Column("signed_projects", "int", minimum=0),
        Column("signed_investment", "float", minimum=0.0),
        Column("n_sources", "int", required=True, minimum=1),
        Column("sources", required=True),
        Column("qualifiers"),
        Column("flags", allowed=list(FLAGS), list_separator=";"),
    ),
    row_checks=(_PERIOD_CHECK,),
    row_label=("region", "scope", "subset", "period_start", "period_end"),
)
"""panel.csv: one row per region x scope x subset x period, figures chosen among the sources."""


# ---------------------------------------------------------------- validation

_INT = re.compile(r"-?\d+")


def _bad_mask(values: "pd.Series", column: Column) -> tuple["pd.Series", str]:
    """Rows of a non-empty text Series that break ``column``'s declaration, and why."""
    import pandas as pd

    if column.kind in ("float", "int"):
        numbers = pd.to_numeric(values, errors="coerce")
        bad = numbers.isna() | ~_finite_or_missing(numbers)
        why = "is not a number"
        if column.kind == "int":
            bad |= ~values.str.fullmatch(_INT.pattern)
            why = "is not a whole number"
        if not bad.any():
            if column.minimum is not None and (numbers < column.minimum).any():
                return numbers < column.minimum, f"is below the minimum {column.minimum:g}"
            if column.maximum is not None and (numbers > column.maximum).any():
                return numbers > column.maximum, f"is above the maximum {column.maximum:g}"
        return bad, why
    if column.kind == "period":
        return ~values.str.fullmatch(PERIOD_PATTERN), "is not a month 'YYYY-MM' (year 0000 if unknown)"
    if column.kind == "date":
        return ~values.str.fullmatch(DATE_PATTERN), "is not a date 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD'"
    if column.allowed is not None:
        allowed = set(column.allowed)
        if column.list_separator:
            bad = values.map(lambda cell: any(part not in allowed for part in cell.split(column.list_separator)))
        else:
            bad = ~values.isin(allowed)
        shown = ", ".join(repr(value) for value in column.allowed)
        return bad.astype(bool), f"is not one of {shown}"
    if column.pattern is not None:
        return ~values.str.fullmatch(column.pattern), f"does not match {column.pattern}"
    return values != values, ""  # all False


def _finite_or_missing(numbers: "pd.Series") -> "pd.Series":
    """Finite (not inf) entries of a float Series; NaN counts as finite here (checked apart)."""
    import numpy as np

    return numbers.isna() | np.isfinite(numbers.fillna(0.0))


def _row_text(frame: "pd.DataFrame", position: int, table: Table) -> str:
    parts = [str(frame[name].iat[position]) for name in table.row_label if name in frame.columns]
    parts = [part for part in parts if part]
    return f" ({' '.join(parts)})" if parts else ""


def _fail(path: str | Path, frame: "pd.DataFrame", table: Table, column: str, mask: "pd.Series",
          why: str) -> None:
    import numpy as np

    position = int(np.flatnonzero(mask.to_numpy(dtype=bool))[0])
    value = frame[column].iat[position]
    raise KeyprojError(
        f"{display_path(path)}: column '{column}': row {position + 2}{_row_text(frame, position, table)}: "
        f"{value!r} {why}; rebuild with `keyproj build` or fix the input it came from"
    )


def validate(frame: "pd.DataFrame", table: Table, path: str | Path) -> None:
    """Check a text table (all cells str, '' = missing) against ``table``; raise on the first violation.

    The error is a :class:`KeyprojError` naming ``path``, the column and the first bad row by its
    line in the CSV file (the header is line 1).
    """
    names = list(frame.columns)
    if names != table.names:
        missing = [name for name in table.names if name not in names]
        extra = [name for name in names if name not in table.names]
        detail = (f"missing {', '.join(missing)}" if missing else "") + (
            ("; " if missing and extra else "") + (f"unexpected {', '.join(extra)}" if extra else ""))
        raise KeyprojError(
            f"{display_path(path)}: the columns of the {table.name} table are wrong "
            f"({detail or 'wrong order'}); rebuild it with `keyproj build`"
        )
    for column in table.columns:
        values = frame[column.name]
        not_str = ~values.map(lambda cell: isinstance(cell, str))
        if not_str.any():
            _fail(path, frame, table, column.name, not_str, "is not text (the table must be read as strings)")
        empty = values == ""
        if column.required and empty.any():
            _fail(path, frame, table, column.name, empty, "is empty but the column is required")
        if empty.all():
            continue
        present = values[~empty]
        bad, why = _bad_mask(present, column)
        if bad.any():
            full = empty.copy()
            full[:] = False
            full[bad[bad].index] = True
            _fail(path, frame, table, column.name, full, why)
    for check in table.row_checks:
        bad = check.bad(frame).fillna(False).astype(bool)
        if bad.any():
            _fail(path, frame, table, check.columns[-1], bad, f"breaks a row rule: {check.message}")


# ---------------------------------------------------------------- typed view


def period_series(values: "pd.Series") -> "pd.Series":
    """'YYYY-MM' strings as a pandas ``Period[M]`` Series; a '0000' (unknown) year gives NaT."""
    import pandas as pd

    known = values.where(~values.str.startswith("0000") & (values != ""))
    return pd.Series(pd.PeriodIndex(known.tolist(), freq="M"), index=values.index, name=values.name)


def typed(frame: "pd.DataFrame", table: Table, categories: dict[str, Iterable[str]] | None = None) -> "pd.DataFrame":
    """The typed view of a valid text table.

    Categories become pandas categoricals (allowed values as categories where declared, else the
    sorted values present, or ``categories[name]``); floats ``Float64``; ints ``Int64``; periods
    ``Period[M]`` (NaT for a '0000' year); empty cells missing (<NA>/NaT). Other text stays ``str``.
    """
    import pandas as pd

    categories = categories or {}
    out: dict[str, pd.Series] = {}
    for column in table.columns:
        values = frame[column.name]
        if column.kind == "float":
            out[column.name] = pd.to_numeric(values.replace("", None), errors="raise").astype("Float64")
        elif column.kind == "int":
            out[column.name] = pd.to_numeric(values.replace("", None), errors="raise").astype("Int64")
        elif column.kind == "period":
            out[column.name] = period_series(values)
        elif column.kind == "category":
            known = categories.get(column.name)
            if known is None:
                known = column.allowed if column.allowed is not None else sorted(set(values))
            out[column.name] = pd.Series(pd.Categorical(values, categories=list(known)),
                                         index=values.index, name=column.name)
        else:
            out[column.name] = values
    return pd.DataFrame(out, index=frame.index)


def _present(values: "pd.Series", order: list[str] | None = None) -> list[str]:
    present = set(values)
    return [value for value in order if value in present] if order else sorted(present)


def _with_period_label(frame: "pd.DataFrame", text: "pd.DataFrame") -> "pd.DataFrame":
    frame["period"] = text["period_start"] + ".." + text["period_end"]
    return frame


def typed_facts(text: "pd.DataFrame") -> "pd.DataFrame":
    """The typed view of a valid facts.csv text table (see the module docstring)."""
    frame = typed(text, FACTS_TABLE, {"region": _present(text["region"]),
                                      "scope": _present(text["scope"], SCOPES)})
    return _with_period_label(frame, text)


def typed_panel(text: "pd.DataFrame") -> "pd.DataFrame":
    """The typed view of a valid panel.csv text table (see the module docstring)."""
    frame = typed(text, PANEL_TABLE, {"region": _present(text["region"]),
                                      "scope": _present(text["scope"], SCOPES)})
    return _with_period_label(frame, text)
