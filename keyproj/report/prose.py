"""A report's words in its language (``lang`` parameter: zh, en; None is zh), all from labels.yaml:
section prose (``sections``), table headers (``columns``) and short sentences (``words``).

A notebook that shows ``report.section("pva.lists", lang)`` instead of a Markdown cell, and names
its table columns by code (``report.named_table``), renders in Chinese or English from one file.

Some building blocks (figures, tables of keyproj.report.targets, period labels) still write
Chinese whatever the language; ``translate`` turns those texts into English through the
templates of labels.yaml ``periods`` and ``phrases``, and ``translated`` does so for every text of
a drawn figure. Chinese reports never pass through them: ``lang`` None or zh returns the text as is.
"""
from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable, Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

from keyproj.report.coverage import SIGNED_METRICS, fact_list_label
from keyproj.report.html import table
from keyproj.report.labels import english_of, label, labels
from keyproj.report.tables import list_label
from keyproj.report.targets import dropped_text

if TYPE_CHECKING:
    import pandas as pd
    from IPython.display import HTML, Markdown
    from matplotlib.figure import Figure

NUMBER = r"[-+]?\d[\d,.]*%?"  # {n} in a template: a number as written (1,234.5, +2.10, 95%)
ANY_TEXT = r".+?"  # {name:s} in a template: any text, itself translated
PLACEHOLDER = re.compile(r"\{(\w+)(:s)?\}")
CHINESE = re.compile(r"[\u4e00-\u9fff]")
CAPTION_WIDTH = 110  # characters per line of an English figure caption (plotting.caption's width)


def section(key: str, lang: str | None = None) -> Markdown:
    """Display object of a section's prose (Markdown: heading and paragraphs) in ``lang``."""
    from IPython.display import Markdown

    return Markdown(label("sections", key, lang))


def words(key: str, lang: str | None = None, **values: Any) -> str:
    """A short sentence or title of labels.yaml ``words`` in ``lang``, its {names} filled in."""
    text = label("words", key, lang)
    return text.format(**values) if values else text


def english(lang: str | None) -> bool:
    """Whether ``lang`` asks for English (None and zh are Chinese)."""
    return (lang or "zh") != "zh"


def _pattern(template: str, anchored: bool) -> re.Pattern[str]:
    parts, at = [], 0
    for found in PLACEHOLDER.finditer(template):
        parts.append(re.escape(template[at:found.start()]))
        parts.append(f"(?P<{found.group(1)}>{ANY_TEXT if found.group(2) else NUMBER})")
        at = found.end()
    parts.append(re.escape(template[at:]))
    body = "".join(parts)
    return re.compile(f"^{body}$" if anchored else body)


@cache
def _templates(group: str, anchored: bool) -> tuple[tuple[re.Pattern[str], str], ...]:
    """(Chinese pattern, English template) of a group's templates, in file order: those with
    placeholders when ``anchored`` (plain ones are exact labels), every one when searching inside text."""
    chinese, english_labels = labels(lang="zh")[group], labels(lang="en")[group]
    return tuple((_pattern(text, anchored), english_labels[code]) for code, text in chinese.items()
                 if ("{" in text or not anchored) and english_labels[code] != text)


def translate(text: Any, lang: str | None = None) -> Any:
    """``text`` (a Chinese label or phrase written by code without ``lang``) in ``lang``: an exact
    label, else the first matching template of ``periods`` and ``phrases``; unknown text (data:
    place names, quotes) and anything that is not a string stay as they are."""
    if not english(lang) or not isinstance(text, str) or not text:
        return text
    known = english_of().get(text)
    if known is not None:
        return known
    first = None
    for group in ("periods", "phrases"):
        for pattern, english_template in _templates(group, anchored=True):
            found = pattern.match(text)
            if found:
                result = english_template.format(**{name: translate(value, lang)
                                                    for name, value in found.groupdict().items()})
                if not CHINESE.search(result):
                    return result
                first = first or result  # a wider template may have caught a phrase a later one knows
    return first or text


def translate_all(texts: Iterable[Any], lang: str | None = None) -> list[Any]:
    """Each of ``texts`` through :func:`translate`."""
    return [translate(text, lang) for text in texts]


def with_periods(sentence: str, lang: str | None = None) -> str:
    """An English sentence whose period labels (1-9月, 全年) came from code without ``lang``, in English."""
    if not english(lang):
        return sentence
    for pattern, english_template in _templates("periods", anchored=False):
        sentence = pattern.sub(lambda found, to=english_template: to.format(**found.groupdict()), sentence)
    return sentence


def translated(fig: Figure, lang: str | None = None) -> Figure:
    """The figure with its titles, axis labels, legends, notes and tick labels in ``lang``."""
    if not english(lang):
        return fig
    from matplotlib.text import Text

    fig.canvas.draw()  # tick labels exist only once drawn
    ticks = {id(text) for ax in fig.axes for text in (*ax.get_xticklabels(), *ax.get_yticklabels())}
    for text in fig.findobj(Text):
        if id(text) not in ticks and text.get_text():
            text.set_text(_translate_lines(text.get_text(), lang))
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            shown = [tick.get_text() for tick in axis.get_ticklabels()]
            english_ticks = [_translate_lines(tick, lang) for tick in shown]
            if english_ticks != shown:  # categorical or fixed ticks: fix them with their new words
                axis.set_ticks(axis.get_ticklocs(), english_ticks)
    return fig


def _translate_lines(text: str, lang: str | None) -> str:
    """A figure text, also when plotting wrapped it over lines (captions, long list names)."""
    if "\n" not in text:
        return translate(text, lang)
    joined = translate(text.replace("\n", ""), lang)
    if joined != text.replace("\n", ""):
        return "\n".join(textwrap.wrap(joined, CAPTION_WIDTH))
    return "\n".join(translate(line, lang) for line in text.split("\n"))


def headers(codes: Iterable[str], lang: str | None = None) -> list[str]:
    """Table headers of column codes (labels.yaml ``columns``) in ``lang``."""
    return [label("columns", code, lang) for code in codes]


def named_table(frame: pd.DataFrame, formats: Mapping[str, str] | None = None, lang: str | None = None,
                caption: str | None = None) -> HTML:
    """A table whose columns (codes such as completion_rate) get their headers in ``lang``;
    ``formats`` are keyed by the same codes (".1f", "+.2f"). In English, headers that are not codes
    and text cells written in Chinese by code (periods, list names) go through :func:`translate`."""
    names = {column: translate(label("columns", column, lang), lang) for column in frame.columns}
    shown = frame.rename(columns=names)
    if english(lang):
        from pandas.api.types import is_bool_dtype, is_numeric_dtype

        shown = shown.apply(lambda column: column if is_numeric_dtype(column) or is_bool_dtype(column)
                            else column.astype(object).map(lambda cell: translate(cell, lang)))
    return table(shown, {names.get(column, column): spec for column, spec in (formats or {}).items()},
                 translate(caption, lang))


def kind_words(kinds: pd.Series, bounds: pd.Series, lang: str | None = None) -> list[str]:
    """Plan sources for a table: published, imputed or bound (words reported, implied, bound)."""
    return [words("bound", lang) if bound else words(str(kind), lang) if kind else ""
            for kind, bound in zip(kinds, bounds, strict=True)]


def fact_list(fact: Any, lang: str | None = None) -> str:
    """The list a fact of ``audit_facts`` belongs to (``fact_list_label``) in ``lang``."""
    if not english(lang):
        return fact_list_label(fact)
    if str(fact.metric) in SIGNED_METRICS:
        return label("scopes", "signed", lang)
    return list_label(fact.scope, getattr(fact, "list_subset", fact.subset), lang)


def dropped_words(dropped: Mapping[str, int], lang: str | None = None) -> str:
    """Rows a result left out, by reason (``dropped_text``), in ``lang`` ('' when none)."""
    if not english(lang):
        return dropped_text(dropped)
    return "; ".join(translate(part, lang) for part in dropped_text(dropped).split(";") if part)
