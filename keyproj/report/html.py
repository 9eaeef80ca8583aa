"""Building blocks the report notebooks display: the about-this-report line, escaped tables, trends.

Text that comes from documents (quotes, titles, URLs) is always HTML-escaped here: documents come
from the web and may contain ``<script>``, ``onerror=`` or ``javascript:`` links, which must show
as text in a report.
"""
from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from keyproj._version import __version__
from keyproj.data.load import data_fingerprint
from keyproj.errors import KeyprojError
from keyproj.report.labels import label

if TYPE_CHECKING:
    import pandas as pd
    from IPython.display import HTML

MIN_TREND_YEARS = 3


def about_html(title: str, params: Mapping[str, Any], data_hash: str, version: str, rendered_at: str,
               lang: str | None = None) -> str:
    """The about-this-report block: title, parameters, data fingerprint, keyproj version, render time;
    its words in ``lang`` (labels.yaml ``words`` about.*; None is zh)."""
    values = " · ".join(f"{html.escape(str(k))} = <b>{html.escape(str(v))}</b>" for k, v in params.items())
    said = {key: html.escape(label("words", f"about.{key}", lang)) for key in ("parameters", "data_hash", "rendered")}
    return (
        f'<div class="keyproj-about"><div>{html.escape(title)}</div>'
        f'<div class="keyproj-parameters">{said["parameters"]}: {values}</div>'
        f'<div>{said["data_hash"]} <code class="keyproj-data-hash">{html.escape(data_hash)}</code>'
        f' · keyproj <span class="keyproj-version">{html.escape(version)}</span>'
        f' · {said["rendered"]} <span class="keyproj-rendered-at">{html.escape(rendered_at)}</span></div></div>'
    )


def about(title: str, params: Mapping[str, Any], data_dir: str | Path | None = None,
          lang: str | None = None) -> HTML:
    """Display object stating the report's parameters, data fingerprint, keyproj version and render time;
    in ``lang``, by default the report's own ``lang`` parameter."""
    from IPython.display import HTML

    rendered_at = datetime.now().astimezone().isoformat(timespec="seconds")
    lang = lang or params.get("lang")
    return HTML(about_html(title, params, data_fingerprint(data_dir), __version__, rendered_at, lang))


def text(message: str, tag: str = "p") -> HTML:
    """A paragraph (or other block tag) of plain text, escaped: for sentences that contain data values."""
    from IPython.display import HTML

    return HTML(f"<{tag}>{html.escape(message)}</{tag}>")


def table_html(frame: pd.DataFrame, formats: Mapping[str, str] | None = None,
               caption: str | None = None) -> str:
    """A DataFrame as an HTML table with every cell escaped; ``formats`` maps columns to format specs (".1f")."""
    shown = frame.copy()
    for column, spec in (formats or {}).items():
        if column in shown.columns:
            shown[column] = [_format(value, spec) for value in shown[column]]
    shown = shown.astype(object).where(shown.notna(), "")
    table = shown.to_html(index=False, escape=True, border=0, classes="keyproj-table", na_rep="")
    if caption:
        table = table.replace(">", f"><caption>{html.escape(caption)}</caption>", 1)
    return table


def _format(value: Any, spec: str) -> str:
    import pandas as pd

    if value is None or (not isinstance(value, str) and bool(pd.isna(value))):
        return ""
    try:
        return format(value, spec)
    except (TypeError, ValueError):
        return str(value)


def table(frame: pd.DataFrame, formats: Mapping[str, str] | None = None, caption: str | None = None) -> HTML:
    """Display object of :func:`table_html`."""
    from IPython.display import HTML

    return HTML(table_html(frame, formats, caption))


@dataclass(frozen=True)
class Trend:
    """A log-linear trend: growth per year (fraction) with its 95 % confidence interval, from ``n_years`` years."""

    growth: float
    low: float
    high: float
    n_years: int
    first_year: int
    last_year: int
    intercept: float = 0.0  # log(value) at the mean year
    slope: float = 0.0  # log points per year
    mean_year: float = 0.0

    def fitted(self, years: Sequence[float]) -> list[float]:
        """The trend's values (same unit as the series) at ``years``."""
        return [math.exp(self.intercept + self.slope * (year - self.mean_year)) for year in years]

    def describe(self, what: str, lang: str | None = None) -> str:
        """One sentence in ``lang`` (labels.yaml words trend.sentence), e.g. '完成投资 2011–2024 年(6 个年份)
        对数线性趋势:年均增长 8.1%(95% 置信区间 2.0% 至 14.6%)。'."""
        return label("words", "trend.sentence", lang).format(
            what=what, first=self.first_year, last=self.last_year, n=self.n_years, growth=self.growth * 100,
            low=self.low * 100, high=self.high * 100)


def log_trend(years: Sequence[int], values: Sequence[float]) -> Trend | None:
    """OLS of log(value) on year: growth = exp(slope) - 1 with its 95 % interval; None below 3 positive years.

    ``values`` in any positive unit (亿元, counts); non-positive or missing values are left out.
    """
    import numpy as np
    import statsmodels.api as sm

    points = sorted((int(y), float(v)) for y, v in zip(years, values, strict=True)
                    if v is not None and not math.isnan(float(v)) and float(v) > 0)
    if len({year for year, _ in points}) < MIN_TREND_YEARS:
        return None
    x = np.array([year for year, _ in points], dtype=float)
    y = np.log(np.array([value for _, value in points]))
    fit = sm.OLS(y, sm.add_constant(x - x.mean())).fit()
    slope = float(fit.params[1])
    low, high = (float(bound) for bound in fit.conf_int(alpha=0.05)[1])
    return Trend(growth=math.expm1(slope), low=math.expm1(low), high=math.expm1(high),
                 n_years=len(points), first_year=int(x.min()), last_year=int(x.max()),
                 intercept=float(fit.params[0]), slope=slope, mean_year=float(x.mean()))


def trend_sentence(what: str, years: Sequence[int], values: Sequence[float], lang: str | None = None) -> str:
    """The trend sentence for a series, or why there is none (fewer than 3 years), in ``lang``."""
    trend = log_trend(years, values)
    if trend is None:
        count = sum(1 for v in values if v is not None and not math.isnan(float(v)) and float(v) > 0)
        return label("words", "trend.too_few", lang).format(what=what, n=count, least=MIN_TREND_YEARS)
    return trend.describe(what, lang)


def number_text(value: float) -> str:
    """A figure as written in documents: 242, 310.04 (no trailing .0)."""
    value = float(value)
    return str(int(value)) if value.is_integer() else f"{value:g}"


def quote_html(quote: str, value: float | None = None) -> str:
    """A sentence from a document, escaped; the first occurrence of ``value`` (as written) is highlighted."""
    import re

    quote = "" if quote is None or str(quote) in {"nan", "<NA>"} else str(quote)
    if value is not None and not math.isnan(float(value)):
        # the number standing alone: 1.4 is not the end of 101.4, 14 not the start of 140
        found = re.search(rf"(?<![\d.]){re.escape(number_text(value))}(?![\d]|\.\d)", quote)
        if found:
            at, end = found.span()
            return (html.escape(quote[:at]) + "<mark>" + html.escape(quote[at:end]) + "</mark>"
                    + html.escape(quote[end:]))
    return html.escape(quote)


def cells_table(headers: Sequence[str], rows: Sequence[Sequence[str]], caption: str | None = None) -> HTML:
    """A table of cells that are already safe HTML (built with html.escape, quote_html, link_html)."""
    from IPython.display import HTML

    head = "".join(f"<th>{html.escape(header)}</th>" for header in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    caption_html = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return HTML(f'<table class="keyproj-table">{caption_html}<thead><tr>{head}</tr></thead>'
                f"<tbody>{body}</tbody></table>")


def escape(value: Any) -> str:
    """Any value as escaped HTML text; missing values (None, NaN, <NA>) as ''."""
    if value is None:
        return ""
    text_value = str(value)
    if text_value in {"nan", "<NA>", "NaT", "None"}:
        return ""
    return html.escape(text_value)


def sources_html(sources: str) -> str:
    """Several sources joined by '; ' as safe HTML, each a link when it is an http(s) URL."""
    return "<br>".join(source_html(part) for part in str(sources or "").split("; ") if part)


def source_html(source: str, title: str | None = None) -> str:
    """A source (document id, URL, or correction:<author>) as safe HTML: links only for http(s) URLs."""
    source = "" if source is None or str(source) in {"nan", "<NA>"} else str(source)
    title = None if title is None or str(title) in {"", "nan", "<NA>"} else str(title)
    if source.lower().startswith(("http://", "https://")):
        label = title or source
        return link_html(source, label if len(label) <= 60 else label[:57] + "...")
    return html.escape(source)


def link_html(url: str, label: str | None = None) -> str:
    """A link to a web source when it is http(s); any other scheme (javascript:, data:) is shown as text."""
    url = str(url or "").strip()
    label_text = html.escape(label if label is not None else url)
    if url.lower().startswith(("http://", "https://")):
        return f'<a href="{html.escape(url, quote=True)}" rel="noopener noreferrer">{label_text}</a>'
    return label_text


def require_columns(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    """KeyprojError naming the missing columns of a table a report needs."""
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise KeyprojError(f"{what} lacks columns {', '.join(missing)}: rebuild the dataset (keyproj build)")
