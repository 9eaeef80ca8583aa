"""Words around a list phrase that change whose list it is or what it counts: a parent government
named before a list's count, one project named after 列入 X 重点项目的, the place 该县 stands for, the
scope a level word names, and the stage a counted list has reached."""
from __future__ import annotations

import re

from keyproj.extract.grammar import _CLAUSE_OR_DIGIT, _STRIP, W, any_metric, patterns
from keyproj.extract.regions import MUNICIPALITIES, find_places, government_level, place
from keyproj.lexicon import section_words


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


def level_scope(word: str, state: object) -> str | None:
    """The scope a level word names, seen from the reporter (市重点 in Beijing is the province's)."""
    for level, items in section_words(W, "levels").items():
        if word not in items:
            continue
        if level == "all_levels":
            return None
        if level == "own_city":
            if set(state.chain) & {"北京市", "上海市", "天津市", "重庆市"}:
                return "province"
            # a county-level city's 市级 is its own list, the prefecture's is named (无锡市重大项目);
            # a bare 市 (省市县重点, 省列…市重点) stays the prefecture's, as in a county
            # (a county-level city with no prefecture above it, 万宁市 or 济源市, or one whose prefecture
            # is a 州 / 盟 / 地区, names only itself with 市)
            own = state.level == "county" and state.reporter.endswith("市") and (
                word == "市级" or len(state.chain) == 2 or not state.chain[1].endswith("市"))
            return "county" if own else "city"
        if level == "own_district":
            return "province" if state.level == "province" and state.reporter.endswith("自治区") else "county"
        if level == "every_level":  # 各级: from the province down to the reporter's level
            return {"province": "province", "city": "province+city"}.get(state.level, "province+city+county")
        if level.endswith("_and_above"):  # 市级以上: this level's list and those above it
            return {"city_and_above": "province+city", "county_and_above": "province+city+county"}[level]
        return level
    return None


def realised_stage(text: str) -> str:
    """'started' / 'finished' when text holds a realised stage verb (not planned, not negated)."""
    p = patterns()
    for match in p["stage_after"].finditer(text):
        before = text[max(0, match.start() - 6):match.start()]
        if p["planned"].search(before) or p["negated"].search(text[max(0, match.start() - 2):match.start()]):
            continue
        return "started" if match.group("started") else "finished"
    return ""


_VERB_ASIDE = re.compile(r"\s*[(（][^()（）\d]{1,8}[)）]")


def stage_after_count(sentence: str, end: int) -> str:
    """"12个重点项目已开工": the stage a counted list has reached ('' when a count of its own follows
    the verb, as in 560个省重大项目已开工（含复工）512个)."""
    p = patterns()
    follows = p["stage_after"].match(sentence, end)
    if not follows or p["partial_only"].match(sentence, follows.start()):
        return ""
    aside = _VERB_ASIDE.match(sentence, follows.end())
    if p["count_after"].match(sentence, aside.end() if aside else follows.end()):
        return ""
    return "started" if follows.group("started") else "finished"


THAT_PLACE = re.compile(r"该(?P<kind>县|区|市|旗|州|镇)")


def that_place(before: str, modifiers: str, chain: tuple[str, ...]) -> tuple[str, str] | None:
    """"宝清县发改局负责人介绍，今年该县共安排县级重点项目42个": (name, level) of the place 该县 in the
    words before a list noun stands for, the last of its kind named ``before``; None without 该X."""
    that = THAT_PLACE.search(modifiers)
    if that is None:
        return None
    for _, _, surface in reversed(find_places(before)):
        found = place(surface, chain)
        if found is not None and found.name.endswith(that.group("kind")) and found.name != chain[0]:
            return found.name, found.level
    # 该市 in a county-level city's own report, no other city named before: the reporter
    reporter = place(chain[0], chain) if chain and chain[0].endswith(that.group("kind")) else None
    return (reporter.name, reporter.level) if reporter is not None else None
