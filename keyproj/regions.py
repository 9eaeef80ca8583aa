"""Places that report key projects, and the level of each government (its own list's scope)."""
from __future__ import annotations

import re

PROVINCES: tuple[str, ...] = ("福建省",)
PREFECTURE_CITIES: tuple[str, ...] = (
    "福州市", "厦门市", "泉州市", "漳州市", "莆田市", "三明市", "南平市", "龙岩市", "宁德市",
)
# County-level governments (districts, counties, county-level cities, development zones).
COUNTIES: tuple[str, ...] = (
    # 泉州
    "鲤城区", "丰泽区", "洛江区", "泉港区", "石狮市", "晋江市", "南安市", "惠安县", "安溪县", "永春县",
    "德化县", "金门县", "泉州台商投资区", "泉州经济技术开发区",
    # 福州
    "鼓楼区", "台江区", "仓山区", "马尾区", "晋安区", "长乐区", "福清市", "闽侯县", "连江县", "罗源县",
    "闽清县", "永泰县", "平潭综合实验区",
    # 厦门
    "思明区", "湖里区", "集美区", "海沧区", "同安区", "翔安区",
    # 漳州
    "芗城区", "龙文区", "龙海区", "长泰区", "漳浦县", "云霄县", "诏安县", "东山县", "南靖县", "平和县", "华安县",
    # 莆田
    "城厢区", "涵江区", "荔城区", "秀屿区", "仙游县",
    # 三明
    "三元区", "沙县区", "永安市", "明溪县", "清流县", "宁化县", "大田县", "尤溪县", "将乐县", "泰宁县", "建宁县",
    # 南平
    "延平区", "建阳区", "邵武市", "武夷山市", "建瓯市", "顺昌县", "浦城县", "光泽县", "松溪县", "政和县",
    # 龙岩
    "新罗区", "永定区", "漳平市", "长汀县", "上杭县", "武平县", "连城县",
    # 宁德
    "蕉城区", "福安市", "福鼎市", "霞浦县", "古田县", "屏南县", "寿宁县", "周宁县", "柘荣县",
)
# Short forms used in running text, mapped to the full name.
ALIASES: dict[str, str] = {
    "泉州台商区": "泉州台商投资区", "台商投资区": "泉州台商投资区", "台商区": "泉州台商投资区",
}

KNOWN_REGIONS: tuple[str, ...] = PROVINCES + PREFECTURE_CITIES + COUNTIES

_NAMES = sorted([*KNOWN_REGIONS, *ALIASES], key=len, reverse=True)
# A place named in a sentence; a name followed by 级 is a list's level (泉州市级), not a place.
PLACE_PATTERN = re.compile(
    "(?=[" + "".join(sorted({name[0] for name in _NAMES})) + "])"  # skip other characters fast
    "(?:" + "|".join(map(re.escape, _NAMES)) + ")(?!级)"
)


def canonical_region(name: str) -> str:
    """The full name of a place (台商投资区 -> 泉州台商投资区); unknown names are returned as given."""
    return ALIASES.get(name, name)


def government_level(region: str) -> str:
    """The scope of a government's own key-project list: ``province``, ``city`` or ``county``.

    A county-level city (南安市, 晋江市) reports its own list as ``county``.
    """
    region = canonical_region(region)
    if region.endswith("省"):
        return "province"
    if region in PREFECTURE_CITIES:
        return "city"
    if region.endswith(("区", "县")) or region in COUNTIES:
        return "county"
    # An unknown 市 is more often a prefecture city in provincial reports.
    return "city" if region.endswith("市") else "county"
