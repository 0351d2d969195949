"""Derived indicators of form A (organisation census) and their aggregates.

The indicator list is defined once, as data (:data:`INDICATORS`); the data dictionary and
the charts read names, formulas and Vietnamese labels from it. Per record every ratio keeps
its numerator (``I_num``) and denominator (``I_den``); the ratio is NaN (never 0, never an
error) when the denominator is 0 or missing. Aggregates are ratios of sums over records
where both parts are present, with counts and census coverage beside them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from danvan_survey.codebook import load_codebook

ALL = "ALL"
ALL_LABEL_VI = "Toàn tỉnh"
#: meeting_content codes that do not count towards content diversity (routine business).
ROUTINE_CONTENT = ("policy", "admin")
#: identifying columns carried from the clean organisations table to indicators_org.
ID_COLUMNS = (
    "round_id", "commune_code", "commune_name", "district_code", "district_name",
    "org_type", "em_area", "em_source", "rating_last_year",
)
#: raw form-A columns carried beside the indicators because weakness rules read them.
CARRIED_COLUMNS = (
    "has_annual_plan", "members_new_12m", "attendance_pct", "households_reached_pct",
    "difficulties", "dvk_registered_12m", "dvk_recognised_12m", "dvk_top_level",
    "dvk_model_names", "exemplars_commended_12m", "branches_rated_weak",
)


@dataclass(frozen=True)
class Indicator:
    """One ratio indicator: numerator / denominator, each a sum of form-A columns."""

    name: str
    numerator: tuple[str, ...]
    denominator: tuple[str, ...]
    label_vi: str
    label_en: str
    rationale: str
    measures: str
    not_for: tuple[str, ...] = ()

    @property
    def numerator_expr(self) -> str:
        """Numerator as a readable formula."""
        return " + ".join(self.numerator)

    @property
    def denominator_expr(self) -> str:
        """Denominator as a readable formula."""
        return " + ".join(self.denominator)


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "gathering_rate", ("members_total",), ("eligible_pop",),
        "Tỷ lệ tập hợp (hội viên/đối tượng; Hội Nông dân: hội viên/hộ)",
        "Gathering rate (members / eligible population; Farmers' Union: per household)",
        "Share of the people an organisation could gather who are members; the Farmers' "
        "Union counts farm households, so its rate is not comparable with the others.",
        "low_gathering", not_for=("mttq",),
    ),
    Indicator(
        "meeting_regularity", ("branches_met_on_schedule",), ("n_branches",),
        "Tỷ lệ chi hội sinh hoạt đủ kỳ",
        "Share of branches that met on schedule",
        "Regular branch meetings are the first criterion of every rating scheme.",
        "loose_management",
    ),
    Indicator(
        "silent_branch_share", ("branches_silent_6m",), ("n_branches",),
        "Tỷ lệ chi hội không sinh hoạt từ 6 tháng trở lên",
        "Share of branches with no meeting for 6 months or more",
        "A branch silent for half a year exists on paper only (brief §1.3).",
        "weak_organisation",
    ),
    Indicator(
        "dues_rate", ("members_paid_dues",), ("members_total",),
        "Tỷ lệ hội viên đóng đủ hội phí",
        "Share of members who paid full dues",
        "Dues collection is a rating criterion and a sign of member management.",
        "loose_management", not_for=("mttq",),
    ),
    Indicator(
        "card_rate", ("members_with_card",), ("members_total",),
        "Tỷ lệ hội viên có thẻ",
        "Share of members holding a card",
        "Model branches aim at 100% of members holding a card.",
        "loose_management", not_for=("mttq",),
    ),
    Indicator(
        "trained_share", ("cadres_trained_12m",), ("n_exec_members", "n_branches"),
        "Tỷ lệ cán bộ (BCH và chi hội trưởng) được tập huấn 12 tháng",
        "Share of cadres (executive members and branch heads) trained in 12 months",
        "The conclusion names cadres' weak skills and methods.",
        "cadre_skills",
    ),
    Indicator(
        "vacancy_share", ("n_exec_vacant",), ("n_exec_members",),
        "Tỷ lệ vị trí chủ chốt đang khuyết so với số ủy viên BCH",
        "Vacant key posts as a share of executive committee members",
        "Empty leadership posts are a functional sign of a weak organisation (brief §1.3).",
        "weak_organisation",
    ),
    Indicator(
        "dvk_bulletin_compliance", ("bulletin_dvk_features_12m",), ("bulletin_issues_12m",),
        "Tỷ lệ kỳ bản tin có bài về mô hình dân vận khéo",
        "Share of bulletin issues with a skilful-mobilisation feature",
        "The conclusion asks for at least one DVK feature in every issue (target 100%).",
        "few_models",
    ),
)
INDICATOR_NAMES: tuple[str, ...] = tuple(i.name for i in INDICATORS)
CONTENT_DIVERSITY_LABEL_VI = "Số loại nội dung sinh hoạt ngoài phổ biến chủ trương và hành chính"


def indicator(name: str) -> Indicator:
    """Look an indicator up by name (KeyError if unknown)."""
    for ind in INDICATORS:
        if ind.name == name:
            return ind
    raise KeyError(f"{name!r} is not an indicator; known: {', '.join(INDICATOR_NAMES)}")


def _as_float(frame: pd.DataFrame, column: str) -> pd.Series:
    """Return a column as float64 with NaN for missing (all-NaN if the column is absent)."""
    if column not in frame.columns:
        return pd.Series(np.nan, index=frame.index, dtype="float64")
    return pd.to_numeric(frame[column], errors="coerce").astype("float64")


def _sum_columns(frame: pd.DataFrame, columns: Sequence[str]) -> pd.Series:
    """Sum of columns, NaN when any part is missing."""
    total = _as_float(frame, columns[0])
    for col in columns[1:]:
        total = total + _as_float(frame, col)
    return total


def ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    """Num / den, NaN where either is missing or den is 0."""
    valid = num.notna() & den.notna() & (den != 0)
    out = num / den.where(valid)
    return out.where(valid).astype("float64")


def content_diversity(meeting_content: pd.Series) -> pd.Series:
    """Distinct meeting_content codes other than policy/admin (Int64; NA when unanswered)."""
    codes = [c for c in load_codebook().codes("meeting_content") if c not in ROUTINE_CONTENT]
    text = meeting_content.astype("str").fillna("").str.strip()
    padded = " " + text + " "
    count = pd.Series(0, index=meeting_content.index, dtype="int64")
    for code in codes:
        count = count + padded.str.contains(f" {code} ", regex=False).astype("int64")
    return count.astype("Int64").mask(text == "")


def compute_indicators(org: pd.DataFrame) -> pd.DataFrame:
    """Per-record indicators of a clean organisations table (one row per record).

    Output columns: :data:`ID_COLUMNS`, then ``I``, ``I_num``, ``I_den`` for each
    indicator, ``content_diversity`` and :data:`CARRIED_COLUMNS`.
    """
    out: dict[str, pd.Series] = {}
    for col in ID_COLUMNS:
        out[col] = org[col] if col in org.columns else pd.Series(pd.NA, index=org.index)
    org_type = org["org_type"].astype("str")
    for ind in INDICATORS:
        num = _sum_columns(org, ind.numerator)
        den = _sum_columns(org, ind.denominator)
        if ind.not_for:
            excluded = org_type.isin(ind.not_for)
            num, den = num.mask(excluded), den.mask(excluded)
        out[ind.name] = ratio(num, den)
        out[f"{ind.name}_num"] = num
        out[f"{ind.name}_den"] = den
    content = org["meeting_content"] if "meeting_content" in org.columns else pd.Series(
        pd.NA, index=org.index, dtype="str"
    )
    out["content_diversity"] = content_diversity(content)
    for col in CARRIED_COLUMNS:
        if col in org.columns:
            out[col] = org[col]
    frame = pd.DataFrame(out, index=org.index)
    frame["rating_last_year"] = pd.to_numeric(frame["rating_last_year"]).astype("Int64")
    return frame.reset_index(drop=True)


def census_frame(communes: pd.DataFrame, org_types: Sequence[str] | None = None) -> pd.DataFrame:
    """Build the expected form-A records: every commune × organisation (form A is a census)."""
    types = list(org_types) if org_types is not None else load_codebook().codes("org_type")
    cols = ["commune_code", "commune_name", "district_code", "district_name", "em_area"]
    base = communes[cols].drop_duplicates("commune_code")
    orgs = pd.DataFrame({"org_type": pd.Series(types, dtype="str")})
    return base.merge(orgs, how="cross").sort_values(["commune_code", "org_type"]).reset_index(
        drop=True
    )


def _sums(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per-group sums of numerators/denominators over records with both parts valid."""
    parts: dict[str, pd.Series] = {}
    for name in INDICATOR_NAMES:
        num = frame[f"{name}_num"].to_numpy(dtype="float64", na_value=np.nan)
        den = frame[f"{name}_den"].to_numpy(dtype="float64", na_value=np.nan)
        ok = ~np.isnan(num) & ~np.isnan(den) & (den > 0)
        parts[f"{name}_num"] = np.where(ok, num, 0.0)
        parts[f"{name}_den"] = np.where(ok, den, 0.0)
        parts[f"{name}_n"] = ok.astype("int64")
    cd = frame["content_diversity"].to_numpy(dtype="float64", na_value=np.nan)
    parts["content_diversity_sum"] = np.nan_to_num(cd, nan=0.0)
    parts["content_diversity_n"] = (~np.isnan(cd)).astype("int64")
    parts["n_received"] = np.ones(len(frame), dtype="int64")
    for flag in ("is_weak_reported", "is_weak_functional"):
        values = (frame[flag].fillna(False).to_numpy(dtype=bool) if flag in frame.columns
                  else np.zeros(len(frame), dtype=bool))
        parts[f"n_{flag.removeprefix('is_')}"] = values.astype("int64")
    data = pd.DataFrame(parts, index=frame.index)
    for key in keys:
        data[key] = frame[key].astype("str")
    return data.groupby(keys, sort=True, observed=True).sum().reset_index()


def _finish(sums: pd.DataFrame) -> pd.DataFrame:
    """Ratios of sums, coverage and column order of an aggregate table."""
    out = sums.copy()
    for name in INDICATOR_NAMES:
        out[name] = ratio(out[f"{name}_num"], out[f"{name}_den"].where(out[f"{name}_n"] > 0))
    out["content_diversity_mean"] = ratio(
        out["content_diversity_sum"], out["content_diversity_n"].astype("float64")
    )
    out["coverage"] = ratio(
        out["n_received"].astype("float64"), out["n_expected"].astype("float64")
    )
    return out.drop(columns=["content_diversity_sum"])


def aggregate(
    ind_org: pd.DataFrame,
    by: Sequence[str],
    expected: pd.DataFrame,
    *,
    all_value: str | None = ALL,
) -> pd.DataFrame:
    """Ratios of sums by ``by`` (must end with ``org_type``), with counts and coverage.

    ``expected`` is the census frame (:func:`census_frame`): ``n_expected`` counts its rows
    per group, ``n_received`` the records present. When ``all_value`` is given, a
    province-wide row per org_type is added with every other ``by`` column set to it.
    """
    keys = list(by)
    labels = [k for k in ("district_name",) if k in keys]
    group_keys = [k for k in keys if k not in labels]
    frames = [(ind_org, expected, group_keys)]
    if all_value is not None:
        others = [k for k in group_keys if k != "org_type"]
        frames.append((
            ind_org.assign(**{k: all_value for k in others + labels}),
            expected.assign(**{k: all_value for k in others + labels}),
            group_keys,
        ))
    tables = []
    for records, exp, gk in frames:
        sums = _sums(records, gk)
        n_exp = exp.assign(**{k: exp[k].astype("str") for k in gk}).groupby(gk, sort=True).size()
        n_exp = n_exp.rename("n_expected").reset_index()
        table = n_exp.merge(sums, on=gk, how="outer")
        tables.append(table)
    table = pd.concat(tables, ignore_index=True)
    count_cols = [c for c in table.columns if c.endswith("_n") or c.startswith("n_")]
    num_cols = [c for c in table.columns if c.endswith(("_num", "_den", "_sum"))]
    table[count_cols] = table[count_cols].fillna(0).astype("int64")
    table[num_cols] = table[num_cols].fillna(0.0)
    table = _finish(table)
    if labels:
        names = _label_lookup(expected, ind_org, all_value)
        table.insert(1, "district_name", table["district_code"].map(names).astype("str"))
    lead = keys
    ratios = [c for name in INDICATOR_NAMES for c in (name, f"{name}_num", f"{name}_den",
                                                       f"{name}_n")]
    tail = ["content_diversity_mean", "content_diversity_n", "n_expected", "n_received",
            "coverage", "n_weak_reported", "n_weak_functional"]
    return table[lead + ratios + tail].sort_values(
        [k for k in group_keys], key=_all_last
    ).reset_index(drop=True)


def _all_last(col: pd.Series) -> pd.Series:
    """Sort key that puts the province-wide value after every real code."""
    return col.astype("str").where(col != ALL, "\uffff")


def _label_lookup(expected: pd.DataFrame, ind_org: pd.DataFrame, all_value: str | None) -> dict:
    """district_code → district_name from the census frame and the records."""
    pairs = pd.concat([
        expected[["district_code", "district_name"]],
        ind_org[["district_code", "district_name"]],
    ]).dropna().drop_duplicates("district_code")
    names = dict(zip(pairs["district_code"].astype("str"), pairs["district_name"].astype("str"),
                     strict=True))
    if all_value is not None:
        names[all_value] = ALL_LABEL_VI
    return names


def aggregate_district(ind_org: pd.DataFrame, expected: pd.DataFrame) -> pd.DataFrame:
    """Aggregate by former district × org_type, plus province-wide rows ("ALL")."""
    return aggregate(ind_org, ["district_code", "district_name", "org_type"], expected)


def aggregate_em_area(ind_org: pd.DataFrame, expected: pd.DataFrame) -> pd.DataFrame:
    """Aggregate by EM area (pure/mixed/none) × org_type, plus province-wide rows ("ALL")."""
    return aggregate(ind_org, ["em_area", "org_type"], expected)
