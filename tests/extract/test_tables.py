"""Tables: rows of places, levels, zones and periods; columns of metrics, lists, periods and units."""
from __future__ import annotations

from pathlib import Path

from conftest import text_facts


def _rows(tmp_path: Path, text: str, region: str = "长汀县", published: str = "2022-07-10", title: str = "") -> set:
    return {(r["region"], r["scope"], r["period_start"], r["period_end"], r["metric"], r["value"])
            for r in text_facts(tmp_path, text, region, published, title)}


def test_a_table_with_indicators_as_rows_and_month_ranges_as_columns(tmp_path: Path) -> None:
    text = ("表 2024年县级重点项目主要监测指标\n"
            "|指标名称|1-3月|1-4月|\n|累计完成投资（亿元）|21.7|30.2|\n|累计新开工项目（个）|9|14|\n")
    rows = _rows(tmp_path, text, region="泰和县", published="2024-07-15")
    assert ("泰和县", "county", "2024-01", "2024-03", "completed_investment", 21.7) in rows
    assert ("泰和县", "county", "2024-01", "2024-04", "started_projects", 14.0) in rows


def test_tables_with_a_category_column_and_with_periods_as_rows(tmp_path: Path) -> None:
    text = ("表1 各县市区省市重点项目推进情况\n|县市区|类别|项目数|完成投资|完成率|\n|东岭县|省重点|5|14.2|46.8|\n"
            "||市重点|28|22.6|44.1|\n|合计|省重点|16|40.8|45.6|\n")
    rows = _rows(tmp_path, "1—5月，全市重点项目进展顺利。\n" + text, region="宣城市", published="2023-06-10")
    assert ("宣城市", "province", "2023-01", "2023-05", "completed_investment", 40.8) in rows
    rows = _rows(tmp_path, "1—5月，宣州区省市重点项目进展情况见下表。\n|县市区|类别|项目数|完成投资|\n"
                 "|宣州区|省重点|5|14.2|\n||市重点|28|22.6|\n", region="宣城市", published="2023-06-10")
    assert ("宣州区", "city", "2023-01", "2023-05", "completed_investment", 22.6) in rows
    text = ("|  |省级重点项目|  |市级重点项目|  |\n|---|---|---|---|---|\n|时段|完成投资|完成率|完成投资|完成率|\n"
            "|8月当月|1.92|—|2.35|—|\n|1～8月累计|13.1|70.4|16.9|68.1|\n")
    rows = _rows(tmp_path, "2019年1～8月，全市重点项目进展情况如下。\n" + text, region="侯马市", published="2019-09-10")
    assert ("侯马市", "province", "2019-08", "2019-08", "completed_investment", 1.92) in rows
    assert ("侯马市", "province", "2019-01", "2019-08", "completion_rate", 70.4) in rows


def test_zones_in_table_rows_are_regions_and_经开区_is_written_out(tmp_path: Path) -> None:
    text = "1-6月，全区重点项目进展情况如下。\n|单位|项目数|完成投资|\n|晏家街道|12|8.6|\n|长寿经开区|52|47.9|\n"
    rows = _rows(tmp_path, text, region="长寿区", published="2022-07-15")
    assert ("长寿经济技术开发区", "county", "2022-01", "2022-06", "completed_investment", 47.9) in rows
    assert ("晏家街道", "county", "2022-01", "2022-06", "completed_investment", 8.6) in rows


def test_a_table_total_under_lists_of_levels_is_their_combined_list(tmp_path: Path) -> None:
    text = ("全区省、市、区三级重点项目进展如下表。\n|项目类别|项目数(个)|年度计划投资(亿元)|\n"
            "|省级重点项目|10|30.5|\n|市级重点项目|20|40.5|\n|区级重点项目|50|60|\n|合计|80|131|\n")
    rows = _rows(tmp_path, text, region="汉滨区")
    assert ("汉滨区", "province+city+county", "2022-01", "2022-12", "projects", 80.0) in rows
    assert not any(row[1] == "county" and row[5] == 80.0 for row in rows)


def test_a_town_in_a_table_takes_the_lists_scope(tmp_path: Path) -> None:
    text = "分镇情况如下表。\n|镇名|项目个数(个)|完成年度任务比例(%)|\n|城关镇|11|87.1|\n|古田镇|9|79|\n"
    rows = _rows(tmp_path, text)
    assert ("城关镇", "county", "2022-01", "2022-12", "projects", 11.0) in rows
    # no period in a page of July: progress to date (the year is not over), as 截至目前
    assert ("古田镇", "county", "2022-01", "2022-06", "completion_rate", 79.0) in rows


def test_a_table_with_a_merged_header_row_reads_its_columns(tmp_path: Path) -> None:
    text = ("上半年全县重点项目完成情况如下表。\n|类别|年度计划| |1-6月完成| |\n|---|---|---|---|---|\n"
            "| |项目数(个)|投资额(亿元)|投资额(亿元)|完成率(%)|\n|县级重点项目|40|50.5|26.1|51.7|\n"
            "|市级重点项目|6|12|7.2|60|\n")
    rows = _rows(tmp_path, text)
    assert {("长汀县", "county", "2022-01", "2022-12", "annual_plan", 50.5),
            ("长汀县", "county", "2022-01", "2022-06", "completed_investment", 26.1),
            ("长汀县", "city", "2022-01", "2022-06", "completion_rate", 60.0)} <= rows


def test_columns_under_a_lists_merged_header_are_that_lists(tmp_path: Path) -> None:
    text = ("今年全市共实施市、县两级重点项目300个。各县区完成情况见下表。\n|县区|市重点项目| |县重点项目| |\n|---|---|---|---|---|\n"
            "| |项目数(个)|1-6月完成投资(亿元)|项目数(个)|1-6月完成投资(亿元)|\n|宁化县|12|8.5|30|11.2|\n|合计|40|30.1|260|95.3|\n")
    rows = _rows(tmp_path, text, region="三明市")
    assert {("宁化县", "city", "2022-01", "2022-12", "projects", 12.0),
            ("宁化县", "county", "2022-01", "2022-06", "completed_investment", 11.2),
            ("三明市", "city", "2022-01", "2022-06", "completed_investment", 30.1),
            ("三明市", "county", "2022-01", "2022-12", "projects", 260.0)} <= rows


def test_a_rate_column_without_months_takes_the_tables_other_columns(tmp_path: Path) -> None:
    text = ("二、分县区完成情况\n|县(区)|年度计划投资|1—7月累计完成|完成率(%)|\n|---|---|---|---|\n"
            "|宁化县|78.2|50.36|64.4|\n")
    rows = _rows(tmp_path, "2022年全市安排市级重点项目216个。\n" + text, region="三明市", published="2022-08-15")
    assert {("宁化县", "city", "2022-01", "2022-07", "completed_investment", 50.36),
            ("宁化县", "city", "2022-01", "2022-07", "completion_rate", 64.4)} <= rows


def test_a_rank_column_before_the_labels_and_stage_and_schedule_columns(tmp_path: Path) -> None:
    text = ("上半年全市重点项目分县区情况如下表。\n|排名|县(区)|综合得分|完成投资(亿元)|开工率(%)|新开工项目(个)|计划竣工项目(个)|"
            "比序时进度(百分点)|\n|---|---|---|---|---|---|---|---|\n|1|宁化县|94.6|46.2|88.1|9|3|7.1|\n"
            "|2|清流县|80.2|21.3|70.4|4|2|-1.7|\n")
    rows = _rows(tmp_path, text, region="三明市")
    assert {("宁化县", "city", "2022-01", "2022-06", "completed_investment", 46.2),
            ("宁化县", "city", "2022-01", "2022-06", "started_projects", 9.0),
            ("宁化县", "city", "2022-01", "2022-06", "ahead_of_schedule", 7.1),
            ("清流县", "city", "2022-01", "2022-06", "ahead_of_schedule", -1.7)} <= rows
    assert not any(row[5] in (94.6, 88.1, 3.0, 1.0) for row in rows)
    rows = _rows(tmp_path, text.replace("比序时进度", "低于序时进度").replace("-1.7", "1.7"), region="三明市")
    assert ("清流县", "city", "2022-01", "2022-06", "ahead_of_schedule", -1.7) in rows


def test_a_table_with_periods_as_columns_gives_each_period_its_figures(tmp_path: Path) -> None:
    text = ("两年主要指标对比如下：\n|指标|2022年（截至11月底）|2021年（全年）|\n|---|---|---|\n|重点项目（个）|136|118|\n"
            "|完成投资（万元）|1,528,000|1,286,000|\n|完成年度计划（%）|104.5|98.2|\n")
    rows = _rows(tmp_path, text, published="2022-12-10")
    assert {("长汀县", "county", "2022-01", "2022-12", "projects", 136.0),
            ("长汀县", "county", "2022-01", "2022-11", "completed_investment", 152.8),
            ("长汀县", "county", "2021-01", "2021-12", "completed_investment", 128.6),
            ("长汀县", "county", "2021-01", "2021-12", "completion_rate", 98.2)} <= rows


def test_a_table_column_named_by_a_list_and_its_counter_is_its_count(tmp_path: Path) -> None:
    text = "|县区|市重点项目（个）|完成投资（亿元）|\n|---|---|---|\n|宁化县|12|8.5|\n"
    rows = _rows(tmp_path, "1-9月全市重点项目进展如下。\n" + text, region="三明市", published="2022-10-20")
    assert ("宁化县", "city", "2022-01", "2022-12", "projects", 12.0) in rows


def test_a_county_page_reposting_its_citys_table_by_county(tmp_path: Path) -> None:
    text = ("1—10月，全市152个市级重点项目累计完成投资326.8亿元，占年度计划投资的82.0%，低于时序进度1.3个百分点，"
            "全市列入省重点项目26个。\n各县（市、区）推进情况如下：\n|单位|项目数(个)|1—10月完成投资(亿元)|\n|---|---|---|\n"
            "|宁化县|14|24.1|\n|清流县|24|40.3|\n|泰宁县|11|13.2|\n|合计|152|326.8|\n")
    rows = _rows(tmp_path, text, region="清流县", published="2019-11-15")
    assert {("宁化县", "city", "2019-01", "2019-12", "projects", 14.0),
            ("清流县", "city", "2019-01", "2019-10", "completed_investment", 40.3),
            ("三明市", "city", "2019-01", "2019-10", "completed_investment", 326.8)} <= rows


def test_a_rows_period_is_read_from_its_label_column_after_a_number_column(tmp_path: Path) -> None:
    text = ("2024年全县重点项目投资完成情况表\n单位：亿元\n|序号|时段|县重点项目完成投资|\n|---|---|---|\n"
            "|1|8月当月|3.2|\n|2|1～8月累计|25.6|\n")
    rows = _rows(tmp_path, text, region="永定区", published="2024-09-10")
    assert ("永定区", "county", "2024-08", "2024-08", "completed_investment", 3.2) in rows
    assert ("永定区", "county", "2024-01", "2024-08", "completed_investment", 25.6) in rows


def test_months_as_rows_take_their_columns_当月_or_累计(tmp_path: Path) -> None:
    text = ("2023年全县重点项目逐月完成情况\n| 月份 | 当月完成投资（亿元） | 累计完成投资（亿元） | 累计完成年度计划（%） |\n"
            "|---|---|---|---|\n| 1～2月 | — | 8.6 | 11.9 |\n| 3月 | 6.1 | 14.7 | 20.3 |\n| 10月 | 6.0 | 58.9 | 81.2 |\n")
    rows = _rows(tmp_path, text, region="建水县", published="2024-01-20")
    assert ("建水县", "county", "2023-01", "2023-02", "completed_investment", 8.6) in rows
    assert ("建水县", "county", "2023-03", "2023-03", "completed_investment", 6.1) in rows
    assert ("建水县", "county", "2023-01", "2023-03", "completed_investment", 14.7) in rows
    assert ("建水县", "county", "2023-01", "2023-03", "completion_rate", 20.3) in rows
    assert ("建水县", "county", "2023-10", "2023-10", "completed_investment", 6.0) in rows
    assert not any(row[2] == "2023-01" and row[3] == "2023-12" for row in rows)


def test_a_caption_naming_places_by_kind_and_a_level_takes_the_level(tmp_path: Path) -> None:
    text = ("1～5月，各县区、市属开发区市级重点项目完成情况见下表。\n"
            "| 县区 | 项目数（个） | 1～5月完成投资（万元） |\n|---|---|---|\n| 东营区 | 28 | 368400 |\n| 河口区 | 19 | 206300 |\n")
    rows = _rows(tmp_path, text, region="东营市", published="2024-06-10")
    assert ("东营区", "city", "2024-01", "2024-05", "completed_investment", 36.84) in rows
    assert not any(row[1] == "county" for row in rows)


def test_years_as_rows_and_a_growth_column_that_is_no_figure(tmp_path: Path) -> None:
    text = ("表1  2021—2023年全市重点项目建设情况\n| 年份 | 项目数（个） | 完成投资（亿元） | 完成投资同比增长（%） |\n|---|---|---|---|\n"
            "| 2021年 | 98 | 126.3 | 9.8 |\n| 2022年 | 107 | 139.7 | 10.6 |\n")
    rows = _rows(tmp_path, text, region="无为市", published="2024-02-10")
    assert ("无为市", "county", "2021-01", "2021-12", "completed_investment", 126.3) in rows
    assert ("无为市", "county", "2022-01", "2022-12", "projects", 107.0) in rows
    assert not any(row[5] in (9.8, 10.6) for row in rows)
    aligned = ("　　表　2021—2023年全市重点项目完成情况\n　　年份　　项目数　　年度计划　　完成投资\n"
               "　　2021　　 68　　　　52.4　　　　　 55.1\n　　2022　　 74　　　　58.6　　　　　 60.2\n")
    rows = _rows(tmp_path, aligned, region="平泉市", published="2024-02-10")
    assert ("平泉市", "county", "2021-01", "2021-12", "completed_investment", 55.1) in rows
    assert ("平泉市", "county", "2022-01", "2022-12", "projects", 74.0) in rows


def test_a_bare_subtotal_is_a_category_and_a_total_may_hold_its_count(tmp_path: Path) -> None:
    text = ("2025年全县重点项目计划表（单位：亿元）\n|序号|项目名称|总投资|年度计划|\n|---|---|---|---|\n"
            "|一|产业类| | |\n|1|某某食品加工项目|12.0|4.0|\n| |小计|30.7|10.3|\n|二|基础设施类| | |\n"
            "|2|某某道路工程|9.0|3.0|\n| |小计|33.7|9.6|\n| |合计（12个）|64.4|19.9|\n")
    rows = _rows(tmp_path, text, region="闽侯县", published="2025-02-10")
    assert not any(row[5] in (30.7, 33.7, 10.3, 9.6) for row in rows)
    assert ("闽侯县", "county", "2025-01", "2025-12", "total_investment", 64.4) in rows
