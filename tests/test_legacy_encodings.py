"""Tests for TCVN3 / VNI legacy-font repair."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from danvan_survey.legacy_encodings import (
    VIET_LOWER,
    decode_tcvn3,
    decode_vni,
    encode_tcvn3,
    encode_vni,
    fix_legacy,
    looks_like_tcvn3,
    looks_like_vni,
)
from danvan_survey.reference import communes

# (Unicode, TCVN3 as read in latin-1, VNI as read in latin-1) written out by hand
KNOWN = [
    ("Bình Thuận", "B×nh ThuËn", "Bình Thuaän"),
    ("Việt Nam", "ViÖt Nam", "Vieät Nam"),
    ("Hội Liên hiệp Phụ nữ", "Héi Liªn hiÖp Phô n÷", "Hoäi Lieân hieäp Phuï nöõ"),
    ("Đức Linh", "§øc Linh", "Ñöùc Linh"),
    ("Mường Khương", "M\xadêng Kh\xad¬ng", "Möôøng Khöông"),
    ("Bảo Thắng", "B¶o Th¾ng", "Baûo Thaéng"),
    ("Phú Thủy", "Phó Thñy", "Phuù Thuûy"),
    ("Xã Tân Hà", "X· T©n Hµ", "Xaõ Taân Haø"),
]

LABELS = [
    "Hội Liên hiệp Phụ nữ",
    "Yếu, kém / Không hoàn thành nhiệm vụ",
    "Mặt trận Tổ quốc Việt Nam",
    "Đoàn Thanh niên Cộng sản Hồ Chí Minh",
    "Hội Cựu chiến binh",
    "Hội Nông dân",
    "Hoàn thành xuất sắc nhiệm vụ",
]


@pytest.mark.parametrize(("uni", "tcvn3", "vni"), KNOWN)
def test_known_strings(uni: str, tcvn3: str, vni: str) -> None:
    assert encode_tcvn3(uni) == tcvn3
    assert encode_vni(uni) == vni
    assert decode_tcvn3(tcvn3) == uni
    assert decode_vni(vni) == uni
    assert fix_legacy(tcvn3) == (uni, "tcvn3")
    assert fix_legacy(vni) == (uni, "vni")


def _bt_names() -> list[str]:
    frame = communes("60")
    names = sorted(set(frame["district_name"]) | set(frame["commune_name"]))
    return [unicodedata.normalize("NFC", n) for n in names]


def test_binh_thuan_names_round_trip() -> None:
    names = _bt_names()
    assert len(names) > 100  # 10 districts + 127 communes (one name shared)
    for name in names:
        for encode, decode, rule in (
            (encode_tcvn3, decode_tcvn3, "tcvn3"),
            (encode_vni, decode_vni, "vni"),
        ):
            garbled = encode(name)
            assert decode(garbled) == name, (rule, name, garbled)
            assert fix_legacy(garbled) == (name, rule), (rule, name, garbled)
        assert fix_legacy(name) == (name, None)


@pytest.mark.parametrize("label", LABELS)
def test_labels_round_trip(label: str) -> None:
    assert fix_legacy(encode_tcvn3(label)) == (label, "tcvn3")
    assert fix_legacy(encode_vni(label)) == (label, "vni")
    assert fix_legacy(label) == (label, None)
    assert looks_like_tcvn3(encode_tcvn3(label))
    assert not looks_like_vni(encode_tcvn3(label))
    assert looks_like_vni(encode_vni(label))
    assert not looks_like_tcvn3(label)


@pytest.mark.parametrize(
    "text",
    ["", "abc", "N/A", "Có", "có", "Tân Hà", "Bình", "hoà", "Hoá", "quê", "Quân", "12,5",
     "café", "© 2014", "Phú Quý", "x"],
)
def test_untouched(text: str) -> None:
    assert fix_legacy(text) == (text, None)


def test_tcvn3_capital_limitation() -> None:
    # .VnTimeH capitals share the lowercase bytes: encode writes the lowercase byte.
    assert encode_tcvn3("Ấp") == encode_tcvn3("ấp") == "Êp"
    # all-caps words and Title Case text get their capitals back
    assert decode_tcvn3(encode_tcvn3("HỘI NÔNG DÂN")) == "HỘI NÔNG DÂN"
    assert decode_tcvn3(encode_tcvn3("Thị Trấn Ái Nghĩa")) == "Thị Trấn Ái Nghĩa"
    # otherwise the case of an accented capital is lost (documented)
    assert decode_tcvn3(encode_tcvn3("Thị trấn Ít Ong")) == "Thị trấn ít Ong"


def test_short_value_without_evidence_is_left_alone() -> None:
    # TCVN3 "Phú Quý" reads as valid Unicode "Phó Quý": indistinguishable, kept.
    assert encode_tcvn3("Phú Quý") == "Phó Quý"
    assert fix_legacy("Phó Quý") == ("Phó Quý", None)
    # a value that is itself well-formed Vietnamese (or a foreign word) is never decoded
    for text in ("Tân Phú", "Hòa Bình", "Café", "José", "thé", "Sôn La", "HuÕ"):
        assert fix_legacy(text) == (text, None)


_TCVN3_ALPHABET = VIET_LOWER + "ĂÂÊÔƠƯĐ" + "ABCDEGHIKLMNOPQRSTUVXY" + " "
_VIET_ALPHABET = VIET_LOWER + VIET_LOWER.upper() + " "


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_TCVN3_ALPHABET, max_size=40))
def test_tcvn3_round_trip_property(text: str) -> None:
    lowered = text.lower()  # case beyond the seven capitals is not representable
    assert decode_tcvn3(encode_tcvn3(lowered)) == lowered


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_VIET_ALPHABET, max_size=40))
def test_vni_round_trip_property(text: str) -> None:
    assert decode_vni(encode_vni(text)) == text


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_VIET_ALPHABET, max_size=40))
def test_correct_unicode_is_never_touched(text: str) -> None:
    if any(ord(ch) > 0xFF for ch in text) or text.isascii():
        assert fix_legacy(text) == (text, None)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(_bt_names()), st.sampled_from(_bt_names()))
def test_fix_legacy_on_name_pairs(a: str, b: str) -> None:
    text = f"{a}, {b}"
    assert fix_legacy(text) == (text, None)
    assert fix_legacy(encode_vni(text)) == (text, "vni")
    assert fix_legacy(encode_tcvn3(text))[1] == "tcvn3"
