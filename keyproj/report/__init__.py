"""What report notebooks import: ``from keyproj import report``.

A notebook checks its parameters and gets the data once::

    params = report.validate(globals(), "01_investment_trends.ipynb")
    panel = report.select_panel(params.index.panel, region=params["region"])

then builds tables (``annual_series``, ``year_lists``, ...), figures (``plot_*``, ``show``) and
HTML (``about``, ``text``, ``table``, ``cells_table``) from this one module; ``coverage_sentence``
says what stands behind a report and ``selectivity_sentence`` states the selective-publication
pattern wherever full-year rates appear. Labels of codes
(``scope_label``, ``metric_label``, ...) come from labels.yaml. The targets report adds the research
functions (``pace``, ``full_year_bunching``, ``ratchet``, ``amplification``, ``describe_coverage``),
their figures (``plot_pace``, ...), tables (``estimate_table``, ...) and regions (``province_of``).
"""
from __future__ import annotations

from keyproj.data.load import select_panel
from keyproj.report.coverage import (
    ReportCoverage,
    Selectivity,
    coverage_sentence,
    fact_list_label,
    report_coverage,
    selective_publication,
    selectivity_sentence,
    sentence,
    signed_projects,
    single_point_text,
)
from keyproj.report.html import (
    Trend,
    about,
    cells_table,
    escape,
    link_html,
    log_trend,
    number_text,
    quote_html,
    source_html,
    sources_html,
    table,
    text,
    trend_sentence,
)
from keyproj.report.labels import (
    kind_label,
    label,
    metric_label,
    scope_label,
    subset_label,
)
from keyproj.report.params import DataIndex, ParameterError, Parameters, validate
from keyproj.report.prose import kind_words, named_table, section, words
from keyproj.report.plotting import (
    SOURCE_KIND_COLORS,
    STYLE,
    check_plain_text,
    figure_texts,
    legend_outside,
    new_axes,
    plot_fact_counts,
    plot_lines,
    plot_plan_vs_completed,
    plot_progress,
    plot_rate_against_elapsed,
    plot_rates,
    plot_trend,
    setup_plotting,
    show,
)
from keyproj.report.plotting import plain_log_axis
from keyproj.report.plotting_targets import (
    plot_amplification,
    plot_bunching,
    plot_full_year_rates,
    plot_pace,
    plot_ratchet,
    plot_schedule_margins,
)
from keyproj.report.regions import cities_of, level_label, place_of, province_of, select_levels
from keyproj.report.tables import (
    annual_series,
    audit_facts,
    conflicts,
    conflicts_touching,
    corrections_for,
    figure_keys,
    flag_rows,
    growth_table,
    list_label,
    period_label,
    period_text,
    sources_table,
    year_lists,
    year_periods,
    year_summary,
)
from keyproj.report.targets import (
    TABLE_FORMATS,
    bunching_min_obs,
    coverage_table,
    dropped_text,
    estimate_table,
    inference_notes,
    note_counts,
    notes,
    select_years,
    term,
)
from keyproj.research import amplification, describe_coverage, full_year_bunching, pace, ratchet

__all__ = [
    "DataIndex", "ParameterError", "Parameters", "Trend", "about", "annual_series", "audit_facts",
    "cells_table", "conflicts", "conflicts_touching", "corrections_for", "escape", "figure_keys",
    "flag_rows", "growth_table", "kind_label", "label", "link_html", "list_label", "log_trend",
    "metric_label", "new_axes", "number_text", "period_label", "period_text", "plot_fact_counts",
    "plot_lines", "plot_plan_vs_completed", "plot_progress", "plot_rate_against_elapsed", "plot_trend",
    "quote_html", "scope_label", "select_panel", "setup_plotting", "show", "source_html", "sources_html",
    "sources_table",
    "subset_label", "table", "text", "trend_sentence", "validate", "year_lists", "year_periods",
    "year_summary",
]
# What stands behind a report, one visual language, plain-text figures.
__all__ += [
    "ReportCoverage", "SOURCE_KIND_COLORS", "STYLE", "Selectivity", "check_plain_text", "coverage_sentence",
    "fact_list_label", "figure_texts", "legend_outside", "plot_rates", "report_coverage", "selective_publication",
    "selectivity_sentence", "sentence", "signed_projects", "single_point_text",
    "kind_words", "named_table", "section", "words",
]
# The targets report (04_targets.ipynb).
__all__ += [
    "TABLE_FORMATS", "amplification", "bunching_min_obs", "cities_of", "coverage_table", "describe_coverage",
    "dropped_text", "estimate_table", "full_year_bunching", "inference_notes", "level_label", "note_counts",
    "notes", "pace", "place_of", "plain_log_axis", "plot_amplification", "plot_bunching",
    "plot_full_year_rates", "plot_pace", "plot_ratchet", "plot_schedule_margins", "province_of", "ratchet",
    "select_levels", "select_years", "term",
]
