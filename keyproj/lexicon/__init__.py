"""Language as data: the YAML files of this folder, loaded once, checked, and turned into matchers.

Each file maps section names to entries; which sections and which keys an entry may have is
declared in ``SCHEMAS`` (as dateparser's ``LanguageValidator`` declares the keys of its language
files). A bad file or entry is a one-line ``BadInputError`` naming the file and the entry.

The API is generic, so any module can keep its words here:

* :func:`load` -- a file's sections as a dict (cached; ``yaml.CSafeLoader``);
* :func:`words` -- the word list of one entry;
* :func:`alternation` -- a regex alternation of words, longest first (plain words escaped,
  entries written as ``re:`` fragments kept as regex);
* :func:`first_characters` -- a lookahead ``(?=[...])`` listing every character a match of the
  patterns can start with, derived from the patterns themselves so no hand-kept copy can drift;
* :func:`compile_words` -- ``first_characters`` + ``alternation`` compiled.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from keyproj.errors import BadInputError

FOLDER = Path(__file__).resolve().parent
REGEX_PREFIX = "re:"  # a word written "re:..." is a regex fragment, not a plain word

# file -> section -> allowed keys of its entries (None: the section is a plain mapping or list)
ENTRY_KEYS: frozenset[str] = frozenset({"words", "examples", "why", "value", "role", "metric", "kind", "sign",
                                       "not_before"})
EXAMPLE_KEYS: frozenset[str] = frozenset({"text", "region", "published", "title", "facts", "why"})
SCHEMAS: dict[str, frozenset[str]] = {
    "wordings": frozenset({
        "list_nouns", "levels", "overall", "anaphors", "membership", "under_construction", "place_groups",
        "metrics", "stages", "signed", "counters", "qualifiers", "fillers", "enumeration",
        "targets", "distractors", "breakdowns", "rankings",
    }),
    "time": frozenset({"forms"}),
    "numbers": frozenset({"numerals", "units"}),
    "chrome": frozenset({"menu_words", "tail_markers", "byline_fields", "notices", "copyright", "meta_fields",
                         "page_numbers"}),
}


def _fail(path: Path, where: str, message: str) -> BadInputError:
    return BadInputError(path, f"{where}: {message}" if where else message)


@functools.cache
def load(name: str) -> dict[str, Any]:
    """The sections of ``keyproj/lexicon/<name>.yaml``, checked against ``SCHEMAS`` (loaded once)."""
    import yaml

    path = FOLDER / f"{name}.yaml"
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    except (OSError, yaml.YAMLError) as error:
        raise BadInputError(path, f"cannot be read: {' '.join(str(error).split())}") from None
    if not isinstance(data, dict):
        raise _fail(path, "", "expected a mapping of sections")
    allowed = SCHEMAS.get(name)
    if allowed is not None:
        unknown = sorted(set(data) - allowed)
        if unknown:
            raise _fail(path, f"section {unknown[0]!r}", f"unknown (known: {', '.join(sorted(allowed))})")
    for section, entries in data.items():
        _check_section(path, section, entries)
    return data


def _check_section(path: Path, section: str, entries: Any) -> None:
    """Every entry of a section is a mapping with known keys, a ``words`` list, and checked examples."""
    if not isinstance(entries, dict):
        raise _fail(path, f"section {section!r}", "expected a mapping of entries")
    for name, entry in entries.items():
        where = f"entry {section}.{name}"
        if not isinstance(entry, dict):
            raise _fail(path, where, "expected a mapping with 'words'")
        unknown = sorted(set(entry) - ENTRY_KEYS)
        if unknown:
            raise _fail(path, where, f"unknown key {unknown[0]!r} (known: {', '.join(sorted(ENTRY_KEYS))})")
        found = entry.get("words")
        if not isinstance(found, list) or not all(isinstance(w, str) and w for w in found):
            raise _fail(path, where, "'words' must be a list of non-empty strings")
        for word in found:
            if word.startswith(REGEX_PREFIX):
                try:
                    re.compile(word[len(REGEX_PREFIX):])
                except re.error as error:
                    raise _fail(path, where, f"bad pattern {word!r}: {error}") from None
        for example in entry.get("examples") or ():
            if not isinstance(example, dict) or "text" not in example or set(example) - EXAMPLE_KEYS:
                raise _fail(path, where, f"an example needs 'text' and only the keys {sorted(EXAMPLE_KEYS)}")


def entry(name: str, section: str, key: str) -> dict[str, Any]:
    """One entry of a lexicon file; a missing one is a one-line error naming file and entry."""
    try:
        return load(name)[section][key]
    except KeyError:
        raise _fail(FOLDER / f"{name}.yaml", f"entry {section}.{key}", "missing") from None


def words(name: str, section: str, key: str) -> list[str]:
    """The ``words`` of one entry."""
    return list(entry(name, section, key)["words"])


@functools.cache
def section_words(name: str, section: str) -> dict[str, list[str]]:
    """Entry name -> its words, for every entry of a section."""
    return {key: list(value["words"]) for key, value in load(name)[section].items()}


def _fragment(word: str) -> str:
    return word[len(REGEX_PREFIX):] if word.startswith(REGEX_PREFIX) else re.escape(word)


def alternation(items: Iterable[str]) -> str:
    """``(?:w1|w2|...)``: plain words escaped and longest first (so 重点建设项目 wins over 重点项目),
    ``re:`` fragments as written."""
    unique = sorted(set(items), key=lambda w: (-len(_fragment(w)), w))
    if any(w.startswith(REGEX_PREFIX) for w in unique):
        return "(?:" + "|".join(_fragment(w) for w in unique) + ")"
    # Plain words grouped by their first character (重(?:点建设项目|点项目)|…): the same matches
    # in the same order of trial (only words of one first character can match at a place), but
    # the regex engine tries one branch per first character instead of one per word.
    groups: dict[str, list[str]] = {}
    for word in unique:
        groups.setdefault(word[0], []).append(re.escape(word[1:]))
    branches = [re.escape(first) + (rests[0] if len(rests) == 1 else "(?:" + "|".join(rests) + ")")
                for first, rests in groups.items()]
    return "(?:" + "|".join(branches) + ")"


def _class_escapes() -> dict[Any, str]:
    import re._constants as c

    return {c.CATEGORY_DIGIT: r"\d", c.CATEGORY_SPACE: r"\s"}


_CATEGORIES = _class_escapes()


def _first(parsed: Any) -> tuple[set[str], bool]:
    """(characters a match can start with, whether the pattern can match the empty string); a
    class escape such as \\d stands for its whole class."""
    import re._constants as c

    chars: set[str] = set()
    for op, arg in parsed:
        if op is c.LITERAL:
            chars.add(chr(arg))
            return chars, False
        if op is c.IN:
            for item_op, item in arg:
                if item_op is c.LITERAL:
                    chars.add(chr(item))
                elif item_op is c.RANGE:
                    if item[1] - item[0] > 2000:
                        raise ValueError("range too wide for a first-character set")
                    chars.update(chr(i) for i in range(item[0], item[1] + 1))
                elif item_op is c.CATEGORY and item in _CATEGORIES:
                    chars.add(_CATEGORIES[item])  # a class escape (\\d), kept as such
                else:
                    raise ValueError(f"cannot list the first characters of {item_op}")
            return chars, False
        if op is c.BRANCH:
            empty = False
            for branch in arg[1]:
                found, can_be_empty = _first(branch)
                chars |= found
                empty = empty or can_be_empty
            if not empty:
                return chars, False
            continue
        if op is c.SUBPATTERN:
            found, can_be_empty = _first(arg[-1])
            chars |= found
            if not can_be_empty:
                return chars, False
            continue
        if op in (c.MAX_REPEAT, c.MIN_REPEAT):
            low, _, body = arg
            found, can_be_empty = _first(body)
            chars |= found
            if low > 0 and not can_be_empty:
                return chars, False
            continue
        if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            continue  # zero-width: look past it
        raise ValueError(f"cannot list the first characters of {op}")
    return chars, True


def first_character_set(patterns: Iterable[str]) -> frozenset[str]:
    """The characters a match of any pattern can start with, derived from the parsed patterns.

    Raises ValueError when a pattern can match the empty string or start with any character.
    """
    import re._parser as parser

    chars: set[str] = set()
    for pattern in patterns:
        found, can_be_empty = _first(parser.parse(pattern))
        if can_be_empty:
            raise ValueError(f"pattern can match the empty string: {pattern!r}")
        if any(len(char) > 1 for char in found):
            raise ValueError(f"pattern can start with a whole class of characters: {pattern!r}")
        chars |= found
    return frozenset(chars)


def _first_class(patterns: Iterable[str]) -> str:
    """The body of a character class holding every character (or class escape, \\d) a match of
    any pattern can start with."""
    import re._parser as parser

    items: set[str] = set()
    for pattern in patterns:
        found, can_be_empty = _first(parser.parse(pattern))
        if can_be_empty:
            raise ValueError(f"pattern can match the empty string: {pattern!r}")
        items |= found
    return "".join(item if len(item) > 1 else re.escape(item) for item in sorted(items))


def first_characters(patterns: Iterable[str]) -> str:
    """A lookahead ``(?=[...])`` of the characters a match of any pattern can start with.

    Derived from the parsed patterns, so it follows every edit of the words (see
    :func:`first_character_set`).
    """
    return f"(?=[{_first_class(patterns)}])"


def compile_words(items: Iterable[str], flags: int = 0) -> re.Pattern[str]:
    """The words as one compiled alternation, fast to scan (see :func:`compile_scan`)."""
    return compile_scan(alternation(items), flags)


def _engine_prefix(pattern: str, flags: int) -> bool:
    """Whether the regex engine finds a literal or character-set prefix in the pattern itself:
    it then skips to candidate places in C, about 3x faster than a lookahead in front would (which
    hides the prefix from it)."""
    import re._compiler as compiler
    import re._parser as parser

    try:
        parsed = parser.parse(pattern, flags)
        if parsed.getwidth()[0] == 0:
            return False
        prefix, _, _ = compiler._get_literal_prefix(parsed, flags)
        return bool(prefix) or compiler._get_charset_prefix(parsed, flags) is not None
    except Exception:  # another Python's internals: the lookahead is always correct
        return False


def compile_scan(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """The pattern compiled for scanning: as written when the engine finds its prefix itself, else
    behind its first-character lookahead, else as written (it may start with anything). The same
    matches either way: the lookahead only restates where a match can start."""
    if _engine_prefix(pattern, flags):
        return re.compile(pattern, flags)
    try:
        return re.compile(first_characters([pattern]) + pattern, flags)
    except ValueError:
        return re.compile(pattern, flags)


@functools.cache
def mapping(name: str, section: str) -> Mapping[str, str]:
    """word -> entry name, for sections whose entries name a value (qualifiers: 约 -> approx); cached, do not change."""
    return {word: key for key, value in load(name)[section].items() for word in value["words"]}
