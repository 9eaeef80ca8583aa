"""Figures of the targets report (notebooks/04_targets.ipynb): one per research question of
keyproj.research, drawn from its result tables.

Units: rates and the elapsed share of the year in %, margins and gaps in percentage points (pp),
plans in 亿元, plan growth in log points shown x100 (about %). Fonts and theme come from
keyproj.report.plotting (call ``setup_plotting`` first); with ``text.parse_math`` off there, log
axes get plain tick labels here, never mathtext such as ``$10^{3}$``.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from keyproj.report.labels import label
from keyproj.report.plotting import caption, legend_outside, new_axes, plain_log_axis
from keyproj.report.regions import LEVEL_ORDER, POOLED, level_label

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from keyproj.research import BunchingResult

THRESHOLD_COLOR = "#d62728"
FIT_COLOR = "#08519c"
COUNTERFACTUAL_COLOR = "#e6550d"
DEFAULT_SPAN = 30.0  # pp either side of the threshold shown when the test made no histogram


def _no_data(ax: "Axes", message: str) -> None:
    """A note in the middle of an empty panel, so a figure without data says why (no tick labels:
    matplotlib's default 0-1 range would suggest values)."""
    ax.text(0.5, 0.5, message, transform=ax.transAxes, ha="center", va="center", color="grey")
    ax.set_xticklabels([])
    ax.set_yticklabels([])


def level_colors(levels: "Iterable[str]") -> dict[str, str]:
    """One colour per level, in the order province, city, county, then joint lists: the same level
    has the same colour in the scatter and in its fitted line."""
    unique = list(dict.fromkeys(str(level) for level in levels if str(level) != POOLED))
    ordered = [level for level in LEVEL_ORDER if level in unique] + sorted(set(unique) - set(LEVEL_ORDER))
    return {level: f"C{position % 10}" for position, level in enumerate(ordered)}


def plot_pace(data: "pd.DataFrame", fit: "pd.DataFrame", title: str) -> "Figure":
    """Completion rate (%) against the elapsed share of the year (%), one colour per level.

    ``data``: level, elapsed_pct, rate (keyproj.research.pace's ``data``); ``fit``: group,
    elapsed_pct, fit, ci_low, ci_high (its ``fit``). The dashed diagonal is the schedule (rate =
    elapsed share); the pooled fitted line has its 95 % band, each level's line is thin. The
    rate axis stops above the 99th percentile; rates beyond it are counted in a note. The figure
    carries its caveat: investment is back-loaded, so mid-year rates understate the full year.
    """
    import numpy as np

    fig, ax = new_axes(title, figsize=(8.0, 5.6))
    colors = level_colors(list(data["level"].astype(str)) + list(fit["group"].astype(str)))
    ax.plot([0, 100], [0, 100], color="grey", linestyle="--", linewidth=1, label="时间进度(完成率 = 时间进度)")
    for level, color in colors.items():
        group = data[data["level"].astype(str) == level]
        if len(group):
            ax.scatter(group["elapsed_pct"].astype(float), group["rate"].astype(float), s=16, alpha=0.6,
                       color=color, label=f"{level_label(level)}(N = {len(group)})")
    for group_name, line in fit.groupby("group", sort=False):
        x, y = line["elapsed_pct"].astype(float), line["fit"].astype(float)
        if group_name == POOLED:
            ax.fill_between(x, line["ci_low"].astype(float), line["ci_high"].astype(float), color=FIT_COLOR,
                            alpha=0.2, linewidth=0)
            ax.plot(x, y, color=FIT_COLOR, linewidth=2, label="拟合直线(合计)及 95% 置信带")
        else:
            ax.plot(x, y, linewidth=1.2, color=colors[str(group_name)], linestyle=":",
                    label=f"拟合直线({level_label(str(group_name))})")
    rates = data["rate"].astype(float).to_numpy()
    top = max(110.0, float(np.percentile(rates, 99)) * 1.05) if len(rates) else 110.0
    bottom = min(0.0, float(rates.min())) if len(rates) else 0.0
    if (rates > top).any():
        ax.text(0.99, 0.02, f"完成率高于 {top:.0f}% 的 {int((rates > top).sum())} 个观测在图外", transform=ax.transAxes,
                ha="right", va="bottom", fontsize=8, color="grey")
    if data.empty:
        _no_data(ax, "没有年内完成率")
    ax.set_xlim(0, 100)
    ax.set_ylim(bottom, top)
    ax.set_xlabel("时间进度(已过月份 ÷ 12,%)")
    ax.set_ylabel("完成率(%)")
    legend_outside(ax)
    caption(fig, label("texts", "pace_figure_caveat"))
    return fig


def _histogram_or_bins(values: "np.ndarray", histogram: "pd.DataFrame", threshold: float,
                       span: float) -> "pd.DataFrame":
    """The test's histogram, else counts in 1-wide bins over threshold +- span (no counterfactual)."""
    import numpy as np
    import pandas as pd

    if not histogram.empty:
        return histogram
    left = threshold + np.arange(-span, span)
    counts = np.histogram(values, bins=np.append(left, left[-1] + 1))[0] if len(left) else np.array([])
    return pd.DataFrame({"bin_left": left, "bin_right": left + 1, "mid": left + 0.5, "count": counts.astype(float),
                         "counterfactual": np.nan, "in_window": False})


def plot_bunching(values: Sequence[float], histogram: "pd.DataFrame", threshold: float, title: str,
                  xlabel: str, threshold_label: str, span: float = DEFAULT_SPAN) -> "Figure":
    """Histogram of ``values`` around ``threshold`` with the threshold marked and the counterfactual.

    ``histogram``: bin_left, bin_right, count, counterfactual, in_window (a BunchingResult's
    ``histogram``); when empty (the test was not run) ``values`` are counted in 1-wide bins over
    threshold +- ``span``. Bins of the excluded window are darker; the counterfactual is the
    polynomial fitted outside it. Values outside the range shown are counted in a note.
    """
    import numpy as np

    values_array = np.asarray(values, dtype=float)
    bins = _histogram_or_bins(values_array, histogram, threshold, span)
    fig, ax = new_axes(title, figsize=(8.0, 4.6))
    widths = (bins["bin_right"] - bins["bin_left"]).astype(float)
    colors = ["#6baed6" if inside else "#c6dbef" for inside in bins["in_window"].astype(bool)]
    ax.bar(bins["bin_left"].astype(float), bins["count"].astype(float), width=widths, align="edge", color=colors,
           edgecolor="white", linewidth=0.5, label="观测数(深色:拟合时排除的窗口)")
    if bins["counterfactual"].notna().any():
        ax.plot(bins["bin_left"].astype(float) + widths / 2, bins["counterfactual"].astype(float),
                color=COUNTERFACTUAL_COLOR, linewidth=2, label="反事实(窗口外拟合的多项式)")
    ax.axvline(threshold, color=THRESHOLD_COLOR, linestyle="--", linewidth=1.5, label=threshold_label)
    low, high = float(bins["bin_left"].min()), float(bins["bin_right"].max())
    outside = int(((values_array < low) | (values_array >= high)).sum())
    if outside:
        ax.text(0.99, 0.97, f"范围 [{low:g}, {high:g}) 之外还有 {outside} 个观测", transform=ax.transAxes,
                ha="right", va="top", fontsize=8, color="grey")
    if not len(values_array):
        _no_data(ax, "没有观测")
    ax.set_xlim(low, high)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("观测数")
    ax.yaxis.get_major_locator().set_params(integer=True)
    legend_outside(ax)
    return fig


def plot_schedule_margins(result: "BunchingResult", title: str) -> "Figure":
    """Margins over the time schedule (pp) of :func:`keyproj.research.pace` (its ``margin``), zero marked."""
    values = result.data["margin"] if "margin" in result.data.columns else []
    return plot_bunching(values, result.histogram, result.threshold, title, "超序时进度(完成率 - 时间进度,百分点)",
                         "0:恰好按时间进度", span=20.0)


def plot_full_year_rates(result: "BunchingResult", title: str) -> "Figure":
    """Full-year completion rates (%) of :func:`keyproj.research.full_year_bunching`, 100 % marked."""
    values = result.data["rate"] if "rate" in result.data.columns else []
    return plot_bunching(values, result.histogram, result.threshold, title, "全年完成率(%)", "100%:恰好完成计划")


def plot_ratchet(data: "pd.DataFrame", estimates: "pd.DataFrame", title: str) -> "Figure":
    """Plan growth (log points x100, about %) against last year's gap (rate - 100, pp), with both slopes.

    ``data``: gap, growth (keyproj.research.ratchet's ``data``); ``estimates``: its terms
    slope_over and slope_under (log points per pp). The model has region effects, so the slopes
    are drawn through the mean growth at a gap of zero: their steepness, not their level, is
    the estimate. A slope that was not estimated is not drawn.
    """
    import numpy as np

    fig, ax = new_axes(title, figsize=(8.0, 5.0))
    gap, growth = data["gap"].astype(float).to_numpy(), data["growth"].astype(float).to_numpy() * 100
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.axvline(0, color=THRESHOLD_COLOR, linestyle="--", linewidth=1.2, label="去年恰好完成计划(差 = 0)")
    ax.scatter(gap, growth, s=22, alpha=0.7, color="C0", label=f"地区-年(N = {len(data)})")
    slopes = dict(zip(estimates["term"], estimates["estimate"].astype(float), strict=True))
    center = float(np.mean(growth)) if len(growth) else 0.0
    sides = (("slope_over", 1.0, "超额完成后的斜率"), ("slope_under", -1.0, "未完成后的斜率"))
    for term, sign, name in sides:
        slope = slopes.get(term, np.nan)
        reach = gap[gap * sign > 0]
        if np.isnan(slope) or not len(reach):
            continue
        xs = np.array([0.0, float(np.max(np.abs(reach))) * sign])
        ax.plot(xs, center + slope * 100 * xs, linewidth=2, color="C1" if sign > 0 else "C2",
                label=f"{name}:{slope * 100:+.2f} %/百分点")
    if data.empty:
        _no_data(ax, "没有连续两年的计划与去年的全年完成率")
    ax.set_xlabel("去年全年完成率 - 100(百分点)")
    ax.set_ylabel("年度计划增长(对数点 × 100,约为 %)")
    legend_outside(ax)
    return fig


def _growth_pairs(data: "pd.DataFrame") -> "pd.DataFrame":
    """City plan growth beside its province's growth in the same year (log points)."""
    cities = data[(data["role"] == "city") & data["growth"].notna()]
    provinces = data[(data["role"] == "province") & data["growth"].notna()]
    pairs = cities.merge(provinces[["province", "year", "growth"]], on=["province", "year"],
                         suffixes=("", "_province"))
    return pairs[["region", "province", "year", "growth", "growth_province"]]


def plot_amplification(by_year: "pd.DataFrame", data: "pd.DataFrame", title: str) -> "Figure":
    """City plans against their province's plan: levels (left) and growth (right).

    Left: each province-year's plan (亿元) against the sum of its cities' plans, log axes; a
    filled marker when every city of the province has a plan, else hollow and labelled with
    cities found / cities listed; the diagonal is equality. Right: each city's plan growth
    against its province's in the same year (log points x100); above the diagonal the city's
    plan grew faster. ``by_year`` and ``data`` are keyproj.research.amplification's tables.
    """
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11.0, 5.0))
    fig.suptitle(title)
    shown = by_year[by_year["n_cities"] > 0] if "n_cities" in by_year.columns else by_year.iloc[0:0]
    _plan_levels(left, shown)
    pairs = _growth_pairs(data) if not data.empty else data
    if len(pairs):
        x, y = pairs["growth_province"].astype(float) * 100, pairs["growth"].astype(float) * 100
        edge = float(max(abs(x).max(), abs(y).max())) * 1.1
        right.plot([-edge, edge], [-edge, edge], color="grey", linestyle="--", linewidth=1, label="增长相同")
        right.scatter(x, y, s=22, color="C1", label=f"城市-年(N = {len(pairs)})")
        right.legend(loc="upper left", fontsize=8)
    else:
        _no_data(right, "没有与省同年、连续两年都有计划的城市")
    right.axhline(0, color="grey", linewidth=0.6)
    right.axvline(0, color="grey", linewidth=0.6)
    right.set_title("计划增长", fontsize=10)
    right.set_xlabel("省年度计划增长(对数点 × 100)")
    right.set_ylabel("城市年度计划增长(对数点 × 100)")
    return fig


def _plan_levels(ax: "Axes", shown: "pd.DataFrame") -> None:
    """Left panel of :func:`plot_amplification`: province plan against the sum of its cities' plans."""
    ax.set_title("计划规模", fontsize=10)
    ax.set_xlabel("省年度计划(亿元)")
    ax.set_ylabel("已知城市年度计划之和(亿元)")
    if shown.empty:
        _no_data(ax, "没有同一年的省与城市计划")
        return
    x, y = shown["province_plan"].astype(float), shown["city_plan_sum"].astype(float)
    complete = shown["ratio"].notna()
    low, high = float(min(x.min(), y.min())) / 1.5, float(max(x.max(), y.max())) * 1.5
    ax.plot([low, high], [low, high], color="grey", linestyle="--", linewidth=1, label="城市之和 = 省计划")
    ax.scatter(x[complete], y[complete], s=30, color="C0", label="全部城市都有计划")
    ax.scatter(x[~complete], y[~complete], s=30, facecolors="none", edgecolors="C0", label="部分城市有计划")
    for row in shown[~complete].itertuples():
        listed = f"/{int(row.n_cities_listed)}" if row.n_cities_listed else ""
        ax.annotate(f"{row.province[:2]}{int(row.year)} {int(row.n_cities)}{listed}",
                    (float(row.province_plan), float(row.city_plan_sum)), fontsize=7, color="grey",
                    xytext=(3, 3), textcoords="offset points")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(low, high)
    ax.set_ylim(low, high)
    plain_log_axis(ax.xaxis)
    plain_log_axis(ax.yaxis)
    ax.legend(loc="upper left", fontsize=8)
