"""Summary tables computed once from the results, shared by charts and every report format."""

from __future__ import annotations

import pandas as pd

from danvan_survey.codebook import load_codebook
from danvan_survey.reference import EM_AREA_LABELS_VI, EM_AREAS


def weak_flags(ind_org: pd.DataFrame) -> pd.DataFrame:
    """Boolean columns ``rep`` (rated weak), ``fun`` (functionally weak), ``weak`` (either)."""
    rep = ind_org["is_weak_reported"].fillna(False).astype(bool)
    fun = ind_org["is_weak_functional"].fillna(False).astype(bool)
    return pd.DataFrame({"rep": rep, "fun": fun, "weak": rep | fun}, index=ind_org.index)


def _short_district(name: object) -> str:
    text = str(name)
    for prefix in ("Thành phố ", "Thị xã ", "Huyện ", "Quận "):
        if text.startswith(prefix):
            return text[len(prefix):]
    return text


def weak_shares(ind_org: pd.DataFrame, by: str = "district") -> pd.DataFrame:
    """Weak organisations per district, EM area or organisation type: counts and shares.

    Columns: ``key``, ``label``, ``n_orgs`` (organisations surveyed), ``n_weak`` (weak in
    either view), ``n_rep``, ``n_fun``, ``share_weak``, ``share_rep``, ``share_fun``.
    Sorted by ``share_weak`` (highest first), then by count and key.
    """
    cols = {"district": "district_code", "em_area": "em_area", "org_type": "org_type"}
    if by not in cols:
        raise ValueError(f"by must be one of {sorted(cols)}, not {by!r}")
    col = cols[by]
    frame = weak_flags(ind_org).assign(key=ind_org[col].astype("str"))
    grouped = frame.groupby("key", sort=True)
    out = pd.DataFrame({
        "n_orgs": grouped.size(),
        "n_weak": grouped["weak"].sum().astype("int64"),
        "n_rep": grouped["rep"].sum().astype("int64"),
        "n_fun": grouped["fun"].sum().astype("int64"),
    }).reset_index()
    for part in ("weak", "rep", "fun"):
        out[f"share_{part}"] = out[f"n_{part}"] / out["n_orgs"]
    if by == "district":
        names = ind_org.assign(key=ind_org[col].astype("str")).drop_duplicates("key")
        labels = dict(zip(names["key"], names["district_name"].map(_short_district),
                          strict=True))
    elif by == "em_area":
        labels = {e: EM_AREA_LABELS_VI.get(e, e) for e in EM_AREAS}
    else:
        labels = {c.code: c.label_vi for c in load_codebook().choices["org_type"]}
    out.insert(1, "label", out["key"].map(labels).fillna(out["key"]))
    return out.sort_values(["share_weak", "n_weak", "key"], ascending=[False, False, True],
                           kind="mergesort").reset_index(drop=True)


def reason_counts(ind_org: pd.DataFrame) -> pd.DataFrame:
    """Organisations per weakness reason code (``weak_reasons``), most frequent first.

    A rated-weak organisation counts under ``reported_weak`` (its own reason).
    """
    flags = weak_flags(ind_org)
    codes = ind_org["weak_reasons"].fillna("").astype("str").str.split(";")
    rows = [c for lst in codes[flags["weak"]] for c in lst if c]
    counts = pd.Series(rows, dtype="str").value_counts()
    counts["reported_weak"] = int(flags["rep"].sum())
    out = counts.rename_axis("reason").rename("n_orgs").reset_index()
    out = out[out["n_orgs"] > 0]
    return out.sort_values(["n_orgs", "reason"], ascending=[False, True],
                           kind="mergesort").reset_index(drop=True)


def em_classification(ind_org: pd.DataFrame) -> pd.DataFrame:
    """Communes per EM-area class: with a cited source vs inferred (not verified)."""
    frame = ind_org.drop_duplicates("commune_code")
    sourced = frame["em_source"].astype("str") != "unverified"
    area = frame["em_area"].astype("str")
    rows = []
    for code in EM_AREAS:
        mine = area == code
        if mine.any():
            rows.append({"Vùng": EM_AREA_LABELS_VI.get(code, code),
                         "Số xã": int(mine.sum()),
                         "Có nguồn dẫn": int((mine & sourced).sum()),
                         "Suy luận, chưa xác minh": int((mine & ~sourced).sum())})
    return pd.DataFrame(rows)
