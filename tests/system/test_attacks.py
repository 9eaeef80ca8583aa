"""Careless use and bad luck (issue 15): each attack that once lost work, mixed data, hid a skipped
input or ended in a traceback, and what keyproj does now. Every test here failed before the fix.

The attacks run on a small data folder (the five seed documents, their sources.csv and the hand
corrections); the repository's own files are only read.
"""
from __future__ import annotations

import csv
import errno
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from keyproj import paths
from keyproj.cli import main
from keyproj.data.build import STAMP_NAME, build, build_lock, parse_stamp, table_problem
from keyproj.data.load import is_stale, load_panel, read_generation
from keyproj.errors import KeyprojError
from keyproj.paths import DATA_ENV, running_checkout
from keyproj.util import atomic

REPO = Path(__file__).resolve().parents[2]
KEYPROJ = [sys.executable, "-m", "keyproj"]
FIRST = "000_2f2a21338f61aef2.txt"
SOURCES_HEADER = "file,published,region,title,url,sha256"


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A writable data folder: raw/ (documents and sources.csv) and corrections.csv."""
    folder = tmp_path / "data"
    shutil.copytree(REPO / "data" / "raw", folder / "raw")
    shutil.copy(REPO / "data" / "corrections.csv", folder / "corrections.csv")
    return folder


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    """Exit status and stderr lines of `keyproj ARGV` run in this process."""
    code = main(argv)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err.splitlines()


def tables(data: Path) -> dict[str, bytes]:
    processed = data / "processed"
    return {name: (processed / name).read_bytes() for name in ("facts.csv", "panel.csv", STAMP_NAME)}


# ---------------------------------------------------------------- 1. inputs are never outputs

@pytest.mark.parametrize(("target", "given"), [
    ("corrections.csv", "raw"),              # extract data/raw --out data/corrections.csv
    ("raw/sources.csv", f"raw/{FIRST}"),     # extract raw/000_x.txt --out raw/sources.csv
    (f"raw/{FIRST}", "raw"),                 # a document of the folder read
    ("reports.yaml", "raw"),                 # a render config, wherever it is
])
def test_extract_never_writes_over_an_input(data: Path, target: str, given: str,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    before = (data / target).read_bytes() if (data / target).exists() else None
    code, err = run(["extract", str(data / given), "--out", str(data / target)], capsys)
    assert code == 1 and len(err) == 1 and "would replace a file keyproj reads" in err[0]
    assert ((data / target).read_bytes() if (data / target).exists() else None) == before


def test_out_into_a_folder_or_onto_a_pipe_is_one_line(data: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "facts"
    folder.mkdir()
    code, err = run(["extract", str(data / "raw"), "--out", str(folder)], capsys)
    assert code == 1 and err == [f"keyproj extract: error: --out {folder} is a folder: give a file name, "
                                 f"e.g. {folder / 'facts.csv'}"]
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    code, err = run(["extract", str(data / "raw"), "--checks", str(pipe)], capsys)
    assert code == 1 and len(err) == 1 and "not a regular file" in err[0]
    assert pipe.is_fifo()  # not replaced by a regular file


def test_read_and_export_never_write_among_inputs(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (data / "reference").mkdir()
    code, err = run(["read", str(data / "raw"), "--out", str(data / "reference")], capsys)
    assert code == 1 and len(err) == 1 and "which keyproj reads" in err[0]
    assert list((data / "reference").iterdir()) == []
    assert run(["build", "--data", str(data), "--quiet"], capsys)[0] == 0
    before = tables(data)
    code, err = run(["export", "--data", str(data), "--out", str(data / "processed")], capsys)
    assert code == 1 and len(err) == 1 and "processed tables" in err[0]
    assert tables(data) == before


def test_render_options_pointing_at_the_wrong_kind_of_path_are_one_line(
        data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run(["render", "--config", str(tmp_path), "--data", str(data)], capsys)
    assert code == 1 and err == [f"keyproj render: error: --config {tmp_path} is a folder: give the reports file, "
                                 f"e.g. {tmp_path / 'reports.yaml'}"]
    a_file = tmp_path / "outputs.txt"
    a_file.write_text("mine\n", encoding="utf-8")
    code, err = run(["render", "--outputs", str(a_file), "--data", str(data)], capsys)
    assert code == 1 and len(err) == 1 and "is a file" in err[0]
    assert a_file.read_text(encoding="utf-8") == "mine\n"
    code, err = run(["render", "--outputs", str(REPO), "--data", str(data)], capsys)
    assert code == 1 and len(err) == 1 and "keyproj reads" in err[0]


# ---------------------------------------------------------------- 2. a copy is its own project

def fake_checkout(folder: Path) -> Path:
    (folder / "keyproj").mkdir(parents=True)
    (folder / "keyproj" / "paths.py").write_text("", encoding="utf-8")
    (folder / "pyproject.toml").write_text("[project]\nname = 'keyproj'\n", encoding="utf-8")
    return folder


def test_a_copied_checkout_resolves_its_own_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    original, copy = fake_checkout(tmp_path / "original"), fake_checkout(tmp_path / "copy")
    # The copy's .venv imports the original's package (editable install): paths follow the venv.
    assert running_checkout(copy / ".venv", original / "keyproj") == copy
    assert paths.foreign_code(copy / ".venv", original / "keyproj") == original
    assert paths.foreign_code(original / ".venv", original / "keyproj") is None
    assert running_checkout(tmp_path / "conda-env", original / "keyproj") == original
    monkeypatch.setattr("keyproj.cli.foreign_code", lambda: original)
    code, err = run(["build", "--data", str(tmp_path)], capsys)
    assert code == 1 and len(err) == 1 and f"runs the code of {original}" in err[0] and "make setup" in err[0]


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
@pytest.mark.parametrize("recorded", ["file", "editable"])
def test_make_setup_rebuilds_a_venv_of_another_checkout(tmp_path: Path, recorded: str) -> None:
    copy = tmp_path / "copy"
    venv = copy / ".venv"
    site = venv / "lib" / "python3.11" / "site-packages"
    site.mkdir(parents=True)
    shutil.copy(REPO / "Makefile", copy / "Makefile")
    shutil.copy(REPO / "pyproject.toml", copy / "pyproject.toml")

    def plan() -> str:
        (venv / ".keyproj-installed").touch()
        return subprocess.run(["make", "-n", "setup"], cwd=copy, capture_output=True, text=True, check=True).stdout

    if recorded == "file":
        (venv / ".keyproj-checkout").write_text("/somewhere/original\n", encoding="utf-8")
    else:
        (site / "__editable___keyproj_0_1_0_finder.py").write_text(
            "MAPPING: dict[str, str] = {'keyproj': '/somewhere/original/keyproj'}\n", encoding="utf-8")
    steps = plan()
    assert "rm -rf .venv" in steps and "pip install" in steps and "/somewhere/original" in steps
    assert f"echo '{copy.resolve()}' > .venv/.keyproj-checkout" in steps
    (venv / ".keyproj-checkout").write_text(f"{copy.resolve()}\n", encoding="utf-8")
    assert "rm -rf" not in plan()  # its own .venv, up to date: nothing to do


# ---------------------------------------------------------------- 3. every skipped or bad input is named

def test_a_document_without_a_sources_row_is_named_and_the_rest_built(data: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    extra = data / "raw" / "900_unlisted.txt"
    shutil.copy(data / "raw" / FIRST, extra)
    code, err = run(["build", "--data", str(data), "--quiet"], capsys)
    assert code == 1  # cron learns
    assert err[0].startswith(f"keyproj build: skipped {extra}: no row in ") and "sources.csv" in err[0]
    assert err[-1] == "keyproj build: 1 input(s) skipped; the tables hold the rest"
    with open(data / "processed" / "facts.csv", encoding="utf-8") as handle:
        facts = list(csv.DictReader(handle))
    assert {fact["source"] for fact in facts if fact["source_kind"] == "document"} >= {FIRST[:-4]}
    assert not any(fact["source"] == "900_unlisted" for fact in facts)
    assert not is_stale(data)  # the tables of the rest are current: loaders use them as they are


@pytest.mark.parametrize(("edit", "expected"), [
    (lambda text: text.replace("published,", "", 1), ":  line 1: missing columns: published"),
    (lambda text: text + text.splitlines()[1] + "\n", "is listed twice"),
    (lambda text: text.replace("2025-03-17", "2024-13-45"), "published '2024-13-45' is not a date"),
    (lambda text: text.replace("2025-03-17", "2024-02-31"), "published '2024-02-31' is not a date"),
], ids=["missing-column", "duplicate-row", "month-13", "february-31"])
def test_sources_errors_name_the_file_and_line(data: Path, edit, expected: str,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    sources = data / "raw" / "sources.csv"
    sources.write_text(edit(sources.read_text(encoding="utf-8")), encoding="utf-8")
    code, err = run(["build", "--data", str(data), "--quiet"], capsys)
    assert code == 1
    named = [line for line in err if f"{sources}: line " in line]
    assert named and expected.split(":  ")[-1] in named[0], err
    if "missing" not in expected:  # the other documents are built
        assert (data / "processed" / "facts.csv").stat().st_size > 1000


def test_files_a_folder_cannot_use_are_each_named(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    raw = data / "raw"
    for name in ("notes.docx", "table.xlsx", "bundle.zip"):
        (raw / name).write_bytes(b"PK\x03\x04")
    os.mkfifo(raw / "pipe.txt")
    (raw / "dangling.txt").symlink_to(raw / "absent.txt")
    (raw / "loop.txt").symlink_to(raw / "loop.txt")
    shutil.copy(raw / FIRST, raw / (FIRST[:-4] + ".html"))  # one doc id, two files
    code, err = run(["build", "--data", str(data), "--quiet"], capsys)
    assert code == 1
    reasons = {Path(line.split(": ")[1].removeprefix("skipped ")).name: line for line in err[:-1]}
    assert set(reasons) == {"notes.docx", "table.xlsx", "bundle.zip", "pipe.txt", "dangling.txt", "loop.txt",
                            FIRST[:-4] + ".html"}, err
    assert "unsupported file type '.docx'" in reasons["notes.docx"]
    assert "not a regular file" in reasons["pipe.txt"] and "dangling link" in reasons["dangling.txt"]
    assert "link loop" in reasons["loop.txt"] and f"same document id '{FIRST[:-4]}'" in reasons[FIRST[:-4] + ".html"]
    facts = (data / "processed" / "facts.csv").read_text(encoding="utf-8")
    assert FIRST[:-4] in facts  # the listed .txt is the one kept
    assert isinstance(is_stale(data), bool)  # the loaders' freshness check walks past the loop too
    code, err = run(["extract", str(raw)], capsys)
    assert code == 1 and sum("keyproj extract: " in line for line in err) == 8  # 7 named, 1 summary


def test_an_unreadable_folder_is_named(data: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    locked = data / "raw" / "locked"
    locked.mkdir()
    real_access = os.access
    monkeypatch.setattr("keyproj.read.documents.os.access",  # as root, chmod 000 does not lock
                        lambda path, mode: False if Path(path) == locked else real_access(path, mode))
    code, err = run(["build", "--data", str(data), "--quiet"], capsys)
    assert code == 1 and err[0] == (f"keyproj build: skipped {locked}: unreadable folder (permission denied): "
                                    "its documents are not read")
    real_scandir = os.scandir
    monkeypatch.setattr("keyproj.read.documents.os.scandir", lambda path: real_scandir(path) if Path(path) != locked
                        else (_ for _ in ()).throw(PermissionError(errno.EACCES, "Permission denied", str(path))))
    code, err = run(["extract", str(locked)], capsys)
    assert code == 1 and err[0] == f"keyproj extract: {locked}: cannot read the folder: Permission denied"


def test_an_empty_data_folder_or_variable_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(DATA_ENV, "")
    code, err = run(["build"], capsys)
    assert code == 1 and len(err) == 1 and "$KEYPROJ_DATA is set but empty" in err[0] and "sources.csv" in err[0]
    monkeypatch.setenv(DATA_ENV, str(tmp_path))
    code, err = run(["build"], capsys)
    assert code == 1 and len(err) == 1 and "holds nothing to build from" in err[0]
    assert not (tmp_path / "processed" / "facts.csv").exists()


# ---------------------------------------------------------------- 4. tables that belong together stay together

def one_generation(data: Path) -> bool:
    files = tables(data)
    _, named = parse_stamp(files[STAMP_NAME].decode("utf-8"))
    return all(table_problem(name, files[name], named.get(name)) is None for name in ("facts.csv", "panel.csv"))


def test_a_build_waits_for_the_lock_of_another(data: Path) -> None:
    build(data)
    layout = paths.data_layout(data)
    (data / "raw" / FIRST).touch()  # stale again: the second build has work to do
    with build_lock(layout):  # a build (or a reader) in progress
        second = subprocess.Popen([*KEYPROJ, "build", "--data", str(data), "--quiet"], stderr=subprocess.PIPE)
        time.sleep(3)  # a build alone takes about 1 s
        assert second.poll() is None  # waits, writes nothing meanwhile
        released = time.time_ns()
    assert second.wait(timeout=120) == 0
    assert one_generation(data) and (data / "processed" / STAMP_NAME).stat().st_mtime_ns >= released


def add_reference(data: Path) -> None:
    """A reference figure for a region the documents do not cover: both tables change."""
    (data / "reference").mkdir()
    (data / "reference" / "one.csv").write_text(
        "region,scope,subset,period_start,period_end,metric,value,unit,qualifier,source_url,source_title,published\n"
        "惠安县,county,,2025-01,2025-12,projects,77,count,,http://example.org/a,惠安县,2025-02-01\n", encoding="utf-8")


def test_two_builds_at_once_publish_one_generation(data: Path) -> None:
    add_reference(data)
    runs = [subprocess.Popen([*KEYPROJ, "build", "--data", str(data), "--quiet"]) for _ in range(2)]
    assert [process.wait(timeout=120) for process in runs] == [0, 0]
    assert one_generation(data) and "惠安县" in (data / "processed" / "panel.csv").read_text(encoding="utf-8")


def test_a_kill_between_the_renames_is_never_taken_as_current(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build(data)
    old = tables(data)
    add_reference(data)  # the next build writes other tables
    real_replace = os.replace

    def killed_after_first(source: str, target: str) -> None:
        real_replace(source, target)
        if Path(target).name == "facts.csv":
            raise KeyboardInterrupt  # stands for SIGKILL: nothing after this runs
    monkeypatch.setattr(atomic.os, "replace", killed_after_first)
    with pytest.raises(KeyboardInterrupt):
        build(data)
    monkeypatch.undo()
    mixed = tables(data)
    assert mixed["facts.csv"] != old["facts.csv"] and mixed["panel.csv"] == old["panel.csv"]
    assert is_stale(data)
    with pytest.raises(KeyprojError, match=r"facts\.csv: (holds|differs)"):
        read_generation(data, rebuild=False)
    load_panel(data_dir=data)  # the loader rebuilds: one generation again
    assert one_generation(data) and tables(data)["panel.csv"] != old["panel.csv"]


@pytest.mark.parametrize("damage", ["cut", "nul"])
def test_a_damaged_panel_never_loads_silently(data: Path, damage: str) -> None:
    build(data)
    panel = data / "processed" / "panel.csv"
    whole = panel.read_bytes()
    rows = len(load_panel(data_dir=data))
    panel.write_bytes(whole[:len(whole) // 2] if damage == "cut" else whole.replace(b",", b"\0", 3))
    with pytest.raises(KeyprojError, match=str(panel).replace(".", r"\.")):
        read_generation(data, rebuild=False)
    assert len(load_panel(data_dir=data)) == rows  # rebuilt whole, not half of it
    assert panel.read_bytes() == whole


def test_a_build_removes_the_temporary_files_of_killed_builds(data: Path) -> None:
    processed = data / "processed"
    processed.mkdir()
    left = [processed / ".facts.csv.k1l2e3d4.tmp", processed / ".panel.csv.a9b8c7d6.tmp"]
    for path in left:
        path.write_bytes(b"region,scope\n")
    build(data)
    assert not any(path.exists() for path in left)
    assert sorted(path.name for path in processed.iterdir()) == [".build.lock", STAMP_NAME, "facts.csv", "panel.csv"]


# ---------------------------------------------------------------- 5. environment faults are one line

def full_disk(*args: object) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_a_full_disk_is_one_line_and_keeps_the_outputs(data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    build(data)
    before = tables(data)
    (data / "raw" / FIRST).touch()
    out = tmp_path / "facts.csv"
    out.write_text("earlier\n", encoding="utf-8")
    monkeypatch.setattr(atomic.os, "fsync", full_disk)
    code, err = run(["build", "--data", str(data), "--quiet"], capsys)
    assert code == 1 and len(err) == 1 and "processed: cannot write the processed tables (No space left" in err[0]
    assert tables(data) == before
    code, err = run(["extract", str(data / "raw"), "--out", str(out)], capsys)
    assert code == 1 and err[-1].startswith("keyproj extract: error: ") and "No space left on device" in err[-1]
    assert out.read_text(encoding="utf-8") == "earlier\n"
    assert sorted(path.name for path in tmp_path.iterdir() if path.name.endswith(".tmp")) == []


def test_a_read_only_folder_is_one_line(data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    def read_only(*args: object, **kwargs: object) -> None:
        raise PermissionError(errno.EROFS, os.strerror(errno.EROFS), str(kwargs.get("dir", "")))
    monkeypatch.setattr(atomic.tempfile, "mkstemp", read_only)  # as root, chmod cannot forbid
    out = tmp_path / "texts"
    code, err = run(["read", str(data / "raw" / FIRST), "--out", str(out)], capsys)
    assert code == 1 and err == [f"keyproj read: error: cannot write {out / FIRST}: Read-only file system"]
    code, err = run(["extract", str(data / "raw" / FIRST), "--out", str(out / "f.csv")], capsys)
    assert code == 1 and len(err) == 1 and f"{out}: Read-only file system" in err[0]


# ---------------------------------------------------------------- 6. read decodes as strictly as extract

def test_read_refuses_undecodable_bytes_as_extract_does(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Random bytes that GB18030 decodes without an error: once printed as rare characters, exit 0.
    generator = random.Random(15)
    document = tmp_path / "noise.txt"
    document.write_bytes(bytes(generator.randrange(0xB0, 0xF7) if index % 2 == 0 else generator.randrange(0xA1, 0xFE)
                               for index in range(2000)))
    code, err = run(["read", str(document)], capsys)
    assert code == 1 and err[0] == (f"keyproj read: {document}: cannot decode the text (it is not UTF-8, UTF-16, "
                                    "GB18030/GBK or Big5): save it as UTF-8")
    assert capsys.readouterr().out == ""
    code, extract_err = run(["extract", str(document)], capsys)
    assert code == 1 and extract_err[0].split(": ", 1)[1] == err[0].split(": ", 1)[1]


# ---------------------------------------------------------------- 7. spreadsheet safety

def test_formula_text_is_inert_in_exports_and_exact_in_machine_data(data: Path, tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    formulas = ['=HYPERLINK("http://evil.example/","x")', "=1+2", "+3", "-4", "@SUM(A1)"]
    lines = ["region,scope,subset,period_start,period_end,metric,value,unit,qualifier,source_url,source_title,published"]
    for year, title in enumerate(formulas, start=2020):  # one figure a year, each titled with a formula
        quoted = title.replace('"', '""')
        lines.append(f'惠安县,county,,{year}-01,{year}-12,projects,{year - 2000},count,,http://example.org/{year},'
                     f'"{quoted}",{year}')
    (data / "reference").mkdir()
    (data / "reference" / "formulas.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert run(["build", "--data", str(data), "--quiet"], capsys)[0] == 0
    with open(data / "processed" / "facts.csv", encoding="utf-8") as handle:
        machine = {row["title"] for row in csv.DictReader(handle)}
    assert set(formulas) <= machine  # facts.csv keeps the exact text
    assert run(["export", "--data", str(data), "--out", str(tmp_path / "x")], capsys)[0] == 0
    with open(tmp_path / "x" / "facts.csv", encoding="utf-8") as handle:
        exported = {row["title"] for row in csv.DictReader(handle)}
    assert {"'" + formula for formula in formulas} <= exported and not set(formulas) & exported
