"""Tables in report text (Markdown-like rows "|a|b|" or plain "a| b| c"): one fact per cell.

A table is consecutive lines with at least two cells each. Its header names each column's
metric (项目数 -> projects, 年度计划投资 -> annual_plan, 1-9月完成投资 -> completed_investment,
完成率 / 占年度计划 -> completion_rate, 总投资 -> total_investment); the caption above it (or a
one-cell first row) names the list, the unit (万元) and the period. Each row is a place (its
region, with the caption's list) or a list (省重大项目), or the total (合计: the reporter).
Rows that are neither (州直: a management unit) give nothing.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from keyproj.extract.numbers import parse_number
from keyproj.extract.periods import PERIOD_LABEL, TimeMention, bare_month, find_time_mentions
from keyproj.extract.regions import government_level, place, zone_name
from keyproj.extract.roles import list_ref
from keyproj.extract.sentence import find_subjects, patterns
from keyproj.extract.state import DocState, ListRef, join_scopes
from keyproj.facts import METRIC_UNITS
from keyproj.lexicon import alternation, words

_ROW = re.compile(r"^[ \t]*\|?(?:[^|\n]*\|){2,}[^|\n]*$", re.MULTILINE)
_RULE = re.compile(r"^[\s|:\-]+$")
# (a bare 小计 sums one category of projects: a part; 省级小计 is a level's list)
_ROW_COUNT = r"(?:[(（]\s*\d+\s*[个项]\s*[)）])?"  # 合计（7个）: the rows' count after the label
_TOTAL = re.compile(rf"^(?:合计|总计|全市|全州|全县|全区|全省){_ROW_COUNT}$")
_SUBTOTAL = re.compile(rf"(?:小计|合计){_ROW_COUNT}$")
_COLUMNS: list[tuple[re.Pattern[str], str]] = [
    # (anchored: 计划新开工项目 is a plan, no column of figures)
    (re.compile(r"^(?!\S*率)(?:[\d\-—~～至]+月)?(?:累计)?(?:新开工|开工|开复工)"), "started_projects"),
    (re.compile(r"^(?!\S*率)(?:[\d\-—~～至]+月)?(?:累计)?(?:竣工|建成|投产)"), "finished_projects"),
    (re.compile(r"序时进度|时间进度"), "ahead_of_schedule"),  # 比序时进度(百分点); 低于…: the sign turns
    # 市重点项目(个), not 计划竣工项目(个)
    (re.compile(r"项目(?:个)?数|个数|^(?!\S*(?:计划|开工|竣工|建成|投产|签约))\S*(?:项目|工程)\s*[(（](?:个|项)[)）]"),
     "projects"),
    (re.compile(r"总投资"), "total_investment"),
    (re.compile(r"完成率|占年度计划|完成年度计划|完成年度任务|占年度任务|完成比例"), "completion_rate"),
    (re.compile(r"年度计划投资|年度投资计划|年计划投资|计划投资|(?<!完成)(?<!占)年度计划(?:[(（]|$)"), "annual_plan"),
    # 1—7月累计完成, 1-9月完成(万元): under an investment header
    (re.compile(r"完成投资|累计完成|^(?:[\d\-—~～至]+月)?完成(?:[(（]|$)"), "completed_investment"),
]
_RANK = re.compile(r"^(?:排名|序号|名次|位次|排序|编号|No\.?)$")  # a column before the rows' labels
_CAPTION_MAX = 80  # characters: a table's title or unit note is a short line
_BEHIND = re.compile(r"低于|落后|慢于|滞后")
_BARE_YEAR = re.compile(r"(?:19|20)\d{2}")
_GROWTH = re.compile(r"同比|环比|增长|增速|增幅|比上年|较上年|比去年|较去年")  # 完成投资同比增长(%): no figure of the list
_CATEGORY = re.compile(r"类别|类型|级别|层级|项目类别")
_NUMBER = re.compile(r"^\s*(-?[\d,]+(?:\.\d+)?)\s*%?\s*$")


@dataclass(slots=True)
class Table:
    start: int
    end: int
    rows: list[tuple[int, int]]  # line spans
    done: bool = False


@dataclass(slots=True)
class Cell:
    ref: ListRef
    metric: str
    value: float
    start: int
    end: int
    times: list[TimeMention] = field(default_factory=list)


def find_tables(text: str) -> list[Table]:
    """Runs of at least two consecutive lines with two or more cells each."""
    if "|" not in text:
        return []
    found: list[Table] = []
    rows: list[tuple[int, int]] = []
    for match in _ROW.finditer(text):
        cells = [c for c in _cells(match.group(0)) if c]
        if rows and text[rows[-1][1]:match.start()].strip() != "" or len(cells) < 2 and not _RULE.match(match.group(0)):
            _close(found, rows)
            rows = []
        if len(cells) >= 2 or _RULE.match(match.group(0)) and rows:
            rows.append(match.span())
    _close(found, rows)
    return found


def _close(found: list[Table], rows: list[tuple[int, int]]) -> None:
    if len(rows) >= 2:
        found.append(Table(rows[0][0], rows[-1][1], rows))


def _cells(line: str) -> list[str]:
    line = line.strip()
    line = line.removeprefix("|")
    line = line.removesuffix("|")
    return [cell.strip() for cell in line.split("|")]


def _caption(text: str, table: Table) -> tuple[str, int]:
    """The two lines above the table (its title and unit note); a paragraph of prose there is none."""
    start = table.start
    for _ in range(2):
        above = text.rfind("\n", 0, max(0, start - 1)) + 1
        if start - above > _CAPTION_MAX:
            break
        start = above
    return text[start:table.start], start


def table_cells(text: str, table: Table, state: DocState) -> list[Cell]:
    """The facts of a table's cells, with the list each row stands for."""
    caption, _ = _caption(text, table)
    lines = [text[s:e] for s, e in table.rows]
    header_index = next(i for i, line in enumerate(lines)
                        if not _RULE.match(line) and len([c for c in _cells(line) if c]) >= 2)
    if header_index > 0:
        caption += " " + " ".join(lines[:header_index])
    header = _cells(lines[header_index])
    below = next((i for i in range(header_index + 1, len(lines)) if not _RULE.match(lines[i])), None)
    if below is not None and _is_sub_header(_cells(lines[below]), header):
        header = _merged_header(header, _cells(lines[below]))
        header_index = below
    label = next((i for i, name in enumerate(header) if not _RANK.match(name)), 0)  # |排名|县(区)|…
    lifetime = patterns()["lifetime"]  # 开工以来累计完成投资, 占总投资比例: a project's whole life
    metrics = [None if lifetime.search(h) or _GROWTH.search(h) else next((m for p, m in _COLUMNS if p.search(h)), None)
               for h in header]
    factor = 1e-4 if "万元" in caption + "".join(header) else 1.0
    listed = [s for s in find_subjects(caption, state) if s.kind == "list" and not s.bare]
    base = _ref(listed[-1], state) if listed else state.current or state.overall()
    labels = [_cells(line)[label] for line in lines[header_index + 1:] if len(_cells(line)) > label]
    base = _parents_breakdown(labels, state) or base
    if not any(metrics[label + 1:]):  # |指标|2022年(截至11月底)|2021年(全年)|: periods as columns
        body = list(zip(table.rows[header_index + 1:], lines[header_index + 1:]))
        return _transposed_cells(header, body, base, factor)
    column_lists = [_column_list(name, state) for name in header]  # |省重点项目| |市重点项目| |
    column_times = [[m for m in find_time_mentions(name) if m.months] for name in header]
    # a column without its months (完成率) has the caption's, else those of the table's other columns
    caption_times = [m for m in find_time_mentions(caption) if m.months] or \
        [times[-1] for times in column_times if times and times[-1].months[0] == 1][-1:]  # (not 本月's)
    # |县市区|类别|…: a second label column naming each row's list (省重点 / 市重点) under the row's place
    category = label + 1 if label + 1 < len(header) and metrics[label + 1] is None \
        and _CATEGORY.search(header[label + 1]) else None
    rows = _rows_with_lists(list(zip(table.rows[header_index + 1:], lines[header_index + 1:])), label, category,
                            base, state)
    label = label if category is None else category
    _total_of_levels(rows, state.level)
    cells: list[Cell] = []
    for start, end, values, ref in rows:
        # |8月当月|…|: a row named by its months has them, before a column's or the caption's
        row_label = values[label].strip() if label < len(values) else ""
        row_label += "年" if _BARE_YEAR.fullmatch(row_label) else ""  # |2021|68|…|: the year 2021
        row_times = [m for m in find_time_mentions(row_label) if m.months or m.year] \
            if PERIOD_LABEL.fullmatch(row_label) else []
        for column, (metric, raw) in enumerate(zip(metrics, values)):
            value = _cell_number(raw)
            if column <= label or metric is None or value is None:
                continue
            if METRIC_UNITS[metric] == "亿元":
                value *= _column_factor(header[column], factor)
            elif metric == "ahead_of_schedule" and _BEHIND.search(header[column]):
                value = -value  # 低于序时进度(百分点): a positive number behind the schedule
            listed_ref = column_lists[column]
            cell_ref = ref if listed_ref is None else ListRef(listed_ref.scope, ref.region, ref.under_construction)
            times = _month_row_times(row_label, row_times, header[column], metric) or \
                _year_row_times(row_times, column_times[column] or caption_times) or \
                (row_times or column_times[column] or caption_times)[-1:]
            cells.append(Cell(cell_ref, metric, value, start, end, times))
    return cells


_SINGLE_MONTH_COLUMN = re.compile(r"当月|单月|本月")
_RUNNING_COLUMN = re.compile(r"累计")


def _month_row_times(label: str, row_times: list[TimeMention], column: str, metric: str) -> list[TimeMention]:
    """The months of a cell in a row named by months (|3月|…|, |1～3月|…|) under a column that says
    whose months it counts: 当月 that month alone, 累计 (and rates) from January; a bare month's other
    columns are that month's. Empty when the row is not named by months."""
    last = bare_month(label) or (row_times[-1].months[1] if row_times and row_times[-1].months else None)
    if last is None:
        return []
    if _SINGLE_MONTH_COLUMN.search(column):
        months = (last, last)
    elif _RUNNING_COLUMN.search(column) or METRIC_UNITS[metric] in ("%", "pp"):
        months = (1, last)
    elif bare_month(label):
        months = (last, last)
    else:
        return []
    return [TimeMention(0, 0, months=months)]


def _year_row_times(row_times: list[TimeMention], months: list[TimeMention]) -> list[TimeMention]:
    """A row named by its year (|2022年|…|): that year, in the months its column or the caption
    names (none: the year's own). Empty for rows not named by a year alone."""
    if not row_times or row_times[-1].months is not None or row_times[-1].year is None:
        return []
    within = months[-1].months if months else None
    return [TimeMention(0, 0, year=row_times[-1].year, months=within)]


def _rows_with_lists(body: list[tuple[tuple[int, int], str]], label: int, category: int | None, base: ListRef,
                     state: DocState) -> list[tuple[int, int, list[str], ListRef]]:
    """(start, end, cells, list) of each row that stands for a list; a row without its place label
    has the place of the row above (宣州区 | 省重点, then | 市重点)."""
    rows = []
    place_label = ""
    for (start, end), line in body:
        values = _cells(line)
        if _RULE.match(line) or not values:
            continue
        place_label = (values[label].strip() if label < len(values) else "") or place_label
        place_label += "年" if _BARE_YEAR.fullmatch(place_label) else ""
        ref = _row_ref(place_label, base, state)
        if ref is None and PERIOD_LABEL.fullmatch(place_label):
            ref = base  # |8月当月|…| / |1～8月累计|…|: the table's list, in the row's months
        if ref is not None and category is not None and category < len(values):
            listed = _row_ref(values[category], base, state)
            ref = ListRef(listed.scope, ref.region, ref.under_construction) if listed is not None else None
        if ref is not None:
            rows.append((start, end, values, ref))
    return rows


def _transposed_cells(header: list[str], body: list[tuple[tuple[int, int], str]], base: ListRef,
                      factor: float) -> list[Cell]:
    """A table whose rows are metrics (重点项目(个), 完成投资(亿元)) and whose columns are periods, each
    header cell naming its year and months: the list's figure of each period."""
    periods = [find_time_mentions(name) for name in header]
    cells: list[Cell] = []
    for (start, end), line in body:
        values = _cells(line)
        metric = next((m for p, m in _COLUMNS if p.search(values[0])), None) if values else None
        if metric is None or _RULE.match(line):
            continue
        unit_factor = _unit_of(values[0], factor, metric)
        for column in range(1, min(len(values), len(header))):
            value = _cell_number(values[column])
            if value is not None and any(m.year or m.months for m in periods[column]):
                cells.append(Cell(base, metric, value * unit_factor, start, end, periods[column]))
    return cells


def _cell_number(raw: str) -> float | None:
    """A cell's number (-1.7, 1,234.5, 58.6%), or None for a cell that is no number."""
    number = _NUMBER.match(raw)
    if number is None:
        return None
    text = number.group(1).replace(",", "")
    return -parse_number(text[1:]) if text.startswith("-") else parse_number(text)


def _column_factor(name: str, factor: float) -> float:
    """The factor to 亿元 of a column: its own unit (总投资(亿元) beside 年度计划(万元)), else the table's."""
    return 1e-4 if "万元" in name else 1.0 if "亿元" in name else factor


def _unit_of(label: str, factor: float, metric: str) -> float:
    """The factor to 亿元 of a row's amounts (its label may say 万元), 1 for other metrics."""
    if METRIC_UNITS[metric] != "亿元":
        return 1.0
    return 1e-4 if "万元" in label else factor


def _is_sub_header(cells: list[str], top: list[str]) -> bool:
    """A second header row under merged cells: its first cell empty (or the top row's: | |省级重点项目|…
    over |时段|项目数|…), two or more words, no numbers."""
    return len(cells) >= 3 and not (cells[0] and top[0]) and len([c for c in cells if c]) >= 2 and \
        not any(_NUMBER.match(c) for c in cells if c)


def _merged_header(top: list[str], sub: list[str]) -> list[str]:
    """"|类别|年度计划| |1-9月完成| |" over "| |项目数|投资额|投资额|完成率|": each column's group (a
    merged cell spreads right over the empty cells after it) joined to its own name."""
    merged, group = [], ""
    for index in range(max(len(top), len(sub))):
        cell = top[index] if index < len(top) else ""
        group = cell or group
        below = sub[index] if index < len(sub) else ""
        merged.append(group + below if index else cell or below)
    return merged


def _total_of_levels(rows: list[tuple[int, int, list[str], ListRef]], level: str) -> None:
    """A total row under rows that are lists of different levels, the reporter's own ``level``
    among them (省级 / 市级 / 区级重点项目), is their combined list (province+city+county), not
    the reporter's own: its ref is set so."""
    totals = [i for i, (_, _, values, _) in enumerate(rows) if _TOTAL.match(values[0])]
    named = [ref for _, _, values, ref in rows if not _TOTAL.match(values[0])]
    scopes = [ref.scope for ref in named]
    if not totals or len(named) < 2 or any(ref.region for ref in named) or len(set(scopes)) != len(scopes) \
            or level not in scopes:
        return  # rows such as 列入省重大项目 / 列入市重点项目 are parts of the reporter's own list
    combined = join_scopes(scopes)
    for index in totals:
        start, end, values, ref = rows[index]
        rows[index] = (start, end, values, ListRef(combined, None, ref.under_construction))


def _column_list(name: str, state: DocState) -> ListRef | None:
    """The list a column's (merged) header names with its level (省重点项目项目数), else None."""
    listed = [s for s in find_subjects(name, state) if s.kind == "list" and not s.bare and not s.part]
    return _ref(listed[-1], state) if listed else None


def _ref(subject, state: DocState) -> ListRef:
    return list_ref(subject, state, False)


def _parents_breakdown(labels: list[str], state: DocState) -> ListRef | None:
    """The parent's list, when the rows are places beside the reporter and the reporter is one of them
    (a county's page reposting its city's table by county)."""
    found = [place(label, tuple(state.chain)) for label in labels]
    names = [f.name for f in found if f is not None]
    if len(state.chain) < 2 or state.chain[0] not in names or len(set(names) - set(state.chain)) < 2:
        return None
    parent = state.chain[1]
    return ListRef(government_level(parent), parent)


_LIST_WITHOUT_NOUN = ("重点", "重大", "重点建设")


def _row_ref(label: str, base: ListRef, state: DocState) -> ListRef | None:
    """The list a row stands for: the total, a place (with the caption's list) or a named list. When
    the list is a parent's (a county's page reposting its city's table), the total is the parent's and
    the reporter is one of the rows."""
    parents = base.region is not None and base.region in state.chain[1:]
    if _TOTAL.match(label):
        return ListRef(base.scope, base.region if parents else None, base.under_construction)
    label = _SUBTOTAL.sub("", label) or label  # 省级小计, 省级重点项目小计（3个）: that level's list
    # 自治区重点 / 县级重点 / 省级: a level's list named without its noun in a column of list names
    named = label + "项目" if label.endswith(_LIST_WITHOUT_NOUN) else label + "重点项目" if label.endswith("级") else label
    listed = [s for s in find_subjects(named, state) if s.kind == "list"]
    if listed and not listed[-1].part:
        return _ref(listed[-1], state)
    found = place(label, tuple(state.chain))
    if found is not None and (found.name not in state.chain or parents and found.name == state.chain[0]):
        return ListRef(base.scope, found.name, base.under_construction)
    if _town().fullmatch(label):  # 永兴镇: a town, below the division tables
        return ListRef(base.scope, zone_name(label), base.under_construction)
    return None


@functools.cache
def _town() -> re.Pattern[str]:
    """A town's or a zone's name: a few characters and a town or zone word of the lexicon (镇, 乡, 街道,
    经济开发区); not the rest of them (其他乡镇, 其余镇乡)."""
    towns = words("wordings", "place_groups", "town") + words("wordings", "place_groups", "zone")
    return re.compile(rf"(?![其另各全])[\u4e00-\u9fff]{{2,8}}{alternation(towns)}")
