"""load_facts / load_panel / known_regions: types, filters, rebuilds, errors, data folders."""
from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from keyproj.data.build import STAMP_NAME, build, stamp_text
from keyproj.data.load import is_stale, known_regions, load_facts, load_panel
from keyproj.errors import KeyprojError
from keyproj.paths import DATA_ENV


@pytest.fixture
def data(fujian_data: Path) -> Path:
    return fujian_data


def age(path: Path, seconds: float) -> None:
    """Move a file's modification time ``seconds`` into the past (negative: the future)."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns - int(seconds * 1e9)))


def test_panel_types(data: Path) -> None:
    panel = load_panel(data_dir=data)
    assert isinstance(panel["region"].dtype, pd.CategoricalDtype)
    assert isinstance(panel["scope"].dtype, pd.CategoricalDtype)
    assert list(panel["scope"].cat.categories) == ["province", "city", "county", "province+city"]
    for column in ("annual_plan", "completed_investment", "completion_rate", "elapsed_pct", "ahead_calc"):
        assert str(panel[column].dtype) == "Float64", column
    for column in ("year", "projects", "started_projects", "n_sources"):
        assert str(panel[column].dtype) == "Int64", column
    assert str(panel["period_start"].dtype) == "period[M]" and str(panel["period_end"].dtype) == "period[M]"
    xiamen = panel[(panel["region"] == "厦门市") & (panel["period"] == "2024-01..2024-09")].iloc[0]
    assert xiamen["period_end"] == pd.Period("2024-09", "M") and xiamen["year"] == 2024
    assert xiamen["completion_rate"] == 82.0 and xiamen["annual_plan"] == 883.4
    unknown_year = panel[panel["period"] == "0000-01..0000-10"].iloc[0]
    assert pd.isna(unknown_year["period_start"]) and pd.isna(unknown_year["year"])
    assert unknown_year["completed_investment"] == 824.8
    # sortable and plottable: periods order by month, NaT apart
    ordered = panel.dropna(subset=["period_end"]).sort_values("period_end")["period_end"]
    assert ordered.is_monotonic_increasing


def test_facts_types(data: Path) -> None:
    facts = load_facts(data)
    assert str(facts["value"].dtype) == "Float64" and str(facts["char_start"].dtype) == "Int64"
    for column in ("region", "scope", "subset", "metric", "unit", "qualifier", "source_kind"):
        assert isinstance(facts[column].dtype, pd.CategoricalDtype), column
    assert set(facts["source_kind"]) == {"reference"}
    conflict = facts[(facts["region"] == "泉州市") & (facts["metric"] == "completed_investment")
                     & (facts["subset"] == "under_construction") & (facts["period"] == "2021-01..2021-06")]
    assert sorted(conflict["value"]) == [939.3, 940.3]


def test_build_result_matches_what_loaders_return(data: Path) -> None:
    result = build(data)
    pd.testing.assert_frame_equal(result.panel, load_panel(data_dir=data))
    pd.testing.assert_frame_equal(result.facts, load_facts(data))


def test_filters(data: Path) -> None:
    quanzhou = load_panel("泉州市", data_dir=data)
    assert set(quanzhou["region"]) == {"泉州市"} and list(quanzhou["region"].cat.categories) == ["泉州市"]
    assert quanzhou.index.equals(pd.RangeIndex(len(quanzhou)))
    two = load_panel(["泉州市", "厦门市"], scope="province", years=2021, data_dir=data)
    assert set(two["region"]) == {"泉州市", "厦门市"} and set(two["scope"]) == {"province"}
    assert set(two["year"]) == {2021}
    spans = load_panel(region="厦门市", years=range(2020, 2023), data_dir=data)
    assert set(spans["year"]) == {2020, 2021, 2022}
    listed = load_panel(region="厦门市", years=[2011, 2024], data_dir=data)
    assert set(listed["year"]) == {2011, 2024}
    assert len(load_panel(scope=["county", "province+city"], data_dir=data)) == \
        len(load_panel(scope="county", data_dir=data)) + len(load_panel(scope="province+city", data_dir=data))
    assert len(load_panel(years=1990, data_dir=data)) == 0


def test_unknown_region_or_scope_names_the_closest(data: Path) -> None:
    with pytest.raises(ValueError, match=r"unknown region '泉州': known regions are .*泉州市.*; "
                                         r"did you mean '泉州市'\?"):
        load_panel("泉州", data_dir=data)
    with pytest.raises(ValueError, match=r"unknown scope 'countie': known scopes are province, city, county.*"
                                         r"did you mean 'county'\?"):
        load_panel(scope=["city", "countie"], data_dir=data)
    with pytest.raises(ValueError, match="years: give"):
        load_panel(years="2024", data_dir=data)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="region"):
        load_panel(region=2024, data_dir=data)  # type: ignore[arg-type]


def test_known_regions(data: Path) -> None:
    regions = known_regions(data)
    assert regions == sorted(regions)
    assert {"福建省", "泉州市", "厦门市", "泉港区"} <= set(regions)


def test_builds_when_missing_and_not_again_when_fresh(data: Path) -> None:
    assert is_stale(data)
    load_panel(data_dir=data)
    panel_file = data / "processed" / "panel.csv"
    assert panel_file.exists() and not is_stale(data)
    before = panel_file.stat().st_mtime_ns
    load_panel(data_dir=data)
    load_facts(data)
    assert panel_file.stat().st_mtime_ns == before


def test_rebuilds_when_an_input_is_newer(data: Path) -> None:
    assert load_panel("石狮市", data_dir=data)["annual_plan"].tolist() == [206.4]
    processed = data / "processed"
    for path in processed.iterdir():
        age(path, 60)
    reference = data / "reference" / "quanzhou_key_projects.csv"
    reference.write_text(reference.read_text(encoding="utf-8").replace(
        "石狮市,county,,2020-01,2020-12,annual_plan,206.4", "石狮市,county,,2020-01,2020-12,annual_plan,216.4"),
        encoding="utf-8")
    assert is_stale(data)
    assert load_panel("石狮市", data_dir=data)["annual_plan"].tolist() == [216.4]

    for path in processed.iterdir():
        age(path, 60)
    (data / "corrections.csv").write_text(
        "action,region,scope,period_start,period_end,metric,value,reason,author\n"
        "replace,石狮市,county,2020-01,2020-12,annual_plan,226.4,checked,lin\n", encoding="utf-8")
    assert load_panel("石狮市", data_dir=data)["annual_plan"].tolist() == [226.4]

    for path in processed.iterdir():
        age(path, 60)
    (data / "reference" / "quanzhou_key_projects.csv").unlink()  # a removed input counts too
    (data / "corrections.csv").unlink()
    assert "石狮市" not in known_regions(data)


def test_rebuilds_for_another_keyproj_version(data: Path) -> None:
    load_panel(data_dir=data)
    stamp = data / "processed" / STAMP_NAME
    stamp.write_text("keyproj 0.0.1\n", encoding="utf-8")
    assert is_stale(data)
    load_panel(data_dir=data)
    assert stamp.read_text(encoding="utf-8").startswith("keyproj ") and not is_stale(data)


def test_data_dir_and_environment(data: Path, tmp_path_factory, monkeypatch: pytest.MonkeyPatch) -> None:
    other = tmp_path_factory.mktemp("other")
    (other / "reference").mkdir()
    (other / "reference" / "one.csv").write_text(
        "region,scope,subset,period_start,period_end,metric,value,unit,qualifier,source_url,source_title,published\n"
        "莆田市,city,,2022-01,2022-12,projects,330,count,,http://a.example/,t,2022-05-11\n", encoding="utf-8")
    monkeypatch.setenv(DATA_ENV, str(other))
    assert known_regions() == ["莆田市"]
    assert load_panel()["projects"].tolist() == [330]
    assert set(load_facts()["region"]) == {"莆田市"}
    assert "泉州市" in known_regions(data)  # an explicit data_dir beats $KEYPROJ_DATA
    assert (other / "processed" / "panel.csv").exists()


def test_a_missing_data_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(KeyprojError, match="does not exist"):
        load_panel(data_dir=tmp_path / "nowhere")
    assert not (tmp_path / "nowhere").exists()


def _hand_edit_panel(data: Path) -> Path:
    panel_file = data / "processed" / "panel.csv"
    lines = panel_file.read_text(encoding="utf-8").splitlines()
    cells = lines[3].split(",")
    cells[6] = "many"  # projects
    lines[3] = ",".join(cells)
    panel_file.write_text("\n".join(lines) + "\n", encoding="utf-8")  # newer than every input
    return panel_file


def test_a_hand_edited_processed_file_is_built_again(data: Path) -> None:
    load_panel(data_dir=data)
    panel_file = _hand_edit_panel(data)
    assert is_stale(data)  # the stamp names other bytes
    load_panel(data_dir=data)
    assert ",many," not in panel_file.read_text(encoding="utf-8") and not is_stale(data)


def test_a_broken_processed_file_is_refused_on_load(data: Path) -> None:
    load_panel(data_dir=data)
    panel_file = _hand_edit_panel(data)
    # Even a table its stamp vouches for is checked against the schema on load.
    stamp = data / "processed" / STAMP_NAME
    tables = {name: (data / "processed" / name).read_bytes() for name in ("facts.csv", "panel.csv")}
    stamp.write_text(stamp_text(tables), encoding="utf-8")
    assert not is_stale(data)
    with pytest.raises(KeyprojError, match=r"panel\.csv: column 'projects': row 4 .*'many' is not a whole number"):
        load_panel(data_dir=data)
    assert panel_file.exists()


def test_closest_match_prefers_characters_in_place() -> None:
    from keyproj.data.load import closest_match

    # by difflib ratio alone 阳泉市 ties with 泉州市 (and comes first): the national panel has both
    assert closest_match("泉洲市", ["阳泉市", "泉州市", "福州市"]) == "泉州市"
    assert closest_match("countie", ["province", "city", "county"]) == "county"
    assert closest_match("东京都", ["泉州市"]) is None
