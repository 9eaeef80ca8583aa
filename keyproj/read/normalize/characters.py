"""Normalization steps 1-2: characters (line breaks, invisible characters, NFKC) through a cached
code table, and Traditional -> Simplified (OpenCC t2s) on the lines that need it."""
from __future__ import annotations

import codecs
import io
import os
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from keyproj.read.normalize.offsets import (
    _CHUNK,
    _INT,
    OffsetMap,
    _edit_map,
    _replace,
    _replaced,
    _then,
)
from keyproj.util.atomic import atomic_write_bytes

# ---------------------------------------------------------------- step 1: characters

_KEEP, _DROP, _COMPLEX = 0, 1, 2
_LINE_BREAKS = "\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_INVISIBLE = "\u00ad\u180e\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062" \
             "\u2063\u2064\u2066\u2067\u2068\u2069\ufeff\ufffe\uffff"
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
    # ①…⑳ mark items of a list (a footnote, a card's line): a mark, not a digit that would run into
    # the number after it ("②42个省重点项目" is no 242)
    table[0x2460:0x2474], kind[0x2460:0x2474] = ord("·"), 0
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
    traditional[[ord(char) for char, out in zip(candidates, converted) if out != char and char not in
                 _SIMPLIFIED_TOO]] = True
    return traditional


# Standard Simplified characters that t2s still rewrites: 乾 -> 干 (乾安县, 乾县, 乾隆 are written so)
_SIMPLIFIED_TOO = frozenset("乾")


def _kept(original: str, converted: str) -> str:
    """``converted`` with the characters of _SIMPLIFIED_TOO as they stood (when the lengths agree)."""
    if len(original) != len(converted) or not any(char in original for char in _SIMPLIFIED_TOO):
        return converted
    return "".join(o if o in _SIMPLIFIED_TOO else c for o, c in zip(original, converted))


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
    # One piece: the table lookup, the flags and the rare slow paths share arrays that splitting
    # would copy or pass around; this loop is the reading pipeline's hottest (bench_normalize.py).
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
        return _kept(block, converter.convert(block))
    converted = converter.convert("\n".join(distinct)).split("\n")
    if len(converted) != len(distinct):  # never seen; convert the block as it is
        return _kept(block, converter.convert(block))
    return _kept(block, "\n".join(map(dict(zip(distinct, converted)).__getitem__, lines)))
