"""sources.csv: one row of metadata per raw document of a folder.

Columns (header row required, any order, extra columns ignored):

=========  ========  ==============================================================
column     required  meaning
=========  ========  ==============================================================
file       yes       the document's file name in the same folder (e.g. 000_x.txt)
published  yes       publication date: YYYY-MM-DD, YYYY-MM or YYYY; empty if unknown
region     yes       the government the document speaks for (e.g. 泉港区)
title      yes       the document's title
url        yes       where it was downloaded from; empty if unknown
sha256     no        SHA-256 of the file's bytes (hex), to notice a changed file
=========  ========  ==============================================================

`keyproj fetch` (keyproj.read.fetch) also writes ``final_url`` (after redirects), ``accessed``
(UTC, ISO 8601), ``http_status``, ``content_type`` and ``size`` (bytes): optional, read only by
fetch (to skip URLs already snapshotted); manifests without them stay valid.
"""
from __future__ import annotations

import calendar
import csv
import io
import re
from pathlib import Path

from keyproj.errors import BadInputError
from keyproj.read.decode import decode_text

SOURCE_COLUMNS: tuple[str, ...] = ("file", "published", "region", "title", "url")
"""Columns sources.csv must have; ``sha256`` is optional."""
META_KEYS: tuple[str, ...] = (*SOURCE_COLUMNS, "sha256")
"""Keys of a document's metadata (every one present, '' when unknown)."""

_DATE = re.compile(r"([0-9]{4})(?:年|[-/.年]([0-9]{1,2})(?:月|[-/.月]([0-9]{1,2})日?)?)?")


def empty_meta(file_name: str = "") -> dict[str, str]:
    """Metadata of a document that sources.csv does not list: every key '' but ``file``."""
    return {key: "" for key in META_KEYS} | {"file": file_name}


def normalize_published(value: str) -> str | None:
    """'YYYY-MM-DD', 'YYYY-MM', 'YYYY' or '' for a date written in a common way; None if it is no date.

    Accepts 2024-11-04, 2024/11/4, 2024.11.4, 2024年11月4日, 2024-11, 2024.
    """
    value = value.strip()
    if not value:
        return ""
    match = _DATE.fullmatch(value)
    if match is None:
        return None
    year, month, day = match.groups()
    if month is None:
        return year
    if not 1 <= int(month) <= 12:
        return None
    if day is None:
        return f"{year}-{int(month):02d}"
    if not 1 <= int(day) <= calendar.monthrange(int(year), int(month))[1]:
        return None  # 2024-02-31 is no date (nor 2023-02-29)
    return f"{year}-{int(month):02d}-{int(day):02d}"


def read_sources(path: Path) -> dict[str, dict[str, str]]:
    """The rows of a sources.csv by file name, each with the keys of ``META_KEYS``.

    Raises BadInputError naming the file and the line for missing columns, an empty or
    repeated file name, or a published value that is not a date (the first such problem).
    """
    rows, problems = read_sources_checked(path)
    if problems:
        raise problems[0]
    return rows


def read_sources_checked(path: Path) -> tuple[dict[str, dict[str, str]], list[BadInputError]]:
    """The good rows of a sources.csv by file name, and one BadInputError per bad row ('line N: ...').

    A file that cannot be read or lacks a column gives no rows and one error (line 1). A bad row is
    left out; the first of two rows for one file is kept.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        return {}, [BadInputError(path, f"cannot read: {error.strerror or error}")]
    try:
        text = decode_text(data, path)
    except BadInputError as error:
        return {}, [error]
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [column for column in SOURCE_COLUMNS if column not in header]
    if missing:
        return {}, [BadInputError(path, f"line 1: missing columns: {', '.join(missing)} "
                                        f"(sources.csv needs a header row with {', '.join(SOURCE_COLUMNS)})")]
    reader.fieldnames = header
    rows: dict[str, dict[str, str]] = {}
    problems: list[BadInputError] = []
    try:
        for row in reader:
            problem = _add_row(rows, row, reader.line_num)
            if problem:
                problems.append(BadInputError(path, problem))
    except csv.Error as error:
        problems.append(BadInputError(path, f"line {reader.line_num}: not valid CSV ({error})"))
    return rows, problems


def _add_row(rows: dict[str, dict[str, str]], row: dict[str, str | None], line: int) -> str | None:
    """Add one sources.csv row to ``rows``; the problem with it ('line N: ...'), if any."""
    meta = {key: (row.get(key) or "").strip() for key in META_KEYS}
    if not any(meta.values()):
        return None
    name = meta["file"]
    if not name:
        return f"line {line}: the file column is empty"
    if name in rows:
        return f"line {line}: {name} is listed twice: keep one row per file"
    published = normalize_published(meta["published"])
    if published is None:
        return (f"line {line}: published {meta['published']!r} is not a date "
                f"(write YYYY-MM-DD, YYYY-MM or YYYY, or leave it empty)")
    meta["published"] = published
    meta["sha256"] = meta["sha256"].lower()
    rows[name] = meta
    return None


def sha256_of(path: Path) -> str:
    """SHA-256 of a file's bytes, in lowercase hex."""
    import hashlib  # here: loading OpenSSL costs start-up time that reading documents does not need

    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
