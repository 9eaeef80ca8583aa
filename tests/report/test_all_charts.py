"""Every chart of every report of notebooks/reports.yaml, drawn: no text of any figure holds raw
mathtext ('$' or '\\mathdefault'), no chart over years has a single year, and a single-axes chart
keeps its legend off the data.

The notebooks' code cells run in this process (not in a kernel: seconds, not minutes) with the
parameters of each report; ``report.show`` is replaced by a check that draws the figure.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from keyproj import report  # noqa: E402
from keyproj.render.config import load_config  # noqa: E402

CONFIG = load_config()


def _cells(notebook: Path) -> tuple[str, list[str]]:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    code = [cell for cell in cells if cell["cell_type"] == "code"]
    parameters = next(cell for cell in code if "parameters" in cell.get("metadata", {}).get("tags", []))
    return "".join(parameters["source"]), ["".join(cell["source"]) for cell in code if cell is not parameters]


def _single_axes_problems(fig: Any) -> list[str]:
    problems = []
    for ax in fig.axes:
        if ax.get_xlabel() in ("年份", "year"):
            xs = {round(float(x)) for line in ax.get_lines() for x in line.get_xdata() if x == x}
            xs |= {round(float(p.get_x() + p.get_width() / 2)) for p in ax.patches}
            xs |= {round(float(x)) for c in ax.collections for x, _ in c.get_offsets()}
            if len(xs) < 2:
                problems.append(f"{ax.get_title()!r}: a chart over years with one year")
    if len(fig.axes) == 1 and fig.axes[0].get_legend() is not None:
        ax = fig.axes[0]
        renderer = fig.canvas.get_renderer()
        legend = ax.get_legend().get_window_extent(renderer)
        if legend.overlaps(ax.get_window_extent(renderer)):
            problems.append(f"{ax.get_title()!r}: the legend lies over the data")
    return problems


def _run(name: str, monkeypatch: pytest.MonkeyPatch,
         shown: list[str] | None = None) -> list[tuple[str, list[str]]]:
    """Run one report's code cells here; its figures' texts (and, in ``shown``, what it displays)."""
    chosen = next(entry for entry in CONFIG.reports if entry.name == name)
    parameters_cell, cells = _cells(chosen.notebook)
    figures: list[tuple[str, list[str]]] = []
    shown = shown if shown is not None else []

    def collect(*objects: Any, **_: Any) -> None:
        shown.extend(str(getattr(item, "data", item)) for item in objects)

    def check(fig: Any, alt: str | None = None) -> None:
        texts = report.figure_texts(fig)
        figures.append((texts[0] if texts else "", texts + _single_axes_problems(fig)))
        plt.close(fig)

    monkeypatch.setattr(report, "show", check)
    namespace: dict[str, Any] = {"__name__": "__main__"}
    exec(parameters_cell, namespace)  # noqa: S102 - the repository's own notebooks
    namespace.update(chosen.parameters)
    for source in cells:
        namespace["display"] = collect
        exec(source.replace("from IPython.display import display", ""), namespace)  # noqa: S102
    return figures


@pytest.mark.parametrize("name", [entry.name for entry in CONFIG.reports])
def test_every_chart_has_plain_text_and_real_years(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    figures = _run(name, monkeypatch)
    raw = [(title, text) for title, texts in figures for text in texts if "$" in text or "\\mathdefault" in text]
    assert raw == []
    problems = [text for _, texts in figures for text in texts if text.endswith(("one year", "over the data"))]
    assert problems == []


def test_the_check_finds_raw_mathtext() -> None:
    # Not vacuous: matplotlib's own log labels are '$\mathdefault{10^{3}}$', printed raw with parse_math off.
    report.setup_plotting()
    fig, ax = plt.subplots()
    ax.plot([1, 2], [1000, 5000])
    ax.set_yscale("log")
    assert any("\\mathdefault" in text for text in report.figure_texts(fig))
    with pytest.raises(Exception, match="raw mathtext"):
        report.check_plain_text(fig)
    report.plain_log_axis(ax.yaxis)
    assert not any("$" in text for text in report.figure_texts(fig))
    assert "2 000" in report.figure_texts(fig)
    plt.close(fig)


def test_show_checks_the_figure_it_saved() -> None:
    # show() checks the texts of the drawing it saved (no second draw): a raw log label still fails.
    report.setup_plotting()
    fig, ax = plt.subplots()
    ax.plot([1, 2], [1000, 5000])
    ax.set_yscale("log")
    with pytest.raises(Exception, match="raw mathtext"):
        report.show(fig)
    plt.close(fig)


@pytest.mark.parametrize("name", ["trends-quanzhou-city", "plan-vs-actual-nanan-2021", "audit-quangang",
                                  "targets-national"])
def test_every_report_opens_with_what_stands_behind_it(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[str] = []
    _run(name, monkeypatch, shown)
    text = "\n".join(shown)
    assert "这份报告依据" in text and "地区-名单-年" in text
    if name.startswith(("trends", "targets")):  # full-year rates appear: the pattern is stated
        assert "全年完成率" in text and "不低于 100%" in text
    if name.startswith("plan-vs-actual"):
        assert "投资集中在下半年" in text  # the pace caveat beside 折算全年进度
        assert "在建项目" in text and "招商签约项目是另一份名单" in text  # 南安 2021: lists as they are


def test_a_report_renders_in_english(monkeypatch: pytest.MonkeyPatch) -> None:
    english = next(entry for entry in CONFIG.reports if entry.parameters.get("lang") == "en")
    shown: list[str] = []
    figures = _run(english.name, monkeypatch, shown)
    text = "\n".join(shown)
    assert "Plan and actual" in text and "This report rests on" in text and "annualised pace" in text
    assert "各级名单" not in text and "这份报告依据" not in text  # no Chinese prose left
    words = {word for _, texts in figures for word in texts}
    assert "completion rate (%)" in words and "完成率(%)" not in words
