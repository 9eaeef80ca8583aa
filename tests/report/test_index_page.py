"""The index (keyproj.render.index) guides a reader: reports grouped by place and level, one line saying
what each answers, parameters with Chinese names, how much data stands behind each, a coverage
heatmap, links to the data and the methods, status in a footer, Chinese and English."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import copy_data_inputs

from keyproj.data.build import build
from keyproj.data.coverage import read_panel_rows, region_year_kinds
from keyproj.render.config import load_config
from keyproj.render.index import IndexEntry, index_page, parse_parameters
from keyproj.report.labels import label


@pytest.fixture(scope="module")
def panel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default data's panel, built in a folder of its own (a fresh clone has no data/processed)."""
    return build(copy_data_inputs(tmp_path_factory.mktemp("index"))).panel_path


def entries() -> list[IndexEntry]:
    return [IndexEntry(report.name, report.display_title, report.parameters_text(), "ok",
                       "2026-01-02T03:04:05+08:00", 2.5, True) for report in load_config().reports]


def test_reports_are_grouped_by_level_then_place(panel: Path) -> None:
    page = index_page(entries(), "2026-01-02T03:04:05+08:00", "abc", "0.1", panel)
    chinese = page[page.index('<section id="zh"'):]
    groups = re.findall(r'<h3 class="group">(.*?)</h3>', chinese)
    assert groups == ["省级", "市级", "县(区)级", "全国"]
    places = re.findall(r'<h4 class="place">(.*?)</h4>', chinese)
    assert places.index("泉州市") < places.index("泉港区") and "福建省" == places[0]
    for notebook in ("01_investment_trends.ipynb", "02_planned_vs_actual.ipynb", "03_source_audit.ipynb",
                     "04_targets.ipynb"):
        assert label("report_types", notebook) in chinese
    assert "地区:泉港区 · 年份:2024" in chinese and "名单级别:市重点项目" in chinese
    assert "年份有数字" in chinese  # how much data stands behind each report


def test_the_heatmap_colours_what_exists(panel: Path) -> None:
    page = index_page(entries(), "now", "abc", "0.1", panel)
    kinds = region_year_kinds(read_panel_rows(panel))
    chinese = page[page.index('<section id="zh"'):]
    heatmap = chinese[chinese.index('<table class="heatmap">'):chinese.index("</table>", chinese.index("heatmap"))]
    row = re.search(r'<th class="region">泉州市</th>(.*?)</tr>', heatmap).group(1)
    years = [int(year) for year in re.findall(r"<th>(\d{4})</th>", heatmap)]
    cells = re.findall(r'<td class="(kind-[a-z_]+|empty)"', row)
    assert len(cells) == len(years)
    for year, cell in zip(years, cells, strict=True):
        assert cell == (f"kind-{kinds[('泉州市', year)]}" if ("泉州市", year) in kinds else "empty")
    assert "其余" in heatmap and label("coverage_kinds", "both") in chinese


def test_links_to_data_methods_and_heatmap_and_a_small_footer(panel: Path) -> None:
    page = index_page(entries(), "2026-01-02T03:04:05+08:00", "abc", "0.1", panel)
    for href in ('href="../../data/processed/panel.csv"', 'href="#coverage-zh"', 'href="#methods-zh"',
                 'href="../../docs/research.md"', 'href="trends-quanzhou-city.html"', 'href="#en"'):
        assert href in page
    footer = page[page.rindex("<footer>"):]
    assert "2.5 s" in footer and "已更新" in footer and "abc" in footer
    body = page.replace("2026-01-02T03:04:05+08:00", "")
    assert not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", body)  # no other time: a pure function of its inputs
    assert index_page(entries(), "2026-01-02T03:04:05+08:00", "abc", "0.1", panel) == page


def test_english_is_in_the_same_page(panel: Path) -> None:
    page = index_page(entries(), "now", "abc", "0.1", panel)
    english = page[page.index('<section id="en" lang="en">'):page.index('<section id="zh"')]
    assert "Key-project reports" in english and "Counties and districts" in english
    assert "region: 泉港区 · year: 2024" in english and label("report_types", "04_targets.ipynb", "en") in english
    assert "#en:target" in page  # index.html#en shows it, index.html the Chinese


def test_titles_and_reasons_are_escaped_and_parameters_parsed(panel: Path) -> None:
    hostile = IndexEntry("x", "<script>1</script>", "region=泉港区, year=2024", "failed", "", None, False,
                         reason="<b>bad</b>")
    page = index_page([hostile], "now", "abc", "0.1", panel)
    assert "<script>1" not in page and "&lt;script&gt;1" in page and "&lt;b&gt;bad" in page
    assert parse_parameters("levels=['province', 'city'], min_obs=20") == {"levels": "['province', 'city']",
                                                                           "min_obs": "20"}
    assert parse_parameters("(defaults)") == {}
