"""The repository itself: declared dependencies in step, raw data untouched, notebooks clean."""
from __future__ import annotations

import csv
import hashlib
import json
import re
import subprocess
import tomllib

import yaml
from conftest import RAW_DIR, REPO_ROOT


def _name_and_bound(requirement: str) -> tuple[str, str]:
    match = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", requirement)
    assert match, requirement
    return match.group(1).lower().replace("_", "-"), match.group(2).replace(" ", "")


def test_environment_yml_matches_pyproject_dependencies() -> None:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = dict(_name_and_bound(r) for r in project["dependencies"])
    assert all(bound.startswith(">=") for bound in declared.values()), "every dependency needs a lower bound"
    env = yaml.safe_load((REPO_ROOT / "environment.yml").read_text(encoding="utf-8"))
    conda: dict[str, str] = {}
    pip: list[str] = []
    for item in env["dependencies"]:
        if isinstance(item, dict):
            pip.extend(item["pip"])
        else:
            name, bound = _name_and_bound(item)
            conda[name] = bound
    pip_deps = dict(_name_and_bound(r) for r in pip if not r.startswith("-e"))
    assert "-e ." in pip
    listed = {**{k: v for k, v in conda.items() if k not in ("python", "pip")}, **pip_deps}
    assert listed == declared
    assert conda["python"] == ">=" + project["requires-python"].removeprefix(">=")


def test_raw_documents_match_their_recorded_sha256() -> None:
    with open(RAW_DIR / "sources.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {row["file"] for row in rows} == {p.name for p in RAW_DIR.iterdir() if p.name != "sources.csv"}
    for row in rows:
        assert hashlib.sha256((RAW_DIR / row["file"]).read_bytes()).hexdigest() == row["sha256"], row["file"]


def test_notebooks_are_committed_without_outputs() -> None:
    for path in sorted((REPO_ROOT / "notebooks").glob("*.ipynb")):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
        assert all(not c.get("outputs") and not c.get("execution_count") for c in code), path.name
        tagged = [c for c in notebook["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
        assert len(tagged) == 1, f"{path.name}: exactly one cell tagged parameters"


def test_make_help_lists_every_target() -> None:
    out = subprocess.run(["make", "-s", "help"], cwd=REPO_ROOT, capture_output=True, text=True, check=True).stdout
    for target in ("setup", "data", "report", "render", "test", "bench", "lab"):
        assert re.search(rf"make {target}\b", out), target
