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

import asyncio
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from keyproj._version import __version__
from keyproj.data.load import data_fingerprint, ensure_built
from keyproj.errors import KeyprojError
from keyproj.paths import REPO_ROOT, DataLayout, OutputLayout, data_layout
from keyproj.render.config import RenderConfig, Report
from keyproj.render.html import IndexEntry, index_page, make_exporter, notebook_to_html
from keyproj.render.kernels import PooledKernel, ReportFailure, kernel_environment
from keyproj.render.notebooks import (
    kernel_name_of,
    mark_failed,
    notebook_json,
    parameterize,
)
from keyproj.render.state import (
    code_fingerprint,
    is_unchanged,
    read_state,
    remove_stale_temp_files,
    render_key,
    render_lock,
    write_state,
)
from keyproj.util.atomic import atomic_write_text

if TYPE_CHECKING:
    from nbconvert import HTMLExporter
    from nbformat import NotebookNode

DEFAULT_OUTPUTS = REPO_ROOT / "outputs"


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
                   on_progress: Callable[[RenderResult | None, int, int], None] | None = None) -> RenderSummary:
    """Render the reports of ``config`` (or those named in ``only``) into ``outputs_dir``.

    The dataset is built first when out of date. Unchanged reports are skipped unless ``force``.
    ``on_progress(result, done, total)`` is called once with ``(None, 0, total)`` before the first
    report and again as each report ends (the command line draws its progress bar with it). Raises KeyprojError before anything runs when the data cannot be built
    or another render holds the outputs lock.
    """
    started = time.monotonic()
    selected = config.select(only)
    layout = data_layout(data_dir)
    outputs = OutputLayout(Path(outputs_dir).resolve() if outputs_dir else DEFAULT_OUTPUTS)
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
            asyncio.run(renderer.render(todo, on_done))
            summary.kernel_seconds = list(renderer.kernel_seconds)
        for report in selected:
            summary.results.append(results.get(report.name) or RenderResult(report.name, "unchanged"))
        write_state(outputs, state)
        write_index(outputs, config, state, data_hash)
    summary.seconds = time.monotonic() - started
    return summary
