"""The role of every figure of a sentence, and the list and place it belongs to.

A number becomes a fact only when its role is *realised*: a figure of the list itself. The other
roles say why it is not one: ``planned`` (计划开工 N 项), ``negated`` (未开工), ``part`` (a stage,
sector, size band or group of places of the list), ``other`` (another programme, money that is
not the list's, a named project), ``ceremony`` (集中开工 totals), ``event`` (a fair's signings),
``target`` (力争 / 下一步 / a later year), ``per_day``, ``unassigned`` (分别 over a number of
values nothing before it matches). ``shared`` (均超过 / 各新开工 N 个) is each named place's figure and
no one's when no places are named. Growth (同比) and shares of other targets never reach a role:
their numbers do not follow a metric's wording directly.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from keyproj.extract.numbers import parse_number
from keyproj.extract.parts import names_a_part
from keyproj.extract.regions import government_level
from keyproj.extract.sentence import (
    _STRIP,
    Figure,
    Subject,
    clause_end,
    clause_start,
    patterns,
)
from keyproj.extract.state import DocState, ListRef, join_scopes
from keyproj.extract.values import Value


@dataclass(slots=True)
class Claim:
    """A realised figure with the list it belongs to (a region of None is the list's or the reporter's)."""

    metric: str
    value: Value
    ref: ListRef
    position: int


def sentence_roles(sentence: str, figures: list[Figure], published_year: int | None) -> None:
    """Roles that come from the sentence's cues: ceremonies, events, breakdowns, targets."""
    p = patterns()
    marks = {name: [m.start() for m in p[name].finditer(sentence)]
             for name in ("ceremony", "event", "breakdown_parts", "target")}
    next_step = p["next_step"].search(sentence, 0, 8) is not None
    # "今年的目标是：力争…；全年新签约项目50个以上": a target before a colon holds to the sentence's end
    announced = [m.start() for m in p["target"].finditer(sentence) if sentence.startswith((":", "："), m.end())]
    for figure in figures:
        if figure.role != "realised":
            continue
        if next_step:
            figure.role = "target"
        elif any(m < figure.start and not _closed_bracket_holds(sentence, m, figure.start) for m in marks["ceremony"]):
            figure.role = "ceremony"  # (not an aside in brackets: 94个（含本次集中开工的41个），完成投资…)
        elif any(m < figure.start and not _closed_bracket_holds(sentence, m, figure.start) for m in marks["event"]):
            figure.role = "event"
        elif any(m < figure.start for m in marks["breakdown_parts"]) and not (
                figure.subject is not None and figure.subject.kind == "list"):
            figure.role = "part"
        elif any(_part_start(sentence, figure.start) <= m < clause_end(sentence, figure.start)
                 for m in marks["target"]) or any(m < figure.start for m in announced):
            figure.role = "target"  # a target holds to the end of its part of the sentence (up to ；)


def _part_start(sentence: str, pos: int) -> int:
    """Start of the part of a sentence holding ``pos``: after the last semicolon before it."""
    return max(sentence.rfind(";", 0, pos), sentence.rfind("；", 0, pos)) + 1


def _subject_of(figure: Figure, subjects: list[Subject], sentence: str) -> Subject | None:
    """The subject a figure is about: the last one before it (a stage count looks past parts)."""
    if figure.subject is not None:
        return figure.subject
    stage = figure.metric in ("started_projects", "finished_projects")
    for subject in reversed(subjects):
        if subject.end > figure.start and subject.start >= figure.start or subject.start >= figure.start \
                or _closed_bracket_holds(sentence, subject.start, figure.start):
            continue  # after it, or in brackets closed before it ("156个(其中列入…27个),总投资…")
        if subject.aside and subject.kind == "list" and _part_start(sentence, figure.start) > subject.end:
            continue  # "其中，32个省、市重点项目完成投资19.7亿元；新开工项目28个": the part ends at the semicolon
        if subject.kind == "list" and not figure.enumerated and (_in_counted_run(sentence, subject, subjects)
                                                                 or _one_part_before(sentence, subject, subjects, figure)):
            continue  # "其中省重点项目4个、市重点项目21个，总投资238.6亿元": after a run of counted parts, the whole's
        if subject.aside and subject.kind != "list" and \
                clause_start(sentence, subject.end) != clause_start(sentence, figure.start) and \
                any(s.kind == "list" and s.end <= subject.start for s in subjects):
            continue  # "…重点项目105项，另列预备项目14项，年度投资计划…": the aside holds for its clause
        if stage and subject.kind == "list" and subject.stage:
            continue
        if subject.kind == "places" and not (_part_start(sentence, figure.start) <= subject.start if figure.enumerated
                                             else _place_holds(sentence, subject, figure)):
            continue  # places hold for their clause; for 分别 values, up to the semicolon
        if subject.kind == "signed" and _part_start(sentence, figure.start) > subject.end:
            continue  # "签约项目48个；已开工项目211个": a signed group holds up to the semicolon
        if stage and subject.kind in ("part", "plain", "anaphor"):
            continue
        if subject.kind == "plain" and subject.count is None or subject.kind == "other" and subject.start > 0 and \
                "占" in sentence[clause_start(sentence, subject.start):subject.start]:
            continue  # (占全市固定资产投资的41.3%: the base of a share, no subject)
        if subject.kind == "part" and clause_start(sentence, subject.end) != clause_start(sentence, figure.start):
            if subject.stage and subject.count is not None and "已" in sentence[subject.start:subject.end]:
                continue  # "已开工项目213个，…累计完成投资178.3亿": the list's count of a stage, no subject
            return _whole_of_exhaustive_parts(subjects, subject) or subject
        return subject
    return None


# between two counted parts of a run: a separator and the next part's level words (、邢台市), no figure
_RUN_GAP = re.compile(r"\s*[、,，和及与]\s*(?:(?!其中)[^\d;；。,，])*")


_ANY_DIGIT = re.compile(r"\d")


def _one_part_before(sentence: str, subject: Subject, subjects: list[Subject], figure: Figure) -> bool:
    """县重点项目72个，其中省重点项目11个，总投资435.6亿元: one counted part after 其中, the figure in a
    clause of its own after it: the whole's, as after a run of parts."""
    counted = [s for s in subjects if s.kind == "list" and s.count is not None]
    index = counted.index(subject) if subject in counted else -1
    return index > 0 and subject.aside and not counted[index - 1].aside and figure.metric != "projects" \
        and clause_start(sentence, figure.start) != clause_start(sentence, subject.end) \
        and not _ANY_DIGIT.search(sentence, counted[index - 1].end, subject.start)  # (the whole's figures came first)


def _in_counted_run(sentence: str, subject: Subject, subjects: list[Subject]) -> bool:
    """Whether a counted list stands in a run of two or more counted lists joined only by 、 or a
    comma, opened by 其中 (其中省重点项目4个、市重点项目21个): figures after the run are not one part's."""
    counted = [s for s in subjects if s.kind == "list" and s.count is not None]
    if subject not in counted:
        return False
    index = counted.index(subject)
    first = last = index
    while first > 0 and _RUN_GAP.fullmatch(sentence, counted[first - 1].end, counted[first].start):
        first -= 1
    while last + 1 < len(counted) and _RUN_GAP.fullmatch(sentence, counted[last].end, counted[last + 1].start):
        last += 1
    return last > first and counted[first].aside


def _realised_stage_then(sentence: str, subject: Subject, figure: Figure) -> bool:
    """"已开工市重点项目94个（…），1—2月完成投资76.8亿元": the list's count of a stage reached, then the
    list's own progress in clauses of their own (a total after 已建成的43个 is the group's)."""
    return figure.metric in ("completed_investment", "completion_rate", "ahead_of_schedule") and \
        "已" in sentence[clause_start(sentence, subject.start):subject.end] and \
        clause_start(sentence, figure.start) > _closed_bracket_end(sentence, subject.end)


def _closed_bracket_end(sentence: str, position: int) -> int:
    """The end of a bracket opened right at ``position`` (its aside), else ``position``."""
    if sentence.startswith(("(", "（"), position):
        close = min((i for i in (sentence.find(")", position), sentence.find("）", position)) if i >= 0), default=-1)
        return close + 1 if close >= 0 else position
    return position


def _closed_bracket_holds(sentence: str, position: int, later: int) -> bool:
    """Whether ``position`` is inside brackets that close before ``later``."""
    opening = max(sentence.rfind("(", 0, position + 1), sentence.rfind("（", 0, position + 1))
    if opening < 0 or max(sentence.rfind(")", 0, position), sentence.rfind("）", 0, position)) > opening:
        return False
    return ")" in sentence[position:later] or "）" in sentence[position:later]


def _whole_of_exhaustive_parts(subjects: list[Subject], last_part: Subject) -> Subject | None:
    """"重点项目320个，其中续建项目150个、新开工项目170个，年度计划投资610亿元": parts whose counts
    add up to the list's count name all of it, so a figure after them (in its own clause) is the list's."""
    index = subjects.index(last_part)
    parts = []
    while index >= 0 and subjects[index].kind == "part":
        parts.append(subjects[index])
        index -= 1
    whole = subjects[index] if index >= 0 else None
    if whole is None or whole.kind != "list" or whole.count is None or len(parts) < 2 or \
            any(part.count is None for part in parts):
        return None
    return whole if abs(sum(part.count.value for part in parts) - whole.count.value) < 1e-9 else None


def _place_holds(sentence: str, subject: Subject, figure: Figure) -> bool:
    """A place holds for its clause; a place that opens its clause ("椒江区完成投资58.2亿元，完成年度
    计划的92.1%；黄岩区…") holds up to the semicolon."""
    opening = clause_start(sentence, subject.start)
    if opening == clause_start(sentence, figure.start):
        return True
    return not _STRIP.sub("", sentence[opening:subject.start]) and \
        _part_start(sentence, figure.start) <= subject.start


def resolve(sentence: str, figures: list[Figure], subjects: list[Subject], state: DocState,
            breakdown_places: bool) -> list[Claim]:
    """The realised figures with their lists (roles other than realised are left out)."""
    claims: list[Claim] = []
    in_sentence: list[ListRef] = []

    def ref_of(subject: Subject) -> ListRef | None:
        if subject.kind == "list":
            return list_ref(subject, state, breakdown_places)
        if subject.kind == "anaphor":
            return in_sentence[-1] if in_sentence else (state.last or state.overall())
        base = in_sentence[-1] if in_sentence else state.current or state.overall()
        if subject.kind == "plain":
            return _plain_ref(subject, base, state)
        return ListRef(base.scope, base.region, True) if subject.kind == "under_construction" else None

    for figure in figures:
        subject = _subject_of(figure, subjects, sentence)
        shared = _named_places_claims(sentence, figure, subject, subjects, in_sentence, state, breakdown_places)
        if shared is not None:  # 杨店镇、肖港镇完成投资均超过4亿元; 各新开工12个; 不足60% after places
            claims.extend(shared)
            continue
        if figure.role != "realised":
            continue
        if names_a_part(sentence, figure, subject) or _names_another_quantity(sentence, figure, subject):
            continue
        if subject is not None and subject.kind == "list" and (subject.part or subject.places and not figure.enumerated
                                                               or subject.stage and figure.subject is not subject
                                                               and not _realised_stage_then(sentence, subject, figure)):
            continue  # a part of the list, a sum over several places, or the group of its started / finished projects
        years = _enumerated_years(sentence, figure) if figure.enumerated else []
        if subject is not None and subject.kind in ("part", "other") or \
                subject is None and figure.enumerated and len(figure.values) > 1 and not years:
            continue  # a part's, or 分别 values (17.6、14.9个百分点) over names that are no places known here
        if subject is not None and subject.kind == "signed":
            claims.extend(_signed_claims(sentence, figure, subject, subjects, state))
            continue
        if figure.metric in ("signed_projects", "signed_investment"):
            continue
        if subject is not None and subject.kind == "places":
            _spread(claims, figure, _places_refs(subject, subjects, in_sentence, state, breakdown_places, figure))
            continue
        ref = ref_of(subject) if subject is not None else _no_subject_ref(sentence, figure, state)
        if ref is None:
            continue
        if subject is not None and subject.kind == "under_construction" and figure.metric in _STAGES:
            ref = ListRef(ref.scope, ref.region)  # 在建项目46个，已竣工项目12个: the list's, not of the 在建 part
        if years:  # "2019年、2020年、2021年…分别完成投资31.6亿元、38.2亿元、45.3亿元": one value a year
            claims.extend(Claim(figure.metric, value, ref, end) for value, end in zip(figure.values, years))
            continue
        if subject is not None and subject.kind == "list" and figure.enumerated and len(figure.values) > 1:
            targets = _enumeration(sentence, subject, subjects, figure, state, breakdown_places)
            if targets:
                _spread(claims, figure, targets)
            continue
        if subject is not None and subject.kind == "list" and ref not in in_sentence:
            in_sentence.append(ref)
        claims.append(Claim(figure.metric, figure.values[0], ref, figure.start))
    return claims


_STAGES = ("started_projects", "finished_projects")


def _no_subject_ref(sentence: str, figure: Figure, state: DocState) -> ListRef:
    """The list of a figure without a subject: the current list, but the reporter's main list when
    its clause names the reporter's whole area (截至4月底，全县新开工项目22个 after a city list's sentence)."""
    if patterns()["overall"].search(sentence, clause_start(sentence, figure.start), figure.start):
        return state.overall()
    return state.current or state.overall()


def _plain_ref(subject: Subject, base: ListRef, state: DocState) -> ListRef | None:
    """The list a plain counted group (7个项目) stands for: the current list if its count fits (or is
    not known), else the one list counted so before (省市重点项目7个，其中…。7个项目累计完成投资…)."""
    known = state.counts.get(base)
    if subject.count is None or subject.membership or known == subject.count.value:
        return base
    counted = [ref for ref, count in state.counts.items() if count == subject.count.value]
    return counted[0] if len(counted) == 1 else base if known is None else None


def _places_refs(places: Subject, subjects: list[Subject], in_sentence: list[ListRef], state: DocState,
                 breakdown_places: bool, figure: Figure | None = None) -> list[ListRef]:
    """Each place's list: one named right after places with their values in brackets (所城镇(112.6%)、
    楠市镇(101.7%)县级重点项目完成率居前), else the sentence's list of figures so far, else one named
    before the places (县级重点项目中，砀山县、萧县分别…), else the paragraph's."""
    lists = [s for s in subjects if s.kind == "list" and not s.bare and not s.part and not s.levels[0].place]
    named = [s for s in lists if s.end <= places.start]
    after = [s for s in lists if figure is not None and figure.subject is places and 0 <= s.start - figure.end <= 2]
    base = list_ref(after[0], state, breakdown_places) if after \
        else in_sentence[-1] if in_sentence else list_ref(named[-1], state, breakdown_places) if named \
        else state.overall() if breakdown_places and state.main is not None \
        else state.in_paragraph(state.paragraph)
    if breakdown_places and state.main is None and state.current is None and state.first_other is not None:
        base = state.first_other  # 松原市's report on its 省级 projects only, by county: those projects
    return [ListRef(base.scope, place, base.under_construction) for place in places.places]


_BRACKET_CLOSE = re.compile(r"[)）]")
# words between a run of places and a bare list they spread 分别 over: a clause without figures (进度较快，)
_CLAUSES_BETWEEN = re.compile(r"[^\d。;；]{0,16}[,，]")
_KINDS_NAMED_BEFORE = re.compile(r"(?:上述|以上|这|这些)?(?P<k>[两三四五2-5])(?:类|级)(?:重点)?项目")


@functools.cache
def _level_or_own() -> re.Pattern[str]:
    """Level words and words for the reporter's own area (县级, 辖区内) between places and the list they
    spread over."""
    return re.compile(f"(?:{patterns()['levels'].pattern}|{patterns()['overall'].pattern})")


def _named_places_claims(sentence: str, figure: Figure, subject: Subject | None, subjects: list[Subject],
                         in_sentence: list[ListRef], state: DocState, breakdown_places: bool) -> list[Claim] | None:
    """The claims of a figure whose lists are not its subject's alone: 分别 over the lists the sentence
    before named, a figure in brackets after one place of a run, a figure every named place shares;
    None when the figure is none of these."""
    claims = _lists_named_before(sentence, figure, state)
    if claims is None:
        claims = _bracketed_place(sentence, figure, subject, subjects, in_sentence, state, breakdown_places)
    if claims is None:
        claims = _shared_by_places(sentence, figure, subject, subjects, in_sentence, state, breakdown_places)
    return claims


def _lists_named_before(sentence: str, figure: Figure, state: DocState) -> list[Claim] | None:
    """三类项目分别完成投资…: 分别 over the k lists the sentence before named, in turn."""
    kinds = _KINDS_NAMED_BEFORE.search(sentence, _part_start(sentence, figure.start), figure.start)
    if not (kinds and figure.enumerated and figure.role == "realised"
            and len(figure.values) == len(state.named_run) == parse_number(kinds.group("k"))):
        return None
    claims: list[Claim] = []
    _spread(claims, figure, state.named_run)
    return claims


def _bracketed_place(sentence: str, figure: Figure, subject: Subject | None, subjects: list[Subject],
                     in_sentence: list[ListRef], state: DocState, breakdown_places: bool) -> list[Claim] | None:
    """慈利县（完成率58.9%）、永定区（…）: a figure in brackets right after one place of a run is that place's."""
    if subject is None or subject.kind != "places" or len(subject.places) < 2 or figure.enumerated \
            or figure.role != "realised":
        return None
    opened = max(sentence.rfind("(", 0, figure.start), sentence.rfind("（", 0, figure.start))
    named = [name for name in subject.places if opened > 0 and sentence.endswith(name, 0, opened)]
    if not named or _BRACKET_CLOSE.search(sentence, opened, figure.start):
        return None
    refs = _places_refs(subject, subjects, in_sentence, state, breakdown_places)
    return [Claim(figure.metric, figure.values[0], ref, figure.start) for ref in refs if ref.region == named[0]]


def _shared_by_places(sentence: str, figure: Figure, subject: Subject | None, subjects: list[Subject],
                      in_sentence: list[ListRef], state: DocState, breakdown_places: bool) -> list[Claim] | None:
    """A figure every named place shares (均 / 各, or a bound after two places in their clause: 不足60%),
    as each one's; a shared figure of no named places gives []."""
    if subject is None or not (figure.role == "shared" or figure.role == "realised" and not figure.enumerated
                               and figure.values[0].qualifier in ("over", "under")
                               and clause_start(sentence, subject.start) == clause_start(sentence, figure.start)):
        return [] if figure.role == "shared" else None
    each = _each_place(sentence, figure, subject, subjects, in_sentence, state, breakdown_places)
    return each if each or figure.role == "shared" else None


def _each_place(sentence: str, figure: Figure, subject: Subject, subjects: list[Subject],
                in_sentence: list[ListRef], state: DocState, breakdown_places: bool) -> list[Claim]:
    """A bound shared with 均 (均超过) as each place's figure: the places of a run, or before a list
    noun (大姚县、永仁县县级重点项目); none for a list alone (its members' bound is no figure)."""
    refs: list[ListRef] = []
    if subject.kind == "places" and len(subject.places) > 1:
        refs = _places_refs(subject, subjects, in_sentence, state, breakdown_places)
    elif subject.kind == "list" and len(subject.places) > 1 and not subject.part:
        refs = _places_before_list(subject, state, breakdown_places)
    elif subject.kind == "list" and subject.bare:  # 萨拉齐镇、双龙镇重点项目完成率均超过110%: the towns' projects
        run = [s for s in subjects if s.kind == "places" and s.end <= subject.start and len(s.places) > 1
               and (not sentence[s.end:subject.start].strip().strip("的")  # (推进较快，重点项目…均超过80%)
                    or _CLAUSES_BETWEEN.fullmatch(sentence, s.end, subject.start))]
        refs = _places_refs(run[-1], subjects, in_sentence, state, breakdown_places) if run else []
    return [Claim(figure.metric, figure.values[0], ref, figure.start) for ref in refs]


def _places_before_list(subject: Subject, state: DocState, breakdown_places: bool) -> list[ListRef]:
    """越城区、柯桥区市级重点项目: each place with the list's level (the breakdown's list when bare)."""
    base = (state.current or state.overall()) if subject.bare else list_ref(subject, state, breakdown_places)
    return [ListRef(base.scope, place, subject.under_construction) for place in subject.places]


def _signed_claims(sentence: str, figure: Figure, subject: Subject, subjects: list[Subject],
                   state: DocState) -> list[Claim]:
    """A signed group's count and investment, at the reporter's level; none when the group is an
    item of another programme named right before it ("三个一批"项目，全年签约项目112个、…)."""
    if any(other.kind == "other" and other.end <= subject.start
           and not _STRIP.sub("", sentence[other.end:subject.start]) for other in subjects):
        return []
    metric = {"total_investment": "signed_investment", "signed_investment": "signed_investment",
              "signed_projects": "signed_projects"}.get(figure.metric)
    # 金溪县新签约项目18个 in a city's report: the county named in the clause signed them
    named = [s for s in subjects if s.kind == "places" and len(s.places) == 1 and s.end <= subject.end
             and clause_start(sentence, s.start) == clause_start(sentence, subject.end)]
    ref = ListRef(government_level(named[-1].places[0]), named[-1].places[0], signed=True) if named \
        else ListRef(state.level, None, signed=True)
    return [Claim(metric, figure.values[0], ref, figure.start)] if metric else []


# a run of years (2019年、2020年) or of quarters (一季度、二季度…四季度) that 分别 values go to in turn
_PERIOD = r"(?:(?:19|20)\d{2}年?|第?[一二三四1-4]季度)"
_YEAR_RUN = re.compile(rf"{_PERIOD}(?:\s*(?:、|和|及|与)\s*{_PERIOD})+")
_YEAR = re.compile(_PERIOD)


def _enumerated_years(sentence: str, figure: Figure) -> list[int]:
    """Where each year (or quarter) of a run of as many as the figure has values (2019年、2020年、2021年;
    一季度、二季度) ends, when such a run stands before the figure in its sentence; else []."""
    runs = [m for m in _YEAR_RUN.finditer(sentence, 0, figure.start)]
    if not runs or len(figure.values) < 2:
        return []
    years = [m.end() for m in _YEAR.finditer(sentence, runs[-1].start(), runs[-1].end())]
    return years if len(years) == len(figure.values) else []


def _names_another_quantity(sentence: str, figure: Figure, subject: Subject | None) -> bool:
    """"一般公共预算收入完成19.6亿元": a completion verb without 投资 after the name of another
    quantity (revenue, output: the lexicon's distractors.other_quantity) is not the list's
    investment, nor is 完成固定资产投资 when no list is named in its clause."""
    start = clause_start(sentence, figure.start)
    if figure.metric != "completed_investment" or subject is not None and subject.end > start:
        return False
    number = _FIRST_DIGIT.search(sentence, figure.start, figure.end)
    wording = sentence[figure.start:number.start()] if number else ""
    if "固定资产" in wording:
        return True  # "全县完成固定资产投资58.7亿元" with no list named in its clause: all investment
    if number is None or "投资" in wording:
        return False
    return patterns()["other_quantity"].search(sentence, start, figure.start) is not None


_FIRST_DIGIT = re.compile(r"[\d零〇○一二两三四五六七八九十百]")


def _spread(claims: list[Claim], figure: Figure, targets: list[ListRef]) -> None:
    """分别: the k values go to the k lists or places, in order (nothing when the numbers differ)."""
    if len(targets) != len(figure.values):
        if len(targets) == 1 and len(figure.values) >= 1:
            claims.append(Claim(figure.metric, figure.values[0], targets[0], figure.start))
        return
    for ref, value in zip(targets, figure.values):
        claims.append(Claim(figure.metric, value, ref, figure.start))


def _enumeration(sentence: str, subject: Subject, subjects: list[Subject], figure: Figure, state: DocState,
                 breakdown_places: bool) -> list[ListRef]:
    """The lists 分别 spreads over: the levels of one phrase (省、市、县三级), or the last k lists."""
    k = len(figure.values)
    if len(subject.places) == k:  # places before the list noun; its level word (or the breakdown's list) the scope
        return _places_before_list(subject, state, breakdown_places)
    if len(subject.levels) == k:
        return [_level_ref(level, subject, state, breakdown_places) for level in subject.levels]
    run = [s for s in subjects if s.kind == "places" and s.end <= subject.start and len(s.places) == k]
    if run and ("分别" in sentence[run[-1].end:subject.start] or subject.bare and _CLAUSES_BETWEEN.fullmatch(
            sentence, run[-1].end, subject.start) or not _level_or_own().sub("", sentence[run[-1].end:subject.start]).strip()):
        # 宁江区、长岭县分别有省级重点项目6个、5个; 南岩镇、曹溪镇重点项目完成年度计划分别为…
        scope = list_ref(subject, state, breakdown_places).scope
        return [ListRef(scope, place, subject.under_construction) for place in run[-1].places]
    lists = [s for s in subjects if s.kind == "list" and s.start < figure.start and not s.part]
    if len(lists) >= k:
        return [list_ref(s, state, breakdown_places) for s in lists[-k:]]
    return []


def _level_ref(level, subject: Subject, state: DocState, breakdown_places: bool) -> ListRef:
    scope = level.scope
    if level.place and breakdown_places and not level.worded:
        scope = (state.current or state.overall()).scope
    return ListRef(scope, level.place, subject.under_construction)


def list_ref(subject: Subject, state: DocState, breakdown_places: bool) -> ListRef:
    """The list a list phrase names: its levels joined, or the document's list when it names none."""
    if subject.bare:
        base = state.overall()
        return ListRef(base.scope, base.region, subject.under_construction or base.under_construction)
    places = [level.place for level in subject.levels if level.place]
    if len(subject.levels) == 1:
        return _level_ref(subject.levels[0], subject, state, breakdown_places)
    region = places[0] if len(set(places)) == 1 and len(places) == len(subject.levels) else None
    if len(places) == 1 and subject.levels[0].place and not breakdown_places:
        # 宁晋县县级重点项目 / 晋江市省市重点项目: the place owns the lists its level words name
        rest = [level.scope for level in subject.levels[1:]]
        return ListRef(join_scopes(rest), places[0], subject.under_construction)
    return ListRef(join_scopes([level.scope for level in subject.levels]), region, subject.under_construction)
