""""Dân vận khéo" (DVK) model catalogue and bulletin compliance.

- :func:`model_catalogue`: one row per named model (``dvk_model_names`` split on ";" and
  new lines), for replication.
- :func:`dvk_summary`: models registered / recognised and organisations by highest level of
  recognition, by district × org_type with "ALL" totals on both axes.
- :func:`bulletin_compliance`: issues with a DVK feature / issues (ratio of sums) against
  the conclusion's target of one feature in every issue, and the share of organisations
  meeting it (100%), by district × org_type with "ALL" totals.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from danvan_survey.codebook import load_codebook, nfc
from danvan_survey.indicators import ALL, ALL_LABEL_VI, ratio

NAME_SEPARATORS = re.compile(r"[;\r\n]+")
KEYS = ["district_code", "district_name", "org_type"]


def _split_all(names: pd.Series) -> list[list[str]]:
    """split_model_names over a column, computed once per distinct text."""
    text = names.astype("object")
    cache = {t: split_model_names(t) for t in pd.unique(text.dropna())}
    return [cache.get(t, []) if isinstance(t, str) else [] for t in text]


def split_model_names(text: object) -> list[str]:
    """Split a free-text list of model names on ';' and new lines; trim, drop empties."""
    if not isinstance(text, str):
        return []
    names = (" ".join(part.split()) for part in NAME_SEPARATORS.split(nfc(text)))
    return list(dict.fromkeys(n.strip(" .,-") for n in names if n.strip(" .,-")))


def _num(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series(np.nan, index=frame.index, dtype="float64")
    return pd.to_numeric(frame[column], errors="coerce").astype("float64")


def model_catalogue(org: pd.DataFrame) -> pd.DataFrame:
    """List the named models, one row per (record, model name), for replication."""
    cb = load_codebook()
    org_labels = {c.code: c.label_vi for c in cb.choices["org_type"]}
    level_labels = {c.code: c.label_vi for c in cb.choices["dvk_level"]}
    ids = ["round_id", "district_code", "district_name", "commune_code", "commune_name",
           "em_area", "org_type"]
    names = org["dvk_model_names"] if "dvk_model_names" in org.columns else pd.Series(
        pd.NA, index=org.index
    )
    level = _num(org, "dvk_top_level")
    base = pd.DataFrame({k: org[k].astype("str") for k in ids})
    base["org_label_vi"] = base["org_type"].map(org_labels).fillna(base["org_type"])
    base["model_name"] = _split_all(names)
    base["org_dvk_top_level"] = pd.Series(
        ["" if np.isnan(v) else str(int(v)) for v in level], index=org.index, dtype="str"
    )
    base["org_dvk_top_level_vi"] = base["org_dvk_top_level"].map(level_labels).fillna("")
    base["org_dvk_recognised_12m"] = _num(org, "dvk_recognised_12m")
    table = base.explode("model_name").dropna(subset=["model_name"])
    table = table.astype({"model_name": "str", "org_dvk_top_level_vi": "str"})
    return table.sort_values(["district_code", "commune_code", "org_type", "model_name"]
                             ).reset_index(drop=True)


def _with_totals(frame: pd.DataFrame) -> pd.DataFrame:
    """Stack the frame with "ALL" district, "ALL" org_type and both (for grouping)."""
    all_d = {"district_code": ALL, "district_name": ALL_LABEL_VI}
    return pd.concat([
        frame,
        frame.assign(**all_d),
        frame.assign(org_type=ALL),
        frame.assign(**all_d, org_type=ALL),
    ], ignore_index=True)


def _group(frame: pd.DataFrame) -> pd.core.groupby.DataFrameGroupBy:
    keyed = frame.assign(**{k: frame[k].astype("str") for k in KEYS})
    return keyed.groupby(KEYS, sort=True)


def _sorted(table: pd.DataFrame) -> pd.DataFrame:
    def key(col: pd.Series) -> pd.Series:
        return col.astype("str").where(col != ALL, "\uffff")

    return table.sort_values(["district_code", "org_type"], key=key).reset_index(drop=True)


def dvk_summary(org: pd.DataFrame) -> pd.DataFrame:
    """Count DVK models by district × org_type (with "ALL" rows).

    Columns: ``n_orgs`` (records), ``dvk_registered_12m``/``dvk_recognised_12m`` (sums over
    answered records), ``n_orgs_with_recognised``, ``n_orgs_top_level_<code>`` for every
    ``dvk_level`` code, ``n_named_models``, ``exemplars_commended_12m``.
    """
    levels = load_codebook().codes("dvk_level")
    level = _num(org, "dvk_top_level")
    parts = {k: org[k] for k in KEYS}
    parts["n_orgs"] = pd.Series(1, index=org.index, dtype="int64")
    for col in ("dvk_registered_12m", "dvk_recognised_12m", "exemplars_commended_12m"):
        values = _num(org, col)
        parts[col] = values.fillna(0.0)
        parts[f"{col}_n"] = values.notna().astype("int64")
    parts["n_orgs_with_recognised"] = (_num(org, "dvk_recognised_12m") > 0).astype("int64")
    for code in levels:
        parts[f"n_orgs_top_level_{code}"] = (level == float(code)).astype("int64")
    names = org["dvk_model_names"] if "dvk_model_names" in org.columns else pd.Series(
        pd.NA, index=org.index
    )
    parts["n_named_models"] = pd.Series([len(x) for x in _split_all(names)],
                                        index=org.index, dtype="int64")
    table = _group(_with_totals(pd.DataFrame(parts))).sum().reset_index()
    return _sorted(table)


def bulletin_compliance(org: pd.DataFrame) -> pd.DataFrame:
    """Compare bulletins with the target of one DVK feature per issue, by district × org.

    ``compliance`` = Σ features / Σ issues over organisations with a bulletin (issues > 0)
    and both counts answered; ``n_orgs_full`` = organisations with features ≥ issues;
    ``share_orgs_full`` = n_orgs_full / n_orgs_with_bulletin; ``n_orgs_no_bulletin`` =
    organisations reporting 0 issues.
    """
    issues = _num(org, "bulletin_issues_12m")
    features = _num(org, "bulletin_dvk_features_12m")
    has = issues.notna() & features.notna() & (issues > 0)
    parts = {k: org[k] for k in KEYS}
    parts["n_orgs"] = pd.Series(1, index=org.index, dtype="int64")
    parts["n_orgs_with_bulletin"] = has.astype("int64")
    parts["n_orgs_no_bulletin"] = (issues == 0).astype("int64")
    parts["bulletin_issues_12m"] = issues.where(has, 0.0)
    parts["bulletin_dvk_features_12m"] = features.where(has, 0.0)
    parts["n_orgs_full"] = (has & (features >= issues)).astype("int64")
    table = _group(_with_totals(pd.DataFrame(parts))).sum().reset_index()
    table["compliance"] = ratio(
        table["bulletin_dvk_features_12m"], table["bulletin_issues_12m"]
    )
    table["share_orgs_full"] = ratio(
        table["n_orgs_full"].astype("float64"), table["n_orgs_with_bulletin"].astype("float64")
    )
    return _sorted(table)
