"""Where the panel's regions sit in China's hierarchy, from the gazetteer (keyproj.extract.places):
each region's province and level, the prefecture cities of a province, and the rows of the levels a
report asks for. The research functions take these as plain mappings (region -> province name).
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from keyproj.extract.places import Place, gazetteer
from keyproj.report.labels import scope_label

if TYPE_CHECKING:
    import pandas as pd


def place_of(region: str) -> Place | None:
    """The gazetteer's place of a region name: the exact official name, else the mention resolved
    alone; None when unknown or ambiguous (新华区 names districts in several cities)."""
    places = gazetteer()
    return places.get(region) or places.resolve(region)


def province_of(regions: Iterable[str], level: str | None = None) -> dict[str, str]:
    """Map each region the gazetteer knows to its province's name (a province maps to itself).

    ``level`` keeps only regions of that level ('city' gives the prefecture cities, what
    :func:`keyproj.research.amplification` compares with their province). Regions that are
    unknown or ambiguous are left out: a wrong parent would be worse than none.
    """
    mapping: dict[str, str] = {}
    for region in dict.fromkeys(str(name) for name in regions):
        place = place_of(region)
        if place is not None and (level is None or place.level == level):
            mapping[region] = place.province
    return mapping


def cities_of(provinces: Iterable[str]) -> dict[str, list[str]]:
    """The current prefecture-level cities (level 'city') of each province, by official name.

    Municipalities (北京市, ...) have none: their districts are county-level. Used to know when
    every city of a province has a plan, so that their sum can be set against the province's.
    """
    wanted = set(provinces)
    found: dict[str, list[str]] = {province: [] for province in wanted}
    for place in gazetteer().places():
        if place.level == "city" and not place.former and place.province in wanted and place.name not in wanted:
            found[place.province].append(place.name)
    return {province: names for province, names in found.items() if names}


def scope_levels(scope: str) -> list[str]:
    """The levels of a list's scope: 'province+city' -> ['province', 'city']."""
    return [part for part in str(scope).split("+") if part]


LEVEL_ORDER = ("province", "city", "county")
LEVEL_SHORT = {"province": "省", "city": "市", "county": "县(区)"}
POOLED = "pooled"  # the group of keyproj.research estimates over all levels


def level_label(level: str) -> str:
    """Chinese name of an estimate's group: 合计 for 'pooled', the list's name for a level
    (省重点项目), 省+市+县(区)重点项目 for a joint list without a label of its own."""
    if level == POOLED:
        return "合计"
    named = scope_label(level)
    if named != level:
        return named
    parts = scope_levels(level)
    if parts and all(part in LEVEL_SHORT for part in parts):
        return "+".join(LEVEL_SHORT[part] for part in parts) + "重点项目"
    return level


def select_levels(panel: "pd.DataFrame", levels: Sequence[str]) -> "pd.DataFrame":
    """Rows whose list (scope) lies within ``levels``: a joint list such as 'province+city' is
    kept only when all its levels are asked for, since its figures mix them."""
    wanted = set(levels)
    scopes = panel["scope"].astype(str)
    keep = scopes.map(lambda scope: bool(scope_levels(scope)) and set(scope_levels(scope)) <= wanted)
    selected = panel[keep.to_numpy(dtype=bool)].reset_index(drop=True)
    for column in ("region", "scope"):
        if hasattr(selected[column], "cat"):  # categories of dropped lists would show as empty groups
            selected[column] = selected[column].cat.remove_unused_categories()
    return selected
