"""Whose figure it is: places sharing a bound, towns as subjects, the place 该县 stands for, the
government that decided a list, one project described as a member, counted lists in brackets."""
from __future__ import annotations

from pathlib import Path

import pytest

from keyproj.extract import extract_rows
from keyproj.read.documents import read_document


def _rows(tmp_path: Path, text: str, region: str = "崇仁县", published: str = "2020-11-10", title: str = "") -> set:
    path = tmp_path / "doc.txt"
    path.write_text(text, encoding="utf-8")
    meta = {"file": path.name, "published": published, "region": region, "title": title, "url": ""}
    return {(r["region"], r["scope"], r["period_start"], r["period_end"], r["metric"], r["value"], r["qualifier"])
            for r in extract_rows(read_document(path, meta))}


def test_a_bound_shared_with_均_by_named_places_is_each_places_figure(tmp_path: Path) -> None:
    text = ("1-10月，全县重点项目完成投资50.2亿元。分乡镇看，东岭镇、西岭镇完成投资均超过4亿元，"
            "南岭镇、北岭镇完成年度计划均不足90%。各乡镇重点项目完成率均超过60%。")
    rows = _rows(tmp_path, text)
    for town in ("东岭镇", "西岭镇"):
        assert (town, "county", "2020-01", "2020-10", "completed_investment", 4.0, "over") in rows
    for town in ("南岭镇", "北岭镇"):
        assert (town, "county", "2020-01", "2020-10", "completion_rate", 90.0, "under") in rows
    assert not any(r[5] == 60.0 for r in rows)  # a bound over a group without names is no fact


def test_places_before_a_level_word_share_a_bound(tmp_path: Path) -> None:
    rows = _rows(tmp_path, "2020年，大姚县、永仁县县级重点项目完成率均超过100%。", region="楚雄彝族自治州",
                 published="2021-02-01")
    assert ("大姚县", "county", "2020-01", "2020-12", "completion_rate", 100.0, "over") in rows
    assert ("永仁县", "county", "2020-01", "2020-12", "completion_rate", 100.0, "over") in rows


@pytest.mark.parametrize("sentence", [
    "孙坊镇低于序时进度3.0个百分点，礼陂镇低于序时进度0.9个百分点。",
    "孙坊镇、礼陂镇进度相对滞后，分别低于序时进度3.0个、0.9个百分点。",
])
def test_towns_before_a_schedule_wording_are_its_subjects(tmp_path: Path, sentence: str) -> None:
    rows = _rows(tmp_path, "1-10月，全县重点项目完成投资50.2亿元。" + sentence)
    assert ("孙坊镇", "county", "2020-01", "2020-10", "ahead_of_schedule", -3.0, "") in rows
    assert ("礼陂镇", "county", "2020-01", "2020-10", "ahead_of_schedule", -0.9, "") in rows
    assert not any(r[0] == "崇仁县" and r[4] == "ahead_of_schedule" for r in rows)


@pytest.mark.parametrize("sentence", [
    "分乡镇看，出岸镇、鄚州镇、梁召镇位列前三，完成投资分别为6.2亿元、5.4亿元、4.8亿元。",
    "分乡镇看，完成投资较多的有出岸镇（6.2亿元）、鄚州镇（5.4亿元）、梁召镇（4.8亿元）。",
    "其中出岸镇完成投资6.2亿元，鄚州镇完成投资5.4亿元，梁召镇完成投资4.8亿元。",
])
def test_towns_before_rank_words_and_after_的有_or_其中(tmp_path: Path, sentence: str) -> None:
    rows = _rows(tmp_path, "上半年，全市重点项目完成投资78.3亿元。" + sentence, region="任丘市", published="2024-07-18")
    found = {(r[0], r[5]) for r in rows if r[4] == "completed_investment"}
    assert {("出岸镇", 6.2), ("鄚州镇", 5.4), ("梁召镇", 4.8)} <= found
    assert not any(r[0].startswith("其中") for r in rows)


def test_towns_in_a_breakdown_carry_the_reports_own_list_after_another_list(tmp_path: Path) -> None:
    text = ("上半年，全县县级重点项目完成投资25.9亿元。列入庆阳市重点项目的我县项目15个，完成投资7.8亿元。"
            "分乡镇看，柔远镇、南梁镇完成率分别为68.5%、61.2%。")
    rows = _rows(tmp_path, text, region="华池县", published="2023-07-15")
    assert ("华池县", "city", "2023-01", "2023-06", "completed_investment", 7.8, "") in rows
    assert ("柔远镇", "county", "2023-01", "2023-06", "completion_rate", 68.5, "") in rows
    assert ("南梁镇", "county", "2023-01", "2023-06", "completion_rate", 61.2, "") in rows


def test_市政府_names_who_decided_the_list_not_its_level(tmp_path: Path) -> None:
    text = "市政府年初确定重点项目152个，总投资643.2亿元。"
    assert ("林州市", "county", "2022-01", "2022-12", "projects", 152.0, "") in _rows(
        tmp_path, text, region="林州市", published="2022-09-18")
    assert ("安阳市", "city", "2022-01", "2022-12", "projects", 152.0, "") in _rows(
        tmp_path, text, region="安阳市", published="2022-09-18")


def test_该县_is_the_county_named_before_it(tmp_path: Path) -> None:
    text = ("上半年，全市重点项目完成投资100亿元。宝清县发改局相关负责人告诉记者，今年该县共安排县级重点项目42个，"
            "上半年完成投资20.3亿元。")
    rows = _rows(tmp_path, text, region="双鸭山市", published="2023-07-20")
    assert ("宝清县", "county", "2023-01", "2023-12", "projects", 42.0, "") in rows
    assert ("宝清县", "county", "2023-01", "2023-06", "completed_investment", 20.3, "") in rows
    assert not any(r[0] == "双鸭山市" and r[5] == 42.0 for r in rows)


def test_the_reporters_group_on_a_list_it_is_managed_under(tmp_path: Path) -> None:
    rows = _rows(tmp_path, "纳入遵义市重点项目管理的我县项目19项，上半年完成投资12亿元。",
                 region="务川仡佬族苗族自治县", published="2023-07-20")
    assert ("务川仡佬族苗族自治县", "city", "2023-01", "2023-12", "projects", 19.0, "") in rows
    kept = _rows(tmp_path, "谋划储备项目210个，其中纳入国家重大建设项目库的项目76个。", region="务川仡佬族苗族自治县")
    assert kept == set()  # a programme's pool (库) is no list


def test_one_project_described_as_a_member_of_a_list_is_not_the_list(tmp_path: Path) -> None:
    text = "上半年，全县重点项目完成投资20亿元。某某高速公路（本县段）作为省重点项目，二季度完成投资3.8亿元。"
    rows = _rows(tmp_path, text, region="宁蒗彝族自治县", published="2022-07-20")
    assert rows == {("宁蒗彝族自治县", "county", "2022-01", "2022-06", "completed_investment", 20.0, "")}


def test_counts_of_lists_and_stages_around_verbs_and_brackets(tmp_path: Path) -> None:
    rows = _rows(tmp_path, "今年，全市重点项目共安排126个，总投资582.4亿元。", region="任丘市", published="2024-07-18")
    assert ("任丘市", "county", "2024-01", "2024-12", "projects", 126.0, "") in rows
    rows = _rows(tmp_path, "省列重点项目在我州实施18个，上半年完成投资20亿元。", region="临夏回族自治州",
                 published="2021-07-18")
    assert ("临夏回族自治州", "province", "2021-01", "2021-12", "projects", 18.0, "") in rows
    text = "截至9月底，全省560个省重大项目已开工（含复工）512个；累计完成投资1386.5亿元，完成年度计划的79.5%。"
    rows = _rows(tmp_path, text, region="吉林省", published="2023-10-20")
    assert ("吉林省", "province", "2023-01", "2023-09", "started_projects", 512.0, "") in rows
    assert ("吉林省", "province", "2023-01", "2023-09", "completed_investment", 1386.5, "") in rows
    assert not any(r[4] == "started_projects" and r[5] == 560.0 for r in rows)


def test_periods_of_quarters_目前_and_digest_items(tmp_path: Path) -> None:
    text = "一季度，全县重点项目完成投资5.2亿元。二季度，全县重点项目完成投资9.36亿元，新开工项目7个。"
    rows = _rows(tmp_path, text, region="宁蒗彝族自治县", published="2023-07-10")
    assert ("宁蒗彝族自治县", "county", "2023-04", "2023-06", "completed_investment", 9.36, "") in rows
    assert ("宁蒗彝族自治县", "county", "2023-04", "2023-06", "started_projects", 7.0, "") in rows
    text = "8月份当月，全市重点项目完成投资12.6亿元。目前，全市重点项目已新开工21个，建成投产11个。"
    rows = _rows(tmp_path, text, region="英德市", published="2025-09-10")
    assert ("英德市", "county", "2025-01", "2025-08", "started_projects", 21.0, "") in rows
    text = "【本期导读】1—5月全县重点项目完成投资28.64亿元|5月份完成7.12亿元|开复工38个"
    rows = _rows(tmp_path, text, region="威县", published="2021-06-08")
    assert ("威县", "county", "2021-05", "2021-05", "completed_investment", 7.12, "") in rows
    assert ("威县", "county", "2021-01", "2021-05", "started_projects", 38.0, "") in rows


def test_a_table_with_indicators_as_rows_and_month_ranges_as_columns(tmp_path: Path) -> None:
    text = ("表 2024年县级重点项目主要监测指标\n"
            "|指标名称|1-3月|1-4月|\n|累计完成投资（亿元）|21.7|30.2|\n|累计新开工项目（个）|9|14|\n")
    rows = _rows(tmp_path, text, region="泰和县", published="2024-07-15")
    assert ("泰和县", "county", "2024-01", "2024-03", "completed_investment", 21.7, "") in rows
    assert ("泰和县", "county", "2024-01", "2024-04", "started_projects", 14.0, "") in rows
