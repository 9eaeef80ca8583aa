"""Rows of the hand-kept CSV files (reference/*.csv, corrections.csv): reading, key checks, values.

Each problem is one line 'FILE:LINE: problem'; :class:`RowsError` carries them all, so a user
sees every malformed row of every file at once.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from pathlib import Path

from keyproj.data.tables import PERIOD_PATTERN, SCOPES
from keyproj.errors import KeyprojError
from keyproj.facts import METRIC_UNITS, METRICS, QUALIFIERS, SUBSETS
from keyproj.paths import display_path

_COUNT_METRICS = frozenset(metric for metric, unit in METRIC_UNITS.items() if unit == "count")
_PERIOD = re.compile(PERIOD_PATTERN)


class RowsError(KeyprojError):
    """Malformed rows of a corrections or reference file: one 'FILE:LINE: problem' per line."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def check_key(row: dict[str, str]) -> list[str]:
    """Problems with a fact's key and value cells (shared by corrections and reference rows)."""
    problems: list[str] = []
    if not row.get("region"):
        problems.append("region is empty")
    if row.get("scope") not in SCOPES:
        problems.append(f"scope {row.get('scope')!r} is not one of {', '.join(SCOPES)}")
    if row.get("subset", "") not in SUBSETS:
        problems.append(f"subset {row.get('subset')!r} must be empty or one of {', '.join(s for s in SUBSETS if s)}")
    start, end = row.get("period_start", ""), row.get("period_end", "")
    for name, period in (("period_start", start), ("period_end", end)):
        if not _PERIOD.fullmatch(period):
            problems.append(f"{name} {period!r} is not a month 'YYYY-MM' (year 0000 if unknown)")
    if _PERIOD.fullmatch(start) and _PERIOD.fullmatch(end):
        if start.startswith("0000") != end.startswith("0000") or end < start:
            problems.append(f"period {start}..{end} ends before it starts, or only one end has a year")
    metric = row.get("metric", "")
    if metric not in METRIC_UNITS:
        problems.append(f"metric {metric!r} is unknown (known: {', '.join(METRICS)})")
    elif row.get("unit") and row["unit"] != METRIC_UNITS[metric]:
        problems.append(f"unit {row['unit']!r} is wrong for {metric} (use {METRIC_UNITS[metric]!r})")
    if row.get("qualifier", "") not in QUALIFIERS:
        problems.append(f"qualifier {row.get('qualifier')!r} must be empty or one of "
                        f"{', '.join(q for q in QUALIFIERS if q)}")
    return problems


def parse_value(text: str, metric: str) -> tuple[float | None, str | None]:
    """The number in a value cell and the problem with it, if any (counts must be whole)."""
    try:
        value = float(text)
    except ValueError:
        return None, f"value {text!r} is not a number"
    if value != value or value in (float("inf"), float("-inf")):
        return None, f"value {text!r} is not a finite number"
    if metric in _COUNT_METRICS and value != int(value):
        return None, f"value {text!r} must be a whole number for {metric}"
    return value, None


def read_csv_rows(path: Path, columns: Sequence[str]) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and (line number, cells) of each non-blank row of a UTF-8 CSV file (BOM allowed).

    ``columns``: the file's expected columns, named in the error when the header is missing.

    Raises :class:`RowsError` when the file is not UTF-8 text or has no header.
    """
    shown = display_path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise RowsError([f"{shown}:1: not UTF-8 text ({error.reason} at byte {error.start}); "
                                "save the file as UTF-8 CSV"]) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[tuple[int, list[str]]] = []
    header: list[str] | None = None
    line = 1
    try:
        for cells in reader:
            start, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue
            if header is None:
                header = [cell.strip() for cell in cells]
            else:
                rows.append((start, [cell.strip() for cell in cells]))
    except csv.Error as error:
        raise RowsError([f"{shown}:{reader.line_num}: not valid CSV ({error})"]) from None
    if header is None:
        raise RowsError([f"{shown}:1: the header row is missing; start with: "
                                f"{','.join(columns)}"])
    return header, rows
