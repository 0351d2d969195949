"""Rounds collected on the 1 July 2025 units (no districts) and their former districts.

Since 1 July 2025 Vietnam has no districts and Bình Thuận (60) is part of Lâm Đồng (68).
A 2025 round says which former province it covers (``scope: {former_province_code:
"60"}`` in ``round.yaml``); its frame of expected units follows from the 2014 → 2025
crosswalk. Each 2025 unit gets a *former district* (huyện cũ) and an EM-area class
derived from its 2014 predecessors, by the written rules below, and flagged where the
rule had to choose. Everything else of the package then works on "districts" unchanged:
for a 2025 round ``district_code``/``district_name`` hold the former district, and every
label says so through :func:`district_label`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from danvan_survey.errors import InputError
from danvan_survey.reference import (
    admin_units,
    check_vintage,
    communes,
    communes_2014_all,
    crosswalk_2025,
)

VINTAGE_2025 = "2025"
FORMER_DISTRICT_LABEL_VI = "huyện cũ (trước 01/7/2025)"
DISTRICT_LABEL_VI = "huyện"
UNKNOWN_DISTRICT = ("000", "Chưa rõ huyện cũ")
#: The written rule giving a 2025 unit one former district (shown in outputs and README).
FORMER_DISTRICT_RULE_VI = (
    "Đơn vị mới được gán cho huyện cũ có nhiều đơn vị tiền thân nhất (kể cả xã cũ bị chia "
    "tách); nếu bằng nhau thì theo dân số (khi có số liệu), nếu không thì theo mã huyện nhỏ "
    "nhất. Đơn vị có tiền thân thuộc hai huyện trở lên được đánh dấu (multi_district)."
)
#: The written rule deriving the EM-area class of a 2025 unit from its predecessors.
EM_RULE_VI = (
    "Vùng DTTS của đơn vị mới suy ra từ các xã cũ: 'pure' (thuần DTTS) chỉ khi mọi xã cũ "
    "đều thuần; 'mixed' (xen ghép) khi có ít nhất một xã cũ thuần hoặc xen ghép; còn lại "
    "'none'. Phân loại này là suy diễn (em_source = derived), không phải danh sách chính thức."
)
EXTRA_COLUMNS = (
    "predecessor_codes", "n_predecessors", "former_district_codes", "multi_district",
    "district_rule", "has_split_predecessor", "em_basis",
)
# Crosswalks known per former province (2014 code → loader of its 2014 → 2025 table).
_CROSSWALKS = {"60": crosswalk_2025}


def is_2025(vintage: str) -> bool:
    """True for rounds collected on the 1 July 2025 units."""
    return check_vintage(str(vintage)) == VINTAGE_2025


def district_label(cfg: Any) -> str:
    """What "district" means in a round's tables and charts (one place for every label).

    ``cfg`` is a RoundConfig, or anything with ``admin_vintage``, or a vintage string.
    """
    vintage = cfg if isinstance(cfg, str) else getattr(cfg, "admin_vintage", "2014")
    return FORMER_DISTRICT_LABEL_VI if str(vintage) == VINTAGE_2025 else DISTRICT_LABEL_VI


def derive_em_area(classes: Iterable[str]) -> str:
    """EM-area class of a 2025 unit from its predecessors' classes (see EM_RULE_VI)."""
    found = [c if c in ("pure", "mixed") else "none" for c in classes]
    if found and all(c == "pure" for c in found):
        return "pure"
    if any(c in ("pure", "mixed") for c in found):
        return "mixed"
    return "none"


def pick_former_district(
    districts: list[str], population: dict[str, float] | None = None
) -> tuple[str, str]:
    """One former district for a unit; ``districts`` has one entry per predecessor.

    Returns (district_code, rule used); see FORMER_DISTRICT_RULE_VI.
    """
    counts = pd.Series(districts).value_counts()
    top = sorted(counts[counts == counts.max()].index)
    if len(counts) == 1:
        return top[0], "single"
    if len(top) == 1:
        return top[0], "most_predecessors"
    if population and all(d in population for d in top):
        return max(top, key=lambda d: (population[d], -int(d))), "tie_population"
    return top[0], "tie_lowest_code"


def crosswalk(former_province_code: str) -> pd.DataFrame:
    """The 2014 → 2025 crosswalk of one former province, with 2014 district names.

    Raises InputError (Vietnamese) when no crosswalk covers that province.
    """
    code = str(former_province_code).zfill(2)
    if code not in _CROSSWALKS:
        raise InputError(
            f"Phạm vi (scope) former_province_code '{former_province_code}' không khớp đơn vị "
            "nào: chỉ có bảng chuyển đổi 2014 → 2025 cho tỉnh "
            + ", ".join(f"{c} ({_province_name_2014(c)})" for c in sorted(_CROSSWALKS))
            + ". Sửa mục scope trong round.yaml."
        )
    table = _CROSSWALKS[code]().copy()
    units = admin_units("2014")
    names = units.drop_duplicates("district_code").set_index("district_code")["district_name"]
    table["district_name_2014"] = table["district_code_2014"].map(names).astype("str")
    return table


def _province_name_2014(code: str) -> str:
    units = admin_units("2014")
    hit = units.loc[units["province_code"] == code, "province_name"]
    return str(hit.iloc[0]) if len(hit) else code


def predecessors(former_province_code: str) -> pd.DataFrame:
    """One row per 2025 unit of the scope: predecessors, former district(s), EM class.

    Columns: commune_code (2025), district_code/district_name (the assigned former
    district), em_area, em_groups, em_source (``derived``), em_confidence and
    :data:`EXTRA_COLUMNS`.
    """
    cw = crosswalk(former_province_code)
    em = communes(str(former_province_code).zfill(2), "2014").set_index("commune_code")
    names = dict(zip(cw["district_code_2014"], cw["district_name_2014"], strict=False))
    rows = []
    for code, grp in cw.groupby("successor_code_2025", sort=True):
        grp = grp.sort_values("commune_code_2014")
        dcode, rule = pick_former_district(grp["district_code_2014"].tolist())
        classes = [str(em.at[c, "em_area"]) if c in em.index else "none"
                   for c in grp["commune_code_2014"]]
        groups = sorted({g.strip() for c in grp["commune_code_2014"] if c in em.index
                         for g in str(em.at[c, "em_groups"]).split(",") if g.strip()})
        districts = sorted(set(grp["district_code_2014"]))
        rows.append({
            "commune_code": code,
            "district_code": dcode,
            "district_name": names[dcode],
            "em_area": derive_em_area(classes),
            "em_groups": ", ".join(groups),
            "em_source": "derived",
            "em_confidence": "derived",
            "predecessor_codes": ";".join(grp["commune_code_2014"]),
            "n_predecessors": len(grp),
            "former_district_codes": ";".join(districts),
            "multi_district": len(districts) > 1,
            "district_rule": rule,
            "has_split_predecessor": bool((grp["is_partial"] == "1").any()),
            "em_basis": ";".join(f"{c}:{k}" for c, k in
                                 zip(grp["commune_code_2014"], classes, strict=True)),
        })
    return pd.DataFrame(rows)


def units_2025(province_code: str, former_province_code: str | None = None) -> pd.DataFrame:
    """Frame of 2025 units with the columns of ``reference.communes`` plus EXTRA_COLUMNS.

    With ``former_province_code`` only the successors of that former province (the
    round's scope); without it every unit of ``province_code`` (former district
    ``000`` "Chưa rõ huyện cũ" where no crosswalk covers the unit).
    """
    units = admin_units(VINTAGE_2025)
    pcode = str(province_code).zfill(2)
    frame = units[units["province_code"] == pcode].copy()
    if frame.empty:
        raise InputError(
            f"Mã tỉnh '{province_code}' không có trong danh mục đơn vị hành chính 2025 "
            "(34 tỉnh, thành từ 01/7/2025; ví dụ Lâm Đồng = 68). Sửa province_code trong "
            "round.yaml."
        )
    if former_province_code is not None:
        pred = predecessors(former_province_code)
        outside = sorted(set(pred["commune_code"]) - set(frame["commune_code"]))
        if outside or pred.empty:
            raise InputError(
                f"Phạm vi (scope) tỉnh cũ {former_province_code} không khớp tỉnh {pcode} của "
                f"danh mục 2025: {len(outside)} đơn vị kế thừa không thuộc tỉnh này. Sửa "
                "province_code hoặc scope trong round.yaml."
            )
        frame = frame.merge(pred, on="commune_code", how="inner")
    else:
        pred = pd.concat([predecessors(c) for c in sorted(_CROSSWALKS)], ignore_index=True)
        frame = frame.merge(pred, on="commune_code", how="left")
        frame = _fill_unknown(frame)
    cols = ["commune_code", "commune_name", "commune_type", "district_code", "district_name",
            "province_code", "province_name", "em_area", "em_groups", "em_source",
            "em_confidence", *EXTRA_COLUMNS]
    return frame[cols].sort_values("commune_code").reset_index(drop=True)


def _fill_unknown(frame: pd.DataFrame) -> pd.DataFrame:
    """Units no crosswalk covers: unknown former district, EM class not listed."""
    out = frame.copy()
    miss = out["district_code"].isna()
    fills: dict[str, Any] = {
        "district_code": UNKNOWN_DISTRICT[0], "district_name": UNKNOWN_DISTRICT[1],
        "em_area": "none", "em_groups": "", "em_source": "unverified",
        "em_confidence": "not_listed", "predecessor_codes": "", "n_predecessors": 0,
        "former_district_codes": "", "multi_district": False, "district_rule": "unknown",
        "has_split_predecessor": False, "em_basis": "",
    }
    for col, value in fills.items():
        out[col] = out[col].astype(object).where(~miss, value)
    out["n_predecessors"] = out["n_predecessors"].astype(int)
    for col in ("multi_district", "has_split_predecessor"):
        out[col] = out[col].astype(bool)
    return out


def round_frame(cfg: Any) -> pd.DataFrame:
    """Commune frame of a round: its vintage, province and (for 2025) scope.

    ``province_code: "ALL"`` = every unit of the vintage.
    """
    vintage = check_vintage(str(cfg.admin_vintage))
    scope = getattr(cfg, "scope", None) or {}
    former = scope.get("former_province_code")
    if cfg.province_code.upper() == "ALL":
        if vintage != VINTAGE_2025:
            return communes_2014_all()
        units = admin_units(vintage)
        frames = [communes(p, vintage) for p in sorted(units["province_code"].unique())]
        return pd.concat(frames, ignore_index=True)
    if vintage == VINTAGE_2025:
        return units_2025(cfg.province_code, former)
    if former is not None and str(former).zfill(2) != cfg.province_code:
        raise InputError(
            f"Phạm vi (scope) tỉnh cũ {former} không khớp tỉnh {cfg.province_code} của đợt "
            "địa giới 2014. Bỏ mục scope hoặc sửa province_code trong round.yaml."
        )
    return communes(cfg.province_code, vintage)


def mapping_2014_to_2025(former_province_code: str) -> pd.DataFrame:
    """Crosswalk rows with the share of a 2014 unit each successor receives.

    A split 2014 unit (``is_partial``) is allocated in equal shares to its successors
    (no population split is known) and flagged ``split``; see compare.ALLOCATION_RULE_VI.
    """
    cw = crosswalk(former_province_code)
    n = cw.groupby("commune_code_2014")["successor_code_2025"].transform("size")
    out = cw.rename(columns={"successor_code_2025": "commune_code_2025"})
    out["share"] = 1.0 / n
    out["split"] = n > 1
    return out[["commune_code_2014", "district_code_2014", "district_name_2014",
                "commune_code_2025", "successor_name_2025", "share", "split"]]


def district_text(district_name: str, round_cfg: Any) -> str:
    """District as shown on a form: for a 2025 round, "huyện cũ (trước 01/7/2025): …"."""
    if is_2025(round_cfg.admin_vintage):
        return f"{district_label(round_cfg)}: {district_name}"
    return district_name
