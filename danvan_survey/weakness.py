"""Weak organisations: reported vs functional views, reasons, priority and the lists.

Two independent views of the same record:

- **reported**: ``rating_last_year == 4`` (the lowest level, "Yếu, kém / Không hoàn thành
  nhiệm vụ");
- **functional**: rules on the indicators, read from ``config/weakness.yaml`` (thresholds,
  tiers, weights, Vietnamese sentences). A record is functionally weak when at least
  ``min_core_rules`` core rules or ``min_supplementary_rules`` supplementary rules fire.
  A rule whose input is missing does not fire.

``priority_score = Σ weight(fired rules) + w_reported·[rated 4] + w_em[em_area]
+ w_difficult·[difficult commune]`` (weights in the config).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from danvan_survey.codebook import load_codebook
from danvan_survey.errors import InputError
from danvan_survey.indicators import INDICATOR_NAMES, indicator
from danvan_survey.reference import EM_AREA_LABELS_VI

CONFIG_PATH = Path(__file__).parent / "config" / "weakness.yaml"
CONSOLIDATION_TITLE_VI = "Danh sách tổ chức cơ sở yếu kém cần củng cố"
TIERS = ("core", "supplementary")
FORMATS = ("count", "percent", "percent100")
OPS: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "==": operator.eq,
}
DISAGREEMENT_LABELS_VI = {
    "rated_well_functionally_weak": "Tự xếp loại khá trở lên nhưng có dấu hiệu yếu kém",
    "rated_weak_no_functional_signs": "Tự xếp loại yếu kém nhưng không có dấu hiệu yếu kém",
}


@dataclass(frozen=True)
class Rule:
    """One functional weakness rule: ``column op value`` (value may depend on org_type)."""

    code: str
    tier: str
    column: str
    op: str
    value: Mapping[str, float]
    weight: float
    sentence_vi: Mapping[str, str]
    rationale: str
    format: str = "count"

    def threshold(self, org_type: str) -> float:
        """Threshold for one organisation type (``default`` otherwise)."""
        return float(self.value.get(org_type, self.value["default"]))

    def sentence(self, org_type: str) -> str:
        """Sentence template for one organisation type."""
        return self.sentence_vi.get(org_type, self.sentence_vi["default"])


@dataclass(frozen=True)
class WeaknessConfig:
    """Rules and weights of the functional view and the consolidation list."""

    rules: tuple[Rule, ...]
    min_core_rules: int
    min_supplementary_rules: int
    weak_commune_min_orgs: int
    branch_noun: Mapping[str, str]
    priority_reported: float
    priority_em_area: Mapping[str, float]
    priority_difficult: float
    em_area_order: tuple[str, ...]
    difficult_communes: tuple[str, ...]
    difficult_from_difficulties: tuple[str, ...]


def _by_org(value: Any) -> dict[str, Any]:
    """Turn a scalar or an org_type→value mapping, as a mapping with a ``default`` key."""
    if isinstance(value, Mapping):
        if "default" not in value:
            raise ValueError("thiếu khóa 'default'")
        return dict(value)
    return {"default": value}


def _rule(item: Mapping[str, Any]) -> Rule:
    rule = Rule(
        code=str(item["code"]),
        tier=str(item["tier"]),
        column=str(item["column"]),
        op=str(item["op"]),
        value={k: float(v) for k, v in _by_org(item["value"]).items()},
        weight=float(item["weight"]),
        sentence_vi={k: str(v) for k, v in _by_org(item["sentence_vi"]).items()},
        rationale=str(item["rationale"]),
        format=str(item.get("format", "count")),
    )
    if rule.tier not in TIERS or rule.op not in OPS or rule.format not in FORMATS:
        raise ValueError(f"quy tắc '{rule.code}': tier/op/format không hợp lệ")
    return rule


def load_weakness_config(path: Path | None = None) -> WeaknessConfig:
    """Read and check the weakness config (default: the packaged ``weakness.yaml``)."""
    path = path or CONFIG_PATH
    return _load_config(Path(path).resolve())


def _load_config(path: Path) -> WeaknessConfig:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        prio = data["priority"]
        return WeaknessConfig(
            rules=tuple(_rule(r) for r in data["rules"]),
            min_core_rules=int(data["min_core_rules"]),
            min_supplementary_rules=int(data["min_supplementary_rules"]),
            weak_commune_min_orgs=int(data["weak_commune_min_orgs"]),
            branch_noun=_by_org(data["branch_noun"]),
            priority_reported=float(prio["reported_weak"]),
            priority_em_area={str(k): float(v) for k, v in prio["em_area"].items()},
            priority_difficult=float(prio["difficult_commune"]),
            em_area_order=tuple(str(x) for x in data["em_area_order"]),
            difficult_communes=tuple(str(x) for x in data.get("difficult_communes") or ()),
            difficult_from_difficulties=tuple(
                str(x) for x in data.get("difficult_from_difficulties") or ()
            ),
        )
    except (OSError, KeyError, TypeError, ValueError, yaml.YAMLError) as exc:
        raise InputError(
            f"Tệp cấu hình tiêu chí yếu kém {path} thiếu hoặc sai mục: {exc}. "
            "Sửa theo mẫu danvan_survey/config/weakness.yaml (mỗi quy tắc cần code, tier, "
            "column, op, value, weight, sentence_vi, rationale).",
            file=str(path),
        ) from exc


# ---------------------------------------------------------------- number formatting (vi)
@lru_cache(maxsize=65536)
def format_number_vi(value: float, decimals: int = 1) -> str:
    """Vietnamese number: '.' groups thousands, ',' marks decimals, no trailing ',0'."""
    return _format_number_vi(value, decimals)


def _format_number_vi(value: float, decimals: int) -> str:
    """Body of :func:`format_number_vi`, undecorated so that mutation testing reaches it."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "?"
    text = f"{value:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def format_percent_vi(fraction: float, decimals: int = 1) -> str:
    """Format a 0–1 share as a Vietnamese percentage: 0.415 → '41,5%'."""
    return format_number_vi(fraction * 100.0, decimals) + "%"


def _format_values(values: np.ndarray, fmt: str) -> list[str]:
    """Format a rule's values for sentences ("?" when missing); rounded first for the cache."""
    factor, decimals, suffix = {
        "percent": (100.0, 1, "%"), "percent100": (1.0, 1, "%"), "count": (1.0, 0, ""),
    }[fmt]
    rounded = np.round(np.asarray(values, dtype="float64") * factor, decimals).tolist()
    return ["?" if v != v else format_number_vi(v, decimals) + suffix for v in rounded]


# ---------------------------------------------------------------- rules
def _column(ind_org: pd.DataFrame, name: str) -> pd.Series:
    if name not in ind_org.columns:
        return pd.Series(np.nan, index=ind_org.index, dtype="float64")
    return pd.to_numeric(ind_org[name], errors="coerce").astype("float64")


def _org_codes(ind_org: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """Factorised org_type: integer codes per record and the distinct values."""
    codes, uniques = pd.factorize(ind_org["org_type"].astype("str"), use_na_sentinel=False)
    return codes, [str(u) for u in uniques]


def rule_result(
    ind_org: pd.DataFrame, rule: Rule, orgs: tuple[np.ndarray, list[str]] | None = None
) -> tuple[pd.Series, pd.Series]:
    """Return (fired, evaluated) boolean Series of one rule over the records."""
    codes, uniques = orgs if orgs is not None else _org_codes(ind_org)
    values = _column(ind_org, rule.column).to_numpy()
    thresholds = np.array([rule.threshold(u) for u in uniques], dtype="float64")[codes]
    evaluated = ~np.isnan(values)
    fired = OPS[rule.op](values, thresholds) & evaluated
    return pd.Series(fired, index=ind_org.index), pd.Series(evaluated, index=ind_org.index)


def _sentences(ind_org: pd.DataFrame, rule: Rule, fired: pd.Series, cfg: WeaknessConfig) -> list:
    """Vietnamese sentence with numbers for each fired record of one rule."""
    rows = ind_org.loc[fired]
    values = _column(rows, rule.column).to_numpy()
    if rule.column in INDICATOR_NAMES:
        nums = _column(rows, f"{rule.column}_num").to_numpy()
        dens = _column(rows, f"{rule.column}_den").to_numpy()
    else:
        nums = dens = values
    orgs = rows["org_type"].astype("str").tolist()
    templates = {o: rule.sentence(o) for o in set(orgs)}
    if not any("{" in t for t in templates.values()):
        return [templates[o] for o in orgs]
    xs = _format_values(values, rule.format)
    num_texts, den_texts = _format_values(nums, "count"), _format_values(dens, "count")
    return [
        templates[o].format(x=x, num=num, den=den,
                            branch=cfg.branch_noun.get(o, cfg.branch_noun["default"]))
        for o, x, num, den in zip(orgs, xs, num_texts, den_texts, strict=True)
    ]


def difficult_communes(ind_org: pd.DataFrame, cfg: WeaknessConfig) -> set[str]:
    """Communes listed as difficult in the config or reporting a 'difficult' difficulty."""
    codes = set(cfg.difficult_communes)
    if cfg.difficult_from_difficulties and "difficulties" in ind_org.columns:
        padded = " " + ind_org["difficulties"].astype("str").fillna("") + " "
        hit = pd.Series(False, index=ind_org.index)
        for code in cfg.difficult_from_difficulties:
            hit = hit | padded.str.contains(f" {code} ", regex=False)
        codes |= set(ind_org.loc[hit, "commune_code"].astype("str"))
    return codes


def apply_weakness(ind_org: pd.DataFrame, cfg: WeaknessConfig | None = None) -> pd.DataFrame:
    """Add the weakness columns to per-record indicators.

    Adds ``is_weak_reported``, ``is_weak_functional``, ``n_core_fired``,
    ``n_supplementary_fired``, ``n_rules_evaluated``, ``weak_reasons`` (";"-joined codes of
    every fired rule), ``weak_reasons_vi`` ("; "-joined sentences), ``is_difficult_commune``
    and ``priority_score``.
    """
    cfg = cfg or load_weakness_config()
    out = ind_org.copy()
    n = len(out)
    counts = {t: np.zeros(n, dtype="int64") for t in TIERS}
    n_eval = np.zeros(n, dtype="int64")
    score = np.zeros(n, dtype="float64")
    codes: list[list[str]] = [[] for _ in range(n)]
    texts: list[list[str]] = [[] for _ in range(n)]
    orgs = _org_codes(out)
    for rule in cfg.rules:
        fired, evaluated = rule_result(out, rule, orgs)
        f = fired.to_numpy()
        counts[rule.tier] += f
        n_eval += evaluated.to_numpy()
        score += rule.weight * f
        for pos, text in zip(np.flatnonzero(f), _sentences(out, rule, fired, cfg), strict=True):
            codes[pos].append(rule.code)
            texts[pos].append(text)
    rating = pd.to_numeric(out["rating_last_year"], errors="coerce").astype("float64")
    out["is_weak_reported"] = (rating == 4).astype(bool)
    out["is_weak_functional"] = (counts["core"] >= cfg.min_core_rules) | (
        counts["supplementary"] >= cfg.min_supplementary_rules
    )
    out["n_core_fired"] = counts["core"]
    out["n_supplementary_fired"] = counts["supplementary"]
    out["n_rules_evaluated"] = n_eval
    out["weak_reasons"] = pd.Series([";".join(c) for c in codes], index=out.index, dtype="str")
    out["weak_reasons_vi"] = pd.Series(["; ".join(t) for t in texts], index=out.index,
                                       dtype="str")
    difficult = difficult_communes(out, cfg)
    out["is_difficult_commune"] = out["commune_code"].astype("str").isin(difficult)
    em_weight = out["em_area"].astype("str").map(cfg.priority_em_area).fillna(0.0)
    out["priority_score"] = (
        score
        + cfg.priority_reported * out["is_weak_reported"].to_numpy()
        + em_weight.to_numpy(dtype="float64")
        + cfg.priority_difficult * out["is_difficult_commune"].to_numpy()
    ).astype("float64")
    return out


# ---------------------------------------------------------------- lists
def _org_labels() -> dict[str, str]:
    cb = load_codebook()
    return {c.code: c.label_vi for c in cb.choices["org_type"]}


def _rating_labels(values: pd.Series) -> pd.Series:
    """Vietnamese labels of rating codes ("" when missing)."""
    labels = {float(c.code): c.label_vi for c in load_codebook().choices["rating"]}
    codes = pd.to_numeric(values, errors="coerce").astype("float64")
    return codes.map(labels).fillna("").astype("str")


def _sort_keys(frame: pd.DataFrame, cfg: WeaknessConfig) -> pd.DataFrame:
    """Add sort helpers: EM order, difficult first, priority high first, codes."""
    em_rank = {v: i for i, v in enumerate(cfg.em_area_order)}
    org_rank = load_codebook().rank("org_type")
    return frame.assign(
        _em=frame["em_area"].astype("str").map(em_rank).fillna(len(em_rank)),
        _diff=~frame["is_difficult_commune"].astype(bool),
        _prio=-frame["priority_score"],
        _org=frame["org_type"].astype("str").map(org_rank).fillna(len(org_rank)),
    )


def _rule_columns(cfg: WeaknessConfig) -> list[str]:
    """Distinct input columns of the rules, in rule order."""
    return list(dict.fromkeys(r.column for r in cfg.rules))


def _choice_list(name: str) -> str | None:
    """Choice list of a form-A select_one column (None for numbers and indicators)."""
    cb = load_codebook()
    if name in cb.names("a"):
        var = cb.var("a", name)
        return var.list_name if var.base_type == "select_one" else None
    return None


def _column_label(name: str) -> tuple[str, float]:
    """Vietnamese header of an indicator/raw column and the factor to show it with."""
    if name in INDICATOR_NAMES:
        return f"{indicator(name).label_vi} (%)", 100.0
    if name == "content_diversity":
        from danvan_survey.indicators import CONTENT_DIVERSITY_LABEL_VI

        return CONTENT_DIVERSITY_LABEL_VI, 1.0
    return load_codebook().label_vi("a", name), 1.0


def consolidation_list(ind_org: pd.DataFrame, cfg: WeaknessConfig | None = None) -> pd.DataFrame:
    """"Danh sách tổ chức cơ sở yếu kém cần củng cố" (Vietnamese headers).

    Rows: records weak in either view. Order: EM area (pure, mixed, none), difficult
    communes first, priority score high first, then district, commune, organisation.
    """
    cfg = cfg or load_weakness_config()
    cb = load_codebook()
    weak = ind_org.loc[ind_org["is_weak_functional"] | ind_org["is_weak_reported"]]
    weak = _sort_keys(weak, cfg).sort_values(
        ["_em", "_diff", "_prio", "district_code", "commune_code", "_org"], kind="stable"
    )
    yes, no = cb.choice_label_vi("yes_no", 1), cb.choice_label_vi("yes_no", 0)
    yn = {True: yes, False: no}
    table = pd.DataFrame({
        "STT": np.arange(1, len(weak) + 1, dtype="int64"),
        cb.label_vi("a", "district_code"): weak["district_name"].astype("str").to_numpy(),
        "Mã xã": weak["commune_code"].astype("str").to_numpy(),
        cb.label_vi("a", "commune_code"): weak["commune_name"].astype("str").to_numpy(),
        "Vùng đồng bào DTTS": weak["em_area"].astype("str").map(EM_AREA_LABELS_VI).to_numpy(),
        "Xã khó khăn": weak["is_difficult_commune"].map(yn).to_numpy(),
        cb.label_vi("a", "org_type"): weak["org_type"].astype("str").map(_org_labels()).to_numpy(),
        cb.label_vi("a", "rating_last_year"): _rating_labels(weak["rating_last_year"]).to_numpy(),
        "Yếu kém theo tự xếp loại": weak["is_weak_reported"].map(yn).to_numpy(),
        "Yếu kém theo dấu hiệu hoạt động": weak["is_weak_functional"].map(yn).to_numpy(),
        "Mã lý do": weak["weak_reasons"].astype("str").to_numpy(),
        "Lý do": weak["weak_reasons_vi"].astype("str").to_numpy(),
        "Điểm ưu tiên": weak["priority_score"].round(2).to_numpy(),
    })
    for col in _rule_columns(cfg):
        label, factor = _column_label(col)
        values = _column(weak, col)
        list_name = _choice_list(col)
        if list_name:
            codes = {float(c.code): c.label_vi for c in cb.choices[list_name]}
            table[label] = values.map(codes).fillna("").astype("str").to_numpy()
        else:
            table[label] = (values * factor).round(1).to_numpy()
    table.attrs["title"] = CONSOLIDATION_TITLE_VI
    return table.reset_index(drop=True)


def disagreements(ind_org: pd.DataFrame) -> pd.DataFrame:
    """List the records where the two views disagree.

    ``rated_well_functionally_weak``: rated 1–2 but functionally weak;
    ``rated_weak_no_functional_signs``: rated 4 but no rule fired (see
    ``n_rules_evaluated``: 0 means nothing could be checked).
    """
    rating = pd.to_numeric(ind_org["rating_last_year"], errors="coerce").astype("float64")
    no_signs = ind_org["weak_reasons"].astype("str").fillna("") == ""
    well_weak = rating.isin([1, 2]) & ind_org["is_weak_functional"]
    weak_none = (rating == 4) & no_signs
    kind = pd.Series("", index=ind_org.index, dtype="str")
    kind = kind.mask(well_weak, "rated_well_functionally_weak")
    kind = kind.mask(weak_none, "rated_weak_no_functional_signs")
    rows = ind_org.loc[kind != ""].assign(disagreement=kind[kind != ""])
    rows = rows.assign(
        disagreement_vi=rows["disagreement"].map(DISAGREEMENT_LABELS_VI).astype("str"),
        org_label_vi=rows["org_type"].astype("str").map(_org_labels()).astype("str"),
        rating_label_vi=_rating_labels(rows["rating_last_year"]),
    )
    cols = ["round_id", "disagreement", "disagreement_vi", "district_code", "district_name",
            "commune_code", "commune_name", "em_area", "org_type", "org_label_vi",
            "rating_last_year", "rating_label_vi", "is_weak_functional", "n_rules_evaluated",
            "weak_reasons", "weak_reasons_vi", "priority_score"]
    return rows[cols].sort_values(
        ["disagreement", "district_code", "commune_code", "org_type"]
    ).reset_index(drop=True)


def weak_communes(ind_org: pd.DataFrame, cfg: WeaknessConfig | None = None) -> pd.DataFrame:
    """Communes with ≥ N weak organisations (N = ``weak_commune_min_orgs``, default 2).

    ``party_unit_defect_hd27`` uses the **reported** view, as HD 27-HD/BTCTW counts
    organisations "phân loại chất lượng mức thấp nhất" (rating 4). The functional count and
    ``functional_ge_min`` are given beside it. Rows: communes flagged in either view.
    """
    cfg = cfg or load_weakness_config()
    labels = _org_labels()
    keys = ["round_id", "district_code", "district_name", "commune_code", "commune_name",
            "em_area"]
    frame = ind_org.assign(**{k: ind_org[k].astype("str") for k in keys})
    grouped = frame.groupby(keys, sort=True)
    table = pd.DataFrame({
        "n_orgs_received": grouped.size(),
        "n_weak_reported": grouped["is_weak_reported"].sum().astype("int64"),
        "n_weak_functional": grouped["is_weak_functional"].sum().astype("int64"),
    }).reset_index()
    table["party_unit_defect_hd27"] = table["n_weak_reported"] >= cfg.weak_commune_min_orgs
    table["functional_ge_min"] = table["n_weak_functional"] >= cfg.weak_commune_min_orgs
    flagged = table.loc[table["party_unit_defect_hd27"] | table["functional_ge_min"]].copy()
    rows = frame.loc[frame["commune_code"].isin(flagged["commune_code"])]
    rows = _sort_keys(rows, cfg).sort_values(["commune_code", "_org"])
    org_label = rows["org_type"].astype("str").map(labels).fillna(rows["org_type"])
    for flag, col in (("is_weak_reported", "orgs_weak_reported"),
                      ("is_weak_functional", "orgs_weak_functional")):
        hit = rows.loc[rows[flag].astype(bool)]
        joined: dict[str, list[str]] = {}
        for code, label in zip(hit["commune_code"], org_label.loc[hit.index], strict=True):
            joined.setdefault(code, []).append(label)
        texts = {k: "; ".join(v) for k, v in joined.items()}
        flagged[col] = pd.Series([texts.get(c, "") for c in flagged["commune_code"]],
                                 index=flagged.index, dtype="str")
    em_rank = {v: i for i, v in enumerate(cfg.em_area_order)}
    return flagged.assign(_em=flagged["em_area"].map(em_rank).fillna(len(em_rank))).sort_values(
        ["_em", "n_weak_reported", "n_weak_functional", "district_code", "commune_code"],
        ascending=[True, False, False, True, True],
    ).drop(columns="_em").reset_index(drop=True)
