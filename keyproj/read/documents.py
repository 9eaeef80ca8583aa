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

import errno
import os
from collections.abc import Container, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from keyproj.errors import BadInputError
from keyproj.read.decode import decode_text
from keyproj.read.formats import html_text, pdf_text
from keyproj.read.aligned import pipe_aligned_tables
from keyproj.read.layout import untangle_columns
from keyproj.read.normalize import OffsetMap, normalize_text
from keyproj.read.sources import META_KEYS, empty_meta, read_sources_checked

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


def _skipped_entry(path: Path, entry: os.DirEntry[str]) -> BadInputError | None:
    """Why a folder entry is not a document to read, or None when it is one (a regular file, or a
    link to one, with a document's extension). Subfolders are not read (no error: not documents)."""
    try:
        if entry.is_dir():
            if not os.access(entry.path, os.R_OK | os.X_OK):
                return BadInputError(path, "unreadable folder (permission denied): its documents are not read")
            return None
        if entry.is_file():
            return None if _supported(entry.name) else _unsupported(path)
        os.stat(entry.path)  # neither file nor folder: say what it is
    except FileNotFoundError:
        return BadInputError(path, f"dangling link (to {os.readlink(entry.path)!r}, which does not exist): "
                                   "fix or remove the link")
    except OSError as error:
        if error.errno == errno.ELOOP:
            return BadInputError(path, "link loop (the link leads back to itself): fix or remove the link")
        return BadInputError(path, f"cannot read: {error.strerror or error}")
    return BadInputError(path, "not a regular file (a pipe, socket or device): keyproj reads document files")


def _scan_folder(folder: Path, errors: list[BadInputError], listed: Container[str] = ()) -> dict[str, bool] | None:
    """The documents of a folder (name -> whether it is a link), in one directory read (file types
    come with the entries: no stat per plain file). Every entry left out is added to ``errors``
    with its reason; so is a document whose id (file name without extension) another file already
    has (the one ``listed`` in sources.csv is kept, else the first by name). None (and an error) when the folder cannot be read."""
    try:
        with os.scandir(folder) as scan:
            entries = sorted((entry for entry in scan if not entry.name.startswith(".")),
                             key=lambda entry: (entry.name not in listed, entry.name))
    except OSError as error:
        errors.append(BadInputError(folder, f"cannot read the folder: {error.strerror or error}"))
        return None
    found: dict[str, bool] = {}
    ids: dict[str, str] = {}
    for entry in entries:
        if entry.name == SOURCES_FILE:
            continue
        problem = _skipped_entry(folder / entry.name, entry)
        if problem is not None:
            errors.append(problem)
            continue
        if entry.is_dir():
            continue
        stem = os.path.splitext(entry.name)[0]
        if stem in ids:
            errors.append(BadInputError(folder / entry.name, f"same document id {stem!r} as {ids[stem]}: "
                                        "rename one of the two (each document needs its own name)"))
            continue
        ids[stem] = entry.name
        found[entry.name] = entry.is_symlink()
    return found


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
        # Space-aligned tables become pipe tables for the same reason.
        raw_text = pipe_aligned_tables(untangle_columns(pdf_text(data, path) if suffix == ".pdf"
                                                        else decode_text(data, path)))
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
    extension (in a folder too), a pipe, a dangling or looping link, an unreadable folder, a second
    file with a document id already seen (X.txt and X.html), a folder without documents, a sources.csv with missing columns (that folder's files
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
                sources[key], problems = read_sources_checked(csv_path)
                errors.extend(problems)  # each bad row named; the good rows still give metadata
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
            found = _scan_folder(path, errors, rows or ())
            if found is None:
                continue
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
    unique = {(os.path.realpath(error.path), error.reason): error for error in reversed(errors)}
    return refs, list(reversed(unique.values()))  # a file given and found in a folder given: named once


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
