"""What changed between two rounds: a common geography, changes, transitions, notes.

``compare_rounds(base, follow)`` reads both rounds' clean outputs (``danvan-survey run``
first) and returns the comparison tables; :func:`write_comparison` writes them to
``data/compare/<base>__<follow>/``. Pure functions do the work:

- :func:`to_follow_units`: the base round's organisation records brought to the follow
  round's units through the crosswalk. Numerators and denominators are multiplied by the
  allocation share (:data:`ALLOCATION_RULE_VI`), so aggregates stay ratios of sums.
- :func:`indicator_changes`: then / now / change per former district × organisation and
  per EM area × organisation, with the sums and counts behind them.
- :func:`transitions`: weak organisations per new unit × organisation — consolidated,
  still weak, newly weak — with the reasons of both rounds.
- :func:`cadre_changes`: design-based cadre estimates then / now / difference; the
  samples are independent, so ``se_diff = sqrt(se_then² + se_now²)``.
- :func:`comparability`: codebook definitions, units merged and split, coverage, salt.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from danvan_survey import __version__
from danvan_survey.config import RoundConfig, clean_dir, load_round, project_dir
from danvan_survey.errors import InputError
from danvan_survey.indicators import (
    INDICATOR_NAMES,
    INDICATORS,
    aggregate,
    census_frame,
    indicator,
)
from danvan_survey.vintage import (
    FORMER_DISTRICT_RULE_VI,
    VINTAGE_2025,
    district_label,
    mapping_2014_to_2025,
    round_frame,
)

ALLOCATION_RULE_VI = (
    "Xã cũ bị chia cho nhiều đơn vị mới: số liệu (tử số, mẫu số) được chia đều cho các "
    "đơn vị kế thừa (chưa có số dân từng phần) và dòng được đánh dấu split = True."
)
WEAK_RULE_VI = (
    "Yếu kém = tự xếp loại mức 4 hoặc yếu kém theo dấu hiệu hoạt động (config/weakness.yaml). "
    "Ở đợt gốc, một tổ chức của đơn vị mới là yếu kém nếu ít nhất một tổ chức cùng loại "
    "của các xã cũ hợp thành là yếu kém."
)
TRANSITION_VI = {
    "consolidated": "Đã củng cố",
    "still_weak": "Vẫn yếu kém",
    "newly_weak": "Mới yếu kém",
    "never_weak": "Không yếu kém cả hai đợt",
    "not_received_now": "Chưa có phiếu đợt sau",
    "no_base_record": "Không có phiếu đợt gốc",
}
CONFIDENCE = 0.95
KEYS_EST = ["domain_type", "domain", "variable", "stat", "category"]


@dataclass
class RoundData:
    """One round's configuration, frame and clean outputs needed for a comparison."""

    cfg: RoundConfig
    frame: pd.DataFrame
    indicators: pd.DataFrame
    estimates: pd.DataFrame
    cadres: pd.DataFrame
    manifest: dict[str, Any]


@dataclass
class Comparison:
    """Every table of a comparison and the notes that qualify it."""

    base: str
    follow: str
    base_mapped: pd.DataFrame
    districts: pd.DataFrame
    em_areas: pd.DataFrame
    transitions: pd.DataFrame
    cadres: pd.DataFrame
    notes: pd.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)
    links: pd.DataFrame = field(default_factory=pd.DataFrame)


# ---------------------------------------------------------------- geography
def province_identity(cfg: RoundConfig) -> str:
    """The (former) province a round covers: a 2025 round's scope, else its province."""
    if cfg.admin_vintage == VINTAGE_2025:
        return str(cfg.scope.get("former_province_code", f"2025:{cfg.province_code}")).zfill(2)
    return cfg.province_code


def unit_mapping(base: RoundConfig, follow: RoundConfig) -> pd.DataFrame:
    """Base unit → follow unit with allocation share and split flag."""
    if province_identity(base) != province_identity(follow):
        raise InputError(
            f"Hai đợt thuộc hai tỉnh khác nhau: {base.round_id} (tỉnh {province_identity(base)})"
            f" và {follow.round_id} (tỉnh {province_identity(follow)}). Chỉ so sánh được hai "
            "đợt của cùng một địa bàn; với đợt trên đơn vị 2025 hãy khai báo scope "
            "(former_province_code) trong round.yaml."
        )
    if base.admin_vintage == follow.admin_vintage:
        codes = round_frame(base)["commune_code"]
        return pd.DataFrame({"commune_code_base": codes, "commune_code": codes,
                             "share": 1.0, "split": False})
    if (base.admin_vintage, follow.admin_vintage) != ("2014", VINTAGE_2025):
        raise InputError(
            f"Không so sánh được đợt {base.round_id} (địa giới {base.admin_vintage}) với đợt "
            f"{follow.round_id} (địa giới {follow.admin_vintage}): đợt gốc phải là địa giới 2014 "
            "và đợt sau là địa giới 2025 (hoặc cùng địa giới)."
        )
    m = mapping_2014_to_2025(province_identity(base))
    return m.rename(columns={"commune_code_2014": "commune_code_base",
                             "commune_code_2025": "commune_code"})[
        ["commune_code_base", "commune_code", "share", "split"]]


def to_follow_units(base_ind: pd.DataFrame, mapping: pd.DataFrame,
                    follow_frame: pd.DataFrame) -> pd.DataFrame:
    """Base organisation records on the follow round's units (see ALLOCATION_RULE_VI).

    Keeps the base commune as ``commune_code_base``; district and EM area become the
    follow frame's (former district, derived EM class).
    """
    rec = base_ind.rename(columns={"commune_code": "commune_code_base",
                                   "commune_name": "commune_name_base",
                                   "district_code": "district_code_base",
                                   "district_name": "district_name_base",
                                   "em_area": "em_area_base"})
    rec = rec.merge(mapping, on="commune_code_base", how="inner")
    for name in INDICATOR_NAMES:
        for part in ("num", "den"):
            col = f"{name}_{part}"
            rec[col] = rec[col].astype("float64") * rec["share"].to_numpy()
    ref = follow_frame.set_index("commune_code")
    for col in ("commune_name", "district_code", "district_name", "em_area"):
        rec[col] = rec["commune_code"].map(ref[col]).astype("str")
    return rec.sort_values(["commune_code", "org_type", "commune_code_base"]).reset_index(
        drop=True)


# ---------------------------------------------------------------- indicators
def changed_variables(base_manifest: dict[str, Any], follow_manifest: dict[str, Any],
                      form: str) -> list[str]:
    """Variables of ``form`` whose codebook definition differs between two manifests."""
    a = base_manifest.get("codebook_definitions", {}).get(form, {})
    b = follow_manifest.get("codebook_definitions", {}).get(form, {})
    return sorted(v for v in set(a) | set(b) if a.get(v) != b.get(v))


def not_comparable_indicators(changed: list[str]) -> dict[str, str]:
    """Indicator → reason, for indicators built on a variable whose definition changed."""
    out = {}
    for ind in INDICATORS:
        hit = sorted(set(ind.numerator + ind.denominator) & set(changed))
        if hit:
            out[ind.name] = ("Định nghĩa câu hỏi đã thay đổi giữa hai đợt (" + ", ".join(hit)
                             + "); không so sánh.")
    return out


def _long(table: pd.DataFrame, keys: list[str], suffix: str) -> pd.DataFrame:
    """Aggregate table → one row per key × indicator with value, num, den, n."""
    rows = []
    for name in INDICATOR_NAMES:
        part = table[[*keys, name, f"{name}_num", f"{name}_den", f"{name}_n"]].copy()
        part.columns = [*keys, f"value_{suffix}", f"num_{suffix}", f"den_{suffix}",
                        f"n_{suffix}"]
        part.insert(len(keys), "indicator", name)
        rows.append(part)
    return pd.concat(rows, ignore_index=True)


def indicator_changes(then_rec: pd.DataFrame, now_rec: pd.DataFrame, by: list[str],
                      expected: pd.DataFrame, excluded: dict[str, str]) -> pd.DataFrame:
    """Then / now / change of every indicator by ``by`` (ending with org_type)."""
    then = aggregate(then_rec, by, expected)
    now = aggregate(now_rec, by, expected)
    keys = [k for k in by if k != "district_name"]
    merged = _long(then, keys, "then").merge(_long(now, keys, "now"),
                                             on=[*keys, "indicator"], how="outer")
    merged["change"] = merged["value_now"] - merged["value_then"]
    merged["comparable"] = ~merged["indicator"].isin(list(excluded))
    merged["note"] = merged["indicator"].map(lambda n: excluded.get(n, "")).astype(str)
    merged.loc[~merged["comparable"], "change"] = np.nan
    merged["indicator_label_vi"] = merged["indicator"].map(
        {n: indicator(n).label_vi for n in INDICATOR_NAMES})
    if "district_name" in by:
        names = dict(zip(now["district_code"], now["district_name"], strict=False))
        names.update(dict(zip(then["district_code"], then["district_name"], strict=False)))
        merged.insert(1, "district_name", merged["district_code"].map(names))
    for col in ("n_then", "n_now"):
        merged[col] = merged[col].fillna(0).astype("int64")
    return merged.sort_values([*keys, "indicator"], kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------- transitions
def _transition(then: bool | None, now: bool | None) -> str:
    if then is None:
        return "no_base_record"
    if now is None:
        return "not_received_now"
    if then:
        return "still_weak" if now else "consolidated"
    return "newly_weak" if now else "never_weak"


def _is_weak(frame: pd.DataFrame) -> pd.Series:
    return (frame["is_weak_reported"].fillna(False).astype(bool)
            | frame["is_weak_functional"].fillna(False).astype(bool))


def reasons_vi(frame: pd.DataFrame) -> pd.Series:
    """Reasons of weakness in Vietnamese; a rating-4 record is said to be so."""
    text = frame["weak_reasons_vi"].astype(object).fillna("").astype(str)
    rated = frame["is_weak_reported"].fillna(False).astype(bool)
    label = "tự xếp loại yếu kém (mức 4)"
    return text.where(~rated, np.where(text == "", label, label + "; " + text))


def transitions(base_mapped: pd.DataFrame, follow_ind: pd.DataFrame,
                follow_frame: pd.DataFrame, org_types: list[str]) -> pd.DataFrame:
    """Weak-organisation transitions per follow unit × organisation, reasons of both rounds.

    Weak then = any base record of that organisation type mapped to the unit was weak.
    """
    base = base_mapped.assign(_weak=_is_weak(base_mapped))
    base["_reason"] = np.where(
        base["_weak"], base["commune_name_base"].astype(str) + ": " + reasons_vi(base), "")
    then = base.groupby(["commune_code", "org_type"], sort=True).agg(
        weak_then=("_weak", "any"), n_base_records=("_weak", "size"),
        split=("split", "any"),
        weak_predecessors=("commune_code_base",
                           lambda s: ";".join(sorted(s[base.loc[s.index, "_weak"]]))),
        reasons_then_vi=("_reason", lambda s: " | ".join(x for x in s if x)),
    ).reset_index()
    now = follow_ind.assign(weak_now=_is_weak(follow_ind), reasons_now_vi=reasons_vi(follow_ind))[
        ["commune_code", "org_type", "weak_now", "reasons_now_vi"]]
    cols = ["commune_code", "commune_name", "district_code", "district_name", "em_area"]
    extra = [c for c in ("multi_district",) if c in follow_frame.columns]
    grid = follow_frame[cols + extra].merge(pd.DataFrame({"org_type": org_types}), how="cross")
    out = grid.merge(then, on=["commune_code", "org_type"], how="left").merge(
        now, on=["commune_code", "org_type"], how="left")
    then_v = [None if pd.isna(v) else bool(v) for v in out["weak_then"]]
    now_v = [None if pd.isna(v) else bool(v) for v in out["weak_now"]]
    out["transition"] = [_transition(a, b) for a, b in zip(then_v, now_v, strict=True)]
    out["transition_vi"] = out["transition"].map(TRANSITION_VI)
    out["n_base_records"] = out["n_base_records"].fillna(0).astype("int64")
    out["split"] = out["split"].astype("boolean").fillna(False).astype(bool)
    for col in ("weak_predecessors", "reasons_then_vi", "reasons_now_vi"):
        out[col] = out[col].astype(object).fillna("").astype(str)
    for col in ("weak_then", "weak_now"):
        out[col] = out[col].astype("boolean")
    return out.sort_values(["district_code", "commune_code", "org_type"]).reset_index(drop=True)


# ---------------------------------------------------------------- cadres
def _t(df: np.ndarray) -> np.ndarray:
    from scipy import special

    q = np.full(df.shape, 1.959963984540054)
    ok = np.isfinite(df) & (df > 0)
    q[ok] = special.stdtrit(df[ok], 1 - (1 - CONFIDENCE) / 2)
    return q


def _base_variable(name: str) -> str:
    """Codebook variable behind an estimate name (``skill_situations_4_5`` → skill_situations)."""
    return name.removesuffix("_4_5")


def cadre_changes(then: pd.DataFrame, now: pd.DataFrame, changed: list[str]) -> pd.DataFrame:
    """Then / now / difference of cadre estimates, independent samples (variances add).

    CI of the difference: ± t(min(df_then, df_now)) × se_diff; ``within_noise`` when the
    CI contains 0. Reliability = the weaker mark of the two estimates.
    """
    cols = ["estimate", "se", "df", "n", "reliability"]
    merged = then[KEYS_EST + cols].merge(now[KEYS_EST + cols], on=KEYS_EST,
                                         suffixes=("_then", "_now"), how="outer")
    merged["diff"] = merged["estimate_now"] - merged["estimate_then"]
    merged["se_diff"] = np.sqrt(merged["se_then"] ** 2 + merged["se_now"] ** 2)
    df = np.fmin(merged["df_then"].to_numpy(dtype=float), merged["df_now"].to_numpy(dtype=float))
    merged["df_diff"] = df
    q = _t(df)
    merged["ci_low"] = merged["diff"] - q * merged["se_diff"]
    merged["ci_high"] = merged["diff"] + q * merged["se_diff"]
    merged["within_noise"] = (merged["ci_low"] <= 0) & (merged["ci_high"] >= 0)
    rank = {"ok": 0, "caution": 1, "suppress": 2}
    worst = np.fmax(merged["reliability_then"].map(rank).astype(float).fillna(2),
                    merged["reliability_now"].map(rank).astype(float).fillna(2))
    merged["reliability"] = pd.Series(worst).map({0: "ok", 1: "caution", 2: "suppress"})
    bad = merged["variable"].map(_base_variable).isin(changed)
    merged["comparable"] = ~bad
    merged["note"] = np.where(bad, "Định nghĩa câu hỏi đã thay đổi; không so sánh.", "")
    merged.loc[bad, ["diff", "se_diff", "ci_low", "ci_high"]] = np.nan
    return merged.sort_values(KEYS_EST, kind="stable").reset_index(drop=True)


def cadre_links(then: pd.DataFrame, now: pd.DataFrame, same_salt: bool) -> dict[str, Any]:
    """How many cadres of the follow round are the same persons as in the base round."""
    if not same_salt:
        return {"linkable": False, "linked_persons": None,
                "message_vi": "Hai đợt dùng khóa bí mật (salt) khác nhau: không thể liên kết cán "
                              "bộ giữa hai đợt. Dùng chung một tệp salt cho mọi đợt (xem README)."}
    col = "person_link" if "person_link" in then and "person_link" in now else "person_hash"
    a = set(then[col].dropna().astype(str)) - {""}
    b = set(now[col].dropna().astype(str)) - {""}
    return {"linkable": True, "key": col, "linked_persons": len(a & b),
            "cadres_then": len(a), "cadres_now": len(b),
            "message_vi": f"Liên kết theo {col}: {len(a & b)} cán bộ có mặt ở cả hai đợt "
                          "(cùng tên và năm sinh; hai người trùng tên, trùng năm sinh cũng "
                          "được tính là một)."}


LINK_COLUMNS = ["cadre_id", "commune_code", "org_type", "position"]


def cadre_link_table(then: pd.DataFrame, now: pd.DataFrame, same_salt: bool) -> pd.DataFrame:
    """Cadres present in both rounds (same person_link), with their ids in each round."""
    cols = [f"{c}_{w}" for w in ("then", "now") for c in LINK_COLUMNS]
    key = "person_link"
    if not same_salt or key not in then or key not in now:
        return pd.DataFrame(columns=["person_link", *cols])
    parts = []
    for frame, when in ((then, "then"), (now, "now")):
        f = frame[frame[key].astype(str) != ""]
        keep = [c for c in LINK_COLUMNS if c in f.columns]
        parts.append(f[[key, *keep]].rename(columns={c: f"{c}_{when}" for c in keep}))
    out = parts[0].merge(parts[1], on=key)
    keys = [c for c in ("cadre_id_now", "cadre_id_then", key) if c in out.columns]
    return out.sort_values(keys).reset_index(drop=True)


# ---------------------------------------------------------------- notes
def comparability(base: RoundData, follow: RoundData, mapping: pd.DataFrame,
                  changed: dict[str, list[str]], links: dict[str, Any]) -> pd.DataFrame:
    """Comparability notes as (topic, detail_vi) rows, in a fixed order."""
    bv, fv = (", ".join(f"{f.upper()} {v}" for f, v in sorted(r.manifest.get(
        "codebook_version", {}).items())) or "không ghi" for r in (base, follow))
    per_unit = mapping.groupby("commune_code")["commune_code_base"].nunique()
    split = mapping[mapping["split"]]["commune_code_base"].nunique()
    cov = [_coverage(r) for r in (base, follow)]
    rows = [
        ("codebook_version", f"Phiên bản bảng mã: đợt gốc {bv}, đợt sau {fv}."),
        ("definitions_changed",
         "Câu hỏi đổi định nghĩa (không so sánh): "
         + ("; ".join(f"phiếu {f.upper()}: {', '.join(v)}" for f, v in changed.items() if v)
            or "không có.")),
        ("units", f"{mapping['commune_code_base'].nunique()} đơn vị của đợt gốc → "
                  f"{mapping['commune_code'].nunique()} đơn vị của đợt sau; "
                  f"{int((per_unit > 1).sum())} đơn vị mới do sáp nhập từ 2 xã cũ trở lên; "
                  f"{split} xã cũ bị chia tách."),
        ("allocation_rule", ALLOCATION_RULE_VI),
        ("former_district_rule", FORMER_DISTRICT_RULE_VI),
        ("weak_rule", WEAK_RULE_VI),
        ("coverage", f"Tỷ lệ phiếu A nhận được: đợt gốc {cov[0]}, đợt sau {cov[1]}."),
        ("em_area", "Vùng DTTS của đợt sau là phân loại suy diễn từ các xã cũ (em_source = "
                    "derived); của đợt gốc là danh sách có nguồn theo xã cũ, quy về đơn vị mới."),
        ("cadre_link", str(links["message_vi"])),
        ("synthetic", "Dữ liệu mô phỏng: không phải số liệu thật." if
         (base.cfg.synthetic or follow.cfg.synthetic) else "Dữ liệu khảo sát thật."),
    ]
    return pd.DataFrame(rows, columns=["topic", "detail_vi"])


def _coverage(r: RoundData) -> str:
    expected = len(r.frame) * r.indicators["org_type"].nunique()
    got = len(r.indicators)
    return f"{got}/{expected} ({got / expected:.1%})".replace(".", ",") if expected else "—"


# ---------------------------------------------------------------- I/O
def read_round(round_id: str, root: Path | None = None) -> RoundData:
    """Load a round's config and clean outputs; InputError when it was not run yet."""
    cfg = load_round(round_id, root)
    frame = round_frame(cfg)  # unknown vintage / scope → a clear message first
    folder = clean_dir(round_id, root)
    need = [folder / n for n in ("indicators_org.parquet", "manifest.json")]
    missing = [p for p in need if not p.is_file()]
    if missing:
        raise InputError(
            f"Đợt {round_id} chưa được xử lý: thiếu {missing[0].name}. Chạy trước: "
            f"danvan-survey run --round {round_id}.", file=str(missing[0]))
    est_path, cad_path = folder / "estimates.parquet", folder / "cadres.parquet"
    return RoundData(
        cfg=cfg, frame=frame,
        indicators=pd.read_parquet(folder / "indicators_org.parquet"),
        estimates=pd.read_parquet(est_path) if est_path.is_file() else pd.DataFrame(
            columns=[*KEYS_EST, "estimate", "se", "df", "n", "reliability"]),
        cadres=pd.read_parquet(cad_path) if cad_path.is_file() else pd.DataFrame(),
        manifest=json.loads((folder / "manifest.json").read_text(encoding="utf-8")),
    )


def compare_data(base: RoundData, follow: RoundData) -> Comparison:
    """The comparison of two loaded rounds (pure: no file access)."""
    mapping = unit_mapping(base.cfg, follow.cfg)
    common = set(mapping["commune_code"]) & set(follow.frame["commune_code"])
    if not common:
        raise InputError(
            f"Hai đợt {base.cfg.round_id} và {follow.cfg.round_id} không có đơn vị hành chính "
            "chung nào sau khi quy đổi địa giới; kiểm tra province_code, admin_vintage và scope.")
    mapping = mapping[mapping["commune_code"].isin(common)]
    changed = {f: changed_variables(base.manifest, follow.manifest, f) for f in ("a", "b")}
    excluded = not_comparable_indicators(changed["a"])
    mapped = to_follow_units(base.indicators, mapping, follow.frame)
    follow_ind = follow.indicators[follow.indicators["commune_code"].isin(common)]
    expected = census_frame(follow.frame[follow.frame["commune_code"].isin(common)])
    by_d = ["district_code", "district_name", "org_type"]
    districts = indicator_changes(mapped, follow_ind, by_d, expected, excluded)
    em = indicator_changes(mapped, follow_ind, ["em_area", "org_type"], expected, excluded)
    orgs = sorted(set(follow.indicators["org_type"]) | set(base.indicators["org_type"]))
    trans = transitions(mapped, follow_ind, follow.frame[follow.frame["commune_code"].isin(
        common)], orgs)
    same_salt = (base.manifest.get("salt_fingerprint") is not None
                 and base.manifest.get("salt_fingerprint") == follow.manifest.get(
                     "salt_fingerprint"))
    links = cadre_links(base.cadres, follow.cadres, same_salt)
    cadres = cadre_changes(base.estimates, follow.estimates, changed["b"])
    notes = comparability(base, follow, mapping, changed, links)
    counts = trans["transition"].value_counts().sort_index()
    summary = {
        "base_round": base.cfg.round_id, "follow_round": follow.cfg.round_id,
        "synthetic": bool(base.cfg.synthetic or follow.cfg.synthetic),
        "district_label_vi": district_label(follow.cfg),
        "transitions": {str(k): int(v) for k, v in counts.items()},
        "cadre_link": links, "definitions_changed": changed,
        "indicators_not_compared": excluded,
        "package_version": __version__,
    }
    link_table = cadre_link_table(base.cadres, follow.cadres, same_salt)
    return Comparison(base.cfg.round_id, follow.cfg.round_id, mapped, districts, em, trans,
                      cadres, notes, summary, link_table)


def compare_rounds(base: str, follow: str, root: Path | None = None) -> Comparison:
    """Compare two processed rounds of the same area (see module doc).

    Configuration problems (vintage, scope, provinces) are reported before missing outputs.
    """
    cfgs = [load_round(r, root) for r in (base, follow)]
    for cfg in cfgs:
        round_frame(cfg)
    unit_mapping(*cfgs)
    return compare_data(read_round(base, root), read_round(follow, root))


def compare_dir(base: str, follow: str, root: Path | None = None) -> Path:
    """Output folder of a comparison: ``data/compare/<base>__<follow>/``."""
    return (root or project_dir()) / "data" / "compare" / f"{base}__{follow}"


def write_comparison(comp: Comparison, out_dir: Path) -> dict[str, Path]:
    """Write every table (CSV, UTF-8 BOM; parquet) and a summary; byte-stable."""
    from danvan_survey.analyse import write_csv, write_parquet, write_xlsx

    out_dir.mkdir(parents=True, exist_ok=True)
    tables = {"base_on_follow_units": comp.base_mapped, "indicators_district": comp.districts,
              "indicators_em_area": comp.em_areas, "transitions": comp.transitions,
              "cadre_estimates": comp.cadres, "comparability_notes": comp.notes,
              "cadre_links": comp.links}
    out: dict[str, Path] = {}
    for name, table in tables.items():
        out[f"{name}.csv"] = write_csv(table, out_dir / f"{name}.csv")
        out[f"{name}.parquet"] = write_parquet(table, out_dir / f"{name}.parquet")
    label = " — DỮ LIỆU MÔ PHỎNG" if comp.summary.get("synthetic") else ""
    weak = comp.transitions[comp.transitions["transition"].isin(
        ["consolidated", "still_weak", "newly_weak"])]
    out["transitions.xlsx"] = write_xlsx(
        weak, out_dir / "transitions.xlsx",
        f"Tổ chức yếu kém: {comp.base} → {comp.follow}{label}", WEAK_RULE_VI,
        synthetic=bool(label))
    path = out_dir / "summary.json"
    path.write_text(json.dumps(_jsonable(comp.summary), ensure_ascii=False, indent=2,
                               sort_keys=True) + "\n", encoding="utf-8")
    out["summary.json"] = path
    return out


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value
