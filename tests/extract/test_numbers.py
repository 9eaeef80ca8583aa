"""Number spans: Arabic and Chinese numerals and amount units."""
from __future__ import annotations

import pytest

from keyproj.extract.numbers import (
    NumberError,
    amount_in_yi,
    parse_chinese_numeral,
    parse_number,
)


@pytest.mark.parametrize("text, value", [
    ("十一", 11), ("十", 10), ("三百", 300), ("一百零五", 105), ("两千三百四十五", 2345),
    ("一万二千", 12_000), ("三万五", 35_000), ("十万", 100_000), ("二〇一八", 2018), ("一亿零五十", 100_000_050),
])
def test_chinese_numerals(text: str, value: int) -> None:
    assert parse_chinese_numeral(text) == value


@pytest.mark.parametrize("text, value", [
    ("1105.42", 1105.42), ("1,105.42", 1105.42), ("12,345,678", 12_345_678), ("0.02", 0.02), ("十一", 11.0),
])
def test_parse_number(text: str, value: float) -> None:
    assert parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize("number, unit, yi", [
    ("356000", "万元", 35.6), ("310.04", "亿元", 310.04), ("3.2", "万亿元", 32_000), ("", "万亿元", 10_000),
    ("三百", "亿元", 300), ("5", "千万元", 0.5),
])
def test_amounts_in_yi(number: str, unit: str, yi: float) -> None:
    assert amount_in_yi(number, unit) == pytest.approx(yi)


@pytest.mark.parametrize("text", ["", "abc", "一x", "1.2.3"])
def test_not_numbers(text: str) -> None:
    with pytest.raises(NumberError):
        parse_number(text)


@pytest.mark.parametrize("amount", ["九亿四千万元", "9亿4000万元", "94000万元", "9.4亿元"])
def test_an_amount_in_亿_and_万_together(tmp_path, amount: str) -> None:
    from conftest import text_facts
    rows = text_facts(tmp_path, f"一季度，全市重点项目完成投资{amount}。", "仪征市", "2024-04-10")
    assert [(r["metric"], r["value"]) for r in rows] == [("completed_investment", 9.4)]
