"""Interrupted and concurrent work: `keyproj build` and `keyproj render` killed with SIGKILL at
random points (fixed seed) never leave a half-written or unreadable output, leave no kernel or lock
behind, and the next run completes; two renders started at once do not mix their outputs."""
from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from conftest import copy_data_inputs

from keyproj.data.build import STAMP_NAME, build, parse_stamp, table_problem
from keyproj.data.load import is_stale
from keyproj.paths import DATA_ENV, OutputLayout

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
KEYPROJ = [sys.executable, "-m", "keyproj"]
SEED = 20250322
REPORTS = ("audit", "plan")
# Time blanked when comparing two renders of one report (the rest of the page is deterministic).
RENDERED_AT = re.compile(r'(<span class="keyproj-rendered-at">)[^<]*(</span>)')
# What atomic writes leave when killed before their rename: hidden, named after the output, .tmp.
TEMP_FILE = re.compile(r"\..+\.[a-z0-9_]{8}\.tmp")




# Writes part of a file through keyproj.util.atomic, says so, and waits to be killed.
HALF_WRITER = """
import sys, time
from keyproj.util.atomic import atomic_open
with atomic_open(sys.argv[1], "wb") as handle:
    handle.write(b"half")
    handle.flush()
    print("writing", flush=True)
    time.sleep(120)
"""


def half_write(path: Path) -> None:
    """Kill a writer in the middle of an atomic write of ``path``."""
    writer = subprocess.Popen([sys.executable, "-c", HALF_WRITER, str(path)], stdout=subprocess.PIPE, text=True,
                              start_new_session=True)
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "writing"
    finally:
        kill_group(writer)


def kill_points(whole_run: float, count: int, seed: int = SEED) -> list[float]:
    """``count`` delays spread over a run of ``whole_run`` s: one at random in each of ``count`` equal
    parts of 5 %..105 % of the run (a fixed seed), so the start, the middle and the final writes
    are all hit."""
    rng = random.Random(seed)
    return [(0.05 + (part + rng.random()) / count) * whole_run for part in range(count)]


def kill_group(process: "subprocess.Popen[Any]") -> None:
    """SIGKILL the process group of a process started with start_new_session=True, then reap it."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:  # it had already finished
        pass
    process.wait()


def kill_after(command: list[str], delay: float) -> tuple[int, str]:
    """Run ``command`` in its own session, SIGKILL its group after ``delay`` s; (return code, stderr)."""
    process = subprocess.Popen(command, start_new_session=True, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    try:
        time.sleep(delay)
    finally:
        kill_group(process)
    assert process.stderr is not None
    return process.returncode, process.stderr.read().decode("utf-8", "replace")


def kernels_of(data: Path) -> list[int]:
    """Ids of the processes (report kernels) whose environment points KEYPROJ_DATA at ``data``."""
    marker = f"\0{DATA_ENV}={data.resolve()}\0".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                environment = b"\0" + (entry / "environ").read_bytes()
            except OSError:  # gone, or not ours
                continue
            if marker in environment:
                found.append(int(entry.name))
    return found


def wait_for_kernels_to_exit(data: Path, seconds: float = 20.0) -> list[int]:
    """Wait until no kernel of ``data`` is left; the ids still running after ``seconds`` (then killed)."""
    deadline = time.monotonic() + seconds
    while (left := kernels_of(data)) and time.monotonic() < deadline:
        time.sleep(0.2)
    for pid in left:  # never leave them running, even when the test fails
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return left


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        # The index's links to report pages (beside them: no anchors, no links to data or docs).
        self.links += [value or "" for name, value in attrs if tag == "a" and name == "href"
                       and (value or "").endswith(".html") and "/" not in (value or "")]


def parse_page(page: bytes) -> _Tags:
    """The tags of an HTML page, after checking that it is whole (UTF-8, ends with </html>)."""
    text = page.decode("utf-8")
    assert text.rstrip().endswith("</html>"), text[-200:]
    parser = _Tags()
    parser.feed(text)
    parser.close()
    assert parser.tags[:1] == ["html"] and "body" in parser.tags
    return parser


def leftovers(folder: Path, outputs: set[str]) -> list[str]:
    """Files of ``folder`` (recursively) that are neither expected outputs nor hidden temporary files."""
    strange = []
    for path in folder.rglob("*"):
        if path.is_file() and path.name not in outputs and not TEMP_FILE.fullmatch(path.name):
            strange.append(str(path.relative_to(folder)))
    return strange


# ---------------------------------------------------------------------------------- build


EXTRA_REFERENCE = (
    "region,scope,subset,period_start,period_end,metric,value,unit,qualifier,source_url,source_title,published\n"
    "惠安县,county,,2025-01,2025-12,projects,77,count,,http://example.org/huian,惠安县2025年重点项目,2025-02-01\n"
    "惠安县,county,,2025-01,2025-12,annual_plan,88.5,亿元,,http://example.org/huian,惠安县2025年重点项目,2025-02-01\n"
)


def check_tables(data: Path) -> None:
    """facts.csv and panel.csv as they are on disk load and pass their schema (no rebuild first)."""
    import pandas as pd

    from keyproj.data.tables import (
        FACTS_TABLE,
        PANEL_TABLE,
        typed_facts,
        typed_panel,
        validate,
    )

    processed = data / "processed"
    for name, table, typed in (("facts.csv", FACTS_TABLE, typed_facts), ("panel.csv", PANEL_TABLE, typed_panel)):
        text = pd.read_csv(processed / name, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8")
        validate(text, table, processed / name)
        assert len(typed(text)) > 0


def one_generation(files: dict[str, bytes]) -> bool:
    """Whether facts.csv and panel.csv are the tables their build stamp names."""
    _, tables = parse_stamp(files[STAMP_NAME].decode("utf-8"))
    return all(table_problem(name, files[name], tables.get(name)) is None for name in ("facts.csv", "panel.csv"))


def test_killed_builds_leave_whole_tables_and_the_next_build_completes(tmp_path: Path) -> None:
    data = copy_data_inputs(tmp_path)
    extra = data / "reference" / "zz_extra.csv"
    processed = data / "processed"
    names = ("facts.csv", "panel.csv", STAMP_NAME)

    def use_extra(present: bool) -> None:
        if present:
            extra.write_text(EXTRA_REFERENCE, encoding="utf-8")
        else:
            extra.unlink(missing_ok=True)

    def current() -> dict[str, bytes]:
        return {name: (processed / name).read_bytes() for name in names}

    # The bytes a build writes with and without the extra reference file (builds are deterministic).
    versions: dict[bool, dict[str, bytes]] = {}
    for present in (True, False):
        use_extra(present)
        build(data)
        versions[present] = current()
    assert versions[True]["facts.csv"] != versions[False]["facts.csv"]
    assert versions[True]["panel.csv"] != versions[False]["panel.csv"]

    command = [*KEYPROJ, "build", "--data", str(data), "--quiet"]
    use_extra(True)
    started = time.monotonic()
    subprocess.run(command, check=True)
    whole_run = time.monotonic() - started
    assert current() == versions[True]

    delays = kill_points(whole_run, 8)
    present = True
    codes = []
    for delay in delays:
        present = not present  # each killed build would change both tables
        use_extra(present)
        before = current()
        code, err = kill_after(command, delay)
        codes.append(code)
        assert code in (-signal.SIGKILL, 0), err
        after = current()
        for name in names:
            assert after[name] in (before[name], versions[present][name]), (name, delay)
        check_tables(data)
        # One table new and one old (a kill between the renames) is never taken as current.
        if not one_generation(after):
            assert is_stale(data), delay
        assert leftovers(processed, {*names, ".build.lock"}) == []
    print(f"\nbuild ({whole_run:.2f} s) killed after {', '.join(f'{d:.2f}' for d in delays)} s: exit codes {codes}")
    assert codes.count(-signal.SIGKILL) >= 4  # most runs were really cut short

    # A build killed inside its write of facts.csv leaves the table whole beside a hidden temporary file.
    before = current()
    half_write(processed / "facts.csv")
    assert current() == before
    check_tables(data)
    assert any(TEMP_FILE.fullmatch(path.name) and path.name.startswith(".facts.csv.") for path in processed.iterdir())

    # The next run completes and writes the tables of the current inputs, and removes the
    # temporary file the killed writer left; loaders see them fresh.
    subprocess.run(command, check=True)
    assert current() == versions[present]
    assert not [path.name for path in processed.iterdir() if TEMP_FILE.fullmatch(path.name)]
    from keyproj.data.load import load_facts

    assert not is_stale(data)
    assert (load_facts(data_dir=data)["region"].astype(str) == "惠安县").any() == present


# ---------------------------------------------------------------------------------- render



@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A built copy of the data and a config of two reports (the audit of one document, one year's plan)."""
    root = tmp_path_factory.mktemp("interrupts")
    data = copy_data_inputs(root)
    build(data)
    config = root / "reports.yaml"
    config.write_text(
        "reports:\n"
        f"  - name: audit\n    notebook: {NOTEBOOKS / '03_source_audit.ipynb'}\n"
        "    parameters: {region: 泉州台商投资区, doc_id: 004_34d48eeab18069cf}\n"
        f"  - name: plan\n    notebook: {NOTEBOOKS / '02_planned_vs_actual.ipynb'}\n"
        "    parameters: {region: 泉港区, year: 2024}\n",
        encoding="utf-8")
    return data, config


def render_command(data: Path, config: Path, outputs: Path, *extra: str) -> list[str]:
    return [*KEYPROJ, "render", "--config", str(config), "--data", str(data), "--outputs", str(outputs),
            "--jobs", "1", "--quiet", *extra]


def check_outputs(outputs: OutputLayout, before: dict[str, bytes]) -> None:
    """Every report page is its previous bytes or a whole page with the same content (render time
    aside); the index is whole and links both reports; state and notebooks parse."""
    for name in REPORTS:
        page = outputs.html_of(name).read_bytes()
        parse_page(page)
        if page != before[name]:
            assert (RENDERED_AT.sub(r"\1\2", page.decode("utf-8"))
                    == RENDERED_AT.sub(r"\1\2", before[name].decode("utf-8"))), name
        import nbformat

        nbformat.validate(nbformat.read(outputs.notebook_of(name), as_version=4))
    index = outputs.index.read_bytes()
    if index != before["index"]:
        assert sorted(set(parse_page(index).links)) == [f"{name}.html" for name in sorted(REPORTS)]
    state = json.loads(outputs.state.read_text(encoding="utf-8"))
    assert set(state["reports"]) == set(REPORTS)


def test_killed_renders_keep_the_previous_html_and_free_the_lock(built: tuple[Path, Path], tmp_path: Path) -> None:
    data, config = built
    outputs = OutputLayout(tmp_path / "out")
    started = time.monotonic()
    subprocess.run(render_command(data, config, outputs.root), check=True)
    whole_run = time.monotonic() - started
    before = {name: outputs.html_of(name).read_bytes() for name in REPORTS} | {"index": outputs.index.read_bytes()}
    assert sorted(set(parse_page(before["index"]).links)) == ["audit.html", "plan.html"]
    assert wait_for_kernels_to_exit(data) == []

    delays = kill_points(whole_run, 4)
    codes = []
    for delay in delays:
        # A render refused because a killed one still held the lock would exit 1 here.
        code, err = kill_after(render_command(data, config, outputs.root, "--force"), delay)
        codes.append(code)
        assert code in (-signal.SIGKILL, 0), err
        # Kernels run in sessions of their own; they notice that their parent is gone and exit.
        assert wait_for_kernels_to_exit(data) == [], f"kernels left after a kill at {delay:.2f} s"
        check_outputs(outputs, before)
        expected = {f"{name}.html" for name in REPORTS} | {f"{name}.ipynb" for name in REPORTS} | {
            "index.html", ".render-state.json", ".render.lock"}
        # A killed run may leave its data snapshot (.render-data/); the next run replaces it.
        assert [path for path in leftovers(outputs.root, expected) if not path.startswith(".render-data/")] == []
    print(f"\nrender ({whole_run:.2f} s) killed after {', '.join(f'{d:.2f}' for d in delays)} s: exit codes {codes}")
    assert codes.count(-signal.SIGKILL) >= 2

    # A writer killed inside an atomic write: the page stays whole, a hidden temporary file is left.
    page = outputs.html_of("audit").read_bytes()
    half_write(outputs.html_of("audit"))
    assert outputs.html_of("audit").read_bytes() == page
    half = [path for path in outputs.html.iterdir() if TEMP_FILE.fullmatch(path.name)]
    assert len(half) == 1 and half[0].name.startswith(".audit.html.") and half[0].read_bytes() == b"half"

    # The next run takes the lock, completes, and clears what killed runs left half-written.
    result = subprocess.run(render_command(data, config, outputs.root), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    check_outputs(outputs, before)
    assert [path.name for path in outputs.root.rglob("*.tmp")] == []
    assert not (outputs.root / ".render-data").exists()
    assert wait_for_kernels_to_exit(data) == []


def test_two_renders_at_once_one_refused_in_one_line(built: tuple[Path, Path], tmp_path: Path) -> None:
    data, config = built
    outputs = OutputLayout(tmp_path / "out")
    subprocess.run(render_command(data, config, outputs.root), check=True)
    before = {name: outputs.html_of(name).read_bytes() for name in REPORTS} | {"index": outputs.index.read_bytes()}

    command = render_command(data, config, outputs.root, "--force")
    processes = [subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                 for _ in range(2)]
    results = [(process.wait(timeout=300), process.communicate()[1]) for process in processes]
    assert sorted(code for code, _ in results) == [0, 1], results
    refused = next(err for code, err in results if code == 1).strip()
    assert "\n" not in refused and "Traceback" not in refused
    assert refused.startswith(f"keyproj render: error: another keyproj render is writing to {outputs.root}")
    assert str(outputs.lock) in refused
    check_outputs(outputs, before)
    assert wait_for_kernels_to_exit(data) == []
