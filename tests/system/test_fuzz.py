"""Property tests: the number parser against integers, the extractor on random and mixed text."""
from __future__ import annotations

from types import SimpleNamespace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keyproj.extract import extract_facts
from keyproj.extract.numbers import (
    AMOUNT_FACTORS,
    amount_in_yi,
    parse_chinese_numeral,
    parse_number,
)
from keyproj.read.normalize import normalize_text

DIGITS = "零一二三四五六七八九"


def to_chinese(n: int) -> str:
    """Standard Chinese numeral of 0 <= n < 10^12 (written independently of the parser)."""
    if n == 0:
        return "零"

    def below_10000(m: int) -> str:
        out, zero = "", False
        for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
            digit = m // value % 10
            if digit:
                if zero and out:
                    out += "零"
                out += DIGITS[digit] + unit
                zero = False
            else:
                zero = True
        return out

    parts = [(n // 100_000_000, "亿"), (n // 10_000 % 10_000, "万"), (n % 10_000, "")]
    out, need_zero = "", False
    for value, unit in parts:
        if value:
            if out and (need_zero or value < 1000):
                out += "零"
            out += below_10000(value) + unit
            need_zero = False
        elif out:
            need_zero = True
    return "十" + out[2:] if n < 20 and out.startswith("一十") else out


@given(st.integers(min_value=0, max_value=999_999_999_999))
def test_chinese_numerals_against_integers(n: int) -> None:
    assert parse_chinese_numeral(to_chinese(n)) == n


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=99),
       st.sampled_from(sorted(AMOUNT_FACTORS)))
def test_units_against_their_factors(whole: int, cents: int, unit: str) -> None:
    text = f"{whole}.{cents:02d}"
    assert amount_in_yi(text, unit) == parse_number(text) * AMOUNT_FACTORS[unit]
    assert parse_number(f"{whole:,}") == whole


SENTENCES = [
    "2024年我区共确定重点项目242个、总投资1780.15亿元、年度计划投资309.96亿元。",
    "其中,242个区级重点项目完成投资310.04亿元、完成年度计划的100.02%、超序时进度0.02个百分点;",
    "1—9月,全区48个省市重点项目完成投资59.3亿元,超序时进度3.5个百分点。",
    "2021年上半年,49个省在建重点项目、71个泉州市级在建重点项目,分别完成投资113.0亿元、153.0亿元,",
    "完成年度计划投资的62.2%、66.2%,均超时序进度高效推进。",
    "元旦集中开(竣)工活动项目共55个,总投资195亿元,其中:开工项目30个。",
    "晋江市对214个重点项目实行全链条纪实管理。",
    "年度新开工项目153个,竣工投产项目89个。",
    "今年以来,重点项目落后序时进度2个百分点。",
    "力争GDP增长8%以上、固投增长10%以上;",
    "\n", "\n\n", "、", ",", "。",
]


def _check(text: str, published: str) -> None:
    document = SimpleNamespace(doc_id="fuzz", meta={"region": "泉港区", "published": published}, text=text)
    for fact in extract_facts(document).itertuples():
        assert text[fact.char_start:fact.char_end] == fact.quote
        assert fact.quote


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400), st.sampled_from(["", "2024", "2024-11-04", "nonsense"]))
def test_extractor_on_random_unicode(text: str, published: str) -> None:
    _check(text, published)
    normalized, _ = normalize_text(text)
    _check(normalized, published)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(SENTENCES), max_size=12), st.text(alphabet="0123456789.,、年月个亿元%", max_size=30))
def test_extractor_on_mixed_report_sentences(sentences: list[str], noise: str) -> None:
    _check(noise.join(sentences), "2024-11-04")
    _check("".join(sentences) + noise, "2024")
