"""Tests for offline commune matching: typed names with defects vs expected codes."""

from __future__ import annotations

import socket
import time
import unicodedata

import pytest

from danvan_survey.legacy_encodings import encode_tcvn3, encode_vni
from danvan_survey.places import CommuneMatcher, OfflineError, ensure_offline
from danvan_survey.reference import admin_units, communes


@pytest.fixture(scope="module")
def bt() -> CommuneMatcher:
    return CommuneMatcher(communes("60"))


# typed name, typed district, expected code, expected status
CASES = [
    ("Phường Mũi Né", None, "22915", "exact"),
    ("Mũi Né", None, "22915", "exact"),
    ("P. Mui Ne", None, "22915", "folded"),
    ("phuong mui ne", None, "22915", "folded"),
    (unicodedata.normalize("NFD", "Mũi Né"), None, "22915", "exact"),
    ("23047", None, "23047", "code"),
    ("23047.0", None, "23047", "code"),
    ("Xã Hòa Thắng", None, "23053", "exact"),
    ("X. Hoà Thắng", None, "23053", "folded"),
    ("xa hoa thang", None, "23053", "folded"),
    ("Hòa Thắng", "Bac Binh", "23053", "exact"),
    ("TT Phan Rí Cửa", None, "22972", "folded"),
    ("T.T Lạc Tánh", None, "23149", "folded"),
    ("Thị trấn Lạc Tánh", None, "23149", "exact"),
    ("Thuận Quý", None, "23140", "folded"),  # official spelling "Thuận Quí"
    ("Mui Nee", None, "22915", "fuzzy"),
    ("Ham Thanhh", "Hàm Thuận Nam", "23122", "fuzzy"),
    ("Phườg Mũi Né", None, "22915", "fuzzy"),  # typo in the prefix word
    ("Tân Hà", "Đức Linh", "23221", "exact"),
    ("Tân Hà", "H. Hàm Tân", "23257", "exact"),
    ("Tân Hà", "600", "23221", "exact"),
    ("X. Bình Tân", None, "23047", "folded"),  # the type separates Xã from Phường
    ("Phường Bình Tân", None, "23237", "exact"),
    ("  Xã   Hòa\u00a0Thắng ", None, "23053", "exact"),
    (encode_tcvn3("Xã Hòa Thắng"), None, "23053", "exact"),
    (encode_vni("Xã Hòa Thắng"), None, "23053", "exact"),
]


@pytest.mark.parametrize(("name", "district", "code", "status"), CASES)
def test_match(bt: CommuneMatcher, name: str, district: str | None, code: str,
               status: str) -> None:
    result = bt.match(name, district)
    assert (result.code, result.status) == (code, status)
    assert result.candidates[0][0] == code


@pytest.mark.parametrize(
    ("name", "district", "codes"),
    [
        ("Tân Hà", None, ["23221", "23257"]),
        ("xa tan ha", None, ["23221", "23257"]),
        ("Bình Tân", None, ["23047", "23237"]),
    ],
)
def test_ambiguous_never_guessed(bt: CommuneMatcher, name: str, district: str | None,
                                 codes: list[str]) -> None:
    result = bt.match(name, district)
    assert result.code is None
    assert result.status == "ambiguous"
    assert sorted(c[0] for c in result.candidates) == codes


def test_close_typos_are_ambiguous(bt: CommuneMatcher) -> None:
    # "Hàm Thạnh" and "Hàm Thắng" are both one edit away from "Ham Thang h"
    result = bt.match("Ham Than", None)
    assert result.code is None
    assert result.status == "ambiguous"
    assert {c[0] for c in result.candidates[:2]} == {"23104", "23122"}
    assert result.candidates[0][3] == result.candidates[1][3]  # a tie: neither is ahead


@pytest.mark.parametrize(
    ("name", "district", "status"),
    [
        ("Tân Hà", "Bắc Bình", "unmatched"),  # exists, but not in the typed district
        ("ZZZ", None, "unmatched"),
        ("", None, "unmatched"),
        (None, None, "unmatched"),
        ("99999", None, "unmatched"),
        ("23047", "Đức Linh", "unmatched"),  # code of another district
    ],
)
def test_unmatched(bt: CommuneMatcher, name: str | None, district: str | None,
                   status: str) -> None:
    result = bt.match(name, district)
    assert (result.code, result.status) == (None, status)


def test_wrong_district_lists_real_candidates(bt: CommuneMatcher) -> None:
    result = bt.match("Tân Hà", "Bắc Bình")
    assert sorted(c[0] for c in result.candidates) == ["23221", "23257"]


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("Phú Quý", "602"), ("Phú Quí", "602"), ("Huyện Phú Quí", "602"),
        ("H. Bắc Bình", "596"), ("Hàm Thuận Bắc", "597"), ("ham thuan bac", "597"),
        ("TP Phan Thiết", "593"), ("Tp. Phan Thiet", "593"), ("Tx. La Gi", "594"),
        ("Thị xã La Gi", "594"), ("601", "601"), ("601.0", "601"),
        ("Ham Thuan", None), ("Hà Nội", None), ("", None), (None, None), ("999", None),
    ],
)
def test_match_district(bt: CommuneMatcher, typed: str | None, code: str | None) -> None:
    assert bt.match_district(typed) == code


def test_every_binh_thuan_commune_matches_itself(bt: CommuneMatcher) -> None:
    frame = communes("60")
    for code, name, dname in frame[["commune_code", "commune_name", "district_name"]]\
            .itertuples(index=False):
        with_district = bt.match(name, dname)
        assert with_district.code == code, (name, dname, with_district)
        assert bt.match(code.lstrip("0"), None).code == code


def test_match_many_uses_cache(bt: CommuneMatcher) -> None:
    names = ["Mui Ne", "Tân Hà", "Tân Hà", "xa hoa thang"] * 5000
    districts = [None, "Đức Linh", None, None] * 5000
    results = bt.match_many(names, districts)
    assert [r.code for r in results[:4]] == ["22915", "23221", None, "23053"]
    assert results[2] is results[6]  # identical pairs share one result
    with pytest.raises(ValueError, match="length"):
        bt.match_many(["a"], [None, None])


def test_national_list() -> None:
    units = admin_units("2014")
    matcher = CommuneMatcher(units)
    start = time.perf_counter()
    # "Phường 1" exists in many districts: never guessed without a district
    assert matcher.match("Phường 1", None).status == "ambiguous"
    hanoi = matcher.match("Phuc Xa", "Ba Đình")
    assert (hanoi.code, hanoi.status) == ("00001", "folded")
    assert matcher.match("1", None).status == "ambiguous"  # "Phường 1", not code 00001
    code = next(c for c in units["commune_code"] if c.startswith("0") and int(c) >= 1000)
    assert matcher.match(code.lstrip("0"), None).code == code  # leading zero optional
    sample = units.sample(300, random_state=1)
    results = matcher.match_many(list(sample["commune_name"]), list(sample["district_code"]))
    assert [r.code for r in results] == list(sample["commune_code"])
    assert time.perf_counter() - start < 20


def test_bad_frame() -> None:
    with pytest.raises(ValueError, match="commune_type"):
        CommuneMatcher(communes("60").drop(columns=["commune_type"]))


# --- offline guarantee -------------------------------------------------------------


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[tuple[object, ...]]:
    """Make every connection attempt fail loudly and record it."""
    attempts: list[tuple[object, ...]] = []

    def refuse(*args: object, **_kwargs: object) -> None:
        attempts.append(args)
        raise OSError("network blocked by test")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    return attempts


def test_geocoder_is_disabled(no_network: list[tuple[object, ...]]) -> None:
    pytest.importorskip("vietnamadminunits")
    from vietnamadminunits import convert_address
    from vietnamadminunits.converter import converter_2025

    assert ensure_offline() is True
    assert converter_2025.get_geo_location.__name__ == "_refuse_geocoding"
    # Xã Hòa Thắng (Bắc Bình) was split in 2025: the converter wants to geocode it.
    for address in (
        "X. Hòa Thắng, Bắc Bình, Bình Thuận",
        "12 Lê Lợi, X. Hòa Thắng, Bắc Bình, Bình Thuận",
    ):
        try:
            convert_address(address)
        except OfflineError:
            pass
    assert no_network == []  # not a single connection was attempted


def test_refusal_message_is_vietnamese() -> None:
    pytest.importorskip("vietnamadminunits")
    from vietnamadminunits.converter import converter_2025

    with pytest.raises(OfflineError, match="trực tuyến"):
        converter_2025.get_geo_location("X. Hòa Thắng, Bắc Bình, Bình Thuận")
