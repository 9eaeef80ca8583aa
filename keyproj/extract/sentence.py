"""The grammar of one sentence: lists, other groups of projects, places, and figures with their wording.

Everything here is found by patterns compiled from keyproj/lexicon/wordings.yaml; nothing is
decided here about whose figure a number is (keyproj.extract.roles does that). A sentence gives

* *subjects*, left to right: key-project lists (``省市重点项目``, ``列入省重点项目的28项``, with
  their count), other groups of projects (``续建项目``, ``总投资10亿元以上的项目``, ``这批项目``,
  ``签约项目``), money that is not a list's (``到位资金``), and places (``武安市、涉县``);
* *figures*: a metric's wording followed by its value or values (``完成投资113亿元、153亿元``),
  and counts of started and finished projects (``已开工78个``, ``12个项目建成投产``).
"""
from __future__ import annotations

import bisect
import functools
import itertools
import re

from keyproj.extract.grammar import (
    _REPORTER_KIND,
    _STRIP,
    W,
    any_metric,
    metric_patterns,
    patterns,
    qualifier_of,
)
from keyproj.extract.listnames import (
    THAT_PLACE,
    level_scope,
    one_named_after,
    realised_stage,
    stage_after_count,
    that_place,
)
from keyproj.extract.owners import (
    all_counties_lists,
    overall_above,
    owner_of_count,
    places_counted,
    places_to_spread,
    that_place_owns,
    total_of_level_parts,
    towns_before_levels,
)
from keyproj.extract.places import Place
from keyproj.extract.regions import (
    find_places,
    find_places_and_towns,
    government_level,
    place,
    zone_name,
)
from keyproj.extract.subjects import Figure, Level, Subject
from keyproj.extract.values import count_value, parse_values
from keyproj.lexicon import alternation, words

__all__ = ["Figure", "Level", "Subject", "any_metric", "metric_patterns", "patterns", "qualifier_of"]


# ---------------------------------------------------------------- clauses

def _clause_marks(sentence: str) -> list[int]:
    """Where the clause marks of a sentence stand (the last sentence's, kept: its clauses are asked
    for many times over)."""
    if _CLAUSE_MARKS[0] != sentence:
        _CLAUSE_MARKS[:] = [sentence, [m.start() for m in patterns()["clause"].finditer(sentence)]]
    return _CLAUSE_MARKS[1]


_CLAUSE_MARKS: list = [None, []]


def clause_start(sentence: str, pos: int) -> int:
    """Start of the clause holding ``pos`` (after the last comma-like mark before it)."""
    marks = _clause_marks(sentence)
    index = bisect.bisect_left(marks, pos)
    return marks[index - 1] + 1 if index else 0


def clause_end(sentence: str, pos: int) -> int:
    marks = _clause_marks(sentence)
    index = bisect.bisect_left(marks, pos)
    return marks[index] if index < len(marks) else len(sentence)


# ---------------------------------------------------------------- subjects


_GOVERNMENT = ("政府", "人民政府", "委", "人大", "长")


_EVERY_STAGE = re.compile(r"续建(?:和|及|、|与)新(?:建|开工)|新(?:建|开工)(?:和|及|、|与)续建")  # 续建和新建: the whole list
_MORE_THAN_NAMED = re.compile(r"等[\d一二三四五六七八九十两]+个?")
_THREE_LEVELS = re.compile(r"[三四]级$")


_ARRANGED = re.compile(r"(?:今年|年初|全年|\d{4}年)?(?:共|全年)?(?:安排|确定|谋划|下达)")  # 金昌市今年安排市列重点项目80个


def _levels(modifiers: str, state: object) -> list[Level]:
    """The level words and places right before a list noun, as scopes (省、市 -> province, city)."""
    p = patterns()
    tokens: list[tuple[int, int, Level]] = []
    # 级 after a name makes it a list's level (泉州市级): here that is what is looked for
    parent_end, address, last_name = -1, [], ""
    for start, end, surface, town in find_places_and_towns(modifiers.replace("级", "\x00")):
        found = None if town else place(surface, tuple(state.chain))  # (平川镇 is a town, not 平川区)
        if found is None or surface != found.name and modifiers.startswith("级", end):
            continue  # 确定州级重点项目: a short name (定州) before 级 is no place (泉州市级 is)
        if tokens and start == parent_end and found.parent is not None and found.parent.startswith(last_name):
            address.append(tokens.pop()[:2])  # 成都龙泉驿区重点项目: the parent is only the address of the place after it
        # the reporter's and its parents' names say whose projects, not whose list (泉州市重点项目 in a
        # county's report: its projects on the city's list); a parent that arranged its list owns it
        own = found.name in state.chain and not (found.name != state.chain[0] and _ARRANGED.match(modifiers, end))
        tokens.append((start, end, Level(found.level, None if own else found.name)))
        parent_end, last_name = end, found.name
    taken = [(s, e) for s, e, _ in tokens] + address
    position = 0
    while match := p["levels"].search(modifiers, position):
        position = match.start() + 1  # 南城县市级: 县市级 overlaps the place, 市级 follows it
        if any(s < match.end() and match.start() < e for s, e in taken):
            continue
        position = match.end()
        if modifiers.startswith(_GOVERNMENT, match.end()):
            continue  # 市政府年初确定重点项目: who decided the list, not its level
        scope = level_scope(match.group(0), state)
        if scope:
            tokens.append((match.start(), match.end(), Level(scope)))
    if not tokens:  # 全旗三级重点项目: the three levels' lists with no level named before 三级
        return [Level("province+city+county")] if _THREE_LEVELS.search(modifiers) else []
    tokens.sort(key=lambda t: t[0])
    run = [tokens[-1]]
    for token in reversed(tokens[:-1]):
        gap = modifiers[token[1]:run[0][0]]
        if gap.strip("、,，和及与 级:：") == "" and not (gap == "" and token[2].place and run[0][2].place is None
                                                       and sum(1 for t in tokens if t[2].place) == 1):
            # 宁晋县：县级重点项目: a place labelling its line (南城县市级重点项目, one place: its, below)
            run.insert(0, token)
        elif len(run) == 1 and token[2].place and run[0][2].place is None and not _STRIP.sub("", gap):
            # 余江县今年确定县级重点项目 (its own list), 西秀区实施市级以上重点项目 (its projects on the
            # city's list): the place's, at the level the words name
            run[0] = (token[0], run[0][1], Level(run[0][2].scope, token[2].place, True))
            break
        else:
            break
    return [t[2] for t in run]


def _last_count(sentence: str, window: str, window_start: int) -> re.Match[str] | None:
    """The last count in the window before a group's noun that is not a group of places (8个市)."""
    p = patterns()
    count = None
    for candidate in p["count"].finditer(window):
        if not p["place_group"].match(sentence, window_start + candidate.start("num")):
            count = candidate
    return count


_SUCH_AS_LIST = re.compile(r"其中[:：,，]")
_EXCLUDED = re.compile(r"[(（](?:不含|不包括|未含|除)[^()（）]*$")
_LEVEL_TAIL = re.compile(r"(?:省|市|县|区|州|盟)级?$")  # 全省共安排省(重点项目700个): the words before its level
_AS_MEMBER = re.compile(r"(?:作为|属于|系)[^\d,，。;；]{0,4}$")


def _counted_places_word(match: re.Match[str]) -> str:
    """A number of places named by a word of two characters or more (11个设区市省重点: no 区 / 市 level) goes;
    117个市、区两级 stays (市 is a level of the run)."""
    return " " if len(match.group(0)) - len(match.group("num")) >= 3 else match.group(0)


@functools.cache
def _unnamed_zones() -> re.Pattern[str]:
    """Zones named by their kind alone (开发区, 市属开发区, 各园区) before a list noun: no level words."""
    zones = alternation(words(W, "place_groups", "zone"))
    return re.compile(rf"(?:^|(?<=[、,，和及与各]))(?:[省市县区州]属)?(?:{zones})")


def list_subject(sentence: str, match: re.Match[str], window_start: int, state: object) -> Subject:
    """A key-project list phrase: level words, count, 在建, 列入, a stage verb or a part's words."""
    p = patterns()
    window = sentence[window_start:match.start()]
    count = _last_count(sentence, window, window_start)
    modifiers = window[count.end():] if count else window
    stripped = p["place_group"].sub(_counted_places_word, p["overall"].sub(" ", modifiers))
    stripped = _unnamed_zones().sub(" ", stripped)  # 各县区、市属开发区市级: no level in 市属 or 开发区
    without_each = p["each_places"].sub(" ", stripped)
    if p["levels"].search(without_each):
        stripped = without_each  # 各县市区州重点项目: 州's list, reported by place
    named = that_place(sentence[:window_start], modifiers, tuple(state.chain))
    if named:  # the 市 of 该市 is the place's kind, not a level word
        stripped = THAT_PLACE.sub(" ", stripped)
    subject = Subject("list", window_start + count.start() if count else match.start(),
                      match.end(), levels=_levels(stripped, state))
    places_to_spread(subject)
    that_place_owns(subject, named)
    subject.bare = not subject.levels
    if _signed_group().search(modifiers.rstrip()) and not p["size_band"].search(window):
        subject.kind = "signed"  # with a size band (亿元以上签约重点项目) it stays a part of a list
    subject.membership = bool(p["membership"].search(window))
    # (列入全省重点项目的8个嫩江项目: the reporter's projects on the province's list)
    overall_above(subject, window, tuple(state.chain), subject.membership)
    subject.bare = not subject.levels
    if subject.membership:  # 列入甘肃省重点项目: that government's level, the reporter's projects (a zone's too)
        subject.levels = [Level(lv.scope) if lv.place and lv.place not in state.chain else lv for lv in subject.levels]
    # "其中：省重点项目58项…；市重点项目184项…": 其中 governs every part of its enumeration
    # (其中省重点项目14个、市重点项目53个: every part of the run after 其中 in its clause)
    subject.aside = "其中" in sentence[min(max(0, window_start - 3), clause_start(sentence, match.start())):match.start()] \
        or bool(_SUCH_AS_LIST.search(sentence, 0, match.start()))
    subject.under_construction = "在建" in modifiers or "在建" in match.group(0)
    subject.part = _names_a_part(sentence, match, window_start, modifiers, subject, state)
    subject.stage = realised_stage(modifiers)
    if not subject.stage and p["stage_part"].search(modifiers) and not _EVERY_STAGE.search(modifiers):
        subject.part = True
    if count is not None:
        subject.count, subject.count_start = count_value(count), window_start + count.start()
    else:
        _count_after(sentence, match, modifiers, subject)
    owner_of_count(subject, window[:count.start()] if count else _LEVEL_TAIL.sub("", window), state, bool(count))
    if subject.membership and subject.count is None and one_named_after(sentence, subject.end) or \
            subject.count is not None and subject.count.value == 1 or \
            subject.count is None and _AS_MEMBER.search(window):
        subject.part = True  # one project (联系一个市级重点项目; 某高速公路作为省重点项目), not the list
    if subject.count is not None and (p["negated"].match(sentence, subject.end) or p["ceremony"].match(sentence, subject.end)
                                      or p["troubled"].match(sentence, subject.end)):
        subject.part = True  # 仍有8个市级重点项目未开工, 第一批31个重点项目集中开工, 8个重点项目进度滞后: not the list
    elif subject.count is not None and not subject.stage:
        subject.stage = stage_after_count(sentence, subject.end)
    return subject


@functools.cache
def _signed_group() -> re.Pattern[str]:
    """签约项目, 签约落地项目, 签约招商引资项目, 签约重点项目: the signed projects themselves (the
    signed words of the lexicon at the end of the words before 项目)."""
    signed = alternation(words(W, "signed", "signed"))
    return re.compile(rf"(?:{signed})(?:正式合同|合同)?(?:招商引资|招商|引资)?(?:重点)?$")


# what may stand between a list named after 列入 / 纳入 and the reporter's group of projects on it
LISTED_OF = re.compile(r"(?:管理|调度|盘子|笼子|范围|名单|清单|建设计划|计划)?的?")  # 纳入市重点项目管理的我县项目


def _names_a_part(sentence: str, match: re.Match[str], window_start: int, modifiers: str, subject: Subject,
                  state: object) -> bool:
    """Whether a list phrase names a part of a list: another programme, a size band, a ceremony's
    batch, a group of places, planned stages, a sector."""
    p = patterns()
    window = sentence[window_start:match.start()]
    # searched in the sentence, not the window: the guard (?!级|重点) must see the list noun after 186个市
    group = p["place_group"].search(sentence, window_start)
    group = group if group and group.start() < match.start() else None
    return bool(
        p["other_group"].search(window) or p["size_band"].search(window) or p["ceremony"].search(window)
        or p["other_group"].match(sentence, match.end())  # 纳入省重大项目储备库: another programme
        or (group and not p["overall"].search(sentence, window_start, group.start())
            and not all_counties_lists(group, subject, state))
        or p["planned"].search(modifiers) and p["stage_after"].search(modifiers)
        or p["sector_before"].search(modifiers))


def _count_after(sentence: str, match: re.Match[str], modifiers: str, subject: Subject) -> None:
    """A list's count after its noun (县级重点项目方面，今年共安排45个), or its counts after 分别."""
    after = patterns()["count_after"].match(sentence, match.end())
    if not after:
        return
    subject.count, subject.count_start = count_value(after), after.start("num")
    subject.end = after.end()
    # 三级重点项目分别为十二项、二十一项…; 分别实施县级重点项目52个、61个、68个
    if "分别" in sentence[match.end():after.start("num")] or "分别" in modifiers:
        values, end, _ = parse_values(sentence, after.start("qb") if after.group("qb") else
                                      after.start("num"), "count", True)
        if len(values) > 1:
            subject.counts, subject.end = values, end


def group_subject(sentence: str, match: re.Match[str], window_start: int, chain: tuple[str, ...] = ()) -> Subject:
    """Another group of projects (项目 / 工程 / 类 not in a list phrase), classified by its words;
    ``chain``: the reporter and its parents, whose names before 项目 (镇雄县项目) say nothing of the group."""
    p = patterns()
    window = sentence[window_start:match.start()]
    count = _last_count(sentence, window, window_start)
    words_before = window[:count.start()] + " " + window[count.end():] if count else window
    for start, end, surface in reversed(find_places(words_before) if chain else []):
        found = place(surface, chain)
        if found is not None and found.name in chain:
            words_before = words_before[:start] + words_before[end:]
    kind = _REPORTER_KIND.search(chain[0]) if chain else None
    if kind and words_before.rstrip().endswith("的" + kind.group(0)):  # 阿克苏地区: 的地区项目
        words_before = words_before.rstrip()[:-len(kind.group(0))]
    subject = Subject("part", window_start, match.end())
    subject.aside = "另" in window
    if count is not None:
        subject.count, subject.count_start = count_value(count), window_start + count.start()
        if "其中" in words_before:
            subject.kind = "part"  # 其中12个项目完成率不足30%: some of the projects named before
            return subject
    else:
        after = p["count_after"].match(sentence, match.end())
        if after and not sentence.startswith("的", match.end()):
            subject.count, subject.count_start = count_value(after), after.start("num")
            subject.end = after.end()
    if p["signed"].search(words_before) and p["size_band"].search(words_before):
        subject.kind = "part"  # 亿元以上签约项目: a size band of the signed projects
    elif p["signed"].search(words_before) and _signed_group().search(words_before.rstrip()):
        subject.kind = "signed"
    elif p["other_group"].search(words_before) or p["ceremony"].search(words_before):
        subject.kind = "other"
    elif p["size_band"].search(words_before) or p["partial_only"].search(words_before):
        subject.kind = "part"
    elif "在建" in words_before and not _STRIP.sub("", words_before.replace("在建", "")):
        subject.kind = "under_construction"
    elif p["stage_part"].search(words_before) or p["stage_after"].search(words_before):
        subject.kind, subject.stage = "part", "stage"
    else:
        rest = _STRIP.sub("", p["anaphor"].sub("", p["overall"].sub("", words_before[LISTED_OF.match(words_before).end():])))
        if not rest:
            subject.kind = "anaphor" if p["anaphor"].search(words_before) else "plain"
        elif count is not None and p["counted_anaphor"].match(words_before):
            subject.kind = "plain"  # 这86个项目: the list named last, if 86 is its count (resolve checks)
    return subject


def find_subjects(sentence: str, state: object, lists: list[Subject] | None = None) -> list[Subject]:
    """The subjects of a sentence, left to right (see :class:`Subject`); ``lists``: the sentence's
    :func:`list_subjects`, when already found."""
    p = patterns()
    subjects = _list_subjects(sentence, state) if lists is None else list(lists)
    spans = [(s.start, s.end) for s in subjects]
    ends = sorted(e for _, e in spans)
    for match in p["group"].finditer(sentence):
        if any(s <= match.start() < e for s, e in spans):
            continue
        start = max([clause_start(sentence, match.start())] + [e for e in ends if e <= match.start()])
        subject = group_subject(sentence, match, start, tuple(state.chain))
        subjects.append(subject)
        ends.append(subject.end)
        ends.sort()
    for match in p["other_subject"].finditer(sentence):
        subjects.append(Subject("other", match.start(), match.end()))
    for match in p["place_group"].finditer(sentence):  # 另有3个镇完成率不足80%: a group of places, no list's
        if not any(s <= match.start() < e for s, e in spans) and _PLACES_COUNTED.match(sentence, match.end()) \
                and not _names_run_before(sentence, match.start()):
            subjects.append(Subject("part", match.start(), match.end()))
    subjects.extend(_place_subjects(sentence, [(s.start, s.end) for s in subjects if s.kind == "list"], state))
    subjects.sort(key=lambda s: (s.end, s.start))
    for cause in _CAUSE.finditer(sentence):  # 铅厂镇因两个项目用地报批滞后，完成率…: the cause names no subject
        subjects = [s for s in subjects if s.kind == "places" or not cause.start() < s.end <= cause.end()]
    # 横水镇、过埠镇项目推进较快，完成率分别…: the places' projects are the places
    places_ends = {s.end for s in subjects if s.kind == "places" and len(s.places) > 1}  # (某保税区项目: one)
    subjects = [s for s in subjects if not (s.kind in ("part", "plain") and s.count is None
                                            and any(sentence[e:s.end] in ("项目", "的项目") for e in places_ends))]
    _places_own_lists(sentence, subjects, state)
    towns_before_levels(sentence, subjects)
    places_counted(sentence, subjects)
    total_of_level_parts(sentence, subjects)
    for before, subject in itertools.pairwise(subjects):
        if subject.kind == "plain" and before.kind in ("part", "other") and before.end == subject.start \
                and sentence.startswith("的", subject.start):
            subject.kind = before.kind  # 列入省重大产业项目的21个项目: the projects of that part
    return subjects


def _names_run_before(sentence: str, start: int) -> bool:
    """衢州、丽水、舟山三市: the count names the places right before it, not a group of others."""
    before = sentence[max(0, start - 12):start]
    return any(end == len(before) for _, end, _, _ in find_places_and_towns(before))


_CAUSE = re.compile(r"(?<![原起成诱基])(?:因|由于|受)[^，,。；;\d]{0,4}[^，,。；;]{0,26}?[，,]")  # to the clause's end
_PLACES_COUNTED = re.compile(r"[县市区州旗]*(?:[(（][^()（）]{1,6}[)）])?(?:重点项目)?(?:的?(?:完成|投资|开工|新开工|竣工|项目)|均|都|全部)")


def list_subjects(sentence: str, state: object) -> list[Subject]:
    """The list phrases of a sentence (kind ``list``, or ``signed`` when named like one), as
    :func:`find_subjects` gives them (places are looked for only when a list without a level may
    be theirs)."""
    subjects = _list_subjects(sentence, state)
    if any(s.bare for s in subjects):
        places = _place_subjects(sentence, [(s.start, s.end) for s in subjects if s.kind == "list"], state)
        _places_own_lists(sentence, sorted(subjects + places, key=lambda s: (s.end, s.start)), state)
    return subjects


_DIGIT = re.compile(r"[\d一二三四五六七八九十]")
_BRACKET_OPEN = re.compile(r"[(（]")


def _list_subjects(sentence: str, state: object) -> list[Subject]:
    """The list phrases of a sentence (and the signed groups named like one), left to right."""
    subjects: list[Subject] = []
    previous = 0
    p = patterns()
    for match in p["list"].finditer(sentence):
        if _EXCLUDED.search(sentence, max(0, match.start() - 10), match.start()):
            continue  # 县重点建设项目112个（不含省、市重点项目）: lists left out are no subjects
        if subjects and p["included"].fullmatch(sentence, previous, match.start()):
            # "全市重点项目(含省重点项目)": counted in the list before it, whose phrase takes in the brackets
            close = p["bracket_close"].search(sentence, match.end(), match.end() + 12)
            if close and not _DIGIT.search(sentence, match.end(), close.start()):
                subjects[-1].end = previous = close.end()
                continue
            previous = _BRACKET_OPEN.search(sentence, previous).end()  # (含省级重点项目6个、…): lists of their own
        start = max(_label_start(sentence, clause_start(sentence, match.start())), previous)
        subject = list_subject(sentence, match, start, state)
        subjects.append(subject)
        previous = subject.end
    return subjects


def _label_start(sentence: str, start: int) -> int:
    """"宁晋县：县级重点项目42项": a clause that is only a place before a colon labels the list after it."""
    if start < 2 or sentence[start - 1] not in ":：":
        return start
    before = clause_start(sentence, start - 1)
    label = sentence[before:start - 1].strip()
    found = find_places(label)
    return before if len(found) == 1 and found[0][0] == 0 and found[0][1] == len(label) else start


# between two places of a run: separators, and maybe the first one's value in brackets (里洞镇(32.4%)、大江镇)
_RUN_GAP = re.compile(r"(?:[(（][^()（）]{1,12}[)）]|[\d.]+\s*(?:%|亿元|万元|个百分点))?[、,，和及与 ]*")  # 宁城县68.4%、


def _place_subjects(sentence: str, spans: list[tuple[int, int]], state: object) -> list[Subject]:
    """Runs of places named outside the list phrases (``spans``), other than the reporter and its parents."""
    found_runs: list[Subject] = []
    run: Subject | None = None
    for start, end, surface, town in find_places_and_towns(sentence):
        if any(s <= start < e for s, e in spans):
            continue
        found = Place(zone_name(surface), "county", None, "", "") if town else place(surface, tuple(state.chain))
        if found is None or found.name in state.chain:
            continue
        if patterns()["name_tail"].match(sentence, end) or sentence[max(0, start - 1):start] in ("至", "到"):
            continue  # 晋城至阳城高速公路泽州段: places inside a project's name
        if run is not None and _RUN_GAP.fullmatch(sentence, run.end, start):
            run.places.append(found.name)
            run.end = end
            continue
        run = Subject("places", start, end, places=[found.name])
        found_runs.append(run)
    for run in found_runs:  # 百善镇等4个镇完成率不足20%: places before 等N个 name a bigger group, a part of the list
        if _MORE_THAN_NAMED.match(sentence, run.end):
            run.kind = "part"
    return found_runs


def _places_own_lists(sentence: str, subjects: list[Subject], state: object) -> None:
    """"晋江市对214个重点项目": a list named without a level after a place in its clause is that place's."""
    last_places: Subject | None = None
    for subject in subjects:
        if subject.kind == "places":
            last_places = subject
        elif subject.kind == "list" and subject.bare and last_places is not None \
                and len(last_places.places) == 1 \
                and clause_start(sentence, last_places.start) == clause_start(sentence, subject.start):
            name = last_places.places[0]
            subject.levels, subject.bare = [Level(government_level(name), name)], False
