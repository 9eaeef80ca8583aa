"""Issue 11: adding a report is one .ipynb plus a reports.yaml entry, with no change to keyproj.

A throwaway notebook (a parameters cell, ``report.validate``, cells using the facade) and its config
are written to a temporary folder and rendered with `keyproj render --config`; an unknown parameter,
in the config or through papermill, is one line naming it.
"""
from __future__ import annotations

import json
from pathlib import Path

import nbformat
import papermill
import pytest
from conftest import REPO_ROOT, copy_data_inputs
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from keyproj.cli import main
from keyproj.paths import OutputLayout

NAME = "07_list_sizes"
PARAMETERS = """# Parameters (papermill -p NAME VALUE)
region = "泉港区"  # region name
top = 3  # how many lists to show
"""
VALIDATE = f"""from keyproj import report

params = report.validate(globals(), "{NAME}.ipynb")"""
TABLE = """from IPython.display import display

report.setup_plotting()
region = params["region"]
panel = report.select_panel(params.index.panel, region=region)
display(report.about(f"{region} · 名单规模", params))
sizes = panel.groupby("scope", observed=True).size().sort_values(ascending=False).head(params["top"])
display(report.text(f"{region} 共 {len(panel)} 行,{sizes.size} 份名单。"))
display(report.table(sizes.rename("行数").reset_index()))"""
FIGURE = """fig, ax = report.new_axes(f"{region}:各名单的行数")
ax.bar([report.scope_label(scope) for scope in sizes.index], sizes.to_numpy())
report.show(fig)"""
BODY = (VALIDATE, TABLE, FIGURE)


def write_notebook(folder: Path) -> Path:
    """The throwaway report notebook, in the layout of notebooks/ (parameters cell, then validate)."""
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    parameters = new_code_cell(PARAMETERS)
    parameters.metadata["tags"] = ["parameters"]
    nb.cells = [new_markdown_cell("# 名单规模"), parameters, *(new_code_cell(source) for source in BODY)]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{NAME}.ipynb"
    nbformat.write(nb, path)
    return path


def write_config(folder: Path, parameters: dict[str, object]) -> Path:
    config = folder / "reports.yaml"
    config.write_text("reports:\n  - name: sizes-nanan\n"
                      f"    notebook: {NAME}.ipynb\n    title: 南安市 名单规模\n"
                      f"    parameters: {json.dumps(parameters, ensure_ascii=False)}\n", encoding="utf-8")
    return config


def library_mentions(name: str) -> list[Path]:
    """keyproj's source files that name the notebook (none: the library does not know it)."""
    return [path for path in (REPO_ROOT / "keyproj").rglob("*") if path.is_file()
            and path.suffix in {".py", ".yaml", ".j2"} and name in path.read_text(encoding="utf-8")]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from keyproj.data.build import build

    data = copy_data_inputs(tmp_path_factory.mktemp("new-notebook-data"))
    build(data)
    return data


def test_a_new_notebook_renders_from_its_config_alone(data_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    write_notebook(folder)
    config = write_config(folder, {"region": "南安市", "top": 2})
    out = OutputLayout(tmp_path / "outputs")
    assert main(["render", "--config", str(config), "--data", str(data_dir), "--outputs", str(out.root),
                 "--jobs", "1", "--quiet"]) == 0
    page = out.html_of("sizes-nanan").read_text(encoding="utf-8")
    assert "<b>南安市</b>" in page and "<b>2</b>" in page  # the parameters, as given in the config
    assert "南安市 共 " in page and 'src="data:image/png;base64,' in page
    assert 'data-mime-type="application/vnd.jupyter.stderr"' not in page
    assert 'href="sizes-nanan.html"' in out.index.read_text(encoding="utf-8")
    assert library_mentions(NAME) == [] and not (REPO_ROOT / "notebooks" / f"{NAME}.ipynb").exists()


def test_unknown_parameter_in_the_config_is_one_line(data_dir: Path, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "reports"
    write_notebook(folder)
    config = write_config(folder, {"regoin": "南安市"})
    assert main(["render", "--config", str(config), "--data", str(data_dir), "--outputs",
                 str(tmp_path / "outputs"), "--quiet"]) == 1
    err = capsys.readouterr().err.strip()
    assert "\n" not in err
    assert f"report 'sizes-nanan': unknown parameter 'regoin' for {NAME}.ipynb; did you mean 'region'?" in err
    assert not (tmp_path / "outputs").exists()


def test_unknown_parameter_through_papermill_is_one_line(data_dir: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    notebook = write_notebook(tmp_path / "reports")
    monkeypatch.setenv("KEYPROJ_DATA", str(data_dir))
    output = tmp_path / "out.ipynb"
    with pytest.raises(papermill.PapermillExecutionError) as caught:
        papermill.execute_notebook(str(notebook), str(output), parameters={"tpo": 5}, progress_bar=False,
                                   cwd=str(notebook.parent), kernel_name="python3")
    assert caught.value.ename == "ParameterError"
    assert caught.value.evalue.startswith(f"parameter 'tpo': unknown parameter of {NAME}; did you mean 'top'?")
    errors = [o for cell in nbformat.read(output, as_version=4).cells for o in cell.get("outputs", [])
              if o.get("output_type") == "error"]
    assert len(errors) == 1 and len(errors[0]["traceback"]) == 1  # one line, no traceback
