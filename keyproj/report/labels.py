"""Labels of the data's codes (lists, metrics, subsets, source kinds, qualifiers), of the index
(parameters, report types, coverage kinds) and the reports' shared sentences, read once from
labels.yaml beside this module: wording lives in data, not in code. Chinese (``lang="zh"``) is the
file's top level; English (``lang="en"``) is its ``en`` section, group by group; a code without an
English label falls back to the Chinese one. ``periods`` and ``phrases`` are Chinese templates
({n}: a number, {text:s}: any text) that keyproj.report.prose turns into English (``translate``)."""
from __future__ import annotations

from functools import cache
from pathlib import Path

from keyproj.errors import BadInputError

LABELS_FILE = Path(__file__).with_name("labels.yaml")
GROUPS: tuple[str, ...] = ("scopes", "metrics", "subsets", "source_kinds", "qualifiers", "coverage_kinds",
                           "parameters", "report_types", "index", "texts", "sections", "columns", "words",
                           "periods", "phrases")
LANGS: tuple[str, ...] = ("zh", "en")


def _groups(path: Path, data: object, where: str, exact: bool) -> dict[str, dict[str, str]]:
    if not isinstance(data, dict) or (set(data) != set(GROUPS) if exact else not set(data) <= set(GROUPS)):
        raise BadInputError(path, f"{where} needs {'exactly ' if exact else 'only '}the groups {', '.join(GROUPS)}")
    for group, entries in data.items():
        if not isinstance(entries, dict) or not all(isinstance(v, str) for v in entries.values()):
            raise BadInputError(path, f"group {group!r} of {where} must map codes to text labels")
    return {group: {str(code): text for code, text in entries.items()} for group, entries in data.items()}


@cache
def labels(path: Path = LABELS_FILE, lang: str = "zh") -> dict[str, dict[str, str]]:
    """Every group of labels (see ``GROUPS``) as {code: label} in ``lang``; BadInputError for a bad file."""
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise BadInputError(path, "must be a mapping of groups")
    english = data.pop("en", {})
    chinese = _groups(path, data, "the top level", exact=True)
    if lang == "zh":
        return chinese
    if lang not in LANGS:
        raise BadInputError(path, f"has no language {lang!r} (known: {', '.join(LANGS)})")
    translated = _groups(path, english, "section en", exact=False)
    return {group: {**entries, **translated.get(group, {})} for group, entries in chinese.items()}


def label(group: str, code: object, lang: str | None = "zh") -> str:
    """The label of ``code`` in ``group`` ('scopes', 'metrics', ...) in ``lang`` (zh, en; None is zh),
    or the code itself when it has none."""
    return labels(LABELS_FILE, lang or "zh")[group].get(str(code), str(code))


@cache
def english_of() -> dict[str, str]:
    """Chinese label -> English label of the groups whose Chinese text reaches reports from code
    that has no ``lang`` (table cells, figure words): scopes, subsets, source kinds, qualifiers,
    shared sentences and the Chinese phrases of ``phrases``/``periods`` without placeholders."""
    chinese, english = labels(LABELS_FILE, "zh"), labels(LABELS_FILE, "en")
    pairs: dict[str, str] = {}
    for group in ("scopes", "subsets", "source_kinds", "qualifiers", "texts", "periods", "phrases"):
        for code, text in chinese[group].items():
            if english[group][code] != text and "{" not in text:
                pairs.setdefault(text, english[group][code])
    return pairs


def scope_label(scope: object, lang: str | None = "zh") -> str:
    """Name of a list (省重点项目 for province, ...) in ``lang``, or the code itself when unknown."""
    return label("scopes", scope, lang)


def metric_label(metric: object) -> str:
    """Chinese axis label of a metric with its unit (完成投资(亿元)), or the code itself when unknown."""
    return label("metrics", metric)


def subset_label(subset: object, lang: str | None = "zh") -> str:
    """全部项目 for the whole list, 在建项目 for its part under construction (in ``lang``)."""
    return label("subsets", "" if subset is None or str(subset) in ("nan", "<NA>") else subset, lang)


def kind_label(kind: object, lang: str | None = "zh") -> str:
    """Name of a source kind (文件, 参考数据, 人工更正) in ``lang``."""
    return label("source_kinds", kind, lang)
