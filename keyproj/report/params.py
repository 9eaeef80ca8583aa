"""Notebook parameters, read from each notebook's own ``parameters`` cell and checked right after
papermill's injected cell.

papermill guesses types (``-p year 2021`` gives an int, ``-p code 0101`` gives 101) and only warns
about unknown names. A report notebook therefore calls ``report.validate(globals(), NOTEBOOK)`` in
the cell after its parameters cell. The parameters, their defaults and help come from that cell
alone, as papermill reads it (``region = "泉港区"  # region name``); a parameter's *kind* comes from
its annotation, else its name (region, scope, doc_id, year or ``*_year``, levels), else its
default's type. Checks are generic by kind: a known region, a list with data for it, years with
data for the region (and list), a document (``doc_id``) with facts about the ``region`` given:
one pointing elsewhere is an error naming both, never a silent switch. A mistake raises
:class:`ParameterError`, one line naming the parameter and what to do, shown without a
traceback. No notebook is named in this module.
"""
from __future__ import annotations

import ast
import json
import re
import types
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from keyproj.data.load import closest_match, ensure_built, load_facts, load_panel
from keyproj.errors import BadInputError, KeyprojError
from keyproj.extract.places import gazetteer
from keyproj.facts import SCOPE_LEVELS
from keyproj.paths import REPO_ROOT, DataLayout

if TYPE_CHECKING:
    import pandas as pd

# The kinds of value a report parameter can have.
REGION, SCOPE, YEAR, DOC_ID, LEVELS = "region", "scope", "year", "doc_id", "levels"
TEXT, INT, FLOAT, BOOL, LIST = "text", "int", "float", "bool", "list"
_KIND_BY_NAME = {"region": REGION, "scope": SCOPE, "doc_id": DOC_ID, "year": YEAR, "levels": LEVELS}
_KIND_BY_ANNOTATION = {"str": TEXT, "int": INT, "float": FLOAT, "bool": BOOL, "list": LIST}

# Names IPython puts into a notebook's namespace; they are not parameters.
_IPYTHON_NAMES = frozenset({"In", "Out", "get_ipython", "exit", "quit", "open"})
_PARAMETER_TYPES = (str, int, float, bool, type(None), list, tuple, dict)
_RECORDED_NAMES = "_keyproj_parameter_names"
_INTEGER = re.compile(r"[+-]?\d+")
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
_LOADED: dict[tuple[object, ...], "DataIndex"] = {}  # the tables last read (one data folder's)


@dataclass(frozen=True)
class ParameterSpec:
    """One parameter of a notebook's parameters cell: name, kind, default, and its help comment."""

    name: str
    kind: str
    default: Any = None
    help: str = ""

    @property
    def optional(self) -> bool:
        """A parameter whose default is None may stay None (it means: all, or the data's own range)."""
        return self.default is None


class ParameterError(KeyprojError):
    """A report parameter that cannot be used; the message is one line naming the parameter."""

    def __init__(self, name: str, problem: str) -> None:
        self.parameter = name
        self.problem = problem
        super().__init__(f"parameter {name!r}: {problem}")

    def _render_traceback_(self) -> list[str]:
        # IPython shows these lines instead of a traceback: the reader sees one line.
        return [f"ParameterError: {self}"]


class Parameters(dict):  # type: ignore[type-arg]
    """The checked parameters (name -> value) and ``index``, the data loaded once for the report."""

    index: "DataIndex"


def notebook_key(notebook: str | Path) -> str:
    """A notebook's name without folder and ``.ipynb`` (how messages name it)."""
    return Path(str(notebook)).name.removesuffix(".ipynb")


def notebook_path(notebook: str | Path) -> Path:
    """The notebook file: as given, else relative to the working directory, else in notebooks/."""
    path = Path(str(notebook))
    if path.suffix != ".ipynb":
        path = path.with_name(path.name + ".ipynb")
    for candidate in (path, Path.cwd() / path, NOTEBOOKS_DIR / path.name):
        if candidate.is_file():
            return candidate
    raise KeyprojError(f"report notebook {str(notebook)!r} not found (looked in {Path.cwd()} and {NOTEBOOKS_DIR})")


def parameters_cell(notebook: str | Path) -> str:
    """The source of the notebook's cell tagged ``parameters`` ('' when it has none).

    Read as plain JSON: nbformat's validation is slow and not needed to find one cell.
    """
    path = notebook_path(notebook)
    try:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise BadInputError(path, f"not a readable notebook ({error})") from None
    for cell in cells:
        if cell.get("cell_type") == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            source = cell.get("source", "")
            return "".join(source) if isinstance(source, list) else str(source)
    return ""


def _kind(name: str, annotation: ast.expr | None, default: Any) -> str:
    if name in _KIND_BY_NAME:
        return _KIND_BY_NAME[name]
    if name.endswith("_year"):
        return YEAR
    if isinstance(annotation, ast.Name) and annotation.id in _KIND_BY_ANNOTATION:
        return _KIND_BY_ANNOTATION[annotation.id]
    for kind, types_ in ((BOOL, bool), (INT, int), (FLOAT, float), (LIST, (list, tuple))):
        if isinstance(default, types_):
            return kind
    return TEXT


def parse_parameters(source: str, where: str | Path = "<parameters cell>") -> tuple[ParameterSpec, ...]:
    """The parameters a parameters cell assigns (``name = value  # help``), in order.

    Defaults are Python literals; a comment at the end of the line is the parameter's help.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        raise BadInputError(where, f"parameters cell is not valid Python ({error.msg})") from None
    lines = source.splitlines()
    specs: dict[str, ParameterSpec] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets, annotation, value = node.targets, None, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, annotation, value = [node.target], node.annotation, node.value
        else:
            continue
        try:
            default = ast.literal_eval(value)
        except ValueError:
            default = None
        _, _, comment = lines[node.lineno - 1].partition("#")
        for target in targets:
            if isinstance(target, ast.Name):
                specs[target.id] = ParameterSpec(target.id, _kind(target.id, annotation, default), default,
                                                 comment.strip())
    return tuple(specs.values())


def parameter_specs(notebook: str | Path) -> tuple[ParameterSpec, ...]:
    """The parameters of a report notebook, from its parameters cell."""
    return parse_parameters(parameters_cell(notebook), notebook_path(notebook))


def closest(value: str, candidates: Iterable[str]) -> str | None:
    """The candidate closest to ``value``, or None when nothing is close (keyproj.data.load.closest_match)."""
    return closest_match(str(value), [str(c) for c in candidates], cutoff=0.4)


def _suggestion(value: str, candidates: Iterable[str]) -> str:
    match = closest(value, candidates)
    return f"did you mean {match!r}? " if match else ""


def check_names(notebook: str | Path, names: Iterable[str], specs: tuple[ParameterSpec, ...]) -> None:
    """Raise ParameterError for the first name that is not a parameter of ``notebook``."""
    known = [spec.name for spec in specs]
    for name in names:
        if name not in known:
            raise ParameterError(
                name, f"unknown parameter of {notebook_key(notebook)}; "
                      f"{_suggestion(name, known)}parameters: {', '.join(known)}")


def parameter_names_in(namespace: Mapping[str, Any]) -> list[str]:
    """Names in a notebook namespace that look like parameters (plain values, not modules or IPython's)."""
    names = []
    for name, value in namespace.items():
        if name.startswith("_") or name in _IPYTHON_NAMES:
            continue
        if isinstance(value, types.ModuleType) or callable(value):
            continue
        if isinstance(value, _PARAMETER_TYPES):
            names.append(name)
    return names


def coerce_year(name: str, value: Any, optional: bool) -> int | None:
    """A year as int: 2021, "2021" and 2021.0 are accepted; "abc", 2021.5 and True are not."""
    if value is None or (isinstance(value, str) and value.strip().lower() in {"", "none"}):
        if optional:
            return None
        raise ParameterError(name, "a year is required, e.g. 2024")
    if isinstance(value, bool):
        raise ParameterError(name, f"must be a year such as 2024, got {value!r}")
    if isinstance(value, int):
        year = value
    elif isinstance(value, float) and value.is_integer():
        year = int(value)
    elif isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        year = int(value.strip())
    else:
        raise ParameterError(name, f"must be a year such as 2024, got {value!r} ({type(value).__name__})")
    if not 1949 <= year <= 2100:
        raise ParameterError(name, f"must be a year such as 2024, got {year}")
    return year


def coerce_text(name: str, value: Any, optional: bool) -> str | None:
    """A text parameter, stripped; None (or "", "None") only when the parameter is optional."""
    if value is None or (isinstance(value, str) and value.strip().lower() in {"", "none"}):
        if optional:
            return None
        raise ParameterError(name, "a value is required")
    if not isinstance(value, str):
        raise ParameterError(name, f"must be text, got {value!r} ({type(value).__name__})")
    return value.strip()


def coerce_doc_id(name: str, value: Any, known_ids: Iterable[str]) -> str | None:
    """A document id; an int that papermill made of an all-digit id (``-p doc_id 0101`` -> 101) is matched back."""
    if isinstance(value, int) and not isinstance(value, bool):
        candidates = [doc for doc in known_ids if doc.replace("_", "").isdigit() and int(doc) == value]
        if len(candidates) == 1:
            return candidates[0]
        raise ParameterError(name, f"must be a document id (text), got the number {value}; "
                                   "pass it raw with papermill -r")
    return coerce_text(name, value, optional=True)


def coerce_number(name: str, value: Any, kind: str) -> int | float | bool | list[Any]:
    """A number, flag or list parameter; a text that papermill left as text is read when it parses."""
    if kind == BOOL:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
            return value.strip().lower() == "true"
        raise ParameterError(name, f"must be True or False, got {value!r}")
    if kind == LIST:
        if isinstance(value, (list, tuple)):
            return list(value)
        if isinstance(value, str):  # papermill -p passes a list as its text: "['city', 'county']" or city,county
            text = value.strip()
            if text.startswith(("[", "(")):
                try:
                    parsed = ast.literal_eval(text)
                except (ValueError, SyntaxError):
                    parsed = None
                if not isinstance(parsed, (list, tuple)):
                    raise ParameterError(name, f"must be a list, e.g. ['province', 'city'], got {value!r}")
                return list(parsed)
            return [part.strip() for part in text.split(",") if part.strip()]
        raise ParameterError(name, f"must be a list, e.g. ['province', 'city'], got {value!r}")
    try:
        if isinstance(value, bool):
            raise ValueError
        number = int(value) if kind == INT and not (isinstance(value, float) and not value.is_integer()) \
            else float(value)
    except (TypeError, ValueError):
        raise ParameterError(name, f"must be a number ({kind}), got {value!r}") from None
    if kind == INT and (not isinstance(number, int) or number < 0):
        raise ParameterError(name, f"must be a whole number of 0 or more, got {value!r}")
    return number


def _tables_key(layout: DataLayout) -> tuple[object, ...]:
    """Which files facts.csv and panel.csv are now: path, inode, size and time of each."""
    parts: list[object] = []
    for path in (layout.facts, layout.panel):
        try:
            info = path.stat()
        except OSError:
            return (None,)
        parts += [str(path), info.st_ino, info.st_size, info.st_mtime_ns]
    return tuple(parts)


class DataIndex:
    """What the processed data covers: regions, lists and years, and document ids, read through keyproj.data.load."""

    def __init__(self, panel: "pd.DataFrame", facts: "pd.DataFrame", regions: Iterable[str]) -> None:
        self.panel = panel
        self.facts = facts
        self.regions = list(regions)

    @classmethod
    def load(cls, data_dir: str | Path | None = None) -> "DataIndex":
        """Read the processed panel and facts (KEYPROJ_DATA or the repository's data/ by default).

        Built first when out of date. The typed tables are kept per process while the files stay
        the same ones (same inode, size and time): a kernel that renders one report after another
        reads and types them once. Each call gets its own copies, so a report that changes its
        tables changes nothing for the next one.
        """
        layout = ensure_built(data_dir)
        key = _tables_key(layout)
        cached = _LOADED.get(key)
        if cached is None:
            panel = load_panel(data_dir=layout.root)
            facts = load_facts(data_dir=layout.root)
            regions = set(panel["region"].astype(str)) | set(facts["region"].astype(str))
            cached = cls(panel, facts, sorted(regions))
            _LOADED.clear()
            if _tables_key(layout) == key:  # not replaced while we read them
                _LOADED[key] = cached
        return cls(cached.panel.copy(), cached.facts.copy(), list(cached.regions))

    def scopes(self, region: str | None = None) -> list[str]:
        """Lists (scopes) with panel rows, for one region or all."""
        rows = self.panel if region is None else self.panel[self.panel["region"].astype(str) == region]
        return sorted(set(rows["scope"].dropna().astype(str)))

    def years(self, region: str, scope: str | None = None) -> list[int]:
        """Years with panel rows for a region (and list) whose period lies within the year."""
        rows = self.panel[self.panel["region"].astype(str) == region]
        if scope is not None:
            rows = rows[rows["scope"].astype(str) == scope]
        if "period_start" in rows.columns:  # a period over several years (2021-2025) is no year's figure
            rows = rows[[getattr(start, "year", None) == getattr(end, "year", None)
                         for start, end in zip(rows["period_start"], rows["period_end"], strict=True)]]
        return sorted({int(y) for y in rows["year"].dropna() if int(y) > 0})

    def doc_ids(self) -> list[str]:
        """Ids of the documents that facts come from."""
        facts = self.facts
        if "source_kind" in facts.columns:
            facts = facts[facts["source_kind"].astype(str) == "document"]
        return sorted({str(doc) for doc in facts["doc_id"].dropna() if str(doc)})

    def document_region(self, doc_id: str) -> str:
        """The region most facts of a document are about."""
        regions = self.facts.loc[self.facts["doc_id"].astype(str) == doc_id, "region"].astype(str)
        return str(regions.mode().iloc[0])

    def document_regions(self, doc_id: str) -> set[str]:
        """Every region a document has facts about."""
        return set(self.facts.loc[self.facts["doc_id"].astype(str) == doc_id, "region"].astype(str))

    def fact_regions(self) -> list[str]:
        """Regions that have at least one fact."""
        return sorted(set(self.facts["region"].dropna().astype(str)))




def _years_text(years: list[int]) -> str:
    return ", ".join(str(y) for y in years) if years else "none"


def check_region(name: str, region: str, index: DataIndex) -> str:
    """The region's official name when the data knows it (short and Traditional names too);
    ParameterError listing the known regions and the closest match otherwise."""
    if region in index.regions:
        return region
    place = gazetteer().resolve(region, within=tuple(index.regions))
    if place is not None and place.name in index.regions:
        return place.name
    raise ParameterError(name, f"unknown region {region!r}; {_suggestion(region, index.regions)}"
                               f"known regions: {', '.join(index.regions)}")


def coerce_value(spec: ParameterSpec, raw: Any) -> Any:
    """``raw`` as the type of ``spec``'s kind, without looking at the data (ParameterError otherwise).

    `keyproj render` runs this on every parameter of its config before any kernel starts; the
    checks against the data (regions, lists, years) run in the notebook, in :func:`validate`.
    """
    if spec.kind == DOC_ID:
        if raw is None or isinstance(raw, str) or (isinstance(raw, int) and not isinstance(raw, bool)):
            return raw
        raise ParameterError(spec.name, f"must be a document id (text), got {raw!r} ({type(raw).__name__})")
    return _coerce(spec, raw)


def _coerce(spec: ParameterSpec, raw: Any) -> Any:
    if spec.kind == YEAR:
        return coerce_year(spec.name, raw, spec.optional)
    if spec.kind == DOC_ID or (raw is None and spec.optional):
        return raw
    if spec.kind in (INT, FLOAT, BOOL, LIST, LEVELS):
        values = coerce_number(spec.name, raw, LIST if spec.kind == LEVELS else spec.kind)
        if spec.kind == LEVELS:
            for level in values:  # type: ignore[union-attr]
                if level not in SCOPE_LEVELS:
                    raise ParameterError(spec.name, f"unknown level {level!r}; "
                                                    f"{_suggestion(str(level), SCOPE_LEVELS)}levels: "
                                                    f"{', '.join(SCOPE_LEVELS)}")
        return values
    return coerce_text(spec.name, raw, spec.optional)


def _check_doc_id(values: dict[str, Any], index: DataIndex) -> None:
    """A known document id; with ``region`` set, the document must have facts of that region
    (papermill users are told when ``-p doc_id`` points elsewhere, never switched silently)."""
    known_ids = index.doc_ids()
    values["doc_id"] = coerce_doc_id("doc_id", values["doc_id"], known_ids)
    doc_id = values["doc_id"]
    if doc_id is None:
        return
    if doc_id not in known_ids:
        raise ParameterError("doc_id", f"unknown document {doc_id!r}; "
                                       f"{_suggestion(doc_id, known_ids)}documents: {', '.join(known_ids)}")
    region = values.get("region")
    if region is None:
        return
    regions = index.document_regions(doc_id)
    if region not in regions:
        main = index.document_region(doc_id)
        raise ParameterError("doc_id", f"document {doc_id!r} is about {main}, but region is {region!r}; "
                                       f"set region to {main!r} (papermill: -p region {main}) "
                                       "or choose a document of that region")


def _check_scope(values: dict[str, Any], index: DataIndex) -> None:
    scope, region = values["scope"], values.get("region")
    all_scopes = index.scopes()
    if scope not in all_scopes:
        raise ParameterError("scope", f"unknown list {scope!r}; {_suggestion(scope, all_scopes)}"
                                      f"known: {', '.join(all_scopes)}")
    if region is not None and scope not in index.scopes(region):
        raise ParameterError("scope", f"no {scope} figures for {region}; "
                                      f"lists with data: {', '.join(index.scopes(region)) or 'none'}")


def _check_years(values: dict[str, Any], specs: tuple[ParameterSpec, ...], index: DataIndex) -> None:
    """A single ``year`` must have data; ``start_year`` .. ``end_year`` must hold some (for the region
    and list when the notebook has them)."""
    region, scope = values.get("region"), values.get("scope")
    if region is None:
        return
    years = index.years(region, scope)
    where = f"{scope} figures for {region}" if scope else f"figures for {region}"
    if values.get("year") is not None:
        if values["year"] not in years:
            raise ParameterError("year", f"no {where} in {values['year']}; years with data: {_years_text(years)}")
    start, end = values.get("start_year"), values.get("end_year")
    if not {"start_year", "end_year"} & {spec.name for spec in specs}:
        return
    if start is not None and end is not None and start > end:
        raise ParameterError("start_year", f"{start} is after end_year {end}")
    if not [y for y in years if (start is None or y >= start) and (end is None or y <= end)]:
        name = "start_year" if start is not None else "end_year"
        raise ParameterError(name, f"no {where} between {start or '...'} and {end or '...'}; "
                                   f"years with data: {_years_text(years)}")


def validate(namespace: Mapping[str, Any], notebook: str | Path, data_dir: str | Path | None = None,
             index: DataIndex | None = None) -> Parameters:
    """Check a report notebook's parameters and return them with safe types, and the data.

    ``namespace`` is the notebook's ``globals()``: every plain value defined before this call
    (the parameters cell and papermill's injected cell) must be a parameter of ``notebook``'s
    parameters cell. Raises ParameterError (one line naming the parameter) for an unknown name, a
    value of the wrong type, an unknown region or list, years without data, or a ``doc_id`` of a
    document with no facts about ``region`` (naming both). The result's ``index`` holds the panel and facts,
    loaded once (``index.panel``, ``index.facts``).
    """
    specs = parameter_specs(notebook)
    # A notebook re-run cell by cell (JupyterLab) has later variables too: check the first call's names.
    recorded = namespace.get(_RECORDED_NAMES)
    names = list(recorded) if recorded else parameter_names_in(namespace)
    check_names(notebook, names, specs)
    if isinstance(namespace, dict) and not recorded:
        namespace[_RECORDED_NAMES] = tuple(names)
    for spec in specs:
        if spec.name not in namespace and not spec.optional:
            raise ParameterError(spec.name, f"missing; set it in the parameters cell ({spec.help})")
    values: dict[str, Any] = {spec.name: _coerce(spec, namespace.get(spec.name)) for spec in specs}

    index = index or DataIndex.load(data_dir)
    if values.get("region") is not None:
        values["region"] = check_region("region", values["region"], index)
    if "doc_id" in values:
        _check_doc_id(values, index)
    if values.get("scope") is not None:
        _check_scope(values, index)
    _check_years(values, specs, index)
    checked = Parameters(values)
    checked.index = index
    return checked
