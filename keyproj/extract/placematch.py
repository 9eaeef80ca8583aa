"""Finding place names in text: one Aho-Corasick automaton over every surface form of the gazetteer."""
from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any


class PlaceMatcher:
    """The longest leftmost surface forms in a text (pyahocorasick's ``iter_long``), without those
    followed by 级; ``skipped`` words are found only so that the names inside them are not."""

    def __init__(self, surfaces: Iterable[str], skipped: Iterable[str]) -> None:
        import ahocorasick

        automaton = ahocorasick.Automaton()
        words = []
        for word, kept in [*((s, True) for s in surfaces), *((w, False) for w in skipped)]:
            automaton.add_word(word, (len(word), kept))
            words.append(word)
        automaton.make_automaton()
        self._automaton: Any = automaton
        # With every word two characters or longer, a match starts with one of these pairs, and
        # the scan may start at the first of them: until there it could only sit at the root or
        # one character deep, as a fresh scan does. (The automaton looks a character up among
        # all first characters one by one: text skipped is the most costly text.)
        self._pairs = {(w[0], w[1]) for w in words} if words and min(map(len, words)) >= 2 else None
        # Places where a pair may start (a first character before a second one), found in C; the
        # pair itself is then looked up (a Python loop over every character costs 3x more).
        self._pair_start = None if self._pairs is None else re.compile(
            "[" + "".join(sorted(re.escape(a) for a, _ in self._pairs)) + "](?=["
            + "".join(sorted(re.escape(b) for _, b in self._pairs)) + "])")

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, surface) of each mention, left to right, no overlaps."""
        start = 0
        if self._pair_start is not None:
            pairs = self._pairs
            for candidate in self._pair_start.finditer(text):
                start = candidate.start()
                if (text[start], text[start + 1]) in pairs:
                    break
            else:
                return []
        return [(end + 1 - size, end + 1, text[end + 1 - size: end + 1])
                for end, (size, kept) in self._automaton.iter_long(text, start)
                if kept and text[end + 1: end + 2] != "级"]
