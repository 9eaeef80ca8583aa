"""Time expressions in report text: which year and which months a figure covers.

A figure's period comes from the time expressions before it in its sentence; failing
those, from the last *topic* expression before the sentence (one that opens a clause,
such as "2024年,..." or "今年来,..."): years carry through the document, months
through the paragraph. Years named inside a phrase ("对2017年市级重点项目的跟踪服务",
"力争2020年GDP...") describe that phrase only and do not carry.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from keyproj import lexicon
from keyproj.errors import BadInputError

_MONTH = r"(?:1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])"
_DASH = r"\s*[-—–~～至到]\s*"

def _words(key: str) -> str:
    """The words of one entry of lexicon/time.yaml as a regex alternation."""
    return lexicon.alternation(lexicon.words("time", "forms", key))


# Expressions that name a year (or the publication year); each holds 年 or 目前 (checked below).
_YEAR_ALTERNATIVES = (
    r"(?P<year_since>(?:19|20)\d{2})年以来",  # in that year: year to date (an earlier year: spans_years)
    r"(?P<year>(?:19|20)\d{2})年(?:度)?",
    f"(?<!项)(?P<rel_ytd>{_words('year_to_date')})",  # (not 目前 inside 项目前期)
    f"(?P<rel_year>{_words('this_year')})",
    # 去年同期 opening a clause: last year's same months (较 / 比 / 与 去年同期: a comparison)
    f"(?<![较比与同])(?P<last_same>{_words('same_period_last_year')})",
    # 较去年同期, 比上年多: a comparison, not the figure's year
    f"(?<![较比与同])(?P<last_year>{_words('last_year')})(?!同期)",
    r"(?P<that_year>这一年|那一年)",  # 时间拉回到2022年。这一年，…: the year named last
)
_TIME_ALTERNATIVES = (
    *_YEAR_ALTERNATIVES,
    r"(?<![\d一二三四五六七八九十])(?:1|一|元)月?(?:份)?" + _DASH + r"(?P<range_end>" + _MONTH + r")\s*月(?:份)?(?:底|末)?",
    # 7—9月, 4至6月份: the months of a span that does not start in January
    r"(?<![\d一二三四五六七八九十])(?P<span_start>" + _MONTH + r")月?(?:份)?" + _DASH + r"(?P<span_end>" + _MONTH
    + r")\s*月(?:份)?(?!底|末)",
    # (比一季度增加33个: a comparison's base, no period of the figures after it)
    f"(?<![比较])(?P<q3>{_words('first_three_quarters')})",
    f"(?<![比较])(?P<h1>{_words('first_half')})",
    f"(?<![比较])(?P<q1>{_words('first_quarter')})",
    # 二季度 / 第三季度 alone (not 前三季度, 三季度末: those run from January): that quarter's months
    f"(?<![前比较])(?P<quarter_only>{_words('single_quarter')})(?:当季|单季)?(?!末|以来|以前|之前|前|以后|之后|后)",
    r"(?P<this_month>本月|当月)(?:份)?|(?P<last_month>上月|上个月)(?:份)?",  # the report's last month, the one before  # 三季度当季: that quarter's three months alone
    # 完成全年计划的: part of a metric's wording, not the figure's months
    f"(?P<full>{_words('full_year')})(?!计划|目标|任务|投资计划|投资目标|投资任务)",
    r"(?<![提超])前(?P<first_n>" + _MONTH + r"|两)个?月",  # not 提前一个月 (a month early)
    # 截至6月底, 截至5月28日, 截至本周(5月28日): the running total from January
    r"(?:截至|截止|截止到|到)(?:(?:19|20)\d{2}年)?(?:[^\d\n。,，;；]{1,4}[(（])?(?P<until>" + _MONTH + r")\s?月(?:底|末|份|\d{1,2}日)?",
    r"(?<![\d一二三四五六七八九十\-—~至])(?P<since>" + _MONTH + r")\s?月(?:份)?以来",  # from month N on
    r"(?P<single>" + _MONTH + r")\s?月(?:份(?:当月|单月)?|当月|单月)",
    r"(?<![\d一二三四五六七八九十])(?P<until_end>" + _MONTH + r")\s?月(?:底|末)",
)


def _scan(alternatives: tuple[str, ...]) -> re.Pattern[str]:
    """The alternatives behind a lookahead of their first characters, derived from the patterns
    (the scan skips most characters at once: about 7x faster; see lexicon.compile_scan)."""
    body = "|".join(alternatives)
    return lexicon.compile_scan(f"(?:{body})")


TIME_PATTERN = _scan(_TIME_ALTERNATIVES)
_BARE_MONTH = re.compile(r"(" + _MONTH + r")\s*月(?:份)?")


def bare_month(label: str) -> int | None:
    """The month of a label that is one month and nothing else (|3月|…| in a monthly table), else None."""
    found = _BARE_MONTH.fullmatch(label)
    return _month(found.group(1)) if found else None


# A table row's label that is a period and nothing else: |8月当月|…|, |1～8月累计|…|, |今年累计|…|
PERIOD_LABEL = re.compile(r"(?:(?:19|20)\d{2}年)?(?:" + _MONTH + r"月?(?:份)?" + _DASH + r")?" + _MONTH
                          + r"\s*月(?:份)?(?:当月|单月|累计)?|" + f"(?:{_words('this_year')})?累计"
                          + r"|(?:19|20)\d{2}年(?:度)?")  # |2022年|…|: a year's row
# What may stand before a clause-opening (topic) time expression.
_TOPIC_PREFIX = re.compile(r"(?:^|[\n,，。;；:：!?！？、“\"(（])\s*" + f"{_words('topic_openers')}?" + r"\s*$")

_CN_MONTHS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
              "十": 10, "十一": 11, "十二": 12}


def _month(text: str) -> int:
    return int(text) if text.isdigit() else _CN_MONTHS[text]


class TimeMention(NamedTuple):
    """One time expression: a year (or a reference to the publication year) and/or a month range."""

    start: int
    end: int
    year: int | None = None          # an explicit year
    this_year: bool = False          # 今年 and the like: the publication year
    months: tuple[int, int] | None = None
    year_to_date: bool = False       # 今年以来 / 截至目前: months up to the last full month
    last_year: bool = False          # 去年: the year before publication
    topic: bool = False              # opens a clause, so it carries beyond its sentence
    same_period: bool = False        # 去年同期: last year, in the months of the report or paragraph


# Only the expressions that name a year: scanning for these alone is several times faster.
YEAR_PATTERN = _scan(_YEAR_ALTERNATIVES)


# Every expression of YEAR_PATTERN holds 年 or 目前, which starts at most 4 characters after the
# expression's start and at most 4 before its end.
_YEAR_KEY = "年"
_YEAR_KEY_2 = "目前"
_KEY_REACH = 4


def _check_year_words() -> None:
    """find_year_mentions looks only around 年 and 目前: a year word without them would be missed."""
    for key in ("year_to_date", "this_year", "last_year"):
        for word in lexicon.words("time", "forms", key):
            keys = [word.find(k) for k in (_YEAR_KEY, _YEAR_KEY_2) if k in word]
            if not any(at <= _KEY_REACH and len(word) - at <= _KEY_REACH + 2 for at in keys):
                raise BadInputError(lexicon.FOLDER / "time.yaml",
                                    f"forms.{key}: {word!r} needs 年 or 目前 near its start and end")


_check_year_words()


def find_year_mentions(text: str) -> list[TimeMention]:
    """``find_time_mentions(text, pattern=YEAR_PATTERN)``, about twice as fast: the pattern runs only
    over the stretches around 年 and 目前 (found by plain substring search), merged where they touch,
    so that it meets every expression it would meet scanning the whole text, from the same places."""
    keys = _positions(text, _YEAR_KEY)
    if _YEAR_KEY_2 in text:
        keys = sorted(keys + _positions(text, _YEAR_KEY_2))
    mentions: list[TimeMention] = []
    window_start = window_end = -1
    for key in keys:
        if key - _KEY_REACH > window_end:
            if window_end >= 0:
                mentions.extend(find_time_mentions(text, window_start, window_end, YEAR_PATTERN))
            window_start = max(0, key - _KEY_REACH)
        window_end = key + _KEY_REACH + 1
    if window_end >= 0:
        mentions.extend(find_time_mentions(text, window_start, min(window_end, len(text)), YEAR_PATTERN))
    return mentions


# A line that is only a date, as under a bulletin's title ("2019年4月") or a speech's
# ("——2024年1月12日在市人民代表大会上"): when the text was issued, not the period its figures cover.
_DATELINE = re.compile(r"[ \t—–-]*(?:19|20)\d{2}年\d{1,2}月(?:\d{1,2}日)?(?:在[^\n。，,]{0,40}上)?[ \t)）]*")


def on_dateline(text: str, position: int) -> bool:
    """Whether ``position`` lies on a line that holds nothing but a date."""
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    return _DATELINE.fullmatch(text, start, len(text) if end < 0 else end) is not None


def _positions(text: str, word: str) -> list[int]:
    """Where ``word`` starts in ``text`` (overlaps included), in order."""
    positions: list[int] = []
    find, append = text.find, positions.append
    position = find(word)
    while position >= 0:
        append(position)
        position = find(word, position + 1)
    return positions


_NAMED_YEARS = re.compile(r"((?:19|20)\d{2})年")


def find_time_mentions(text: str, start: int = 0, end: int | None = None,
                       pattern: re.Pattern[str] = TIME_PATTERN) -> list[TimeMention]:
    """The time expressions of ``text[start:end]`` in order, with their positions in ``text``.

    ``pattern=YEAR_PATTERN`` finds only those that name a year (or the publication year).
    """
    mentions: list[TimeMention] = []
    for match in pattern.finditer(text, start, len(text) if end is None else end):
        kind = match.lastgroup
        value = match.group(kind) if kind else None
        topic = bool(_TOPIC_PREFIX.search(text, max(0, match.start() - 6), match.start()))
        if kind == "year":
            mention = TimeMention(match.start(), match.end(), year=int(value), topic=topic)
        elif kind == "year_since":
            mention = TimeMention(match.start(), match.end(), year=int(value), year_to_date=True, topic=True)
        elif kind == "rel_ytd":
            mention = TimeMention(match.start(), match.end(), this_year=True, year_to_date=True, topic=True)
        elif kind == "rel_year":  # 本年 (in statistics: the year reported on) does not carry beyond its sentence
            mention = TimeMention(match.start(), match.end(), this_year=True, topic=not value.startswith("本"))
        elif kind == "last_year":
            mention = TimeMention(match.start(), match.end(), last_year=True, topic=True)
        elif kind == "that_year":
            named = _NAMED_YEARS.findall(text, 0, match.start())
            mention = TimeMention(match.start(), match.end(), year=int(named[-1]) if named else None, topic=topic,
                                  this_year=not named)
        elif kind == "last_same":  # not a topic: the sentences after it are this year's again
            mention = TimeMention(match.start(), match.end(), last_year=True, same_period=True)
        else:
            if kind in ("range_end", "until", "until_end"):
                months = (1, _month(value))
            elif kind == "span_end":  # (the last group of 7—9月)
                months = (_month(match.group("span_start")), _month(value))
            elif kind == "since":  # to the last full month before publication, set in resolve_period
                months = (_month(value), 0)
            elif kind == "q3":
                months = (1, 9)
            elif kind == "h1":
                months = (1, 6)
            elif kind == "q1":
                months = (1, 3)
            elif kind in ("this_month", "last_month"):  # set in resolve_period from the report's months
                months = (0, 0) if kind == "this_month" else (-1, -1)
            elif kind == "quarter_only":
                last = 3 * _month(next(c for c in value if c in "一二三四1234"))  # (第三季度: 3)
                months = (last - 2, last)
            elif kind == "full":
                months = (1, 12)
            elif kind == "first_n":
                months = (1, 2 if value == "两" else _month(value))
            else:  # single month
                month = _month(value)
                months = (month, month)
            mention = TimeMention(match.start(), match.end(), months=months, topic=topic)
        mentions.append(mention)
    return mentions


# "2021年以来至2023年8月底", "十三五期间", "十四五以来", "三年来": a running total over several years
_SINCE_YEAR = re.compile(r"((?:19|20)\d{2})年以来|十[一二三四五六七八九]五[”\"]?(?:期间|以来|时期|前[两二三四]年|后[两二三]年)"
                         r"|(?:近|过去)?[两二三四五六七八九十]年(?:来|以来|间|累计|共)|过去[两二三四五六七八九十]年"
                         r"|(?:19|20)\d{2}年?\s*[—\-~～至到]\s*(?:19|20)\d{2}年(?![^,，。;；]{0,12}分别)")  # 2009—2011年累计


def _this_month(mention: TimeMention, report: ReportPeriod, published: Published) -> TimeMention | None:
    """本月 / 上月: the last month of the report's months (else the last full month before publication),
    or the one before it."""
    last = report.months[1] if report.months else (published.month - 1 if published.month else 0)
    month = last + mention.months[0]
    return mention._replace(months=(month, month)) if 1 <= month <= 12 else None


def spans_years(before: str, year: int | None, published_year: int | None = None) -> bool:
    """Whether the words before a figure (in its sentence) make it a total over several years, up to
    ``year`` (or the publication year, if later): no period of one year expresses it, so it is no
    fact (FACTS.md)."""
    latest = max(filter(None, (year, published_year)), default=None)
    for match in _SINCE_YEAR.finditer(before):
        if match.group(1) is None or latest is not None and int(match.group(1)) < latest:
            return True
    return False


@dataclass(frozen=True)
class Published:
    """A document's publication date, as far as it is known."""

    year: int | None
    month: int | None

    @classmethod
    def parse(cls, text: str | None) -> Published:
        """From 'YYYY-MM-DD', 'YYYY-MM' or 'YYYY'; empty or malformed gives an unknown date."""
        match = re.match(r"^\s*((?:19|20)\d{2})(?:-(\d{1,2}))?", text or "")
        if not match:
            return cls(None, None)
        return cls(int(match.group(1)), int(match.group(2)) if match.group(2) else None)


@dataclass(frozen=True)
class ReportPeriod:
    """The period a whole report is about, from its title or lead (either part may be unknown)."""

    year: int | None = None
    months: tuple[int, int] | None = None


def _year(mention: TimeMention | None, published: Published, report: ReportPeriod,
          text_year: int | None) -> int | None:
    """The year a year mention names: explicit; 今年 -> publication year (else the text's year);
    去年 -> the year before publication; none -> the text's year, the report's, the publication's."""
    if mention is None:
        return text_year or report.year or published.year
    if mention.year:
        return mention.year
    if mention.last_year:
        return published.year - 1 if published.year else None
    return published.year or text_year or report.year


def resolve_period(
    in_sentence: list[TimeMention],
    carried_year: TimeMention | None,
    carried_months: TimeMention | None,
    published: Published,
    report: ReportPeriod | None = None,
    text_year: int | None = None,
) -> tuple[int | None, tuple[int, int]]:
    """The (year, (first month, last month)) of a figure.

    ``in_sentence`` are the mentions before the figure in its sentence; the carried mentions are
    the last topic mentions before the sentence (year: in the document; months: in the
    paragraph); ``report`` is the report's own period (title, lead) and ``text_year`` the last
    explicit year before the sentence. Months come from the sentence, else the paragraph, else
    the report (for a figure of the report's year); 今年以来 / 截至目前 / 今年 without months end
    at the last full month before publication. The year is None when nothing gives it.
    """
    report = report or ReportPeriod()
    year_mention = next((m for m in reversed(in_sentence) if m.year or m.this_year or m.last_year), carried_year)
    year = _year(year_mention, published, report, text_year)
    month_mention = next((m for m in reversed(in_sentence) if m.months or m.year_to_date), None)
    same_period = year_mention is not None and year_mention.same_period
    if month_mention is None and (same_period or not any(m.year or m.last_year for m in in_sentence)):
        month_mention = carried_months
    # (a report without a year of its own is of its publication year: 2024年 in a 2025 page is another)
    report_year = report.year or published.year
    same_year = same_period or report_year is None or year is None or report_year == year
    if month_mention is not None and month_mention.months and month_mention.months[0] <= 0:
        month_mention = _this_month(month_mention, report, published)
    if month_mention is not None and month_mention.months:
        first, last = month_mention.months
        if last == 0:  # 9月份以来: up to the last full month before publication
            last = published.month - 1 if published.month and year == published.year and \
                published.month - 1 >= first else 12
        return year, (first, last)
    if report.months and same_year and not (month_mention is not None and month_mention.year_to_date
                                            and report.months == (1, 12)):
        return year, report.months  # (a headline's 全年 does not stretch 今年以来 to December)
    relative = month_mention is not None or (year_mention is not None and year_mention.this_year)
    if relative and published.month and published.month > 1 and year == published.year:
        return year, (1, published.month - 1)
    return year, (1, 12)
