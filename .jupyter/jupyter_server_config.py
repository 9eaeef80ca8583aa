"""JupyterLab settings of the project, loaded by `make lab` (JUPYTER_CONFIG_PATH=.jupyter): saving a
notebook writes it without outputs, so running the reports in JupyterLab never leaves outputs in the
tracked notebooks/*.ipynb (figures and tables belong in outputs/, made by `keyproj render`).

Plain Python with no keyproj import: Jupyter runs this file itself. Your own Jupyter can use it
too: `JUPYTER_CONFIG_PATH=/path/to/keyproj/.jupyter jupyter lab`.
"""
from typing import Any


def strip_outputs(model: dict[str, Any], **_: Any) -> None:
    """Pre-save hook: drop every code cell's outputs and execution count (the notebook stays runnable)."""
    if model.get("type") != "notebook" or not isinstance(model.get("content"), dict):
        return
    for cell in model["content"].get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
            cell.get("metadata", {}).pop("execution", None)


c = get_config()  # type: ignore[name-defined]  # noqa: F821 - provided by Jupyter when it loads this file
c.FileContentsManager.pre_save_hook = strip_outputs
