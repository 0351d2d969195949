"""Property tests: whatever arrives, nothing is lost and cleaning is stable."""

from __future__ import annotations

import pandas as pd
from conftest import A_HEADER, write_mini_round
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from danvan_survey.export import source_counts
from danvan_survey.pipeline import run_round
from danvan_survey.textfix import repair_text

COMMUNES = ["23035", "23038", "xa phan hoa", "Phan Thanh", "X. Phan Hiệp", "Tân Hà", "khong co", ""]
ORGS = ["hnd", "hlhpn", "doan", "hccb", "mttq", "Hội Nông dân", "xyz", ""]
VALUES = ["", "0", "5", "12", "1.234", "12,5", "-3", "-9", "99", "abc", "không rõ", "1e3", "7"]
DATES = ["2014-07-01", "15/07/2014", "41805", "31/02/2014", "", "hôm qua"]
TIMES = ["2014-07-01T10:00:00", "2014-07-02T10:00:00", ""]

row = st.fixed_dictionaries(
    {
        "grp_general/commune_code": st.sampled_from(COMMUNES),
        "grp_general/org_type": st.sampled_from(ORGS),
        "grp_general/interview_date": st.sampled_from(DATES),
        "grp_members/n_branches": st.sampled_from(VALUES),
        "grp_members/eligible_pop": st.sampled_from(VALUES),
        "grp_members/members_total": st.sampled_from(VALUES),
        "grp_meetings/branches_silent_6m": st.sampled_from(VALUES),
        "grp_rating/rating_last_year": st.sampled_from(["1", "4", "9", "Khá", "7", ""]),
        "_submission_time": st.sampled_from(TIMES),
    }
)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(row, min_size=1, max_size=12))
def test_nothing_lost_for_any_input(tmp_path_factory, rows):
    root = tmp_path_factory.mktemp("prop")
    folder = write_mini_round(root)
    frame = pd.DataFrame([{c: r.get(c, "") for c in A_HEADER} for r in rows], columns=A_HEADER)
    frame["grp_general/round_id"] = "mini"
    frame["grp_general/district_code"] = "596"
    frame.to_csv(folder / "a.csv", sep=";", index=False)
    result = run_round("mini", root)
    counts = source_counts(result).set_index("source_file")
    a = counts.loc["a.csv"]
    assert a["read"] == len(rows)
    assert a["read"] == a["clean"] + a["quarantined"] + a["duplicates"]
    clean = result.outcomes["a"].clean
    assert not clean.duplicated(["commune_code", "org_type"]).any()
    assert clean["commune_code"].notna().all()


VIETNAMESE = (
    "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"
)
ALPHABET = VIETNAMESE + VIETNAMESE.upper() + " 0123456789,.-/"


@given(st.text(alphabet=ALPHABET, max_size=40))
def test_text_repair_is_idempotent(text):
    once, _ = repair_text(text)
    assert repair_text(once)[0] == once
