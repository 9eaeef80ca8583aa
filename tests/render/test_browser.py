"""The HTML reports in a real browser: headless Chromium loads the index and a report from file:// URLs
with no console error and no failed request (nothing is fetched from the network)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS

from keyproj.cli import main
from keyproj.paths import OutputLayout

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium (apt-get install chromium)")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> OutputLayout:
    """outputs/ with the index and one report of each notebook, rendered from a built copy of the data."""
    from keyproj.data.build import build

    root = tmp_path_factory.mktemp("browser")
    data = root / "data"
    shutil.copytree(REPO / "data" / "raw", data / "raw")
    shutil.copytree(REPO / "data" / "reference", data / "reference")
    shutil.copy(REPO / "data" / "corrections.csv", data / "corrections.csv")
    build(data)
    notebooks = REPO / "notebooks"
    config = root / "reports.yaml"
    config.write_text(
        "reports:\n"
        f"  - name: trends\n    notebook: {notebooks / '01_investment_trends.ipynb'}\n"
        f"  - name: plan\n    notebook: {notebooks / '02_planned_vs_actual.ipynb'}\n"
        f"  - name: audit\n    notebook: {notebooks / '03_source_audit.ipynb'}\n"
        "    parameters: {doc_id: 004_34d48eeab18069cf}\n",
        encoding="utf-8")
    outputs = OutputLayout(root / "outputs")
    assert main(["render", "--config", str(config), "--data", str(data), "--outputs", str(outputs.root),
                 "--quiet"]) == 0
    return outputs


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
