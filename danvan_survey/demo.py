"""Synthetic demo rounds (clearly labelled ``SYNTHETIC``) with a ground truth.

:func:`generate_round` writes what a provincial office would receive for one round —
KoboToolbox CSV exports of forms A and B, two or three consolidated district Excel
sheets, the cadre sample design and an analyst corrections file — plus, *outside* the
raw folder, the true clean values and one row per injected defect, so the pipeline can
be tested against known answers.

Every figure is invented. Every file name contains ``SYNTHETIC``; the round title and
README say so in Vietnamese and English. Output is byte-identical for a given seed:
one ``numpy.random.default_rng(seed)``, no clock, stable ordering, fixed zip dates.

Everything is vectorised over records (numpy), so ``scale="national"`` (11,102
communes, one million cadres) runs in seconds; Excel files exist only at province scale.
"""

from __future__ import annotations

import io
import json
import re
import unicodedata
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import polars as pl

from danvan_survey import demo_models
from danvan_survey.codebook import Codebook, Variable, load_codebook
from danvan_survey.reference import admin_units, communes, em_areas

ORGS = ("mttq", "hnd", "hlhpn", "doan", "hccb")
PERIOD = (date(2014, 6, 1), date(2014, 9, 30))
REFERENCE_YEAR = 2014
#: Districts that send a consolidated Excel sheet instead of Kobo (form A).
EXCEL_DISTRICTS = {"60": ("598", "601")}
EXCEL_SHEET = "Tong hop"
FIXED_ZIP_TIME = (2014, 10, 1, 8, 0, 0)
FIXED_DOC_TIME = datetime(2014, 10, 1, 8, 0, 0)
KOBO_META_TAIL = (
    "_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status",
    "_submitted_by", "__version__", "_tags", "_index",
)
EM_CODE = {"none": 0, "mixed": 1, "pure": 2}
NATIONAL_CADRES = 1_000_000

#: Defect rates (share of eligible records), the same at every scale.
RATES = {
    "missing_return": 0.02,
    "special_missing": 0.02,
    "choice_label": 0.02,
    "mojibake": 0.015,
    "nfd_text": 0.01,
    "members_exceed_eligible": 0.01,
    "negative_count": 0.01,
    "silent_exceeds_branches": 0.01,
    "branches_below_areas": 0.02,
    "members_left_high": 0.01,
    "dvk_recognised_exceeds": 0.01,
    "duplicate": 0.02,
    "birth_year_out_of_range": 0.008,
    "years_exceed_age": 0.005,
    "topics_without_training": 0.008,
    "doan_over_35": 0.01,
    "em_language_na_in_em_area": 0.01,
    "legacy_encoding": 0.08,
}

FAMILY = np.array(["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Hoàng", "Phan", "Võ", "Đặng",
                   "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đào", "Thái", "Mai"])
MIDDLE_M = np.array(["Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Công", "Ngọc"])
MIDDLE_F = np.array(["Thị", "Thị", "Ngọc", "Thanh", "Kim", "Mỹ", "Thu", "Bích"])
GIVEN_M = np.array(["An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Khánh", "Long", "Nam",
                    "Phúc", "Quang", "Sơn", "Tâm", "Thắng", "Toàn", "Trung", "Tuấn", "Vinh"])
GIVEN_F = np.array(["Anh", "Chi", "Dung", "Hà", "Hạnh", "Hoa", "Hương", "Lan", "Liên",
                    "Linh", "Mai", "Nga", "Nhung", "Oanh", "Phương", "Thảo", "Trang", "Yến"])
DVK_MODELS = np.array([
    "Dân vận khéo trong vận động hiến đất làm đường giao thông nông thôn",
    "Tổ hội nghề nghiệp trồng thanh long",
    "Tổ phụ nữ tiết kiệm giúp nhau làm kinh tế",
    "Thanh niên tình nguyện giữ gìn vệ sinh môi trường",
    "Cựu chiến binh tham gia hòa giải ở cơ sở",
    "Khu dân cư tự quản về an ninh trật tự",
    "Vận động đồng bào Chăm xây dựng nếp sống văn minh",
    "Câu lạc bộ nông dân với pháp luật",
    "Già làng, người có uy tín tham gia vận động đồng bào",
    "Vận động ngư dân vươn khơi bám biển",
    "Nhóm hộ vay vốn xóa đói giảm nghèo",
    "Đoàn viên giúp người nghèo sửa nhà",
])
PROPOSALS = np.array([
    "Đề nghị tăng phụ cấp cho chi hội trưởng",
    "Cần tài liệu hướng dẫn sinh hoạt chuyên đề",
    "Đề nghị tập huấn kỹ năng vận động quần chúng cho cán bộ mới",
    "Tăng kinh phí hoạt động cho chi hội ở thôn đồng bào dân tộc thiểu số",
    "Giảm bớt báo cáo, biểu mẫu để cán bộ có thời gian xuống cơ sở",
    "Cần hỗ trợ phương tiện đi lại cho cán bộ ở địa bàn xa",
    "Bồi dưỡng cán bộ biết tiếng dân tộc tại chỗ",
    "",
])
DIFFICULTY_OTHER = np.array([
    "Thiếu hội trường sinh hoạt", "Hội viên lớn tuổi, ít tham gia",
    "Mùa vụ trùng lịch sinh hoạt",
])
ETHNIC_BY_LABEL = {"chăm": "cham", "raglai": "raglai", "k'ho": "kho", "hoa": "hoa",
                   "châu ro": "chauro", "tày": "tay", "nùng": "nung"}


@dataclass
class Ledger:
    """Injected defects (one frame per call), joined to file rows at the end."""

    parts: list[pd.DataFrame] = field(default_factory=list)

    def add(self, rid: np.ndarray, variable: str | np.ndarray, raw: Any, true: Any,
            kind: str, outcome: str) -> None:
        """Record defects of one kind for the records ``rid``."""
        n = len(rid)
        if n == 0:
            return
        self.parts.append(pd.DataFrame({
            "_rid": np.asarray(rid, dtype=np.int64),
            "variable": np.broadcast_to(np.asarray(variable, dtype=object), n),
            "raw_value": np.broadcast_to(np.asarray(raw, dtype=object), n).astype(str),
            "true_value": np.broadcast_to(np.asarray(true, dtype=object), n).astype(str),
            "defect_kind": kind,
            "expected_outcome": outcome,
        }))

    def frame(self) -> pd.DataFrame:
        """All defects recorded so far."""
        cols = ["_rid", "variable", "raw_value", "true_value", "defect_kind", "expected_outcome"]
        return pd.concat(self.parts, ignore_index=True) if self.parts else pd.DataFrame(
            columns=cols)


# --------------------------------------------------------------------------------------
# Frames and small helpers
# --------------------------------------------------------------------------------------


def commune_frame(province_code: str) -> pd.DataFrame:
    """Commune frame of one province, or of the whole country for ``"ALL"``."""
    if province_code.upper() != "ALL":
        return communes(province_code)
    units = admin_units("2014").copy()
    em = em_areas().rename(columns={"commune_code_2014": "commune_code"})
    em = em[["commune_code", "em_area", "em_groups"]]
    units = units.merge(em, on="commune_code", how="left")
    units["em_area"] = units["em_area"].fillna("none").replace("", "none")
    units["em_groups"] = units["em_groups"].fillna("")
    return units.sort_values("commune_code").reset_index(drop=True)


def _fmt_int(values: np.ndarray) -> np.ndarray:
    """Integers (float with NaN for missing) → text, '' for missing."""
    out = np.full(len(values), "", dtype=object)
    ok = ~np.isnan(values)
    out[ok] = values[ok].astype(np.int64).astype(str)
    return out


def _fmt_dec(values: np.ndarray) -> np.ndarray:
    """Decimals → shortest text ('45.5', '80'), '' for missing."""
    out = np.full(len(values), "", dtype=object)
    ok = ~np.isnan(values)
    text = np.round(values[ok], 1).astype(str)
    out[ok] = np.char.replace(text.astype("U32"), ".0", "").astype(object) if len(text) else text
    return out


def _multi_lut(codes: list[str]) -> np.ndarray:
    """Lookup table: bitmask → space-separated codes in codebook order."""
    k = len(codes)
    lut = np.empty(2**k, dtype=object)
    for m in range(2**k):
        lut[m] = " ".join(c for j, c in enumerate(codes) if m >> j & 1)
    return lut


def _multi(rng: np.random.Generator, probs: np.ndarray, codes: list[str],
           at_least_one: int | None = 0) -> np.ndarray:
    """Draw a select_multiple (probs: n × k) → space-separated codes."""
    bits = rng.random(probs.shape) < probs
    if at_least_one is not None:
        bits[~bits.any(axis=1), at_least_one] = True
    mask = (bits * (1 << np.arange(len(codes)))).sum(axis=1)
    return _multi_lut(codes)[mask]


def _names(rng: np.random.Generator, female: np.ndarray) -> np.ndarray:
    """Synthetic Vietnamese full names."""
    n = len(female)
    fam = FAMILY[rng.integers(0, len(FAMILY), n)]
    mid = np.where(female, MIDDLE_F[rng.integers(0, len(MIDDLE_F), n)],
                   MIDDLE_M[rng.integers(0, len(MIDDLE_M), n)])
    giv = np.where(female, GIVEN_F[rng.integers(0, len(GIVEN_F), n)],
                   GIVEN_M[rng.integers(0, len(GIVEN_M), n)])
    return (pd.Series(fam) + " " + pd.Series(mid) + " " + pd.Series(giv)).to_numpy(object)


def _phones(rng: np.random.Generator, n: int) -> np.ndarray:
    """Synthetic mobile numbers (10 digits, 09x prefix)."""
    prefix = np.array(["091", "093", "094", "097", "098", "090"])[rng.integers(0, 6, n)]
    body = pd.Series(rng.integers(0, 10**7, n)).astype(str).str.zfill(7)
    return (pd.Series(prefix) + body).to_numpy(object)


def _uuids(rng: np.random.Generator, n: int) -> np.ndarray:
    """Deterministic UUID4-shaped strings (vectorised)."""
    hexes = pd.Series(np.frombuffer(rng.bytes(16 * n).hex().encode(), dtype="S32").astype("U32"))
    parts = [hexes.str.slice(0, 8), "-", hexes.str.slice(8, 12), "-4", hexes.str.slice(13, 16),
             "-a", hexes.str.slice(17, 20), "-", hexes.str.slice(20, 32)]
    out = parts[0]
    for p in parts[1:]:
        out = out + p
    return out.to_numpy(dtype=object)


def _pick(rng: np.random.Generator, pool: np.ndarray, rate: float,
          used: np.ndarray | None = None) -> np.ndarray:
    """Pick ≈ rate × len(pool) distinct indices from ``pool`` not yet ``used`` (sorted)."""
    if used is not None:
        pool = pool[~used[pool]]
    k = min(len(pool), max(1, round(rate * len(pool)))) if len(pool) else 0
    chosen = np.sort(rng.choice(pool, size=k, replace=False)) if k else pool[:0]
    if used is not None:
        used[chosen] = True
    return chosen


def _clip_int(x: np.ndarray, lo: float, hi: np.ndarray | float) -> np.ndarray:
    return np.floor(np.clip(x, lo, hi))


# --------------------------------------------------------------------------------------
# True values
# --------------------------------------------------------------------------------------


def _commune_level(frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Per-commune latent size: residential areas, households, persons."""
    n = len(frame)
    urban = frame["commune_type"].isin(["Phường", "Thị trấn"]).to_numpy()
    n_res = np.where(urban, rng.integers(5, 14, n), rng.integers(4, 16, n)).astype(float)
    hh = n_res * rng.integers(180, 450, n)
    return pd.DataFrame({
        "commune_code": frame["commune_code"].to_numpy(),
        "district_code": frame["district_code"].to_numpy(),
        "em": frame["em_area"].map(EM_CODE).to_numpy(),
        "em_groups": frame["em_groups"].to_numpy(),
        "urban": urban, "n_res": n_res, "hh": hh,
        "persons": np.round(hh * rng.uniform(3.6, 4.4, n)),
    })


def truth_form_a(frame: pd.DataFrame, cb: Codebook, rng: np.random.Generator) -> pd.DataFrame:
    """True values of form A for every commune × organisation (numbers as float)."""
    com = _commune_level(frame, rng)
    c = com.loc[com.index.repeat(len(ORGS))].reset_index(drop=True)
    n = len(c)
    org = np.tile(np.array(ORGS), len(com))
    em = c["em"].to_numpy()
    is_ = {o: org == o for o in ORGS}
    weak = rng.random(n) < 0.05 + 0.08 * (em == 2) + 0.03 * (em == 1)
    q = np.clip(rng.beta(5, 2, n) - 0.15 * (em == 2) - 0.06 * (em == 1), 0.05, 1)
    q = np.where(weak, q * 0.45, q)
    n_res = c["n_res"].to_numpy()
    extra = np.where(is_["doan"], rng.integers(0, 4, n),
                     np.where(is_["mttq"], 0, (rng.random(n) < 0.15) * rng.integers(1, 3, n)))
    n_br = n_res + extra
    share_em = np.where(em == 2, rng.uniform(0.7, 1.0, n),
                        np.where(em == 1, rng.uniform(0.1, 0.4, n), 0.0))
    hh, persons, urban = c["hh"].to_numpy(), c["persons"].to_numpy(), c["urban"].to_numpy()
    elig = np.select(
        [is_["hnd"], is_["hlhpn"], is_["doan"], is_["hccb"]],
        [np.maximum(30, hh * np.where(urban, rng.uniform(0.05, 0.25, n),
                                      rng.uniform(0.5, 0.85, n))),
         persons * rng.uniform(0.3, 0.36, n), persons * rng.uniform(0.18, 0.25, n),
         np.maximum(15, persons * rng.uniform(0.01, 0.02, n))], np.nan)
    elig = np.round(elig)
    base = np.select([is_["hnd"], is_["hlhpn"], is_["doan"], is_["hccb"]],
                     [0.78, 0.72, 0.5, 0.93], np.nan)
    g = np.clip(base * (0.72 + 0.3 * q) - 0.12 * (em == 2) - 0.04 * (em == 1), 0.1, 0.99)
    mem = np.round(elig * g)
    t: dict[str, Any] = {
        "round_id": None, "district_code": c["district_code"].to_numpy(),
        "commune_code": c["commune_code"].to_numpy(), "org_type": org,
        "interview_date": (np.datetime64(PERIOD[0]) + rng.integers(
            0, (PERIOD[1] - PERIOD[0]).days + 1, n)).astype(str),
        "respondent_position": np.where(rng.random(n) < 0.7, "chair", "vice"),
        "n_residential_areas": n_res, "n_branches": n_br,
        "n_branches_em_villages": np.floor(n_br * share_em),
        "eligible_pop": elig,
        "eligible_unit": np.where(is_["mttq"], "", np.where(is_["hnd"], "household", "person")),
        "members_total": mem,
        "members_em": np.floor(mem * np.where(em == 2, rng.uniform(0.7, 0.98, n), np.where(
            em == 1, rng.uniform(0.1, 0.35, n), rng.uniform(0, 0.02, n)))),
        "members_new_12m": np.floor(mem * rng.uniform(0.02, 0.1, n)),
        "members_left_12m": np.floor(mem * rng.uniform(0.0, 0.08, n)),
        "members_with_card": np.floor(mem * np.clip(0.55 + 0.45 * q, 0, 1)),
        "members_paid_dues": np.floor(mem * np.clip(0.45 + 0.5 * q + rng.normal(0, .05, n), 0,
                                                    1)),
        "households_reached_pct": np.where(is_["mttq"], np.round(np.clip(
            62 + 36 * q - 8 * (em == 2) + rng.normal(0, 3, n), 20, 99.5), 1), np.nan),
        "has_annual_plan": np.where(weak, rng.random(n) < 0.4, rng.random(n) < 0.96)
        .astype(int).astype(str),
        "meetings_required_per_year": np.select(
            [is_["doan"], is_["hlhpn"]], [12.0, 6.0], 4.0),
    }
    met = np.floor(n_br * np.clip(0.35 + 0.6 * q + rng.normal(0, 0.05, n), 0, 1))
    silent = np.where(weak, rng.integers(1, 4, n), (rng.random(n) < 0.08).astype(int))
    t["branches_met_on_schedule"] = met
    t["branches_silent_6m"] = np.minimum(silent, n_br - met)
    t["attendance_pct"] = np.round(np.clip(48 + 42 * q + rng.normal(0, 4, n), 15, 99), 0)
    _meetings_and_cadres(t, cb, rng, q, weak, em, org, n_br, is_)
    return pd.DataFrame(t)


def _meetings_and_cadres(t: dict[str, Any], cb: Codebook, rng: np.random.Generator,
                         q: np.ndarray, weak: np.ndarray, em: np.ndarray, org: np.ndarray,
                         n_br: np.ndarray, is_: dict[str, np.ndarray]) -> None:
    """Meeting content, cadres, DVK models, rating and difficulties (in place)."""
    n = len(q)
    mc = cb.codes("meeting_content")
    p = np.column_stack([
        np.full(n, 0.95), np.full(n, 0.85), 0.15 + 0.55 * q, 0.1 + 0.4 * q,
        np.where(is_["hnd"] | is_["hlhpn"], 0.55, 0.2) * q, 0.08 + 0.3 * q,
        np.where(is_["doan"], 0.7, 0.1 + 0.35 * q), 0.1 + 0.3 * q, np.full(n, 0.03)])
    t["meeting_content"] = _multi(rng, p[:, : len(mc)], mc)
    thematic = np.char.find(t["meeting_content"].astype(str), "thematic") >= 0
    t["thematic_meetings_12m"] = np.where(thematic, rng.integers(1, 3, n) * n_br // 2 + 1, 0.0)
    t["reports_required_12m"] = rng.integers(20, 121, n).astype(float)
    t["admin_time_pct"] = np.round(np.clip(30 + 40 * (1 - q) + rng.normal(0, 5, n), 5, 95), 0)
    n_exec = np.where(is_["mttq"], rng.integers(20, 36, n), rng.integers(7, 16, n)).astype(float)
    t["n_exec_members"] = n_exec
    t["n_exec_vacant"] = np.where(weak, rng.integers(1, 4, n), rng.random(n) < 0.08).astype(float)
    em_pen = 0.2 * (em == 2) + 0.08 * (em == 1)
    t["cadres_trained_12m"] = np.floor((n_exec + n_br) * np.clip(0.3 + 0.6 * q - em_pen, 0.02, 1))
    mem = t["members_total"]
    t["n_core_activists"] = np.where(is_["mttq"], np.nan,
                                     np.minimum(mem, n_br * rng.integers(2, 7, n)))
    t["n_introduced_party_12m"] = np.where(is_["mttq"], np.nan, np.minimum(
        mem, np.where(is_["doan"], rng.integers(0, 9, n), rng.integers(0, 4, n))))
    reg = rng.poisson(0.6 + 2.2 * q).astype(float)
    rec = rng.binomial(reg.astype(int), np.clip(0.25 + 0.5 * q, 0, 1)).astype(float)
    t["dvk_registered_12m"], t["dvk_recognised_12m"] = reg, rec
    t["dvk_top_level"] = np.where(rec == 0, "0", rng.choice(["1", "2", "3"], n, p=[.6, .3, .1]))
    m1, m2 = rng.integers(0, len(DVK_MODELS), (2, n))
    names = np.where(reg >= 2, DVK_MODELS[m1] + "; " + DVK_MODELS[(m1 + m2 % 5 + 1)
                                                                % len(DVK_MODELS)],
                     DVK_MODELS[m1])
    t["dvk_model_names"] = np.where(reg > 0, names, "").astype(object)
    t["exemplars_commended_12m"] = rng.poisson(2 + 8 * q).astype(float)
    issues = rng.integers(0, 13, n)
    t["bulletin_issues_12m"] = issues.astype(float)
    t["bulletin_dvk_features_12m"] = rng.binomial(issues, np.clip(0.15 + 0.5 * q, 0, 1)).astype(
        float)
    score = q + rng.normal(0, 0.08, n)
    rating = np.where(score > 0.72, "1", np.where(score > 0.5, "2", "3"))
    rating = np.where(rng.random(n) < 0.02, "9", rating)
    t["rating_last_year"] = np.where(weak, "4", rating)
    t["branches_rated_weak"] = np.where(weak, np.minimum(n_br, rng.integers(1, 4, n)),
                                        rng.binomial(n_br.astype(int), 0.05 * (1 - q))).astype(
        float)
    dc = cb.codes("difficulties")
    p = np.column_stack([
        np.full(n, 0.6), np.full(n, 0.5), np.where(is_["doan"], 0.5, 0.25),
        0.03 + 0.6 * (em == 2) + 0.3 * (em == 1), 0.12 + 0.3 * (em > 0), np.full(n, 0.15),
        np.full(n, 0.2), 0.02 + 0.1 * (em > 0), np.full(n, 0.04)])
    t["difficulties"] = _multi(rng, p[:, : len(dc)], dc)
    other = np.char.find(t["difficulties"].astype(str), "other") >= 0
    t["difficulties_other"] = np.where(
        other, DIFFICULTY_OTHER[rng.integers(0, len(DIFFICULTY_OTHER), n)], "").astype(object)
    t["proposals"] = PROPOSALS[rng.integers(0, len(PROPOSALS), n)].astype(object)
    del org


def draw_sample(frame: pd.DataFrame, rng: np.random.Generator, national: bool) -> pd.DataFrame:
    """Stratified one-stage cluster sample: communes drawn per district without replacement."""
    rows = []
    for dist, grp in frame.groupby("district_code", sort=True):
        n_h = len(grp)
        k = n_h if n_h <= 3 else int(np.clip(np.ceil(n_h / (2.0 if national else 3.5)), 3, 6))
        k = min(k, n_h) if not national else max(min(n_h, 2), k)
        drawn = np.sort(rng.choice(grp["commune_code"].to_numpy(), size=k, replace=False))
        rows.append(pd.DataFrame({"district_code": dist, "commune_code": drawn,
                                  "n_psu_in_stratum": n_h}))
    return pd.concat(rows, ignore_index=True)


def _cadre_counts(rng: np.random.Generator, n_cells: int, target: int | None) -> np.ndarray:
    """Cadres per (commune, org) cell; exactly ``target`` in total when given."""
    if target is None:
        return (1 + rng.integers(1, 3, n_cells) + rng.integers(1, 3, n_cells)
                + rng.integers(2, 4, n_cells) + rng.integers(0, 2, n_cells))
    base = 3
    rest = target - base * n_cells
    if rest < 0:
        raise ValueError("target too small for the number of sampled cells")
    return base + rng.multinomial(rest, np.full(n_cells, 1 / n_cells))


def truth_form_b(frame: pd.DataFrame, sample: pd.DataFrame, cb: Codebook,
                 rng: np.random.Generator, target: int | None) -> pd.DataFrame:
    """True values of form B for every key cadre of every drawn commune."""
    com = frame.set_index("commune_code").loc[sample["commune_code"]]
    n_cells = len(sample) * len(ORGS)
    counts = _cadre_counts(rng, n_cells, target)
    cell_commune = np.repeat(sample["commune_code"].to_numpy(), len(ORGS))
    cell_org = np.tile(np.array(ORGS), len(sample))
    idx = np.repeat(np.arange(n_cells), counts)
    rank = np.arange(len(idx)) - np.repeat(np.cumsum(counts) - counts, counts)
    n = len(idx)
    commune = cell_commune[idx]
    org = cell_org[idx]
    em_cell = np.repeat(com["em_area"].map(EM_CODE).to_numpy(), len(ORGS))
    em = em_cell[idx]
    groups = np.repeat(com["em_groups"].to_numpy(), len(ORGS))[idx]
    dist = np.repeat(sample["district_code"].to_numpy(), len(ORGS))[idx]
    rank_text = pd.Series(rank + 1).astype(str).str.zfill(2)
    cadre_id = ("B-" + pd.Series(commune) + "-" + pd.Series(org) + "-" + rank_text).to_numpy()
    later = rng.choice(["exec", "branch_head", "branch_vice"], n, p=[.35, .45, .2])
    position = np.where(rank == 0, "chair", np.where(rank == 1, "vice", later))
    female = np.where(org == "hlhpn", True, np.where(org == "hccb", rng.random(n) < 0.03,
                                                     rng.random(n) < 0.3))
    birth = np.select([org == "doan", org == "hccb"],
                      [rng.integers(1980, 1995, n), rng.integers(1945, 1966, n)],
                      rng.integers(1955, 1989, n)).astype(float)
    age = REFERENCE_YEAR - birth
    is_em = rng.random(n) < np.select([em == 2, em == 1], [0.8, 0.3], 0.02)
    eth = np.where(is_em, _ethnic_code(groups), "kinh")
    speaks = np.where(
        is_em, "2", np.where(em == 0, np.where(rng.random(n) < 0.9, "8", "0"),
                             rng.choice(["0", "1", "2"], n, p=[.4, .4, .2])))
    edu_p = np.where(is_em[:, None], [[.08, .22, .4, .3]], [[.02, .08, .3, .6]])
    edu = (edu_p.cumsum(axis=1) < rng.random(n)[:, None]).sum(axis=1) + 1
    lead = (position == "chair") | (position == "vice")
    theory = np.where(lead, rng.choice(["1", "2", "3"], n, p=[.2, .7, .1]),
                      rng.choice(["0", "1", "2"], n, p=[.5, .4, .1]))
    trained = rng.random(n) < 0.78 - 0.3 * (em == 2) - 0.12 * (em == 1)
    tt = cb.codes("training_topics")
    topics = _multi(rng, np.tile([.7, .5, .35, .3, .3, .35, .25, .03][: len(tt)], (n, 1)), tt)
    years = np.round(rng.uniform(0, 1, n) * np.minimum(15, age - 16), 1)
    vig_codes = cb.codes("vignette")
    vig = np.where(em == 2, rng.choice(vig_codes, n, p=[.25, .25, .35, .05, .1]),
                   rng.choice(vig_codes, n, p=[.2, .45, .25, .05, .05]))
    dc = cb.codes("difficulties")
    p = np.tile([.55, .5, .25, .05, .15, .1, .2, .03, .03][: len(dc)], (n, 1))
    p[:, 3] += 0.55 * (em == 2) + 0.25 * (em == 1)
    skill_base = 2 + trained + (rng.random(n) < 0.5)
    return pd.DataFrame({
        "round_id": None, "district_code": dist, "commune_code": commune, "org_type": org,
        "cadre_id": cadre_id, "position": position,
        "sex": np.where(female, "2", "1"), "birth_year": birth, "ethnicity": eth,
        "speaks_em_language": speaks, "education": edu.astype(str),
        "political_theory": theory,
        "is_party_member": (rng.random(n) < np.where(lead, 0.96, 0.6)).astype(int).astype(str),
        "years_in_post": years, "concurrent_posts": rng.integers(0, 4, n).astype(float),
        "trained_12m": trained.astype(int).astype(str),
        "training_topics": np.where(trained, topics, ""),
        "skill_mobilising": np.clip(skill_base + rng.integers(-1, 2, n), 1, 5).astype(str),
        "skill_situations": np.clip(skill_base - (em == 2) + rng.integers(-1, 2, n), 1, 5)
        .astype(str),
        "vignette_land_protest": vig,
        "field_days_per_month": rng.integers(2, 17, n).astype(float),
        "paperwork_hours_per_week": np.round(rng.uniform(2, 20, n) * 2) / 2,
        "nq25_awareness": rng.choice(["0", "1", "2"], n, p=[.1, .3, .6]),
        "agrees_dv_is_unions_job": rng.choice(["1", "2", "3", "4", "5"], n,
                                              p=[.1, .2, .2, .35, .15]),
        "in_dvk_model": (rng.random(n) < 0.35).astype(int).astype(str),
        "main_difficulties": _multi(rng, p, dc),
        "_female": female, "_em": em,
    })


def _ethnic_code(groups: np.ndarray) -> np.ndarray:
    """First ethnicity code named in a commune's em_groups text (else 'other')."""
    uniq = pd.unique(groups)
    lut = {}
    for g in uniq:
        code = "other"
        for part in re.split(r"[;,/]", str(g)):
            key = part.strip().lower()
            if key in ETHNIC_BY_LABEL:
                code = ETHNIC_BY_LABEL[key]
                break
        lut[g] = code
    return pd.Series(groups).map(lut).to_numpy(object)


# --------------------------------------------------------------------------------------
# Rendering (true numbers → Kobo text)
# --------------------------------------------------------------------------------------


def render(truth: pd.DataFrame, variables: tuple[Variable, ...]) -> pd.DataFrame:
    """Codebook variables as Kobo writes them (text; '' for missing)."""
    out = {}
    for v in variables:
        if v.name not in truth.columns:
            continue
        col = truth[v.name].to_numpy()
        if v.base_type == "integer":
            out[v.name] = _fmt_int(col.astype(float))
        elif v.base_type == "decimal":
            out[v.name] = _fmt_dec(col.astype(float))
        else:
            out[v.name] = pd.Series(col).fillna("").astype(str).to_numpy(object)
    return pd.DataFrame(out)


def truth_text(truth: pd.DataFrame, variables: tuple[Variable, ...]) -> pd.DataFrame:
    """Truth table as text (codes, plain numbers), without personal data."""
    keep = [v for v in variables if not v.personal_data and v.name in truth.columns]
    return render(truth, tuple(keep))


# --------------------------------------------------------------------------------------
# Defect injection (vectorised over records)
# --------------------------------------------------------------------------------------


def _label_of(cb: Codebook, list_name: str) -> dict[str, str]:
    return {c.code: c.label_vi for c in cb.choices[list_name]}


def inject_soft_a(t: pd.DataFrame, rng: np.random.Generator, pool: np.ndarray,
                  used: np.ndarray, led: Ledger) -> pd.DataFrame:
    """Soft anomalies in true values (kept, flagged): they are real answers."""
    t = t.copy()
    non_mttq = pool[t["org_type"].to_numpy()[pool] != "mttq"]
    rows = _pick(rng, pool[t["n_residential_areas"].to_numpy()[pool] >= 3],
                 RATES["branches_below_areas"], used)
    n_br = t["n_residential_areas"].to_numpy()[rows] - rng.integers(1, 3, len(rows))
    t.loc[rows, "n_branches"] = n_br
    for col in ("n_branches_em_villages", "branches_met_on_schedule", "branches_rated_weak"):
        t.loc[rows, col] = np.minimum(t.loc[rows, col].to_numpy(), n_br)
    t.loc[rows, "branches_silent_6m"] = np.minimum(
        t.loc[rows, "branches_silent_6m"].to_numpy(),
        n_br - t.loc[rows, "branches_met_on_schedule"].to_numpy())
    led.add(rows, "n_branches", _fmt_int(n_br.astype(float)), _fmt_int(n_br.astype(float)),
            "branches_below_areas", "flagged")
    rows = _pick(rng, non_mttq, RATES["members_left_high"], used)
    left = np.floor(t.loc[rows, "members_total"].to_numpy() * rng.uniform(0.32, 0.45, len(rows)))
    t.loc[rows, "members_left_12m"] = left
    led.add(rows, "members_left_12m", _fmt_int(left), _fmt_int(left), "members_left_high",
            "flagged")
    rows = _pick(rng, pool, RATES["dvk_recognised_exceeds"], used)
    reg = t.loc[rows, "dvk_registered_12m"].to_numpy()
    t.loc[rows, "dvk_recognised_12m"] = reg + 1
    t.loc[rows, "dvk_top_level"] = "1"
    led.add(rows, "dvk_recognised_12m", _fmt_int(reg + 1), _fmt_int(reg + 1),
            "dvk_recognised_exceeds", "flagged")
    return t


def inject_hard_a(raw: pd.DataFrame, status: np.ndarray, rng: np.random.Generator,
                  pool: np.ndarray, used: np.ndarray, led: Ledger) -> None:
    """Impossible values in raw text → the record must be quarantined (in place)."""
    person = pool[raw["eligible_unit"].to_numpy()[pool] == "person"]
    rows = _pick(rng, person, RATES["members_exceed_eligible"], used)
    true = raw.loc[rows, "members_total"].to_numpy()
    bad = _fmt_int(raw.loc[rows, "eligible_pop"].to_numpy().astype(float)
                   + rng.integers(10, 200, len(rows)))
    raw.loc[rows, "members_total"] = bad
    led.add(rows, "members_total", bad, true, "members_exceed_eligible", "quarantined")
    status[rows] = "quarantined"
    for var in ("members_new_12m", "n_exec_vacant", "thematic_meetings_12m"):
        cand = pool[raw[var].to_numpy()[pool] != ""]
        rows = _pick(rng, cand, RATES["negative_count"] / 3, used)
        true = raw.loc[rows, var].to_numpy()
        bad = (-rng.integers(1, 6, len(rows))).astype(str)
        raw.loc[rows, var] = bad
        led.add(rows, var, bad, true, "negative_count", "quarantined")
        status[rows] = "quarantined"
    rows = _pick(rng, pool, RATES["silent_exceeds_branches"], used)
    true = raw.loc[rows, "branches_silent_6m"].to_numpy()
    bad = _fmt_int(raw.loc[rows, "n_branches"].to_numpy().astype(float)
                   + rng.integers(1, 4, len(rows)))
    raw.loc[rows, "branches_silent_6m"] = bad
    led.add(rows, "branches_silent_6m", bad, true, "silent_exceeds_branches", "quarantined")
    status[rows] = "quarantined"


def inject_special_missing(raw: pd.DataFrame, truth: pd.DataFrame, rng: np.random.Generator,
                           pool: np.ndarray, used: np.ndarray, led: Ledger,
                           spec: Mapping[str, tuple[str, ...]]) -> None:
    """Special missing codes (−9, −8, 99, 999, 'không rõ'): become missing."""
    per = RATES["special_missing"] / len(spec)
    for var, codes in spec.items():
        cand = pool[raw[var].to_numpy()[pool] != ""]
        rows = _pick(rng, cand, per, used)
        bad = np.array(codes, dtype=object)[rng.integers(0, len(codes), len(rows))]
        led.add(rows, var, bad, "", "special_missing", "repaired")
        raw.loc[rows, var] = bad
        truth.loc[rows, var] = np.nan


def inject_choice_labels(raw: pd.DataFrame, cb: Codebook, form: str, rng: np.random.Generator,
                         pool: np.ndarray, used: np.ndarray, led: Ledger,
                         names: tuple[str, ...]) -> None:
    """A choice label written instead of its code (repairable via the codebook)."""
    per = RATES["choice_label"] / len(names)
    for var in names:
        labels = _label_of(cb, cb.var(form, var).list_name or "")  # type: ignore[arg-type]
        cand = pool[raw[var].to_numpy()[pool] != ""]
        rows = _pick(rng, cand, per, used)
        true = raw.loc[rows, var].to_numpy()
        bad = np.array([labels[x] for x in true], dtype=object)
        raw.loc[rows, var] = bad
        led.add(rows, var, bad, true, "choice_label", "repaired")


def mojibake(text: str) -> str:
    """UTF-8 bytes read as Windows-1252 (what Excel shows for a BOM-less UTF-8 CSV)."""
    import ftfy.bad_codecs  # noqa: F401  (registers sloppy-windows-1252)

    return text.encode("utf-8").decode("sloppy-windows-1252")


def inject_text(raw: pd.DataFrame, rng: np.random.Generator, pool: np.ndarray,
                used: np.ndarray, led: Ledger, names: tuple[str, ...]) -> None:
    """UTF-8 mojibake and NFD text in free-text fields (repairable)."""
    for kind, fn in (("mojibake", mojibake),
                     ("nfd_text", lambda s: unicodedata.normalize("NFD", s))):
        per = RATES[kind] / len(names)
        for var in names:
            vals = raw[var].to_numpy()
            nonascii = pd.Series(vals[pool], dtype=object).astype(str).str.contains(
                r"[^\x00-\x7f]", regex=True).to_numpy(dtype=bool)
            cand = pool[nonascii]
            rows = _pick(rng, cand, per, used)
            true = vals[rows]
            bad = np.array([fn(s) for s in true], dtype=object)
            raw.loc[rows, var] = bad
            led.add(rows, var, bad, true, kind, "repaired")


def inject_soft_b(t: pd.DataFrame, rng: np.random.Generator, pool: np.ndarray,
                  used: np.ndarray, led: Ledger) -> pd.DataFrame:
    """Soft anomalies among cadres (kept, flagged)."""
    t = t.copy()
    org = t["org_type"].to_numpy()
    rows = _pick(rng, pool[org[pool] == "doan"], RATES["doan_over_35"], used)
    birth = rng.integers(1970, 1978, len(rows)).astype(float)
    t.loc[rows, "birth_year"] = birth
    led.add(rows, "birth_year", _fmt_int(birth), _fmt_int(birth), "doan_over_35", "flagged")
    em_rows = pool[(t["speaks_em_language"].to_numpy()[pool] != "8")
                   & (t["ethnicity"].to_numpy()[pool] == "kinh")
                   & (t["_em"].to_numpy()[pool] > 0)]
    rows = _pick(rng, em_rows, RATES["em_language_na_in_em_area"], used)
    t.loc[rows, "speaks_em_language"] = "8"
    led.add(rows, "speaks_em_language", "8", "8", "em_language_na_in_em_area", "flagged")
    return t


def inject_hard_b(raw: pd.DataFrame, status: np.ndarray, rng: np.random.Generator,
                  pool: np.ndarray, used: np.ndarray, led: Ledger) -> None:
    """Impossible cadre answers → quarantined (in place)."""
    rows = _pick(rng, pool, RATES["birth_year_out_of_range"], used)
    bad = np.where(rng.random(len(rows)) < 0.5, "2008", "1920").astype(object)
    led.add(rows, "birth_year", bad, raw.loc[rows, "birth_year"].to_numpy(),
            "birth_year_out_of_range", "quarantined")
    raw.loc[rows, "birth_year"] = bad
    status[rows] = "quarantined"
    birth = pd.to_numeric(raw["birth_year"]).to_numpy()
    young = pool[birth[pool] >= 1970]
    rows = _pick(rng, young, RATES["years_exceed_age"], used)
    bad = _fmt_int(REFERENCE_YEAR - birth[rows] - 16 + rng.integers(2, 6, len(rows)))
    led.add(rows, "years_in_post", bad, raw.loc[rows, "years_in_post"].to_numpy(),
            "years_exceed_age", "quarantined")
    raw.loc[rows, "years_in_post"] = bad
    status[rows] = "quarantined"
    trained = pool[raw["trained_12m"].to_numpy()[pool] == "1"]
    rows = _pick(rng, trained, RATES["topics_without_training"], used)
    led.add(rows, "trained_12m", "0", "1", "topics_without_training", "quarantined")
    raw.loc[rows, "trained_12m"] = "0"
    status[rows] = "quarantined"


# --------------------------------------------------------------------------------------
# Kobo export
# --------------------------------------------------------------------------------------


def kobo_columns(cb: Codebook, form: str) -> list[tuple[str, str, str | None]]:
    """(header, variable, choice code or None) in Kobo's XML-header export order."""
    cols: list[tuple[str, str, str | None]] = [("start", "start", None), ("end", "end", None)]
    for v in cb.form(form):  # type: ignore[arg-type]
        if not v.in_form:
            continue
        cols.append((v.xml_path, v.name, None))
        if v.base_type == "select_multiple":
            cols += [(f"{v.xml_path}/{c}", v.name, c) for c in cb.codes(v.list_name or "")]
    return cols + [(m, m, None) for m in KOBO_META_TAIL]


def _times(rng: np.random.Generator, dates: np.ndarray) -> dict[str, np.ndarray]:
    """start/end (local +07:00) and _submission_time (UTC) for interview dates."""
    n = len(dates)
    start = (dates.astype("datetime64[s]") + rng.integers(7 * 3600, 17 * 3600, n)
             .astype("timedelta64[s]"))
    end = start + rng.integers(600, 2700, n).astype("timedelta64[s]")
    sub = end - np.timedelta64(7, "h") + rng.integers(60, 36 * 3600, n).astype("timedelta64[s]")
    ms = pd.Series(rng.integers(0, 1000, n)).astype(str).str.zfill(3)
    fmt = np.datetime_as_string
    return {
        "start": (pd.Series(fmt(start)) + "." + ms + "+07:00").to_numpy(object),
        "end": (pd.Series(fmt(end)) + "." + ms + "+07:00").to_numpy(object),
        "_submission_time": fmt(sub).astype(object),
    }


def add_duplicates(raw: pd.DataFrame, rng: np.random.Generator, pool: np.ndarray,
                   used: np.ndarray, led: Ledger, change_vars: tuple[str, ...]) -> pd.DataFrame:
    """Append earlier submissions of the same keys (half with a since-corrected value)."""
    rows = _pick(rng, pool, RATES["duplicate"], used)
    dup = raw.loc[rows].copy()
    n0 = int(raw["_rid"].max()) + 1
    dup["_rid"] = np.arange(n0, n0 + len(rows))
    shift = rng.integers(1, 4, len(rows)).astype("timedelta64[D]")
    for col in ("start", "end"):
        base = pd.Series(dup[col].to_numpy()).str.slice(0, 19).to_numpy().astype("datetime64[s]")
        tail = pd.Series(dup[col].to_numpy()).str.slice(19)
        dup[col] = (pd.Series(np.datetime_as_string(base - shift)) + tail.to_numpy()).to_numpy()
    sub = dup["_submission_time"].to_numpy().astype("datetime64[s]") - shift
    dup["_submission_time"] = np.datetime_as_string(sub).astype(object)
    changed = rng.random(len(rows)) < 0.5
    var = np.array(change_vars, dtype=object)[rng.integers(0, len(change_vars), len(rows))]
    bump = rng.integers(1, 9, len(rows))
    stale = np.full(len(rows), "", dtype=object)
    true = np.full(len(rows), "", dtype=object)
    for v in change_vars:
        m = var == v
        cur = dup[v].to_numpy().astype(str)
        num = pd.to_numeric(pd.Series(cur), errors="coerce").to_numpy()
        ok = m & changed & ~np.isnan(num)
        new = np.where(ok, _fmt_int(np.where(ok, num + bump, np.nan)), cur)
        dup[v] = new
        true = np.where(m, cur, true)
        stale = np.where(m, new, stale)
        changed = np.where(m, ok, changed)
    led.add(dup["_rid"].to_numpy(), np.where(changed, var, ""), np.where(changed, stale, ""),
            np.where(changed, true, ""), "duplicate_submission", "duplicate")
    return pd.concat([raw, dup], ignore_index=True)


def finish_kobo(raw: pd.DataFrame, rng: np.random.Generator, versions: tuple[str, str],
                switch: str) -> pd.DataFrame:
    """Sort by submission time and add Kobo system columns."""
    raw = raw.sort_values(["_submission_time", "_rid"], kind="stable").reset_index(drop=True)
    n = len(raw)
    raw["_id"] = (np.arange(n) + 30_000_000 + rng.integers(0, 1000)).astype(str)
    raw["_uuid"] = _uuids(rng, n)
    raw["_validation_status"] = np.where(rng.random(n) < 0.1, "Approved", "")
    raw["_notes"] = ""
    raw["_status"] = "submitted_via_web"
    raw["_submitted_by"] = ("dv_" + raw["district_code"].astype(str)).to_numpy()
    raw["__version__"] = np.where(raw["_submission_time"].to_numpy().astype(str) < switch,
                                  versions[0], versions[1])
    raw["_tags"] = ""
    raw["_index"] = (np.arange(n) + 1).astype(str)
    raw["_row"] = np.arange(n) + 2
    return raw


def write_kobo_csv(raw: pd.DataFrame, dummies_from: pd.Series, cols: list[tuple[str, str, str |
                   None]], path: Path) -> None:
    """Write a KoboToolbox CSV export: ';', every field quoted, CRLF, UTF-8 without BOM."""
    plain = list(dict.fromkeys(var for _, var, code in cols if code is None))
    base = pl.from_pandas(raw[plain].astype(str))
    exprs = []
    for header, var, code in cols:
        if code is None:
            exprs.append(pl.col(var).alias(header))
            continue
        sel = pl.col(var)
        has = (pl.lit(" ") + sel + pl.lit(" ")).str.contains(f" {code} ", literal=True)
        exprs.append(pl.when(sel == "").then(pl.lit("")).when(has).then(pl.lit("1"))
                     .otherwise(pl.lit("0")).alias(header))
    frame = base.select(exprs)
    frame.write_csv(path, separator=";", quote_style="always", line_terminator="\r\n")


# --------------------------------------------------------------------------------------
# District Excel sheets
# --------------------------------------------------------------------------------------

ABBREVIATIONS = (("hội viên", "HV"), ("khu dân cư", "KDC"), ("mô hình", "MH"))


def fold(text: str) -> str:
    """Strip Vietnamese diacritics (đ → d), keep case."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return unicodedata.normalize("NFC", "".join(ch for ch in text if not unicodedata.combining(ch)))


def excel_variables(cb: Codebook) -> list[Variable]:
    """Form-A variables a district sheet carries (no keys, personal data or derived)."""
    skip = {"round_id", "district_code", "commune_code", "org_type"}
    return [v for v in cb.form("a") if v.in_form and not v.personal_data and v.name not in skip]


def excel_headers(variables: list[Variable]) -> tuple[list[str], dict[str, str]]:
    """Question headers as a district office types them, and the column_map they need."""
    headers, column_map = [], {}
    for i, v in enumerate(variables):
        label = v.label_vi
        short = label
        for long, abbr in ABBREVIATIONS:
            short = short.replace(long, abbr)
        if short != label and i % 2 == 0:
            headers.append(short)
            column_map[short] = v.name
        elif i % 4 == 1:
            headers.append(fold(label))
        else:
            headers.append(label)
    return headers, column_map


def _serial(iso: str) -> int:
    return (date.fromisoformat(iso) - date(1899, 12, 30)).days


def _vn_int(value: int) -> str:
    return f"{value:,}".replace(",", ".")


@dataclass
class SheetCell:
    """One cell value with an optional legacy font and its ledger entry."""

    value: Any
    font: str | None = None
    defect: tuple[str, str, str, str] | None = None  # (raw, true, kind, outcome)


def excel_cell(v: Variable, text: str, cb: Codebook, rng: np.random.Generator) -> SheetCell:
    """Turn one raw text value into what a district office types in that cell."""
    if text == "":
        return SheetCell(None)
    if v.base_type == "integer" or v.base_type == "decimal":
        return _excel_number(text)
    if v.base_type == "date":
        u = rng.random()
        d = date.fromisoformat(text)
        if u < 0.4:
            return SheetCell(datetime(d.year, d.month, d.day))
        if u < 0.75:
            dmy = d.strftime("%d/%m/%Y")
            return SheetCell(dmy, defect=(dmy, text, "date_text_dmy", "repaired"))
        return SheetCell(_serial(text), defect=(str(_serial(text)), text, "date_excel_serial",
                                                "repaired"))
    if v.base_type == "select_one":
        return SheetCell(cb.choice_label_vi(v.list_name or "", text))
    if v.base_type == "select_multiple":
        return SheetCell(", ".join(cb.choice_label_vi(v.list_name or "", c) for c in
                                   text.split()))
    return _excel_text(text, rng)


def _excel_number(text: str) -> SheetCell:
    if not re.fullmatch(r"-?\d+(\.\d+)?", text):
        return SheetCell(text)
    num = float(text)
    if num.is_integer():
        if num >= 1000:
            vn = _vn_int(int(num))
            return SheetCell(vn, defect=(vn, text, "vn_thousands_separator", "repaired"))
        return SheetCell(int(num))
    vn = text.replace(".", ",")
    return SheetCell(vn, defect=(vn, text, "vn_decimal_comma", "repaired"))


def _excel_text(text: str, rng: np.random.Generator) -> SheetCell:
    from danvan_survey.legacy_encodings import decode_tcvn3, encode_tcvn3, encode_vni

    if rng.random() >= RATES["legacy_encoding"]:
        return SheetCell(text)
    tcvn = encode_tcvn3(text)
    if rng.random() < 0.5 and decode_tcvn3(tcvn) == text:
        return SheetCell(tcvn, ".VnTime", (tcvn, text, "legacy_tcvn3", "repaired"))
    vni = encode_vni(text)
    return SheetCell(vni, "VNI-Times", (vni, text, "legacy_vni", "repaired"))


def commune_name_variant(name: str, ctype: str, rng: np.random.Generator,
                         others: list[str]) -> tuple[str, str | None, str | None]:
    """A commune name as typed in a district sheet → (text, font, defect kind or None)."""
    from danvan_survey.legacy_encodings import decode_tcvn3, encode_tcvn3

    bare = name[len(ctype):].strip() if name.startswith(ctype) else name
    abbr = {"Xã": "X.", "Thị trấn": "TT", "Phường": "P."}.get(ctype, "")
    u = rng.random()
    if u < 0.35:
        return name, None, None
    if u < 0.58:
        return bare, None, "name_without_prefix"
    if u < 0.70:
        return f"{abbr} {bare}" if abbr != "TT" else f"TT {bare}", None, "name_abbreviated_prefix"
    if u < 0.80:
        return fold(name if rng.random() < 0.5 else bare), None, "name_without_diacritics"
    if u < 0.88:
        return unicodedata.normalize("NFD", name), None, "name_nfd"
    if u < 0.94:
        typo = _typo(bare, rng, others)
        if typo:
            return typo, None, "name_typo"
        return bare, None, "name_without_prefix"
    tcvn = encode_tcvn3(name)
    if decode_tcvn3(tcvn) == name and tcvn != name:
        return tcvn, ".VnTime", "name_tcvn3"
    return bare, None, "name_without_prefix"


def _typo(bare: str, rng: np.random.Generator, others: list[str]) -> str | None:
    """Drop one diacritic-free letter or tone mark; keep the match unique (rapidfuzz)."""
    from rapidfuzz import fuzz, process

    nfd = unicodedata.normalize("NFD", bare)
    marks = [i for i, ch in enumerate(nfd) if unicodedata.combining(ch)]
    if marks:
        i = marks[int(rng.integers(0, len(marks)))]
        typo = unicodedata.normalize("NFC", nfd[:i] + nfd[i + 1:])
    else:
        letters = [i for i, ch in enumerate(bare) if ch.isalpha() and i > 0]
        if not letters:
            return None
        i = letters[int(rng.integers(0, len(letters)))]
        typo = bare[:i] + bare[i + 1:]
    best = process.extract(fold(typo).lower(), [fold(o).lower() for o in others],
                           scorer=fuzz.WRatio, limit=2)
    target = fold(bare).lower()
    ok = best and best[0][0] == target and (len(best) < 2 or best[0][1] - best[1][1] >= 5)
    return typo if ok and typo != bare else None


def ambiguous_name(names: list[str]) -> str | None:
    """A truncated name matching two communes of the district equally well."""
    bares = [re.sub(r"^(Xã|Phường|Thị trấn)\s+", "", n) for n in names]
    for i, a in enumerate(bares):
        for b in bares[i + 1:]:
            wa, wb = a.split(), b.split()
            if len(wa) == 2 and len(wb) == 2 and wa[0] == wb[0] and wa[1][:2] == wb[1][:2]:
                return f"Xã {wa[0]} {wa[1][:2]}."
    for i, a in enumerate(bares):
        for b in bares[i + 1:]:
            if a.split()[0] == b.split()[0] and len(a.split()) > 1:
                return f"Xã {a.split()[0]}"
    return None


def _sheet_header(ws: Any, cb: Codebook, variables: list[Variable], headers: list[str],
                  dname: str) -> None:
    """Title rows and the merged two-row header of a district sheet."""
    from openpyxl.styles import Alignment, Font

    ncol = 3 + len(variables)
    ws.cell(1, 1, f"BÁO CÁO TỔNG HỢP KHẢO SÁT TỔ CHỨC CƠ SỞ NĂM 2014 - {dname.upper()} "
                  "(DỮ LIỆU MÔ PHỎNG)").font = Font(bold=True)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncol)
    ws.cell(2, 1, "(Kèm theo báo cáo của Ban Dân vận huyện ủy — số liệu mô phỏng, không có thật)")
    for col, text in ((1, "STT"), (2, "Xã/phường/thị trấn"), (3, "Tổ chức")):
        ws.cell(3, col, text).font = Font(bold=True)
        ws.merge_cells(start_row=3, start_column=col, end_row=4, end_column=col)
    start = 4
    for group, n in _group_runs(variables):
        label = next((r["label::Vietnamese (vi)"] for r in cb.survey_rows["a"]
                      if r["type"] == "begin_group" and r["name"] == group), group)
        ws.cell(3, start, label).font = Font(bold=True)
        if n > 1:
            ws.merge_cells(start_row=3, start_column=start, end_row=3, end_column=start + n - 1)
        start += n
    for j, h in enumerate(headers):
        ws.cell(4, 4 + j, h).alignment = Alignment(wrap_text=True)


def _sheet_values(ws: Any, r: int, rec: dict[str, Any], variables: list[Variable],
                  cb: Codebook, rng: np.random.Generator, led: Ledger,
                  totals: np.ndarray) -> None:
    """Question cells of one record row (numbers, dates, labels, legacy fonts)."""
    from openpyxl.styles import Font

    rid = int(rec["_rid"])
    for j, v in enumerate(variables):
        cell = excel_cell(v, str(rec[v.name]), cb, rng)
        c = ws.cell(r, 4 + j, cell.value)
        if isinstance(cell.value, datetime):
            c.number_format = "dd/mm/yyyy"
        if isinstance(cell.value, int) and v.base_type == "integer":
            totals[j] += cell.value
        if cell.font:
            c.font = Font(name=cell.font)
        if cell.defect:
            led.add(np.array([rid]), v.name, *cell.defect)


def _sheet_keys(ws: Any, r: int, rec: dict[str, Any], names: pd.DataFrame, org_label: str,
                amb: str | None, district_names: list[str], rng: np.random.Generator,
                led: Ledger) -> None:
    """Commune name and organisation cells of one record row, typed freely."""
    from openpyxl.styles import Font

    rid = int(rec["_rid"])
    name = str(names.loc[rec["commune_code"], "commune_name"])
    ctype = str(names.loc[rec["commune_code"], "commune_type"])
    font: str | None
    kind: str | None
    if amb is not None:
        text, font, kind = amb, None, "name_ambiguous"
    else:
        text, font, kind = commune_name_variant(name, ctype, rng, district_names)
    c = ws.cell(r, 2, text)
    if font:
        c.font = Font(name=font)
    if kind:
        led.add(np.array([rid]), "commune_code", text, rec["commune_code"], kind,
                "quarantined" if kind == "name_ambiguous" else "repaired")
    if rng.random() < 0.1:
        led.add(np.array([rid]), "org_type", fold(org_label), rec["org_type"],
                "org_label_without_diacritics", "repaired")
        org_label = fold(org_label)
    ws.cell(r, 3, org_label)


def write_district_excel(rows: pd.DataFrame, frame: pd.DataFrame, district: str, cb: Codebook,
                         rng: np.random.Generator, path: Path, led: Ledger,
                         avoid: set[int] | None = None) -> dict[str, Any]:
    """Write one consolidated district sheet; return row map and counts."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    variables = excel_variables(cb)
    headers, column_map = excel_headers(variables)
    dname = frame.loc[frame["district_code"] == district, "district_name"].iloc[0]
    wb = Workbook()
    ws = wb.active
    ws.title = EXCEL_SHEET
    _sheet_header(ws, cb, variables, headers, dname)
    names = frame.set_index("commune_code")
    district_names = frame.loc[frame["district_code"] == district, "commune_name"].tolist()
    org_labels = _label_of(cb, "org_type")
    rowmap, totals = [], np.zeros(len(variables))
    amb = ambiguous_name(district_names)
    free = [r for r in rows["_rid"].tolist() if r not in (avoid or set())] or rows["_rid"].tolist()
    amb_rid = int(free[int(rng.integers(0, len(free)))]) if amb else -1
    for i, rec in enumerate(rows.to_dict("records")):
        r = 5 + i
        ws.cell(r, 1, i + 1)
        _sheet_keys(ws, r, rec, names, org_labels[rec["org_type"]],
                    amb if int(rec["_rid"]) == amb_rid else None, district_names, rng, led)
        _sheet_values(ws, r, rec, variables, cb, rng, led, totals)
        rowmap.append((int(rec["_rid"]), r))
    last = 5 + len(rows)
    ws.cell(last, 2, "Tổng cộng").font = Font(bold=True)
    for j, v in enumerate(variables):
        if v.base_type == "integer":
            ws.cell(last, 4 + j, int(totals[j]))
    ws.cell(last + 2, 1, "Ghi chú: số liệu do các xã, thị trấn báo cáo; huyện tổng hợp. "
                         "ĐÂY LÀ DỮ LIỆU MÔ PHỎNG (SYNTHETIC), không phải số liệu thật.")
    ws.cell(last + 3, 1, "Người lập biểu")
    path.write_bytes(deterministic_xlsx(wb))
    return {"rowmap": rowmap, "column_map": column_map, "amb_rid": amb_rid, "amb_text": amb,
            "skipped_rows": 3}


def _group_runs(variables: list[Variable]) -> list[tuple[str, int]]:
    runs: list[tuple[str, int]] = []
    for v in variables:
        g = v.group or ""
        if runs and runs[-1][0] == g:
            runs[-1] = (g, runs[-1][1] + 1)
        else:
            runs.append((g, 1))
    return runs


def deterministic_xlsx(wb: Any) -> bytes:
    """Save an openpyxl workbook with fixed document and zip timestamps."""
    wb.properties.creator = "danvan-survey demo (SYNTHETIC)"
    wb.properties.created = FIXED_DOC_TIME
    buf = io.BytesIO()
    wb.save(buf)
    stamp = FIXED_DOC_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "docProps/core.xml":
                text = data.decode("utf-8")
                text = re.sub(r"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                              rf"\g<1>{stamp}\g<3>", text)
                data = text.encode("utf-8")
            info = zipfile.ZipInfo(item.filename, date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            zout.writestr(info, data)
    return out.getvalue()


# --------------------------------------------------------------------------------------
# Corrections file
# --------------------------------------------------------------------------------------


def plan_corrections(round_id: str, ta: pd.DataFrame, raw_a: pd.DataFrame, tb: pd.DataFrame,
                     raw_b: pd.DataFrame, rows_a: np.ndarray, rows_b: np.ndarray,
                     accept_row: int | None) -> pd.DataFrame:
    """Analyst corrections: raw keeps the 'before' value, truth the 'after' (in place).

    rows_a: 4 reserved form-A Kobo records (non-mttq); rows_b: 1 reserved cadre.
    """
    def key_a(i: int) -> str:
        return f"{round_id}|{ta.at[i, 'commune_code']}|{ta.at[i, 'org_type']}"

    out = []
    a0, a1, a2, a3 = (int(x) for x in rows_a)
    ta.at[a0, "attendance_pct"], raw_a.at[a0, "attendance_pct"] = 58.0, "85"
    out.append((key_a(a0), "attendance_pct", "85", "58", "change",
                "Nhập nhầm thứ tự chữ số; đã xác minh qua điện thoại với chủ tịch Hội."))
    ta.at[a1, "exemplars_commended_12m"], raw_a.at[a1, "exemplars_commended_12m"] = np.nan, "150"
    out.append((key_a(a1), "exemplars_commended_12m", "150", "", "blank",
                "Số liệu gồm cả điển hình cấp huyện, không tách được; để trống."))
    ta.at[a2, "rating_last_year"], raw_a.at[a2, "rating_last_year"] = "3", "2"
    out.append((key_a(a2), "rating_last_year", "2", "3", "change",
                "Theo quyết định xếp loại của cấp trên, tổ chức xếp loại trung bình."))
    cur = raw_a.at[a3, "members_total"]
    out.append((key_a(a3), "members_total", str(int(cur) + 100), str(int(cur) + 50), "change",
                "Giá trị cũ ghi sai (cố ý): bản sửa này phải bị từ chối vì không khớp dữ liệu."))
    if accept_row is not None:
        v = raw_a.at[accept_row, "n_branches"]
        out.append((key_a(accept_row), "n_branches", v, v, "accept",
                    "Đã xác minh: thôn mới chia tách chưa thành lập chi hội."))
    b0 = int(rows_b[0])
    tb.at[b0, "birth_year"], raw_b.at[b0, "birth_year"] = 1957.0, "1975"
    tb.at[b0, "years_in_post"], raw_b.at[b0, "years_in_post"] = 3.0, "3"
    out.append((f"{round_id}|{tb.at[b0, 'cadre_id']}", "birth_year", "1975", "1957", "change",
                "Đối chiếu lý lịch: năm sinh 1957."))
    return pd.DataFrame(out, columns=["key", "variable", "old_value", "new_value", "action",
                                      "note"])


def test_record(raw_b: pd.DataFrame, round_id: str) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """A training/test submission (to be removed by a correction)."""
    rec = raw_b.iloc[[0]].copy()
    cid = re.sub(r"-\d+$", "-99", str(rec["cadre_id"].iloc[0]))
    rec["cadre_id"] = cid
    rec["cadre_name"] = "Nguyễn Văn Thử"
    rec["_rid"] = int(raw_b["_rid"].max()) + 1
    row = (f"{round_id}|{cid}", "", "", "", "remove",
           "Bản ghi nhập thử khi tập huấn điều tra viên; xóa.")
    return rec, row


# --------------------------------------------------------------------------------------
# Orchestration
# --------------------------------------------------------------------------------------

SPECIAL_A = {
    "reports_required_12m": ("999", "-9", "không rõ"),
    "admin_time_pct": ("-9", "không rõ"),
    "exemplars_commended_12m": ("-8", "-9"),
    "meetings_required_per_year": ("99", "-9"),
}
SPECIAL_B = {
    "field_days_per_month": ("99", "-9"),
    "paperwork_hours_per_week": ("-9", "không rõ"),
    "concurrent_posts": ("99", "-8"),
    "years_in_post": ("-9", "không rõ"),
}
CHOICE_A = ("has_annual_plan", "rating_last_year", "dvk_top_level", "respondent_position")
CHOICE_B = ("sex", "education", "ethnicity", "position", "political_theory")


@dataclass
class FormOutput:
    """What one form produced: truth text, ledger with rows, per-file statistics."""

    truth: pd.DataFrame
    defects: pd.DataFrame
    files: dict[str, dict[str, Any]]
    extra: dict[str, Any] = field(default_factory=dict)


def _version_ids(rng: np.random.Generator, form: str) -> tuple[str, str]:
    alphabet = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"))
    return tuple("v" + "".join(rng.choice(alphabet, 21)) for _ in range(2))  # type: ignore[return-value]


def _rowmap(frame: pd.DataFrame, file: str, keys: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"_rid": frame["_rid"].to_numpy(), "source_file": file,
                         "row": frame["_row"].to_numpy(), "key": keys})


def build_form_a(round_id: str, frame: pd.DataFrame, cb: Codebook, rng: np.random.Generator,
                 excel_districts: tuple[str, ...]) -> dict[str, Any]:
    """Form A: truth, sample of missing returns and injected defects (nothing written)."""
    ta = truth_form_a(frame, cb, rng)
    ta["round_id"] = round_id
    n = len(ta)
    idx = np.arange(n)
    used = np.zeros(n, dtype=bool)
    missing = _pick(rng, idx, RATES["missing_return"], used)
    received = np.ones(n, dtype=bool)
    received[missing] = False
    in_xl = ta["district_code"].isin(excel_districts).to_numpy()
    org = ta["org_type"].to_numpy()
    kobo_pool, recv_pool = idx[received & ~in_xl], idx[received]
    corr_rows = np.sort(rng.choice(kobo_pool[org[kobo_pool] != "mttq"], 4, replace=False))
    used[corr_rows] = True
    led = Ledger()
    ta = inject_soft_a(ta, rng, recv_pool, used, led)
    below = led.parts[0]["_rid"].to_numpy() if led.parts else np.array([], dtype=int)
    below = below[np.isin(below, kobo_pool)]
    raw = render(ta, cb.form("a"))
    raw["_rid"] = idx
    raw["respondent_name"] = _names(rng, rng.random(n) < 0.3)
    raw["respondent_phone"] = _phones(rng, n)
    status = np.full(n, "clean", dtype=object)
    state = {"ta": ta, "raw": raw, "corr_rows": corr_rows,
             "accept": int(below[0]) if len(below) else None}
    inject_hard_a(raw, status, rng, recv_pool, used, led)
    inject_special_missing(raw, ta, rng, recv_pool, used, led, SPECIAL_A)
    inject_choice_labels(raw, cb, "a", rng, kobo_pool, used, led, CHOICE_A)
    inject_text(raw, rng, kobo_pool, used, led, ("proposals", "dvk_model_names"))
    for k, v in _times(rng, raw["interview_date"].to_numpy().astype("datetime64[D]")).items():
        raw[k] = v
    state.update(status=status, led=led, used=used, kobo_pool=kobo_pool, missing=missing,
                 in_xl=in_xl, received=received)
    return state


def finish_form_a(round_id: str, state: dict[str, Any], frame: pd.DataFrame, cb: Codebook,
                  rng: np.random.Generator, raw_dir: Path,
                  excel_districts: tuple[str, ...]) -> FormOutput:
    """Write form-A files (after corrections were planned) and collect the truth."""
    ta, raw, status, led = state["ta"], state["raw"], state["status"], state["led"]
    kobo_pool, used = state["kobo_pool"], state["used"]
    kobo = raw.loc[kobo_pool]
    kobo = add_duplicates(kobo, rng, kobo_pool, used, led,
                          ("attendance_pct", "reports_required_12m", "n_exec_members"))
    kobo = finish_kobo(kobo, rng, _version_ids(rng, "a"), "2014-07-20")
    name = "form_a_kobo_SYNTHETIC.csv"
    write_kobo_csv(kobo, kobo, kobo_columns(cb, "a"), raw_dir / name)
    keys = (round_id + "|" + kobo["commune_code"] + "|" + kobo["org_type"]).to_numpy()
    maps = [_rowmap(kobo, name, keys)]
    n_dup = len(kobo) - len(kobo_pool)
    q_kobo = int((status[kobo_pool] == "quarantined").sum())
    files = {name: {"form": "a", "kind": "kobo_csv", "records": len(kobo),
                    "unique_keys": len(kobo_pool), "duplicates": n_dup,
                    "quarantined": q_kobo, "clean": len(kobo_pool) - q_kobo}}
    sources = []
    for d in excel_districts:
        sel = np.flatnonzero(state["received"] & (ta["district_code"].to_numpy() == d))
        xname = f"form_a_district_{d}_SYNTHETIC.xlsx"
        avoid = set(led.frame()["_rid"].astype(int).tolist())
        res = write_district_excel(raw.loc[sel], frame, d, cb, rng, raw_dir / xname, led, avoid)
        if res["amb_rid"] >= 0:
            status[res["amb_rid"]] = "quarantined"
        rm = pd.DataFrame(res["rowmap"], columns=["_rid", "_row"])
        maps.append(_rowmap(rm, xname, (round_id + "|" + ta.loc[rm["_rid"], "commune_code"]
                                        + "|" + ta.loc[rm["_rid"], "org_type"]).to_numpy()))
        q = int((status[sel] == "quarantined").sum())
        files[xname] = {"form": "a", "kind": "district_excel", "district_code": d,
                        "sheet": EXCEL_SHEET, "records": len(sel), "unique_keys": len(sel),
                        "duplicates": 0, "quarantined": q, "clean": len(sel) - q,
                        "skipped_rows": res["skipped_rows"],
                        "ambiguous_commune_text": res["amb_text"]}
        sources.append({"file": xname, "district_code": d, "column_map": res["column_map"]})
    recv = np.flatnonzero(state["received"])
    truth = truth_text(ta.loc[recv], cb.form("a"))
    truth["_expected"] = status[recv]
    file_of = pd.concat(maps).drop_duplicates("_rid").set_index("_rid")["source_file"]
    truth["_source_file"] = file_of.reindex(recv).to_numpy()
    defects = _ledger_rows(led, pd.concat(maps, ignore_index=True), "a")
    missing = state["missing"]
    miss_keys = (round_id + "|" + ta.loc[missing, "commune_code"] + "|"
                 + ta.loc[missing, "org_type"]).tolist()
    return FormOutput(truth, defects, files, {"excel_sources": sources,
                                              "missing_returns": miss_keys,
                                              "n_expected": len(ta)})


def _ledger_rows(led: Ledger, maps: pd.DataFrame, form: str) -> pd.DataFrame:
    d = led.frame().merge(maps, on="_rid", how="left")
    d.insert(0, "form", form)
    cols = ["form", "source_file", "row", "key", "variable", "raw_value", "true_value",
            "defect_kind", "expected_outcome"]
    return d[cols]


def build_form_b(round_id: str, frame: pd.DataFrame, sample: pd.DataFrame, cb: Codebook,
                 rng: np.random.Generator, target: int | None) -> dict[str, Any]:
    """Form B: truth of sampled cadres and injected defects (nothing written)."""
    tb = truth_form_b(frame, sample, cb, rng, target)
    tb["round_id"] = round_id
    n = len(tb)
    idx = np.arange(n)
    used = np.zeros(n, dtype=bool)
    non_doan = idx[(tb["org_type"].to_numpy() != "doan") & (tb["birth_year"].to_numpy() < 1975)]
    corr_rows = np.sort(rng.choice(non_doan, 1, replace=False))
    used[corr_rows] = True
    led = Ledger()
    tb = inject_soft_b(tb, rng, idx, used, led)
    raw = render(tb, cb.form("b"))
    raw["_rid"] = idx
    raw["cadre_name"] = _names(rng, tb["_female"].to_numpy())
    raw["cadre_phone"] = _phones(rng, n)
    status = np.full(n, "clean", dtype=object)
    state = {"tb": tb, "raw": raw, "corr_rows": corr_rows, "status": status, "led": led,
             "used": used}
    inject_hard_b(raw, status, rng, idx, used, led)
    inject_special_missing(raw, tb, rng, idx, used, led, SPECIAL_B)
    inject_choice_labels(raw, cb, "b", rng, idx, used, led, CHOICE_B)
    inject_text(raw, rng, idx, used, led, ("cadre_name",))
    days = (PERIOD[1] - PERIOD[0]).days + 1
    dates = np.datetime64(PERIOD[0]) + rng.integers(0, days, n).astype("timedelta64[D]")
    for k, v in _times(rng, dates).items():
        raw[k] = v
    return state


def finish_form_b(round_id: str, state: dict[str, Any], cb: Codebook, rng: np.random.Generator,
                  raw_dir: Path) -> FormOutput:
    """Write the form-B Kobo CSV (with a test record and duplicates); collect the truth."""
    tb, raw, status, led, used = (state[k] for k in ("tb", "raw", "status", "led", "used"))
    n = len(tb)
    raw = raw.set_index(raw["_rid"].to_numpy())
    test, corr_row = test_record(raw, round_id)
    state["remove_correction"] = corr_row
    raw = pd.concat([raw, test.set_index(test["_rid"].to_numpy())])
    raw = add_duplicates(raw, rng, np.arange(n), np.concatenate([used, [True]]), led,
                         ("field_days_per_month", "concurrent_posts"))
    raw = finish_kobo(raw, rng, _version_ids(rng, "b"), "2014-07-20")
    name = "form_b_kobo_SYNTHETIC.csv"
    write_kobo_csv(raw, raw, kobo_columns(cb, "b"), raw_dir / name)
    keys = (round_id + "|" + raw["cadre_id"]).to_numpy()
    maps = _rowmap(raw, name, keys)
    q = int((status == "quarantined").sum())
    files = {name: {"form": "b", "kind": "kobo_csv", "records": len(raw),
                    "unique_keys": n + 1, "duplicates": len(raw) - n - 1, "removed": 1,
                    "quarantined": q, "clean": n - q}}
    truth = truth_text(tb, cb.form("b"))
    truth["_expected"] = status
    truth["_source_file"] = name
    defects = _ledger_rows(led, maps, "b")
    test_key = f"{round_id}|{test['cadre_id'].iloc[0]}"
    test_row = int(maps.loc[maps["key"] == test_key, "row"].iloc[0])
    extra = pd.DataFrame([{"form": "b", "source_file": name, "row": test_row, "key": test_key,
                           "variable": "", "raw_value": "", "true_value": "",
                           "defect_kind": "test_submission", "expected_outcome": "removed"}])
    return FormOutput(truth, pd.concat([defects, extra], ignore_index=True), files)


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Plain UTF-8 CSV (comma, LF) via polars, every column as text."""
    data = {c: pl.Series(c, frame[c].astype(str).to_numpy(), dtype=pl.String)
            for c in frame.columns}
    pl.DataFrame(data).write_csv(path)


def _yaml_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


#: Example ``report:`` section (header and signature of the báo cáo). Number, date and
#: signer's name are left out on purpose: the report prints "…" for the office to fill in.
REPORT_YAML = [
    "report:",
    '  superior: "TỈNH ỦY BÌNH THUẬN"',
    '  issuing_body: "BAN DÂN VẬN"',
    '  symbol: "BC/BDVTU"',
    '  place: "Bình Thuận"',
    '  signer_authority: "T/M BAN DÂN VẬN"',
    '  signer_title: "TRƯỞNG BAN"',
    "  recipients:",
    '    - "Thường trực Tỉnh ủy (để báo cáo)"',
    '    - "Ban Dân vận Trung ương (để báo cáo)"',
    '    - "Các huyện ủy, thị ủy, thành ủy"',
    '    - "Lưu Văn phòng"',
]


def round_yaml(round_id: str, province_code: str, title: str,
               excel_sources: list[dict[str, Any]]) -> str:
    """The round.yaml text (fixed layout, no timestamps)."""
    lines = [
        f"round_id: {round_id}", f"title: {_yaml_str(title)}", "synthetic: true",
        f"province_code: {_yaml_str(province_code)}", 'admin_vintage: "2014"',
        f"reference_year: {REFERENCE_YEAR}",
        f"period: {{start: {PERIOD[0].isoformat()}, end: {PERIOD[1].isoformat()}}}",
        "sample_design: sample_design_SYNTHETIC.csv",
        "corrections: corrections_SYNTHETIC.csv", "sources:",
        "  - {file: form_a_kobo_SYNTHETIC.csv, kind: kobo_csv, form: a}",
    ]
    for s in excel_sources:
        lines.append(f"  - file: {s['file']}")
        lines.append("    kind: district_excel")
        lines.append("    form: a")
        lines.append(f"    district_code: {_yaml_str(s['district_code'])}")
        lines.append(f"    sheet: {_yaml_str(EXCEL_SHEET)}")
        if s["column_map"]:
            lines.append("    column_map:")
            lines += [f"      {_yaml_str(k)}: {v}" for k, v in s["column_map"].items()]
    lines.append("  - {file: form_b_kobo_SYNTHETIC.csv, kind: kobo_csv, form: b}")
    lines += REPORT_YAML
    return "\n".join(lines) + "\n"


def readme_text(round_id: str, seed: int, files: list[str], national: bool) -> str:
    """README of a synthetic round (Vietnamese and English)."""
    cmd = (f"python benchmarks/make_national_round.py --seed {seed}" if national
           else f"danvan-survey demo --round {round_id} --seed {seed}")
    listing = "\n".join(f"- `{f}`" for f in files)
    return (
        f"# {round_id} — DỮ LIỆU MÔ PHỎNG / SYNTHETIC DATA\n\n"
        "**Tiếng Việt.** Toàn bộ số liệu trong thư mục này là số liệu mô phỏng (giả lập), "
        "không phải số liệu khảo sát thật; tên người và số điện thoại đều là giả. Dữ liệu "
        f"được sinh tự động bằng lệnh `{cmd}` và có cố ý chèn lỗi (sai mã hóa, trùng phiếu, "
        "giá trị vô lý...) để kiểm thử quy trình làm sạch. Không dùng để báo cáo.\n\n"
        "**English.** Every figure in this folder is synthetic: invented, not survey data; "
        "names and phone numbers are fake. It was generated by "
        f"`{cmd}` (byte-identical for the same seed) and contains deliberately injected "
        "defects (legacy encodings, duplicates, impossible values, ...) to test the cleaning "
        "pipeline. The ground truth lives outside this folder, in "
        f"`tests/ground_truth/{round_id}/`. Do not report these numbers.\n\n"
        f"## Files / Tệp\n\n{listing}\n"
    )


def generate_round(round_id: str, seed: int, out_root: Path, truth_root: Path, *,
                   province_code: str = "60", scale: str = "province") -> dict[str, Any]:
    """Write a synthetic round to ``out_root/<round_id>`` and its truth to ``truth_root``.

    ``scale="national"`` uses every commune of the 2014 list (``province_code`` "ALL"),
    Kobo sources only and exactly one million cadres. Returns the expected counts.
    """
    if scale not in ("province", "national"):
        raise ValueError(f"scale must be 'province' or 'national', not {scale!r}")
    national = scale == "national"
    cb = load_codebook()
    rng = np.random.default_rng(seed)
    pcode = "ALL" if national else province_code.zfill(2)
    frame = commune_frame(pcode)
    raw_dir, truth_dir = Path(out_root) / round_id, Path(truth_root) / round_id
    raw_dir.mkdir(parents=True, exist_ok=True)
    truth_dir.mkdir(parents=True, exist_ok=True)
    excel = () if national else EXCEL_DISTRICTS.get(pcode, ())
    sample = draw_sample(frame, rng, national)
    state_a = build_form_a(round_id, frame, cb, rng, excel)
    state_b = build_form_b(round_id, frame, sample, cb, rng,
                           NATIONAL_CADRES - 1 if national else None)
    corrections = plan_corrections(round_id, state_a["ta"], state_a["raw"], state_b["tb"],
                                   state_b["raw"], state_a["corr_rows"], state_b["corr_rows"],
                                   state_a["accept"])
    out_a = finish_form_a(round_id, state_a, frame, cb, rng, raw_dir, excel)
    out_b = finish_form_b(round_id, state_b, cb, rng, raw_dir)
    corrections = pd.concat([corrections, pd.DataFrame([state_b["remove_correction"]],
                                                       columns=corrections.columns)],
                            ignore_index=True)
    _write_csv(corrections, raw_dir / "corrections_SYNTHETIC.csv")
    _write_csv(sample, raw_dir / "sample_design_SYNTHETIC.csv")
    title = ("Đợt khảo sát mô phỏng 2014 toàn quốc (DỮ LIỆU MÔ PHỎNG)" if national
             else "Đợt khảo sát mô phỏng 2014 (DỮ LIỆU MÔ PHỎNG)")
    (raw_dir / "round.yaml").write_text(
        round_yaml(round_id, pcode, title, out_a.extra["excel_sources"]), encoding="utf-8")
    demo_models.add_models(round_id, seed, raw_dir, truth_dir, out_a.truth)
    files = sorted(p.name for p in raw_dir.iterdir() if p.name != "README.md")
    (raw_dir / "README.md").write_text(readme_text(round_id, seed, files, national),
                                       encoding="utf-8")
    defects = pd.concat([out_a.defects, out_b.defects], ignore_index=True)
    defects = defects.sort_values(["source_file", "row", "variable", "defect_kind"],
                                  kind="stable").reset_index(drop=True)
    _write_csv(out_a.truth, truth_dir / "organisations_truth.csv")
    _write_csv(out_b.truth, truth_dir / "cadres_truth.csv")
    _write_csv(defects, truth_dir / "defects.csv")
    counts = expected_counts(round_id, seed, out_a, out_b, defects, corrections, sample)
    (truth_dir / "expected_counts.json").write_text(
        json.dumps(counts, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return counts


def expected_counts(round_id: str, seed: int, out_a: FormOutput, out_b: FormOutput,
                    defects: pd.DataFrame, corrections: pd.DataFrame,
                    sample: pd.DataFrame) -> dict[str, Any]:
    """Counts the pipeline must reproduce (per file, per form, per defect kind)."""
    ea, eb = out_a.truth["_expected"], out_b.truth["_expected"]
    return {
        "round_id": round_id, "seed": seed, "synthetic": True,
        "files": {**out_a.files, **out_b.files},
        "form_a": {"n_expected": out_a.extra["n_expected"], "n_received": len(ea),
                   "clean": int((ea == "clean").sum()),
                   "quarantined": int((ea == "quarantined").sum()),
                   "missing_returns": out_a.extra["missing_returns"]},
        "form_b": {"n_cadres": len(eb), "clean": int((eb == "clean").sum()),
                   "quarantined": int((eb == "quarantined").sum()),
                   "removed_by_corrections": 1, "n_psu_drawn": len(sample),
                   "n_strata": int(sample["district_code"].nunique())},
        "corrections": {"rows": len(corrections),
                        "applied": len(corrections) - 1, "refused": 1},
        "defects_by_kind": {k: int(v) for k, v in
                            defects.groupby("defect_kind").size().sort_index().items()},
        "defects_by_outcome": {k: int(v) for k, v in
                               defects.groupby("expected_outcome").size().sort_index().items()},
    }
