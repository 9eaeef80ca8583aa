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
from keyproj.report.labels import label, metric_label

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.axis import Axis
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


_LANGUAGE = {"lang": "zh"}  # the words of figures (labels.yaml ``words``), set by setup_plotting


def word(key: str, **values: object) -> str:
    """A word of the figures (axis, legend) in the language setup_plotting chose, filled in."""
    text = label("words", key, _LANGUAGE["lang"])
    return text.format(**values) if values else text


def setup_plotting(lang: str | None = None) -> str:
    """Register the CJK font, apply the seaborn theme, and make inline figures PNG; return the font family.

    ``lang``: the language of the figures' own words (zh, en; None is zh). Call once at the top of
    a notebook (calling again is harmless).
    """
    _LANGUAGE["lang"] = lang or "zh"
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


# One visual language: the same thing has the same colour and hatch in every report's figures.
STYLE: dict[str, dict[str, str]] = {
    "plan": {"color": "#9ecae1", "hatch": ""},
    "completed": {"color": "#3182bd", "hatch": ""},
    "elapsed": {"color": "#bdbdbd", "hatch": ""},
    "partial": {"color": "#3182bd", "hatch": "//"},  # a figure for part of the year (1-9月)
    "implied": {"color": "#9ecae1", "hatch": ".."},  # a plan imputed as completed ÷ rate
    "bound": {"color": "#9ecae1", "hatch": "xx"},  # a lower or upper bound (2500以上)
    "reference": {"color": "grey", "hatch": ""},
}
KIND_MARKERS: dict[str, str] = {"reported": "o", "implied": "s", "bound": "^", "partial": "D"}


def new_axes(title: str, figsize: tuple[float, float] | None = None) -> tuple["Figure", "Axes"]:
    """A new figure with one axes and a title."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=figsize)
    ax.set_title(title)
    return fig, ax


def thousands(value: float) -> str:
    """A tick label as a plain number with a space between thousands: 2 000, 0.5."""
    return f"{value:,.0f}".replace(",", " ") if abs(value) >= 1 else f"{value:g}"


def plain_log_axis(axis: "Axis") -> None:
    """Log-scale ticks at 1, 2 and 5 times powers of ten, labelled as plain numbers (2 000, 5 000):
    mathtext is off for data text, so matplotlib's $10^{3}$ labels would print raw."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    axis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    axis.set_major_formatter(FuncFormatter(lambda value, _: thousands(value)))
    axis.set_minor_formatter(NullFormatter())


def caption(fig: "Figure", text: str) -> None:
    """A note under the figure (a caveat the figure must carry), wrapped to the figure's width."""
    import textwrap

    width = 110 if text.isascii() or sum(ord(c) > 0x2E80 for c in text) < len(text) / 4 else 60  # Latin or CJK
    fig.text(0.01, -0.01, "\n".join(textwrap.wrap(text, width)), ha="left", va="top", fontsize=8, color="#444")


def legend_outside(ax: "Axes") -> None:
    """The legend right of the plot, never over the data (show() crops the figure around it)."""
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0, fontsize=8)


def show_range(ax: "Axes", values: Sequence[float], include: Sequence[float] = ()) -> None:
    """A y range that shows the data: plain tick labels (no offset such as +1e2) and at least
    10 % of the largest value around nearly equal values (never 100.0000 to 100.0200)."""
    from matplotlib.ticker import ScalarFormatter

    numbers = [float(v) for v in [*values, *include] if v == v]
    formatter = ScalarFormatter(useOffset=False)
    formatter.set_scientific(False)
    ax.yaxis.set_major_formatter(formatter)
    if not numbers:
        return
    low, high = min(numbers), max(numbers)
    least = 0.1 * max(abs(low), abs(high), 1.0)
    if high - low < least:
        middle = (low + high) / 2
        low, high = middle - least / 2, middle + least / 2
    pad = 0.08 * (high - low)
    ax.set_ylim(low - pad, high + pad)


def year_axis(ax: "Axes", years: Sequence[int]) -> None:
    """A real time axis: every calendar year from the first to the last, so missing years show as gaps."""
    first, last = min(years), max(years)
    step = 1 if last - first <= 12 else 2
    ax.set_xlim(first - 0.6, last + 0.6)
    ax.set_xticks(list(range(first, last + 1, step)), [str(y) for y in range(first, last + 1, step)])
    ax.set_xlabel(word("year_axis"))


def plot_plan_vs_completed(series: "pd.DataFrame", title: str, x: str = "year") -> "Figure":
    """Bars of annual plan and completed investment (亿元), on a real time axis (gaps stay gaps).

    ``series`` has ``year`` (or the column ``x``: list names on a categorical axis),
    ``annual_plan`` and ``completed_investment`` (亿元), and optionally ``plan_kind`` (reported,
    implied), ``plan_bound`` (bool), ``completed_full_year`` (bool) and ``completed_period``: an
    imputed plan is dotted, a bound cross-hatched, a part-year completed figure striped and
    labelled with its period (STYLE).
    """
    import textwrap

    import numpy as np
    from matplotlib.patches import Patch

    fig, ax = new_axes(title)
    on_years = x == "year"
    positions = (series["year"].astype(int).to_numpy() if on_years else np.arange(len(series))).astype(float)
    width = 0.4
    for column, side in (("annual_plan", -1), ("completed_investment", 1)):
        values = series[column].astype(float).to_numpy()
        for index, (position, value, kind) in enumerate(zip(positions, values, _bar_kinds(series, column),
                                                            strict=True)):
            if value != value:
                continue  # no figure, no bar (not a bar of 0)
            style = STYLE[kind]
            bar = ax.bar(position + side * width / 2, value, width, color=style["color"], hatch=style["hatch"],
                         edgecolor="white" if not style["hatch"] else "#08306b", linewidth=0.5)[0]
            if kind == "partial":
                period = series["completed_period"].iloc[index]
                ax.annotate(str(period), (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                            ha="center", va="bottom", fontsize=8)
    kinds_shown = {kind for column in ("annual_plan", "completed_investment")
                   for kind, value in zip(_bar_kinds(series, column), series[column].astype(float), strict=True)
                   if value == value}
    handles = [Patch(facecolor=STYLE[kind]["color"], hatch=STYLE[kind]["hatch"], edgecolor="#08306b"
                     if STYLE[kind]["hatch"] else "white", label=word(f"bar.{kind}"))
               for kind in BAR_KINDS if kind in kinds_shown]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0, fontsize=8)
    if on_years:
        year_axis(ax, [int(y) for y in positions])
    else:
        ax.set_xticks(positions, ["\n".join(textwrap.wrap(str(v), 22)) for v in series[x]])  # long list names
        ax.set_xlabel(word("list_axis"))
    ax.set_ylabel(word("amount_axis"))
    show_range(ax, list(series["annual_plan"].astype(float).dropna())
               + list(series["completed_investment"].astype(float).dropna()), include=[0.0])
    return fig


BAR_KINDS: tuple[str, ...] = ("plan", "implied", "bound", "completed", "partial")
"""The kinds of bars, in legend order (their words: labels.yaml ``words`` bar.<kind>)."""


def _bar_kinds(series: "pd.DataFrame", column: str) -> list[str]:
    """The STYLE key of each bar of ``column`` (plan, implied, bound, completed, partial)."""
    kinds = []
    for row in series.to_dict("records"):
        if column == "annual_plan":
            bound = bool(row.get("plan_bound", False))
            kinds.append("bound" if bound else "implied" if row.get("plan_kind") == "implied" else "plan")
        else:
            full = row.get("completed_full_year", True)
            value = row["completed_investment"]
            kinds.append("completed" if bool(full) or value != value else "partial")
    return kinds


def plot_lines(data: "pd.DataFrame", x: str, columns: Sequence[str], title: str, ylabel: str,
               reference: float | None = None, reference_label: str | None = None) -> "Figure":
    """One line with markers per column of ``data`` against ``x`` (years) on a real time axis:
    a missing year breaks the line (gaps stay gaps); an optional horizontal reference."""
    import numpy as np

    fig, ax = new_axes(title)
    shown_x: list[int] = []
    shown_y: list[float] = []
    for column in columns:
        values = data[[x, column]].dropna()
        if values.empty:
            continue
        years = values[x].astype(int).to_numpy()
        every = np.arange(years.min(), years.max() + 1)
        line = values.set_index(values[x].astype(int))[column].astype(float).reindex(every)
        shown_x.extend(int(v) for v in years)
        shown_y.extend(float(v) for v in line.dropna())
        ax.plot(every, line.to_numpy(), marker="o", label=metric_label(column))
    if shown_x:
        year_axis(ax, shown_x)
    if reference is not None:
        ax.axhline(reference, color=STYLE["reference"]["color"], linestyle="--", linewidth=1, label=reference_label)
    ax.set_ylabel(ylabel)
    show_range(ax, shown_y, include=[reference] if reference is not None else [])
    legend_outside(ax)
    return fig


def plot_rates(annual: "pd.DataFrame", title: str) -> "Figure":
    """Completion rates (%) across years: full-year rates joined only across consecutive years,
    part-year rates as separate hollow markers labelled with their period (never joined to a
    full year); 100 % marked. ``annual``: year, completion_rate, rate_period (全年, 1-9月, ...)."""
    import numpy as np

    fig, ax = new_axes(title)
    rates = annual.dropna(subset=["completion_rate"])
    full = rates[rates["rate_period"] == "全年"]
    part = rates[rates["rate_period"] != "全年"]
    years = [int(y) for y in rates["year"]]
    if len(full):
        every = np.arange(min(years), max(years) + 1)
        line = full.set_index(full["year"].astype(int))["completion_rate"].astype(float).reindex(every)
        ax.plot(every, line.to_numpy(), marker="o", color=STYLE["completed"]["color"], label="全年完成率")
    if len(part):
        ax.scatter(part["year"].astype(int), part["completion_rate"].astype(float), marker="D", facecolors="none",
                   edgecolors=STYLE["partial"]["color"], label="年内某一期的完成率(不与全年相连)", zorder=3)
        for row in part.itertuples():
            ax.annotate(str(row.rate_period), (int(row.year), float(row.completion_rate)), fontsize=8,
                        xytext=(4, 4), textcoords="offset points")
    ax.axhline(100, color=STYLE["reference"]["color"], linestyle="--", linewidth=1, label="100%")
    year_axis(ax, years)
    ax.set_ylabel("完成率(%)")
    show_range(ax, list(rates["completion_rate"].astype(float)), include=[100.0])
    legend_outside(ax)
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
            label=word("rate_legend"), color=STYLE["completed"]["color"])
    ax.barh(positions + height / 2, rows["elapsed_pct"].astype(float), height,
            label=word("elapsed_legend"), color=STYLE["elapsed"]["color"])
    ax.set_yticks(positions, list(rows["label"]))
    ax.invert_yaxis()
    ax.axvline(100, color=STYLE["reference"]["color"], linestyle="--", linewidth=1)
    ax.set_xlabel("%")
    legend_outside(ax)
    if (rows["elapsed_pct"].astype(float) < 100).any():  # a part of the year: the pace caveat applies
        caption(fig, label("texts", "pace_figure_caveat", _LANGUAGE["lang"]))
    return fig


TREND_LABELS: dict[str, str] = {"reported": "公布", "implied": "推算(不参与拟合)", "bound": "上下限(不参与拟合)",
                                "implied_fit": "推算", "bound_fit": "上下限"}


def plot_trend(points: "pd.DataFrame", fitted: "pd.DataFrame | None", title: str, ylabel: str) -> "Figure":
    """Yearly values on a log scale (plain tick labels: 2 000, 5 000) with their fitted log-linear trend.

    ``points`` has columns ``year``, ``value`` and ``label`` (one marker per label, e.g. 公布,
    推算); optionally ``in_fit`` (bool): points left out of the fit are hollow. ``fitted`` has
    ``year`` and ``value`` of the trend line, or None.
    """
    fig, ax = new_axes(title)
    markers = list(KIND_MARKERS.values())
    in_fit = points["in_fit"].astype(bool) if "in_fit" in points.columns else None
    for position, (name, group) in enumerate(points.groupby("label", sort=False)):
        used = in_fit[group.index] if in_fit is not None else None
        hollow = used is not None and not used.any()
        ax.scatter(group["year"].astype(int), group["value"].astype(float), label=str(name),
                   marker=markers[position % len(markers)], zorder=3, color=STYLE["completed"]["color"],
                   facecolors="none" if hollow else STYLE["completed"]["color"])
    if fitted is not None and not fitted.empty:
        ax.plot(fitted["year"].astype(float), fitted["value"].astype(float), color=STYLE["reference"]["color"],
                linestyle="--", label="对数线性趋势")
    ax.set_yscale("log")
    plain_log_axis(ax.yaxis)
    year_axis(ax, [int(y) for y in points["year"]])
    ax.set_ylabel(ylabel)
    legend_outside(ax)
    return fig


def plot_progress(periods: "pd.DataFrame", title: str) -> "Figure":
    """Completion rate (%) at the end of each reported month, one line per list, against the time schedule.

    ``periods`` has columns ``label``, ``end_month`` (1-12) and ``completion_rate`` (%); the grey
    line is the elapsed share of the year (month / 12).
    """
    fig, ax = new_axes(title)
    months = list(range(0, 13))
    ax.plot(months, [month / 12 * 100 for month in months], color=STYLE["reference"]["color"], linestyle="--",
            label=word("elapsed"))
    for name, group in periods.groupby("label", sort=False):
        group = group.dropna(subset=["completion_rate"])
        if group.empty:
            continue
        ax.plot(group["end_month"].astype(int), group["completion_rate"].astype(float), marker="o",
                label=str(name))
    ax.set_xlim(0, 12.5)
    ax.set_xticks(range(1, 13), [word("month", month=m) for m in range(1, 13)])
    ax.set_xlabel(word("month_axis"))
    ax.set_ylabel(word("rate_axis"))
    legend_outside(ax)
    return fig


SOURCE_KIND_COLORS: dict[str, str] = {"document": "#3182bd", "reference": "#9ecae1", "correction": "#e6550d"}


def plot_fact_counts(counts: "pd.DataFrame", title: str, colors: Sequence[str] | None = None) -> "Figure":
    """Stacked horizontal bars: number of facts per metric (rows) and source kind (columns of ``counts``);
    ``colors``: one per column (SOURCE_KIND_COLORS of the kinds, so a kind keeps its colour)."""
    import numpy as np

    fig, ax = new_axes(title, figsize=(8.0, 1.0 + 0.4 * max(len(counts), 1)))
    left = np.zeros(len(counts))
    labels = [metric_label(str(metric)) for metric in counts.index]
    for position, column in enumerate(counts.columns):
        values = counts[column].astype(float).to_numpy()
        color = colors[position] if colors is not None else None
        ax.barh(labels, values, left=left, label=str(column), color=color)
        left += values
    ax.invert_yaxis()
    ax.set_xlabel("事实条数")
    ax.xaxis.get_major_locator().set_params(integer=True)
    legend_outside(ax)
    return fig


def figure_texts(fig: "Figure", draw: bool = True) -> list[str]:
    """Every text a drawn figure shows: titles, axis labels, tick labels, legend and annotations
    (``draw=False``: the figure was just drawn, e.g. saved, so its tick labels exist)."""
    from matplotlib.text import Text

    if draw:
        fig.canvas.draw()
    return [text.get_text() for text in fig.findobj(Text) if text.get_text()]


def check_plain_text(fig: "Figure", draw: bool = True) -> None:
    """Raise KeyprojError when a text of the figure would print raw TeX ($, \\mathdefault)."""
    bad = [text for text in figure_texts(fig, draw) if "$" in text or "\\mathdefault" in text]
    if bad:
        raise KeyprojError(f"a figure would print raw mathtext: {bad[0]!r}")


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
    check_plain_text(fig, draw=False)  # saving drew it: one draw less per figure
    plt.close(fig)
    display({"image/png": buffer.getvalue()}, raw=True, metadata={"image/png": {"alt": alt}})
