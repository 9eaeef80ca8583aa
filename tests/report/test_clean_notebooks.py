"""Notebooks stay clean: the committed notebooks hold no outputs, and JupyterLab started by `make lab`
saves notebooks without outputs (a pre-save hook in .jupyter/jupyter_server_config.py, loaded
through JUPYTER_CONFIG_PATH)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CONFIG_DIR = REPO / ".jupyter"


@pytest.mark.parametrize("notebook", sorted((REPO / "notebooks").glob("*.ipynb")), ids=lambda path: path.name)
def test_committed_notebooks_have_no_outputs(notebook: Path) -> None:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    code = [cell for cell in cells if cell["cell_type"] == "code"]
    assert code
    assert all(cell["outputs"] == [] and cell["execution_count"] is None for cell in code)


def test_make_lab_loads_the_project_config() -> None:
    lab = subprocess.run(["make", "-n", "lab"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    assert f"JUPYTER_CONFIG_PATH=\"{REPO}/.jupyter" in lab and "jupyter lab notebooks/" in lab


def test_saving_in_jupyter_strips_outputs(tmp_path: Path) -> None:
    # A real Jupyter server contents manager, configured the way `make lab` configures it, in a
    # child process so this process's Jupyter settings stay as they are.
    notebook = json.loads((REPO / "notebooks" / "02_planned_vs_actual.ipynb").read_text(encoding="utf-8"))
    code = next(cell for cell in notebook["cells"] if cell["cell_type"] == "code")
    code["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["泉港区 2024\n"]}]
    code["execution_count"] = 3
    (tmp_path / "input.json").write_text(json.dumps(notebook, ensure_ascii=False), encoding="utf-8")
    script = (
        "import json, sys\n"
        "from jupyter_server.serverapp import ServerApp\n"
        "from jupyter_server.services.contents.filemanager import FileContentsManager\n"
        "app = ServerApp(); app.load_config_file()\n"
        "manager = FileContentsManager(root_dir=sys.argv[1], config=app.config)\n"
        "content = json.load(open(sys.argv[1] + '/input.json', encoding='utf-8'))\n"
        "manager.save({'type': 'notebook', 'format': 'json', 'content': content}, 'saved.ipynb')\n"
    )
    env = {**os.environ, "JUPYTER_CONFIG_PATH": str(CONFIG_DIR)}
    subprocess.run([sys.executable, "-c", script, str(tmp_path)], env=env, check=True, timeout=120)
    saved = json.loads((tmp_path / "saved.ipynb").read_text(encoding="utf-8"))
    cells = [cell for cell in saved["cells"] if cell["cell_type"] == "code"]
    assert cells and all(cell["outputs"] == [] and cell["execution_count"] is None for cell in cells)
    assert "".join(cells[0]["source"]) == "".join(code["source"])  # the code itself is kept


def test_without_the_project_config_outputs_would_stay(tmp_path: Path) -> None:
    # The check above is not vacuous: a plain contents manager keeps the outputs.
    from jupyter_server.services.contents.filemanager import FileContentsManager

    notebook = json.loads((REPO / "notebooks" / "02_planned_vs_actual.ipynb").read_text(encoding="utf-8"))
    code = next(cell for cell in notebook["cells"] if cell["cell_type"] == "code")
    code["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["x\n"]}]
    FileContentsManager(root_dir=str(tmp_path)).save({"type": "notebook", "format": "json", "content": notebook},
                                                     "kept.ipynb")
    saved = json.loads((tmp_path / "kept.ipynb").read_text(encoding="utf-8"))
    assert any(cell.get("outputs") for cell in saved["cells"] if cell["cell_type"] == "code")
