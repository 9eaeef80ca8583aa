"""Rules that carry keyproj to reports from places it has not seen (one test per rule; every
sentence is written for this file, none comes from the dev or hold-out documents)."""
from __future__ import annotations

from keyproj.extract.document import document_facts


def _facts(text: str, region: str, published: str) -> set[tuple]:
    """(region, scope, start, end, metric, value, qualifier) of every fact of a text."""
    rows = document_facts("t", text, {"region": region, "published": published})
    return {(r[1], r[2], r[4], r[5], r[6], r[7], r[9]) for r in rows}


def test_shiji_in_a_county_level_city_is_its_own_list() -> None:
    found = _facts("1-8月，全市142个市级重点项目完成投资260.4亿元，列入苏州市级重点项目的18个。",
                   "太仓市", "2021-09-10")
    assert ("太仓市", "county", "2021-01", "2021-12", "projects", 142, "") in found
    assert ("太仓市", "county", "2021-01", "2021-08", "completed_investment", 260.4, "") in found
    assert ("太仓市", "city", "2021-01", "2021-12", "projects", 18, "") in found


def test_shiji_in_a_prefecture_and_shi_in_a_county_level_city_stay_the_citys() -> None:
    assert ("三明市", "city", "2021-01", "2021-12", "projects", 80, "") in \
        _facts("今年全市安排市级重点项目80个。", "三明市", "2021-03-10")
    assert ("石狮市", "city", "2021-01", "2021-12", "projects", 30, "") in \
        _facts("2021年，省重点项目12个，市重点项目30个。", "石狮市", "2021-03-10")


def test_finished_counts_with_a_second_verb() -> None:
    found = _facts("1-6月，全县重点项目竣工投用项目7个，建成使用项目不计。", "长汀县", "2021-07-10")
    assert ("长汀县", "county", "2021-01", "2021-06", "finished_projects", 7, "") in found
    found = _facts("截至9月底，全区重点项目完工项目15个，另有2个部分投用。", "海曙区", "2021-10-10")
    assert {f[4:6] for f in found} == {("finished_projects", 15)}


def test_signed_groups_from_the_lexicons_signed_words() -> None:
    found = _facts("今年以来，全县签约落地项目21个，签约投资85.5亿元。", "长汀县", "2021-10-10")
    assert {f[4:6] for f in found} == {("signed_projects", 21), ("signed_investment", 85.5)}
    found = _facts("2020年全市签约招商引资项目64项，签约资金240亿元。", "三明市", "2021-02-01")
    assert {f[4:6] for f in found} == {("signed_projects", 64), ("signed_investment", 240)}


def test_places_before_a_list_noun_with_a_level_word_take_the_values_of_fenbie() -> None:
    found = _facts("1-9月，长汀县、连城县、武平县市级重点项目分别完成投资11.2亿元、9.8亿元和7.1亿元。",
                   "龙岩市", "2021-10-10")
    assert {(f[0], f[1], f[5]) for f in found if f[4] == "completed_investment"} == {
        ("长汀县", "city", 11.2), ("连城县", "city", 9.8), ("武平县", "city", 7.1)}


def test_values_after_fenbiewei_belong_to_the_last_wording() -> None:
    found = _facts("1-9月，全市重点项目完成投资80亿元。分地区看，长汀县、连城县完成投资居全市前两位，"
                   "分别为12.1亿元、9.5亿元。", "龙岩市", "2021-10-10")
    assert ("长汀县", "city", "2021-01", "2021-09", "completed_investment", 12.1, "") in found
    assert ("连城县", "city", "2021-01", "2021-09", "completed_investment", 9.5, "") in found


def test_mouhua_as_a_verb_keeps_the_list() -> None:
    found = _facts("今年全县谋划实施县级重点项目72个，总投资410亿元。", "长汀县", "2021-03-10")
    assert {f[4:6] for f in found} == {("projects", 72), ("total_investment", 410)}
    assert _facts("全县谋划储备项目120个，总投资560亿元。", "长汀县", "2021-03-10") == set()


def test_a_breakdown_heading_without_kan_holds_for_its_paragraph() -> None:
    text = ("一季度，全市重点项目完成投资60亿元。\n"
            "二、分区、县(市)情况。长汀县、连城县重点项目完成投资分别为8.1亿元和6.4亿元。\n"
            "三、其他。长汀县、连城县重点项目分别完成投资1.1亿元和1.4亿元。")
    found = _facts(text, "龙岩市", "2021-04-10")
    assert ("长汀县", "city", "2021-01", "2021-03", "completed_investment", 8.1, "") in found
    assert ("连城县", "city", "2021-01", "2021-03", "completed_investment", 6.4, "") in found
    # outside the breakdown's paragraph the places' own lists
    assert ("长汀县", "county", "2021-01", "2021-03", "completed_investment", 1.1, "") in found


def test_list_counts_after_fenbie_are_spread_over_the_levels() -> None:
    found = _facts("省、市、县三级重点项目分别为九项、十六项和四十项。", "长汀县", "2021-03-10")
    assert {(f[1], f[5]) for f in found} == {("province", 9), ("city", 16), ("county", 40)}


def test_the_make_up_of_an_announced_list_is_planned() -> None:
    found = _facts("今年全区安排重点项目120个，其中新开工项目45个、竣工项目20个。", "海曙区", "2021-02-10")
    assert {f[4:6] for f in found} == {("projects", 120)}
    # realised starts of a list not announced with 安排 / 确定 stay facts
    found = _facts("1-6月，全区120个重点项目中，已开工98个，其中新开工项目40个。", "海曙区", "2021-07-10")
    assert ("started_projects", 40) in {f[4:6] for f in found}


def test_a_number_in_a_programme_name_is_no_count() -> None:
    found = _facts("“5个50”重点工程上半年完成投资88亿元。", "三明市", "2021-07-10")
    assert "projects" not in {f[4] for f in found}
    found = _facts("全市“双百”工程中，8个100亿元项目进展顺利。", "三明市", "2021-07-10")
    assert "projects" not in {f[4] for f in found}


def test_jun_chaoguo_over_a_group_of_places_is_a_threshold() -> None:
    found = _facts("1-8月，全市重点项目完成年度计划的70.2%，8个县(区、市)投资完成率均超过65%。",
                   "三明市", "2021-09-10")
    assert {f[4:6] for f in found} == {("completion_rate", 70.2)}


def test_all_of_a_planned_group_started_is_realised() -> None:
    found = _facts("截至10月底，全县36个计划新开工项目已全部开工建设。", "长汀县", "2021-11-10")
    assert {f[4:6] for f in found} == {("started_projects", 36)}


def test_a_count_before_a_bare_shi_or_qu_list_noun_is_the_lists_count() -> None:
    # "186个市" before 重点 is no group of places: the guard sees the list noun after the window
    found = _facts("1-7月，142个市重点建设项目累计完成投资210.5亿元，完成年度计划的61.2%。", "嘉兴市", "2021-08-10")
    assert {f[4:6] for f in found} == {("projects", 142), ("completed_investment", 210.5),
                                       ("completion_rate", 61.2)}
    found = _facts("全年96个区重点项目完成投资180.2亿元。", "海曙区", "2021-01-20")
    assert {f[1] for f in found} == {"county"} and {f[4:6] for f in found} == {
        ("projects", 96), ("completed_investment", 180.2)}
    # a group of places with its divisions in brackets is still a part of the list
    assert {f[4:6] for f in _facts("上半年，全省重点项目完成投资900亿元，8个市(州)重点项目完成投资400亿元。",
                                   "青海省", "2021-07-10")} == {("completed_investment", 900)}


def test_a_target_word_holds_to_the_next_semicolon_only() -> None:
    found = _facts("今年以来，全区争取专项债券资金12.4亿元；招商签约项目28个，签约金额96亿元。", "海曙区", "2021-06-10")
    assert {f[4:6] for f in found} == {("signed_projects", 28), ("signed_investment", 96)}
    assert _facts("下半年，力争全年重点项目新开工20个，完成投资300亿元。", "三明市", "2021-07-10") == set()


def test_a_size_band_of_signed_projects_is_no_signed_count() -> None:
    found = _facts("今年以来，全县签约项目52个，签约额180亿元，其中亿元以上签约项目19个。", "长汀县", "2021-09-10")
    assert {f[4:6] for f in found} == {("signed_projects", 52), ("signed_investment", 180)}
    found = _facts("今年以来，全区签约重点项目40个，其中10亿元以上签约重点项目12个。", "海曙区", "2021-09-10")
    assert {f[4:6] for f in found} == {("signed_projects", 40)}


def test_time_words_inside_a_wording_or_a_comparison_set_no_period() -> None:
    # 完成全年计划的: 全年 belongs to the wording; 较去年同期: a comparison, not the figure's year
    found = _facts("1至9月，全市重点项目完成全年计划的80.2%，比时间进度快5.2个百分点，较去年同期多完成投资9.1亿元。"
                   "全市30个省重点项目完成投资41.3亿元。", "三明市", "2021-10-10")
    assert ("三明市", "city", "2021-01", "2021-09", "ahead_of_schedule", 5.2, "") in found
    assert ("三明市", "province", "2021-01", "2021-09", "completed_investment", 41.3, "") in found
    assert not any(f[5] == 9.1 for f in found)


def test_a_place_opening_its_clause_holds_to_the_semicolon() -> None:
    found = _facts("1-9月，全市重点项目完成投资80亿元。分地区看，长汀县完成投资12.1亿元，完成年度计划的81.5%；"
                   "连城县完成投资9.5亿元，完成年度计划的77.2%。", "龙岩市", "2021-10-10")
    assert ("长汀县", "city", "2021-01", "2021-09", "completion_rate", 81.5, "") in found
    assert ("连城县", "city", "2021-01", "2021-09", "completion_rate", 77.2, "") in found
    assert not any(f[0] == "龙岩市" and f[4] == "completion_rate" for f in found)


def test_a_signed_group_holds_up_to_the_semicolon() -> None:
    found = _facts("截至5月底，签约一批，新签约项目30个，签约金额95.2亿元；开工一批，已开工项目120个；"
                   "投产一批，竣工投产项目14个。", "三明市", "2021-06-10")
    assert {f[4:6] for f in found} == {("signed_projects", 30), ("signed_investment", 95.2),
                                       ("started_projects", 120), ("finished_projects", 14)}


def test_a_place_labelling_its_line_with_a_colon_owns_the_list() -> None:
    found = _facts("1-8月各县（市、区）重点项目情况如下。\n\n泾阳县：县级重点项目36项，1-8月完成投资30.2亿元。\n\n"
                   "三原县：重点项目28项，1-8月完成投资21.7亿元。", "咸阳市", "2021-09-10")
    assert ("泾阳县", "county", "2021-01", "2021-12", "projects", 36, "") in found
    assert ("泾阳县", "county", "2021-01", "2021-08", "completed_investment", 30.2, "") in found
    assert ("三原县", "county", "2021-01", "2021-08", "completed_investment", 21.7, "") in found
    assert not any(f[0] == "咸阳市" for f in found)


def test_a_place_before_its_level_word_owns_the_list() -> None:
    found = _facts("1-8月，泾阳县县级重点项目完成投资30.2亿元。", "咸阳市", "2021-09-10")
    assert ("泾阳县", "county", "2021-01", "2021-08", "completed_investment", 30.2, "") in found


def test_lists_in_an_enumeration_after_qizhong_do_not_become_current() -> None:
    found = _facts("1-8月，全市190项省市重点项目完成投资300亿元。其中：省重点项目40项，完成投资120亿元；"
                   "市重点项目150项，完成投资180亿元。8月当月完成投资45.5亿元。", "咸阳市", "2021-09-10")
    assert ("咸阳市", "city", "2021-01", "2021-08", "completed_investment", 180, "") in found
    assert ("咸阳市", "province+city", "2021-08", "2021-08", "completed_investment", 45.5, "") in found


def test_the_new_starts_of_a_list_the_government_will_carry_out_are_planned() -> None:
    found = _facts("2022年，我们将实施市级重点项目150个，其中新开工项目45个。", "咸阳市", "2022-02-10")
    assert {f[4:6] for f in found} == {("projects", 150)}


def test_a_list_of_several_levels_without_a_count_becomes_the_main_list() -> None:
    found = _facts("1-5月，全县省市县重点项目完成投资46.8亿元。\n\n1-5月，新开工项目12个，竣工项目5个。",
                   "岷县", "2020-06-12")
    assert ("岷县", "province+city+county", "2020-01", "2020-05", "completed_investment", 46.8, "") in found
    assert ("岷县", "province+city+county", "2020-01", "2020-05", "started_projects", 12, "") in found
    assert ("岷县", "province+city+county", "2020-01", "2020-05", "finished_projects", 5, "") in found


def test_a_single_month_after_the_running_months_does_not_carry() -> None:
    found = _facts("1-10月，全市重点项目完成投资150.2亿元。10月份完成投资18.4亿元。新开工项目26个。",
                   "天水市", "2020-11-12")
    assert ("天水市", "city", "2020-10", "2020-10", "completed_investment", 18.4, "") in found
    assert ("天水市", "city", "2020-01", "2020-10", "started_projects", 26, "") in found
    found = _facts("10月份，全市重点项目完成投资18.4亿元。新开工项目3个。", "天水市", "2020-11-12")
    assert ("天水市", "city", "2020-10", "2020-10", "started_projects", 3, "") in found
