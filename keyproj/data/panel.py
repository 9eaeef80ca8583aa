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

Values differing by more than 0.005 raise the ``conflict`` flag; facts.csv keeps them all.

**Calculated columns** (keyproj.metrics): ``completion_rate_calc`` = completed_investment /
annual_plan (%); ``elapsed_pct`` = months covered / 12 (%): end month / 12 for periods from
January (1-9月 -> 75), 1/12 for a single month such as 3月份; empty for multi-year periods;
``ahead_calc`` = (reported rate, else calculated rate) - elapsed_pct (percentage points);
``implied_annual_plan`` = completed_investment / reported rate (亿元).

**Flags** (``flags``, ';'-joined; see keyproj.data.tables.FLAGS): conflict, rate_mismatch,
ahead_mismatch, completed_gt_total, subset_gt_whole, rate_out_of_range. The mismatch checks skip
figures with a qualifier (approx, over, under): they are bounds, not values.
"""
from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from keyproj import metrics
from keyproj.data.tables import FACTS_TABLE, FLAGS, PANEL_TABLE, typed_panel, validate
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

_INT_COLUMNS = frozenset({"projects", "started_projects", "finished_projects", "signed_projects"})
_KIND_ORDER = {"correction": 0, "document": 1, "reference": 2}
_FACT_DEFAULTS: dict[str, str] = {name: "" for name in FACTS_TABLE.names}

Fact = dict[str, Any]
CellKey = tuple[str, str, str, str, str, str]
RowKey = tuple[str, str, str, str, str]


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
        _KIND_ORDER.get(fact["source_kind"], 9),
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


def _row_period_year(period_start: str, period_end: str) -> str | None:
    """The year a row's period lies in ('0000' if unknown), or None when it spans several years."""
    return period_start[:4] if period_start[:4] == period_end[:4] else None


def panel_records(facts: list[Fact]) -> list[dict[str, str]]:
    """The panel's rows as text dicts (PANEL_TABLE columns), sorted by region, scope, subset, period."""

    cells: dict[CellKey, list[Fact]] = defaultdict(list)
    for fact in facts:
        key = (fact["region"], fact["scope"], fact["subset"], fact["period_start"], fact["period_end"],
               fact["metric"])
        cells[key].append(fact)
    rows: dict[RowKey, dict[str, list[Fact]]] = defaultdict(dict)
    for key, candidates in cells.items():
        rows[key[:5]][key[5]] = candidates

    computed: dict[RowKey, dict[str, Any]] = {}
    for row_key in sorted(rows):
        region, scope, subset, period_start, period_end = row_key
        own = rows[row_key]
        used: dict[str, list[Fact]] = dict(own)
        year = _row_period_year(period_start, period_end)
        full_year = (f"{year}-01", f"{year}-12") if year else None
        if full_year and (period_start, period_end) != full_year:
            own_sources = {fact["source"] for candidates in own.values() for fact in candidates}
            for metric in sorted(LIST_METRICS - own.keys()):
                candidates = cells.get((region, scope, subset, *full_year, metric), [])
                if year == "0000":
                    candidates = [fact for fact in candidates if fact["source"] in own_sources]
                if candidates:
                    used[metric] = candidates
        chosen: dict[str, Fact] = {}
        conflict = False
        for metric, candidates in used.items():
            chosen[metric], disagree = choose(candidates)
            conflict = conflict or disagree
        value = {metric: chosen[metric]["value"] if metric in chosen else None for metric in METRICS}
        qualified = {metric for metric, fact in chosen.items() if fact["qualifier"]}

        rate_calc = _number(metrics.completion_rate(value["completed_investment"], value["annual_plan"]))
        # a rate over a single month (3月份 8.6 %) is benchmarked against that month alone (1/12)
        elapsed = _number(metrics.elapsed_share(period_start, period_end, basis="period"))
        rate_for_ahead = value["completion_rate"] if value["completion_rate"] is not None else rate_calc
        ahead_calc = _number(metrics.ahead_of_schedule(rate_for_ahead, elapsed))
        implied = _number(metrics.implied_annual_plan(value["completed_investment"], value["completion_rate"]))

        flags: set[str] = set()
        if conflict:
            flags.add("conflict")
        if (value["completion_rate"] is not None and rate_calc is not None
                and not qualified & {"completion_rate", "completed_investment", "annual_plan"}
                and abs(value["completion_rate"] - rate_calc) > MISMATCH_TOLERANCE):
            flags.add("rate_mismatch")
        rate_inputs = {"completion_rate"} if value["completion_rate"] is not None else \
            {"completed_investment", "annual_plan"}
        if (value["ahead_of_schedule"] is not None and ahead_calc is not None
                and not qualified & ({"ahead_of_schedule"} | rate_inputs)
                and abs(value["ahead_of_schedule"] - ahead_calc) > MISMATCH_TOLERANCE):
            flags.add("ahead_mismatch")
        if (value["completed_investment"] is not None and value["total_investment"] is not None
                and value["completed_investment"] > value["total_investment"] + CONFLICT_TOLERANCE):
            flags.add("completed_gt_total")
        if any(rate is not None and not RATE_RANGE[0] <= rate <= RATE_RANGE[1]
               for rate in (value["completion_rate"], rate_calc)):
            flags.add("rate_out_of_range")

        sources_used = {fact["source"] for candidates in used.values() for fact in candidates}
        computed[row_key] = {
            "value": value, "chosen": chosen, "flags": flags, "n_sources": len(sources_used),
            "year": year if year else period_end[:4],
            "calc": {"completion_rate_calc": rate_calc, "elapsed_pct": elapsed, "ahead_calc": ahead_calc,
                     "implied_annual_plan": implied},
        }

    for row_key, row in computed.items():
        if not row_key[2]:
            continue
        whole = computed.get((row_key[0], row_key[1], "", row_key[3], row_key[4]))
        if whole and any(row["value"][m] is not None and whole["value"][m] is not None
                         and row["value"][m] > whole["value"][m] + CONFLICT_TOLERANCE
                         for m in ("projects", "total_investment", "annual_plan")):
            row["flags"].add("subset_gt_whole")

    records: list[dict[str, str]] = []
    for row_key in sorted(computed):
        row = computed[row_key]
        record = dict(zip(("region", "scope", "subset", "period_start", "period_end"), row_key))
        record["year"] = "" if row["year"] == "0000" else str(int(row["year"]))
        for column in PANEL_TABLE.names:
            if column in METRICS:
                record[column] = format_number(row["value"][column])
            elif column in row["calc"]:
                record[column] = format_number(row["calc"][column], CALC_DIGITS)
        record["n_sources"] = str(row["n_sources"])
        order = [metric for metric in PANEL_TABLE.names if metric in row["chosen"]]
        record["sources"] = ";".join(f"{metric}={row['chosen'][metric]['source']}" for metric in order)
        record["qualifiers"] = ";".join(f"{metric}={row['chosen'][metric]['qualifier']}"
                                        for metric in order if row["chosen"][metric]["qualifier"])
        record["flags"] = ";".join(flag for flag in FLAGS if flag in row["flags"])
        records.append({column: record[column] for column in PANEL_TABLE.names})
    return records


def panel_table(facts: "pd.DataFrame | Iterable[Mapping[str, Any]]") -> "pd.DataFrame":
    """The panel as a text table (the exact cells of panel.csv), from facts of any source."""
    import pandas as pd

    records = panel_records(normalize_facts(facts))
    return pd.DataFrame(records, columns=PANEL_TABLE.names, dtype=object).astype(str) if records else \
        pd.DataFrame({name: pd.Series([], dtype=str) for name in PANEL_TABLE.names})


def build_panel(facts: "pd.DataFrame | Iterable[Mapping[str, Any]]") -> "pd.DataFrame":
    """The typed panel (as :func:`keyproj.data.load.load_panel` returns it) from facts of any source.

    ``facts`` has the fact columns (keyproj.facts.FACT_COLUMNS; missing ones are filled:
    source = doc_id, source_kind = 'document'). Amounts in 亿元, rates in %, leads in
    percentage points. The result is validated against keyproj.data.tables.PANEL_TABLE.
    """

    table = panel_table(facts)
    validate(table, PANEL_TABLE, "<panel>")
    return typed_panel(table)
