"""Number spans in Chinese report text: Arabic and Chinese numerals, amount units, percentages.

Only spans are parsed, never whole documents: the extractor finds a span with
``NUMBER`` and hands it to :func:`parse_number`.
"""
from __future__ import annotations

import re

from keyproj.lexicon import load

_DIGITS: dict[str, int] = {
    "零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}
_SMALL_UNITS: dict[str, int] = {"十": 10, "百": 100, "千": 1000}
_BIG_UNITS: dict[str, int] = {"万": 10_000, "亿": 100_000_000}

CHINESE_NUMERAL_CHARS = "零〇○一二两三四五六七八九十百千万亿"
# An Arabic number: thousands separators only in well-formed groups, optional decimals.
ARABIC = r"(?<![\d.])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\d])"
# A Chinese numeral that must contain at least one digit or 十 (so a lone 万 or 亿 is a unit).
CHINESE = r"[零〇○一二两三四五六七八九十][零〇○一二两三四五六七八九十百千万]*(?:点[零〇○一二三四五六七八九]+)?"  # 八十六点四
# A lone 百 or 千 after a qualifier (逾百个, 近千亿元): a round figure with its qualifier.
ROUND = r"(?<=[逾近超约])[百千](?=\s*[个项宗亿万])"
NUMBER = rf"(?:{ARABIC}|{CHINESE}|{ROUND})"

def _amount_factors() -> dict[str, float]:
    """Amount unit -> its factor to 亿元, from keyproj/lexicon/numbers.yaml."""
    return {word: float(entry["value"]) for entry in load("numbers")["units"].values() for word in entry["words"]}


def _amount_unit() -> str:
    """One alternation of the amount units, longest first; a unit with ``not_before`` (万 without 元)
    is one only where no such character follows it."""
    units = [(word, entry.get("not_before")) for entry in load("numbers")["units"].values() for word in entry["words"]]
    units.sort(key=lambda unit: len(unit[0]), reverse=True)
    return "(?:" + "|".join(re.escape(word) + (f"(?!{after})" if after else "") for word, after in units) + ")"


# Amount units, as a factor to 亿元.
AMOUNT_FACTORS: dict[str, float] = _amount_factors()
AMOUNT_UNIT = _amount_unit()

_ARABIC_RE = re.compile(rf"^{ARABIC}$")


class NumberError(ValueError):
    """A span that is not a number."""


def parse_chinese_numeral(text: str) -> int:
    """Value of a Chinese numeral: 三百 -> 300, 十一 -> 11, 一万二千 -> 12000, 二〇一八 -> 2018."""
    if not text:
        raise NumberError("empty numeral")
    if any(ch not in _DIGITS and ch not in _SMALL_UNITS and ch not in _BIG_UNITS for ch in text):
        raise NumberError(f"not a Chinese numeral: {text!r}")
    if all(ch in _DIGITS for ch in text) and len(text) > 1:
        # Digit by digit, as in years: 二〇一八.
        return int("".join(str(_DIGITS[ch]) for ch in text))
    total = 0          # sum of completed big-unit sections
    section = 0        # current section below 万
    digit: int | None = None
    last_unit = 1      # the unit just before the trailing digit: 三万五 means 35000
    for ch in text:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
            if ch in "零〇○":
                last_unit = 1
        elif ch in _SMALL_UNITS:
            section += (1 if digit is None else digit) * _SMALL_UNITS[ch]
            digit, last_unit = None, _SMALL_UNITS[ch]
        else:  # 万 or 亿
            section += digit or 0
            unit = _BIG_UNITS[ch]
            if total and total < unit:
                total = (total + section) * unit
            else:
                total += section * unit
            section, digit, last_unit = 0, None, _BIG_UNITS[ch]
    trailing = (digit or 0) * (last_unit // 10 if last_unit >= 100 else 1)
    return total + section + trailing


def parse_number(text: str) -> float:
    """Value of a number span: ``1,105.42`` -> 1105.42, ``十一`` -> 11.0, ``３`` (after NFKC) -> 3.0."""
    text = text.strip()
    if _ARABIC_RE.match(text):
        return float(text.replace(",", ""))
    whole, point, decimals = text.partition("点")  # 八十六点四: 86.4, its decimals digit by digit
    if point and decimals and all(ch in _DIGITS for ch in decimals):
        return parse_chinese_numeral(whole) + float("0." + "".join(str(_DIGITS[ch]) for ch in decimals))
    return float(parse_chinese_numeral(text))


def amount_in_yi(number: str, unit: str) -> float:
    """An amount converted to 亿元: ``amount_in_yi('3000', '万元')`` -> 0.3.

    An empty ``number`` before a unit (as in 超万亿元) counts as 1.
    """
    value = parse_number(number) if number else 1.0
    return value * AMOUNT_FACTORS[unit]
