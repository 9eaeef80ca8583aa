"""Figures that belong to a part of a list, not to the list: a clause after 其中 that names a part
(one project, a sector), a figure in brackets after another group's count."""
from __future__ import annotations

import re

from keyproj.extract.sentence import _STRIP, Figure, Subject, clause_start

_SUCH_AS = re.compile(r"其中[,，:：]?")
# "续建的有148个(当年计划投资1483亿元)": brackets opened right after a count
_BRACKET_AFTER_COUNT = re.compile(r"(?P<num>\d+(?:\.\d+)?)\s*[个项宗]\s*[(（][^()（）]*$")


def names_a_part(sentence: str, figure: Figure, subject: Subject | None) -> bool:
    """"其中博白至高峰高速公路博白段完成投资…": after 其中, words that are no time name a part (one
    project, say), also when a list was named before the clause (stage counts there keep the list);
    and a figure in brackets after another group's count (:func:`_in_brackets_of_group`)."""
    if _in_brackets_of_group(sentence, figure, subject):
        return True
    start = clause_start(sentence, figure.start)
    if subject is not None and (subject.end > start or figure.metric in ("started_projects", "finished_projects")):
        return False
    if start > 0 and sentence[start - 1] in ",，" and not _STRIP.sub("", sentence[start:figure.start]) \
            and figure.metric not in ("started_projects", "finished_projects"):
        # "其中，某高速公路段完成投资12.3亿元，完成全年计划的78.5%": a clause opening with its wording
        # goes on with the clause before it (when no list is named in the sentence)
        if subject is None:
            return _after_such_as(sentence, clause_start(sentence, start - 1), start - 1)
    return _after_such_as(sentence, start, figure.start)


def _after_such_as(sentence: str, start: int, end: int) -> bool:
    """Whether the clause from ``start`` follows 其中 and has words that are no time before ``end``."""
    such = _SUCH_AS.match(sentence, start)
    if such:
        start = such.end()
    elif not sentence[max(0, start - 3):start].rstrip(",，:： ").endswith("其中"):
        return False  # 其中 may stand in a clause of its own ("其中，…")
    return bool(_STRIP.sub("", sentence[start:end]))


def _in_brackets_of_group(sentence: str, figure: Figure, subject: Subject | None) -> bool:
    """"这287个项目里,续建的有148个(当年计划投资1483亿元)": a figure in brackets opened right after a
    count other than its subject's (a group named after the subject) is that group's."""
    if subject is None or subject.count is None:
        return False
    opened = _BRACKET_AFTER_COUNT.search(sentence, max(subject.end, figure.start - 40), figure.start)
    return opened is not None and float(opened.group("num")) != subject.count.value
