"""Each quarantine and cleaning-log rule reached by a record that only it catches.

The small test round has none of these defects, so a round is built here with one record
per defect (each otherwise clean, in its own commune so that keys never collide): an
unparseable number, a record of another round, a district that disagrees with its commune,
and interview dates on and just outside each end of the round's period (2014-06-01 to
2014-09-30: outside is a soft flag, the record is kept). Form B holds namesakes in one
commune, told apart by their year of birth.
"""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import A_HEADER, A_ROWS, B_HEADER, B_ROWS, write_mini_round

from danvan_survey.export import cleaning_log
from danvan_survey.pipeline import run_round

GOOD = A_ROWS[0]
COL = {name.split("/")[-1]: i for i, name in enumerate(A_HEADER)}


def _a_row(commune: str, n: int, **values: str) -> list[str]:
    row = list(GOOD)
    row[COL["commune_code"]] = commune
    row[COL["_uuid"]] = row[COL["_index"]] = row[COL["_id"]] = f"x{n}"
    for name, value in values.items():
        row[COL[name]] = value
    return row


EXTRA_A = {
    # commune: (values, what only this record has)
    "23008": {"members_total": "mười hai"},  # not a number
    "23011": {"round_id": "2013-r2"},  # another round
    "23014": {"district_code": "Bac Binh"},  # district typed as a name: 596 from the commune
    "23017": {"interview_date": "2014-09-30"},  # last day of the period: in
    "23020": {"interview_date": "2014-10-01"},  # one day after: out
    "23023": {"interview_date": "2014-06-01"},  # first day: in
    "23026": {"interview_date": "2014-05-31"},  # one day before: out
}
B_COL = {name.split("/")[-1]: i for i, name in enumerate(B_HEADER)}


def _b_row(cadre: str, name: str, year: str, commune: str = "23035") -> list[str]:
    row = list(B_ROWS[0])
    row[B_COL["cadre_id"]], row[B_COL["cadre_name"]] = cadre, name
    row[B_COL["birth_year"]], row[B_COL["commune_code"]] = year, commune
    row[B_COL["_uuid"]] = f"u-{cadre}"
    return row


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    root = tmp_path_factory.mktemp("defects")
    folder = write_mini_round(root)
    rows = A_ROWS + [_a_row(c, i, **v) for i, (c, v) in enumerate(EXTRA_A.items())]
    pd.DataFrame(rows, columns=A_HEADER).to_csv(folder / "a.csv", sep=";", index=False)
    b_rows = B_ROWS + [
        _b_row("N-1", "Nguyễn Văn Nam", "1970"),
        _b_row("N-2", "Nguyen Van Nam", "1980"),  # namesake, same commune, other year
        _b_row("N-3", "Nguyễn Văn Nam", "1970", commune="23008"),  # other commune
        _b_row("N-4", "NGUYỄN VĂN NAM", "1970"),  # same person as N-1, written in capitals
    ]
    pd.DataFrame(b_rows, columns=B_HEADER).to_csv(folder / "b.csv", sep=";", index=False)
    import os

    os.environ["DANVAN_SALT"] = "test-salt"
    return run_round("mini", root)


def _rules_of(result, commune: str) -> list[str]:
    q = result.outcomes["a"].quarantine
    hit = q.loc[q["commune_code"].astype(str) == commune, "quarantine_rules"]
    return hit.iloc[0].split(";") if len(hit) else []


def _clean_communes(result) -> set[str]:
    return set(result.outcomes["a"].clean["commune_code"].astype(str))


def test_unparseable_number_quarantines_with_its_own_rule(result) -> None:
    assert _rules_of(result, "23008") == ["unparseable"]
    q = result.outcomes["a"].quarantine
    reason = q.loc[q["commune_code"].astype(str) == "23008", "quarantine_reasons"].iloc[0]
    assert "mười hai" in reason and "không phải là số" in reason


def test_record_of_another_round_is_quarantined(result) -> None:
    assert _rules_of(result, "23011") == ["other_round"]
    q = result.outcomes["a"].quarantine
    reason = q.loc[q["commune_code"].astype(str) == "23011", "quarantine_reasons"].iloc[0]
    assert "2013-r2" in reason and "mini" in reason


def test_district_is_corrected_from_the_commune_and_logged(result) -> None:
    clean = result.outcomes["a"].clean.set_index("commune_code")
    assert clean.loc["23014", "district_code"] == "596"
    log = cleaning_log(result)
    rows = log[(log["variable"] == "district_code") & (log["rule"] == "district_from_commune")]
    assert len(rows) == 1  # only the record whose district was wrong
    row = rows.iloc[0]
    assert (row["old_value"], str(row["new_value"]), row["action"]) == ("Bac Binh", "596",
                                                                         "recoded")
    assert "23014" in row["record_key"]


@pytest.mark.parametrize(("commune", "inside"),
                         [("23017", True), ("23020", False), ("23023", True), ("23026", False)])
def test_interview_date_window_is_inclusive(result, commune: str, inside: bool) -> None:
    clean = result.outcomes["a"].clean.set_index("commune_code")
    flags = clean.loc[commune, "soft_flags"]
    assert flags == ("" if inside else "warning:interview_date")


def test_round_id_filled_only_where_empty(result) -> None:
    log = cleaning_log(result)
    assert not (log["rule"] == "round_from_config").any()  # every row names its round
    assert "23011" not in _clean_communes(result)


def test_person_hash_tells_namesakes_apart_by_birth_year_and_commune(result) -> None:
    b = pd.concat([result.outcomes["b"].clean, result.outcomes["b"].quarantine])
    h = b.set_index("cadre_id")["person_hash"]
    assert h["N-1"] == h["N-4"]  # same folded name, commune and year: one person
    assert len({h["N-1"], h["N-2"], h["N-3"]}) == 3
    assert h.str.fullmatch(r"[0-9a-f]{16}").all()
