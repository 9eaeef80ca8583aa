"""Documents: read a .txt, .html/.htm or .pdf file into raw text, normalized text and an offset map.

``raw_text`` is what the file says as text: the decoded file for .txt; for .html/.htm the page's
main text as trafilatura extracts it (navigation, footers, related links and comments left out,
one paragraph per line); for .pdf the text layer of its pages (pypdf), pages separated by a blank
line. In .txt and .pdf text, a two-column page laid out side by side is rewritten as one
column after the other (keyproj.read.layout). ``text`` is ``normalize_text(raw_text)`` and ``offsets`` maps its spans back into
``raw_text`` (not into the HTML or PDF bytes).

Text files may be UTF-8 (with or without a byte-order mark), UTF-16 (with a byte-order mark, or
without one when its NUL bytes show it), GB18030/GBK/GB2312 or Big5; decoding is strict, so a
file is never read with replacement characters. A bad file raises ``BadInputError`` with one line
saying what is wrong and what to do.
"""
from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from keyproj.errors import BadInputError
from keyproj.read.decode import decode_text
from keyproj.read.formats import html_text, pdf_text
from keyproj.read.layout import untangle_columns
from keyproj.read.normalize import OffsetMap, normalize_text
from keyproj.read.sources import META_KEYS, empty_meta, read_sources

__all__ = [
    "DOCUMENT_SUFFIXES", "Document", "DocumentRef", "discover_documents",
    "iter_documents", "read_document",
]

DOCUMENT_SUFFIXES: tuple[str, ...] = (".txt", ".html", ".htm", ".pdf")
SOURCES_FILE = "sources.csv"
_READ_SIZE = 1 << 16  # bytes asked for per read (a seed document is 3-20 KB)


@dataclass(frozen=True)
class Document:
    """One document: metadata, the text as read, the normalized text and the map between them."""

    doc_id: str
    path: Path
    meta: dict[str, str]
    raw_text: str = field(repr=False)
    text: str = field(repr=False)
    offsets: OffsetMap = field(repr=False)

    def to_raw(self, start: int, end: int) -> tuple[int, int]:
        """The span of ``raw_text`` that the span ``[start, end)`` of ``text`` came from."""
        return self.offsets.to_raw(start, end)


@dataclass(frozen=True)
class DocumentRef:
    """A document file found by ``discover_documents``, with its sources.csv row (None if unlisted)."""

    path: Path
    meta: dict[str, str] | None


# ---------------------------------------------------------------- reading

def _supported(name: str) -> bool:
    """Whether a file name has a document's extension (letter case aside)."""
    return os.path.splitext(name)[1].lower() in DOCUMENT_SUFFIXES


def _unsupported(path: Path) -> BadInputError:
    kind = f"file type {path.suffix!r}" if path.suffix else "file without an extension"
    return BadInputError(path, f"unsupported {kind}: keyproj reads .txt, .html, .htm and .pdf documents")


def _read_bytes(path: Path) -> bytes:
    """The bytes of a file, in few system calls: open, read until the end (a document is one read
    and the empty read that ends it), close."""
    handle = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        parts = []
        while part := os.read(handle, _READ_SIZE):
            parts.append(part)
    finally:
        os.close(handle)
    return parts[0] if len(parts) == 1 else b"".join(parts)


def read_document(path: str | Path, meta: dict[str, str] | None = None) -> Document:
    """Read one document file; ``meta`` is its sources.csv row (missing keys become '').

    Raises BadInputError (one line: the file and what to do) for a missing, empty, binary,
    undecodable or unsupported file, an HTML page without main text, a corrupt PDF or a PDF
    without a text layer.
    """
    if not isinstance(path, Path):
        path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in DOCUMENT_SUFFIXES:
        raise _unsupported(path)
    try:
        data = _read_bytes(path)
    except FileNotFoundError:
        raise BadInputError(path, "no such file") from None
    except OSError as error:
        if path.is_dir():
            raise BadInputError(path, "is a folder, not a document") from None
        raise BadInputError(path, f"cannot read: {error.strerror or error}") from None
    if not data:
        raise BadInputError(path, "empty file")
    if suffix in (".html", ".htm"):
        raw_text = html_text(data, path)
    else:
        # Two-column pages become one column after the other before normalization, whose space
        # rules would erase the gap that tells the columns apart.
        raw_text = untangle_columns(pdf_text(data, path) if suffix == ".pdf" else decode_text(data, path))
    text, offsets = normalize_text(raw_text)
    full_meta = empty_meta(path.name)
    if meta:
        full_meta.update({key: str(meta[key]) for key in META_KEYS if meta.get(key) is not None})
        full_meta["file"] = full_meta["file"] or path.name
    return Document(path.stem, path, full_meta, raw_text, text, offsets)


def discover_documents(paths: Sequence[str | Path]) -> tuple[list[DocumentRef], list[BadInputError]]:
    """The documents under ``paths`` (files or folders) with their sources.csv rows, and the errors found.

    A folder is scanned (not recursively, in name order) for .txt, .html, .htm and .pdf files; its
    sources.csv gives each file's metadata. Errors: a path that does not exist, a file with another
    extension, a folder without documents, a sources.csv with missing columns (that folder's files
    are still listed, without metadata), a file listed in sources.csv but absent. A file given by
    itself takes its metadata from a sources.csv beside it.
    """
    refs: list[DocumentRef] = []
    errors: list[BadInputError] = []
    seen: set[str] = set()
    sources: dict[Path, dict[str, dict[str, str]] | None] = {}

    def rows_of(folder: Path) -> dict[str, dict[str, str]] | None:
        key = folder.resolve()
        if key not in sources:
            sources[key] = None
            csv_path = folder / SOURCES_FILE
            if csv_path.is_file():
                try:
                    sources[key] = read_sources(csv_path)
                except BadInputError as error:
                    errors.append(error)
        return sources[key]

    def add(path: Path, rows: dict[str, dict[str, str]] | None, key: str | None = None) -> None:
        key = key or str(path.resolve())
        if key not in seen:
            seen.add(key)
            refs.append(DocumentRef(path, rows.get(path.name) if rows else None))

    for given in paths:
        path = Path(given)
        if path.is_dir():
            rows = rows_of(path)
            folder = str(path.resolve())
            # One directory read (file types come with the entries): no stat or resolve per plain file.
            with os.scandir(path) as entries:
                found = {entry.name: entry.is_symlink() for entry in entries
                         if not entry.name.startswith(".") and _supported(entry.name) and entry.is_file()}
            for name in sorted(found):
                file = path / name
                add(file, rows, None if found[name] else os.path.join(folder, name))
            for name in rows or {}:
                if name not in found and not (path / name).is_file():
                    errors.append(BadInputError(path / name, f"listed in {SOURCES_FILE} but not found: "
                                                             f"add the file or remove its row"))
            if not found and not rows:
                errors.append(BadInputError(path, "no .txt, .html, .htm or .pdf documents in this folder"))
        elif path.is_file():
            if _supported(path.name):
                add(path, rows_of(path.parent))
            else:
                errors.append(_unsupported(path))
        else:
            errors.append(BadInputError(path, "no such file or folder"))
    return refs, errors


def iter_documents(paths: Sequence[str | Path]) -> Iterator[Document | BadInputError]:
    """Every document under ``paths``, read one at a time; problems are yielded as BadInputError
    (those of discovery first), never raised."""
    refs, errors = discover_documents(paths)
    yield from errors
    for ref in refs:
        try:
            yield read_document(ref.path, ref.meta)
        except BadInputError as error:
            yield error
