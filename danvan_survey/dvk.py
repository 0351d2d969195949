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


# ---------------------------------------------------------------- replication list
#: Lowest recognition level (``model_level`` code) of the replication list: district.
REPLICATION_MIN_LEVEL = 2
REPLICATION_TITLE_VI = (
    'Danh sách mô hình "Dân vận khéo" được công nhận từ cấp huyện trở lên, '
    "đề xuất nhân rộng"
)
#: Clean column → Vietnamese header of the replication list (CSV, reports).
REPLICATION_HEADERS_VI = {
    "model_field_vi": "Lĩnh vực",
    "model_name": "Tên mô hình",
    "org_label_vi": "Tổ chức",
    "commune_name": "Xã/phường/thị trấn",
    "district_name": "Huyện/thị xã/thành phố",
    "model_level_vi": "Cấp công nhận",
    "model_year": "Năm công nhận",
    "replication_vi": "Tình trạng nhân rộng",
    "model_replicated_where": "Nơi đã nhân rộng",
    "commune_code": "Mã xã",
    "org_type": "Mã tổ chức",
}
REPLICATION_COLUMNS = [
    "round_id", "district_code", "district_name", "commune_code", "commune_name", "em_area",
    "org_type", "org_label_vi", "model_no", "model_name", "model_field", "model_field_vi",
    "model_level", "model_level_vi", "model_year", "model_replicated",
    "model_replicated_places", "model_replicated_where", "replication_vi",
]


def _replication_text(replicated: object, places: object) -> str:
    """'Đã nhân rộng ở N nơi' / 'Đã nhân rộng' / 'Chưa nhân rộng' / 'Không rõ'."""
    if replicated is None or replicated is pd.NA or pd.isna(replicated):  # type: ignore[arg-type]
        return "Không rõ"
    if int(replicated) != 1:  # type: ignore[call-overload]
        return "Chưa nhân rộng"
    if places is None or places is pd.NA or pd.isna(places):  # type: ignore[arg-type]
        return "Đã nhân rộng"
    return f"Đã nhân rộng ở {int(places)} nơi"  # type: ignore[call-overload]


def replication_list(models: pd.DataFrame, org: pd.DataFrame) -> pd.DataFrame:
    """Models recognised at district level or above, with where they were replicated.

    One row per clean model of the roster (``models.parquet``) with ``model_level`` ≥
    :data:`REPLICATION_MIN_LEVEL`, with its organisation's district, commune and EM area
    (from the clean form-A table) and Vietnamese labels. Sorted by field (codebook order),
    level (highest first), organisation (codebook order), district, commune and name.
    """
    cb = load_codebook()
    level = pd.to_numeric(models["model_level"], errors="coerce")
    chosen = models[(level >= REPLICATION_MIN_LEVEL).fillna(False).to_numpy()].copy()
    names = org[["commune_code", "org_type", "district_name", "commune_name", "em_area"]]
    table = chosen.drop(columns=["district_name", "commune_name", "em_area"], errors="ignore")
    table = table.merge(names.astype({"commune_code": "str", "org_type": "str"}),
                        on=["commune_code", "org_type"], how="left", validate="many_to_one")
    table["org_label_vi"] = [cb.choice_label_vi("org_type", c) for c in table["org_type"]]
    table["model_field_vi"] = [cb.choice_label_vi("dvk_field", c) for c in table["model_field"]]
    table["model_level_vi"] = [cb.choice_label_vi("model_level", c) for c in table["model_level"]]
    table["replication_vi"] = [
        _replication_text(r, p)
        for r, p in zip(table["model_replicated"], table["model_replicated_places"], strict=True)
    ]
    fields, orgs = cb.rank("dvk_field"), cb.rank("org_type")
    table = table.assign(
        _f=table["model_field"].map(fields), _l=-pd.to_numeric(table["model_level"]),
        _o=table["org_type"].map(orgs),
    )
    table = table.sort_values(
        ["_f", "_l", "_o", "district_code", "commune_code", "model_name", "model_no"],
        kind="stable",
    )
    for col in REPLICATION_COLUMNS:
        if col not in table.columns:
            table[col] = pd.NA
    return table[REPLICATION_COLUMNS].reset_index(drop=True)


def replication_table_vi(table: pd.DataFrame) -> pd.DataFrame:
    """The replication list for reports: Vietnamese headers, numbered rows (STT)."""
    out = table[list(REPLICATION_HEADERS_VI)].rename(columns=REPLICATION_HEADERS_VI)
    out["Năm công nhận"] = table["model_year"].astype("Int64")
    out["Nơi đã nhân rộng"] = table["model_replicated_where"].fillna("").astype("str")
    out.insert(0, "STT", range(1, len(out) + 1))
    return out.reset_index(drop=True)


def replication_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Models of the replication list by field × organisation: total and replicated.

    Columns: ``model_field``, ``org_type`` (codebook order; only pairs that occur),
    ``n_models``, ``n_replicated`` (``model_replicated`` = 1), ``n_not_replicated``.
    """
    replicated = (pd.to_numeric(table["model_replicated"], errors="coerce") == 1).fillna(False)
    grouped = table.assign(_r=replicated.astype("int64"), _n=1).groupby(
        ["model_field", "org_type"], sort=False)[["_n", "_r"]].sum().reset_index()
    cb = load_codebook()
    fields, orgs = cb.rank("dvk_field"), cb.rank("org_type")
    grouped = grouped.assign(_f=grouped["model_field"].map(fields),
                             _o=grouped["org_type"].map(orgs))
    grouped = grouped.sort_values(["_f", "_o"], kind="stable")
    grouped = grouped.rename(columns={"_n": "n_models", "_r": "n_replicated"})
    grouped["n_not_replicated"] = grouped["n_models"] - grouped["n_replicated"]
    return grouped[["model_field", "org_type", "n_models", "n_replicated",
                    "n_not_replicated"]].reset_index(drop=True)
