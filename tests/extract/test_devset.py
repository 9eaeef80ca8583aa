"""The dev set (tests/devset: 37 documents from 29 provinces, written for the project): strict recall
and precision floors, and a pre-filter that never skips a sentence holding a gold fact."""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from conftest import gold_and_found

from keyproj.extract import document

DEVSET = Path(__file__).resolve().parent.parent / "devset"


def _gold() -> Counter:
    return gold_and_found(DEVSET)[0]


def _predicted() -> Counter:
    return gold_and_found(DEVSET)[1]


@pytest.fixture(scope="module")
def predicted() -> Counter:
    return _predicted()


def test_strict_recall_and_precision(predicted: Counter) -> None:
    gold = _gold()
    matched = sum((gold & predicted).values())
    recall, precision = matched / sum(gold.values()), matched / sum(predicted.values())
    assert recall >= 0.95, f"strict recall {recall:.3f}"
    assert precision >= 0.97, f"strict precision {precision:.3f}"


def test_the_prefilter_never_skips_a_sentence_holding_a_gold_fact(predicted: Counter,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Every sentence read (no trigger words, no figure needed) finds no gold fact the pre-filter missed."""
    monkeypatch.setattr(document, "_TRIGGER", re.compile(r"[^\n]"))
    monkeypatch.setattr(document, "_FIGURE", re.compile(r"[\s\S]"))
    unfiltered = _predicted()
    gold = _gold()
    assert sum((gold & unfiltered).values()) > 300
    assert gold & unfiltered == gold & predicted
