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
raw/ (documents, sources.csv), reference/ (figures, notes/), corrections.csv, or the keyproj package itself.
"""
from __future__ import annotations

import difflib
import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from keyproj.data.build import STAMP_NAME, build, stamp_text
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
from keyproj.paths import DataLayout, code_files, data_layout

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["load_facts", "load_panel", "load_text_table", "known_regions", "ensure_built", "is_stale",
           "typed_facts", "typed_panel"]


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
    """Whether processed/facts.csv or panel.csv is missing, older than an input, or built by
    another keyproj version."""
    layout = data_layout(data_dir)
    outputs = [layout.facts, layout.panel, layout.processed / STAMP_NAME]
    try:
        oldest_output = min(path.stat().st_mtime_ns for path in outputs)
        if (layout.processed / STAMP_NAME).read_text(encoding="utf-8") != stamp_text():
            return True
    except FileNotFoundError:
        return True
    for path in _input_files(layout):
        try:
            if path.stat().st_mtime_ns > oldest_output:
                return True
        except FileNotFoundError:  # removed while we looked: the folder's mtime tells
            continue
    return False


@contextmanager
def _build_lock(layout: DataLayout) -> Iterator[None]:
    """One build at a time per data folder (notebooks rendered in parallel all load at once)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on POSIX: builds are still atomic, only repeated
        yield
        return
    layout.processed.mkdir(parents=True, exist_ok=True)
    with open(layout.processed / ".build.lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure_built(data_dir: str | Path | None = None) -> DataLayout:
    """The data folder's layout, after building its processed tables if they are out of date."""
    layout = data_layout(data_dir)
    if not layout.root.is_dir():
        raise KeyprojError(f"data folder {layout.root} does not exist; give an existing folder as "
                           "data_dir or $KEYPROJ_DATA (it holds raw/, reference/, corrections.csv)")
    if is_stale(layout.root):
        with _build_lock(layout):
            if is_stale(layout.root):  # another process may have built it meanwhile
                build(layout.root)
    return layout


# ---------------------------------------------------------------- typed tables

def _read_text_table(path: Path) -> "pd.DataFrame":
    import pandas as pd

    return pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8")


def load_facts(data_dir: str | Path | None = None) -> "pd.DataFrame":
    """Every fact of every source (processed/facts.csv), typed; builds first if out of date.

    Columns: keyproj.facts.FACT_COLUMNS plus source (document id, reference URL or
    'correction:<author>'), source_kind, published, url, title, and the text label ``period``.
    ``value`` is in the fact's ``unit`` (亿元, count, %, pp).
    """
    layout = ensure_built(data_dir)
    text = _read_text_table(layout.facts)
    validate(text, FACTS_TABLE, layout.facts)
    return typed_facts(text)


def load_text_table(table: Table, data_dir: str | Path | None = None) -> "pd.DataFrame":
    """processed/facts.csv or panel.csv (``table``: FACTS_TABLE or PANEL_TABLE) exactly as stored:
    every cell text, '' = missing, checked against ``table``; builds first if out of date."""
    layout = ensure_built(data_dir)
    paths = {FACTS_TABLE.name: layout.facts, PANEL_TABLE.name: layout.panel}
    if table.name not in paths:
        raise ValueError(f"table {table.name!r} is not a processed table (facts, panel)")
    text = _read_text_table(paths[table.name])
    validate(text, table, paths[table.name])
    return text


def _panel(layout: DataLayout) -> "pd.DataFrame":
    text = _read_text_table(layout.panel)
    validate(text, PANEL_TABLE, layout.panel)
    return typed_panel(text)


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
    return select_panel(_panel(ensure_built(data_dir)), region, scope, years)


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
    return list(_panel(ensure_built(data_dir))["region"].cat.categories)


FINGERPRINT_LENGTH = 12
"""Hex digits of the data fingerprint shown in reports."""


def data_fingerprint(data_dir: str | Path | None = None) -> str:
    """Short sha256 of the processed facts.csv and panel.csv (12 hex digits): which data a report used.

    Raises KeyprojError when the dataset has not been built yet.
    """
    layout = data_layout(data_dir)
    digest = hashlib.sha256()
    for path in (layout.facts, layout.panel):
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise KeyprojError(f"{path} not found: build the dataset first (keyproj build, or make data)") from None
        digest.update(path.name.encode() + b"\0" + data)
    return digest.hexdigest()[:FINGERPRINT_LENGTH]
