"""Charts of the leadership pack: plotly figures in one house style (never saved here).

Every function takes a :class:`danvan_survey.results.Results` and returns a
``plotly.graph_objects.Figure``; :mod:`danvan_survey.charts.export` writes files.
"""

from danvan_survey.charts.figures import (
    CAPACITY_ITEMS,
    KEY_ORG_INDICATORS,
    MIN_RETURNS,
    CadreItem,
    bulletin_compliance,
    cadre_capacity,
    commune_coordinates,
    commune_map,
    consolidation_list,
    consolidation_table,
    dvk_funnel,
    em_comparison,
    indicator_heatmap,
    rating_distribution,
    select_estimates,
    weak_organisations,
)
from danvan_survey.charts.style import (
    FONT,
    OKABE_ITO,
    bullets,
    fmt_num,
    fmt_pct,
    fmt_score,
    footer_text,
    indicator_label,
    register_template,
    round_heading,
    setup_notebook,
    vi_table,
)

__all__ = [
    "CAPACITY_ITEMS", "FONT", "KEY_ORG_INDICATORS", "MIN_RETURNS", "OKABE_ITO", "CadreItem",
    "bullets", "bulletin_compliance", "cadre_capacity", "commune_coordinates", "commune_map",
    "consolidation_list", "consolidation_table", "dvk_funnel", "em_comparison", "fmt_num",
    "fmt_pct", "fmt_score", "footer_text", "indicator_heatmap", "indicator_label",
    "rating_distribution", "register_template", "round_heading", "select_estimates",
    "setup_notebook", "vi_table", "weak_organisations",
]
