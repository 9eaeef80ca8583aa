"""Normalized text of a Chinese document, with a map from every normalized span back to the raw text.

``normalize_text(raw)`` returns ``(text, offsets)``. The steps, in order:

1. Characters: ``\\r\\n`` and lone ``\\r`` (and other line separators) become ``\\n``; control
   characters, zero-width characters and soft hyphens are deleted; every character is put in NFKC
   form (full-width digits, letters and punctuation become ASCII: "２０２４年，" -> "2024年,";
   U+3000 and no-break spaces become spaces). The em dash of "1—9月" (U+2014) is left as it is; circled
   numbers ①…⑳ mark items and become "·" (NFKC would run "②42个" into "242个").
2. Traditional script becomes Simplified (OpenCC ``t2s``): "項目攻堅" -> "项目攻坚". A year written
   in Chinese digits becomes Arabic, one character for one: "二〇二三年" -> "2023年".
3. Markup: markdown bold markers ``**`` and heading markers (``# `` at a line start) are deleted,
   and so is pinyin that mirror sites insert after characters: "重点(diǎn)项目" -> "重点项目"
   (only a parenthesized group of 1-6 letters with at least one tone mark, right after a Chinese
   character; "(记者 颜雅婷)" or "(面积876.38亩)" stay).
4. Web chrome lines are deleted: menus, breadcrumbs, share buttons, log-in links, bylines
   (来源:/编辑:/责任编辑:/原标题:), 【...】【...】 headline lists, image captions, copyright and
   disclaimer blocks, horizontal rules, and the tail of a web page after a marker such as
   相关阅读/猜你喜欢/频道推荐/点击排行/责任编辑 (where only long prose paragraphs are kept). A line
   that states a figure about projects (项目 or 投资 with a number and its unit) is never deleted.
   Leading indentation and trailing spaces of every line are deleted too.
5. Spaces left by typesetting next to a Chinese character are deleted: "产城 人联动" -> "产城人联动",
   "培训会 42场次" -> "培训会42场次", "LED 显示屏" -> "LED显示屏". Spaces between two non-Chinese
   characters stay ("12 345", "Hello world").
6. A paragraph (a line of at least 20 characters) repeated verbatim is kept once, at its first
   place; a short line repeated next to such a dropped repeat (a heading of a repeated block) goes too.
7. Broken lines are joined: a number split by a line break ("完成投资313.4\\n1亿元" ->
   "完成投资313.41亿元"), and a prose line broken mid-sentence: the line has at least 20
   characters with a comma, 、 or ; in it and does not end in sentence punctuation, and the next
   non-blank line starts with a Chinese character, digit or letter that is not a list marker
   (一是, (一), 1., ...). Titles (no comma) and headings (short) are never joined.
8. Runs of blank lines become one blank line; the text is stripped.

The ``OffsetMap`` is exact for characters that were kept or changed one for one (``raw[a:b] ==
text[s:e]`` over unchanged stretches); a span that covers a replacement of another length (an NFKC
expansion such as "…" -> "...", a line whose t2s conversion changed its length) maps to the whole
replaced raw stretch; deleted raw characters inside a span are covered, those at its edges are not.

Speed (figures: bench/bench_normalize.py): step 1 is one table lookup per character (numpy),
with flags for the few characters that need more; step 2 calls OpenCC only on lines with
traditional characters, each distinct line once; the line steps test every line with one cheap
regular expression and look closely only at the lines that may be chrome or that repeat another;
deletions are joins of kept pieces. The map is built when it is first used (the extractor never
uses it), by normalizing the text again (a kept document holds no intermediate text); for a text
over a million characters the steps' spans are found at once and kept as arrays instead.
"""
from __future__ import annotations

import re

from keyproj.read.normalize.characters import _to_simplified, _unify_characters
from keyproj.read.normalize.lines import _clean_lines, _join_lines, _strip_markup
from keyproj.read.normalize.offsets import _CHUNK, OffsetMap, _DeferredOffsetMap, _then

__all__ = ["OffsetMap", "normalize_text"]


def normalize_text(raw: str) -> tuple[str, OffsetMap]:
    """The normalized text of ``raw`` and the map from its offsets back to ``raw``'s.

    See the module docstring for the steps. Offsets are in characters (Python string indices).
    """
    text, total = _normalized(raw)
    if total is None:
        return text, OffsetMap.identity(len(raw))
    if len(raw) > _CHUNK:  # the steps' maps hold arrays of spans: keep them
        return text, total
    # A short text is normalized again when its map is first used, so that a document kept in
    # memory holds no intermediate text for a map that may never be asked for.
    return text, _DeferredOffsetMap(lambda: _normalized(raw)[1])


# A year in Chinese digits (二〇二三年, 一九九八年): four digits, the first two 一九 / 二〇 / 二零.
_CHINESE_YEAR = re.compile(r"(?:一九|二[〇零○])[〇零○一二三四五六七八九]{2}(?=年)")
_YEAR_DIGITS = str.maketrans("〇零○一二三四五六七八九", "00012345678" + "9")


def _year_digits(text: str) -> tuple[str, None]:
    """Step 2, its second part: Chinese-digit years become Arabic, one character for one (the
    offsets stay as they are)."""
    if "年" not in text or _CHINESE_YEAR.search(text) is None:
        return text, None
    return _CHINESE_YEAR.sub(lambda match: match.group(0).translate(_YEAR_DIGITS), text), None


def _normalized(raw: str) -> tuple[str, OffsetMap | None]:
    """The normalized text of ``raw`` and the map of the steps (built on demand; None: identity)."""
    text, total, traditional = _unify_characters(raw)
    for step in (lambda text: _to_simplified(text, traditional), _year_digits, _strip_markup, _clean_lines,
                 _join_lines):
        text, step_map = step(text)
        total = _then(total, step_map)
    return text, total
