"""One document's facts: its sentences read in order, with the document's state carried between them.

The text is scanned for sentences that may hold a fact (a cheap pre-filter: a key-project or
metric word, then a number with its unit); each is read by the sentence grammar
(keyproj.extract.sentence), its figures get roles (keyproj.extract.roles), and the lists it
names update the document's state (keyproj.extract.state). Tables are read row by row
(keyproj.extract.tables). See docs/FACTS.md for the table this produces.
"""
from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from keyproj.extract import roles, tables
from keyproj.extract.checks import settle_lists
from keyproj.extract.figures import find_figures, ranked_line, worded_figures
from keyproj.extract.periods import (
    ReportPeriod,
    TimeMention,
    find_time_mentions,
    find_year_mentions,
    on_dateline,
    resolve_period,
    spans_years,
)
from keyproj.extract.sentence import Subject, find_subjects, list_subjects, patterns
from keyproj.extract.state import DocState, ListRef, new_state
from keyproj.facts import FACT_COLUMNS, LIST_METRICS, METRIC_UNITS
from keyproj.lexicon import compile_words, load, words

_MAX_SENTENCE = 1000  # characters; longer runs without a full stop are cut after clause marks
_SENTENCE_MARK = re.compile("[。！？!?\n]")
_CONTINUES = tuple(",，、:：(（“")
_UNIT_START = tuple("万亿个项宗元%月")


@dataclass(slots=True)
class Fact:
    """A fact before it becomes a row: its list, period and the sentence it came from."""

    ref: ListRef
    region: str
    year: int | None
    months: tuple[int, int]
    metric: str
    value: float
    qualifier: str
    quote_start: int
    quote_end: int


class TextDocument(Protocol):
    doc_id: str
    meta: dict[str, str]
    text: str


def _trigger_words() -> list[str]:
    """Words without which a sentence holds no fact: list nouns, metric wordings' heads, stage verbs."""
    found = words("wordings", "list_nouns", "key_list") + words("wordings", "signed", "signed")
    found += words("wordings", "anaphors", "same_list") + words("wordings", "rankings", "lines") + ["进度", "完成率"]
    for key in ("started", "finished"):
        found += [w for w in words("wordings", "stages", key) if len(w) >= 2]
    for entry in load("wordings")["metrics"].values():
        found += [w for w in entry["words"] if len(w) >= 2 and not w.startswith("re:")]
    return [w for w in found if len(w) >= 2]


_TRIGGER = compile_words(_trigger_words())
# A sentence without a number and a unit (or a table row) holds no fact.
_FIGURE = re.compile(r"(?=[\d零〇○一二两三四五六七八九十百千])(?:[\d零〇○一二两三四五六七八九十百千万.,]+[多余]?\s*"
                     r"(?:个|项|宗|亿|万|千万|%|百分点)|百分之)|万亿")


class TimeIndex:
    """Time expressions of one document: years everywhere, months paragraph by paragraph on demand."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.years = [m for m in find_year_mentions(text) if not on_dateline(text, m.start)]
        self.year_starts = [m.start for m in self.years]
        self.last_topic_year: list[int] = [-1]
        self.last_explicit: list[int] = [-1]
        for index, mention in enumerate(self.years):
            self.last_topic_year.append(index if mention.topic else self.last_topic_year[-1])
            self.last_explicit.append(index if mention.year else self.last_explicit[-1])
        # where 今年 / 今年以来 first opens a clause (a report of this year so far from there on)
        self.first_this_year = next((m.start for m in self.years if m.this_year or m.year_to_date), len(text))
        self._paragraph_start = -1
        self._scanned_until = 0
        self._paragraph: list[TimeMention] = []

    def carried_year(self, start: int) -> TimeMention | None:
        """The last clause-opening year expression before ``start``."""
        index = self.last_topic_year[bisect.bisect_left(self.year_starts, start)]
        return self.years[index] if index >= 0 else None

    def text_year(self, start: int) -> int | None:
        """The last explicit year (2019年) before ``start``."""
        index = self.last_explicit[bisect.bisect_left(self.year_starts, start)]
        return self.years[index].year if index >= 0 else None

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
                carried = _cumulative_over_month(carried, mention)
        return inside, carried


def _cumulative_over_month(previous: TimeMention | None, mention: TimeMention) -> TimeMention:
    """The period a later sentence carries: "1-8月，…。8月份完成投资…。新开工…" — a single month
    after the running months up to it is an aside about that month alone, the running months carry on."""
    if previous is not None and previous.months is not None and mention.months is not None \
            and mention.months[0] == mention.months[1] > 1 and previous.months == (1, mention.months[1]):
        return previous
    return mention


def sentence_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of every sentence that passes the pre-filter, in order."""
    marks = [m.start() for m in _SENTENCE_MARK.finditer(text)]
    done_until = -1
    for trigger in _TRIGGER.finditer(text):
        if trigger.start() < done_until:
            continue
        start, end = _sentence_around(text, marks, trigger.start())
        done_until = end
        for piece_start, piece_end in _pieces(text, start, end):
            if _FIGURE.search(text, piece_start, piece_end):
                yield piece_start, piece_end


def _sentence_around(text: str, marks: list[int], pos: int) -> tuple[int, int]:
    """The sentence holding ``pos``; a line ending in a comma, or in a number whose unit starts the
    next line ("138600\\n万元"), goes on."""
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
    index = newline - 1
    while index >= 0 and text[index] in " \t\u3000":
        index -= 1
    if index < 0:
        return False
    if text[index] in _CONTINUES:
        return True
    return text[index].isdigit() and text.startswith(_UNIT_START, newline + 1)


def _pieces(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """A sentence, or pieces of a run-on text cut after clause marks (bounded work on hostile input)."""
    while end - start > _MAX_SENTENCE:
        limit = start + _MAX_SENTENCE
        cut = max(text.rfind(mark, start + _MAX_SENTENCE // 2, limit) for mark in ",，;；、")
        cut = cut + 1 if cut >= 0 else limit
        yield start, cut
        start = cut
    yield start, end


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def document_facts(doc_id: str, text: str, meta: dict[str, str],
                   notes: list[str] | None = None) -> list[tuple[Any, ...]]:
    """The fact rows (FACT_COLUMNS order) of one document; the arithmetic check's settlements of
    which list a figure belongs to are appended to ``notes`` when it is given."""
    rows, settled = settle_lists(to_rows(doc_id, text, read_facts(text, meta or {})), FACT_COLUMNS)
    if notes is not None:
        notes.extend(settled)
    return rows


def read_facts(text: str, meta: dict[str, str]) -> list[Fact]:
    """Every fact of a document: sentences and table rows, in the order they stand."""
    state = new_state(meta, text)
    report = ReportPeriod(state.report_year, state.report_months)
    times = TimeIndex(text)
    facts: list[Fact] = []
    pending = tables.find_tables(text)  # read in turn with the sentences, where they stand
    for start, end in sentence_spans(text):
        while pending and pending[0].start <= start:
            facts.extend(_table_facts(text, pending.pop(0), state, times, report))
        if any(t.start <= start < t.end for t in pending):
            continue
        facts.extend(_sentence_facts(text, start, end, state, times, report))
    for table in pending:
        facts.extend(_table_facts(text, table, state, times, report))
    return facts


def _sentence_facts(text: str, start: int, end: int, state: DocState, times: TimeIndex,
                    report: ReportPeriod) -> list[Fact]:
    """The facts of one sentence, updating the document's state with the lists it names."""
    sentence = text[start:end]
    paragraph = text.rfind("\n", 0, start) + 1
    state.in_paragraph(paragraph)
    worded = worded_figures(sentence) or ranked_line(text, start, sentence)
    if not worded and not _may_count_group(sentence):
        # Only a counted list can give this sentence a figure; lists named without one still
        # change the state, and the time index still advances over the sentence.
        lists = list_subjects(sentence, state)
        if not any(s.count is not None for s in lists):
            if lists:
                _name_lists(sorted(lists, key=lambda s: (s.end, s.start)), state, paragraph,
                            _in_breakdown(text, paragraph, end, state))
            times.around(start, end)
            return []
    else:
        lists = None
    subjects = _heading(text, paragraph, start, state) + find_subjects(sentence, state, lists)
    figures = find_figures(sentence, subjects, worded)
    roles.sentence_roles(sentence, figures, state.published.year)
    breakdown_places = _in_breakdown(text, paragraph, end, state)
    claims = roles.resolve(sentence, figures, subjects, state, breakdown_places)
    _name_lists(subjects, state, paragraph, breakdown_places)
    in_sentence, carried_months = times.around(start, end)
    quote_start, quote_end = _strip_span(text, start, end)
    facts = []
    for claim in claims:
        before = [m for m in in_sentence if m.end <= start + claim.position and not _month_ended(m, sentence,
                                                                                                 start, claim.position)]
        year, months = resolve_period(before, _carried_year(text, start, times, report, state.published.month),
                                      carried_months,
                                      state.published, report, times.text_year(start + claim.position))
        if spans_years(sentence[:claim.position + 2], year, state.published.year):  # (+2: 三年累计完成投资)
            continue
        fact = _fact(claim.ref, claim.metric, claim.value.value, claim.value.qualifier, year, months, state)
        if fact is not None:
            fact.quote_start, fact.quote_end = quote_start, quote_end
            facts.append(fact)
    return facts


def _month_ended(mention: TimeMention, sentence: str, start: int, position: int) -> bool:
    """"本月新开工项目3个，累计新开工21个；8月份…；竣工…": a single month holds no longer after 累计, a
    semicolon or a bar between the items of a digest line."""
    if mention.months is None or mention.months[0] != mention.months[1] or mention.months[0] == 1:
        return False
    between = sentence[mention.end - start:position]
    return "累计" in between or ";" in between or "；" in between or "|" in between


_REVIEW_MONTHS = 3  # January to March: reports mostly review the year before


def _carried_year(text: str, start: int, times: TimeIndex, report: ReportPeriod,
                  published_month: int | None) -> TimeMention | None:
    """The year a sentence carries from before it; in a report of part of a year, or after 今年 opened
    an earlier clause in a page of April or later, 去年 / 上年 of an earlier paragraph (a comparison)
    holds no longer: the report's own year is back. (Pages of the first quarter review last year over
    several paragraphs: a speech announcing 今年's tasks in its lead, then 过去的一年….)"""
    carried = times.carried_year(start)
    if carried is not None and carried.last_year and "\n" in text[carried.end:start] and \
            (report.months not in (None, (1, 12)) or times.first_this_year < carried.start
             and (published_month or 12) > _REVIEW_MONTHS):
        return TimeMention(start, start, this_year=True, topic=True)
    if carried is not None and carried.year and report.year and carried.year < report.year \
            and "\n" in text[carried.end:start] \
            and any(m.topic and m.year == report.year and m.start < carried.start for m in times.years):
        # 2022年，… then 回顾上一年度，2021年… in a report on 2022: the look back holds for its paragraph only
        return TimeMention(start, start, year=report.year, topic=True)
    return carried


def _in_breakdown(text: str, paragraph: int, end: int, state: DocState) -> bool:
    """Whether a breakdown by place (分县区看, a heading "三、分县区情况。") was named in this paragraph
    before ``end``: it holds to the paragraph's end (the text is looked at once, left to right)."""
    start = max(state.breakdown_scanned, paragraph)
    if start < end:
        found = patterns()["breakdown_places"].search(text, start, end)
        if found:
            state.breakdown_at = found.start()
        state.breakdown_scanned = end
    return state.breakdown_at >= paragraph


def _may_count_group(sentence: str) -> bool:
    """Whether a group that is not a list phrase may be counted as a figure (签约项目N个, 在建项目N个,
    the reporter's projects on another government's list)."""
    return "在建" in sentence or "签约" in sentence or patterns()["signed"].search(sentence) is not None \
        or patterns()["membership"].search(sentence) is not None  # 列入市重点项目的县内项目35个


# a numbered line naming one item before its figures: 2．某某连接线，总投资8.6亿元 / （3）某某工程：…
_NAMED_ITEM = re.compile(r"\s*(?:\d{1,3}\s*[.．、]|[(（]\d{1,3}[)）])\s*(?P<name>[^，,。;；:：\d]{4,40})[，,:：]")
_HEADING = re.compile(r"(?:[—\-■●·\s]|[(（][一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十]{1,3}、|\d{1,2}[.、．])*"
                      r"([^。\d\n]{2,20}?(?:项目|工程))。")


def _heading(text: str, paragraph: int, start: int, state: DocState) -> list[Subject]:
    """"——交通基础设施项目。年初安排31项…": a paragraph headed by a group of projects (not a key
    list) is about that group, so its figures are not the list's; one headed by a list ("（一）省级
    重点项目。5个项目完成投资1.5亿元") is about that list, which becomes the current one."""
    item = _NAMED_ITEM.match(text, paragraph)
    if item and not patterns()["list"].search(item.group("name")):
        return [Subject("other", -1, -1)]  # "2．某某高速公路连接线，总投资8.6亿元，…": one project of a list
    match = _HEADING.match(text, paragraph)
    if not match or match.end() > start:
        return []
    if patterns()["list"].search(match.group(1)):
        if state.heading_at != paragraph:  # (the heading holds no figure: no sentence of it was read)
            state.heading_at = paragraph
            lists = [s for s in list_subjects(match.group(1), state) if s.count is None]
            _name_lists(lists, state, paragraph, False)
        return []
    return [Subject("other", -1, -1)]


def _fact(ref: ListRef, metric: str, value: float, qualifier: str, year: int | None,
          months: tuple[int, int], state: DocState) -> Fact | None:
    """A fact, or None for a figure of a later year than publication (a target)."""
    if state.published.year is not None and year is not None and year > state.published.year:
        return None
    if metric in LIST_METRICS:
        months = (1, 12)
    elif year == state.published.year and state.published.month and months[1] > state.published.month:
        if months != (1, 12):
            return None  # 前三季度 in a page of April: a period not yet over is no report of it
        if state.published.month <= 2:
            year -= 1  # 全年完成投资… in a page of January: the year just ended
        else:  # progress of a year not yet over, without its months: to date, as 截至目前
            months = (1, state.published.month - 1)
    return Fact(ref, ref.region or state.reporter, year, months, metric, value, qualifier, 0, 0)


def _name_lists(subjects: list, state: DocState, paragraph: int, breakdown_places: bool) -> None:
    """The list a sentence names becomes the document's last and current list; a sentence naming
    several lists in turn leaves the document's main list current."""
    named: list[ListRef] = []
    main_counted = state.main in state.counts  # (before this sentence's counts)
    for subject in subjects:
        if subject.kind != "list" or subject.part or subject.places or len(subject.counts) > 1:
            continue
        ref = roles.list_ref(subject, state, breakdown_places)
        if ref.region is not None:
            continue
        if subject.aside:  # "其中，列入省重点项目的…": a part named in passing, 这批 may point to it
            state.last = ref
            continue
        if ref not in named:
            named.append(ref)
        if subject.count is not None and not subject.stage:
            state.counts.setdefault(ref, subject.count.value)
    combined = [ref for ref in named if "+" in ref.scope and state.level in ref.scope.split("+") and ref in state.counts]
    if combined and state.main is not None and "+" not in state.main.scope and not main_counted:
        state.main = combined[0]  # 全市126个各级重点项目 after a headline's uncounted 重点项目: the overall list
    if len(named) > 1:
        state.named_run = named  # (三类项目分别…: 分别 over the lists of the sentence before)
    if len(named) == 1:
        state.name(named[0], paragraph)
    elif named:
        state.name(named[0], paragraph)
        state.last = named[-1]
        state.current = state.main


def _table_facts(text: str, table: Any, state: DocState, times: TimeIndex, report: ReportPeriod) -> list[Fact]:
    """The facts of a table's rows (keyproj.extract.tables reads the cells)."""
    facts: list[Fact] = []
    state.in_paragraph(table.start)
    for cell in tables.table_cells(text, table, state):
        _, carried = times.around(table.start, table.start)
        year, months = resolve_period(cell.times, times.carried_year(table.start), carried, state.published,
                                      report, times.text_year(table.start))
        fact = _fact(cell.ref, cell.metric, cell.value, "", year, months, state)
        if fact is not None:
            fact.quote_start, fact.quote_end = cell.start, cell.end
            facts.append(fact)
    return facts


_VALUE = FACT_COLUMNS.index("value")


def _one_significant_figure(value: float) -> bool:
    """100, 500, 3000 (百, 五百, 三千): a round figure written with one digit."""
    if value <= 0:
        return False
    digits = f"{value:.0f}".rstrip("0")
    return value == round(value) and len(digits) == 1


def _restated(facts: list[Fact], headline_end: int = -1) -> list[Fact]:
    """Facts without their restatements: a figure of the same list, period and metric that rounds a
    more precise one ("1352亿元" beside "1352.19亿元", "超五百亿元" beside "518.4亿元") is the same fact,
    and a title's figure without the 在建 mark is the body's figure with it. A headline's figure (the
    text before ``headline_end``) restates the body's figure of any list: a rounded one, or one equal to
    it that the body gives another list."""
    groups: dict[tuple[Any, ...], list[float]] = {}
    marked: set[tuple[Any, ...]] = set()
    body_values: dict[tuple[Any, ...], dict[float, set[str]]] = {}  # (region, year, months, metric) -> value -> scopes
    for f in facts:
        if f.quote_start >= headline_end:
            scopes = body_values.setdefault((f.region, f.year, f.months, f.metric), {}).setdefault(f.value, set())
            scopes.add(f.ref.scope)
        key = (f.region, f.ref.scope, f.year, f.months, f.metric)
        if not f.qualifier:
            groups.setdefault(key, []).append(f.value)
            groups.setdefault(key[:1] + key[2:], []).append(f.value)  # (any list's, for headlines)
        if f.ref.under_construction:
            marked.add(key + (f.value,))
    for values in groups.values():
        values.sort()
    kept = []
    for f in facts:
        key = (f.region, f.ref.scope, f.year, f.months, f.metric)
        exact = groups.get(key if f.quote_start >= headline_end else key[:1] + key[2:], [])
        if f.qualifier:
            reach = 0.2 * abs(f.value)  # "超五百亿元" restates 518.4亿元
        elif f.value == round(f.value):
            reach = 1.0  # "1352亿元" restates 1352.19亿元
        else:
            reach = 0.0
        if reach and _precise_near(exact, f.value, reach, f.qualifier != ""):
            continue
        scopes = body_values.get(key[:1] + key[2:], {}).get(f.value) if f.quote_start < headline_end else None
        if scopes and f.ref.scope not in scopes:
            continue  # the headline's 103.7亿元 is the body's figure of the list it names with its levels
        if f.qualifier == "over" and _one_significant_figure(f.value) and any(f.value <= v < 2 * f.value for v in exact):
            continue  # "超百亿元" restates 156.3亿元
        if not f.ref.under_construction and key + (f.value,) in marked:
            continue
        kept.append(f)
    return kept


def _headline_end(text: str) -> int:
    """The end of a headline: a short first line without a full stop (else -1: none)."""
    end = text.find("\n")
    return end if 0 < end <= _HEADLINE_MAX and "。" not in text[:end] else -1


_HEADLINE_MAX = 40  # characters


def _precise_near(values: list[float], value: float, reach: float, qualified: bool) -> bool:
    """Whether a more precise figure than ``value`` lies within ``reach`` of it (values sorted)."""
    index = bisect.bisect_left(values, value - reach)
    while index < len(values) and values[index] <= value + reach:
        other = values[index]
        if other != value and (qualified or other != round(other)):
            return True
        index += 1
    return False


def to_rows(doc_id: str, text: str, facts: list[Fact]) -> list[tuple[Any, ...]]:
    """The rows of the facts (tuples in FACT_COLUMNS order), each fact once; the 在建 part is marked
    as a subset only when the document also gives figures of its whole list."""
    facts = _restated(facts, _headline_end(text))
    whole_lists = {(f.region, f.ref.scope, f.year) for f in facts if not f.ref.under_construction}
    rows: list[tuple[Any, ...]] = []
    seen: set[tuple[Any, ...]] = set()
    for fact in facts:
        subset = "under_construction" if fact.ref.under_construction and \
            (fact.region, fact.ref.scope, fact.year) in whole_lists else ""
        year = f"{fact.year:04d}" if fact.year else "0000"
        row = (doc_id, fact.region, fact.ref.scope, subset,
               f"{year}-{fact.months[0]:02d}", f"{year}-{fact.months[1]:02d}",
               fact.metric, round(fact.value, 6), METRIC_UNITS[fact.metric],
               fact.qualifier, text[fact.quote_start:fact.quote_end], fact.quote_start, fact.quote_end)
        key = row[1:_VALUE + 1]
        if key in seen:
            continue  # a figure stated twice is one fact
        seen.add(key)
        rows.append(row)
    return rows
