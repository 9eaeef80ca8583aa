"""keyproj.read.layout.untangle_columns: two-column pages printed side by side, and what to leave alone."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keyproj.read.layout import display_width, untangle_columns

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"  # the column texts of d22-d24, copied from the devset's _build folder
DOCS = HERE.parent / "devset" / "docs"
TWO_COLUMN_DOCS = ["d22", "d23", "d24"]


def squeeze(text: str) -> str:
    """The text without any whitespace or line break."""
    return re.sub(r"\s+", "", text)


def source_parts(doc: str) -> tuple[str, str, str, str]:
    """Header, left column, right column and footer of a page, as the columns really read."""
    header, left, right, footer = (DATA / f"{doc}.src").read_text(encoding="utf-8").split("\n===\n")
    return header, left, right, footer


def side_by_side(left: list[str], right: list[str], column: int, indent: int = 0) -> str:
    """Lines of two columns printed next to each other, the right one starting at display
    ``column`` (plus ``indent`` on its lines that start a paragraph, marked by 【)."""
    rows = []
    for index in range(max(len(left), len(right))):
        a = left[index] if index < len(left) else ""
        b = right[index] if index < len(right) else ""
        pad = column - display_width(a) + (indent if b.startswith("【") else 0)
        rows.append((a + " " * pad + b).rstrip())
    return "\n".join(rows)


LEFT = ["【项目建设】本年度全县安排重点项目四十二个，",
        "总投资三百一十亿元，年度计划投资八十八亿",
        "元，其中新建项目二十个，续建项目二十二个。",
        "截至六月底，重点项目完成投资四十五点二亿",
        "元，完成年度计划的百分之五十一点四。",
        "【要素保障】全年协调解决用地需求一千二百亩，",
        "办理施工许可手续三十六件。"]
RIGHT = ["【招商工作】全年共接待客商考察团组六十批次，",
         "新引进亿元以上产业项目十五个，到位资金二十",
         "亿元，同比有所增长。",
         "【营商环境】全面推行并联审批和容缺受理，",
         "企业开办时间压缩到一个工作日以内。"]


@pytest.mark.parametrize("doc", TWO_COLUMN_DOCS)
def test_each_column_reads_contiguously(doc: str) -> None:
    raw = (DOCS / f"{doc}.txt").read_text(encoding="utf-8")
    header, left, right, footer = source_parts(doc)
    out = squeeze(untangle_columns(raw))
    for part in (header, left, right, footer):
        assert squeeze(part) in out
    assert out.index(squeeze(left)) < out.index(squeeze(right))


@pytest.mark.parametrize("doc, joined", [
    ("d22", ["确定市级重点项目326个", "年度计划投资402.5亿元", "完成投资126.3亿元，", "389.7亿元，完成年度计划"]),
    ("d23", ["重点建设项目368项", "另有13项部分投产", "落后时间进度3.2个百分点", "基础设施投资286.4亿元"]),
    ("d24", ["完成投资2968000万元", "建成投产项目61个", "完成年度计划的45.2%，快于"]),
])
def test_numbers_stay_with_their_units(doc: str, joined: list[str]) -> None:
    out = untangle_columns((DOCS / f"{doc}.txt").read_text(encoding="utf-8"))
    for phrase in joined:
        assert phrase in out, phrase
    assert not re.search(r"\d\n[个项亿万元%]", out)


@pytest.mark.parametrize("doc", TWO_COLUMN_DOCS)
def test_untangled_text_is_left_as_it_is(doc: str) -> None:
    once = untangle_columns((DOCS / f"{doc}.txt").read_text(encoding="utf-8"))
    assert untangle_columns(once) is once


def test_other_devset_documents_are_the_same_object() -> None:
    for path in sorted(DOCS.iterdir()):
        if path.stem not in TWO_COLUMN_DOCS:
            text = path.read_text(encoding="utf-8")
            assert untangle_columns(text) is text, path.name


@pytest.mark.parametrize("column, indent", [(46, 0), (50, 4), (60, 0)])
def test_synthetic_page_with_text_around_it(column: int, indent: int) -> None:
    page = side_by_side(LEFT, RIGHT, column, indent)
    text = f"县发展和改革局工作总结\n\n{page}\n\n下一步将继续抓好重点项目调度。\n"
    out = untangle_columns(text)
    lines = out.split("\n")
    assert lines[:2] == ["县发展和改革局工作总结", ""]
    assert lines[-3:] == ["", "下一步将继续抓好重点项目调度。", ""]
    assert squeeze("".join(LEFT) + "".join(RIGHT)) in squeeze(out)
    assert "【招商工作】全年共接待客商考察团组六十批次，" in lines  # the right column, unindented


def test_right_column_longer_than_left() -> None:
    page = side_by_side(RIGHT, LEFT, 46)  # the lines of the longer column stand alone at the end
    assert page.split("\n")[-1].startswith(" " * 46)
    out = untangle_columns(page)
    assert squeeze(out) == squeeze("".join(RIGHT) + "".join(LEFT))


def test_blank_line_inside_the_page_is_bridged() -> None:
    page = side_by_side(LEFT[:3], RIGHT[:3], 46) + "\n\n" + side_by_side(LEFT[3:], RIGHT[3:], 46)
    out = untangle_columns(page)
    assert squeeze(out) == squeeze("".join(LEFT) + "".join(RIGHT))


def test_prose_with_occasional_double_spaces_is_unchanged() -> None:
    text = ("今年以来，全市重点项目  建设总体平稳，一季度完成投资三十亿元。\n"
            "市发改委将继续加强调度，  确保全年目标任务顺利完成。\n"
            "各县区要压实责任，加快推进  项目前期工作，  做好要素保障。\n"
            "附件：重点项目清单  （略）\n")
    assert untangle_columns(text) is text


def test_aligned_table_of_numbers_is_not_two_prose_columns() -> None:
    # Rule: both columns must hold mostly CJK prose lines (no inner gaps) of similar width;
    # a table's cells are short, numeric and separated by more than one gap.
    table = (
        "地区        项目数    完成投资\n"
        "泉州市      120       45.6\n"
        "晋江市      36        12.8\n"
        "南安市      28        9.7\n"
        "泉港区      15        4.2\n"
    )
    assert untangle_columns(table) is table
    two_cells = "\n".join(f"{place}                {value}" for place, value in [
        ("泉州市重点项目", "一百二十个"), ("晋江市重点项目", "三十六个"), ("南安市重点项目", "二十八个"),
        ("泉港区重点项目", "十五个")])
    assert untangle_columns(two_cells) is two_cells  # CJK cells, but short: a table


def test_texts_without_layout_return_unchanged() -> None:
    # Speed is measured by bench/bench_extract.py, not here (timed tests fail on a busy machine).
    text = ("全市重点项目完成投资三十亿元，完成年度计划的百分之二十五。" * 20 + "\n") * 4000
    assert untangle_columns(text) is text
    assert untangle_columns("") == ""


def test_display_width_counts_full_width_characters_twice() -> None:
    assert display_width("泉州市 120") == 10
    assert display_width("（２０２４）　") == 14
    assert display_width("abc") == 3


CELLS = st.text(alphabet="重点项目完成投资亿元个，。12.5【】", min_size=0, max_size=24)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(CELLS, st.integers(0, 8), CELLS), min_size=0, max_size=12),
       st.integers(20, 60))
def test_only_line_layout_changes(rows: list[tuple[str, int, str]], column: int) -> None:
    """Whatever it finds, the function moves and joins lines: no visible character is lost."""
    text = "\n".join(
        (a + " " * max(column - display_width(a), 0) + " " * extra + b).rstrip() for a, extra, b in rows)
    out = untangle_columns(text)
    assert sorted(squeeze(out)) == sorted(squeeze(text))


def test_read_document_reads_a_two_column_page_column_by_column(tmp_path: Path) -> None:
    """The reading pipeline untangles before normalizing (normalization would erase the gap)."""
    from keyproj.read.documents import read_document

    left = "左栏第一行写的是全市重点项目的总体情况和主要进展。\n" * 4
    right = "右栏第一行写的是另一篇文章关于农业生产的一些内容。\n" * 4
    page = "\n".join(f"{a}{' ' * 8}{b}" for a, b in zip(left.splitlines(), right.splitlines()))
    path = tmp_path / "page.txt"
    path.write_text(page + "\n", encoding="utf-8")
    text = read_document(path).text
    assert text.index("右栏") > text.rindex("左栏")
