"""keyproj.read.documents: reading .txt (any common Chinese encoding), .html and .pdf, finding documents,
bad input, and `keyproj read`."""
from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from conftest import RAW_DIR, SEED_IDS

from keyproj.cli import main
from keyproj.errors import BadInputError
from keyproj.read.decode import decode_text
from keyproj.read.documents import (
    DOCUMENT_SUFFIXES,
    Document,
    DocumentRef,
    discover_documents,
    iter_documents,
    read_document,
)
from keyproj.read.normalize import normalize_text
from keyproj.read.sources import read_sources

SIMPLIFIED = "000_2f2a21338f61aef2"
TRADITIONAL = "002_1f562ed8ae16cfcf"
NEWS = "004_34d48eeab18069cf"
FIGURE_004 = "1—9月,全区48个省市重点项目完成投资59.3亿元,超序时进度3.5个百分点"
FIGURE_004_B = "1—9月,区级重点项目完成投资110.7亿元、占年度计划76.7%"


def _raw(doc_id: str) -> str:
    return (RAW_DIR / f"{doc_id}.txt").read_text(encoding="utf-8")


def _write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


# ---------------------------------------------------------------- seeds

@pytest.mark.parametrize("doc_id", SEED_IDS)
def test_seeds_are_read_with_their_metadata(doc_id: str) -> None:
    rows = read_sources(RAW_DIR / "sources.csv")
    document = read_document(RAW_DIR / f"{doc_id}.txt", rows[f"{doc_id}.txt"])
    assert isinstance(document, Document)
    assert document.doc_id == doc_id
    assert document.meta == rows[f"{doc_id}.txt"]
    assert document.raw_text == _raw(doc_id)
    assert (document.text, document.offsets) == normalize_text(document.raw_text)
    start = document.text.index("重点项目") if "重点项目" in document.text else 0
    raw_start, raw_end = document.to_raw(start, start + 4)
    assert normalize_text(document.raw_text[raw_start:raw_end])[0] == document.text[start:start + 4]


def test_metadata_defaults_to_empty_strings() -> None:
    document = read_document(RAW_DIR / f"{NEWS}.txt")
    assert document.meta == {"file": f"{NEWS}.txt", "published": "", "region": "", "title": "", "url": "",
                             "sha256": ""}
    partial = read_document(RAW_DIR / f"{NEWS}.txt", {"region": "泉州台商投资区"})
    assert partial.meta["region"] == "泉州台商投资区" and partial.meta["file"] == f"{NEWS}.txt"


# ---------------------------------------------------------------- encodings

@pytest.mark.parametrize(("doc_id", "encoding"), [
    (SIMPLIFIED, "gbk"), ("001_75d34e636deef5af", "gb2312"), (NEWS, "gb18030"), (SIMPLIFIED, "utf-16"),
    (TRADITIONAL, "utf-16-le"), (TRADITIONAL, "utf-16-be"), (NEWS, "utf-8-sig"), (SIMPLIFIED, "utf-32"),
])
def test_encodings_give_the_text_of_the_utf8_file(tmp_path: Path, doc_id: str, encoding: str) -> None:
    path = _write(tmp_path / f"{doc_id}.txt", _raw(doc_id).encode(encoding))
    assert read_document(path).text == read_document(RAW_DIR / f"{doc_id}.txt").text


def test_big5_traditional_seed_gives_the_text_of_the_utf8_file(tmp_path: Path) -> None:
    # Big5 lacks a few characters of the seed: 産/説 have Big5 twins that t2s makes the same; 勠 has none.
    raw = _raw(TRADITIONAL)
    big5_text = raw.replace("\u00a0", " ").replace("産", "產").replace("説", "說").replace("勠", "戮")
    path = _write(tmp_path / "big5.txt", big5_text.encode("big5"))
    expected = read_document(RAW_DIR / f"{TRADITIONAL}.txt").text
    assert read_document(path).text == expected.replace("勠", "戮")
    assert "项目攻坚" in read_document(path).text


def test_decoding_is_strict() -> None:
    with pytest.raises(BadInputError, match="cannot decode the text"):
        decode_text(b"abc \xff\xff\xff\xfe\xff def \xff", "x.txt")
    with pytest.raises(BadInputError, match="not valid UTF-8-SIG although it starts with its byte-order mark"):
        decode_text(b"\xef\xbb\xbf\xe9\x87\x8d\xff", "x.txt")


# ---------------------------------------------------------------- HTML

_PAGE = """<!DOCTYPE html><html><head><meta charset="{charset}"><title>重点项目进度超序时</title></head><body>
<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/fz">福州</a></li><li><a href="/xm">厦门</a></li>
<li><a href="/qz">泉州</a></li><li><a href="/zz">漳州</a></li></ul></div>
<div class="breadcrumb"><a href="/">闽南网</a> &gt; <a href="/qz">泉州</a> &gt; 正文</div>
<article><h1>重点项目进度超序时!台商投资区点燃发展“强引擎”</h1>
{paragraphs}</article>
<div class="related"><h3>相关阅读</h3><ul><li><a href="/a">英林镇大觉山片区废弃矿山生态修复建设进入</a></li>
<li><a href="/b">安踏回应收购锐步: 不对传闻发表评论</a></li></ul></div>
<footer><p>版权所有 闽南网 未经本网书面授权不得转载</p><p>Copyright &copy; 2024 mnw.cn 闽ICP备12345678号</p></footer>
</body></html>"""


def _page(charset: str = "utf-8") -> str:
    body = [line.strip() for line in _raw(NEWS).split("\n")[7:33] if line.strip()]
    return _PAGE.format(charset=charset, paragraphs="\n".join(f"<p>{line}</p>" for line in body))


@pytest.mark.parametrize(("suffix", "encoding"), [(".html", "utf-8"), (".htm", "gbk")])
def test_html_main_text_only(tmp_path: Path, suffix: str, encoding: str) -> None:
    path = _write(tmp_path / f"page{suffix}", _page(encoding).encode(encoding))
    document = read_document(path)
    assert FIGURE_004 in document.text and FIGURE_004_B in document.text
    for chrome in ("首页", "闽南网", "相关阅读", "英林镇", "安踏", "版权所有", "Copyright", "ICP"):
        assert chrome not in document.raw_text and chrome not in document.text, chrome
    # One paragraph per line; the offsets map into the extracted main text.
    assert "\n盘活资源,破解“末梢困境”\n" in document.raw_text
    start = document.text.index(FIGURE_004)
    raw_start, raw_end = document.to_raw(start, start + len(FIGURE_004))
    assert document.raw_text[raw_start:raw_end] == FIGURE_004


def test_html_without_main_text_is_an_error(tmp_path: Path) -> None:
    path = _write(tmp_path / "empty.html", "<html><head><script>var a = 1;</script></head><body></body></html>")
    with pytest.raises(BadInputError, match="no main text found in the HTML page"):
        read_document(path)


def test_html_nested_too_deep_names_the_cause(tmp_path: Path) -> None:
    sentence = "全区重点项目完成投资110.7亿元,占年度计划76.7%。" * 5
    shallow = "<html><body>" + "<div>" * 100 + f"<p>{sentence}</p>" + "</div>" * 100 + "</body></html>"
    assert "110.7亿元" in read_document(_write(tmp_path / "shallow.html", shallow)).text
    deep = "<html><body>" + "<div>" * 300 + f"<p>{sentence}</p>" + "</div>" * 300 + "</body></html>"
    with pytest.raises(BadInputError, match="nested more than 255 levels deep.*save the article's text as a .txt"):
        read_document(_write(tmp_path / "deep.html", deep))


# ---------------------------------------------------------------- PDF

def _pdf(path: Path, pages: list[list[str]]) -> Path:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    drawing = canvas.Canvas(str(path))
    for lines in pages:
        drawing.setFont("STSong-Light", 11)
        for number, line in enumerate(lines):
            drawing.drawString(40, 780 - 16 * number, line)
        drawing.showPage()
    drawing.save()
    return path


def test_pdf_text_layer_is_read_page_by_page(tmp_path: Path) -> None:
    path = _pdf(tmp_path / "report.pdf", [
        ["泉州台商投资区重点项目建设情况", f"{FIGURE_004}。"],
        [f"{FIGURE_004_B}。", "三是三级梳理,问题“零遗漏”。"],
    ])
    document = read_document(path)
    assert document.text == (f"泉州台商投资区重点项目建设情况\n{FIGURE_004}。\n\n{FIGURE_004_B}。\n"
                             "三是三级梳理,问题“零遗漏”。")
    start = document.text.index("110.7")
    assert document.raw_text[slice(*document.to_raw(start, start + 5))] == "110.7"


def test_pdf_without_text_layer_is_an_error(tmp_path: Path) -> None:
    from reportlab.pdfgen import canvas

    path = tmp_path / "scan.pdf"
    drawing = canvas.Canvas(str(path))
    drawing.rect(50, 50, 200, 300, fill=1)  # a picture, no text
    drawing.showPage()
    drawing.save()
    with pytest.raises(BadInputError, match=r"no text layer \(scanned PDF\?\): run OCR first"):
        read_document(path)
    blank = tmp_path / "blank.pdf"
    drawing = canvas.Canvas(str(blank))
    drawing.showPage()
    drawing.showPage()
    drawing.save()
    with pytest.raises(BadInputError, match=r"no text layer"):
        read_document(blank)


def test_corrupt_pdf_is_an_error(tmp_path: Path) -> None:
    good = _pdf(tmp_path / "good.pdf", [["重点项目"]]).read_bytes()
    for name, data in (("garbage.pdf", b"%PDF-1.4\nthis is no pdf at all"), ("truncated.pdf", good[:200])):
        with pytest.raises(BadInputError, match=r"corrupt PDF .*: download or export it again"):
            read_document(_write(tmp_path / name, data))


# ---------------------------------------------------------------- bad input

@pytest.mark.parametrize(("name", "data", "reason"), [
    ("empty.txt", b"", "empty file"),
    ("blank.txt", "  \n\t\n".encode(), "empty file (only white space)"),
    ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", "binary file (it contains NUL bytes)"),
    ("controls.txt", bytes(range(1, 32)) * 20, "binary file (control characters)"),
    ("nul.txt", "重点项目\x00完成投资".encode(), "binary file (it contains NUL bytes)"),
    ("garbled.txt", b"\xff\xfe\xff\xff" * 3 + b"\x81", "not valid UTF-16"),
    ("undecodable.txt", b"report \xff\xff\xff total \xff\x80\xff", "cannot decode the text"),
    ("notes.docx", b"PK\x03\x04", "unsupported file type '.docx'"),
    ("README", b"text", "unsupported file without an extension"),
])
def test_bad_files_are_one_line_errors(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    path = _write(tmp_path / name, data)
    with pytest.raises(BadInputError) as raised:
        read_document(path)
    message = str(raised.value)
    assert message.startswith(f"{path}: ") and reason in message and "\n" not in message


def test_a_long_file_is_read_whole(tmp_path: Path) -> None:
    text = "\n\n".join(_raw(doc_id) for doc_id in SEED_IDS) * 5  # about 250 KB: several reads
    path = _write(tmp_path / "long.txt", text.encode("utf-8"))
    assert read_document(path).raw_text == text


def test_a_few_control_characters_in_utf8_text_are_read_and_dropped(tmp_path: Path) -> None:
    path = _write(tmp_path / "stray.txt", "重点项目\x07完成投资\x1f110.7亿元\x7f。\n".encode())
    document = read_document(path)
    assert document.raw_text == "重点项目\x07完成投资\x1f110.7亿元\x7f。\n"
    assert document.text == "重点项目完成投资110.7亿元。"


def test_missing_file_and_folder_are_errors(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="no such file"):
        read_document(tmp_path / "absent.txt")
    (tmp_path / "folder.txt").mkdir()
    with pytest.raises(BadInputError, match="is a folder"):
        read_document(tmp_path / "folder.txt")


# ---------------------------------------------------------------- finding documents

def _corpus(folder: Path, sources: str | None = None) -> Path:
    for doc_id in (SIMPLIFIED, NEWS):
        shutil.copy(RAW_DIR / f"{doc_id}.txt", folder / f"{doc_id}.txt")
    if sources is not None:
        (folder / "sources.csv").write_text(sources, encoding="utf-8")
    return folder


def _sources_rows(names: list[str]) -> str:
    rows = read_sources(RAW_DIR / "sources.csv")
    lines = ["file,published,region,title,url"]
    for name in names:
        row = rows.get(name, {"published": "2024", "region": "泉港区", "title": "标题", "url": ""})
        lines.append(",".join([name, row["published"], row["region"], f'"{row["title"]}"', row["url"]]))
    return "\n".join(lines) + "\n"


def test_folder_is_scanned_in_name_order_with_metadata(tmp_path: Path) -> None:
    folder = _corpus(tmp_path, _sources_rows([f"{SIMPLIFIED}.txt", f"{NEWS}.txt"]))
    _write(folder / ".hidden.txt", "隐藏文件")
    _write(folder / "notes.docx", b"PK")
    _write(folder / "sub" / "deeper.txt", "子文件夹里的文件")
    refs, errors = discover_documents([folder])
    # Hidden files and subfolders are not documents; a file of another type is named as skipped.
    assert [str(error) for error in errors] == [
        f"{folder / 'notes.docx'}: unsupported file type '.docx': keyproj reads .txt, .html, .htm and .pdf documents"]
    assert [ref.path.name for ref in refs] == [f"{SIMPLIFIED}.txt", f"{NEWS}.txt"]
    assert refs[0].meta is not None and refs[0].meta["published"] == "2025-03-17"
    assert refs[1].meta is not None and refs[1].meta["region"] == "泉州台商投资区"
    assert DOCUMENT_SUFFIXES == (".txt", ".html", ".htm", ".pdf")


def test_listed_but_absent_file_is_an_error(tmp_path: Path) -> None:
    folder = _corpus(tmp_path, _sources_rows([f"{SIMPLIFIED}.txt", f"{NEWS}.txt", "missing.txt"]))
    refs, errors = discover_documents([folder])
    assert len(refs) == 2
    assert [str(error) for error in errors] == [
        f"{folder / 'missing.txt'}: listed in sources.csv but not found: add the file or remove its row"]


def test_sources_with_missing_columns_is_an_error_and_files_still_come(tmp_path: Path) -> None:
    folder = _corpus(tmp_path, "file,title\nx.txt,标题\n")
    refs, errors = discover_documents([folder])
    assert [ref.meta for ref in refs] == [None, None]
    assert len(errors) == 1 and "missing columns: published, region, url" in str(errors[0])


def test_bare_file_takes_metadata_from_sources_beside_it(tmp_path: Path) -> None:
    folder = _corpus(tmp_path, _sources_rows([f"{SIMPLIFIED}.txt", f"{NEWS}.txt"]))
    refs, errors = discover_documents([folder / f"{NEWS}.txt"])
    assert errors == [] and refs[0].meta is not None and refs[0].meta["published"] == "2024-11-04"
    lonely = _write(tmp_path / "other" / "a.txt", "重点项目")
    assert discover_documents([lonely]) == ([DocumentRef(lonely, None)], [])


def test_discovery_errors(tmp_path: Path) -> None:
    docx = _write(tmp_path / "a.docx", b"PK")
    empty = tmp_path / "empty"
    empty.mkdir()
    refs, errors = discover_documents([docx, tmp_path / "absent", empty, RAW_DIR / f"{NEWS}.txt",
                                       RAW_DIR / f"{NEWS}.txt"])
    assert [ref.path.name for ref in refs] == [f"{NEWS}.txt"]  # given twice, listed once
    assert [str(error) for error in errors] == [
        f"{docx}: unsupported file type '.docx': keyproj reads .txt, .html, .htm and .pdf documents",
        f"{tmp_path / 'absent'}: no such file or folder",
        f"{empty}: no .txt, .html, .htm or .pdf documents in this folder",
    ]


def test_iter_documents_yields_errors_and_never_raises(tmp_path: Path) -> None:
    folder = _corpus(tmp_path, _sources_rows([f"{SIMPLIFIED}.txt", f"{NEWS}.txt", "gone.txt"]))
    _write(folder / "empty.txt", b"")
    _write(folder / "scan.pdf", b"%PDF-1.4 broken")
    items = list(iter_documents([folder]))
    errors = [item for item in items if isinstance(item, BadInputError)]
    documents = [item for item in items if isinstance(item, Document)]
    assert [document.doc_id for document in documents] == [SIMPLIFIED, NEWS]
    assert sorted(Path(error.path).name for error in errors) == ["empty.txt", "gone.txt", "scan.pdf"]
    assert documents[1].meta["published"] == "2024-11-04"


# ---------------------------------------------------------------- keyproj read

def test_read_prints_good_documents_and_one_line_per_bad_file(tmp_path: Path, capsys) -> None:
    folder = _corpus(tmp_path, _sources_rows([f"{SIMPLIFIED}.txt", f"{NEWS}.txt", "gone.txt"]))
    _write(folder / "empty.txt", b"")
    _write(folder / "binary.txt", b"\x00\x01\x02\x03" * 10)
    _write(folder / "scan.pdf", b"%PDF-1.4 broken")
    docx = _write(tmp_path / "notes.docx", b"PK")
    assert main(["read", str(folder), str(docx)]) == 1
    out, err = capsys.readouterr()
    assert FIGURE_004 in out and "2024年我区共确定重点项目242个、总投资1780.15亿元" in out
    assert f"==> {folder / (NEWS + '.txt')} <==" in out
    lines = err.strip().split("\n")
    assert sorted(lines[:-1]) == sorted([
        f"keyproj read: {folder / 'gone.txt'}: listed in sources.csv but not found: add the file or remove its row",
        f"keyproj read: {docx}: unsupported file type '.docx': keyproj reads .txt, .html, .htm and .pdf documents",
        f"keyproj read: {folder / 'binary.txt'}: binary file (it contains NUL bytes), not a text document: "
        "give a .txt, .html or .pdf document",
        f"keyproj read: {folder / 'empty.txt'}: empty file",
        next(line for line in lines if line.startswith(f"keyproj read: {folder / 'scan.pdf'}: corrupt PDF")),
    ])
    assert lines[-1] == "keyproj read: 5 of 7 documents failed"
    assert "Traceback" not in err


def test_read_one_good_file_prints_its_text_alone(capsys) -> None:
    assert main(["read", str(RAW_DIR / f"{NEWS}.txt")]) == 0
    out, err = capsys.readouterr()
    assert out == read_document(RAW_DIR / f"{NEWS}.txt").text + "\n" and err == ""


def test_read_out_writes_one_file_per_document(tmp_path: Path, capsys) -> None:
    out_dir = tmp_path / "out"
    assert main(["read", str(RAW_DIR), "--out", str(out_dir)]) == 0
    out, err = capsys.readouterr()
    assert out == "" and err == ""
    assert sorted(path.name for path in out_dir.iterdir()) == sorted(f"{doc_id}.txt" for doc_id in SEED_IDS)
    assert (out_dir / f"{NEWS}.txt").read_text(encoding="utf-8") == read_document(RAW_DIR / f"{NEWS}.txt").text + "\n"


def test_read_out_refuses_two_documents_with_one_name(tmp_path: Path, capsys) -> None:
    _write(tmp_path / "a.txt", "第一份文件的重点项目。")
    _write(tmp_path / "a.html", f"<html><body><article>{''.join(f'<p>{line}</p>' for line in [FIGURE_004] * 3)}"
                                "</article></body></html>")
    assert main(["read", str(tmp_path / "a.html"), str(tmp_path / "a.txt"), "--out", str(tmp_path / "out")]) == 1
    _, err = capsys.readouterr()
    assert "already holds the text of" in err and err.strip().endswith("1 of 2 documents failed")


def test_sources_rows_written_by_csv_module_round_trip(tmp_path: Path) -> None:
    # Titles with commas and quotes survive the CSV layer.
    path = tmp_path / "sources.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "published", "region", "title", "url", "sha256"])
        writer.writerow(["a.txt", "2024", "泉港区", '关于"项目", 报告', "", "ABC"])
    assert read_sources(path)["a.txt"]["title"] == '关于"项目", 报告'
    assert read_sources(path)["a.txt"]["sha256"] == "abc"


def test_a_document_reached_twice_is_listed_once(tmp_path: Path) -> None:
    folder = _corpus(tmp_path, _sources_rows([f"{SIMPLIFIED}.txt", f"{NEWS}.txt"]))
    (folder / "zz_link.txt").symlink_to(folder / f"{NEWS}.txt")  # the same file under another name
    (folder / "zz_dangling.txt").symlink_to(folder / "absent.txt")  # no file behind it: named, once
    refs, errors = discover_documents([folder, folder / f"{NEWS}.txt", f"{folder}/../{folder.name}"])
    assert [(Path(error.path).name, error.reason.split(" (")[0]) for error in errors] == [
        ("zz_dangling.txt", "dangling link")]
    assert [ref.path.name for ref in refs] == [f"{SIMPLIFIED}.txt", f"{NEWS}.txt"]
