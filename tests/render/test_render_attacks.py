"""`keyproj render` under careless use and bad luck: hostile configs, bad parameter types, a build
during a render, tables of two builds. Each attack ends in one line naming the file (and the report),
or in a render whose pages all show one version of the data."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import copy_data_inputs, write_notebook

from keyproj.cli import main
from keyproj.data.build import build
from keyproj.data.load import data_fingerprint
from keyproj.errors import KeyprojError
from keyproj.paths import DataLayout, OutputLayout
from keyproj.render import run
from keyproj.render.config import MAX_CONFIG_BYTES, load_config


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A built copy of the repository's data inputs (without the national reference file: faster)."""
    root = copy_data_inputs(tmp_path_factory.mktemp("attack-data"))
    (root / "reference" / "china_key_projects.csv").unlink()
    build(root)
    return root


def render(config: Path, data_dir: Path, outputs: Path, *extra: str) -> int:
    return main(["render", "--config", str(config), "--data", str(data_dir), "--outputs", str(outputs),
                 "--quiet", *extra])


# ------------------------------------------------------------------------------ hostile configs

# 1.3 KB of nested aliases: each level names the one before eight times (8**22 strings once expanded).
ALIAS_BOMB = "\n".join(
    ["a0: &a0 [\"泉港区泉港区泉港区泉港区\", \"x\", \"x\", \"x\", \"x\", \"x\", \"x\", \"x\"]"]
    + [f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 8)}]" for i in range(1, 23)]
    + ["reports: [{name: bomb, notebook: small.ipynb, parameters: {label: *a22}}]"]) + "\n"


@pytest.mark.parametrize(("text", "message"), [
    (ALIAS_BOMB, "malformed YAML: line 2: aliases (*a0) are not allowed in a reports config; write the values out"),
    ("base: &base {notebook: small.ipynb}\nreports:\n  - {<<: *base, name: a}\n",
     "aliases (*base) are not allowed"),
    ("reports: " + "[" * 3000 + "]" * 3000 + "\n", "malformed YAML: nested too deeply"),
    ("reports:\n" + "  # padding\n" * (MAX_CONFIG_BYTES // 10), f"larger than {MAX_CONFIG_BYTES // 1024} KB"),
])
def test_hostile_yaml_is_one_line_naming_the_config(tmp_path: Path, data_dir: Path, text: str, message: str,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    write_notebook(tmp_path / "small.ipynb", "label = 'a'", "print(label)")
    config = tmp_path / "reports.yaml"
    config.write_text(text, encoding="utf-8")
    with pytest.raises(KeyprojError, match=re.escape(message)):
        load_config(config)
    assert render(config, data_dir, tmp_path / "out") == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"keyproj render: error: {config}") and "\n" not in err and message in err
    assert not (tmp_path / "out").exists()


def test_the_alias_bomb_is_small(tmp_path: Path) -> None:
    assert 1000 < len(ALIAS_BOMB.encode("utf-8")) < 1500  # the size of the file that ran 123 s before


def test_a_folder_as_config_is_one_line(tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(KeyprojError, match=re.escape(f"{tmp_path}: is a folder; give the reports config file")):
        load_config(tmp_path)
    assert render(tmp_path, data_dir, tmp_path / "out") == 1
    err = capsys.readouterr().err.strip()
    assert str(tmp_path) in err and "is a folder" in err and "\n" not in err


@pytest.mark.parametrize(("parameters", "message"), [
    ({"region": "泉港区", "year": "abc"},
     "report 'pva': parameter 'year': must be a year such as 2024, got 'abc' (str) (02_planned_vs_actual.ipynb)"),
    ({"region": ["泉港区"], "year": 2024}, "report 'pva': parameter 'region': must be text, got ['泉港区'] (list)"),
    ({"region": "泉港区", "year": True}, "report 'pva': parameter 'year': must be a year such as 2024, got True"),
])
def test_parameter_types_are_checked_before_any_kernel_starts(
        tmp_path: Path, data_dir: Path, parameters: dict[str, object], message: str,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[str] = []
    monkeypatch.setattr(run.PooledKernel, "start", lambda self: started.append(self.kernel_name))
    config = tmp_path / "reports.yaml"
    notebooks = Path(__file__).resolve().parents[2] / "notebooks"
    config.write_text("reports:\n  - name: pva\n"
                      f"    notebook: {notebooks / '02_planned_vs_actual.ipynb'}\n"
                      f"    parameters: {json.dumps(parameters, ensure_ascii=False)}\n", encoding="utf-8")
    assert render(config, data_dir, tmp_path / "out") == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"keyproj render: error: {config}: report 'pva': parameter ")
    assert message in err and "\n" not in err
    assert started == [] and not (tmp_path / "out").exists()


# ------------------------------------------------------------------------------ one data snapshot per render

REPORT_DATA = (
    "from keyproj.data.load import data_fingerprint, load_panel\n"
    "if rebuild:  # a `keyproj build` of the original data folder while the render runs\n"
    "    from pathlib import Path\n"
    "    from keyproj.data.build import build\n"
    "    Path(rebuild, 'reference', 'fujian_key_projects.csv').unlink()\n"
    "    build(rebuild)\n"
    "print('fingerprint', data_fingerprint(), 'rows', len(load_panel()))"
)


def test_a_build_during_the_render_changes_no_page(tmp_path: Path) -> None:
    data = copy_data_inputs(tmp_path)
    (data / "reference" / "china_key_projects.csv").unlink()
    build(data)
    before = data_fingerprint(data)
    write_notebook(tmp_path / "nb" / "data.ipynb", "rebuild = ''", REPORT_DATA)
    config = tmp_path / "nb" / "reports.yaml"
    config.write_text("reports:\n"
                      f"  - {{name: first, notebook: data.ipynb, parameters: {{rebuild: '{data}'}}}}\n"
                      "  - {name: second, notebook: data.ipynb}\n"
                      "  - {name: third, notebook: data.ipynb}\n", encoding="utf-8")
    out = OutputLayout(tmp_path / "out")
    assert render(config, data, out.root, "--jobs", "1") == 0
    assert data_fingerprint(data) != before  # the build did publish new tables meanwhile
    lines = set()
    for name in ("first", "second", "third"):
        page = out.html_of(name).read_text(encoding="utf-8")
        lines |= set(re.findall(r"fingerprint \w+ rows \d+", page))
    assert lines == {re.search(r"fingerprint \w+ rows \d+", out.html_of("first").read_text(encoding="utf-8"))[0]}
    assert f"fingerprint {before} " in lines.pop()  # every page: the data the render started with
    assert before in out.index.read_text(encoding="utf-8")
    assert not (out.root / run.SNAPSHOT_FOLDER).exists()  # the snapshot goes with the render
    assert data_fingerprint(data) != before and (data / "processed" / "panel.csv").is_file()


def test_tables_of_two_builds_are_refused_by_name(tmp_path: Path, data_dir: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    shutil.copytree(data_dir / "processed", data / "processed")
    stamp = next((path for path in (data / "processed").iterdir()
                  if path.suffix != ".csv" and re.search(r"\b[0-9a-f]{64}\b", path.read_text(errors="replace"))),
                 None)
    if stamp is None:
        pytest.skip("the build writes no stamp with the tables' sha256 yet")
    with open(data / "processed" / "panel.csv", "a", encoding="utf-8") as handle:
        handle.write("\n")  # another build's panel: the stamp names the old one
    monkeypatch.setattr(run.time, "sleep", lambda seconds: None)
    problem = f"{data / 'processed'}: panel.csv not the tables the build stamp names"
    with pytest.raises(KeyprojError, match=re.escape(problem)), \
            run.data_snapshot(DataLayout(data), OutputLayout(tmp_path / "out")):
        pass
    assert not (tmp_path / "out" / run.SNAPSHOT_FOLDER).exists()


def test_a_snapshot_holds_the_tables_while_the_originals_are_replaced(tmp_path: Path, data_dir: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(data_dir / "processed", data / "processed")
    shutil.copy(data_dir / "corrections.csv", data / "corrections.csv")
    before = data_fingerprint(data)
    with run.data_snapshot(DataLayout(data), OutputLayout(tmp_path / "out")) as (snapshot, fingerprint):
        assert fingerprint == before == data_fingerprint(snapshot.root)
        (data / "processed" / "panel.csv").unlink()  # what a build's atomic rename does to the old file
        (data / "processed" / "panel.csv").write_text("region\n", encoding="utf-8")
        assert data_fingerprint(snapshot.root) == before
        assert snapshot.corrections.read_bytes() == (data / "corrections.csv").read_bytes()
    assert not snapshot.root.exists()
