"""Commune and district matching at its thresholds: behaviours the mutation run of places found
untested. Names are made up so that rapidfuzz scores land exactly on each threshold."""

from __future__ import annotations

import sys

import pandas as pd
import pytest
from rapidfuzz import fuzz

from danvan_survey.places import (
    FUZZY_MIN_LEAD,
    FUZZY_MIN_SCORE,
    CommuneMatcher,
    MatchResult,
    OfflineError,
    ensure_offline,
)
from danvan_survey.reference import communes

TYPED = "abcdefghijklmnopqrst"  # 20 distinct letters: each replaced letter costs 2.5 points
SCORE_90 = "abcdefghijklmnopqrUV"
SCORE_85 = "abcdefghijklmnopqUVW"
SCORE_80 = "abcdefghijklmnopUVWZ"
SCORE_75 = "abcdefghijklmnoUVWZK"


def _frame(rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    """(commune type, name without type, district code, district name) per commune."""
    return pd.DataFrame({
        "commune_code": [f"{i:05d}" for i in range(1, len(rows) + 1)],
        "commune_name": [f"{t} {n}" for t, n, _, _ in rows],
        "commune_type": [t for t, _, _, _ in rows],
        "district_code": [d for _, _, d, _ in rows],
        "district_name": [dn for _, _, _, dn in rows],
    })


def _communes(names: list[str]) -> pd.DataFrame:
    """One xã per name, all in district 001 "Huyện Một"."""
    return _frame([("Xã", name, "001", "Huyện Một") for name in names])


def test_the_made_up_names_score_exactly_on_the_thresholds() -> None:
    assert (FUZZY_MIN_SCORE, FUZZY_MIN_LEAD) == (90.0, 5.0)
    got = [fuzz.ratio(TYPED, s.lower()) for s in (SCORE_90, SCORE_85, SCORE_80, SCORE_75)]
    assert got == [90.0, 85.0, 80.0, 75.0]


def test_a_typo_at_exactly_the_score_and_the_lead_is_matched() -> None:
    got = CommuneMatcher(_communes([SCORE_90, SCORE_85])).match(TYPED)
    assert (got.code, got.status) == ("00001", "fuzzy")
    assert [c[3] for c in got.candidates] == [90.0, 85.0]


def test_a_typo_just_below_the_score_is_ambiguous_down_to_80_then_unmatched() -> None:
    got = CommuneMatcher(_communes([SCORE_85, SCORE_75])).match(TYPED)
    assert (got.code, got.status) == (None, "ambiguous")
    got = CommuneMatcher(_communes([SCORE_80])).match(TYPED)
    assert (got.code, got.status) == (None, "ambiguous")
    got = CommuneMatcher(_communes([SCORE_75])).match(TYPED)
    assert (got.code, got.status) == (None, "unmatched")
    assert got.candidates == [("00001", f"Xã {SCORE_75}", "Huyện Một", 75.0)]


def test_a_lone_candidate_at_exactly_the_score_is_matched() -> None:
    got = CommuneMatcher(_communes([SCORE_90])).match(TYPED)
    assert (got.code, got.status) == ("00001", "fuzzy")


def _districts(names: list[str]) -> CommuneMatcher:
    """One district per name ("Huyện <name>", codes 001, 002, ...), one xã in each."""
    return CommuneMatcher(_frame(
        [("Xã", f"Số {i}", f"{i:03d}", f"Huyện {name}") for i, name in enumerate(names, 1)]
    ))


@pytest.mark.parametrize(
    ("names", "code"),
    [
        ([SCORE_90, SCORE_85], "001"),  # exactly the score and the lead
        ([SCORE_90], "001"),  # a lone district at exactly the score
        ([SCORE_85, SCORE_75], None),  # below the score
    ],
)
def test_district_typos_at_the_thresholds(names: list[str], code: str | None) -> None:
    assert _districts(names).match_district(TYPED) == code


def test_two_candidates_closer_than_the_lead_are_ambiguous() -> None:
    got = CommuneMatcher(_communes([SCORE_90, "abcdefghijklmnopqUV"])).match(TYPED)
    assert [round(c[3], 1) for c in got.candidates] == [90.0, 87.2]
    assert (got.code, got.status) == (None, "ambiguous")


def test_a_typo_is_matched_only_among_the_communes_of_its_district() -> None:
    matcher = CommuneMatcher(_frame([
        ("Xã", "abcdefghijklmnopqrsU", "001", "Huyện Một"),  # 95 but in another district
        ("Xã", "abcdefghijklmnopqUV", "002", "Huyện Hai"),  # 87.2
    ]))
    assert matcher.match(TYPED).code == "00001"
    got = matcher.match(TYPED, "Huyện Hai")
    assert (got.code, got.status) == (None, "ambiguous")
    assert [c[0] for c in got.candidates] == ["00002"]


def test_a_typed_prefix_narrows_typo_candidates_to_that_type() -> None:
    matcher = CommuneMatcher(_frame([
        ("Xã", "abcdefghijklmnopqrsU", "001", "Huyện Một"),
        ("Phường", "abcdefghijklmnopqrsU", "001", "Huyện Một"),
    ]))
    assert matcher.match(f"P. {TYPED}").code == "00002"
    assert matcher.match(f"Xã {TYPED}").code == "00001"
    assert matcher.match(TYPED).status == "ambiguous"  # no prefix: both fit equally


def test_candidates_scoring_below_60_are_not_listed() -> None:
    got = CommuneMatcher(_communes(["abcdefghijkl12345678"])).match(TYPED)  # exactly 60
    assert (got.status, [c[3] for c in got.candidates]) == ("unmatched", [60.0])
    got = CommuneMatcher(_communes(["abcdefghijk123456789"])).match(TYPED)  # 55
    assert (got.status, got.candidates) == ("unmatched", [])


def test_at_most_five_candidates_are_listed_best_then_by_code() -> None:
    tied = [TYPED[:i] + "U" + TYPED[i + 1:] for i in range(6)]  # six names scoring 95
    got = CommuneMatcher(_communes(tied)).match(TYPED)
    assert got.status == "ambiguous"
    assert [c[0] for c in got.candidates] == ["00001", "00002", "00003", "00004", "00005"]


def test_ensure_offline_without_the_package_reports_false(monkeypatch) -> None:
    for name in ("vietnamadminunits", "vietnamadminunits.converter",
                 "vietnamadminunits.parser"):
        monkeypatch.setitem(sys.modules, name, None)  # import now raises ImportError
    assert ensure_offline() is False


def test_ensure_offline_patches_every_online_entry_point(monkeypatch) -> None:
    pytest.importorskip("vietnamadminunits")
    from vietnamadminunits.converter import converter_2025
    from vietnamadminunits.parser import utils

    def online(*_a: object) -> None:
        return None

    monkeypatch.setattr(converter_2025, "get_geo_location", online)
    monkeypatch.setattr(utils, "get_geo_location", online)
    monkeypatch.setattr(utils.geolocator, "geocode", online)
    assert ensure_offline() is True
    for refuse in (converter_2025.get_geo_location, utils.get_geo_location,
                   utils.geolocator.geocode):
        with pytest.raises(OfflineError, match="trực tuyến"):
            refuse("X. Hòa Thắng, Bắc Bình, Bình Thuận")


def test_a_score_just_below_80_is_unmatched() -> None:
    assert round(fuzz.ratio(TYPED, "abcdefghijklmnopquvwxyz"), 2) == 79.07
    got = CommuneMatcher(_communes(["abcdefghijklmnopqUVWXYZ"])).match(TYPED)
    assert (got.code, got.status) == (None, "unmatched")


def test_a_typo_in_the_type_word_is_matched_on_the_full_name() -> None:
    # built inside the test: mutmut links a module fixture's set-up to the first test only
    got = CommuneMatcher(communes("60")).match("Phườg Mũi Né")
    assert (got.code, got.status) == ("22915", "fuzzy")


def test_one_row_per_code_and_one_name_per_district_the_first_ones() -> None:
    matcher = CommuneMatcher(_frame([
        ("Xã", "An Hải", "001", "Huyện Một"),
        ("Xã", "Bình Hải", "001", "Huyện Một"),  # listed under the code of An Hải
        ("Xã", "Châu Hải", "002", "Huyện Hai"),
        ("Xã", "Dương Hải", "002", "Huyện Khác Hẳn"),  # the same district, another name
    ]).assign(commune_code=["00001", "00001", "00003", "00004"]))
    assert matcher.match("An Hải").code == "00001"
    assert matcher.match("Bình Hải").status == "unmatched"  # its code was listed already
    assert matcher.match_district("Huyện Hai") == "002"
    assert matcher.match_district("Huyện Khác Hẳn") is None


def _two_districts() -> CommuneMatcher:
    return CommuneMatcher(_frame([
        ("Xã", "Năn", "001", "Huyện Nône"),  # folded: "nan" and "none", like NaN and None
        ("Xã", "Năn", "002", "Huyện Hai"),
        ("Xã", "An Hải", "002", "Huyện Hai"),
        ("Xã", "Ô", "002", "Huyện Hai"),
    ]))


def test_missing_names_and_districts_are_not_read_as_text() -> None:
    m = _two_districts()
    for missing in (None, float("nan")):
        assert m.match(missing) == MatchResult(None, "unmatched")
        assert m.match_district(missing) is None
    assert m.match("Năn").status == "ambiguous"  # no district: both fit
    assert m.match("Năn", None).status == "ambiguous"
    assert m.match("Năn", float("nan")).status == "ambiguous"
    assert m.match("Năn", 2.0).code == "00002"  # a district code read as a float
    assert m.match("An Hải", float("nan")).code == "00003"


def test_numbers_typed_as_numbers_are_codes() -> None:
    m = CommuneMatcher(communes("60"))
    assert m.match(22915.0).code == "22915"
    assert m.match(22915).code == "22915" and m.match(23047).code == "23047"  # not cached as one
    assert m.match(["Mũi Né"]).code == "22915"  # anything else is read as its text, no error


def test_sure_matches_score_100() -> None:
    m = _two_districts()
    assert m.match("00003").candidates == [("00003", "Xã An Hải", "Huyện Hai", 100.0)]
    assert [c[3] for c in m.match("Xã An Hải").candidates] == [100.0]
    assert [c[3] for c in m.match("Năn").candidates] == [100.0, 100.0]


def test_the_right_name_in_another_district_is_reported_not_guessed() -> None:
    got = _two_districts().match("An Hải", "Huyện Nône")
    assert (got.code, got.status) == (None, "unmatched")
    assert got.candidates == [("00003", "Xã An Hải", "Huyện Hai", 100.0)]


def test_a_one_letter_name_after_its_type_word() -> None:
    assert _two_districts().match("xa o") == MatchResult(
        "00004", "folded", [("00004", "Xã Ô", "Huyện Hai", 100.0)]
    )


def test_tied_candidates_are_listed_by_code_not_by_name() -> None:
    late, early = TYPED[:5] + "U" + TYPED[6:], TYPED[:2] + "U" + TYPED[3:]  # early sorts first
    got = CommuneMatcher(_communes([late, early])).match(TYPED)
    assert [c[0] for c in got.candidates] == ["00001", "00002"]


def test_a_typed_name_is_looked_up_whole_before_its_type_word_is_dropped() -> None:
    m = CommuneMatcher(_frame([
        ("Xã", "Một", "001", "Huyện Quan Hai"),  # "Quan" is also the type word of a quận
        ("Xã", "Hai", "002", "Huyện Hai"),
    ]))
    assert m.match_district("Quan Hai") == "001"
    assert m.match_district("Quận Hai") == "001"  # folded the same
    assert m.match_district("Hai") == "002"


def test_a_lone_district_without_a_type_word_is_matched_by_a_typo() -> None:
    m = CommuneMatcher(_frame([("Xã", "Một", "001", SCORE_90)]))
    assert m.match_district(TYPED) == "001"
    m = CommuneMatcher(_frame([("Xã", "Một", "001", SCORE_90),
                               ("Xã", "Hai", "002", "abcdefghijklmnopqUV")]))
    assert m.match_district(TYPED) is None  # 90 against 87.2: too close


def test_match_many_without_districts_and_with_the_wrong_length() -> None:
    m = _two_districts()
    assert [r.code for r in m.match_many(["An Hải", "Ô"])] == ["00003", "00004"]
    with pytest.raises(ValueError, match="^names and districts differ in length$"):
        m.match_many(["An Hải"], [None, None])


def test_a_float_district_code_is_a_code_and_reordered_words_are_no_typo() -> None:
    m = _two_districts()
    assert m.match_district(2.0) == "002"
    m = CommuneMatcher(_frame([("Xã", "Một", "001", "Huyện Hai Một")]))
    assert fuzz.WRatio("mot hai", "hai mot") == 95.0  # rapidfuzz's default scorer would take it
    assert m.match_district("Một Hai") is None


def test_five_candidates_even_when_the_full_names_rank_another_commune() -> None:
    # five phường one letter off (95 on the name, 80.9 with "phuong"), and a xã two letters off
    # (90 on the name, cut by the five best; 83.7 with "xa", the best full-name score)
    names = [("Phường", TYPED[:i] + "U" + TYPED[i + 1:], "001", "Huyện Một") for i in range(5)]
    m = CommuneMatcher(_frame([*names, ("Xã", SCORE_90, "001", "Huyện Một")]))
    got = m.match(TYPED)
    assert [c[0] for c in got.candidates] == ["00001", "00002", "00003", "00004", "00005"]


def test_ensure_offline_when_the_package_has_no_geolocator(monkeypatch) -> None:
    pytest.importorskip("vietnamadminunits")
    from vietnamadminunits.parser import utils

    monkeypatch.delattr(utils, "geolocator")
    assert ensure_offline() is True


def test_a_name_whose_first_word_looks_like_a_type_word_is_not_narrowed_by_it() -> None:
    # national lists hold both Xã Phương Liên-like and Phường Phương Liên-like names
    m = CommuneMatcher(_frame([
        ("Xã", "Phương Liên", "001", "Huyện Một"),
        ("Phường", "Phương Liên", "002", "Quận Hai"),
    ]))
    got = m.match("Phương Liên")
    assert (got.code, got.status) == (None, "ambiguous")  # once: the phường, a guess
    assert m.match("Phương Liên", "Huyện Một").code == "00001"
    assert m.match("Phường Phương Liên").code == "00002"
    assert m.match("Xã Phương Liên").code == "00001"
