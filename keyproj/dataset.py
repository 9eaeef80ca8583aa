"""`keyproj build`: the planned-vs-actual dataset (processed/facts.csv and processed/panel.csv).

Inputs, all optional (a missing one counts as empty), in a data folder (keyproj.paths):

- ``raw/``: documents, with their metadata (published, url, title) in ``raw/sources.csv``;
  their facts come from :func:`keyproj.extract.extract_paths`;
- ``reference/*.csv``: curated figures, one per row with its source URL;
- ``corrections.csv``: researchers' hand corrections (keyproj.corrections), never rewritten.

Outputs (pure functions of the inputs: same inputs, byte-identical files; each replaced atomically):

- ``processed/facts.csv``: every fact of every source (keyproj.schema.FACTS_TABLE);
- ``processed/panel.csv``: one row per region x scope x subset x period (keyproj.panel,
  keyproj.schema.PANEL_TABLE).

A bad document is skipped (reported, the build goes on). A malformed reference or correction row
stops the build: every such row is listed as 'FILE:LINE: problem' and the previous outputs stay.
"""
from __future__ import annotations

import argparse
import csv
import io
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from keyproj.corrections import (
    CorrectionsError,
    apply_corrections,
    check_key,
    parse_value,
    read_corrections,
    read_csv_rows,
)
from keyproj.errors import KeyprojError
from keyproj.paths import DataLayout, data_layout
from keyproj.schema import FACTS_TABLE, FLAGS, PANEL_TABLE, display_path

if TYPE_CHECKING:
    import pandas as pd

    from keyproj.errors import BadInputError

REFERENCE_COLUMNS: list[str] = [
    "region", "scope", "subset", "period_start", "period_end", "metric", "value", "unit", "qualifier",
    "source_url", "source_title", "published",
]
STAMP_NAME = ".keyproj-build"
"""File in processed/ naming the keyproj version that built the outputs (for the loaders)."""
_OPTIONAL_REFERENCE_COLUMNS = frozenset({"subset", "unit", "qualifier", "source_title", "published"})
_KIND_ORDER = {"document": 0, "reference": 1, "correction": 2}


@dataclass
class BuildResult:
    """What a build wrote: the text tables, where they went, bad documents skipped, and timing."""

    facts_table: "pd.DataFrame"
    panel_table: "pd.DataFrame"
    layout: DataLayout
    bad_inputs: list["BadInputError"] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def facts_path(self) -> Path:
        return self.layout.facts

    @property
    def panel_path(self) -> Path:
        return self.layout.panel

    @cached_property
    def facts(self) -> "pd.DataFrame":
        """facts.csv as :func:`keyproj.loaders.load_facts` returns it (typed)."""
        from keyproj.loaders import typed_facts

        return typed_facts(self.facts_table)

    @cached_property
    def panel(self) -> "pd.DataFrame":
        """panel.csv as :func:`keyproj.loaders.load_panel` returns it (typed)."""
        from keyproj.loaders import typed_panel

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

    def summary(self) -> str:
        """A short report: facts per source kind, panel rows, flagged rows, seconds."""
        kinds = ", ".join(f"{kind} {count}" for kind, count in self.facts_by_kind().items())
        flagged = int((self.panel_table["flags"] != "").sum())
        flags = ", ".join(f"{flag} {count}" for flag, count in self.flag_counts().items())
        lines = [
            f"facts: {len(self.facts_table)} ({kinds}) -> {display_path(self.facts_path)}",
            f"panel: {len(self.panel_table)} rows, {flagged} flagged" + (f" ({flags})" if flags else "")
            + f" -> {display_path(self.panel_path)}",
        ]
        if self.bad_inputs:
            lines.append(f"skipped {len(self.bad_inputs)} bad document(s)")
        lines.append(f"built in {self.seconds:.2f} s")
        return "\n".join(lines)


# ---------------------------------------------------------------- inputs

def read_sources(path: Path) -> dict[str, dict[str, str]]:
    """raw/sources.csv as {file name: metadata row} (keyproj.read.sources); a missing file gives {}.

    Raises :class:`BadInputError` for a malformed sources.csv.
    """
    if not path.exists():
        return {}
    from keyproj.read.sources import read_sources as read_sources_csv

    return read_sources_csv(path)


def _has_documents(raw: Path) -> bool:
    if not raw.is_dir():
        return False
    return any(not path.name.startswith(".") and path.name != "sources.csv" for path in raw.iterdir())


def document_facts(layout: DataLayout) -> tuple[list[dict[str, Any]], list["BadInputError"]]:
    """Facts extracted from the documents of ``layout.raw`` with their metadata, and bad files."""
    from keyproj.panel import normalize_facts

    if not _has_documents(layout.raw):
        return [], []
    from keyproj.errors import BadInputError
    from keyproj.extract import extract_paths

    extracted, errors = extract_paths([layout.raw], jobs=1)
    try:
        sources = read_sources(layout.sources)
    except BadInputError as error:  # documents still count, without dates or URLs
        sources = {}
        if str(error) not in {str(known) for known in errors}:
            errors.append(error)
    by_stem = {Path(name).stem: row for name, row in sources.items()} | sources
    facts = normalize_facts(extracted)
    for fact in facts:
        meta = by_stem.get(fact["doc_id"], {})
        fact["source"] = fact["doc_id"]
        fact["source_kind"] = "document"
        fact["published"] = meta.get("published", "")
        fact["url"] = meta.get("url", "")
        fact["title"] = meta.get("title", "")
    return facts, errors


def reference_facts(layout: DataLayout) -> list[dict[str, Any]]:
    """Facts of every ``reference/*.csv`` (sorted by file name).

    Raises :class:`CorrectionsError` listing every malformed row as 'FILE:LINE: problem'.
    """
    from keyproj.read.sources import normalize_published

    if not layout.reference.is_dir():
        return []
    facts: list[dict[str, Any]] = []
    problems: list[str] = []
    for path in sorted(layout.reference.glob("*.csv")):
        shown = display_path(path)
        try:
            header, rows = read_csv_rows(path)
        except CorrectionsError as error:
            problems.extend(error.problems)
            continue
        missing = [name for name in REFERENCE_COLUMNS
                   if name not in header and name not in _OPTIONAL_REFERENCE_COLUMNS]
        if missing:
            problems.append(f"{shown}:1: missing column(s) {', '.join(missing)}; "
                            f"the columns are {','.join(REFERENCE_COLUMNS)}")
            continue
        for line, cells in rows:
            if len(cells) != len(header):
                problems.append(f"{shown}:{line}: {len(cells)} cells but the header has {len(header)}")
                continue
            row = {name: "" for name in REFERENCE_COLUMNS} | dict(zip(header, cells))
            row_problems = check_key(row)
            if not row["source_url"]:
                row_problems.append("source_url is empty: every reference figure needs its source")
            published = normalize_published(row["published"])
            if published is None:
                row_problems.append(f"published {row['published']!r} is not a date "
                                    "(write YYYY-MM-DD, YYYY-MM or YYYY, or leave it empty)")
            value, problem = parse_value(row["value"], row["metric"]) if not row_problems else (None, None)
            if problem:
                row_problems.append(problem)
            if row_problems:
                problems.extend(f"{shown}:{line}: {text}" for text in row_problems)
                continue
            facts.append({
                "doc_id": "", "region": row["region"], "scope": row["scope"], "subset": row["subset"],
                "period_start": row["period_start"], "period_end": row["period_end"],
                "metric": row["metric"], "value": value, "unit": row["unit"] or _unit(row["metric"]),
                "qualifier": row["qualifier"], "quote": "", "char_start": "", "char_end": "",
                "source": row["source_url"], "source_kind": "reference", "published": published,
                "url": row["source_url"], "title": row["source_title"],
            })
    if problems:
        raise CorrectionsError(problems)
    return facts


def _unit(metric: str) -> str:
    from keyproj.facts import METRIC_UNITS

    return METRIC_UNITS[metric]


# ---------------------------------------------------------------- outputs

def facts_table(facts: list[dict[str, Any]]) -> "pd.DataFrame":
    """Facts as the text table of facts.csv, in a fixed order (region, scope, subset, period,
    metric, source kind, source, value, position in the document)."""
    import pandas as pd

    from keyproj.panel import format_number

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
    from keyproj._version import __version__

    return f"keyproj {__version__}\n"


def build(data_dir: str | Path | None = None, quiet: bool = True) -> BuildResult:
    """Build processed/facts.csv and processed/panel.csv of a data folder; return what was built.

    ``data_dir``: the data folder (default: $KEYPROJ_DATA, else the repository's data/).
    ``quiet=False`` prints a summary (facts per source kind, panel rows, flags, seconds) and the
    bad documents skipped. Raises :class:`keyproj.corrections.CorrectionsError` (a KeyprojError,
    one 'FILE:LINE: problem' per line) when reference or correction rows are malformed, and
    :class:`KeyprojError` when a table breaks its schema; the previous outputs then stay.
    """
    started = time.perf_counter()
    from keyproj.panel import panel_table
    from keyproj.schema import validate
    from keyproj.util.atomic import atomic_write_text

    layout = data_layout(data_dir)
    if not layout.root.is_dir():
        raise KeyprojError(f"data folder {layout.root} does not exist; give an existing folder with "
                           "--data DIR or $KEYPROJ_DATA (it holds raw/, reference/, corrections.csv)")
    problems: list[str] = []
    try:
        reference = reference_facts(layout)
    except CorrectionsError as error:
        problems.extend(error.problems)
        reference = []
    try:
        corrections = read_corrections(layout.corrections)
    except CorrectionsError as error:
        problems.extend(error.problems)
        corrections = []
    if problems:
        raise CorrectionsError(problems)
    documents, bad_inputs = document_facts(layout)
    facts = apply_corrections(documents + reference, corrections, layout.corrections)

    facts_text = facts_table(facts)
    validate(facts_text, FACTS_TABLE, layout.facts)
    panel_text = panel_table(facts)
    validate(panel_text, PANEL_TABLE, layout.panel)
    try:
        atomic_write_text(layout.facts, csv_text(facts_text))
        atomic_write_text(layout.panel, csv_text(panel_text))
        atomic_write_text(layout.processed / STAMP_NAME, stamp_text())
    except OSError as error:
        raise KeyprojError(f"{display_path(layout.processed)}: cannot write the processed tables "
                           f"({error.strerror or error}); check the folder's permissions") from None

    result = BuildResult(facts_text, panel_text, layout, bad_inputs, time.perf_counter() - started)
    for error in bad_inputs:
        print(f"keyproj build: skipped {error}", file=sys.stderr)
    if not quiet:
        print(result.summary())
    return result


def cli_build(args: argparse.Namespace) -> int:
    """`keyproj build [--data DIR] [--quiet]`: build the dataset; 1 when input rows are malformed."""
    try:
        build(getattr(args, "data", None), quiet=getattr(args, "quiet", False))
    except CorrectionsError as error:
        for problem in error.problems:
            print(f"keyproj build: error: {problem}", file=sys.stderr)
        print(f"keyproj build: {len(error.problems)} problem(s); nothing was written", file=sys.stderr)
        return 1
    return 0
