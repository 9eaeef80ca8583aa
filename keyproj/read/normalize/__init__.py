"""Normalized text of a Chinese document, with a map from every normalized span back to the raw text.

``normalize_text(raw)`` returns ``(text, offsets)``. The steps, in order:

1. Characters: ``\\r\\n`` and lone ``\\r`` (and other line separators) become ``\\n``; control
   characters, zero-width characters and soft hyphens are deleted; every character is put in NFKC
   form (full-width digits, letters and punctuation become ASCII: "２０２４年，" -> "2024年,";
   U+3000 and no-break spaces become spaces). The em dash of "1—9月" (U+2014) is left as it is.
2. Traditional script becomes Simplified (OpenCC ``t2s``): "項目攻堅" -> "项目攻坚".
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

import codecs
import io
import operator
import os
import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from functools import lru_cache
from itertools import accumulate, chain, compress, repeat
from pathlib import Path
from typing import Any

import numpy as np

from keyproj.util.atomic import atomic_write_bytes

__all__ = ["OffsetMap", "normalize_text"]

_INT = np.int64
_LAZY_SPANS = 4096  # up to this many deleted spans are kept as a list until the map is built


# ---------------------------------------------------------------- the offset map

class OffsetMap:
    """Maps spans of normalized text back to spans of the raw text (offsets in characters).

    Stored compactly as segments (a few numpy arrays, one entry per segment, not per character):
    segment ``i`` covers normalized ``[norm_starts[i], norm_starts[i+1])`` and raw
    ``[raw_starts[i], raw_ends[i])``. A *linear* segment maps character by character; an *opaque* one
    (a replacement of another length) maps any part of it to its whole raw stretch. Raw characters
    between two segments were deleted.
    """

    __slots__ = ("_norm_starts", "_raw_starts", "_raw_ends", "_linear", "_norm_length", "_raw_length")

    def __init__(self, norm_starts: Any, raw_starts: Any, raw_ends: Any, linear: Any,
                 norm_length: int, raw_length: int) -> None:
        self._norm_starts = np.asarray(norm_starts, dtype=_INT)
        self._raw_starts = np.asarray(raw_starts, dtype=_INT)
        self._raw_ends = np.asarray(raw_ends, dtype=_INT)
        self._linear = np.asarray(linear, dtype=bool)
        self._norm_length = int(norm_length)
        self._raw_length = int(raw_length)

    @classmethod
    def identity(cls, length: int) -> OffsetMap:
        """The map of a text that normalization left unchanged (``length`` characters)."""
        if length == 0:
            return cls((), (), (), (), 0, 0)
        return cls((0,), (0,), (length,), (True,), length, length)

    @property
    def norm_length(self) -> int:
        """Length of the normalized text (characters)."""
        return self._norm_length

    @property
    def raw_length(self) -> int:
        """Length of the raw text (characters)."""
        return self._raw_length

    @property
    def segment_count(self) -> int:
        """Number of stored segments (the map's size does not grow with the text's length)."""
        return int(self._norm_starts.size)

    def is_identity(self) -> bool:
        """True when every normalized character is the raw character at the same offset."""
        return (self._norm_length == self._raw_length
                and (self._norm_length == 0
                     or (self._norm_starts.size == 1 and bool(self._linear[0])
                         and int(self._raw_starts[0]) == 0)))

    def to_raw(self, start: int, end: int) -> tuple[int, int]:
        """The raw span ``[raw_start, raw_end)`` that normalized ``[start, end)`` came from."""
        if not 0 <= start <= end <= self._norm_length:
            raise ValueError(f"span [{start}, {end}) is outside the normalized text "
                             f"(length {self._norm_length})")
        raw_start = int(self._start_positions(np.array([start], dtype=_INT))[0])
        if start == end:
            return raw_start, raw_start
        return raw_start, int(self._end_positions(np.array([end], dtype=_INT))[0])

    def to_raw_many(self, starts: Sequence[int] | np.ndarray,
                    ends: Sequence[int] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``to_raw`` for many spans at once (numpy arrays of raw starts and raw ends)."""
        starts = np.asarray(starts, dtype=_INT)
        ends = np.asarray(ends, dtype=_INT)
        if starts.size and (starts.min() < 0 or ends.max() > self._norm_length or (starts > ends).any()):
            raise ValueError(f"a span is outside the normalized text (length {self._norm_length})")
        raw_starts = self._start_positions(starts)
        raw_ends = np.where(starts == ends, raw_starts, self._end_positions(ends))
        return raw_starts, raw_ends

    def compose(self, inner: OffsetMap) -> OffsetMap:
        """The map new -> raw, where ``self`` maps new -> mid and ``inner`` maps mid -> raw."""
        if inner.is_identity():
            return OffsetMap(self._norm_starts, self._raw_starts, self._raw_ends, self._linear,
                             self._norm_length, inner._raw_length)
        if self.is_identity():
            return inner
        if self._norm_starts.size == 0 or inner._norm_starts.size == 0:
            return OffsetMap((), (), (), (), 0, inner._raw_length) if self._norm_length == 0 else \
                OffsetMap((0,), (0,), (0,), (False,), self._norm_length, inner._raw_length)
        b_norm, b_start, b_end, b_linear = self._norm_starts, self._raw_starts, self._raw_ends, self._linear
        a_norm, a_start, a_end, a_linear = inner._norm_starts, inner._raw_starts, inner._raw_ends, inner._linear
        # Split the outer linear segments where an inner segment begins inside them.
        boundaries = a_norm[1:]
        owner = np.maximum(np.searchsorted(b_start, boundaries, side="right") - 1, 0)
        inside = b_linear[owner] & (boundaries > b_start[owner]) & (boundaries < b_end[owner])
        if inside.any():  # split points lie strictly inside segments: no duplicates
            owner = owner[inside]
            starts = np.sort(np.concatenate((b_norm, b_norm[owner] + (boundaries[inside] - b_start[owner]))))
            outer = np.searchsorted(b_norm, starts, side="right") - 1
        else:
            starts = b_norm
            outer = np.arange(b_norm.size)
        lengths = np.empty_like(starts)
        lengths[:-1] = starts[1:] - starts[:-1]
        lengths[-1] = self._norm_length - starts[-1]
        mid = b_start[outer] + (starts - b_norm[outer])
        piece = np.maximum(np.searchsorted(a_norm, mid, side="right") - 1, 0)
        piece_linear = a_linear[piece]
        raw_starts = np.where(piece_linear, a_start[piece] + (mid - a_norm[piece]), a_start[piece])
        raw_ends = np.where(piece_linear, raw_starts + lengths, a_end[piece])
        linear = b_linear[outer] & piece_linear
        opaque = ~b_linear[outer]
        if opaque.any():
            spans = outer[opaque]
            raw_starts[opaque] = inner._start_positions(b_start[spans])
            raw_ends[opaque] = np.maximum(inner._end_positions(b_end[spans]), raw_starts[opaque])
        return _compacted(starts, raw_starts, raw_ends, linear, self._norm_length, inner._raw_length)

    def _start_positions(self, positions: np.ndarray) -> np.ndarray:
        """Raw offset where the normalized character at each position begins."""
        if self._norm_starts.size == 0:
            return np.zeros_like(positions)
        index = np.clip(np.searchsorted(self._norm_starts, positions, side="right") - 1,
                        0, self._norm_starts.size - 1)
        out = np.where(self._linear[index], self._raw_starts[index] + (positions - self._norm_starts[index]),
                       self._raw_starts[index])
        out[positions >= self._norm_length] = self._raw_ends[-1]
        return out

    def _end_positions(self, positions: np.ndarray) -> np.ndarray:
        """Raw offset where the normalized character before each position ends."""
        if self._norm_starts.size == 0:
            return np.zeros_like(positions)
        index = np.searchsorted(self._norm_starts, positions, side="left") - 1
        at_start = index < 0
        index = np.maximum(index, 0)
        out = np.where(self._linear[index], self._raw_starts[index] + (positions - self._norm_starts[index]),
                       self._raw_ends[index])
        out[at_start] = self._raw_starts[0]
        return out

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, OffsetMap):
            return NotImplemented
        return (self._norm_length == other._norm_length and self._raw_length == other._raw_length
                and np.array_equal(self._norm_starts, other._norm_starts)
                and np.array_equal(self._raw_starts, other._raw_starts)
                and np.array_equal(self._raw_ends, other._raw_ends)
                and np.array_equal(self._linear, other._linear))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (f"OffsetMap(norm_length={self._norm_length}, raw_length={self._raw_length}, "
                f"segments={self.segment_count})")


def _compacted(norm_starts: np.ndarray, raw_starts: np.ndarray, raw_ends: np.ndarray,
               linear: np.ndarray, norm_length: int, raw_length: int) -> OffsetMap:
    """An OffsetMap whose neighbouring segments are merged where they continue each other."""
    if norm_starts.size > 1:
        continues = ((linear[:-1] & linear[1:] & (raw_ends[:-1] == raw_starts[1:]))
                     | (~linear[:-1] & ~linear[1:] & (raw_starts[:-1] == raw_starts[1:])
                        & (raw_ends[:-1] == raw_ends[1:])))
        if continues.any():
            keep = np.concatenate(([True], ~continues))
            firsts = np.flatnonzero(keep)
            lasts = np.append(firsts[1:] - 1, norm_starts.size - 1)
            norm_starts, raw_starts, linear = norm_starts[keep], raw_starts[keep], linear[keep]
            raw_ends = raw_ends[lasts]
    return OffsetMap(norm_starts, raw_starts, raw_ends, linear, norm_length, raw_length)


class _DeferredOffsetMap(OffsetMap):
    """An OffsetMap built only when first used.

    Normalizing a document makes one map per step and composes them; most callers (the
    extractor) never ask for an offset, so the arrays are built and composed on demand.
    """

    __slots__ = ("_build",)

    def __init__(self, build: Any) -> None:  # the OffsetMap slots stay unset until needed
        self._build = build

    def __getattr__(self, name: str) -> Any:
        if name not in OffsetMap.__slots__:
            raise AttributeError(name)
        built = self._build()
        for slot in OffsetMap.__slots__:  # getattr: ``built`` may itself be deferred
            object.__setattr__(self, slot, getattr(built, slot))
        self._build = None  # let go of the steps' maps and spans
        return object.__getattribute__(self, name)


def _edit_map(old_length: int, starts: np.ndarray, ends: np.ndarray, new_lengths: np.ndarray,
              linear_edits: np.ndarray | None = None) -> OffsetMap:
    """The map new -> old of replacing old ``[starts[i], ends[i])`` by ``new_lengths[i]`` characters
    (built when first used).

    Edits are sorted and disjoint. An edit is linear (character for character) when
    ``linear_edits[i]`` is set and its lengths agree, or when it replaces one character by one.
    """
    return _DeferredOffsetMap(lambda: _edit_map_now(old_length, starts, ends, new_lengths, linear_edits))


def _edit_map_now(old_length: int, starts: np.ndarray, ends: np.ndarray, new_lengths: np.ndarray,
                  linear_edits: np.ndarray | None = None) -> OffsetMap:
    """:func:`_edit_map`, built at once."""
    if starts.size == 0:
        return OffsetMap.identity(old_length)
    count = 2 * starts.size + 1
    raw_starts = np.empty(count, dtype=_INT)
    raw_ends = np.empty(count, dtype=_INT)
    lengths = np.empty(count, dtype=_INT)
    linear = np.ones(count, dtype=bool)
    raw_starts[0] = 0
    raw_starts[2::2] = ends
    raw_starts[1::2] = starts
    raw_ends[0:-1:2] = starts
    raw_ends[-1] = old_length
    raw_ends[1::2] = ends
    lengths[0::2] = raw_ends[0::2] - raw_starts[0::2]
    lengths[1::2] = new_lengths
    same_length = new_lengths == (ends - starts)
    if linear_edits is None:
        linear[1::2] = same_length & (new_lengths == 1)
    else:
        linear[1::2] = same_length & linear_edits
    nonempty = lengths > 0
    lengths = lengths[nonempty]
    norm_starts = np.zeros(lengths.size, dtype=_INT)
    np.cumsum(lengths[:-1], out=norm_starts[1:])
    return _compacted(norm_starts, raw_starts[nonempty], raw_ends[nonempty], linear[nonempty],
                      int(lengths.sum()), old_length)


def _delete(text: str, spans: list[tuple[int, int]]) -> tuple[str, OffsetMap | None]:
    """``text`` without the sorted, disjoint ``spans``, and the map new -> old (None if nothing goes)."""
    if not spans:
        return text, None
    bounds = [0, *chain.from_iterable(spans), len(text)]  # the kept pieces: bounds[0:2], bounds[2:4], ...
    new_text = "".join(map(text.__getitem__, map(slice, bounds[0::2], bounds[1::2])))
    old_length = len(text)
    if len(spans) > _LAZY_SPANS:  # a long list takes less memory as an array
        edges = np.array(bounds[1:-1], dtype=_INT)
        return new_text, _edit_map(old_length, edges[0::2], edges[1::2], np.zeros(len(spans), dtype=_INT))

    def build() -> OffsetMap:
        edges = np.array(bounds[1:-1], dtype=_INT)
        return _edit_map_now(old_length, edges[0::2], edges[1::2], np.zeros(len(spans), dtype=_INT))

    return new_text, _DeferredOffsetMap(build)


def _deletion_map(old_length: int, find_spans: Callable[..., list[tuple[int, int]] | np.ndarray],
                  *args: Any) -> OffsetMap:
    """The map new -> old of deleting the sorted, disjoint spans ``find_spans(*args)`` from a text of
    ``old_length`` characters. The spans are found when the map is first used (at once for a long
    text, whose arguments would take memory)."""
    if old_length > _CHUNK:
        return _spans_map(old_length, find_spans(*args))
    return _DeferredOffsetMap(lambda: _spans_map(old_length, find_spans(*args)))


def _spans_map(old_length: int, spans: list[tuple[int, int]] | np.ndarray) -> OffsetMap:
    edges = np.asarray(spans, dtype=_INT).reshape(-1, 2)
    return _edit_map_now(old_length, edges[:, 0], edges[:, 1], np.zeros(edges.shape[0], dtype=_INT))


def _replace(text: str, edits: list[tuple[int, int, str, bool]]) -> tuple[str, OffsetMap | None]:
    """``text`` with sorted, disjoint edits ``(start, end, replacement, linear)`` and the map new -> old."""
    if not edits:
        return text, None
    old_length = len(text)

    def build() -> OffsetMap:
        starts = np.array([edit[0] for edit in edits], dtype=_INT)
        ends = np.array([edit[1] for edit in edits], dtype=_INT)
        lengths = np.array([len(edit[2]) for edit in edits], dtype=_INT)
        linear = np.array([edit[3] for edit in edits], dtype=bool)
        return _edit_map_now(old_length, starts, ends, lengths, linear)

    return _replaced(text, edits), build() if len(edits) > _LAZY_SPANS else _DeferredOffsetMap(build)


def _replaced(text: str, edits: list[tuple[int, int, str, bool]]) -> str:
    """``text`` with sorted, disjoint edits ``(start, end, replacement, linear)``."""
    pieces: list[str] = []
    previous = 0
    for start, end, replacement, _ in edits:
        pieces.append(text[previous:start])
        pieces.append(replacement)
        previous = end
    pieces.append(text[previous:])
    return "".join(pieces)


def _then(total: OffsetMap | None, step: OffsetMap | None) -> OffsetMap | None:
    """Compose the map of one more step onto the map so far (None stands for the identity)."""
    if step is None:
        return total
    if total is None:
        return step
    return _DeferredOffsetMap(lambda: step.compose(total))


# ---------------------------------------------------------------- step 1: characters

_KEEP, _DROP, _COMPLEX = 0, 1, 2
_LINE_BREAKS = "\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_INVISIBLE = "\u00ad\u180e\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062" \
             "\u2063\u2064\u2066\u2067\u2068\u2069\ufeff\ufffe\uffff"
_CHUNK = 1 << 20  # characters converted at once (bounds the temporary arrays)
# Flags above the code point (21 bits) in the table of _code_table.
_DROP_FLAG, _COMPLEX_FLAG, _TRADITIONAL_FLAG = 1 << 21, 1 << 22, 1 << 23
_CODE_MASK = _DROP_FLAG - 1


def _character_tables() -> tuple[np.ndarray, np.ndarray]:
    """For each BMP character: its NFKC form when that is one character, and what to do with it."""
    table = np.arange(0x10000, dtype=np.uint32)
    kind = np.zeros(0x10000, dtype=np.uint8)
    normalize, combining, is_normalized = unicodedata.normalize, unicodedata.combining, unicodedata.is_normalized
    for code in range(0x80, 0x10000):
        if 0xD800 <= code < 0xE000:
            continue
        char = chr(code)
        if combining(char) or 0x1160 <= code <= 0x11FF:  # may compose with the character before
            kind[code] = _COMPLEX
            continue
        if is_normalized("NFKC", char):
            continue
        form = normalize("NFKC", char)
        if len(form) == 1 and not combining(form):
            table[code] = ord(form)
        else:
            kind[code] = _COMPLEX
    for code in [*range(0x20), 0x7F, *range(0x80, 0xA0)]:
        kind[code] = _DROP
    kind[[0x09, 0x0A, 0x0D]] = _KEEP
    for char in _LINE_BREAKS:
        table[ord(char)] = 0x0A
        kind[ord(char)] = _KEEP
    for char in _INVISIBLE:
        kind[ord(char)] = _DROP
    return table, kind


@lru_cache(maxsize=1)
def _t2s_converter() -> Any:
    """The OpenCC t2s converter."""
    import opencc

    return opencc.OpenCC("t2s")


def _t2s_changes() -> np.ndarray:
    """For each BMP character: whether t2s changes it."""
    converter = _t2s_converter()
    candidates = [chr(code) for code in range(0x2E80, 0x10000)
                  if not 0xD800 <= code < 0xF900 or 0x3400 <= code < 0xA000]
    converted = converter.convert("\n".join(candidates)).split("\n")
    if len(converted) != len(candidates):  # a conversion changed the number of lines: one by one
        converted = [converter.convert(char) for char in candidates]
    traditional = np.zeros(0x10000, dtype=bool)
    traditional[[ord(char) for char, out in zip(candidates, converted) if out != char]] = True
    return traditional


@lru_cache(maxsize=1)
def _code_table() -> np.ndarray:
    """The table of step 1 (``_build_code_table``), kept between runs in the user's cache folder:
    building it takes about 25 ms, loading it well under 1 ms."""
    path = _code_table_cache()
    if path is not None:
        try:
            table = np.load(path, allow_pickle=False)
            if table.shape == (0x10001,) and table.dtype == np.uint32:
                return table
        except (OSError, ValueError):
            pass  # absent or damaged: built again below
    table = _build_code_table()
    if path is not None:
        try:
            buffer = io.BytesIO()
            np.save(buffer, table, allow_pickle=False)
            atomic_write_bytes(path, buffer.getvalue())
        except OSError:
            pass  # a read-only or full cache folder only costs the time to build the table
    return table


def _code_table_cache() -> Path | None:
    """Where the table of step 1 is cached: named after everything it is built from (this module's
    source, the Unicode version of unicodedata, the installed OpenCC package). None: no cache folder."""
    import zlib
    from importlib.util import find_spec

    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    if not os.path.isabs(base):
        return None
    try:
        source = zlib.crc32(Path(__file__).read_bytes())
        # The installed package and its t2s dictionaries, seen without importing OpenCC (a few ms).
        spec = find_spec("opencc")
        package = Path(spec.origin).parent if spec is not None and spec.origin else None
        stats = []
        for name in ("__init__.py", "clib/share/opencc/TSCharacters.ocd2", "clib/share/opencc/TSPhrases.ocd2"):
            if package is None:
                break
            try:
                stat = (package / name).stat()
            except FileNotFoundError:
                continue
            stats.append((name, stat.st_size, stat.st_mtime_ns))
        opencc = zlib.crc32(repr(stats).encode())
    except OSError:
        return None
    return Path(base, "keyproj", f"code-table-{unicodedata.unidata_version}-{opencc:08x}-{source:08x}.npy")


def _build_code_table() -> np.ndarray:
    """For each BMP character (and at index 0x10000 for every character beyond the BMP): its NFKC
    form when that is one character (bits 0-20), and flags saying it is to be dropped, to be put in
    NFKC form with its neighbours (``_complex_edits``), or (after NFKC) traditional."""
    table, kind = _character_tables()
    traditional = _t2s_changes()
    codes = np.empty(0x10001, dtype=np.uint32)
    codes[:0x10000] = table
    codes[0x10000] = 0x10000 | _COMPLEX_FLAG
    codes[:0x10000][kind == _DROP] |= _DROP_FLAG
    codes[:0x10000][kind == _COMPLEX] |= _COMPLEX_FLAG
    in_bmp = table < 0x10000  # a few compatibility ideographs become characters beyond the BMP
    is_traditional = np.zeros(0x10000, dtype=bool)
    is_traditional[in_bmp] = traditional[table[in_bmp]]
    is_traditional &= kind != _COMPLEX  # (none is) so that step 1 knows the lines of traditional characters
    codes[:0x10000][is_traditional] |= _TRADITIONAL_FLAG
    return codes


def _chunk_bounds(text: str) -> list[tuple[int, int]]:
    """Pieces of about _CHUNK characters that end after a line break (never inside \\r\\n)."""
    if len(text) <= _CHUNK:
        return [(0, len(text))] if text else []
    bounds: list[tuple[int, int]] = []
    start = 0
    while start < len(text):
        end = start + _CHUNK
        if end >= len(text):
            end = len(text)
        else:
            newline = text.find("\n", end)
            end = len(text) if newline < 0 else newline + 1
        bounds.append((start, end))
        start = end
    return bounds


def _unify_characters(text: str) -> tuple[str, OffsetMap | None, tuple[np.ndarray, np.ndarray] | None]:
    """Step 1: line breaks, invisible characters and NFKC (see the module docstring).

    Also returns the lines (starts, ends: offsets in the new text) that hold traditional characters
    (None if there are none). A traditional character is never inside a stretch that NFKC changes
    as a whole (no such character is traditional), so its line is that of the new text.
    """
    code_table = _code_table()
    pieces: list[str] = []
    dropped: list[np.ndarray] = []
    complex_positions: list[np.ndarray] = []
    line_starts: list[np.ndarray] = []
    line_ends: list[np.ndarray] = []
    out_length = 0
    for start, end in _chunk_bounds(text):
        chunk = text[start:end]
        codes = np.frombuffer(chunk.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        looked_up = code_table.take(codes, mode="clip")  # beyond the BMP: the last entry
        if "\r" in chunk and "\r\n" in chunk:  # one character is searched for much faster than two
            looked_up[np.flatnonzero((codes[:-1] == 0x0D) & (codes[1:] == 0x0A))] |= _DROP_FLAG
        if int(looked_up.max()) >= _DROP_FLAG:  # else one for one (most text): nothing more to do
            flagged = np.flatnonzero(looked_up >= _DROP_FLAG)
            flags = looked_up[flagged]
            looked_up &= _CODE_MASK
            if int(codes.max()) > 0xFFFF:  # characters beyond the BMP stay as they are (step 1 ends with NFKC)
                wide = np.flatnonzero(codes > 0xFFFF)
                looked_up[wide] = codes[wide]
            is_dropped = (flags & _DROP_FLAG) != 0
            if is_dropped.any():
                drops = flagged[is_dropped]
                dropped.append(drops + start)
                keep = np.ones(looked_up.size, dtype=bool)
                keep[drops] = False
                looked_up = looked_up[keep]
                flagged, flags = flagged[~is_dropped], flags[~is_dropped]
                flagged -= np.searchsorted(drops, flagged)  # their offsets once the drops are gone
            found = flagged[(flags & _COMPLEX_FLAG) != 0]
            if found.size:
                complex_positions.append(found + out_length)
            found = flagged[(flags & _TRADITIONAL_FLAG) != 0]
            if found.size:  # their lines (a piece ends with a line break: no line spans two)
                newlines = np.flatnonzero(looked_up == 0x0A)
                lines = np.searchsorted(newlines, found)
                lines = lines[np.concatenate(([True], lines[1:] != lines[:-1]))]  # sorted: one each
                bounds = np.concatenate(([-1], newlines, [looked_up.size]))
                line_starts.append(bounds[lines] + 1 + out_length)
                line_ends.append(bounds[lines + 1] + out_length)
        piece = codecs.utf_32_le_decode(looked_up, "surrogatepass")[0]
        pieces.append(piece)
        out_length += len(piece)
    unified = pieces[0] if len(pieces) == 1 else "".join(pieces)
    total: OffsetMap | None = None
    if dropped:
        positions = np.concatenate(dropped)
        total = _edit_map(len(text), positions, positions + 1, np.zeros(positions.size, dtype=_INT))
    traditional = (np.concatenate(line_starts), np.concatenate(line_ends)) if line_starts else None
    if complex_positions:
        edits = _complex_edits(unified, np.concatenate(complex_positions))
        if edits:
            unified, step = _replace(unified, edits)
            total = _then(total, step)
            if traditional is not None:
                traditional = (_shifted(traditional[0], edits), _shifted(traditional[1], edits))
    return unified, total, traditional


def _shifted(positions: np.ndarray, edits: list[tuple[int, int, str, bool]]) -> np.ndarray:
    """Offsets after the edits are made of characters outside ``edits`` or at their starts (and of
    the text's end)."""
    ends = np.array([edit[1] for edit in edits], dtype=_INT)
    growth = np.zeros(len(edits) + 1, dtype=_INT)  # after 0, 1, 2, ... edits
    np.cumsum([len(edit[2]) - (edit[1] - edit[0]) for edit in edits], out=growth[1:])
    return positions + growth[np.searchsorted(ends, positions, side="right")]


@lru_cache(maxsize=4096)
def _composes(char: str) -> bool:
    """Whether NFKC may combine ``char`` with the character before it (accents, jamo, ﾞ)."""
    if unicodedata.combining(char) or 0x1160 <= ord(char) <= 0x11FF:
        return True
    form = unicodedata.normalize("NFKC", char)
    return form != char and bool(unicodedata.combining(form[0]))


@lru_cache(maxsize=4096)
def _nfkc(text: str) -> str:
    """NFKC of a short stretch (most are one character: …, ①, ㎡)."""
    return unicodedata.normalize("NFKC", text)


def _complex_edits(text: str, positions: np.ndarray) -> list[tuple[int, int, str, bool]]:
    """NFKC of characters that expand (…, ①, ㎡), combine with the one before, or lie outside the BMP."""
    edits: list[tuple[int, int, str, bool]] = []
    covered = 0
    for position in positions.tolist():
        if position < covered:
            continue
        start, end = position, position + 1
        if _composes(text[position]):
            if position > covered and text[position - 1] != "\n":
                start = position - 1
            while end < len(text) and _composes(text[end]):
                end += 1
        original = text[start:end]
        form = _nfkc(original) if end - start <= 2 else unicodedata.normalize("NFKC", original)
        if form != original:
            edits.append((start, end, form, False))
        covered = end
    return edits


# ---------------------------------------------------------------- step 2: traditional -> simplified

_T2S_GAP = 4096  # lines with traditional characters closer than this are converted in one call


def _to_simplified(text: str, traditional: tuple[np.ndarray, np.ndarray] | None
                   ) -> tuple[str, OffsetMap | None]:
    """Step 2: OpenCC t2s on the lines that hold traditional characters (their starts and ends, from
    step 1); lines closer than _T2S_GAP are converted together."""
    if traditional is None:
        return text, None
    converter = _t2s_converter()
    starts, ends = traditional
    separate = np.flatnonzero(starts[1:] - ends[:-1] > _T2S_GAP)
    block_starts = starts[np.concatenate(([0], separate + 1))].tolist()
    block_ends = ends[np.concatenate((separate, [ends.size - 1]))].tolist()
    edits: list[tuple[int, int, str, bool]] = []
    same_length = True
    for start, end in zip(block_starts, block_ends):
        block = text[start:end]
        try:
            converted = _converted(converter, block)
        except UnicodeError:  # a lone surrogate cannot go to OpenCC: leave the block as it is
            continue
        if len(converted) == len(block):
            edits.append((start, end, converted, True))
            continue
        # A phrase changed length somewhere: map line by line, a changed line as a whole.
        same_length = False
        line_start = start
        for line in block.split("\n"):
            try:
                out = converter.convert(line)
            except UnicodeError:
                out = line
            edits.append((line_start, line_start + len(line), out, len(out) == len(line)))
            line_start += len(line) + 1
    if same_length:  # character for character: the map is the identity
        return _replaced(text, edits), None
    return _replace(text, edits)


def _converted(converter: Any, block: str) -> str:
    """OpenCC's conversion of ``block``, each distinct line converted once (pages repeat menus and
    blocks). No conversion spans a line break (no dictionary entry holds one), so this is exact."""
    lines = block.split("\n")
    distinct = list(dict.fromkeys(lines))
    if len(distinct) * 4 > len(lines) * 3:  # few repeats: not worth it
        return converter.convert(block)
    converted = converter.convert("\n".join(distinct)).split("\n")
    if len(converted) != len(distinct):  # never seen; convert the block as it is
        return converter.convert(block)
    return "\n".join(map(dict(zip(distinct, converted)).__getitem__, lines))


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

_CHROME_WORDS = frozenset("""
注册 登录 登陆 退出 首页 网站首页 返回首页 分享 分享到 微信 微博 新浪微博 腾讯微博 QQ QQ空间 朋友圈 打印 打印本页
关闭 关闭窗口 收藏 加入收藏 设为首页 字号 字体 大 中 小 默认 返回顶部 顶部 返回 扫一扫 扫码 二维码 手机版 移动版
无障碍 繁体 简体 English 上一篇 下一篇 地方 图片默认标题 默认标题 相关阅读 相关新闻 相关链接 相关文章 延伸阅读
猜你喜欢 频道推荐 新闻推荐 热点推荐 热门推荐 推荐阅读 精彩推荐 视觉焦点 精彩视频 专题推荐 热门专题 点击排行
点击排行榜 排行榜 热门排行 我要评论 网友评论 发表评论 评论 更多 查看更多 站内搜索 搜索 导航 RSS
""".split())
_WORD_SEPARATORS = re.compile(r"[\s|/·•]+")
_WORD_TRIM = ":：>»›"
# Checked at the start of every line: a page's tail begins at a tail marker (the line itself always goes).
_LINE_START = re.compile(
    r"(?P<tail>相关阅读|相关新闻|相关链接|相关文章|延伸阅读|猜你喜欢|猜你感兴趣|为你推荐|频道推荐|新闻推荐|热点推荐"
    r"|热门推荐|推荐阅读|精彩推荐|专题推荐|视觉焦点|精彩视频|[0-9]*小时点击排行|点击排行|热门排行|排行榜|网友评论|我要评论"
    r"|发表评论|已有[0-9]+条评论|责任编辑|分享到)"
    r"|(?P<byline>(?:来源|稿源|信息来源|文章来源|本文来源|来自|编辑|责编|作者|撰稿|审核|审校|校对|发布时间|发布日期"
    r"|发布者|发文日期|原标题|原题|点击数|点击量|浏览次数|浏览量|阅读次数|阅读量|访问量|字号|联办单位|当前位置|您的位置"
    r"|你的位置|您现在的位置|所在位置)\s*[:：])"
    r"|(?P<headlines>【[^】]{1,30}】\s*【)"
    r"|(?P<rule>[-—_=*~·.]{3,}\Z)"
    r"|(?P<notice>声明[:：]?\Z)")
# The characters _LINE_START's alternatives begin with (checked first: the regex tries them one by one).
_LINE_START_FIRST = frozenset("相延猜为频新热推精专视点排网我发已责分来稿信文本编作撰审校原浏阅访字联当您你所【-—_=*~·.声"
                              "0123456789")
# Searched once in the whole text; every alternative starts with a literal character, so that the
# regex engine skips quickly from one candidate to the next (named groups would defeat that).
_ANYWHERE = re.compile(
    r"版权所有|版权归|版权[^。\n]{0,20}声明|免责[^。\n]{0,20}声明|法律[^。\n]{0,20}声明|郑重[^。\n]{0,20}声明"
    r"|侵权必究|未经[^\n]{0,12}(?:授权|许可|同意)[^\n]{0,12}(?:不得|禁止|严禁|请勿)|转载请注明|不代表本网观点"
    r"|本网将追究|Copyright|COPYRIGHT|copyright|©|All Rights Reserved|ICP备|ICP证|公网安备"
    r"|_fororder_|\.(?:jpe?g|png|gif|webp|bmp|JPE?G|PNG|GIF)\b|:(?<=\d:)\d\d")
_DATE_TIME = re.compile(r"\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?\s*\d{1,2}:\d{2}")
_META_FIELD = re.compile(r"(?:来源|编辑|责编|作者|发布)\s*[:：]")
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
_SPACES = re.compile(rf"[ \t\u1680](?:(?<=[\n{_CJK}][ \t\u1680])[ \t\u1680]*|[ \t\u1680]*(?=[\n{_CJK}]|\Z))")
_LEADING_SPACES = re.compile(r"[ \t\u1680]+")
_SPACE_CHARACTERS = frozenset(" \t\u1680")
# _SPACES for a text whose only spaces are U+0020 (a literal first character makes the search faster).
_PLAIN_SPACES = re.compile(rf" (?:(?<=[\n{_CJK}] ) *| *(?=[\n{_CJK}]|\Z))")
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
    if found.endswith("声明"):
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
                    if line and not _is_protected(line):
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
_BREAK = re.compile(rf"\n(?<=[^\n{re.escape(_SENTENCE_END)}]\n)\n*(?=[{_HAN}0-9A-Za-z.%])")
_NUMBER_END = frozenset("0123456789.")
_UNIT = r"亿|万|千|百|%|个|百分点|元|倍|项|宗|亩|吨|公里|千米|平方米|人次|家|户"
_NUMBER_GOES_ON = re.compile(rf"\d[\d.]*\s*(?:{_UNIT})|\.\d|(?:{_UNIT})")
_LIST_MARKER = re.compile(
    r"[一二三四五六七八九十]+[、是.]|[(（][一二三四五六七八九十\d]{1,3}[)）]|\d{1,2}[、.](?!\d)"
    r"|第[一二三四五六七八九十\d]+[章节条部篇]")
_MID_SENTENCE_MARK = re.compile(r"[,，、;；]")
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
            if end - start <= 3 and _NUMBER_GOES_ON.match(text, end):
                spans.append((start, end))
            continue
        first = text[end]
        if first in ".%":
            continue
        line_start = text.rfind("\n", 0, start) + 1
        if start - line_start < _LINE_MIN or not _MID_SENTENCE_MARK.search(text, line_start, start):
            continue  # a title or a heading
        if _LIST_MARKER.match(text, end):
            continue
        if last.isascii() and last.isalpha() and first.isascii():
            continue  # two Latin words would run together
        next_end = text.find("\n", end)
        if next_end < 0:
            next_end = len(text)
        if next_end - end < _HEADING_MAX and not _CLAUSE_MARK.search(text, end, next_end):
            continue  # a heading follows
        spans.append((start, end))
    return spans


def _join_lines(text: str) -> tuple[str, OffsetMap | None]:
    """Steps 7-8: join broken lines, then at most one blank line between paragraphs, none at the ends."""
    spans = _joins(text)
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


# ---------------------------------------------------------------- all steps

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


def _normalized(raw: str) -> tuple[str, OffsetMap | None]:
    """The normalized text of ``raw`` and the map of the steps (built on demand; None: identity)."""
    text, total, traditional = _unify_characters(raw)
    for step in (lambda text: _to_simplified(text, traditional), _strip_markup, _clean_lines,
                 _join_lines):
        text, step_map = step(text)
        total = _then(total, step_map)
    return text, total
