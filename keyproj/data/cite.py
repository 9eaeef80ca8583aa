"""Citations of reference figures: the sentence of a snapshot (`keyproj fetch`) that states a figure.

A reference row (reference/*.csv) gives a figure and the URL of its page but no sentence. When
raw/sources.csv lists a document whose ``url`` is that URL (a snapshot, or a page saved by hand),
the figure is looked up in that document, newest snapshot first:

1. among the document's extracted facts: same metric, same value (within 0.005), same period
   (a '0000' year matches any year) and same region; the fact's quote and offsets are the citation;
2. failing that, in the document's normalized text: a sentence holding the value's number followed
   by its unit (亿/亿元 for amounts, a counter such as 个/项 for counts, % for rates, 个百分点 or %
   for percentage points) and a wording of the metric (keyproj/lexicon), in a document that names
   the region and the period's year.

No match, no citation: nothing is guessed. :func:`attach_citations` puts the citations into four
panel columns, one ``metric=...`` entry for each figure of the row that a cited reference row
gives (its value is the row's chosen value, whichever source won): ``cite_doc_id``,
``cite_start``, ``cite_end`` (offsets in the normalized text, as in facts.csv) joined by ';', and
``cite_quote`` joined by ' | ' (quotes may hold ';'). A figure only a document gives needs none:
its sentence is its facts.csv quote.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from keyproj import lexicon
from keyproj.errors import BadInputError
from keyproj.facts import METRIC_UNITS, METRICS
from keyproj.paths import DataLayout
from keyproj.read.documents import read_document
from keyproj.read.sources import read_sources

if TYPE_CHECKING:
    import pandas as pd

CITE_COLUMNS: tuple[str, ...] = ("cite_doc_id", "cite_quote", "cite_start", "cite_end")
"""Panel columns holding the citations of the row's reference figures (empty: none found)."""
QUOTE_SEPARATOR = " | "
VALUE_TOLERANCE = 0.005
"""A fact states a reference figure when their values differ by at most this (亿元, count, % or pp)."""

# Which lexicon entries word each metric (file, section, entry): the words themselves are data.
_METRIC_WORDS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "projects": (("wordings", "list_nouns", "key_list"),),
    "total_investment": (("wordings", "metrics", "total_investment"),),
    "annual_plan": (("wordings", "metrics", "annual_plan"),),
    "completed_investment": (("wordings", "metrics", "completed_investment"),),
    "completion_rate": (("wordings", "metrics", "completion_rate"),),
    "ahead_of_schedule": (("wordings", "metrics", "ahead_of_schedule"), ("wordings", "metrics", "behind_schedule")),
    "started_projects": (("wordings", "stages", "started"),),
    "finished_projects": (("wordings", "stages", "finished"),),
    "signed_projects": (("wordings", "signed", "signed"),),
    "signed_investment": (("wordings", "metrics", "signed_investment"), ("wordings", "signed", "signed")),
}
_UNIT_WORDS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "亿元": (("numbers", "units", "yi"),),
    "count": (("wordings", "counters", "projects"),),
}
_SYMBOL_UNITS = {"%": ("%",), "pp": ("个百分点", "%")}  # symbols, and the one word of points
_SENTENCE_END = re.compile(r"[。！？!?\n]")
_REGION_SUFFIX = re.compile(r"(?:省|市|区|县|自治州|自治县|地区|盟|旗)$")


@dataclass(frozen=True)
class Citation:
    """Where a document states a figure: its id, the sentence, and its offsets in the normalized text."""

    doc_id: str
    quote: str
    start: int
    end: int


@dataclass(frozen=True)
class _Snapshot:
    doc_id: str
    file_name: str
    meta: dict[str, str]


def _snapshots(layout: DataLayout) -> dict[str, list[_Snapshot]]:
    """Documents of raw/ by their sources.csv URL, newest row first."""
    if not layout.sources.is_file():
        return {}
    try:
        rows = read_sources(layout.sources)
    except BadInputError:  # the build names a bad sources.csv already; no citation from it
        return {}
    found: dict[str, list[_Snapshot]] = {}
    for name, meta in reversed(list(rows.items())):
        if meta["url"] and (layout.raw / name).is_file():
            found.setdefault(meta["url"], []).append(_Snapshot(name.rpartition(".")[0] or name, name, meta))
    return found


def _same_period(fact: Mapping[str, Any], other: Mapping[str, Any]) -> bool:
    """Same months, and the same year unless one of them is unknown ('0000')."""
    for key in ("period_start", "period_end"):
        mine, theirs = str(fact[key]), str(other[key])
        if mine[5:] != theirs[5:]:
            return False
        if mine[:4] != theirs[:4] and "0000" not in (mine[:4], theirs[:4]):
            return False
    return True


def _same_value(left: Any, right: Any) -> bool:
    try:
        return abs(float(left) - float(right)) <= VALUE_TOLERANCE
    except (TypeError, ValueError):
        return False


def _from_facts(figure: Mapping[str, Any], doc_facts: Sequence[Mapping[str, Any]]) -> Citation | None:
    """The first extracted fact of a document that states ``figure`` (rule 1), as a citation."""
    for fact in doc_facts:
        if (fact["metric"] == figure["metric"] and fact["region"] == figure["region"]
                and _same_value(fact["value"], figure["value"]) and _same_period(fact, figure)
                and fact["quote"] != "" and str(fact["char_start"]).isdigit()):
            return Citation(str(fact["doc_id"]), str(fact["quote"]), int(fact["char_start"]), int(fact["char_end"]))
    return None


@cache
def _words_pattern(keys: tuple[tuple[str, str, str], ...]) -> re.Pattern[str]:
    return re.compile(lexicon.alternation(word for name, section, entry in keys
                                          for word in lexicon.words(name, section, entry)))


def _number_pattern(metric: str, value: float) -> re.Pattern[str]:
    """The value's number (any trailing zeros of its decimals) followed by its metric's unit."""
    number = abs(value)
    text = str(int(number)) if float(number).is_integer() else repr(round(number, 6))
    whole, _, decimals = text.partition(".")
    digits = re.escape(whole) + (r"\." + re.escape(decimals) + "0*" if decimals else r"(?:\.0+)?")
    unit = METRIC_UNITS[metric]
    if unit in _SYMBOL_UNITS:
        unit_words = "(?:" + "|".join(map(re.escape, _SYMBOL_UNITS[unit])) + ")"
    else:
        unit_words = _words_pattern(_UNIT_WORDS[unit]).pattern
    return re.compile(rf"(?<![\d.]){digits}(?![\d.])\s*{unit_words}")


def _names_region_and_year(text: str, figure: Mapping[str, Any]) -> bool:
    region = str(figure["region"])
    stem = _REGION_SUFFIX.sub("", region)
    year = str(figure["period_end"])[:4]
    return (region in text or (len(stem) >= 2 and stem in text)) and (year == "0000" or year in text)


def _from_text(figure: Mapping[str, Any], text: str, published: str, doc_id: str) -> Citation | None:
    """The first sentence of ``text`` stating ``figure``'s number with its unit and metric wording (rule 2)."""
    year = str(figure["period_end"])[:4]
    if not _names_region_and_year(text, figure) and not (published.startswith(year) and figure["region"] in text):
        return None
    wording = _words_pattern(_METRIC_WORDS[figure["metric"]])
    for match in _number_pattern(figure["metric"], float(figure["value"])).finditer(text):
        start = max((end.end() for end in _SENTENCE_END.finditer(text, 0, match.start())), default=0)
        stop = _SENTENCE_END.search(text, match.end())
        end = stop.end() if stop is not None and stop.group() != "\n" else (stop.start() if stop else len(text))
        sentence = text[start:end]
        if wording.search(sentence):
            lead = len(sentence) - len(sentence.lstrip())
            return Citation(doc_id, sentence.strip(), start + lead, start + lead + len(sentence.strip()))
    return None


def cite_reference_facts(facts: Sequence[Mapping[str, Any]], layout: DataLayout) -> dict[int, Citation]:
    """Citations of the reference facts among ``facts`` (build's fact dicts), by their index.

    A reference fact is cited only by a document of ``layout.raw`` whose sources.csv ``url`` is
    the fact's URL (see the module docstring); the others get no entry.
    """
    snapshots = _snapshots(layout)
    wanted = [index for index, fact in enumerate(facts)
              if fact["source_kind"] == "reference" and fact["url"] in snapshots]
    if not wanted:
        return {}
    by_doc: dict[str, list[Mapping[str, Any]]] = {}
    for fact in facts:
        if fact["source_kind"] == "document":
            by_doc.setdefault(str(fact["doc_id"]), []).append(fact)
    texts: dict[str, str | None] = {}
    citations: dict[int, Citation] = {}
    for index in wanted:
        figure = facts[index]
        for snapshot in snapshots[figure["url"]]:
            citation = _from_facts(figure, by_doc.get(snapshot.doc_id, ()))
            if citation is None and figure["metric"] in _METRIC_WORDS:
                if snapshot.doc_id not in texts:
                    texts[snapshot.doc_id] = _text_of(layout, snapshot)
                text = texts[snapshot.doc_id]
                citation = _from_text(figure, text, snapshot.meta["published"], snapshot.doc_id) if text else None
            if citation is not None:
                citations[index] = citation
                break
    return citations


def _text_of(layout: DataLayout, snapshot: _Snapshot) -> str | None:
    """The normalized text of a snapshot; None when it cannot be read (the build names it)."""
    try:
        return read_document(layout.raw / snapshot.file_name, snapshot.meta).text
    except BadInputError:
        return None


_SOURCE_ENTRY = re.compile(rf"(?:^|;)({'|'.join(METRICS)})=")


def _row_sources(cell: str) -> dict[str, str]:
    """A panel ``sources`` cell ('metric=source;...') as metric -> source (a URL may hold ';' or '=')."""
    marks = list(_SOURCE_ENTRY.finditer(cell))
    return {mark.group(1): cell[mark.end(): marks[i + 1].start() if i + 1 < len(marks) else len(cell)]
            for i, mark in enumerate(marks)}


def _cells(entries: Iterable[tuple[str, Citation]]) -> tuple[str, str, str, str]:
    entries = list(entries)
    return (";".join(f"{metric}={cite.doc_id}" for metric, cite in entries),
            QUOTE_SEPARATOR.join(f"{metric}={cite.quote}" for metric, cite in entries),
            ";".join(f"{metric}={cite.start}" for metric, cite in entries),
            ";".join(f"{metric}={cite.end}" for metric, cite in entries))


def attach_citations(panel: "pd.DataFrame", facts: Sequence[Mapping[str, Any]], layout: DataLayout) -> "pd.DataFrame":
    """``panel`` (panel.csv's text table) with the columns of ``CITE_COLUMNS`` filled (added at the
    end if it lacks them; the panel's own builder leaves them empty in their place).

    For each figure of a row that a cited reference fact gives (same region, scope, subset and
    metric, the same value as the row's chosen one; whichever source the row chose, since an equal
    value is stated by the same sentence): its citation, ``metric=...`` entries in metric order.
    Among several, the fact whose URL is the row's chosen source wins, then the row's own period
    (else the full-year list figure the row took).
    """
    panel = panel.copy()
    citations = cite_reference_facts(facts, layout)
    found: dict[tuple[str, ...], list[tuple[Mapping[str, Any], Citation]]] = {}
    for index, citation in citations.items():
        fact = facts[index]
        found.setdefault((fact["region"], fact["scope"], fact["subset"], fact["metric"]), []).append((fact, citation))
    cells: list[tuple[str, str, str, str]] = []
    for row in panel.to_dict("records") if found else ():
        entries = []
        for metric, source in _row_sources(row["sources"]).items():
            candidates = [(fact, cite) for fact, cite in found.get((row["region"], row["scope"], row["subset"], metric), ())
                          if _same_value(fact["value"], row[metric])]
            candidates.sort(key=lambda pair: (pair[0]["url"] != source, not _same_period(pair[0], row)))
            if candidates:
                entries.append((metric, candidates[0][1]))
        cells.append(_cells(entries))
    for position, name in enumerate(CITE_COLUMNS):
        panel[name] = [cell[position] for cell in cells] if found else ""
    return panel
