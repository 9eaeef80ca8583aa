"""Tables the report notebooks show, shaped from the panel and the facts (keyproj.data.load).

Amounts in 亿元, rates and elapsed share of the year in %, leads in percentage points (pp).
A panel row covers one period (2024-01..2024-09); these helpers pick, for each year, the figure
a reader needs and say where it came from: the whole year when a source gives it, else the
latest part of the year, labelled (1-9月) and set against the elapsed share of the year.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from keyproj import metrics
from keyproj.data.panel import CONFLICT_TOLERANCE, is_government_url, normalize_facts, own_subsets
from keyproj.data.tables import FLAGS
from keyproj.report.labels import label, metric_label, subset_label

if TYPE_CHECKING:
    import pandas as pd

SCOPE_ORDER: tuple[str, ...] = ("province", "province+city", "city", "city+county", "county",
                                "province+county", "province+city+county")


def _value(value: Any) -> float | None:
    """A panel cell as float, None when missing (pd.NA, NaN, None)."""
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def period_label(start: Any, end: Any) -> str:
    """Chinese label of a period: 全年, 1-9月, 3月, or 2021-2025年 across years; 年份不详 when unknown."""
    if start is None or end is None or str(start) in {"NaT", "<NA>"} or str(end) in {"NaT", "<NA>"}:
        return "年份不详"
    if start.year != end.year:
        return f"{start.year}-{end.year}年"
    if start.month == 1 and end.month == 12:
        return "全年"
    if start.month == end.month:
        return f"{start.month}月"
    return f"{start.month}-{end.month}月"


def period_text(start: Any, end: Any) -> str:
    """A period with its year: 2024年1-9月, 2024年全年, 2021-2025年, 年份不详(1-10月)."""
    if start is None or end is None or str(start) in {"NaT", "<NA>"} or str(end) in {"NaT", "<NA>"}:
        months = ""
        if hasattr(start, "month") and hasattr(end, "month") and str(start) not in {"NaT", "<NA>"}:
            months = period_label(start, end)
        return f"年份不详{f'({months})' if months else ''}"
    label = period_label(start, end)
    return label if start.year != end.year else f"{start.year}年{label}"


def parse_sources(text: Any) -> dict[str, str]:
    """The panel's ``sources`` cell ('metric=source;...') as {metric: source}."""
    sources: dict[str, str] = {}
    for part in str(text or "").split(";"):
        metric, sep, source = part.partition("=")
        if sep and metric:
            sources[metric.strip()] = source.strip()
    return sources


def list_label(scope: Any, subset: Any = "", lang: str | None = None) -> str:
    """Name of a list and subset in ``lang`` (None: Chinese): 省重点项目, 市重点项目(在建项目)."""
    code, space = _clean_subset(subset), "" if (lang or "zh") == "zh" else " "
    return label("scopes", str(scope), lang) + (f"{space}({label('subsets', code, lang)})" if code else "")


def _clean_subset(subset: Any) -> str:
    return "" if subset is None or str(subset) in {"nan", "<NA>"} else str(subset)


def _single_year_rows(panel: "pd.DataFrame") -> "pd.DataFrame":
    """Rows with a known year whose period lies within it."""
    rows = panel[panel["year"].notna()]
    same_year = [start.year == end.year for start, end in zip(rows["period_start"], rows["period_end"],
                                                                strict=True)]
    return rows[same_year]


def _latest(rows: list[Mapping[str, Any]], column: str) -> Mapping[str, Any] | None:
    """The row with the latest period end (then the longest period) that has ``column``."""
    having = [row for row in rows if _value(row[column]) is not None]
    if not having:
        return None
    return max(having, key=lambda row: (row["period_end"].month, -row["period_start"].month))


def _is_full_year(row: Mapping[str, Any]) -> bool:
    return row["period_start"].month == 1 and row["period_end"].month == 12


def _first_present(rows: list[Mapping[str, Any]], column: str) -> tuple[float | None, Mapping[str, Any] | None]:
    full = [row for row in rows if _is_full_year(row) and _value(row[column]) is not None]
    if full:
        return _value(full[0][column]), full[0]
    row = _latest(rows, column)
    return (_value(row[column]), row) if row is not None else (None, None)


def _reported_else(rows: list[Mapping[str, Any]], reported: str, fallback: str,
                   fallback_kind: str) -> tuple[float | None, Mapping[str, Any] | None, str]:
    """The reported figure ("reported"), else the fallback column's (``fallback_kind``), else ''."""
    value, row = _first_present(rows, reported)
    if value is not None:
        return value, row, "reported"
    value, row = _first_present(rows, fallback)
    return value, row, fallback_kind if value is not None else ""


def _row_period(row: Mapping[str, Any] | None) -> str:
    return period_label(row["period_start"], row["period_end"]) if row is not None else ""


# The sources of a calculated figure are those of the figures it is calculated from.
_CALCULATED_FROM = {"implied_annual_plan": ("completed_investment", "completion_rate"),
                    "completion_rate_calc": ("completed_investment", "annual_plan")}


def _row_source(row: Mapping[str, Any] | None, metric: str) -> str:
    if row is None:
        return ""
    sources = parse_sources(row["sources"])
    if metric in _CALCULATED_FROM:
        return "; ".join(dict.fromkeys(sources[m] for m in _CALCULATED_FROM[metric] if m in sources))
    return sources.get(metric, "")


def _row_qualifier(row: Mapping[str, Any] | None, metric: str) -> str:
    return parse_sources(row.get("qualifiers")).get(metric, "") if row is not None else ""


def year_summary(rows: list[Mapping[str, Any]]) -> dict[str, Any]:
    """One list's figures for one year from its panel rows (same region, scope, subset and year).

    Annual plan: reported, else implied by a completed amount and its rate (``plan_kind``).
    Completed investment and completion rate: the whole year when given, else the latest part of
    the year (``*_period``), with the elapsed share of the year at that point (%).
    """
    plan, plan_row, plan_kind = _reported_else(rows, "annual_plan", "implied_annual_plan", "implied")
    completed, completed_row = _first_present(rows, "completed_investment")
    # the rate of the completed amount's own period; another period's rate only when that has none
    rate, rate_row, rate_kind = _reported_else([completed_row] if completed_row is not None else rows,
                                               "completion_rate", "completion_rate_calc", "calculated")
    if rate is None:
        rate, rate_row, rate_kind = _reported_else(rows, "completion_rate", "completion_rate_calc", "calculated")
    projects, projects_row = _first_present(rows, "projects")
    total, total_row = _first_present(rows, "total_investment")
    ahead = None
    if rate_row is not None:
        ahead = _value(rate_row["ahead_of_schedule"])
        if ahead is None:
            ahead = _value(rate_row["ahead_calc"])

    label, source, qualifier = _row_period, _row_source, _row_qualifier
    flags = sorted({flag for row in rows for flag in str(row.get("flags") or "").split(";") if flag})
    return {
        "projects": projects, "total_investment": total,
        "annual_plan": plan, "plan_kind": plan_kind,
        "plan_bound": plan_kind == "reported" and qualifier(plan_row, "annual_plan") in BOUNDS,
        "completed_investment": completed, "completed_period": label(completed_row),
        "completed_full_year": completed_row is not None and _is_full_year(completed_row),
        "completed_bound": qualifier(completed_row, "completed_investment") in BOUNDS,
        "completion_rate": rate, "rate_kind": rate_kind, "rate_period": label(rate_row),
        "elapsed_pct": _value(rate_row["elapsed_pct"]) if rate_row is not None else None,
        "ahead_of_schedule": ahead,
        "flags": ";".join(flags),
        "qualifiers": {
            "annual_plan": qualifier(plan_row, "annual_plan") if plan_kind == "reported" else "",
            "completed_investment": qualifier(completed_row, "completed_investment"),
            "completion_rate": qualifier(rate_row, "completion_rate") if rate_kind == "reported" else "",
        },
        "sources": {
            "projects": source(projects_row, "projects"),
            "total_investment": source(total_row, "total_investment"),
            "annual_plan": source(plan_row, "annual_plan" if plan_kind == "reported" else "implied_annual_plan"),
            "completed_investment": source(completed_row, "completed_investment"),
            "completion_rate": source(rate_row, "completion_rate" if rate_kind == "reported"
                                      else "completion_rate_calc"),
        },
    }


BOUNDS = ("over", "under")
"""Qualifiers of a bound (2500以上, 不到300): marked in tables and figures, left out of fits."""
ANNUAL_COLUMNS = ["subset", "year", "projects", "total_investment", "annual_plan", "plan_kind", "plan_bound",
                  "completed_investment", "completed_period", "completed_full_year", "completed_bound",
                  "completion_rate",
                  "rate_kind", "rate_period", "elapsed_pct", "ahead_of_schedule", "flags", "qualifiers",
                  "sources"]
NUMERIC_COLUMNS = ("projects", "total_investment", "annual_plan", "completed_investment", "completion_rate",
                   "elapsed_pct", "ahead_of_schedule", "full_year_pace", "completion_rate_reported",
                   "completion_rate_calc", "ahead_reported", "ahead_calc")


def _numeric(frame: "pd.DataFrame") -> "pd.DataFrame":
    """Numeric columns as nullable floats (missing = <NA>)."""
    import pandas as pd

    for column in NUMERIC_COLUMNS:
        if column in frame.columns:
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("Float64")
    return frame


def annual_series(panel: "pd.DataFrame", start_year: int | None = None,
                  end_year: int | None = None) -> "pd.DataFrame":
    """One row per subset and year of one region's list (filter the panel to one region and scope first).

    Columns: ANNUAL_COLUMNS; ``sources`` maps each figure to its source (document id, URL or
    correction). Years outside [start_year, end_year] and rows without a known year are left out.
    """
    import pandas as pd

    rows = _single_year_rows(panel)
    groups: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for record in rows.to_dict("records"):
        year = int(record["year"])
        if (start_year is not None and year < start_year) or (end_year is not None and year > end_year):
            continue
        groups.setdefault((_clean_subset(record["subset"]), year), []).append(record)
    records = [{"subset": subset, "year": year, **year_summary(group)}
               for (subset, year), group in sorted(groups.items())]
    frame = _numeric(pd.DataFrame(records, columns=ANNUAL_COLUMNS))
    frame["year"] = frame["year"].astype("Int64")
    for column in ("completed_full_year", "plan_bound", "completed_bound"):
        frame[column] = frame[column].astype(bool)
    return frame


def growth_table(annual: "pd.DataFrame", include_imputed: bool = False) -> "pd.DataFrame":
    """Year-on-year growth of the annual plan and of full-year completed investment, and the plan ratchet (%).

    One row per subset and year of ``annual`` (see :func:`annual_series`); growth compares with
    the previous calendar year only (NaN when that year is missing). The ratchet is this year's
    plan against last year's full-year completed investment (keyproj.metrics.plan_ratchet_series).
    Imputed plans and bounds (2500以上) are left out unless ``include_imputed``.
    """
    import pandas as pd

    parts = []
    for subset, group in annual.groupby("subset", sort=True):
        indexed = group.set_index(group["year"].astype(int))
        exact_plan = ((indexed["plan_kind"] == "reported") & ~indexed["plan_bound"].astype(bool)) | include_imputed
        exact_done = ~indexed["completed_bound"].astype(bool) | include_imputed
        plans = indexed["annual_plan"].astype(float).where(exact_plan)
        full_year_done = indexed["completed_investment"].astype(float).where(
            indexed["completed_full_year"].astype(bool) & exact_done)
        part = pd.DataFrame({
            "subset": subset,
            "year": indexed.index,
            "annual_plan": plans.to_numpy(),
            "plan_growth_pct": metrics.yoy_growth_series(plans).to_numpy(),
            "completed_full_year": full_year_done.to_numpy(),
            "completed_growth_pct": metrics.yoy_growth_series(full_year_done).to_numpy(),
            "plan_ratchet_pct": metrics.plan_ratchet_series(plans, full_year_done).to_numpy(),
        })
        parts.append(part)
    if not parts:
        return pd.DataFrame(columns=["subset", "year", "annual_plan", "plan_growth_pct", "completed_full_year",
                                     "completed_growth_pct", "plan_ratchet_pct"])
    return pd.concat(parts, ignore_index=True)


FIGURE_METRICS: tuple[str, ...] = ("projects", "total_investment", "annual_plan", "completed_investment",
                                 "completion_rate")
"""The figures of an annual series that sources_table lists."""


def sources_table(annual: "pd.DataFrame") -> "pd.DataFrame":
    """Each figure of an annual series beside its source: one row per year, subset and figure."""
    import pandas as pd

    records = []
    for row in annual.to_dict("records"):
        for metric in FIGURE_METRICS:
            value = _value(row[metric])
            if value is None:
                continue
            qualifier = row["qualifiers"].get(metric, "")
            note = label("qualifiers", qualifier) if qualifier else ""
            if metric == "annual_plan" and row["plan_kind"] == "implied":
                note = "推算:完成投资 ÷ 完成率"
            elif metric == "completion_rate" and row["rate_kind"] == "calculated":
                note = "计算:完成投资 ÷ 年度计划"
            period = {"completed_investment": row["completed_period"],
                      "completion_rate": row["rate_period"]}.get(metric, "全年")
            records.append({"year": row["year"], "subset": subset_label(row["subset"]), "figure": metric_label(metric),
                            "value": value, "period": period, "note": note,
                            "source": row["sources"].get(metric, "")})
    return pd.DataFrame(records, columns=["year", "subset", "figure", "value", "period", "note", "source"])


def year_lists(panel: "pd.DataFrame", year: int) -> "pd.DataFrame":
    """Plan against actual for each list (scope and subset) of one region in one year.

    One row per list: annual plan (reported or implied), completed investment and completion
    rate with the part of the year they cover, the elapsed share of the year (%), the lead over
    schedule (pp), and the full-year pace (rate ÷ elapsed share, %): 76.7 % after 1-9月 is a
    pace of 102.3 % for the whole year.
    """
    import pandas as pd

    rows = _single_year_rows(panel)
    rows = rows[rows["year"] == year]
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for record in rows.to_dict("records"):
        groups.setdefault((str(record["scope"]), _clean_subset(record["subset"])), []).append(record)
    order = {scope: position for position, scope in enumerate(SCOPE_ORDER)}
    records = []
    for (scope, subset), group in sorted(groups.items(), key=lambda item: (order.get(item[0][0], 99), item[0])):
        summary = year_summary(group)
        if all(summary[m] is None for m in FIGURE_METRICS):
            continue  # e.g. only signed (招商) projects: their own list, see keyproj.report.coverage
        rate, elapsed = summary["completion_rate"], summary["elapsed_pct"]
        pace = rate / elapsed * 100 if rate is not None and elapsed else None
        records.append({"scope": scope, "subset": subset, **summary, "full_year_pace": pace})
    return _numeric(pd.DataFrame(records, columns=["scope", "subset", *ANNUAL_COLUMNS[2:], "full_year_pace"]))


def year_periods(panel: "pd.DataFrame", year: int) -> "pd.DataFrame":
    """Every period of one year with a completion rate (reported, else calculated), per list.

    Columns: scope, subset, period, end_month, completion_rate, rate_kind, elapsed_pct (%),
    ahead (pp, reported else calculated), completed_investment (亿元), flags.
    """
    import pandas as pd

    rows = _single_year_rows(panel)
    rows = rows[rows["year"] == year]
    records = []
    for row in rows.to_dict("records"):
        reported = _value(row["completion_rate"])
        calculated = _value(row["completion_rate_calc"])
        rate = reported if reported is not None else calculated
        if rate is None and _value(row["completed_investment"]) is None:
            continue
        ahead = _value(row["ahead_of_schedule"])
        records.append({
            "scope": str(row["scope"]), "subset": _clean_subset(row["subset"]),
            "period": period_label(row["period_start"], row["period_end"]),
            "end_month": int(row["period_end"].month),
            "completion_rate": rate,
            "rate_kind": "reported" if reported is not None else ("calculated" if calculated is not None else ""),
            "completion_rate_reported": reported, "completion_rate_calc": calculated,
            "elapsed_pct": _value(row["elapsed_pct"]),
            "ahead_reported": ahead, "ahead_calc": _value(row["ahead_calc"]),
            "completed_investment": _value(row["completed_investment"]),
            "annual_plan": _value(row["annual_plan"]),
            "flags": str(row.get("flags") or ""),
        })
    columns = ["scope", "subset", "period", "end_month", "completion_rate", "rate_kind",
               "completion_rate_reported", "completion_rate_calc", "elapsed_pct", "ahead_reported",
               "ahead_calc", "completed_investment", "annual_plan", "flags"]
    frame = _numeric(pd.DataFrame(records, columns=columns))
    order = {scope: position for position, scope in enumerate(SCOPE_ORDER)}
    frame["_order"] = [order.get(scope, 99) for scope in frame["scope"]]
    frame = frame.sort_values(["_order", "subset", "end_month"], kind="stable").drop(columns="_order")
    return frame.reset_index(drop=True)


def flag_rows(panel: "pd.DataFrame") -> "pd.DataFrame":
    """Rows of the panel with flags, one line per flag with its meaning (keyproj.data.tables.FLAGS)."""
    import pandas as pd

    records = []
    for row in panel.to_dict("records"):
        for flag in str(row.get("flags") or "").split(";"):
            if flag:
                records.append({"scope": str(row["scope"]), "subset": subset_label(row["subset"]),
                                "period": f"{row['year'] if _value(row['year']) else '?'} "
                                          f"{period_label(row['period_start'], row['period_end'])}",
                                "flag": flag, "meaning": FLAGS.get(flag, "")})
    return pd.DataFrame(records, columns=["scope", "subset", "period", "flag", "meaning"])


# ----------------------------------------------------------------------------------- audit

FIGURE_KEY = ["region", "scope", "subset", "period_start", "period_end", "metric"]


def _text(value: Any) -> str:
    if value is None:
        return ""
    text = str(value)
    return "" if text in {"nan", "<NA>", "NaT", "None"} else text


def list_subsets(facts: "pd.DataFrame") -> list[str]:
    """Each fact's part of its list as the panel counts it (keyproj.data.panel.own_subsets): a fact
    whose own words name only the 在建 part is under_construction even when facts.csv left it ''."""
    return [fact["subset"] for fact in own_subsets(normalize_facts(facts))] if len(facts) else []


def audit_facts(facts: "pd.DataFrame", region: str | None = None, doc_id: str | None = None) -> "pd.DataFrame":
    """The facts of one region (or one document), ordered by period, list and metric; ``list_subset``
    is the part of the list the panel puts each fact in (see :func:`list_subsets`)."""
    selected = facts.assign(list_subset=list_subsets(facts))
    if doc_id is not None:
        selected = selected[selected["doc_id"].astype(str) == doc_id]
    elif region is not None:
        selected = selected[selected["region"].astype(str) == region]
    selected = selected.copy()
    selected["_start"] = selected["period_start"].astype(str)
    selected = selected.sort_values(["_start", "period_end", "scope", "subset", "metric", "source"],
                                    kind="stable").drop(columns="_start")
    return selected.reset_index(drop=True)


def settle_reason(chosen: Mapping[str, Any], other: Mapping[str, Any]) -> str:
    """Why the panel took ``chosen`` over ``other`` (the reconciliation rule of keyproj.data.panel), in Chinese."""
    def url(fact: Mapping[str, Any]) -> str:
        return _text(fact.get("url")) or (_text(fact.get("source")) if _text(fact.get("source_kind")) == "reference"
                                          else "")

    if _text(chosen.get("source_kind")) == "correction":
        return "人工更正优先"
    if is_government_url(url(chosen)) and not is_government_url(url(other)):
        return "政府网站优先"
    mine, theirs = _text(chosen.get("published")), _text(other.get("published"))
    if mine and (not theirs or mine > theirs):
        return "发布日期较晚"
    if _text(chosen.get("source_kind")) == "document" and _text(other.get("source_kind")) == "reference":
        return "原始文件优先于参考数据"
    return "按来源排序"


def conflicts(facts: "pd.DataFrame", panel: "pd.DataFrame") -> "pd.DataFrame":
    """Figures on which sources disagree (values differ by more than 0.005): every value, its
    source, whether the panel took it, and why.
    """
    import pandas as pd

    chosen_sources: dict[tuple[str, ...], str] = {}
    for row in panel.to_dict("records"):
        key = (str(row["region"]), str(row["scope"]), _clean_subset(row["subset"]),
               str(row["period_start"]), str(row["period_end"]))
        for metric, source in parse_sources(row["sources"]).items():
            chosen_sources[(*key, metric)] = source
    records = []
    frame = facts.assign(subset=list_subsets(facts))  # two lists (635 and 460 在建) are never a conflict
    for key, group in frame.groupby([frame[c].astype(str) for c in FIGURE_KEY], sort=True):
        values = group["value"].astype(float)
        if values.max() - values.min() <= CONFLICT_TOLERANCE:
            continue
        key = tuple(key)
        chosen_source = chosen_sources.get(key)
        facts_in = group.to_dict("records")
        chosen = next((fact for fact in facts_in if str(fact["source"]) == chosen_source), None)
        for fact in facts_in:
            taken = chosen is not None and fact is chosen
            records.append({
                "scope": key[1], "subset": subset_label(key[2]), "subset_code": key[2],
                "period_start": key[3], "period_end": key[4],
                "period": period_label(fact["period_start"], fact["period_end"]) if key[3][:4] == key[4][:4]
                else f"{key[3]}..{key[4]}",
                "year": key[3][:4], "metric": key[5], "value": float(fact["value"]),
                "source": _text(fact["source"]), "source_kind": _text(fact["source_kind"]),
                "published": _text(fact.get("published")),
                "taken": "采用" if taken else "",
                "why": "" if chosen is None or taken else f"采用 {chosen['value']:g}:{settle_reason(chosen, fact)}",
            })
    return pd.DataFrame(records, columns=["year", "scope", "subset", "period", "metric", "value", "source",
                                          "source_kind", "published", "taken", "why", "subset_code",
                                          "period_start", "period_end"])


def figure_keys(facts: "pd.DataFrame") -> set[tuple[str, str, str, str, str]]:
    """(scope, subset, period_start, period_end, metric) of each fact: which figures a selection touches."""
    return {(str(row.scope), subset, str(row.period_start), str(row.period_end), str(row.metric))
            for row, subset in zip(facts.itertuples(), list_subsets(facts), strict=True)}


def conflicts_touching(table: "pd.DataFrame", keys: set[tuple[str, str, str, str, str]]) -> "pd.DataFrame":
    """The rows of a :func:`conflicts` table about the figures in ``keys``."""
    keep = [(row.scope, row.subset_code, row.period_start, row.period_end, row.metric) in keys
            for row in table.itertuples()]
    return table[keep]


def corrections_for(corrections: Iterable[Any], region: str | None) -> "pd.DataFrame":
    """The rows of corrections.csv (keyproj.data.corrections.Correction) about one region (all when None)."""
    import pandas as pd

    records = [{"line": c.line, "action": c.action, "scope": c.scope, "subset": subset_label(c.subset),
                "period": f"{c.period_start}..{c.period_end}", "metric": c.metric,
                "value": c.value, "source": c.source, "reason": c.reason, "author": c.author}
               for c in corrections if region is None or c.region == region]
    return pd.DataFrame(records, columns=["line", "action", "scope", "subset", "period", "metric", "value",
                                          "source", "reason", "author"])
