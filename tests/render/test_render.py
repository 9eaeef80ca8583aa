"""`keyproj render` on small notebooks built in tmp_path: config checks, failures, skipping, lock, HTML."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import copy_data_inputs
from conftest import write_notebook as notebook_file

from keyproj._version import __version__
from keyproj.cli import main
from keyproj.data.load import data_fingerprint
from keyproj.errors import KeyprojError
from keyproj.paths import OutputLayout
from keyproj.render.config import DEFAULT_CONFIG, Report, load_config
from keyproj.render.html import check_offline, set_language
from keyproj.render.index import IndexEntry, index_page
from keyproj.render.state import quick_unchanged, render_key, render_lock
from keyproj.report.params import DataIndex, validate

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the repository's data inputs, built (documents, reference figures, corrections)."""
    from keyproj.data.build import build

    root = copy_data_inputs(tmp_path_factory.mktemp("render-data"))
    build(root)
    return root


def write_notebook(path: Path, parameters: str, *cells: str) -> Path:
    """A notebook with a markdown title, a cell tagged parameters and code cells."""
    return notebook_file(path, parameters, *cells, title="# 小报告")


SMALL_BODY = (
    "import os\nif count > 99:\n    raise ValueError(f'count must be below 100, got {count}')\n"
    "print('data:', os.environ['KEYPROJ_DATA'], 'count:', count, 'label:', label)",
    "import matplotlib.pyplot as plt\nfrom keyproj.report.plotting import setup_plotting\nsetup_plotting()\n"
    "fig, ax = plt.subplots()\nax.bar(['泉港区', '南安市'], [count, 2])\nax.set_title('小图')\nplt.show()",
)


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """A folder with a small notebook (parameters count, label) and a config rendering it twice."""
    write_notebook(tmp_path / "nb" / "small.ipynb", "count = 1\nlabel = 'a'", *SMALL_BODY)
    write_config(tmp_path / "nb" / "reports.yaml", {"first": {"count": 3}, "second": {"count": 5, "label": "泉州"}})
    return tmp_path


def write_config(path: Path, reports: dict[str, dict[str, object]], notebook: str = "small.ipynb") -> Path:
    lines = ["reports:"]
    for name, parameters in reports.items():
        lines += [f"  - name: {name}", f"    notebook: {notebook}",
                  f"    parameters: {json.dumps(parameters, ensure_ascii=False)}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def render(folder: Path, data_dir: Path, *extra: str) -> int:
    return main(["render", "--config", str(folder / "nb" / "reports.yaml"), "--data", str(data_dir),
                 "--outputs", str(folder / "out"), "--quiet", *extra])


# ------------------------------------------------------------------------------ config


@pytest.mark.parametrize(("text", "message"), [
    ("reports: [name: x\n", "malformed YAML: line"),
    ("- just a list\n", "expected a mapping with a 'reports:' list"),
    ("reports:\n  - name: a\n    notebook: missing.ipynb\n", "report 'a': unknown notebook 'missing.ipynb'"),
    ("reports:\n  - name: a\n    notebook: small.ipynb\n  - name: a\n    notebook: small.ipynb\n",
     "duplicate report name 'a'"),
    ("reports:\n  - name: a\n    notebook: small.ipynb\n    parameters: {cuont: 2}\n",
     "report 'a': unknown parameter 'cuont' for small.ipynb; did you mean 'count'? parameters: count, label"),
    ("reports:\n  - name: a b\n    notebook: small.ipynb\n", "'name' must be letters, digits"),
    ("reports:\n  - name: a\n    notebook: small.ipynb\n    colour: red\n", "report 'a': unknown key 'colour'"),
])
def test_config_errors_are_one_line_before_anything_runs(
        small: Path, data_dir: Path, text: str, message: str, capsys: pytest.CaptureFixture[str]) -> None:
    config = small / "nb" / "reports.yaml"
    config.write_text(text, encoding="utf-8")
    with pytest.raises(KeyprojError, match=re.escape(message)):
        load_config(config)
    assert render(small, data_dir) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"keyproj render: error: {config}") and "\n" not in err
    assert message in err
    assert not (small / "out").exists()  # nothing ran, nothing written


def test_default_config_covers_the_four_notebooks_with_data(data_dir: Path) -> None:
    config = load_config(DEFAULT_CONFIG)
    notebooks = {report.notebook.name for report in config.reports}
    regional = {"01_investment_trends.ipynb", "02_planned_vs_actual.ipynb", "03_source_audit.ipynb"}
    assert notebooks == regional | {"04_targets.ipynb"}  # 04 covers the whole panel, no region
    regions = {str(report.parameters.get("region")) for report in config.reports}
    assert {"泉州市", "泉港区", "南安市", "晋江市", "泉州台商投资区", "福建省", "厦门市"} <= regions
    for region in ("泉州市", "泉港区", "南安市", "晋江市", "泉州台商投资区"):
        assert {r.notebook.name for r in config.reports if r.parameters.get("region") == region} == regional
    # Every entry has data: the notebooks' own validation passes on the built dataset.
    index = DataIndex.load(data_dir)
    for report in config.reports:
        validate(dict(report.parameters), report.notebook, index=index)


def test_render_key_changes_with_what_the_report_depends_on(small: Path) -> None:
    notebook = small / "nb" / "small.ipynb"
    report = Report("first", notebook, {"count": 3})
    key = render_key(report, "abc")
    assert key == render_key(Report("first", notebook, {"count": 3}), "abc")
    assert key != render_key(Report("first", notebook, {"count": 4}), "abc")
    assert key != render_key(report, "abd")
    assert key != render_key(report, "abc", version=__version__ + ".post1")
    assert key != render_key(report, "abc", code="other keyproj code")
    write_notebook(notebook, "count = 1\nlabel = 'b'", *SMALL_BODY)
    assert key != render_key(report, "abc")


# ------------------------------------------------------------------------------ HTML


def test_offline_check_catches_remote_scripts_styles_and_images() -> None:
    check_offline('<img src="data:image/png;base64,AAAA"><a href="https://example.org">link</a>')
    for page in ('<script src="https://cdn.example/require.js"></script>',
                 "<link rel='stylesheet' href='http://x.org/a.css'>",
                 '<img alt="" src="//cdn.example/a.png">'):
        with pytest.raises(KeyprojError, match="from the network"):
            check_offline(page)


def test_language_is_zh_cn() -> None:
    assert set_language('<!DOCTYPE html>\n<html lang="en">\n<head>') == '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>'


def test_index_escapes_titles_and_reasons() -> None:
    page = index_page([IndexEntry("a", "<script>x</script>", "region=泉港区", "failed", "", None, False,
                                  reason="ParameterError: parameter 'year': <b>")], "now", "abc", "0.1")
    assert "<script>x</script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page
    assert "&lt;b&gt;" in page and '<html lang="zh-CN">' in page


def test_document_text_is_escaped_never_markup() -> None:
    import pandas as pd

    from keyproj.report.html import cells_table, quote_html, source_html, table_html

    hostile = '完成投资110.7亿元<script>alert(1)</script><img src=x onerror="alert(2)">'
    quoted = quote_html(hostile, 110.7)
    assert quoted.startswith("完成投资<mark>110.7</mark>亿元&lt;script&gt;")
    assert "<script" not in quoted and "<img" not in quoted
    table = table_html(pd.DataFrame({"原句": [hostile], "数值": [110.7]}), formats={"数值": ".1f"})
    assert "<script" not in table and "&lt;script&gt;alert(1)&lt;/script&gt;" in table
    assert source_html("javascript:alert(1)") == "javascript:alert(1)"  # shown as text, not a link
    assert quote_html("完成年度计划的101.4%、超序时进度1.4个百分点", 1.4).endswith("进度<mark>1.4</mark>个百分点")
    assert quote_html("共140个项目,其中14个省级", 14.0) == "共140个项目,其中<mark>14</mark>个省级"
    link = source_html('https://example.org/a" onmouseover="alert(3)', "<b>标题</b>")
    assert link.startswith('<a href="https://example.org/a&quot; onmouseover=&quot;alert(3)"')
    assert "&lt;b&gt;标题&lt;/b&gt;" in link
    cells = cells_table(["<th>"], [[quoted]]).data
    assert "&lt;th&gt;" in cells and "<mark>110.7</mark>" in cells


# ------------------------------------------------------------------------------ rendering


def test_failing_report_keeps_previous_html_and_the_others_render(
        small: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert render(small, data_dir) == 0
    out = OutputLayout(small / "out")
    first_html = out.html_of("first").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in first_html and '<img' in first_html and "data:image/png;base64" in first_html
    assert "count: 3" in first_html and "raise ValueError" not in first_html  # output shown, code hidden
    executed = nbformat.read(out.notebook_of("first"), as_version=4)
    # The kernel read the render's snapshot of --data (KEYPROJ_DATA), gone once the render ended.
    assert f"data: {small / 'out' / '.render-data'}" in str(executed.cells)
    assert not (small / "out" / ".render-data").exists()

    write_config(small / "nb" / "reports.yaml", {"first": {"count": 100}, "second": {"count": 6}})
    capsys.readouterr()
    assert render(small, data_dir) == 1
    err = capsys.readouterr().err
    assert "1 of 2 reports failed" in err
    assert "first: ValueError: count must be below 100, got 100" in err
    assert out.html_of("first").read_text(encoding="utf-8") == first_html  # previous HTML kept
    failed = nbformat.read(out.failed_of("first"), as_version=4)
    assert "count must be below 100, got 100" in failed.cells[0].source
    assert "count: 6" in out.html_of("second").read_text(encoding="utf-8")  # the other one rendered
    index = out.index.read_text(encoding="utf-8")
    assert "失败" in index and "count must be below 100" in index and 'href="second.html"' in index

    write_config(small / "nb" / "reports.yaml", {"first": {"count": 2}, "second": {"count": 6}})
    assert render(small, data_dir) == 0
    assert not out.failed_of("first").exists()  # a later success removes the stale failure


def test_a_hanging_cell_or_a_dead_kernel_fails_only_its_report(
        tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_notebook(tmp_path / "nb" / "small.ipynb", "count = 1\nlabel = 'a'", *SMALL_BODY)
    write_notebook(tmp_path / "nb" / "hang.ipynb", "seconds = 60", "import time\ntime.sleep(seconds)")
    write_notebook(tmp_path / "nb" / "crash.ipynb", "code = 3", "import os\nos._exit(code)")
    (tmp_path / "nb" / "reports.yaml").write_text(
        "timeout: 3\nreports:\n"
        "  - {name: hang, notebook: hang.ipynb}\n"
        "  - {name: after-hang, notebook: small.ipynb, parameters: {count: 1}}\n"
        "  - {name: crash, notebook: crash.ipynb}\n"
        "  - {name: after-crash, notebook: small.ipynb, parameters: {count: 2}}\n", encoding="utf-8")
    assert render(tmp_path, data_dir, "--jobs", "1") == 1
    err = capsys.readouterr().err
    assert "hang: a cell ran longer than 3 s (timeout)" in err
    assert "crash: the kernel died while running the notebook" in err
    out = OutputLayout(tmp_path / "out")
    assert out.failed_of("hang").is_file() and out.failed_of("crash").is_file()
    # The next report of the same worker gets a new kernel and renders.
    assert "count: 1" in out.html_of("after-hang").read_text(encoding="utf-8")
    assert "count: 2" in out.html_of("after-crash").read_text(encoding="utf-8")


def test_unchanged_reports_are_skipped_unless_forced(small: Path, data_dir: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert render(small, data_dir) == 0
    out = OutputLayout(small / "out")
    before = out.html_of("first").stat().st_mtime_ns
    state = json.loads(out.state.read_text(encoding="utf-8"))
    assert state["reports"]["first"]["last_status"] == "ok"
    assert main(["render", "--config", str(small / "nb" / "reports.yaml"), "--data", str(data_dir),
                 "--outputs", str(small / "out")]) == 0
    assert "unchanged  first" in capsys.readouterr().out
    assert out.html_of("first").stat().st_mtime_ns == before
    assert render(small, data_dir, "--force", "--only", "first") == 0
    assert out.html_of("first").stat().st_mtime_ns != before
    # A changed parameter renders that report again.
    write_config(small / "nb" / "reports.yaml", {"first": {"count": 3}, "second": {"count": 7}})
    second_before = out.html_of("second").stat().st_mtime_ns
    first_before = out.html_of("first").stat().st_mtime_ns
    assert render(small, data_dir) == 0
    assert out.html_of("second").stat().st_mtime_ns != second_before
    assert out.html_of("first").stat().st_mtime_ns == first_before


def files_and_times(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``folder`` with its size and modification time (ns)."""
    return {str(path.relative_to(folder)): (path.stat().st_size, path.stat().st_mtime_ns)
            for path in sorted(folder.rglob("*")) if path.is_file()}


def test_a_no_op_render_writes_no_file_and_keeps_the_last_render_time(
        small: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert render(small, data_dir) == 0
    out = OutputLayout(small / "out")
    state = json.loads(out.state.read_text(encoding="utf-8"))
    assert state["last_render"] and state["last_render"] in out.index.read_text(encoding="utf-8")
    before = files_and_times(out.root)
    capsys.readouterr()
    assert main(["render", "--config", str(small / "nb" / "reports.yaml"), "--data", str(data_dir),
                 "--outputs", str(out.root)]) == 0
    assert "0 rendered, 2 unchanged, 0 failed" in capsys.readouterr().out
    assert files_and_times(out.root) == before  # index.html, the state file, the lock: none touched
    # The full check (no quick entry) writes nothing either when nothing changed but that entry.
    state = json.loads(out.state.read_text(encoding="utf-8"))
    state["quick"] = None
    out.state.write_text(json.dumps(state), encoding="utf-8")
    assert render(small, data_dir) == 0
    after = files_and_times(out.root)
    assert {name for name in after if after[name] != before.get(name)} <= {".render-state.json", ".render.lock"}
    assert json.loads(out.state.read_text(encoding="utf-8"))["last_render"] == state["last_render"]


def test_the_quick_check_answers_only_when_nothing_changed(small: Path, data_dir: Path, tmp_path: Path) -> None:
    config = small / "nb" / "reports.yaml"
    out = small / "out"
    assert render(small, data_dir) == 0
    summary = quick_unchanged(config, None, data_dir, out)
    assert summary is not None and [r.name for r in summary.results] == ["first", "second"]
    assert {r.status for r in summary.results} == {"unchanged"}
    assert quick_unchanged(config, ["first"], data_dir, out) is None  # another selection
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('"count": 5', '"count": 6'), encoding="utf-8")
    assert quick_unchanged(config, None, data_dir, out) is None  # a parameter changed
    config.write_text(text, encoding="utf-8")
    assert quick_unchanged(config, None, data_dir, out) is not None
    notebook = small / "nb" / "small.ipynb"
    notebook.write_text(notebook.read_text(encoding="utf-8").replace("小报告", "小报告 "), encoding="utf-8")
    assert quick_unchanged(config, None, data_dir, out) is None  # the notebook changed
    assert render(small, data_dir) == 0
    OutputLayout(out).html_of("second").unlink()
    assert quick_unchanged(config, None, data_dir, out) is None  # a page removed
    assert render(small, data_dir) == 0 and quick_unchanged(config, None, data_dir, out) is not None
    data = tmp_path / "data"  # an input of the data changed: a rebuild is due
    shutil.copytree(data_dir, data)
    assert render(small, data) == 0 and quick_unchanged(config, None, data, out) is not None
    corrections = data / "corrections.csv"
    corrections.write_text(corrections.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert quick_unchanged(config, None, data, out) is None


def test_a_no_op_render_imports_no_notebook_library(small: Path, data_dir: Path) -> None:
    assert render(small, data_dir) == 0
    code = ("import sys\nfrom keyproj.cli import main\n"
            f"rc = main(['render', '--config', {str(small / 'nb' / 'reports.yaml')!r}, '--data', {str(data_dir)!r},"
            f" '--outputs', {str(small / 'out')!r}, '--quiet'])\n"
            "heavy = ('nbformat', 'jsonschema', 'nbconvert', 'papermill', 'nbclient', 'jupyter_client', 'pandas')\n"
            "print(rc, [name for name in heavy if name in sys.modules])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "0 []", done.stdout + done.stderr


def test_the_progress_bar_shows_only_on_a_terminal(small: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    args = ["render", "--config", str(small / "nb" / "reports.yaml"), "--data", str(data_dir),
            "--outputs", str(small / "out"), "--force"]
    assert main(args) == 0
    captured = capsys.readouterr()
    assert "report/s" not in captured.err and "2/2" not in captured.err  # a log file gets no bar
    assert "2 rendered" in captured.out
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert main(args) == 0
    assert "keyproj render" in capsys.readouterr().err  # a terminal gets the bar


def test_a_second_render_is_refused_while_the_lock_is_held(small: Path, data_dir: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    out = OutputLayout(small / "out")
    with render_lock(out):
        assert render(small, data_dir) == 1
    err = capsys.readouterr().err
    assert "another keyproj render is writing to" in err and ".render.lock" in err
    assert not out.html.exists()
    assert render(small, data_dir) == 0  # released


def test_only_unknown_name_is_an_error(small: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert render(small, data_dir, "--only", "frist") == 1
    assert "--only frist: no such report" in capsys.readouterr().err


def test_data_fingerprint_follows_the_processed_tables(data_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "data"
    shutil.copytree(data_dir / "processed", copy / "processed")
    assert data_fingerprint(copy) == data_fingerprint(data_dir)
    with open(copy / "processed" / "panel.csv", "a", encoding="utf-8") as handle:
        handle.write("\n")
    assert data_fingerprint(copy) != data_fingerprint(data_dir)
    with pytest.raises(KeyprojError, match="keyproj build"):
        data_fingerprint(tmp_path / "nothing")


def test_state_and_outputs_are_written_atomically(small: Path, data_dir: Path) -> None:
    assert render(small, data_dir) == 0
    leftovers = [p for p in (small / "out").rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []
    assert sorted(p.name for p in OutputLayout(small / "out").html.iterdir()) == [
        "first.html", "index.html", "second.html"]
    assert os.path.getsize(OutputLayout(small / "out").state) > 0
    umask = os.umask(0o022)
    os.umask(umask)
    html = OutputLayout(small / "out").html_of("first")
    assert html.stat().st_mode & 0o777 == 0o666 & ~umask  # shareable, not the temp file's 0600


# ------------------------------------------------------------------------------ report tables


def test_annual_series_takes_full_years_else_the_latest_part_and_implies_plans(data_dir: Path) -> None:
    import pandas as pd

    from keyproj.data.load import load_panel
    from keyproj.report.tables import annual_series, growth_table, sources_table

    annual = annual_series(load_panel(region="泉州市", scope="city", data_dir=data_dir))
    whole = annual[annual["subset"] == ""].set_index("year")
    # 2011: only 1-9月 figures: 472.3 亿元 at 88.6 % imply a plan of 533.07 亿元.
    assert whole.loc[2011, "completed_period"] == "1-9月" and not whole.loc[2011, "completed_full_year"]
    assert whole.loc[2011, "plan_kind"] == "implied"
    assert round(float(whole.loc[2011, "annual_plan"]), 2) == round(472.3 / 88.6 * 100, 2)
    assert float(whole.loc[2014, "completed_investment"]) == 930.0 and whole.loc[2014, "completed_full_year"]
    assert whole.loc[2024, "plan_kind"] == "reported" and float(whole.loc[2024, "annual_plan"]) == 2400.0
    # 2026 plan 2535 against 2025's full-year completion of 2500 (a lower bound, 以上): left out of the
    # ratchet unless bounds are included (issue 14: a bound is not a figure to fit).
    growth = growth_table(annual).set_index(["subset", "year"])
    assert pd.isna(growth.loc[("", 2026), "plan_ratchet_pct"])
    growth = growth_table(annual, include_imputed=True).set_index(["subset", "year"])
    assert round(float(growth.loc[("", 2026), "plan_ratchet_pct"]), 2) == 1.4
    sources = sources_table(annual)
    row = sources[(sources["year"] == 2025) & (sources["figure"] == "完成投资(亿元)")].iloc[0]
    assert row["note"] == "以上(下限)" and row["source"].startswith("http")


def test_year_lists_set_part_years_against_the_elapsed_share(data_dir: Path) -> None:
    from keyproj.data.load import load_panel
    from keyproj.report.tables import year_lists

    lists = year_lists(load_panel(region="泉州台商投资区", data_dir=data_dir), 2024).set_index("scope")
    county = lists.loc["county"]
    assert county["rate_period"] == "1-9月" and float(county["completion_rate"]) == 76.7
    assert float(county["elapsed_pct"]) == 75.0
    assert round(float(county["full_year_pace"]), 1) == 102.3  # 76.7 % after nine months


def test_conflicts_name_the_value_taken_and_why(data_dir: Path) -> None:
    from keyproj.data.load import load_facts, load_panel
    from keyproj.report.tables import conflicts

    facts = load_facts(data_dir=data_dir)
    table = conflicts(facts[facts["region"].astype(str) == "泉州市"], load_panel(region="泉州市", data_dir=data_dir))
    projects_2019 = table[(table["year"] == "2019") & (table["metric"] == "projects") & (table["scope"] == "city")]
    # 635 projects and 460 在建 are two lists, not two sources disagreeing (issue 14): no conflict.
    assert projects_2019.empty
    # Two sources of the same list and period: the later one is taken, the other names it and why.
    invested = table[(table["year"] == "2021") & (table["metric"] == "completed_investment")].set_index("value")
    assert invested.loc[939.3, "taken"] == "采用"
    assert invested.loc[940.3, "why"] == "采用 939.3:发布日期较晚"


def test_log_trend_is_the_ols_slope_of_log_values() -> None:
    import math

    import numpy as np

    from keyproj.report.html import log_trend, trend_sentence

    years, values = [2011, 2014, 2017, 2019, 2022, 2024], [533.07, 840.11, 1155.45, 1305.24, 1845.25, 2400.0]
    trend = log_trend(years, values)
    assert trend is not None and trend.n_years == 6
    slope = np.polyfit(years, np.log(values), 1)[0]
    assert math.isclose(trend.growth, math.exp(slope) - 1, rel_tol=1e-9)
    assert trend.low < trend.growth < trend.high
    assert log_trend([2014, 2017], [930.0, 1271.0]) is None
    assert "少于 3 个" in trend_sentence("全年完成投资", [2014, 2017], [930.0, 1271.0])
    assert "(6 个年份)" in trend_sentence("年度计划投资", years, values)
