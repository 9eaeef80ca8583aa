"""Render speed: `keyproj render` on the default config against the plain route, measured in the same run.

The plain route renders each report as a person would by hand, one at a time: the `papermill` command
(parameters, fresh kernel) and then `jupyter nbconvert --to html`. keyproj renders in-process with a
pool of kernels that have already imported pandas, matplotlib, seaborn, statsmodels and keyproj, one
HTML exporter reused, `--jobs` reports at once (default: the number of cores).

Usage: .venv/bin/python bench/bench_render.py [--reports N] [--jobs N] [--skip-plain]
Prints the time of each report on both routes, the totals, and their ratio. Not a test.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from keyproj.data.load import ensure_built
from keyproj.paths import data_layout
from keyproj.render.config import Report, load_config
from keyproj.paths import OutputLayout
from keyproj.render.run import default_jobs, render_reports

BIN = Path(sys.executable).parent


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=None, help="only the first N reports of the config")
    parser.add_argument("--jobs", type=int, default=None, help="reports at once (default: cores)")
    parser.add_argument("--skip-plain", action="store_true", help="measure keyproj render only")
    args = parser.parse_args()

    config = load_config()
    reports = list(config.reports)[: args.reports] if args.reports else list(config.reports)
    names = [report.name for report in reports]
    layout = ensure_built(data_layout().root)
    jobs = args.jobs or default_jobs()
    env = {**os.environ, "KEYPROJ_DATA": str(layout.root)}
    print(f"{len(reports)} reports of {config.path.name}, data {layout.root}, {os.cpu_count()} cores, "
          f"--jobs {jobs}")

    work = Path(tempfile.mkdtemp(prefix="keyproj-bench-"))
    try:
        started = time.perf_counter()
        summary = render_reports(config, only=names, jobs=jobs, force=True, outputs_dir=work / "fast")
        fast_total = time.perf_counter() - started
        failed = [result.name for result in summary.failed]
        if failed:
            print(f"keyproj render failed on {', '.join(failed)}", file=sys.stderr)
            return 1
        fast = {result.name: result.seconds for result in summary.results}
        started = time.perf_counter()
        render_reports(config, only=names, jobs=1, force=True, outputs_dir=work / "serial")
        serial_total = time.perf_counter() - started

        plain: dict[str, float] = {}
        if not args.skip_plain:
            (work / "plain").mkdir()
            for report in reports:
                plain[report.name] = plain_route(report, work / "plain", env)
                print(f"  plain route {report.name}: {plain[report.name]:.1f} s", flush=True)
        rendered = len(list(OutputLayout(work / "fast").html.glob("*.html"))) - 1
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
    if plain:
        plain_total = sum(plain.values())
        print(f"plain route (papermill + nbconvert commands, one at a time): {plain_total:.1f} s "
              f"(median {statistics.median(plain.values()):.1f} s a report)")
        print(f"speed-up: {plain_total / fast_total:.1f}x with --jobs {jobs}, "
              f"{plain_total / serial_total:.1f}x with --jobs 1")
    return 0


if __name__ == "__main__":
    sys.exit(main())
