"""`keyproj extract`: files and folders, --out, --jobs, and bad input that never stops the rest."""
from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from conftest import RAW_DIR, SEED_IDS

from keyproj.cli import main
from keyproj.facts import FACT_COLUMNS


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_folder_to_stdout_uses_the_folders_sources_csv(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract", str(RAW_DIR)]) == 0
    out = capsys.readouterr().out
    rows = _rows(out)
    assert out.splitlines()[0] == ",".join(FACT_COLUMNS)
    assert {r["doc_id"] for r in rows} == set(SEED_IDS) - {"001_75d34e636deef5af"}
    taishang = [r for r in rows if r["region"] == "泉州台商投资区" and r["metric"] == "completion_rate"]
    assert [(r["value"], r["period_start"], r["period_end"]) for r in taishang] == [("76.7", "2024-01", "2024-09")]


def test_jobs_and_out_give_the_same_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    one, two = tmp_path / "one.csv", tmp_path / "sub" / "two.csv"
    assert main(["extract", str(RAW_DIR), "--out", str(one)]) == 0
    assert main(["extract", str(RAW_DIR), "--jobs", "2", "--out", str(two)]) == 0
    assert one.read_bytes() == two.read_bytes()
    assert len(_rows(one.read_text(encoding="utf-8"))) == 39


def test_bad_files_are_reported_one_line_each_and_the_rest_is_written(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(RAW_DIR, corpus)
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (corpus / "scan.pdf").write_bytes(b"%PDF-1.4 not really a pdf")
    out = tmp_path / "facts.csv"
    out.write_text("an earlier good output\n", encoding="utf-8")
    status = main(["extract", str(corpus), str(tmp_path / "notes.docx"), "--out", str(out), "--jobs", "2"])
    err = capsys.readouterr().err.strip().splitlines()
    assert status == 1
    assert len(err) == 5, err  # four bad inputs and the summary
    for name in ("empty.txt", "binary.txt", "scan.pdf", "notes.docx"):
        assert sum(name in line for line in err) == 1, (name, err)
    assert "Traceback" not in "\n".join(err)
    assert err[-1].startswith("keyproj extract: 4 of ")
    assert len(_rows(out.read_text(encoding="utf-8"))) == 39


def test_a_fault_of_keyproj_on_one_document_is_one_line_and_the_rest_is_written(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import keyproj.extract.batch as batch

    real = batch.document_facts

    def failing_on_one(doc_id: str, *args: object, **kwargs: object) -> object:
        if doc_id == SEED_IDS[0]:
            raise ValueError("a rule met a number it cannot parse")
        return real(doc_id, *args, **kwargs)

    monkeypatch.setattr(batch, "document_facts", failing_on_one)
    out = tmp_path / "facts.csv"
    assert main(["extract", str(RAW_DIR), "--out", str(out)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and SEED_IDS[0] in err[0] and "ValueError" in err[0] and "Traceback" not in "\n".join(err)
    rows = _rows(out.read_text(encoding="utf-8"))
    assert rows and SEED_IDS[0] not in {r["doc_id"] for r in rows}


def test_jobs_must_be_positive(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract", str(RAW_DIR), "--jobs", "0"]) == 1
    assert capsys.readouterr().err.strip().count("\n") == 0


def test_batches_cover_every_document_in_order() -> None:
    from keyproj.extract.batch import _batches

    for count, jobs in [(1, 2), (7, 2), (100, 2), (1977, 2), (5000, 3)]:
        batches = _batches(list(range(count)), jobs)
        assert [ref for batch in batches for ref in batch] == list(range(count))
        sizes = [len(batch) for batch in batches]
        assert max(sizes) <= 256 and all(a >= b for a, b in zip(sizes, sizes[1:-1]))
    assert len(_batches(list(range(1977)), 2)) < 60  # one message per run, not per document


def test_jobs_on_many_documents_with_bad_ones_between(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Enough documents for several runs per worker, and bad files among them: the same table and
    # the same error lines, in the same order, whatever the number of jobs.
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    rows = (RAW_DIR / "sources.csv").read_text(encoding="utf-8").splitlines()
    header, seeds = rows[0], rows[1:]
    lines = [header]
    for copy in range(12):
        for row in seeds:
            name = row.split(",", 1)[0]
            shutil.copy(RAW_DIR / name, corpus / f"{copy:02d}_{name}")
            lines.append(f"{copy:02d}_{row}")
        (corpus / f"{copy:02d}_zz_empty.txt").write_bytes(b"")
    (corpus / "sources.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    outputs, errors = [], []
    for jobs in ("1", "2", "3"):
        out = tmp_path / f"facts-{jobs}.csv"
        assert main(["extract", str(corpus), "--jobs", jobs, "--out", str(out)]) == 1
        outputs.append(out.read_bytes())
        errors.append(capsys.readouterr().err)
    assert outputs[0] == outputs[1] == outputs[2]
    assert errors[0] == errors[1] == errors[2]
    assert len(_rows(outputs[0].decode("utf-8"))) == 12 * 39
    assert errors[0].count("empty file") == 12 and "12 of 72 inputs failed" in errors[0]


def test_ctrl_c_while_a_c_extension_loads_counts_as_an_interrupt() -> None:
    from keyproj.cli import _caused_by_interrupt

    try:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as interrupt:
            raise ImportError("initialization failed") from interrupt
    except ImportError as error:
        wrapped = error
    assert _caused_by_interrupt(wrapped)
    assert not _caused_by_interrupt(ImportError("No module named 'opencc_clib'"))


def test_checks_file_records_arithmetic_contradictions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # 50 亿元 completed cannot be 80 % of a 100 亿元 plan: the contradiction is written, not dropped.
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "bad.txt").write_text(
        "2024年，全县重点项目年度计划投资100亿元。1-9月，全县重点项目完成投资50亿元，完成年度计划的80%。\n",
        encoding="utf-8")
    (tmp_path / "docs" / "good.txt").write_text(
        "2024年，全县重点项目年度计划投资100亿元。1-9月，全县重点项目完成投资80亿元，完成年度计划的80%。\n",
        encoding="utf-8")
    (tmp_path / "docs" / "sources.csv").write_text(
        "file,published,region,title,url\nbad.txt,2024-10-15,长汀县,,\ngood.txt,2024-10-15,长汀县,,\n", encoding="utf-8")
    checks = tmp_path / "checks.csv"
    assert main(["extract", str(tmp_path / "docs"), "--out", str(tmp_path / "facts.csv"), "--checks", str(checks)]) == 0
    notes = list(csv.DictReader(open(checks, encoding="utf-8")))
    assert [note["doc_id"] for note in notes] == ["bad"]
    assert "completed 50 vs plan 100 × 80% = 80.00" in notes[0]["note"]
    assert "1 arithmetic check note(s)" in capsys.readouterr().err


def test_checks_file_records_a_settled_list(tmp_path: Path) -> None:
    # The text says the province list, but 240 亿元 at 80 % fits only the city list's 300 亿元 plan.
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "moved.txt").write_text(
        "省重点项目30个，年度计划投资120亿元。市重点项目120个，年度计划投资300亿元。\n"
        "省重点项目1-9月完成投资240亿元，完成年度计划的80%。\n", encoding="utf-8")
    (tmp_path / "docs" / "sources.csv").write_text(
        "file,published,region,title,url\nmoved.txt,2024-10-15,漳州市,,\n", encoding="utf-8")
    checks, out = tmp_path / "checks.csv", tmp_path / "facts.csv"
    assert main(["extract", str(tmp_path / "docs"), "--out", str(out), "--checks", str(checks)]) == 0
    facts = list(csv.DictReader(open(out, encoding="utf-8")))
    flows = {row["metric"]: row["scope"] for row in facts if row["period_end"] == "2024-09"}
    assert flows == {"completed_investment": "city", "completion_rate": "city"}
    notes = list(csv.DictReader(open(checks, encoding="utf-8")))
    assert len(notes) == 1 and notes[0]["note"].startswith("settled: 漳州市 province")


def test_a_lexicon_file_that_cannot_be_read_is_a_one_line_error(tmp_path: Path) -> None:
    """A user adding a wording with a YAML slip gets the file named in one line, no traceback."""
    import subprocess
    import sys

    package = tmp_path / "keyproj"
    shutil.copytree(Path(__file__).resolve().parents[2] / "keyproj", package,
                    ignore=shutil.ignore_patterns("__pycache__"))
    wordings = package / "lexicon" / "wordings.yaml"
    wordings.write_text(wordings.read_text(encoding="utf-8") + "\n  broken: why: a colon too many\n", encoding="utf-8")
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tmp_path), "HOME": str(tmp_path)}
    # (the copy is no checkout of this .venv: its check of that is left out here)
    run = "import sys, keyproj.cli as cli; cli._check_checkout = lambda: None; sys.exit(cli.main())"
    done = subprocess.run([sys.executable, "-c", run,
                           "extract", str(RAW_DIR)], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "wordings.yaml" in lines[0], done.stderr
