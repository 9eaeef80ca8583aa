"""The reports config (notebooks/reports.yaml): which notebook to render with which parameters.

Format::

    reports:
      - name: trends-quanzhou-city            # file name of the outputs: [A-Za-z0-9._-], unique
        notebook: 01_investment_trends.ipynb  # relative to the config's folder
        title: 泉州市 市重点项目投资趋势          # optional; shown in outputs/html/index.html
        parameters: {region: 泉州市, scope: city}
    timeout: 600                              # optional: seconds a cell may run (default 600)

Every mistake is found before anything runs and reported as one line naming the config file
and the report: malformed YAML, a missing or unknown notebook, a duplicate name (letter case
aside: macOS and Windows would make one file of ``A`` and ``a``), the name ``index`` (taken by
the index page), a parameter that the notebook's ``parameters`` cell does not define, or a value
of the wrong type for it (keyproj.report.params.coerce_value). The file is read bounded: at most
MAX_CONFIG_BYTES, and YAML aliases (``&a`` ... ``*a``) are refused, so nested aliases cannot
expand a small file into gigabytes.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from keyproj.errors import BadInputError, KeyprojError
from keyproj.render.state import DEFAULT_CONFIG
from keyproj.report.params import (
    ParameterError,
    ParameterSpec,
    closest,
    coerce_value,
    parameter_specs,
)

DEFAULT_CELL_TIMEOUT = 600.0
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
REPORT_KEYS = frozenset({"name", "notebook", "title", "parameters"})
RESERVED_NAMES = frozenset({"index"})  # outputs/html/index.html is the index page
TOP_KEYS = frozenset({"reports", "timeout"})
MAX_CONFIG_BYTES = 256 * 1024  # the default config is 3 KB; a bigger file is not a list of reports


@dataclass(frozen=True)
class Report:
    """One report: a notebook rendered with one set of parameters."""

    name: str
    notebook: Path
    parameters: dict[str, Any] = field(default_factory=dict)
    title: str = ""

    @property
    def display_title(self) -> str:
        """The title, or the notebook name with the parameters when the config gives none."""
        if self.title:
            return self.title
        values = " ".join(str(v) for v in self.parameters.values())
        return f"{self.notebook.stem} {values}".strip()

    def parameters_text(self) -> str:
        """Parameters as ``name=value`` pairs, for listings."""
        return ", ".join(f"{k}={v}" for k, v in self.parameters.items()) or "(defaults)"

    def parameters_json(self) -> str:
        """Parameters as canonical JSON (sorted keys), for change detection."""
        return json.dumps(self.parameters, sort_keys=True, ensure_ascii=False, default=str)


@dataclass(frozen=True)
class RenderConfig:
    """A parsed reports config."""

    path: Path
    reports: tuple[Report, ...]
    cell_timeout: float = DEFAULT_CELL_TIMEOUT

    def select(self, names: list[str] | None) -> list[Report]:
        """The reports named in ``names`` (all when None); KeyprojError for a name not in the config."""
        if not names:
            return list(self.reports)
        by_name = {report.name: report for report in self.reports}
        missing = [name for name in names if name not in by_name]
        if missing:
            hint = closest(missing[0], by_name)
            hint_text = f"did you mean {hint!r}? " if hint else ""
            raise KeyprojError(f"--only {missing[0]}: no such report in {self.path}; {hint_text}"
                               f"reports: {', '.join(by_name)}")
        return [by_name[name] for name in dict.fromkeys(names)]


def notebook_parameter_names(notebook: Path) -> list[str]:
    """Names assigned in the notebook's cell tagged ``parameters`` (as papermill sees them)."""
    return [spec.name for spec in parameter_specs(notebook)]


class _NoAliasLoader(yaml.SafeLoader):
    """PyYAML's safe loader without aliases: ``*name`` (and ``<<: *name``) is an error, so a small
    file cannot expand into a huge one (nested aliases: the 'billion laughs')."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, f"aliases (*{event.anchor}) are not allowed in a reports config; "
                            "write the values out", event.start_mark)
        return super().compose_node(parent, index)


def _read_config_text(path: Path) -> str:
    """The config's text: an existing UTF-8 file of at most MAX_CONFIG_BYTES."""
    try:
        if path.is_dir():
            raise BadInputError(path, "is a folder; give the reports config file (e.g. notebooks/reports.yaml)")
        with open(path, "rb") as handle:
            data = handle.read(MAX_CONFIG_BYTES + 1)
    except FileNotFoundError:
        raise BadInputError(path, "config file not found") from None
    except OSError as error:
        raise BadInputError(path, f"cannot read the config ({error.strerror or error})") from None
    if len(data) > MAX_CONFIG_BYTES:
        raise BadInputError(path, f"larger than {MAX_CONFIG_BYTES // 1024} KB; a reports config lists "
                                  "reports, one short entry each")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise BadInputError(path, "not UTF-8 text") from None


def _load_yaml(path: Path) -> Any:
    text = _read_config_text(path)
    try:
        return yaml.load(text, Loader=_NoAliasLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise BadInputError(path, f"malformed YAML: {where}{problem}") from None
    except RecursionError:
        raise BadInputError(path, "malformed YAML: nested too deeply") from None


def load_config(path: str | Path | None = None) -> RenderConfig:
    """Read and check a reports config (default notebooks/reports.yaml); KeyprojError names the problem."""
    path = Path(path) if path is not None else DEFAULT_CONFIG
    data = _load_yaml(path)
    if not isinstance(data, dict) or "reports" not in data:
        raise BadInputError(path, "expected a mapping with a 'reports:' list")
    unknown_top = sorted(set(data) - TOP_KEYS)
    if unknown_top:
        raise BadInputError(path, f"unknown key {unknown_top[0]!r}; keys: {', '.join(sorted(TOP_KEYS))}")
    entries = data["reports"]
    if not isinstance(entries, list) or not entries:
        raise BadInputError(path, "'reports:' must be a non-empty list")
    timeout = data.get("timeout", DEFAULT_CELL_TIMEOUT)
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
        raise BadInputError(path, f"timeout must be a positive number of seconds, got {timeout!r}")
    names_cache: dict[Path, dict[str, ParameterSpec]] = {}
    reports: list[Report] = []
    seen: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        reports.append(_report(path, number, entry, seen, names_cache))
    return RenderConfig(path=path.resolve(), reports=tuple(reports), cell_timeout=float(timeout))


def _report_name(path: Path, label: str, entry: dict[str, Any], seen: set[str]) -> str:
    """The entry's checked name (unique in ``seen``, letter case aside)."""
    name = entry.get("name")
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        raise BadInputError(path, f"{label}: 'name' must be letters, digits, '.', '_' or '-' "
                                  f"(it names the output files), got {name!r}")
    if name.lower() in RESERVED_NAMES:
        raise BadInputError(path, f"{label}: the name {name!r} is taken by the index page "
                                  f"({name}.html); choose another name")
    # Names that differ only in case would share one file on macOS and Windows.
    if name.lower() in seen:
        raise BadInputError(path, f"duplicate report name {name!r}: names must be unique "
                                  "(letter case aside)")
    seen.add(name.lower())
    return name


def _report_parameters(path: Path, label: str, notebook: Path, parameters: Any,
                       specs_cache: dict[Path, dict[str, ParameterSpec]]) -> dict[str, Any]:
    """The entry's parameters, each one a parameter of the notebook's parameters cell with a value
    of its type (year, number, flag, list, text), checked before any kernel starts."""
    if not isinstance(parameters, dict):
        raise BadInputError(path, f"{label}: 'parameters' must be a mapping of name: value")
    if notebook not in specs_cache:
        try:
            specs_cache[notebook] = {spec.name: spec for spec in parameter_specs(notebook)}
        except BadInputError as error:  # name the config and the report too
            raise BadInputError(path, f"{label}: notebook {error.path}: {error.reason}") from None
    specs = specs_cache[notebook]
    for parameter, value in parameters.items():
        if parameter not in specs:
            hint = closest(str(parameter), specs)
            hint_text = f"did you mean {hint!r}? " if hint else ""
            raise BadInputError(path, f"{label}: unknown parameter {parameter!r} for {notebook.name}; "
                                      f"{hint_text}parameters: {', '.join(specs) or 'none'}")
        try:
            coerce_value(specs[parameter], value)
        except ParameterError as error:
            raise BadInputError(path, f"{label}: {error} ({notebook.name})") from None
    return dict(parameters)


def _report(path: Path, number: int, entry: Any, seen: set[str],
            names_cache: dict[Path, dict[str, ParameterSpec]]) -> Report:
    """One checked entry of the config's ``reports:`` list."""
    label = f"report {number}"
    if not isinstance(entry, dict):
        raise BadInputError(path, f"{label}: expected a mapping with name, notebook, parameters")
    if isinstance(entry.get("name"), str):
        label = f"report {entry['name']!r}"
    unknown = sorted(set(entry) - REPORT_KEYS)
    if unknown:
        raise BadInputError(path, f"{label}: unknown key {unknown[0]!r}; keys: {', '.join(sorted(REPORT_KEYS))}")
    name = _report_name(path, label, entry, seen)
    notebook_value = entry.get("notebook")
    if not isinstance(notebook_value, str) or not notebook_value:
        raise BadInputError(path, f"{label}: 'notebook' must be a notebook file name")
    base = path.resolve().parent
    notebook = (base / notebook_value).resolve()
    if notebook.suffix != ".ipynb" or not notebook.is_file():
        raise BadInputError(path, f"{label}: unknown notebook {notebook_value!r} (no such .ipynb file in {base})")
    parameters = _report_parameters(path, label, notebook, entry.get("parameters") or {}, names_cache)
    title = entry.get("title") or ""
    if not isinstance(title, str):
        raise BadInputError(path, f"{label}: 'title' must be text")
    return Report(name=name, notebook=notebook, parameters=parameters, title=title)
