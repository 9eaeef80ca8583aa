"""What the panel covers, counted for the build's summary: regions, region-years with a plan and a
full-year result, in-year observations of the completion rate at a known share of the year."""
from __future__ import annotations

from dataclasses import dataclass
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

    def line(self) -> str:
        """One line for `keyproj build`."""
        return (f"coverage: {self.regions} regions; {self.region_years} region-years (region x scope x year) "
                f"with plan and full-year completion; {self.in_year} in-year observations with completion "
                f"rate and elapsed share; {self.not_comparable} of {self.rows} rows not comparable (list_note)")


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
    )
