"""Score predicted facts against gold facts: recall and precision of ``keyproj extract``.

Behind ``keyproj score GOLD PRED``. Both files are fact-table CSVs (FACTS.md): the gold file holds
``doc_id,region,scope,subset,period_start,period_end,metric,value,unit,qualifier``, the predicted
file is keyproj's facts CSV (the same columns plus ``quote,char_start,char_end``). Only the
columns of the match keys and ``value`` are required; the others default to empty.

Two matches are counted:

* **strict**: same ``(doc_id, region, scope, period_start, period_end, metric, value)``. ``subset``
  is deliberately left out of the key (the issue defines strict this way); strict matches whose
  subsets differ are reported separately (``ScoreResult.subset_mismatches``).
* **loose**: same ``(doc_id, metric, value)``: the figure was found but attributed to another
  place, list or period.

Values are equal when they differ by at most ``VALUE_TOLERANCE`` = 0.005 (absolute, in the fact's
unit: count, 亿元, % or pp). The fact table gives amounts in 亿元 with at most two decimals, so
0.005 is half the last digit: it absorbs float noise and 万元 -> 亿元 conversions, and it is the
threshold panel.csv's ``conflict`` flag uses for "the same figure". Matching is a multiset match:
a fact listed twice in gold must be predicted twice; within one key the values are paired in
sorted order, which gives the largest number of pairs for a fixed tolerance.

Functions are pure (no printing): the CLI calls :func:`score_files`, prints :func:`format_score`
and exits 1 when :func:`check_floors` returns anything.
"""
from __future__ import annotations

import csv
import math
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from keyproj.errors import BadInputError, KeyprojError
from keyproj.facts import METRICS

VALUE_TOLERANCE = 0.005
"""Largest absolute difference (in the fact's unit) between two values that still match."""
_FLOAT_SLACK = 1e-9  # so that 0.005 apart in decimal is not lost to binary rounding

REQUIRED_COLUMNS: tuple[str, ...] = (
    "doc_id", "region", "scope", "period_start", "period_end", "metric", "value")
"""Columns a gold or predicted file must have: the strict key and the value."""
OPTIONAL_COLUMNS: tuple[str, ...] = ("subset", "unit", "qualifier", "quote")
"""Columns read when present (empty otherwise)."""
_KEY_FIELDS = ("region", "scope", "period_start", "period_end", "subset")  # strict minus loose
_QUOTE_WIDTH = 80  # characters of a quote shown per line in the details


@dataclass(frozen=True)
class Fact:
    """One fact row as scored; ``line`` is its line number in the CSV file (for the reader)."""

    doc_id: str
    region: str
    scope: str
    subset: str
    period_start: str
    period_end: str
    metric: str
    value: float
    unit: str = ""
    qualifier: str = ""
    quote: str = ""
    line: int = 0

    def strict_key(self) -> tuple[str, ...]:
        """The strict match key without the value (the value is compared with a tolerance)."""
        return (self.doc_id, self.region, self.scope, self.period_start, self.period_end, self.metric)

    def loose_key(self) -> tuple[str, ...]:
        """The loose match key without the value."""
        return (self.doc_id, self.metric)


@dataclass(frozen=True)
class MetricScore:
    """Strict scores of one metric; recall / precision are None when their denominator is 0."""

    metric: str
    gold: int
    predicted: int
    matched: int
    recall: float | None
    precision: float | None


@dataclass(frozen=True)
class Miss:
    """A gold fact without a strict match, and the predicted fact that matches it loosely, if any."""

    gold: Fact
    nearest: Fact | None


@dataclass(frozen=True)
class ScoreResult:
    """Everything ``keyproj score`` reports. Ratios are fractions (0..1), None when undefined."""

    gold_path: str
    pred_path: str
    n_gold: int
    n_pred: int
    strict_matched: int
    loose_matched: int
    strict_recall: float | None
    strict_precision: float | None
    loose_recall: float | None
    loose_precision: float | None
    per_metric: list[MetricScore]
    misses: list[Miss]
    extras: list[Fact]
    subset_mismatches: list[tuple[Fact, Fact]]  # (gold, predicted) strict pairs
    docs_not_in_gold: list[str]  # doc_ids predicted for which gold has no fact at all


# ---------------------------------------------------------------- reading

def read_facts(path: str | Path) -> list[Fact]:
    """Read a gold or predicted fact CSV (UTF-8, optional BOM).

    Raises BadInputError (a KeyprojError) naming the file when it is missing, unreadable, has no
    header or lacks a required column, or when a value is not a plain finite number.
    """
    path = Path(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = [name.strip() for name in reader.fieldnames or []]
            _check_header(path, header)
            reader.fieldnames = header
            return [_fact_from_row(path, row, reader.line_num) for row in reader]
    except FileNotFoundError:
        raise BadInputError(path, "no such file; give the path of a fact CSV") from None
    except IsADirectoryError:
        raise BadInputError(path, "is a folder; give the path of a fact CSV file") from None
    except UnicodeDecodeError:
        raise BadInputError(path, "not UTF-8 text; save the CSV as UTF-8") from None
    except csv.Error as error:
        raise BadInputError(path, f"not a readable CSV ({error}); fix the quoting") from None
    except OSError as error:
        raise BadInputError(path, f"cannot read ({error.strerror or error})") from None


def _check_header(path: Path, header: list[str]) -> None:
    if not header:
        raise BadInputError(path, "empty: no header row; the first line must name the columns "
                                  + ",".join(REQUIRED_COLUMNS))
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise BadInputError(path, f"missing column(s) {', '.join(missing)}; a fact CSV needs "
                                  + ",".join(REQUIRED_COLUMNS))


def _fact_from_row(path: Path, row: dict[str | None, str | None], line: int) -> Fact:
    text = {name: (row.get(name) or "").strip() for name in REQUIRED_COLUMNS + OPTIONAL_COLUMNS}
    raw = text["value"]
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        problem = f"value {raw!r} is not a plain number" if raw else "value is empty"
        raise BadInputError(path, f"line {line}: {problem}; "
                                  "write it like 12.5 (no units, no thousands separators)")
    return Fact(doc_id=text["doc_id"], region=text["region"], scope=text["scope"],
                subset=text["subset"], period_start=text["period_start"],
                period_end=text["period_end"], metric=text["metric"], value=value,
                unit=text["unit"], qualifier=text["qualifier"], quote=text["quote"], line=line)


# ---------------------------------------------------------------- matching

def _values_equal(a: float, b: float) -> bool:
    return abs(a - b) <= VALUE_TOLERANCE + _FLOAT_SLACK


def _pair_values(gold: list[int], pred: list[int], facts_g: Sequence[Fact],
                 facts_p: Sequence[Fact]) -> list[tuple[int, int]]:
    """Pair gold and predicted indices of one key by value, as many pairs as the tolerance allows.

    Both sides sorted by value, a predicted value below the current gold value's window can match
    no later gold value, so a single sweep gives a maximum matching (intervals of equal width).
    """
    gold = sorted(gold, key=lambda i: facts_g[i].value)
    pred = sorted(pred, key=lambda j: facts_p[j].value)
    pairs: list[tuple[int, int]] = []
    k = 0
    for i in gold:
        value = facts_g[i].value
        while k < len(pred) and facts_p[pred[k]].value < value - VALUE_TOLERANCE - _FLOAT_SLACK:
            k += 1
        if k < len(pred) and _values_equal(facts_p[pred[k]].value, value):
            pairs.append((i, pred[k]))
            k += 1
    return pairs


def _match(gold: Sequence[Fact], pred: Sequence[Fact], key: Callable[[Fact], Hashable],
           gold_left: Iterable[int], pred_left: Iterable[int]) -> list[tuple[int, int]]:
    """Multiset-match the not yet matched gold and predicted facts that share ``key`` and value."""
    by_key_g: dict[Hashable, list[int]] = defaultdict(list)
    by_key_p: dict[Hashable, list[int]] = defaultdict(list)
    for i in gold_left:
        by_key_g[key(gold[i])].append(i)
    for j in pred_left:
        by_key_p[key(pred[j])].append(j)
    pairs: list[tuple[int, int]] = []
    for k, gold_indices in by_key_g.items():
        if k in by_key_p:
            pairs.extend(_pair_values(gold_indices, by_key_p[k], gold, pred))
    return pairs


def _strict_pairs(gold: Sequence[Fact], pred: Sequence[Fact]) -> list[tuple[int, int]]:
    # Facts that also agree on subset are paired first, so that a subset mismatch is reported only
    # when no same-subset partner exists.
    first = _match(gold, pred, lambda f: (f.strict_key(), f.subset), range(len(gold)), range(len(pred)))
    used_g = {i for i, _ in first}
    used_p = {j for _, j in first}
    rest = _match(gold, pred, Fact.strict_key,
                  (i for i in range(len(gold)) if i not in used_g),
                  (j for j in range(len(pred)) if j not in used_p))
    return first + rest


def _nearest_loose(fact: Fact, candidates: Sequence[Fact]) -> Fact | None:
    """The loosely matching candidate that differs from ``fact`` in the fewest key fields."""
    best = [c for c in candidates if c.loose_key() == fact.loose_key()
            and _values_equal(c.value, fact.value)]
    if not best:
        return None
    return min(best, key=lambda c: sum(getattr(c, f) != getattr(fact, f) for f in _KEY_FIELDS))


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def _per_metric(gold: Sequence[Fact], pred: Sequence[Fact],
                pairs: Sequence[tuple[int, int]]) -> list[MetricScore]:
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # gold, predicted, matched
    for fact in gold:
        counts[fact.metric][0] += 1
    for fact in pred:
        counts[fact.metric][1] += 1
    for i, _ in pairs:
        counts[gold[i].metric][2] += 1
    # The contract's metrics in their documented order, then any unknown name (a typo shows up).
    order = [m for m in METRICS if m in counts] + sorted(set(counts) - set(METRICS))
    return [MetricScore(m, g, p, n, _ratio(n, g), _ratio(n, p))
            for m in order for g, p, n in [counts[m]]]


def score_facts(gold: Sequence[Fact], pred: Sequence[Fact], *,
                gold_path: str = "gold", pred_path: str = "predicted") -> ScoreResult:
    """Score predicted facts against gold facts (see the module docstring for the keys)."""
    strict = _strict_pairs(gold, pred)
    loose = _match(gold, pred, Fact.loose_key, range(len(gold)), range(len(pred)))
    matched_g = {i for i, _ in strict}
    matched_p = {j for _, j in strict}
    extras = [f for j, f in enumerate(pred) if j not in matched_p]
    by_doc: dict[str, list[int]] = defaultdict(list)
    for j, fact in enumerate(pred):
        by_doc[fact.doc_id].append(j)
    misses = []
    for i, fact in enumerate(gold):
        if i not in matched_g:
            # An unmatched predicted fact explains a miss better than one already matched.
            candidates = [pred[j] for j in by_doc[fact.doc_id] if j not in matched_p]
            nearest = _nearest_loose(fact, candidates) or _nearest_loose(
                fact, [pred[j] for j in by_doc[fact.doc_id]])
            misses.append(Miss(fact, nearest))
    gold_docs = {f.doc_id for f in gold}
    return ScoreResult(
        gold_path=gold_path, pred_path=pred_path, n_gold=len(gold), n_pred=len(pred),
        strict_matched=len(strict), loose_matched=len(loose),
        strict_recall=_ratio(len(strict), len(gold)), strict_precision=_ratio(len(strict), len(pred)),
        loose_recall=_ratio(len(loose), len(gold)), loose_precision=_ratio(len(loose), len(pred)),
        per_metric=_per_metric(gold, pred, strict), misses=misses, extras=extras,
        subset_mismatches=[(gold[i], pred[j]) for i, j in strict if gold[i].subset != pred[j].subset],
        docs_not_in_gold=sorted({f.doc_id for f in pred} - gold_docs))


def score_files(gold_path: str | Path, pred_path: str | Path) -> ScoreResult:
    """Read both CSVs and score them; raises KeyprojError naming a bad file."""
    gold = read_facts(gold_path)
    pred = read_facts(pred_path)
    return score_facts(gold, pred, gold_path=str(gold_path), pred_path=str(pred_path))


# ---------------------------------------------------------------- reporting

def _fmt_ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _fmt_value(value: float) -> str:
    return f"{value:g}" if abs(value) < 1e15 else repr(value)


def _fmt_fact(fact: Fact) -> str:
    subset = f"/{fact.subset}" if fact.subset else ""
    qualifier = f" ({fact.qualifier})" if fact.qualifier else ""
    # "-" keeps the fields in place when one is empty.
    return (f"{fact.doc_id} {fact.region or '-'} {fact.scope or '-'}{subset} "
            f"{fact.period_start or '-'}..{fact.period_end or '-'} "
            f"{fact.metric}={_fmt_value(fact.value)} {fact.unit}{qualifier}").rstrip()


def _differing(gold: Fact, pred: Fact) -> str:
    fields = [f for f in _KEY_FIELDS if getattr(gold, f) != getattr(pred, f)]
    # No field differs when the prediction already serves another, identical gold fact.
    return f"differs in {', '.join(fields)}" if fields else "used by an identical gold fact"


def _fmt_quote(quote: str) -> str:
    flat = " ".join(quote.split())
    if len(flat) > _QUOTE_WIDTH:
        flat = flat[:_QUOTE_WIDTH - 1] + "…"
    return f'"{flat}"' if flat else "(no quote)"


def _headline(name: str, recall: float | None, precision: float | None, matched: int,
              result: ScoreResult) -> str:
    return (f"{name} recall {_fmt_ratio(recall)} precision {_fmt_ratio(precision)} "
            f"(matched {matched} of {result.n_gold} gold, {result.n_pred} predicted)")


def _metric_table(result: ScoreResult) -> list[str]:
    lines = [f"{'metric':<22}{'gold':>6}{'pred':>6}{'match':>7}{'recall':>8}{'precision':>11}"]
    for row in result.per_metric:
        lines.append(f"{row.metric:<22}{row.gold:>6}{row.predicted:>6}{row.matched:>7}"
                     f"{_fmt_ratio(row.recall):>8}{_fmt_ratio(row.precision):>11}")
    return lines


def _detail_lines(result: ScoreResult) -> list[str]:
    lines = [f"misses (gold facts without a strict match): {len(result.misses)}"]
    for miss in result.misses:
        lines.append(f"  - {_fmt_fact(miss.gold)}  [gold line {miss.gold.line}]")
        if miss.nearest is not None:
            lines.append(f"      loose match, {_differing(miss.gold, miss.nearest)}: "
                         f"{_fmt_fact(miss.nearest)} {_fmt_quote(miss.nearest.quote)}")
    lines.append(f"extras (predicted facts without a strict match): {len(result.extras)}")
    for fact in result.extras:
        lines.append(f"  + {_fmt_fact(fact)}  {_fmt_quote(fact.quote)}")
    if result.subset_mismatches:
        lines.append(f"strict matches whose subset differs: {len(result.subset_mismatches)}")
        for gold, pred in result.subset_mismatches:
            lines.append(f"  ~ {_fmt_fact(gold)}  gold subset '{gold.subset}', "
                         f"predicted '{pred.subset}'")
    return lines


def format_score(result: ScoreResult, *, details: bool) -> str:
    """The terminal report: per-metric table, misses and extras (with ``details``), headline.

    The last four lines are always the headline (a hook shows ``tail -4``): the files, strict
    scores, loose scores, and the counts of misses, extras and subset mismatches.
    """
    lines = _metric_table(result) + [""]
    if details:
        lines += _detail_lines(result) + [""]
    if result.docs_not_in_gold:
        lines.append(f"note: {len(result.docs_not_in_gold)} predicted document(s) have no gold "
                     f"facts: {' '.join(result.docs_not_in_gold[:10])}")
    lines += [
        f"score {result.pred_path} against {result.gold_path}",
        _headline("strict", result.strict_recall, result.strict_precision, result.strict_matched, result),
        _headline("loose", result.loose_recall, result.loose_precision, result.loose_matched, result),
        (f"{len(result.misses)} misses, {len(result.extras)} extras, subset differs in "
         f"{len(result.subset_mismatches)} of {result.strict_matched} strict matches"),
    ]
    return "\n".join(lines)


def check_floors(result: ScoreResult, min_recall: float | None,
                 min_precision: float | None) -> list[str]:
    """The strict figures below their floor (fractions 0..1; None = no floor), one line each.

    An undefined figure (no gold facts, or no predictions) is below any positive floor.
    Raises KeyprojError when a floor lies outside 0..1 (e.g. 82 given for 0.82).
    """
    failures: list[str] = []
    for name, floor, value in (("recall", min_recall, result.strict_recall),
                               ("precision", min_precision, result.strict_precision)):
        if floor is None:
            continue
        if not 0.0 <= floor <= 1.0:
            raise KeyprojError(f"minimum {name} {floor:g} is outside 0..1; give a fraction such as 0.8")
        if (value is None and floor > 0) or (value is not None and value < floor):
            failures.append(f"strict {name} {_fmt_ratio(value)} is below the floor {floor:.3f}")
    return failures
