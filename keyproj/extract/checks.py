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


_FLOWS = ("completed_investment", "completion_rate")


def _agrees(plan: float, completed: float, rate: float) -> bool:
    expected = plan * rate / 100
    return abs(completed - expected) <= RELATIVE_TOLERANCE * max(abs(expected), 1e-9)


def settle_lists(rows: list[tuple[Any, ...]], columns: list[str]) -> tuple[list[tuple[Any, ...]], list[str]]:
    """Move a completed investment (亿元) and rate (%) to the list whose plan they fit.

    ``rows`` are one document's fact rows as tuples in ``columns`` order. When a list's completed
    investment and rate contradict its own plan but agree with exactly one other list's plan of the
    same year (completed ≈ plan × rate / 100, that list having no figures of its own for the
    period), the two figures belong to that other list: they are moved there and a ``settled:``
    note says so. Rows are returned in their order; anything less certain is left as it is (the
    contradiction then stays for :func:`check_notes`).
    """
    at = {name: columns.index(name) for name in ("region", "scope", "subset", "period_start", "period_end",
                                                 "metric", "value")}

    def list_of(row: tuple[Any, ...]) -> tuple[str, str, str, str]:
        return (row[at["region"]], row[at["scope"]], row[at["subset"]], str(row[at["period_start"]])[:4])

    plans = {list_of(row): float(row[at["value"]]) for row in rows if row[at["metric"]] == "annual_plan"}
    flows: dict[tuple[Any, ...], dict[str, int]] = {}
    for index, row in enumerate(rows):
        if row[at["metric"]] in _FLOWS:
            key = list_of(row) + (row[at["period_start"]], row[at["period_end"]])
            flows.setdefault(key, {})[row[at["metric"]]] = index
    settled, notes = list(rows), []
    for key, where in flows.items():
        own_plan = plans.get(key[:4])
        if own_plan is None or len(where) < 2:
            continue
        completed = float(rows[where["completed_investment"]][at["value"]])
        rate = float(rows[where["completion_rate"]][at["value"]])
        if _agrees(own_plan, completed, rate):
            continue
        fits = [other for other, plan in plans.items()
                if other != key[:4] and other[3] == key[3] and _agrees(plan, completed, rate)
                and other + key[4:] not in flows]
        if len(fits) != 1:
            continue
        region, scope, subset, _ = fits[0]
        for index in where.values():
            row = list(settled[index])
            row[at["region"]], row[at["scope"]], row[at["subset"]] = region, scope, subset
            settled[index] = tuple(row)
        notes.append(f"settled: {key[0]} {key[1]} {key[4]}..{key[5]}: completed {completed:g} and rate {rate:g}% "
                     f"contradict its plan {own_plan:g} and fit {region} {scope} {subset}".rstrip()
                     + f" (plan {plans[fits[0]]:g}): moved there")
    return settled, notes
