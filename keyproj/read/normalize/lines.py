"""Normalization steps 3-8: markup and pinyin, web chrome lines, spaces, repeated paragraphs,
broken lines and blank lines."""
from __future__ import annotations

import operator
import re
from bisect import bisect_left, bisect_right
from itertools import accumulate, compress, repeat

import numpy as np

from keyproj import lexicon
from keyproj.read.normalize.offsets import (
    _CHUNK,
    _INT,
    OffsetMap,
    _delete,
    _deletion_map,
    _then,
)

# ---------------------------------------------------------------- step 3: markup and pinyin

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿĀÁǍÀĒÉĚÈĪÍǏÌŌÓǑÒŪÚǓÙǕǗǙǛ"
_PINYIN_LETTER = f"a-zA-ZüÜ{_TONED}"
# Each pattern starts with a literal, which the regex engine searches for quickly; the three never
# overlap (their characters differ), so their matches together are those of one alternation.
_BOLD = re.compile(r"\*\*")
_HEADING = re.compile(r"##{0,5}[ \t]+")
_PINYIN = re.compile(
    rf"\((?<=[{_HAN}]\()(?=[{_PINYIN_LETTER}]{{0,5}}[{_TONED}])[{_PINYIN_LETTER}]{{1,6}}\)")


def _strip_markup(text: str) -> tuple[str, OffsetMap | None]:
    """Step 3: markdown bold and heading markers, pinyin after characters."""
    found: list[list[tuple[int, int]]] = []
    if "*" in text and "**" in text:
        found.append([match.span() for match in _BOLD.finditer(text)])
    if "#" in text:
        found.append([match.span() for match in _HEADING.finditer(text)
                      if not text[text.rfind("\n", 0, match.start()) + 1:match.start()].strip()])
    if "(" in text:
        found.append([match.span() for match in _PINYIN.finditer(text)])
    spans = [span for spans in found for span in spans]
    if len(found) > 1:
        spans.sort()
    return _delete(text, spans)


# ---------------------------------------------------------------- steps 4-6: lines and spaces

def _chrome(section: str) -> list[str]:
    """Every word of a section of lexicon/chrome.yaml."""
    return [word for entry in lexicon.load("chrome")[section].values() for word in entry["words"]]


_CHROME_WORDS = frozenset(_chrome("menu_words"))
_WORD_SEPARATORS = re.compile(r"[\s|/·•]+")
_WORD_TRIM = ":：>»›"
# Checked at the start of every line: a page's tail begins at a tail marker (the line itself always goes).
_LINE_START_PARTS = {
    "tail": lexicon.alternation(_chrome("tail_markers")),
    "byline": lexicon.alternation(_chrome("byline_fields")) + r"\s*[:：]",
    "headlines": r"【[^】]{1,30}】\s*【",
    "rule": r"[-—_=*~·.]{3,}\Z",
    "page_number": lexicon.alternation(_chrome("page_numbers")),
    "notice": lexicon.alternation(lexicon.words("chrome", "notices", "heading")) + r"[:：]?\Z",
}
_LINE_START = re.compile("|".join(f"(?P<{name}>{part})" for name, part in _LINE_START_PARTS.items()))
# The characters _LINE_START's alternatives begin with (checked first: the regex tries them one by
# one), derived from the patterns so that a new word's first character is never missed.
_LINE_START_FIRST = lexicon.first_character_set(_LINE_START_PARTS.values())
_NOTICE_STATEMENT = re.compile(lexicon.alternation(lexicon.words("chrome", "notices", "statement")))
# Searched once in the whole text; every alternative starts with a literal character, so that the
# regex engine skips quickly from one candidate to the next (named groups would defeat that).
# Besides the notices: image file names and captions, and clock times (a dated byline).
_ANYWHERE = re.compile(
    # copyright phrases before the statements: "版权所有…声明" is a copyright line, not a notice heading
    lexicon.alternation(_chrome("copyright"))[3:-1] + "|" + _NOTICE_STATEMENT.pattern[3:-1]
    + r"|_fororder_|\.(?:jpe?g|png|gif|webp|bmp|JPE?G|PNG|GIF)\b|:(?<=\d:)\d\d")
_DATE_TIME = re.compile(r"\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?\s*\d{1,2}:\d{2}")
_META_FIELD = re.compile(lexicon.alternation(_chrome("meta_fields")) + r"\s*[:：]")
_BREADCRUMB_SPLIT = re.compile(r"\s*[>›»]\s*")
_SENTENCE_STOP = re.compile(r"[。!?！？]")
_CLAUSE_MARK = re.compile(r"[,，。;；!?！？、:：]")
_MENU_VETO = re.compile(r"\d|项目|投资|计划|建设|完成|规模|亿|万")
_NUMBERED_ITEM = re.compile(r"(?:\d{1,2}|[一二三四五六七八九十]{1,3})[、.)）]|[(（]\d{1,2}[)）]")
# A line with a figure about projects is never chrome.
_PROJECT_WORD = re.compile(r"项目|投资")
_FIGURE = re.compile(r"\d\s*(?:亿|万|千|个|%|百分点|项|宗)")
_PROSE_END = tuple("。!?！？…”\"」』)")
_PROSE_LENGTH = 40
_TAIL_RATIO = 0.25  # a tail holds at most this share of the page's prose
_PARAGRAPH_LENGTH = 20
_CJK = f"{_HAN}\u3000-\u303f\uff00-\uffef\u2014\u2018\u2019\u201c\u201d\u2026"
# Spaces at a line's start or end, or next to a Chinese character or punctuation mark.
# (After step 1 the only spaces left are these three; every other space became U+0020 or a line break.)
# A number spaced out digit by digit (OCR or PDF text: "完成投资1 0 2 . 4亿元", "4 7个"): single spaces
# inside a run of single digits or points that opens after a Chinese character and ends at one or at %;
# and a space before a decimal point ("102 .4亿元").
# (Each branch starts with the space itself, its look-behinds after it: a literal first character keeps
# the search fast.)
_SPACED_DIGITS = (rf" (?:(?<=[\n{_CJK}][\d.] )|(?<=[\n{_CJK}] [\d.] )|(?<=[\d.] [\d.] ))(?=(?:[\d.] )*[\d.] ?[{_CJK}%])"
                  r"| (?<=\d )(?=\.\d)")
_SPACES = re.compile(rf"[ \t\u1680](?:(?<=[\n{_CJK}][ \t\u1680])[ \t\u1680]*|[ \t\u1680]*(?=[\n{_CJK}]|\Z))"
                     rf"|{_SPACED_DIGITS}")
_LEADING_SPACES = re.compile(r"[ \t\u1680]+")
_SPACE_CHARACTERS = frozenset(" \t\u1680")
# _SPACES for a text whose only spaces are U+0020 (a literal first character makes the search faster).
_PLAIN_SPACES = re.compile(rf" (?:(?<=[\n{_CJK}] ) *| *(?=[\n{_CJK}]|\Z))|{_SPACED_DIGITS}")
# A necessary condition for _line_kind to find chrome in a stripped line: it starts as _LINE_START
# says, or is made of the characters of chrome words, or of four or more short words, or holds a
# breadcrumb mark. The lines that fail it (most prose) need no closer look. Possessive quantifiers:
# no backtracking through a long line.
_MAY_BE_CHROME_WITHOUT_BREADCRUMB = re.compile(
    "(?=[" + re.escape("".join(sorted(_LINE_START_FIRST))) + "])(?:" + _LINE_START.pattern + ")"
    "|[" + re.escape("".join(sorted(set("".join(_CHROME_WORDS)) | set("|/·•" + _WORD_TRIM)))) + r"\s]++\Z"
    r"|\S{1,6}+(?:\s++\S{1,6}+){3,}\Z")
_MAY_BE_CHROME = re.compile(_MAY_BE_CHROME_WITHOUT_BREADCRUMB.pattern + "|[^>›»]*+[>›»]")
_PLUS_ONE = (1).__add__


def _is_protected(line: str) -> bool:
    """Whether a line states a figure about projects (such lines are never dropped)."""
    return _PROJECT_WORD.search(line) is not None and _FIGURE.search(line) is not None


def _is_prose(line: str) -> bool:
    return len(line) >= _PROSE_LENGTH and line.endswith(_PROSE_END)


def _line_kind(line: str) -> str:
    """What a stripped, non-empty line is: 'tail' (a tail marker), 'notice' (a copyright notice's
    heading), 'drop' (other chrome) or '' (text)."""
    if line[0] in _LINE_START_FIRST:
        match = _LINE_START.match(line)
        if match is not None:
            group = match.lastgroup
            return group if group in ("tail", "notice") else "drop"
    length = len(line)
    if length > 160:
        return ""
    if ">" in line or "›" in line or "»" in line:
        parts = _BREADCRUMB_SPLIT.split(line)
        if len(parts) >= 3 and all(0 < len(part) <= 20 for part in parts) and not _SENTENCE_STOP.search(line):
            return "drop"
    if length <= 80:
        tokens = line.split()
        if len(tokens) == 1 and line.isalnum():  # a heading such as 透视项目 (or a chrome word)
            return "drop" if line in _CHROME_WORDS else ""
        words = _WORD_SEPARATORS.split(line) if "|" in line or "/" in line or "·" in line or "•" in line else tokens
        if all(word.strip(_WORD_TRIM) in _CHROME_WORDS for word in words if word.strip(_WORD_TRIM)):
            return "drop"
        if (len(tokens) >= 4 and all(len(token) <= 6 for token in tokens)
                and not _CLAUSE_MARK.search(line) and not _MENU_VETO.search(line)):
            return "drop"
    return ""


def _hint(found: str) -> str:
    """What an _ANYWHERE match suggests about its line."""
    if _NOTICE_STATEMENT.fullmatch(found):
        return "notice"
    if found[0] == ":":
        return "dated"
    if found[0] in "._":
        return "image"
    return "copyright"


def _hinted_kind(hint: str, line: str) -> str:
    """The kind of a line in which the whole-text search found ``hint``."""
    if hint == "notice":
        return "notice"
    if hint == "copyright":
        return "drop"
    if hint == "image":
        return "drop" if len(line) <= 120 else ""
    return "drop" if len(line) <= 200 and _DATE_TIME.search(line) and _META_FIELD.search(line) else ""


def _clean_lines(text: str) -> tuple[str, OffsetMap | None]:
    """Steps 4-6 in one pass: web chrome lines, spaces, repeated paragraphs.

    The three work on the same text: chrome is recognized with its spaces still in (menus are
    words between spaces), and repeats are compared without spaces. Only the lines that may be
    chrome (``_chrome_candidates``), that the whole-text search points at, or whose text appears
    twice are looked at one by one; the rest (most prose) is kept as it is.
    """
    # One piece: the three steps share one walk over the lines and its state (dropped lines, tail
    # markers, hints); split, each would walk the lines again (bench_normalize.py measures it).
    lines = text.split("\n")
    count = len(lines)
    stripped = list(map(str.strip, lines))
    hints: dict[int, str] = {}
    line_starts: list[int] = []
    for match in _ANYWHERE.finditer(text):
        if not line_starts:
            line_starts = [0, *accumulate(map(_PLUS_ONE, map(len, lines)))]
        index = bisect_right(line_starts, match.start()) - 1
        if hints.get(index) != "notice":
            hints[index] = _hint(match.group())
    may_be_chrome = _chrome_candidates(stripped, ">" in text or "›" in text or "»" in text)
    dropped = [False] * count
    markers: list[int] = []

    def look(index: int, in_notice: bool) -> bool:
        """Decide whether a non-blank line is chrome; returns whether a copyright notice's list goes
        on after it."""
        line = stripped[index]
        kind = _hinted_kind(hints[index], line) if index in hints else ""
        if not kind and index in may_be_chrome and (len(line) <= 160 or line[0] in _LINE_START_FIRST):
            kind = _line_kind(line)
        if in_notice and kind != "notice" and kind != "drop":
            if _NUMBERED_ITEM.match(line):
                kind = "drop"
            else:
                in_notice = False
        if kind and not _is_protected(line):
            dropped[index] = True
            if kind == "notice":
                return True
            if kind == "tail":
                markers.append(index)
        return in_notice

    walked = -1
    for index in sorted(may_be_chrome.union(hints)):
        if index <= walked or not look(index, False):
            continue
        while True:  # the lines after a notice's heading, up to the end of its numbered list
            index += 1
            if index == count:
                break
            walked = index
            if stripped[index] and not look(index, True):
                break
    _drop_running_headers(stripped, dropped)
    repeated, short_repeats = _repeats(text, stripped, dropped)
    if markers:
        prose = [len(line) if len(line) >= _PROSE_LENGTH and line.endswith(_PROSE_END) and not is_dropped else 0
                 for line, is_dropped in zip(stripped, dropped)]
        _drop_tail(stripped, dropped, prose, markers)
    if short_repeats and any(repeated):
        _drop_repeated_headings(list(compress(range(count), map(operator.gt, map(bool, stripped), dropped))),
                                repeated, short_repeats)
    stripped.clear()  # no longer needed: less memory while the new text is built
    # Whole lines first, then spaces: the spaces of the lines kept have the same neighbours either way
    # (a kept line keeps its line break, the text's start stands where a line break stood).
    lines_map = None
    gone = list(map(operator.or_, dropped, repeated))
    if any(gone):
        lines_map = _deletion_map(len(text), _line_spans, lines, gone)
        kept = list(compress(lines, map(operator.not_, gone)))
        text = "\n".join(kept) + "\n" if gone[-1] and kept else "\n".join(kept)
    pattern = _SPACES if "\t" in text or "\u1680" in text else _PLAIN_SPACES
    if len(text) > _CHUNK:  # a long text: its spaces are found once, their spans kept as arrays
        text, spaces_map = _delete(text, _space_spans(text, pattern))
        return text, _then(lines_map, spaces_map)
    spaced = text
    text = pattern.sub("", "\n" + text)[1:] if text[:1] in _SPACE_CHARACTERS else pattern.sub("", text)
    if len(text) == len(spaced):
        return text, lines_map
    return text, _then(lines_map, _deletion_map(len(spaced), _space_spans, spaced, pattern))


_PAGE_NUMBER = re.compile(_LINE_START_PARTS["page_number"])
_HEADER_MAX = 60
# a running header starts as a title does: not with a figure's digits or unit, nor a mark
_HEADER_START = re.compile(rf"[{_HAN}](?<![亿万元个项%])")


def _drop_running_headers(stripped: list[str], dropped: list[bool]) -> None:
    """A page's running header met once (on page 2 of a two-page PDF): the short line without a
    clause mark right after a page number, when the sentence before the page number runs on after it."""
    for index in compress(range(len(stripped)), dropped):
        if not _PAGE_NUMBER.match(stripped[index]):
            continue
        before = next((i for i in range(index - 1, -1, -1) if stripped[i] and not dropped[i]), None)
        after = [i for i in range(index + 1, min(index + 6, len(stripped))) if stripped[i] and not dropped[i]][:2]
        if before is None or len(after) < 2 or stripped[before].endswith(tuple(_SENTENCE_END)):
            continue
        header = stripped[after[0]]
        if 6 <= len(header) <= _HEADER_MAX and _HEADER_START.match(header) and not _CLAUSE_MARK.search(header) \
                and not _LIST_MARKER.match(header):
            dropped[after[0]] = True


def _space_spans(text: str, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
    """The spans of the spaces that step 5 deletes (``pattern`` is _SPACES, or _PLAIN_SPACES when
    the text has no other space than U+0020)."""
    leading = _LEADING_SPACES.match(text)
    spans = [leading.span()] if leading else []
    spans += [match.span() for match in pattern.finditer(text, leading.end() if leading else 0)]
    return spans


def _line_spans(lines: list[str], gone: list[bool]) -> np.ndarray:
    """The spans (rows of start, end) of the lines that go, each with its line break."""
    starts = np.zeros(len(lines) + 1, dtype=_INT)
    np.cumsum(np.fromiter(map(len, lines), dtype=_INT, count=len(lines)) + 1, out=starts[1:])
    index = np.flatnonzero(np.fromiter(gone, dtype=bool, count=len(gone)))
    return np.stack((starts[index], np.minimum(starts[index + 1], starts[-1] - 1)), axis=1)


def _repeats(text: str, stripped: list[str], dropped: list[bool]) -> tuple[list[bool], list[int]]:
    """The lines (stripped) that repeat an earlier line that is no chrome, compared without spaces:
    whether each is a repeated paragraph (at least _PARAGRAPH_LENGTH characters), and the short ones."""
    count = len(stripped)
    repeated = [False] * count
    short_repeats: list[int] = []
    keys = stripped.copy()
    if "\t" in text or "\u1680" in text:
        for index in {*compress(range(count), map(operator.contains, stripped, repeat(" "))),
                      *compress(range(count), map(operator.contains, stripped, repeat("\t")))}:
            keys[index] = "".join(stripped[index].split())
    else:  # U+0020 is the only space left after step 1 (and the line break the only other white space)
        for index in compress(range(count), map(operator.contains, stripped, repeat(" "))):
            keys[index] = stripped[index].replace(" ", "")
    distinct = set(keys)
    distinct.discard("")
    if len(distinct) == count - keys.count(""):  # no key twice
        return repeated, short_repeats
    for index in compress(range(count), dropped):
        keys[index] = ""
    first = dict(zip(reversed(keys), range(count - 1, -1, -1)))  # where each key is seen first
    for index in compress(range(count), map(operator.ne, map(first.__getitem__, keys), range(count))):
        key = keys[index]
        if key.startswith("|"):
            continue  # a table row (a second table's header, a repeated row) is never a repeat
        if len(key) >= _PARAGRAPH_LENGTH:
            repeated[index] = True
        elif key:
            short_repeats.append(index)
    return repeated, short_repeats


def _chrome_candidates(stripped: list[str], has_breadcrumb_marks: bool) -> set[int]:
    """The lines (stripped) for which _line_kind may find chrome: a superset, found with one cheap
    test per non-blank line (_MAY_BE_CHROME; its breadcrumb part only if the text has such marks)."""
    test = (_MAY_BE_CHROME if has_breadcrumb_marks else _MAY_BE_CHROME_WITHOUT_BREADCRUMB).match
    non_blank = list(compress(range(len(stripped)), stripped))
    return set(compress(non_blank, map(test, map(stripped.__getitem__, non_blank))))


def _drop_tail(lines: list[str], dropped: list[bool], prose: list[int], markers: list[int]) -> None:
    """Drop what follows the first tail marker after which little prose is left (lists of links);
    ``lines`` are stripped."""
    total = sum(prose)
    before = 0
    previous = 0
    for marker in markers:
        before += sum(prose[previous:marker])
        previous = marker
        if before > 0 and total - before <= _TAIL_RATIO * before:
            for index in range(marker + 1, len(lines)):
                if not dropped[index] and not prose[index]:
                    line = lines[index]
                    # a link's title states figures too (· 2024年全市重点项目完成投资341.5亿元): no sentence end
                    if line and (not _is_protected(line) or not line.endswith(_PROSE_END)):
                        dropped[index] = True
            return


def _drop_repeated_headings(kept: list[int], repeated: list[bool], short_repeats: list[int]) -> None:
    """Short lines seen before go too when next to a dropped repeat (the headings of a repeated block).

    ``kept`` are the lines left (in order), ``short_repeats`` the short lines seen before (in order).
    A short line next to a repeat becomes one, so a run of them goes with the repeat before or after it."""
    positions = [bisect_left(kept, index) for index in short_repeats]
    candidates = [(index, position) for index, position in zip(short_repeats, positions)
                  if position < len(kept) and kept[position] == index]  # the tail may have taken some
    for index, position in candidates:
        if position > 0 and repeated[kept[position - 1]]:
            repeated[index] = True
    for index, position in reversed(candidates):
        if position + 1 < len(kept) and repeated[kept[position + 1]]:
            repeated[index] = True


# ---------------------------------------------------------------- steps 7-8: broken lines, blank lines

_SENTENCE_END = "。!?！？;；:：…”’」』)）]】》\"'>"
_BREAK = re.compile(rf"\n(?<=[^\n{re.escape(_SENTENCE_END)}]\n)\n*(?=[{_HAN}0-9A-Za-z.%(（])")  # (a value in brackets)
_NUMBER_END = frozenset("0123456789.")
_UNIT = r"亿|万|千|百|%|个|百分点|元|倍|项|宗|亩|吨|公里|千米|平方米|人次|家|户"
_NUMBER_GOES_ON = re.compile(rf"\d[\d.]*\s*(?:{_UNIT})|\.\d|(?:{_UNIT})")
_LIST_MARKER = re.compile(
    r"[一二三四五六七八九十]+[、是.]|[(（][一二三四五六七八九十\d]{1,3}[)）]|\d{1,2}[、.](?!\d)"
    r"|第[一二三四五六七八九十\d]+[章节条部篇]")
_MID_SENTENCE_MARK = re.compile(r"[,，、;；。]")  # (a full stop inside the line: its end is checked apart)
_LINE_MIN = 20
_HEADING_MAX = 15
_BLANK_RUN = re.compile(r"\n\n\n+")


def _joins(text: str) -> list[tuple[int, int]]:
    """Line breaks to delete: inside a number, or inside a sentence of a prose line."""
    spans: list[tuple[int, int]] = []
    for match in _BREAK.finditer(text):
        start, end = match.span()
        last = text[start - 1]
        if last in _NUMBER_END:
            if end - start <= 8 and _NUMBER_GOES_ON.match(text, end):  # (blank lines where a page break went)
                spans.append((start, end))
            continue
        first = text[end]
        if first in ".%":
            continue
        line_start = text.rfind("\n", 0, start) + 1
        if not _MID_SENTENCE_MARK.search(text, line_start, start) or start - line_start < _LINE_MIN \
                and not (first.isdigit() and _NUMBER_GOES_ON.match(text, end)):
            continue  # a title or a heading (a short line of a narrow column goes on with its figure: 项目 / 248个)
        if _LIST_MARKER.match(text, end):
            continue
        if last.isascii() and last.isalpha() and first.isascii():
            continue  # two Latin words would run together
        next_end = text.find("\n", end)
        if next_end < 0:
            next_end = len(text)
        if next_end - end < _HEADING_MAX and not _CLAUSE_MARK.search(text, end, next_end) \
                and text[next_end - 1] not in _NUMBER_END:
            continue  # a heading follows (not a line whose number goes on below: 划投资420.6 / 亿元)
        spans.append((start, end))
    if _LEADING_MARK.search(text):
        spans = sorted(spans + [match.span() for match in _LEADING_MARK.finditer(text)])
    return spans


# A line never starts with these marks: the break before one is inside a sentence (临夏市、康乐县\n、广河县)
_LEADING_MARK = re.compile(r"(?<=[^\n\s])\n(?=[、，；）])")
# A line that is only a figure (112个, 386.2亿元, 59.9%), and a run of short lines without a blank one
_VALUE_LINE = re.compile(r"^[\d.]+\s*(?:个|项|亿元|万元|亿|%|个百分点|百分点)[,，。;；、]?$", re.MULTILINE)
_LINE_BREAK = re.compile("\n")
_SHORT_BLOCK = re.compile(r"(?:^[^\n|]{1,24}\n)+[^\n|]{1,24}$", re.MULTILINE)


def _phone_blocks(text: str) -> list[tuple[int, int]]:
    """Line breaks inside the blocks of short lines of a text laid out one phrase a line, as articles
    for phones are (two blocks or more hold a line with only a figure: "全县重点项目\n112个"); each
    block reads as one sentence."""
    if not _VALUE_LINE.search(text):
        return []
    blocks = [block for block in _SHORT_BLOCK.finditer(text)
              if not any(line.rstrip().endswith(tuple(_SENTENCE_END)) for line in block.group(0).split("\n")[:-1])]
    if sum(1 for block in blocks if _VALUE_LINE.search(block.group(0))) < 2:
        return []
    return [match.span() for block in blocks for match in _LINE_BREAK.finditer(text, block.start(), block.end())]


def _join_lines(text: str) -> tuple[str, OffsetMap | None]:
    """Steps 7-8: join broken lines, then at most one blank line between paragraphs, none at the ends."""
    spans = _joins(text)
    phone = _phone_blocks(text)
    if phone:
        spans = sorted(dict(sorted(spans + phone, key=lambda span: span[1])).items())
    if "\n\n\n" in text:
        joined_starts = {start for start, _ in spans}
        blank = [(match.start() + 2, match.end()) for match in _BLANK_RUN.finditer(text)
                 if match.start() not in joined_starts]
        spans = sorted(spans + blank) if spans and blank else spans or blank
    if text[:1] == "\n" or text[-1:] == "\n":  # the line breaks at the ends go: clip the spans there
        head = len(text) - len(text.lstrip("\n"))
        tail = max(len(text.rstrip("\n")), head)
        first = bisect_left(spans, (head,))  # the spans start in order
        if first and spans[first - 1][1] > head:
            first -= 1
        last = bisect_left(spans, (tail,), first)
        spans = [(0, head), *spans[first:last], (tail, len(text))]
        if spans[1][0] < head:
            spans[1] = (head, spans[1][1])
        if spans[-2][1] > tail:
            spans[-2] = (spans[-2][0], tail)
        spans = [span for span in spans if span[0] < span[1]]
    return _delete(text, spans)
