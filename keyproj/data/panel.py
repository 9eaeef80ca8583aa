"""The panel: one row per region x scope x subset x period, figures reconciled across sources.

**Rows.** Every (region, scope, subset, period_start, period_end) that has at least one fact is a
row. Figures about the list itself (projects, total_investment, annual_plan) are stated for the
whole year (period YYYY-01..YYYY-12); a row covering part of that year (2024-01..2024-09) takes
the list figures it lacks from the same region/scope/subset's full-year figures. For a year the
source does not state ('0000'), only list figures from one of the row's own sources join.
A period spanning several years joins nothing; its ``year`` is the year it ends.

**Reconciliation rule.** When several facts give one figure, the panel takes the first by:

1. a researcher's correction (data/corrections.csv) wins;
2. then a government site (URL host ending in .gov.cn) over any other site or mirror;
3. then the later publication date (a date known only to the year or month counts as its first
   day; an unknown date comes last);
4. then a document of data/raw before a reference CSV row;
5. then the source string (document id or URL) in alphabetical order, then the smaller value.

Values differing by more than 0.005 raise the ``conflict`` flag; facts.csv keeps them all. The
rule only settles one figure of one list: two counts of different lists are two rows, never a conflict.

**Lists as they are** (:func:`own_subsets`): a fact the extractor left on the whole list goes to
its 在建 part (subset ``under_construction``) when its own words name only that part: every list
noun of a document fact's sentence is qualified by 在建 (49个省在建重点项目), or a reference
page's title counts the 在建 part with the very number the page gives as the list's projects
(460个在建重点项目: that page's figures of that region, list and year, and those of any page giving
the same count for the same list and year). facts.csv keeps the
extractor's subset; the panel and the reports use this one.

**Calculated columns** (keyproj.metrics): ``completion_rate_calc`` = completed_investment /
annual_plan (%); ``elapsed_pct`` = months covered / 12 (%): end month / 12 for periods from
January (1-9月 -> 75), 1/12 for a single month such as 3月份; empty for multi-year periods;
``ahead_calc`` = (reported rate, else calculated rate) - elapsed_pct (percentage points);
``implied_annual_plan`` = completed_investment / reported rate (亿元).

**Flags** (``flags``, ';'-joined; see keyproj.data.tables.FLAGS): conflict, rate_mismatch,
ahead_mismatch, completed_gt_total, subset_gt_whole, rate_out_of_range. The mismatch checks skip
figures with a qualifier (approx, over, under): they are bounds, not values.

**List notes** (keyproj.data.notes, from reference/notes/list_notes.csv): ``list_note`` holds the codes of
the notes saying the row's list is not comparable with the others (non-empty = leave the row out
when pooling), ``caveats`` the codes of notes that leave it comparable; both ';'-joined.
"""
from __future__ import annotations

import functools
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import urlsplit

from keyproj import lexicon, metrics
from keyproj.data.notes import ListNote, note_codes
from keyproj.data.tables import FACTS_TABLE, FLAGS, PANEL_TABLE, is_full_year, typed_panel, validate
from keyproj.facts import LIST_METRICS, METRICS

if TYPE_CHECKING:
    import pandas as pd

CONFLICT_TOLERANCE = 0.005
"""Values of one figure further apart than this are a conflict (亿元, count, % or pp)."""
MISMATCH_TOLERANCE = 0.5
"""Reported and calculated rates further apart than this are a mismatch (percentage points)."""
RATE_RANGE = (0.0, 300.0)
"""Plausible completion rates (%)."""
CALC_DIGITS = 4
"""Decimals kept for calculated columns."""

_SOURCE_PRIORITY = {"correction": 0, "document": 1, "reference": 2}
_FACT_DEFAULTS: dict[str, str] = {name: "" for name in FACTS_TABLE.names}

Fact = dict[str, Any]
CellKey = tuple[str, str, str, str, str, str]


# ---------------------------------------------------------------- facts in

def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return ""
    except ImportError:  # pragma: no cover
        pass
    return str(value)


def normalize_facts(facts: "pd.DataFrame | Iterable[Mapping[str, Any]]") -> list[Fact]:
    """Facts as dicts of the facts.csv columns: text cells ('' = missing), ``value`` a float.

    Columns a caller lacks get defaults: no ``source`` means the ``doc_id``, no ``source_kind``
    means 'document'. Accepts a DataFrame (e.g. the extractor's output) or an iterable of dicts.
    """
    if hasattr(facts, "to_dict"):
        records = facts.to_dict("records")  # type: ignore[union-attr]
    else:
        records = list(facts)
    out: list[Fact] = []
    for record in records:
        fact: Fact = dict(_FACT_DEFAULTS)
        for name in _FACT_DEFAULTS:
            if name in record:
                fact[name] = _text(record[name])
        fact["value"] = float(record["value"])
        if not fact["source"]:
            fact["source"] = fact["doc_id"]
        if not fact["source_kind"]:
            fact["source_kind"] = "document"
        out.append(fact)
    return out


# ---------------------------------------------------------------- lists as they are

_COUNT_BEFORE = re.compile(r"(\d+)个[^\d个]{0,8}$")
"""A count ending right before a list noun: 460个(在建重点项目), 111个省(重点在建项目)."""


@functools.cache
def _list_nouns() -> tuple[re.Pattern[str], tuple[str, ...]]:
    return (lexicon.compile_words(lexicon.words("wordings", "list_nouns", "key_list")),
            tuple(lexicon.words("wordings", "under_construction", "part")))


def _part_nouns(text: str) -> tuple[list[re.Match[str]], list[re.Match[str]]]:
    """The list nouns of ``text``: all of them, and those qualified by 在建 (in or right before the noun)."""
    nouns, part = _list_nouns()
    found = list(nouns.finditer(text))
    qualified = [m for m in found if any(word in m.group(0) or text[:m.start()].endswith(word) for word in part)]
    return found, qualified


def _names_only_the_part(text: str) -> bool:
    """Whether every list noun of a sentence is the 在建 part (and it has one)."""
    found, qualified = _part_nouns(text)
    return bool(found) and len(found) == len(qualified)


def _part_counts(title: str) -> set[float]:
    """The counts a title gives to the 在建 part of a list (460个在建重点项目 -> {460})."""
    counts = set()
    for match in _part_nouns(title)[1]:
        count = _COUNT_BEFORE.search(title[max(0, match.start() - 12):match.start()])
        if count:
            counts.add(float(count.group(1)))
    return counts


def own_subsets(facts: list[Fact]) -> list[Fact]:
    """The facts with the subset their own words give (see the module's "Lists as they are").

    Only facts on the whole list (subset '') move; the others are returned as they are.
    """
    counts = [fact for fact in facts if fact["source_kind"] == "reference" and not fact["subset"]
              and fact["metric"] == "projects"]
    part_counts = {(fact["region"], fact["scope"], fact["period_end"][:4], fact["value"]) for fact in counts
                   if fact["value"] in _part_counts(fact["title"])}
    # a page giving the same count of the same list and year counts the same 在建 part
    moved_pages = {(fact["source"], fact["region"], fact["scope"], fact["period_end"][:4]) for fact in counts
                   if (fact["region"], fact["scope"], fact["period_end"][:4], fact["value"]) in part_counts}
    out = []
    for fact in facts:
        if not fact["subset"] and (
                (fact["source_kind"] == "document" and _names_only_the_part(fact["quote"]))
                or (fact["source"], fact["region"], fact["scope"], fact["period_end"][:4]) in moved_pages):
            fact = {**fact, "subset": "under_construction"}
        out.append(fact)
    return out


# ---------------------------------------------------------------- reconciliation

def is_government_url(url: str) -> bool:
    """Whether ``url``'s host is a Chinese government site (ends in .gov.cn)."""
    host = (urlsplit(url).hostname or "") if url else ""
    return host == "gov.cn" or host.endswith(".gov.cn")


def _date_number(published: str) -> int:
    """YYYYMMDD of a publication date; a missing month or day counts as the first; '' is 0."""
    if not published:
        return 0
    parts = [int(part) for part in published.split("-")] + [1, 1]
    return parts[0] * 10000 + parts[1] * 100 + parts[2]


def source_priority(fact: Fact) -> tuple[Any, ...]:
    """Sort key of the reconciliation rule: the smallest key gives the panel's figure."""
    url = fact.get("url") or (fact["source"] if fact["source_kind"] == "reference" else "")
    return (
        fact["source_kind"] != "correction",
        not is_government_url(url),
        -_date_number(fact["published"]),
        _SOURCE_PRIORITY.get(fact["source_kind"], 9),
        fact["source"],
        fact["value"],
        fact["char_start"].zfill(12),
    )


def choose(candidates: list[Fact]) -> tuple[Fact, bool]:
    """The fact the panel takes among one figure's facts, and whether they conflict."""
    chosen = min(candidates, key=source_priority)
    values = [fact["value"] for fact in candidates]
    return chosen, max(values) - min(values) > CONFLICT_TOLERANCE


# ---------------------------------------------------------------- panel rows

def _number(value: float | None) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)


def format_number(value: float | None, digits: int | None = None) -> str:
    """Fixed text of a number: '' if missing, no trailing '.0', rounded to ``digits`` if given."""
    if value is None or math.isnan(value):
        return ""
    if digits is not None:
        value = round(value, digits)
    if value == 0:
        value = 0.0  # no '-0'
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


class RowKey(NamedTuple):
    """What names a panel row (and sorts the panel)."""

    region: str
    scope: str
    subset: str
    period_start: str
    period_end: str

    @property
    def year(self) -> str | None:
        """The year the period lies in ('0000' if unknown), or None when it spans several years."""
        return self.period_start[:4] if self.period_start[:4] == self.period_end[:4] else None

    @property
    def is_full_year(self) -> bool:
        """Whether the period is a whole calendar year (YYYY-01..YYYY-12, '0000' included)."""
        return is_full_year(self.period_start, self.period_end)


@dataclass(frozen=True)
class Calculated:
    """A row's calculated columns (keyproj.metrics); None where an input is missing."""

    completion_rate_calc: float | None  # completed / annual plan, %
    elapsed_pct: float | None  # share of the year the period covers, %
    ahead_calc: float | None  # (reported, else calculated) rate minus elapsed share, pp
    implied_annual_plan: float | None  # completed / reported rate, 亿元


@dataclass
class PanelRow:
    """One panel row while it is built: the facts it uses per metric and the figures chosen."""

    key: RowKey
    used: dict[str, list[Fact]]  # metric -> candidate facts (own, plus joined full-year list figures)
    chosen: dict[str, Fact]
    conflict: bool
    calc: Calculated
    flags: set[str] = field(default_factory=set)
    notes: tuple[str, str] = ("", "")  # the list_note and caveats cells

    @property
    def year(self) -> str:
        """The year cell: the year the period ends, '' when unknown."""
        year = self.key.year or self.key.period_end[:4]
        return "" if year == "0000" else str(int(year))

    def value(self, metric: str) -> float | None:
        """The chosen figure of ``metric`` (亿元, count, % or pp), None when the row has none."""
        fact = self.chosen.get(metric)
        return fact["value"] if fact is not None else None

    @property
    def qualified(self) -> set[str]:
        """Metrics whose chosen figure is a bound or an approximation (approx, over, under)."""
        return {metric for metric, fact in self.chosen.items() if fact["qualifier"]}

    @property
    def n_sources(self) -> int:
        return len({fact["source"] for candidates in self.used.values() for fact in candidates})


def _cells(facts: list[Fact]) -> dict[CellKey, list[Fact]]:
    """Facts grouped by figure: region, scope, subset, period and metric."""
    cells: dict[CellKey, list[Fact]] = defaultdict(list)
    for fact in facts:
        key = (fact["region"], fact["scope"], fact["subset"], fact["period_start"], fact["period_end"],
               fact["metric"])
        cells[key].append(fact)
    return cells


def _row_cells(cells: dict[CellKey, list[Fact]]) -> dict[RowKey, dict[str, list[Fact]]]:
    """Each row's candidates per metric: its own facts, plus the full-year list figures it lacks."""
    own_cells: dict[RowKey, dict[str, list[Fact]]] = defaultdict(dict)
    for key, candidates in cells.items():
        own_cells[RowKey(*key[:5])][key[5]] = candidates
    rows: dict[RowKey, dict[str, list[Fact]]] = {}
    for key in sorted(own_cells):
        own = own_cells[key]
        used = dict(own)
        year = key.year
        if year and not key.is_full_year:
            own_sources = {fact["source"] for candidates in own.values() for fact in candidates}
            for metric in sorted(LIST_METRICS - own.keys()):
                candidates = cells.get((key.region, key.scope, key.subset, f"{year}-01", f"{year}-12", metric), [])
                if year == "0000":  # an unknown year may be another year: only the row's own sources
                    candidates = [fact for fact in candidates if fact["source"] in own_sources]
                if candidates:
                    used[metric] = candidates
        rows[key] = used
    return rows


def _choose_all(used: dict[str, list[Fact]]) -> tuple[dict[str, Fact], bool]:
    """The chosen fact of each metric, and whether any metric's sources conflict."""
    chosen: dict[str, Fact] = {}
    conflict = False
    for metric, candidates in used.items():
        chosen[metric], disagree = choose(candidates)
        conflict = conflict or disagree
    return chosen, conflict


def _calculated(key: RowKey, value: Mapping[str, float | None]) -> Calculated:
    """The calculated columns of a row from its chosen figures."""
    rate_calc = _number(metrics.completion_rate(value["completed_investment"], value["annual_plan"]))
    # a rate over a single month (3月份 8.6 %) is benchmarked against that month alone (1/12)
    elapsed = _number(metrics.elapsed_share(key.period_start, key.period_end, basis="period"))
    rate_for_ahead = value["completion_rate"] if value["completion_rate"] is not None else rate_calc
    return Calculated(
        completion_rate_calc=rate_calc,
        elapsed_pct=elapsed,
        ahead_calc=_number(metrics.ahead_of_schedule(rate_for_ahead, elapsed)),
        implied_annual_plan=_number(metrics.implied_annual_plan(value["completed_investment"],
                                                                value["completion_rate"])),
    )


def _panel_row(key: RowKey, used: dict[str, list[Fact]]) -> PanelRow:
    chosen, conflict = _choose_all(used)
    value = {metric: chosen[metric]["value"] if metric in chosen else None for metric in METRICS}
    return PanelRow(key, used, chosen, conflict, _calculated(key, value))


def _row_flags(row: PanelRow) -> set[str]:
    """The flags a row raises on its own (all but subset_gt_whole). Bounds skip the mismatch checks."""
    rate, completed, total = row.value("completion_rate"), row.value("completed_investment"), row.value("total_investment")
    ahead = row.value("ahead_of_schedule")
    calc, qualified = row.calc, row.qualified
    flags: set[str] = {"conflict"} if row.conflict else set()
    if (rate is not None and calc.completion_rate_calc is not None
            and not qualified & {"completion_rate", "completed_investment", "annual_plan"}
            and abs(rate - calc.completion_rate_calc) > MISMATCH_TOLERANCE):
        flags.add("rate_mismatch")
    rate_inputs = {"completion_rate"} if rate is not None else {"completed_investment", "annual_plan"}
    if (ahead is not None and calc.ahead_calc is not None
            and not qualified & ({"ahead_of_schedule"} | rate_inputs)
            and abs(ahead - calc.ahead_calc) > MISMATCH_TOLERANCE):
        flags.add("ahead_mismatch")
    if completed is not None and total is not None and completed > total + CONFLICT_TOLERANCE:
        flags.add("completed_gt_total")
    if any(value is not None and not RATE_RANGE[0] <= value <= RATE_RANGE[1]
           for value in (rate, calc.completion_rate_calc)):
        flags.add("rate_out_of_range")
    return flags


def _subset_larger(row: PanelRow, whole: PanelRow) -> bool:
    """Whether a subset row has more projects, total investment or plan than its whole list."""
    for metric in ("projects", "total_investment", "annual_plan"):
        part, full = row.value(metric), whole.value(metric)
        if part is not None and full is not None and part > full + CONFLICT_TOLERANCE:
            return True
    return False


def _record(row: PanelRow) -> dict[str, str]:
    """A row as the text cells of panel.csv (PANEL_TABLE columns, in order)."""
    record = row.key._asdict()
    record["year"] = row.year
    calculated = asdict(row.calc)
    for column in PANEL_TABLE.names:
        if column in METRICS:
            record[column] = format_number(row.value(column))
        elif column in calculated:
            record[column] = format_number(calculated[column], CALC_DIGITS)
    record["n_sources"] = str(row.n_sources)
    order = [metric for metric in PANEL_TABLE.names if metric in row.chosen]
    record["sources"] = ";".join(f"{metric}={row.chosen[metric]['source']}" for metric in order)
    record["qualifiers"] = ";".join(f"{metric}={row.chosen[metric]['qualifier']}"
                                    for metric in order if row.chosen[metric]["qualifier"])
    record["flags"] = ";".join(flag for flag in FLAGS if flag in row.flags)
    record["list_note"], record["caveats"] = row.notes
    record.update(cite_doc_id="", cite_quote="", cite_start="", cite_end="")  # a build fills them (keyproj.data.cite)
    return {column: record[column] for column in PANEL_TABLE.names}


def panel_records(facts: list[Fact], notes: Sequence[ListNote] = ()) -> list[dict[str, str]]:
    """The panel's rows as text dicts (PANEL_TABLE columns), sorted by region, scope, subset, period.

    Steps: give each fact its list's part (:func:`own_subsets`), group facts into rows (joining full-year list figures), choose each figure, calculate,
    flag, note (``notes``: keyproj.data.notes, comparability notes on lists), format.
    """
    rows = {key: _panel_row(key, used) for key, used in _row_cells(_cells(own_subsets(facts))).items()}
    for row in rows.values():
        row.flags = _row_flags(row)
        whole = rows.get(row.key._replace(subset="")) if row.key.subset else None
        if whole is not None and _subset_larger(row, whole):
            row.flags.add("subset_gt_whole")
        row.notes = note_codes(notes, row.key.region, row.key.scope, row.year, row.key.is_full_year,
                               row.chosen.keys())
    return [_record(rows[key]) for key in sorted(rows)]


def panel_table(facts: "pd.DataFrame | Iterable[Mapping[str, Any]]",
                notes: Sequence[ListNote] = ()) -> "pd.DataFrame":
    """The panel as a text table (the exact cells of panel.csv), from facts of any source."""
    import pandas as pd

    records = panel_records(normalize_facts(facts), notes)
    return pd.DataFrame(records, columns=PANEL_TABLE.names, dtype=object).astype(str) if records else \
        pd.DataFrame({name: pd.Series([], dtype=str) for name in PANEL_TABLE.names})


def build_panel(facts: "pd.DataFrame | Iterable[Mapping[str, Any]]",
                notes: Sequence[ListNote] = ()) -> "pd.DataFrame":
    """The typed panel (as :func:`keyproj.data.load.load_panel` returns it) from facts of any source.

    ``facts`` has the fact columns (keyproj.facts.FACT_COLUMNS; missing ones are filled:
    source = doc_id, source_kind = 'document'). Amounts in 亿元, rates in %, leads in
    percentage points. The result is validated against keyproj.data.tables.PANEL_TABLE.
    """

    table = panel_table(facts, notes)
    validate(table, PANEL_TABLE, "<panel>")
    return typed_panel(table)
