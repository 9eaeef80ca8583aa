"""The role of every figure of a sentence, and the list and place it belongs to.

A number becomes a fact only when its role is *realised*: a figure of the list itself. The other
roles say why it is not one: ``planned`` (计划开工 N 项), ``negated`` (未开工), ``part`` (a stage,
sector, size band or group of places of the list), ``other`` (another programme, money that is
not the list's, a named project), ``ceremony`` (集中开工 totals), ``event`` (a fair's signings),
``target`` (力争 / 下一步 / a later year), ``per_day``, ``unassigned`` (分别 over a number of
values nothing before it matches). Growth (同比) and shares of other targets never reach a role:
their numbers do not follow a metric's wording directly.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from keyproj.extract.parts import names_a_part
from keyproj.extract.regions import find_places_and_towns, place
from keyproj.extract.sentence import (
    _STRIP,
    Figure,
    Subject,
    any_metric,
    clause_end,
    clause_start,
    metric_patterns,
    patterns,
)
from keyproj.extract.state import DocState, ListRef, join_scopes
from keyproj.extract.values import Value, count_value, parse_values

# "总投资10亿元以上的项目" (a size band), "总投资230亿元的小镇" (one project), "50亿—100亿元" (a range)
_AFTER_AMOUNT_NOT_FIGURE = re.compile(r"(?:以上|以下|及以上)?的?(?:重点)?(?:项目|工程)|的(?!比例|比重|[\d.]+\s*%)|\s*[—\-~～至到]")
# "占年度计划投资465.3亿元的88.7%": the plan inside the rate's phrase, then the rate
_RATE_OF_PLAN = re.compile(r"的\s*(?P<num>[\d.]+)\s*%")
_IMPLICIT_TOTAL = re.compile(r"[,，]?[^\d,，。;；、完计投]{0,4}?(?=近|约|超过|超|逾|突破|\d|万亿)")


_RESPECTIVELY_IS = re.compile(r"分别(?:为|是|达到?)")


@dataclass(slots=True)
class Claim:
    """A realised figure with the list it belongs to (a region of None is the list's or the reporter's)."""

    metric: str
    value: Value
    ref: ListRef
    position: int


def find_figures(sentence: str, subjects: list[Subject], worded: list[Figure] | None = None) -> list[Figure]:
    """Every figure of a sentence: wordings with values, stage counts, list and signed counts
    (``worded``: the sentence's :func:`worded_figures`, when already found)."""
    figures = worded_figures(sentence) if worded is None else list(worded)
    for index, subject in enumerate(subjects):
        if subject.kind == "plain" and subject.count is not None and index and _listed_group(sentence, subjects[index - 1], subject):
            # "列入自治区重点项目的我旗项目共19个": the reporter's projects on that list are its count
            figures.append(Figure("projects", subject.count_start, subject.end, [subject.count], subject=subjects[index - 1]))
            continue
        if subject.count is None or subject.kind not in ("list", "signed", "under_construction"):
            continue
        metric = "signed_projects" if subject.kind == "signed" else {
            "started": "started_projects", "finished": "finished_projects"}.get(subject.stage, "projects")
        if subject.stage:
            # "已开工建设重点项目3114个": the stage count read without a subject is this list's one
            figures = [f for f in figures if not (f.metric == metric and f.subject is None
                                                  and f.start < subject.end and subject.count_start < f.end)]
        figures.append(Figure(metric, subject.count_start, subject.end, subject.counts or [subject.count],
                              len(subject.counts) > 1, subject=subject))
        if subject.kind == "list" and not subject.stage:
            figures.extend(_implicit_total(sentence, subject, figures))
    figures.sort(key=lambda f: f.start)
    _plan_make_up(sentence, subjects, figures)
    return figures


def _listed_group(sentence: str, listed: Subject, group: Subject) -> bool:
    """Whether a plain group with a count follows a 列入 X 重点项目 phrase right after its 的."""
    return listed.kind == "list" and listed.membership and listed.count is None and \
        sentence[listed.end:group.start].strip() in ("的", "")


_SEMICOLON = re.compile(r"[;；]")


def _plan_make_up(sentence: str, subjects: list[Subject], figures: list[Figure]) -> None:
    """"安排重点项目168个…其中新开工项目60个": after a list announced with its count (安排 / 确定), the
    stage counts after 其中 are the plan's make-up, not realised starts; so are they after a counted
    续建 part given with its plan ("其中，续建项目78个，总投资…；新开工项目122个": the list's make-up,
    announced before; not "续建项目46项全部复工，新开工项目52项")."""
    p = patterns()
    announced = [s.end for s in subjects if s.kind == "list" and s.count is not None and not s.stage
                 and p["planned"].search(sentence, clause_start(sentence, s.start), s.start)]
    announced += [s.start for s in subjects if s.kind == "part" and s.count is not None
                  and "续建" in sentence[s.start:s.end] and "其中" in sentence[:s.start]
                  and any(f.metric in ("total_investment", "annual_plan") and s.end <= f.start
                          and not _SEMICOLON.search(sentence, s.end, f.start) for f in figures)]
    if not announced:
        return
    for figure in figures:
        if figure.metric in ("started_projects", "finished_projects") and figure.role == "realised" \
                and figure.subject is None and not sentence.startswith(("已", "实际"), figure.start) \
                and "其中" in sentence[:figure.start] and min(announced) < figure.start:
            figure.role = "planned"


def worded_figures(sentence: str) -> list[Figure]:
    """The figures that need no subject: metric wordings with their values, and stage counts.
    Without these, only a counted list or group can give a sentence a figure."""
    p = patterns()
    candidates = []
    first = any_metric().search(sentence)
    for _, metric, sign, kind, pattern in metric_patterns() if first else ():
        # Overlapping matches too: "共完成投资152.3亿元" is read as 完成投资 when 共完成 has no value after it.
        match = pattern.search(sentence, first.start())  # none of them matches before
        while match:
            candidates.append((match.start(), -(match.end() - match.start()), match.end(), metric, sign, kind))
            match = pattern.search(sentence, match.start() + 1)
    candidates.sort()
    figures: list[Figure] = []
    taken_until = -1
    for index, (start, _, end, metric, sign, kind) in enumerate(candidates):
        if start < taken_until:
            continue
        respectively = p["respectively"].search(sentence, max(0, start - 4), start) is not None
        values, stop, enumerated = parse_values(sentence, end, kind, respectively)
        if not values:
            # "完成投资位居全市前三，分别为68.2亿元、…": the values after 分别为 are the last wording's
            later = next((c[0] for c in candidates[index + 1:] if c[0] >= end), len(sentence))
            after = _RESPECTIVELY_IS.search(sentence, end, later)
            if after is None:
                paired = _place_value_pairs(sentence, metric, end, later, kind)
                if paired is not None:
                    figures.append(paired)
                    taken_until = paired.end
                continue
            values, stop, enumerated = parse_values(sentence, after.start(), kind, True)
            if len(values) < 2:
                continue
        if kind == "amount" and _AFTER_AMOUNT_NOT_FIGURE.match(sentence, stop):
            continue  # "总投资10亿元以上的项目", "总投资230亿元的小镇": a size band or one project
        if sign < 0:
            values = [Value(-v.value, v.qualifier) for v in values]
        figure = Figure(metric, start, stop, values, enumerated or len(values) > 1)
        if p["per_day"].search(sentence, max(0, start - 5), start):
            figure.role = "per_day"
        elif p["comparison"].search(sentence, clause_start(sentence, start), start) or \
                p["lifetime"].search(sentence, clause_start(sentence, start), start):
            figure.role = "other"  # 较去年同期多完成投资 (a difference), 开工以来累计完成投资 (a lifetime's)
        elif values[0].qualifier in ("over", "under") and "均" in p["fillers"].match(sentence, end).group(0):
            figure.role = "threshold"  # "投资完成率均超过85%": a bound every member passes, not a figure
        figures.append(figure)
        taken_until = stop
    figures.extend(_rates_of_plans(sentence, figures))
    figures.extend(_respectively_again(sentence, figures))
    figures.extend(_stage_counts(sentence, [(f.start, f.end) for f in figures]))
    return figures


def _respectively_again(sentence: str, figures: list[Figure]) -> list[Figure]:
    """"A县、B县完成年度计划分别为88.6%、86.1%；C县、D县分别为72.4%、70.9%": a later 分别为 without a
    wording of its own has the metric of the 分别 figure before it, in the same sentence."""
    found: list[Figure] = []
    for match in _RESPECTIVELY_IS.finditer(sentence):
        if any(f.start <= match.start() < f.end for f in figures):
            continue
        before = [f for f in figures if f.end <= match.start() and f.enumerated and len(f.values) > 1]
        if not before:
            continue
        kind = next(k for _, metric, _, k, _ in metric_patterns() if metric == before[-1].metric)
        values, stop, _ = parse_values(sentence, match.end(), kind, True)
        if len(values) > 1:
            found.append(Figure(before[-1].metric, match.start(), stop, values, True))
    return found


def _rates_of_plans(sentence: str, figures: list[Figure]) -> list[Figure]:
    """"完成年度计划投资65.2亿元的56.4%": a plan stated inside a rate's phrase (after 占 / 完成,
    before 的 and a percentage) gives the rate as well."""
    found = []
    for figure in figures:
        if figure.metric != "annual_plan" or len(figure.values) != 1 or \
                not sentence[max(0, figure.start - 2):figure.start].endswith(("占", "完成")):
            continue
        rate = _RATE_OF_PLAN.match(sentence, figure.end)
        if rate:
            found.append(Figure("completion_rate", figure.start, rate.end(), [Value(float(rate.group("num")), "")]))
    return found


_PAIR_SEPARATOR = re.compile(r"[、,，;；和及]?")


def _place_value_pairs(sentence: str, metric: str, end: int, later: int, kind: str) -> Figure | None:
    """"完成投资排名前三位的依次是拉萨市98.6亿元、日喀则市54.2亿元、昌都市47.9亿元": places each
    followed by its value, after a wording without one: a figure whose subject is the places."""
    places, values, stop = [], [], -1
    for start, place_end, surface, town in find_places_and_towns(sentence[end:later]):
        start, place_end = start + end, place_end + end
        if stop >= 0 and _PAIR_SEPARATOR.fullmatch(sentence, stop, start) is None:
            break
        found = surface if town else getattr(place(surface, ()), "name", None)
        bracket = sentence.startswith(("(", "（"), place_end)  # 六祖镇(78.6%)、天堂镇(71.2%)
        parsed, after, _ = parse_values(sentence, place_end + bracket, kind, False)
        if found is None or len(parsed) != 1 or bracket and not sentence.startswith((")", "）"), after):
            break
        places.append(found)
        values.append(parsed[0])
        stop = after + bracket
    if len(places) < 2:
        return None
    subject = Subject("places", end, end, places=places)
    return Figure(metric, end, stop, values, True, subject=subject)


def _implicit_total(sentence: str, subject: Subject, figures: list[Figure]) -> list[Figure]:
    """"635个…市重点项目,正以超万亿元的气势": an amount right after a counted list is its total."""
    match = _IMPLICIT_TOTAL.match(sentence, subject.end)
    if not match or any(f.start <= match.end() < f.end or f.start == match.end() for f in figures):
        return []
    values, stop, _ = parse_values(sentence, match.end(), "amount", False)
    if not values or _AFTER_AMOUNT_NOT_FIGURE.match(sentence, stop) and not sentence.startswith("的气势", stop):
        return []
    return [Figure("total_investment", match.end(), stop, values[:1])]


def _stage_counts(sentence: str, taken: list[tuple[int, int]]) -> list[Figure]:
    """已开工78个 / 新开工项目58个 / 12个项目建成投产, with planned, negated and partial ones marked."""
    p = patterns()
    if not p["stage_word"].search(sentence):
        return []
    found: dict[int, Figure] = {}
    for name in ("stage_before", "count_stage"):
        for match in p[name].finditer(sentence):
            number = match.start("num")
            if number in found or any(s <= number < e for s, e in taken):
                continue
            verb = match.start("started") if match.group("started") else match.start("finished")
            metric = "started_projects" if match.group("started") else "finished_projects"
            figure = Figure(metric, match.start(), match.end(), [count_value(match)])
            lead = sentence[max(clause_start(sentence, verb), verb - 8):verb]
            lead = re.split(r"项目|中|里", lead)[-1]  # 计划新开工项目中已开工: the plan is the group's
            if name == "count_stage":
                lead = sentence[match.end("num"):verb]
            if p["negated"].search(sentence, max(0, verb - 2), verb):
                figure.role = "negated"
            elif p["planned"].search(lead) and "全部" not in lead:  # 计划新开工项目已全部开工: realised
                figure.role = "planned"
            elif sentence[max(0, verb - 2):verb] in ("部分", "主体"):
                figure.role = "part"
            elif p["per_day"].search(sentence, max(clause_start(sentence, verb), verb - 5), verb):
                figure.role = "per_day"  # "本周新开工项目2个": a week's count, no period's
            elif p["comparison"].search(sentence, clause_start(sentence, verb), verb + 1):
                figure.role = "other"  # "比上年多开工23个": a difference, not a count of the period
            found[number] = figure
    return list(found.values())


def sentence_roles(sentence: str, figures: list[Figure], published_year: int | None) -> None:
    """Roles that come from the sentence's cues: ceremonies, events, breakdowns, targets."""
    p = patterns()
    marks = {name: [m.start() for m in p[name].finditer(sentence)]
             for name in ("ceremony", "event", "breakdown_parts", "target")}
    next_step = p["next_step"].search(sentence, 0, 8) is not None
    for figure in figures:
        if figure.role != "realised":
            continue
        if next_step:
            figure.role = "target"
        elif any(m < figure.start for m in marks["ceremony"]):
            figure.role = "ceremony"
        elif any(m < figure.start for m in marks["event"]):
            figure.role = "event"
        elif any(m < figure.start for m in marks["breakdown_parts"]) and not (
                figure.subject is not None and figure.subject.kind == "list"):
            figure.role = "part"
        elif any(_part_start(sentence, figure.start) <= m < clause_end(sentence, figure.start)
                 for m in marks["target"]):
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
        if subject.kind == "plain" and subject.count is None:
            continue
        if subject.kind == "part" and clause_start(sentence, subject.end) != clause_start(sentence, figure.start):
            if subject.stage and subject.count is not None and "已" in sentence[subject.start:subject.end]:
                continue  # "已开工项目213个，…累计完成投资178.3亿": the list's count of a stage, no subject
            return _whole_of_exhaustive_parts(subjects, subject) or subject
        return subject
    return None


def _closed_bracket_holds(sentence: str, position: int, later: int) -> bool:
    """Whether ``position`` is inside brackets that close before ``later``."""
    opening = max(sentence.rfind("(", 0, position), sentence.rfind("（", 0, position))
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
        if subject.kind == "plain":
            base = in_sentence[-1] if in_sentence else state.current or state.overall()
            known = state.counts.get(base)
            return base if subject.count is None or known is None or known == subject.count.value else None
        if subject.kind == "under_construction":
            base = in_sentence[-1] if in_sentence else state.current or state.overall()
            return ListRef(base.scope, base.region, True)
        return None

    for figure in figures:
        subject = _subject_of(figure, subjects, sentence)
        if figure.role != "realised":
            continue
        if names_a_part(sentence, figure, subject) or _names_another_quantity(sentence, figure, subject):
            continue
        if subject is not None and subject.kind == "list" and (subject.part or subject.places and not
                                                               figure.enumerated or subject.stage and figure.subject is not subject):
            continue  # a part of the list, a sum over several places, or the group of its started / finished projects
        if subject is not None and subject.kind in ("part", "other") or \
                subject is None and figure.enumerated and len(figure.values) > 1:
            continue  # a part's, or 分别 values (17.6、14.9个百分点) over names that are no places known here
        if subject is not None and subject.kind == "signed":
            claims.extend(_signed_claims(sentence, figure, subject, subjects, state))
            continue
        if figure.metric in ("signed_projects", "signed_investment"):
            continue
        if subject is not None and subject.kind == "places":
            _spread(claims, figure, _places_refs(subject, subjects, in_sentence, state, breakdown_places))
            continue
        if subject is not None:
            ref = ref_of(subject)
            if ref is None:
                continue
            years = _enumerated_years(sentence, figure) if figure.enumerated else []
            if years:  # "2019年、2020年、2021年…分别完成投资31.6亿元、38.2亿元、45.3亿元": one value a year
                claims.extend(Claim(figure.metric, value, ref, end) for value, end in zip(figure.values, years))
                continue
            if subject.kind == "list" and figure.enumerated and len(figure.values) > 1:
                targets = _enumeration(subject, subjects, figure, state, breakdown_places)
                if targets:
                    _spread(claims, figure, targets)
                continue
            if subject.kind == "list" and ref not in in_sentence:
                in_sentence.append(ref)
        else:
            ref = state.current if state.current is not None else state.overall()
        claims.append(Claim(figure.metric, figure.values[0], ref, figure.start))
    return claims


def _places_refs(places: Subject, subjects: list[Subject], in_sentence: list[ListRef], state: DocState,
                 breakdown_places: bool) -> list[ListRef]:
    """Each place's list: the sentence's list of figures so far, else one named before the places
    (县级重点项目中，砀山县、萧县分别…), else the paragraph's."""
    named = [s for s in subjects if s.kind == "list" and not s.bare and not s.part and not s.levels[0].place
             and s.end <= places.start]
    base = in_sentence[-1] if in_sentence else list_ref(named[-1], state, breakdown_places) if named \
        else state.in_paragraph(state.paragraph)
    return [ListRef(base.scope, place, base.under_construction) for place in places.places]


def _signed_claims(sentence: str, figure: Figure, subject: Subject, subjects: list[Subject],
                   state: DocState) -> list[Claim]:
    """A signed group's count and investment, at the reporter's level; none when the group is an
    item of another programme named right before it ("三个一批"项目，全年签约项目112个、…)."""
    if any(other.kind == "other" and other.end <= subject.start
           and not _STRIP.sub("", sentence[other.end:subject.start]) for other in subjects):
        return []
    metric = {"total_investment": "signed_investment", "signed_investment": "signed_investment",
              "signed_projects": "signed_projects"}.get(figure.metric)
    return [Claim(metric, figure.values[0], ListRef(state.level, None, signed=True), figure.start)] if metric else []


_YEAR_RUN = re.compile(r"(?:19|20)\d{2}年?(?:\s*(?:、|和|及|与)\s*(?:19|20)\d{2}年?)+")
_YEAR = re.compile(r"(?:19|20)\d{2}年?")


def _enumerated_years(sentence: str, figure: Figure) -> list[int]:
    """Where each year of a run of as many years as the figure has values (2019年、2020年、2021年)
    ends, when such a run stands before the figure in its sentence; else []."""
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


def _enumeration(subject: Subject, subjects: list[Subject], figure: Figure, state: DocState,
                 breakdown_places: bool) -> list[ListRef]:
    """The lists 分别 spreads over: the levels of one phrase (省、市、县三级), or the last k lists."""
    k = len(figure.values)
    if len(subject.places) == k:  # places before the list noun; its level word (or the breakdown's list) the scope
        base = (state.current or state.overall()) if breakdown_places or subject.bare else list_ref(
            subject, state, breakdown_places)
        return [ListRef(base.scope, place, subject.under_construction) for place in subject.places]
    if len(subject.levels) == k:
        return [_level_ref(level, subject, state, breakdown_places) for level in subject.levels]
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
