"""Every report notebook renders in English with ``lang="en"``: no Chinese is left in its headings,
prose, sentences, table headers and captions, or in its figures' titles, axis labels, legends,
tick labels and notes, except data (place names, sentences quoted from documents, titles of
documents). Chinese reports are untouched by the English machinery.

The notebooks' code cells run in this process (as in test_all_charts.py); ``report.show`` is
replaced by a function that records every text of the drawn figure.
"""
from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
import yaml

from keyproj import report
from keyproj.render.config import load_config
from keyproj.report import prose
from keyproj.report.html import about_html
from keyproj.report.labels import LABELS_FILE, labels

CONFIG = load_config()
NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
PENDING: dict[str, re.Pattern[str]] = {}  # notebook -> Chinese still allowed in its English report
PERIOD = re.compile(r"^(?:\d{4}年)?(?:\d+(?:-\d+)?月|全年|年份不详)$")  # a period label, not data
ENGLISH_REPORTS = {entry.notebook.name: entry for entry in CONFIG.reports if entry.parameters.get("lang") == "en"}


def _cells(notebook: Path) -> tuple[str, list[str]]:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    code = [cell for cell in cells if cell["cell_type"] == "code"]
    parameters = next(cell for cell in code if "parameters" in cell.get("metadata", {}).get("tags", []))
    return "".join(parameters["source"]), ["".join(cell["source"]) for cell in code if cell is not parameters]


def _run(notebook: Path, parameters: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """What a notebook shows: markdown, HTML and the texts of each figure, by kind."""
    parameters_cell, cells = _cells(notebook)
    shown: dict[str, list[str]] = {"markdown": [], "html": [], "figures": []}

    def collect(*objects: Any, **_: Any) -> None:
        for item in objects:
            kind = "markdown" if type(item).__name__ == "Markdown" else "html"
            shown[kind].append(str(getattr(item, "data", item)))

    def check(fig: Any, alt: str | None = None) -> None:
        shown["figures"].extend(report.figure_texts(fig))
        plt.close(fig)

    monkeypatch.setattr(report, "show", check)
    namespace: dict[str, Any] = {"__name__": "__main__"}
    exec(parameters_cell, namespace)  # noqa: S102 - the repository's own notebooks
    namespace.update(parameters)
    for source in cells:
        namespace["display"] = collect
        exec(source.replace("from IPython.display import display", ""), namespace)  # noqa: S102
    return shown


def _places() -> list[str]:
    """Place names (data): every region of the panel and the provinces they belong to, longest first."""
    parameters_cell, _ = _cells(NOTEBOOKS / "04_targets.ipynb")
    namespace: dict[str, Any] = {}
    exec(parameters_cell, namespace)  # noqa: S102 - the repository's own notebook
    panel = report.validate(namespace, "04_targets.ipynb").index.panel
    regions = {str(region) for region in panel["region"].astype(str).unique()}
    provinces = set(report.province_of(sorted(regions)).values())
    provinces |= {province[:length] for province in provinces for length in (2, 3)}  # 广东 on tick labels
    return sorted(regions | provinces, key=len, reverse=True)


def _without_data(text: str, places: list[str]) -> str:
    """``text`` without place names, highlighted quotes (<mark>) and links to documents (their titles)."""
    text = re.sub(r"<a [^>]*>.*?</a>", "", text)
    for place in places:
        text = text.replace(place, "")
    return text


def _headers(page: str) -> list[str]:
    found = re.findall(r"<(?:th|caption)[^>]*>(.*?)</(?:th|caption)>", page, re.DOTALL)
    return [html.unescape(cell) for cell in found]


def _sentences(page: str) -> list[str]:
    """Text outside tables (paragraphs, notes, the about block): tables hold data cells."""
    outside = re.sub(r"<table.*?</table>", "", page, flags=re.DOTALL)
    return [html.unescape(text) for text in re.sub(r"<[^>]+>", "\n", outside).split("\n") if text.strip()]


@pytest.fixture(scope="module")
def places() -> list[str]:
    return _places()


@pytest.mark.parametrize("notebook", ["01_investment_trends.ipynb", "02_planned_vs_actual.ipynb",
                                      "03_source_audit.ipynb", "04_targets.ipynb"])
def test_a_report_has_no_chinese_but_data_in_english(notebook: str, places: list[str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    entry = ENGLISH_REPORTS.get(notebook)  # an English report of reports.yaml, else the defaults in English
    path, parameters = (entry.notebook, entry.parameters) if entry else (NOTEBOOKS / notebook, {"lang": "en"})
    shown = _run(path, parameters, monkeypatch)
    assert shown["markdown"] and shown["figures"]
    pending = PENDING.get(notebook)
    if pending:
        known = {found for text in shown["figures"] + shown["html"] for found in pending.findall(text)}
        places = [*places, *sorted(known, key=len, reverse=True)]
    left = {"markdown": [text for text in shown["markdown"] if CJK.search(text)],
            "headers": [text for page in shown["html"] for text in _headers(page)
                        if CJK.search(_without_data(text, places))],
            "sentences": [text for page in shown["html"] for text in _sentences(page)
                          if CJK.search(_without_data(text, places))],
            "figures": [text for text in shown["figures"] if CJK.search(_without_data(text, places))]}
    assert left == {"markdown": [], "headers": [], "sentences": [], "figures": []}
    cells = {html.unescape(cell) for page in shown["html"]
             for cell in re.findall(r"<td>(.*?)</td>", page, re.DOTALL)}
    if not pending:
        assert [cell for cell in cells if PERIOD.search(cell)] == []  # period labels are words, not data
    about = next(page for page in shown["html"] if "keyproj-about" in page)
    assert "parameters: " in about and "data fingerprint" in about and "参数" not in about
    assert any(text.lstrip().startswith("#") for text in shown["markdown"])  # a heading of its own


def test_chinese_reports_stay_chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    entry = next(entry for entry in CONFIG.reports if entry.name == "trends-quanzhou-city")
    shown = _run(entry.notebook, entry.parameters, monkeypatch)
    assert shown["markdown"][0].startswith("# 重点项目投资趋势")
    assert "参数: " in shown["html"][0] and "数据指纹" in shown["html"][0]
    assert "完成率(%)" in shown["figures"] and "全年完成率" in shown["figures"]
    assert any("<th>年份</th>" in page and "<th>口径</th>" in page for page in shown["html"])


def test_translate_leaves_chinese_and_data_alone() -> None:
    assert prose.translate("1-9月", None) == "1-9月" and prose.translate("1-9月", "zh") == "1-9月"
    assert prose.translate("1-9月", "en") == "months 1-9"
    assert prose.translate("2024年全年", "en") == "2024, full year"
    assert prose.translate("年份不详(1-10月)", "en") == "year unknown (months 1-10)"
    assert prose.translate("拟合直线(省重点项目)", "en") == "fitted line (provincial key projects)"
    assert prose.translate("采用 310.04:政府网站优先", "en") == "took 310.04: government website first"
    assert prose.translate("泉州市", "en") == "泉州市"  # a place is data
    assert prose.translate(12.5, "en") == 12.5
    assert prose.with_periods("periods: 1-6月, 1-9月, 全年", "en") == \
        "periods: months 1-6, months 1-9, full year"


def test_every_template_has_english_with_the_same_placeholders() -> None:
    chinese, english = labels(lang="zh"), labels(lang="en")
    for group in ("periods", "phrases"):
        for code, text in chinese[group].items():
            assert english[group][code] != text, (group, code)  # translated
            assert not CJK.search(english[group][code]), (group, code)
            assert sorted(prose.PLACEHOLDER.findall(text)) == sorted(prose.PLACEHOLDER.findall(english[group][code]))
    raw = yaml.safe_load(LABELS_FILE.read_text(encoding="utf-8"))
    for group in ("sections", "words", "columns"):  # the reports' own words: each in both languages
        assert sorted(set(raw[group]) - set(raw["en"][group])) == [], group


def test_the_header_block_follows_the_language() -> None:
    chinese = about_html("标题", {"region": "泉州市"}, "abc", "1.0", "2026-01-01T00:00:00")
    assert "参数: region = <b>泉州市</b>" in chinese and "数据指纹 <code" in chinese
    assert "渲染时间" in chinese
    english = about_html("title", {"region": "泉州市"}, "abc", "1.0", "2026-01-01T00:00:00", "en")
    assert "parameters: region = <b>泉州市</b>" in english and "data fingerprint <code" in english
    assert "rendered at" in english and not CJK.search(english.replace("泉州市", ""))
