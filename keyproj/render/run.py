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
All reports of a run read one snapshot of the processed data (outputs/.render-data/, removed at
the end), so a build during the render changes no page. A run with nothing to render writes no
file: the state and the index are rewritten only when their content changes, and the command line
first asks keyproj.render.state.quick_unchanged, which answers without this module.
"""
from __future__ import annotations

import asyncio
import hashlib
import importlib
import os
import re
import shutil
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from keyproj._version import __version__
from keyproj.data.load import data_fingerprint, ensure_built
from keyproj.errors import KeyprojError
from keyproj.paths import DataLayout, OutputLayout, data_layout
from keyproj.render.config import RenderConfig, Report
from keyproj.render.html import make_exporter, notebook_to_html
from keyproj.render.index import IndexEntry, index_page
from keyproj.render.kernels import PooledKernel, ReportFailure, kernel_environment
from keyproj.render.notebooks import (
    kernel_name_in,
    mark_failed,
    notebook_json,
    parameterize,
)
from keyproj.render.state import (
    DEFAULT_OUTPUTS,
    RenderResult,
    RenderSummary,
    code_fingerprint,
    inputs_key,
    is_unchanged,
    quick_record,
    read_state_file,
    remove_stale_temp_files,
    render_key,
    render_lock,
    write_if_changed,
    write_state,
)
from keyproj.util.atomic import atomic_write_text

if TYPE_CHECKING:
    from nbconvert import HTMLExporter
    from nbformat import NotebookNode

# jsonschema (imported with nbformat, nbclient, nbconvert, papermill) loads rfc3987_syntax when it is
# installed, only to check the "iri" string format, which no notebook schema uses; building that
# package's grammar takes 1-3 s per process. Make the optional import fail in the renderer instead.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment]

__all__ = ["DEFAULT_OUTPUTS", "RenderResult", "RenderSummary", "Renderer", "default_jobs", "render_reports"]
SNAPSHOT_FOLDER = ".render-data"  # under the outputs folder: the data of the render running now
SNAPSHOT_TRIES = 5
_SHA256 = re.compile(rb"\b[0-9a-f]{64}\b")


class Renderer:
    """Renders reports into an outputs folder with a pool of kernels (``jobs`` at once)."""

    def __init__(self, outputs: OutputLayout, layout: DataLayout, cell_timeout: float, jobs: int) -> None:
        self.outputs = outputs
        self.layout = layout
        self.cell_timeout = cell_timeout
        self.jobs = max(1, jobs)
        self.env = kernel_environment(layout)
        self._exporter: HTMLExporter | None = None
        self._libraries: "asyncio.Future[None] | None" = None
        self.kernel_seconds: list[float] = []  # start-up (with imports) of each pooled kernel

    @property
    def exporter(self) -> "HTMLExporter":
        if self._exporter is None:
            self._exporter = make_exporter()
        return self._exporter

    def finish(self, report: Report, nb: "NotebookNode") -> None:
        """Write the executed notebook and its HTML (atomically); drop a stale failed notebook."""
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
        # papermill, nbclient and nbconvert are imported in a thread while the kernels start (the
        # kernels are other processes: this overlaps 1-2 s of imports with their start-up).
        self._libraries = asyncio.get_running_loop().run_in_executor(None, self._import_libraries)
        workers = [asyncio.create_task(self._worker(queue, results, on_done))
                   for _ in range(min(self.jobs, len(reports)))]
        try:
            await asyncio.gather(*workers)
        finally:
            for worker in workers:
                worker.cancel()
        return [result for result in results if result is not None]

    def _import_libraries(self) -> None:
        """Import what executing and exporting a report needs (run in a thread, see :meth:`render`)."""
        importlib.import_module("jupyter_client.manager")
        importlib.import_module("nbclient")
        importlib.import_module("papermill.parameterize")
        _ = self.exporter  # nbconvert, its templates

    async def _kernel_for(self, kernel: PooledKernel | None, report: Report) -> PooledKernel:
        """A ready kernel for ``report``: ``kernel`` when it runs the notebook's kernel, else a new one."""
        name = kernel_name_in(report.notebook)
        if kernel is not None and kernel.kernel_name == name:
            return kernel
        if kernel is not None:
            await kernel.shutdown()
        started = time.monotonic()
        kernel = PooledKernel(name, self.env, report.notebook.parent)
        try:
            await kernel.start()
        except Exception as error:
            await kernel.shutdown()
            raise ReportFailure(f"could not start kernel {name!r}: {error}", None) from None
        self.kernel_seconds.append(time.monotonic() - started)
        return kernel

    async def _worker(self, queue: "asyncio.Queue[tuple[int, Report]]", results: list[RenderResult | None],
                      on_done: Callable[[RenderResult], None] | None) -> None:
        kernel: PooledKernel | None = None
        try:
            while not queue.empty():
                position, report = queue.get_nowait()
                try:
                    kernel = await self._kernel_for(kernel, report)
                    await self._libraries
                    started = time.monotonic()  # a report's time starts in a ready kernel
                    nb = await kernel.execute(parameterize(report), report.notebook.parent, self.cell_timeout)
                    self.finish(report, nb)
                    result = RenderResult(report.name, "ok", time.monotonic() - started,
                                          rendered_at=now_text())
                except ReportFailure as failure:
                    if failure.kernel_broken and kernel is not None:
                        await kernel.shutdown()
                        kernel = None
                    self.keep_failure(report, failure)
                    result = RenderResult(report.name, "failed", reason=failure.reason, rendered_at=now_text())
                except KeyprojError as error:
                    self.keep_failure(report, ReportFailure(str(error), None))
                    result = RenderResult(report.name, "failed", reason=str(error), rendered_at=now_text())
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
                data_hash: str, rendered_at: str, layout: DataLayout) -> None:
    """outputs/.../index.html: every report of the config with its parameters, status and render time.

    ``rendered_at`` is the time of the last run that rendered something (from the state file), so
    a run with nothing new gives the same page, and the file is left as it is. ``layout``: the data
    the pages were rendered from (the snapshot), for the coverage grid.
    """
    entries = []
    for report in config.reports:
        entry = state.get(report.name) or {}
        status = entry.get("last_status") or "not rendered"
        entries.append(IndexEntry(
            name=report.name, title=report.display_title, parameters=report.parameters_text(),
            status=status, rendered_at=entry.get("rendered_at", ""), seconds=entry.get("seconds"),
            has_html=outputs.html_of(report.name).is_file(),
            reason=entry.get("reason", "") if status == "failed" else "",
            notebook=report.notebook.name, values=dict(report.parameters),
        ))
    outputs.html.mkdir(parents=True, exist_ok=True)
    write_if_changed(outputs.index, index_page(entries, rendered_at, data_hash, __version__, layout.panel))


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)  # a hard link: instant, and a build replacing the file leaves ours whole
    except OSError:  # another file system, or links not allowed
        shutil.copy2(source, target)


def _snapshot_problem(layout: DataLayout, snapshot: DataLayout) -> str | None:
    """Why the copied tables may not be one build's, or None.

    When the build stamp names the tables' sha256 (a generation stamp), both copies must be named
    there; else both must still be the files of ``layout`` (no build published while linking).
    """
    tables = (snapshot.facts, snapshot.panel)
    try:
        digests = [hashlib.sha256(path.read_bytes()).hexdigest().encode() for path in tables]
    except FileNotFoundError as error:
        return f"{error.filename} not found: build the dataset first (keyproj build, or make data)"
    named = set()
    for path in snapshot.processed.iterdir():
        if path.suffix != ".csv" and path.is_file() and path.stat().st_size < 65536:
            named |= set(_SHA256.findall(path.read_bytes()))
    if named:
        missing = [path.name for path, digest in zip(tables, digests, strict=True) if digest not in named]
        return f"{', '.join(missing)} not the tables the build stamp names" if missing else None
    for original, digest in zip((layout.facts, layout.panel), digests, strict=True):
        try:
            if hashlib.sha256(original.read_bytes()).hexdigest().encode() != digest:
                return f"{original.name} was replaced while it was copied"
        except FileNotFoundError:
            return f"{original.name} was removed while it was copied"
    return None


def _take_snapshot(layout: DataLayout, root: Path) -> str | None:
    """Link processed/ and copy corrections.csv into ``root``; why it is not one generation, or None."""
    shutil.rmtree(root, ignore_errors=True)
    (root / "processed").mkdir(parents=True)
    for path in sorted(layout.processed.iterdir()):
        if path.is_file() and not path.name.endswith((".lock", ".tmp")):
            _link_or_copy(path, root / "processed" / path.name)
    if layout.corrections.is_file():
        shutil.copy2(layout.corrections, root / layout.corrections.name)
    return _snapshot_problem(layout, DataLayout(root))


@contextmanager
def data_snapshot(layout: DataLayout, outputs: OutputLayout) -> Iterator[tuple[DataLayout, str]]:
    """One generation of the processed tables for a whole render, and its fingerprint.

    processed/ (facts.csv, panel.csv, the build stamp) is hard-linked (else copied) into
    outputs/.render-data/processed/ with corrections.csv, checked against the stamp (a build that
    published between two links gives a mismatch: take it again), and removed at the end. The
    kernels read it through KEYPROJ_DATA and keyproj.data.load, so a `keyproj build` during the
    render changes no page.
    """
    root = outputs.root / SNAPSHOT_FOLDER
    for attempt in range(SNAPSHOT_TRIES):
        problem = _take_snapshot(layout, root)
        if problem is None:
            break
        if attempt == SNAPSHOT_TRIES - 1:
            shutil.rmtree(root, ignore_errors=True)
            raise KeyprojError(f"{layout.processed}: {problem} (a build is publishing?); "
                               "run keyproj render again when it has finished")
        time.sleep(0.2 * (attempt + 1))  # let the build finish publishing
    try:
        yield DataLayout(root), data_fingerprint(root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _run_todo(todo: list[Report], outputs: OutputLayout, layout: DataLayout, config: RenderConfig,
              state: dict[str, dict[str, Any]], keys: dict[str, str], jobs: int,
              on_progress: Callable[[RenderResult | None, int, int], None] | None) -> RenderSummary:
    """Render ``todo`` with the data of ``layout`` (the snapshot); record each result in the state file."""
    renderer = Renderer(outputs, layout, config.cell_timeout, jobs)
    results: dict[str, RenderResult] = {}

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
        if on_progress is not None:
            on_progress(result, len(results), len(todo))

    if on_progress is not None:
        on_progress(None, 0, len(todo))
    # Longest first (by the last render's time): the kernels then finish together, not one waiting
    # for the other's long report at the end. Each report starts in a fresh namespace: the order
    # changes no page.
    ordered = sorted(todo, key=lambda report: -float((state.get(report.name) or {}).get("seconds") or 1.0))
    asyncio.run(renderer.render(ordered, on_done))
    return RenderSummary(list(results.values()), kernel_seconds=list(renderer.kernel_seconds))


def _pending(selected: list[Report], data_hash: str, state: dict[str, dict[str, Any]], outputs: OutputLayout,
             force: bool) -> tuple[dict[str, str], list[Report]]:
    """Each report's render key for ``data_hash``, and the reports to render (changed, or all when ``force``)."""
    code = code_fingerprint()
    keys = {report.name: render_key(report, data_hash, code=code) for report in selected}
    todo = [report for report in selected
            if force or not is_unchanged(report, keys[report.name], state, outputs)]
    return keys, todo


def render_reports(config: RenderConfig, only: list[str] | None = None, jobs: int | None = None,
                   force: bool = False, data_dir: str | Path | None = None,
                   outputs_dir: str | Path | None = None,
                   on_progress: Callable[[RenderResult | None, int, int], None] | None = None) -> RenderSummary:
    """Render the reports of ``config`` (or those named in ``only``) into ``outputs_dir``.

    The dataset is built first when out of date; every report of the run reads one snapshot of it
    (:func:`data_snapshot`). Unchanged reports are skipped unless ``force``; a run with nothing to
    render writes no file. ``on_progress(result, done, total)`` is called once with
    ``(None, 0, total)`` before the first report and again as each report ends (the command line
    draws its progress bar with it). Raises KeyprojError before anything runs when the data cannot
    be built or another render holds the outputs lock.
    """
    started = time.monotonic()
    selected = config.select(only)
    layout = data_layout(data_dir)
    outputs = OutputLayout(Path(outputs_dir).resolve() if outputs_dir else DEFAULT_OUTPUTS)
    ensure_built(layout.root)  # the notebooks would build it too, each on its own
    notebooks = [report.notebook for report in selected]
    inputs = inputs_key(config.path, only, layout, notebooks)
    data_hash = data_fingerprint(layout.root)
    with render_lock(outputs):
        remove_stale_temp_files(outputs)
        shutil.rmtree(outputs.root / SNAPSHOT_FOLDER, ignore_errors=True)  # left by a killed render
        state_file = read_state_file(outputs)
        state: dict[str, dict[str, Any]] = state_file.get("reports") or {}
        last_render = str(state_file.get("last_render") or "")
        keys, todo = _pending(selected, data_hash, state, outputs, force)
        ran = RenderSummary()
        # Nothing to render: no snapshot (a no-op writes no file); else every page reads the snapshot.
        data = data_snapshot(layout, outputs) if todo else nullcontext((layout, data_hash))
        with data as (source, source_hash):
            if source_hash != data_hash:  # a build published since: render what the snapshot holds
                data_hash = source_hash
                keys, todo = _pending(selected, data_hash, state, outputs, force)
            if todo:
                ran = _run_todo(todo, outputs, source, config, state, keys, jobs or default_jobs(), on_progress)
                last_render = now_text()
            write_index(outputs, config, state, data_hash, last_render, source)
        quick = _quick(outputs, state, selected, keys, inputs, config.path, only, layout, notebooks)
        write_state(outputs, state, last_render=last_render, quick=quick)
    done = {result.name: result for result in ran.results}
    summary = RenderSummary([done.get(report.name) or RenderResult(report.name, "unchanged") for report in selected],
                            kernel_seconds=ran.kernel_seconds)
    summary.seconds = time.monotonic() - started
    return summary


def _quick(outputs: OutputLayout, state: dict[str, dict[str, Any]], selected: list[Report],
           keys: dict[str, str], inputs: str, config_path: Path, only: list[str] | None,
           layout: DataLayout, notebooks: list[Path]) -> dict[str, Any] | None:
    """The state's ``quick`` entry that lets the next run with the same config, data and code finish
    at once: set when every selected report is current and nothing it depends on changed during
    this run, else None."""
    current = all((state.get(report.name) or {}).get("last_status") == "ok"
                  and (state.get(report.name) or {}).get("key") == keys[report.name] for report in selected)
    if not current or inputs_key(config_path, only, layout, notebooks) != inputs:
        return None
    return quick_record(inputs, outputs, [report.name for report in selected], notebooks)
