"""Pieces every synthetic round shares: constants, the defect ledger, text helpers."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import polars as pl

from danvan_survey.codebook import Variable
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


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Plain UTF-8 CSV (comma, LF) via polars, every column as text."""
    data = {c: pl.Series(c, frame[c].astype(str).to_numpy(), dtype=pl.String)
            for c in frame.columns}
    pl.DataFrame(data).write_csv(path)


def _yaml_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)

