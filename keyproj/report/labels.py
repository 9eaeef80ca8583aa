"""Chinese labels of the data's codes (lists, metrics, subsets, source kinds, qualifiers), read once
from labels.yaml beside this module: wording lives in data, not in code."""
from __future__ import annotations

from functools import cache
from pathlib import Path

from keyproj.errors import BadInputError

LABELS_FILE = Path(__file__).with_name("labels.yaml")
GROUPS: tuple[str, ...] = ("scopes", "metrics", "subsets", "source_kinds", "qualifiers")


@cache
def labels(path: Path = LABELS_FILE) -> dict[str, dict[str, str]]:
    """Every group of labels (see ``GROUPS``) as {code: Chinese label}; BadInputError for a bad file."""
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or set(data) != set(GROUPS):
        raise BadInputError(path, f"needs exactly the groups {', '.join(GROUPS)}")
    for group, entries in data.items():
        if not isinstance(entries, dict) or not all(isinstance(v, str) for v in entries.values()):
            raise BadInputError(path, f"group {group!r} must map codes to text labels")
    return {group: {str(code): label for code, label in entries.items()} for group, entries in data.items()}


def label(group: str, code: object) -> str:
    """The label of ``code`` in ``group`` ('scopes', 'metrics', ...), or the code itself when it has none."""
    return labels()[group].get(str(code), str(code))


def scope_label(scope: object) -> str:
    """Chinese name of a list (省重点项目 for province, ...), or the code itself when unknown."""
    return label("scopes", scope)


def metric_label(metric: object) -> str:
    """Chinese axis label of a metric with its unit (完成投资(亿元)), or the code itself when unknown."""
    return label("metrics", metric)


def subset_label(subset: object) -> str:
    """全部项目 for the whole list, 在建项目 for its part under construction."""
    return label("subsets", "" if subset is None or str(subset) in ("nan", "<NA>") else subset)


def kind_label(kind: object) -> str:
    """Chinese name of a source kind (文件, 参考数据, 人工更正)."""
    return label("source_kinds", kind)
