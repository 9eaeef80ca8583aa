"""What a sentence's grammar gives (keyproj.extract.sentence): the subjects figures are about, the
level words in front of a list noun, and the figures with their values; roles (keyproj.extract.roles)
fill in a figure's role."""
from __future__ import annotations

from dataclasses import dataclass, field

from keyproj.extract.values import Value


@dataclass(slots=True)
class Level:
    """One level word or place in front of a list noun: its scope, and its place when it names one."""

    scope: str
    place: str | None = None
    worded: bool = False  # a level word named the scope (宁化县县级): a breakdown by place keeps it


@dataclass(slots=True)
class Subject:
    """What the figures after it are about, until the next subject.

    kind: ``list`` (a key-project list), ``anaphor`` (这批项目: the list named last), ``plain``
    (项目 without modifiers, maybe counted), ``under_construction`` (在建项目: the 在建 part of
    the list), ``signed`` (签约项目), ``part`` (a stage, sector, size band or named project),
    ``other`` (another programme or money that is not a list's), ``places``.
    """

    kind: str
    start: int
    end: int
    levels: list[Level] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    count: Value | None = None
    counts: list[Value] = field(default_factory=list)  # 分别为十二项、二十一项: one count per level
    count_start: int = -1
    under_construction: bool = False
    bare: bool = False            # a list named without its level
    stage: str = ""               # a realised stage verb in the list's phrase: started/finished
    part: bool = False            # a list phrase that names only a part of the list
    membership: bool = False      # 列入 X 重点项目: the reporter's projects on another list
    aside: bool = False           # 另有 / 另列 / 其中: holds for its own clause only


@dataclass(slots=True)
class Figure:
    """A metric's figure(s) at [start, end) of the sentence: one value, or several after 分别."""

    metric: str
    start: int
    end: int
    values: list[Value]
    enumerated: bool = False
    role: str = "realised"       # set by roles: realised, planned, negated, part, other, target ...
    subject: Subject | None = None
