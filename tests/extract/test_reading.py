"""Document-level reading: list state across sentences, number roles, period forms, the arithmetic check."""
from __future__ import annotations

from pathlib import Path

import pytest
from conftest import text_facts

from keyproj.extract.checks import check_notes, settle_lists


def _rows(tmp_path: Path, text: str, region: str = "长汀县", published: str = "2022-07-10", title: str = "") -> set:
    return {(r["region"], r["scope"], r["period_start"], r["period_end"], r["metric"], r["value"])
            for r in text_facts(tmp_path, text, region, published, title)}


# ---- list state across sentences

def test_a_list_named_in_one_sentence_holds_for_the_next(tmp_path: Path) -> None:
    rows = _rows(tmp_path, "今年全县共安排县重点项目40个。1-6月，累计完成投资20.5亿元，完成年度计划的51%。")
    assert ("长汀县", "county", "2022-01", "2022-06", "completed_investment", 20.5) in rows
    assert ("长汀县", "county", "2022-01", "2022-06", "completion_rate", 51.0) in rows


def test_a_new_list_switches_and_an_anaphor_points_back(tmp_path: Path) -> None:
    text = ("今年全县共安排县重点项目40个。\n列入省重点项目的共6个，这批项目1-6月完成投资3.1亿元。"
            "\n1-6月，全县重点项目完成投资20.5亿元。")
    rows = _rows(tmp_path, text)
    assert ("长汀县", "province", "2022-01", "2022-06", "completed_investment", 3.1) in rows
    assert ("长汀县", "county", "2022-01", "2022-06", "completed_investment", 20.5) in rows


def test_a_list_named_after_其中_does_not_become_current(tmp_path: Path) -> None:
    text = ("1-6月，全县40个县重点项目完成投资20.5亿元。其中，列入省重点项目的6个项目完成投资3.1亿元。"
            "新开工项目8个。")
    assert ("长汀县", "county", "2022-01", "2022-06", "started_projects", 8.0) in _rows(tmp_path, text)


def test_the_report_period_comes_from_the_title(tmp_path: Path) -> None:
    rows = _rows(tmp_path, "全县重点项目建设进展顺利。\n已有12个项目建成投产。", title="1-5月全县重点项目进展情况")
    assert rows == {("长汀县", "county", "2022-01", "2022-05", "finished_projects", 12.0)}


# ---- number roles

@pytest.mark.parametrize(("text", "kept"), [
    ("1-6月，全县重点项目新开工15个。", {("started_projects", 15.0)}),                       # realised
    ("1-6月，全年计划新开工的30个项目中，已有21个开工建设。", {("started_projects", 21.0)}),   # stage group realised
    ("1-6月，全县计划开工项目30个。", set()),                                              # planned
    ("1-6月，全县尚有9个项目未开工。", set()),                                              # negated
    ("1-6月，全县重点项目完成投资20亿元，同比增长12%。", {("completed_investment", 20.0)}),   # growth
    ("1-6月，全县重点项目到位资金8亿元，占年度计划的30%。", set()),                           # other money
    ("1-6月，续建项目完成投资12亿元。", set()),                                             # part (stage)
    ("1-6月，总投资10亿元以上项目完成投资9亿元。", set()),                                    # part (size band)
    ("1-6月，全县3个乡镇完成投资超过年度计划的60%。", set()),                                 # group of places
    ("4月，全县重点项目集中开工活动共开工项目12个，总投资50亿元。", set()),                     # ceremony
    ("1-6月，预备项目中有2个提前开工，完成投资1.2亿元。", set()),                              # other programme
    ("下一步，力争全县重点项目完成投资60亿元。", set()),                                       # target
])
def test_number_roles(tmp_path: Path, text: str, kept: set) -> None:
    assert {(r[4], r[5]) for r in _rows(tmp_path, text)} == kept


def test_分别_over_places_in_a_breakdown_takes_the_list(tmp_path: Path) -> None:
    text = "1-9月，全市重点项目完成投资80亿元。分县看，长汀县、连城县分别完成投资12.1亿元、9.5亿元。"
    rows = _rows(tmp_path, text, region="龙岩市", published="2022-10-10")
    assert ("长汀县", "city", "2022-01", "2022-09", "completed_investment", 12.1) in rows
    assert ("连城县", "city", "2022-01", "2022-09", "completed_investment", 9.5) in rows


# ---- period forms

@pytest.mark.parametrize(("text", "period"), [
    ("去年全县重点项目完成投资40亿元。", ("2021-01", "2021-12")),
    ("前5月全县重点项目完成投资20亿元。", ("2022-01", "2022-05")),
    ("元至4月全县重点项目完成投资15亿元。", ("2022-01", "2022-04")),
    ("1~6\n月份，全县重点项目完成投资30亿元。", ("2022-01", "2022-06")),
    ("截至目前，全县重点项目完成投资25亿元。", ("2022-01", "2022-06")),
    ("6月份当月全县重点项目完成投资5亿元。", ("2022-06", "2022-06")),
    ("4月份以来，全县重点项目完成投资9亿元。", ("2022-04", "2022-06")),  # published 2022-07-10
    ("截至本周(5月28日)，全县重点项目累计完成投资9亿元。", ("2022-01", "2022-05")),
    ("1-6月全县重点项目完成投资25亿元。去年同期，全县重点项目完成投资21亿元。", None),
])
def test_period_forms(tmp_path: Path, text: str, period: tuple[str, str] | None) -> None:
    rows = _rows(tmp_path, text)
    if period is None:  # 去年同期: last year's months of the running period
        assert {(r[2], r[3], r[5]) for r in rows} == {("2022-01", "2022-06", 25.0), ("2021-01", "2021-06", 21.0)}
    else:
        assert {(r[2], r[3]) for r in rows} == {period}


def test_a_figure_after_parts_that_add_up_to_the_list_is_the_lists(tmp_path: Path) -> None:
    whole = "今年全县安排县重点项目60个，其中续建项目25个、新开工项目35个，年度计划投资48亿元。"
    assert ("长汀县", "county", "2022-01", "2022-12", "annual_plan", 48.0) in _rows(tmp_path, whole)
    # 25 + 20 is not 60: the plan may be the new projects' only, so it is not the list's
    part = "今年全县安排县重点项目60个，其中续建项目25个、新开工项目20个，年度计划投资48亿元。"
    assert not any(row[4] == "annual_plan" for row in _rows(tmp_path, part))


def test_a_single_month_after_其中_is_a_time_not_a_part(tmp_path: Path) -> None:
    text = "1-6月，全县重点项目累计完成投资20.5亿元。其中6月份单月完成投资4.2亿元，环比有所回升。"
    assert ("长汀县", "county", "2022-06", "2022-06", "completed_investment", 4.2) in _rows(tmp_path, text)


def test_a_stage_count_of_a_named_list_is_read_once(tmp_path: Path) -> None:
    text = "截至6月底，全省省市两级今年已开工建设重点项目2150个，开工率为81.5%。"
    rows = _rows(tmp_path, text, region="吉林省")
    assert {row for row in rows if row[4] == "started_projects"} == \
        {("吉林省", "province+city", "2022-01", "2022-06", "started_projects", 2150.0)}


def test_one_project_named_after_其中_is_not_the_list(tmp_path: Path) -> None:
    text = "我县列入省重点项目的共7个，一季度完成投资5.3亿元，其中城南大道改造工程完成投资2.1亿元。"
    rows = _rows(tmp_path, text, published="2022-04-15")
    assert ("长汀县", "province", "2022-01", "2022-03", "completed_investment", 5.3) in rows
    assert not any(row[5] == 2.1 for row in rows)


def test_a_dateline_under_the_title_sets_no_period(tmp_path: Path) -> None:
    text = "某市统计局\n2022年3月\n\n全年全市实施市级重点项目88个，完成投资120.4亿元。"
    rows = _rows(tmp_path, text, region="吴忠市", published="2022-03-28", title="吴忠市2021年统计公报")
    assert ("吴忠市", "city", "2021-01", "2021-12", "completed_investment", 120.4) in rows
    assert not any(row[2].startswith("2022") for row in rows)


def test_分别_over_a_run_of_years_gives_each_year_its_value(tmp_path: Path) -> None:
    text = "2020年、2021年，我县分别实施县级重点项目40个、45个，分别完成投资21.5亿元、26.8亿元。"
    rows = _rows(tmp_path, text, published="2022-01-20")
    assert {("长汀县", "county", "2020-01", "2020-12", "projects", 40.0),
            ("长汀县", "county", "2021-01", "2021-12", "projects", 45.0),
            ("长汀县", "county", "2020-01", "2020-12", "completed_investment", 21.5),
            ("长汀县", "county", "2021-01", "2021-12", "completed_investment", 26.8)} <= rows


def test_a_county_named_before_its_own_level_word_owns_the_list(tmp_path: Path) -> None:
    text = "上半年全市重点项目进展顺利。永定区今年确定区级重点项目38个，年度计划投资41.2亿元。"
    rows = _rows(tmp_path, text, region="龙岩市")
    assert ("永定区", "county", "2022-01", "2022-12", "projects", 38.0) in rows
    assert ("永定区", "county", "2022-01", "2022-12", "annual_plan", 41.2) in rows


def test_one_named_project_of_a_list_is_not_the_list(tmp_path: Path) -> None:
    text = "列入省级重点项目的城南快速路一季度完成投资2.6亿元。列入省级重点项目的12个项目一季度完成投资9.8亿元。"
    rows = _rows(tmp_path, text, published="2022-04-15")
    assert ("长汀县", "province", "2022-01", "2022-03", "completed_investment", 9.8) in rows
    assert not any(row[5] == 2.6 for row in rows)


def test_places_each_followed_by_its_value_share_the_wording_before_them(tmp_path: Path) -> None:
    text = "1-8月，全市重点项目完成投资80.5亿元，完成投资排名前两位的依次是长汀县12.1亿元、连城县9.5亿元。"
    rows = _rows(tmp_path, text, region="龙岩市", published="2022-09-10")
    assert {("长汀县", "city", "2022-01", "2022-08", "completed_investment", 12.1),
            ("连城县", "city", "2022-01", "2022-08", "completed_investment", 9.5)} <= rows


def test_a_district_named_before_the_citys_list_is_the_region_of_its_projects(tmp_path: Path) -> None:
    text = "1-6月，全市重点项目完成投资150.2亿元。其中，永定区实施市级重点项目58个，完成投资41.2亿元。"
    rows = _rows(tmp_path, text, region="龙岩市")
    assert ("永定区", "city", "2022-01", "2022-12", "projects", 58.0) in rows
    assert ("永定区", "city", "2022-01", "2022-06", "completed_investment", 41.2) in rows


def test_a_number_of_places_without_个_is_a_group_not_a_count(tmp_path: Path) -> None:
    text = "2021年，全省重点项目完成投资5200亿元。山区26县实施省重点项目241个，完成投资1852亿元。"
    rows = _rows(tmp_path, text, region="浙江省", published="2022-01-20")
    assert ("浙江省", "province", "2021-01", "2021-12", "completed_investment", 5200.0) in rows
    assert not any(row[5] in (241.0, 1852.0, 26.0) for row in rows)


def test_the_parent_named_before_a_count_is_the_region_of_its_whole_list(tmp_path: Path) -> None:
    text = "上半年，龙岩市156个市重点项目完成投资268.4亿元。我县列入市重点项目的12个项目完成投资20.1亿元。"
    rows = _rows(tmp_path, text)
    assert ("龙岩市", "city", "2022-01", "2022-06", "completed_investment", 268.4) in rows
    assert ("长汀县", "city", "2022-01", "2022-06", "completed_investment", 20.1) in rows  # the county's share


def test_the_projects_of_another_programme_after_its_的_are_its_own(tmp_path: Path) -> None:
    text = "1-6月，全市重点项目完成投资80亿元；列入省重大产业项目的21个项目完成投资37.2亿元。"
    rows = _rows(tmp_path, text, region="龙岩市")
    assert not any(row[5] in (21.0, 37.2) for row in rows)


def test_a_ranking_of_places_after_a_rate_wording_gives_each_its_rate(tmp_path: Path) -> None:
    text = "一季度，全市重点项目完成年度计划的26.1%。从各县(区)看，完成年度计划比例由高到低依次为：长汀县32.4%、连城县29.7%。"
    rows = _rows(tmp_path, text, region="龙岩市", published="2022-04-15")
    assert {("长汀县", "city", "2022-01", "2022-03", "completion_rate", 32.4),
            ("连城县", "city", "2022-01", "2022-03", "completion_rate", 29.7)} <= rows


def test_the_rate_after_one_named_project_is_that_projects(tmp_path: Path) -> None:
    text = "一季度，全县重点项目完成投资18.6亿元。其中，城南快速路项目完成投资2.3亿元，完成全年计划的38.5%。"
    rows = _rows(tmp_path, text, published="2022-04-15")
    assert not any(row[5] in (2.3, 38.5) for row in rows)


def test_a_zone_outside_the_tables_keeps_its_projects_on_another_list(tmp_path: Path) -> None:
    text = "园区列入福建省重点项目的项目共7个，全年完成投资21.4亿元。"
    rows = _rows(tmp_path, text, region="某某高新技术产业开发区", published="2022-01-20")
    assert {row[0] for row in rows} == {"某某高新技术产业开发区"} and {row[1] for row in rows} == {"province"}


@pytest.mark.parametrize(("count", "kept"), [(52, True), (50, False)])
def test_a_demonstrative_with_the_lists_count_points_back_to_it(tmp_path: Path, count: int, kept: bool) -> None:
    text = f"今年全县安排县重点项目52个。截至6月底，这{count}个项目完成投资17.9亿元。"
    rows = _rows(tmp_path, text)
    assert (("长汀县", "county", "2022-01", "2022-06", "completed_investment", 17.9) in rows) is kept


def test_a_figure_in_brackets_after_another_groups_count_is_that_groups(tmp_path: Path) -> None:
    text = "今年全县安排县重点项目52个。这52个项目中，续建的有30个（年度计划投资12.4亿元），新开工的有22个。"
    rows = _rows(tmp_path, text)
    assert ("长汀县", "county", "2022-01", "2022-12", "projects", 52.0) in rows
    assert not any(row[5] == 12.4 for row in rows)
    rows = _rows(tmp_path, "今年全县安排县重点项目52个（年度计划投资12.4亿元）。")
    assert ("长汀县", "county", "2022-01", "2022-12", "annual_plan", 12.4) in rows


@pytest.mark.parametrize(("unit", "value"), [("万", 0.486), ("万。", 0.486), ("万美元", None), ("万平方米", None)])
def test_万_without_元_is_an_amount_only_where_no_word_follows(tmp_path: Path, unit: str, value: float | None) -> None:
    rows = _rows(tmp_path, f"截至6月底，全县重点项目完成投资4860{unit}", published="2022-07-10")
    found = {row[5] for row in rows if row[4] == "completed_investment"}
    assert found == ({value} if value else set())


def test_an_amount_after_a_realised_stage_count_is_the_lists(tmp_path: Path) -> None:
    text = "今年全县安排县重点项目52个，年度计划投资40亿元。截至6月底，已开工项目45个，开工率86.5%，累计完成投资21.3亿，占年度计划的53.3%。"
    rows = _rows(tmp_path, text)
    assert ("长汀县", "county", "2022-01", "2022-06", "completed_investment", 21.3) in rows
    assert ("长汀县", "county", "2022-01", "2022-06", "completion_rate", 53.3) in rows


@pytest.mark.parametrize(("text", "counts"), [
    ("长汀县2022年重点建设项目计划（共48个项目）\n\n全县重点建设项目总投资156.8亿元。", {("county", 48.0)}),
    ("今年全县安排重点项目（其中新开工12个），总投资56.8亿元。", set()),
    # a counted list after 含 is the reporter's projects on that list, not the whole list's count
    ("今年全县安排重点项目（含省重点项目12个），总投资56.8亿元。", {("province", 12.0)})])
def test_a_count_in_brackets_right_after_a_list_is_its_count(tmp_path: Path, text: str, counts: set) -> None:
    rows = _rows(tmp_path, text)
    assert {(row[1], row[5]) for row in rows if row[4] == "projects"} == counts


@pytest.mark.parametrize(("second", "started"), [
    ("其中，续建项目30个，年度计划投资20亿元；新开工项目22个，年度计划投资15亿元。", set()),
    ("截至6月底，其中续建项目30个全部复工，新开工项目22个。", {22.0})])
def test_new_starts_beside_a_续建_part_with_its_plan_are_the_lists_make_up(tmp_path: Path, second: str,
                                                                    started: set) -> None:
    rows = _rows(tmp_path, "今年全县安排县重点项目52个，年度计划投资35亿元。" + second)
    assert {row[5] for row in rows if row[4] == "started_projects"} == started


@pytest.mark.parametrize(("text", "expected"), [
    ("分县区看，宁化县市级重点项目完成率96.4%。", ("宁化县", "city", "completion_rate", 96.4)),
    ("分县区看，宁化县县级重点项目完成率54.8%。", ("宁化县", "county", "completion_rate", 54.8)),
    ("全市列入省重点项目的20余个项目完成投资25.3亿元。", ("三明市", "province", "projects", 20.0)),
    ("全市谋划确定市级重点项目86个。", ("三明市", "city", "projects", 86.0))])
def test_a_place_before_a_level_word_and_counts_with_余(tmp_path: Path, text: str, expected: tuple) -> None:
    rows = _rows(tmp_path, text, region="三明市", published="2022-10-10")
    assert expected in {(row[0], row[1], row[4], row[5]) for row in rows}


def test_counts_of_listings_over_years_are_no_counts(tmp_path: Path) -> None:
    rows = _rows(tmp_path, "累计有64个项目次列入三明市重点项目、12个项目次列入省重点项目。", region="宁化县")
    assert not any(row[4] == "projects" for row in rows)


def test_tenths_are_a_rate_and_a_month_split_from_月_is_still_a_month(tmp_path: Path) -> None:
    text = ("上半年，全县重点项目完成投资62.4亿元，完成年度计划的逾六成；产业类项目占全部投资的近六成，成本下降。"
            "\n全县重点项目1—9月完成投资150.2亿元。9\n月份单月完成投资15.6亿元。")
    rows = _rows(tmp_path, text, published="2022-10-10")
    assert {row[5] for row in rows if row[4] == "completion_rate"} == {60.0}
    assert ("长汀县", "county", "2022-09", "2022-09", "completed_investment", 15.6) in rows


def test_分别_values_sharing_one_unit_go_to_the_places_of_the_list_named_before_them(tmp_path: Path) -> None:
    text = ("1-9月，全市市级重点项目完成投资80.2亿元。县级重点项目中，宁化县、清流县分别完成年度计划的63.5%、57.2%；"
            "泰宁县、建宁县分别低于序时进度1.4个和0.7个百分点；排名后两位的是甲镇(32.4%)、乙镇(35.1%)，分别低于序时进度17.6、14.9个百分点。")
    rows = _rows(tmp_path, text, region="三明市", published="2022-10-10")
    assert {("宁化县", "county", "2022-01", "2022-09", "completion_rate", 63.5),
            ("清流县", "county", "2022-01", "2022-09", "completion_rate", 57.2),
            ("泰宁县", "county", "2022-01", "2022-09", "ahead_of_schedule", -1.4),
            ("建宁县", "county", "2022-01", "2022-09", "ahead_of_schedule", -0.7)} <= rows
    assert not any(row[5] in (-17.6, -14.9) for row in rows)


def test_a_list_as_the_topic_is_counted_after_it_and_a_sector_before_a_level_is_a_part(tmp_path: Path) -> None:
    text = "县级重点项目方面，今年共安排45个，总投资63.8亿元。全年工业类县重点项目完成投资18.2亿元。"
    rows = _rows(tmp_path, text, published="2022-03-10")
    assert ("长汀县", "county", "2022-01", "2022-12", "projects", 45.0) in rows
    assert not any(row[5] == 18.2 for row in rows)


def test_a_month_between_已于_and_the_stage_verb_keeps_the_count(tmp_path: Path) -> None:
    rows = _rows(tmp_path, "前三季度，全县重点项目完成投资12.8亿元，其中两个项目已于8月竣工投产。", published="2022-10-10")
    assert ("长汀县", "county", "2022-01", "2022-09", "finished_projects", 2.0) in rows


@pytest.mark.parametrize(("since", "kept"), [("2020年以来至今年8月底", False), ("“十四五”以来", False),
                                              ("2022年以来", True), ("1-8月", True)])
def test_a_total_over_several_years_is_no_fact(tmp_path: Path, since: str, kept: bool) -> None:
    rows = _rows(tmp_path, f"{since}，全县重点项目累计完成投资86.4亿元。", published="2022-09-10")
    assert (("长汀县", "county", "2022-01", "2022-08", "completed_investment", 86.4) in rows) is kept


def test_towns_in_a_breakdown_or_a_ranking_are_regions_with_the_reports_list(tmp_path: Path) -> None:
    text = ("上半年，全县重点项目完成投资30.2亿元。分镇看，甲坑镇完成率78.6%，乙坑镇完成率71.2%；全县各乡镇积极推进。"
            "完成率排名前两位的是丙坑镇(66.9%)、丁坑乡(60.1%)；排名后两位的是戊坑镇(32.4%)、己坑街道(35.1%)，"
            "分别低于序时进度17.6、14.9个百分点。")
    rows = _rows(tmp_path, text)
    assert {("甲坑镇", "county", "2022-01", "2022-06", "completion_rate", 78.6),
            ("乙坑镇", "county", "2022-01", "2022-06", "completion_rate", 71.2),
            ("丙坑镇", "county", "2022-01", "2022-06", "completion_rate", 66.9),
            ("丁坑乡", "county", "2022-01", "2022-06", "completion_rate", 60.1),
            ("戊坑镇", "county", "2022-01", "2022-06", "ahead_of_schedule", -17.6),
            ("己坑街道", "county", "2022-01", "2022-06", "ahead_of_schedule", -14.9)} <= rows
    assert {row[0] for row in rows if row[4] != "completed_investment"} <= {"甲坑镇", "乙坑镇", "丙坑镇", "丁坑乡", "戊坑镇",
                                                                             "己坑街道"}


def test_one_project_of_a_list_is_no_list_and_a_topic_counted_with_有(tmp_path: Path) -> None:
    text = "县领导每人联系一个县级重点项目。省级重点项目这一块，咱们县有17个，完成投资9.2亿元。"
    rows = _rows(tmp_path, text, published="2022-07-10")
    assert {row[5] for row in rows if row[4] == "projects"} == {17.0}


def test_lists_in_brackets_closed_before_a_figure_are_asides(tmp_path: Path) -> None:
    text = "全县共排定县级重点项目156个（其中列入省重点建设项目9个、列入市重点项目27个），总投资812.3亿元。"
    rows = _rows(tmp_path, text, published="2022-03-10")
    assert ("长汀县", "county", "2022-01", "2022-12", "total_investment", 812.3) in rows
    assert ("长汀县", "city", "2022-01", "2022-12", "projects", 27.0) in rows


def test_months_in_the_lead_without_a_figure_are_no_report_period(tmp_path: Path) -> None:
    text = ("2020年，全市重点项目建设受疫情冲击，一季度一度全面停滞。全年确定市级重点项目248个。\n"
            "至年底，全市市级重点项目累计完成投资401.2亿元。\n分地区看，宁化县完成投资112.6亿元。")
    rows = _rows(tmp_path, text, region="三明市", published="2021-06-01")
    assert {("三明市", "city", "2020-01", "2020-12", "completed_investment", 401.2),
            ("宁化县", "city", "2020-01", "2020-12", "completed_investment", 112.6)} <= rows


def test_a_second_分别_without_its_wording_has_the_first_ones_metric(tmp_path: Path) -> None:
    text = "1-9月，宁化县、清流县完成年度计划分别为88.6%、86.1%，居全市前两位；泰宁县、建宁县分别为72.4%、70.9%。"
    rows = _rows(tmp_path, text, region="三明市", published="2022-10-10")
    assert {("泰宁县", "city", "2022-01", "2022-09", "completion_rate", 72.4),
            ("建宁县", "city", "2022-01", "2022-09", "completion_rate", 70.9)} <= rows


def test_a_ranking_of_places_by_their_number_of_projects_gives_each_its_count(tmp_path: Path) -> None:
    text = "分市看，省重点项目数量居前三位的是三明市、龙岩市和南平市，分别为338个、296个和271个。"
    rows = _rows(tmp_path, text, region="福建省", published="2022-03-10")
    assert {("三明市", "province", "2022-01", "2022-12", "projects", 338.0),
            ("龙岩市", "province", "2022-01", "2022-12", "projects", 296.0),
            ("南平市", "province", "2022-01", "2022-12", "projects", 271.0)} <= rows


# (a report of part of a year, or one whose lead opened with 今年: the 去年 paragraph is a comparison)
@pytest.mark.parametrize(("lead", "year"), [("1—9月，全市市级重点项目完成投资527.3亿元。", "2024"),
                                            ("今年全市安排市级重点项目200个。", "2024"),
                                            ("全市安排市级重点项目200个。", "2023")])
def test_last_year_of_an_earlier_paragraph_ends_there_in_a_part_year_report(tmp_path: Path, lead: str,
                                                                            year: str) -> None:
    text = (lead + "\n去年同期，全市市级重点项目完成投资478.6亿元。上年全年，全市市级"
            "重点项目完成投资689.4亿元。\n分县区看，宁化县完成率96.4%。")
    rows = _rows(tmp_path, text, region="三明市", published="2024-10-28")
    assert any(row[0] == "宁化县" and row[2].startswith(year) for row in rows)


@pytest.mark.parametrize(("region", "expected"), [("宁化县", {"福建省", "三明市", "宁化县"}), ("晋江市", {"福建省", "晋江市"})])
def test_the_whole_province_or_city_named_in_a_lower_report_is_that_government(tmp_path: Path, region: str,
                                                                                expected: set) -> None:
    text = "1-9月，全省220个省重点项目完成投资1503.2亿元；全市152个市重点项目完成投资612.4亿元；我县48个县重点项目完成投资95.1亿元。"
    rows = _rows(tmp_path, text, region=region, published="2022-10-10")
    assert {row[0] for row in rows} == expected


def test_a_month_early_is_no_period_and_years_of_running_totals_are_no_fact(tmp_path: Path) -> None:
    text = "1-11月，全县重点项目提前一个月完成投资21.8亿元。三年来，全县重点项目累计完成投资238.6亿元。"
    rows = _rows(tmp_path, text, published="2022-12-10")
    assert {(row[2], row[3], row[5]) for row in rows} == {("2022-01", "2022-11", 21.8)}


def test_quarters_in_a_title_and_alone_and_本年_does_not_carry(tmp_path: Path) -> None:
    text = ("全市重点项目完成投资412.6亿元。其中三季度当季完成投资148.6亿元。截至9月底，全市260个重点项目已开复工241个；"
            "仍有14个新开工项目未能开工。")
    rows = _rows(tmp_path, text, region="三明市", published="2022-10-20", title="关于2022年第三季度全市重点项目建设情况的通报")
    assert {("三明市", "city", "2022-01", "2022-09", "completed_investment", 412.6),
            ("三明市", "city", "2022-07", "2022-09", "completed_investment", 148.6),
            ("三明市", "city", "2022-01", "2022-09", "started_projects", 241.0)} <= rows
    assert not any(row[5] in (260.0, 14.0) for row in rows if row[4] == "started_projects")
    text = "全年施工项目846个，其中本年新开工项目512个。\n全市重点项目全年完成投资194.8亿元。"
    rows = _rows(tmp_path, text, region="三明市", published="2020-03-20", title="2019年全市经济运行情况")
    assert ("三明市", "city", "2019-01", "2019-12", "completed_investment", 194.8) in rows


def test_分别_stage_counts_by_place_and_a_weeks_sentence(tmp_path: Path) -> None:
    text = "1-9月，宁化县、清流县分别新开工14个、12个。本周全市重点项目新增完成投资3.6亿元，新开工项目2个。"
    rows = _rows(tmp_path, text, region="三明市", published="2022-10-10")
    assert {("宁化县", "city", "2022-01", "2022-09", "started_projects", 14.0),
            ("清流县", "city", "2022-01", "2022-09", "started_projects", 12.0)} <= rows
    assert not any(row[5] in (3.6, 2.0) for row in rows)


def test_progress_after_a_started_count_with_an_aside_and_a_shares_base(tmp_path: Path) -> None:
    text = ("截至目前，已开工市重点项目94个（含本次集中开工的41个），1—2月完成投资76.8亿元，完成年度计划的7.8%。"
            "\n1-4月，全市重点项目完成投资96.82亿元，占全市固定资产投资的41.3%，完成年度计划的36.5%。"
            "\n今年的目标是：力争全年完成投资100亿元以上；全年新签约项目50个以上。")
    rows = _rows(tmp_path, text, region="三明市", published="2022-05-10")
    assert {("三明市", "city", "2022-01", "2022-02", "completed_investment", 76.8),
            ("三明市", "city", "2022-01", "2022-02", "completion_rate", 7.8),
            ("三明市", "city", "2022-01", "2022-04", "completion_rate", 36.5)} <= rows
    assert not any(row[5] in (100.0, 50.0, 41.0) for row in rows)


def test_a_persons_or_an_areas_share_of_the_list_is_no_list(tmp_path: Path) -> None:
    text = "31名县级领导每人包联2项以上重点工程。示范区内23个重点项目完成投资41.2亿元，占全县的24.6%。"
    rows = _rows(tmp_path, text, published="2022-10-10")
    assert not any(row[5] in (2.0, 23.0, 41.2) for row in rows)


def test_a_ceremonys_batch_another_years_figure_and_a_period_not_yet_over(tmp_path: Path) -> None:
    text = ("第一批31个重点项目集中开工。前三季度全市重点项目完成投资256亿元。"
            "\n一季度，全市重点项目完成投资68.4亿元。2024年全市重点项目完成投资341.5亿元。")
    rows = _rows(tmp_path, text, region="三明市", published="2025-04-10")
    assert ("三明市", "city", "2024-01", "2024-12", "completed_investment", 341.5) in rows
    assert not any(row[5] in (31.0, 256.0) for row in rows)


def test_a_municipalitys_whole_list_and_counts_with_thousands_separators(tmp_path: Path) -> None:
    text = "1-10月，全市1,100个市级重点项目完成投资3,412.6亿元。今年全市共谋划区级重点项目286个。"
    rows = _rows(tmp_path, text, region="涪陵区", published="2023-11-10")
    assert {("重庆市", "province", "2023-01", "2023-12", "projects", 1100.0),
            ("重庆市", "province", "2023-01", "2023-10", "completed_investment", 3412.6),
            ("涪陵区", "county", "2023-01", "2023-12", "projects", 286.0)} <= rows
    rows = _rows(tmp_path, "今年全省共安排省重点项目700个。", region="雅安市", published="2023-03-10")
    assert ("四川省", "province", "2023-01", "2023-12", "projects", 700.0) in rows


def test_chinese_decimals_hundredths_of_tenths_余_counts_and_towns_opening_a_sentence(tmp_path: Path) -> None:
    text = ("1-10月，全县重点项目完成年度计划的百分之八十六点四，超序时进度三点一个百分点，竣工投用项目二十余个。"
            "\n金牛镇、宾居镇完成率分别为91.2%、88.6%。\n产业项目完成投资占全部的八成五。")
    rows = _rows(tmp_path, text, region="宾川县", published="2023-11-10")
    assert {("宾川县", "county", "2023-01", "2023-10", "completion_rate", 86.4),
            ("宾川县", "county", "2023-01", "2023-10", "ahead_of_schedule", 3.1),
            ("宾川县", "county", "2023-01", "2023-10", "finished_projects", 20.0),
            ("金牛镇", "county", "2023-01", "2023-10", "completion_rate", 91.2),
            ("宾居镇", "county", "2023-01", "2023-10", "completion_rate", 88.6)} <= rows
    assert not any(row[0] == "金牛区" for row in rows)


def test_lists_left_out_groups_lagging_and_leaders_projects_are_not_the_list(tmp_path: Path) -> None:
    text = ("全县安排县重点建设项目112个（不含省、市重点项目），总投资465.2亿元。1—6月完成投资53.7亿元。"
            "其中12个项目完成率不足30%。9个未开工项目中已有7个开工建设。24名县领导共挂联重点项目68个。"
            "回顾过去五年，全县累计完成投资近900亿元。2021年、2022年新开工项目分别为45个和52个。")
    rows = _rows(tmp_path, text, published="2023-07-10")
    assert {("长汀县", "county", "2023-01", "2023-12", "total_investment", 465.2),
            ("长汀县", "county", "2023-01", "2023-06", "completed_investment", 53.7),
            ("长汀县", "county", "2021-01", "2021-12", "started_projects", 45.0),
            ("长汀县", "county", "2022-01", "2022-12", "started_projects", 52.0)} <= rows
    assert not any(row[5] in (30.0, 7.0, 68.0, 900.0) for row in rows)
    assert {row[1] for row in rows} == {"county"}


def test_a_headlines_全年_does_not_stretch_今年以来(tmp_path: Path) -> None:
    rows = _rows(tmp_path, "今年以来，全县重点项目完成投资105.2亿元。", published="2020-12-15",
                 title="全县重点项目完成年度计划118.4% 全年投资超百亿")
    assert {(row[2], row[3]) for row in rows} == {("2020-01", "2020-11")}


def test_a_headlines_round_lower_bound_restates_the_precise_figure(tmp_path: Path) -> None:
    text = "今年以来全县重点项目完成投资超百亿元\n\n今年以来，全县重点项目完成投资156.3亿元。"
    rows = _rows(tmp_path, text, published="2023-11-10")
    assert {row[5] for row in rows if row[4] == "completed_investment"} == {156.3}


def test_this_and_last_month_and_a_running_total_after_a_single_month(tmp_path: Path) -> None:
    text = ("截至2024年8月31日，全县重点项目累计完成投资45.2亿元。本月完成投资6.1亿元，累计新开工21个；"
            "上月完成投资5.4亿元。")
    rows = _rows(tmp_path, text, published="2024-09-05")
    assert {("长汀县", "county", "2024-01", "2024-08", "completed_investment", 45.2),
            ("长汀县", "county", "2024-08", "2024-08", "completed_investment", 6.1),
            ("长汀县", "county", "2024-01", "2024-08", "started_projects", 21.0),
            ("长汀县", "county", "2024-07", "2024-07", "completed_investment", 5.4)} <= rows


def test_values_in_brackets_before_the_wording_and_a_category_before_a_level(tmp_path: Path) -> None:
    text = ("1-9月，分街道看，甲城街道（92.3%）、乙城街道（88.7%）完成率居前两位。"
            "产业转型升级类省重点项目完成投资5136亿元。国家重大项目和省重点项目两个层面协同推进。")
    rows = _rows(tmp_path, text, published="2024-10-10")
    assert {("甲城街道", "county", "2024-01", "2024-09", "completion_rate", 92.3),
            ("乙城街道", "county", "2024-01", "2024-09", "completion_rate", 88.7)} <= rows
    assert not any(row[5] in (5136.0, 2.0) for row in rows)


def test_分别_counts_of_places_before_a_list_and_places_with_values_between(tmp_path: Path) -> None:
    text = "1-8月，宁化县、清流县分别有省级重点项目6个、5个。上半年，泰宁县68.4%、建宁县63.2%，分别超序时进度18.4、13.2个百分点。"
    rows = _rows(tmp_path, text, region="三明市", published="2023-09-10")
    assert {("宁化县", "province", "2023-01", "2023-12", "projects", 6.0),
            ("清流县", "province", "2023-01", "2023-12", "projects", 5.0),
            ("泰宁县", "city", "2023-01", "2023-06", "ahead_of_schedule", 18.4),
            ("建宁县", "city", "2023-01", "2023-06", "ahead_of_schedule", 13.2)} <= rows


def test_a_place_with_its_count_of_projects_in_a_report_on_another_list(tmp_path: Path) -> None:
    text = ("今年全市列入省级重点项目42个。1-8月，全市省级重点项目完成投资120.5亿元。\n"
            "分县(市、区)看，宁化县11个项目完成投资24.8亿元，清流县8个项目完成投资17.6亿元。")
    rows = _rows(tmp_path, text, region="三明市", published="2023-09-10")
    assert {("宁化县", "province", "2023-01", "2023-12", "projects", 11.0),
            ("宁化县", "province", "2023-01", "2023-08", "completed_investment", 24.8),
            ("清流县", "province", "2023-01", "2023-08", "completed_investment", 17.6)} <= rows


def test_progress_of_a_year_not_over_without_months_runs_to_date(tmp_path: Path) -> None:
    text = "（记者 某某）9月5日讯 记者从市发改委了解到，全市64个市级重点项目已开复工58个，累计完成投资93.4亿元。"
    rows = _rows(tmp_path, text, region="三明市", published="2022-09-06")
    assert {("三明市", "city", "2022-01", "2022-12", "projects", 64.0),
            ("三明市", "city", "2022-01", "2022-08", "started_projects", 58.0),
            ("三明市", "city", "2022-01", "2022-08", "completed_investment", 93.4)} <= rows


def test_a_place_before_列入_and_other_list_names_and_mixed_table_units(tmp_path: Path) -> None:
    text = ("1-9月，龙岩市列入省重大项目的28个项目完成投资91.2亿元。全州地区生产总值完成1396.4亿元。"
            "三年累计完成投资279.3亿元。确定市级重点推进项目一百二十个。\n"
            "|类别|总投资(亿元)|年度计划(万元)|1-9月完成(万元)|\n|---|---|---|---|\n|合计|15.6|52000|41000|\n")
    rows = _rows(tmp_path, text, region="福建省", published="2022-10-10")
    assert {("龙岩市", "province", "2022-01", "2022-09", "completed_investment", 91.2),
            ("福建省", "province", "2022-01", "2022-12", "total_investment", 15.6),
            ("福建省", "province", "2022-01", "2022-09", "completed_investment", 4.1)} <= rows
    assert not any(row[5] in (1396.4, 279.3) or row[0] == "全州县" for row in rows)
    rows = _rows(tmp_path, "今年确定市级重点推进项目120个。市重点项目清单共安排项目186个。", region="三明市")
    assert {row[5] for row in rows if row[4] == "projects"} == {120.0, 186.0}


def test_a_stage_verb_with_an_aside_and_a_planned_groups_starts(tmp_path: Path) -> None:
    text = "今年全市安排市级重点项目560个。截至9月底，已开工（含复工）512个，已竣工或部分竣工投产的项目57个；55个新开工项目已开工49个。"
    rows = _rows(tmp_path, text, region="三明市", published="2022-10-10")
    assert {(row[4], row[5]) for row in rows if row[4] != "projects"} == {
        ("started_projects", 512.0), ("finished_projects", 57.0), ("started_projects", 49.0)}


def test_a_total_over_parts_of_levels_and_a_part_ending_at_the_semicolon(tmp_path: Path) -> None:
    text = ("今年全县纳入调度的重点项目共210个，其中省级重点项目9个，市级重点项目46个，县级重点项目155个，年度计划投资186.4亿元。"
            "1-11月，其中，32个省、市重点项目完成投资19.7亿元；新开工项目28个。")
    rows = _rows(tmp_path, text, published="2022-12-10")
    assert {("长汀县", "province+city+county", "2022-01", "2022-12", "projects", 210.0),
            ("长汀县", "province", "2022-01", "2022-12", "projects", 9.0)} <= rows
    assert not any(row[1] == "province+city" and row[4] == "started_projects" for row in rows)


def test_a_full_year_in_a_page_of_january_is_the_year_just_ended(tmp_path: Path) -> None:
    rows = _rows(tmp_path, "全年全市重点项目完成投资697.3亿元。", region="三明市", published="2024-01-20")
    assert {(row[2], row[3]) for row in rows} == {("2023-01", "2023-12")}


# ---- the arithmetic check

def test_the_arithmetic_check_notes_a_contradiction() -> None:
    def row(metric: str, value: float, end: str = "2022-06") -> dict:
        return {"region": "长汀县", "scope": "county", "subset": "", "period_start": "2022-01",
                "period_end": "2022-12" if metric == "annual_plan" else end, "metric": metric, "value": value}

    consistent = [row("annual_plan", 40), row("completed_investment", 20.4), row("completion_rate", 51)]
    assert check_notes(consistent) == []
    wrong = [row("annual_plan", 40), row("completed_investment", 30), row("completion_rate", 51)]
    notes = check_notes(wrong)
    assert len(notes) == 1 and "长汀县 county" in notes[0] and "20.40" in notes[0]


def _fact_row(scope: str, metric: str, value: float, end: str = "2022-09") -> tuple:
    return ("d", "长汀县", scope, "", "2022-01", "2022-12" if metric == "annual_plan" else end, metric, value)


_ROW_COLUMNS = ["doc_id", "region", "scope", "subset", "period_start", "period_end", "metric", "value"]


def test_the_arithmetic_check_settles_which_list_a_figure_belongs_to() -> None:
    # 240 = 300 × 80 %, not 120 × 80 %: the two figures are the county list's, whatever list the text named.
    rows = [_fact_row("province", "annual_plan", 120), _fact_row("county", "annual_plan", 300),
            _fact_row("province", "completed_investment", 240), _fact_row("province", "completion_rate", 80)]
    settled, notes = settle_lists(rows, _ROW_COLUMNS)
    assert [row[2] for row in settled] == ["province", "county", "county", "county"]
    assert [row[6] for row in settled] == [row[6] for row in rows]
    assert len(notes) == 1 and notes[0].startswith("settled: 长汀县 province") and "fit 长汀县 county" in notes[0]


def test_the_arithmetic_check_leaves_what_it_cannot_settle() -> None:
    agreeing = [_fact_row("province", "annual_plan", 300), _fact_row("county", "annual_plan", 300),
                _fact_row("province", "completed_investment", 240), _fact_row("province", "completion_rate", 80)]
    assert settle_lists(agreeing, _ROW_COLUMNS) == (agreeing, [])  # its own plan fits
    no_fit = [_fact_row("province", "annual_plan", 120), _fact_row("county", "annual_plan", 500),
              _fact_row("province", "completed_investment", 240), _fact_row("province", "completion_rate", 80)]
    assert settle_lists(no_fit, _ROW_COLUMNS) == (no_fit, [])  # a contradiction, left for check_notes
    assert len(check_notes([dict(zip(_ROW_COLUMNS, row)) for row in no_fit])) == 1
    taken = no_fit[:2] + [_fact_row("county", "completed_investment", 400), _fact_row("county", "completion_rate", 80)]
    both = [_fact_row("province", "annual_plan", 120), _fact_row("county", "annual_plan", 300)] + \
        [_fact_row("province", "completed_investment", 240), _fact_row("province", "completion_rate", 80),
         _fact_row("county", "completed_investment", 250), _fact_row("county", "completion_rate", 83)]
    assert settle_lists(both, _ROW_COLUMNS) == (both, [])  # the fitting list has figures of its own
    assert settle_lists(taken, _ROW_COLUMNS)[1] == []


def test_a_look_back_at_an_earlier_year_holds_for_its_paragraph_only(tmp_path: Path) -> None:
    text = ("2022年，我区82个区级重点项目全年完成投资102.6亿元。\n回顾上一年度，2021年全区重点项目完成投资90.2亿元。\n"
            "分级来看，全区7个省级重点项目完成投资18.3亿元。全年新开工项目38个。")
    rows = _rows(tmp_path, text, region="南郑区", published="2023-01-16", title="南郑区2022年重点项目完成投资超百亿元")
    assert ("南郑区", "county", "2021-01", "2021-12", "completed_investment", 90.2) in rows
    assert ("南郑区", "province", "2022-01", "2022-12", "completed_investment", 18.3) in rows
    assert any(row[2:] == ("2022-01", "2022-12", "started_projects", 38.0) for row in rows)


def test_a_bulletins_date_in_its_publication_month_and_parts_of_a_month(tmp_path: Path) -> None:
    text = ("■本周（9月16日—9月22日）：全县重点项目完成投资2.36亿元。\n"
            "截至9月22日，全县重点项目累计完成投资58.74亿元。\n"
            "按项目所处阶段分，在建项目46个，已竣工项目12个。\n列入省重点项目的我县项目5个，累计完成投资11.2亿元。\n"
            "8月21日至8月31日，全县重点项目完成投资3.2亿元。3月中旬起，全县重点项目新开工12个。")
    rows = _rows(tmp_path, text, region="崇义县", published="2024-09-23")
    assert ("崇义县", "province", "2024-01", "2024-09", "completed_investment", 11.2) in rows
    assert ("崇义县", "county", "2024-01", "2024-09", "finished_projects", 12.0) in rows  # not the 在建 part's
    assert not any(row[5] in (2.36, 3.2) for row in rows)
    assert any(row[4:] == ("started_projects", 12.0) for row in rows)  # (3月中旬起: from then on)


def test_a_speakers_correction_takes_the_place_of_the_figure_before_it(tmp_path: Path) -> None:
    text = ("今年1-6月，全市重点项目完成投资一百一十二亿多一点，准确地说是112.4亿元。"
            "上半年全市重点项目新开工项目二十一个，不对，准确地说是二十二个。")
    rows = _rows(tmp_path, text, region="雷州市", published="2024-07-10")
    assert ("雷州市", "county", "2024-01", "2024-06", "completed_investment", 112.4) in rows
    assert ("雷州市", "county", "2024-01", "2024-06", "started_projects", 22.0) in rows
    assert not any(row[5] in (112.0, 21.0) for row in rows)


def test_words_that_count_no_projects_and_totals_over_a_span_of_years(tmp_path: Path) -> None:
    text = ("今年，全县紧盯签约、开工、投产三个环节，全年新开工项目12个。分县区看，东洲区完成投资最多，为36.5亿元。"
            "“十二五”前三年，全市累计完成投资847亿元。2011年至2013年，全市累计完成投资846亿元。")
    rows = _rows(tmp_path, text, region="抚顺市", published="2014-01-20")
    assert not any(row[4] == "finished_projects" or row[5] in (847.0, 846.0) for row in rows)
    assert ("东洲区", "city", "2013-01", "2013-12", "completed_investment", 36.5) in rows


def test_这一年_is_the_year_named_last_and_全县_in_a_clause_is_the_reporters_list(tmp_path: Path) -> None:
    rows = _rows(tmp_path, "时间拉回到2022年。这一年，全市实施重点项目76个，总投资386.2亿元。", region="常宁市",
                 published="2024-02-10")
    assert ("常宁市", "county", "2022-01", "2022-12", "projects", 76.0) in rows
    text = ("1-4月，全县重点项目完成投资30亿元。列入岳阳市重点项目的17个项目完成投资11.4亿元。"
            "截至4月底，全县新开工项目22个。上半年双墩镇、岗集镇重点项目完成投资分别为21.6亿元、14.3亿元。")
    rows = _rows(tmp_path, text, region="平江县", published="2024-05-10")
    assert ("平江县", "county", "2024-01", "2024-04", "started_projects", 22.0) in rows
    rows = _rows(tmp_path, "上半年双墩镇、岗集镇重点项目完成投资分别为21.6亿元、14.3亿元。", region="长丰县",
                 published="2024-07-10")
    assert ("岗集镇", "county", "2024-01", "2024-06", "completed_investment", 14.3) in rows


def test_a_quarter_after_比_is_a_comparisons_base_and_no_period(tmp_path: Path) -> None:
    rows = _rows(tmp_path, "上半年，全县重点项目新开工61个，比一季度增加33个；竣工14个。", region="光山县",
                 published="2024-07-10")
    assert ("光山县", "county", "2024-01", "2024-06", "finished_projects", 14.0) in rows
    assert not any(row[5] == 33.0 for row in rows)
