"""keyproj.extract.score: strict / loose recall and precision on small synthetic fact files."""
from __future__ import annotations

from pathlib import Path

import pytest

from keyproj.errors import KeyprojError
from keyproj.extract.score import (
    VALUE_TOLERANCE,
    check_floors,
    format_score,
    read_facts,
    score_files,
)

GOLD_HEADER = "doc_id,region,scope,subset,period_start,period_end,metric,value,unit,qualifier"
PRED_HEADER = GOLD_HEADER + ",quote,char_start,char_end"

G1 = "d01,泉州市,city,,2023-01,2023-12,projects,120,count,"
G2 = "d01,泉州市,city,,2023-01,2023-09,completed_investment,45.6,亿元,"
G3 = "d02,泉港区,county,,2023-01,2023-06,completion_rate,52.3,%,"
G4 = "d02,泉港区,county,,2023-01,2023-06,ahead_of_schedule,2.3,pp,"


def pred_row(gold_row: str, quote: str = "一句话") -> str:
    """A predicted row for a gold row: the same fact with a quote and offsets."""
    return f"{gold_row},{quote},0,{len(quote)}"


def write(path: Path, header: str, rows: list[str]) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.fixture()
def gold(tmp_path: Path) -> Path:
    return write(tmp_path / "gold.csv", GOLD_HEADER, [G1, G2, G3, G4])


def test_perfect_prediction_scores_one(tmp_path: Path, gold: Path) -> None:
    pred = write(tmp_path / "pred.csv", PRED_HEADER, [pred_row(r) for r in (G4, G3, G2, G1)])
    result = score_files(gold, pred)
    assert (result.strict_recall, result.strict_precision) == (1.0, 1.0)
    assert (result.loose_recall, result.loose_precision) == (1.0, 1.0)
    assert result.misses == [] and result.extras == [] and result.subset_mismatches == []
    assert all(row.recall == 1.0 and row.precision == 1.0 for row in result.per_metric)
    assert check_floors(result, 1.0, 1.0) == []


def test_one_miss_and_one_extra_give_exact_fractions(tmp_path: Path, gold: Path) -> None:
    extra = "d02,泉港区,county,,2023-01,2023-06,started_projects,17,count,,新开工17个,5,10"
    pred = write(tmp_path / "pred.csv", PRED_HEADER, [pred_row(G1), pred_row(G2), pred_row(G3), extra])
    result = score_files(gold, pred)
    assert result.strict_matched == 3
    assert result.strict_recall == pytest.approx(3 / 4)
    assert result.strict_precision == pytest.approx(3 / 4)
    assert [m.gold.metric for m in result.misses] == ["ahead_of_schedule"]
    assert result.misses[0].nearest is None
    assert [(f.metric, f.quote) for f in result.extras] == [("started_projects", "新开工17个")]
    rows = {row.metric: row for row in result.per_metric}
    assert (rows["ahead_of_schedule"].gold, rows["ahead_of_schedule"].matched) == (1, 0)
    assert rows["ahead_of_schedule"].precision is None  # nothing predicted for it
    assert (rows["started_projects"].predicted, rows["started_projects"].recall) == (1, None)


def test_duplicates_must_be_found_as_often_as_listed(tmp_path: Path) -> None:
    gold = write(tmp_path / "gold.csv", GOLD_HEADER, [G1, G1, G2])
    once = write(tmp_path / "once.csv", PRED_HEADER, [pred_row(G1), pred_row(G2)])
    result = score_files(gold, once)
    assert result.strict_matched == 2
    assert result.strict_recall == pytest.approx(2 / 3) and result.strict_precision == 1.0
    thrice = write(tmp_path / "thrice.csv", PRED_HEADER, [pred_row(G1)] * 3 + [pred_row(G2)])
    result = score_files(gold, thrice)
    assert result.strict_recall == 1.0 and result.strict_precision == pytest.approx(3 / 4)
    assert len(result.extras) == 1


def test_values_match_within_the_tolerance_only(tmp_path: Path) -> None:
    gold = write(tmp_path / "gold.csv", GOLD_HEADER, [G2])  # 45.6
    near = G2.replace(",45.6,", ",45.605,")
    far = G2.replace(",45.6,", ",45.62,")
    assert score_files(gold, write(tmp_path / "near.csv", PRED_HEADER, [pred_row(near)])).strict_matched == 1
    result = score_files(gold, write(tmp_path / "far.csv", PRED_HEADER, [pred_row(far)]))
    assert result.strict_matched == 0 and result.loose_matched == 0
    assert VALUE_TOLERANCE == 0.005


def test_close_values_pair_one_to_one(tmp_path: Path) -> None:
    # Two gold values 0.004 apart and two predictions: each prediction may serve one gold fact.
    a, b = G2.replace(",45.6,", ",45.600,"), G2.replace(",45.6,", ",45.604,")
    gold = write(tmp_path / "gold.csv", GOLD_HEADER, [b, a])
    pred = write(tmp_path / "pred.csv", PRED_HEADER,
                 [pred_row(G2.replace(",45.6,", ",45.608,")), pred_row(G2.replace(",45.6,", ",45.597,"))])
    assert score_files(gold, pred).strict_matched == 2


def test_other_region_is_a_loose_match(tmp_path: Path, gold: Path) -> None:
    moved = G1.replace("泉州市", "南安市")
    pred = write(tmp_path / "pred.csv", PRED_HEADER,
                 [pred_row(moved, "确定重点项目120个"), pred_row(G2), pred_row(G3), pred_row(G4)])
    result = score_files(gold, pred)
    assert (result.strict_matched, result.loose_matched) == (3, 4)
    assert result.loose_recall == 1.0 and result.strict_recall == pytest.approx(3 / 4)
    (miss,) = result.misses
    assert miss.gold.region == "泉州市" and miss.nearest is not None
    assert miss.nearest.region == "南安市" and miss.nearest.quote == "确定重点项目120个"


def test_subset_is_not_in_the_strict_key_but_reported(tmp_path: Path) -> None:
    whole = G1
    part = G1.replace("city,,", "city,under_construction,").replace(",120,", ",80,")
    gold = write(tmp_path / "gold.csv", GOLD_HEADER, [whole, part])
    wrong = part.replace("under_construction", "")
    pred = write(tmp_path / "pred.csv", PRED_HEADER, [pred_row(whole), pred_row(wrong)])
    result = score_files(gold, pred)
    assert result.strict_matched == 2
    ((g, p),) = result.subset_mismatches
    assert (g.subset, p.subset, g.value) == ("under_construction", "", 80)


def test_format_ends_with_the_headline(tmp_path: Path, gold: Path) -> None:
    extra = "d02,泉港区,county,,2023-01,2023-06,started_projects,17,count,,新开工17个,5,10"
    pred = write(tmp_path / "pred.csv", PRED_HEADER, [pred_row(G1), pred_row(G2), pred_row(G3), extra])
    result = score_files(gold, pred)
    brief = format_score(result, details=False)
    tail = brief.splitlines()[-4:]
    assert tail[1] == "strict recall 0.750 precision 0.750 (matched 3 of 4 gold, 4 predicted)"
    assert tail[2] == "loose recall 0.750 precision 0.750 (matched 3 of 4 gold, 4 predicted)"
    assert "1 misses, 1 extras" in tail[3]
    assert "新开工17个" not in brief and "completion_rate" in brief
    full = format_score(result, details=True)
    assert "新开工17个" in full and "ahead_of_schedule=2.3" in full
    assert full.splitlines()[-4:] == tail


def test_floors(tmp_path: Path, gold: Path) -> None:
    pred = write(tmp_path / "pred.csv", PRED_HEADER, [pred_row(G1), pred_row(G2)])
    result = score_files(gold, pred)  # recall 0.5, precision 1.0
    assert check_floors(result, 0.5, 1.0) == []
    assert check_floors(result, None, None) == []
    (failure,) = check_floors(result, 0.6, 0.9)
    assert "recall 0.500" in failure and "0.600" in failure
    with pytest.raises(KeyprojError, match="outside 0..1"):
        check_floors(result, 82, None)
    empty = score_files(gold, write(tmp_path / "empty.csv", PRED_HEADER, []))
    assert empty.strict_precision is None
    assert len(check_floors(empty, 0.0, 0.5)) == 1  # no predictions: below a positive floor


@pytest.mark.parametrize("content, fragment", [
    (None, "no such file"),
    ("", "no header"),
    ("doc_id,region,metric,value\nd01,泉州市,projects,120\n", "missing column(s) scope"),
    (GOLD_HEADER + "\n" + G1.replace(",120,", ",120个,") + "\n", "line 2: value '120个'"),
    (GOLD_HEADER + "\n" + G1.replace(",120,", ",,") + "\n", "line 2: value is empty"),
    (GOLD_HEADER + "\nd01,泉州市\n", "line 2: value is empty"),
    (GOLD_HEADER + "\n" + G1.replace(",120,", ",nan,") + "\n", "not a plain number"),
])
def test_bad_files_raise_naming_the_file(tmp_path: Path, content: str | None, fragment: str) -> None:
    path = tmp_path / "bad_gold.csv"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(KeyprojError) as info:
        read_facts(path)
    message = str(info.value)
    assert str(path) in message and fragment in message
    assert "\n" not in message


def test_bad_predicted_file_is_named(tmp_path: Path, gold: Path) -> None:
    pred = tmp_path / "pred.csv"
    pred.write_bytes(b"\xff\xfe" + "doc_id".encode("utf-16-le"))
    with pytest.raises(KeyprojError, match="pred.csv: not UTF-8"):
        score_files(gold, pred)


def test_byte_order_mark_and_optional_columns(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_text("\ufeffdoc_id,region,scope,period_start,period_end,metric,value\n"
                    "d01,泉州市,city,2023-01,2023-12,projects,120\n", encoding="utf-8")
    (fact,) = read_facts(path)
    assert (fact.doc_id, fact.value, fact.subset, fact.quote, fact.line) == ("d01", 120.0, "", "", 2)


def test_score_command_exits_1_below_a_floor(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from keyproj.cli import main

    header = "doc_id,region,scope,subset,period_start,period_end,metric,value,unit,qualifier\n"
    gold = tmp_path / "gold.csv"
    gold.write_text(header + "d1,泉州市,city,,2024-01,2024-12,projects,954,count,\n"
                    "d1,泉州市,city,,2024-01,2024-12,annual_plan,1200,亿元,\n", encoding="utf-8")
    pred = tmp_path / "pred.csv"
    pred.write_text(header + "d1,泉州市,city,,2024-01,2024-12,projects,954,count,\n", encoding="utf-8")
    assert main(["score", str(gold), str(pred), "--min-recall", "0.4"]) == 0
    assert "strict recall 0.500 precision 1.000" in capsys.readouterr().out
    assert main(["score", str(gold), str(pred), "--min-recall", "0.6"]) == 1
    assert "recall" in capsys.readouterr().err
    assert main(["score", str(gold), str(tmp_path / "missing.csv")]) == 1
    assert "missing.csv" in capsys.readouterr().err
