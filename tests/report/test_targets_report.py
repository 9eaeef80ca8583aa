"""notebooks/04_targets.ipynb: rendered by `keyproj render` on two data folders (the reference
files with and without the national file), its HTML has the figures and estimate tables, and what it
states (N, estimates, coverage) follows the panel it was rendered on. Also run in-process on a panel
without the list_note column."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import nbformat
import pytest
from conftest import REPO_ROOT, copy_data_inputs

from keyproj import research
from keyproj.cli import main
from keyproj.data.load import load_panel
from keyproj.paths import OutputLayout
from keyproj.render.config import DEFAULT_CONFIG, load_config

NOTEBOOK = REPO_ROOT / "notebooks" / "04_targets.ipynb"
NATIONAL_FILE = "china_key_projects.csv"
CAPTIONS = ("面板覆盖", "完成率对时间进度的回归", "超序时进度在 0 处的集聚", "全年完成率在 100% 处的集聚",
            "计划增长对去年完成差的回归", "城市计划相对省计划")
FIGURES = 5  # pace, margins, full-year rates, ratchet, amplification


def build_copy(root: Path, drop: tuple[str, ...] = ()) -> Path:
    """A built copy of the repository's data inputs, without the reference files named in ``drop``."""
    from keyproj.data.build import build

    data = copy_data_inputs(root)
    for name in drop:
        (data / "reference" / name).unlink()
    build(data)
    return data


@pytest.fixture(scope="module")
def data_dirs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Built data folders: 'national' (every reference file), 'regional' (without the national one)."""
    if not (REPO_ROOT / "data" / "reference" / NATIONAL_FILE).is_file():
        pytest.skip(f"data/reference/{NATIONAL_FILE} is not in the repository yet")
    root = tmp_path_factory.mktemp("targets-data")
    return {variant: build_copy(root / variant, drop)
            for variant, drop in (("national", ()), ("regional", (NATIONAL_FILE,)))}


@pytest.fixture(scope="module")
def rendered(data_dirs: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """04_targets rendered through `keyproj render` on both data folders:
    {variant: {"data": folder, "html": page, "outputs": layout}}."""
    root = tmp_path_factory.mktemp("targets")
    config = root / "reports.yaml"
    config.write_text("reports:\n  - name: targets-national\n"
                      f"    notebook: {NOTEBOOK}\n    title: 全国 重点项目计划的完成\n"
                      "    parameters: {min_obs: 20}\n", encoding="utf-8")
    out: dict[str, dict[str, Any]] = {}
    for variant, data in data_dirs.items():
        layout = OutputLayout(root / variant / "outputs")
        assert main(["render", "--config", str(config), "--data", str(data), "--outputs", str(layout.root),
                     "--jobs", "1", "--quiet"]) == 0
        out[variant] = {"data": data, "outputs": layout,
                        "html": layout.html_of("targets-national").read_text(encoding="utf-8")}
    return out


def test_default_config_renders_04_targets() -> None:
    entries = [report for report in load_config(DEFAULT_CONFIG).reports if report.notebook.name == "04_targets.ipynb"]
    assert [report.name for report in entries] == ["targets-national", "targets-national-en"]
    assert re.search(r"[\u4e00-\u9fff]", entries[0].title)
    assert entries[1].parameters.get("lang") == "en"


def test_html_has_the_figures_and_estimate_tables(rendered: dict[str, dict[str, Any]]) -> None:
    page = rendered["national"]["html"]
    assert '<html lang="zh-CN">' in page
    images = re.findall(r'<img alt="([^"<>]*)" src="data:image/png;base64,', page)
    assert len(images) == FIGURES and all(re.search(r"[\u4e00-\u9fff]", alt) for alt in images), images
    for caption in CAPTIONS:
        assert f"<caption>{caption}</caption>" in page, caption
    assert len(re.findall(r'<table[^>]*class="[^"]*keyproj-table', page)) >= len(CAPTIONS)
    assert 'data-mime-type="application/vnd.jupyter.stderr"' not in page and "Traceback" not in page
    assert "report.validate(globals()" not in page  # no input code
    assert "<b>20</b>" in page  # the parameter min_obs, shown in the about block
    nb = nbformat.read(rendered["national"]["outputs"].notebook_of("targets-national"), as_version=4)
    assert not [o for cell in nb.cells for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    assert 'href="targets-national.html"' in rendered["national"]["outputs"].index.read_text(encoding="utf-8")


def stated(data: Path) -> dict[str, str]:
    """What the report must state, computed here from the same panel by keyproj.research."""
    panel = load_panel(data_dir=data)
    coverage = research.describe_coverage(panel)
    pace = research.pace(panel, min_obs=20, margin_min_obs=50)
    slope = pace.estimates[(pace.estimates["group"] == "pooled") & (pace.estimates["term"] == "slope")].iloc[0]
    full = research.full_year_bunching(panel, min_obs=50)
    return {"regions": f"涉及 {coverage.regions} 个地区",
            "in_year": f"年内观测(1 月至某月,有完成率和时间进度){coverage.in_year_observations} 个",
            "pace_n": f"{pace.n} 个年内观测,来自 {pace.n_clusters} 个地区",
            "slope": f"合计斜率 {slope['estimate']:.2f}(95% 置信区间 {slope['ci_low']:.2f} 至 {slope['ci_high']:.2f}",
            "full_n": f"{full.n} 个全年完成率,来自 {full.n_clusters} 个地区"}


def test_statements_are_computed_from_the_panel(rendered: dict[str, dict[str, Any]]) -> None:
    national, regional = stated(rendered["national"]["data"]), stated(rendered["regional"]["data"])
    for variant, expected in (("national", national), ("regional", regional)):
        page = rendered[variant]["html"]
        for key, sentence in expected.items():
            assert sentence in page, (variant, key, sentence)
    # Without the national file the panel is smaller: the same report states other numbers.
    for key in national:
        assert national[key] != regional[key], key
        assert national[key] not in rendered["regional"]["html"], key


def test_thin_results_give_the_reason_not_an_estimate(rendered: dict[str, dict[str, Any]]) -> None:
    panel = load_panel(data_dir=rendered["regional"]["data"])
    ratchet = research.ratchet(panel, min_obs=20)
    assert not ratchet.ok  # a handful of region-years: the report must say why, not print slopes
    page = rendered["regional"]["html"]
    assert f"未估计:{ratchet.why}" in page.replace("&lt;", "<")
    assert "去年每超额 1 个百分点" not in page


def run_cells(notebook: Path, namespace: dict[str, Any]) -> None:
    """Execute a notebook's code cells in this process (no kernel), in order."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            exec(compile("".join(cell["source"]), f"{notebook.name}", "exec"), namespace)  # noqa: S102


def shown_html(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Collects what the notebook displays as HTML (IPython's display, outside a kernel)."""
    import IPython.display

    shown: list[str] = []
    monkeypatch.setattr(IPython.display, "display",
                        lambda obj, *args, **kwargs: shown.append(getattr(obj, "data", "") or ""))
    return shown


def test_runs_on_a_panel_without_list_note(data_dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from keyproj.report import params

    shown = shown_html(monkeypatch)
    data = data_dirs["national"]
    index = params.DataIndex.load(data)
    assert "list_note" in index.panel.columns
    bare = params.DataIndex(index.panel.drop(columns=["list_note"]), index.facts, index.regions)
    monkeypatch.setenv("KEYPROJ_DATA", str(data))
    monkeypatch.setattr(params.DataIndex, "load", classmethod(lambda cls, data_dir=None: bare))
    monkeypatch.chdir(NOTEBOOK.parent)
    namespace: dict[str, Any] = {"__name__": "__main__"}
    run_cells(NOTEBOOK, namespace)
    assert "list_note" not in namespace["panel"].columns
    assert namespace["coverage"].dropped_not_comparable == 0
    assert namespace["pace"].dropped["list_note"] == 0 and namespace["pace"].ok
    assert any("面板没有可比性说明(list_note)一列" in str(html) for html in shown)


def test_year_range_limits_the_panel(data_dirs: dict[str, Path], tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from keyproj.report import params

    data = data_dirs["national"]
    index = params.DataIndex.load(data)
    monkeypatch.setenv("KEYPROJ_DATA", str(data))
    monkeypatch.setattr(params.DataIndex, "load", classmethod(lambda cls, data_dir=None: index))
    monkeypatch.chdir(NOTEBOOK.parent)
    # papermill's injected cell comes after the parameters cell: emulate it by overriding the names.
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    nb["cells"].insert(2, {"cell_type": "code", "source": "start_year = 2020\nend_year = 2022\nlevels = ['city']"})
    changed = tmp_path / "04_targets.ipynb"
    changed.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    namespace: dict[str, Any] = {"__name__": "__main__"}
    run_cells(changed, namespace)
    panel = namespace["panel"]
    assert set(panel["scope"].astype(str)) == {"city"}
    assert panel["year"].min() >= 2020 and panel["year"].max() <= 2022
    assert namespace["coverage"].years[0] >= 2020
