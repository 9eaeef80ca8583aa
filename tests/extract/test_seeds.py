"""The extractor on the five seed documents: exactly the gold facts, with traceable quotes."""
from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
from conftest import GOLD_FACTS, RAW_DIR, SEED_IDS

from keyproj.extract import extract_facts, extract_paths
from keyproj.facts import FACT_COLUMNS
from keyproj.read.documents import read_document
from keyproj.read.normalize import normalize_text

KEY = ["doc_id", "region", "scope", "period_start", "period_end", "metric", "value", "unit", "qualifier"]


def _sources() -> dict[str, dict[str, str]]:
    with open(RAW_DIR / "sources.csv", encoding="utf-8") as handle:
        return {row["file"]: row for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def seed_facts() -> pd.DataFrame:
    facts, errors = extract_paths([RAW_DIR])
    assert errors == []
    return facts


def _keyed(frame: pd.DataFrame) -> list[tuple[str, ...]]:
    frame = frame.astype({"value": float}).fillna("")
    rows = [tuple(f"{row[c]:.4f}" if c == "value" else str(row[c]) for c in KEY) for _, row in frame.iterrows()]
    return sorted(rows)


def test_seeds_give_exactly_the_gold_facts(seed_facts: pd.DataFrame) -> None:
    gold = pd.read_csv(GOLD_FACTS, dtype=str, keep_default_na=False)
    assert list(seed_facts.columns) == FACT_COLUMNS
    assert _keyed(seed_facts) == _keyed(gold)


def test_no_fact_is_stated_twice(seed_facts: pd.DataFrame) -> None:
    key = ["doc_id", "region", "scope", "subset", "period_start", "period_end", "metric"]
    assert not seed_facts.duplicated(key).any()


@pytest.mark.parametrize("doc_id", SEED_IDS)
def test_quotes_stand_at_their_offsets_and_map_back_to_raw_text(doc_id: str) -> None:
    path = RAW_DIR / f"{doc_id}.txt"
    document = read_document(path, _sources()[path.name])
    facts = extract_facts(document)
    for fact in facts.itertuples():
        assert document.text[fact.char_start:fact.char_end] == fact.quote
        raw_start, raw_end = document.to_raw(fact.char_start, fact.char_end)
        raw_quote = document.raw_text[raw_start:raw_end]
        # The raw span, normalized again, is the quote.
        assert normalize_text(raw_quote)[0].strip() == fact.quote
        number = f"{fact.value:g}"
        assert number.split(".")[0] in fact.quote or fact.metric == "total_investment"


def test_traditional_seed_is_read_in_simplified_script(seed_facts: pd.DataFrame) -> None:
    quotes = seed_facts.loc[seed_facts.doc_id == "002_1f562ed8ae16cfcf", "quote"]
    assert len(quotes) == 5
    assert quotes.str.contains("项目").all()
    assert not quotes.str.contains("項目|重點|簽約").any()


def test_an_html_page_of_a_seed_gives_its_facts(tmp_path: Path) -> None:
    """The 台商投资区 article as a web page (menu, article, footer) gives the same facts as the text file."""
    name = "004_34d48eeab18069cf"
    meta = _sources()[f"{name}.txt"]
    lines = [line.strip() for line in (RAW_DIR / f"{name}.txt").read_text(encoding="utf-8").splitlines()
             if line.strip()]
    first = next(i for i, line in enumerate(lines) if line.startswith("今年来"))
    last = next(i for i, line in enumerate(lines) if line.startswith("来源:泉州台商投资区管委会"))
    paragraphs = lines[first:last]
    page = tmp_path / f"{name}.html"
    page.write_text(
        "<html><head><title>重点项目进度超序时</title></head><body>"
        "<nav><a href='/'>首页</a> <a href='/qz'>泉州</a> <a href='/fj'>福建</a></nav><article>"
        + "".join(f"<p>{p}</p>" for p in paragraphs)
        + "</article><footer>版权所有 闽南网 未经授权不得转载</footer></body></html>", encoding="utf-8")
    from_html = extract_facts(read_document(page, {**meta, "file": page.name}))
    from_text = extract_facts(read_document(RAW_DIR / f"{name}.txt", meta))
    columns = ["region", "scope", "period_start", "period_end", "metric", "value", "qualifier"]
    assert _keyed(from_html.assign(doc_id="x", unit="")[["doc_id", *columns, "unit"]].rename(columns=str)) == \
        _keyed(from_text.assign(doc_id="x", unit="")[["doc_id", *columns, "unit"]])
    assert len(from_html) == 8
