"""The HTML reports in a real browser: headless Chromium loads the index and a report from file:// URLs
with no console error and no failed request (nothing is fetched from the network); the index shows
its groups, its coverage heatmap and both languages (index.html and index.html#en)."""
from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS

from keyproj.cli import main
from keyproj.paths import OutputLayout

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium (apt-get install chromium)")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OutputLayout]:
    """outputs/ with the index and one report of each notebook, rendered from a built copy of the data."""
    from keyproj.data.build import build

    monkeypatch = pytest.MonkeyPatch()
    root = tmp_path_factory.mktemp("browser")
    data = root / "data"
    shutil.copytree(REPO / "data" / "raw", data / "raw")
    shutil.copytree(REPO / "data" / "reference", data / "reference")
    shutil.copy(REPO / "data" / "corrections.csv", data / "corrections.csv")
    build(data)
    monkeypatch.setenv("KEYPROJ_DATA", str(data))  # the index's heatmap reads this copy's panel
    notebooks = REPO / "notebooks"
    config = root / "reports.yaml"
    config.write_text(
        "reports:\n"
        f"  - name: trends\n    notebook: {notebooks / '01_investment_trends.ipynb'}\n"
        "    parameters: {region: 泉州市, scope: city}\n"
        f"  - name: plan\n    notebook: {notebooks / '02_planned_vs_actual.ipynb'}\n"
        "    parameters: {region: 泉港区, year: 2024}\n"
        f"  - name: audit\n    notebook: {notebooks / '03_source_audit.ipynb'}\n"
        "    parameters: {region: 泉州台商投资区, doc_id: 004_34d48eeab18069cf}\n",
        encoding="utf-8")
    outputs = OutputLayout(root / "outputs")
    assert main(["render", "--config", str(config), "--data", str(data), "--outputs", str(outputs.root),
                 "--quiet"]) == 0
    yield outputs
    monkeypatch.undo()


@pytest.mark.parametrize("page_name", ["index", "trends", "plan", "audit"])
def test_pages_load_offline_without_errors(rendered: OutputLayout, page_name: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    path = rendered.html / f"{page_name}.html"
    console_errors: list[str] = []
    failed_requests: list[str] = []
    requested: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            page.on("console", lambda message: console_errors.append(message.text)
                    if message.type == "error" else None)
            page.on("pageerror", lambda error: console_errors.append(str(error)))
            page.on("requestfailed", lambda request: failed_requests.append(request.url))
            page.on("request", lambda request: requested.append(request.url))
            page.goto(path.as_uri(), wait_until="load")
            lang = page.evaluate("document.documentElement.lang")
            images = page.evaluate("Array.from(document.images).map(i => [i.naturalWidth, i.alt])")
            text = page.inner_text("body")
            page.screenshot(path=str(tmp_path / f"{page_name}.png"), full_page=True)
        finally:
            browser.close()
    assert console_errors == [] and failed_requests == []
    assert all(url.startswith(("file://", "data:")) for url in requested), requested
    assert lang == "zh-CN"
    assert (tmp_path / f"{page_name}.png").stat().st_size > 10_000
    if page_name == "index":
        assert "重点项目报告" in text and len(images) == 0
    else:
        assert images and all(width > 0 for width, _ in images)  # every figure decodes
        assert all(alt for _, alt in images)
    if page_name == "audit":
        assert "110.7" in text


@pytest.mark.parametrize("fragment", ["", "#en"])
def test_index_guides_in_both_languages(rendered: OutputLayout, fragment: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            page.goto(rendered.index.as_uri() + fragment, wait_until="load")
            text = page.inner_text("body")  # only what is displayed
            heatmap = page.evaluate(
                "(() => { const t = Array.from(document.querySelectorAll('table.heatmap'))"
                ".find(e => e.offsetParent !== null); if (!t) return null;"
                " const cells = Array.from(t.querySelectorAll('td[class^=kind-]'));"
                " return {rows: t.querySelectorAll('tbody tr').length, coloured: cells.length,"
                " colours: Array.from(new Set(cells.map(c => getComputedStyle(c).backgroundColor)))}; })()")
        finally:
            browser.close()
    assert heatmap is not None and heatmap["rows"] >= 4 and heatmap["coloured"] >= 5
    assert len(heatmap["colours"]) >= 2  # coloured by what exists
    if fragment:
        assert "Key-project reports" in text and "Cities" in text and "Counties and districts" in text
        assert "重点项目报告" not in text and "县(区)级" not in text  # the Chinese section is hidden
        assert "region: 泉港区" in text
    else:
        assert "重点项目报告" in text and "市级" in text and "县(区)级" in text and "Key-project reports" not in text
        assert "地区:泉港区 · 年份:2024" in text and "数据覆盖" in text
        assert "某一年各级名单完成了计划的多少" in text  # what the report answers
