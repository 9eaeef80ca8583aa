"""`keyproj render`: run every (notebook, parameters) report of a config and export HTML for readers.

For each report of notebooks/reports.yaml the notebook is parameterized with papermill, executed
with nbclient in a pooled kernel (started once, libraries already imported, namespace reset before
each report), saved to outputs/notebooks/<name>.ipynb and exported to outputs/html/<name>.html;
outputs/html/index.html links them all. A report whose notebook, parameters, data and keyproj
version (and source code) are unchanged since its last good render is skipped unless ``force``
(state in outputs/.render-state.json). A failing report keeps its previous HTML, leaves
outputs/failed/<name>.ipynb, and the others still render. outputs/.render.lock keeps two renders
from writing the same outputs at once. Every file is written atomically, so a render killed at any
point leaves the previous outputs whole; the next render removes the temporary files it left.
"""
from __future__ import annotations

import argparse
import asyncio
import copy
import fcntl
import hashlib
import json
import os
import re
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from keyproj._version import __version__
from keyproj.errors import KeyprojError
from keyproj.paths import DATA_ENV, REPO_ROOT, DataLayout, data_layout
from keyproj.render_config import RenderConfig, Report, load_config
from keyproj.render_report import data_fingerprint
from keyproj.util.atomic import atomic_write_text

if TYPE_CHECKING:
    from nbconvert import HTMLExporter
    from nbformat import NotebookNode

DEFAULT_OUTPUTS = REPO_ROOT / "outputs"
STATE_VERSION = 1
KERNEL_START_TIMEOUT = 120.0
DEFAULT_KERNEL = "python3"
WARM_UP_CODE = "import keyproj.render_kernel as _keyproj_kernel; _keyproj_kernel.warm_up()"
RESET_CODE = "__import__('keyproj.render_kernel').render_kernel.fresh_namespace({cwd!r})"


@dataclass(frozen=True)
class OutputLayout:
    """The folders and files `keyproj render` writes under the outputs folder."""

    root: Path

    @property
    def notebooks(self) -> Path:
        return self.root / "notebooks"

    @property
    def html(self) -> Path:
        return self.root / "html"

    @property
    def failed(self) -> Path:
        return self.root / "failed"

    @property
    def state(self) -> Path:
        return self.root / ".render-state.json"

    @property
    def lock(self) -> Path:
        return self.root / ".render.lock"

    @property
    def index(self) -> Path:
        return self.html / "index.html"

    def notebook_of(self, name: str) -> Path:
        return self.notebooks / f"{name}.ipynb"

    def html_of(self, name: str) -> Path:
        return self.html / f"{name}.html"

    def failed_of(self, name: str) -> Path:
        return self.failed / f"{name}.ipynb"


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


# ---------------------------------------------------------------------------------------------
# Lock and state


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
    from keyproj.paths import PACKAGE_ROOT, code_files

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


# ---------------------------------------------------------------------------------------------
# Notebooks


_SOURCE_CACHE: dict[Path, tuple[float, "NotebookNode"]] = {}


def read_notebook(path: Path) -> "NotebookNode":
    """A fresh copy of a source notebook (parsed once per process)."""
    import nbformat

    mtime = path.stat().st_mtime
    cached = _SOURCE_CACHE.get(path)
    if cached is None or cached[0] != mtime:
        cached = (mtime, nbformat.read(path, as_version=4))
        _SOURCE_CACHE[path] = cached
    return copy.deepcopy(cached[1])


def kernel_name_of(nb: "NotebookNode") -> str:
    """The kernel a notebook asks for (python3 by default)."""
    return str(nb.metadata.get("kernelspec", {}).get("name") or DEFAULT_KERNEL)


def parameterize(report: Report) -> "NotebookNode":
    """The report's notebook with papermill's injected-parameters cell after its ``parameters`` cell."""
    from papermill.parameterize import parameterize_notebook

    nb = read_notebook(report.notebook)
    for cell in nb.cells:  # papermill looks up tags on every cell
        cell.metadata.setdefault("tags", [])
    nb.metadata.setdefault("papermill", {})
    nb.metadata.papermill.update({
        "input_path": str(report.notebook),
        "parameters": {},
        "keyproj_report": report.name,
    })
    nb = parameterize_notebook(nb, dict(report.parameters), kernel_name=kernel_name_of(nb), language="python")
    for cell in nb.cells:  # papermill gives the injected cell a random id; the HTML must not change
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"
    return nb


def error_line(nb: "NotebookNode") -> str:
    """``Name: message`` of the first error output of an executed notebook (first line only)."""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                value = str(output.get("evalue", "")).strip().splitlines()
                return f"{output.get('ename', 'Error')}: {value[0] if value else ''}".strip()
    return ""


def mark_failed(nb: "NotebookNode", reason: str) -> "NotebookNode":
    """Put a notice with the one-line reason at the top of a failed notebook (text escaped)."""
    import html

    import nbformat

    notice = nbformat.v4.new_markdown_cell(
        f'<span style="color:#b00;font-weight:bold">keyproj render failed:</span> '
        f"<code>{html.escape(reason, quote=False)}</code>")
    notice.metadata["tags"] = ["keyproj-render-error"]
    nb.cells.insert(0, notice)
    return nb


def notebook_json(nb: "NotebookNode") -> str:
    """A notebook as .ipynb JSON text."""
    import nbformat

    return nbformat.writes(nb)


# ---------------------------------------------------------------------------------------------
# Kernel pool


class ReportFailure(Exception):
    """A report that could not be rendered; ``reason`` is one line, ``notebook`` what ran (if anything)."""

    def __init__(self, reason: str, notebook: "NotebookNode | None", kernel_broken: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.notebook = notebook
        self.kernel_broken = kernel_broken


class PooledKernel:
    """A kernel started once, with the report libraries imported, that runs one report after another."""

    def __init__(self, kernel_name: str, env: dict[str, str], cwd: Path) -> None:
        self.kernel_name = kernel_name
        self.env = env
        self.cwd = cwd
        self.km: Any = None
        self.kc: Any = None

    async def start(self) -> None:
        """Start the kernel and its client, then import the libraries of the reports."""
        from jupyter_client.manager import AsyncKernelManager

        self.km = AsyncKernelManager(kernel_name=self.kernel_name)
        await self.km.start_kernel(
            env=self.env, cwd=str(self.cwd),
            # ERROR: no warning about plain-TCP transport on loopback for every kernel started.
            extra_arguments=["--HistoryManager.hist_file=:memory:", "--IPKernelApp.log_level=ERROR"],
        )
        self.kc = self.km.client()
        self.kc.start_channels()
        await self.kc.wait_for_ready(timeout=KERNEL_START_TIMEOUT)
        await self.run_silently(WARM_UP_CODE)

    async def run_silently(self, code: str, timeout: float = KERNEL_START_TIMEOUT) -> None:
        """Execute code without output or history; RuntimeError when it fails."""
        msg_id = self.kc.execute(code, silent=True, store_history=False, allow_stdin=False)
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise RuntimeError(f"kernel did not answer within {timeout:.0f} s")
            reply = await self.kc.get_shell_msg(timeout=remaining)
            if reply.get("parent_header", {}).get("msg_id") == msg_id:
                break
        content = reply["content"]
        if content.get("status") != "ok":
            raise RuntimeError(f"{content.get('ename')}: {content.get('evalue')}")

    async def execute(self, nb: "NotebookNode", cwd: Path, cell_timeout: float) -> "NotebookNode":
        """Run every cell of ``nb`` in this kernel after resetting its namespace; ReportFailure on error."""
        from nbclient import NotebookClient
        from nbclient.exceptions import (
            CellExecutionError,
            CellTimeoutError,
            DeadKernelError,
        )

        try:
            await self.run_silently(RESET_CODE.format(cwd=str(cwd)))
        except Exception as error:
            raise ReportFailure(f"could not prepare the kernel: {error}", None, kernel_broken=True) from None
        client = NotebookClient(
            nb, km=self.km, timeout=cell_timeout, startup_timeout=KERNEL_START_TIMEOUT,
            kernel_name=self.kernel_name, allow_errors=False, record_timing=False,
            resources={"metadata": {"path": str(cwd)}},
        )
        client.kc = self.kc
        try:
            await client.async_execute()
        except CellExecutionError:
            raise ReportFailure(error_line(nb) or "a cell raised an error", nb) from None
        except CellTimeoutError:
            raise ReportFailure(f"a cell ran longer than {cell_timeout:.0f} s (timeout)", nb,
                                kernel_broken=True) from None
        except DeadKernelError:
            raise ReportFailure("the kernel died while running the notebook", nb, kernel_broken=True) from None
        return nb

    async def shutdown(self) -> None:
        """Stop the kernel and its channels."""
        try:
            if self.kc is not None:
                self.kc.stop_channels()
            if self.km is not None and self.km.has_kernel:
                await self.km.shutdown_kernel(now=True)
        except Exception:  # the kernel may already be gone
            pass
        finally:
            self.kc = None
            self.km = None


def kernel_environment(layout: DataLayout) -> dict[str, str]:
    """Environment of report kernels: this one, with KEYPROJ_DATA pointing at the data folder used."""
    env = dict(os.environ)
    env[DATA_ENV] = str(layout.root)
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    env.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    return env


# ---------------------------------------------------------------------------------------------
# The renderer


class Renderer:
    """Renders reports into an outputs folder with a pool of kernels (``jobs`` at once)."""

    def __init__(self, outputs: OutputLayout, layout: DataLayout, cell_timeout: float, jobs: int) -> None:
        self.outputs = outputs
        self.layout = layout
        self.cell_timeout = cell_timeout
        self.jobs = max(1, jobs)
        self.env = kernel_environment(layout)
        self._exporter: HTMLExporter | None = None
        self.kernel_seconds: list[float] = []  # start-up (with imports) of each pooled kernel

    @property
    def exporter(self) -> "HTMLExporter":
        if self._exporter is None:
            from keyproj.render_html import make_exporter

            self._exporter = make_exporter()
        return self._exporter

    def finish(self, report: Report, nb: "NotebookNode") -> None:
        """Write the executed notebook and its HTML (atomically); drop a stale failed notebook."""
        from keyproj.render_html import notebook_to_html

        page = notebook_to_html(nb, report.display_title, self.exporter)
        atomic_write_text(self.outputs.notebook_of(report.name), notebook_json(nb))
        atomic_write_text(self.outputs.html_of(report.name), page)
        self.outputs.failed_of(report.name).unlink(missing_ok=True)

    def keep_failure(self, report: Report, failure: ReportFailure) -> None:
        """Leave the failed notebook in outputs/failed/<name>.ipynb; the previous HTML stays."""
        nb = failure.notebook if failure.notebook is not None else parameterize(report)
        atomic_write_text(self.outputs.failed_of(report.name), notebook_json(mark_failed(nb, failure.reason)))

    async def render(self, reports: Sequence[Report],
                     on_done: Callable[[RenderResult], None] | None = None) -> list[RenderResult]:
        """Render ``reports`` (jobs at once); a result per report, in the order given."""
        queue: asyncio.Queue[tuple[int, Report]] = asyncio.Queue()
        for position, report in enumerate(reports):
            queue.put_nowait((position, report))
        results: list[RenderResult | None] = [None] * len(reports)
        workers = [asyncio.create_task(self._worker(queue, results, on_done))
                   for _ in range(min(self.jobs, len(reports)))]
        try:
            await asyncio.gather(*workers)
        finally:
            for worker in workers:
                worker.cancel()
        return [result for result in results if result is not None]

    async def _worker(self, queue: "asyncio.Queue[tuple[int, Report]]", results: list[RenderResult | None],
                      on_done: Callable[[RenderResult], None] | None) -> None:
        kernel: PooledKernel | None = None
        try:
            while not queue.empty():
                position, report = queue.get_nowait()
                started = time.monotonic()
                try:
                    nb = parameterize(report)
                    name = kernel_name_of(nb)
                    if kernel is None or kernel.kernel_name != name:
                        if kernel is not None:
                            await kernel.shutdown()
                        kernel = PooledKernel(name, self.env, report.notebook.parent)
                        try:
                            await kernel.start()
                        except Exception as error:
                            await kernel.shutdown()
                            kernel = None
                            raise ReportFailure(f"could not start kernel {name!r}: {error}", nb) from None
                        self.kernel_seconds.append(time.monotonic() - started)
                        started = time.monotonic()  # a report's time starts in a ready kernel
                    nb = await kernel.execute(nb, report.notebook.parent, self.cell_timeout)
                    self.finish(report, nb)
                    result = RenderResult(report.name, "ok", time.monotonic() - started,
                                          rendered_at=now_text())
                except ReportFailure as failure:
                    if failure.kernel_broken and kernel is not None:
                        await kernel.shutdown()
                        kernel = None
                    self.keep_failure(report, failure)
                    result = RenderResult(report.name, "failed", time.monotonic() - started,
                                          reason=failure.reason, rendered_at=now_text())
                except KeyprojError as error:
                    self.keep_failure(report, ReportFailure(str(error), None))
                    result = RenderResult(report.name, "failed", time.monotonic() - started,
                                          reason=str(error), rendered_at=now_text())
                results[position] = result
                if on_done is not None:
                    on_done(result)
        finally:
            if kernel is not None:
                await kernel.shutdown()


def now_text() -> str:
    """The local time, to the second, ISO format."""
    return datetime.now().astimezone().isoformat(timespec="seconds")


def default_jobs() -> int:
    """Reports rendered at once by default: the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def write_index(outputs: OutputLayout, config: RenderConfig, state: dict[str, dict[str, Any]],
                data_hash: str) -> None:
    """outputs/html/index.html: every report of the config with its parameters, status and render time."""
    from keyproj.render_html import IndexEntry, index_page

    entries = []
    for report in config.reports:
        entry = state.get(report.name) or {}
        status = entry.get("last_status") or "not rendered"
        if status == "ok" and entry.get("last_run") == "unchanged":
            status = "unchanged"
        entries.append(IndexEntry(
            name=report.name, title=report.display_title, parameters=report.parameters_text(),
            status=status, rendered_at=entry.get("rendered_at", ""), seconds=entry.get("seconds"),
            has_html=outputs.html_of(report.name).is_file(),
            reason=entry.get("reason", "") if status == "failed" else "",
        ))
    atomic_write_text(outputs.index, index_page(entries, now_text(), data_hash, __version__))


def render_reports(config: RenderConfig, only: list[str] | None = None, jobs: int | None = None,
                   force: bool = False, data_dir: str | Path | None = None,
                   outputs_dir: str | Path | None = None,
                   progress: bool = False) -> RenderSummary:
    """Render the reports of ``config`` (or those named in ``only``) into ``outputs_dir``.

    The dataset is built first when out of date. Unchanged reports are skipped unless ``force``.
    Raises KeyprojError before anything runs when the data cannot be built or another render
    holds the outputs lock.
    """
    started = time.monotonic()
    selected = config.select(only)
    layout = data_layout(data_dir)
    outputs = OutputLayout(Path(outputs_dir).resolve() if outputs_dir else DEFAULT_OUTPUTS)
    from keyproj.data.load import ensure_built

    ensure_built(layout.root)  # the notebooks would build it too, each on its own
    data_hash = data_fingerprint(layout.root)
    with render_lock(outputs):
        remove_stale_temp_files(outputs)
        state = read_state(outputs)
        summary = RenderSummary()
        code = code_fingerprint()
        keys = {report.name: render_key(report, data_hash, code=code) for report in selected}
        todo = []
        for report in selected:
            if not force and is_unchanged(report, keys[report.name], state, outputs):
                state[report.name]["last_run"] = "unchanged"
                continue
            todo.append(report)
        results: dict[str, RenderResult] = {}
        if todo:
            renderer = Renderer(outputs, layout, config.cell_timeout, jobs or default_jobs())
            bar = None
            if progress and len(todo) > 1:
                from tqdm import tqdm

                bar = tqdm(total=len(todo), file=sys.stderr, unit="report", desc="keyproj render")

            def on_done(result: RenderResult) -> None:
                results[result.name] = result
                entry = state.setdefault(result.name, {})
                entry.update({"last_status": result.status, "last_run": result.status,
                              "attempted_at": result.rendered_at})
                if result.status == "ok":
                    entry.update({"key": keys[result.name], "rendered_at": result.rendered_at,
                                  "seconds": round(result.seconds, 2), "reason": ""})
                else:
                    entry["reason"] = result.reason
                write_state(outputs, state)
                if bar is not None:
                    bar.set_postfix_str(result.name)
                    bar.update(1)

            try:
                asyncio.run(renderer.render(todo, on_done))
            finally:
                if bar is not None:
                    bar.close()
            summary.kernel_seconds = list(renderer.kernel_seconds)
        for report in selected:
            summary.results.append(results.get(report.name) or RenderResult(report.name, "unchanged"))
        write_state(outputs, state)
        write_index(outputs, config, state, data_hash)
    summary.seconds = time.monotonic() - started
    return summary


def cli_render(args: argparse.Namespace) -> int:
    """`keyproj render`: render the reports of a config; exit 1 when any report failed."""
    config = load_config(args.config)
    quiet = bool(getattr(args, "quiet", False))
    summary = render_reports(
        config, only=args.only, jobs=args.jobs, force=args.force, data_dir=args.data,
        outputs_dir=args.outputs, progress=not quiet,
    )
    outputs = OutputLayout(Path(args.outputs).resolve() if args.outputs else DEFAULT_OUTPUTS)
    if not quiet:
        for result in summary.results:
            if result.status == "ok":
                print(f"rendered   {result.name} ({result.seconds:.1f} s)")
            elif result.status == "unchanged":
                print(f"unchanged  {result.name} (skipped; --force renders it again)")
        done = len(summary.rendered)
        print(f"{done} rendered, {len(summary.results) - done - len(summary.failed)} unchanged, "
              f"{len(summary.failed)} failed in {summary.seconds:.1f} s; index: {outputs.index}")
    if summary.failed:
        print(f"keyproj render: {len(summary.failed)} of {len(summary.results)} reports failed:",
              file=sys.stderr)
        for result in summary.failed:
            print(f"  {result.name}: {result.reason} (see {outputs.failed_of(result.name)})", file=sys.stderr)
        return 1
    return 0
