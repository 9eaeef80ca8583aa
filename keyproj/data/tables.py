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

NOTE_CODE_PATTERN = r"[a-z][a-z0-9_]*"
"""A comparability note's code (keyproj.data.notes); cells of list_note and caveats join them with ';'."""
_NOTE_CODES = rf"{NOTE_CODE_PATTERN}(?:;{NOTE_CODE_PATTERN})*"

METRIC_TITLES: dict[str, str] = {
    "projects": "projects on the list",
    "total_investment": "total investment of the list's projects (总投资)",
    "annual_plan": "investment planned for the year (年度计划投资)",
    "completed_investment": "investment completed in the period (完成投资)",
    "completion_rate": "completion rate of the annual plan, as reported",
    "ahead_of_schedule": "lead over schedule (超序时进度), as reported; negative = behind",
    "started_projects": "projects started in the period (开工)",
    "finished_projects": "projects finished in the period (竣工)",
    "signed_projects": "projects signed in the period (签约)",
    "signed_investment": "investment of the projects signed in the period",
}
"""What each metric's figure is (its unit: keyproj.facts.METRIC_UNITS); the panel's column titles."""


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
    title: str = ""
    """Short label (at most 80 characters: it is the Stata variable label of exports)."""
    unit: str = ""
    """Unit of the values (亿元, count, %, pp), empty for text and for columns of mixed units."""
    description: str = ""
    """Longer explanation where the title is not enough (the export's data dictionary shows both)."""


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


def is_full_year(period_start: str, period_end: str) -> bool:
    """Whether a period is one whole calendar year, YYYY-01..YYYY-12 (a '0000' year included)."""
    return period_start[:4] == period_end[:4] and period_start[5:] == "01" and period_end[5:] == "12"


_PERIOD_CHECK = RowCheck(("period_start", "period_end"),
                         "period ends before it starts, or only one end has a year", _period_reversed)

_SCOPE_TITLE = "list level: province, city, county, or levels joined by '+'"
_SUBSET_TITLE = "part of the list: empty = the whole list, under_construction = its 在建 part"
_START_TITLE = "first month covered, 'YYYY-MM' (year 0000 when the source states none)"
_END_TITLE = "last month covered, 'YYYY-MM' (year 0000 when the source states none)"

FACTS_TABLE = Table(
    name="facts",
    columns=(
        Column("doc_id", title="document id (file name without suffix); empty for reference figures"),
        Column("region", "category", required=True, title="region whose list the figure is about"),
        Column("scope", "category", required=True, allowed=SCOPES, title=_SCOPE_TITLE),
        Column("subset", "category", allowed=SUBSETS, title=_SUBSET_TITLE),
        Column("period_start", "period", required=True, title=_START_TITLE),
        Column("period_end", "period", required=True, title=_END_TITLE),
        Column("metric", "category", required=True, allowed=METRICS, title="what the figure measures",
               description="; ".join(f"{metric}: {title} ({METRIC_UNITS[metric]})"
                                     for metric, title in METRIC_TITLES.items())),
        Column("value", "float", required=True, minimum=-1000.0, maximum=1e7,
               title="the figure, in the unit of column unit"),
        Column("unit", "category", required=True, allowed=UNITS,
               title="unit of value: 亿元, count, % or pp (percentage points)"),
        Column("qualifier", "category", allowed=QUALIFIERS,
               title="empty = exact; approx (约, 近); over = lower bound (超, 以上); under = upper bound"),
        Column("quote", title="the sentence the figure was read from (documents only)"),
        Column("char_start", "int", minimum=0, title="where the quote starts in the normalized text",
               unit="characters"),
        Column("char_end", "int", minimum=0, title="where the quote ends in the normalized text",
               unit="characters"),
        Column("source", required=True, title="document id, reference page URL, or correction:<author>"),
        Column("source_kind", "category", required=True, allowed=SOURCE_KINDS,
               title="document, reference or correction"),
        Column("published", "date", title="publication date as precise as known: YYYY, YYYY-MM or YYYY-MM-DD"),
        Column("url", title="web address of the source page"),
        Column("title", title="headline of the source page (for a correction: its reason)"),
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


def _metric(name: str, minimum: float | None = 0.0, maximum: float | None = None) -> Column:
    """A panel column holding the chosen figure of a metric (count columns are whole numbers)."""
    unit = METRIC_UNITS[name]
    return Column(name, "int" if unit == "count" else "float", minimum=minimum, maximum=maximum,
                  title=METRIC_TITLES[name], unit=unit)


PANEL_TABLE = Table(
    name="panel",
    columns=(
        Column("region", "category", required=True, title="region whose list the row is about"),
        Column("scope", "category", required=True, allowed=SCOPES, title=_SCOPE_TITLE),
        Column("subset", "category", allowed=SUBSETS, title=_SUBSET_TITLE),
        Column("period_start", "period", required=True, title=_START_TITLE),
        Column("period_end", "period", required=True, title=_END_TITLE),
        Column("year", "int", minimum=1900, maximum=2100, title="year the period ends (empty when unknown)"),
        _metric("projects"),
        _metric("total_investment"),
        _metric("annual_plan"),
        _metric("completed_investment"),
        _metric("completion_rate", minimum=-1000.0, maximum=10000.0),
        Column("completion_rate_calc", "float", title="completion rate calculated: completed / annual plan",
               unit="%"),
        Column("elapsed_pct", "float", minimum=0.0, maximum=100.0, unit="%",
               title="share of the year the period covers (序时进度)",
               description="end month / 12 for periods from January (1-9月: 75), 1/12 for a single month; "
                           "empty for periods over several years"),
        _metric("ahead_of_schedule", minimum=-1000.0, maximum=10000.0),
        Column("ahead_calc", "float", unit="pp",
               title="lead over schedule calculated: completion rate minus elapsed share",
               description="the reported completion rate, else the calculated one, minus elapsed_pct"),
        Column("implied_annual_plan", "float", unit="亿元",
               title="annual plan implied by completed investment / reported rate"),
        _metric("started_projects"),
        _metric("finished_projects"),
        _metric("signed_projects"),
        _metric("signed_investment"),
        Column("n_sources", "int", required=True, minimum=1, unit="count",
               title="sources giving a figure of the row"),
        Column("sources", required=True, title="source of each chosen figure: metric=source;...",
               description="a source is a document id, a reference page URL or correction:<author>"),
        Column("qualifiers", title="qualifier of each chosen figure that has one: metric=qualifier;..."),
        # Citations of the row's reference figures in snapshots of their pages (keyproj.data.cite).
        Column("cite_doc_id", title="document stating each reference figure: metric=doc_id;...",
               description="a raw/ document whose sources.csv url is the figure's source URL (keyproj fetch)"),
        Column("cite_quote", title="sentence stating each reference figure: metric=quote | ...",
               description="entries joined by ' | ' (a quote may hold ';'); empty = no sentence found"),
        Column("cite_start", title="where each quote starts in its document: metric=offset;...",
               unit="characters"),
        Column("cite_end", title="where each quote ends in its document: metric=offset;...", unit="characters"),
        Column("flags", allowed=list(FLAGS), list_separator=";", title="checks the row fails, ';'-joined",
               description="; ".join(f"{flag}: {meaning}" for flag, meaning in FLAGS.items())),
        Column("list_note", pattern=_NOTE_CODES, title="why the row's list is not comparable (note codes)",
               description="codes of reference/notes/list_notes.csv notes with comparable=no, ';'-joined; "
                           "empty = no known reason not to pool the row (docs/dataset.md)"),
        Column("caveats", pattern=_NOTE_CODES, title="caveats that leave the row comparable (note codes)",
               description="codes of reference/notes/list_notes.csv notes with comparable=yes, ';'-joined"),
    ),
    row_checks=(_PERIOD_CHECK,),
    row_label=("region", "scope", "subset", "period_start", "period_end"),
)
"""panel.csv: one row per region x scope x subset x period, figures chosen among the sources."""
assert PANEL_VALUE_COLUMNS == tuple(column.name for column in PANEL_TABLE.columns[6:20])

LIST_NOTES_TABLE = Table(
    name="list_notes",
    columns=(
        Column("region", required=True, title="region whose list the note is about"),
        Column("scope", "category", allowed=["", *SCOPES], title="the list's scope; empty = every scope of the region"),
        Column("years", pattern=r"\d{4}(?:-\d{4})?",
               title="years covered, 'YYYY' or 'YYYY-YYYY'; empty = every year"),
        Column("periods", "category", allowed=["", "full_year", "in_year"],
               title="full_year (YYYY-01..YYYY-12) or in_year rows only; empty = both"),
        Column("metric", "category", allowed=["", *METRICS], title="only rows holding a figure of this metric"),
        Column("comparable", "category", required=True, allowed=["yes", "no"],
               title="no: the code goes to list_note (drop to pool); yes: to caveats"),
        Column("code", required=True, pattern=NOTE_CODE_PATTERN, title="the note's code in panel.csv"),
        Column("note", required=True, title="what a researcher must know"),
    ),
    row_label=("region", "code"),
)
"""reference/notes/list_notes.csv: comparability notes on lists (keyproj.data.notes), which panel rows they
mark and why."""


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
