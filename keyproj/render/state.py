"""What `keyproj render` keeps between runs: the outputs lock, the state file, render keys (what a
report's content depends on) and the temporary files a killed render leaves."""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from keyproj._version import __version__
from keyproj.errors import KeyprojError
from keyproj.paths import PACKAGE_ROOT, OutputLayout, code_files
from keyproj.render.config import Report
from keyproj.util.atomic import atomic_write_text

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


def read_state(outputs: OutputLayout) -> dict[str, dict[str, Any]]:
    """The per-report state of earlier renders (empty when missing or unreadable)."""
    try:
        data = json.loads(outputs.state.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
        return {}
    reports = data.get("reports")
    return reports if isinstance(reports, dict) else {}


def write_state(outputs: OutputLayout, reports: dict[str, dict[str, Any]]) -> None:
    """Write outputs/.render-state.json atomically."""
    text = json.dumps({"version": STATE_VERSION, "reports": reports}, ensure_ascii=False, indent=1,
                      sort_keys=True)
    atomic_write_text(outputs.state, text + "\n")


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
