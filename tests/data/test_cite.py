"""Reference figures cited by the sentences of their pages' snapshots (keyproj.data.cite): a page
served locally, fetched, then built, gives its figures with sentences, and the panel row of the
reference figures that cite its URL points to them; a figure the page does not state gets nothing."""
from __future__ import annotations

import csv
import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from keyproj.data.build import build
from keyproj.data.cite import QUOTE_SEPARATOR, cite_reference_facts
from keyproj.data.inputs import reference_facts
from keyproj.paths import DataLayout
from keyproj.read.documents import read_document
from keyproj.read.fetch import FetchPolicy, fetch_urls, reference_urls

# Written for this test: a short news item in the style of a district government's site.
PAGE = """<html><head><meta charset="utf-8"><title>东湖区上半年重点项目建设情况</title></head><body>
<div class="nav">首页 | 政务公开 | 工作动态</div>
<article><h1>东湖区上半年重点项目建设跑出加速度</h1>
<p>今年以来，东湖区围绕年度目标，压实项目推进责任，加快手续办理和要素保障。</p>
<p>2024年1-6月，全区36个区级重点项目完成投资52.8亿元，占年度计划投资的61.2%，超序时进度11.2个百分点。</p>
<p>区发改局表示，将继续开展项目攻坚行动，确保全年目标顺利完成。</p></article>
</body></html>"""
HEADER = "region,scope,subset,period_start,period_end,metric,value,unit,qualifier,source_url,source_title,published\n"


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # keep test output clean
        pass


@pytest.fixture
def page_url(tmp_path: Path) -> Iterator[str]:
    """The URL of PAGE served from a local folder."""
    site = tmp_path / "site" / "xwzx"
    site.mkdir(parents=True)
    (site / "t20240705_1.html").write_text(PAGE, encoding="utf-8")
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site.parent)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/xwzx/t20240705_1.html"
    finally:
        server.shutdown()
        server.server_close()


def _reference(data: Path, url: str) -> None:
    (data / "reference").mkdir(parents=True)
    (data / "reference" / "district.csv").write_text(
        HEADER
        + f"东湖区,county,,2024-01,2024-06,completed_investment,52.8,亿元,,{url},东湖区上半年重点项目建设情况,2024-07-05\n"
        + f"东湖区,county,,2024-01,2024-06,completion_rate,61.2,%,,{url},,2024-07-05\n"
        + f"东湖区,county,,2024-01,2024-12,projects,36,count,,{url},,2024-07-05\n"
        + f"东湖区,county,,2024-01,2024-12,annual_plan,86.3,亿元,,{url},,2024-07-05\n"  # not on the page
        + "西湖区,county,,2024-01,2024-06,projects,20,count,,http://127.0.0.1:9/none.html,,2024-07-05\n",
        encoding="utf-8")


def _entries(cell: str, separator: str = ";") -> dict[str, str]:
    return dict(entry.split("=", 1) for entry in cell.split(separator)) if cell else {}


def test_a_fetched_page_cites_the_reference_figures_after_a_build(tmp_path: Path, page_url: str) -> None:
    data = tmp_path / "data"
    _reference(data, page_url)
    hints = reference_urls(data / "reference")
    [outcome] = fetch_urls([page_url], data / "raw", FetchPolicy(timeout=5, host_delay=0), hints=hints)
    assert outcome.status == "saved", outcome.message
    result = build(data)
    assert result.bad_inputs == []
    doc_id = Path(outcome.file).stem

    with open(result.facts_path, encoding="utf-8", newline="") as handle:
        facts = list(csv.DictReader(handle))
    from_page = {row["metric"]: row for row in facts if row["source"] == doc_id}
    assert {"projects", "completed_investment", "completion_rate", "ahead_of_schedule"} <= set(from_page)
    assert "52.8亿元" in from_page["completed_investment"]["quote"]
    assert from_page["completed_investment"]["url"] == page_url

    with open(result.panel_path, encoding="utf-8", newline="") as handle:
        panel = {(row["region"], row["period_start"], row["period_end"]): row for row in csv.DictReader(handle)}
    row = panel[("东湖区", "2024-01", "2024-06")]
    cited = _entries(row["cite_doc_id"])
    assert cited == {"projects": doc_id, "completed_investment": doc_id, "completion_rate": doc_id}
    # A figure only the page gives is a document fact: its sentence is in facts.csv, not a citation.
    assert _entries(row["sources"])["ahead_of_schedule"] == doc_id and "ahead_of_schedule" not in cited
    assert "annual_plan" not in cited and row["annual_plan"] == "86.3"  # the page does not state it
    quotes = _entries(row["cite_quote"], QUOTE_SEPARATOR)
    text = read_document(data / "raw" / outcome.file).text
    starts, ends = _entries(row["cite_start"]), _entries(row["cite_end"])
    for metric, quote in quotes.items():
        assert text[int(starts[metric]):int(ends[metric])] == quote
    assert "52.8亿元" in quotes["completed_investment"] and "61.2%" in quotes["completion_rate"]
    elsewhere = panel[("西湖区", "2024-01", "2024-06")]
    assert (elsewhere["cite_doc_id"], elsewhere["cite_quote"], elsewhere["cite_start"]) == ("", "", "")


def _raw_page(data: Path, url: str, text: str) -> None:
    """A saved page in raw/ with its manifest row (as fetch leaves it), no server needed."""
    (data / "raw").mkdir(parents=True)
    (data / "raw" / "web_page.txt").write_text(text, encoding="utf-8")
    (data / "raw" / "sources.csv").write_text(
        f"file,published,region,title,url,sha256\nweb_page.txt,2024-07-05,东湖区,,{url},\n", encoding="utf-8")


@pytest.mark.parametrize(("row", "cited"), [
    ("东湖区,county,,2024-01,2024-06,completed_investment,52.8,亿元", True),
    ("东湖区,county,,0000-01,0000-06,completed_investment,52.80,亿元", True),  # unknown year, trailing zero
    ("东湖区,county,,2024-01,2024-06,total_investment,52.8,亿元", False),  # the sentence has no 总投资 wording
    ("东湖区,county,,2024-01,2024-06,completed_investment,2.8,亿元", False),  # 2.8 is only part of 52.8
    ("东湖区,county,,2024-01,2024-06,completed_investment,52.8,亿元,,http://other.test/x", False),  # no snapshot
    ("南湖区,county,,2024-01,2024-06,completed_investment,52.8,亿元", False),  # the page does not name it
    ("东湖区,county,,2023-01,2023-06,completed_investment,52.8,亿元", False),  # the page does not name 2023
    ("东湖区,county,,2024-01,2024-06,ahead_of_schedule,11.2,pp", True),
])
def test_the_text_of_a_snapshot_cites_a_figure_only_when_it_states_it(tmp_path: Path, row: str,
                                                                        cited: bool) -> None:
    """Rule 2 alone (no extracted facts given): number, unit and metric wording in one sentence."""
    url = "http://gov.test/a.html"
    text = "东湖区项目建设情况\n2024年1-6月,全区重点项目完成投资52.8亿元,超序时进度11.2个百分点。\n下一步继续推进。\n"
    _raw_page(tmp_path, url, text)
    cells = row.split(",")
    source = cells[9] if len(cells) > 9 else url
    (tmp_path / "reference").mkdir()
    (tmp_path / "reference" / "r.csv").write_text(
        HEADER + ",".join(cells[:8]) + f",,{source},,2024-07-05\n", encoding="utf-8")
    layout = DataLayout(tmp_path)
    facts = reference_facts(layout)
    citations = cite_reference_facts(facts, layout)
    assert (0 in citations) == cited
    if cited:
        citation = citations[0]
        assert citation.doc_id == "web_page"
        assert citation.quote == "2024年1-6月,全区重点项目完成投资52.8亿元,超序时进度11.2个百分点。"
        normalized = read_document(tmp_path / "raw" / "web_page.txt").text
        assert normalized[citation.start:citation.end] == citation.quote
