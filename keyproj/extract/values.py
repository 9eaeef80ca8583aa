"""The values of a figure: one number with its unit and qualifier, or several joined by 、和及 (分别).

Amounts are converted to 亿元 (keyproj.extract.numbers), per-cents and percentage points kept as
written, counts as numbers; each value keeps its qualifier (约 approx, 超 over, 近 under).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from keyproj.extract.grammar import patterns, qualifier_of
from keyproj.extract.numbers import amount_in_yi, parse_number


@dataclass(slots=True)
class Value:
    """One figure's value (in 亿元, %, percentage points or a count) and its qualifier."""

    value: float
    qualifier: str = ""


def parse_values(sentence: str, pos: int, kind: str, enumerated: bool) -> tuple[list[Value], int, bool]:
    """The value(s) of one kind starting at ``pos`` (after fillers): one, or several joined by 、和及
    (after 分别 also by commas); the unit may come only with the last (113、153亿元, 1.4个和0.7个百分点).

    Returns the values, the end, and whether 分别 stood among the fillers.
    """
    p = patterns()
    filler = p["fillers"].match(sentence, pos)
    enumerated = enumerated or "分别" in filler.group(0)
    pos = filler.end()
    if kind == "percent":
        share = p["share_of"].match(sentence, pos)
        if share:
            pos = share.end()
            enumerated = enumerated or "分别" in share.group(0)
        elif sentence.startswith("的", pos):
            pos += 1
    values: list[Value] = []
    pending: list[float] = []  # numbers whose unit comes with a later value
    item = p[kind]
    bare_item = p["bare_points" if kind == "points" else "bare_number"]
    while True:
        match = item.match(sentence, pos)
        if match and match.end() > pos:
            values.extend(Value(v * _unit_factor(match, kind), qualifier_of(match)) for v in pending)
            pending = []
            values.append(Value(_value_of(match, kind), qualifier_of(match)))
            pos = match.end()
        elif kind != "count" and (bare := bare_item.match(sentence, pos)):
            pending.append(parse_number(bare.group("num")))
            pos = bare.end()
        else:
            break
        separator = p["enum_separator" if enumerated else "separator"].match(sentence, pos)
        if not separator:
            break
        end, pos = pos, separator.end()
        if not (item.match(sentence, pos) or kind != "count" and bare_item.match(sentence, pos)):
            return values, end, enumerated  # the separator leads to something else: it is not ours
    return values, pos, enumerated


def _value_of(match: re.Match[str], kind: str) -> float:
    if kind == "amount":
        if match.group("wan"):
            return amount_in_yi("", "万亿元")
        if match.group("yi"):
            return parse_number(match.group("yi")) + parse_number(match.group("num_wan")) / 10000
        return amount_in_yi(match.group("num"), match.group("unit"))
    if kind == "percent":
        if match.group("tenths"):  # 八成五: 85
            return parse_number(match.group("tenths")) * 10 + parse_number(match.group("hundredths") or "零")
        return parse_number(match.group("num") or match.group("num2"))
    return parse_number(match.group("num"))


def _unit_factor(match: re.Match[str], kind: str) -> float:
    if kind == "amount" and not match.group("wan") and not match.group("yi"):
        return amount_in_yi("1", match.group("unit"))
    return 1.0


def count_value(match: re.Match[str]) -> Value:
    return Value(parse_number(match.group("num")), qualifier_of(match))
