"""Whose figure it is: places sharing a bound, towns as subjects, the place 该县 stands for, the
government that decided a list, one project described as a member, counted lists in brackets."""
from __future__ import annotations

from pathlib import Path

import pytest
from conftest import text_facts


def _rows(tmp_path: Path, text: str, region: str = "崇仁县", published: str = "2020-11-10", title: str = "") -> set:
    return {(r["region"], r["scope"], r["period_start"], r["period_end"], r["metric"], r["value"], r["qualifier"])
            for r in text_facts(tmp_path, text, region, published, title)}


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


def test_figures_after_a_run_of_counted_parts_are_the_wholes(tmp_path: Path) -> None:
    text = "全市共实施重点项目67个，其中省重点项目4个、邢台市重点项目21个，总投资238.6亿元，年度计划投资58.4亿元。"
    rows = _rows(tmp_path, text, region="沙河市", published="2023-03-10")
    assert ("沙河市", "county", "2023-01", "2023-12", "total_investment", 238.6, "") in rows
    assert ("沙河市", "city", "2023-01", "2023-12", "projects", 21.0, "") in rows
    text = ("今年全市共实施省、市、县三级重点项目612个。其中，省重点项目128个、市重点项目236个、县重点项目248个，"
            "年度计划投资分别为158.0亿元、240.4亿元、346.9亿元。")
    rows = _rows(tmp_path, text, region="宿州市", published="2023-03-10")
    assert ("宿州市", "province", "2023-01", "2023-12", "annual_plan", 158.0, "") in rows  # 分别: still the parts'


def test_a_group_of_places_before_等_is_none_of_theirs(tmp_path: Path) -> None:
    text = "1-9月，全县重点项目完成投资50亿元。百善镇等4个镇完成率不足20%。公安县、沙市区各新开工12个。"
    rows = _rows(tmp_path, text, region="濉溪县", published="2023-10-10")
    assert not any(r[0] == "百善镇" or r[5] == 20.0 for r in rows)


def test_towns_before_a_bare_list_noun_share_its_bound(tmp_path: Path) -> None:
    text = "1-9月，全旗重点项目完成投资50亿元。萨拉齐镇、双龙镇重点项目完成率均超过110%。"
    rows = _rows(tmp_path, text, region="土默特右旗", published="2023-10-10")
    assert ("萨拉齐镇", "county", "2023-01", "2023-09", "completion_rate", 110.0, "over") in rows
    assert ("双龙镇", "county", "2023-01", "2023-09", "completion_rate", 110.0, "over") in rows


def test_each_place_with_各_and_counts_after_增至_and_ranges(tmp_path: Path) -> None:
    text = "今年全市市级重点项目增至315个。市级领导每人包联3至5个重点项目。1-3月，公安县、沙市区各新开工12个。"
    rows = _rows(tmp_path, text, region="荆州市", published="2023-04-10")
    assert ("荆州市", "city", "2023-01", "2023-12", "projects", 315.0, "") in rows
    assert ("公安县", "city", "2023-01", "2023-03", "started_projects", 12.0, "") in rows
    assert ("沙市区", "city", "2023-01", "2023-03", "started_projects", 12.0, "") in rows
    assert not any(r[4] == "projects" and r[5] == 5.0 for r in rows)


def test_places_counted_by_a_word_give_no_level_and_the_nations_list_is_none(tmp_path: Path) -> None:
    text = "2023年1-9月，全省11个设区市省重点建设项目完成率如下：\n|设区市|完成率|\n|杭州市|85.2%|\n|宁波市|83.1%|\n"
    rows = _rows(tmp_path, text, region="浙江省", published="2023-10-20")
    assert ("杭州市", "province", "2023-01", "2023-09", "completion_rate", 85.2, "") in rows
    rows = _rows(tmp_path, "今年以来，我省共有68个项目纳入国家重大项目清单，前三季度完成投资921.3亿元。",
                 region="浙江省", published="2024-10-20")
    assert rows == set()


def test_a_second_ranking_and_a_rate_of_a_plan_after_为(tmp_path: Path) -> None:
    text = ("1-4月，全省重点项目完成投资1200亿元。从完成率看，排名前三位的是贵阳市（45.2%）、遵义市（41.3%）；"
            "排名后三位的是毕节市（31.0%）、铜仁市（30.1%）。")
    rows = _rows(tmp_path, text, region="贵州省", published="2021-05-20")
    assert ("毕节市", "province", "2021-01", "2021-04", "completion_rate", 31.0, "") in rows
    assert ("铜仁市", "province", "2021-01", "2021-04", "completion_rate", 30.1, "") in rows
    text = "2023年，全省重点项目完成投资5176亿元，为年度计划投资4800亿元的107.8%。延安、汉中等市完成率均在110%以上。"
    rows = _rows(tmp_path, text, region="陕西省", published="2024-01-20")
    assert ("陕西省", "province", "2023-01", "2023-12", "completion_rate", 107.8, "") in rows
    assert ("延安市", "province", "2023-01", "2023-12", "completion_rate", 110.0, "over") in rows


def test_three_levels_alone_a_headline_restating_and_a_numbered_heading(tmp_path: Path) -> None:
    text = "科左中旗1至11月重点项目完成投资逾44亿元\n1至11月，全旗三级重点项目完成投资441500万元，完成年度计划的92.7%。\n"
    rows = _rows(tmp_path, text, region="科尔沁左翼中旗", published="2019-12-10")
    assert rows == {("科尔沁左翼中旗", "province+city+county", "2019-01", "2019-11", "completed_investment", 44.15, ""),
                    ("科尔沁左翼中旗", "province+city+county", "2019-01", "2019-11", "completion_rate", 92.7, "")}
    text = "一季度，全市三级重点项目完成投资3.6亿元。\n（一）省级重点项目。5个项目完成投资1.5亿元。\n"
    rows = _rows(tmp_path, text, region="北安市", published="2022-04-10")
    assert ("北安市", "province", "2022-01", "2022-03", "completed_investment", 1.5, "") in rows


def test_last_year_ends_with_its_paragraph_in_a_report_of_this_year(tmp_path: Path) -> None:
    text = ("今年，全县共实施县级重点项目84个。1—11月，累计完成投资72.8亿元。\n去年，全县重点项目完成投资70.4亿元。\n"
            "截至11月底，竣工项目21个。")
    rows = _rows(tmp_path, text, region="丰宁满族自治县", published="2023-12-27", title="预计全年完成投资超80亿元")
    assert ("丰宁满族自治县", "county", "2022-01", "2022-12", "completed_investment", 70.4, "") in rows
    assert ("丰宁满族自治县", "county", "2023-01", "2023-11", "finished_projects", 21.0, "") in rows


def test_a_span_of_months_not_from_january(tmp_path: Path) -> None:
    rows = _rows(tmp_path, "7—9月，全县重点项目完成投资20.5亿元。", region="长汀县", published="2023-10-10")
    assert rows == {("长汀县", "county", "2023-07", "2023-09", "completed_investment", 20.5, "")}


def test_quarters_in_a_run_take_分别_values_in_turn_and_a_list_as_a_topic(tmp_path: Path) -> None:
    text = "一季度、二季度、三季度、四季度分别完成投资148.3亿元、183.2亿元、172.2亿元、164.5亿元。"
    rows = _rows(tmp_path, "2023年，全市市级重点项目完成投资668.2亿元。" + text, region="荆州市", published="2024-01-20")
    assert ("荆州市", "city", "2023-04", "2023-06", "completed_investment", 183.2, "") in rows
    assert ("荆州市", "city", "2023-10", "2023-12", "completed_investment", 164.5, "") in rows
    text = "省级重点项目方面，我市24个项目完成投资121.8亿元。"
    rows = _rows(tmp_path, "前三季度，全市重点项目完成投资503.7亿元。" + text, region="荆州市", published="2023-10-20")
    assert ("荆州市", "province", "2023-01", "2023-09", "completed_investment", 121.8, "") in rows


def test_a_county_level_city_without_a_prefecture_names_its_own_list_with_市(tmp_path: Path) -> None:
    text = "今年，我市共安排省、市重点项目88个。"
    assert _rows(tmp_path, text, region="万宁市", published="2023-05-01") == {
        ("万宁市", "province+county", "2023-01", "2023-12", "projects", 88.0, "")}
    assert _rows(tmp_path, text, region="晋江市", published="2023-05-01") == {
        ("晋江市", "province+city", "2023-01", "2023-12", "projects", 88.0, "")}


def test_a_counted_combined_list_becomes_the_overall_list_after_a_headlines_bare_one(tmp_path: Path) -> None:
    text = ("廉江市上半年重点项目完成投资103.7亿元\n\n今年上半年，全市126个各级重点项目累计完成投资103.7亿元。\n\n"
            "其中，6月份当月全市重点项目完成投资21.4亿元。\n")
    rows = _rows(tmp_path, text, region="廉江市", published="2024-07-16")
    assert ("廉江市", "province+city+county", "2024-06", "2024-06", "completed_investment", 21.4, "") in rows
    assert not any(r[1] == "county" for r in rows)  # the headline's 103.7 is the body's


def test_a_numbered_line_naming_one_project_is_not_the_list(tmp_path: Path) -> None:
    text = ("今年全县确定县级重点项目112个，总投资348.9亿元。\n2．某某高速公路本县段配套连接线，总投资8.6亿元，"
            "2024年计划投资3.1亿元；\n3．全县重点项目完成投资10亿元。\n")
    rows = _rows(tmp_path, text, region="祥云县", published="2024-03-10")
    assert not any(r[5] in (8.6, 3.1) for r in rows)
    assert ("祥云县", "county", "2024-01", "2024-02", "completed_investment", 10.0, "") in rows


def test_a_fortnights_figures_and_a_difference_from_the_last_issue_are_no_facts(tmp_path: Path) -> None:
    text = "1-8月，全县重点项目累计完成投资36.2亿元。本旬完成投资4.1亿元，比上期多完成0.8亿元。本通报期内新开工2个。"
    rows = _rows(tmp_path, text, region="南部县", published="2023-09-02")
    assert rows == {("南部县", "county", "2023-01", "2023-08", "completed_investment", 36.2, "")}


def test_last_year_goes_on_over_paragraphs_in_a_review_early_in_the_year(tmp_path: Path) -> None:
    text = ("今天召开全市重点项目建设动员大会，部署今年重点项目建设任务。\n过去的一年，全市重点项目完成投资126.4亿元。\n"
            "分县区看，萝北县完成投资18.6亿元。")
    rows = _rows(tmp_path, text, region="鹤岗市", published="2017-02-20")
    assert ("萝北县", "city", "2016-01", "2016-12", "completed_investment", 18.6, "") in rows


def test_a_bound_after_two_places_and_bracketed_metrics_after_each(tmp_path: Path) -> None:
    text = ("1-6月，全市重点项目完成投资50亿元。东岭镇、西岭镇完成率不足60%。"
            "慈利县（完成率58.9%）、永定区（完成率56.3%）进度领先。蓬安县42个县级重点项目完成投资19.3亿元。")
    rows = _rows(tmp_path, text, region="张家界市", published="2022-07-10")
    assert ("慈利县", "city", "2022-01", "2022-06", "completion_rate", 58.9, "") in rows
    assert ("永定区", "city", "2022-01", "2022-06", "completion_rate", 56.3, "") in rows
    assert ("蓬安县", "county", "2022-01", "2022-06", "completed_investment", 19.3, "") in rows
    assert ("东岭镇", "city", "2022-01", "2022-06", "completion_rate", 60.0, "under") in rows


def test_分别_over_the_lists_the_sentence_before_named(tmp_path: Path) -> None:
    text = ("今年我市共有省重大项目3个、潍坊市重点项目24个、市级重点项目120个。上半年，三类项目分别完成投资11.2亿元、"
            "30.4亿元、81.5亿元，完成率分别为60.2%、58.1%、55.5%。")
    rows = _rows(tmp_path, text, region="诸城市", published="2022-07-20")
    assert ("诸城市", "city", "2022-01", "2022-06", "completed_investment", 30.4, "") in rows
    assert ("诸城市", "county", "2022-01", "2022-06", "completion_rate", 55.5, "") in rows


def test_a_weekly_word_opening_a_part_of_the_sentence_holds_to_its_end(tmp_path: Path) -> None:
    text = "1-8月，全县重点项目累计完成投资36.2亿元，新开工项目20个；本周完成投资1.47亿元，新开工项目2个。"
    rows = _rows(tmp_path, text, region="眉县", published="2023-09-02")
    assert rows == {("眉县", "county", "2023-01", "2023-08", "completed_investment", 36.2, ""),
                    ("眉县", "county", "2023-01", "2023-08", "started_projects", 20.0, "")}


def test_a_place_after_a_semicolon_a_clause_before_分别_and_a_colon(tmp_path: Path) -> None:
    text = ("1-7月，全县重点项目完成投资50亿元。南娄镇、苌池镇完成率分别为72.6%和68.4%，进度较快；西烟镇仅为31.5%。"
            "分乡镇看，骆驼城镇、合黎镇进度较快，重点项目完成率分别为96.2%、91.5%。")
    rows = _rows(tmp_path, text, region="盂县", published="2018-08-10")
    assert ("西烟镇", "county", "2018-01", "2018-07", "completion_rate", 31.5, "") in rows
    assert ("合黎镇", "county", "2018-01", "2018-07", "completion_rate", 91.5, "") in rows
    rows = _rows(tmp_path, "前三季度成绩单\n▲1-9月完成投资：98.6亿元\n▲列入省重点项目：5个\n", region="阳谷县",
                 published="2023-10-20")
    assert ("阳谷县", "county", "2023-01", "2023-09", "completed_investment", 98.6, "") in rows
    assert ("阳谷县", "province", "2023-01", "2023-12", "projects", 5.0, "") in rows


def test_a_title_naming_a_bare_list_gives_way_to_a_counted_combined_list(tmp_path: Path) -> None:
    text = ("关于全县前三个季度重点项目建设推进情况的报告\n\n2021年，全县共实施省、市、县三级重点项目87个，其中省重点项目5个、"
            "市重点项目18个、县重点项目64个。\n前三个季度，全县重点项目累计完成投资29.7亿元。\n")
    rows = _rows(tmp_path, text, region="循化撒拉族自治县", published="2021-10-15")
    assert ("循化撒拉族自治县", "province+city+county", "2021-01", "2021-09", "completed_investment", 29.7, "") in rows


def test_towns_before_辖区内_and_a_level_spread_分别_values(tmp_path: Path) -> None:
    text = "1-12月，全县重点项目完成投资50亿元。临江镇、龙窝镇辖区内县重点项目完成率分别为61.2%、58.4%。"
    rows = _rows(tmp_path, text, region="紫金县", published="2024-01-10")
    assert ("临江镇", "county", "2023-01", "2023-12", "completion_rate", 61.2, "") in rows
    assert ("龙窝镇", "county", "2023-01", "2023-12", "completion_rate", 58.4, "") in rows


def test_towns_after_前三位为(tmp_path: Path) -> None:
    text = "1-8月，全县重点项目完成投资36.2亿元。完成率前三位为大桥镇（96.2%）、石门镇（91.5%）。"
    rows = _rows(tmp_path, text, region="南部县", published="2023-09-10")
    assert ("大桥镇", "county", "2023-01", "2023-08", "completion_rate", 96.2, "") in rows


def test_该市_in_a_county_level_citys_own_report_is_the_reporter(tmp_path: Path) -> None:
    rows = _rows(tmp_path, "今年1至9月，该市重点项目累计完成投资128.6亿元，完成率82.3%。", region="台山市",
                 published="2023-10-12")
    assert ("台山市", "county", "2023-01", "2023-09", "completed_investment", 128.6, "") in rows
    rows = _rows(tmp_path, "宝鸡市发改委介绍，今年该市重点项目完成投资50亿元。", region="凤翔区", published="2023-10-12")
    assert ("宝鸡市", "city", "2023-01", "2023-09", "completed_investment", 50.0, "") in rows


def test_towns_right_before_a_level_own_or_share_that_levels_figures(tmp_path: Path) -> None:
    text = ("1-6月，全县重点项目完成投资50亿元。张黄镇、寨圩镇县级重点项目完成率均超过110%。"
            "石埇镇县级重点项目完成率为112.1%。黄冕镇、四排镇的县级重点项目分别完成投资5.2亿元、2.9亿元。"
            "分乡镇看，所城镇（106.6%）、楠市镇（101.7%）县级重点项目完成率居前。今年新区重点项目总投资386.5亿元。")
    rows = _rows(tmp_path, text, region="浦北县", published="2023-07-12")
    assert {("张黄镇", "county", "2023-01", "2023-06", "completion_rate", 110.0, "over"),
            ("寨圩镇", "county", "2023-01", "2023-06", "completion_rate", 110.0, "over"),
            ("石埇镇", "county", "2023-01", "2023-06", "completion_rate", 112.1, ""),
            ("黄冕镇", "county", "2023-01", "2023-06", "completed_investment", 5.2, ""),
            ("四排镇", "county", "2023-01", "2023-06", "completed_investment", 2.9, ""),
            ("所城镇", "county", "2023-01", "2023-06", "completion_rate", 106.6, ""),
            ("楠市镇", "county", "2023-01", "2023-06", "completion_rate", 101.7, "")} <= rows
    assert ("浦北县", "county", "2023-01", "2023-12", "total_investment", 386.5, "") in rows  # 今年新区: no town


def test_a_run_of_towns_goes_on_whatever_word_follows_and_a_weekly_word_in_a_clause_before_is_not_the_figures(
        tmp_path: Path) -> None:
    text = ("一季度，全市重点项目完成投资63.6亿元。米河镇、回郭镇、紫荆路街道登上本期红榜，投资完成率分别达到41.2%、38.7%、36.5%。"
            "康店镇、鲁庄镇进入黑榜，完成率分别为14.3%、12.8%。")
    rows = _rows(tmp_path, text, region="巩义市", published="2024-04-12")
    for town, rate in (("米河镇", 41.2), ("回郭镇", 38.7), ("紫荆路街道", 36.5), ("康店镇", 14.3), ("鲁庄镇", 12.8)):
        assert (town, "county", "2024-01", "2024-03", "completion_rate", rate, "") in rows


def test_全省_and_全市_in_a_lower_governments_report_name_the_government_above(tmp_path: Path) -> None:
    rows = _rows(tmp_path, "1-6月，全县重点项目完成投资12亿元。同期，全市220个重点项目完成年度计划的49.8%。",
                 region="泾川县", published="2023-07-10")
    assert ("平凉市", "city", "2023-01", "2023-06", "completion_rate", 49.8, "") in rows
    assert ("泾川县", "county", "2023-01", "2023-06", "completed_investment", 12.0, "") in rows
    rows = _rows(tmp_path, "1-9月，全市重点项目完成投资12亿元。全省重点项目完成投资占年度计划的76.5%。",
                 region="双辽市", published="2023-10-10")
    assert ("双辽市", "county", "2023-01", "2023-09", "completed_investment", 12.0, "") in rows  # its own 全市
    assert ("吉林省", "province", "2023-01", "2023-09", "completion_rate", 76.5, "") in rows


def test_a_short_name_before_级_is_no_place_and_a_second_ranking_after_为(tmp_path: Path) -> None:
    rows = _rows(tmp_path, "今年，全州共确定州级重点项目178个，总投资2617.9亿元。", region="凉山彝族自治州",
                 published="2023-03-10")
    assert ("凉山彝族自治州", "city", "2023-01", "2023-12", "projects", 178.0, "") in rows
    rows = _rows(tmp_path, "1-11月，完成率前两位的是华龙区（88.2%）、清丰县（90.1%）；后两位为：南乐县（80.6%）、台前县（79.1%）。",
                 region="濮阳市", published="2022-12-10")
    assert ("台前县", "city", "2022-01", "2022-11", "completion_rate", 79.1, "") in rows


def test_a_counted_group_of_places_is_a_part_unless_it_is_every_county_with_its_own_lists(tmp_path: Path) -> None:
    text = "1-9月，全州重点项目完成投资100亿元。6个县市区完成投资超过10亿元。另有3个镇完成率不足80%。"
    rows = _rows(tmp_path, text, region="凉山彝族自治州", published="2023-10-10")
    assert not any(row[5] in (10.0, 80.0) for row in rows)
    rows = _rows(tmp_path, "三县（市）共安排县级重点项目214个，年度计划投资96.5亿元。", region="迪庆藏族自治州",
                 published="2023-03-10")
    assert ("迪庆藏族自治州", "county", "2023-01", "2023-12", "projects", 214.0, "") in rows  # all three: their lists
    rows = _rows(tmp_path, "10月，对7个县区的32个重点项目进行了观摩。衢州、丽水两市完成率分别达到68.4%、66.1%。",
                 region="商洛市", published="2022-10-20")
    assert not any(row[5] == 32.0 for row in rows)


def test_a_zones_own_projects_after_的_and_a_count_that_names_a_list_counted_before(tmp_path: Path) -> None:
    rows = _rows(tmp_path, "列入陕西省重点项目的新区项目87个，1-9月完成投资213.4亿元。", region="西咸新区",
                 published="2024-10-10")
    assert ("西咸新区", "province", "2024-01", "2024-09", "completed_investment", 213.4, "") in rows
    rows = _rows(tmp_path, "1-10月，列入全省重点项目的8个嫩江项目完成投资21.4亿元。", region="嫩江市",
                 published="2023-11-10")
    assert ("嫩江市", "province", "2023-01", "2023-10", "completed_investment", 21.4, "") in rows
    text = ("我县共有省市重点项目7个，其中省级重点项目3个、市级重点项目4个，总投资40.1亿元。"
            "截至6月末，7个项目累计完成投资8.38亿元，完成率56.2%。")
    rows = _rows(tmp_path, text, region="桦南县", published="2022-07-10")
    assert ("桦南县", "province+city", "2022-01", "2022-06", "completed_investment", 8.38, "") in rows


def test_a_clause_between_towns_and_their_figure(tmp_path: Path) -> None:
    text = ("1-9月，全县重点项目完成投资50亿元。横水镇、过埠镇项目推进较快，完成率分别为88.2%、84.6%。"
            "铅厂镇因两个项目用地报批滞后，完成率仅为52.3%。苏陈镇受土地征收进度影响，完成率仅为14.6%。"
            "松城街道、松港街道推进较快，重点项目完成率均超过80%。蓼泉镇、平川镇重点项目完成率均超过50%。")
    rows = _rows(tmp_path, text, region="崇义县", published="2024-10-10")
    assert {("横水镇", "county", "2024-01", "2024-09", "completion_rate", 88.2, ""),
            ("过埠镇", "county", "2024-01", "2024-09", "completion_rate", 84.6, ""),
            ("铅厂镇", "county", "2024-01", "2024-09", "completion_rate", 52.3, ""),
            ("苏陈镇", "county", "2024-01", "2024-09", "completion_rate", 14.6, ""),
            ("松港街道", "county", "2024-01", "2024-09", "completion_rate", 80.0, "over"),
            ("平川镇", "county", "2024-01", "2024-09", "completion_rate", 50.0, "over")} <= rows  # (no 平川区)


def test_a_share_of_a_parents_list_counted_after_中_or_方面(tmp_path: Path) -> None:
    text = ("1-9月，湛江市重点项目中，我市有二十六个，完成投资41.8亿元。"
            "襄阳市重点项目方面，列入的我市项目31个，完成投资36.5亿元。")
    rows = _rows(tmp_path, text, region="雷州市", published="2022-10-10")
    assert ("雷州市", "city", "2022-01", "2022-12", "projects", 26.0, "") in rows
    assert ("雷州市", "city", "2022-01", "2022-09", "completed_investment", 41.8, "") in rows
    rows = _rows(tmp_path, "截至5月底，全县重点项目中已开工的有33个。今年县级重点项目中，产业项目96个。",
                 region="连南瑶族自治县", published="2022-06-10")
    assert not any(row[4] == "projects" for row in rows)


def test_parts_after_其中_leave_the_whole_current_and_one_part_before_a_clause_of_figures(tmp_path: Path) -> None:
    text = ("列入省、市重点项目共计67个，其中省重点项目14个、市重点项目53个，年度计划投资223.15亿元。"
            "截至8月底，累计完成投资164.82亿元。")
    rows = _rows(tmp_path, text, region="翔安区", published="2022-09-10")
    assert ("翔安区", "province+city", "2022-01", "2022-08", "completed_investment", 164.82, "") in rows
    rows = _rows(tmp_path, "全县安排县重点项目72个，其中省重点项目11个，总投资435.6亿元。", region="漳浦县",
                 published="2015-03-10")
    assert ("漳浦县", "county", "2015-01", "2015-12", "total_investment", 435.6, "") in rows
    text = "全年推进市级重点项目128项，完成投资356.4亿元；其中自治区重大项目35项，完成投资171.2亿元。"
    rows = _rows(tmp_path, text, region="北海市", published="2019-01-20")
    assert not any(row[1] == "city" and row[5] == 171.2 for row in rows)  # the part's own, after the whole's


def test_signings_of_a_place_named_in_their_clause_are_that_places(tmp_path: Path) -> None:
    rows = _rows(tmp_path, "今年以来，金溪县新签约项目18个，签约资金63.5亿元。全市新签约项目96个。", region="抚州市",
                 published="2025-11-10")
    assert ("金溪县", "county", "2025-01", "2025-10", "signed_projects", 18.0, "") in rows
    assert ("抚州市", "city", "2025-01", "2025-10", "signed_projects", 96.0, "") in rows


def test_a_parent_that_arranged_its_list_owns_it_and_a_parents_list_named_otherwise_holds_the_reporters_projects(
        tmp_path: Path) -> None:
    rows = _rows(tmp_path, "金昌市今年安排市列重点项目80个，年度计划投资116.4亿元。", region="永昌县",
                 published="2019-03-10")
    assert ("金昌市", "city", "2019-01", "2019-12", "projects", 80.0, "") in rows
    rows = _rows(tmp_path, "列入金昌市重点项目的我县项目12个，年度计划投资16.4亿元。", region="永昌县",
                 published="2019-03-10")
    assert ("永昌县", "city", "2019-01", "2019-12", "projects", 12.0, "") in rows


def test_places_with_bracketed_rates_in_the_clause_after_a_rate_are_that_rates(tmp_path: Path) -> None:
    text = ("1-12月，全区重点项目完成投资102亿元。按镇办排名，大河坎镇、梁山镇重点项目完成率均超过120%，"
            "协税镇（97.4%）、新集镇（93.8%）紧随其后。")
    rows = _rows(tmp_path, text, region="南郑区", published="2023-01-16")
    assert ("协税镇", "county", "2022-01", "2022-12", "completion_rate", 97.4, "") in rows
    assert ("新集镇", "county", "2022-01", "2022-12", "completion_rate", 93.8, "") in rows


def test_places_with_分别_in_the_clause_after_a_rate_take_that_rate(tmp_path: Path) -> None:
    text = ("1-6月，全县重点项目完成投资30亿元。分乡镇（街道）看，槐店乡完成率最高，为63.5%；"
            "紫水街道、弦山街道分别为58.2%、56.7%。")
    rows = _rows(tmp_path, text, region="沈丘县", published="2024-07-10")
    assert ("紫水街道", "county", "2024-01", "2024-06", "completion_rate", 58.2, "") in rows
    assert ("弦山街道", "county", "2024-01", "2024-06", "completion_rate", 56.7, "") in rows
