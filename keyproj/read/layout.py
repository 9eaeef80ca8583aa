"""Untangle two-column pages that a PDF-to-text tool rendered side by side.

Such tools (``pdftotext -layout`` and the like) print a two-column page line by line: the left
column's line, spaces up to the right column's position, the right column's line. Read as prose
the text then alternates between two articles every line. :func:`untangle_columns` finds such
blocks and rewrites each one as the left column's lines followed by the right column's lines.

Positions are display columns: a full-width character (East Asian width W or F: Chinese
characters, full-width punctuation, U+3000) is 2 columns wide, others 1.

Rules (the constants below hold the numbers):

* A **gap** is a run of 2 or more spaces (ASCII, U+3000 or no-break) inside a line; the column
  where the text after it starts is the gap's *right column*. Leading spaces count as a gap too
  when the left column is empty on that line.
* A **block** is a run of consecutive lines around one right column C: *two-column lines* have a
  gap whose right column is within ``COLUMN_TOLERANCE`` before C or ``MAX_INDENT`` after it (an
  indented paragraph); *left-only lines* end at least two columns before C (the right column has
  ended or not begun), for no more lines in a row than the block has had two-column lines;
  blank lines are kept inside only when a two-column line follows. A block starts at a
  two-column line and needs ``MIN_ROWS`` of them, making up at least half of its non-blank lines.
  Lines over ``MAX_LINE_CHARS`` characters are paragraphs, never rows of a page.
* **Prose, not a table**: both columns must hold mostly CJK prose, i.e. at least ``PROSE_SHARE``
  of the two-column lines' halves are prose-like (at least half of their non-space characters
  full-width, no inner gap), the two columns' median widths are at least ``MIN_COLUMN_WIDTH``
  and within a factor ``MAX_WIDTH_RATIO`` of each other. An aligned table such as
  "泉州市    120    45.6" fails this (short, digit cells with more gaps) and stays as it is.
* Inside a rewritten column, lines are joined where the wrapping (not the author) split a number
  from the text around it: a full line (at least half the column's widest) ending in a number,
  maybe with the start of its unit, takes the next line ("326\\n个" -> "326个", "126.3亿\\n元");
  a full line not ending a sentence takes a next line that begins with a number ("投资\\n286.4亿元",
  but not a list item "1、"); and a line starting with closing punctuation ("，" "。" "%") joins
  the line before it (no sentence starts with a comma).

Text without such a block is returned unchanged, as the same object. Cheap regular expressions
first look for two adjacent spaces, then for ``MIN_ROWS`` inner gaps; most texts stop there
(about 0.01 s per million characters). Texts that do hold gaps cost about 0.4 s per million
characters.
"""
from __future__ import annotations

import re
import statistics
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from typing import Literal

MIN_ROWS = 3
"""Fewest two-column lines in a block (a page side by side, not one stray aligned line)."""
COLUMN_TOLERANCE = 2
"""Display columns by which the right column's start may wander between lines."""
MAX_INDENT = 4
"""Display columns by which a right-column line may start later: a paragraph indented by two
full-width characters."""
MIN_COLUMN_WIDTH = 16
"""Smallest median width of a column's lines, in display columns (8 Chinese characters)."""
MAX_WIDTH_RATIO = 2.0
"""Largest ratio between the two columns' median line widths."""
PROSE_SHARE = 0.7
"""Least share of a column's line halves that must be prose-like."""
MAX_BLANK_RUN = 2
"""Most consecutive blank lines bridged inside a block."""
MAX_LINE_CHARS = 400
"""Longest line (in characters) taken as a row of a printed page; longer ones are paragraphs."""

_SPACES = " \u3000\u00a0"
_GAP = re.compile(f"[{_SPACES}]{{2,}}")
_TWO_SPACES = re.compile(f"[{_SPACES}]{{2}}")
_INNER_GAP = re.compile(f"[^\\s][{_SPACES}]{{2,}}[^\\s]")
_WHITESPACE = re.compile(r"\s+")
_WIDE_DIGITS = re.compile("[\uff10-\uff19]")
# A line never starts with these in running Chinese text, so the break before them is a wrap.
_CLOSERS = frozenset("，。、；：！？）》」』】,.;:!?)%％")
# A following line starting with these begins something new rather than continuing a number.
_OPENERS = frozenset("【［[（(《「『·•")

# A number at a line's end, maybe with the first characters of its unit ("126.3亿", "3.2个百").
_NUMBER_TAIL = re.compile(r"\d(?:万亿|亿|万|个百分?|百分?)?$")
_SENTENCE_ENDS = frozenset("。！？；：!?;:")
_LIST_MARKER = re.compile(r"\s*\d+[、.．)）](?!\d)")  # "1、" "2." "3)" start an item, "2.5" does not

Kind = Literal["two", "left", "blank"]


@dataclass(frozen=True)
class _Row:
    """One line of a block: its kind and its left and right parts (either may be empty)."""

    kind: Kind
    left: str
    right: str


class _WidthTable(dict[str, int]):
    """Display width of each character met so far, looked up at C speed by ``map``."""

    def __missing__(self, char: str) -> int:
        if unicodedata.combining(char):
            width = 0
        else:
            width = 2 if unicodedata.east_asian_width(char) in "WF" else 1
        self[char] = width
        return width


_WIDTHS = _WidthTable()


def display_width(text: str) -> int:
    """Width of ``text`` in display columns (full-width characters count 2)."""
    if text.isascii():
        return len(text)
    return sum(map(_WIDTHS.__getitem__, text))


def _gap_splits(line: str) -> list[tuple[int, int, int]]:
    """Every gap of a line as (display column after it, index where it starts, index after it)."""
    if len(line) > MAX_LINE_CHARS:
        return []  # a paragraph on one line, not a printed page's row
    end_of_text = len(line.rstrip())
    splits = []
    width, position = 0, 0
    for match in _GAP.finditer(line, 0, end_of_text):  # trailing spaces are no gap
        width += display_width(line[position:match.end()])
        position = match.end()
        splits.append((width, match.start(), match.end()))
    return splits


class _Page:
    """The text's lines, each line's gaps measured once (lines are classified for many columns)."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self._splits: dict[int, list[tuple[int, int, int]]] = {}

    def splits(self, index: int) -> list[tuple[int, int, int]]:
        """The gaps of line ``index`` (see :func:`_gap_splits`)."""
        found = self._splits.get(index)
        if found is None:
            found = self._splits[index] = _gap_splits(self.lines[index])
        return found

    def classify(self, index: int, column: int) -> _Row | None:
        """Line ``index``'s role in a block whose right column starts at ``column``; None: it ends it."""
        text = self.lines[index].rstrip()
        if not text.strip():
            return _Row("blank", "", "")
        for col, start, end in self.splits(index):
            if column - COLUMN_TOLERANCE <= col <= column + MAX_INDENT:
                return _Row("two", text[:start].rstrip(), text[end:].strip())
        # len() is a lower bound of the width: most long lines are rejected without measuring.
        if len(text) <= column - 2 and display_width(text) <= column - 2:
            return _Row("left", text, "")
        return None

    def blank_run_end(self, index: int) -> int:
        """The index of the first non-blank line from ``index`` on (len(lines) if none)."""
        while index < len(self.lines) and not self.lines[index].strip():
            index += 1
        return index


def _grow(page: _Page, first: int, column: int) -> list[_Row]:
    """The rows of the block that starts at line ``first``, trailing blank lines excluded."""
    rows: list[_Row] = []
    two_rows = left_run = 0
    index = first
    while index < len(page.lines):
        row = page.classify(index, column)
        if row is None:
            break
        if row.kind == "blank":
            # Bridge a short blank run only when the two-column layout goes on after it.
            after = page.blank_run_end(index)
            follow = page.classify(after, column) if after < len(page.lines) else None
            if after - index > MAX_BLANK_RUN or follow is None or follow.kind != "two":
                break
            rows.extend([row] * (after - index))
            index = after
            continue
        if row.kind == "left":
            # A left column may run on below the right one, but not for longer than the block so
            # far has had two columns: this bounds the work on texts that are not a page at all.
            left_run += 1
            if left_run > max(MIN_ROWS, two_rows):
                break
        else:
            two_rows, left_run = two_rows + 1, 0
        rows.append(row)
        index += 1
    return rows


def _is_prose(part: str) -> bool:
    """At least half of the non-space characters full-width (digits aside), and no inner gap."""
    if _GAP.search(part.strip()):  # indentation is no gap
        return False
    chars = _WHITESPACE.sub("", part)
    if not chars:
        return False
    # Each full-width character adds one column over its count.
    wide = display_width(chars) - len(chars) - len(_WIDE_DIGITS.findall(chars))
    return wide * 2 >= len(chars)


def _is_prose_block(rows: list[_Row]) -> bool:
    """Enough two-column lines, and both columns CJK prose of similar width (see module doc)."""
    both = [r for r in rows if r.kind == "two" and r.left and r.right]
    lone_right = [r for r in rows if r.kind == "two" and not r.left]
    filled = [r for r in rows if r.kind != "blank"]
    if len(both) < MIN_ROWS or 2 * (len(both) + len(lone_right)) < len(filled):
        return False
    lefts = [r.left for r in both]
    rights = [r.right for r in both + lone_right]
    for parts in (lefts, rights):
        if sum(map(_is_prose, parts)) < PROSE_SHARE * len(parts):
            return False
    left_width = statistics.median(map(display_width, lefts))
    right_width = statistics.median(map(display_width, rights))
    if min(left_width, right_width) < MIN_COLUMN_WIDTH:
        return False
    return max(left_width, right_width) <= MAX_WIDTH_RATIO * min(left_width, right_width)


def _continues(previous: str, line: str, widest: int) -> bool:
    """Whether ``line`` goes on with ``previous`` across a wrap that split a number from its text.

    Only a full line (at least half the column's widest; a short one ends a paragraph) wraps.
    """
    head = line.lstrip()[:1]
    if not previous or not head:
        return False
    if head in _CLOSERS:
        return True
    if 2 * display_width(previous) < widest or head in _OPENERS:
        return False
    if _NUMBER_TAIL.search(previous):  # "326" | "个", "126.3亿" | "元", "3.2个百" | "分点"
        return not head.isdigit()
    # "完成投资" | "389.7亿元": the number begins the next line, inside a sentence.
    return head.isdigit() and previous[-1] not in _SENTENCE_ENDS and not _LIST_MARKER.match(line)


def _join_column(lines: list[str]) -> list[str]:
    """Join a column's lines where the wrapping split a number from the text around it."""
    widest = max((display_width(line) for line in lines), default=0)
    out: list[str] = []
    for line in lines:
        if out and _continues(out[-1], line, widest):
            out[-1] += line.lstrip()
        else:
            out.append(line)
    while out and not out[-1]:
        out.pop()
    return out


def _rewrite_block(rows: list[_Row]) -> list[str]:
    """The block's lines: the left column, then the right column."""
    left = [r.left for r in rows if r.left or r.kind == "blank"]
    right = [r.right for r in rows if r.right or r.kind == "blank"]
    # Blank rows before a column's first line are not paragraph breaks of that column.
    while left and not left[0]:
        left.pop(0)
    while right and not right[0]:
        right.pop(0)
    return _join_column(left) + _join_column(right)


def _column_lines(page: _Page, candidates: list[int]) -> list[tuple[int, list[int]]]:
    """Right-column positions shared by at least MIN_ROWS lines, most common first, each with the
    lines that have a gap there (within the tolerance) after some text."""
    by_column: dict[int, set[int]] = defaultdict(set)
    for index in candidates:
        for col, start, _ in page.splits(index):
            if start > 0 and col >= MIN_COLUMN_WIDTH:
                by_column[col].add(index)
    spread = range(-COLUMN_TOLERANCE, MAX_INDENT + 1)  # the gaps that fall in c's window
    near = {c: set().union(*(by_column.get(c + d, set()) for d in spread)) for c in by_column}
    ranked = sorted(near.items(), key=lambda item: (-len(item[1]), item[0]))
    return [(c, sorted(indices)) for c, indices in ranked if len(indices) >= MIN_ROWS]


def _find_blocks(page: _Page, candidates: list[int]) -> dict[int, list[_Row]]:
    """Accepted blocks as {first line: rows}, none overlapping."""
    blocks: dict[int, list[_Row]] = {}
    taken: set[int] = set()
    for column, starts in _column_lines(page, candidates):
        resume = 0
        for first in starts:
            if first < resume or first in taken:
                continue
            row = page.classify(first, column)
            if row is None or row.kind != "two" or not row.left:
                continue
            rows = _grow(page, first, column)
            # A later start inside this run would only give a part of it: go on after it.
            resume = first + len(rows)
            span = range(first, resume)
            if any(i in taken for i in span) or not _is_prose_block(rows):
                continue
            blocks[first] = rows
            taken.update(span)
    return blocks


def _lines_with_inner_gaps(text: str) -> int:
    """How many lines hold an inner gap, counted up to MIN_ROWS (a menu line with many gaps counts once).

    Searches for runs of spaces (a character class the regex engine skips to quickly) and looks at
    their neighbours, which is several times faster than searching for the gap with its neighbours.
    """
    found = position = 0
    while found < MIN_ROWS:
        match = _GAP.search(text, position)
        if match is None:
            break
        start, end = match.span()
        position = end
        if start and end < len(text) and not text[start - 1].isspace() and not text[end].isspace():
            found += 1
            position = text.find("\n", end)
            if position < 0:
                break
    return found


def untangle_columns(text: str) -> str:
    """Rewrite side-by-side two-column blocks of ``text`` as one column after the other.

    Pure: text in, text out. Returns ``text`` itself (the same object) when it holds no such
    block. Lines outside the blocks are kept byte for byte; a rewritten block's lines end in
    ``\\n`` (a ``\\r`` before it is dropped with the other trailing spaces).
    """
    if not _TWO_SPACES.search(text):  # the cheapest test first: most texts stop here
        return text
    if _lines_with_inner_gaps(text) < MIN_ROWS:
        return text  # fewer than MIN_ROWS lines with an inner gap: nothing to untangle
    lines = text.split("\n")
    candidates = [i for i, line in enumerate(lines)
                  if len(line) <= MAX_LINE_CHARS and _INNER_GAP.search(line)]
    blocks = _find_blocks(_Page(lines), candidates)
    if not blocks:
        return text
    out: list[str] = []
    index = 0
    while index < len(lines):
        if index in blocks:
            rows = blocks[index]
            out.extend(_rewrite_block(rows))
            index += len(rows)
        else:
            out.append(lines[index])
            index += 1
    return "\n".join(out)
