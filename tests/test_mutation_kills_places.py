"""Commune and district matching at its thresholds: behaviours the mutation run of places found
untested. Names are made up so that rapidfuzz scores land exactly on each threshold."""

from __future__ import annotations

import pandas as pd
import pytest
from rapidfuzz import fuzz

from danvan_survey.places import FUZZY_MIN_LEAD, FUZZY_MIN_SCORE, CommuneMatcher

TYPED = "abcdefghijklmnopqrst"  # 20 distinct letters: each replaced letter costs 2.5 points
SCORE_90 = "abcdefghijklmnopqrUV"
SCORE_85 = "abcdefghijklmnopqUVW"
SCORE_80 = "abcdefghijklmnopUVWZ"
SCORE_75 = "abcdefghijklmnoUVWZK"


def _communes(names: list[str], district: str = "Huyện Một") -> pd.DataFrame:
    n = len(names)
    return pd.DataFrame({
        "commune_code": [f"{i:05d}" for i in range(1, n + 1)],
        "commune_name": [f"Xã {name}" for name in names],
        "commune_type": ["Xã"] * n,
        "district_code": ["001"] * n,
        "district_name": [district] * n,
    })


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
    frame = pd.DataFrame({
        "commune_code": [f"{i:05d}" for i in range(1, len(names) + 1)],
        "commune_name": [f"Xã Số {i}" for i in range(1, len(names) + 1)],
        "commune_type": ["Xã"] * len(names),
        "district_code": [f"{i:03d}" for i in range(1, len(names) + 1)],
        "district_name": [f"Huyện {name}" for name in names],
    })
    return CommuneMatcher(frame)


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
