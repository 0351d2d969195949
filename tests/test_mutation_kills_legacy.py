"""Legacy-font repair at its edges: what the mutation run of legacy_encodings found untested."""

from __future__ import annotations

import pytest

from danvan_survey import legacy_encodings as le

# The VNI-Windows layout, written out by hand (each byte shown as its latin-1 char):
# tone bytes ù acute, ø grave, û hook, õ tilde, ï dot; â/ê/ô take one byte per tone
# (â á à å ã ä), ă likewise (ê é è ú ü ë), i with a tone is one byte (í ì æ ó ò),
# ơ = ô, ư = ö, ỵ = î, đ = ñ.
VNI_LOWER_BY_HAND = {
    "á": "aù", "à": "aø", "ả": "aû", "ã": "aõ", "ạ": "aï",
    "é": "eù", "è": "eø", "ẻ": "eû", "ẽ": "eõ", "ẹ": "eï",
    "ó": "où", "ò": "oø", "ỏ": "oû", "õ": "oõ", "ọ": "oï",
    "ú": "uù", "ù": "uø", "ủ": "uû", "ũ": "uõ", "ụ": "uï",
    "ý": "yù", "ỳ": "yø", "ỷ": "yû", "ỹ": "yõ", "ỵ": "î",
    "ơ": "ô", "ớ": "ôù", "ờ": "ôø", "ở": "ôû", "ỡ": "ôõ", "ợ": "ôï",
    "ư": "ö", "ứ": "öù", "ừ": "öø", "ử": "öû", "ữ": "öõ", "ự": "öï",
    "â": "aâ", "ấ": "aá", "ầ": "aà", "ẩ": "aå", "ẫ": "aã", "ậ": "aä",
    "ê": "eâ", "ế": "eá", "ề": "eà", "ể": "eå", "ễ": "eã", "ệ": "eä",
    "ô": "oâ", "ố": "oá", "ồ": "oà", "ổ": "oå", "ỗ": "oã", "ộ": "oä",
    "ă": "aê", "ắ": "aé", "ằ": "aè", "ẳ": "aú", "ẵ": "aü", "ặ": "aë",
    "í": "í", "ì": "ì", "ỉ": "æ", "ĩ": "ó", "ị": "ò",
    "đ": "ñ",
}


def test_the_vni_table_is_the_published_layout() -> None:
    # built inside the test: the module-level table is built once at import
    assert le._build_vni_lower() == VNI_LOWER_BY_HAND


def test_the_vni_tables_hold_capitals_and_a_mark_typed_in_the_other_case() -> None:
    assert le.VNI_ENCODE["Ặ"] == "AË" and le.VNI_ENCODE["Đ"] == "Ñ"
    assert le.decode_vni("AË") == "Ặ" and le.decode_vni("Aë") == "Ặ" and le.decode_vni("aË") == "ặ"


def test_only_latin1_and_cp1252_characters_are_legacy_range() -> None:
    assert le._is_legacy_range("\xff€Ã")
    assert not le._is_legacy_range("\u0100")  # Ā: the first char beyond latin-1
    assert not le._is_legacy_range("ab\u1ea1")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("", False), ("abc", False), ("é", True), ("ệ", False), ("Bình Thuận", False)],
)
def test_could_be_legacy(text: str, expected: bool) -> None:
    assert le.could_be_legacy(text) is expected


def test_title_case_needs_at_least_two_other_capitalised_words() -> None:
    assert le.decode_tcvn3("P. Q. ¸i") == "P. Q. Ái"  # initials count as capitalised words
    assert le.decode_tcvn3("A B ¸i") == "A B Ái"
    assert le.decode_tcvn3("A ¸i") == "A ái"  # one other word is no Title Case
    assert le.decode_tcvn3("A b ¸i") == "A b ái"
    assert le.decode_tcvn3("A B ai") == "A B ai"  # an undecoded first letter keeps its case


def test_a_word_is_upper_cased_only_when_two_undecoded_letters_are_capitals() -> None:
    assert le.decode_tcvn3("HéI") == "HỘI"
    assert le.decode_tcvn3("Hé") == "hộ".capitalize()  # one undecoded capital: no rule
    assert le.decode_tcvn3("HéI LI£N") == "HỘI LIÊN"
    assert le.decode_tcvn3("HéI Li\xaan") == "HỘI Liên"


@pytest.mark.parametrize(
    ("text", "count"),
    [("B×", 1), ("×", 0), ("×.", 0), ("Bã", 0), ("B¿", 0), ("ThuËn", 2), ("a× ×", 2)],
)
def test_tcvn3_evidence_counts_odd_bytes_inside_words_and_camel_case(text: str, count: int) -> None:
    # × is a TCVN3 byte but no Vietnamese letter; ã is both; ¿ is no TCVN3 byte;
    # "uË" is a small letter before a capital latin-1 letter (camelCase)
    assert le._tcvn3_evidence(text) == count


@pytest.mark.parametrize(
    ("text", "count"),
    [("Thuaän", 1), ("hoà", 0), ("HOÀ", 0), ("ñ", 1), ("Ñ", 1), ("XÖ", 1), ("aäñ", 2),
     ("æÆîÎ", 4), ("oâ", 1)],
)
def test_vni_evidence_counts_impossible_pairs_and_odd_bytes(text: str, count: int) -> None:
    assert le._vni_evidence(text) == count


def test_residual_and_tone_clashes_count_each_case() -> None:
    assert le._residual("a¿b×") == 2 and le._residual("aáb") == 0
    # a no-break space and C1 controls are cleaned later, never counted as junk
    assert le._residual("a\xa0b\x85\x9f") == 0 and le._residual("\xa1\xff") == 2
    assert le._tone_clashes("áà ok ảã") == 2
    assert le._tone_clashes("áà ok") == 1
    assert le._tone_clashes("á ok") == 0


def test_foreign_letters_are_non_ascii_letters_the_encoding_never_writes() -> None:
    assert le._foreign_letters("XÃ EA", "tcvn3") == 1  # Ã is no TCVN3 byte
    assert le._foreign_letters("XÃ EA", "vni") == 0
    assert le._foreign_letters("X× 1", "tcvn3") == 0  # × is no letter


@pytest.mark.parametrize(
    ("word", "expected"),
    [("ghe", True), ("ghi", True), ("ghê", True), ("gha", False), ("nghe", True),
     ("ngha", False), ("ca", True), ("ce", False), ("ky", True), ("qua", True),
     ("quu", False), ("quý", True), ("quýt", True), ("ngàn", True), ("ngànt", False),
     ("hoà", True), ("hòa", True), ("hoai", True), ("hoài", True), ("hoaì", False),
     ("quà", True), ("qùa", False), ("mùa", True), ("muà", False), ("kìa", True),
     ("lúc", True), ("lục", True), ("lùc", False), ("lủc", False), ("đắk", True),
     ("xanh", True), ("xenh", False), ("bâ", False), ("yên", True), ("yê", False),
     ("ChÊn", False), ("12", False), ("Bình", True), ("BÌNH", True), ("khoong", True),
     ("tòán", False), ("hoàì", False),  # two tone marks, each well placed alone
     ("baǹ", False)],  # a tone mark on the coda ("ǹ" is n + grave in NFC)
)
def test_is_syllable(word: str, expected: bool) -> None:
    assert le.is_syllable(word) is expected


def test_bad_syllables_counts_only_non_ascii_words() -> None:
    assert le._bad_syllables("xyzq Bình ngànt") == 1
    assert le._bad_syllables("hoaì ChÊn") == 2


@pytest.mark.parametrize(
    ("best", "second", "undecided"),
    [((0, 0), (1, 0), False), ((1, 0), (1, 0), True), ((0, 0), (0, 1), False),
     ((0, 1), (0, 2), True), ((0, 1), (0, 3), False), ((0, 0), (0, 0), True),
     ((2, 0), (1, 5), False)],
)
def test_undecided_boundaries(best: tuple[int, int], second: tuple[int, int],
                              undecided: bool) -> None:
    assert le._undecided(best, second) is undecided


@pytest.mark.parametrize(
    ("font", "encoding"),
    [(".VnTime", "tcvn3"), (" .VnTimeH ", "tcvn3h"), (".vnarial", "tcvn3"), ("VNI-Times", "vni"),
     ("vni-helve", "vni"), ("Times New Roman", None), (None, None), ("", None)],
)
def test_font_encoding(font: str | None, encoding: str | None) -> None:
    assert le.font_encoding(font) == encoding


def test_a_legacy_font_decides_but_refuses_junk_and_two_tone_marks() -> None:
    assert le.fix_legacy("Hé", ".VnTime") == ("Hộ", "tcvn3")
    assert le.fix_legacy("HéI", ".VnTimeH") == ("HỘI", "tcvn3")
    assert le.fix_legacy("Hé", ".VnTimeH") == ("HỘ", "tcvn3")
    assert le.fix_legacy("Hoäi", "VNI-Times") == ("Hội", "vni")
    assert le.fix_legacy("abc", ".VnTime") == ("abc", None)  # ASCII: nothing to decode
    assert le.fix_legacy("café", "VNI-Times") == ("café", None)  # decodes to itself
    # ¸ and µ are á and à in TCVN3: one word with two tone marks is not Vietnamese
    assert le.fix_legacy("a¸µ", ".VnTime") == ("a¸µ", None)
    # a single tone clash is already too many
    assert le.fix_legacy("B¸µ Thu", ".VnTime") == ("B¸µ Thu", None)


def test_the_heuristic_leaves_what_it_cannot_decide() -> None:
    assert le.fix_legacy("B×nh ThuËn") == ("Bình Thuận", "tcvn3")
    assert le.fix_legacy("Bình Thuaän") == ("Bình Thuận", "vni")
    assert le.fix_legacy("plain") == ("plain", None)
    assert le.fix_legacy(None) == (None, None)  # type: ignore[arg-type]
    assert le.fix_legacy("Bình Thuận") == ("Bình Thuận", None)
    # VNI in capitals without a single TCVN3 byte: the TCVN3 decoding changes nothing,
    # and the VNI one is still tried
    assert le.fix_legacy("TAÂY NINH") == ("TÂY NINH", "vni")
    # one tell-tale byte is enough for text in capitals
    assert le.fix_legacy("B×NH") == ("BÌNH", "tcvn3")
    # one word with two tone marks refuses the decoding, even though it removes junk
    assert le.fix_legacy("B×nh ThuËn a¸µ") == ("B×nh ThuËn a¸µ", None)
    assert le.looks_like_tcvn3("B×nh ThuËn") and not le.looks_like_vni("B×nh ThuËn")
    assert le.looks_like_vni("Bình Thuaän") and not le.looks_like_tcvn3("Bình Thuaän")
    assert not le.looks_like_tcvn3(5) and not le.looks_like_vni(None)


def test_a_no_break_space_does_not_change_the_decision() -> None:
    # found by the idempotence property test: "\xa0â" was left alone (the no-break space
    # counted as junk) and its repair "â" was then decoded; both now decode alike
    from danvan_survey.textfix import normalize_text

    assert normalize_text("\xa0â") == normalize_text("â") == "õ"
    assert normalize_text(normalize_text("\xa0â")) == normalize_text("\xa0â")
    assert le.fix_legacy("B×nh\xa0ThuËn") == ("Bình\xa0Thuận", "tcvn3")


def test_unicode_text_in_a_legacy_font_cell_is_left_alone() -> None:
    # offices convert old workbooks with Unikey and keep the .VnTime font on the cells:
    # text with characters beyond latin-1 is already Unicode, whatever the font says
    assert le.fix_legacy("Bình Thuận", ".VnTime") == ("Bình Thuận", None)
    assert le.fix_legacy("Hội Nông dân", "VNI-Times") == ("Hội Nông dân", None)
    assert le.fix_legacy("Xã Đông Hà", ".VnTimeH") == ("Xã Đông Hà", None)


def test_capitals_without_a_tell_tale_byte_are_not_decoded() -> None:
    # "YÔNG" (a place name in "Ea Yông") decodes cleanly as TCVN3 to "YỄNG", but in
    # capitals the legacy bytes look like Vietnamese capitals: with no tell-tale byte,
    # a clean decoding alone is not enough
    assert le.fix_legacy("YÔNG") == ("YÔNG", None)
    assert le.fix_legacy("XÃ EA YÔNG") == ("XÃ EA YÔNG", None)
