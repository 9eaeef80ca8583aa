"""Figures for the reports: a freely licensed CJK font, one seaborn theme, and the charts the notebooks share.

Every figure is drawn with `Noto Sans CJK SC` (SIL Open Font License), taken from the system
(Debian's fonts-noto-cjk) or from the `mplfonts` package, so that Chinese labels never fall back
to empty boxes. Money is in 亿元 (100 million yuan), rates in %, differences in percentage points.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from keyproj.errors import KeyprojError
from keyproj.report.labels import metric_label

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

CJK_FAMILY = "Noto Sans CJK SC"
SYSTEM_CJK_FONTS: tuple[Path, ...] = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc"),
)
# The OFL font that mplfonts ships; its SimHei.ttf is not freely licensed and is never used.
MPLFONTS_CJK_FONT = "NotoSansCJKsc-Regular.otf"
FIGURE_DPI = 100



def find_cjk_font() -> Path:
    """The CJK font file to use: the system Noto Sans CJK, else the OFL Noto Sans CJK SC of `mplfonts`.

    Raises KeyprojError naming what to install when neither exists.
    """
    for candidate in SYSTEM_CJK_FONTS:
        if candidate.is_file():
            return candidate
    try:
        import mplfonts
    except ImportError:
        mplfonts = None
    if mplfonts is not None:
        shipped = Path(mplfonts.__file__).resolve().parent / "fonts" / MPLFONTS_CJK_FONT
        if shipped.is_file():
            return shipped
    raise KeyprojError(
        "no CJK font for Chinese labels in figures: install Debian's fonts-noto-cjk "
        "(apt-get install fonts-noto-cjk) or the Python package mplfonts (pip install mplfonts)"
    )


def register_cjk_font() -> str:
    """Register the CJK font file with matplotlib (once per process) and return its family name."""
    from matplotlib import font_manager

    path = find_cjk_font()
    known = {entry.fname for entry in font_manager.fontManager.ttflist}
    if str(path) not in known:
        font_manager.fontManager.addfont(str(path))
    return CJK_FAMILY


def plotting_rc(family: str = CJK_FAMILY) -> dict[str, object]:
    """matplotlib settings of every report figure (passed through seaborn's `rc=`, which resets fonts)."""
    return {
        "font.family": "sans-serif",
        "font.sans-serif": [family, "DejaVu Sans"],
        "axes.unicode_minus": False,  # the CJK font has no U+2212 minus sign
        "figure.dpi": FIGURE_DPI,
        "savefig.dpi": FIGURE_DPI,
        "figure.figsize": (8.0, 4.2),
        "figure.autolayout": True,
        "text.parse_math": False,  # names come from data: '$' in one is a character, never TeX
    }


def setup_plotting() -> str:
    """Register the CJK font, apply the seaborn theme, and make inline figures PNG; return the font family.

    Call once at the top of a notebook (calling again is harmless).
    """
    import matplotlib
    import seaborn as sns

    family = register_cjk_font()
    sns.set_theme(style="whitegrid", context="notebook", rc=plotting_rc(family))
    matplotlib.rcParams["svg.fonttype"] = "none"
    try:  # inline figures as PNG, embedded as base64 in the HTML
        from IPython import get_ipython

        if get_ipython() is not None:
            from matplotlib_inline.backend_inline import set_matplotlib_formats

            set_matplotlib_formats("png")
    except ImportError:
        pass
    return family


def new_axes(title: str, figsize: tuple[float, float] | None = None) -> tuple["Figure", "Axes"]:
    """A new figure with one axes and a title."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=figsize)
    ax.set_title(title)
    return fig, ax


def plot_plan_vs_completed(series: "pd.DataFrame", title: str) -> "Figure":
    """Bars of annual plan and completed investment (亿元) per year.

    ``series`` has columns ``year``, ``annual_plan`` and ``completed_investment`` (亿元), and
    optionally ``completed_full_year`` (bool) and ``completed_period`` (e.g. 1-9月): a completed
    figure for part of a year is hatched and labelled with its period.
    """
    import numpy as np

    fig, ax = new_axes(title)
    years = [int(y) for y in series["year"]]
    positions = np.arange(len(years))
    width = 0.4
    plan = series["annual_plan"].astype(float).fillna(0.0).to_numpy()
    done = series["completed_investment"].astype(float).to_numpy()
    partial = None
    if "completed_full_year" in series.columns and "completed_period" in series.columns:
        partial = ["" if bool(full) or value != value else str(period) for full, value, period in
                   zip(series["completed_full_year"], done, series["completed_period"], strict=True)]
    ax.bar(positions - width / 2, plan, width, label="年度计划投资", color="#9ecae1")
    bars = ax.bar(positions + width / 2, done, width, label="完成投资", color="#3182bd")
    if partial is not None:
        for bar, label in zip(bars, partial, strict=True):
            if isinstance(label, str) and label:
                bar.set_hatch("//")
                bar.set_alpha(0.7)
                ax.annotate(label, (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                            ha="center", va="bottom", fontsize=8)
    ax.set_xticks(positions, [str(y) for y in years])
    ax.set_xlabel("年份")
    ax.set_ylabel("亿元")
    ax.legend(loc="upper left")
    return fig


def plot_lines(data: "pd.DataFrame", x: str, columns: Sequence[str], title: str, ylabel: str,
               reference: float | None = None, reference_label: str | None = None) -> "Figure":
    """One line with markers per column of ``data`` against ``x`` (years); an optional horizontal reference."""
    fig, ax = new_axes(title)
    shown_x: list[int] = []
    for column in columns:
        values = data[[x, column]].dropna()
        if values.empty:
            continue
        shown_x.extend(int(v) for v in values[x])
        ax.plot(values[x].astype(int), values[column].astype(float), marker="o", label=metric_label(column))
    if shown_x:  # one point alone would get an axis spanning two centuries
        ax.set_xlim(min(shown_x) - 1, max(shown_x) + 1)
    if reference is not None:
        ax.axhline(reference, color="grey", linestyle="--", linewidth=1, label=reference_label)
    ax.set_xlabel("年份")
    ax.set_ylabel(ylabel)
    ax.xaxis.get_major_locator().set_params(integer=True)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="best")
    return fig


def plot_rate_against_elapsed(rows: "pd.DataFrame", title: str) -> "Figure":
    """Horizontal bars: completion rate (%) of each list beside the elapsed share of the year (%).

    ``rows`` has columns ``label``, ``completion_rate`` and ``elapsed_pct`` (both %).
    """
    import numpy as np

    fig, ax = new_axes(title, figsize=(8.0, 0.9 + 0.8 * max(len(rows), 1)))
    positions = np.arange(len(rows))
    height = 0.38
    ax.barh(positions - height / 2, rows["completion_rate"].astype(float), height,
            label="完成率(%)", color="#3182bd")
    ax.barh(positions + height / 2, rows["elapsed_pct"].astype(float), height,
            label="时间进度(%)", color="#bdbdbd")
    ax.set_yticks(positions, list(rows["label"]))
    ax.invert_yaxis()
    ax.axvline(100, color="grey", linestyle="--", linewidth=1)
    ax.set_xlabel("%")
    ax.legend(loc="lower right")
    return fig


def plot_trend(points: "pd.DataFrame", fitted: "pd.DataFrame | None", title: str, ylabel: str) -> "Figure":
    """Yearly values on a log scale with their fitted log-linear trend.

    ``points`` has columns ``year``, ``value`` and ``label`` (one marker style per label, e.g.
    reported and implied plans); ``fitted`` has ``year`` and ``value`` of the trend line, or None.
    """
    fig, ax = new_axes(title)
    markers = ["o", "s", "^", "D"]
    for position, (label, group) in enumerate(points.groupby("label", sort=False)):
        ax.scatter(group["year"].astype(int), group["value"].astype(float), label=str(label),
                   marker=markers[position % len(markers)], zorder=3)
    if fitted is not None and not fitted.empty:
        ax.plot(fitted["year"].astype(float), fitted["value"].astype(float), color="grey", linestyle="--",
                label="对数线性趋势")
    ax.set_yscale("log")
    ax.set_xlabel("年份")
    ax.set_ylabel(ylabel)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.legend(loc="best")
    return fig


def plot_progress(periods: "pd.DataFrame", title: str) -> "Figure":
    """Completion rate (%) at the end of each reported month, one line per list, against the time schedule.

    ``periods`` has columns ``label``, ``end_month`` (1-12) and ``completion_rate`` (%); the grey
    line is the elapsed share of the year (month / 12).
    """
    fig, ax = new_axes(title)
    months = list(range(0, 13))
    ax.plot(months, [month / 12 * 100 for month in months], color="grey", linestyle="--", label="时间进度")
    for label, group in periods.groupby("label", sort=False):
        group = group.dropna(subset=["completion_rate"])
        if group.empty:
            continue
        ax.plot(group["end_month"].astype(int), group["completion_rate"].astype(float), marker="o",
                label=str(label))
    ax.set_xlim(0, 12.5)
    ax.set_xticks(range(1, 13), [f"{m}月" for m in range(1, 13)])
    ax.set_xlabel("截至月份")
    ax.set_ylabel("完成率(%)")
    ax.legend(loc="upper left")
    return fig


def plot_fact_counts(counts: "pd.DataFrame", title: str) -> "Figure":
    """Stacked horizontal bars: number of facts per metric (rows) and source kind (columns of ``counts``)."""
    import numpy as np

    fig, ax = new_axes(title, figsize=(8.0, 1.0 + 0.4 * max(len(counts), 1)))
    left = np.zeros(len(counts))
    labels = [metric_label(str(metric)) for metric in counts.index]
    for column in counts.columns:
        values = counts[column].astype(float).to_numpy()
        ax.barh(labels, values, left=left, label=str(column))
        left += values
    ax.invert_yaxis()
    ax.set_xlabel("事实条数")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.legend(loc="lower right")
    return fig


def show(fig: "Figure", alt: str | None = None) -> None:
    """Display a figure as an embedded PNG with alt text (its first axes title by default), then close it."""
    import io

    import matplotlib.pyplot as plt
    from IPython.display import display

    if alt is None:
        titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
        alt = titles[0] if titles else "图"
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    plt.close(fig)
    display({"image/png": buffer.getvalue()}, raw=True, metadata={"image/png": {"alt": alt}})
