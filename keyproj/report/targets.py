"""Tables and notes of the targets report (notebooks/04_targets.ipynb), shaped from the results of
keyproj.research so that every number the report states is computed from the panel.

Units as in keyproj.research: rates in %, margins and gaps in percentage points (pp), plans in
亿元, plan growth in log points (0.01 is about 1 %).
"""
from __future__ import annotations

import html
import inspect
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from keyproj.report.regions import level_label
from keyproj.research import Coverage, Result, full_year_bunching

if TYPE_CHECKING:
    import pandas as pd
    from IPython.display import HTML

TERM_LABELS: dict[str, str] = {
    "intercept": "截距(%)",
    "slope": "斜率(完成率 % / 时间进度 %;1 = 按序时进度)",
    "density_jump": "密度跳跃(阈值上方 - 下方)",
    "excess_above": "阈值上方窗口多出的观测数",
    "excess_ratio": "多出比例(相对反事实)",
    "missing_below": "阈值下方窗口多出的观测数(负 = 缺少)",
    "slope_over": "超额完成的斜率(对数点 / 百分点)",
    "slope_under": "未完成的斜率(对数点 / 百分点)",
    "asymmetry": "不对称:超额 - 未完成(对数点 / 百分点)",
    "ratio": "城市计划之和 ÷ 省计划",
    "growth_diff": "城市计划增长 - 省计划增长(对数点)",
}
"""Chinese names of the research terms, with their units."""

TABLE_FORMATS: dict[str, str] = {"估计值": ".4g", "标准误": ".3g", "95% 下限": ".4g", "95% 上限": ".4g",
                                 "p 值": ".3f", "N": ".0f", "聚类数": ".0f"}
"""Formats of :func:`estimate_table`'s columns for ``report.table``."""

DROP_REASONS: dict[str, str] = {
    "list_note": "名单不可比(list_note)",
    "not an in-year period from January": "不是从 1 月起的年内期间",
    "not a full-year period": "不是全年",
    "no completion rate": "没有完成率",
    "other subset": "其他口径",
    "only observation of its region": "地区只有一个观测",
    "no plan or rate for the year before": "没有上一年的计划或全年完成率",
}
_NOT_ESTIMATED = "not estimated: "


def select_years(panel: "pd.DataFrame", start_year: int | None, end_year: int | None) -> "pd.DataFrame":
    """Rows whose year lies in start_year..end_year (None: open on that side). With both None the
    panel is returned whole, rows of unknown year included; otherwise those rows are left out."""
    if start_year is None and end_year is None:
        return panel
    year = panel["year"].astype("Float64")
    keep = year.notna()
    if start_year is not None:
        keep &= year >= start_year
    if end_year is not None:
        keep &= year <= end_year
    return panel[keep.fillna(False).to_numpy(dtype=bool)].reset_index(drop=True)


def bunching_min_obs(min_obs: int) -> int:
    """Fewest observations for a bunching test: ``min_obs``, but never fewer than the research
    default (a histogram of fewer values has too few per bin for a polynomial fit)."""
    default = inspect.signature(full_year_bunching).parameters["min_obs"].default
    return max(int(min_obs), int(default))


def estimate_table(result: Result) -> "pd.DataFrame":
    """A result's estimates with Chinese headings: group, term, estimate, standard error, 95 % CI,
    p-value, N, clusters (regions; provinces for amplification); a term not estimated has its
    reason in 说明 instead."""
    import pandas as pd

    est = result.estimates
    reasons = [text.removeprefix(_NOT_ESTIMATED) if str(text).startswith(_NOT_ESTIMATED) else ""
               for text in est["inference"].astype(str)]
    return pd.DataFrame({
        "组": [level_label(str(group)) for group in est["group"]],
        "估计项": [TERM_LABELS.get(str(term), str(term)) for term in est["term"]],
        "估计值": est["estimate"], "标准误": est["std_error"], "95% 下限": est["ci_low"],
        "95% 上限": est["ci_high"], "p 值": est["p_value"], "N": est["n"], "聚类数": est["n_clusters"],
        "说明": reasons,
    })


def inference_notes(result: Result) -> list[str]:
    """How the estimated terms' errors were computed, once per distinct method."""
    methods = [str(text) for text in result.estimates["inference"] if not str(text).startswith(_NOT_ESTIMATED)]
    return [f"推断方法:{method}" for method in dict.fromkeys(methods)]


def term(result: Result, name: str, group: str = "pooled") -> dict[str, Any] | None:
    """One estimate row (estimate, std_error, ci_low, ci_high, p_value, n, ...) as a dict; None when
    the term is missing or was not estimated."""
    rows = result.estimates[(result.estimates["term"] == name) & (result.estimates["group"] == group)]
    if rows.empty or rows["estimate"].isna().iloc[0]:
        return None
    return rows.iloc[0].to_dict()


def dropped_text(dropped: Mapping[str, int]) -> str:
    """Rows a result left out, by reason, as Chinese text ('' when none)."""
    parts = [f"{DROP_REASONS.get(reason, reason)} {count} 行" for reason, count in dropped.items() if count]
    return ";".join(parts)


def coverage_table(coverage: Coverage) -> "pd.DataFrame":
    """What the panel holds for the research questions, as (项目, 数量) rows."""
    import pandas as pd

    first, last = coverage.years
    rows = [("面板行数(剔除不可比名单后)", coverage.rows), ("地区", coverage.regions)]
    rows += [(f"有{level_label(level)}数字的地区", count) for level, count in coverage.regions_by_level.items()]
    rows += [("有年度计划的地区-名单-年", coverage.region_years_plan),
             ("有全年完成率的地区-名单-年", coverage.region_years_full_year),
             ("两者都有的地区-名单-年", coverage.region_years_both),
             ("计划棘轮的观测(今年计划、去年计划与去年全年完成率)", coverage.ratchet_observations),
             ("年内观测(1-N月,有完成率与时间进度)", coverage.in_year_observations),
             ("年内观测来自的地区", coverage.in_year_regions),
             ("年份范围", f"{first}-{last}" if first else "无"),
             ("因名单不可比(list_note)剔除的行", coverage.dropped_not_comparable)]
    return pd.DataFrame(rows, columns=["项目", "数量"]).astype({"数量": str})


def note_counts(panel: "pd.DataFrame") -> "pd.DataFrame":
    """Rows and regions per comparability note (list_note codes; rows with several notes count for
    each); empty when the panel has no list_note column or no note."""
    import pandas as pd

    columns = ["说明代码", "行数", "地区数"]
    if "list_note" not in panel.columns:
        return pd.DataFrame(columns=columns)
    notes = panel[["region", "list_note"]].astype({"list_note": "string"}).fillna({"list_note": ""})
    notes = notes.assign(code=notes["list_note"].str.split(";")).explode("code")
    notes = notes[notes["code"].str.strip() != ""]
    counts = notes.groupby("code").agg(rows=("region", "size"), regions=("region", "nunique")).reset_index()
    return counts.sort_values("rows", ascending=False).set_axis(columns, axis=1).reset_index(drop=True)


def notes(items: Iterable[str], title: str | None = None) -> "HTML":
    """A bulleted list of escaped notes (caveats, reasons), under an optional bold title."""
    from IPython.display import HTML

    body = "".join(f"<li>{html.escape(str(item))}</li>" for item in items)
    head = f"<p><b>{html.escape(title)}</b></p>" if title else ""
    return HTML(f'{head}<ul class="keyproj-notes">{body}</ul>' if body else head)
