"""Research questions on the key-project panel: one function per question, tidy results.

Every function takes the typed panel (keyproj.loaders.load_panel) and returns a frozen result
with ``ok``/``why`` (False, with the reason, when the panel is too thin), ``n``,
``n_clusters``, ``data`` (the region-periods used, to cite), ``estimates`` (term, estimate,
std_error, 95 % ci_low/ci_high, p_value, n), ``dropped`` (rows left out, by reason) and
``caveats``. Units: amounts in 亿元, rates in %, margins and gaps in percentage points, plan
growth in log points. ``comparable_only=True`` drops rows whose ``list_note`` is non-empty.

- :func:`pace`: in-year completion rate against the elapsed share of the year, and bunching
  of the margin over schedule just above 0;
- :func:`full_year_bunching`: bunching of full-year completion rates at 100 %;
- :func:`ratchet`: plan growth on last year's over-/under-fulfilment, region effects;
- :func:`amplification`: city plans against their province's plan;
- :func:`describe_coverage`: what the panel holds for these.

See docs/research.md.
"""
from keyproj.research._amplification import AmplificationResult, amplification
from keyproj.research._bunching import (
    BunchingResult,
    bunching_test,
    density_test,
    full_year_bunching,
)
from keyproj.research._common import ESTIMATE_COLUMNS, Result
from keyproj.research._coverage import Coverage, describe_coverage
from keyproj.research._pace import PaceResult, pace
from keyproj.research._ratchet import RatchetResult, ratchet

__all__ = [
    "ESTIMATE_COLUMNS",
    "AmplificationResult",
    "BunchingResult",
    "Coverage",
    "PaceResult",
    "RatchetResult",
    "Result",
    "amplification",
    "bunching_test",
    "density_test",
    "describe_coverage",
    "full_year_bunching",
    "pace",
    "ratchet",
]
