"""outputs/html/index.html: the entry point for readers, in Chinese and English.

Reports are grouped by place (province, city, county, then the national report), one line each
saying what the report answers (labels.yaml ``report_types``), its parameters with their Chinese
(or English) names and how much data stands behind it; a coverage grid (region x year, coloured
by what exists); links to the data, the methods and the grid; render status and timings in a
small footer. Both languages are in the one page: ``index.html`` shows Chinese, ``index.html#en``
English (CSS :target, no script). The page is a pure function of its arguments and the panel
file, so an unchanged render rewrites nothing. Only the standard library and PyYAML are imported
(the no-op render path stays light): labels are read from keyproj/report/labels.yaml as a file.
"""
from __future__ import annotations

import ast
import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from keyproj.data.coverage import KINDS, read_panel_rows, region_year_kinds
from keyproj.paths import REPO_ROOT, data_layout

HTML_LANG = "zh-CN"
LABELS_FILE = Path(__file__).resolve().parents[1] / "report" / "labels.yaml"
LEVELS = ("province", "city", "county", "national")
KIND_COLORS = {"both": "#08519c", "full_year": "#3182bd", "plan": "#9ecae1", "in_year": "#deebf7",
               "list_only": "#f0f0f0"}
# The national report's notebook reads no region: it goes to the national group.
_PROVINCE_ENDS = ("省", "自治区")


@dataclass(frozen=True)
class IndexEntry:
    """One report of the index (run.py fills the first eight fields from the config and the state)."""

    name: str
    title: str
    parameters: str
    status: str  # ok, unchanged, failed, not rendered
    rendered_at: str  # when the HTML shown was rendered, ISO time, or ""
    seconds: float | None
    has_html: bool
    reason: str = ""
    notebook: str = ""  # file name, e.g. 01_investment_trends.ipynb (else read from reports.yaml)
    values: Mapping[str, Any] = field(default_factory=dict)  # the parameters as given


@cache
def _labels(lang: str) -> dict[str, dict[str, str]]:
    import yaml

    data = yaml.safe_load(LABELS_FILE.read_text(encoding="utf-8"))
    english = data.pop("en", {}) if lang == "en" else {}
    return {group: {**{str(k): v for k, v in entries.items()}, **english.get(group, {})}
            for group, entries in data.items()}


def _word(group: str, code: str, lang: str, **values: Any) -> str:
    text = _labels(lang).get(group, {}).get(code, code)
    return text.format(**values) if values else text


@cache
def _configured() -> dict[str, tuple[str, dict[str, Any]]]:
    """name -> (notebook file name, parameters) of notebooks/reports.yaml, for entries lacking them."""
    import yaml

    try:
        data = yaml.safe_load((REPO_ROOT / "notebooks" / "reports.yaml").read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return {}
    reports = data.get("reports") if isinstance(data, dict) else None
    return {str(entry.get("name")): (Path(str(entry.get("notebook", ""))).name, dict(entry.get("parameters") or {}))
            for entry in reports or [] if isinstance(entry, dict)}


def parse_parameters(text: str) -> dict[str, str]:
    """``name=value, name=value`` (keyproj.render.config.Report.parameters_text) as a dict of texts."""
    if "=" not in text:
        return {}
    pairs = (part.partition("=") for part in re.split(r", (?=\w+=)", text))
    return {name.strip(): value.strip() for name, _, value in pairs}


def _complete(entry: IndexEntry) -> IndexEntry:
    """The entry with its notebook and parameters: given, else from its parameters text and reports.yaml."""
    if entry.notebook and entry.values:
        return entry
    notebook, values = _configured().get(entry.name, ("", {}))
    return IndexEntry(**{**entry.__dict__, "notebook": entry.notebook or notebook,
                         "values": entry.values or parse_parameters(entry.parameters) or values})


def place_levels(entries: Sequence[IndexEntry]) -> dict[str, str]:
    """region -> the group of its reports: province (省, 自治区), city (a 市 with a report on its city or
    provincial list), else county; reports without a region are national ('')."""
    levels: dict[str, str] = {"": "national"}
    for entry in entries:
        region = str(entry.values.get("region") or "")
        if not region:
            continue
        if region.endswith(_PROVINCE_ENDS):
            level = "province"
        elif entry.values.get("scope") in ("city", "province") and region.endswith("市"):
            level = "city"
        else:
            level = "county"
        known = levels.get(region, "county")
        levels[region] = min(level, known, key=LEVELS.index)
    return levels


def _value_text(name: str, value: Any, lang: str) -> str:
    """A parameter's value for readers: lists joined, list codes named (city -> 市重点项目)."""
    if isinstance(value, str) and value.startswith("["):
        try:
            value = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            pass
    items = list(value) if isinstance(value, (list, tuple)) else [value]
    if name in ("scope", "levels"):
        items = [_word("scopes", str(item), lang) for item in items]
    return ("、" if lang == "zh" else ", ").join(str(item) for item in items)


def _parameters(entry: IndexEntry, lang: str) -> str:
    if not entry.values:
        return html.escape(entry.parameters)
    parts = []
    for name, value in entry.values.items():
        shown = _value_text(name, value, lang)
        colon = ":" if lang == "zh" else ": "
        parts.append(f"{html.escape(_word('parameters', name, lang))}{colon}{html.escape(shown)}")
    return " · ".join(parts)


def _behind(entry: IndexEntry, kinds: Mapping[tuple[str, int], str], lang: str) -> str:
    """How much data stands behind a report: its region's years by kind."""
    region = str(entry.values.get("region") or "")
    years = {year: kind for (place, year), kind in kinds.items() if place == region} if region else {}
    if not region:
        places = {place for place, _ in kinds}
        both = sum(kind == "both" for kind in kinds.values())
        return (f"{len(places)} 个地区,{both} 个地区-年有计划和全年结果" if lang == "zh"
                else f"{len(places)} regions, {both} region-years with plan and full-year result")
    both = sorted(year for year, kind in years.items() if kind == "both")
    full = sorted(year for year, kind in years.items() if kind in ("both", "full_year"))
    if lang == "zh":
        return f"{len(years)} 个年份有数字,{len(full)} 个有全年结果,{len(both)} 个同时有计划和全年结果"
    return f"{len(years)} years with figures, {len(full)} with a full-year result, {len(both)} with plan and result"


def _report_rows(entries: Sequence[IndexEntry], kinds: Mapping[tuple[str, int], str], lang: str) -> str:
    parts = []
    levels = place_levels(entries)
    for level in LEVELS:
        chosen = [entry for entry in entries if levels[str(entry.values.get("region") or "")] == level]
        if not chosen:
            continue
        parts.append(f'<h3 class="group">{html.escape(_word("index", "level_" + level, lang))}</h3>')
        for region in dict.fromkeys(str(entry.values.get("region") or "") for entry in chosen):
            here = [entry for entry in chosen if str(entry.values.get("region") or "") == region]
            if region:
                parts.append(f'<h4 class="place">{html.escape(region)}</h4>')
            rows = []
            for entry in here:
                title = html.escape(entry.title)
                link = f'<a href="{html.escape(entry.name)}.html">{title}</a>' if entry.has_html else \
                    f'{title} <span class="meta">({html.escape(_word("index", "no_report", lang))})</span>'
                rows.append(f"<tr><td>{link}</td><td>{html.escape(_word('report_types', entry.notebook, lang))}</td>"
                            f"<td>{_parameters(entry, lang)}</td>"
                            f'<td class="behind">{html.escape(_behind(entry, kinds, lang))}</td></tr>')
            parts.append('<table class="reports"><tbody>' + "".join(rows) + "</tbody></table>")
    return "\n".join(parts)


def _grid(entries: Sequence[IndexEntry], kinds: Mapping[tuple[str, int], str], lang: str) -> str:
    """The coverage heatmap: the reports' regions, then the other regions pooled (regions per year)."""
    regions = list(dict.fromkeys(str(e.values.get("region")) for e in entries if e.values.get("region")))
    years = sorted({year for _, year in kinds})
    if not years:
        return f'<p class="meta">{html.escape(_word("texts", "none", lang))}</p>'
    head = "".join(f"<th>{year}</th>" for year in years)
    rows = []
    for region in regions:
        cells = "".join(_cell(kinds.get((region, year), ""), lang) for year in years)
        rows.append(f'<tr><th class="region">{html.escape(region)}</th>{cells}</tr>')
    others = {(place, year): kind for (place, year), kind in kinds.items() if place not in regions}
    n_others = len({place for place, _ in others})
    cells = []
    for year in years:
        here = [kind for (_, y), kind in others.items() if y == year]
        best = min(here, key=KINDS.index) if here else ""
        cells.append(_cell(best, lang, str(len(here)) if here else ""))
    rows.append(f'<tr><th class="region">{html.escape(_word("index", "others", lang, n=n_others))}</th>'
                f'{"".join(cells)}</tr>')
    legend = "".join(f'<span class="key"><span class="swatch" style="background:{KIND_COLORS[kind]}"></span>'
                     f'{html.escape(_word("coverage_kinds", kind, lang))}</span>' for kind in KINDS)
    return (f'<table class="heatmap"><thead><tr><th></th>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
            f'<p class="legend">{legend}</p><p class="meta">{html.escape(_word("index", "coverage_note", lang))}</p>')


def _cell(kind: str, lang: str, text: str = "") -> str:
    if not kind:
        return '<td class="empty"></td>'
    title = html.escape(_word("coverage_kinds", kind, lang))
    return f'<td class="kind-{kind}" style="background:{KIND_COLORS[kind]}" title="{title}">{html.escape(text)}</td>'


def _footer(entries: Sequence[IndexEntry], generated_at: str, data_hash: str, version: str, lang: str) -> str:
    items = []
    for entry in entries:
        seconds = f" {entry.seconds:.1f} s" if entry.seconds is not None else ""
        reason = f" ({html.escape(entry.reason)})" if entry.reason else ""
        items.append(f'<li class="status-{html.escape(entry.status.replace(" ", "-"))}">{html.escape(entry.name)}: '
                     f'{html.escape(_word("index", entry.status, lang))}{seconds} {html.escape(entry.rendered_at)}'
                     f"{reason}</li>")
    stamp = _word("index", "rendered", lang, time=html.escape(generated_at), hash=html.escape(data_hash),
                  version=html.escape(version))
    return (f'<footer><details><summary>{html.escape(_word("index", "footer", lang))} · {stamp}</summary>'
            f'<ul>{"".join(items)}</ul></details></footer>')


def _section(entries: Sequence[IndexEntry], kinds: Mapping[tuple[str, int], str], lang: str, stamp: str) -> str:
    other = "zh" if lang == "en" else "en"
    w = lambda key: html.escape(_word("index", key, lang))  # noqa: E731
    html_lang = "en" if lang == "en" else HTML_LANG
    return f"""<section id="{lang}" lang="{html_lang}">
<p class="switch"><a href="#{other}">{w("switch")}</a></p>
<h1>{w("title")}</h1>
<p>{w("intro")}</p>
<nav><a href="#coverage-{lang}">{w("coverage")}</a> · <a href="#methods-{lang}">{w("methods")}</a> ·
<a href="../../data/processed/panel.csv">{w("data")}: panel.csv</a> · <a href="../../data/processed/facts.csv">facts.csv</a></nav>
<h2>{w("reports")}</h2>
{_report_rows(entries, kinds, lang)}
<h2 id="coverage-{lang}">{w("coverage")}</h2>
{_grid(entries, kinds, lang)}
<h2 id="methods-{lang}">{w("methods")}</h2>
<ul class="methods">
<li>{html.escape(_word("texts", "pace_caveat", lang))}</li>
<li>{html.escape(_word("texts", "signed", lang))}</li>
<li><a href="../../docs/research.md">docs/research.md</a> · <a href="../../docs/dataset.md">docs/dataset.md</a></li>
</ul>
{stamp}
</section>"""


STYLE = """
  body { font-family: "Noto Sans CJK SC", "Noto Sans SC", sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; }
  table { border-collapse: collapse; }
  table.reports { width: 100%; margin-bottom: 1em; }
  table.reports td { border-bottom: 1px solid #ddd; padding: 0.35em 0.6em; vertical-align: top; }
  td.behind, .meta, footer { color: #555; font-size: 0.85em; }
  table.heatmap th, table.heatmap td { border: 1px solid #fff; padding: 0.15em 0.3em; font-size: 0.75em; text-align: center; }
  table.heatmap th.region { text-align: left; white-space: nowrap; }
  table.heatmap td.empty { background: #fafafa; }
  .swatch { display: inline-block; width: 1em; height: 1em; margin: 0 0.3em 0 1em; vertical-align: middle; }
  .switch { float: right; }
  #en { display: none; }
  #en:target { display: block; }
  #en:target ~ #zh { display: none; }
"""


def index_page(entries: Sequence[IndexEntry], generated_at: str, data_hash: str, version: str,
               panel_path: str | Path | None = None) -> str:
    """The index of every report, Chinese and English, as an offline HTML page.

    ``generated_at``: the last real render (the footer's only time); ``panel_path``: panel.csv
    for the coverage grid (default: the data folder's, $KEYPROJ_DATA else the repository's).
    """
    entries = [_complete(entry) for entry in entries]
    kinds = region_year_kinds(read_panel_rows(panel_path or data_layout().panel))
    english = _section(entries, kinds, "en", _footer(entries, generated_at, data_hash, version, "en"))
    chinese = _section(entries, kinds, "zh", _footer(entries, generated_at, data_hash, version, "zh"))
    return f"""<!DOCTYPE html>
<html lang="{HTML_LANG}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{html.escape(_word("index", "title", "zh"))} · {html.escape(_word("index", "title", "en"))}</title>
<style>{STYLE}</style>
</head>
<body>
{english}
{chinese}
</body>
</html>
"""
