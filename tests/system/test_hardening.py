"""Hostile documents, very large inputs, and the researchers' own files.

- Markup in a document (<script>, onerror=, javascript: links, comments, </table>) travels as text
  from the document through extract, build and render into a report, and runs nothing in a browser.
- A 50 MB document and a document of 100,000 figures are extracted in bounded time and memory.
- data/raw/ and data/corrections.csv are never written, whatever runs and whatever fails.
- Config mistakes not covered by test_render.py stop `keyproj render` before anything runs.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import random
import shutil
import subprocess
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS, copy_data_inputs

from keyproj.cli import main
from keyproj.paths import OutputLayout
from keyproj.read.sources import read_sources

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
KEYPROJ = [sys.executable, "-m", "keyproj"]

# ---------------------------------------------------------------------------------- hostile documents

# A plain-text document: the markup is part of key-project sentences, so it ends up in the quotes.
HOSTILE_TXT = """惠安县2024年重点项目建设情况
2024年,全县重点项目完成投资100亿元<script>alert(1)</script>,完成年度计划的101%。
全县重点项目共50个<img src=x onerror=alert(2)>,总投资500亿元。
全县重点项目年度计划投资99亿元<a href="javascript:alert(3)">详情</a>。
<!-- 注释 -->全县市重点项目共30个</table></td></tr></table>,完成投资40亿元。
"""
# A web page: markup written as text (entities) is the article's text; real <script>, onerror and
# javascript: markup of the page itself is not main text and is dropped by the reader.
HOSTILE_HTML = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>惠安县重点项目</title><script>alert(11)</script></head>
<body><nav><a href="/">首页</a></nav>
<article>
<h1>惠安县2023年重点项目建设情况</h1>
<p>2023年,全县重点项目完成投资120亿元&lt;script&gt;alert(1)&lt;/script&gt;,完成年度计划的102%。</p>
<p>全县重点项目共60个&lt;img src=x onerror=alert(2)&gt;,总投资600亿元。</p>
<p>全县重点项目年度计划投资118亿元&lt;a href="javascript:alert(3)"&gt;详情&lt;/a&gt;&lt;/table&gt;。</p>
<p>这段文字足够长,正文抽取把它当作正文而不是页面的导航部分,所以多写几句关于项目建设的话。</p>
<script>alert(12)</script><img src=x onerror=alert(13)><a href="javascript:alert(14)">点此</a>
</article></body></html>
"""
HOSTILE_SOURCES = [  # file, published, region, title, url
    ("900_hostile.txt", "2025-01-10", "惠安县", "<script>alert(6)</script>惠安县报告", "javascript:alert(7)"),
    ("901_hostile.html", "2024-02-01", "惠安县", "惠安县<img src=x onerror=alert(8)>",
     'https://example.org/a" onmouseover="alert(9)'),
]
# Pieces of document markup that must reach the quotes of facts, as text.
IN_QUOTES = ["<script>alert(1)</script>", "<img src=x onerror=alert(2)>", '<a href="javascript:alert(3)">',
             "-->", "</table>"]
# A researcher's correction, saved by Excel (byte-order mark, CRLF line ends).
CORRECTIONS = (
    "action,region,scope,subset,period_start,period_end,metric,value,unit,qualifier,source,reason,author\r\n"
    "drop,泉州市,city,under_construction,2021-01,2021-06,completed_investment,940.3,,,"
    "http://news.gqsoso.com/fenxi/202108/0998412.html,headline of the same article says 939.3,lin\r\n"
).encode("utf-8-sig")




def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def raw_state(raw: Path) -> dict[str, tuple[str, int]]:
    """(sha256, mtime in ns) of every file of a raw folder."""
    return {path.name: (sha256(path), path.stat().st_mtime_ns) for path in sorted(raw.iterdir())}


@dataclass
class HostileRun:
    """A data folder with the hostile documents after extract, read, build and render."""

    data: Path
    extracted: list[dict[str, str]]
    outputs: OutputLayout
    raw_before: dict[str, tuple[str, int]]
    corrections_before: bytes

    @property
    def page(self) -> str:
        return self.outputs.html_of("audit-hostile").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> HostileRun:
    root = tmp_path_factory.mktemp("hostile")
    data = copy_data_inputs(root)
    raw = data / "raw"
    (raw / "900_hostile.txt").write_text(HOSTILE_TXT, encoding="utf-8")
    (raw / "901_hostile.html").write_text(HOSTILE_HTML, encoding="utf-8")
    with open(raw / "sources.csv", "a", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        for row in HOSTILE_SOURCES:
            writer.writerow([*row, sha256(raw / row[0])])
    (data / "corrections.csv").write_bytes(CORRECTIONS)
    raw_before = raw_state(raw)
    corrections_before = (data / "corrections.csv").read_bytes()

    assert main(["extract", str(raw), "--out", str(root / "extracted.csv")]) == 0
    assert main(["read", str(raw), "--out", str(root / "read")]) == 0
    assert main(["build", "--data", str(data), "--quiet"]) == 0
    config = root / "reports.yaml"
    config.write_text("reports:\n  - name: audit-hostile\n"
                      f"    notebook: {NOTEBOOKS / '03_source_audit.ipynb'}\n"
                      "    parameters: {region: 惠安县}\n", encoding="utf-8")
    outputs = OutputLayout(root / "outputs")
    assert main(["render", "--config", str(config), "--data", str(data), "--outputs", str(outputs.root),
                 "--jobs", "1", "--quiet"]) == 0
    extracted = list(csv.DictReader(io.StringIO((root / "extracted.csv").read_text(encoding="utf-8"))))
    return HostileRun(data, extracted, outputs, raw_before, corrections_before)


def test_markup_in_documents_is_extracted_as_quote_text(hostile: HostileRun) -> None:
    from keyproj.data.load import load_facts

    for doc_id in ("900_hostile", "901_hostile"):
        quotes = [row["quote"] for row in hostile.extracted if row["doc_id"] == doc_id]
        for piece in IN_QUOTES[:3] + ["</table>"]:
            assert any(piece in quote for quote in quotes), (doc_id, piece, quotes)
    txt = {row["quote"] for row in hostile.extracted if row["doc_id"] == "900_hostile"}
    assert any("-->" in quote for quote in txt)  # the comment's end (its '<!' ends a sentence)
    rows = [row for row in hostile.extracted if row["doc_id"] == "901_hostile"]
    assert {(row["metric"], row["value"]) for row in rows} >= {("completed_investment", "120"), ("projects", "60")}
    # The page's own script, onerror and javascript: markup is no main text: it never reaches a fact.
    everything = json.dumps(hostile.extracted, ensure_ascii=False)
    assert not any(f"alert({n})" in everything for n in (11, 12, 13, 14))

    facts = load_facts(data_dir=hostile.data)
    mine = facts[facts["source"].astype(str).isin(["900_hostile", "901_hostile"])]
    assert set(mine["region"].astype(str)) == {"惠安县"}
    assert any("<script>alert(1)</script>" in str(quote) for quote in mine["quote"])
    assert "<script>alert(6)</script>惠安县报告" in set(mine["title"].astype(str))


class _Page(HTMLParser):
    """The elements, attributes and text of an HTML page as a browser's parser sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {name: value or "" for name, value in attrs}))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_markup_shows_as_text_in_the_report(hostile: HostileRun) -> None:
    page = hostile.page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&lt;img src=x onerror=alert(2)&gt;" in page
    assert "&lt;/table&gt;" in page and "&lt;script&gt;alert(6)&lt;/script&gt;惠安县报告" in page
    assert "<script>alert" not in page and "<img src=x" not in page and "<!-- 注释" not in page
    parsed = _Page()
    parsed.feed(page)
    text = "".join(parsed.text)
    for piece in [*IN_QUOTES, "<script>alert(6)</script>惠安县报告", "惠安县<img src=x onerror=alert(8)>"]:
        assert piece in text, piece
    for tag, attributes in parsed.elements:
        assert tag != "script", attributes
        assert not (tag == "img" and attributes.get("src") == "x")
        assert not [name for name in attributes if name.startswith("on")], (tag, attributes)
        for name in ("href", "src", "action", "formaction"):
            assert not attributes.get(name, "").strip().lower().startswith(("javascript:", "data:text")), attributes
    # The http(s) URL with a quote in it stays one attribute value: no onmouseover attribute comes of it.
    hrefs = [attributes["href"] for tag, attributes in parsed.elements if tag == "a" and "href" in attributes]
    assert 'https://example.org/a" onmouseover="alert(9)' in hrefs


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium (apt-get install chromium)")
def test_hostile_report_runs_nothing_in_a_browser(hostile: HostileRun) -> None:
    from playwright.sync_api import sync_playwright

    dialogs: list[str] = []
    console: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
            page.on("pageerror", lambda error: console.append(f"pageerror: {error}"))
            page.goto(hostile.outputs.html_of("audit-hostile").as_uri(), wait_until="load")
            for link in page.query_selector_all("a"):  # a mouseover handler would fire now
                link.dispatch_event("mouseover")
            page.wait_for_timeout(300)
            found = page.evaluate("""() => ({
                scripts: Array.from(document.scripts).filter(s => s.src || s.text.includes('alert')).length,
                images: document.querySelectorAll('img[src="x"]').length,
                handlers: Array.from(document.querySelectorAll('*')).filter(
                    e => Array.from(e.attributes).some(a => a.name.startsWith('on'))).length,
                links: document.querySelectorAll('a[href^="javascript:" i]').length,
                text: document.body.innerText,
            })""")
        finally:
            browser.close()
    assert dialogs == [] and console == []
    assert (found["scripts"], found["images"], found["handlers"], found["links"]) == (0, 0, 0, 0)
    for piece in ["<script>alert(1)</script>", "<img src=x onerror=alert(2)>", "javascript:alert(3)", "</table>"]:
        assert piece in found["text"], piece


def test_dollar_signs_in_names_are_text_in_figures(tmp_path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import pandas as pd

    from keyproj.report import plotting

    plotting.setup_plotting()
    counts = pd.DataFrame({"文件": [2, 1]}, index=["projects", "completed_investment"])
    figure = plotting.plot_fact_counts(counts, "甲$x^$区:各指标的事实条数")  # TeX math would fail to parse
    figure.savefig(tmp_path / "figure.png")
    assert (tmp_path / "figure.png").stat().st_size > 1000
    assert figure.axes[0].get_title() == "甲$x^$区:各指标的事实条数"


# ---------------------------------------------------------------------------------- hand work


def test_raw_files_and_corrections_are_never_written(hostile: HostileRun) -> None:
    raw = hostile.data / "raw"
    listed = read_sources(raw / "sources.csv")
    assert set(listed) == {name for name in hostile.raw_before if name != "sources.csv"}
    for name, meta in listed.items():
        assert sha256(raw / name) == meta["sha256"], name  # as downloaded, after everything ran
    assert raw_state(raw) == hostile.raw_before  # bytes and modification times
    assert (hostile.data / "corrections.csv").read_bytes() == hostile.corrections_before
    # The correction was applied (so the file was read, only never written back).
    facts = json.dumps(list(csv.DictReader(open(hostile.data / "processed" / "facts.csv", encoding="utf-8"))),
                       ensure_ascii=False)
    assert "940.3" not in facts and "939.3" in facts


def test_the_repository_documents_match_their_checksums() -> None:
    raw = REPO / "data" / "raw"
    listed = read_sources(raw / "sources.csv")
    assert set(listed) == {path.name for path in raw.iterdir() if path.name != "sources.csv"}
    assert all(sha256(raw / name) == meta["sha256"] for name, meta in listed.items())


def test_failed_builds_keep_corrections_and_outputs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    shutil.copytree(REPO / "data" / "reference", data / "reference")
    corrections = data / "corrections.csv"
    corrections.write_bytes(CORRECTIONS)
    assert main(["build", "--data", str(data), "--quiet"]) == 0
    tables = {name: (data / "processed" / name).read_bytes() for name in ("facts.csv", "panel.csv")}

    bad_reference = data / "reference" / "zz_bad.csv"
    bad_reference.write_text("region,scope,subset,period_start,period_end,metric,value,unit,qualifier,"
                             "source_url,source_title,published\n"
                             "惠安县,county,,2024-01,2024-13,projects,5,count,,http://a.example/1,a,2024\n",
                             encoding="utf-8")
    assert main(["build", "--data", str(data), "--quiet"]) == 1
    assert "zz_bad.csv:2: " in capsys.readouterr().err
    assert corrections.read_bytes() == CORRECTIONS
    bad_reference.unlink()

    # A correction that matches nothing: the build stops, the file stays as the researcher wrote it.
    mistaken = CORRECTIONS + "drop,泉州市,city,,2021-01,2021-06,projects,12345,,,,typo,lin\r\n".encode()
    corrections.write_bytes(mistaken)
    assert main(["build", "--data", str(data), "--quiet"]) == 1
    assert "12345" in capsys.readouterr().err
    assert corrections.read_bytes() == mistaken
    assert {name: (data / "processed" / name).read_bytes() for name in tables} == tables


@pytest.mark.parametrize("command", ["read", "extract"])
def test_out_never_replaces_an_input_document(tmp_path: Path, command: str) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(REPO / "data" / "raw", raw)
    document = raw / "000_2f2a21338f61aef2.txt"
    before = raw_state(raw)
    out = raw if command == "read" else document
    main([command, str(raw), "--out", str(out)])
    assert raw_state(raw) == before


# ---------------------------------------------------------------------------------- size

# Runs a command and prints its exit code, wall time and the peak resident memory of its process tree.
MEASURE = """
import json, resource, subprocess, sys, time
started = time.perf_counter()
code = subprocess.run(sys.argv[1:]).returncode
print(json.dumps({"code": code, "seconds": time.perf_counter() - started,
                  "peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""
MAX_SECONDS = 120.0  # generous bounds: they catch a quadratic blow-up, they time nothing
MAX_PEAK_MB = 2048.0


def extract_measured(document: Path, out: Path) -> dict[str, float]:
    """`keyproj extract DOCUMENT --out OUT` in a subprocess: exit code, seconds, peak MB."""
    result = subprocess.run([sys.executable, "-c", MEASURE, *KEYPROJ, "extract", str(document), "--out", str(out)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    size_mb = document.stat().st_size / 2**20
    print(f"\nkeyproj extract {document.name} ({size_mb:.1f} MB): {figures['seconds']:.1f} s, "
          f"peak RSS {figures['peak_mb']:.0f} MB, exit {figures['code']}")
    return figures


@pytest.mark.large_input
def test_a_50_mb_document_is_extracted_in_bounded_time_and_memory(tmp_path: Path) -> None:
    from keyproj.read.decode import decode_text

    seeds = [decode_text((REPO / "data" / "raw" / name).read_bytes()).splitlines()
             for name in sorted(read_sources(REPO / "data" / "raw" / "sources.csv"))]
    document = tmp_path / "large.txt"
    size, copy = 0, 0
    with open(document, "w", encoding="utf-8") as handle:
        while size < 50 * 2**20:  # the seeds in turn, every line numbered so that none is a repeat
            block = "".join(f"【{copy}】{line}\n" for line in seeds[copy % len(seeds)] if line.strip())
            handle.write(block)
            size += len(block.encode("utf-8"))
            copy += 1
    figures = extract_measured(document, tmp_path / "large.csv")
    assert figures["code"] == 0
    assert figures["seconds"] < MAX_SECONDS and figures["peak_mb"] < MAX_PEAK_MB
    values = {row["value"] for row in csv.DictReader(open(tmp_path / "large.csv", encoding="utf-8"))}
    assert {"310.04", "1780.15", "76.7"} <= values  # figures of 泉港区 and 泉州台商投资区


@pytest.mark.large_input
def test_a_document_of_100000_figures_is_extracted_in_bounded_time_and_memory(tmp_path: Path) -> None:
    rng = random.Random(100_000)
    amounts = [f"{rng.randint(1, 9999)}.{rng.randint(0, 99):02d}" for _ in range(100_000)]
    document = tmp_path / "figures.txt"
    # One run-on sentence: 100,000 key-project amounts joined by 、 (the costliest shape for sentence search).
    document.write_text("2024年全区重点项目建设情况。" + "、".join(f"重点项目完成投资{amount}亿元" for amount in amounts)
                        + "。\n", encoding="utf-8")
    figures = extract_measured(document, tmp_path / "figures.csv")
    assert figures["code"] == 0
    assert figures["seconds"] < MAX_SECONDS and figures["peak_mb"] < MAX_PEAK_MB
    rows = list(csv.DictReader(open(tmp_path / "figures.csv", encoding="utf-8")))
    distinct = {float(amount) for amount in amounts}
    found = {float(row["value"]) for row in rows if row["metric"] == "completed_investment"}
    assert found <= distinct  # no figure invented
    assert len(found) >= 0.9 * len(distinct)  # and (nearly) every one found
    print(f"{len(found)} of {len(distinct)} distinct figures found")


# ---------------------------------------------------------------------------------- config


@pytest.mark.parametrize(("config", "message"), [
    ("reports:\n  - {name: index, notebook: NB}\n", "report 'index': the name 'index' is taken by the index page"),
    ("reports:\n  - {name: Index, notebook: NB}\n", "report 'Index': the name 'Index' is taken by the index page"),
    ("reports:\n  - {name: Audit, notebook: NB}\n  - {name: audit, notebook: NB}\n",
     "duplicate report name 'audit': names must be unique (letter case aside)"),
    ("reports:\n  - {name: a, notebook: broken.ipynb}\n",
     "TMP/reports.yaml: report 'a': notebook TMP/broken.ipynb: not a readable notebook (Expecting value"),
    ("reports:\n  - {name: a, notebook: folder.ipynb}\n", "report 'a': unknown notebook 'folder.ipynb'"),
    ("reports:\n  - {name: a, notebook: NB, parameters: {region: !!python/object/apply:os.system [touch RAN]}}\n",
     "malformed YAML: line 2: could not determine a constructor for the tag"),
    ("reports:\n  - {name: a, notebook: NB, parameters: [泉港区]}\n",
     "report 'a': 'parameters' must be a mapping of name: value"),
    ("timeout: 0\nreports:\n  - {name: a, notebook: NB}\n", "timeout must be a positive number of seconds, got 0"),
    ("reports: []\n", "'reports:' must be a non-empty list"),
    (b"reports:\n  - {name: \xff, notebook: NB}\n", "not UTF-8 text"),
    (None, "config file not found"),
])
def test_more_config_errors_stop_before_anything_runs(tmp_path: Path, config: str | bytes | None, message: str,
                                                      capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"  # not built yet: a config error must not build it either
    shutil.copytree(REPO / "data" / "reference", data / "reference")
    (tmp_path / "broken.ipynb").write_text('{"cells": [', encoding="utf-8")
    (tmp_path / "folder.ipynb").mkdir()
    path = tmp_path / "reports.yaml"
    if isinstance(config, str):
        path.write_text(config.replace("NB", str(NOTEBOOKS / "03_source_audit.ipynb")), encoding="utf-8")
    elif isinstance(config, bytes):
        path.write_bytes(config)
    monkeypatch.chdir(tmp_path)
    outputs = tmp_path / "outputs"
    assert main(["render", "--config", str(path), "--data", str(data), "--outputs", str(outputs), "--quiet"]) == 1
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert err.startswith("keyproj render: error: ") and "\n" not in err and captured.out == ""
    assert message.replace("TMP", str(tmp_path)) in err, err
    assert not outputs.exists() and not (data / "processed").exists() and not (tmp_path / "RAN").exists()
