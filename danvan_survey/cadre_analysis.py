"""The cadre form's design and its estimates file (``estimates.parquet``).

Kept apart from :mod:`danvan_survey.analyse` so that the estimates process
(:mod:`danvan_survey.cadre_job`) imports only what the estimates need.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from danvan_survey import estimate
from danvan_survey.clean_tables import read_clean_table, write_parquet

#: Cadre form design (codebook "Cadre sample design"): strata = districts, PSU = communes
#: drawn without replacement, fpc = communes in the district frame. A district with a
#: single drawn commune is centred on the grand mean (R's "adjust"), not an error.
CADRE_DESIGN = estimate.SurveyDesign(
    strata="district_code", psu="commune_code", weight="weight", fpc="n_psu_in_stratum",
    lonely_psu="adjust",
)

#: The estimates' paths by output name, and the cadre table's rows (None: no cadre table).
CadreResult = tuple[dict[str, Path], int | None]


def cadre_estimates(
    cadres: pd.DataFrame, design: estimate.SurveyDesign | None = None
) -> pd.DataFrame:
    """Design-based cadre estimates, counts < 5 suppressed (for export), rows sorted."""
    table = estimate.estimate_cadre_indicators(cadres, design or CADRE_DESIGN)
    table = estimate.suppress_small_counts(table)
    keys = ["domain_type", "domain", "variable", "stat", "category"]
    return table.sort_values(keys, kind="stable").reset_index(drop=True)


def cadre_outputs(clean_dir: Path) -> CadreResult:
    """``estimates.parquet`` of the clean cadre table, and its row count (None: no form B)."""
    cadre_path = clean_dir / "cadres.parquet"
    if not cadre_path.is_file():
        return {}, None
    wanted = estimate.cadre_columns(CADRE_DESIGN)
    cadres = read_clean_table(cadre_path, "bảng cán bộ đã làm sạch", wanted)
    estimates = write_parquet(cadre_estimates(cadres), clean_dir / "estimates.parquet")
    return {"estimates": estimates}, len(cadres)
