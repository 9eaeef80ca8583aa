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
