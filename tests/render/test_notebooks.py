"""The three report notebooks, executed on the real dataset: papermill with their defaults, keyproj render
with other parameters, bad parameters, and the same content whether rendered alone or in a batch."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import papermill
import pytest
from conftest import copy_data_inputs

from keyproj.cli import main
from keyproj.paths import OutputLayout
from keyproj.render.html import notebook_to_html

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
RENDERED_AT = re.compile(r'(<span class=\\?"keyproj-rendered-at\\?">)[^<]*(</span>)')


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A built copy of the repository's data inputs."""
    from keyproj.data.build import build

    root = copy_data_inputs(tmp_path_factory.mktemp("notebook-data"))
    build(root)
    return root


def error_outputs(nb: nbformat.NotebookNode) -> list[dict]:
    return [output for cell in nb.cells for output in cell.get("outputs", [])
            if output.get("output_type") == "error"
            or (output.get("output_type") == "stream" and output.get("name") == "stderr")]


def check_report_html(page: str, *values: str) -> None:
    """What a reader's HTML must have: zh-CN, figures embedded, parameters shown, no code, no errors."""
    assert '<html lang="zh-CN">' in page
    assert re.search(r'<img alt="[^"<>]*[\u4e00-\u9fff][^"<>]*" src="data:image/png;base64,', page)  # titled
    assert 'data-mime-type="application/vnd.jupyter.stderr"' not in page  # no error or warning output
    assert "report.validate(globals()" not in page and "setup_plotting()" not in page  # no input code
    assert 'class="keyproj-parameters"' in page
    for value in values:
        assert f"<b>{value}</b>" in page, value
    assert not re.search(r"""<(?:script|link|img)\b[^>]*\b(?:src|href)=["']?(?:https?:)?//""", page)


@pytest.mark.parametrize(("notebook", "shown"), [
    ("01_investment_trends.ipynb", ["泉州市", "city", "None"]),
    ("02_planned_vs_actual.ipynb", ["泉港区", "2024"]),
    ("03_source_audit.ipynb", ["泉港区"]),
])
def test_defaults_run_top_to_bottom_through_papermill(
        notebook: str, shown: list[str], data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEYPROJ_DATA", str(data_dir))
    output = tmp_path / notebook
    nb = papermill.execute_notebook(str(NOTEBOOKS / notebook), str(output), progress_bar=False,
                                    cwd=str(NOTEBOOKS), kernel_name="python3")
    assert error_outputs(nb) == []
    check_report_html(notebook_to_html(nb, notebook), *shown)


def test_report_figures_match_the_data(data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # 泉港区 2024 (seed 000): county list 309.96 亿元 planned, 310.04 completed, 100.02 %.
    monkeypatch.setenv("KEYPROJ_DATA", str(data_dir))
    nb = papermill.execute_notebook(str(NOTEBOOKS / "02_planned_vs_actual.ipynb"), str(tmp_path / "out.ipynb"),
                                    progress_bar=False, cwd=str(NOTEBOOKS), kernel_name="python3")
    page = notebook_to_html(nb, "02")
    assert "<td>309.96</td>" in page and "<td>310.04</td>" in page and "<td>100.02</td>" in page


def test_papermill_command_line_with_parameters(data_dir: Path, tmp_path: Path) -> None:
    output = tmp_path / "out.ipynb"
    env = {**__import__("os").environ, "KEYPROJ_DATA": str(data_dir)}
    completed = subprocess.run(
        [str(Path(sys.executable).parent / "papermill"), str(NOTEBOOKS / "02_planned_vs_actual.ipynb"),
         str(output), "-p", "region", "南安市", "-p", "year", "2021", "--no-progress-bar", "-k", "python3"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert completed.returncode == 0, completed.stderr[-2000:]
    nb = nbformat.read(output, as_version=4)
    assert error_outputs(nb) == []
    page = notebook_to_html(nb, "南安市 2021")
    check_report_html(page, "南安市", "2021")
    assert "<td>66.20</td>" in page and "<td>50.0</td>" in page  # 1-6月 66.2 % against half the year


def test_wrong_parameter_name_is_one_line_in_the_notebook(data_dir: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEYPROJ_DATA", str(data_dir))
    output = tmp_path / "out.ipynb"
    with pytest.raises(papermill.PapermillExecutionError) as caught:
        papermill.execute_notebook(str(NOTEBOOKS / "02_planned_vs_actual.ipynb"), str(output),
                                   parameters={"yeer": 2021}, progress_bar=False, cwd=str(NOTEBOOKS),
                                   kernel_name="python3")
    assert caught.value.ename == "ParameterError"
    assert caught.value.evalue.startswith("parameter 'yeer': unknown parameter of 02_planned_vs_actual; "
                                          "did you mean 'year'?")
    errors = [o for o in error_outputs(nbformat.read(output, as_version=4)) if o["output_type"] == "error"]
    assert len(errors) == 1 and len(errors[0]["traceback"]) == 1  # one line, no traceback


SECOND_SET = {
    "trends-fujian": ("01_investment_trends.ipynb", {"region": "福建省", "scope": "province",
                                                     "start_year": 2015, "end_year": "2025"}),
    "pva-nanan": ("02_planned_vs_actual.ipynb", {"region": "南安市", "year": 2021}),
    "audit-doc": ("03_source_audit.ipynb", {"region": "泉州台商投资区", "doc_id": "004_34d48eeab18069cf"}),
    "audit-taishang": ("03_source_audit.ipynb", {"region": "泉州台商投资区"}),
}


def write_config(path: Path, reports: dict[str, tuple[str, dict[str, object]]]) -> Path:
    lines = ["reports:"]
    for name, (notebook, parameters) in reports.items():
        lines += [f"  - name: {name}", f"    notebook: {NOTEBOOKS / notebook}",
                  f"    parameters: {json.dumps(parameters, ensure_ascii=False)}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def outputs_without_time(nb: nbformat.NotebookNode) -> str:
    """The cells and outputs of an executed notebook, render time blanked."""
    cells = [{"source": cell.source, "outputs": cell.get("outputs", []),
              "execution_count": cell.get("execution_count")} for cell in nb.cells]
    return RENDERED_AT.sub(r"\1\2", json.dumps(cells, ensure_ascii=False, sort_keys=True))


def test_a_doc_id_of_another_region_is_told_to_papermill_users(data_dir: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    # -p doc_id of a 泉州台商投资区 document with the notebook's default region (泉港区): an error
    # naming both, not a report silently about another place.
    monkeypatch.setenv("KEYPROJ_DATA", str(data_dir))
    output = tmp_path / "out.ipynb"
    with pytest.raises(papermill.PapermillExecutionError) as caught:
        papermill.execute_notebook(str(NOTEBOOKS / "03_source_audit.ipynb"), str(output),
                                   parameters={"doc_id": "004_34d48eeab18069cf"}, progress_bar=False,
                                   cwd=str(NOTEBOOKS), kernel_name="python3")
    assert caught.value.ename == "ParameterError"
    assert caught.value.evalue == ("parameter 'doc_id': document '004_34d48eeab18069cf' is about 泉州台商投资区, "
                                   "but region is '泉港区'; set region to '泉州台商投资区' "
                                   "(papermill: -p region 泉州台商投资区) or choose a document of that region")


def test_second_parameter_sets_render_and_batching_changes_nothing(data_dir: Path, tmp_path: Path) -> None:
    config = write_config(tmp_path / "reports.yaml", SECOND_SET)
    batch = OutputLayout(tmp_path / "batch")
    # One kernel renders the four reports one after another (the most state a report could inherit).
    assert main(["render", "--config", str(config), "--data", str(data_dir), "--outputs", str(batch.root),
                 "--jobs", "1", "--quiet"]) == 0
    expected = {"trends-fujian": ["福建省", "province", "2015", "2025"], "pva-nanan": ["南安市", "2021"],
                "audit-doc": ["泉州台商投资区", "004_34d48eeab18069cf"], "audit-taishang": ["泉州台商投资区"]}
    for name, values in expected.items():
        check_report_html(batch.html_of(name).read_text(encoding="utf-8"), *values)
        assert error_outputs(nbformat.read(batch.notebook_of(name), as_version=4)) == []
    audit = batch.html_of("audit-doc").read_text(encoding="utf-8")
    assert "<mark>110.7</mark>" in audit  # the figure highlighted in its sentence
    index = batch.index.read_text(encoding="utf-8")
    for name in expected:
        assert f'href="{name}.html"' in index

    alone = OutputLayout(tmp_path / "alone")
    assert main(["render", "--config", str(config), "--data", str(data_dir), "--outputs", str(alone.root),
                 "--only", "audit-taishang", "--quiet"]) == 0
    assert (outputs_without_time(nbformat.read(alone.notebook_of("audit-taishang"), as_version=4))
            == outputs_without_time(nbformat.read(batch.notebook_of("audit-taishang"), as_version=4)))
    assert (RENDERED_AT.sub(r"\1\2", alone.html_of("audit-taishang").read_text(encoding="utf-8"))
            == RENDERED_AT.sub(r"\1\2", batch.html_of("audit-taishang").read_text(encoding="utf-8")))


def test_bad_parameters_fail_with_one_line_naming_the_parameter(
        data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = OutputLayout(tmp_path / "out")
    config = write_config(tmp_path / "reports.yaml",
                          {"pva": ("02_planned_vs_actual.ipynb", {"region": "泉港区", "year": 2024})})
    assert main(["render", "--config", str(config), "--data", str(data_dir), "--outputs", str(out.root),
                 "--quiet"]) == 0
    good_html = out.html_of("pva").read_text(encoding="utf-8")

    bad = {
        "pva": ("02_planned_vs_actual.ipynb", {"region": "泉港区", "year": 2019}),
        "bad-region": ("02_planned_vs_actual.ipynb", {"region": "泉洲市", "year": 2024}),
        "bad-scope": ("01_investment_trends.ipynb", {"region": "泉州市", "scope": "county"}),
        "coerced": ("02_planned_vs_actual.ipynb", {"region": "泉港区", "year": "2024"}),
    }
    write_config(config, bad)
    capsys.readouterr()
    assert main(["render", "--config", str(config), "--data", str(data_dir), "--outputs", str(out.root),
                 "--quiet"]) == 1
    err = capsys.readouterr().err
    expected = {
        "pva": "parameter 'year': no figures for 泉港区 in 2019; years with data: 2024",
        "bad-region": "parameter 'region': unknown region '泉洲市'; did you mean '泉州市'?",
        "bad-scope": "parameter 'scope': no county figures for 泉州市; lists with data: city, province",
    }
    assert "3 of 4 reports failed" in err  # a wrong type stops the config: test_render_attacks.py
    for name, message in expected.items():
        line = next(line for line in err.splitlines() if line.startswith(f"  {name}: "))
        assert f"ParameterError: {message}" in line, line
        failed = nbformat.read(out.failed_of(name), as_version=4)
        assert message in failed.cells[0].source  # the notice at the top of the failed notebook
        errors = [o for o in error_outputs(failed) if o["output_type"] == "error"]
        assert len(errors) == 1 and errors[0]["traceback"] == [f"ParameterError: {errors[0]['evalue']}"]
        assert message in errors[0]["evalue"]
    assert out.html_of("pva").read_text(encoding="utf-8") == good_html  # previous HTML kept
    assert out.html_of("coerced").is_file()  # "2024" is read as the year 2024


def test_unknown_parameter_name_in_the_config_stops_before_rendering(
        data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(tmp_path / "reports.yaml",
                          {"pva": ("02_planned_vs_actual.ipynb", {"region": "泉港区", "yeer": 2024})})
    assert main(["render", "--config", str(config), "--data", str(data_dir), "--outputs",
                 str(tmp_path / "out"), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "report 'pva': unknown parameter 'yeer' for 02_planned_vs_actual.ipynb; did you mean 'year'?" in err
    assert not (tmp_path / "out").exists()


def test_notebooks_are_committed_without_outputs() -> None:
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        code = [cell for cell in nb.cells if cell.cell_type == "code"]
        assert all(cell.outputs == [] and cell.execution_count is None for cell in code), path.name
        tagged = [i for i, cell in enumerate(nb.cells) if "parameters" in cell.metadata.get("tags", [])]
        assert len(tagged) == 1, path.name
        assert f'report.validate(globals(), "{path.name}")' in nb.cells[tagged[0] + 1].source, path.name
