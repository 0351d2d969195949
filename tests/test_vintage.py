"""2025 vintage: reference list, scope, former districts and derived EM areas."""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from danvan_survey.config import RoundConfig
from danvan_survey.errors import InputError
from danvan_survey.reference import admin_units, communes, crosswalk_2025
from danvan_survey.vintage import (
    FORMER_DISTRICT_LABEL_VI,
    derive_em_area,
    district_label,
    mapping_2014_to_2025,
    pick_former_district,
    round_frame,
    units_2025,
)


def _cfg(**kw: object) -> RoundConfig:
    base = RoundConfig(
        round_id="t-2026", title="t", province_code="68", admin_vintage="2025",
        reference_year=2026, period_start=date(2026, 6, 1), period_end=date(2026, 9, 30),
        synthetic=True, sources=(), folder=Path(), scope={"former_province_code": "60"},
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def test_2025_list_covers_the_whole_country_offline() -> None:
    units = admin_units("2025")
    assert len(units) == 3321
    assert units["province_code"].nunique() == 34
    assert units["commune_code"].is_unique
    lam_dong = units[units["province_code"] == "68"]
    assert len(lam_dong) == 124
    assert set(lam_dong["commune_type"]) == {"Phường", "Xã", "Đặc khu"}
    assert all(unicodedata.is_normalized("NFC", n) for n in units["commune_name"])


def test_every_2014_unit_of_binh_thuan_maps_to_2025_units() -> None:
    old = communes("60", "2014")
    cw = crosswalk_2025()
    assert set(cw["commune_code_2014"]) == set(old["commune_code"])
    assert len(old) == 127
    new = set(admin_units("2025").query("province_code == '68'")["commune_code"])
    assert set(cw["successor_code_2025"]) <= new
    shares = mapping_2014_to_2025("60").groupby("commune_code_2014")["share"].sum()
    assert shares.round(12).eq(1.0).all()


def test_every_2025_unit_of_the_scope_has_predecessors() -> None:
    frame = round_frame(_cfg())
    assert len(frame) == 45
    assert (frame["n_predecessors"] >= 1).all()
    assert frame["predecessor_codes"].str.len().gt(0).all()
    assert frame["district_code"].isin(communes("60")["district_code"]).all()
    # 4 units join communes of two former districts; each is flagged with its rule
    multi = frame[frame["multi_district"]].set_index("commune_code")
    assert sorted(multi.index) == ["22933", "22960", "22963", "23134"]
    assert multi.loc["22933", "district_code"] == "597"  # 2 of 3 predecessors in 597
    assert multi.loc["22963", "district_rule"] == "tie_lowest_code"
    assert multi.loc["22963", "district_code"] == "593"
    assert frame["has_split_predecessor"].sum() == 4  # Phong Phú and Hòa Thắng, 2 each
    assert (frame["em_source"] == "derived").all()


def test_former_district_rule() -> None:
    assert pick_former_district(["597", "597"]) == ("597", "single")
    assert pick_former_district(["593", "597", "597"]) == ("597", "most_predecessors")
    assert pick_former_district(["598", "593"]) == ("593", "tie_lowest_code")
    assert pick_former_district(["598", "593"], {"593": 10.0, "598": 20.0}) == (
        "598", "tie_population")


def test_em_rule() -> None:
    assert derive_em_area(["pure", "pure"]) == "pure"
    assert derive_em_area(["pure", "none"]) == "mixed"
    assert derive_em_area(["mixed", "none"]) == "mixed"
    assert derive_em_area(["none", "none"]) == "none"
    frame = units_2025("68", "60").set_index("commune_code")
    # Xã Tuy Phong = Phan Dũng (pure) + part of Phong Phú (mixed) → mixed
    assert frame.at["22978", "em_area"] == "mixed"
    assert "22975:pure" in frame.at["22978", "em_basis"]


def test_district_label_is_former_district_for_2025() -> None:
    assert district_label(_cfg()) == FORMER_DISTRICT_LABEL_VI == "huyện cũ (trước 01/7/2025)"
    assert district_label(_cfg(admin_vintage="2014")) == "huyện"


@pytest.mark.parametrize(
    ("kw", "words"),
    [
        ({"admin_vintage": "2030"}, "admin_vintage '2030'"),
        ({"scope": {"former_province_code": "99"}}, "không khớp đơn vị nào"),
        ({"province_code": "01"}, "không khớp tỉnh 01"),
        ({"province_code": "60"}, "không có trong danh mục đơn vị hành chính 2025"),
    ],
)
def test_bad_vintage_or_scope_is_a_vietnamese_input_error(kw: dict, words: str) -> None:
    with pytest.raises(InputError, match=words):
        round_frame(_cfg(**kw))


def test_national_2014_frame_is_every_province_frame_in_code_order() -> None:
    """round_frame of a national 2014 round: one call, the rows of 63 province calls."""
    from types import SimpleNamespace

    import pandas as pd

    from danvan_survey.vintage import round_frame

    provinces = sorted(admin_units("2014")["province_code"].unique())
    assert len(provinces) == 63
    each = pd.concat([communes(p) for p in provinces], ignore_index=True)
    cfg = SimpleNamespace(admin_vintage="2014", province_code="ALL", scope=None)
    pd.testing.assert_frame_equal(round_frame(cfg), each, check_exact=True)
