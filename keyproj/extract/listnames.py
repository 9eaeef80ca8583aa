"""Names around a list phrase that change whose list it is: a parent government named before a
list's count, one project named after 列入 X 重点项目的."""
from __future__ import annotations

import re

from keyproj.extract.grammar import _CLAUSE_OR_DIGIT, _STRIP, any_metric, patterns
from keyproj.extract.regions import MUNICIPALITIES, find_places, government_level, place


def parent_named_before(before: str, chain: tuple[str, ...], names: bool = True) -> tuple[str, str] | None:
    """"遂宁市156个市重点项目" in a county's report: (name, level) of the reporter's parent when it is
    the last words of ``before`` (the text before a list's count); the whole list of that parent is
    meant, not the county's share."""
    whole = _WHOLE_OF_ABOVE.search(before)  # 全省 / 全市 in a county's report: that government
    if whole is not None and len(chain) > 1:
        level = "province" if whole.group(1) in ("省", "自治区") else "city"
        above = [name for name in chain[1:] if government_level(name) == level or
                 whole.group(1) == "市" and name in MUNICIPALITIES]  # 全市 in a district of 重庆市
        level = government_level(above[0]) if above else level
        if above and government_level(chain[0]) != level and not chain[0].endswith(whole.group(1)):
            return above[0], level
    places = find_places(before) if names else []  # (苏州市级重点项目 uncounted: the reporter's on it)
    if not places or places[-1][1] != len(before):
        return None
    found = place(places[-1][2], chain)
    return (found.name, found.level) if found is not None and found.name in chain[1:] else None


_WHOLE_OF_ABOVE = re.compile(r"全(省|自治区|市|州|盟|地区)(?:今年|全年)?(?:共|累计)?(?:安排|实施|确定|谋划|有)?了?\s*$")


def one_named_after(sentence: str, end: int) -> bool:
    """"列入省级重点项目的宜毕高速镇雄段一季度完成投资2.6亿元": after 列入 X 重点项目的 (the list
    phrase ends at ``end``), a name (no count, no 项目, no time alone) up to the metric wording is
    one project of that list."""
    if not sentence.startswith("的", end):
        return False
    metric = any_metric().search(sentence, end)
    if metric is None:
        return False
    between = sentence[end + 1:metric.start()]
    if "项目" in between or _CLAUSE_OR_DIGIT.search(between):
        return False
    return bool(_STRIP.sub("", patterns()["overall"].sub("", between)))
