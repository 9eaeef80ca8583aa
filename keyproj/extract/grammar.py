"""The patterns of the sentence grammar, compiled once from keyproj/lexicon/wordings.yaml.

keyproj.extract.sentence reads lists, groups and figures with them; nothing here decides whose a
figure is. Each pattern is compiled for a fast scan (lexicon.compile_scan: the engine's own
prefix, or the first-character lookahead derived from its words).
"""
from __future__ import annotations

import functools
import re

from keyproj.extract.numbers import AMOUNT_UNIT, NUMBER
from keyproj.lexicon import (
    alternation,
    compile_scan,
    load,
    mapping,
    section_words,
    words,
)

W = "wordings"

# ---------------------------------------------------------------- patterns from the lexicon

def _qualifier_alternation(kind: str) -> str:
    before = [w for w, q in mapping(W, "qualifiers").items() if w not in ("以上", "左右", "以下", "多", "余")]
    if kind == "before":
        return alternation(before)
    return alternation(["以上", "左右", "以下", "多", "余"])


# Time words, verbs and fillers that say nothing of which list a phrase is about.
_STRIP = re.compile(
    r"(?:19|20)\d{2}年度?|[\d一二三四五六七八九十元]+\s*[-—~～至到]?\s*[\d一二三四五六七八九十]*月份?(?:底|末|当月|单月)?"
    r"|今年|去年|全年|年内|年初|年度|当年|本年度?|上半年|下半年|第?[一二三四]季度(?:当季|单季)?|前三季度|同期|截至|截止|目前|当时|最终"
    r"|新增|实施|安排|确定|推进|推动|共有|共|有|其中|另有|此外|以及|的|已|等|全部|均|总计|合计|累计|在|对|为|中|里"
    r"|[\s,，、:：;；“”\"'()（）《》【】■●——\-]")
_CLAUSE_OR_DIGIT = re.compile(r"[,，;；:：。\d]")
# The kind word a division's name ends with (阿克苏地区 -> 地区), which may stand for the reporter.
_REPORTER_KIND = re.compile(r"(?:高新区|开发区|新区|园区|地区|自治州|自治县|自治旗|盟|州|县|旗|市|区)$")

@functools.cache
def patterns() -> dict[str, re.Pattern[str]]:
    """Every pattern of the sentence grammar, compiled once from the lexicon."""
    qb = f"(?P<qb>{_qualifier_alternation('before')})?"
    qa = f"(?P<qa>{_qualifier_alternation('after')})?"
    counter = alternation(words(W, "counters", "projects"))
    # a number in quotes or 个 followed by a digit names a programme ("3个100"工程): it counts nothing
    not_count = r"(?![“”\"」』]|百分点|月|季度|工作日|小时|一批|方面|层面|层级|层次|小组|组|清单|百分之|\d|(?:重点)?项目次|次|环节|阶段|步骤|专班|工作组)"
    unquoted = r"(?<![“\"「『\d.])(?<!\d至)(?<!\d到)(?<!\d-)(?<!\d—)(?<!\d~)"  # (not 5 of 3至5个: a range)
    list_noun = alternation(words(W, "list_nouns", "key_list"))
    started, finished = words(W, "stages", "started"), words(W, "stages", "finished")
    # a second verb may follow the stage word (竣工投运项目, 建成使用): still the same stage
    stage = f"(?:(?P<started>{alternation(started)})|(?P<finished>{alternation(finished)}(?:投用|投运|使用|投产)?))"
    level_words = [w for ws in section_words(W, "levels").values() for w in ws]
    fillers, overall = alternation(words(W, "fillers", "between")), alternation(words(W, "overall", "reporter"))
    found = {
        "list": list_noun,
        "count": rf"{qb}{unquoted}(?P<num>{NUMBER})(?P<qm>多|余)?\s*{counter}{not_count}{qa}",
        "count_after": _count_after_list(qb, qa, counter, not_count, fillers, overall),
        # "520多亿元", "120余亿元": 多 / 余 mark a lower bound; 9亿4000万元, 九亿四千万元: 亿 and 万 in one amount
        "amount": rf"{qb}(?:(?P<yi>{NUMBER})亿(?P<num_wan>{NUMBER})万元|(?P<num>{NUMBER})(?P<qm>多|余)?\s*(?P<unit>{AMOUNT_UNIT})"
                  rf"|(?P<wan>万亿元?))(?!/){qa}",
        "bare_number": rf"(?P<num>{NUMBER})(?=\s*[、和及])",
        "bare_points": rf"(?P<num>{NUMBER})个?(?=\s*[、和及])",  # 1.4个和0.7个百分点
        # 逾六成, 近八成: tenths of a whole (成本, 成效, 成为 … are other words)
        "percent": rf"{qb}(?:(?P<num>{NUMBER})\s*%|百分之(?P<num2>{NUMBER})|(?P<tenths>[一二三四五六七八九])成(?P<hundredths>[一二三四五六七八九](?![成个]))?"
                   rf"(?![本效果交立员为绩功熟长型品])){qa}",
        "points": rf"{qb}(?P<num>{NUMBER})\s*(?:个百分点|百分点|%){qa}",
        "fillers": rf"(?:{fillers}|\s)*",
        "separator": r"\s*(?:、|和|及|以及)\s*",
        "enum_separator": r"\s*(?:、|和|及|以及|,|，|;|；)\s*",
        "group": r"项目(?!次)|工程(?!项目)|类(?=[(（\d]|项目|投资|完成)|(?<=[个项])(?:领域|行业|板块|类别)",
        "stage_word": stage,  # in every stage count: a sentence without one has none
        "stage_after": rf"(?:已|已经|实现|均|全部|实际|陆续)*{stage}(?!率|类|计划|任务|目标|准备|手续)",
        # (开工（含复工）512个: an aside in brackets after the verb)
        "stage_before": rf"{stage}(?:[(（][^()（）\d]{{1,8}}[)）])?(?:建设)?的?(?:新)?(?:重点)?(?:建设)?(?:项目|工程)?(?:(?:{fillers})|另有)*"
                        rf"{qb}(?P<num>{NUMBER})(?P<qm>多|余)?\s*{counter}{not_count}(?!(?:重点)?(?:建设)?(?:项目|工程)){qa}",
        # "58个计划新开工项目已全部开工": all of a planned group reached the stage (roles reads 全部)
        "count_stage": rf"{qb}(?P<num>{NUMBER})(?P<qm>多|余)?\s*{counter}{not_count}(?:(?:重点)?(?:建设)?(?:项目|工程)"
                       rf"|计划(?:新开工|开工|竣工)(?:重点)?(?:项目|工程)(?:已|均)*(?=全部))?"
                       rf"(?:已|已经|实现|均|全部|实际)*(?:于[\d一二三四五六七八九十]{{1,2}}月(?:份|底|末)?)?"  # 已于8月竣工
                       rf"{stage}(?!率|类|计划|任务|目标|准备|\s*[\d一二两三四五六七八九十])",  # 260个重点项目已开复工241个: 241 is
        "levels": alternation(level_words),
        "overall": overall,
        "anaphor": alternation(words(W, "anaphors", "same_list")),
        "counted_anaphor": rf"^\s*(?:{alternation(words(W, 'anaphors', 'counted_same_list'))})\s*$",
        "membership": alternation(words(W, "membership", "listed_in")),
        # "全市重点项目(含省重点项目)": a list in brackets after another one is counted in it
        "bracket_close": r"[)）]",
        "included": rf"\s*[(（](?:{alternation(words(W, 'membership', 'included'))})[^()（）]{{0,12}}",
        # "6个县(市、区)", "26个山区县", "山区26县": a number of places, with 个 or without
        "place_group": rf"(?P<num>{NUMBER})\s*(?:个(?:山区|贫困|欠发达|沿海|边境|民族)?)?"
                       rf"(?:{alternation(words(W, 'place_groups', 'by_place'))})",
        "each_places": r"各(?:县市区|县\(市、区\)|县\(市,区\)|县\(市\)区|县\(区\)|县\(市\)|市\(地\)|市州|市\(州\)|地市|县区|县|市|区)的?",
        "signed": alternation(words(W, "signed", "signed")),
        "respectively": alternation(words(W, "enumeration", "respectively")),
        "clause": r"(?<!\d),|,(?!\d{3}(?!\d))|[，;；:：!?！？。]",  # a thousands separator (1,100) is none
        "share_of": r"的?(?:比例|比重)[^。;；]{0,12}?(?:分别)?(?:为|是|达)",
    }
    found.update(_word_patterns())
    return {name: compile_scan(pattern) for name, pattern in found.items()}


def _count_after_list(qb: str, qa: str, counter: str, not_count: str, fillers: str, overall: str) -> str:
    """A list's count after its noun: "县级重点项目方面，今年共安排45个" (这一块，咱们市有47个), a list as the
    topic counted after it; 湛江市重点项目中，我市有26个; 市重点项目方面，列入的我市项目31个 (not 中，新开工项目126个)."""
    return (rf"(?:(?:方面|这一块|这块|名单|清单)[,，]?\s*[^\d,，。;；]{{0,6}}?(?:安排|确定|实施|有|共)了?(?:项目)?|"
                       rf"(?:方面|(?<=项目)中)[,，]\s*(?:(?:(?!开工|竣工|建成|投产|在建|续建|新建|前期|储备|签约|重点|重大|列入|纳入)[^\d,，。;；的]){{1,5}}?有(?:项目)?"
                       rf"|(?:列入|纳入)的?(?:我|本)[省市县区旗州]项目)|(?:方面|这一块)[,，]\s*(?:{overall})|(?:计划|管理|名单)?的?[(（]?)(?:正式)?(?:项目)?(?:总数|数量|总量)?(?:{fillers})*(?:(?:在(?:我|本|全)[省市县区州旗盟]|{overall})?(?:安排|确定|实施|谋划)了?(?:项目)?(?:{fillers})*)?{qb}(?P<num>{NUMBER})(?P<qm>多|余)?\s*{counter}{not_count}{qa}")


def _word_patterns() -> dict[str, str]:
    """The patterns that are one lexicon entry's words: distractors, breakdowns, targets, stage marks."""
    found = {}
    for name in ("ceremony", "event", "other_subject", "other_group", "per_day", "size_band", "stage_part",
                 "comparison", "other_quantity", "name_tail", "lifetime", "troubled"):
        found[name] = alternation(words(W, "distractors", name))
        not_before = load(W)["distractors"][name].get("not_before")
        if not_before:  # 仪式上，市长介绍，…: a speaker tells the list's figures at the event
            found[name] = f"(?:{found[name]})(?!{not_before})"
    for name in ("parts", "places"):
        found["breakdown_" + name] = alternation(words(W, "breakdowns", name))
    # a sector right before a list noun, as in 工业重点项目 (类 / 领域 may follow it)
    # (产业类省重点项目: a level word may stand between the sector and the list noun)
    found["sector_before"] = (rf"(?:(?:{alternation(words(W, 'distractors', 'sector'))})(?:类|领域|方面)?"
                              rf"|[\u4e00-\u9fff]{{2,8}}类)的?[省市县区州]?级?\s*$")  # 产业转型升级类省重点项目
    found["target"] = alternation(words(W, "targets", "future"))
    # a target word just before a time expression: 预计全年完成投资超80亿元 states no period of the report
    found["target_before"] = rf"(?:{found['target']})[^。,，;；]{{0,3}}$"
    found["next_step"] = alternation(words(W, "targets", "next_step"))
    for name in ("planned", "negated", "partial_only"):
        found[name] = alternation(words(W, "stages", name))
    return found


@functools.cache
def metric_patterns() -> list[tuple[str, str, int, re.Pattern[str]]]:
    """(entry, metric, sign, pattern) for each metric wording entry of the lexicon."""
    found = []
    for name, entry in load(W)["metrics"].items():
        metric = entry.get("metric", name)
        pattern = alternation(entry["words"])
        found.append((name, metric, int(entry.get("sign", 1)), entry.get("kind", "amount"),
                      compile_scan(pattern)))
    return found


@functools.cache
def any_metric() -> re.Pattern[str]:
    """Every metric wording in one pattern: its first match is where the first wording of any
    metric starts (none: the sentence has no worded figure), so each metric's scan may start there."""
    return compile_scan("|".join(f"(?:{p.pattern})" for *_, p in metric_patterns()))


def qualifier_of(match: re.Match[str]) -> str:
    """The qualifier (approx, over, under) of a value match, before or after its number."""
    table = mapping(W, "qualifiers")
    groups = match.groupdict()
    return table.get(groups.get("qb") or "", "") or table.get(groups.get("qa") or "", "") or \
        table.get(groups.get("qm") or "", "")
