"""Every example of keyproj/lexicon/*.yaml gives exactly the facts it lists (adding a wording = a line + its example)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from keyproj.extract import extract_rows
from keyproj.lexicon import load
from keyproj.read.documents import read_document


def _examples() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for name in ("wordings", "numbers", "time"):
        for section, entries in load(name).items():
            for key, entry in entries.items():
                for index, example in enumerate(entry.get("examples") or ()):
                    found.append((f"{name}.{section}.{key}[{index}]", example))
    return found


EXAMPLES = _examples()


def test_every_wording_family_has_an_example() -> None:
    entries = [(s, k) for s, es in load("wordings").items() for k, e in es.items() if not e.get("examples")]
    assert entries == []


@pytest.mark.parametrize(("name", "example"), EXAMPLES, ids=[name for name, _ in EXAMPLES])
def test_example(tmp_path: Path, name: str, example: dict[str, Any]) -> None:
    path = tmp_path / "example.txt"
    path.write_text(example["text"], encoding="utf-8")
    meta = {"file": path.name, "published": str(example.get("published", "")), "region": example.get("region", ""),
            "title": example.get("title", ""), "url": ""}
    rows = extract_rows(read_document(path, meta))
    got = sorted((r["metric"], round(float(r["value"]), 4), r["scope"], r["period_start"], r["period_end"])
                 for r in rows)
    want = sorted((m, round(float(v), 4), s, str(a), str(b)) for m, v, s, a, b in example["facts"])
    assert got == want, example["text"]
