"""Tables written with aligned spaces (as a PDF-to-text tool or a plain-text report prints them)
become pipe tables, the form HTML tables take in keyproj, before normalization removes the spaces
that separate their cells.

A **data row** is a line whose cells (split at runs of two or more spaces, or tabs) are a label
followed by at least two numbers and nothing else; two or more data rows in a row with the same
number of cells make a block, and the line right above the block is its header when it has as
many cells and is no data row. A word spaced out over its cell ("合  计", "类  别") is one cell.
Every line of a block (header included) is rewritten as ``|cell|cell|…|``; other lines are kept
byte for byte. A text without such a block is returned as the same object.
"""
from __future__ import annotations

import re

from keyproj.read.layout import display_width

_GAP = re.compile(r"(?:[ \u3000\u00a0]{2,}|\t)[ \t\u3000\u00a0]*")
_LOOSE_GAP = re.compile(r"(?:[ \u3000\u00a0]{2,}|\t|\u3000)[ \t\u3000\u00a0]*")
# One CJK character, spaces, one CJK character, standing alone: a word spaced out over its cell.
_SPACED_WORD = re.compile(r"(?:(?<=^)|(?<=[ \t\u3000\u00a0]))([\u4e00-\u9fff])[ \u3000]{1,4}([\u4e00-\u9fff])"
                          r"(?=$|[ \t\u3000\u00a0]{2,}|\t)")
_NUMERIC = re.compile(r"[-+－]?\d[\d,，]*(?:[.．]\d+)?[%％]?")  # \d takes full-width digits too
_SPACED = re.compile(r"\S(?:[ \u3000\u00a0]{2,}|\t)")  # a gap after some text (not an indentation alone)
_MAY_HOLD_A_TABLE = re.compile(r"\d(?:[ \u3000\u00a0]{2,}|\t)[ \t\u3000\u00a0]*\d|\d [\d.]+[%％]?$", re.MULTILINE)
# A row whose cells one space divides (PDF text): a name, then at least two numbers and nothing else.
_SINGLE_SPACED_ROW = re.compile(r"[\u4e00-\u9fff][^\s\d]{0,14} [-\d.,%％ ]+")
MIN_ROWS = 2


def _cells(line: str) -> list[str]:
    cells = [cell for cell in _GAP.split(_SPACED_WORD.sub(r"\1\2", line.strip())) if cell]
    if len(cells) == 1 and _SINGLE_SPACED_ROW.fullmatch(cells[0]):
        return cells[0].split()  # 城厢镇 24 16.8 9.7 57.7%
    return cells


_SERIAL = re.compile(r"\d{1,3}[.、]?")
_YEAR = re.compile(r"(?:19|20)\d{2}")  # a row named by its year: 2021  68  52.4 …
_TEXT_CELL = re.compile(r"[\u4e00-\u9fff]{1,6}")


def _is_data_row(cells: list[str]) -> bool:
    """A label and numbers; a serial number (序号) may come before the label, and a second label
    (a category: 宣州区 | 省重点 | 5 | 14.2) after it."""
    if len(cells) >= 4 and _SERIAL.fullmatch(cells[0]):
        cells = cells[1:]
    labels = 2 if len(cells) >= 4 and not _NUMERIC.fullmatch(cells[1]) else 1
    if len(cells) >= labels + 3 and _TEXT_CELL.fullmatch(cells[-1]):
        cells = cells[:-1]  # a last column of words (等次: 优秀 / 良好, 备注) after the numbers
    return len(cells) >= labels + 2 and (not _NUMERIC.fullmatch(cells[0]) or _YEAR.fullmatch(cells[0]) is not None) \
        and all(_NUMERIC.fullmatch(c) for c in cells[labels:])


def _continues(line: str, cells: list[str], width: int) -> bool:
    """An indented row one cell short of its block: the label of the row above goes on (a place's
    second category row under its first)."""
    return len(cells) == width - 1 and line[:1] in (" ", "\u3000", "\t") and _is_data_row(cells)


_UNIT_CELL = re.compile(r"[(（][^()（）]{1,6}[)）]")


def _is_units_row(cells: list[str]) -> bool:
    """A line of units only: （亿元）  （亿元）  （%）."""
    return bool(cells) and all(_UNIT_CELL.fullmatch(cell) for cell in cells)


def _middles(line: str) -> list[float]:
    """The middle display column of each cell of a line."""
    middles, start = [], 0
    for gap in [*_GAP.finditer(line), None]:
        end = gap.start() if gap else len(line)
        if line[start:end].strip():
            middles.append((display_width(line[:start]) + display_width(line[:end])) / 2)
        start = gap.end() if gap else end
    return middles


def _with_units(header: str, names: list[str], units_line: str, units: list[str]) -> list[str]:
    """The column names with each unit of the line below joined to the name nearest above it."""
    name_middles, unit_middles = _middles(header), _middles(units_line)
    if len(name_middles) != len(names) or len(unit_middles) != len(units):
        return names
    merged = list(names)
    for middle, unit in zip(unit_middles, units):
        nearest = min(range(len(names)), key=lambda i: abs(name_middles[i] - middle))
        merged[nearest] += unit
    return merged


def pipe_aligned_tables(text: str) -> str:
    """``text`` with its space-aligned tables rewritten as pipe tables (see the module's rules)."""
    if not _MAY_HOLD_A_TABLE.search(text):  # most texts stop here
        return text
    lines = text.split("\n")
    cells = [_cells(line) if _MAY_HOLD_A_TABLE.search(line) or _SPACED.search(line) and _GAP.search(line.strip())
             else [] for line in lines]
    data = [_is_data_row(row) for row in cells]
    rewritten = False
    index = 0
    while index < len(lines):
        end = index
        while end < len(lines) and (data[end] and len(cells[end]) == len(cells[index])
                                    or end > index and _continues(lines[end], cells[end], len(cells[index]))):
            if len(cells[end]) < len(cells[index]):
                cells[end] = [""] + cells[end]  # (the place of the row above, filled in by the table reader)
            end += 1
        if end - index < MIN_ROWS:
            index = max(end, index + 1)
            continue
        header = index - 1
        if header >= 1 and _is_units_row(cells[header]) and len(cells[header - 1]) == len(cells[index]) \
                and not data[header - 1]:
            # units on a line of their own under the column names: each goes to the name above it
            cells[header] = _with_units(lines[header - 1], cells[header - 1], lines[header], cells[header])
            lines[header - 1] = ""
        if header >= 0 and not data[header] and len(cells[header]) != len(cells[index]):
            loose = [cell for cell in _LOOSE_GAP.split(lines[header].strip()) if cell]
            if len(loose) != len(cells[index]):  # 乡镇 项目数 年度计划投资: one space between names
                loose = lines[header].split()
            if len(loose) == len(cells[index]):  # 项目数（个）　年度计划投资: one full-width space is a gap too
                cells[header] = loose
        first = header if header >= 0 and not data[header] and len(cells[header]) == len(cells[index]) else index
        for row in range(first, end):
            ending = "\r" if lines[row].endswith("\r") else ""
            lines[row] = "|" + "|".join(cells[row]) + "|" + ending
        rewritten = True
        index = end
    return "\n".join(lines) if rewritten else text
