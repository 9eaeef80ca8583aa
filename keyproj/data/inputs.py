"""The build's inputs as fact dicts: facts extracted from raw/ documents (with their sources.csv
metadata) and the curated figures of reference/*.csv."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from keyproj.data.panel import normalize_facts
from keyproj.data.rows import RowsError, check_key, parse_value, read_csv_rows
from keyproj.errors import BadInputError
from keyproj.extract import extract_paths
from keyproj.facts import METRIC_UNITS
from keyproj.paths import DataLayout, display_path
from keyproj.read.documents import discover_documents
from keyproj.read.sources import normalize_published, read_sources_checked

REFERENCE_COLUMNS: list[str] = [
    "region", "scope", "subset", "period_start", "period_end", "metric", "value", "unit", "qualifier",
    "source_url", "source_title", "published",
]
_OPTIONAL_REFERENCE_COLUMNS = frozenset({"subset", "unit", "qualifier", "source_title", "published"})


def _has_documents(raw: Path) -> bool:
    if not raw.is_dir():
        return False
    return any(not path.name.startswith(".") and path.name != "sources.csv" for path in raw.iterdir())


def document_facts(layout: DataLayout) -> tuple[list[dict[str, Any]], list[BadInputError]]:
    """Facts extracted from the documents of ``layout.raw`` with their metadata, and the inputs
    skipped, each with its reason: bad files and folder entries, bad sources.csv rows, and
    documents without a sources.csv row (a build only takes documents whose origin is written down)."""

    if not _has_documents(layout.raw):
        return [], []
    refs, errors = discover_documents([layout.raw])
    listed = [ref.path for ref in refs if ref.meta is not None]
    for ref in refs:
        if ref.meta is None:
            errors.append(BadInputError(ref.path, f"no row in {display_path(layout.sources)}: add one "
                                                  "(file, published, region, title, url) to build from it"))
    extracted, bad_files = extract_paths(listed, jobs=1) if listed else (None, [])
    errors.extend(bad_files)
    sources, _ = read_sources_checked(layout.sources) if layout.sources.exists() else ({}, [])
    by_stem = {Path(name).stem: row for name, row in sources.items()}
    facts = normalize_facts(extracted) if extracted is not None else []
    for fact in facts:
        meta = by_stem.get(fact["doc_id"], {})
        fact["source"] = fact["doc_id"]
        fact["source_kind"] = "document"
        fact["published"] = meta.get("published", "")
        fact["url"] = meta.get("url", "")
        fact["title"] = meta.get("title", "")
    return facts, errors


def reference_facts(layout: DataLayout) -> list[dict[str, Any]]:
    """Facts of every ``reference/*.csv`` (sorted by file name).

    Raises :class:`RowsError` listing every malformed row as 'FILE:LINE: problem'.
    """
    if not layout.reference.is_dir():
        return []
    facts: list[dict[str, Any]] = []
    problems: list[str] = []
    for path in sorted(layout.reference.glob("*.csv")):
        shown = display_path(path)
        try:
            header, rows = read_csv_rows(path, REFERENCE_COLUMNS)
        except RowsError as error:
            problems.extend(error.problems)
            continue
        missing = [name for name in REFERENCE_COLUMNS
                   if name not in header and name not in _OPTIONAL_REFERENCE_COLUMNS]
        if missing:
            problems.append(f"{shown}:1: missing column(s) {', '.join(missing)}; "
                            f"the columns are {','.join(REFERENCE_COLUMNS)}")
            continue
        for line, cells in rows:
            if len(cells) != len(header):
                problems.append(f"{shown}:{line}: {len(cells)} cells but the header has {len(header)}")
                continue
            row = {name: "" for name in REFERENCE_COLUMNS} | dict(zip(header, cells))
            row_problems = check_key(row)
            if not row["source_url"]:
                row_problems.append("source_url is empty: every reference figure needs its source")
            published = normalize_published(row["published"])
            if published is None:
                row_problems.append(f"published {row['published']!r} is not a date "
                                    "(write YYYY-MM-DD, YYYY-MM or YYYY, or leave it empty)")
            value, problem = parse_value(row["value"], row["metric"]) if not row_problems else (None, None)
            if problem:
                row_problems.append(problem)
            if row_problems:
                problems.extend(f"{shown}:{line}: {text}" for text in row_problems)
                continue
            facts.append({
                "doc_id": "", "region": row["region"], "scope": row["scope"], "subset": row["subset"],
                "period_start": row["period_start"], "period_end": row["period_end"],
                "metric": row["metric"], "value": value, "unit": row["unit"] or _unit(row["metric"]),
                "qualifier": row["qualifier"], "quote": "", "char_start": "", "char_end": "",
                "source": row["source_url"], "source_kind": "reference", "published": published,
                "url": row["source_url"], "title": row["source_title"],
            })
    if problems:
        raise RowsError(problems)
    return facts


def _unit(metric: str) -> str:
    return METRIC_UNITS[metric]
