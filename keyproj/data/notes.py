"""Comparability notes on lists (reference/notes/list_notes.csv): which panel rows a researcher should not
pool with the others, and why.

The notes are data, not code: each row of ``list_notes.csv`` names a region's list (optionally one
scope, a span of years, full-year or in-year periods only, rows holding one metric) and gives a
note code and its text. The build writes the codes of the notes that match a panel row into its
``list_note`` column (``comparable`` = no: the row's list is known not to be comparable with the
others) or ``caveats`` column (``comparable`` = yes: a caveat that leaves the row usable).

Columns (header row required, any order; declared in keyproj.data.tables.LIST_NOTES_TABLE):

==========  ========  ==========================================================================
column      required  meaning
==========  ========  ==========================================================================
region      yes       the panel's region, e.g. 安徽省
scope       no        one scope (province, city, county, province+city, ...); empty: every scope
years       no        'YYYY' or 'YYYY-YYYY' (inclusive), matched against the row's ``year``;
                      empty: every year, an unknown one included
periods     no        ``full_year`` (YYYY-01..YYYY-12), ``in_year`` (any other period); empty: both
metric      no        only rows holding a figure of this metric (own or joined from the year's list)
comparable  yes       ``no`` (code goes to ``list_note``) or ``yes`` (code goes to ``caveats``)
code        yes       short code, lower case with underscores (mass_list, second_batch, ...)
note        yes       what a researcher must know (free text)
==========  ========  ==========================================================================

A malformed row stops the build with one line 'FILE:LINE: problem' (keyproj.data.rows).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from keyproj.data.rows import RowsError, read_csv_rows
from keyproj.data.tables import LIST_NOTES_TABLE, NOTE_CODE_PATTERN, SCOPES, is_full_year
from keyproj.facts import METRICS
from keyproj.paths import display_path

if TYPE_CHECKING:
    import pandas as pd

LIST_NOTES_FILE = "list_notes.csv"
LIST_NOTES_DIR = "notes"
"""The notes' folder inside reference/: apart from the figure files, so reference/*.csv stays figures only."""
LIST_NOTE_COLUMNS: list[str] = LIST_NOTES_TABLE.names
_REQUIRED = frozenset(column.name for column in LIST_NOTES_TABLE.columns if column.required)
PERIOD_KINDS: tuple[str, ...] = tuple(LIST_NOTES_TABLE.column("periods").allowed or ())
_CODE = re.compile(NOTE_CODE_PATTERN)
_YEARS = re.compile(r"(\d{4})(?:-(\d{4}))?")


def list_notes_path(reference: Path) -> Path:
    """Where a data folder's notes are: ``reference``/notes/list_notes.csv."""
    return reference / LIST_NOTES_DIR / LIST_NOTES_FILE


@dataclass(frozen=True)
class ListNote:
    """One row of list_notes.csv (``line``: its line in the file)."""

    line: int
    region: str
    scope: str
    first_year: int | None
    last_year: int | None
    periods: str
    metric: str
    comparable: bool
    code: str
    note: str

    def matches(self, region: str, scope: str, year: str, full_year: bool, metrics: Iterable[str]) -> bool:
        """Whether the note applies to a panel row.

        ``year``: the row's year ('YYYY', or '' / '0000' when unknown); ``full_year``: whether its
        period is YYYY-01..YYYY-12; ``metrics``: the metrics the row holds a figure of.
        """
        if region != self.region or (self.scope and scope != self.scope):
            return False
        if self.first_year is not None:
            if not year.isdigit() or year == "0000":
                return False
            if not self.first_year <= int(year) <= (self.last_year or self.first_year):
                return False
        if self.periods and (self.periods == "full_year") != full_year:
            return False
        return not self.metric or self.metric in metrics


def _row_problems(row: dict[str, str]) -> list[str]:
    problems = [f"{name} is empty" for name in LIST_NOTE_COLUMNS if name in _REQUIRED and not row[name]]
    if row["scope"] and row["scope"] not in SCOPES:
        problems.append(f"scope {row['scope']!r} must be empty or one of {', '.join(SCOPES)}")
    match = _YEARS.fullmatch(row["years"])
    if row["years"] and (not match or (match.group(2) and match.group(2) < match.group(1))):
        problems.append(f"years {row['years']!r} must be empty, 'YYYY' or 'YYYY-YYYY' (first year first)")
    if row["periods"] not in PERIOD_KINDS:
        problems.append(f"periods {row['periods']!r} must be empty, full_year or in_year")
    if row["metric"] and row["metric"] not in METRICS:
        problems.append(f"metric {row['metric']!r} is unknown (known: {', '.join(METRICS)})")
    if row["comparable"] and row["comparable"] not in (LIST_NOTES_TABLE.column("comparable").allowed or ()):
        problems.append(f"comparable {row['comparable']!r} must be yes or no")
    if row["code"] and not _CODE.fullmatch(row["code"]):
        problems.append(f"code {row['code']!r} must be lower case letters, digits and '_' (e.g. mass_list)")
    return problems


def _note(line: int, row: dict[str, str]) -> ListNote:
    match = _YEARS.fullmatch(row["years"])
    first = int(match.group(1)) if match else None
    last = int(match.group(2)) if match and match.group(2) else first
    return ListNote(line=line, region=row["region"], scope=row["scope"], first_year=first, last_year=last,
                    periods=row["periods"], metric=row["metric"], comparable=row["comparable"] == "yes",
                    code=row["code"], note=row["note"])


def read_list_notes(path: str | Path) -> list[ListNote]:
    """Parse and check list_notes.csv; a missing file means no notes.

    Raises :class:`RowsError` listing every malformed row as 'FILE:LINE: problem' (a code used
    both as comparable and as not comparable is one too).
    """
    path = Path(path)
    if not path.exists():
        return []
    shown = display_path(path)
    header, rows = read_csv_rows(path, LIST_NOTE_COLUMNS)
    missing = [name for name in LIST_NOTE_COLUMNS if name in _REQUIRED and name not in header]
    unknown = [name for name in header if name not in LIST_NOTE_COLUMNS]
    if missing or unknown:
        parts = ([f"missing column(s) {', '.join(missing)}"] if missing else []) + (
            [f"unknown column(s) {', '.join(unknown)}"] if unknown else [])
        raise RowsError([f"{shown}:1: {'; '.join(parts)}; the columns are {','.join(LIST_NOTE_COLUMNS)}"])
    notes: list[ListNote] = []
    problems: list[str] = []
    comparable_of: dict[str, tuple[bool, int]] = {}
    for line, cells in rows:
        if len(cells) != len(header):
            problems.append(f"{shown}:{line}: {len(cells)} cells but the header has {len(header)}")
            continue
        row = {name: "" for name in LIST_NOTE_COLUMNS} | dict(zip(header, cells))
        row_problems = _row_problems(row)
        if not row_problems:
            note = _note(line, row)
            known = comparable_of.setdefault(note.code, (note.comparable, line))
            if known[0] != note.comparable:
                row_problems.append(f"code {note.code!r} is comparable={'yes' if known[0] else 'no'} "
                                    f"on line {known[1]}: one code, one meaning")
            else:
                notes.append(note)
        problems.extend(f"{shown}:{line}: {problem}" for problem in row_problems)
    if problems:
        raise RowsError(problems)
    return notes


def note_codes(notes: Sequence[ListNote], region: str, scope: str, year: str, full_year: bool,
               metrics: Iterable[str]) -> tuple[str, str]:
    """The ``list_note`` and ``caveats`` cells of a panel row: matching codes, ';'-joined, in file
    order, each once."""
    held = set(metrics)
    not_comparable: list[str] = []
    caveats: list[str] = []
    for note in notes:
        if note.matches(region, scope, year, full_year, held):
            codes = caveats if note.comparable else not_comparable
            if note.code not in codes:
                codes.append(note.code)
    return ";".join(not_comparable), ";".join(caveats)


def unmatched_notes(notes: Sequence[ListNote], panel: "pd.DataFrame") -> list[ListNote]:
    """The notes that match no row of a text panel (a misspelt region, or its figures not loaded)."""
    unmatched: list[ListNote] = []
    for note in notes:
        rows = panel[panel["region"] == note.region]
        held = (rows[METRICS] != "").to_numpy()
        if not any(note.matches(row.region, row.scope, row.year, is_full_year(row.period_start, row.period_end),
                                [metric for metric, present in zip(METRICS, flags) if present])
                   for row, flags in zip(rows.itertuples(index=False), held)):
            unmatched.append(note)
    return unmatched


def notes_table(notes: Sequence[ListNote]) -> "pd.DataFrame":
    """Notes as a text table of LIST_NOTES_TABLE's columns (as list_notes.csv holds them, in file order)."""
    import pandas as pd

    def years(note: ListNote) -> str:
        if note.first_year is None:
            return ""
        return str(note.first_year) if note.last_year == note.first_year else f"{note.first_year}-{note.last_year}"

    rows = [[note.region, note.scope, years(note), note.periods, note.metric, "yes" if note.comparable else "no",
             note.code, note.note] for note in notes]
    return pd.DataFrame(rows, columns=LIST_NOTE_COLUMNS, dtype=str) if rows else \
        pd.DataFrame({name: pd.Series([], dtype=str) for name in LIST_NOTE_COLUMNS})
