"""`keyproj fetch` against a local HTTP server (never the internet): pages saved with their manifest
rows; slow, failing, missing, redirecting, oversized and non-HTML answers each give one line and
the other URLs go on; a second run skips what it has; earlier manifest rows keep their bytes."""
from __future__ import annotations

import csv
import hashlib
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from keyproj.cli import main
from keyproj.read.documents import read_document
from keyproj.read.fetch import FetchPolicy, fetch_urls, reference_urls
from keyproj.read.sources import read_sources

# Written for this test: a short notice in the style of a district government's news page.
ARTICLE = """<html><head><meta charset="utf-8"><title>东湖区重点项目建设进展</title></head><body>
<div class="nav">首页 | 政务公开 | 新闻中心</div>
<article><h1>东湖区重点项目建设持续提速</h1>
<p>今年以来，东湖区坚持项目为王，全力推进重点项目建设。</p>
<p>2024年1-6月，全区36个区级重点项目完成投资52.8亿元，占年度计划投资的61.2%，超序时进度11.2个百分点。</p>
<p>下一步，东湖区将继续强化要素保障，推动项目早建成、早见效。</p></article>
</body></html>"""
SECOND = ARTICLE.replace("52.8亿元", "48.6亿元")


def _pdf() -> bytes:
    """A one-page PDF with a text layer (Helvetica, ASCII), built by hand."""
    stream = b"BT /F1 18 Tf 72 720 Td (Key projects 2024: 36 projects) Tj ET"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
                b"/Resources << /Font << /F1 5 0 R >> >> >>"),
               (b"<< /Length %d >>\nstream\n" % len(stream)) + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)


class Site:
    """What the server saw: requests per path, User-Agents, and the most requests open at once."""

    def __init__(self) -> None:
        self.hits: dict[str, int] = {}
        self.agents: set[str] = set()
        self.open = 0
        self.most_open = 0
        self.lock = threading.Lock()
        self.article = ARTICLE


def _handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # keep test output clean
            pass

        def send(self, status: int, body: bytes, kind: str = "text/html; charset=utf-8", **headers: str) -> None:
            self.send_response(status)
            if kind:
                self.send_header("Content-Type", kind)
            self.send_header("Content-Length", headers.pop("length", str(len(body))))
            for name, value in headers.items():
                self.send_header(name.replace("_", "-"), value)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # http.server's name
            with site.lock:
                site.hits[self.path] = site.hits.get(self.path, 0) + 1
                site.agents.add(self.headers.get("User-Agent", ""))
                site.open += 1
                site.most_open = max(site.most_open, site.open)
                hits = site.hits[self.path]
            try:
                self.route(hits)
            finally:
                with site.lock:
                    site.open -= 1

        def route(self, hits: int) -> None:
            path = self.path
            if path == "/news/article.html":
                self.send(200, site.article.encode("utf-8"))
            elif path == "/flaky.html":  # fails twice, then answers
                self.send(503, b"busy") if hits <= 2 else self.send(200, SECOND.encode("utf-8"))
            elif path == "/missing.html":
                self.send(404, b"not here")
            elif path == "/moved":
                self.send(302, b"", Location="/news/article.html")
            elif path == "/big.html":
                self.send(200, ARTICLE.encode("utf-8") + b"<!--" + b"x" * 50_000 + b"-->")
            elif path == "/big-unannounced.html":  # no Content-Length: the cap applies while reading
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.end_headers()
                self.wfile.write(ARTICLE.encode("utf-8") + b"<!--" + b"x" * 50_000 + b"-->")
                self.close_connection = True
            elif path == "/picture.png":
                self.send(200, b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "image/png")
            elif path == "/report.pdf":
                self.send(200, _pdf(), "application/pdf")
            elif path == "/download":  # no Content-Type: the body's first bytes tell
                self.send(200, _pdf(), "")
            elif path == "/slow.html":  # answers after the client's timeout (and has given up)
                with site.lock:
                    site.open -= 1  # the client is gone: this one no longer counts as open
                time.sleep(2.5)
                with site.lock:
                    site.open += 1
                self.send(200, ARTICLE.encode("utf-8"))
            elif path == "/trickle.html":  # a byte at a time: each arrives in time, the whole does not
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", "40")
                self.end_headers()
                with site.lock:
                    site.open -= 1  # the client gives up midway: this one no longer counts as open
                try:
                    for _ in range(40):
                        self.wfile.write(b"x")
                        self.wfile.flush()
                        time.sleep(0.08)
                finally:
                    with site.lock:
                        site.open += 1
            elif path == "/cut.html":  # announces more than it sends, then hangs up
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", "5000")
                self.end_headers()
                self.wfile.write(b"<html><body>")
                self.close_connection = True
            elif path == "/script.html":
                self.send(200, b"<html><body><script>load()</script></body></html>")
            else:
                self.send(404, b"")

    return Handler


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that gave up (timeout, size cap) breaks the pipe: expected here


@pytest.fixture
def site() -> Iterator[tuple[str, Site]]:
    state = Site()
    server = _QuietServer(("127.0.0.1", 0), _handler(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", state
    finally:
        server.shutdown()
        server.server_close()


QUICK = FetchPolicy(timeout=1.0, max_bytes=20_000, attempts=3, backoff=0.01, host_delay=0.0)


def test_a_page_is_saved_with_its_manifest_row_and_reads_back(site: tuple[str, Site], tmp_path: Path) -> None:
    base, state = site
    url = f"{base}/news/article.html"
    [outcome] = fetch_urls([url], tmp_path / "raw", QUICK, hints={url: {"region": "东湖区", "published": "2024-07-05"}})
    assert outcome.status == "saved", outcome.message
    saved = tmp_path / "raw" / outcome.file
    assert saved.suffix == ".html" and saved.read_bytes() == ARTICLE.encode("utf-8")
    row = read_sources(tmp_path / "raw" / "sources.csv")[outcome.file]
    assert row["url"] == url and row["region"] == "东湖区" and row["published"] == "2024-07-05"
    assert row["sha256"] == hashlib.sha256(ARTICLE.encode("utf-8")).hexdigest()
    with open(tmp_path / "raw" / "sources.csv", encoding="utf-8") as handle:
        full = next(csv.DictReader(handle))
    assert full["http_status"] == "200" and full["content_type"] == "text/html"
    assert full["size"] == str(len(ARTICLE.encode("utf-8"))) and full["final_url"] == url
    assert full["accessed"].endswith("Z") and full["accessed"][:4].isdigit()
    assert "52.8亿元" in read_document(saved, row).text
    assert [agent.startswith("keyproj/") for agent in state.agents] == [True]


def test_bad_answers_fail_one_line_each_and_the_rest_goes_on(site: tuple[str, Site], tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    base, state = site
    names = ["missing.html", "big.html", "big-unannounced.html", "picture.png", "slow.html", "script.html",
             "trickle.html", "cut.html", "news/article.html"]
    # One request at a time, counted where the client opens them (the server's own count races with
    # handlers still finishing after the client has moved on).
    opened = {"now": 0, "most": 0}
    real_urlopen = urllib.request.urlopen

    def counting_urlopen(*args: Any, **kwargs: Any) -> Any:
        opened["now"] += 1
        opened["most"] = max(opened["most"], opened["now"])
        try:
            return real_urlopen(*args, **kwargs)
        finally:
            opened["now"] -= 1

    monkeypatch.setattr(urllib.request, "urlopen", counting_urlopen)
    outcomes = {o.url.rsplit("/", 1)[1]: o for o in fetch_urls([f"{base}/{n}" for n in names], tmp_path, QUICK)}
    assert "HTTP 404" in outcomes["missing.html"].message and state.hits["/missing.html"] == 1  # 4xx: no retry
    assert "too large" in outcomes["big.html"].message and "too large" in outcomes["big-unannounced.html"].message
    assert "image/png" in outcomes["picture.png"].message
    assert "no answer within" in outcomes["slow.html"].message and state.hits["/slow.html"] == 3
    assert "no main text" in outcomes["script.html"].message
    assert "too slow" in outcomes["trickle.html"].message and state.hits["/trickle.html"] == 3
    assert "connection failed" in outcomes["cut.html"].message and state.hits["/cut.html"] == 3
    assert [o.status for o in outcomes.values()] == ["failed"] * 8 + ["saved"]
    assert all("\n" not in o.message for o in outcomes.values())
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([outcomes["article.html"].file, "sources.csv"])
    assert opened["most"] == 1  # one request at a time


def test_a_server_failing_then_answering_is_retried_with_backoff(site: tuple[str, Site], tmp_path: Path) -> None:
    base, state = site
    started = time.monotonic()
    [outcome] = fetch_urls([f"{base}/flaky.html"], tmp_path, FetchPolicy(timeout=2, backoff=0.1, host_delay=0))
    assert outcome.status == "saved" and state.hits["/flaky.html"] == 3
    assert time.monotonic() - started >= 0.3  # waited 0.1 s, then 0.2 s
    [again] = fetch_urls([f"{base}/flaky.html"], tmp_path / "other", FetchPolicy(timeout=2, attempts=1, backoff=0))
    assert again.status == "saved"  # the server has recovered


def test_a_redirect_records_the_final_url(site: tuple[str, Site], tmp_path: Path) -> None:
    base, _ = site
    [outcome] = fetch_urls([f"{base}/moved"], tmp_path, QUICK)
    assert outcome.status == "saved" and outcome.final_url == f"{base}/news/article.html"
    assert "redirected to" in outcome.message
    with open(tmp_path / "sources.csv", encoding="utf-8") as handle:
        row = next(csv.DictReader(handle))
    assert row["url"] == f"{base}/moved" and row["final_url"] == f"{base}/news/article.html"


def test_a_pdf_is_kept(site: tuple[str, Site], tmp_path: Path) -> None:
    base, _ = site
    [outcome] = fetch_urls([f"{base}/report.pdf"], tmp_path, QUICK)
    assert outcome.status == "saved" and outcome.file.endswith(".pdf")
    assert "36 projects" in read_document(tmp_path / outcome.file).text
    [untyped] = fetch_urls([f"{base}/download"], tmp_path, QUICK)
    assert untyped.status == "saved" and untyped.file.endswith(".pdf")


def test_a_second_run_skips_snapshots_and_refresh_never_changes_a_file(site: tuple[str, Site], tmp_path: Path) -> None:
    base, state = site
    url = f"{base}/news/article.html"
    [first] = fetch_urls([url], tmp_path, QUICK)
    [second] = fetch_urls([url, url], tmp_path, QUICK)
    assert second.status == "skipped" and second.file == first.file and state.hits["/news/article.html"] == 1
    [same] = fetch_urls([url], tmp_path, QUICK, refresh=True)
    assert same.status == "unchanged" and state.hits["/news/article.html"] == 2
    state.article = SECOND
    [changed] = fetch_urls([url], tmp_path, QUICK, refresh=True)
    assert changed.status == "saved" and changed.file != first.file
    assert (tmp_path / first.file).read_bytes() == ARTICLE.encode("utf-8")
    assert set(read_sources(tmp_path / "sources.csv")) == {first.file, changed.file}


def test_an_existing_manifest_keeps_its_rows_byte_for_byte(site: tuple[str, Site], tmp_path: Path) -> None:
    base, _ = site
    old = "file,published,region,title,url,sha256\r\n000_a.txt,2024-03-01,东湖区,\"年报, 2023\",,\r\n"
    (tmp_path / "sources.csv").write_bytes(old.encode("utf-8"))
    (tmp_path / "000_a.txt").write_text("2023年全区重点项目30个。", encoding="utf-8")
    [outcome] = fetch_urls([f"{base}/news/article.html"], tmp_path, QUICK)
    text = (tmp_path / "sources.csv").read_bytes().decode("utf-8")
    header, rest = text.split("\r\n", 1)
    assert header == "file,published,region,title,url,sha256,final_url,accessed,http_status,content_type,size"
    assert rest.startswith("000_a.txt,2024-03-01,东湖区,\"年报, 2023\",,\r\n")
    rows = read_sources(tmp_path / "sources.csv")
    assert rows["000_a.txt"]["title"] == "年报, 2023" and outcome.file in rows


def test_reference_urls_are_distinct_with_hints(tmp_path: Path) -> None:
    (tmp_path / "b.csv").write_text(
        "region,scope,subset,period_start,period_end,metric,value,unit,qualifier,source_url,source_title,published\n"
        "东湖区,county,,2024-01,2024-06,projects,36,count,,http://a.test/1,进展,2024年7月5日\n"
        "西湖区,county,,2024-01,2024-06,projects,20,count,,http://a.test/1,,\n"
        "东湖区,county,,2024-01,2024-12,projects,36,count,,http://a.test/1,,\n", encoding="utf-8")
    (tmp_path / "a.csv").write_text("region,source_url,source_title,published\n北湖区,http://a.test/2,,2023\n",
                                    encoding="utf-8")
    hints = reference_urls(tmp_path)
    assert list(hints) == ["http://a.test/2", "http://a.test/1"]
    assert hints["http://a.test/1"] == {"published": "2024-07-05", "region": "东湖区", "title": "进展"}


def test_cli_fetch_prints_one_line_per_url_and_exits_1_on_a_failure(site: tuple[str, Site], tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    base, _ = site
    (tmp_path / "reference").mkdir()
    (tmp_path / "reference" / "r.csv").write_text(
        "region,scope,subset,period_start,period_end,metric,value,unit,qualifier,source_url,source_title,published\n"
        f"东湖区,county,,2024-01,2024-06,projects,36,count,,{base}/news/article.html,,2024-07-05\n"
        f"东湖区,county,,2024-01,2024-06,projects,36,count,,{base}/missing.html,,2024-07-05\n", encoding="utf-8")
    args = ["fetch", "--from-reference", "--data", str(tmp_path), "--delay", "0", "--timeout", "1"]
    assert main(args) == 1
    out, err = capsys.readouterr()
    assert "saved" in out and "article.html" in out
    assert err.count("\n") == 2 and "missing.html" in err and "HTTP 404" in err
    assert main(args) == 1
    assert "skipped" in capsys.readouterr().out
    assert main(["fetch", "ftp://x.test/a", "--data", str(tmp_path)]) == 1
    assert "not an http(s) URL" in capsys.readouterr().err
    assert main(["fetch", "--data", str(tmp_path)]) == 1  # nothing to fetch
    assert "give URLs or --from-reference" in capsys.readouterr().err
    assert main(["fetch", f"{base}/news/article.html", "--data", str(tmp_path / "none")]) == 1
    assert "does not exist" in capsys.readouterr().err and not (tmp_path / "none").exists()


def test_a_run_killed_between_the_file_and_its_row_resumes(site: tuple[str, Site], tmp_path: Path) -> None:
    base, _ = site
    url = f"{base}/news/article.html"
    [first] = fetch_urls([url], tmp_path, QUICK)
    manifest = tmp_path / "sources.csv"
    manifest.write_text(manifest.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    before = (tmp_path / first.file).stat()
    [again] = fetch_urls([url], tmp_path, QUICK)
    assert again.status == "saved" and again.file == first.file
    assert (tmp_path / first.file).stat().st_ino == before.st_ino  # the file is not written again
    assert list(read_sources(manifest)) == [first.file]
