"""Documents: read a .txt, .html/.htm or .pdf file into raw text, normalized text and an offset map.

``raw_text`` is what the file says as text: the decoded file for .txt; for .html/.htm the page's
main text as trafilatura extracts it (navigation, footers, related links and comments left out,
one paragraph per line); for .pdf the text layer of its pages (pypdf), pages separated by a blank
line. ``text`` is ``normalize_text(raw_text)`` and ``offsets`` maps its spans back into
``raw_text`` (not into the HTML or PDF bytes).

Text files may be UTF-8 (with or without a byte-order mark), UTF-16 (with a byte-order mark, or
without one when its NUL bytes show it), GB18030/GBK/GB2312 or Big5; decoding is strict, so a
file is never read with replacement characters. A bad file raises ``BadInputError`` with one line
saying what is wrong and what to do.
"""
from __future__ import annotations

import codecs
import io
import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from keyproj.errors import BadInputError
from keyproj.read.normalize import OffsetMap, normalize_text
from keyproj.read.sources import META_KEYS, empty_meta, read_sources

__all__ = [
    "DOCUMENT_SUFFIXES", "Document", "DocumentRef", "cli_read", "decode_text", "discover_documents",
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


# ---------------------------------------------------------------- decoding

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)
# charset-normalizer chooses among these when a file is not UTF-8.
_CANDIDATES = ["gb18030", "big5", "cp950", "big5hkscs", "utf_16_le", "utf_16_be"]
# Strict decoders to try for what charset-normalizer names (supersets first where they exist).
_DECODERS = {
    "gb2312": ("gb18030",), "gbk": ("gb18030",), "cp936": ("gb18030",), "gb18030": ("gb18030",),
    "big5": ("big5", "cp950", "big5hkscs"), "cp950": ("cp950", "big5hkscs"), "big5hkscs": ("big5hkscs",),
}
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")
_NOT_CONTROL_BYTES = bytes([*range(0x09, 0x0E), 0x1B, *range(0x20, 0x7F), *range(0x80, 0x100)])  # not _CONTROL
_UNDECODABLE = "cannot decode the text (it is not UTF-8, UTF-16, GB18030/GBK or Big5): save it as UTF-8"


def decode_text(data: bytes, path: str | Path = "<bytes>") -> str:
    """The text of a file's bytes: UTF-8, UTF-16/32 with a byte-order mark, BOM-less UTF-16,
    GB18030/GBK or Big5, decoded strictly. Raises BadInputError for an empty, binary or undecodable file."""
    if not data:
        raise BadInputError(path, "empty file")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _checked(data.decode(encoding), path)
            except UnicodeDecodeError:
                raise BadInputError(path, f"not valid {encoding.upper()} although it starts with its byte-order "
                                          f"mark: save it again as UTF-8") from None
    try:
        text = data.decode("utf-8")  # the usual case first: a strict decode is cheap
    except UnicodeDecodeError:
        pass
    else:
        return _checked(text, path, data)
    if b"\x00" in data:
        text = _bomless_utf16(data)
        if text is None:
            raise BadInputError(path, "binary file (it contains NUL bytes), not a text document: "
                                      "give a .txt, .html or .pdf document")
        return _checked(text, path)
    return _checked(_detected(data, path), path)


def _bomless_utf16(data: bytes) -> str | None:
    """UTF-16 without a byte-order mark: ASCII characters leave NUL bytes on one side only."""
    if len(data) % 2:
        return None
    even, odd = data[0::2].count(0), data[1::2].count(0)
    encoding = "utf-16-le" if odd > 4 * even else "utf-16-be" if even > 4 * odd else None
    if encoding is None:
        return None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    return None if _CONTROL.search(text) else text


def _detected(data: bytes, path: str | Path) -> str:
    """Decode a non-UTF-8 file with the encoding charset-normalizer finds most plausible."""
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=_CANDIDATES).best()
    if best is None:
        raise BadInputError(path, _UNDECODABLE)
    name = best.encoding.lower().replace("-", "_")
    for encoding in _DECODERS.get(name, (name,)):
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    raise BadInputError(path, _UNDECODABLE)


def _checked(text: str, path: str | Path, utf8: bytes | None = None) -> str:
    """``text`` if it is a text document; ``utf8`` is the file's bytes when ``text`` is their UTF-8
    decoding (control characters are then found faster in the bytes: in UTF-8 they are single bytes)."""
    if not text or text.isspace():
        raise BadInputError(path, "empty file (only white space)")
    if utf8 is not None and not utf8.translate(None, _NOT_CONTROL_BYTES):
        return text  # no control character, no NUL
    if "\x00" in text:
        raise BadInputError(path, "binary file (it contains NUL bytes), not a text document: "
                                  "give a .txt, .html or .pdf document")
    if len(_CONTROL.findall(text[:65536])) > max(8, len(text[:65536]) // 100):
        raise BadInputError(path, "binary file (control characters), not a text document: "
                                  "give a .txt, .html or .pdf document")
    return text


# ---------------------------------------------------------------- HTML and PDF

_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)""", re.IGNORECASE)


@contextmanager
def _quiet(*loggers: str) -> Iterator[None]:
    """Silence the warnings libraries log about imperfect files (the caller reports real failures)."""
    import logging  # here: only HTML and PDF files need it

    saved = [(logging.getLogger(name), logging.getLogger(name).level) for name in loggers]
    for logger, _ in saved:
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for logger, level in saved:
            logger.setLevel(level)


def _html_text(data: bytes, path: Path) -> str:
    """The main text of an HTML page (trafilatura), one paragraph per line."""
    html = None
    declared = _META_CHARSET.search(data[:4096])
    if declared is not None:
        name = declared.group(1).decode("ascii").lower().replace("-", "_")
        for encoding in _DECODERS.get(name, (name,)):
            try:
                html = data.decode(encoding)
                break
            except (UnicodeDecodeError, LookupError):
                continue
    if html is None:
        html = decode_text(data, path)
    import trafilatura

    try:
        with _quiet("trafilatura", "htmldate", "courlan"):
            text = trafilatura.extract(html, output_format="txt", include_comments=False, include_tables=True,
                                       include_images=False, deduplicate=False, with_metadata=False)
    except Exception as error:  # trafilatura and lxml raise many kinds on broken markup
        raise BadInputError(path, f"cannot parse the HTML page ({type(error).__name__}: {error})") from None
    if not text or not text.strip():
        if _too_deep(html):
            raise BadInputError(path, "HTML nested more than 255 levels deep, where the parser stops: save the "
                                      "article's text as a .txt file")
        raise BadInputError(path, "no main text found in the HTML page (an index, a script-only or an empty "
                                  "page?): save the article's page itself")
    return text


def _too_deep(html: str) -> bool:
    """Whether the HTML parser gave up on ``html`` for its depth (libxml2 stops at 256 levels)."""
    import lxml.html

    parser = lxml.html.HTMLParser()
    try:
        lxml.html.document_fromstring(html, parser=parser)
    except Exception:  # an empty or broken page: not a question of depth
        pass
    return any("Excessive depth" in entry.message for entry in parser.error_log)


def _pdf_text(data: bytes, path: Path) -> str:
    """The text layer of a PDF (pypdf), pages separated by a blank line."""
    import pypdf

    try:
        with _quiet("pypdf"):
            reader = pypdf.PdfReader(io.BytesIO(data))
            if reader.is_encrypted and not reader.decrypt(""):
                raise BadInputError(path, "encrypted PDF: remove the password (print it to a new PDF) first")
            pages = [page.extract_text() or "" for page in reader.pages]
    except BadInputError:
        raise
    except Exception as error:  # pypdf raises many kinds on a damaged file
        raise BadInputError(path, f"corrupt PDF ({type(error).__name__}: {error}): "
                                  f"download or export it again") from None
    text = "\n\n".join(page.strip("\n") for page in pages)
    if not text.strip():
        raise BadInputError(path, "no text layer (scanned PDF?): run OCR first")
    return text


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
    if suffix == ".pdf":
        raw_text = _pdf_text(data, path)
    elif suffix in (".html", ".htm"):
        raw_text = _html_text(data, path)
    else:
        raw_text = decode_text(data, path)
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
