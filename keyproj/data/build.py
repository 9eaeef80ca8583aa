"""`keyproj build`: the planned-vs-actual dataset (processed/facts.csv and processed/panel.csv).

Inputs, all optional (a missing one counts as empty), in a data folder (keyproj.paths):

- ``raw/``: documents, with their metadata (published, url, title) in ``raw/sources.csv``;
  their facts come from :func:`keyproj.extract.extract_paths`;
- ``reference/*.csv``: curated figures, one per row with its source URL;
- ``reference/notes/list_notes.csv``: comparability notes on lists (keyproj.data.notes);
- ``corrections.csv``: researchers' hand corrections (keyproj.data.corrections), never rewritten.

Outputs (pure functions of the inputs: same inputs, byte-identical files; each replaced atomically):

- ``processed/facts.csv``: every fact of every source (keyproj.data.tables.FACTS_TABLE);
- ``processed/panel.csv``: one row per region x scope x subset x period (keyproj.data.panel,
  keyproj.data.tables.PANEL_TABLE).

A bad document (or a document without a sources.csv row, a bad sources.csv row, a file that is
no document) is skipped, reported with its reason, and the build goes on (`keyproj build` then
exits 1). A malformed reference or correction row stops the build: every such row is listed as
'FILE:LINE: problem' and the previous outputs stay. facts.csv and panel.csv are published as one
generation under a lock, with a stamp (processed/.keyproj-build) naming both (:func:`publish`).
"""
from __future__ import annotations

import csv
import hashlib
import io
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from keyproj._version import __version__
from keyproj.data.cite import attach_citations
from keyproj.data.corrections import apply_corrections, read_corrections
from keyproj.data.coverage import Coverage, panel_coverage
from keyproj.data.inputs import document_facts, reference_facts
from keyproj.data.notes import LIST_NOTES_FILE, ListNote, list_notes_path, read_list_notes, unmatched_notes
from keyproj.data.panel import format_number, panel_table
from keyproj.data.rows import RowsError
from keyproj.data.tables import (
    FACTS_TABLE,
    FLAGS,
    PANEL_TABLE,
    typed_facts,
    typed_panel,
    validate,
)
from keyproj.errors import BadInputError, KeyprojError
from keyproj.paths import DATA_HOLDS, DataLayout, data_layout, display_path
from keyproj.util.atomic import atomic_write_group, atomic_write_text

if TYPE_CHECKING:
    import pandas as pd

STAMP_NAME = ".keyproj-build"
"""File in processed/ naming the keyproj version that built the outputs and, for each table, its
sha256, rows and bytes: facts.csv and panel.csv are one generation only when both match it."""
LOCK_NAME = ".build.lock"
"""File in processed/ that builds lock exclusively and readers lock shared (fcntl.flock)."""
TABLE_FILES: tuple[str, ...] = ("facts.csv", "panel.csv")
_KIND_ORDER = {"document": 0, "reference": 1, "correction": 2}


@dataclass
class BuildResult:
    """What a build wrote: the text tables, where they went, bad documents skipped, and timing."""

    facts_table: "pd.DataFrame"
    panel_table: "pd.DataFrame"
    layout: DataLayout
    bad_inputs: list[BadInputError] = field(default_factory=list)
    seconds: float = 0.0
    notes: list[ListNote] = field(default_factory=list)

    @property
    def facts_path(self) -> Path:
        return self.layout.facts

    @property
    def panel_path(self) -> Path:
        return self.layout.panel

    @cached_property
    def facts(self) -> "pd.DataFrame":
        """facts.csv as :func:`keyproj.data.load.load_facts` returns it (typed)."""
        return typed_facts(self.facts_table)

    @cached_property
    def panel(self) -> "pd.DataFrame":
        """panel.csv as :func:`keyproj.data.load.load_panel` returns it (typed)."""
        return typed_panel(self.panel_table)

    def facts_by_kind(self) -> dict[str, int]:
        """Number of facts per source kind (document, reference, correction)."""
        counts = Counter(self.facts_table["source_kind"])
        return {kind: counts.get(kind, 0) for kind in _KIND_ORDER}

    def flag_counts(self) -> dict[str, int]:
        """Number of panel rows carrying each flag."""
        counts: Counter[str] = Counter()
        for cell in self.panel_table["flags"]:
            counts.update(flag for flag in cell.split(";") if flag)
        return {flag: counts[flag] for flag in FLAGS if counts[flag]}

    def coverage(self) -> Coverage:
        """What the panel covers (keyproj.data.coverage)."""
        return panel_coverage(self.panel_table)

    def unused_notes(self) -> list[ListNote]:
        """Comparability notes that match no panel row (a misspelt region, or data not loaded)."""
        return unmatched_notes(self.notes, self.panel_table)

    def summary(self) -> str:
        """A short report: facts per source kind, panel rows, flagged rows, coverage, seconds."""
        kinds = ", ".join(f"{kind} {count}" for kind, count in self.facts_by_kind().items())
        flagged = int((self.panel_table["flags"] != "").sum())
        flags = ", ".join(f"{flag} {count}" for flag, count in self.flag_counts().items())
        lines = [
            f"facts: {len(self.facts_table)} ({kinds}) -> {display_path(self.facts_path)}",
            f"panel: {len(self.panel_table)} rows, {flagged} flagged" + (f" ({flags})" if flags else "")
            + f" -> {display_path(self.panel_path)}",
            self.coverage().line(),
        ]
        unused = self.unused_notes()
        if unused:
            lines.append(f"{len(unused)} list note(s) match no panel row: "
                         + ", ".join(f"{LIST_NOTES_FILE}:{note.line}" for note in unused))
        if self.bad_inputs:
            lines.append(f"skipped {len(self.bad_inputs)} bad document(s)")
        lines.append(f"built in {self.seconds:.2f} s")
        return "\n".join(lines)


# ---------------------------------------------------------------- outputs

def facts_table(facts: list[dict[str, Any]]) -> "pd.DataFrame":
    """Facts as the text table of facts.csv, in a fixed order (region, scope, subset, period,
    metric, source kind, source, value, position in the document)."""
    import pandas as pd

    def order(fact: dict[str, Any]) -> tuple[Any, ...]:
        return (fact["region"], fact["scope"], fact["subset"], fact["period_start"], fact["period_end"],
                fact["metric"], _KIND_ORDER.get(fact["source_kind"], 9), fact["source"], fact["value"],
                fact["char_start"].zfill(12), fact["char_end"].zfill(12), fact["quote"])

    rows = [[format_number(fact[name]) if name == "value" else fact[name] for name in FACTS_TABLE.names]
            for fact in sorted(facts, key=order)]
    return pd.DataFrame(rows, columns=FACTS_TABLE.names, dtype=str) if rows else \
        pd.DataFrame({name: pd.Series([], dtype=str) for name in FACTS_TABLE.names})


def csv_text(table: "pd.DataFrame") -> str:
    """A text table as CSV: header first, '\\n' line ends, minimal quoting."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(list(table.columns))
    writer.writerows(table.itertuples(index=False, name=None))
    return buffer.getvalue()


def version_line() -> str:
    """First line of processed/.keyproj-build: the version of keyproj that built the outputs."""
    return f"keyproj {__version__}"


def stamp_text(tables: dict[str, bytes] | None = None) -> str:
    """Content of processed/.keyproj-build: the version line, then one line per table
    ('facts.csv sha256=HEX rows=N bytes=M'; rows without the header)."""
    lines = [version_line()]
    for name, data in (tables or {}).items():
        rows = data.count(b"\n") - 1  # one line per row: build writes no line break inside a cell
        lines.append(f"{name} sha256={hashlib.sha256(data).hexdigest()} rows={rows} bytes={len(data)}")
    return "\n".join(lines) + "\n"


def parse_stamp(text: str) -> tuple[str, dict[str, dict[str, str]]]:
    """The version line of a stamp and, per table name, its fields (sha256, rows, bytes)."""
    lines = text.splitlines()
    tables: dict[str, dict[str, str]] = {}
    for line in lines[1:]:
        name, _, rest = line.partition(" ")
        tables[name] = dict(field.partition("=")[::2] for field in rest.split())
    return (lines[0] if lines else ""), tables


def table_problem(name: str, data: bytes, fields: dict[str, str] | None) -> str | None:
    """Why ``data`` (the bytes of processed table ``name``) is not the table the stamp names, or None."""
    if b"\0" in data:
        return "contains NUL bytes (a damaged file)"
    if fields is None:
        return "is not named in the build stamp (written by another program?)"
    if str(len(data)) != fields.get("bytes"):
        return f"holds {len(data)} bytes where the build wrote {fields.get('bytes')} (cut short or changed)"
    if hashlib.sha256(data).hexdigest() != fields.get("sha256"):
        return "differs from what the build wrote (its sha256 does not match the build stamp)"
    return None


@contextmanager
def build_lock(layout: DataLayout, shared: bool = False) -> Iterator[None]:
    """Hold processed/.build.lock: exclusive for a build, ``shared`` for readers of the tables, so
    no reader sees one table new and the other old. Waits for the lock."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on POSIX: writes are still atomic, only not grouped
        yield
        return
    try:
        layout.processed.mkdir(parents=True, exist_ok=True)
        handle = open(layout.processed / LOCK_NAME, "a+b")
    except OSError as error:
        if not shared:
            raise KeyprojError(f"{display_path(layout.processed)}: cannot create the build lock "
                               f"({error.strerror or error}); check the folder's permissions") from None
        yield  # a read-only data folder: nothing can build there, so reading needs no lock
        return
    with handle:
        fcntl.flock(handle, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def remove_stale_temp_files(layout: DataLayout) -> list[Path]:
    """Remove the temporary files a killed build left in processed/ (call under the build lock)."""
    removed = []
    for name in (*TABLE_FILES, STAMP_NAME):
        for path in layout.processed.glob(f".{name}.*.tmp"):
            try:
                path.unlink()
                removed.append(path)
            except OSError:  # another user's file, or already gone: the build goes on
                continue
    return removed


def build(data_dir: str | Path | None = None) -> BuildResult:
    """Build processed/facts.csv and processed/panel.csv of a data folder; return what was built.

    ``data_dir``: the data folder (default: $KEYPROJ_DATA, else the repository's data/).
    Prints nothing: the result's ``summary()`` and ``bad_inputs`` (inputs skipped, each with its
    reason) are for the caller to show. One build at a time per data folder (processed/.build.lock;
    a second one waits). Raises :class:`keyproj.data.rows.RowsError` (a KeyprojError,
    one 'FILE:LINE: problem' per line) when reference or correction rows are malformed, and
    :class:`KeyprojError` when the data folder is missing or empty, a table breaks its schema or
    the tables cannot be written; the previous outputs then stay.
    """
    layout = data_layout(data_dir)
    _check_data_folder(layout)
    rows = hand_kept_rows(layout)  # before the lock: a malformed row leaves even processed/ alone
    with build_lock(layout):
        return build_locked(layout, rows)


def _check_data_folder(layout: DataLayout) -> None:
    if not layout.root.is_dir():
        raise KeyprojError(f"data folder {layout.root} does not exist; give an existing folder with "
                           f"--data DIR or $KEYPROJ_DATA (it holds {DATA_HOLDS})")
    raw_files = layout.raw.is_dir() and any(not path.name.startswith(".") for path in layout.raw.iterdir())
    if not (raw_files or layout.corrections.exists() or any(layout.reference.glob("*.csv"))):
        raise KeyprojError(f"data folder {layout.root} holds nothing to build from: a data folder holds "
                           f"{DATA_HOLDS}; give the right one with --data DIR or $KEYPROJ_DATA")


HandKept = tuple[list[dict[str, Any]], list[Any], list[ListNote]]


def hand_kept_rows(layout: DataLayout) -> HandKept:
    """The reference facts, corrections and list notes of a data folder; raises RowsError listing
    every malformed row of all of them."""
    problems: list[str] = []
    try:
        reference = reference_facts(layout)
    except RowsError as error:
        problems.extend(error.problems)
        reference = []
    try:
        corrections = read_corrections(layout.corrections)
    except RowsError as error:
        problems.extend(error.problems)
        corrections = []
    try:
        notes = read_list_notes(list_notes_path(layout.reference))
    except RowsError as error:
        problems.extend(error.problems)
        notes = []
    if problems:
        raise RowsError(problems)
    return reference, corrections, notes


def build_locked(layout: DataLayout, rows: HandKept | None = None) -> BuildResult:
    """:func:`build` for a caller that already holds the build lock of ``layout`` (exclusively);
    ``rows``: :func:`hand_kept_rows` when the caller has read them."""
    started = time.perf_counter()
    _check_data_folder(layout)
    reference, corrections, notes = rows if rows is not None else hand_kept_rows(layout)
    remove_stale_temp_files(layout)
    documents, bad_inputs = document_facts(layout)
    facts = apply_corrections(documents + reference, corrections, layout.corrections)

    facts_text = facts_table(facts)
    validate(facts_text, FACTS_TABLE, layout.facts)
    panel_text = panel_table(facts, notes)
    panel_text = attach_citations(panel_text, facts, layout)  # reference figures -> sentences of their snapshots
    validate(panel_text, PANEL_TABLE, layout.panel)
    publish(layout, {"facts.csv": csv_text(facts_text).encode("utf-8"),
                     "panel.csv": csv_text(panel_text).encode("utf-8")})
    return BuildResult(facts_text, panel_text, layout, bad_inputs, time.perf_counter() - started, notes)


def publish(layout: DataLayout, tables: dict[str, bytes]) -> None:
    """Replace the processed tables as one generation: every table written to a temporary file,
    then all renamed, then the stamp naming them (a reader holding the shared lock sees all old or
    all new; a kill between the renames leaves a stamp that no longer matches, so loaders rebuild)."""
    try:
        atomic_write_group({layout.processed / name: data for name, data in tables.items()})
        atomic_write_text(layout.processed / STAMP_NAME, stamp_text(tables))
    except OSError as error:
        raise KeyprojError(f"{display_path(layout.processed)}: cannot write the processed tables "
                           f"({error.strerror or error}); the previous tables stay: free space or "
                           "check the folder's permissions") from None
