"""keyproj.read.normalize: each normalization step on the seed documents and on built text, and the offset map."""
from __future__ import annotations

import re
import unicodedata

import numpy as np
import pytest
from conftest import RAW_DIR, SEED_IDS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keyproj.read.normalize import OffsetMap, normalize_text
from keyproj.read.normalize.characters import _converted, _to_simplified, _unify_characters
from keyproj.read.normalize.lines import _CHROME_WORDS, _MAY_BE_CHROME, _MAY_BE_CHROME_WITHOUT_BREADCRUMB, _line_kind
from keyproj.read.normalize.offsets import _edit_map

DIGITS = re.compile(r"\d")


def _seed(doc_id_prefix: str) -> str:
    (path,) = RAW_DIR.glob(f"{doc_id_prefix}_*.txt")
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def seeds() -> dict[str, tuple[str, str, OffsetMap]]:
    """doc id prefix -> (raw text, normalized text, offsets) of every seed."""
    out = {}
    for doc_id in SEED_IDS:
        raw = (RAW_DIR / f"{doc_id}.txt").read_text(encoding="utf-8")
        text, offsets = normalize_text(raw)
        out[doc_id[:3]] = (raw, text, offsets)
    return out


def norm(text: str) -> str:
    return normalize_text(text)[0]


# ---------------------------------------------------------------- 1. characters (NFKC, line ends)

def test_full_width_digits_letters_and_punctuation_become_ascii() -> None:
    assert norm("２０２４年，") == "2024年,"
    assert norm("完成投资１２．５亿元（占７６．７％）") == "完成投资12.5亿元(占76.7%)"
    assert norm("ＡＢＣ　建设") == "ABC建设"  # U+3000 becomes a space, then goes next to 建


def test_nfkc_matches_unicodedata_on_compatibility_characters() -> None:
    text = "ＡＢＣ１２３％ｶﾞ㎡ﬁ…e\u0301가Ⅻ"
    assert norm(text) == unicodedata.normalize("NFKC", text)


def test_circled_numbers_are_item_marks_not_digits() -> None:
    # NFKC would make ②42个 into 242个
    assert norm("②42个省重点项目，⑫3个市重点项目") == "·42个省重点项目,·3个市重点项目"


def test_compatibility_ideographs_whose_nfkc_form_lies_beyond_the_bmp() -> None:
    raw = "项目\ufa6c建设\ufad5"  # U+FA6C -> U+242EE, U+FAD5 -> U+25249
    text, offsets = normalize_text(raw)
    assert text == unicodedata.normalize("NFKC", raw) == "项目\U000242ee建设\U00025249"
    assert offsets.to_raw(2, 3) == (2, 3) and offsets.to_raw(5, 6) == (5, 6)


def test_em_dash_of_month_ranges_is_kept(seeds) -> None:
    _, text, _ = seeds["004"]
    assert "1\u20149月" in text  # U+2014 EM DASH is NFKC-stable
    assert "1—9月,全区48个省市重点项目完成投资59.3亿元,超序时进度3.5个百分点" in text


def test_seeds_mix_full_width_and_ascii_punctuation_and_come_out_ascii(seeds) -> None:
    raw, text, _ = seeds["000"]
    assert "，" in raw and "," in raw
    assert "，" not in text and "（" not in text and "：" not in text


def test_line_ends_invisible_characters_and_controls() -> None:
    assert norm("第一行\r\n第二行\r第三行\u2028第四行") == "第一行\n第二行\n第三行\n第四行"
    assert norm("重点\u200b项目\ufeff完成\x07投资") == "重点项目完成投资"


# ---------------------------------------------------------------- 2. traditional -> simplified

def test_traditional_seed_comes_out_simplified(seeds) -> None:
    raw, text, _ = seeds["002"]
    assert "項目攻堅" in raw and "晉江市" in raw
    for simplified in ("项目攻坚", "台商投资区", "晋江市", "签约项目", "重点项目"):
        assert simplified in text
    for traditional in ("項目", "臺商投資區", "晉江", "簽約"):
        assert traditional not in text


def test_traditional_phrases_in_built_text() -> None:
    assert norm("臺商投資區簽約項目") == "台商投资区签约项目"
    assert norm("泉州臺商投資區重點項目完成投資59.3億元") == "泉州台商投资区重点项目完成投资59.3亿元"
    simplified = "区级重点项目完成投资110.7亿元、占年度计划76.7%"
    assert norm(simplified) == simplified


def test_traditional_lines_among_expansions_and_dropped_characters() -> None:
    # Step 1 changes lengths before and inside the lines that step 2 converts.
    raw = "①臺灣項目…建設完成\n㎡第二行①㍿\n投資…臺商投資區\r\n重點\u200b項目"
    text, offsets = normalize_text(raw)
    assert text == "·台湾项目...建设完成\nm2第二行·株式会社\n投资...台商投资区\n重点项目"
    start = text.index("台商投资区")
    assert raw[slice(*offsets.to_raw(start, start + 5))] == "臺商投資區"


def test_repeated_lines_are_converted_once_with_the_same_result(seeds) -> None:
    import opencc

    converter = opencc.OpenCC("t2s")
    raw, _, _ = seeds["002"]  # the page repeats its article
    block = unicodedata.normalize("NFKC", raw)
    lines = block.split("\n")
    assert len(set(lines)) * 2 < len(lines)
    assert _converted(converter, block) == converter.convert(block)
    built = "\n".join(["乾隆年間", "看著項目", "著名的乾坤", "", "看著項目"] * 3 + ["皇后的頭髮", "髮型"])
    assert _converted(converter, built) == converter.convert(built)
    assert "乾隆年间\n看著项目\n著名的乾坤" in _converted(converter, built)


# ---------------------------------------------------------------- 3. markup and pinyin

def test_pinyin_after_characters_is_removed() -> None:
    assert norm("重點(diǎn)項(xiàng)目") == "重点项目"
    assert norm("重点（diǎn）项目完成投资") == "重点项目完成投资"
    assert norm("项(XIÀNG)目") == "项目"


@pytest.mark.parametrize("kept", [
    "坚持“1357”工作思路(即围绕一条主线、紧扣三个目标)",
    "已组件上报项目22个(面积876.38亩)",
    "泉州网2月20日讯(记者颜雅婷)早春的泉州",
    "机关大院(LED)显示屏",
    "这个(de)字",          # no tone mark: not sure it is pinyin
    "重点(diǎnxiàngmù)项目",  # longer than one syllable
    "2024(nián)",          # not after a Chinese character
])
def test_other_parentheses_stay(kept: str) -> None:
    assert norm(kept) == kept


def test_pinyin_rule_keeps_the_seeds_parentheses(seeds) -> None:
    assert "(即围绕一条主线、紧扣三个目标、突出五项重点、落实“七个一”机制)" in seeds["000"][1]
    assert "(面积876.38亩)" in seeds["003"][1]
    assert "(记者颜雅婷)" in seeds["002"][1]


def test_markdown_bold_and_heading_markers_go(seeds) -> None:
    assert norm("**二是抓项目攻坚。**深化拓展") == "二是抓项目攻坚。深化拓展"
    assert norm("# 泉州市泉港区人民政府文件\n\n## 报告") == "泉州市泉港区人民政府文件\n\n报告"
    assert norm("#1号楼完工") == "#1号楼完工"
    for doc in ("000", "001"):
        assert "**" not in seeds[doc][1]
    assert "二是抓项目攻坚。深化拓展" in seeds["000"][1]
    assert not seeds["001"][1].startswith("#")
    assert "---" not in seeds["001"][1]


# ---------------------------------------------------------------- 4. web chrome

def test_chrome_of_the_news_page_goes_and_its_figures_stay(seeds) -> None:
    _, text, _ = seeds["004"]
    assert "1—9月,全区48个省市重点项目完成投资59.3亿元,超序时进度3.5个百分点" in text
    assert "1—9月,区级重点项目完成投资110.7亿元、占年度计划76.7%" in text
    for chrome in ("48小时点击排行榜", "猜你喜欢", "频道推荐", "相关阅读", "责任编辑", "闽南网 >", "原标题",
                   "来源:", "注册", "已有0条评论", "新闻推荐", "安踏回应收购锐步", "美团骑行", "世遗泉州"):
        assert chrome not in text, chrome
    assert text.startswith("重点项目进度超序时!台商投资区点燃发展“强引擎”")
    assert text.endswith("1—9月,推动2024“项目创优年”活动项目开工33个、竣工28个。")


def test_chrome_of_the_traditional_page_goes(seeds) -> None:
    _, text, _ = seeds["002"]
    for chrome in ("未经本网书面授权", "【福建时间列表】", "【HI老外主推】", "_fororder_", "地方:", "福州厦门",
                   "编辑:尹小兵", "国际在线版权", "本网其他来源作品", "图片默认标题", "原标题"):
        assert chrome not in text, chrome
    assert text.startswith("泉州“项目攻坚2018”:踔厉奋发泉州赶超\n")
    assert "泉州网2月20日讯(记者颜雅婷)早春的泉州,635个即将或已经落地建设的市重点项目" in text


def test_typeset_newspaper_banner_goes(seeds) -> None:
    _, text, _ = seeds["003"]
    assert "成功故里" not in text and "联办单位" not in text
    assert text.startswith("南安通过强化多思维运用,狠抓项目大建设\n")


def test_key_figure_sentences_of_government_reports_survive(seeds) -> None:
    _, text, _ = seeds["000"]
    assert "2024年我区共确定重点项目242个、总投资1780.15亿元、年度计划投资309.96亿元" in text
    assert "242个区级重点项目完成投资310.04亿元、完成年度计划的100.02%、超序时进度0.02个百分点" in text


@pytest.mark.parametrize("doc", ["000", "001", "002", "003", "004"])
def test_every_key_project_sentence_with_a_number_survives(seeds, doc: str) -> None:
    raw, text, _ = seeds[doc]
    sentences = [s for s in re.split(r"[。!?！？;；\n]", raw) if re.search(r"重[点點][项項]目", s)]
    checked = 0
    for sentence in sentences:
        if not re.search(r"[0-9０-９]", sentence):
            continue
        normalized = norm(sentence)
        assert normalized and normalized in text, sentence
        checked += 1
    assert checked > 0 or doc == "001"  # 001 states no key-project figure


def test_built_chrome_lines_go_and_text_stays() -> None:
    page = "\n".join([
        "首页 > 新闻中心 > 泉州 > 正文",
        "福州 厦门 泉州 漳州 三明 龙岩",
        "分享到: 微信 微博 QQ空间",
        "登录 | 注册",
        "来源:泉州日报 编辑:张三",
        "2024-11-04 09:55:00 来源:泉州网",
        "【泉州】【移动版】重点项目巡礼",
        "photo_fororder_泉州1.jpg",
        "今年来,全市重点项目完成投资300亿元,占年度计划80%。",
        "版权声明:",
        "1、本网所有作品,未经本网书面授权不得转载。",
        "2、违者必究。",
        "全市上下将继续攻坚,确保完成全年目标任务。",
        "------",
        "Copyright © 2024 泉州网 版权所有",
        "闽ICP备12345678号",
    ])
    assert norm(page) == ("今年来,全市重点项目完成投资300亿元,占年度计划80%。\n"
                          "全市上下将继续攻坚,确保完成全年目标任务。")


def test_tail_after_related_links_goes_but_not_before_it() -> None:
    body = "\n".join(f"第{n}段,全市重点工作扎实推进,各项任务有序开展,取得阶段性成效,为全年目标打下坚实基础。"
                     for n in range(1, 6))
    page = (f"{body}\n相关阅读:\n  • 泉州召开项目推进会\n  • 石狮:秋风起,紫菜香\n"
            "挖掘泉州的乡村之美、名桥之美,让时代记忆重焕荣光\n世遗泉州")
    assert norm(page) == body
    # The same marker near the top of a page is no tail: what follows it is the article.
    top = f"相关阅读\n{body}\n世遗泉州"
    assert norm(top) == f"{body}\n世遗泉州"


def test_a_line_with_a_project_figure_is_never_chrome() -> None:
    line = "相关阅读:泉州下达2024年重点项目投资计划680亿元"
    assert norm(line) == line
    menu_like = "原标题:全市48个重点项目完成投资59.3亿元"
    assert norm(menu_like) == menu_like


# Lines made of the pieces chrome is made of (words, separators, markers, figures, prose).
_CHROME_PIECES = [*sorted(_CHROME_WORDS), "来源:", "责任编辑", "原标题:", "【要闻】", "【图片】", "48小时点击排行",
                  "小时点击排行", "已有3条评论", "---", "———", "声明", ">", "›", "»", "|", "/", "·", "•", ":", "：",
                  "泉州", "重点项目", "完成投资12亿元", "2024", "一是", ",", "。", "、", "a", "Hello"]
_line_piece = st.sampled_from(_CHROME_PIECES)
_separator = st.sampled_from(["", " ", "  ", "\t", " | ", " > ", "\u1680", "·"])


@settings(max_examples=500, deadline=None)
@given(st.lists(st.tuples(_line_piece, _separator), min_size=1, max_size=14).map(
    lambda pairs: "".join(piece + separator for piece, separator in pairs).strip()))
def test_the_cheap_chrome_test_passes_every_chrome_line(line: str) -> None:
    # Lines that fail _MAY_BE_CHROME are never looked at closely, so it must pass every chrome line.
    if line and _line_kind(line):
        assert _MAY_BE_CHROME.match(line)
        if not any(mark in line for mark in ">›»"):
            assert _MAY_BE_CHROME_WITHOUT_BREADCRUMB.match(line)


def test_the_cheap_chrome_test_passes_the_chrome_lines_of_the_seeds(seeds) -> None:
    chrome = []
    for raw, _, _ in seeds.values():
        text, _, traditional = _unify_characters(raw)
        text, _ = _to_simplified(text, traditional)  # the text that the chrome step sees
        chrome += [line for line in map(str.strip, text.split("\n")) if line and _line_kind(line)]
    assert len(chrome) == 29  # menus, bylines, breadcrumbs, headline lists, tail markers, captions
    assert all(_MAY_BE_CHROME.match(line) for line in chrome)


# ---------------------------------------------------------------- 5. spaces next to Chinese

def test_typesetting_spaces_of_the_newspaper_seed_go(seeds) -> None:
    raw, text, _ = seeds["003"]
    assert "产城 人联动" in raw and "南 安更加主动" in raw
    for joined in ("产城人联动", "南安更加主动", "培训会42场次", "参会培训近3000人次", "超泉州平均水平6个百分点",
                   "机关大院LED显示屏"):
        assert joined in text, joined
    assert not re.search(r"[\u4e00-\u9fff] +[\u4e00-\u9fff]", text)


def test_spaces_between_non_chinese_stay_and_lines_are_stripped() -> None:
    assert norm("Hello world 你好") == "Hello world你好"
    assert norm("合计 12 345 万元") == "合计12 345万元"
    assert norm("   首行缩进\u3000\u3000\n\t次行  ") == "首行缩进\n次行"
    assert norm("全　力\u00a0踢好") == "全力踢好"


def test_no_line_of_a_seed_starts_or_ends_with_a_space(seeds) -> None:
    for _, text, _ in seeds.values():
        for line in text.split("\n"):
            assert line == line.strip()


# ---------------------------------------------------------------- 6. repeated paragraphs

def test_each_paragraph_of_the_repeating_seed_is_kept_once(seeds) -> None:
    raw, text, _ = seeds["002"]
    long_lines = [line for line in text.split("\n") if len(line) >= 20]
    assert len(long_lines) > 20
    for line in long_lines:
        assert text.count(line) == 1, line
    # The repeated half is gone, the body is all there.
    assert text.count("总投资达230亿元的美的智慧家居小镇") == 1
    assert "泉港区在全省率先打造重点项目综合性24小时自助服务平台" in text
    assert len(text) < len(raw) * 0.6


def test_repeats_in_built_text() -> None:
    paragraph = "全年新开工项目153个,竣工投产项目89个,完成年度计划。"
    text = f"小结\n\n{paragraph}\n\n小结\n\n另一段话,与前文不同,说的是别的事情。\n\n{paragraph}"
    # The repeat goes; the short heading 小结 is no neighbour of a repeat, so both stay.
    assert norm(text) == f"小结\n\n{paragraph}\n\n小结\n\n另一段话,与前文不同,说的是别的事情。"
    short = "一、\n\n一、\n\n一、"
    assert norm(short) == short


# ---------------------------------------------------------------- 7. broken lines

def test_number_split_by_a_line_break_is_joined() -> None:
    assert norm("完成投资313.4\n1亿元") == "完成投资313.41亿元"
    assert norm("完成投资313.41\n亿元,占比") == "完成投资313.41亿元,占比"
    assert norm("完成投资313.\n41亿元") == "完成投资313.41亿元"
    # A new paragraph that begins with a year or a list number is no continuation.
    assert norm("完成投资30\n\n2024年全区") == "完成投资30\n\n2024年全区"


def test_mid_sentence_breaks_of_the_seeds_are_joined(seeds) -> None:
    assert "北部新城打造生态宜居城市。瞄准培育石材陶瓷" in seeds["003"][1]
    assert "联东U谷、官桥科创园" in seeds["003"][1]
    assert "优化实行\"3+x\"考核" in seeds["003"][1]
    assert "引导全区党员干部全面提神" in seeds["000"][1]
    assert "编制了卫生健康事业发展、综合交通运输发展等16个专项规划" in seeds["001"][1]
    assert "持续发展港口物流、渔港经济、海水养殖、水产品精深加工、滨海旅游等临港产业" in seeds["001"][1]


def test_titles_and_headings_are_not_joined(seeds) -> None:
    assert "重点项目建设情况报告审议意见办理情况的报告\n\n区人大常委会:" in seeds["000"][1]
    assert "一、审议意见研究办理情况\n\n根据职能分工" in seeds["000"][1]
    assert "紧盯两大要素促推项目落地\n\n持续紧盯" in seeds["003"][1]
    built = "一是抓项目攻坚,确保完成全年目标任务\n二是抓招商引资,力争签约项目50个。"
    assert norm(built) == built


# ---------------------------------------------------------------- 8. blank lines

def test_blank_lines_are_collapsed_and_the_text_stripped() -> None:
    assert norm("\n\n\n第一段。\n\n\n\n第二段。  \n\n\n") == "第一段。\n\n第二段。"
    assert norm("") == ""
    assert norm(" \n\t\n") == ""


# ---------------------------------------------------------------- the offset map

@pytest.mark.parametrize("doc", ["000", "001", "002", "003", "004"])
def test_key_project_sentences_map_back_to_raw_spans_with_the_same_digits(seeds, doc: str) -> None:
    raw, text, offsets = seeds[doc]
    checked = 0
    for match in re.finditer(r"[^。!?;\n]*重点项目[^。!?;\n]*", text):
        raw_start, raw_end = offsets.to_raw(*match.span())
        again = norm(raw[raw_start:raw_end])
        assert DIGITS.findall(again) == DIGITS.findall(match.group()), match.group()
        checked += 1
    assert checked > 0


@pytest.mark.parametrize("doc", ["000", "001", "002", "003", "004"])
def test_unchanged_stretches_map_to_identical_raw_text(seeds, doc: str) -> None:
    raw, text, offsets = seeds[doc]
    position = 0
    verbatim = 0
    for line in text.split("\n"):
        if line and line in raw:
            raw_start, raw_end = offsets.to_raw(position, position + len(line))
            assert raw[raw_start:raw_end] == line
            verbatim += 1
        position += len(line) + 1
    assert verbatim > 3 or doc == "002"  # 002 is all traditional script


def test_each_normalized_character_comes_from_its_raw_character(seeds) -> None:
    raw, text, offsets = seeds["002"]
    starts, ends = offsets.to_raw_many(np.arange(len(text)), np.arange(1, len(text) + 1))
    for index in range(len(text)):
        source = raw[starts[index]:ends[index]]
        assert norm(source) in (text[index], "")  # one character, or a space or break that goes alone


def test_deleted_characters_inside_a_span_are_covered_and_at_its_edges_not() -> None:
    raw = "  重点 项目\n\n\n完成投资313.4\n1亿元"
    text, offsets = normalize_text(raw)
    assert text == "重点项目\n\n完成投资313.41亿元"
    assert offsets.to_raw(0, 4) == (2, 7)       # 重点 项目: the inner space is covered, the indent is not
    assert raw[slice(*offsets.to_raw(0, 2))] == "重点"
    start = text.index("313")
    assert raw[slice(*offsets.to_raw(start, start + 6))] == "313.4\n1"


def test_an_expansion_maps_as_a_whole() -> None:
    raw = "完成任务…成效"
    text, offsets = normalize_text(raw)
    assert text == "完成任务...成效"
    assert offsets.to_raw(4, 5) == (4, 5) and offsets.to_raw(5, 6) == (4, 5)
    assert offsets.to_raw(0, 4) == (0, 4) and offsets.to_raw(7, 9) == (5, 7)


def test_map_is_compact_and_identity_when_nothing_changes() -> None:
    text = "区级重点项目完成投资110.7亿元、占年度计划76.7%。\n\n今年来,协调解决项目问题113项。"
    normalized, offsets = normalize_text(text)
    assert normalized == text and offsets.is_identity()
    assert offsets.to_raw(3, 9) == (3, 9)
    big = "\n\n".join([(RAW_DIR / f"{doc_id}.txt").read_text(encoding="utf-8") for doc_id in SEED_IDS] * 40)
    normalized, offsets = normalize_text(big)
    assert offsets.raw_length == len(big) and offsets.norm_length == len(normalized)
    assert offsets.segment_count < len(big) / 50


def test_to_raw_rejects_spans_outside_the_text() -> None:
    _, offsets = normalize_text("重点项目")
    for start, end in ((-1, 2), (2, 1), (0, 5)):
        with pytest.raises(ValueError):
            offsets.to_raw(start, end)
    assert offsets.to_raw(4, 4) == (4, 4)


# Random edits composed step by step against a model that keeps each character's raw origin.
_edit = st.tuples(st.integers(0, 40), st.integers(0, 3), st.integers(0, 3), st.booleans())


def _apply(origins: list[tuple[int, int]], edits: list[tuple[int, int, int, bool]]
           ) -> tuple[list[tuple[int, int]], OffsetMap]:
    """Apply edits (gap, length, new length, linear) to a model text of raw origins; return the map too.

    Insertions (length 0) are not made: normalization only deletes or replaces."""
    spans, position = [], 0
    for gap, length, new_length, linear in edits:
        start = position + gap
        if start + length > len(origins):
            break
        spans.append((start, start + length, new_length, linear and new_length == length))
        position = start + length
    out: list[tuple[int, int]] = []
    previous = 0
    for start, end, new_length, linear in spans:
        out.extend(origins[previous:start])
        if linear:
            out.extend(origins[start:end])
        elif new_length:  # an opaque replacement: each new character comes from the whole stretch
            replaced = origins[start:end]
            out.extend([(replaced[0][0], replaced[-1][1])] * new_length)
        previous = end
    out.extend(origins[previous:])
    array = np.array(spans, dtype=np.int64).reshape(-1, 4)
    step = _edit_map(len(origins), array[:, 0], array[:, 1], array[:, 2], array[:, 3].astype(bool))
    return out, step


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(1, 60), st.lists(st.lists(_edit, max_size=8), min_size=1, max_size=5))
def test_composed_maps_agree_with_a_character_model(raw_length: int, steps) -> None:
    origins = [(index, index + 1) for index in range(raw_length)]
    total = OffsetMap.identity(raw_length)
    for edits in steps:
        origins, step = _apply(origins, [edit for edit in edits if edit[1]])
        total = step.compose(total)
        assert total.norm_length == len(origins)
        for start in range(len(origins)):
            for end in range(start + 1, min(len(origins), start + 4) + 1):
                assert total.to_raw(start, end) == (origins[start][0], origins[end - 1][1])


_ALPHABET = list("重点项目完成投资亿元个年月,。、 \n２０１３．％(ǎ)臺灣*#…①") + ["\u3000", "\r\n", "\u00a0"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_ALPHABET), max_size=120).map("".join))
def test_random_text_maps_back_monotonically_and_keeps_digits(raw: str) -> None:
    text, offsets = normalize_text(raw)
    assert offsets.norm_length == len(text) and offsets.raw_length == len(raw)
    previous_end = 0
    for index in range(len(text)):
        start, end = offsets.to_raw(index, index + 1)
        assert 0 <= start < end <= len(raw)
        assert start >= previous_end or end <= previous_end  # spans advance (an expansion repeats its span)
        previous_end = max(previous_end, end)
    if text:
        start, end = offsets.to_raw(0, len(text))
        assert DIGITS.findall(norm(raw[start:end])) == DIGITS.findall(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(st.characters(blacklist_categories=()), max_size=200))
def test_any_unicode_text_gets_a_valid_map(raw: str) -> None:
    text, offsets = normalize_text(raw)
    assert (offsets.norm_length, offsets.raw_length) == (len(text), len(raw))
    for index in range(len(text)):
        start, end = offsets.to_raw(index, index + 1)
        assert 0 <= start < end <= len(raw)


# ---------------------------------------------------------------- the cached table of step 1

def test_step_one_table_is_cached_and_loaded(tmp_path, monkeypatch) -> None:
    from keyproj.read.normalize import characters

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    built = characters._build_code_table()
    first = characters._code_table.__wrapped__()
    (cached,) = (tmp_path / "keyproj").glob("code-table-*.npy")
    assert unicodedata.unidata_version in cached.name
    assert np.array_equal(first, built) and np.array_equal(np.load(cached), built)

    def not_again() -> np.ndarray:
        raise AssertionError("the table was built again instead of loaded")

    monkeypatch.setattr(characters, "_build_code_table", not_again)
    assert np.array_equal(characters._code_table.__wrapped__(), built)


def test_damaged_or_unwritable_cache_costs_only_time(tmp_path, monkeypatch) -> None:
    from keyproj.read.normalize import characters

    built = characters._build_code_table()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = characters._code_table_cache()
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\x93NUMPY damaged")
    assert np.array_equal(characters._code_table.__wrapped__(), built)
    assert np.array_equal(np.load(path), built)  # written again, whole
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    assert np.array_equal(characters._code_table.__wrapped__(), built)
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    assert characters._code_table_cache() is None


def test_a_year_in_chinese_digits_becomes_arabic_one_character_for_one() -> None:
    raw = "二〇二三年，全省重点项目完成投资1.26万亿元；二零一九年也是。一二三四五年不是年份。"
    text, offsets = normalize_text(raw)
    assert text.startswith("2023年,全省重点项目") and "2019年也是" in text
    assert "一二三四五年" in text  # five digits: no year
    start = text.index("2019年")
    assert raw[slice(*offsets.to_raw(start, start + 5))] == "二零一九年"


def test_a_phone_layout_reads_each_block_of_short_lines_as_one_sentence() -> None:
    phone = ("上半年成绩单\n\n盛夏的县城\n工地一派繁忙\n\n全县重点项目\n112个\n\n总投资\n386.2亿元\n\n"
             "列入省重点项目的项目\n9个\n完成投资\n12.6亿元\n\n其中\n某某项目\n已完成投资3.2亿元\n")
    text = normalize_text(phone)[0]
    assert "全县重点项目112个" in text and "列入省重点项目的项目9个完成投资12.6亿元" in text
    assert "其中某某项目已完成投资3.2亿元" in text and "盛夏的县城工地一派繁忙" in text
    # one block with a figure line is not yet a phone layout; a title over its dateline stays apart
    single = "某县重点项目推进会召开\n2023年5月8日\n\n全县重点项目\n112个\n"
    assert normalize_text(single)[0].startswith("某县重点项目推进会召开\n2023年5月8日")
    assert "全县重点项目\n112个" in normalize_text(single)[0]


def test_a_running_header_met_once_after_a_page_number_goes_and_the_sentence_joins() -> None:
    raw = ("今年，全县确定县级重点项目86个，总投资312.5亿元，全年新签约项目27个，签约总额\n"
           "                              — 3 —\n某某县2023年计划执行情况与2024年计划草案的报告\n"
           "64.5亿元，实际到位资金21.3亿元，同比增长18.7%。\n")
    text = normalize_text(raw)[0]
    assert "签约总额64.5亿元" in text and "草案的报告" not in text
    # a continuation without clause marks right after the page number is no header
    raw = ("今年，全县确定县级重点项目86个，总投资312.5亿元，全年新签约项目27个，签约总额\n— 3 —\n"
           "64.5亿元\n实际到位资金21.3亿元，同比增长18.7%。\n")
    assert "64.5亿元" in normalize_text(raw)[0]
    # a line whose number goes on below is no heading: 年度计 / 划投资420.6 / 亿元 joins up
    raw = "今年，全市确定市级重点项目260个，总投资2380.5亿元，年度计\n划投资420.6\n\n亿元。1~9月，累计完成投资341.8亿元。\n"
    assert "年度计划投资420.6亿元" in normalize_text(raw)[0]


def test_a_short_line_of_a_narrow_column_goes_on_with_the_figure_below_it() -> None:
    raw = ("旬起，全市按照要求推动项目复\n工，全年确定市级重点项目\n248个，总投资1362.8亿元。\n\n"
           "某县重点项目推进会\n2023年5月8日\n")
    text = normalize_text(raw)[0]
    assert "全年确定市级重点项目248个" in text and "推进会\n2023年5月8日" in text


def test_a_line_with_a_full_stop_inside_is_prose_and_goes_on() -> None:
    raw = "（二）重点项目建设提速增效。今年全县纳入县级重点项目管理的\n项目共150个，总投资812.3亿元。\n"
    assert "管理的项目共150个" in normalize_text(raw)[0]


def test_link_titles_after_a_tail_marker_go_even_when_they_state_figures() -> None:
    raw = ("一季度，全市重点项目完成投资68.4亿元，完成年度计划的19.4%，低于序时进度5.6个百分点，主要受春节假期影响。\n\n"
           "相关阅读\n· 2024年全市重点项目完成投资341.5亿元 超额完成年度目标任务\n· 我市2024年第一批31个重点项目集中开工\n")
    text = normalize_text(raw)[0]
    assert "68.4亿元" in text and "341.5" not in text and "31个" not in text


def test_乾_a_simplified_character_too_is_kept_in_place_names() -> None:
    assert normalize_text("乾安县重点项目完成投资5亿元。")[0].startswith("乾安县")
    assert normalize_text("乾安縣重點項目完成投資5億元。")[0] == "乾安县重点项目完成投资5亿元。"


def test_a_value_in_brackets_on_the_next_line_joins_its_place() -> None:
    raw = "县级重点项目完成率居前的是大姚县（118.6%）、永仁县（115.2%）、武定县\n（112.8%），均超额完成任务。\n"
    assert "武定县(112.8%)" in normalize_text(raw)[0]


def test_a_phone_layout_whose_figure_lines_end_with_a_comma() -> None:
    phone = ("今年，\n全市重点项目\n共安排126个，\n总投资\n582.4亿元，\n年度计划投资\n147.6亿元。\n\n"
             "上半年，\n全市重点项目\n累计完成投资\n78.3亿元，\n占年度计划的\n53.0%。\n")
    text = normalize_text(phone)[0]
    assert "总投资582.4亿元,年度计划投资147.6亿元。" in text
    assert "累计完成投资78.3亿元,占年度计划的53.0%。" in text


def test_a_line_starting_with_an_enumeration_comma_goes_on_the_line_before() -> None:
    raw = "分县看，临河区、五原县\n、磴口县完成投资分别为18.6亿元、9.4亿元、7.9亿元，均超过序时进度。\n"
    assert "临河区、五原县、磴口县完成投资分别为" in normalize_text(raw)[0]
    assert "第一段。\n\n、" in normalize_text("第一段。\n\n、第二段\n")[0]  # after a blank line it stays apart


def test_a_number_spaced_out_digit_by_digit_is_joined_and_other_spaced_numbers_stay() -> None:
    assert normalize_text("全县完成投资1 0 2 . 4亿元，完成率8 2 . 0 %。")[0].startswith("全县完成投资102.4亿元,完成率82.0")
    assert normalize_text("新开工项目4 7个，完成投资102 .4亿元")[0] == "新开工项目47个,完成投资102.4亿元"
    assert normalize_text("Hello 12 345 world")[0] == "Hello 12 345 world"
    assert normalize_text("城厢镇 24 16.8 9.7 57.7%")[0] == "城厢镇24 16.8 9.7 57.7%"


def test_a_spaced_out_number_after_a_spaced_out_word() -> None:
    text = "今 年 ，全 县 共 安 排 县 级 重 点 项 目 1 3 6 个 ，总 投 资 4 1 2 . 8 亿 元"
    assert normalize_text(text)[0] == "今年,全县共安排县级重点项目136个,总投资412.8亿元"


def test_a_spaced_out_number_at_the_start_of_a_line() -> None:
    assert normalize_text("其中，新开工项目4 7个，竣工项目\n2 1个，开工率达到9 2 . 2 %。")[0] == \
        "其中,新开工项目47个,竣工项目21个,开工率达到92.2 %。"  # (the broken line joined too)
