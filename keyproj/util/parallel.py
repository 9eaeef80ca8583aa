"""An ordered parallel map in which the calling process works too (used by `keyproj extract --jobs N`).

The caller and ``jobs - 1`` forked helpers take tasks in turn from a shared counter, so no
process waits for work while another has some, and the caller (which must stay to hand the
results on) is one of the workers instead of a third process competing for the cores. A
helper writes each result to a file of a private temporary folder (no pipe to block on); the
caller yields the results in task order, reading each file once, so memory holds one result
at a time whatever the number of tasks.
"""
from __future__ import annotations

import os
import pickle
import signal
import tempfile
from collections.abc import Callable, Iterator, Sequence
from typing import Any, NoReturn, TypeVar

from keyproj.errors import KeyprojError

__all__ = ["ordered_map"]

_Task = TypeVar("_Task")
_Result = TypeVar("_Result")


def ordered_map(function: Callable[[_Task], _Result], tasks: Sequence[_Task], jobs: int) -> Iterator[_Result]:
    """``function(task)`` for every task, yielded in task order, computed by this process and
    ``jobs - 1`` forked helpers (POSIX only; ``jobs`` <= 1 computes them here, one by one).

    An exception raised by ``function`` in a helper is raised here, at its task's turn; a helper
    that dies without a result raises KeyprojError. Closing the iterator early, or an exception
    here (Ctrl-C), stops the helpers and removes their files.
    """
    # One piece: the helpers' start, the shared counter, the ordered collection and the clean-up
    # in `finally` must see the same state; apart, an early stop could leave a helper running.
    count = len(tasks)
    if jobs <= 1 or count <= 1:
        for task in tasks:
            yield function(task)
        return
    import multiprocessing

    counter = multiprocessing.get_context("fork").Value("q", 0)

    def claim() -> int:
        with counter.get_lock():
            index = counter.value
            counter.value = index + 1
        return int(index)

    caller = os.getpid()
    helpers: list[int] = []
    with tempfile.TemporaryDirectory(prefix="keyproj-jobs-") as folder:
        try:
            for _ in range(min(jobs, count) - 1):
                # Ctrl-C between fork() and append() would leave a helper nobody stops: hold it off.
                mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
                try:
                    pid = os.fork()
                    if pid == 0:
                        signal.signal(signal.SIGINT, signal.SIG_DFL)  # a held Ctrl-C just stops a helper
                        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
                        _help(function, tasks, claim, folder, caller)
                    helpers.append(pid)
                finally:
                    signal.pthread_sigmask(signal.SIG_SETMASK, mask)
            turn = 0  # the next task whose result is due
            errors: dict[int, Exception] = {}  # raised by this process ahead of their turn
            while (index := claim()) < count:
                try:
                    result = function(tasks[index])
                except Exception as error:
                    if index == turn:
                        raise
                    errors[index] = error  # the results before it come first
                else:
                    if index == turn:
                        yield result
                        turn += 1
                    else:
                        _save(folder, index, (True, result))
                turn = yield from _ready(folder, turn, count, errors)
            statuses = [os.waitpid(pid, 0)[1] for pid in helpers]
            helpers = []
            turn = yield from _ready(folder, turn, count, errors)
            if turn < count:
                raise KeyprojError(f"a worker process stopped before finishing task {turn + 1} of {count} "
                                   f"({_how_they_ended(statuses)}): run again, with fewer --jobs if "
                                   f"memory is short")
        finally:
            for pid in helpers:  # stopped early: the helpers' results are no longer wanted
                try:
                    os.kill(pid, signal.SIGTERM)
                    os.waitpid(pid, 0)
                except (ProcessLookupError, ChildProcessError):
                    pass


def _how_they_ended(statuses: list[int]) -> str:
    """"exit code 3", "killed by SIGKILL", ... for each helper."""
    ends = []
    for status in statuses:
        code = os.waitstatus_to_exitcode(status)
        ends.append(f"killed by {signal.Signals(-code).name}" if code < 0 else f"exit code {code}")
    return ", ".join(ends)


def _help(function: Callable[[Any], Any], tasks: Sequence[Any], claim: Callable[[], int], folder: str,
          caller: int) -> NoReturn:
    """A helper's life: take tasks until none is left (or the caller is gone), save each result."""
    code = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C: the caller cleans up, helpers just stop
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        while os.getppid() == caller and (index := claim()) < len(tasks):
            try:
                outcome: tuple[bool, Any] = (True, function(tasks[index]))
            except Exception as error:  # handed to the caller, raised there at this task's turn
                outcome = (False, error)
            _save(folder, index, outcome)
        code = 0
    finally:
        os._exit(code)  # never run the caller's clean-up code (its temporary folder, open files)


def _save(folder: str, index: int, outcome: tuple[bool, Any]) -> None:
    """Write a task's outcome where ``_ready`` finds it only once it is whole."""
    path = os.path.join(folder, str(index))
    with open(path + ".tmp", "wb") as handle:
        try:
            pickle.dump(outcome, handle, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as error:  # an unpicklable result or error: say so at its turn
            handle.seek(0)
            handle.truncate()
            pickle.dump((False, RuntimeError(f"task {index}: result cannot be passed on ({error})")), handle)
    os.replace(path + ".tmp", path)


def _ready(folder: str, turn: int, count: int, errors: dict[int, Exception]) -> Iterator[Any]:
    """Yield the saved results from task ``turn`` on, as long as they follow one another (raising
    a saved error, or one of ``errors``, at its turn); returns the next task whose result is due."""
    while turn < count:
        if turn in errors:
            raise errors[turn]
        path = os.path.join(folder, str(turn))
        try:
            with open(path, "rb") as handle:
                succeeded, value = pickle.load(handle)
        except FileNotFoundError:
            break
        os.unlink(path)
        if not succeeded:
            raise value
        yield value
        turn += 1
    return turn
