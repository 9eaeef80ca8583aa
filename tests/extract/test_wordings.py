"""Every wording family the extractor must understand, in Simplified and Traditional script.

Each case is a short report text written for the test, the reporting region and publication
date, and the complete set of facts it holds: the test fails on a missing and on an extra fact.
"""
from __future__ import annotations

from pathlib import Path

import opencc
import pytest

from keyproj.extract import extract_facts
from keyproj.read.documents import read_document

TO_TRADITIONAL = opencc.OpenCC("s2t")

# (metric, value, scope, period_start, period_end) plus optional region, qualifier, subset
Fact = tuple


def _doc(tmp_path: Path, text: str, region: str, published: str):
    path = tmp_path / "case.txt"
    path.write_text(text, encoding="utf-8")
    return read_document(path, {"file": path.name, "published": published, "region": region,
                                "title": "", "url": ""})


def _facts(tmp_path: Path, text: str, region: str, published: str) -> set[tuple]:
    table = extract_facts(_doc(tmp_path, text, region, published))
    return {
        (r.metric, round(float(r.value), 4), r.scope, r.period_start, r.period_end, r.region, r.qualifier, r.subset)
        for r in table.itertuples()
    }


def _expected(region: str, facts: list[Fact]) -> set[tuple]:
    full = set()
    for fact in facts:
        metric, value, scope, start, end, *rest = fact
        fact_region = rest[0] if len(rest) > 0 and rest[0] else region
        qualifier = rest[1] if len(rest) > 1 else ""
        subset = rest[2] if len(rest) > 2 else ""
        full.add((metric, round(float(value), 4), scope, start, end, fact_region, qualifier, subset))
    return full


CASES: dict[str, tuple[str, str, str, list[Fact]]] = {
    # ---- the ten metrics
    "list figures": (
        "2023年全区共安排重点项目180个、总投资1200.5亿元、年度计划投资260亿元。", "泉港区", "2023-02-01",
        [("projects", 180, "county", "2023-01", "2023-12"),
         ("total_investment", 1200.5, "county", "2023-01", "2023-12"),
         ("annual_plan", 260, "county", "2023-01", "2023-12")]),
    "annual plan as 年度投资计划": (
        "2022年,全市重点项目年度投资计划1500亿元。", "泉州市", "2022-03-01",
        [("annual_plan", 1500, "city", "2022-01", "2022-12")]),
    "completed, rate, ahead": (
        "2023年1-6月,全市省重点项目完成投资400亿元,完成年度计划的62.5%,超序时进度12.5个百分点。",
        "泉州市", "2023-07-10",
        [("completed_investment", 400, "province", "2023-01", "2023-06"),
         ("completion_rate", 62.5, "province", "2023-01", "2023-06"),
         ("ahead_of_schedule", 12.5, "province", "2023-01", "2023-06")]),
    "投资完成率": (
        "2022年,市重点项目投资完成率达108.3%。", "泉州市", "2023-01-20",
        [("completion_rate", 108.3, "city", "2022-01", "2022-12")]),
    "占年度计划": (
        "2024年1—9月,区级重点项目完成投资80.2亿元、占年度计划77.1%。", "丰泽区", "2024-10-15",
        [("completed_investment", 80.2, "county", "2024-01", "2024-09"),
         ("completion_rate", 77.1, "county", "2024-01", "2024-09")]),
    "为年度计划的, 超出序时进度, 计划投资额": (
        "2023年,全市132个省重点项目累计完成投资813亿元,为年度计划的118.1%,超出序时进度18.1个百分点。"
        "2024年1—10月,全市重点项目完成年度计划投资额的90.2%;年度计划投资额1200亿元。", "泉州市", "2024-11-20",
        [("projects", 132, "province", "2023-01", "2023-12"),
         ("completed_investment", 813, "province", "2023-01", "2023-12"),
         ("completion_rate", 118.1, "province", "2023-01", "2023-12"),
         ("ahead_of_schedule", 18.1, "province", "2023-01", "2023-12"),
         ("completion_rate", 90.2, "city", "2024-01", "2024-10"),
         ("annual_plan", 1200, "city", "2024-01", "2024-12")]),
    "省重点在建项目": (
        "2019年1-6月,省重点在建项目完成投资2600亿元,完成年度计划的57.3%。", "福建省", "2019-07-28",
        [("completed_investment", 2600, "province", "2019-01", "2019-06"),
         ("completion_rate", 57.3, "province", "2019-01", "2019-06")]),
    "started and finished counts": (
        "2023年,全县重点项目新开工28个,竣工投产19个。", "惠安县", "2024-01-10",
        [("started_projects", 28, "county", "2023-01", "2023-12"),
         ("finished_projects", 19, "county", "2023-01", "2023-12")]),
    "开工 and 建成 counts": (
        "2021年1—11月,重点项目已开工12个、建成9个。", "德化县", "2021-12-05",
        [("started_projects", 12, "county", "2021-01", "2021-11"),
         ("finished_projects", 9, "county", "2021-01", "2021-11")]),
    "投产 count": (
        "2020年,重点项目投产6个。", "安溪县", "2021-01-05",
        [("finished_projects", 6, "county", "2020-01", "2020-12")]),
    "signed projects and their investment": (
        "2022年,全市签约项目356个、总投资2100亿元。", "泉州市", "2023-01-05",
        [("signed_projects", 356, "city", "2022-01", "2022-12"),
         ("signed_investment", 2100, "city", "2022-01", "2022-12")]),
    # ---- which list
    "省级 市级 区级 in one sentence": (
        "2024年,14个省级重点项目完成投资135亿元;42个市级重点项目完成投资191亿元;242个区级重点项目完成投资310亿元。",
        "泉港区", "2025-01-10",
        [("projects", 14, "province", "2024-01", "2024-12"),
         ("completed_investment", 135, "province", "2024-01", "2024-12"),
         ("projects", 42, "city", "2024-01", "2024-12"),
         ("completed_investment", 191, "city", "2024-01", "2024-12"),
         ("projects", 242, "county", "2024-01", "2024-12"),
         ("completed_investment", 310, "county", "2024-01", "2024-12")]),
    "省列 and 市重点": (
        "2021年,省列重点项目36个,市重点项目88个。", "南安市", "2021-03-01",
        [("projects", 36, "province", "2021-01", "2021-12"),
         ("projects", 88, "city", "2021-01", "2021-12")]),
    "two lists, each with its count after it": (
        "2022年,全市列入省重点项目186个、市重点项目900个。", "泉州市", "2023-01-20",
        [("projects", 186, "province", "2022-01", "2022-12"),
         ("projects", 900, "city", "2022-01", "2022-12")]),
    "县级 list": (
        "2022年,全县县级重点项目120个。", "永春县", "2022-02-01",
        [("projects", 120, "county", "2022-01", "2022-12")]),
    "省市重点项目 together": (
        "2024年1—9月,全区48个省市重点项目完成投资59.3亿元。", "泉州台商投资区", "2024-11-04",
        [("projects", 48, "province+city", "2024-01", "2024-12"),
         ("completed_investment", 59.3, "province+city", "2024-01", "2024-09")]),
    "省市县重点项目 together": (
        "2023年,全市省市县重点项目完成投资500亿元。", "晋江市", "2024-01-08",
        [("completed_investment", 500, "province+city+county", "2023-01", "2023-12")]),
    "unqualified list takes the reporting government's level": (
        "2023年,全市重点项目完成投资1380亿元。", "泉州市", "2024-01-08",
        [("completed_investment", 1380, "city", "2023-01", "2023-12")]),
    "county-level city reports its own list as county": (
        "2023年,全市重点项目完成投资400亿元。", "晋江市", "2024-01-08",
        [("completed_investment", 400, "county", "2023-01", "2023-12")]),
    "whole list and its 在建 part": (
        "2023年,全市共有市重点项目900个,其中在建项目700个,年度计划投资1500亿元。", "泉州市", "2023-03-01",
        [("projects", 900, "city", "2023-01", "2023-12"),
         ("projects", 700, "city", "2023-01", "2023-12", "", "", "under_construction"),
         ("annual_plan", 1500, "city", "2023-01", "2023-12", "", "", "under_construction")]),
    "only the 在建 part named: no subset": (
        "2021年上半年,49个省在建重点项目完成投资113.0亿元。", "南安市", "2021-07-01",
        [("projects", 49, "province", "2021-01", "2021-12"),
         ("completed_investment", 113.0, "province", "2021-01", "2021-06")]),
    # ---- which period
    "全年": (
        "2023年全年,市重点项目完成投资1390亿元。", "泉州市", "2024-01-08",
        [("completed_investment", 1390, "city", "2023-01", "2023-12")]),
    "1~N月": (
        "2023年1~8月,市重点项目完成投资900亿元。", "泉州市", "2023-09-10",
        [("completed_investment", 900, "city", "2023-01", "2023-08")]),
    "元-N月": (
        "2023年元-10月,市重点项目完成投资1100亿元。", "泉州市", "2023-11-10",
        [("completed_investment", 1100, "city", "2023-01", "2023-10")]),
    "前三季度": (
        "2023年前三季度,市重点项目完成投资1000亿元。", "泉州市", "2023-10-20",
        [("completed_investment", 1000, "city", "2023-01", "2023-09")]),
    "一季度": (
        "2024年一季度,市重点项目完成投资346亿元。", "泉州市", "2024-04-25",
        [("completed_investment", 346, "city", "2024-01", "2024-03")]),
    "前N个月": (
        "2022年前5个月,市重点项目完成投资600亿元。", "泉州市", "2022-06-10",
        [("completed_investment", 600, "city", "2022-01", "2022-05")]),
    "截至N月底": (
        "截至2022年10月底,市重点项目完成投资1200亿元。", "泉州市", "2022-11-10",
        [("completed_investment", 1200, "city", "2022-01", "2022-10")]),
    "N月份 single month": (
        "2022年5月份,市重点项目完成投资120亿元。", "泉州市", "2022-06-10",
        [("completed_investment", 120, "city", "2022-05", "2022-05")]),
    "N月当月 and N月单月": (
        "2022年6月当月,市重点项目完成投资130亿元。2022年7月单月,市重点项目完成投资125亿元。",
        "泉州市", "2022-08-10",
        [("completed_investment", 130, "city", "2022-06", "2022-06"),
         ("completed_investment", 125, "city", "2022-07", "2022-07")]),
    "今年 takes the publication year": (
        "今年1—9月,区级重点项目完成投资110.7亿元。", "泉州台商投资区", "2024-11-04",
        [("completed_investment", 110.7, "county", "2024-01", "2024-09")]),
    "截至目前 takes the last full month": (
        "截至目前,区级重点项目完成投资95亿元。", "丰泽区", "2024-08-15",
        [("completed_investment", 95, "county", "2024-01", "2024-07")]),
    "no year anywhere gives 0000": (
        "区级重点项目完成投资95亿元。", "丰泽区", "",
        [("completed_investment", 95, "county", "0000-01", "0000-12")]),
    "year carried from a clause-opening year": (
        "2024年,全区经济平稳。区级重点项目完成投资95亿元。", "丰泽区", "2025-03-01",
        [("completed_investment", 95, "county", "2024-01", "2024-12")]),
    # ---- which place
    "another place named in the sentence": (
        "2018年,晋江市对214个重点项目实行全链条管理。", "泉州市", "2019-02-20",
        [("projects", 214, "county", "2018-01", "2018-12", "晋江市")]),
    "a list's level is not a place (泉州市级)": (
        "2021年上半年,71个泉州市级在建重点项目完成投资153.0亿元。", "南安市", "2021-07-01",
        [("projects", 71, "city", "2021-01", "2021-12"),
         ("completed_investment", 153.0, "city", "2021-01", "2021-06")]),
    # ---- enumerations
    "分别 over lists with 、": (
        "2021年上半年,49个省在建重点项目、71个泉州市级在建重点项目,分别完成投资113.0亿元、153.0亿元,"
        "完成年度计划投资的62.2%、66.2%。", "南安市", "2021-07-01",
        [("projects", 49, "province", "2021-01", "2021-12"),
         ("projects", 71, "city", "2021-01", "2021-12"),
         ("completed_investment", 113.0, "province", "2021-01", "2021-06"),
         ("completed_investment", 153.0, "city", "2021-01", "2021-06"),
         ("completion_rate", 62.2, "province", "2021-01", "2021-06"),
         ("completion_rate", 66.2, "city", "2021-01", "2021-06")]),
    "分别 over 省、市、区三级 with ，": (
        "2023年，省、市、区三级重点项目分别完成投资120亿元，180亿元，300亿元。", "泉港区", "2024-01-10",
        [("completed_investment", 120, "province", "2023-01", "2023-12"),
         ("completed_investment", 180, "city", "2023-01", "2023-12"),
         ("completed_investment", 300, "county", "2023-01", "2023-12")]),
    "分别 over places": (
        "2023年,晋江市、南安市重点项目分别完成投资420亿元、310亿元。", "泉州市", "2024-01-10",
        [("completed_investment", 420, "county", "2023-01", "2023-12", "晋江市"),
         ("completed_investment", 310, "county", "2023-01", "2023-12", "南安市")]),
    "the same fact stated twice is one fact": (
        "2024年,区级重点项目完成投资310.04亿元。全年区级重点项目完成投资310.04亿元,成效明显。",
        "泉港区", "2025-03-17",
        [("completed_investment", 310.04, "county", "2024-01", "2024-12")]),
    # ---- numbers
    "thousands separator": (
        "2023年,全市重点项目总投资1,105.42亿元。", "泉州市", "2023-03-01",
        [("total_investment", 1105.42, "city", "2023-01", "2023-12")]),
    "Chinese numerals": (
        "2023年,全县重点项目十一个,总投资三百亿元。", "德化县", "2023-03-01",
        [("projects", 11, "county", "2023-01", "2023-12"),
         ("total_investment", 300, "county", "2023-01", "2023-12")]),
    "万元": (
        "2023年,全区重点项目完成投资356000万元。", "丰泽区", "2024-01-05",
        [("completed_investment", 35.6, "county", "2023-01", "2023-12")]),
    "万亿元": (
        "2023年,全省重点项目总投资3.2万亿元。", "福建省", "2023-02-05",
        [("total_investment", 32000, "province", "2023-01", "2023-12")]),
    "百分之N": (
        "2023年,市重点项目完成年度计划的百分之一百零五。", "泉州市", "2024-01-05",
        [("completion_rate", 105, "city", "2023-01", "2023-12")]),
    "qualifiers approx": (
        "2023年,全区重点项目近200个,总投资约900亿元,年度计划投资150亿元左右。", "丰泽区", "2023-02-01",
        [("projects", 200, "county", "2023-01", "2023-12", "", "approx"),
         ("total_investment", 900, "county", "2023-01", "2023-12", "", "approx"),
         ("annual_plan", 150, "county", "2023-01", "2023-12", "", "approx")]),
    "qualifiers over": (
        "2023年,全市重点项目超600个,总投资逾8000亿元,年度计划投资突破1200亿元,完成投资1300亿元以上。",
        "泉州市", "2024-01-02",
        [("projects", 600, "city", "2023-01", "2023-12", "", "over"),
         ("total_investment", 8000, "city", "2023-01", "2023-12", "", "over"),
         ("annual_plan", 1200, "city", "2023-01", "2023-12", "", "over"),
         ("completed_investment", 1300, "city", "2023-01", "2023-12", "", "over")]),
    "qualifiers under": (
        "2023年,全区重点项目总投资不足500亿元,完成投资80亿元以下。", "洛江区", "2024-01-02",
        [("total_investment", 500, "county", "2023-01", "2023-12", "", "under"),
         ("completed_investment", 80, "county", "2023-01", "2023-12", "", "under")]),
    # ---- ahead of and behind schedule
    "ahead: 超时序进度, 超过时间进度, 超均衡进度": (
        "2023年1—6月,省重点项目超时序进度8个百分点。2023年1—6月,市重点项目超过时间进度6个百分点。"
        "2023年1—6月,区级重点项目超均衡进度4个百分点。", "鲤城区", "2023-07-05",
        [("ahead_of_schedule", 8, "province", "2023-01", "2023-06"),
         ("ahead_of_schedule", 6, "city", "2023-01", "2023-06"),
         ("ahead_of_schedule", 4, "county", "2023-01", "2023-06")]),
    "ahead: 比序时进度快, 高于序时进度": (
        "2023年1—6月,省重点项目比序时进度快3.2个百分点。2023年1—6月,市重点项目高于序时进度2.1个百分点。",
        "鲤城区", "2023-07-05",
        [("ahead_of_schedule", 3.2, "province", "2023-01", "2023-06"),
         ("ahead_of_schedule", 2.1, "city", "2023-01", "2023-06")]),
    "behind: 低于, 落后, 慢于, 比…慢": (
        "2023年1—6月,省重点项目低于序时进度2个百分点。2023年1—6月,市重点项目落后序时进度1.5个百分点。"
        "2023年1—9月,区级重点项目慢于序时进度3个百分点。2023年1—3月,区级重点项目比序时进度慢0.8个百分点。",
        "鲤城区", "2023-10-05",
        [("ahead_of_schedule", -2, "province", "2023-01", "2023-06"),
         ("ahead_of_schedule", -1.5, "city", "2023-01", "2023-06"),
         ("ahead_of_schedule", -3, "county", "2023-01", "2023-09"),
         ("ahead_of_schedule", -0.8, "county", "2023-01", "2023-03")]),
    "points compared with something else are not ahead-of-schedule": (
        "2023年1—9月,区级重点项目完成年度计划的80%,比去年同期提高5个百分点,高于全省平均水平3个百分点,"
        "同比增长2个百分点。", "鲤城区", "2023-10-05",
        [("completion_rate", 80, "county", "2023-01", "2023-09")]),
    # ---- distractors
    "fixed-asset investment, GDP, fiscal figures": (
        "2023年,全区固定资产投资增长8.5%,地区生产总值增长6%,一般公共预算收入30亿元,"
        "超全省平均水平6个百分点。", "泉港区", "2024-01-02", []),
    "targets for coming years": (
        "2025年,力争重点项目完成投资400亿元;年度招引项目投资额超800亿元目标。", "泉港区", "2025-03-17", []),
    "a future year is a target": (
        "2026年全区重点项目年度计划投资350亿元。", "泉港区", "2025-03-17", []),
    "counts of problems and land areas": (
        "2024年,协调解决重点项目问题113项,为51个项目扫清障碍,重点项目完成土地报批2411.83亩。",
        "泉州台商投资区", "2024-11-04", []),
    "figures of one named project": (
        "2021年,南安光电反射薄膜研发生产项目计划总投资22.5亿元,完成投资5亿元。", "南安市", "2021-07-01", []),
    "a named project's total after a list": (
        "以重点项目为抓手,泉州加快集聚发展——总投资达230亿元的智慧家居小镇签约落户南安。", "泉州市", "2019-02-20", []),
    "parts of a list by stage, sector or size": (
        "2023年,市重点项目中续建项目500个,年度计划投资900亿元;产业项目完成投资600亿元;"
        "总投资20亿元以上项目22个;民生项目完成投资120亿元。", "泉州市", "2024-01-05", []),
    "a 前期 part's started count is not the list's": (
        "截止到目前,纳入年初前期突破攻坚专项行动的101个重点项目已有85个实现开工。", "南安市", "2021-07-01", []),
    "mass-start ceremony totals": (
        "2021年元旦集中开(竣)工活动项目共55个,总投资195亿元,其中:开工项目30个,总投资95亿元。"
        "2024年一季度全市重点项目集中开工活动中,开工项目46个,总投资120亿元。", "南安市", "2024-04-01", []),
    "projects that are not key projects": (
        "2023年实施抓城建提品质项目135个、完成投资70亿元。", "泉港区", "2024-07-04", []),
}


@pytest.mark.parametrize("script", ["simplified", "traditional"])
@pytest.mark.parametrize("name", list(CASES))
def test_wording(tmp_path: Path, name: str, script: str) -> None:
    text, region, published, facts = CASES[name]
    if script == "traditional":
        text = TO_TRADITIONAL.convert(text)
        assert text != CASES[name][0] or not any("\u4e00" <= ch <= "\u9fff" for ch in text)
    assert _facts(tmp_path, text, region, published) == _expected(region, facts)


def test_pinyin_and_full_width_mirror_text(tmp_path: Path) -> None:
    """A mirror site's text: pinyin after characters and full-width digits still give the fact."""
    text = "２０２３年，全市重點(diǎn)項(xiàng)目完成投資１３８０億元。"
    assert _facts(tmp_path, text, "泉州市", "2024-01-08") == _expected(
        "泉州市", [("completed_investment", 1380, "city", "2023-01", "2023-12")])
