"""What the panel covers, counted for the build's summary: regions, region-years with a plan and a
full-year result, in-year observations of the completion rate at a known share of the year."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from keyproj.data.tables import is_full_year

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Coverage:
    """Counts of a panel (text table, as panel.csv holds it).

    ``region_years``: distinct region x scope x year with a full-year row (YYYY-01..YYYY-12 of a
    known year) holding the annual plan and a completion rate (reported, else calculated);
    ``in_year``: rows over part of a year (a year unknown included) with a completion rate (reported, else calculated) and an
    elapsed share; ``not_comparable``: rows with a non-empty ``list_note``.
    """

    rows: int
    regions: int
    region_years: int
    in_year: int
    not_comparable: int
    full_year_rates: int = 0
    full_year_at_least_100: int = 0

    def line(self) -> str:
        """One line for `keyproj build`."""
        return (f"coverage: {self.regions} regions; {self.region_years} region-years (region x scope x year) "
                f"with plan and full-year completion; {self.in_year} in-year observations with completion "
                f"rate and elapsed share; {self.not_comparable} of {self.rows} rows not comparable (list_note); "
                f"{self.full_year_at_least_100} of {self.full_year_rates} full-year rates >= 100 % "
                f"(shortfalls go unpublished)")


def _full_year(panel: "pd.DataFrame") -> "pd.Series":
    import pandas as pd

    return pd.Series([is_full_year(start, end) for start, end in zip(panel["period_start"], panel["period_end"])],
                     index=panel.index, dtype=bool)


def panel_coverage(panel: "pd.DataFrame") -> Coverage:
    """The coverage counts of a text panel (all cells str, '' = missing)."""
    full_year = _full_year(panel)
    rate = (panel["completion_rate"] != "") | (panel["completion_rate_calc"] != "")
    completed_years = panel[full_year & rate & (panel["annual_plan"] != "") & (panel["year"] != "")]
    return Coverage(
        rows=len(panel),
        regions=panel["region"].nunique(),
        region_years=len(completed_years[["region", "scope", "year"]].drop_duplicates()),
        in_year=int((~full_year & rate & (panel["elapsed_pct"] != "")).sum()),
        not_comparable=int((panel["list_note"] != "").sum()),
        full_year_rates=full_year_rates(panel.to_dict("records"))[0],
        full_year_at_least_100=full_year_rates(panel.to_dict("records"))[1],
    )


KINDS: tuple[str, ...] = ("both", "full_year", "plan", "in_year", "list_only")
"""What a region-year holds, best first: a plan and a full-year result; a full-year result only; a
plan only; part-year results only; list figures only (projects, total investment, signed)."""


def region_year_kinds(rows: "Iterable[Mapping[str, str]]") -> dict[tuple[str, int], str]:
    """(region, year) -> the best KINDS code over the region's lists, from panel.csv's text rows
    (csv module: the index reads it without pandas); rows of unknown year are left out."""
    seen: dict[tuple[str, int], set[str]] = {}
    for row in rows:
        if not row["year"].isdigit():
            continue
        found = seen.setdefault((row["region"], int(row["year"])), set())
        result = bool(row["completed_investment"] or row["completion_rate"] or row["completion_rate_calc"])
        full = is_full_year(row["period_start"], row["period_end"])
        key = (row["region"], row["scope"], row["subset"], row["year"])
        if row["annual_plan"]:
            found.add(f"plan:{key}")
        if result:
            found.add(f"{'full' if full else 'part'}:{key}")
    kinds = {}
    for place, marks in seen.items():
        lists = {mark.split(":", 1)[1] for mark in marks}
        both = any(f"plan:{key}" in marks and f"full:{key}" in marks for key in lists)
        has = {mark.split(":", 1)[0] for mark in marks}
        kinds[place] = ("both" if both else "full_year" if "full" in has else "plan" if "plan" in has
                        else "in_year" if "part" in has else "list_only")
    return kinds


def read_panel_rows(path: "str | Path") -> list[dict[str, str]]:
    """panel.csv's rows as text dicts ('' = missing); [] when the file does not exist."""
    import csv

    try:
        with open(path, encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))
    except FileNotFoundError:
        return []


def full_year_rates(rows: "Iterable[Mapping[str, str]]") -> tuple[int, int]:
    """(full-year completion rates, those >= 100 %) of panel.csv's text rows (reported, else
    calculated): when nearly all reach the plan, shortfalls are likely unpublished."""
    rates = [float(row["completion_rate"] or row["completion_rate_calc"]) for row in rows
             if (row["completion_rate"] or row["completion_rate_calc"])
             and is_full_year(row["period_start"], row["period_end"])]
    return len(rates), sum(rate >= 100 for rate in rates)
