"""Whose list a list phrase is: the places and governments that own it, share it or spread it.

A list phrase found by keyproj.extract.sentence names levels (省、市); the words around it say whose
they are: a place before its count (蓬安县42个县级重点项目), 该县, 全省 in a county's report (the
province's), towns right before a level (张黄镇县级重点项目), a run of places to spread 分别 over,
every county of a prefecture summed (三县（市）共安排县级重点项目), a group of places (a part).
"""
from __future__ import annotations

import functools
import re

from keyproj.extract.grammar import any_metric, patterns
from keyproj.extract.listnames import parent_named_before
from keyproj.extract.regions import county_count, find_places, government_level, place
from keyproj.extract.subjects import Level, Subject
from keyproj.extract.values import count_value

__all__ = ["all_counties_lists", "overall_above", "owner_of_count", "places_counted", "places_to_spread",
           "that_place_owns", "total_of_level_parts", "towns_before_levels"]


# Before a list's count: each person's share (每人包联), or an area's inside the reporter (示范区内, 园区内)
_SHARE_OF_LIST = re.compile(r"每(?:人|名|位|个单位)[^\d,，。;；]{0,4}$|(?:挂联|包联|联系|挂钩|包抓|领办)[^\d,，。;；]{0,2}$|(?:示范区|园区|片区|新城|景区|开发区|高新区|产业园)内$")


_OVERALL_ABOVE = re.compile(r"(?:全|我|本)(?P<kind>省|市)")


def overall_above(subject: Subject, modifiers: str, chain: tuple[str, ...], membership: bool) -> None:
    """全省 in a city's or a county's report, 全市 in a county's or a district's, name the government
    above it (全省重点项目完成投资… in 双辽市's report: 吉林省's list; after 列入, its level only: the
    reporter's projects on it); a level word keeps its own place."""
    found = _OVERALL_ABOVE.search(modifiers)
    if found is None or not chain or any(level.place for level in subject.levels):
        return
    reporter = chain[0]
    if found.group("kind") == "省":
        above = [name for name in chain[1:] if government_level(name) == "province"]
    else:  # 全市 in 昆山市 is its own; in a county or district, its city (a municipality too)
        above = [] if reporter.endswith("市") else [name for name in chain[1:] if name.endswith("市")]
    if not above or government_level(reporter) == "province":
        return
    scope = government_level(above[0])
    if all(level.scope == scope for level in subject.levels):
        subject.levels = [Level(scope) if membership else Level(scope, above[0])]


def that_place_owns(subject: Subject, named: tuple[str, str] | None) -> None:
    """该县共安排县级重点项目: the list is the place's that 该县 stands for (``named``: its name, level)."""
    if named and not any(level.place for level in subject.levels):
        subject.levels = [Level(subject.levels[0].scope if subject.levels else named[1], named[0], True)]


def places_to_spread(subject: Subject) -> None:
    """越城区、柯桥区市级重点项目分别…: places to spread over; the level word after them is the scope."""
    named = [level.place for level in subject.levels if level.place]
    if len(named) >= 2 and subject.levels[-1].place is None:
        subject.places = named
        subject.levels = [level for level in subject.levels if level.place is None]


# between a place and the count of its list: 蓬安县42个, 银川市实施的156个, 某县共有12个
_OWNER_GAP = re.compile(r"[共有 ]*(?:实施|安排|确定|谋划|推进)?了?的?[共有 ]*$")


def owner_of_count(subject: Subject, before: str, state: object, counted: bool) -> None:
    """遂宁市156个市重点项目 in a county's report: the parent named before the count owns the list (全省
    too, counted or not: 全省共安排省重点项目700个); 每人包联2项重点工程 (each leader's) and 示范区内23个
    重点项目 (an area's) are shares of it."""
    if _SHARE_OF_LIST.search(before):
        subject.part = True
        return
    listed_in = patterns()["membership"].search(before)
    if subject.membership and listed_in and subject.levels:  # 辽源市列入省重大项目的28个项目: 辽源市's
        named = [f for f in find_places(before[:listed_in.start()]) if f[1] == listed_in.start()]
        found = place(named[-1][2], tuple(state.chain)) if named else None
        if found is not None and found.name not in state.chain:
            subject.levels = [Level(level.scope, found.name) for level in subject.levels]
        return
    parent = parent_named_before(before, tuple(state.chain), names=counted)
    if parent and len(subject.levels) == 1 and subject.levels[0] == Level(parent[1]) and not subject.membership:
        subject.levels = [Level(parent[1], parent[0])]
    elif counted and len(subject.levels) == 1 and subject.levels[0].place is None and not subject.membership:
        named = [f for f in find_places(before) if f[1] == _OWNER_GAP.search(before).start()]
        found = place(named[-1][2], tuple(state.chain)) if named else None
        if found is not None and found.name not in state.chain:  # 蓬安县42个县级重点项目: that county's list
            subject.levels = [Level(subject.levels[0].scope, found.name, True)]


def all_counties_lists(group: re.Match[str], subject: Subject, state: object) -> bool:
    """三县（市）共安排县级重点项目 in 迪庆州's report: every county's own list, summed (not a group of some)."""
    return any(level.scope == "county" for level in subject.levels) and state.level == "city" \
        and count_value(group).value == county_count(state.chain[0] if state.chain else "")


_COUNTED_PROJECTS = re.compile(r"[\d一二三四五六七八九十百]+\s*[个项]项目")


def total_of_level_parts(sentence: str, subjects: list[Subject]) -> None:
    """"重点项目共210个，其中省级重点项目9个，市级46个，县级155个": a total whose parts after 其中 are lists of
    different levels adding up to it is their combined list (as a table's total row under them)."""
    lists = [s for s in subjects if s.kind == "list" and s.count is not None and not s.part]
    for index, whole in enumerate(lists):
        parts = [s for s in lists[index + 1:] if "其中" in sentence[whole.end:s.start]]
        scopes = [level.scope for part in parts for level in part.levels]
        if len(parts) >= 2 and len(scopes) == len(set(scopes)) == len(parts) and \
                abs(sum(part.count.value for part in parts) - whole.count.value) < 1e-9:
            whole.levels, whole.bare = [Level(scope) for scope in scopes], False
            return


def places_counted(sentence: str, subjects: list[Subject]) -> None:
    """"宁江区11个项目完成投资24.8亿元": a group counted right after one place, its figure's wording right
    after it, is that place's projects: the place takes the count (a figure of its own), the group goes."""
    for index in range(len(subjects) - 1, 0, -1):
        group, places = subjects[index], subjects[index - 1]
        if group.kind == "part" and group.count is not None and not group.stage and places.kind == "places" \
                and len(places.places) == 1 and sentence[places.end:group.count_start].strip("有共") == "" \
                and _COUNTED_PROJECTS.fullmatch(sentence, group.count_start, group.end) \
                and any_metric().match(sentence, group.end):  # (德化县42个项目实行并联审批 counts no list)
            places.count, places.count_start, places.end = group.count, group.count_start, group.end
            del subjects[index]


@functools.cache
def _level_gap() -> re.Pattern[str]:
    return re.compile(patterns()['levels'].pattern)


def towns_before_levels(sentence: str, subjects: list[Subject]) -> None:
    """"张黄镇、寨圩镇(的)县级重点项目完成率均超过110%": towns right before a list with a level are where
    its projects lie: one town owns the list at that level, several share or spread its figures (as
    places of the divisions tables do inside the list phrase)."""
    for index in range(len(subjects) - 1, 0, -1):
        towns, subject = subjects[index - 1], subjects[index]
        if towns.kind == "places" and subject.kind == "list" and subject.levels and not subject.places \
                and not subject.membership and not any(place(name, ()) for name in towns.places) \
                and not any(level.place for level in subject.levels) \
                and _level_gap().fullmatch(sentence[towns.end:subject.start].replace("的", "") or "-"):
            if len(towns.places) == 1:
                subject.levels = [Level(subject.levels[0].scope, towns.places[0], True)]
            else:
                subject.places = list(towns.places)
            subject.start = towns.start
            del subjects[index - 1]
