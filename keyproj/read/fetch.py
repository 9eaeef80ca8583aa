"""`keyproj fetch`: snapshot public web pages into a raw folder, with a row each in its sources.csv.

A snapshot is a new file ``web_<url hash>_<content hash>.html`` (or ``.pdf``) holding the bytes
the server sent, written atomically; an existing file is never changed. Its manifest row gives the
requested ``url`` (the one reference rows cite), the ``final_url`` after redirects, the access time
(``accessed``, UTC, ISO 8601), the HTTP status, the content type, the ``sha256`` and the ``size``
in bytes (see keyproj.read.sources). Rows are appended: the rows already there keep their bytes.

Politeness: one request at a time (so at most one per host), ``host_delay`` seconds between two
requests to one host, a clear User-Agent, a timeout, a size cap, and retries with a doubling
backoff on 5xx answers, 429, refused connections and timeouts. A 4xx answer, an oversized or
non-HTML/PDF body, or a page without main text fails at once. Resumable: a URL that sources.csv
already lists with a good status (2xx, or no status for a hand-added row) and whose file exists
is skipped, unless ``refresh``.
"""
from __future__ import annotations

import csv
import hashlib
import http.client
import io
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import Message
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from keyproj._version import __version__
from keyproj.errors import BadInputError, KeyprojError
from keyproj.read.formats import html_text, pdf_text
from keyproj.read.sources import META_KEYS, normalize_published
from keyproj.util.atomic import atomic_write_bytes

FETCH_COLUMNS: tuple[str, ...] = ("final_url", "accessed", "http_status", "content_type", "size")
"""Optional sources.csv columns a fetch fills (after ``META_KEYS``)."""
MANIFEST_COLUMNS: tuple[str, ...] = (*META_KEYS, *FETCH_COLUMNS)
USER_AGENT = (f"keyproj/{__version__} (research snapshots of public government pages for a "
              f"planned-vs-actual dataset; one request at a time)")
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_PDF_TYPES = frozenset({"application/pdf", "application/x-pdf"})
_CHUNK = 1 << 16

Status = Literal["saved", "unchanged", "skipped", "failed"]


@dataclass(frozen=True)
class FetchPolicy:
    """How politely and how patiently to fetch."""

    timeout: float = 30.0
    """Seconds allowed for one request: connecting, then the whole body."""
    max_bytes: int = 20 * 1024 * 1024
    """Largest body kept (bytes); a larger one is refused."""
    attempts: int = 3
    """Tries per URL when the server fails (5xx, 429) or does not answer in time."""
    backoff: float = 2.0
    """Seconds before the second try, doubled before each further one."""
    host_delay: float = 1.0
    """Seconds between two requests to the same host."""
    user_agent: str = USER_AGENT


@dataclass(frozen=True)
class FetchOutcome:
    """What became of one URL: ``status`` and a one-line ``message`` saying why."""

    url: str
    status: Status
    message: str
    file: str = ""
    final_url: str = ""


@dataclass
class _Page:
    status: int
    final_url: str
    content_type: str
    body: bytes


class _Retryable(Exception):
    """A failure worth another try (the server erred, or was too slow)."""


class _Failed(Exception):
    """A failure another try would not mend (404, oversized, wrong type)."""


@dataclass
class _Hosts:
    """When each host was last asked (monotonic seconds), to wait ``host_delay`` between requests."""

    delay: float
    last: dict[str, float] = field(default_factory=dict)

    def wait(self, url: str) -> None:
        """Sleep until ``delay`` seconds have passed since the host's last request ended."""
        pause = self.last.get(urlsplit(url).hostname or "", -1e9) + self.delay - time.monotonic()
        if pause > 0:
            time.sleep(pause)

    def done(self, url: str) -> None:
        self.last[urlsplit(url).hostname or ""] = time.monotonic()


# ---------------------------------------------------------------- HTTP

def _content_type(headers: Message) -> str:
    return (headers.get_content_type() if headers.get("Content-Type") else "").lower()


def _read_body(response: "urllib.response.addinfourl", policy: FetchPolicy, started: float) -> bytes:
    """The body, at most ``policy.max_bytes``, within ``policy.timeout`` seconds of ``started``."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > policy.max_bytes:
        raise _Failed(f"too large: {int(declared)} bytes announced, the cap is {policy.max_bytes} "
                      f"(--max-mb raises it)")
    chunks: list[bytes] = []
    size = 0
    # read1 returns what has arrived: a server sending a byte at a time cannot hold us past the timeout.
    read = getattr(response, "read1", response.read)
    while chunk := read(_CHUNK):
        size += len(chunk)
        if size > policy.max_bytes:
            raise _Failed(f"too large: over {policy.max_bytes} bytes, the cap (--max-mb raises it)")
        if time.monotonic() - started > policy.timeout:
            raise _Retryable(f"too slow: the body took over {policy.timeout:g} s (--timeout raises it)")
        chunks.append(chunk)
    if declared.isdigit() and size < int(declared):  # read1 does not notice a body cut short
        raise _Retryable(f"connection failed: the server hung up after {size} of {declared} bytes")
    return b"".join(chunks)


def _get(url: str, policy: FetchPolicy) -> _Page:
    """One GET (redirects followed); raises _Retryable or _Failed with a one-line reason."""
    request = urllib.request.Request(url, headers={"User-Agent": policy.user_agent,
                                                   "Accept": "text/html, application/pdf;q=0.9"})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=policy.timeout) as response:
            kind = _content_type(response.headers)
            if kind and kind not in _HTML_TYPES | _PDF_TYPES:  # refused before its body is downloaded
                raise _Failed(_not_readable(kind))
            body = _read_body(response, policy, started)
            return _Page(response.status, response.geturl(), kind, body)
    except urllib.error.HTTPError as error:
        reason = f"HTTP {error.code} {error.reason}"
        if error.code >= 500 or error.code == 429:
            raise _Retryable(reason) from None
        raise _Failed(reason) from None
    except TimeoutError:
        raise _Retryable(f"no answer within {policy.timeout:g} s (--timeout raises it)") from None
    except urllib.error.URLError as error:
        reason = error.reason
        if isinstance(reason, TimeoutError):
            raise _Retryable(f"no answer within {policy.timeout:g} s (--timeout raises it)") from None
        raise _Retryable(f"cannot connect: {getattr(reason, 'strerror', None) or reason}") from None
    except (OSError, ValueError, http.client.HTTPException) as error:  # reset or cut mid-body, bad redirect
        raise _Retryable(f"connection failed: {type(error).__name__} {error}".rstrip()) from None


def _get_with_retries(url: str, policy: FetchPolicy, hosts: _Hosts) -> _Page:
    """``_get`` tried up to ``policy.attempts`` times, waiting longer before each new try."""
    pause = policy.backoff
    for attempt in range(1, policy.attempts + 1):
        hosts.wait(url)
        try:
            return _get(url, policy)
        except _Retryable as error:
            if attempt == policy.attempts:
                raise _Failed(f"{error} ({attempt} tries)") from None
        finally:
            hosts.done(url)
        time.sleep(pause)
        pause *= 2
    raise AssertionError("unreachable")


def _suffix(page: _Page) -> str:
    """'.html' or '.pdf' for a body keyproj reads; raises _Failed for any other content."""
    kind = page.content_type
    if kind in _PDF_TYPES or (not kind and page.body.startswith(b"%PDF-")):
        return ".pdf"
    if kind in _HTML_TYPES or (not kind and b"<html" in page.body[:4096].lower()):
        return ".html"
    raise _Failed(_not_readable(kind))


def _not_readable(kind: str) -> str:
    return f"content type {kind or 'unknown'} is not an HTML page or a PDF, which keyproj reads"


# ---------------------------------------------------------------- manifest

@dataclass
class Manifest:
    """A raw folder's sources.csv as fetch sees it: its text, header and rows (all columns)."""

    path: Path
    text: str = ""
    header: list[str] = field(default_factory=list)
    rows: list[dict[str, str]] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path) -> "Manifest":
        """The manifest at ``path`` (empty when there is none); raises BadInputError if unreadable."""
        if not path.exists():
            return cls(path)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise BadInputError(path, f"cannot read: {error.strerror or error}") from None
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise BadInputError(path, "not UTF-8: save it as UTF-8 before fetching into this folder") from None
        reader = csv.DictReader(io.StringIO(text, newline=""))
        header = [name.strip() for name in reader.fieldnames or []]
        reader.fieldnames = header
        rows = [{key: (value or "").strip() for key, value in row.items() if isinstance(key, str)}
                for row in reader]
        return cls(path, text, header, rows)

    def snapshot_of(self, url: str) -> dict[str, str] | None:
        """The last row giving a good snapshot of ``url`` whose file is still there, if any."""
        for row in reversed(self.rows):
            status = row.get("http_status", "")
            good = not status or status.startswith("2")
            if row.get("url") == url and good and (self.path.parent / row.get("file", "")).is_file():
                return row
        return None

    def lists(self, file_name: str) -> bool:
        return any(row.get("file") == file_name for row in self.rows)

    def append(self, row: dict[str, str]) -> None:
        """Add ``row`` and rewrite the file atomically; earlier lines keep their bytes (a header
        lacking the fetch columns gets them added at its end)."""
        if not self.header:
            self.header = list(MANIFEST_COLUMNS)
            self.text = ",".join(self.header) + "\n"
        missing = [name for name in MANIFEST_COLUMNS if name not in self.header]
        if missing:
            first, newline, rest = self.text.partition("\n")
            ending = "\r" if first.endswith("\r") else ""
            self.text = first.removesuffix("\r") + "," + ",".join(missing) + ending + newline + rest
            self.header += missing
        if self.text and not self.text.endswith("\n"):
            self.text += "\n"
        line = io.StringIO()
        csv.writer(line, lineterminator="\r\n" if "\r\n" in self.text else "\n").writerow(
            [row.get(name, "") for name in self.header])
        text = self.text + line.getvalue()
        atomic_write_bytes(self.path, text.encode("utf-8"))
        self.text = text
        self.rows.append(row)


# ---------------------------------------------------------------- fetching

def _check_readable(page: _Page, suffix: str, url: str) -> None:
    """Refuse a body the reader cannot use (a script-only page, a scan without text)."""
    try:
        (pdf_text if suffix == ".pdf" else html_text)(page.body, Path(url))
    except BadInputError as error:
        raise _Failed(error.reason) from None


def _save(url: str, page: _Page, manifest: Manifest, hints: dict[str, str]) -> FetchOutcome:
    """Write the snapshot (a new file) and its manifest row."""
    suffix = _suffix(page)
    _check_readable(page, suffix, url)
    digest = hashlib.sha256(page.body).hexdigest()
    name = f"web_{hashlib.sha256(url.encode('utf-8')).hexdigest()[:12]}_{digest[:8]}{suffix}"
    target = manifest.path.parent / name
    redirected = f", redirected to {page.final_url}" if page.final_url != url else ""
    if manifest.lists(name):
        return FetchOutcome(url, "unchanged", f"same content as {name}{redirected}", name, page.final_url)
    if not target.exists():  # a file left by an interrupted run has these very bytes (its name is their hash)
        atomic_write_bytes(target, page.body)
    row = {"file": name, "published": hints.get("published", ""), "region": hints.get("region", ""),
           "title": hints.get("title", ""), "url": url, "sha256": digest, "final_url": page.final_url,
           "accessed": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
           "http_status": str(page.status), "content_type": page.content_type, "size": str(len(page.body))}
    manifest.append(row)
    return FetchOutcome(url, "saved", f"-> {name} ({page.status} {page.content_type or 'no type'}, "
                                      f"{len(page.body)} bytes{redirected})", name, page.final_url)


def _fetch_one(url: str, manifest: Manifest, policy: FetchPolicy, hosts: _Hosts, refresh: bool,
               hints: dict[str, str]) -> FetchOutcome:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return FetchOutcome(url, "failed", "not an http(s) URL with a host")
    known = None if refresh else manifest.snapshot_of(url)
    if known is not None:
        return FetchOutcome(url, "skipped", f"already in {known['file']} (--refresh fetches it again)",
                            known["file"], known.get("final_url", ""))
    try:
        page = _get_with_retries(url, policy, hosts)
        return _save(url, page, manifest, hints)
    except _Failed as error:
        return FetchOutcome(url, "failed", str(error))
    except OSError as error:
        raise KeyprojError(f"{manifest.path.parent}: cannot write the snapshot ({error.strerror or error}); "
                           f"check the folder's permissions and free space") from None


def fetch_urls(urls: Iterable[str], raw_dir: str | Path, policy: FetchPolicy | None = None,
               refresh: bool = False, hints: dict[str, dict[str, str]] | None = None,
               on_result: Callable[[FetchOutcome], None] | None = None) -> list[FetchOutcome]:
    """Snapshot each URL into ``raw_dir`` (one at a time, in order, each once); return the outcomes.

    ``hints``: manifest values (published, region, title) per URL, e.g. from reference rows.
    ``on_result`` is called after each URL (for progress lines). A URL that fails does not stop
    the others. Raises KeyprojError only when the folder or its sources.csv cannot be used.
    """
    policy = policy or FetchPolicy()
    raw = Path(raw_dir)
    if raw.exists() and not raw.is_dir():
        raise KeyprojError(f"{raw}: not a folder; fetch writes snapshots into a data folder's raw/")
    try:
        raw.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise KeyprojError(f"{raw}: cannot create the folder ({error.strerror or error})") from None
    manifest = Manifest.load(raw / "sources.csv")
    hosts = _Hosts(policy.host_delay)
    outcomes: list[FetchOutcome] = []
    for url in dict.fromkeys(url.strip() for url in urls if url.strip()):
        outcome = _fetch_one(url, manifest, policy, hosts, refresh, (hints or {}).get(url, {}))
        outcomes.append(outcome)
        if on_result is not None:
            on_result(outcome)
    return outcomes


def reference_urls(reference_dir: str | Path) -> dict[str, dict[str, str]]:
    """The distinct ``source_url`` of every ``*.csv`` in a reference folder (files in name order,
    rows in order), each with manifest hints: the region most rows of that URL name, the first
    ``source_title`` and the first valid ``published``. Raises KeyprojError for an unreadable file."""
    regions: dict[str, Counter[str]] = {}
    hints: dict[str, dict[str, str]] = {}
    folder = Path(reference_dir)
    for path in sorted(folder.glob("*.csv")) if folder.is_dir() else []:
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise KeyprojError(f"{path}: cannot read it as UTF-8 ({error})") from None
        for row in csv.DictReader(io.StringIO(text, newline="")):
            url = (row.get("source_url") or "").strip()
            if not url:
                continue
            hint = hints.setdefault(url, {"published": "", "region": "", "title": ""})
            regions.setdefault(url, Counter())[(row.get("region") or "").strip()] += 1
            hint["title"] = hint["title"] or (row.get("source_title") or "").strip()
            hint["published"] = hint["published"] or (normalize_published(row.get("published") or "") or "")
    for url, counts in regions.items():
        hints[url]["region"] = counts.most_common(1)[0][0]
    return hints


def count_by_status(outcomes: Sequence[FetchOutcome]) -> dict[str, int]:
    """How many URLs were saved, unchanged, skipped and failed."""
    counts = Counter(outcome.status for outcome in outcomes)
    return {status: counts.get(status, 0) for status in ("saved", "unchanged", "skipped", "failed")}
