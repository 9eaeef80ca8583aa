"""Render speed: `keyproj render` on the default config against the plain route, and a no-op re-render,
measured in the same run.

The plain route renders each report as a person would by hand, one at a time: the `papermill` command
(parameters, fresh kernel) and then `jupyter nbconvert --to html --no-input`. keyproj renders
in-process with a pool of kernels that have already imported pandas, matplotlib, seaborn,
statsmodels and keyproj and read the data once, one HTML exporter reused, `--jobs` reports at once
(default: the number of cores). The no-op re-render is the whole `keyproj render` command run again
on those outputs with nothing changed: its time (median of 5 runs) and whether it wrote any file.

Usage: .venv/bin/python bench/bench_render.py [--reports N] [--jobs N] [--skip-plain]
Prints the time of each report on both routes, the totals, their ratio and the no-op time. Not a test.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from keyproj.data.load import ensure_built
from keyproj.paths import OutputLayout, data_layout
from keyproj.render.config import Report, load_config
from keyproj.render.run import default_jobs, render_reports
from keyproj.render.state import code_fingerprint

BIN = Path(sys.executable).parent
NOOP_RUNS = 5


def plain_route(report: Report, work: Path, env: dict[str, str]) -> float:
    """Seconds to render one report with the papermill and nbconvert commands, as subprocesses."""
    executed = work / f"{report.name}.ipynb"
    command = [str(BIN / "papermill"), str(report.notebook), str(executed), "--no-progress-bar",
               "--cwd", str(report.notebook.parent)]
    for name, value in report.parameters.items():
        # -r passes text as it is (papermill -p would turn "0101" into 101)
        command += ["-r" if isinstance(value, str) else "-p", name, str(value)]
    started = time.perf_counter()
    subprocess.run(command, check=True, env=env, capture_output=True)
    subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed),
                    "--output-dir", str(work)], check=True, env=env, capture_output=True)
    return time.perf_counter() - started


RENDERED_AT = re.compile(r'(<span class=\\?"keyproj-rendered-at\\?">)[^<]*(</span>)')


def outputs_of(path: Path) -> str:
    """The outputs of an executed notebook's code cells as JSON text, the render time blanked."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    outputs = [cell.get("outputs", []) for cell in cells if cell.get("cell_type") == "code"]
    return RENDERED_AT.sub(r"\1\2", json.dumps(outputs, ensure_ascii=False, sort_keys=True))


def different_content(fast: Path, plain: Path, names: list[str]) -> list[str]:
    """Reports whose executed notebooks differ between the two routes (text, tables, PNG bytes)."""
    return [name for name in names
            if outputs_of(OutputLayout(fast).notebook_of(name)) != outputs_of(plain / f"{name}.ipynb")]


def files_and_times(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``folder`` with its size and modification time (ns)."""
    return {str(path.relative_to(folder)): (path.stat().st_size, path.stat().st_mtime_ns)
            for path in sorted(folder.rglob("*")) if path.is_file()}


def sources_fingerprint(reports: list[Report]) -> str:
    """keyproj's code and the reports' notebooks: when they change during the bench (someone editing
    the tree), a re-render is real work, not a no-op."""
    return code_fingerprint() + "".join(report.notebook.read_text(encoding="utf-8") for report in reports)


def noop_render(outputs: Path, only: list[str] | None, env: dict[str, str]) -> tuple[list[float], list[str]]:
    """Seconds of each run of the whole `keyproj render` command with nothing to do, and the files written."""
    command = [sys.executable, "-m", "keyproj", "render", "--outputs", str(outputs), "--quiet"]
    for name in only or []:
        command += ["--only", name]
    before = files_and_times(outputs)
    seconds = []
    for _ in range(NOOP_RUNS):
        started = time.perf_counter()
        subprocess.run(command, check=True, env=env, capture_output=True)
        seconds.append(time.perf_counter() - started)
    after = files_and_times(outputs)
    written = sorted(name for name in set(before) | set(after) if before.get(name) != after.get(name))
    return seconds, written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=None, help="only the first N reports of the config")
    parser.add_argument("--jobs", type=int, default=None, help="reports at once (default: cores)")
    parser.add_argument("--skip-plain", action="store_true", help="measure keyproj render only")
    args = parser.parse_args()

    config = load_config()
    reports = list(config.reports)[: args.reports] if args.reports else list(config.reports)
    names = [report.name for report in reports]
    only = names if args.reports else None
    layout = ensure_built(data_layout().root)
    jobs = args.jobs or default_jobs()
    env = {**os.environ, "KEYPROJ_DATA": str(layout.root)}
    print(f"{len(reports)} reports of {config.path.name}, data {layout.root}, {os.cpu_count()} cores, "
          f"--jobs {jobs}")

    work = Path(tempfile.mkdtemp(prefix="keyproj-bench-"))
    try:
        sources = sources_fingerprint(reports)
        started = time.perf_counter()
        summary = render_reports(config, only=only, jobs=jobs, force=True, outputs_dir=work / "fast")
        fast_total = time.perf_counter() - started
        failed = [result.name for result in summary.failed]
        if failed:
            print(f"keyproj render failed on {', '.join(failed)}", file=sys.stderr)
            return 1
        fast = {result.name: result.seconds for result in summary.results}
        noop_seconds, noop_written = noop_render(work / "fast", only, env)
        edited = sources_fingerprint(reports) != sources
        started = time.perf_counter()
        render_reports(config, only=only, jobs=1, force=True, outputs_dir=work / "serial")
        serial_total = time.perf_counter() - started

        plain: dict[str, float] = {}
        if not args.skip_plain:
            (work / "plain").mkdir()
            for report in reports:
                plain[report.name] = plain_route(report, work / "plain", env)
                print(f"  plain route {report.name}: {plain[report.name]:.1f} s", flush=True)
        rendered = len(list(OutputLayout(work / "fast").html.glob("*.html"))) - 1
        differ = different_content(work / "fast", work / "plain", names) if plain else []
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print()
    print(f"{'report':36} {'keyproj render':>15} {'plain route':>12}")
    for name in names:
        plain_text = f"{plain[name]:.1f} s" if name in plain else "-"
        print(f"{name:36} {fast[name]:13.2f} s {plain_text:>12}")
    print()
    kernels = ", ".join(f"{seconds:.1f}" for seconds in summary.kernel_seconds)
    print(f"keyproj render, --jobs {jobs}: {fast_total:.1f} s for {rendered} reports "
          f"({fast_total / len(reports):.2f} s a report overall; median {statistics.median(fast.values()):.2f} s "
          f"a report in a warm kernel; kernel start-up with imports {kernels} s)")
    print(f"keyproj render, --jobs 1: {serial_total:.1f} s ({serial_total / len(reports):.2f} s a report)")
    written = f"{len(noop_written)} files written" if noop_written else "no file written"
    print(f"no-op re-render (whole `keyproj render` command, nothing changed): median {statistics.median(noop_seconds):.2f} s "
          f"of {NOOP_RUNS} runs, slowest {max(noop_seconds):.2f} s (target < 1 s); {written}"
          + (" (keyproj's code or a notebook was edited during the bench: that re-render was real)" if edited else ""))
    if plain:
        plain_total = sum(plain.values())
        print(f"plain route (papermill + nbconvert commands, one at a time): {plain_total:.1f} s "
              f"(median {statistics.median(plain.values()):.1f} s a report)")
        print(f"speed-up: {plain_total / fast_total:.1f}x with --jobs {jobs} (target >= 10x), "
              f"{plain_total / serial_total:.1f}x with --jobs 1")
        print(f"same outputs on both routes (text, tables, PNG bytes; render time aside): "
              f"{len(names) - len(differ)} of {len(names)} reports{'; differ: ' + ', '.join(differ) if differ else ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
