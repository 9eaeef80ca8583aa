"""The figures of a sentence: a metric's wording with its value or values (完成投资113亿元、153亿元),
counts of started and finished projects (已开工78个), list counts, and which of them are plans,
parts or other quantities by their own words (keyproj.extract.roles decides whose the rest are).
"""
from __future__ import annotations

import functools
import re

from keyproj.extract.regions import find_places_and_towns, place
from keyproj.extract.sentence import (
    LISTED_OF,
    Figure,
    Subject,
    any_metric,
    clause_end,
    clause_start,
    metric_patterns,
    patterns,
)
from keyproj.extract.values import Value, count_value, parse_values
from keyproj.lexicon import alternation, words

# "总投资10亿元以上的项目" (a size band), "总投资230亿元的小镇" (one project), "50亿—100亿元" (a range)
_AFTER_AMOUNT_NOT_FIGURE = re.compile(r"(?:以上|以下|及以上)?的?(?:重点)?(?:项目|工程)|的(?!比例|比重|[\d.]+\s*%)|\s*[—\-~～至到]")
# "占年度计划投资465.3亿元的88.7%": the plan inside the rate's phrase, then the rate
_RATE_OF_PLAN = re.compile(r"的\s*(?P<num>[\d.]+)\s*%")
_IMPLICIT_TOTAL = re.compile(r"[,，]?[^\d,，。;；、完计投]{0,4}?(?=近|约|超过|超|逾|突破|\d|万亿)")


_RESPECTIVELY_IS = re.compile(r"分别(?:为|是|达到?)")


def find_figures(sentence: str, subjects: list[Subject], worded: list[Figure] | None = None) -> list[Figure]:
    """Every figure of a sentence: wordings with values, stage counts, list and signed counts
    (``worded``: the sentence's :func:`worded_figures`, when already found)."""
    figures = worded_figures(sentence) if worded is None else list(worded)
    for index, subject in enumerate(subjects):
        if subject.kind == "plain" and subject.count is not None and index and _listed_group(sentence, subjects[index - 1], subject):
            # "列入自治区重点项目的我旗项目共19个": the reporter's projects on that list are its count
            subject.membership = True  # (its figures are that list's, whatever count the list had before)
            figures.append(Figure("projects", subject.count_start, subject.end, [subject.count], subject=subjects[index - 1]))
            continue
        if subject.count is not None and subject.kind == "places":  # 宁江区11个项目 (sentence._places_counted)
            figures.append(Figure("projects", subject.count_start, subject.end, [subject.count], subject=subject))
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
        LISTED_OF.fullmatch(sentence[listed.end:group.start].strip()) is not None


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
                if paired is None:  # 坞城街道(92.3%)、龙城街道(88.7%)完成率居前三位: the pairs before it
                    before = _place_value_pairs(sentence, metric, clause_start(sentence, start), start, kind)
                    paired = before if before is not None and _pairs_then_wording().fullmatch(sentence, before.end, start) \
                        else None
                while paired is not None:  # "…前三位的是A(x%)、B(y%)；后三位的是C(z%)、D(w%)": the same wording's
                    figures.append(paired)
                    taken_until = paired.end
                    again = _RANKED_AGAIN.match(sentence, paired.end)
                    paired = _place_value_pairs(sentence, metric, again.end(), later, kind) if again else None
                continue
            values, stop, enumerated = parse_values(sentence, after.start(), kind, True)
            if len(values) < 2:
                continue
        if kind == "amount" and _AFTER_AMOUNT_NOT_FIGURE.match(sentence, stop):
            continue  # "总投资10亿元以上的项目", "总投资230亿元的小镇": a size band or one project
        values, stop = _corrected(sentence, values, stop, kind)
        if sign < 0:
            values = [Value(-v.value, v.qualifier) for v in values]
        figure = Figure(metric, start, stop, values, enumerated or len(values) > 1)
        if _per_day(sentence, max(clause_start(sentence, start), start - 5), start):  # (not 登上本期红榜，完成率…)
            figure.role = "per_day"
        elif _compared(sentence, start) or p["lifetime"].search(sentence, clause_start(sentence, start), start):
            figure.role = "other"  # 较去年同期多完成投资 (a difference), 开工以来累计完成投资 (a lifetime's)
        elif values[0].qualifier in ("over", "under") and "均" in p["fillers"].match(sentence, end).group(0):
            figure.role = "shared"  # "投资完成率均超过85%": a bound every member passes: each named place's figure
        figures.append(figure)
        taken_until = stop
    figures.extend(_rates_of_plans(sentence, figures))
    figures.extend(_respectively_again(sentence, figures))
    figures.extend(_pairs_following(sentence, figures))
    figures.extend(_stage_counts(sentence, [(f.start, f.end) for f in figures]))
    return figures


def _respectively_again(sentence: str, figures: list[Figure]) -> list[Figure]:
    """"A县、B县完成年度计划分别为88.6%、86.1%；C县、D县分别为72.4%、70.9%": a later 分别为 without a
    wording of its own has the metric of the 分别 figure before it, in the same sentence; after the
    words for a number of projects (数量, 个数), counts are the lists' counts."""
    found: list[Figure] = []
    for match in _RESPECTIVELY_IS.finditer(sentence):
        if any(f.start <= match.start() < f.end for f in figures):
            continue
        before = [f for f in figures if f.end <= match.start() and f.enumerated and len(f.values) > 1]
        if before:
            metric = before[-1].metric
            kind = next(k for _, name, _, k, _ in metric_patterns() if name == metric)
        elif _NUMBER_OF.search(sentence, 0, match.start()):  # 省重点项目数量居前三位的是A、B和C，分别为338个、…
            metric, kind = "projects", "count"
        else:
            continue
        values, stop, _ = parse_values(sentence, match.end(), kind, True)
        if len(values) > 1:
            found.append(Figure(metric, match.start(), stop, values, True))
    for match in _ONE_MORE_PLACE.finditer(sentence):  # "…分别为72.6%、68.4%；西烟镇仅为31.5%": the same wording's
        before = [f for f in figures if f.end <= match.start() and f.enumerated and len(f.values) > 1]
        if before and not any(f.start <= match.end() < f.end for f in figures + found):
            kind = next(k for _, name, _, k, _ in metric_patterns() if name == before[-1].metric)
            values, stop, _ = parse_values(sentence, match.end(), kind, False)
            if len(values) == 1:
                found.append(Figure(before[-1].metric, match.end(), stop, values))
    return found


_ONE_MORE_PLACE = re.compile(r"[;；]\s*[\u4e00-\u9fff]{2,8}?(?:县|区|市|镇|乡|街道|旗)(?:仅为|仅|只有|为|达到?)")


# a group of lagging or unstarted projects (not the list: 500个省级重点项目中已开工450个)
_DIGITS = "\\d一二两三四五六七八九十百"  # a count in digits or in Chinese numerals (七十三个)
_OF_A_GROUP = re.compile(rf"[{_DIGITS}]+个[^,，。;；{_DIGITS}]{{0,6}}(?:未开工|未开|滞后|停工|缓建|落后|问题)"
                         rf"[^,，。;；{_DIGITS}]{{0,4}}项目(?:中|里|当中)")
_GROUP_THEN_COUNT = re.compile(rf"(?:重点)?(?:项目|工程)(?:中|里)?(?:已经|已|均已)?[^{_DIGITS},，。;；]{{0,4}}[{_DIGITS}]")
_NEGATED_AFTER = re.compile(r"(?:重点)?(?:项目|工程)?(?:仍|还)?(?:未|尚未|未能|仍未|没有)")
_NUMBER_OF = re.compile(r"项目(?:个)?数|(?:项目)?数量|个数")


# a speaker correcting the figure just given: 一百一十二亿多一点，准确地说是112.4亿元
_CORRECTION = re.compile(r"[^\d。;；]{0,6}?[,，]\s*(?:不对[,，]\s*)?(?:准确地说|准确来说|确切地说|确切来说|精确地说|准确数字|确切数字|准确的数字)"
                         r"(?:应该)?(?:是|为)?[:：]?\s*")


def _corrected(sentence: str, values: list[Value], stop: int, kind: str) -> tuple[list[Value], int]:
    """The values and their end, the speaker's correction right after them taking their place."""
    correction = _CORRECTION.match(sentence, stop)
    if correction is None:
        return values, stop
    again, after, _ = parse_values(sentence, correction.end(), kind, False)
    return (again, after) if len(again) == len(values) else (values, stop)


_MARKS = re.compile(r"[■□●○◆◇▲△★☆·•▶►\s]*")  # bullets before a line's first word (not 【本期导读】)


def _per_day(sentence: str, start: int, end: int) -> bool:
    """A per-day or weekly word (日均, 本周) just before a figure (in ``sentence[start:end]``), or opening
    the sentence or the part of it the figure is in (本周全市重点项目新增完成投资…；本周完成投资1.47亿元，
    新开工项目2个: the week's figures)."""
    per_day = patterns()["per_day"]
    part = max(sentence.rfind(";", 0, end), sentence.rfind("；", 0, end)) + 1
    opening = _MARKS.match(sentence).end()  # ■本周(8月8日—8月12日):
    return per_day.search(sentence, start, end) is not None or per_day.match(sentence, opening) is not None \
        or per_day.match(sentence, part) is not None


def _rates_of_plans(sentence: str, figures: list[Figure]) -> list[Figure]:
    """"完成年度计划投资65.2亿元的56.4%": a plan stated inside a rate's phrase (after 占 / 完成 / 为,
    before 的 and a percentage) gives the rate as well."""
    found = []
    for figure in figures:
        if figure.metric != "annual_plan" or len(figure.values) != 1 or \
                not sentence[max(0, figure.start - 2):figure.start].endswith(("占", "完成", "为", "是")):
            continue
        rate = _RATE_OF_PLAN.match(sentence, figure.end)
        if rate:
            found.append(Figure("completion_rate", figure.start, rate.end(), [Value(float(rate.group("num")), "")]))
    return found


# between places with bracketed values and the wording they are of (…南台镇(96.4%)重点项目投资完成率居前三位)
@functools.cache
def _pairs_then_wording() -> re.Pattern[str]:
    """What may stand between places with their values in brackets and the wording they share
    (坞城街道(92.3%)、龙城街道(88.7%)县级重点项目完成率居前): a count of places, a level, the list noun."""
    return re.compile(r"[、,， ]*(?:[\d一二三四五六七八九十]+个(?:乡镇|镇街|镇|街道|县区|县市区|区县))?"
                      rf"的?(?:{patterns()['levels'].pattern})?(?:重点项目|重点工程)?(?:投资)?")
_RANKED_AGAIN = re.compile(r"\s*[;；,，]\s*[^\d;；。,，]{0,10}?(?:的是|依次是|依次为|分别是|为[:：]|是[:：])")
_PAIR_SEPARATOR = re.compile(r"[、,，;；和及]?")


@functools.cache
def _rank_line() -> re.Pattern[str]:
    return re.compile(rf"(?:^|(?<=[:：;；。\n]))\s*(?:{alternation(words('wordings', 'rankings', 'lines'))})[:：]")


_RANK_LEAD = re.compile(r"(?:排名|排序|排位|名次)[^。\n]{0,12}[:：]\s*$")
_LEAD_LINES = 3


def ranked_line(text: str, start: int, sentence: str) -> list[Figure]:
    """"前三名：潜山经济开发区（96.8%）、梅城镇（92.5%）" under a lead line that names the ranked metric and
    ends with a colon (按照重点项目投资完成率…进行排名：): the places' figures of that metric."""
    rank = _rank_line().search(sentence)
    if rank is None:
        return []
    end = start + rank.start()  # (a lead joined to its first ranking line: the words before it first)
    for _ in range(_LEAD_LINES):
        line_start = max(text.rfind("\n", 0, max(0, end - 1)) + 1, start if end > start else 0)
        line = text[line_start:end].strip()
        if _RANK_LEAD.search(line):
            named = [(m.start(), metric, kind) for _, metric, _, kind, pattern in metric_patterns()
                     if (m := pattern.search(line)) and kind == "percent"]
            if not named:
                return []
            metric, kind = min(named)[1:]
            paired = _place_value_pairs(sentence, metric, rank.end(), len(sentence), kind)
            return [paired] if paired is not None else []
        end = line_start
    return []


_NEXT_CLAUSE = re.compile(r"[^,，;；。]*[,，;；]\s*")


def _pairs_following(sentence: str, figures: list[Figure]) -> list[Figure]:
    """"大河坎镇、梁山镇完成率均超过120%，协税镇（97.4%）、新集镇（93.8%）紧随其后": places with their rates
    in brackets in the clause after a rate's figure, with no wording of their own, are that rate's."""
    found: list[Figure] = []
    for figure in figures:
        if figure.metric != "completion_rate":
            continue
        after = _NEXT_CLAUSE.match(sentence, figure.end)
        if after is None:
            continue
        start, end = after.end(), clause_end(sentence, after.end())
        if any(start <= other.start < end for other in figures):
            continue
        paired = _place_value_pairs(sentence, figure.metric, start, end, "percent") \
            or _places_respectively(sentence, figure.metric, start)
        if paired is not None and sentence.startswith(paired.subject.places[0], start):  # (the clause opens with them)
            found.append(paired)
    return found


_RESPECTIVELY_VALUES = re.compile(r"分别(?:为|是|达到|达)")


def _places_respectively(sentence: str, metric: str, start: int) -> Figure | None:
    """"…完成率最高，为63.5%；紫水街道、弦山街道分别为58.2%、56.7%": a run of places opening the clause, then
    分别为 and as many rates: that rate's figures of the places."""
    places = []
    position = start
    for begin, end, surface, town in find_places_and_towns(sentence[start:clause_end(sentence, start)]):
        if sentence[position:start + begin].strip("、和及与 "):
            break
        found = _place_name(surface, town)
        if found is None:
            break
        places.append(found)
        position = start + end
    respectively = _RESPECTIVELY_VALUES.match(sentence, position)
    if len(places) < 2 or respectively is None:
        return None
    values, stop, _ = parse_values(sentence, respectively.end(), "percent", True)
    if len(values) != len(places):
        return None
    return Figure(metric, start, stop, values, True, subject=Subject("places", start, start, places=places))


def _place_name(surface: str, town: bool) -> str | None:
    """A place's name as a region: a town as written, a division by the gazetteer (None: unknown)."""
    return surface if town else getattr(place(surface, ()), "name", None)


def _place_value_pairs(sentence: str, metric: str, end: int, later: int, kind: str) -> Figure | None:
    """"完成投资排名前三位的依次是拉萨市98.6亿元、日喀则市54.2亿元、昌都市47.9亿元": places each
    followed by its value, after a wording without one: a figure whose subject is the places."""
    places, values, stop = [], [], -1
    for start, place_end, surface, town in find_places_and_towns(sentence[end:later]):
        start, place_end = start + end, place_end + end
        if stop >= 0 and _PAIR_SEPARATOR.fullmatch(sentence, stop, start) is None:
            break
        found = _place_name(surface, town)
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
            figure.values, figure.end = _corrected(sentence, figure.values, figure.end, "count")
            if name == "stage_before" and "分别" in sentence[max(0, verb - 4):match.start("num")]:
                values, stop, _ = parse_values(sentence, match.start("num"), "count", True)
                if len(values) > 1:  # "咸安区、赤壁市分别新开工14个、12个": one count a place
                    figure.values, figure.end, figure.enumerated = values, stop, True
            lead = sentence[max(clause_start(sentence, verb), verb - 8):verb]
            lead = re.split(r"项目|中|里", lead)[-1]  # 计划新开工项目中已开工: the plan is the group's
            if name == "count_stage":
                lead = sentence[match.end("num"):verb]
            if p["negated"].search(sentence, max(0, verb - 2), verb) or _NEGATED_AFTER.match(sentence, match.end()):
                figure.role = "negated"  # 未开工; 14个新开工项目未能开工
            elif p["planned"].search(lead) and "全部" not in lead:  # 计划新开工项目已全部开工: realised
                figure.role = "planned"
            elif sentence[max(0, verb - 2):verb] in ("部分", "主体") or \
                    _OF_A_GROUP.search(sentence, clause_start(sentence, verb), verb) or \
                    name == "count_stage" and (_GROUP_THEN_COUNT.match(sentence, match.end())
                                               or sentence.endswith("等", 0, match.start())):
                figure.role = "part"  # (9个未开工项目中已有7个开工; 55个新开工项目已开工49个; 某某工程等5个项目建成)
            elif sentence.endswith("各", 0, verb):
                figure.role = "shared"  # "公安县、沙市区各新开工12个": each place's count
            elif _per_day(sentence, max(clause_start(sentence, verb), verb - 5), verb):
                figure.role = "per_day"  # "本周新开工项目2个": a week's count, no period's
            elif _compared(sentence, verb + 1):
                figure.role = "other"  # "比上年多开工23个": a difference, not a count of the period
            found[number] = figure
    return list(found.values())


_COMPARED_BEFORE = re.compile(r"(?:相比|相较|比较)[，,]\s*$")
_DIFFERENCE = re.compile(r"多|少|增加|减少")


def _compared(sentence: str, end: int) -> bool:
    """A difference from another period before ``end``: 较去年同期多完成投资, or a clause 与2017年相比，
    followed by 全县多竣工项目4个."""
    start = clause_start(sentence, end)
    if patterns()["comparison"].search(sentence, start, end):
        return True
    return bool(_COMPARED_BEFORE.search(sentence, max(0, start - 4), start)
                and patterns()["comparison"].search(sentence, clause_start(sentence, start - 1), end)
                and _DIFFERENCE.search(sentence, start, end))
