"""What a document carries from sentence to sentence: who reports, for which period, about which list.

A document is read as a sequence. Its state holds

* the reporting government (sources.csv's ``region``, else the title's place, else the text's
  first place) and the level of its own list;
* the report period: the months of the title, else of the lead paragraph (1-9月, 上半年 ...),
  which figures without months of their own take;
* the lists named so far: the *main* list (the first one named, to which a later bare
  全县重点项目 refers back), the *last* list (which 这批项目 points to) and the *current* list
  (which a sentence with bare counts or amounts refers to; it holds until another list is named
  and falls back to the main list at a new paragraph).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from keyproj.extract.periods import Published, TimeMention, find_time_mentions
from keyproj.extract.regions import (
    ancestors,
    canonical_region,
    find_places,
    government_level,
)
from keyproj.extract.sentence import patterns

_RANK = {"province": 0, "city": 1, "county": 2}


@dataclass(frozen=True, slots=True)
class ListRef:
    """One key-project list: its scope (``province``, ``city``, ``county`` or a ``+`` join), the place
    it belongs to (None: the reporter), and whether only its 在建 part is meant."""

    scope: str
    region: str | None = None
    under_construction: bool = False
    signed: bool = False  # the signed projects (签约), which take the reporter's level


def join_scopes(scopes: list[str]) -> str:
    """Scopes joined in the order province, city, county: [city, province] -> 'province+city'."""
    return "+".join(sorted(dict.fromkeys(scopes), key=lambda s: _RANK.get(s, 3)))


@dataclass(slots=True)
class DocState:
    """The state of one document while its sentences are read in order."""

    reporter: str
    level: str
    chain: tuple[str, ...]          # the reporter and the places above it
    published: Published
    report_months: tuple[int, int] | None = None
    report_year: int | None = None
    main: ListRef | None = None
    first_other: ListRef | None = None  # the first list of the reporter's projects on another's list
    last: ListRef | None = None
    current: ListRef | None = None
    paragraph: int = -1             # start of the paragraph the current list was named in
    counts: dict[ListRef, float] = field(default_factory=dict)  # a list's count, to tell its groups apart
    breakdown_at: int = -1          # where the last breakdown by place (分县区看) was named
    breakdown_scanned: int = 0      # the text is looked at for it once, up to here
    heading_at: int = -1            # the paragraph whose heading named the current list
    named_run: list[ListRef] = field(default_factory=list)  # the lists the last sentence naming several named

    @property
    def own(self) -> ListRef:
        """The reporter's own list (an unqualified 重点项目 before any list is named)."""
        return ListRef(self.level)

    def in_paragraph(self, paragraph: int) -> ListRef:
        """The list a sentence without a list of its own refers to."""
        if paragraph != self.paragraph:
            self.current, self.paragraph = self.main, paragraph
        return self.current or self.main or self.own

    def name(self, ref: ListRef, paragraph: int) -> None:
        """A sentence named this list: it becomes the last and the current one (and the main one if first)."""
        if ref.signed:
            return
        if self.main is None and self.level in ref.scope.split("+"):
            self.main = ref  # the overall list holds the reporter's own level (省市县 in a county)
        elif self.first_other is None and ref.region is None and not ref.under_construction:
            self.first_other = ref  # (the list a breakdown by place carries when the reporter's own is never named)
        self.last = ref
        self.current, self.paragraph = ref, paragraph

    def overall(self) -> ListRef:
        """What 全县重点项目 / an unqualified list refers to: the main list once one is named."""
        return self.main or self.own

    def level_of(self, place_name: str) -> str:
        """The level of a place named in the text (municipalities are provinces)."""
        return government_level(place_name)

    def is_own_or_above(self, place_name: str) -> bool:
        """Whether a place is the reporter or one of its parents (its list is then a level, not a place)."""
        return place_name in self.chain


def reporting_region(meta: dict[str, str], text: str) -> str:
    """The reporting government: sources.csv's region, else the title's first place, else the text's."""
    region = (meta.get("region") or "").strip()
    if region:
        return canonical_region(region)
    for source in (meta.get("title") or "", text[:400]):
        found = find_places(source)
        if found:
            return canonical_region(found[0][2])
    return ""


def report_period(meta: dict[str, str], text: str) -> tuple[int | None, tuple[int, int] | None]:
    """(year, months) of the report as its title or lead paragraph states them (None where they do not)."""
    year: int | None = None
    months: tuple[int, int] | None = None
    lead_end = _lead_end(text)
    lead = text[:lead_end]
    if patterns()["ceremony"].search(lead) or patterns()["event"].search(lead):
        lead = ""  # a lead about a ceremony does not state the report's period
    for source, is_lead in ((meta.get("title") or "", False), (lead, True)):
        for mention in find_time_mentions(source):
            if year is None and mention.year:
                year = mention.year
            if months is None and mention.months and mention.months[0] == 1 and \
                    not patterns()["target_before"].search(source, max(0, mention.start - 6), mention.start) and \
                    (not is_lead or _FIGURE_IN_SENTENCE.match(source, mention.end)):
                months = mention.months  # in the lead, months with a figure (not "一季度一度全面停滞")
        if months is not None:
            break
    quarter = _QUARTER_REPORT.search(meta.get("title") or "") if months is None else None
    if quarter:  # "2022年第三季度重点项目建设情况通报": the running figures to the quarter's end
        months = (1, 3 * "一二三四".index(quarter.group(1)) + 3)
    if months is None:
        months = _running_to_date(text, Published.parse(meta.get("published")))
    return year, months


_UNTIL_DAY = re.compile(r"(?:截至|截止|截止到)(?:(?:19|20)\d{2}年)?(?P<month>1[0-2]|[1-9])月(?P<day>[1-3]?\d)日")
_UNTIL_REACH = 3000  # characters: a bulletin states its date near the top


def _running_to_date(text: str, published: Published) -> tuple[int, int] | None:
    """A bulletin's running totals to a day of its publication month (截至9月22日 in a page of
    9月23日): January to that month, for its figures without months of their own (the last full
    month before publication would leave that month out)."""
    found = _UNTIL_DAY.search(text, 0, _UNTIL_REACH)
    if found is None or published.month is None or int(found.group("month")) != published.month:
        return None
    return 1, published.month


_QUARTER_REPORT = re.compile(r"第([一二三四])季度")


_FIGURE_IN_SENTENCE = re.compile(r"[^。;；!?！？\n]*?(?:\d|[一二两三四五六七八九十百千]+(?:个|项|亿|万)|百分之)")


def _lead_end(text: str) -> int:
    """The end of the title and the first paragraph with a full stop (where a report states its period)."""
    stop = text.find("。")
    if stop < 0:
        return min(len(text), 300)
    return min(stop + 1, 600)


def new_state(meta: dict[str, str], text: str) -> DocState:
    """The state at the start of a document."""
    reporter = reporting_region(meta or {}, text)
    year, months = report_period(meta or {}, text)
    return DocState(
        reporter=reporter,
        level=government_level(reporter) if reporter else "county",
        chain=ancestors(reporter) if reporter else (),
        published=Published.parse((meta or {}).get("published")),
        report_months=months,
        report_year=year,
    )


__all__ = ["DocState", "ListRef", "TimeMention", "join_scopes", "new_state", "report_period", "reporting_region"]
