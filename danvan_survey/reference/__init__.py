"""Reference data shipped with the package: admin units, 2014→2025 crosswalk, EM areas.

Sources are listed in ``README.md`` beside this module. Nothing here goes online:
``vietnamadminunits``' geocoder is never called (see :mod:`danvan_survey.places`).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd

from danvan_survey.errors import InputError

REFERENCE_DIR = Path(__file__).parent
ADMIN_VINTAGES = {"2014": "admin_units_2014.csv", "2025": "admin_units_2025.csv"}
EM_AREAS = ("pure", "mixed", "none")
EM_AREA_LABELS_VI = {
    "pure": "Xã thuần đồng bào DTTS",
    "mixed": "Xã có thôn DTTS xen ghép",
    "none": "Ngoài danh sách vùng DTTS",
}


class UnknownVintageError(InputError, KeyError):
    """An ``admin_vintage`` with no reference list (a KeyError for old callers)."""

    def __str__(self) -> str:
        return InputError.__str__(self)


def check_vintage(vintage: str) -> str:
    """Return ``vintage`` if a reference list exists; else raise a Vietnamese message."""
    if vintage not in ADMIN_VINTAGES:
        raise UnknownVintageError(
            f"Không có danh mục đơn vị hành chính cho admin_vintage '{vintage}'. "
            f"Các giá trị dùng được: {', '.join(sorted(ADMIN_VINTAGES))} "
            "(\"2014\": địa giới có huyện; \"2025\": xã/phường sau sắp xếp 01/7/2025). "
            "Sửa mục admin_vintage trong round.yaml."
        )
    return vintage


@cache
def admin_units(vintage: str = "2014") -> pd.DataFrame:
    """All communes of a boundary vintage, codes kept as text with leading zeros.

    ``"2014"`` has province, district and commune columns; ``"2025"`` (1 July 2025, no
    districts) has province and commune columns only. Unknown → UnknownVintageError.
    """
    name = ADMIN_VINTAGES[check_vintage(vintage)]
    return pd.read_csv(REFERENCE_DIR / name, dtype=str, keep_default_na=False)


@cache
def em_areas() -> pd.DataFrame:
    """The sourced/inferred EM-area table of Bình Thuận (2014 codes)."""
    return pd.read_csv(REFERENCE_DIR / "em_areas_binh_thuan.csv", dtype=str, keep_default_na=False)


@cache
def crosswalk_2025() -> pd.DataFrame:
    """Bình Thuận 2014 units → units of the 1 July 2025 structure."""
    return pd.read_csv(
        REFERENCE_DIR / "binh_thuan_2014_to_2025.csv", dtype=str, keep_default_na=False
    )


def communes(province_code: str, vintage: str = "2014") -> pd.DataFrame:
    """Commune frame of one province with EM-area class and source.

    Columns: commune_code, commune_name, commune_type, district_code, district_name,
    province_code, province_name, em_area (pure/mixed/none), em_groups, em_source
    (citation URL, or ``unverified``), em_confidence (sourced/inferred/not_listed).
    ``none`` means *not on any EM list*, not a verified absence.
    """
    if check_vintage(vintage) != "2014":
        from danvan_survey.vintage import units_2025

        return units_2025(province_code)
    units = admin_units(vintage)
    return _with_em_areas(units[units["province_code"] == province_code.zfill(2)])


def communes_2014_all() -> pd.DataFrame:
    """Commune frame (as :func:`communes`) of every province of 2014, by province then code.

    The same rows as ``communes(p)`` for each province in code order, concatenated, at
    the cost of one call.
    """
    frame = _with_em_areas(admin_units("2014"))
    return frame.sort_values(["province_code", "commune_code"], kind="stable").reset_index(
        drop=True
    )


def _with_em_areas(units: pd.DataFrame) -> pd.DataFrame:
    """``units`` with their EM-area class and its source, sorted by commune code."""
    frame = units.copy()
    em = em_areas().rename(columns={"commune_code_2014": "commune_code"})
    em = em[["commune_code", "em_area", "em_groups", "source_url", "confidence"]]
    frame = frame.merge(em, on="commune_code", how="left")
    frame["em_confidence"] = frame["confidence"].fillna("not_listed").replace("", "not_listed")
    frame["em_area"] = frame["em_area"].fillna("none").replace("", "none")
    frame["em_groups"] = frame["em_groups"].fillna("")
    sourced = frame["em_confidence"] == "sourced"
    frame["em_source"] = frame["source_url"].where(sourced, "unverified").fillna("unverified")
    cols = [
        "commune_code",
        "commune_name",
        "commune_type",
        "district_code",
        "district_name",
        "province_code",
        "province_name",
        "em_area",
        "em_groups",
        "em_source",
        "em_confidence",
    ]
    return frame[cols].sort_values("commune_code").reset_index(drop=True)
