"""Main text of HTML pages (trafilatura) and text layers of PDF files (pypdf)."""
from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from keyproj.errors import BadInputError
from keyproj.read.decode import DECODERS, decode_text

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


def html_text(data: bytes, path: Path) -> str:
    """The main text of an HTML page (trafilatura), one paragraph per line."""
    html = None
    declared = _META_CHARSET.search(data[:4096])
    if declared is not None:
        name = declared.group(1).decode("ascii").lower().replace("-", "_")
        for encoding in DECODERS.get(name, (name,)):
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


def pdf_text(data: bytes, path: Path) -> str:
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


