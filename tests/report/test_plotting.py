"""The CJK font: Chinese labels render with a freely licensed font, never as missing glyphs."""
from __future__ import annotations

import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from keyproj.errors import KeyprojError  # noqa: E402
from keyproj.report import labels, plotting  # noqa: E402


def test_font_is_a_free_noto_cjk_file_never_simhei() -> None:
    path = plotting.find_cjk_font()
    assert path.is_file()
    assert "NotoSansCJK" in path.name
    assert "simhei" not in path.name.lower()


def test_falls_back_to_the_mplfonts_noto_font(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(plotting, "SYSTEM_CJK_FONTS", (tmp_path / "missing.ttc",))
    path = plotting.find_cjk_font()
    assert path.name == "NotoSansCJKsc-Regular.otf"
    assert "mplfonts" in path.parts


def test_no_font_at_all_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(plotting, "SYSTEM_CJK_FONTS", (tmp_path / "missing.ttc",))
    monkeypatch.setattr(plotting, "MPLFONTS_CJK_FONT", "absent.otf")
    with pytest.raises(KeyprojError, match="fonts-noto-cjk"):
        plotting.find_cjk_font()


def test_chinese_labels_render_without_missing_glyphs(tmp_path: Path) -> None:
    family = plotting.setup_plotting()
    assert matplotlib.rcParams["font.sans-serif"][0] == family == "Noto Sans CJK SC"
    series = pd.DataFrame({"year": [2022, 2023, 2024], "annual_plan": [6168.0, 6500.0, 6807.0],
                           "completed_investment": [6300.0, 6700.0, 7000.0],
                           "partial_label": ["", "", "1-9月"]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font(s)" becomes a failure
        fig = plotting.plot_plan_vs_completed(series, "泉州市 市重点项目:计划与完成投资")
        fig.axes[0].set_xlabel("年份(泉港区、南安市)")
        fig.savefig(tmp_path / "figure.png")
    plt.close(fig)
    assert (tmp_path / "figure.png").stat().st_size > 5_000


def test_a_font_without_chinese_would_be_caught() -> None:
    # The check above is not vacuous: DejaVu Sans lacks CJK glyphs and matplotlib warns.
    fig, ax = plt.subplots()
    ax.set_title("泉州市", fontfamily="DejaVu Sans")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.canvas.draw()
    plt.close(fig)
    assert any("missing from font" in str(w.message) for w in caught)


def test_labels_name_lists_and_units() -> None:
    assert labels.scope_label("county") == "县(区)重点项目"
    assert labels.metric_label("completion_rate") == "完成率(%)"
    assert labels.metric_label("unknown_metric") == "unknown_metric"
