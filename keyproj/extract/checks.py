"""The arithmetic check: where a document gives a list's plan, completed investment and rate,
completed ≈ plan × rate / 100. Contradictions are returned as notes beside the facts, never
dropped silently; the fact table's columns stay as they are."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

RELATIVE_TOLERANCE = 0.02  # rates are printed to 0.1 %, amounts to 0.01 亿元: 2 % absorbs the rounding


def check_notes(rows: Iterable[Mapping[str, Any]]) -> list[str]:
    """One note per list and period whose completed investment (亿元) is not plan (亿元) × rate (%) / 100.

    ``rows`` are fact rows as dicts (keyproj.extract.extract_rows). A note names the list, the period and
    the three figures, e.g. ``check: 泉港区 county 2024-01..2024-12: completed 310.04 vs plan 309.96 × 90% = 278.96``.
    """
    plans: dict[tuple[str, str, str, str], float] = {}
    flows: dict[tuple[str, str, str, str, str, str], dict[str, float]] = {}
    for row in rows:
        year = str(row["period_start"])[:4]
        base = (row["region"], row["scope"], row.get("subset", ""), year)
        if row["metric"] == "annual_plan":
            plans[base] = float(row["value"])
        elif row["metric"] in ("completed_investment", "completion_rate"):
            key = base + (row["period_start"], row["period_end"])
            flows.setdefault(key, {})[row["metric"]] = float(row["value"])
    notes = []
    for key, figures in flows.items():
        plan = plans.get(key[:4])
        if plan is None or len(figures) < 2:
            continue
        expected = plan * figures["completion_rate"] / 100
        completed = figures["completed_investment"]
        if abs(completed - expected) > RELATIVE_TOLERANCE * max(abs(expected), 1e-9):
            region, scope, _, _, start, end = key
            notes.append(f"check: {region} {scope} {start}..{end}: completed {completed:g} vs plan {plan:g} × "
                         f"{figures['completion_rate']:g}% = {expected:.2f}")
    return notes
