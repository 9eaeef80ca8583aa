"""What stands behind a report: region-years, which figures are reported, imputed or bounds, which
periods; the selective-publication pattern of full-year rates;
signed (招商) projects as their own list (the index's coverage grid: keyproj.data.coverage).

Works on the typed panel (keyproj.data.load.load_panel). Amounts in 亿元, rates in %.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from keyproj.report.labels import label
from keyproj.report.tables import BOUNDS, list_label, parse_sources, period_label

if TYPE_CHECKING:
    import pandas as pd


def _cell(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if number != number else number


def _is_full(row: dict[str, Any]) -> bool:
    start, end = row["period_start"], row["period_end"]
    return hasattr(start, "month") and str(start) not in {"NaT", "<NA>"} and start.month == 1 and end.month == 12


def _rate(row: dict[str, Any]) -> float | None:
    reported = _cell(row.get("completion_rate"))
    return reported if reported is not None else _cell(row.get("completion_rate_calc"))


@dataclass(frozen=True)
class ReportCoverage:
    """Counts behind a report's panel rows (one region-year = region x list x subset x year)."""

    region_years: int
    plans_reported: int
    plans_implied: int
    plans_bound: int
    full_year_results: int
    in_year_results: int
    both: int  # region-years with a reported plan and a full-year result
    periods: tuple[str, ...]  # part-year periods seen (1-4月, 1-9月, ...)


def report_coverage(panel: "pd.DataFrame") -> ReportCoverage:
    """The :class:`ReportCoverage` of a (selected) typed panel; rows of unknown year are left out."""
    years: dict[tuple[str, str, str, int], dict[str, bool]] = {}
    periods: set[str] = set()
    for row in panel[panel["year"].notna()].to_dict("records"):
        key = (str(row["region"]), str(row["scope"]), str(row["subset"] or ""), int(row["year"]))
        seen = years.setdefault(key, dict.fromkeys(("reported", "implied", "bound", "full", "part"), False))
        qualifiers = parse_sources(row.get("qualifiers"))
        if _cell(row.get("annual_plan")) is not None:
            seen["bound" if qualifiers.get("annual_plan") in BOUNDS else "reported"] = True
        elif _cell(row.get("implied_annual_plan")) is not None:
            seen["implied"] = True
        result = _cell(row.get("completed_investment")) is not None or _rate(row) is not None
        if result and _is_full(row):
            seen["full"] = True
        elif result:
            seen["part"] = True
            periods.add(period_label(row["period_start"], row["period_end"]))
    for seen in years.values():  # an imputed plan counts only where no plan is published
        seen["implied"] = seen["implied"] and not (seen["reported"] or seen["bound"])
    count = lambda name: sum(seen[name] for seen in years.values())  # noqa: E731
    return ReportCoverage(
        region_years=len(years), plans_reported=count("reported"), plans_implied=count("implied"),
        plans_bound=count("bound"), full_year_results=count("full"), in_year_results=count("part"),
        both=sum(seen["reported"] and seen["full"] for seen in years.values()),
        periods=tuple(sorted(periods, key=lambda text: (len(text), text))),
    )


@dataclass(frozen=True)
class Selectivity:
    """Full-year completion rates (reported, else calculated) and how many reach 100 %."""

    n: int
    at_least_100: int

    @property
    def all_at_least_100(self) -> bool:
        return self.n > 0 and self.n == self.at_least_100


def selective_publication(panel: "pd.DataFrame") -> Selectivity:
    """Count the full-year rates of a typed panel and those >= 100 %: when every published full-year
    rate reaches the plan, shortfalls are likely unpublished (selective publication)."""
    rates = [rate for row in panel.to_dict("records") if _is_full(row) and (rate := _rate(row)) is not None]
    return Selectivity(n=len(rates), at_least_100=sum(rate >= 100 for rate in rates))


def sentence(key: str, lang: str | None = "zh", **values: Any) -> str:
    """A shared sentence of labels.yaml ``texts`` (pace_caveat, signed, ...) in ``lang``, filled in."""
    return label("texts", key, lang).format(**values)


_text = sentence


def single_point_text(what: str, years: Iterable[Any], lang: str | None = "zh") -> str:
    """The sentence shown instead of a chart when a series has one year only ('' with two or more)."""
    distinct = sorted({int(year) for year in years})
    return sentence("single_point", lang, what=what, year=distinct[0]) if len(distinct) == 1 else ""


def coverage_sentence(panel: "pd.DataFrame", lang: str | None = "zh") -> str:
    """One paragraph: what stands behind a report (its region-years, plans, results and periods);
    ``lang``: zh or en (None is zh)."""
    lang = lang or "zh"
    found = report_coverage(panel)
    periods = ("、" if lang == "zh" else ", ").join(found.periods) or _text("none", lang)
    return _text("coverage", lang, region_years=found.region_years, reported=found.plans_reported,
                 implied=found.plans_implied, bounds=found.plans_bound, full=found.full_year_results,
                 part=found.in_year_results, both=found.both, periods=periods)


def selectivity_sentence(panel: "pd.DataFrame", lang: str | None = "zh") -> str:
    """The selective-publication pattern, stated wherever full-year rates appear ('' without any)."""
    found = selective_publication(panel)
    if not found.n:
        return ""
    key = "selective_all" if found.all_at_least_100 else "selective_some"
    return _text(key, lang, n=found.n, at_least=found.at_least_100, below=found.n - found.at_least_100)


SIGNED_METRICS: tuple[str, ...] = ("signed_projects", "signed_investment")


def signed_projects(panel: "pd.DataFrame") -> "pd.DataFrame":
    """Signed (招商) projects as their own list: one row per region, year and period with a signed
    figure (count, 亿元), never mixed into a key-project list's row."""
    import pandas as pd

    records = [{"region": str(row["region"]), "year": row["year"],
                "period": period_label(row["period_start"], row["period_end"]),
                "signed_projects": _cell(row["signed_projects"]), "signed_investment": _cell(row["signed_investment"])}
               for row in panel.to_dict("records")
               if any(_cell(row[m]) is not None for m in SIGNED_METRICS)]
    return pd.DataFrame(records, columns=["region", "year", "period", "signed_projects", "signed_investment"])


def fact_list_label(fact: Any) -> str:
    """The list a fact (a row of ``audit_facts``) belongs to, as the panel counts it: 省重点项目(在建项目)
    for a sentence naming only the 在建 part, 招商签约项目 for signed projects (their own list)."""
    if str(fact.metric) in SIGNED_METRICS:
        return label("scopes", "signed")
    return list_label(fact.scope, getattr(fact, "list_subset", fact.subset))
