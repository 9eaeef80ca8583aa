"""The national gazetteer: levels, parents, short and Traditional forms, ambiguity, places.yaml."""
from __future__ import annotations

from pathlib import Path

import pytest

from keyproj.errors import BadInputError
from keyproj.extract.places import LEXICON, Gazetteer, build_gazetteer, load_lexicon


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("places-cache")


@pytest.fixture(scope="module")
def gaz(cache_dir: Path) -> Gazetteer:
    return build_gazetteer(cache_dir=cache_dir)


@pytest.mark.parametrize(("name", "level", "parent", "province"), [
    ("昆山市", "county", "苏州市", "江苏省"),  # a county-level city, not a prefecture
    ("上海市", "province", None, "上海市"),
    ("浦东新区", "county", "上海市", "上海市"),
    ("苏州市", "city", "江苏省", "江苏省"),
    ("深圳市", "city", "广东省", "广东省"),  # sub-provincial, still a prefecture-level list
    ("泉州台商投资区", "county", "泉州市", "福建省"),  # from places.yaml
    ("琼海市", "county", "海南省", "海南省"),  # directly under its province
    ("仙桃市", "county", "湖北省", "湖北省"),
    ("湘西土家族苗族自治州", "city", "湖南省", "湖南省"),
])
def test_level_parent_province(gaz: Gazetteer, name: str, level: str, parent: str | None, province: str) -> None:
    place = gaz.get(name)
    assert place is not None
    assert (place.level, place.parent, place.province) == (level, parent, province)
    assert gaz.level(name) == level


@pytest.mark.parametrize(("mention", "name"), [
    ("鄭州", "郑州市"), ("武漢", "武汉市"), ("泉港", "泉港区"), ("新疆", "新疆维吾尔自治区"),
    ("内蒙古", "内蒙古自治区"), ("广西", "广西壮族自治区"), ("湘西州", "湘西土家族苗族自治州"),
    ("湘西", "湘西土家族苗族自治州"), ("神农架", "神农架林区"), ("长阳县", "长阳土家族自治县"),
    ("台商区", "泉州台商投资区"), ("西安", "西安市"),  # 西安区 (two of them) are counties: the city wins
])
def test_short_traditional_and_alias_mentions(gaz: Gazetteer, mention: str, name: str) -> None:
    place = gaz.resolve(mention)
    assert place is not None and place.name == name


def test_ambiguous_names_resolve_within_the_documents_places(gaz: Gazetteer) -> None:
    fuzhou = gaz.resolve("鼓楼区", within=["福州市", "福建省"])
    nanjing = gaz.resolve("鼓楼区", within="南京市")
    assert fuzhou is not None and fuzhou.parent == "福州市"
    assert nanjing is not None and nanjing.parent == "南京市"
    assert gaz.resolve("鼓楼区") is None
    assert gaz.resolve("通州") is None
    tongzhou = gaz.resolve("通州", within="北京市")
    assert tongzhou is not None and tongzhou.name == "通州区" and tongzhou.parent == "北京市"
    chaoyang = gaz.resolve("朝阳", within=["北京市"])
    assert chaoyang is not None and chaoyang.name == "朝阳区"
    assert gaz.resolve("朝阳").name == "朝阳市"  # type: ignore[union-attr]
    jilin = gaz.resolve("吉林", within=["吉林市", "吉林省"])
    assert jilin is not None and jilin.name == "吉林市"


def test_counts(gaz: Gazetteer) -> None:
    current = [place for place in gaz.places() if not place.former and place.code]
    levels = [place.level for place in current]
    # 31 mainland divisions plus 台湾省, 香港 and 澳门 (kept as the table has them)
    assert 31 <= levels.count("province") <= 34
    assert 330 <= levels.count("city") <= 345
    assert 2800 <= levels.count("county") <= 2900
    assert len({place.code for place in current}) == len(current)


def test_common_words_and_one_character_stems_are_not_short_names(gaz: Gazetteer) -> None:
    assert gaz.resolve("和平") is None and gaz.resolve("沙") is None
    heping = gaz.resolve("和平区", within="天津市")
    assert heping is not None and heping.parent == "天津市"
    names = set(gaz.names())
    assert {"和平", "青山", "沙"}.isdisjoint(names)  # 绿水青山 is no mention of 武汉's 青山区
    assert {"东区", "城区", "海西州"} <= names  # official names (攀枝花, 阳泉); 海西's 州 form is kept


def test_former_names_and_the_documents_year(gaz: Gazetteer) -> None:
    xiangfan = gaz.resolve("襄樊")
    assert xiangfan is not None and xiangfan.former and xiangfan.successor == "襄阳市"
    assert gaz.resolve("吴江").name == "吴江区"  # type: ignore[union-attr]
    assert gaz.resolve("吴江", year=2010).name == "吴江市"  # type: ignore[union-attr]
    chaohu = gaz.resolve("巢湖市", year=2010)
    assert chaohu is not None and chaohu.level == "city"
    assert gaz.resolve("巢湖市", year=2015).level == "county"  # type: ignore[union-attr]
    laiwu = gaz.get("莱芜市")  # from cpca's older table, completed by places.yaml
    assert laiwu is not None and laiwu.code == "371200" and laiwu.successor == "济南市"
    changle = gaz.get("长乐市")
    assert changle is not None and changle.former and changle.successor == "长乐区"


def test_find_place_mentions_in_a_sentence(gaz: Gazetteer) -> None:
    sentence = "今年泉州市级重点项目中，晋江市安排十二项，泉港区安排五项。"
    found = [surface for _, _, surface in gaz.find(sentence)]
    assert found == ["晋江市", "泉港区"]
    start, end, surface = gaz.find("项目落在福州市鼓楼区")[1]
    assert (surface, "项目落在福州市鼓楼区"[start:end]) == ("鼓楼区", "鼓楼区")
    assert gaz.find("确保社会长治久安，完善中心城区功能") == []  # phrases: no 长治, no 城区
    chengqu = gaz.resolve("城区", within="阳泉市")  # still an official name to resolve
    assert chengqu is not None and chengqu.parent == "阳泉市"
    assert [surface for *_, surface in gaz.find("长治市重点项目")] == ["长治市"]


def test_every_lexicon_entry_has_a_note_and_its_parent(gaz: Gazetteer) -> None:
    entries, _ = load_lexicon(LEXICON)
    assert len(entries) >= 20
    for entry in entries:
        assert entry.get("why") or entry.get("example"), entry["name"]
        matches = [place for place in gaz.places() if place.name == entry["name"] and place.level == entry["level"]
                   and (gaz.parent(place).name if gaz.parent(place) else None) == entry.get("parent")]
        assert len(matches) == 1, entry["name"]
        for alias in entry.get("aliases", []):
            assert alias in gaz.names()


def _edited_copy(tmp_path: Path, old: str, new: str) -> Path:
    path = tmp_path / "places.yaml"
    text = LEXICON.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_lexicon_with_an_unknown_parent_is_a_one_line_error(tmp_path: Path) -> None:
    path = _edited_copy(tmp_path, "parent: 泉州市", "parent: 泉州府")
    with pytest.raises(BadInputError) as error:
        build_gazetteer(path, cache_dir=tmp_path)
    message = str(error.value)
    assert "\n" not in message and str(path) in message
    assert "泉州台商投资区" in message and "泉州府" in message


def test_lexicon_with_an_unknown_key_is_a_one_line_error(tmp_path: Path) -> None:
    path = _edited_copy(tmp_path, "    aliases: [泉州开发区", "    alias: [泉州开发区")
    with pytest.raises(BadInputError, match=r"entry 2 \(泉州经济技术开发区\): unknown key 'alias'"):
        load_lexicon(path)


def test_the_disk_cache_gives_the_same_gazetteer(gaz: Gazetteer, cache_dir: Path, tmp_path: Path) -> None:
    assert len(list(cache_dir.glob("places-*.pickle"))) == 1
    again = build_gazetteer(cache_dir=cache_dir)
    assert again.places() == gaz.places() and again.names() == gaz.names()
    # A changed places.yaml is another cache entry, not the stale table.
    changed = _edited_copy(tmp_path, "[泉州台商区, ", "[泉州台商园区, 泉州台商区, ")
    assert gaz.resolve("泉州台商园区") is None
    assert build_gazetteer(changed, cache_dir=cache_dir).resolve("泉州台商园区") is not None
    assert len(list(cache_dir.glob("places-*.pickle"))) == 2
