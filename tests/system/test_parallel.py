"""keyproj.util.parallel.ordered_map: results in task order, work shared with forked helpers, failures raised here."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from conftest import RAW_DIR, REPO_ROOT

from keyproj.errors import KeyprojError
from keyproj.util.parallel import ordered_map


def _square_slowly(task: int) -> tuple[int, int]:
    time.sleep(0.002 * (task % 5))  # unequal tasks: helpers finish out of order
    return task * task, os.getpid()


def _leftover_folders() -> set[str]:
    return {name for name in os.listdir(tempfile.gettempdir()) if name.startswith("keyproj-jobs-")}


def _no_children_left() -> bool:
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


@pytest.mark.parametrize("jobs", [1, 2, 3, 5])
@pytest.mark.parametrize("count", [0, 1, 2, 40])
def test_results_come_in_task_order(jobs: int, count: int) -> None:
    before = _leftover_folders()
    results = list(ordered_map(_square_slowly, list(range(count)), jobs))
    assert [square for square, _ in results] == [task * task for task in range(count)]
    if jobs > 1 and count == 40:
        workers = {pid for _, pid in results}
        assert os.getpid() in workers and len(workers) > 1  # the caller works, and so do helpers
    assert _leftover_folders() == before and _no_children_left()


def _fails_at_seven(task: int) -> int:
    if task == 7:
        raise ValueError(f"task {task} went wrong in process {os.getpid()}")
    time.sleep(0.001)
    return task


def test_an_exception_is_raised_here_at_its_turn() -> None:
    seen: list[int] = []
    with pytest.raises(ValueError, match="task 7 went wrong"):
        for result in ordered_map(_fails_at_seven, list(range(30)), 3):
            seen.append(result)
    assert seen == list(range(7))
    assert _no_children_left()


CALLER = os.getpid()


def _exit_with_code_3() -> None:
    os._exit(3)  # a helper that stops in the middle of a task


def _killed() -> None:
    os.kill(os.getpid(), signal.SIGKILL)  # as the kernel does when memory runs out


@pytest.mark.parametrize(("end_helper", "message"), [
    (_exit_with_code_3, r"stopped before finishing task \d+ of 20 \(exit code 3\): run again"),
    (_killed, r"\(killed by SIGKILL\): run again, with fewer --jobs"),
])
def test_a_helper_that_dies_is_a_one_line_error(end_helper, message: str) -> None:
    def task_ending_helpers(task: int) -> int:
        if os.getpid() != CALLER and task >= 5:
            end_helper()
        time.sleep(0.02)  # the caller is slow: the helper takes most tasks
        return task

    with pytest.raises(KeyprojError, match=message):
        list(ordered_map(task_ending_helpers, list(range(20)), 2))
    assert _no_children_left()


def _unpicklable(task: int) -> object:
    time.sleep(0.002)
    return (lambda: task) if os.getpid() != CALLER else task


def test_a_result_that_cannot_be_passed_on_is_an_error() -> None:
    with pytest.raises(RuntimeError, match="cannot be passed on"):
        list(ordered_map(_unpicklable, list(range(20)), 2))


def test_stopping_early_stops_the_helpers_and_leaves_nothing() -> None:
    before = _leftover_folders()
    results = ordered_map(_square_slowly, list(range(200)), 3)
    assert [next(results)[0] for _ in range(3)] == [0, 1, 4]
    results.close()
    assert _leftover_folders() == before and _no_children_left()


def test_ctrl_c_during_extract_jobs_leaves_no_process_and_no_file(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for copy in range(150):
        for seed in RAW_DIR.glob("*.txt"):
            (corpus / f"{copy:03d}_{seed.name}").write_bytes(seed.read_bytes())
    out = tmp_path / "facts.csv"
    out.write_text("an earlier good output\n", encoding="utf-8")
    temp = tmp_path / "temp"
    temp.mkdir()
    process = subprocess.Popen(
        [sys.executable, "-m", "keyproj", "extract", str(corpus), "--jobs", "2", "--out", str(out)],
        cwd=REPO_ROOT, stderr=subprocess.PIPE, text=True, start_new_session=True,
        env={**os.environ, "TMPDIR": str(temp)})
    deadline = time.monotonic() + 30
    while not any(temp.iterdir()) and time.monotonic() < deadline:  # the helpers are at work
        time.sleep(0.01)
    os.killpg(process.pid, signal.SIGINT)  # as Ctrl-C does: the whole process group
    _, err = process.communicate(timeout=30)
    assert process.returncode == 130, err
    assert err.strip() == "keyproj extract: interrupted"
    assert out.read_text(encoding="utf-8") == "an earlier good output\n"
    assert list(temp.iterdir()) == []
    with pytest.raises(ProcessLookupError):
        os.killpg(process.pid, 0)  # nothing of the group is left
