"""The extractor's shortcuts for speed change nothing: a sentence without a worded figure skips the
full reading, place search starts at the first possible name, word alternations are grouped by
first character, patterns drop their lookahead where the regex engine finds its own prefix, and
the metric and stage scans are skipped (or start late) by one combined scan. Each is checked
against the long way round on the dev set and the seeds."""
from __future__ import annotations

import csv
import random
import re
from pathlib import Path

import pytest

from keyproj.extract import document, extract_rows, figures
from keyproj.extract.grammar import any_metric, metric_patterns, patterns
from keyproj.extract.periods import TIME_PATTERN, YEAR_PATTERN
from keyproj.extract.places import gazetteer
from keyproj.lexicon import REGEX_PREFIX, _fragment, alternation, words
from keyproj.read.documents import read_document

ROOT = Path(__file__).resolve().parent.parent.parent
FOLDERS = [(ROOT / "tests" / "devset", ROOT / "tests" / "devset" / "docs"), (ROOT / "data" / "raw", ROOT / "data" / "raw")]


def _documents() -> list:
    found = []
    for folder, docs in FOLDERS:
        with open(folder / "sources.csv", encoding="utf-8") as handle:
            found += [read_document(docs / meta["file"], meta) for meta in csv.DictReader(handle)]
    return found


@pytest.fixture(scope="module")
def documents() -> list:
    return _documents()


def test_the_figureless_sentence_shortcut_gives_the_same_facts(documents: list,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    fast = [extract_rows(doc) for doc in documents]
    monkeypatch.setattr(document, "_may_count_group", lambda sentence: True)  # every sentence the long way
    assert [extract_rows(doc) for doc in documents] == fast


def test_place_search_from_the_first_possible_name_finds_what_a_whole_scan_finds(documents: list) -> None:
    places = gazetteer()
    places.find("")
    automaton = places._matcher._automaton

    def whole(text: str) -> list[tuple[int, int, str]]:
        return [(end + 1 - size, end + 1, text[end + 1 - size:end + 1])
                for end, (size, kept) in automaton.iter_long(text) if kept and text[end + 1:end + 2] != "级"]

    rng = random.Random(12)
    surfaces = places.names()
    for doc in documents:
        for line in doc.text.split("\n"):
            assert places.find(line) == whole(line)
        for _ in range(50):  # names glued to parts of names and to the text
            text = "".join(rng.choice([rng.choice(surfaces), rng.choice(surfaces)[1:], doc.text[:rng.randrange(1, 9)]])
                           for _ in range(rng.randrange(1, 5)))
            assert places.find(text) == whole(text)


def test_grouped_alternations_match_like_plain_ones(documents: list) -> None:
    for section, key in [("list_nouns", "key_list"), ("signed", "signed"), ("stages", "started")]:
        items = words("wordings", section, key)
        if any(w.startswith(REGEX_PREFIX) for w in items):
            continue
        plain = "(?:" + "|".join(_fragment(w) for w in sorted(set(items), key=lambda w: (-len(w), w))) + ")"
        grouped, ungrouped = re.compile(alternation(items)), re.compile(plain)
        for doc in documents:
            assert [m.span() for m in grouped.finditer(doc.text)] == [m.span() for m in ungrouped.finditer(doc.text)]


_LOOKAHEAD = re.compile(r"^\(\?=\[(?:\\.|[^\]])*\]\)")


def test_patterns_compiled_for_scanning_match_like_plain_ones(documents: list) -> None:
    compiled = [*patterns().values(), *(p for *_, p in metric_patterns()), any_metric(), TIME_PATTERN, YEAR_PATTERN]
    assert any(not p.pattern.startswith("(?=") for p in compiled)  # some lost their lookahead
    for fast in compiled:
        plain = re.compile(_LOOKAHEAD.sub("", fast.pattern))
        for doc in documents:
            assert [m.span() for m in fast.finditer(doc.text)] == [m.span() for m in plain.finditer(doc.text)]


def test_metric_and_stage_scans_skipped_by_a_combined_scan_give_the_same_facts(
        documents: list, monkeypatch: pytest.MonkeyPatch) -> None:
    fast = [extract_rows(doc) for doc in documents]
    everywhere = re.compile("")  # matches at the start of every sentence: nothing skipped
    monkeypatch.setattr(figures, "any_metric", lambda: everywhere)
    monkeypatch.setitem(patterns(), "stage_word", everywhere)
    assert [extract_rows(doc) for doc in documents] == fast
