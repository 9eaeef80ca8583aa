"""The fact table: keyproj's data contract (see docs/FACTS.md)."""
from __future__ import annotations

FACT_COLUMNS: list[str] = [
    "doc_id", "region", "scope", "subset", "period_start", "period_end",
    "metric", "value", "unit", "qualifier", "quote", "char_start", "char_end",
]

# metric -> unit
METRIC_UNITS: dict[str, str] = {
    "projects": "count",
    "total_investment": "亿元",
    "annual_plan": "亿元",
    "completed_investment": "亿元",
    "completion_rate": "%",
    "ahead_of_schedule": "pp",
    "started_projects": "count",
    "finished_projects": "count",
    "signed_projects": "count",
    "signed_investment": "亿元",
}
METRICS: list[str] = list(METRIC_UNITS)
SCOPE_LEVELS: list[str] = ["province", "city", "county"]
SUBSETS: list[str] = ["", "under_construction"]
QUALIFIERS: list[str] = ["", "approx", "over", "under"]
# Figures about the list itself cover the whole year, whatever period the sentence reports.
LIST_METRICS: frozenset[str] = frozenset({"projects", "total_investment", "annual_plan"})
