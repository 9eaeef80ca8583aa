"""The notebooks' API: the processed tables as typed DataFrames, built first when out of date.

``load_facts()`` and ``load_panel(region=..., scope=..., years=...)`` read processed/facts.csv and
processed/panel.csv of a data folder (``data_dir``, else $KEYPROJ_DATA, else the repository's
data/), check them against keyproj.data.tables, and return them typed:

- region, scope, subset, metric, unit, qualifier, source_kind: categoricals;
- numbers: nullable ``Float64`` (amounts in 亿元, rates in %, leads in percentage points) and
  ``Int64`` (counts, year);
- period_start, period_end: ``Period[M]`` (NaT when the source states no year, '0000');
  ``year``: Int64 (<NA> when unknown); ``period``: the period as text, e.g. '2024-01..2024-09'.

The tables are rebuilt (keyproj.data.build.build) when missing or older than any input: the files of
raw/ (documents, sources.csv), reference/ (figures, notes/), corrections.csv, or the keyproj package
itself, and when they are not the generation the build stamp (processed/.keyproj-build) names: a
table cut short, changed, with NUL bytes, or left by an interrupted build. Every loader reads
facts.csv and panel.csv together under the shared build lock (:func:`read_generation`), so it
never sees one table of one build and the other of another.
"""
from __future__ import annotations

import difflib
import hashlib
import io
from collections.abc import Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from keyproj.data.build import STAMP_NAME, build_lock, build_locked, parse_stamp, table_problem, version_line
from keyproj.data.tables import (
    FACTS_TABLE,
    PANEL_TABLE,
    SCOPES,
    Table,
    typed_facts,
    typed_panel,
    validate,
)
from keyproj.errors import KeyprojError
from keyproj.paths import DATA_HOLDS, DataLayout, code_files, data_layout

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["load_facts", "load_panel", "load_text_table", "known_regions", "ensure_built", "is_stale",
           "read_generation", "Generation", "typed_facts", "typed_panel"]


# ---------------------------------------------------------------- freshness

def _input_files(layout: DataLayout) -> Iterator[Path]:
    """Everything the processed tables depend on (folders count: removing a file changes them)."""
    for folder in (layout.raw, layout.reference):
        if folder.is_dir():
            yield folder
            yield from (path for path in folder.rglob("*") if not path.name.startswith("."))
    if layout.corrections.exists():
        yield layout.corrections
    yield from code_files()


def is_stale(data_dir: str | Path | None = None) -> bool:
    """Whether processed/facts.csv or panel.csv is missing, older than an input, built by another
    keyproj version, or not the generation its stamp names (cut short, changed, or one table of
    an interrupted build). In a folder without raw/ and reference/ (a snapshot of the tables), the
    age of corrections.csv and of keyproj's code is not compared: there is nothing to build from."""
    layout = data_layout(data_dir)
    outputs = [layout.facts, layout.panel, layout.processed / STAMP_NAME]
    try:
        oldest_output = min(path.stat().st_mtime_ns for path in outputs)
        version, tables = parse_stamp((layout.processed / STAMP_NAME).read_text(encoding="utf-8"))
        if version != version_line():
            return True
        for path in (layout.facts, layout.panel):
            if table_problem(path.name, path.read_bytes(), tables.get(path.name)) is not None:
                return True
    except (FileNotFoundError, UnicodeDecodeError):
        return True
    if not (layout.raw.is_dir() or layout.reference.is_dir()):
        # Tables without their sources (a render's snapshot, a copy of processed/): building them
        # again would give empty tables, so whole tables of this keyproj version stay current.
        return False
    for path in _input_files(layout):
        try:
            if path.stat().st_mtime_ns > oldest_output:
                return True
        except OSError:  # removed while we looked (the folder's mtime tells), a dangling link
            continue
    return False


def ensure_built(data_dir: str | Path | None = None) -> DataLayout:
    """The data folder's layout, after building its processed tables if they are out of date
    (one build at a time: a second caller waits, then finds them built)."""
    layout = data_layout(data_dir)
    if not layout.root.is_dir():
        raise KeyprojError(f"data folder {layout.root} does not exist; give an existing folder as "
                           f"data_dir or $KEYPROJ_DATA (it holds {DATA_HOLDS})")
    if is_stale(layout.root):
        with build_lock(layout):
            if is_stale(layout.root):  # another process may have built it meanwhile
                build_locked(layout)
    return layout


@dataclass(frozen=True)
class Generation:
    """One build's facts.csv and panel.csv, read together and checked against their stamp.

    ``fingerprint``: the short sha256 of both (as :func:`data_fingerprint`), which reports show.
    """

    layout: DataLayout
    facts_bytes: bytes = field(repr=False)
    panel_bytes: bytes = field(repr=False)
    fingerprint: str

    def text_table(self, table: Table) -> "pd.DataFrame":
        """facts or panel (``table``: FACTS_TABLE or PANEL_TABLE) as stored, checked against ``table``."""
        data, path = {FACTS_TABLE.name: (self.facts_bytes, self.layout.facts),
                      PANEL_TABLE.name: (self.panel_bytes, self.layout.panel)}[table.name]
        text = _parse_text_table(data, path)
        validate(text, table, path)
        return text

    def facts(self) -> "pd.DataFrame":
        """The facts, typed as :func:`load_facts` returns them."""
        return typed_facts(self.text_table(FACTS_TABLE))

    def panel(self) -> "pd.DataFrame":
        """The panel, typed as :func:`load_panel` returns it (unfiltered)."""
        return typed_panel(self.text_table(PANEL_TABLE))


def read_generation(data_dir: str | Path | None = None, rebuild: bool = True) -> Generation:
    """facts.csv and panel.csv of one build, read together (under the shared build lock, so no build
    publishes in between) and checked against the build stamp: a render that takes its data from
    one Generation shows one version of the data on every page. ``rebuild``: build first when out
    of date (else read what is there). Raises KeyprojError naming the file when a table is
    missing, cut short, changed, contains NUL bytes or belongs to another build."""
    layout = ensure_built(data_dir) if rebuild else data_layout(data_dir)
    with build_lock(layout, shared=True):
        try:
            stamp = (layout.processed / STAMP_NAME).read_text(encoding="utf-8")
            data = {path.name: path.read_bytes() for path in (layout.facts, layout.panel)}
        except FileNotFoundError as error:
            raise KeyprojError(f"{error.filename} not found: build the dataset first "
                               "(keyproj build, or make data)") from None
    _, tables = parse_stamp(stamp)
    for path in (layout.facts, layout.panel):
        problem = table_problem(path.name, data[path.name], tables.get(path.name))
        if problem is not None:
            raise KeyprojError(f"{path}: {problem}; run keyproj build to write it again")
    return Generation(layout, data["facts.csv"], data["panel.csv"], _fingerprint(data["facts.csv"], data["panel.csv"]))


# ---------------------------------------------------------------- typed tables

def _parse_text_table(data: bytes, path: Path) -> "pd.DataFrame":
    import pandas as pd

    if b"\0" in data:
        raise KeyprojError(f"{path}: contains NUL bytes (a damaged file); run keyproj build to write it again")
    try:
        return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8")
    except (ValueError, UnicodeDecodeError) as error:  # pandas' ParserError and EmptyDataError are ValueErrors
        raise KeyprojError(f"{path}: not a readable table ({error}); run keyproj build to write it again") from None


def load_facts(data_dir: str | Path | None = None) -> "pd.DataFrame":
    """Every fact of every source (processed/facts.csv), typed; builds first if out of date.

    Columns: keyproj.facts.FACT_COLUMNS plus source (document id, reference URL or
    'correction:<author>'), source_kind, published, url, title, and the text label ``period``.
    ``value`` is in the fact's ``unit`` (亿元, count, %, pp).
    """
    return read_generation(data_dir).facts()


def load_text_table(table: Table, data_dir: str | Path | None = None) -> "pd.DataFrame":
    """processed/facts.csv or panel.csv (``table``: FACTS_TABLE or PANEL_TABLE) exactly as stored:
    every cell text, '' = missing, checked against ``table``; builds first if out of date."""
    if table.name not in (FACTS_TABLE.name, PANEL_TABLE.name):
        raise ValueError(f"table {table.name!r} is not a processed table (facts, panel)")
    return read_generation(data_dir).text_table(table)


def _as_list(value: str | Iterable[str], name: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    try:
        values = list(value)
    except TypeError:
        raise ValueError(f"{name}: give one {name} or a list of them, not {value!r}") from None
    if not all(isinstance(item, str) for item in values):
        raise ValueError(f"{name}: give {name} names as text, not {values!r}")
    return values


def closest_match(value: str, known: Iterable[str], cutoff: float = 0.3) -> str | None:
    """The known name closest to ``value`` (difflib ratio), or None when none is close.

    Ties go to the name sharing more characters at the same places: with 200 regions, 泉洲市 is as
    close to 阳泉市 as to 泉州市 by ratio alone.
    """
    candidates = difflib.get_close_matches(value, list(known), n=5, cutoff=cutoff)
    if not candidates:
        return None

    def score(name: str) -> tuple[float, int]:
        ratio = difflib.SequenceMatcher(None, value, name).ratio()
        return round(ratio, 6), sum(a == b for a, b in zip(value, name))

    return max(candidates, key=score)  # max keeps the first of equals: difflib's order


def _check_known(values: list[str], known: list[str], what: str) -> None:
    for value in values:
        if value not in known:
            close = closest_match(value, known)
            hint = f"; did you mean {close!r}?" if close else ""
            raise ValueError(f"unknown {what} {value!r}: known {what}s are {', '.join(known)}{hint}")


def _years(years: int | range | Iterable[int]) -> list[int]:
    if isinstance(years, bool):
        raise ValueError(f"years: give a year such as 2024, a range or a list of years, not {years!r}")
    if isinstance(years, int):
        return [years]
    try:
        values = list(years)  # type: ignore[arg-type]
    except TypeError:
        raise ValueError(f"years: give a year such as 2024, a range or a list of years, not {years!r}") from None
    if isinstance(years, str) or not all(isinstance(year, int) and not isinstance(year, bool) for year in values):
        raise ValueError(f"years: give whole years such as 2024 (int), a range or a list of them, not {years!r}")
    return values


def load_panel(region: str | Iterable[str] | None = None, scope: str | Iterable[str] | None = None,
               years: int | range | Iterable[int] | None = None,
               data_dir: str | Path | None = None) -> "pd.DataFrame":
    """The panel (processed/panel.csv), typed and filtered; builds first if out of date.

    ``region`` / ``scope``: one name or a list (an unknown one raises ValueError listing the known
    ones and the closest match). ``years``: an int, a range or a list (rows of an unknown year are
    then left out). One row per region x scope x subset x period; amounts in 亿元, rates and
    elapsed share in %, ahead_of_schedule / ahead_calc in percentage points.
    """
    return select_panel(read_generation(data_dir).panel(), region, scope, years)


def select_panel(panel: "pd.DataFrame", region: str | Iterable[str] | None = None,
                 scope: str | Iterable[str] | None = None,
                 years: int | range | Iterable[int] | None = None) -> "pd.DataFrame":
    """Rows of a loaded panel for ``region``, ``scope`` and ``years`` (each as :func:`load_panel`
    takes them; None keeps all): a report loads the panel once and selects from it."""
    keep = None
    if region is not None:
        regions = _as_list(region, "region")
        _check_known(regions, list(panel["region"].cat.categories), "region")
        keep = panel["region"].isin(regions)
    if scope is not None:
        scopes = _as_list(scope, "scope")
        known = [value for value in SCOPES if value in set(panel["scope"].cat.categories) or "+" not in value]
        _check_known(scopes, known, "scope")
        mask = panel["scope"].isin(scopes)
        keep = mask if keep is None else keep & mask
    if years is not None:
        mask = panel["year"].isin(_years(years)).fillna(False).astype(bool)
        keep = mask if keep is None else keep & mask
    if keep is None:
        return panel
    selected = panel[keep.to_numpy(dtype=bool)].reset_index(drop=True)
    for column in ("region", "scope"):
        selected[column] = selected[column].cat.remove_unused_categories()
    return selected


def known_regions(data_dir: str | Path | None = None) -> list[str]:
    """The regions of the panel, sorted (builds first if out of date)."""
    return list(read_generation(data_dir).panel()["region"].cat.categories)


FINGERPRINT_LENGTH = 12
"""Hex digits of the data fingerprint shown in reports."""


def data_fingerprint(data_dir: str | Path | None = None) -> str:
    """Short sha256 of the processed facts.csv and panel.csv (12 hex digits): which data a report used.

    Raises KeyprojError when the dataset has not been built yet.
    """
    layout = data_layout(data_dir)
    with build_lock(layout, shared=True) if layout.processed.is_dir() else nullcontext():
        try:
            data = [path.read_bytes() for path in (layout.facts, layout.panel)]
        except FileNotFoundError as error:
            raise KeyprojError(f"{error.filename} not found: build the dataset first "
                               "(keyproj build, or make data)") from None
    return _fingerprint(*data)


def _fingerprint(facts: bytes, panel: bytes) -> str:
    digest = hashlib.sha256()
    for name, data in (("facts.csv", facts), ("panel.csv", panel)):
        digest.update(name.encode() + b"\0" + data)
    return digest.hexdigest()[:FINGERPRINT_LENGTH]
