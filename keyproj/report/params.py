"""Notebook parameters: names, types and values checked right after papermill's injected cell.

papermill guesses types (``-p year 2021`` gives an int, ``-p code 0101`` gives 101) and only warns
about unknown names. Each report notebook therefore calls :func:`validate` in the cell after its
``parameters`` cell, passing ``globals()``; a mistake raises :class:`ParameterError`, whose message
is one line naming the parameter and what to do, shown without a traceback.
"""
from __future__ import annotations

import difflib
import re
import types
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from keyproj.errors import KeyprojError

if TYPE_CHECKING:
    import pandas as pd

# The value kinds a report parameter can have.
REGION, SCOPE, YEAR, DOC_ID = "region", "scope", "year", "doc_id"


@dataclass(frozen=True)
class ParameterSpec:
    """One notebook parameter: its name, kind (region, scope, year, doc_id) and whether None is allowed."""

    name: str
    kind: str
    optional: bool = False
    help: str = ""


NOTEBOOK_PARAMETERS: dict[str, tuple[ParameterSpec, ...]] = {
    "01_investment_trends": (
        ParameterSpec("region", REGION, help="region name, e.g. 泉州市"),
        ParameterSpec("scope", SCOPE, help="list: province, city or county"),
        ParameterSpec("start_year", YEAR, optional=True, help="first year (None: the first with data)"),
        ParameterSpec("end_year", YEAR, optional=True, help="last year (None: the last with data)"),
    ),
    "02_planned_vs_actual": (
        ParameterSpec("region", REGION, help="region name, e.g. 泉港区"),
        ParameterSpec("year", YEAR, help="year of the report, e.g. 2024"),
    ),
    "03_source_audit": (
        ParameterSpec("region", REGION, help="region whose facts are audited"),
        ParameterSpec("doc_id", DOC_ID, optional=True,
                      help="one document to audit (None: every source of the region)"),
    ),
}

# Names IPython puts into a notebook's namespace; they are not parameters.
_IPYTHON_NAMES = frozenset({"In", "Out", "get_ipython", "exit", "quit", "open"})
_PARAMETER_TYPES = (str, int, float, bool, type(None), list, tuple, dict)
_RECORDED_NAMES = "_keyproj_parameter_names"
_INTEGER = re.compile(r"[+-]?\d+")


class ParameterError(KeyprojError):
    """A report parameter that cannot be used; the message is one line naming the parameter."""

    def __init__(self, name: str, problem: str) -> None:
        self.parameter = name
        self.problem = problem
        super().__init__(f"parameter {name!r}: {problem}")

    def _render_traceback_(self) -> list[str]:
        # IPython shows these lines instead of a traceback: the reader sees one line.
        return [f"ParameterError: {self}"]


def notebook_key(notebook: str | Path) -> str:
    """The key of a report notebook in NOTEBOOK_PARAMETERS: its file name without ``.ipynb``."""
    return Path(str(notebook)).name.removesuffix(".ipynb")


def parameter_specs(notebook: str | Path) -> tuple[ParameterSpec, ...]:
    """The parameters of a report notebook; KeyprojError for a notebook keyproj does not know."""
    key = notebook_key(notebook)
    try:
        return NOTEBOOK_PARAMETERS[key]
    except KeyError:
        known = ", ".join(NOTEBOOK_PARAMETERS)
        raise KeyprojError(f"unknown report notebook {key!r}; known: {known}") from None


def closest(value: str, candidates: Iterable[str]) -> str | None:
    """The candidate closest to ``value`` (difflib), or None when nothing is close."""
    matches = difflib.get_close_matches(str(value), [str(c) for c in candidates], n=1, cutoff=0.4)
    return matches[0] if matches else None


def _suggestion(value: str, candidates: Iterable[str]) -> str:
    match = closest(value, candidates)
    return f"did you mean {match!r}? " if match else ""


def check_names(notebook: str | Path, names: Iterable[str]) -> None:
    """Raise ParameterError for the first name that is not a parameter of ``notebook``."""
    specs = parameter_specs(notebook)
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


class DataIndex:
    """What the processed data covers: regions, lists and years, and document ids, read through keyproj.data.load."""

    def __init__(self, panel: "pd.DataFrame", facts: "pd.DataFrame", regions: Iterable[str]) -> None:
        self.panel = panel
        self.facts = facts
        self.regions = list(regions)

    @classmethod
    def load(cls, data_dir: str | Path | None = None) -> "DataIndex":
        """Read the processed panel and facts (KEYPROJ_DATA or the repository's data/ by default)."""
        from keyproj.data import load as loaders

        panel = loaders.load_panel(data_dir=data_dir)
        facts = loaders.load_facts(data_dir=data_dir)
        regions = set(loaders.known_regions()) | set(panel["region"].astype(str)) | set(
            facts["region"].astype(str))
        return cls(panel, facts, sorted(regions))

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

    def fact_regions(self) -> list[str]:
        """Regions that have at least one fact."""
        return sorted(set(self.facts["region"].dropna().astype(str)))


def _years_text(years: list[int]) -> str:
    return ", ".join(str(y) for y in years) if years else "none"


def check_region(name: str, region: str, index: DataIndex) -> str:
    """The region itself when known; ParameterError listing known regions and the closest match otherwise."""
    if region in index.regions:
        return region
    from keyproj.regions import canonical_region

    if canonical_region(region) in index.regions:
        return canonical_region(region)
    raise ParameterError(name, f"unknown region {region!r}; {_suggestion(region, index.regions)}"
                               f"known regions: {', '.join(index.regions)}")


def validate(notebook: str, namespace: Mapping[str, Any], data_dir: str | Path | None = None,
             index: DataIndex | None = None) -> dict[str, Any]:
    """Check a report notebook's parameters and return them with safe types.

    ``namespace`` is the notebook's ``globals()``: every plain value defined before this call
    (the parameters cell and papermill's injected cell) must be a parameter of ``notebook``.
    Raises ParameterError (one line naming the parameter) for an unknown name, a value of the
    wrong type, an unknown region or list, or years without data. ``doc_id`` given to
    ``03_source_audit`` sets ``region`` to the document's region.
    """
    specs = parameter_specs(notebook)
    # A notebook re-run cell by cell (JupyterLab) has later variables too: check the first call's names.
    recorded = namespace.get(_RECORDED_NAMES)
    names = list(recorded) if recorded else parameter_names_in(namespace)
    check_names(notebook, names)
    if isinstance(namespace, dict) and not recorded:
        namespace[_RECORDED_NAMES] = tuple(names)
    for spec in specs:
        if spec.name not in namespace and not spec.optional:
            raise ParameterError(spec.name, f"missing; set it in the parameters cell ({spec.help})")

    values: dict[str, Any] = {}
    for spec in specs:
        raw = namespace.get(spec.name)
        if spec.kind == YEAR:
            values[spec.name] = coerce_year(spec.name, raw, spec.optional)
        elif spec.kind != DOC_ID:
            values[spec.name] = coerce_text(spec.name, raw, spec.optional)
        else:
            values[spec.name] = raw

    index = index or DataIndex.load(data_dir)
    key = notebook_key(notebook)
    if "doc_id" in values:
        values["doc_id"] = coerce_doc_id("doc_id", values["doc_id"], index.doc_ids())
        if values["doc_id"] is not None:
            known_ids = index.doc_ids()
            if values["doc_id"] not in known_ids:
                raise ParameterError("doc_id", f"unknown document {values['doc_id']!r}; "
                                               f"{_suggestion(values['doc_id'], known_ids)}"
                                               f"documents: {', '.join(known_ids)}")
            values["region"] = index.document_region(values["doc_id"])
    region = check_region("region", values["region"], index)
    values["region"] = region

    if key == "01_investment_trends":
        scope = values["scope"]
        all_scopes = index.scopes()
        if scope not in all_scopes:
            raise ParameterError("scope", f"unknown list {scope!r}; {_suggestion(scope, all_scopes)}"
                                          f"known: {', '.join(all_scopes)}")
        region_scopes = index.scopes(region)
        if scope not in region_scopes:
            raise ParameterError("scope", f"no {scope} figures for {region}; "
                                          f"lists with data: {', '.join(region_scopes) or 'none'}")
        years = index.years(region, scope)
        start, end = values["start_year"], values["end_year"]
        if start is not None and end is not None and start > end:
            raise ParameterError("start_year", f"{start} is after end_year {end}")
        in_range = [y for y in years if (start is None or y >= start) and (end is None or y <= end)]
        if not in_range:
            name = "start_year" if start is not None else "end_year"
            raise ParameterError(name, f"no {scope} figures for {region} between {start or '...'} and "
                                       f"{end or '...'}; years with data: {_years_text(years)}")
    elif key == "02_planned_vs_actual":
        years = index.years(region)
        if values["year"] not in years:
            raise ParameterError("year", f"no figures for {region} in {values['year']}; "
                                         f"years with data: {_years_text(years)}")
    elif key == "03_source_audit":
        fact_regions = index.fact_regions()
        if region not in fact_regions:
            raise ParameterError("region", f"no facts about {region}; "
                                           f"{_suggestion(region, fact_regions)}regions with facts: "
                                           f"{', '.join(fact_regions)}")
    return values
