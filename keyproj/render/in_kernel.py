"""Code that `keyproj render` runs inside its pooled kernels (imported there, never in the renderer).

A pooled kernel imports the heavy libraries once (:func:`warm_up`), then before each report gets a
namespace like a fresh kernel's (:func:`fresh_namespace`): empty user variables, execution count 1,
matplotlib, warnings and pandas options as they were after the imports. Imports are idempotent, so
a report's content does not depend on which reports the kernel rendered before.
"""
from __future__ import annotations

import gc
import importlib
import os
import warnings
from typing import Any

from keyproj.report import plotting
from keyproj.report.params import DataIndex

# Libraries every report notebook imports; importing them once per kernel is most of the time saved.
WARM_MODULES: tuple[str, ...] = (
    "numpy", "pandas", "matplotlib", "matplotlib.pyplot", "seaborn", "statsmodels.api",
    "IPython.display", "matplotlib_inline.backend_inline",
    "keyproj", "keyproj.report.params", "keyproj.report.plotting", "keyproj.report.html",
    "keyproj.data.load", "keyproj.metrics",
)

_SNAPSHOT: dict[str, Any] = {}


def warm_up() -> list[str]:
    """Import the report libraries and record the state a fresh kernel has; return modules that failed."""
    failed = []
    for name in WARM_MODULES:
        try:
            importlib.import_module(name)
        except Exception:  # a missing optional module only costs the time it would have saved
            failed.append(name)
    import matplotlib

    try:
        from IPython import get_ipython

        shell = get_ipython()
        if shell is not None:
            # The inline backend sets its rc when first activated: do it before the snapshot.
            shell.run_line_magic("matplotlib", "inline")
    except Exception:
        pass
    _SNAPSHOT["rc"] = dict(matplotlib.rcParams)
    _SNAPSHOT["warning_filters"] = list(warnings.filters)
    _SNAPSHOT["environ"] = dict(os.environ)
    _first_use()
    # Everything imported so far lives as long as the kernel: move it out of the garbage collector's
    # sight, so the full collections (one in every namespace reset, others as reports allocate) do
    # not walk pandas', matplotlib's and scipy's objects each time.
    gc.collect()
    gc.freeze()
    return failed


def _first_use() -> None:
    """Pay once the costs of a first figure and a first read of the data (fonts, glyph caches, CSV parser).

    Everything changed here is restored by :func:`fresh_namespace` before each report.
    """
    try:
        import io

        import matplotlib.pyplot as plt

        plotting.setup_plotting()
        fig, ax = plt.subplots()
        ax.set_title("泉州市重点项目 1-9月 完成率(%)")
        ax.plot([2023, 2024], [1.0, 2.0], marker="o")
        fig.savefig(io.BytesIO(), format="png", bbox_inches="tight")
        plt.close(fig)
        DataIndex.load()  # the reports' report.validate() then takes the typed tables from memory
    except Exception:  # only a speed-up: a report that needs these will report the problem itself
        pass


def fresh_namespace(cwd: str) -> None:
    """Make the kernel look freshly started for the next notebook (run with store_history=False)."""
    import matplotlib
    import matplotlib.pyplot as plt
    from IPython import get_ipython

    plt.close("all")
    shell = get_ipython()
    if shell is not None:
        shell.reset(new_session=True)  # empty namespace, execution count back to 1
    if "rc" in _SNAPSHOT:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            matplotlib.rcParams.update(_SNAPSHOT["rc"])
    if "warning_filters" in _SNAPSHOT:
        warnings.filters[:] = _SNAPSHOT["warning_filters"]
    # Forget which warnings were already shown, so a warning appears in every report that triggers it.
    warnings._filters_mutated()  # type: ignore[attr-defined]
    if "environ" in _SNAPSHOT:
        os.environ.clear()
        os.environ.update(_SNAPSHOT["environ"])
    try:
        import pandas

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pandas.reset_option("all")
    except ImportError:
        pass
    os.chdir(cwd)
