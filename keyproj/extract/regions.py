"""The places of the extractor: a thin adapter over the national gazetteer (keyproj.extract.places).

It answers the three questions extraction asks: the full name of a place (``canonical_region``),
the level of a government's own key-project list (``government_level``), and whether a place
named in a sentence is the reporter, one of its parents, or another place.
"""
from __future__ import annotations

import functools
import re
from typing import Any

from keyproj.extract.places import Place, gazetteer
from keyproj.lexicon import alternation, words

MUNICIPALITIES: frozenset[str] = frozenset({"北京市", "上海市", "天津市", "重庆市"})


@functools.cache
def _gazetteer() -> Any:
    return gazetteer()


@functools.lru_cache(maxsize=4096)
def place(name: str, within: tuple[str, ...] = ()) -> Place | None:
    """The place a name means (short forms and Traditional script too), looked for inside ``within`` first."""
    if not name:
        return None
    return _gazetteer().resolve(name, within=list(within))


def canonical_region(name: str) -> str:
    """The official name of a place (鄭州 -> 郑州市, 台商区 -> 泉州台商投资区); unknown names as given."""
    found = place(name)
    return found.name if found else name


def government_level(region: str) -> str:
    """The scope of a government's own key-project list: ``province``, ``city`` or ``county``.

    Levels follow the administrative divisions: a county-level city (昆山市) and a district are
    ``county``, the four municipalities are ``province``. An unknown name ending in 省 / 自治区 is a
    province, in 州 / 盟 a prefecture, anything else a county-level unit (zones, new areas).
    """
    found = place(region)
    if found is not None:
        return found.level
    if region.endswith(("省", "自治区")):
        return "province"
    if region.endswith(("州", "盟", "地区")):
        return "city"
    return "county"


@functools.cache
def _county_counts() -> dict[str, int]:
    """How many current county-level divisions each place has right below it (zones not counted)."""
    counts: dict[str, int] = {}
    for found in _gazetteer().places():
        if found.code and not found.former and found.level == "county" and found.parent:
            counts[found.parent] = counts.get(found.parent, 0) + 1
    return counts


def county_count(region: str) -> int:
    """The number of county-level divisions right below ``region`` (凉山彝族自治州: 17), 0 if unknown."""
    found = place(region)
    return _county_counts().get(found.name, 0) if found is not None else 0


def ancestors(region: str) -> tuple[str, ...]:
    """The reporter and the places above it, nearest first (昆山市 -> 昆山市, 苏州市, 江苏省)."""
    found = place(region)
    chain: list[str] = [region] if found is None else []
    seen = 0
    while found is not None and seen < 4:
        chain.append(found.name)
        found = _gazetteer().parent(found)
        seen += 1
    return tuple(chain)


def province_of(region: str) -> str | None:
    """The province-level place a region lies in (itself for a province)."""
    found = place(region)
    return found.province if found else None


def find_places(text: str) -> list[tuple[int, int, str]]:
    """Place mentions in a piece of text: (start, end, surface), longest first, not followed by 级."""
    return _gazetteer().find(text)


@functools.cache
def _town_words() -> tuple[str, ...]:
    """The words that end a town's or a zone's name (镇, 街道, 高新区 …): places below or beside the tables."""
    return tuple(words("wordings", "place_groups", "town") + words("wordings", "place_groups", "zone"))


# what a town's name never starts with: a word for all or some of them (各乡镇, 城镇), whose (市属)
_NOT_A_NAME = r"[各全本我该分多个城乡其]|[省市县区州]属"


@functools.cache
def _town_pattern() -> re.Pattern[str]:
    """A town's name in a run of names (六祖镇、天堂镇, 的是里洞镇): two to four characters and a town
    word of the lexicon, after a separator, and not a word for all towns (各乡镇, 城镇)."""
    towns = alternation(list(_town_words()))
    # (今年新区重点项目, 上半年新区: a time word before a zone word is no town's name)
    times = alternation([w for key in ("this_year", "last_year", "first_half", "full_year", "first_quarter",
                                       "first_three_quarters", "single_quarter")
                         for w in words("time", "forms", key)])
    return re.compile(rf"(?:^|(?<=[,，、;；:：(（。\n])|(?<=的是|其中|的有|次是|次为|别是|别为|位为|位是|名为|名是)|(?<=[和及与看])|(?<=[年度]))(?!{_NOT_A_NAME}|重点|特色|中心|建制)(?!{times})"
                      rf"(?P<name>[\u4e00-\u9fff]{{2,4}}?(?:{towns}))(?=[(（\d,，、;；和及与完投项重分均低高超落位排居名列累共实新开竣年上今前等一二三四县市区省州仅只辖境受因由]|进度|滞后|推进|的[省市县区州]?级?重点|$)")


def find_places_and_towns(text: str) -> list[tuple[int, int, str, bool]]:
    """:func:`find_places` and the towns named in runs (below the division tables), in order:
    (start, end, surface, is_town)."""
    found = [(start, end, surface, False) for start, end, surface in find_places(text)]
    if not any(word in text for word in _town_words()):
        return found
    for match in _town_pattern().finditer(text):
        inside = [f for f in found if f[0] < match.end() and match.start() < f[1]]
        if all(match.start() <= s and e <= match.end() and e - s < match.end() - match.start() for s, e, _, _ in inside):
            # 大江口镇 is a town, not 江口(县) inside it; a place the tables know by this very span stays theirs
            found = [f for f in found if f not in inside] + [(match.start(), match.end(), match.group("name"), True)]
    return _run_continued(text, sorted(found))


@functools.cache
def _next_in_run() -> re.Pattern[str]:
    """A town's name right after 、 and another town: its run says it is a name, whatever word follows
    (紫荆路街道登上红榜; not 城镇化, 乡镇级)."""
    return re.compile(rf"(?!{_NOT_A_NAME})(?P<name>[\u4e00-\u9fff]{{2,4}}?(?:{alternation(list(_town_words()))}))(?![化级])")


def _run_continued(text: str, found: list[tuple[int, int, str, bool]]) -> list[tuple[int, int, str, bool]]:
    """``found`` with the towns a run of towns goes on to (A镇、B镇、C街道 + any word)."""
    index = 0
    while index < len(found):
        start, end, surface, town = found[index]
        after = _next_in_run().match(text, end + 1) if town and text.startswith("、", end) else None
        if after is not None and not any(s < after.end() and after.start() < e for s, e, _, _ in found):
            found.insert(index + 1, (after.start(), after.end(), after.group("name"), True))
        index += 1
    return found


def zone_name(surface: str) -> str:
    """A town's or zone's name as a region: 经开区 is always short for 经济技术开发区 (长寿经开区 ->
    长寿经济技术开发区); other names are kept as written."""
    return surface[:-3] + "经济技术开发区" if surface.endswith("经开区") else surface
