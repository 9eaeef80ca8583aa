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
"""
from __future__ import annotations

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
    if not 1 <= int(day) <= 31:
        return None
    return f"{year}-{int(month):02d}-{int(day):02d}"


def read_sources(path: Path) -> dict[str, dict[str, str]]:
    """The rows of a sources.csv by file name, each with the keys of ``META_KEYS``.

    Raises BadInputError naming the file (and the line) for missing columns, an empty or
    repeated file name, or a published value that is not a date.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise BadInputError(path, f"cannot read: {error.strerror or error}") from None
    text = decode_text(data, path)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [column for column in SOURCE_COLUMNS if column not in header]
    if missing:
        raise BadInputError(path, f"missing columns: {', '.join(missing)} "
                                  f"(sources.csv needs a header row with {', '.join(SOURCE_COLUMNS)})")
    reader.fieldnames = header
    rows: dict[str, dict[str, str]] = {}
    for row in reader:
        line = reader.line_num
        meta = {key: (row.get(key) or "").strip() for key in META_KEYS}
        if not any(meta.values()):
            continue
        name = meta["file"]
        if not name:
            raise BadInputError(path, f"line {line}: the file column is empty")
        if name in rows:
            raise BadInputError(path, f"line {line}: {name} is listed twice")
        published = normalize_published(meta["published"])
        if published is None:
            raise BadInputError(path, f"line {line}: published {meta['published']!r} is not a date "
                                      f"(write YYYY-MM-DD, YYYY-MM or YYYY, or leave it empty)")
        meta["published"] = published
        meta["sha256"] = meta["sha256"].lower()
        rows[name] = meta
    return rows


def sha256_of(path: Path) -> str:
    """SHA-256 of a file's bytes, in lowercase hex."""
    import hashlib  # here: loading OpenSSL costs start-up time that reading documents does not need

    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
