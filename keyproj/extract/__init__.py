"""Fact extraction: every key-project figure of a document, with its list, period, place and sentence.

The extractor works sentence by sentence on the normalized text. In a sentence it finds
*anchors* (what a figure is about: a key-project list such as "242个区级重点项目", the
signed projects "签约项目126个", or another group of projects such as "续建项目" or "20亿元以上
项目" whose figures are not the list's) and *mentions* (a metric's wording followed by one or
more values). Each mention belongs to the nearest anchor before it; values enumerated after
``分别`` are spread over the anchors (or places) named before them, in order.
See docs/FACTS.md for the table this produces.
"""
from __future__ import annotations

import bisect
import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from keyproj.facts import FACT_COLUMNS, LIST_METRICS, METRIC_UNITS
from keyproj.numbers import AMOUNT_UNIT, NUMBER, amount_in_yi, parse_number
from keyproj.periods import (
    Published,
    TimeMention,
    find_time_mentions,
    find_year_mentions,
    resolve_period,
)
from keyproj.regions import PLACE_PATTERN, canonical_region, government_level

if TYPE_CHECKING:
    import pandas as pd

    from keyproj.errors import BadInputError


class _TextDocument(Protocol):
    doc_id: str
    meta: dict[str, str]
    text: str


# ---------------------------------------------------------------- sentence level patterns

# Sentences end at these marks; a line break ends a sentence unless the line ends in a comma.
_MAX_SENTENCE = 1000  # characters
_SENTENCE_MARK = re.compile("[。！？!?\n]")
_CONTINUES = tuple(",，、:：(（“")
# Only sentences with one of these words can hold a fact.
_TRIGGER = re.compile(r"重点(?:在建)?(?:项目|工程)|签约|开工|竣工|投产|建成|序时|时序|时间进度|均衡进度")
# A sentence without a number and its unit holds no fact.
_FIGURE = re.compile(rf"(?=[\d零〇○一二两三四五六七八九十百万])(?:{NUMBER}\s*(?:个|项|亿|万|千万|%|百分点)|百分之|万亿)")
# A necessary condition for a fact, cheaper than reading the sentence: a metric's words followed
# closely by a number, or a count close to 重点项目 / 签约 / 在建项目 (see _MENTIONS and the anchors).
_DIGIT = r"[\d零〇○一二两三四五六七八九十百千]"
_LIKELY = re.compile(
    rf"(?=[总计投完进开竣建重签在\d零〇○一二两三四五六七八九十百千])(?:"  # the first characters: a faster scan
    rf"(?:总投资|计划投资|投资计划|完成投资|投资额|计划(?:投资)?(?:额)?(?:任务)?|完成率|进度|开工|竣工|建成|投产)"
    rf"[^,，。;；]{{0,8}}?(?:{_DIGIT}|万亿)"
    rf"|{_DIGIT}(?:个|项)[^,，。;；]{{0,30}}?(?:重点|签约|在建)"
    rf"|(?:重点(?:在建)?(?:项目|工程)|签约|在建项目)[^,，。;；]{{0,12}}?{_DIGIT})"
)
# Totals of a mass-start ceremony are not the list's figures.
_MASS_CEREMONY = re.compile(r"集中(?:开竣工|开\(竣\)工|开工|竣工|签约|开\(竣\)|开、竣工)")
# A clause about targets or plans for the future.
_TARGET = re.compile(r"力争|争取|目标|预计|确保|计划到|将达")
_CLAUSE_BREAK = re.compile(r"[,，;；。:：!?！？]")

_QUAL_BEFORE = r"(?P<qb>近|约|超过|超|逾|突破|不足|不到)?"
_QUAL_AFTER = r"(?P<qa>以上|左右|以下|多)?"
_QUALIFIERS = {"近": "approx", "约": "approx", "左右": "approx", "超过": "over", "超": "over",
               "逾": "over", "突破": "over", "以上": "over", "多": "over",
               "不足": "under", "不到": "under", "以下": "under"}

_NOT_A_COUNT = r"(?!月|工作日|百分点|季度|小时|一批|方面|清单)"
_COUNT_ITEM = re.compile(_QUAL_BEFORE + rf"(?P<num>{NUMBER})(?:个|项){_NOT_A_COUNT}" + _QUAL_AFTER)
_AMOUNT_ITEM = re.compile(
    _QUAL_BEFORE + rf"(?:(?P<num>{NUMBER})\s*(?P<unit>{AMOUNT_UNIT})?|(?P<wan>万亿元?))" + _QUAL_AFTER
)
_PERCENT_ITEM = re.compile(_QUAL_BEFORE + rf"(?:(?P<num>{NUMBER})\s*%|百分之(?P<num2>{NUMBER}))" + _QUAL_AFTER)
_POINTS_ITEM = re.compile(_QUAL_BEFORE + rf"(?P<num>{NUMBER})\s*(?:个百分点|百分点|%)" + _QUAL_AFTER)
_FILLER = re.compile(r"(?:分别|均|都|共|累计|合计|达到|达|为|了|是|有|约为)*")
_SEPARATOR = re.compile(r"[、和及]")
_ENUM_SEPARATOR = re.compile(r"[、和及,，]")

_MENTIONS: list[tuple[str, re.Pattern[str], str]] = [
    ("completion_rate", re.compile(
        r"(?:完成|占|为|达到)(?:了)?(?:年度|全年|年)?(?:投资)?计划(?:投资)?(?:额)?(?:任务)?(?:的)?|投资完成率|完成率"),
     "percent"),
    ("total_investment", re.compile(r"计划总投资|总投资(?:额)?|总投资规模"), "amount"),
    ("annual_plan", re.compile(r"(?:年度计划投资|年度投资计划|全年计划投资|年计划投资|计划完成投资|计划投资)(?:额)?"),
     "amount"),
    ("completed_investment", re.compile(r"(?:累计|实际)?完成(?:固定资产)?投资(?:额)?"), "amount"),
    ("ahead_of_schedule", re.compile(
        r"(?P<ahead>超(?:过|出)?(?:序时进度|时序进度|时间进度|均衡进度)|(?:高于|快于|高出)(?:序时进度|时序进度|时间进度)"
        r"|比(?:序时进度|时序进度|时间进度)快)"
        r"|(?P<behind>(?:低于|落后于|落后|慢于)(?:序时进度|时序进度|时间进度|均衡进度)"
        r"|比(?:序时进度|时序进度|时间进度)慢)"), "points"),
    ("started_projects", re.compile(r"(?:新开工|已开工|开工)(?:建设)?(?:项目|重点项目)?"), "count"),
    ("finished_projects", re.compile(r"(?:竣工投产|建成投产|竣工|建成|投产)(?:项目|重点项目)?"), "count"),
]
# All wordings in one pattern (group m<i> is _MENTIONS[i]): one scan of the sentence instead of seven.
_ANY_MENTION = re.compile(
    "(?=[完占为达投总计年全实累低落慢比超高快新已开竣建])(?:"  # the first characters of the wordings
    + "|".join(f"(?P<m{index}>{pattern.pattern})" for index, (_, pattern, _) in enumerate(_MENTIONS)) + ")")
# "85个实现开工", "28个竣工": the count stands before the verb.
_COUNT_BEFORE_VERB = re.compile(
    rf"(?=[\d零〇○一二两三四五六七八九十])(?P<num>{NUMBER})个(?:项目)?(?:新开工|实现开工|已开工|开工|竣工投产|竣工|建成投产|建成|投产)"
)

_KEY_LIST = re.compile(r"重点(?:在建)?(?:项目|工程)")
_NUMBER_START = r"(?=[\d零〇○一二两三四五六七八九十近约超逾突不])"
_COUNT_BEFORE = re.compile(_NUMBER_START + _QUAL_BEFORE + rf"(?P<num>{NUMBER})(?:个|项){_NOT_A_COUNT}" + _QUAL_AFTER)
_COUNT_AFTER = re.compile(r"(?:共|有|计|达|合计|共计)?" + _QUAL_BEFORE
                          + rf"(?P<num>{NUMBER})(?:个|项){_NOT_A_COUNT}" + _QUAL_AFTER)
_SIGNED = re.compile(
    r"(?:已)?签约(?:正式合同|合同)?(?:招商|引资)?(?:重点)?项目(?:共|达|有)?(?:(?P<num2>" + NUMBER + r")(?:个|项))?"
)
# "78个已签约项目": the count right before the signed projects.
_COUNT_RIGHT_BEFORE = re.compile(rf"(?P<num1>{NUMBER})个$")
_OTHER_GROUP = re.compile(
    r"(?=[\d零〇○一二两三四五六七八九十项])"
    rf"(?P<num>{NUMBER})(?:个|项){_NOT_A_COUNT}[^,，。;；、:：“”\"()（）]{{0,10}}?项目"
    rf"|项目(?:共|达|就达|有)?(?P<num2>{NUMBER})个{_NOT_A_COUNT}"
)
# "其中在建项目700个": the 在建 part of the list named before it in the sentence.
_UNDER_CONSTRUCTION_PART = re.compile(
    rf"(?=[\d零〇○一二两三四五六七八九十在])(?:(?P<num1>{NUMBER})个)?在建项目(?:共|有|达)?(?:(?P<num2>{NUMBER})个{_NOT_A_COUNT})?"
)
# An amount followed by 以上项目 classifies projects by size: a part of the list.
_SIZE_CLASS = re.compile(rf"(?=[\d零〇○一二两三四五六七八九十])(?:{NUMBER})\s*{AMOUNT_UNIT}(?:以上|以下|及以上)?(?:的)?(?:重点)?项目")
_SIZE_CLASS_HINT = re.compile(r"亿元?(?:以上|以下|及以上)?(?:的)?(?:重点)?项目")
# Words that make a group of projects only a part of the list (by stage, sector or size).
_PARTIAL_WORDS = re.compile(r"续建|前期|预备|储备|产业|民生|社会事业|基础设施|亿元以上|亿元以下|新开工|竣工")
_UNDER_CONSTRUCTION = "在建"


# ---------------------------------------------------------------- data types

@dataclass(slots=True)
class _Anchor:
    kind: str                  # "list", "signed", "partial"
    start: int
    end: int
    scopes: list[str]          # one scope, or several for "省、市、区三级"
    explicit_scope: bool = True  # False when the list's level is only the government's own
    region: str | None = None
    under_construction: bool = False
    count: float | None = None
    count_qualifier: str = ""


@dataclass(slots=True)
class _Value:
    value: float
    qualifier: str


@dataclass(slots=True)
class _Mention:
    metric: str
    start: int
    end: int
    values: list[_Value]
    enumerated: bool = False   # after 分别 or with several values


@dataclass(slots=True)
class _Fact:
    region: str
    scope: str
    under_construction: bool
    year: int | None
    months: tuple[int, int]
    metric: str
    value: float
    qualifier: str
    quote_start: int
    quote_end: int


@dataclass(slots=True)
class _Context:
    """What every sentence of a document shares."""

    doc_region: str
    published: Published


# ---------------------------------------------------------------- value parsing

def _qualifier(match: re.Match[str]) -> str:
    return _QUALIFIERS.get(match.group("qb") or "", "") or _QUALIFIERS.get(match.group("qa") or "", "")


def _parse_values(sentence: str, pos: int, kind: str, enumerated: bool = False) -> tuple[list[_Value], int, bool]:
    """Values of one kind starting at ``pos``: one, or several joined by 、和及 (the enumeration).

    After 分别 (before the wording, or ``enumerated``, or right after it) commas also join values.
    Returns the values, the end position, and whether 分别 stood before them.
    """
    filler = _FILLER.match(sentence, pos)
    enumerated = enumerated or "分别" in filler.group(0)
    pos = filler.end()
    if sentence.startswith("的", pos) and kind in ("percent",):
        pos += 1
    values: list[_Value] = []
    units_missing: list[int] = []
    pattern = {"amount": _AMOUNT_ITEM, "percent": _PERCENT_ITEM, "points": _POINTS_ITEM,
               "count": _COUNT_ITEM}[kind]
    while True:
        match = pattern.match(sentence, pos)
        if not match or match.end() == pos:
            break
        if kind == "amount":
            if match.group("wan"):
                values.append(_Value(amount_in_yi("", "万亿元"), _qualifier(match)))
            elif match.group("unit"):
                values.append(_Value(amount_in_yi(match.group("num"), match.group("unit")), _qualifier(match)))
            else:
                # "113、153亿元": the unit comes with the last value of the enumeration.
                units_missing.append(len(values))
                values.append(_Value(parse_number(match.group("num")), _qualifier(match)))
        elif kind == "percent":
            values.append(_Value(parse_number(match.group("num") or match.group("num2")), _qualifier(match)))
        else:
            values.append(_Value(parse_number(match.group("num")), _qualifier(match)))
        pos = match.end()
        separator = (_ENUM_SEPARATOR if enumerated else _SEPARATOR).match(sentence, pos)
        if not separator:
            break
        pos = separator.end()
    if kind == "amount" and units_missing:
        last_unit = _last_amount_unit(sentence, pos)
        if last_unit is None or units_missing[-1] == len(values) - 1 and last_unit is None:
            values = [v for i, v in enumerate(values) if i not in units_missing]
        else:
            for index in units_missing:
                values[index] = replace(values[index], value=values[index].value * last_unit)
    return values, pos, enumerated


def _last_amount_unit(sentence: str, pos: int) -> float | None:
    match = re.compile(AMOUNT_UNIT).match(sentence, pos)
    return amount_in_yi("1", match.group(0)) if match else None


# ---------------------------------------------------------------- anchors

_THREE_LEVELS = re.compile(r"省[、,，]?市[、,，]?(?:县|区)(?:三级)?")
_LEVEL_SUFFIX = re.compile(r"(?:级|列|重点|在建)+$")


def _scopes_from_modifiers(modifiers: str, prefix: str, default: str) -> list[str] | None:
    """The list(s) a 重点项目 phrase names, from the words right before it; None when it names no level."""
    words = modifiers if not modifiers else PLACE_PATTERN.sub("", modifiers)
    words = words.replace(_UNDER_CONSTRUCTION, "").replace("的", "").strip()
    around = prefix + modifiers
    if "省" in around and _THREE_LEVELS.search(around):
        if "分别" in around or "三级" in around or "、" in around:
            return ["province", "city", "county"]
        return ["province+city+county"]
    if "省市" in words:
        return ["province+city"]
    tail = _LEVEL_SUFFIX.sub("", words)
    if tail.endswith("省"):
        return ["province"]
    if tail.endswith("市"):
        return None if tail.endswith("全市") else ["city"]
    if tail.endswith(("区", "县")):
        return ["county"]
    return None


def _find_place(text: str) -> str | None:
    places = PLACE_PATTERN.findall(text)
    return canonical_region(places[-1]) if places else None


def _find_anchors(sentence: str, default_scope: str, mention_spans: list[tuple[int, int]]) -> list[_Anchor]:
    anchors: list[_Anchor] = []
    taken: list[tuple[int, int]] = []
    for match in _SIGNED.finditer(sentence) if "签约" in sentence else ():
        start = match.start()
        before = _COUNT_RIGHT_BEFORE.search(sentence, max(0, start - 16), start)
        number = before.group("num1") if before else match.group("num2")
        if not number:
            continue
        start = before.start() if before else start
        anchors.append(_Anchor("signed", start, match.end(), [default_scope],
                               count=parse_number(number), region=_find_place(_clause_before(sentence, start))))
        taken.append((start, match.end()))
    previous_list_end = 0
    for match in _KEY_LIST.finditer(sentence):
        # The words of this list start after the clause mark and after the list named before it.
        clause_start = max(_clause_start(sentence, match.start()), previous_list_end)
        before = sentence[clause_start:match.start()]
        count_match = None
        for candidate in _COUNT_BEFORE.finditer(before):
            count_match = candidate
        if count_match is not None:
            prefix, modifiers = before[:count_match.start()], before[count_match.end():]
        else:
            prefix, modifiers = "", before
        start, end = clause_start + (count_match.start() if count_match else match.start() - clause_start), match.end()
        if count_match is None:
            after = _COUNT_AFTER.match(sentence, match.end())
            if after:
                count_match = after
                end = after.end()
        kind = "partial" if _PARTIAL_WORDS.search(prefix + modifiers) else "list"
        place = _find_place(prefix + modifiers)
        # A list named without its level is the named place's own list.
        own_scope = _default_scope(place) if place else default_scope
        scopes = _scopes_from_modifiers(modifiers, prefix, own_scope)
        anchor = _Anchor(kind, start, end, scopes or [own_scope], explicit_scope=scopes is not None,
                         region=place, under_construction=_UNDER_CONSTRUCTION in modifiers + match.group(0))
        if count_match is not None:
            anchor.count = parse_number(count_match.group("num"))
            anchor.count_qualifier = _qualifier(count_match)
        anchors.append(anchor)
        taken.append((start, end))
        previous_list_end = end
    for match in _UNDER_CONSTRUCTION_PART.finditer(sentence) if "在建项目" in sentence else ():
        number = match.group("num1") or match.group("num2")
        whole = [a for a in anchors if a.kind == "list" and a.start < match.start()]
        if not whole:
            continue  # "在建项目" alone is some projects under construction, not the list's part
        anchors.append(_Anchor("list", match.start(), match.end(), whole[-1].scopes, region=whole[-1].region,
                               under_construction=True, count=parse_number(number) if number else None))
        taken.append((match.start(), match.end()))
    patterns = (_OTHER_GROUP, _SIZE_CLASS) if _SIZE_CLASS_HINT.search(sentence) else (_OTHER_GROUP,)
    occupied = taken + mention_spans
    for pattern in patterns:
        for match in pattern.finditer(sentence):
            start, end = match.span()
            if any(s < end and start < e for s, e in occupied):
                continue
            anchors.append(_Anchor("partial", match.start(), match.end(), []))
    anchors.sort(key=lambda a: a.start)
    return anchors


_CLAUSE_MARK = re.compile(r"[,，;；:：]")


@lru_cache(maxsize=8)
def _clause_marks(sentence: str) -> list[int]:
    """Positions of the comma-like marks of a sentence (asked for many times per sentence)."""
    return [match.start() for match in _CLAUSE_MARK.finditer(sentence)]


def _clause_start(sentence: str, pos: int) -> int:
    """Start of the clause holding ``pos`` (after the last comma-like mark; 、 does not end a clause)."""
    marks = _clause_marks(sentence)
    index = bisect.bisect_left(marks, pos)
    return marks[index - 1] + 1 if index else 0


def _clause_before(sentence: str, pos: int) -> str:
    return sentence[_clause_start(sentence, pos):pos]


# ---------------------------------------------------------------- mentions

def _find_mentions(sentence: str) -> list[_Mention]:
    """Metric wordings and their values, left to right; at one position the earlier metric of
    _MENTIONS wins, and a wording without values leaves room for another one inside it."""
    mentions: list[_Mention] = []
    occupied: list[tuple[int, int]] = []
    pos = 0
    while (match := _ANY_MENTION.search(sentence, pos)) is not None:
        metric, _, kind = _MENTIONS[int(match.lastgroup[1:])]
        after_respectively = sentence.rfind("分别", max(0, match.start() - 4), match.start()) >= 0
        values, end, enumerated = _parse_values(sentence, match.end(), kind, after_respectively)
        if (not values
                # "总投资20亿元以上项目22个": a size class, not a figure
                or kind == "amount" and _SIZE_CLASS.match(sentence, _FILLER.match(sentence, match.end()).end())
                # "总投资达230亿元的美的智慧家居小镇": describes one named project
                or kind == "amount" and sentence.startswith("的", end)):
            pos = match.start() + 1
            continue
        if metric == "ahead_of_schedule" and match.group("behind"):
            values = [replace(v, value=-v.value) for v in values]  # behind schedule
        mentions.append(_Mention(metric, match.start(), end, values, enumerated or len(values) > 1))
        occupied.append((match.start(), end))
        pos = end
    has_verb = any(verb in sentence for verb in ("开工", "竣工", "建成", "投产"))
    for match in _COUNT_BEFORE_VERB.finditer(sentence) if has_verb else ():
        if any(s <= match.start() < e for s, e in occupied):
            continue
        verb = sentence[match.end("num"):match.end()]
        metric = "started_projects" if "开工" in verb else "finished_projects"
        mentions.append(_Mention(metric, match.start(), match.end(), [_Value(parse_number(match.group("num")), "")]))
        occupied.append((match.start(), match.end()))
    mentions.sort(key=lambda m: m.start)
    return mentions


def _implicit_totals(sentence: str, anchors: list[_Anchor], mentions: list[_Mention]) -> list[_Mention]:
    """"635个...市重点项目,正以超万亿元的气势": an amount right after a counted list is its total."""
    found: list[_Mention] = []
    for anchor in anchors:
        if anchor.kind != "list" or anchor.count is None:
            continue
        window = sentence[anchor.end:anchor.end + 12]
        match = re.match(r"[,，]?[^\d,，。;；、完计投]{0,4}?(?=近|约|超过|超|逾|突破|\d|万亿)", window)
        if not match:
            continue
        pos = anchor.end + match.end()
        if any(m.start <= pos < m.end or m.start == pos for m in mentions):
            continue
        item = _AMOUNT_ITEM.match(sentence, pos)
        if item and (item.group("unit") or item.group("wan")):
            values, end, _ = _parse_values(sentence, pos, "amount")
            if values and not _SIZE_CLASS.match(sentence, pos):
                found.append(_Mention("total_investment", pos, end, values))
    return found


# ---------------------------------------------------------------- extraction

def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _default_scope(region: str) -> str:
    return government_level(region) if region else "county"


def _facts_of_sentence(text: str, start: int, end: int, context: _Context, sentence_times: list[TimeMention],
                       carried_year: TimeMention | None, carried_months: TimeMention | None) -> list[_Fact]:
    sentence = text[start:end]
    if _MASS_CEREMONY.search(sentence):
        return []
    mentions = _find_mentions(sentence)
    default_scope = _default_scope(context.doc_region)
    anchors = _find_anchors(sentence, default_scope, [(m.start, m.end) for m in mentions])
    mentions = sorted(mentions + _implicit_totals(sentence, anchors, mentions), key=lambda m: m.start)
    quote_start, quote_end = _strip_span(text, start, end)

    def period(pos: int) -> tuple[int | None, tuple[int, int]]:
        before = [m for m in sentence_times if m.end <= start + pos]
        return resolve_period(before, carried_year, carried_months, context.published)

    names_a_target = _TARGET.search(sentence) is not None

    def is_target(pos: int) -> bool:
        if not names_a_target:
            return False
        clause_start = _clause_start(sentence, pos)
        clause_end_match = _CLAUSE_BREAK.search(sentence, pos)
        clause_end = clause_end_match.start() if clause_end_match else len(sentence)
        return bool(_TARGET.search(sentence, clause_start, clause_end))

    facts: list[_Fact] = []

    def emit(anchor: _Anchor | None, scope: str, metric: str, value: _Value, pos: int) -> None:
        if is_target(pos):
            return
        year, months = period(pos)
        if metric in LIST_METRICS:
            months = (1, 12)
        if year is not None and context.published.year is not None and year > context.published.year:
            return  # a figure for a coming year is a target
        region = (anchor.region if anchor and anchor.region else None) or context.doc_region
        facts.append(_Fact(region, scope, bool(anchor and anchor.under_construction), year, months,
                           metric, value.value, value.qualifier, quote_start, quote_end))

    for anchor in anchors:
        if anchor.count is None or anchor.kind == "partial":
            continue
        metric = "signed_projects" if anchor.kind == "signed" else "projects"
        if len(anchor.scopes) == 1:
            emit(anchor, anchor.scopes[0], metric, _Value(anchor.count, anchor.count_qualifier), anchor.start)

    for mention in mentions:
        preceding = [a for a in anchors if a.start < mention.start]
        anchor = preceding[-1] if preceding else None
        if mention.enumerated and len(mention.values) > 1:
            targets = _enumeration_targets(sentence, preceding, mention, default_scope, context.doc_region)
            if targets is None:
                continue
            for (target_anchor, scope), value in zip(targets, mention.values):
                emit(target_anchor, scope, mention.metric, value, mention.start)
            continue
        if anchor is None:
            if mention.metric not in ("started_projects", "finished_projects"):
                continue
            emit(None, default_scope, mention.metric, mention.values[0], mention.start)
            continue
        if anchor.kind == "partial":
            continue
        metric = mention.metric
        if anchor.kind == "signed":
            if metric != "total_investment":
                continue
            metric = "signed_investment"
        for scope in anchor.scopes[:1] if len(anchor.scopes) == 1 else []:
            emit(anchor, scope, metric, mention.values[0], mention.start)
    return facts


def _enumeration_targets(sentence: str, anchors: list[_Anchor], mention: _Mention, default_scope: str,
                         doc_region: str) -> list[tuple[_Anchor | None, str]] | None:
    """Where the k values after 分别 go: the k lists, scopes or places named before them."""
    k = len(mention.values)
    lists = [a for a in anchors if a.kind == "list"]
    if lists and len(lists[-1].scopes) == k:
        return [(lists[-1], scope) for scope in lists[-1].scopes]
    if len(lists) >= k and all(len(a.scopes) == 1 for a in lists[-k:]):
        return [(a, a.scopes[0]) for a in lists[-k:]]
    places = [canonical_region(p) for p in PLACE_PATTERN.findall(sentence[:mention.start])]
    if len(places) >= k:
        anchor = lists[-1] if lists else None
        targets: list[tuple[_Anchor | None, str]] = []
        for place in places[-k:]:
            scope = anchor.scopes[0] if anchor and anchor.explicit_scope and len(anchor.scopes) == 1 \
                else _default_scope(place)
            base = anchor or _Anchor("list", 0, 0, [scope])
            targets.append((replace(base, region=place, scopes=[scope]), scope))
        return targets
    return None


def _sentence_around(text: str, marks: list[int], pos: int) -> tuple[int, int]:
    """(start, end) of the sentence holding ``pos``; a line ending in a comma continues on the next line.

    ``marks`` are the sorted positions of the sentence marks of ``text``.
    """
    index = bisect.bisect_left(marks, pos)
    before = index - 1
    while before >= 0 and text[marks[before]] == "\n" and _line_continues(text, marks[before]):
        before -= 1
    start = marks[before] + 1 if before >= 0 else 0
    after = index
    while after < len(marks) and text[marks[after]] == "\n" and _line_continues(text, marks[after]):
        after += 1
    end = marks[after] if after < len(marks) else len(text)
    while end < len(text) and text[end] in "。！？!?":
        end += 1
    return start, end


def _line_continues(text: str, newline: int) -> bool:
    """Whether the line ending at ``newline`` ends in a comma-like mark (so the sentence goes on)."""
    index = newline - 1
    while index >= 0 and text[index] in " \t\n\u3000":
        index -= 1
    return index >= 0 and text[index] in _CONTINUES


class _TimeIndex:
    """Time expressions of one document: years everywhere, months paragraph by paragraph on demand.

    Years carry through the document, so they are scanned once over the whole text (a cheap
    pattern); months carry only within a paragraph, so the full pattern runs only over the
    paragraphs that hold candidate sentences.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.years = find_year_mentions(text)
        self.year_starts = [m.start for m in self.years]
        self.last_topic_year: list[int] = [-1]
        for index, mention in enumerate(self.years):
            self.last_topic_year.append(index if mention.topic else self.last_topic_year[-1])
        self._paragraph_start = -1
        self._scanned_until = 0
        self._paragraph: list[TimeMention] = []

    def carried_year(self, start: int) -> TimeMention | None:
        """The last clause-opening year expression before ``start``."""
        index = self.last_topic_year[bisect.bisect_left(self.year_starts, start)]
        return self.years[index] if index >= 0 else None

    def around(self, start: int, end: int) -> tuple[list[TimeMention], TimeMention | None]:
        """(the expressions in ``text[start:end]``, the last topic month expression of the paragraph before it)."""
        paragraph_start = self.text.rfind("\n", 0, start) + 1
        if paragraph_start != self._paragraph_start:
            self._paragraph_start, self._scanned_until, self._paragraph = paragraph_start, paragraph_start, []
        if end > self._scanned_until:
            self._paragraph.extend(find_time_mentions(self.text, self._scanned_until, end))
            self._scanned_until = end
        inside = [m for m in self._paragraph if start <= m.start and m.end <= end]
        carried = None
        for mention in self._paragraph:
            if mention.start >= start:
                break
            if mention.topic and (mention.months is not None or mention.year_to_date):
                carried = mention
        return inside, carried


def _document_facts(doc_id: str, text: str, meta: dict[str, str]) -> list[tuple[Any, ...]]:
    region = canonical_region((meta or {}).get("region", "") or "")
    context = _Context(region, Published.parse((meta or {}).get("published")))
    times = _TimeIndex(text)
    facts: list[_Fact] = []
    done_until = -1
    marks = [match.start() for match in _SENTENCE_MARK.finditer(text)]
    for trigger in _TRIGGER.finditer(text):
        if trigger.start() < done_until:
            continue
        sentence_start, sentence_end = _sentence_around(text, marks, trigger.start())
        done_until = sentence_end
        for start, end in _pieces(text, sentence_start, sentence_end):
            if not _FIGURE.search(text, start, end) or not _LIKELY.search(text, start, end):
                continue
            # The context carried into the sentence: the last topic year before it in the document,
            # the last topic months before it in its paragraph.
            in_sentence, carried_months = times.around(start, end)
            facts.extend(_facts_of_sentence(text, start, end, context, in_sentence,
                                            times.carried_year(start), carried_months))
    return _to_rows(doc_id, text, facts)


def _pieces(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """A sentence, or for a run-on text without sentence marks, pieces of it cut after clause marks.

    Real sentences are far shorter than ``_MAX_SENTENCE``; cutting keeps the work per
    character bounded on hostile input (a megabyte without a full stop).
    """
    while end - start > _MAX_SENTENCE:
        limit = start + _MAX_SENTENCE
        cut = max(text.rfind(mark, start + _MAX_SENTENCE // 2, limit) for mark in ",，;；、")
        cut = cut + 1 if cut >= 0 else limit
        yield start, cut
        start = cut
    yield start, end


_VALUE = FACT_COLUMNS.index("value")


def _to_rows(doc_id: str, text: str, facts: list[_Fact]) -> list[tuple[Any, ...]]:
    """The rows of the facts (tuples in FACT_COLUMNS order), each fact once."""
    whole_lists = {(f.region, f.scope, f.year) for f in facts if not f.under_construction}
    rows: list[tuple[Any, ...]] = []
    seen: set[tuple[Any, ...]] = set()
    for fact in facts:
        subset = "under_construction" if fact.under_construction and \
            (fact.region, fact.scope, fact.year) in whole_lists else ""
        year = f"{fact.year:04d}" if fact.year else "0000"
        row = (doc_id, fact.region, fact.scope, subset,
               f"{year}-{fact.months[0]:02d}", f"{year}-{fact.months[1]:02d}",
               fact.metric, round(fact.value, 6), METRIC_UNITS[fact.metric],
               fact.qualifier, text[fact.quote_start:fact.quote_end], fact.quote_start, fact.quote_end)
        key = row[1:_VALUE + 1]  # region ... value
        if key in seen:
            continue  # a figure stated twice is one fact
        seen.add(key)
        rows.append(row)
    return rows


def _row_dicts(rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """Rows in FACT_COLUMNS order as dicts with the FACT_COLUMNS keys."""
    return [dict(zip(FACT_COLUMNS, row)) for row in rows]


def extract_rows(document: _TextDocument) -> list[dict[str, Any]]:
    """The facts of one document as plain dicts (the FACT_COLUMNS keys), without building a DataFrame."""
    return _row_dicts(_document_facts(document.doc_id, document.text, document.meta))


def extract_facts(document: _TextDocument) -> pd.DataFrame:
    """The facts of one document, one row per fact, with the columns of ``keyproj.facts.FACT_COLUMNS``.

    Amounts are in 亿元, rates in %, ahead-of-schedule in percentage points (negative when behind).
    """
    import pandas as pd

    return pd.DataFrame(extract_rows(document), columns=FACT_COLUMNS)


# ---------------------------------------------------------------- many documents

# Documents are read a stretch of about this many characters at a time, then extracted: taking
# the two kinds of work in turns over a stretch is about 8 % faster than document by document
# (bench/bench_extract.py), and memory stays bounded by the stretch.
_STRETCH = 200_000


def _results(refs: Sequence[Any], as_csv: bool) -> Iterator[tuple[str, Any]]:
    """``(path, result)`` for each document of ``refs``, in order (see :func:`iter_extracted`)."""
    from keyproj.errors import BadInputError
    from keyproj.read.documents import read_document

    stretch: list[tuple[str, Any]] = []
    size = 0
    for index, ref in enumerate(refs):
        try:
            document = read_document(ref.path, ref.meta)
            size += len(document.text)
        except BadInputError as error:
            document = error
        stretch.append((str(ref.path), document))
        if size < _STRETCH and index + 1 < len(refs):
            continue
        for path, document in stretch:
            if isinstance(document, BadInputError):
                yield path, document
                continue
            rows = _document_facts(document.doc_id, document.text, document.meta)
            if as_csv:
                yield path, (facts_csv_rows(rows), len(rows))
            else:
                yield path, _row_dicts(rows)
        stretch, size = [], 0


def _run_results(run: tuple[list[Any], bool]) -> list[tuple[str, Any]]:
    """The results of a run of documents (one task of ``ordered_map``: one result file for many documents)."""
    refs, as_csv = run
    return list(_results(refs, as_csv))


def _batches(refs: list[Any], jobs: int) -> list[list[Any]]:
    """Consecutive runs of ``refs``, long at first and shorter towards the end (each about a
    quarter of what is left per process, at most 256 and at least 8 documents): few tasks, and
    the processes finish close together."""
    batches: list[list[Any]] = []
    start = 0
    while start < len(refs):
        size = max(8, min(256, (len(refs) - start) // (jobs * 4)))
        batches.append(refs[start:start + size])
        start += size
    return batches


def iter_extracted(paths: Sequence[str | Path], jobs: int = 1, as_csv: bool = False) -> Iterator[tuple[str, Any]]:
    """Facts of every document found under ``paths``, streamed in a stable order.

    Yields ``(path, rows)`` for each document (rows: dicts with the FACT_COLUMNS keys; with
    ``as_csv``, ``(CSV lines, number of rows)`` instead), or ``(path, error)`` for a bad file or
    folder; nothing is raised for a bad file. With ``jobs`` > 1 this process and ``jobs - 1``
    forked ones take runs of documents in turn (``keyproj.util.parallel.ordered_map``).
    """
    from keyproj.read.documents import discover_documents

    refs, errors = discover_documents(paths)
    for error in errors:
        yield str(error.path), error
    if jobs <= 1 or len(refs) <= 1:
        yield from _results(refs, as_csv)
        return
    from keyproj.util.parallel import ordered_map

    for results in ordered_map(_run_results, [(batch, as_csv) for batch in _batches(refs, jobs)], jobs):
        yield from results


def extract_paths(paths: Sequence[str | Path], jobs: int = 1) -> tuple[pd.DataFrame, list[BadInputError]]:
    """All facts of the documents under ``paths`` (FACT_COLUMNS) and the errors of bad files."""
    import pandas as pd

    from keyproj.errors import BadInputError

    rows: list[dict[str, Any]] = []
    errors: list[BadInputError] = []
    for _, result in iter_extracted(paths, jobs):
        if isinstance(result, BadInputError):
            errors.append(result)
        else:
            rows.extend(result)
    return pd.DataFrame(rows, columns=FACT_COLUMNS), errors


def facts_csv_rows(rows: Iterable[Sequence[Any]]) -> str:
    """Fact rows (sequences in FACT_COLUMNS order) as CSV lines, no header."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:
        values = list(row)
        values[_VALUE] = _format_value(values[_VALUE])
        writer.writerow(values)
    return buffer.getvalue()


def _format_value(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".") if value == value else ""
