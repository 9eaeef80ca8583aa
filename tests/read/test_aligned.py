"""Space-aligned tables become pipe tables before normalization (keyproj.read.aligned)."""
from __future__ import annotations

from pathlib import Path

from keyproj.extract import extract_rows
from keyproj.read.aligned import pipe_aligned_tables
from keyproj.read.documents import read_document

TABLE = ("表1  全县重点项目进展情况\n"
         "类  别              项目数    年度计划投资    1-6月完成投资\n"
         "合  计                40         50.5            26.1\n"
         "  列入省重点项目        6         12.0             7.2\n")


def test_an_aligned_table_becomes_a_pipe_table_and_other_lines_stay() -> None:
    text = "今年以来，全县重点项目进展顺利。\n" + TABLE + "全县  共有  3个乡镇。\n"
    out = pipe_aligned_tables(text).split("\n")
    assert out[0] == "今年以来，全县重点项目进展顺利。"
    assert out[1] == "表1  全县重点项目进展情况"  # a caption, not a row
    assert out[2:5] == ["|类别|项目数|年度计划投资|1-6月完成投资|", "|合计|40|50.5|26.1|", "|列入省重点项目|6|12.0|7.2|"]
    assert out[5] == "全县  共有  3个乡镇。"


def test_text_without_an_aligned_table_is_the_same_object() -> None:
    one_row = "甲   1   2\n今年全县重点项目40个。\n"
    assert pipe_aligned_tables(one_row) is one_row
    prose = "今年全县重点项目40个，完成投资26.1亿元。\n"
    assert pipe_aligned_tables(prose) is prose


def test_the_rows_of_an_aligned_table_are_read_as_facts(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text("2022年上半年全县重点项目进展情况\n" + TABLE, encoding="utf-8")
    meta = {"file": "t.txt", "published": "2022-07-10", "region": "长汀县", "title": "", "url": ""}
    rows = {(r["scope"], r["period_end"], r["metric"], r["value"]) for r in extract_rows(read_document(path, meta))}
    assert ("province", "2022-06", "completed_investment", 7.2) in rows
    assert ("county", "2022-12", "annual_plan", 50.5) in rows


def test_a_table_aligned_with_full_width_spaces_and_per_cent_signs() -> None:
    text = ("\u3000\u3000乡镇\u3000\u3000\u3000项目数\u3000\u3000年度计划投资\u3000\u3000完成率\n"
            "\u3000\u3000城关镇\u3000\u3000\u300012\u3000\u3000\u300098600\u3000\u3000\u300088.5％\n"
            "\u3000\u3000河口镇\u3000\u3000\u3000 9\u3000\u3000\u300076400\u3000\u3000\u300091.8％\n")
    out = pipe_aligned_tables(text).split("\n")
    assert out[:3] == ["|乡镇|项目数|年度计划投资|完成率|", "|城关镇|12|98600|88.5％|", "|河口镇|9|76400|91.8％|"]


def test_a_serial_number_column_before_the_labels() -> None:
    text = ("序号  乡镇      项目数  年度计划投资  完成率\n"
            " 1   城关镇       9        62000      94.0%\n"
            " 2   河口镇       7        48500      86.8%\n")
    out = pipe_aligned_tables(text).split("\n")
    assert out[:3] == ["|序号|乡镇|项目数|年度计划投资|完成率|", "|1|城关镇|9|62000|94.0%|", "|2|河口镇|7|48500|86.8%|"]


def test_units_on_a_line_under_the_column_names_join_the_name_above_them() -> None:
    text = ("    单位      项目数   年度计划投资    完成投资    完成率    排名\n"
            "                      （亿元）      （亿元）     （%）\n"
            "    东城区      38        86.4         74.6       86.3       1\n"
            "    西城区      45        98.7         83.1       84.2       2\n")
    out = pipe_aligned_tables(text).split("\n")
    assert "|单位|项目数|年度计划投资（亿元）|完成投资（亿元）|完成率（%）|排名|" in out
    assert "（亿元）" not in "".join(line for line in out if not line.startswith("|"))
    assert out[-3:-1] == ["|东城区|38|86.4|74.6|86.3|1|", "|西城区|45|98.7|83.1|84.2|2|"]


def test_rows_named_by_a_level_without_the_list_noun(tmp_path: Path) -> None:
    path = tmp_path / "doc.txt"
    path.write_text("表1 2023年全县各级重点项目完成情况\n"
                    "类 别        项目数(个)  年度计划投资(亿元)  完成投资(亿元)\n"
                    "自治区重点      9           28.6              30.1\n"
                    "县级重点       47           42.5              44.9\n"
                    "其他乡镇        5            3.1               2.2\n", encoding="utf-8")
    meta = {"file": path.name, "published": "2024-01-20", "region": "中宁县", "title": "", "url": ""}
    rows = {(r["region"], r["scope"], r["metric"], r["value"]) for r in extract_rows(read_document(path, meta))}
    assert ("中宁县", "province", "completed_investment", 30.1) in rows
    assert ("中宁县", "county", "projects", 47.0) in rows
    assert not any(region == "其他乡镇" for region, *_ in rows)  # the rest of the towns is no town


def test_a_header_whose_cells_one_full_width_space_divides() -> None:
    text = ("\u3000\u3000镇（街道）\u3000\u3000项目数（个）\u3000年度计划投资（亿元）\u3000完成率（%）\n"
            "\u3000\u3000东镇街道\u3000\u3000\u3000\u30009\u3000\u3000\u3000\u3000\u3000\u30008.62\u3000\u3000\u3000\u300091.8\n"
            "\u3000\u3000西岭镇\u3000\u3000\u3000\u3000\u30006\u3000\u3000\u3000\u3000\u3000\u30005.10\u3000\u3000\u3000\u300082.9\n")
    out = pipe_aligned_tables(text).split("\n")
    assert out[0] == "|镇（街道）|项目数（个）|年度计划投资（亿元）|完成率（%）|"
    assert out[1] == "|东镇街道|9|8.62|91.8|"


def test_a_place_with_its_category_rows_becomes_one_pipe_table() -> None:
    text = ("    县市区        类别        项目数      完成投资\n"
            "    东岭县        省重点         5          14.2\n"
            "                  市重点        28          22.6\n"
            "    西岭县        省重点         2           4.9\n")
    out = pipe_aligned_tables(text).split("\n")
    assert out[:4] == ["|县市区|类别|项目数|完成投资|", "|东岭县|省重点|5|14.2|", "||市重点|28|22.6|", "|西岭县|省重点|2|4.9|"]


def test_a_last_column_of_words_after_the_numbers_stays_in_the_table() -> None:
    text = ("　　单位　　　　项目数　　完成投资（亿元）　　完成率　　考核得分　　等次\n"
            "　　东岭镇　　　　9　　　　　7.82　　　　　121.6%　　　96.5　　　　优秀\n"
            "　　西岭镇　　　　6　　　　　3.95　　　　　 96.4%　　　85.3　　　　良好\n"
            "以上镇　街道　一般\n")
    out = pipe_aligned_tables(text).split("\n")
    assert out[:3] == ["|单位|项目数|完成投资（亿元）|完成率|考核得分|等次|", "|东岭镇|9|7.82|121.6%|96.5|优秀|",
                       "|西岭镇|6|3.95|96.4%|85.3|良好|"]
    assert out[3] == "以上镇　街道　一般"  # words only: no row


def test_a_table_whose_cells_one_space_divides() -> None:
    text = "表1  各乡镇重点项目推进情况\n乡镇 项目数 年度计划投资 完成投资 完成率\n城厢镇 24 16.8 9.7 57.7%\n那桐镇 15 9.4 5.3 56.4%\n"
    out = pipe_aligned_tables(text).split("\n")
    assert out[1:4] == ["|乡镇|项目数|年度计划投资|完成投资|完成率|", "|城厢镇|24|16.8|9.7|57.7%|", "|那桐镇|15|9.4|5.3|56.4%|"]
    prose = "全县 共有 3个乡镇。\n今年 2024 年\n"
    assert pipe_aligned_tables(prose) == prose
