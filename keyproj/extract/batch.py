"""Many documents: extraction streamed in a stable order, optionally over several processes."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from keyproj.errors import BadInputError
from keyproj.extract.document import document_facts
from keyproj.facts import FACT_COLUMNS
from keyproj.read.documents import discover_documents, read_document
from keyproj.util.parallel import ordered_map

if TYPE_CHECKING:
    import pandas as pd

_VALUE = FACT_COLUMNS.index("value")


def row_dicts(rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """Rows in FACT_COLUMNS order as dicts with the FACT_COLUMNS keys."""
    return [dict(zip(FACT_COLUMNS, row)) for row in rows]



# Documents are read a stretch of about this many characters at a time, then extracted: taking
# the two kinds of work in turns over a stretch is about 8 % faster than document by document
# (bench/bench_extract.py), and memory stays bounded by the stretch.
_STRETCH = 200_000


def _results(refs: Sequence[Any], as_csv: bool) -> Iterator[tuple[str, Any]]:
    """``(path, result)`` for each document of ``refs``, in order (see :func:`iter_extracted`)."""

    stretch: list[tuple[str, Any]] = []
    size = 0
    for index, ref in enumerate(refs):
        try:
            document = read_document(ref.path, ref.meta)
            size += len(document.text)
        except BadInputError as error:
            document = error
        stretch.append((str(ref.path), document))
        if size < _STRETCH and index + 1 < len(refs):
            continue
        for path, document in stretch:
            if isinstance(document, BadInputError):
                yield path, document
                continue
            notes: list[str] = []
            try:
                rows = document_facts(document.doc_id, document.text, document.meta, notes)
            except Exception as error:  # a fault of keyproj's on one document: the others go on
                yield path, BadInputError(path, f"not extracted: keyproj failed on it ({type(error).__name__}: "
                                                f"{error}); the other documents were read; please report this file")
                continue
            if as_csv:
                yield path, (facts_csv_rows(rows), len(rows), notes)
            else:
                yield path, row_dicts(rows)
        stretch, size = [], 0


def _run_results(run: tuple[list[Any], bool]) -> list[tuple[str, Any]]:
    """The results of a run of documents (one task of ``ordered_map``: one result file for many documents)."""
    refs, as_csv = run
    return list(_results(refs, as_csv))


def _batches(refs: list[Any], jobs: int) -> list[list[Any]]:
    """Consecutive runs of ``refs``, long at first and shorter towards the end (each about a
    quarter of what is left per process, at most 256 and at least 8 documents): few tasks, and
    the processes finish close together."""
    batches: list[list[Any]] = []
    start = 0
    while start < len(refs):
        size = max(8, min(256, (len(refs) - start) // (jobs * 4)))
        batches.append(refs[start:start + size])
        start += size
    return batches


def iter_extracted(paths: Sequence[str | Path], jobs: int = 1, as_csv: bool = False) -> Iterator[tuple[str, Any]]:
    """Facts of every document found under ``paths``, streamed in a stable order.

    Yields ``(path, rows)`` for each document (rows: dicts with the FACT_COLUMNS keys; with
    ``as_csv``, ``(CSV lines, number of rows)`` instead), or ``(path, error)`` for a bad file or
    folder; nothing is raised for a bad file. With ``jobs`` > 1 this process and ``jobs - 1``
    forked ones take runs of documents in turn (``keyproj.util.parallel.ordered_map``).
    """

    refs, errors = discover_documents(paths)
    for error in errors:
        yield str(error.path), error
    if jobs <= 1 or len(refs) <= 1:
        yield from _results(refs, as_csv)
        return

    for results in ordered_map(_run_results, [(batch, as_csv) for batch in _batches(refs, jobs)], jobs):
        yield from results


def extract_paths(paths: Sequence[str | Path], jobs: int = 1) -> tuple[pd.DataFrame, list[BadInputError]]:
    """All facts of the documents under ``paths`` (FACT_COLUMNS) and the errors of bad files."""
    import pandas as pd


    rows: list[dict[str, Any]] = []
    errors: list[BadInputError] = []
    for _, result in iter_extracted(paths, jobs):
        if isinstance(result, BadInputError):
            errors.append(result)
        else:
            rows.extend(result)
    return pd.DataFrame(rows, columns=FACT_COLUMNS), errors


def facts_csv_rows(rows: Iterable[Sequence[Any]]) -> str:
    """Fact rows (sequences in FACT_COLUMNS order) as CSV lines, no header."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:
        values = list(row)
        values[_VALUE] = _format_value(values[_VALUE])
        writer.writerow(values)
    return buffer.getvalue()


def _format_value(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".") if value == value else ""
