"""Bytes to text: byte-order marks, UTF-16 without one, GB18030/GBK/GB2312 and Big5, decoded
strictly (never with replacement characters); a file that is none of these is a BadInputError."""
from __future__ import annotations

import codecs
import re
from pathlib import Path

from keyproj.errors import BadInputError

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)
# charset-normalizer chooses among these when a file is not UTF-8.
_CANDIDATES = ["gb18030", "big5", "cp950", "big5hkscs", "utf_16_le", "utf_16_be"]
# Strict decoders to try for what charset-normalizer names (supersets first where they exist).
DECODERS = {
    "gb2312": ("gb18030",), "gbk": ("gb18030",), "cp936": ("gb18030",), "gb18030": ("gb18030",),
    "big5": ("big5", "cp950", "big5hkscs"), "cp950": ("cp950", "big5hkscs"), "big5hkscs": ("big5hkscs",),
}
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")
_NOT_CONTROL_BYTES = bytes([*range(0x09, 0x0E), 0x1B, *range(0x20, 0x7F), *range(0x80, 0x100)])  # not _CONTROL
_UNDECODABLE = "cannot decode the text (it is not UTF-8, UTF-16, GB18030/GBK or Big5): save it as UTF-8"


def decode_text(data: bytes, path: str | Path = "<bytes>") -> str:
    """The text of a file's bytes: UTF-8, UTF-16/32 with a byte-order mark, BOM-less UTF-16,
    GB18030/GBK or Big5, decoded strictly. Raises BadInputError for an empty, binary or undecodable file."""
    if not data:
        raise BadInputError(path, "empty file")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _checked(data.decode(encoding), path)
            except UnicodeDecodeError:
                raise BadInputError(path, f"not valid {encoding.upper()} although it starts with its byte-order "
                                          f"mark: save it again as UTF-8") from None
    try:
        text = data.decode("utf-8")  # the usual case first: a strict decode is cheap
    except UnicodeDecodeError:
        pass
    else:
        return _checked(text, path, data)
    if b"\x00" in data:
        text = _bomless_utf16(data)
        if text is None:
            raise BadInputError(path, "binary file (it contains NUL bytes), not a text document: "
                                      "give a .txt, .html or .pdf document")
        return _checked(text, path)
    return _checked(_detected(data, path), path)


def _bomless_utf16(data: bytes) -> str | None:
    """UTF-16 without a byte-order mark: ASCII characters leave NUL bytes on one side only."""
    if len(data) % 2:
        return None
    even, odd = data[0::2].count(0), data[1::2].count(0)
    encoding = "utf-16-le" if odd > 4 * even else "utf-16-be" if even > 4 * odd else None
    if encoding is None:
        return None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    return None if _CONTROL.search(text) else text


def _detected(data: bytes, path: str | Path) -> str:
    """Decode a non-UTF-8 file with the encoding charset-normalizer finds most plausible."""
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=_CANDIDATES).best()
    if best is None:
        raise BadInputError(path, _UNDECODABLE)
    name = best.encoding.lower().replace("-", "_")
    for encoding in DECODERS.get(name, (name,)):
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        if _unbroken(text):
            raise BadInputError(path, _UNDECODABLE)
        return text
    raise BadInputError(path, _UNDECODABLE)


# Prose breaks its characters with punctuation, spaces, line ends or digits at least every few
# dozen characters; random bytes, which GB18030 decodes into rare characters, never do.
_BREAKS = frozenset("，。、；：！？,.;:!?()（）《》“”\"' \t\n\r\u3000") | frozenset("0123456789")
_NOISE_MIN_CHARACTERS = 200


def _unbroken(text: str) -> bool:
    """Whether ``text`` (decoded through a guessed encoding) reads as noise: at least 200
    characters with fewer than one break (punctuation, space, digit) per 100 of them."""
    sample = text[:65536]
    if len(sample) < _NOISE_MIN_CHARACTERS:
        return False
    return sum(character in _BREAKS for character in sample) * 100 < len(sample)


def _checked(text: str, path: str | Path, utf8: bytes | None = None) -> str:
    """``text`` if it is a text document; ``utf8`` is the file's bytes when ``text`` is their UTF-8
    decoding (control characters are then found faster in the bytes: in UTF-8 they are single bytes)."""
    if not text or text.isspace():
        raise BadInputError(path, "empty file (only white space)")
    if utf8 is not None and not utf8.translate(None, _NOT_CONTROL_BYTES):
        return text  # no control character, no NUL
    if "\x00" in text:
        raise BadInputError(path, "binary file (it contains NUL bytes), not a text document: "
                                  "give a .txt, .html or .pdf document")
    if len(_CONTROL.findall(text[:65536])) > max(8, len(text[:65536]) // 100):
        raise BadInputError(path, "binary file (control characters), not a text document: "
                                  "give a .txt, .html or .pdf document")
    return text


