"""Hand corrections by researchers (data/corrections.csv): add, drop or replace facts.

One row per correction, columns (header row required, any order):

============  ========  =====================================================================
column        required  meaning
============  ========  =====================================================================
action        yes       ``add`` a fact, ``drop`` facts, or ``replace`` facts by a new value
region        yes       e.g. 泉州市
scope         yes       province, city, county, or levels joined by '+' (province+city)
subset        no        empty (the whole list) or ``under_construction``
period_start  yes       'YYYY-MM' (year 0000 when the source states no year)
period_end    yes       'YYYY-MM'
metric        yes       one of keyproj.facts.METRICS (projects, annual_plan, ...)
value         add,      the figure (亿元, count, % or pp as the metric says); for ``drop`` an
              replace   optional filter: only facts with this value (within 0.005)
unit          no        must be the metric's unit when given (亿元, count, %, pp)
qualifier     no        empty, approx, over or under
source        no        drop/replace only: only facts from this source (document id, reference
                        URL, or correction:<author>)
reason        yes       why (free text; shown as the fact's title)
author        yes       who (the fact's source becomes ``correction:<author>``)
============  ========  =====================================================================

Rows apply in file order, each to the facts left by the rows above it. A correction's fact wins
over every other source in the panel. The file is only read, never rewritten by a tool.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from keyproj.data.rows import RowsError, check_key, parse_value, read_csv_rows
from keyproj.facts import METRIC_UNITS
from keyproj.paths import display_path

CORRECTION_COLUMNS: list[str] = [
    "action", "region", "scope", "subset", "period_start", "period_end", "metric",
    "value", "unit", "qualifier", "source", "reason", "author",
]
REQUIRED_COLUMNS: frozenset[str] = frozenset(
    {"action", "region", "scope", "period_start", "period_end", "metric", "value", "reason", "author"})
ACTIONS: tuple[str, ...] = ("add", "drop", "replace")
KEY_COLUMNS: tuple[str, ...] = ("region", "scope", "subset", "period_start", "period_end", "metric")
VALUE_TOLERANCE = 0.005
"""Two values closer than this are the same figure (亿元, count, % or pp)."""




@dataclass(frozen=True)
class Correction:
    """One parsed row of corrections.csv (``line`` is its line number in the file)."""

    line: int
    action: str
    region: str
    scope: str
    subset: str
    period_start: str
    period_end: str
    metric: str
    value: float | None
    unit: str
    qualifier: str
    source: str
    reason: str
    author: str

    @property
    def key(self) -> tuple[str, ...]:
        return (self.region, self.scope, self.subset, self.period_start, self.period_end, self.metric)


def read_corrections(path: str | Path) -> list[Correction]:
    """Parse and check corrections.csv; a missing file means no corrections.

    Raises :class:`RowsError` listing every malformed row as 'FILE:LINE: problem'.
    """
    path = Path(path)
    if not path.exists():
        return []
    shown = display_path(path)
    header, rows = read_csv_rows(path, CORRECTION_COLUMNS)
    missing = sorted(REQUIRED_COLUMNS - set(header), key=CORRECTION_COLUMNS.index)
    unknown = [name for name in header if name not in CORRECTION_COLUMNS]
    if missing or unknown:
        parts = ([f"missing column(s) {', '.join(missing)}"] if missing else []) + (
            [f"unknown column(s) {', '.join(unknown)}"] if unknown else [])
        raise RowsError([f"{shown}:1: {'; '.join(parts)}; the columns are {','.join(CORRECTION_COLUMNS)}"])
    corrections: list[Correction] = []
    problems: list[str] = []
    for line, cells in rows:
        if len(cells) != len(header):
            problems.append(f"{shown}:{line}: {len(cells)} cells but the header has {len(header)}")
            continue
        row = {name: "" for name in CORRECTION_COLUMNS} | dict(zip(header, cells))
        row_problems = _check_row(row)
        value = None
        if not row_problems and row["value"]:
            value, problem = parse_value(row["value"], row["metric"])
            if problem:
                row_problems.append(problem)
        if row_problems:
            problems.extend(f"{shown}:{line}: {problem}" for problem in row_problems)
            continue
        corrections.append(Correction(
            line=line, action=row["action"], region=row["region"], scope=row["scope"],
            subset=row["subset"], period_start=row["period_start"], period_end=row["period_end"],
            metric=row["metric"], value=value, unit=METRIC_UNITS[row["metric"]],
            qualifier=row["qualifier"], source=row["source"], reason=row["reason"], author=row["author"],
        ))
    if problems:
        raise RowsError(problems)
    return corrections


def _check_row(row: dict[str, str]) -> list[str]:
    problems: list[str] = []
    action = row["action"]
    if action not in ACTIONS:
        problems.append(f"action {action!r} is unknown (use add, drop or replace)")
    problems.extend(check_key(row))
    if action in ("add", "replace") and not row["value"]:
        problems.append(f"value is empty but {action} needs one")
    if action == "add" and row["source"]:
        problems.append("source is only for drop and replace (an added fact's source is correction:<author>)")
    if not row["reason"]:
        problems.append("reason is empty: say why the figure is corrected")
    if not row["author"]:
        problems.append("author is empty: say who made the correction")
    return problems


def correction_fact(correction: Correction) -> dict[str, Any]:
    """The fact a correction adds (source ``correction:<author>``, the reason as title)."""
    return {
        "doc_id": "", "region": correction.region, "scope": correction.scope, "subset": correction.subset,
        "period_start": correction.period_start, "period_end": correction.period_end,
        "metric": correction.metric, "value": correction.value, "unit": correction.unit,
        "qualifier": correction.qualifier, "quote": "", "char_start": "", "char_end": "",
        "source": f"correction:{correction.author}", "source_kind": "correction", "published": "",
        "url": "", "title": correction.reason,
    }


def _fact_key(fact: dict[str, Any]) -> tuple[str, ...]:
    return tuple(str(fact[name]) for name in KEY_COLUMNS)


def _matches(fact: dict[str, Any], correction: Correction) -> bool:
    if _fact_key(fact) != correction.key:
        return False
    if correction.source and fact["source"] != correction.source:
        return False
    if correction.action == "drop" and correction.value is not None:
        return abs(float(fact["value"]) - correction.value) <= VALUE_TOLERANCE
    return True


def apply_corrections(facts: list[dict[str, Any]], corrections: list[Correction],
                      path: str | Path) -> list[dict[str, Any]]:
    """Facts after the corrections, applied in file order (``facts`` is not modified).

    ``drop`` removes every fact with the row's key (and its ``source`` / ``value`` when given);
    ``replace`` does the same, then adds the row's value; ``add`` adds it. A drop or replace that
    matches no fact, or an add on a figure a correction already set, is a problem: all problems
    are raised together as :class:`RowsError` ('FILE:LINE: problem').
    """
    shown = display_path(path)
    result = list(facts)
    problems: list[str] = []
    added_at: dict[tuple[str, ...], int] = {}
    for correction in corrections:
        if correction.action in ("drop", "replace"):
            kept = [fact for fact in result if not _matches(fact, correction)]
            if len(kept) == len(result):
                restriction = "".join([
                    f" from source {correction.source!r}" if correction.source else "",
                    f" with value {correction.value:g}" if correction.action == "drop" and
                    correction.value is not None else "",
                ])
                problems.append(
                    f"{shown}:{correction.line}: {correction.action} matches no fact "
                    f"({' '.join(part for part in correction.key if part)}{restriction}); "
                    "check the key against data/processed/facts.csv")
                continue
            result = kept
            for key in [key for key in added_at if key == correction.key]:
                if not any(_fact_key(f) == key and f["source_kind"] == "correction" for f in result):
                    del added_at[key]
        if correction.action in ("add", "replace"):
            if correction.key in added_at:
                problems.append(
                    f"{shown}:{correction.line}: line {added_at[correction.key]} already sets this figure; "
                    "keep one of the two rows (or make this one a replace)")
                continue
            result.append(correction_fact(correction))
            added_at[correction.key] = correction.line
    if problems:
        raise RowsError(problems)
    return result
