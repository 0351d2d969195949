"""Place and round resolution of clean.py: behaviours the mutation run of clean found untested.

Direct, fast tests of ``resolve_communes`` (commune names/codes to GSO codes, ambiguous or
unmatched names reported and never guessed, the district derived from the commune),
``resolve_round`` (an empty round id filled from the config, another round a hard issue),
``log_source_fills`` (values ingest filled from round.yaml logged per record) and
``clean_form`` (all of it together, with cell-font hints of a workbook source). Until now
these were reached only through the quarantine/data-rule tests and slow pipeline runs.
Every expected value is derived here from the input and the real Bình Thuận reference.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from openpyxl.styles import Font

from danvan_survey.clean import (
    LOG_COLUMNS,
    FormCleaning,
    clean_form,
    log_source_fills,
    record_keys,
    resolve_communes,
    resolve_round,
)
from danvan_survey.codebook import load_codebook
from danvan_survey.config import RoundConfig
from danvan_survey.places import CommuneMatcher
from danvan_survey.reference import communes

CODEBOOK = load_codebook()
COMMUNES = communes("60")
MATCHER = CommuneMatcher(COMMUNES)
REF = COMMUNES.set_index("commune_code")
ROUND = "mini"
FRAME_COLUMNS = ["_idx", *LOG_COLUMNS[1:]]  # a log frame: the row index, then the log columns
MESSAGE = (
    "Tên xã '{name}' {what} trong danh mục; không tự đoán. "
    "Ứng viên: {cands}. Ghi mã xã 5 số hoặc sửa tên trong tệp hiệu chỉnh."
)
AMBIGUOUS = "trùng tên ở nhiều nơi"
NOT_FOUND = "không tìm thấy"


def _cfg(folder: Path = Path()) -> RoundConfig:
    return RoundConfig(
        round_id=ROUND, title="Đợt thử", province_code="60", admin_vintage="2014",
        reference_year=2014, period_start=date(2014, 6, 1), period_end=date(2014, 9, 30),
        synthetic=True, sources=(), folder=folder,
    )


def _provenance(n: int, file: str = "a.csv") -> dict[str, list[Any]]:
    """Source file/sheet/row of ``n`` records: row ``i + 2`` (the header is row 1)."""
    return {"_source_file": [file] * n, "_source_sheet": [""] * n,
            "_source_row": [i + 2 for i in range(n)]}


def _work(**columns: list[Any]) -> tuple[FormCleaning, pd.DataFrame]:
    """A cleaning in progress holding ``columns``, and its raw table (provenance only)."""
    n = len(next(iter(columns.values())))
    raw = pd.DataFrame(_provenance(n))
    values = pd.DataFrame({**_provenance(n), **columns}, dtype=object)
    return FormCleaning(values=values, log=[], issues=[]), raw


def _row(idx: int, variable: str, old: str, new: str, rule: str, action: str,
         file: str = "a.csv") -> dict[str, Any]:
    """Expected log row of record ``idx`` (built as in :func:`_provenance`)."""
    return {"_idx": idx, "source_file": file, "source_sheet": "", "source_row": idx + 2,
            "variable": variable, "old_value": old, "new_value": new, "rule": rule,
            "action": action}


def _issue(idx: int, rule: str, variable: str, value: str, message: str) -> dict[str, Any]:
    return {"_idx": idx, "record_key": "", "level": "error", "rule": rule, "file": "a.csv",
            "sheet": "", "row": idx + 2, "variable": variable, "value": value,
            "message": message}


def _frames(work: FormCleaning) -> list[list[dict[str, Any]]]:
    """The cleaning log, one list of rows per appended frame (each frame's columns checked)."""
    for frame in work.log:
        assert isinstance(frame, pd.DataFrame)
        assert list(frame.columns) == FRAME_COLUMNS
    return [frame.to_dict("records") for frame in work.log]


def _cand(code: str) -> str:
    """A candidate as the issue message shows it: code, commune name (district name)."""
    return f"{code} {REF.at[code, 'commune_name']} ({REF.at[code, 'district_name']})"


def _codes_named(name: str) -> list[str]:
    return sorted(COMMUNES.loc[COMMUNES["commune_name"] == name, "commune_code"])


def _plain(values: pd.Series) -> list[Any]:
    return [None if pd.isna(v) else v for v in values]


# --- resolve_communes ------------------------------------------------------------------------


def test_commune_by_code_name_or_typo_is_resolved_and_the_district_derived() -> None:
    phan_son = "23008"  # Xã Phan Sơn, Huyện Bắc Bình
    bac_binh = REF.at[phan_son, "district_code"]
    assert REF.at[phan_son, "commune_name"] == "Xã Phan Sơn"
    assert REF.at["23035", "district_code"] == REF.at["23011", "district_code"] == bac_binh
    work, raw = _work(
        commune_code=["23035", "Phan Son", "Phan Sơnn", None, "23011", "Phan Son"],
        district_code=[bac_binh, bac_binh, "Bac Binh", None, None, bac_binh],
    )
    resolve_communes(work, raw, COMMUNES, MATCHER)
    assert _plain(work.values["commune_code"]) == ["23035", phan_son, phan_son, None, "23011",
                                                   phan_son]
    assert _plain(work.values["district_code"]) == [bac_binh, bac_binh, bac_binh, None,
                                                    bac_binh, bac_binh]
    commune_log = [
        _row(1, "commune_code", "Phan Son", phan_son, "commune_folded", "recoded"),
        _row(2, "commune_code", "Phan Sơnn", phan_son, "commune_fuzzy", "recoded"),
        _row(5, "commune_code", "Phan Son", phan_son, "commune_folded", "recoded"),
    ]
    district_log = [  # the typed name and the empty district; not the unmatched commune's
        _row(2, "district_code", "Bac Binh", bac_binh, "district_from_commune", "recoded"),
        _row(4, "district_code", "", bac_binh, "district_from_commune", "recoded"),
    ]
    assert _frames(work) == [commune_log, district_log]
    message = MESSAGE.format(name="", what=NOT_FOUND, cands="không có")
    assert work.issues == [_issue(3, "commune_unmatched", "commune_code", "", message)]


def test_resolved_values_stay_on_their_row_labels() -> None:
    """Codes, districts and issues follow the rows' index labels, not their positions."""
    phan_son = "23008"
    bac_binh = REF.at[phan_son, "district_code"]
    work, raw = _work(commune_code=["Phan Son", "Không Có", "Phan Son"],
                      district_code=[None, None, bac_binh])
    labels = pd.Index([7, 3, 9])
    work.values.index, raw.index = labels, labels
    resolve_communes(work, raw, COMMUNES, MATCHER)
    assert _plain(work.values["commune_code"]) == [phan_son, None, phan_son]
    assert _plain(work.values["district_code"]) == [bac_binh, None, bac_binh]
    assert [i["_idx"] for i in work.issues] == [3]
    commune_log = _frames(work)[0]
    assert [(r["_idx"], r["rule"]) for r in commune_log] == [(7, "commune_folded"),
                                                            (9, "commune_folded")]


def test_an_ambiguous_name_is_an_issue_unless_the_district_tells_which() -> None:
    tan_ha = _codes_named("Xã Tân Hà")
    assert len(tan_ha) == 2
    first, second = tan_ha
    district = REF.at[first, "district_name"]  # "Huyện Đức Linh"
    typed = district.removeprefix("Huyện ")
    work, raw = _work(commune_code=["Tân Hà", "Tân Hà"], district_code=[None, typed])
    resolve_communes(work, raw, COMMUNES, MATCHER)
    assert _plain(work.values["commune_code"]) == [None, first]
    assert _plain(work.values["district_code"]) == [None, REF.at[first, "district_code"]]
    assert _frames(work) == [
        [_row(1, "commune_code", "Tân Hà", first, "commune_exact", "recoded")],
        [_row(0, "commune_code", "Tân Hà", "", "commune_ambiguous", "set_missing")],
        [_row(1, "district_code", typed, REF.at[first, "district_code"],
              "district_from_commune", "recoded")],
    ]
    cands = f"{_cand(first)}; {_cand(second)}"
    message = MESSAGE.format(name="Tân Hà", what=AMBIGUOUS, cands=cands)
    assert work.issues == [_issue(0, "commune_ambiguous", "commune_code", "Tân Hà", message)]


def test_a_name_of_another_district_is_unmatched_and_its_district_kept_as_typed() -> None:
    phan_son = "23008"
    other = REF.loc[REF["district_code"] != REF.at[phan_son, "district_code"],
                    "district_code"].iloc[0]
    work, raw = _work(commune_code=["Phan Sơn", "23035"], district_code=[other, "596"])
    resolve_communes(work, raw, COMMUNES, MATCHER)
    assert _plain(work.values["commune_code"]) == [None, "23035"]
    # the quarantined record still shows the district that was typed, and the log says
    # why the commune name left the record
    assert _plain(work.values["district_code"]) == [other, "596"]
    assert _frames(work) == [
        [_row(0, "commune_code", "Phan Sơn", "", "commune_unmatched", "set_missing")]]
    message = MESSAGE.format(name="Phan Sơn", what=NOT_FOUND, cands=_cand(phan_son))
    assert work.issues == [_issue(0, "commune_unmatched", "commune_code", "Phan Sơn", message)]


def test_without_a_district_column_the_district_comes_from_the_commune() -> None:
    work, raw = _work(commune_code=["23008", "Phan Son", "23257"])
    resolve_communes(work, raw, COMMUNES, MATCHER)
    assert _plain(work.values["commune_code"]) == ["23008", "23008", "23257"]
    assert _plain(work.values["district_code"]) == [
        REF.at["23008", "district_code"], REF.at["23008", "district_code"],
        REF.at["23257", "district_code"]]
    assert _frames(work) == [
        [_row(1, "commune_code", "Phan Son", "23008", "commune_folded", "recoded")]]
    assert work.issues == []


def test_an_ambiguous_name_lists_five_candidates_at_most() -> None:
    n = 6
    towns = pd.DataFrame({
        "commune_code": [f"0000{i}" for i in range(1, n + 1)],
        "commune_name": ["Xã Tân Hà"] * n, "commune_type": ["Xã"] * n,
        "district_code": [f"00{i}" for i in range(1, n + 1)],
        "district_name": [f"Huyện {chr(64 + i)}" for i in range(1, n + 1)],
    })
    work, raw = _work(commune_code=["Tân Hà"])
    resolve_communes(work, raw, towns, CommuneMatcher(towns))
    cands = "; ".join(f"0000{i} Xã Tân Hà (Huyện {chr(64 + i)})" for i in range(1, 6))
    message = MESSAGE.format(name="Tân Hà", what=AMBIGUOUS, cands=cands)
    assert work.issues == [_issue(0, "commune_ambiguous", "commune_code", "Tân Hà", message)]
    assert _plain(work.values["district_code"]) == [None]


def test_each_name_and_district_pair_is_matched_on_its_own() -> None:
    """Names/districts holding a control byte are each matched on their own text.

    Known limit: the pairs are told apart by their joined text, so a bare "\\x1f" moved from
    a name's end to its district's start still collides (unreachable from ``clean_form``,
    which strips control bytes first).
    """
    sep = "XX\x1fXX"
    work, raw = _work(commune_code=["Phan Sơn", "Phan Sơn" + sep],
                      district_code=[sep + "q", "q"])
    resolve_communes(work, raw, COMMUNES, MATCHER)
    assert _plain(work.values["commune_code"]) == ["23008", None]
    assert [i["_idx"] for i in work.issues] == [1]


# --- resolve_round ---------------------------------------------------------------------------


def test_an_empty_round_id_is_filled_and_another_round_is_an_issue() -> None:
    work, raw = _work(round_id=[ROUND, None, "", ROUND.upper(), "2013-r2"])
    resolve_round(work, raw, _cfg())
    assert work.values["round_id"].tolist() == [ROUND, ROUND, ROUND, ROUND, "2013-r2"]
    assert _frames(work) == [
        [_row(i, "round_id", "", ROUND, "round_from_config", "filled") for i in (1, 2)],
        [_row(3, "round_id", ROUND.upper(), ROUND, "round_id_spelling", "recoded")],
    ]
    message = (f"Bản ghi thuộc đợt '2013-r2', không phải đợt {ROUND}; "
               "tách ra khỏi tệp của đợt này.")
    assert work.issues == [_issue(4, "other_round", "round_id", "2013-r2", message)]


def test_without_a_round_id_column_every_record_takes_the_round_of_the_config() -> None:
    work, raw = _work(commune_code=["23008", "23011", "23014"])
    resolve_round(work, raw, _cfg())
    assert work.values["round_id"].tolist() == [ROUND] * 3
    assert _frames(work) == [[_row(i, "round_id", "", ROUND, "round_from_config", "filled")
                              for i in range(3)]]
    assert work.issues == []


def test_round_ids_typed_as_the_config_spells_them_log_nothing() -> None:
    work, raw = _work(round_id=[ROUND, ROUND])
    resolve_round(work, raw, _cfg())
    assert work.values["round_id"].tolist() == [ROUND, ROUND]
    assert work.log == [] and work.issues == []


def test_the_round_id_in_another_spelling_becomes_the_configs_so_keys_agree() -> None:
    """'Mini' and 'mini' are one round: one spelling, so a record read twice is one key."""
    assert ROUND != "Mini"
    work, raw = _work(round_id=["Mini", ROUND, " MINI "], cadre_id=["c1", "c1", "c2"])
    resolve_round(work, raw, _cfg())
    assert work.values["round_id"].tolist() == [ROUND, ROUND, ROUND]
    assert _frames(work) == [[
        _row(0, "round_id", "Mini", ROUND, "round_id_spelling", "recoded"),
        _row(2, "round_id", " MINI ", ROUND, "round_id_spelling", "recoded"),
    ]]
    assert work.issues == []
    assert record_keys(work.values, "b").tolist() == [f"{ROUND}|c1", f"{ROUND}|c1",
                                                      f"{ROUND}|c2"]


# --- log_source_fills ------------------------------------------------------------------------


def test_each_filled_value_is_logged_per_variable_and_record() -> None:
    period = "interview_date:interview_date_period_start"
    raw = pd.DataFrame({
        **_provenance(4),
        "_fill_rules": [f"org_type:source_value {period}", None, "org_type:source_value", ""],
        "org_type": ["hnd", "mttq", "doan", "hccb"],
        "interview_date": ["2014-06-01", "2014-07-02", "2014-07-03", ""],
    })
    work, _ = _work(commune_code=["1", "2", "3", "4"])
    log_source_fills(raw, work)
    assert _frames(work) == [  # variables in sorted order of their tokens
        [_row(0, "interview_date", "", "2014-06-01", "interview_date_period_start", "filled")],
        [_row(0, "org_type", "", "hnd", "source_value", "filled"),
         _row(2, "org_type", "", "doan", "source_value", "filled")],
    ]
    assert work.issues == []


def test_the_rule_is_everything_after_the_first_colon() -> None:
    raw = pd.DataFrame({**_provenance(2), "_fill_rules": ["org_type:a:b", ""],
                        "org_type": ["hnd", "mttq"]})
    work, _ = _work(commune_code=["1", "2"])
    log_source_fills(raw, work)
    assert _frames(work) == [[_row(0, "org_type", "", "hnd", "a:b", "filled")]]


def test_without_fill_marks_nothing_is_logged() -> None:
    raw = pd.DataFrame({**_provenance(1), "org_type": ["hnd"]})
    work, _ = _work(commune_code=["1"])
    log_source_fills(raw, work)
    assert work.log == []


# --- clean_form ------------------------------------------------------------------------------


def _raw_a(file: str = "a.csv") -> pd.DataFrame:
    """Three form-A records, each with its own defect, indexed by their Kobo ``_uuid``."""
    return pd.DataFrame({
        **_provenance(3, file),
        "_fill_rules": ["org_type:source_value", "", None],
        "index": ["x", "y", "z"],  # a column of the source called "index" (not a variable)
        "round_id": [ROUND, "", "2013-r2"],
        "interview_date": ["2014-07-01", "2014-07-02", "2014-07-03"],
        "district_code": ["596", "596", None],
        "commune_code": ["Phan Son", "23035", "Tân Hà"],
        "org_type": ["hnd", "hnd", "mttq"],
        "respondent_name": ["Nguyễn Văn A", None, ""],
        "n_branches": ["10", "mười", "-9"],
        "proposals": ["ok", "Há»™i NÃ´ng dÃ¢n", None],
    }, index=pd.Index(["u5", "u7", "u9"], name="_uuid"))


def test_clean_form_repairs_converts_and_resolves_every_variable(tmp_path: Path) -> None:
    work = clean_form(_raw_a(), "a", CODEBOOK, _cfg(tmp_path), COMMUNES, MATCHER)
    values = work.values
    assert values.index.tolist() == [0, 1, 2]  # the raw index is dropped, not kept as data
    names = [v.name for v in CODEBOOK.form("a")]
    assert values.columns.tolist() == ["_source_file", "_source_sheet", "_source_row",
                                       "_fill_rules", *names]
    assert values["_source_row"].tolist() == [2, 3, 4]
    assert values["members_total"].tolist() == [None] * 3  # no column: missing, not ""
    assert _plain(values["respondent_name"]) == ["Nguyễn Văn A", None, None]
    assert values["respondent_phone"].tolist() == [None] * 3
    assert _plain(values["n_branches"]) == [10, None, None]
    assert _plain(values["proposals"]) == ["ok", "Hội Nông dân", None]
    assert values["round_id"].tolist() == [ROUND, ROUND, "2013-r2"]
    assert _plain(values["commune_code"]) == ["23008", "23035", None]
    assert _plain(values["district_code"]) == ["596", "596", None]
    assert _frames(work) == [
        [_row(0, "org_type", "", "hnd", "source_value", "filled")],
        [_row(2, "n_branches", "-9", "", "missing_code:dont_know", "set_missing")],
        [_row(1, "proposals", "Há»™i NÃ´ng dÃ¢n", "Hội Nông dân", "mojibake", "repaired")],
        [_row(1, "round_id", "", ROUND, "round_from_config", "filled")],
        [_row(0, "commune_code", "Phan Son", "23008", "commune_folded", "recoded")],
        [_row(2, "commune_code", "Tân Hà", "", "commune_ambiguous", "set_missing")],
    ]
    tan_ha = _codes_named("Xã Tân Hà")
    assert work.issues == [
        _issue(1, "unparseable", "n_branches", "mười",
               "Giá trị 'mười' không phải là số; nhập số (ví dụ 1234 hoặc 12,5)."),
        _issue(2, "other_round", "round_id", "2013-r2",
               f"Bản ghi thuộc đợt '2013-r2', không phải đợt {ROUND}; "
               "tách ra khỏi tệp của đợt này."),
        _issue(2, "commune_ambiguous", "commune_code", "Tân Hà",
               MESSAGE.format(name="Tân Hà", what=AMBIGUOUS,
                              cands="; ".join(_cand(c) for c in tan_ha))),
    ]


@pytest.mark.parametrize("sheet", ["", "Sheet"])
def test_clean_form_decodes_legacy_text_by_the_font_of_its_workbook_cell(
    tmp_path: Path, sheet: str
) -> None:
    """"Sôn La" is valid Unicode; only its VNI-Times cell font says it is VNI "Sơn La"."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Sheet"
    ws.append(["proposals", "respondent_name"])
    ws.append(["Sôn La", "An"])
    ws.cell(2, 1).font = Font(name="VNI-Times")
    book.save(tmp_path / "a.xlsx")
    raw = pd.DataFrame({
        "_source_file": ["a.xlsx", "a.csv"], "_source_sheet": [sheet, sheet],
        "_source_row": [2, 3], "round_id": [ROUND, ROUND], "commune_code": ["23008", "23008"],
        "district_code": ["596", "596"],
        "proposals": ["Sôn La", "Sôn La"], "respondent_name": ["An", "An"],
    })
    work = clean_form(raw, "a", CODEBOOK, _cfg(tmp_path), COMMUNES, MATCHER)
    assert work.values["proposals"].tolist() == ["Sơn La", "Sôn La"]  # the CSV has no font
    log = pd.concat(work.log)
    assert log[["_idx", "variable", "old_value", "new_value", "rule", "action"]].to_dict(
        "records") == [{"_idx": 0, "variable": "proposals", "old_value": "Sôn La",
                        "new_value": "Sơn La", "rule": "vni", "action": "repaired"}]
    assert work.issues == []
