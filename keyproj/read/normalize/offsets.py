"""The offset map from normalized text back to raw text, and the edit, deletion and replacement
maps the normalization steps compose (see keyproj/read/normalize/__init__.py)."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import chain
from typing import Any

import numpy as np

_INT = np.int64
_CHUNK = 1 << 20  # characters converted at once; above it, maps keep their spans as arrays
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
