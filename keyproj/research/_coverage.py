"""What the panel holds for the research questions (numbers for a notebook's text)."""
from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd

from keyproj.research._common import (
    comparable,
    ordered_levels,
    require,
    text,
    yearly_plans,
)
from keyproj.research._pace import pace_sample
from keyproj.research._ratchet import ratchet_sample


@dataclass(frozen=True)
class Coverage:
    """Counts of what the panel holds.

    regions: distinct regions; regions_by_level: regions with a row of each scope;
    region_years_plan: region-scope-subset-years with an annual plan; region_years_full_year:
    those with a January-December completion rate; region_years_both: with both;
    ratchet_observations: years with a plan, last year's plan and last year's full-year rate;
    in_year_observations: in-year rows (January to month 1-11) with a rate and elapsed share;
    in_year_regions: regions they come from; years: first and last year seen (0 when none);
    dropped_not_comparable: rows left out for a non-empty list_note.
    """

    rows: int
    regions: int
    regions_by_level: dict[str, int]
    region_years_plan: int
    region_years_full_year: int
    region_years_both: int
    ratchet_observations: int
    in_year_observations: int
    in_year_regions: int
    years: tuple[int, int]
    dropped_not_comparable: int

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def describe_coverage(panel: pd.DataFrame, *, comparable_only: bool = True) -> Coverage:
    """Coverage of the panel for pace, bunching, ratchet and amplification (counts; no estimates)."""
    require(panel, ["region", "scope", "period_start", "period_end"], "describe_coverage")
    frame, dropped = comparable(panel, comparable_only)
    regions, scopes = text(frame, "region"), text(frame, "scope")
    plans = yearly_plans(frame)
    in_year, _ = pace_sample(frame, include_full_year=False, comparable_only=False, subsets=None)
    ratchet_data, _ = ratchet_sample(frame, comparable_only=False)
    years = plans["year"]
    return Coverage(
        rows=len(frame), regions=int(regions.nunique()),
        regions_by_level={lvl: int(regions[scopes == lvl].nunique()) for lvl in ordered_levels(scopes)},
        region_years_plan=int(plans["plan"].notna().sum()),
        region_years_full_year=int(plans["rate"].notna().sum()),
        region_years_both=int((plans["plan"].notna() & plans["rate"].notna()).sum()),
        ratchet_observations=len(ratchet_data), in_year_observations=len(in_year),
        in_year_regions=int(in_year["region"].nunique()),
        years=(int(years.min()), int(years.max())) if len(years) else (0, 0),
        dropped_not_comparable=dropped["list_note"])
