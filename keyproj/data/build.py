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

A bad document is skipped (reported, the build goes on). A malformed reference or correction row
stops the build: every such row is listed as 'FILE:LINE: problem' and the previous outputs stay.
"""
from __future__ import annotations

import csv
import io
import time
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from keyproj._version import __version__
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
from keyproj.paths import DataLayout, data_layout, display_path
from keyproj.util.atomic import atomic_write_text

if TYPE_CHECKING:
    import pandas as pd

STAMP_NAME = ".keyproj-build"
"""File in processed/ naming the keyproj version that built the outputs (for the loaders)."""
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


def stamp_text() -> str:
    """Content of processed/.keyproj-build: the version of keyproj that built the outputs."""
    return f"keyproj {__version__}\n"


def build(data_dir: str | Path | None = None) -> BuildResult:
    """Build processed/facts.csv and processed/panel.csv of a data folder; return what was built.

    ``data_dir``: the data folder (default: $KEYPROJ_DATA, else the repository's data/).
    Prints nothing: the result's ``summary()`` and ``bad_inputs`` (documents skipped) are for the
    caller to show. Raises :class:`keyproj.data.rows.RowsError` (a KeyprojError,
    one 'FILE:LINE: problem' per line) when reference or correction rows are malformed, and
    :class:`KeyprojError` when a table breaks its schema; the previous outputs then stay.
    """
    started = time.perf_counter()
    layout = data_layout(data_dir)
    if not layout.root.is_dir():
        raise KeyprojError(f"data folder {layout.root} does not exist; give an existing folder with "
                           "--data DIR or $KEYPROJ_DATA (it holds raw/, reference/, corrections.csv)")
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
    documents, bad_inputs = document_facts(layout)
    facts = apply_corrections(documents + reference, corrections, layout.corrections)

    facts_text = facts_table(facts)
    validate(facts_text, FACTS_TABLE, layout.facts)
    panel_text = panel_table(facts, notes)
    validate(panel_text, PANEL_TABLE, layout.panel)
    try:
        atomic_write_text(layout.facts, csv_text(facts_text))
        atomic_write_text(layout.panel, csv_text(panel_text))
        atomic_write_text(layout.processed / STAMP_NAME, stamp_text())
    except OSError as error:
        raise KeyprojError(f"{display_path(layout.processed)}: cannot write the processed tables "
                           f"({error.strerror or error}); check the folder's permissions") from None

    return BuildResult(facts_text, panel_text, layout, bad_inputs, time.perf_counter() - started, notes)


