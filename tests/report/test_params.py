"""Notebook parameters: names, types and values are checked with one-line messages naming the parameter."""
from __future__ import annotations

import re
from typing import Any

import pandas as pd
import pytest

from keyproj.errors import KeyprojError
from keyproj.report import params
from keyproj.report.params import DataIndex, ParameterError, validate


def small_index() -> DataIndex:
    """A panel and facts shaped like keyproj.data.load' (categoricals, Int64 years), with a few rows."""
    panel = pd.DataFrame({
        "region": ["泉州市", "泉州市", "泉州市", "泉港区", "泉港区", "南安市"],
        "scope": ["city", "city", "province", "county", "province", "city"],
        "year": [2019, 2024, 2024, 2024, 2024, 2021],
    })
    panel["region"] = panel["region"].astype("category")
    panel["scope"] = panel["scope"].astype("category")
    panel["year"] = panel["year"].astype("Int64")
    facts = pd.DataFrame({
        "doc_id": ["000_2f2a21338f61aef2", "000_2f2a21338f61aef2", "003_cba0451c2eb89d20", "", "0101_2"],
        "region": ["泉港区", "泉港区", "南安市", "泉州市", "泉州市"],
        "source_kind": ["document", "document", "document", "reference", "document"],
    })
    return DataIndex(panel, facts, ["南安市", "泉州市", "泉港区"])


def namespace(**values: Any) -> dict[str, Any]:
    """What a notebook's globals() holds after its parameters cell: IPython names, modules and parameters."""
    return {"__name__": "__main__", "_ih": [], "In": [], "Out": {}, "get_ipython": print,
            "pd": pd, "_": None, **values}


def test_defaults_pass_and_types_are_safe() -> None:
    values = validate(namespace(region="泉州市", scope="city", start_year=None,
                                                        end_year=None), "01_investment_trends", index=small_index())
    # (notebooks may have more optional parameters: those left None)
    assert {k: v for k, v in values.items() if v is not None} == {"region": "泉州市", "scope": "city"}


def test_year_as_text_is_coerced() -> None:
    # papermill -p year "2024" or a YAML string: safe to read as a year.
    values = validate(namespace(region="泉港区", year="2024"), "02_planned_vs_actual", index=small_index())
    assert values["year"] == 2024 and isinstance(values["year"], int)


@pytest.mark.parametrize("bad", ["abc", 2024.5, True, "20x4"])
def test_a_year_that_is_not_a_year_is_rejected(bad: Any) -> None:
    with pytest.raises(ParameterError, match="parameter 'year': must be a year") as caught:
        validate(namespace(region="泉港区", year=bad), "02_planned_vs_actual", index=small_index())
    assert "\n" not in str(caught.value)


def test_unknown_name_is_named_with_the_closest_parameter() -> None:
    with pytest.raises(ParameterError) as caught:
        validate(namespace(region="泉港区", year=2024, yeer=2021), "02_planned_vs_actual", index=small_index())
    message = str(caught.value)
    assert message.startswith("parameter 'yeer': unknown parameter of 02_planned_vs_actual")
    assert "did you mean 'year'?" in message and "parameters: region, year" in message


def test_unknown_region_lists_known_ones_and_the_closest() -> None:
    with pytest.raises(ParameterError) as caught:
        validate(namespace(region="泉洲市", year=2024), "02_planned_vs_actual", index=small_index())
    message = str(caught.value)
    assert "unknown region '泉洲市'" in message
    assert "did you mean '泉州市'?" in message and "known regions: 南安市, 泉州市, 泉港区" in message


def test_region_alias_is_accepted_as_its_full_name() -> None:
    index = small_index()
    index.regions.append("泉州台商投资区")
    index.facts = pd.concat([index.facts, pd.DataFrame({
        "doc_id": ["004_34d48eeab18069cf"], "region": ["泉州台商投资区"], "source_kind": ["document"]})])
    values = validate(namespace(region="台商区", doc_id=None), "03_source_audit", index=index)
    assert values["region"] == "泉州台商投资区" and values["doc_id"] is None


def test_year_without_data_lists_the_years_with_data() -> None:
    with pytest.raises(ParameterError, match=r"parameter 'year': no figures for 泉港区 in 2019; "
                                             r"years with data: 2024$"):
        validate(namespace(region="泉港区", year=2019), "02_planned_vs_actual", index=small_index())


def test_scope_without_data_for_the_region() -> None:
    with pytest.raises(ParameterError, match="parameter 'scope': no county figures for 泉州市; "
                                             "lists with data: city, province"):
        validate(namespace(region="泉州市", scope="county", start_year=None,
                                                   end_year=None), "01_investment_trends", index=small_index())


def test_unknown_scope() -> None:
    with pytest.raises(ParameterError, match="unknown list 'citty'; did you mean 'city'"):
        validate(namespace(region="泉州市", scope="citty", start_year=None,
                                                   end_year=None), "01_investment_trends", index=small_index())


def test_year_range_without_data_and_reversed_range() -> None:
    index = small_index()
    with pytest.raises(ParameterError, match="parameter 'start_year': no city figures for 泉州市 between "
                                             "2020 and 2023; years with data: 2019, 2024"):
        validate(namespace(region="泉州市", scope="city", start_year=2020,
                                                   end_year=2023), "01_investment_trends", index=index)
    with pytest.raises(ParameterError, match="parameter 'start_year': 2024 is after end_year 2019"):
        validate(namespace(region="泉州市", scope="city", start_year=2024,
                                                   end_year=2019), "01_investment_trends", index=index)


def test_a_doc_id_of_another_region_is_an_error_naming_both_and_unknown_ids_are_named() -> None:
    index = small_index()
    values = validate(namespace(region="南安市", doc_id="003_cba0451c2eb89d20"), "03_source_audit", index=index)
    assert (values["region"], values["doc_id"]) == ("南安市", "003_cba0451c2eb89d20")
    # papermill -p doc_id 003_... with the default region 泉港区: told, never switched silently
    with pytest.raises(ParameterError, match="parameter 'doc_id': document '003_cba0451c2eb89d20' is about 南安市, "
                                             "but region is '泉港区'; set region to '南安市' "
                                             r"\(papermill: -p region 南安市\)") as caught:
        validate(namespace(region="泉港区", doc_id="003_cba0451c2eb89d20"), "03_source_audit", index=index)
    assert "\n" not in str(caught.value)
    # a region given by its short name is resolved first, then compared
    assert validate(namespace(region="南安", doc_id="003_cba0451c2eb89d20"), "03_source_audit",
                    index=index)["region"] == "南安市"
    with pytest.raises(ParameterError, match="parameter 'doc_id': unknown document '003_cba0451c2eb89d2'; "
                                             "did you mean '003_cba0451c2eb89d20'"):
        validate(namespace(region="泉港区", doc_id="003_cba0451c2eb89d2"), "03_source_audit", index=index)


def test_an_all_digit_doc_id_mangled_by_papermill_is_matched_back() -> None:
    # papermill -p doc_id 0101_2 gives the int 1012: the only document with those digits is meant.
    values = validate(namespace(region="泉州市", doc_id=1012), "03_source_audit", index=small_index())
    assert values["doc_id"] == "0101_2"


def test_missing_parameter_and_wrong_text_type() -> None:
    with pytest.raises(ParameterError, match="parameter 'year': missing"):
        validate(namespace(region="泉港区"), "02_planned_vs_actual", index=small_index())
    with pytest.raises(ParameterError, match=r"parameter 'region': must be text, got 42 \(int\)"):
        validate(namespace(region=42, year=2024), "02_planned_vs_actual", index=small_index())


def test_rerun_in_jupyterlab_ignores_variables_of_later_cells() -> None:
    ns = namespace(region="泉港区", year=2024)
    validate(ns, "02_planned_vs_actual", index=small_index())
    ns["total"] = 12.5  # a later cell's variable; the validation cell is run again
    assert validate(ns, "02_planned_vs_actual", index=small_index())["year"] == 2024


def test_error_shows_as_one_line_in_ipython() -> None:
    error = ParameterError("year", "no figures for 泉港区 in 2019")
    assert error._render_traceback_() == ["ParameterError: parameter 'year': no figures for 泉港区 in 2019"]
    assert isinstance(error, KeyprojError)


def test_unknown_notebook() -> None:
    with pytest.raises(KeyprojError, match="report notebook 'notebooks/09_missing.ipynb' not found"):
        params.parameter_specs("notebooks/09_missing.ipynb")


@pytest.mark.parametrize("given", [["city", "county"], "['city', 'county']", "city, county", ("city", "county")])
def test_a_list_parameter_given_as_papermill_text_is_read_as_a_list(given: Any) -> None:
    from keyproj.report.params import LIST, coerce_number

    assert coerce_number("levels", given, LIST) == ["city", "county"]


def test_a_list_parameter_that_does_not_parse_is_named() -> None:
    from keyproj.report.params import LIST, coerce_number

    with pytest.raises(ParameterError, match="parameter 'levels': must be a list"):
        coerce_number("levels", "['city', ", LIST)


@pytest.mark.parametrize(("name", "value", "message"), [
    ("year", "abc", "parameter 'year': must be a year such as 2024, got 'abc' (str)"),
    ("year", 20245, "parameter 'year': must be a year such as 2024, got 20245"),
    ("region", 42, "parameter 'region': must be text, got 42 (int)"),
    ("min_obs", "many", "parameter 'min_obs': must be a number (int), got 'many'"),
    ("levels", ["city", "town"], "parameter 'levels': unknown level 'town'"),
    ("doc_id", 1.5, "parameter 'doc_id': must be a document id (text), got 1.5 (float)"),
])
def test_coerce_value_checks_the_type_of_each_kind_without_data(name: str, value: Any, message: str) -> None:
    specs = {spec.name: spec for spec in (*params.parameter_specs("02_planned_vs_actual"),
                                          *params.parameter_specs("03_source_audit"),
                                          *params.parameter_specs("04_targets"))}
    with pytest.raises(ParameterError, match=re.escape(message)):
        params.coerce_value(specs[name], value)


def test_coerce_value_accepts_what_the_notebook_would() -> None:
    specs = {spec.name: spec for spec in params.parameter_specs("02_planned_vs_actual")}
    assert params.coerce_value(specs["year"], "2024") == 2024
    assert params.coerce_value(specs["region"], "泉港区") == "泉港区"
    doc = {spec.name: spec for spec in params.parameter_specs("03_source_audit")}["doc_id"]
    assert params.coerce_value(doc, None) is None and params.coerce_value(doc, 1012) == 1012


def test_data_index_is_read_once_per_generation_and_each_caller_gets_copies(tmp_path: Any) -> None:
    from conftest import copy_data_inputs

    from keyproj.data.build import build

    root = copy_data_inputs(tmp_path)
    (root / "reference" / "china_key_projects.csv").unlink()  # a smaller build
    build(root)
    first = DataIndex.load(root)
    untouched = first.panel.copy()
    first.panel.loc[first.panel.index[0], "year"] = 1900  # a report that changes its own table
    first.panel["marker"] = 1
    second = DataIndex.load(root)
    assert second.panel.equals(untouched) and second.panel is not first.panel
    assert second.regions == first.regions
    # A rebuild (new files) is read again: remove a reference file and build.
    (root / "reference" / "fujian_key_projects.csv").unlink()
    build(root)
    third = DataIndex.load(root)
    assert len(third.panel) < len(second.panel)
