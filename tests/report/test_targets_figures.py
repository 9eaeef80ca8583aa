"""The targets report's pieces on synthetic panels: figures (Chinese glyphs, no mathtext, empty
data), regions from the gazetteer, and the tables and notes computed from results."""
from __future__ import annotations

import json
import warnings
from collections.abc import Iterable, Mapping
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from conftest import REPO_ROOT  # noqa: E402

from keyproj import report, research  # noqa: E402

NOTEBOOK = REPO_ROOT / "notebooks" / "04_targets.ipynb"

FLOATS = ["annual_plan", "completed_investment", "completion_rate", "completion_rate_calc", "elapsed_pct",
          "ahead_of_schedule", "ahead_calc"]
PROVINCES = {"福建省", "海南省", "宁夏回族自治区", "贵州省", "陕西省"}
CITIES = ["福州市", "厦门市", "莆田市", "三明市", "泉州市", "漳州市", "南平市", "龙岩市", "宁德市"]


def make_panel(records: Iterable[Mapping[str, Any]], list_note: bool = True) -> pd.DataFrame:
    """A typed panel like keyproj's (region, scope, subset, periods, year, figures)."""
    rows = []
    for rec in records:
        year, end = rec["year"], rec.get("end", 12)
        row = {"region": rec["region"], "scope": rec.get("scope", "city"), "subset": "",
               "period_start": pd.Period(f"{year}-01", "M"), "period_end": pd.Period(f"{year}-{end:02d}", "M"),
               "year": year, "period": f"{year}-01..{year}-{end:02d}", "sources": f"https://example.gov.cn/{len(rows)}"}
        row.update({name: rec.get(name) for name in FLOATS})
        if end < 12:
            row["elapsed_pct"] = end / 12 * 100
        if list_note:
            row["list_note"] = rec.get("list_note", "")
        rows.append(row)
    frame = pd.DataFrame(rows)
    for name in ("region", "scope", "subset"):
        frame[name] = frame[name].astype("category")
    for name in ("period_start", "period_end"):
        frame[name] = frame[name].astype("period[M]")
    frame["year"] = frame["year"].astype("Int64")
    return frame.astype({name: "Float64" for name in FLOATS})


def synthetic(seed: int = 3, list_note: bool = True) -> pd.DataFrame:
    """Forty regions with in-year and full-year rates and plans; five provinces with every city's plan."""
    rng = np.random.default_rng(seed)
    records: list[dict[str, Any]] = []
    for r in range(40):
        plan = 100.0
        for year in range(2016, 2022):
            for end in (3, 6, 9):
                records.append({"region": f"地区{r:02d}", "year": year, "end": end,
                                "completion_rate": -8 + 1.2 * end / 12 * 100 + rng.normal(0, 5)})
            rate = 100 + rng.normal(4, 6)
            records.append({"region": f"地区{r:02d}", "year": year, "annual_plan": plan, "completion_rate": rate})
            plan *= np.exp(0.05 + 0.004 * max(rate - 100, 0) + rng.normal(0, 0.02))
    for province, cities in report.cities_of(PROVINCES).items():  # city plans grow faster than provinces'
        for year in range(2018, 2022):
            records.append({"region": province, "scope": "province", "year": year,
                            "annual_plan": 3000 * 1.05 ** (year - 2018)})
            for k, city in enumerate(cities):
                records.append({"region": city, "year": year, "annual_plan": (300 + 40 * k) * 1.08 ** (year - 2018)})
    records[0]["list_note"] = "rate_base"
    return make_panel(records, list_note)


@pytest.fixture(scope="module")
def results() -> dict[str, Any]:
    panel = synthetic()
    regions = panel["region"].astype(str).unique()
    city_province = report.province_of(regions, level="city")
    return {"panel": panel,
            "pace": research.pace(panel, n_boot=99),
            "full": research.full_year_bunching(panel, n_boot=99),
            "ratchet": research.ratchet(panel, n_boot=99),
            "amplification": research.amplification(panel, city_province, cities_of=report.cities_of(PROVINCES),
                                                     n_boot=99)}


def figures(results: dict[str, Any]) -> dict[str, Any]:
    pace, amplified = results["pace"], results["amplification"]
    return {"pace": report.plot_pace(pace.data, pace.fit, "年内完成率与时间进度"),
            "margins": report.plot_schedule_margins(pace.margin, "超序时进度的分布"),
            "full": report.plot_full_year_rates(results["full"], "全年完成率的分布"),
            "ratchet": report.plot_ratchet(results["ratchet"].data, results["ratchet"].estimates, "计划棘轮"),
            "amplification": report.plot_amplification(amplified.by_year, amplified.data, "城市与省的计划")}


def tick_texts(fig: Any) -> list[str]:
    fig.canvas.draw()
    return [label.get_text() for ax in fig.axes for axis in (ax.xaxis, ax.yaxis)
            for label in axis.get_ticklabels(which="both")]


def test_figures_draw_chinese_without_missing_glyphs_or_mathtext(results: dict[str, Any]) -> None:
    report.setup_plotting()
    assert results["pace"].ok and results["pace"].margin.ok and results["ratchet"].ok
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font(s)" becomes a failure
        drawn = figures(results)
        for name, fig in drawn.items():
            texts = tick_texts(fig)
            assert not [text for text in texts if "$" in text or "\\mathdefault" in text], name
            plt.close(fig)
    assert len(drawn) == 5


def test_each_figure_shows_what_the_paper_needs(results: dict[str, Any]) -> None:
    report.setup_plotting()
    drawn = figures(results)
    pace_ax = drawn["pace"].axes[0]
    labels = [line.get_label() for line in pace_ax.get_lines()]
    assert any("时间进度" in label for label in labels) and any("合计" in label for label in labels)
    assert pace_ax.collections  # the points and the band
    margins = drawn["margins"].axes[0]
    assert any(line.get_xdata()[0] == 0 for line in margins.get_lines() if len(line.get_xdata()) == 2)
    assert any("反事实" in line.get_label() for line in margins.get_lines())
    full = drawn["full"].axes[0]
    assert any(tuple(line.get_xdata()) == (100, 100) for line in full.get_lines())
    ratchet = [line.get_label() for line in drawn["ratchet"].axes[0].get_lines()]
    assert any("超额" in label for label in ratchet) and any("未完成" in label for label in ratchet)
    left = drawn["amplification"].axes[0]
    assert left.get_xscale() == "log" and left.get_yscale() == "log"
    drawn["amplification"].canvas.draw()
    low, high = left.get_xlim()
    shown = [label.get_text() for label in left.xaxis.get_ticklabels() if low <= label.get_position()[0] <= high]
    assert len(shown) >= 2 and all(text.replace(" ", "").isdigit() for text in shown), shown  # 1 000, 2 000
    for fig in drawn.values():
        plt.close(fig)


def test_figures_of_an_empty_panel_say_so() -> None:
    report.setup_plotting()
    empty = synthetic().iloc[0:0]
    pace = research.pace(empty, n_boot=9)
    full = research.full_year_bunching(empty, n_boot=9)
    ratchet = research.ratchet(empty, n_boot=9)
    amplified = research.amplification(empty, {}, n_boot=9)
    for fig in (report.plot_pace(pace.data, pace.fit, "空"), report.plot_schedule_margins(pace.margin, "空"),
                report.plot_full_year_rates(full, "空"), report.plot_ratchet(ratchet.data, ratchet.estimates, "空"),
                report.plot_amplification(amplified.by_year, amplified.data, "空")):
        notes = [text.get_text() for ax in fig.axes for text in ax.texts]
        assert any(note.startswith("没有") for note in notes)
        plt.close(fig)


def test_province_of_uses_the_gazetteer() -> None:
    regions = ["泉州市", "泉港区", "福建省", "北京市", "新华区", "不存在的地方"]
    assert report.province_of(regions) == {"泉州市": "福建省", "泉港区": "福建省", "福建省": "福建省", "北京市": "北京市"}
    assert report.province_of(regions, level="city") == {"泉州市": "福建省"}
    fujian = report.cities_of({"福建省", "北京市"})
    assert sorted(fujian) == ["福建省"] and sorted(fujian["福建省"]) == sorted(CITIES)


def test_levels_and_years_select_rows() -> None:
    panel = make_panel([{"region": "甲", "scope": scope, "year": year, "annual_plan": 1.0}
                        for scope in ("province", "city", "province+city", "county") for year in (2019, 2020, 2021)])
    assert set(report.select_levels(panel, ["province", "city"])["scope"].astype(str)) == {
        "province", "city", "province+city"}
    assert set(report.select_levels(panel, ["city"])["scope"].astype(str)) == {"city"}
    assert list(report.select_levels(panel, ["city"])["scope"].cat.categories) == ["city"]
    assert sorted(report.select_years(panel, 2020, None)["year"].unique()) == [2020, 2021]
    assert sorted(report.select_years(panel, None, 2019)["year"].unique()) == [2019]
    assert report.select_years(panel, None, None) is panel
    assert report.level_label("pooled") == "合计" and report.level_label("province") == "省重点项目"
    assert report.level_label("province+city+county") == "省+市+县(区)重点项目"


def test_tables_and_notes_come_from_the_results(results: dict[str, Any]) -> None:
    pace = results["pace"]
    table = report.estimate_table(pace)
    assert list(table.columns) == ["组", "估计项", "估计值", "标准误", "95% 下限", "95% 上限", "p 值", "N", "聚类数", "说明"]
    assert table["N"].iloc[0] == pace.n and table["组"].iloc[0] == "合计"
    slope = report.term(pace, "slope")
    assert slope is not None and slope["ci_low"] < 1.2 < slope["ci_high"]
    thin = research.ratchet(results["panel"].iloc[:30], n_boot=9)
    assert report.term(thin, "slope_over") is None
    assert all(reason for reason in report.estimate_table(thin)["说明"])  # the reason, not a number
    assert report.dropped_text(pace.dropped).startswith("名单不可比(list_note) 1 行")
    coverage = report.coverage_table(research.describe_coverage(results["panel"]))
    assert coverage.loc[coverage["项目"] == "地区", "数量"].iloc[0] == str(results["panel"]["region"].nunique() - 0)
    assert report.note_counts(results["panel"]).to_dict("records") == [{"说明代码": "rate_base", "行数": 1, "地区数": 1}]
    assert report.note_counts(synthetic(list_note=False)).empty
    assert report.bunching_min_obs(5) == 50 and report.bunching_min_obs(80) == 80
    assert "&lt;b&gt;" in report.notes(["<b>x</b>"], "注意").data


def test_the_notebook_states_every_estimate_when_the_panel_suffices(monkeypatch: pytest.MonkeyPatch) -> None:
    """04_targets run in-process on a synthetic panel on which every question is answered."""
    import IPython.display

    from keyproj.report import html, params

    panel = synthetic()
    index = params.DataIndex(panel, pd.DataFrame({"region": []}), sorted(panel["region"].astype(str).unique()))
    monkeypatch.setattr(params.DataIndex, "load", classmethod(lambda cls, data_dir=None: index))
    monkeypatch.setattr(html, "data_fingerprint", lambda data_dir=None: "synthetic")
    shown: list[str] = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, *a, **k: shown.append(str(getattr(obj, "data", ""))))
    monkeypatch.chdir(NOTEBOOK.parent)
    namespace: dict[str, Any] = {"__name__": "__main__"}
    for cell in json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] == "code":
            exec(compile("".join(cell["source"]), NOTEBOOK.name, "exec"), namespace)  # noqa: S102
    assert all(namespace[name].ok for name in ("pace", "full", "ratchet", "amplified"))
    page = "\n".join(shown)
    for sentence in ("合计斜率", "比反事实多", "100% 右侧窗口内的观测比反事实多", "去年每超额 1 个百分点",
                     "城市计划之和 ÷ 省计划:平均", "城市计划增长 - 省计划增长:平均"):
        assert sentence in page, sentence
    assert "未估计" not in page.replace("部分组未估计", "")
    ratio = namespace["amplified"].estimates.set_index("term").loc["ratio", "estimate"]
    assert f"城市计划之和 ÷ 省计划:平均 {ratio:.3f}" in page
