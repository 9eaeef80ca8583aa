"""`keyproj export`: the dataset for other tools (CSV, Excel, Stata, Parquet) with a data dictionary.

Each export folder holds three tables, the panel, the facts and the comparability notes on lists
(keyproj.data.tables: PANEL_TABLE, FACTS_TABLE, LIST_NOTES_TABLE), in one format, and a Frictionless
data package ``datapackage.json`` describing them: column types, units, titles and descriptions,
all taken from the declared tables.

=========  ===========================================  =======================================
format     files                                        types kept
=========  ===========================================  =======================================
csv        panel.csv, facts.csv, list_notes.csv         none (text; the data package types it)
xlsx       keyproj.xlsx: sheets panel, facts,           numbers as numbers, the rest as text
           list_notes, and variables (the dictionary)
dta        panel.dta, facts.dta, list_notes.dta         numbers as double ('.' = missing), text as
           (Stata 15+; variable labels = column titles) str/strL ('' = missing)
parquet    panel.parquet, facts.parquet,                nullable Int64 / Float64, categories as
           list_notes.parquet                           dictionaries, text as strings
=========  ===========================================  =======================================

Periods stay text in every format ('YYYY-MM'; the year 0000 stands for a year the source does not
state, which no date type can hold). In Stata: ``gen m = monthly(period_end, "YM")`` then
``format m %tm`` (missing for year 0000).

**Inert text.** A text cell that a spreadsheet would execute (it starts with = + - @, a tab or a
carriage return) gets a single quote in front, in CSV and xlsx, as OWASP recommends against CSV
injection; so does a text cell that already starts with a quote, so that the rule can be undone:
drop the first character of a text cell that starts with a quote (:func:`restore_text`). Numbers
(validated as numbers) are never changed. Stata and Parquet files are not spreadsheets and keep
the text as it is.

**Atomic.** Every file is rendered in memory first, then each replaces its old version atomically
(keyproj.util.atomic): a failed export leaves the previous one as it was.
"""
from __future__ import annotations

import io
import json
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from keyproj._version import __version__
from keyproj.data.load import ensure_built, load_text_table
from keyproj.data.notes import list_notes_path, notes_table, read_list_notes
from keyproj.data.tables import (
    FACTS_TABLE,
    LIST_NOTES_TABLE,
    PANEL_TABLE,
    Column,
    Table,
    typed,
    typed_facts,
    typed_panel,
)
from keyproj.errors import KeyprojError
from keyproj.paths import REPO_ROOT, data_layout, display_path, input_reason
from keyproj.util.atomic import atomic_write_bytes

if TYPE_CHECKING:
    import pandas as pd

FORMATS: tuple[str, ...] = ("csv", "xlsx", "dta", "parquet")
DEFAULT_EXPORTS = REPO_ROOT / "outputs" / "export"
"""Where exports go without --out: one folder per format (outputs/export/csv, ...)."""
PACKAGE_FILE = "datapackage.json"
WORKBOOK_FILE = "keyproj.xlsx"
TABLES: tuple[Table, ...] = (PANEL_TABLE, FACTS_TABLE, LIST_NOTES_TABLE)
STATA_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,31}")
"""A valid Stata variable name: at most 32 characters."""
STATA_LABEL_MAX = 80
"""Stata variable and data labels: at most 80 characters."""
XLSX_MAX_ROWS = 1_048_576
XLSX_MAX_CELL = 32_767
_UNSAFE_START = ("=", "+", "-", "@", "\t", "\r", "'")
_TABLE_TITLES = {
    "panel": "key-project (重点项目) lists, a row per region x scope x subset x period",
    "facts": "every figure of every source (documents, reference pages, corrections)",
    "list_notes": "comparability notes on lists: which panel rows not to pool, and why",
}
"""Titles of the tables (the data package's and the Stata files' labels, at most 80 characters)."""


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote: the format, the folder, the files and the rows of each table."""

    format: str
    folder: Path
    files: tuple[Path, ...]
    rows: dict[str, int]

    def summary(self) -> str:
        """One line for `keyproj export`."""
        counts = ", ".join(f"{name} {count} rows" for name, count in self.rows.items())
        return f"exported {counts} as {self.format} with {PACKAGE_FILE} -> {display_path(self.folder)}"


# ---------------------------------------------------------------- inert text

def inert_text(text: str) -> str:
    """``text`` as a cell no spreadsheet executes: a quote in front when it starts with = + - @,
    tab, CR or a quote."""
    return "'" + text if text.startswith(_UNSAFE_START) else text


def restore_text(text: str) -> str:
    """The text :func:`inert_text` was given (drops one leading quote)."""
    return text[1:] if text.startswith("'") else text


def _is_number(column: Column) -> bool:
    return column.kind in ("float", "int")


# ---------------------------------------------------------------- the tables

def export_frame(text: "pd.DataFrame", table: Table) -> "pd.DataFrame":
    """The typed view of a text table as exported: as load_panel / load_facts type it (nullable
    numbers, categoricals), but periods stay text ('YYYY-MM') and no ``period`` label is added."""
    if table is PANEL_TABLE:
        frame = typed_panel(text)
    elif table is FACTS_TABLE:
        frame = typed_facts(text)
    else:
        frame = typed(text, table)
    frame = frame[table.names].copy()
    for column in table.columns:
        if column.kind == "period":
            frame[column.name] = text[column.name]
    return frame


def _csv(text: "pd.DataFrame", table: Table) -> bytes:
    import csv

    unsafe = [not _is_number(column) for column in table.columns]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(table.names)
    for row in text.itertuples(index=False, name=None):
        writer.writerow([inert_text(cell) if escape else cell for cell, escape in zip(row, unsafe)])
    return buffer.getvalue().encode("utf-8")


def _parquet(frame: "pd.DataFrame") -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False, engine="pyarrow")
    return buffer.getvalue()


def _stata(frame: "pd.DataFrame", table: Table) -> bytes:
    import pyreadstat

    labels = [column.title for column in table.columns]
    for column in table.columns:
        if not STATA_NAME.fullmatch(column.name) or len(column.title) > STATA_LABEL_MAX:
            raise KeyprojError(f"{table.name}.{column.name}: not a Stata name, or its title is over "
                               f"{STATA_LABEL_MAX} characters (keyproj.data.tables)")
    out = frame.copy()
    for column in table.columns:
        if _is_number(column):
            out[column.name] = out[column.name].astype("float64")  # Stata: double, '.' = missing
        else:
            out[column.name] = out[column.name].astype(str)
    with tempfile.TemporaryDirectory(prefix="keyproj-export-") as folder:
        path = Path(folder) / f"{table.name}.dta"
        pyreadstat.write_dta(out, path, file_label=_TABLE_TITLES[table.name],
                             column_labels=labels)
        return path.read_bytes()


def _xlsx(tables: list[tuple[Table, "pd.DataFrame"]]) -> bytes:
    """One workbook: a sheet per table, numbers as numbers, text made inert, and a variables sheet."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook()  # not write_only: that mode leaves out the sheet dimensions readers rely on
    workbook.remove(workbook.active)
    for table, text in tables:
        if len(text) + 1 > XLSX_MAX_ROWS:
            raise KeyprojError(f"{table.name}: {len(text)} rows do not fit an Excel sheet; "
                               "export as csv, dta or parquet")
        sheet = workbook.create_sheet(table.name)
        sheet.append(table.names)
        converters = [_xlsx_cell(column, ILLEGAL_CHARACTERS_RE.sub) for column in table.columns]
        for row in text.itertuples(index=False, name=None):
            sheet.append([convert(cell) for convert, cell in zip(converters, row)])
    variables = workbook.create_sheet("variables")
    variables.append(["table", "column", "type", "unit", "title", "description"])
    for table, _ in tables:
        for column in table.columns:
            variables.append([table.name, column.name, _field_type(column), column.unit or None,
                              inert_text(column.title) or None, inert_text(column.description) or None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_cell(column: Column, clean: Callable[..., str]) -> Callable[[str], Any]:
    """How a text cell of ``column`` becomes an xlsx value: a number, None (empty) or inert text."""
    if column.kind == "int":
        return lambda cell: int(cell) if cell else None
    if column.kind == "float":
        return lambda cell: float(cell) if cell else None

    def text(cell: str) -> str | None:
        if not cell:
            return None
        if len(cell) > XLSX_MAX_CELL:
            raise KeyprojError(f"{column.name}: a cell of {len(cell)} characters is over Excel's "
                               f"{XLSX_MAX_CELL}; export as csv, dta or parquet")
        return inert_text(clean("\ufffd", cell))  # control characters Excel refuses become U+FFFD
    return text


# ---------------------------------------------------------------- data dictionary

def _field_type(column: Column) -> str:
    return {"float": "number", "int": "integer"}.get(column.kind, "string")


def _field(column: Column) -> dict[str, Any]:
    """A Frictionless Table Schema field of a declared column (``unit`` is a custom property)."""
    field: dict[str, Any] = {"name": column.name, "type": _field_type(column)}
    if column.title:
        field["title"] = column.title
    if column.description:
        field["description"] = column.description
    if column.unit:
        field["unit"] = column.unit
    constraints: dict[str, Any] = {}
    if column.required:
        constraints["required"] = True
    if column.allowed is not None and not column.list_separator:
        constraints["enum"] = [value for value in column.allowed if value]
    if column.minimum is not None:
        constraints["minimum"] = int(column.minimum) if column.kind == "int" else column.minimum
    if column.maximum is not None:
        constraints["maximum"] = int(column.maximum) if column.kind == "int" else column.maximum
    if column.kind == "period":
        constraints["pattern"] = r"\d{4}-(?:0[1-9]|1[0-2])"
    elif column.pattern:
        constraints["pattern"] = column.pattern
    if constraints:
        field["constraints"] = constraints
    return field


def _resource(table: Table, fmt: str) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "name": table.name, "title": _TABLE_TITLES[table.name], "profile": "tabular-data-resource",
        "path": WORKBOOK_FILE if fmt == "xlsx" else f"{table.name}.{fmt}", "format": fmt,
    }
    if fmt == "csv":
        resource |= {"mediatype": "text/csv", "encoding": "utf-8"}
    elif fmt == "xlsx":
        # "sheet" for Data Package v1 readers, "excel" for frictionless 5
        resource["dialect"] = {"sheet": table.name, "excel": {"sheet": table.name}}
    if fmt in ("csv", "xlsx"):
        resource["description"] = ("Text cells starting with = + - @, tab, CR or ' carry one more ' in front "
                                   "(inert in spreadsheets): drop the first character of a text cell "
                                   "starting with '.")
    resource["schema"] = {"fields": [_field(column) for column in table.columns], "missingValues": [""]}
    return resource


def datapackage(fmt: str) -> dict[str, Any]:
    """The Frictionless data package descriptor of an export in format ``fmt``."""
    return {
        "profile": "tabular-data-package",
        "name": "keyproj",
        "title": "Planned vs actual investment of Chinese local governments' key-project (重点项目) lists",
        "description": ("Amounts in 亿元 (100 million yuan), rates and shares of the year in %, leads over "
                        "schedule in percentage points (pp). Periods are months 'YYYY-MM' (year 0000: not "
                        "stated by the source). See docs/dataset.md of keyproj."),
        "version": __version__,
        "resources": [_resource(table, fmt) for table in TABLES],
    }


# ---------------------------------------------------------------- export

def _out_folder(out: str | Path | None, fmt: str, data_dir: str | Path | None = None) -> Path:
    """The export folder, created; a one-line error naming --out when it cannot be written."""
    folder = Path(out).expanduser() if out is not None else DEFAULT_EXPORTS / fmt
    if folder.exists() and not folder.is_dir():
        raise KeyprojError(f"--out {folder}: is a file, not a folder; give a folder to write the export into")
    # The export's facts.csv and panel.csv (inert text) must not replace the processed tables.
    reason = input_reason(folder / "panel.csv", data_dir=data_dir)
    if reason is None and folder.resolve() == data_layout(data_dir).processed:
        reason = "it holds the processed tables, which the export would replace"
    if reason is not None:
        raise KeyprojError(f"--out {folder}: would write over files keyproj reads ({reason}); "
                           "give another folder with --out DIR")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise KeyprojError(f"--out {folder}: cannot create the folder ({error.strerror or error}); "
                           "give a writable folder with --out DIR") from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise KeyprojError(f"--out {folder}: cannot write there (permission denied); "
                           "give a writable folder with --out DIR")
    return folder.resolve()


def render_files(fmt: str, tables: list[tuple[Table, "pd.DataFrame"]]) -> dict[str, bytes]:
    """The bytes of every file of an export (file name -> content), nothing written yet."""
    files: dict[str, bytes] = {}
    if fmt == "xlsx":
        files[WORKBOOK_FILE] = _xlsx(tables)
    for table, text in tables:
        if fmt == "csv":
            files[f"{table.name}.csv"] = _csv(text, table)
        elif fmt == "parquet":
            files[f"{table.name}.parquet"] = _parquet(export_frame(text, table))
        elif fmt == "dta":
            files[f"{table.name}.dta"] = _stata(export_frame(text, table), table)
    files[PACKAGE_FILE] = (json.dumps(datapackage(fmt), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    return files


def export(fmt: str = "csv", out: str | Path | None = None, data_dir: str | Path | None = None) -> ExportResult:
    """Write the panel, the facts and the list notes in format ``fmt`` with ``datapackage.json``.

    ``fmt``: csv, xlsx, dta or parquet; ``out``: the folder (default outputs/export/<fmt>);
    ``data_dir``: the data folder (default $KEYPROJ_DATA, else data/), built first when stale.
    Raises :class:`KeyprojError` (one line naming --format or --out and what to do) on a bad format
    or an unwritable folder; then nothing is written.
    """
    if fmt not in FORMATS:
        raise KeyprojError(f"--format {fmt}: unknown format; use one of {', '.join(FORMATS)}")
    folder = _out_folder(out, fmt, data_dir)
    layout = ensure_built(data_dir)
    notes = notes_table(read_list_notes(list_notes_path(layout.reference)))
    tables = [(PANEL_TABLE, load_text_table(PANEL_TABLE, layout.root)),
              (FACTS_TABLE, load_text_table(FACTS_TABLE, layout.root)), (LIST_NOTES_TABLE, notes)]
    try:
        files = render_files(fmt, tables)
    except ImportError as error:
        raise KeyprojError(f"--format {fmt} needs the package {error.name}: install it "
                           f"(pip install {error.name}) or choose another format") from None
    try:
        for name, content in files.items():
            atomic_write_bytes(folder / name, content)
    except OSError as error:
        raise KeyprojError(f"--out {folder}: cannot write {name} ({error.strerror or error}); "
                           "give a writable folder with --out DIR") from None
    return ExportResult(fmt, folder, tuple(folder / name for name in files),
                        {table.name: len(text) for table, text in tables})
