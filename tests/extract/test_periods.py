"""keyproj.periods: the fast year scan finds exactly what the plain scan finds."""
from __future__ import annotations

import random

from conftest import RAW_DIR, SEED_IDS

from keyproj.extract.periods import YEAR_PATTERN, find_time_mentions, find_year_mentions
from keyproj.read.documents import read_document


def _plain(text: str) -> list:
    return find_time_mentions(text, pattern=YEAR_PATTERN)


def test_year_scan_on_the_seeds_equals_the_whole_text_scan() -> None:
    found = []
    for doc_id in SEED_IDS:
        text = read_document(RAW_DIR / f"{doc_id}.txt").text
        assert find_year_mentions(text) == _plain(text)
        found += find_year_mentions(text)
    assert any(m.year for m in found) and any(m.this_year for m in found) and any(m.year_to_date for m in found)


def test_year_scan_on_crowded_expressions_equals_the_whole_text_scan() -> None:
    # Expressions that touch, overlap or sit at the text's ends: the windows around 年 and 目前
    # must merge so that the pattern starts where the whole-text scan would.
    pieces = ["2024年", "2024年度", "今年以来", "今年来", "今年初至今", "年初以来", "年初至今", "截至目前",
              "截止到目前", "到目前为止", "本年度", "本年", "今年", "目前", "年", "1", "20", "度", ",", "。", "初"]
    rng = random.Random(20241122)
    for _ in range(5000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        assert find_year_mentions(text) == _plain(text), text
    assert [(m.start, m.year) for m in find_year_mentions("2023年2024年度")] == [(0, 2023), (5, 2024)]
    assert find_year_mentions("") == [] and find_year_mentions("没有年份的句子") == []
