"""HTML for readers: executed notebooks without code, figures embedded, viewable offline (the index page: keyproj.render.index)."""
from __future__ import annotations

import re
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
