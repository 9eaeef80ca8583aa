"""What `keyproj render` keeps between runs: the outputs lock, the state file, render keys (what a
report's content depends on), the temporary files a killed render leaves, and the quick check that
lets a render with nothing to do finish without loading the config checker, pandas or a kernel.

This module imports nothing heavy (no pandas, nbformat, jsonschema, nbconvert, papermill): the
command line calls :func:`quick_unchanged` before anything else, and a no-op `keyproj render`
is this module, a few stat calls and hashes, and no write.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from keyproj._version import __version__
from keyproj.errors import KeyprojError
from keyproj.paths import (
    PACKAGE_ROOT,
    REPO_ROOT,
    DataLayout,
    OutputLayout,
    code_files,
    data_layout,
)
from keyproj.util.atomic import atomic_write_text


class Report(Protocol):
    """What the state needs of a keyproj.render.config.Report (which imports the heavy config checker)."""

    @property
    def name(self) -> str: ...

    @property
    def notebook(self) -> Path: ...

    def parameters_json(self) -> str: ...

DEFAULT_CONFIG = REPO_ROOT / "notebooks" / "reports.yaml"
DEFAULT_OUTPUTS = REPO_ROOT / "outputs"
STATE_VERSION = 1


@contextmanager
def render_lock(outputs: OutputLayout) -> Iterator[None]:
    """Hold outputs/.render.lock (non-blocking flock); KeyprojError when another render holds it."""
    outputs.root.mkdir(parents=True, exist_ok=True)
    handle = open(outputs.lock, "a+")
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise KeyprojError(
                f"another keyproj render is writing to {outputs.root} (lock {outputs.lock} is held); "
                "run again when it has finished") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        yield
    finally:
        handle.close()  # closing the descriptor releases the lock


# What keyproj.util.atomic leaves beside an output when a render is killed before the rename:
# '.<file name>.<8 random characters>.tmp'.
_TEMP_FILE = re.compile(r"\..+\.(?:html|ipynb|json)\.[a-z0-9_]{8}\.tmp")


def remove_stale_temp_files(outputs: OutputLayout) -> list[Path]:
    """Delete the temporary files of killed renders from the outputs folders; the paths removed.

    Call it only while holding the render lock: then no other render is writing there.
    """
    removed = []
    for folder in (outputs.root, outputs.html, outputs.notebooks, outputs.failed):
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            if _TEMP_FILE.fullmatch(path.name) and path.is_file():
                path.unlink(missing_ok=True)
                removed.append(path)
    return removed


def read_state_file(outputs: OutputLayout) -> dict[str, Any]:
    """outputs/.render-state.json: ``reports`` (per report), ``last_render`` (ISO time of the last
    run that rendered anything) and ``quick`` (see :func:`quick_unchanged`); {} when unreadable."""
    try:
        data = json.loads(outputs.state.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
        return {}
    return data


def read_state(outputs: OutputLayout) -> dict[str, dict[str, Any]]:
    """The per-report state of earlier renders (empty when missing or unreadable)."""
    reports = read_state_file(outputs).get("reports")
    return reports if isinstance(reports, dict) else {}


def write_if_changed(path: Path, text: str) -> bool:
    """Write ``text`` to ``path`` atomically unless the file already holds exactly it; whether it wrote.

    A re-render with nothing new leaves every file (and its time) as it was.
    """
    try:
        if path.read_text(encoding="utf-8") == text:
            return False
    except (OSError, UnicodeDecodeError):
        pass
    atomic_write_text(path, text)
    return True


def write_state(outputs: OutputLayout, reports: dict[str, dict[str, Any]], **extra: Any) -> None:
    """Write outputs/.render-state.json atomically (only when its content changes); ``extra``: the
    top-level entries (``last_render``, ``quick``) to set, the others kept."""
    data = {key: value for key, value in read_state_file(outputs).items() if key in ("last_render", "quick")}
    data.update(extra)
    data.update({"version": STATE_VERSION, "reports": reports})
    write_if_changed(outputs.state, json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n")


def code_fingerprint() -> str:
    """sha256 of keyproj's own source files: a change of code without a new version still counts."""
    digest = hashlib.sha256()
    for path in code_files():
        digest.update(path.relative_to(PACKAGE_ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def render_key(report: Report, data_hash: str, version: str = __version__, code: str = "") -> str:
    """What a report's content depends on: notebook file, parameters, data fingerprint, keyproj version
    (and the fingerprint of keyproj's code, ``code``)."""
    digest = hashlib.sha256()
    digest.update(report.notebook.read_bytes())
    for part in (report.parameters_json(), data_hash, version, code):
        digest.update(b"\0" + part.encode("utf-8"))
    return digest.hexdigest()


def is_unchanged(report: Report, key: str, state: dict[str, dict[str, Any]], outputs: OutputLayout) -> bool:
    """True when the last render of ``report`` succeeded with the same key and its HTML is still there."""
    entry = state.get(report.name) or {}
    return (entry.get("key") == key and entry.get("last_status") == "ok"
            and outputs.html_of(report.name).is_file())


# ------------------------------------------------------------------ results and the quick no-op check


@dataclass
class RenderResult:
    """What happened to one report: ``ok``, ``unchanged`` (skipped) or ``failed`` with a one-line reason.

    ``seconds``: from the report's start in a ready kernel to its HTML written (kernel start-up apart).
    """

    name: str
    status: str
    seconds: float = 0.0
    reason: str = ""
    rendered_at: str = ""
    key: str = ""


@dataclass
class RenderSummary:
    """The results of one `keyproj render` run, in config order."""

    results: list[RenderResult] = field(default_factory=list)
    seconds: float = 0.0
    kernel_seconds: list[float] = field(default_factory=list)  # start-up of each pooled kernel

    @property
    def failed(self) -> list[RenderResult]:
        return [result for result in self.results if result.status == "failed"]

    @property
    def rendered(self) -> list[RenderResult]:
        return [result for result in self.results if result.status == "ok"]


def _file_part(digest: "hashlib._Hash", path: Path, content: bool) -> None:
    """Feed ``path`` to ``digest``: its bytes (``content``) or its size and time, or that it is missing."""
    digest.update(str(path).encode("utf-8", "surrogateescape") + b"\0")
    try:
        if content:
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        else:
            info = path.stat()
            digest.update(f"{info.st_size} {info.st_mtime_ns}".encode())
    except OSError:
        digest.update(b"missing")


def inputs_key(config_path: Path, only: Sequence[str] | None, layout: DataLayout,
               notebooks: Sequence[Path]) -> str:
    """sha256 of everything a whole render run depends on: the config and its notebooks (bytes), the
    ``--only`` names, the processed tables and build stamp (bytes), the data inputs (size and time
    of every file of raw/, reference/ and corrections.csv: a change means a rebuild is due), and
    keyproj's version and code."""
    digest = hashlib.sha256(f"{__version__}\0{json.dumps(list(only or []))}\0".encode())
    for path in (config_path, *sorted(set(notebooks))):
        _file_part(digest, path, content=True)
    for path in (layout.facts, layout.panel, layout.processed / ".keyproj-build"):
        _file_part(digest, path, content=True)
    inputs = [layout.corrections]
    for folder in (layout.raw, layout.reference):
        if folder.is_dir():
            inputs += [folder, *folder.rglob("*")]
    for path in sorted(inputs):
        _file_part(digest, path, content=False)
    digest.update(code_fingerprint().encode())
    return digest.hexdigest()


def outputs_key(outputs: OutputLayout, names: Sequence[str]) -> str:
    """sha256 of the size and time of each report's HTML and of the index: a page removed or edited
    by hand is rendered again."""
    digest = hashlib.sha256()
    for path in (outputs.index, *(outputs.html_of(name) for name in names)):
        _file_part(digest, path, content=False)
    return digest.hexdigest()


def quick_record(inputs: str, outputs: OutputLayout, names: Sequence[str], notebooks: Sequence[Path]) -> dict[str, Any]:
    """The state file's ``quick`` entry after a run where every report is current."""
    return {"inputs": inputs, "outputs": outputs_key(outputs, names), "names": list(names),
            "notebooks": sorted({str(path) for path in notebooks})}


def _leftovers(outputs: OutputLayout) -> bool:
    """Whether a killed run left temporary files or its data snapshot in the outputs folder."""
    folders = [outputs.root, *(path for path in outputs.root.iterdir() if path.is_dir())] \
        if outputs.root.is_dir() else []
    return any(entry.name.endswith(".tmp") or entry.name == ".render-data"
               for folder in folders for entry in folder.iterdir())


def quick_unchanged(config: str | Path | None, only: Sequence[str] | None, data_dir: str | Path | None,
                    outputs_dir: str | Path | None) -> RenderSummary | None:
    """The summary of a render with nothing to do (every report unchanged), or None when a full
    check is needed: the config, a notebook, the data, its inputs, keyproj's code, a page or the
    index differ from the last run whose reports were all current, or that run failed somewhere.

    Only reads: no lock, no file written, nothing heavy imported.
    """
    started = time.monotonic()
    outputs = OutputLayout(Path(outputs_dir).resolve() if outputs_dir else DEFAULT_OUTPUTS)
    record = read_state_file(outputs).get("quick")
    if not isinstance(record, dict):
        return None
    names, notebooks = record.get("names"), record.get("notebooks")
    if not isinstance(names, list) or not isinstance(notebooks, list):
        return None
    config_path = Path(config).resolve() if config is not None else DEFAULT_CONFIG
    layout = data_layout(data_dir)
    if record.get("outputs") != outputs_key(outputs, names) or _leftovers(outputs):
        return None  # a full run, under the lock, also removes what a killed run left
    if record.get("inputs") != inputs_key(config_path, only, layout, [Path(p) for p in notebooks]):
        return None
    return RenderSummary([RenderResult(str(name), "unchanged") for name in names],
                         seconds=time.monotonic() - started)
