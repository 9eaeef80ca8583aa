"""keyproj.read.sources: reading sources.csv and hashing documents."""
from __future__ import annotations

from pathlib import Path

import pytest
from conftest import RAW_DIR, SEED_IDS

from keyproj.errors import BadInputError
from keyproj.read.sources import (
    META_KEYS,
    SOURCE_COLUMNS,
    normalize_published,
    read_sources,
    read_sources_checked,
    sha256_of,
)

HEADER = "file,published,region,title,url"


def test_the_repository_sources_list_every_seed_with_its_hash() -> None:
    rows = read_sources(RAW_DIR / "sources.csv")
    assert sorted(rows) == sorted(f"{doc_id}.txt" for doc_id in SEED_IDS)
    for name, row in rows.items():
        assert tuple(row) == META_KEYS
        assert row["file"] == name
        assert row["sha256"] == sha256_of(RAW_DIR / name)
    assert rows["000_2f2a21338f61aef2.txt"]["published"] == "2025-03-17"
    assert rows["000_2f2a21338f61aef2.txt"]["region"] == "泉港区"
    assert rows["003_cba0451c2eb89d20.txt"]["published"] == "2021"
    assert rows["004_34d48eeab18069cf.txt"]["url"] == "http://www.mnw.cn/"


def test_missing_columns_are_named(tmp_path: Path) -> None:
    path = tmp_path / "sources.csv"
    path.write_text("file,title,url\na.txt,标题,\n", encoding="utf-8")
    with pytest.raises(BadInputError) as raised:
        read_sources(path)
    message = str(raised.value)
    assert message.startswith(str(path))
    assert "missing columns: published, region" in message


def test_sha256_column_is_optional_and_extra_columns_are_ignored(tmp_path: Path) -> None:
    path = tmp_path / "sources.csv"
    path.write_text(f"{HEADER},note\na.txt,2024-11-04,泉港区,标题,http://x.cn/,备注\n", encoding="utf-8")
    assert read_sources(path) == {"a.txt": {"file": "a.txt", "published": "2024-11-04", "region": "泉港区",
                                            "title": "标题", "url": "http://x.cn/", "sha256": ""}}
    assert SOURCE_COLUMNS == ("file", "published", "region", "title", "url")


def test_excel_files_with_a_bom_or_in_gbk_are_read(tmp_path: Path) -> None:
    content = f"{HEADER}\n000.txt,2024年11月4日,泉港区,泉港区重点项目建设情况报告,\n"
    bom = tmp_path / "bom" / "sources.csv"
    bom.parent.mkdir()
    bom.write_bytes(b"\xef\xbb\xbf" + content.encode("utf-8"))
    gbk = tmp_path / "gbk" / "sources.csv"
    gbk.parent.mkdir()
    gbk.write_bytes(content.encode("gbk"))
    for path in (bom, gbk):
        row = read_sources(path)["000.txt"]
        assert row["published"] == "2024-11-04"
        assert row["title"] == "泉港区重点项目建设情况报告"


@pytest.mark.parametrize(("written", "read"), [
    ("2024-11-04", "2024-11-04"), ("2024/11/4", "2024-11-04"), ("2024.11.04", "2024-11-04"),
    ("2024年11月4日", "2024-11-04"), ("2024-11", "2024-11"), ("2024年11月", "2024-11"), ("2021", "2021"),
    ("2021年", "2021"), ("", ""), (" 2021 ", "2021"),
])
def test_publication_dates_are_normalized(written: str, read: str) -> None:
    assert normalize_published(written) == read


@pytest.mark.parametrize("bad", ["2024-13-01", "2024-11-32", "去年", "11/04/2024", "2024-02-31", "2023-02-29",
                                 "2024-04-31", "2024-13-45"])
def test_a_bad_date_is_an_error_naming_the_line(tmp_path: Path, bad: str) -> None:
    path = tmp_path / "sources.csv"
    path.write_text(f"{HEADER}\na.txt,2024,泉港区,标题,\nb.txt,{bad},泉港区,标题,\n", encoding="utf-8")
    with pytest.raises(BadInputError, match=r"line 3: published .* is not a date"):
        read_sources(path)


def test_days_follow_the_calendar() -> None:
    assert normalize_published("2024-02-29") == "2024-02-29"  # a leap year
    assert normalize_published("2023-02-29") is None and normalize_published("2024年2月30日") is None


def test_every_bad_row_is_named_and_the_good_rows_kept(tmp_path: Path) -> None:
    path = tmp_path / "sources.csv"
    path.write_text(f"{HEADER}\na.txt,2024,泉港区,标题,\nb.txt,2024-02-31,泉港区,标题,\na.txt,2024,泉港区,又一个,\n"
                    "c.txt,2025-01-02,南安市,标题,\n", encoding="utf-8")
    rows, problems = read_sources_checked(path)
    assert sorted(rows) == ["a.txt", "c.txt"] and rows["a.txt"]["title"] == "标题"
    assert [str(problem) for problem in problems] == [
        f"{path}: line 3: published '2024-02-31' is not a date (write YYYY-MM-DD, YYYY-MM or YYYY, or leave it empty)",
        f"{path}: line 4: a.txt is listed twice: keep one row per file"]
    path.write_text("file,region,title,url\na.txt,泉港区,标题,\n", encoding="utf-8")
    rows, problems = read_sources_checked(path)
    assert rows == {} and [problem.reason.split(":")[0] for problem in problems] == ["line 1"]


def test_repeated_or_empty_file_names_are_errors(tmp_path: Path) -> None:
    path = tmp_path / "sources.csv"
    path.write_text(f"{HEADER}\na.txt,2024,泉港区,标题,\na.txt,2024,泉港区,标题,\n", encoding="utf-8")
    with pytest.raises(BadInputError, match="line 3: a.txt is listed twice"):
        read_sources(path)
    path.write_text(f"{HEADER}\n,2024,泉港区,标题,\n", encoding="utf-8")
    with pytest.raises(BadInputError, match="line 2: the file column is empty"):
        read_sources(path)


def test_blank_rows_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "sources.csv"
    path.write_text(f"{HEADER}\n,,,,\na.txt,2024,泉港区,标题,\n\n", encoding="utf-8")
    assert list(read_sources(path)) == ["a.txt"]


def test_sha256_of_a_file(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"abc")
    assert sha256_of(path) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
