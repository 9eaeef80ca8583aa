"""HTML for readers: executed notebooks without code, figures embedded, viewable offline; the index page."""
from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from keyproj.errors import KeyprojError

if TYPE_CHECKING:
    from nbconvert import HTMLExporter
    from nbformat import NotebookNode

HTML_LANG = "zh-CN"
TEMPLATE_NAME = "keyproj_report.html.j2"
# The lab template loads require.js, MathJax, mermaid and the widget manager from CDNs: drop them all.
REPORT_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{% block data_png scoped %}
<div class="jp-RenderedImage jp-OutputArea-output {{ extra_class }}">
<img alt="{{ ((output | get_metadata('alt', 'image/png')) or '图') | escape_html }}" src="data:image/png;base64,{{ output.data['image/png'] | escape_html }}">
</div>
{% endblock data_png %}
{%- block extra_css -%}
<style type="text/css">
  body.jp-Notebook { max-width: 1100px; margin: 0 auto; }
  .jp-RenderedHTMLCommon table { font-size: 0.85em; }
  .jp-RenderedHTMLCommon table.keyproj-table td, .jp-RenderedHTMLCommon table.keyproj-table th {
    text-align: left; vertical-align: top; }
  .jp-RenderedHTMLCommon table.keyproj-table caption { caption-side: top; text-align: left; font-weight: bold; }
  .keyproj-about { font-size: 0.9em; color: #444; border-left: 3px solid #3182bd; padding: 0.3em 0.8em; }
  .keyproj-quote { background: #f7f7f7; }
</style>
{%- endblock extra_css -%}
"""
# src=/href= attributes that would make the browser fetch something from the network.
REMOTE_REFERENCE = re.compile(r"""<(?:script|link|img|iframe|source|embed)\b[^>]*?\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""",
                              re.IGNORECASE)
_HTML_TAG = re.compile(r"<html\b[^>]*>", re.IGNORECASE)


def make_exporter() -> "HTMLExporter":
    """One HTMLExporter (lab template, input cells and prompts hidden, no CDN scripts), reused for every report."""
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="lab",
        extra_loaders=[DictLoader({TEMPLATE_NAME: REPORT_TEMPLATE})],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    exporter.template_file = TEMPLATE_NAME
    return exporter


def check_offline(page: str) -> None:
    """Raise KeyprojError when the page would fetch a script, style sheet or image from the network."""
    match = REMOTE_REFERENCE.search(page)
    if match:
        raise KeyprojError(f"the HTML would load {match.group(0)[:80]!r} from the network")


def set_language(page: str, lang: str = HTML_LANG) -> str:
    """Put ``lang`` on the page's <html> tag (nbconvert only accepts two-letter codes)."""
    page, count = _HTML_TAG.subn(f'<html lang="{lang}">', page, count=1)
    if not count:
        raise KeyprojError("the exported HTML has no <html> tag")
    return page


def notebook_to_html(nb: "NotebookNode", title: str, exporter: "HTMLExporter | None" = None) -> str:
    """An executed notebook as a self-contained HTML page for readers (lang zh-CN, no code, no network)."""
    exporter = exporter or make_exporter()
    page, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    page = set_language(page)
    check_offline(page)
    return page


@dataclass(frozen=True)
class IndexEntry:
    """One line of the index page."""

    name: str
    title: str
    parameters: str
    status: str  # ok, skipped (unchanged), failed
    rendered_at: str  # when the HTML shown was rendered, ISO time, or ""
    seconds: float | None
    has_html: bool
    reason: str = ""


STATUS_LABELS = {"ok": "已更新", "unchanged": "无变化(未重算)", "failed": "失败", "not rendered": "未渲染"}


def index_page(entries: Sequence[IndexEntry], generated_at: str, data_hash: str, version: str) -> str:
    """The index of every report (title, parameters, status, render time), as an offline HTML page."""
    rows = []
    for entry in entries:
        title = html.escape(entry.title)
        link = f'<a href="{html.escape(entry.name)}.html">{title}</a>' if entry.has_html else title
        status = html.escape(STATUS_LABELS.get(entry.status, entry.status))
        if entry.reason:
            status += f'<br><span class="reason">{html.escape(entry.reason)}</span>'
        seconds = f"{entry.seconds:.1f} s" if entry.seconds is not None else ""
        rows.append(
            f'<tr class="status-{html.escape(entry.status.replace(" ", "-"))}"><td>{link}</td>'
            f"<td>{html.escape(entry.parameters)}</td><td>{status}</td>"
            f"<td>{html.escape(entry.rendered_at)}</td><td>{seconds}</td></tr>"
        )
    body = "\n".join(rows)
    return f"""<!DOCTYPE html>
<html lang="{HTML_LANG}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>重点项目报告索引</title>
<style>
  body {{ font-family: "Noto Sans CJK SC", "Noto Sans SC", sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; }}
  table {{ border-collapse: collapse; width: 100%; }}
  th, td {{ border-bottom: 1px solid #ddd; padding: 0.4em 0.6em; text-align: left; vertical-align: top; }}
  th {{ background: #f0f0f0; }}
  tr.status-failed td {{ background: #fff0f0; }}
  .reason {{ color: #a00; font-size: 0.85em; }}
  .meta {{ color: #555; font-size: 0.9em; }}
</style>
</head>
<body>
<h1>重点项目报告</h1>
<p class="meta">生成时间 {html.escape(generated_at)} · 数据指纹 {html.escape(data_hash)} · keyproj {html.escape(version)}</p>
<table>
<thead><tr><th>报告</th><th>参数</th><th>状态</th><th>渲染时间</th><th>耗时</th></tr></thead>
<tbody>
{body}
</tbody>
</table>
</body>
</html>
"""
