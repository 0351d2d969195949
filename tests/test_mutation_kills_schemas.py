"""The codebook's context functions and schema helpers, called directly: behaviours the
mutation run of schemas found untested (pipeline tests reach them only through pandera)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from danvan_survey.codebook import load_codebook
from danvan_survey.schemas import (
    RoundContext,
    TableSchemaError,
    build_schema,
    check_messages,
    coerce,
    failures,
)

CONTEXT = RoundContext(
    round_year=2014,
    period_start=date(2014, 6, 1),
    period_end=date(2014, 8, 31),
    commune_codes=frozenset({"22915", "23047"}),
    em_area_by_commune={"22915": "em", "23047": "other"},
    form_a_keys=frozenset({("22915", "farmers")}),
    form_a_top_level={("22915", "farmers"): 4.0},
)
FRAME = pd.DataFrame(
    {"commune_code": ["22915", "22915", "23047", "99999"],
     "org_type": ["farmers", "women", "farmers", "farmers"]},
    index=[10, 11, 12, 13],
)


def _fn(name: str):
    return CONTEXT.functions(FRAME)[name]


def test_the_round_window_includes_its_first_and_last_day_only() -> None:
    s = pd.Series(pd.to_datetime(["2014-05-31", "2014-06-01", "2014-08-31", "2014-09-01"]),
                  index=FRAME.index)
    got = _fn("in_round_window")(s)
    assert got.dtype == "boolean"
    assert got.tolist() == [False, True, True, False]
    assert got.index.tolist() == [10, 11, 12, 13]


def test_a_missing_date_is_unknown_not_outside_the_window() -> None:
    s = pd.Series(pd.to_datetime([None, "2014-07-01", None, "2015-01-01"]), index=FRAME.index)
    got = _fn("in_round_window")(s)
    assert got.isna().tolist() == [True, False, True, False]
    assert bool(got.iloc[1]) is True and bool(got.iloc[3]) is False


def test_same_in_commune_compares_values_within_each_commune() -> None:
    same = _fn("same_in_commune")(pd.Series(["a", "a", "b", "c"], index=FRAME.index))
    assert same.dtype == "boolean" and same.tolist() == [True, True, True, True]
    differ = _fn("same_in_commune")(pd.Series(["a", "b", "b", "b"], index=FRAME.index))
    assert differ.tolist() == [False, False, True, True]


def test_org_top_level_and_has_form_a_look_up_each_rows_organisation() -> None:
    top = _fn("org_top_level")()
    assert str(top.dtype) == "Float64" and top.index.tolist() == [10, 11, 12, 13]
    assert top.iloc[0] == 4.0 and top.iloc[1:].isna().all()
    has = _fn("has_form_a")(FRAME["org_type"])
    assert has.dtype == "boolean" and has.tolist() == [True, False, False, False]


def test_commune_facts_of_the_round() -> None:
    assert _fn("round_year")() == 2014.0
    assert _fn("in_admin_vintage")(FRAME["commune_code"]).tolist() == [True, True, True, False]
    em = _fn("em_area_of_commune")()
    assert em.tolist()[:3] == ["em", "em", "other"] and pd.isna(em.iloc[3])


def test_default_messages_name_the_variable_by_its_vietnamese_label() -> None:
    codebook = load_codebook()
    msgs = check_messages(codebook, "a")
    label = next(v for v in codebook.form("a") if v.name == "org_type").label_vi
    assert msgs["choices:org_type"] == f"{label}: mã không thuộc danh sách lựa chọn."
    assert msgs["not_nullable:org_type"] == f"{label}: bắt buộc phải có, đang để trống."
    assert msgs["dtype:org_type"] == f"{label}: sai kiểu dữ liệu."
    assert msgs["warning:org_type"] == f"{label}: giá trị bất thường."  # no message written
    assert msgs["constraint:org_type"] == f"{label}: giá trị không hợp lệ."
    n = next(v for v in codebook.form("a") if v.name == "n_branches")
    assert msgs["warning:n_branches"] == n.warning_message  # the codebook's own message


def test_coerce_gives_every_clean_column_its_dtype_and_keeps_missing_missing() -> None:
    codebook = load_codebook()
    frame = pd.DataFrame(
        {"round_id": ["r1", None], "interview_date": [date(2014, 6, 1), None],
         "n_branches": [3.0, None], "attendance_pct": [50, None], "extra": [1, 2]},
        index=[7, 8],
    )
    out = coerce(frame, codebook, "a")
    assert out.index.tolist() == [7, 8]
    assert str(out["interview_date"].dtype) == "datetime64[us]"
    assert out["interview_date"].iloc[0] == pd.Timestamp("2014-06-01")
    assert str(out["n_branches"].dtype) == "Int64" and out["n_branches"].iloc[0] == 3
    assert str(out["attendance_pct"].dtype) == "Float64"
    assert out["round_id"].iloc[0] == "r1" and pd.isna(out["round_id"].iloc[1])
    assert out["n_branches"].isna().tolist() == [False, True]
    absent = out["members_total"]  # not in the frame: all missing, with its dtype
    assert str(absent.dtype) == "Int64" and absent.isna().all()
    assert absent.index.tolist() == [7, 8]
    assert out["extra"].tolist() == [1, 2]  # other columns are left as they are
    assert "members_total" not in frame  # the input frame is not changed


def test_an_impossible_date_text_is_unknown_not_an_error() -> None:
    s = pd.Series(["2014-07-01", "2014-13-45", None], index=FRAME.index[:3])
    got = CONTEXT.functions(FRAME.iloc[:3])["in_round_window"](s)
    assert got.isna().tolist() == [False, True, True] and bool(got.iloc[0]) is True


def test_hard_schema_failures_one_row_per_record_and_check() -> None:
    codebook = load_codebook()
    raw = pd.DataFrame({
        "round_id": ["2014", "2014", None, "2014"],
        "interview_date": [date(2014, 6, 2)] * 4,
        "district_code": ["593"] * 4,
        "commune_code": ["22915", "22915", "23047", "23047"],
        "org_type": ["hnd", "hnd", "doan", "nope"],
        "difficulties": ["funding terrain", None, "funding zzz", None],
    }, index=[10, 11, 12, 13])
    frame = coerce(raw, codebook, "a")
    got = failures(build_schema(codebook, "a", CONTEXT, "hard", frame), frame)
    assert list(got.columns) == ["index", "check", "column", "failure_case"]
    by_record = got.groupby("index")["check"].apply(set).to_dict()
    duplicate = {"unique_key:round_id", "unique_key:commune_code", "unique_key:org_type"}
    assert by_record == {
        10: duplicate,  # the same key twice: both records
        11: duplicate,
        12: {"choices:difficulties", "not_nullable:round_id"},  # "zzz" is no choice
        13: {"choices:org_type"},  # once "isin:org_type", with no Vietnamese message
    }
    row = got[(got["index"] == 12) & (got["check"] == "choices:difficulties")].iloc[0]
    assert (row["column"], row["failure_case"]) == ("difficulties", "funding zzz")
    soft = failures(build_schema(codebook, "a", CONTEXT, "soft", frame), frame)
    assert soft.empty and list(soft.columns) == ["index", "check", "column", "failure_case"]


def _form_a(**columns: list) -> pd.DataFrame:
    """Form-A records 1..n with valid required answers (n <= 2), ``columns`` added or replaced."""
    n = len(next(iter(columns.values())))
    valid = {"round_id": ["2014"] * n, "interview_date": [date(2014, 6, 2)] * n,
             "district_code": ["593"] * n, "commune_code": ["22915", "23047"][:n],
             "org_type": ["hnd"] * n}
    return pd.DataFrame({**valid, **columns}, index=range(1, n + 1))


def _hard_failures(raw: pd.DataFrame) -> pd.DataFrame:
    """(index, check) failures of the hard form-A schema on ``raw`` coerced to clean dtypes."""
    codebook = load_codebook()
    frame = coerce(raw, codebook, "a")
    return failures(build_schema(codebook, "a", CONTEXT, "hard", frame), frame)[["index", "check"]]


def test_a_select_multiple_answer_may_hold_every_choice() -> None:
    every = " ".join(load_codebook().codes("difficulties"))
    got = _hard_failures(_form_a(difficulties=[every, every + " zzz"]))
    assert got.values.tolist() == [[2, "choices:difficulties"]]


def test_a_select_one_code_outside_its_list_fails_the_choices_check() -> None:
    got = _hard_failures(_form_a(has_annual_plan=[1, 5]))
    assert got.values.tolist() == [[2, "choices:has_annual_plan"]]


def test_the_schema_is_hard_by_default_and_named_by_form_and_level() -> None:
    codebook = load_codebook()
    assert build_schema(codebook, "a", CONTEXT).name == "form_a_hard"
    assert build_schema(codebook, "b", CONTEXT, "soft").name == "form_b_soft"


def test_a_select_one_answer_holds_one_code_not_several() -> None:
    got = _hard_failures(_form_a(org_type=["hnd doan"]))  # two valid codes in one answer
    assert got.values.tolist() == [[1, "choices:org_type"]]


def test_missing_columns_stop_validation_naming_each() -> None:
    codebook = load_codebook()
    frame = coerce(_form_a(org_type=["hnd"]), codebook, "a")
    frame = frame.drop(columns=["round_id", "district_code"])
    with pytest.raises(TableSchemaError) as err:
        failures(build_schema(codebook, "a", CONTEXT, "hard", frame), frame)
    assert str(err.value) == (
        "schema form_a_hard: failures of whole columns, not of records: "
        "form_a_hard: column_in_dataframe (district_code); "
        "form_a_hard: column_in_dataframe (round_id). "
        "Columns must be given their clean dtypes by schemas.coerce() before validation."
    )


def test_a_column_of_the_wrong_dtype_stops_validation_naming_it() -> None:
    # once dropped: a failure of a whole column has no record index to quarantine
    codebook = load_codebook()
    frame = coerce(_form_a(org_type=["hnd"]), codebook, "a")
    frame["eligible_pop"] = frame["eligible_pop"].astype("Float64")
    with pytest.raises(TableSchemaError, match=r"eligible_pop: dtype\('Int64'\) \(Float64\)"):
        failures(build_schema(codebook, "a", CONTEXT, "soft", frame), frame)


def test_a_string_where_a_code_text_belongs_fails_its_record() -> None:
    codebook = load_codebook()
    frame = coerce(_form_a(org_type=["hnd", "hnd"]), codebook, "a")
    frame["district_code"] = pd.array([593, None], dtype="Int64")
    got = failures(build_schema(codebook, "a", CONTEXT, "soft", frame), frame)
    assert got.values.tolist() == [[1, "dtype:district_code", "district_code", 593]]


def test_other_columns_are_allowed_beside_the_clean_ones() -> None:
    codebook = load_codebook()
    frame = coerce(_form_a(org_type=["hnd"]), codebook, "a").assign(_source_row=[3], note=["x"])
    assert failures(build_schema(codebook, "a", CONTEXT, "hard", frame), frame).empty


def test_a_schema_built_without_its_frame_refuses_to_run_its_expressions() -> None:
    # it would read the other columns from no frame: every expression check unknown, passed
    codebook = load_codebook()
    frame = coerce(_form_a(org_type=["hnd"], members_total=[-5]), codebook, "a")
    for level in ("hard", "soft"):
        refused = r'ValueError\("a schema built without its frame is for inspection only"\)'
        with pytest.raises(TableSchemaError, match=refused):
            failures(build_schema(codebook, "a", CONTEXT, level), frame)


def test_every_key_column_has_the_duplicate_key_message_naming_all_keys() -> None:
    from danvan_survey.schemas import check_messages

    tail = ("với một bản ghi khác của đợt; kiểm tra mã bị bỏ trống hoặc nhập trùng, "
            "rồi sửa trong tệp hiệu chỉnh.")
    for form, keys, labels in (
        ("a", ("round_id", "commune_code", "org_type"),
         "Đợt khảo sát, Xã/phường/thị trấn, Tổ chức"),
        ("b", ("round_id", "cadre_id"), "Đợt khảo sát, Mã cán bộ"),
    ):
        messages = check_messages(load_codebook(), form)
        found = {k: v for k, v in messages.items() if k.startswith("unique_key:")}
        assert found == {f"unique_key:{k}": f"Trùng khóa bản ghi ({labels}) {tail}" for k in keys}


def test_a_key_column_the_codebook_lacks_is_named_by_its_code_in_the_message() -> None:
    # a codebook edited by hand may drop a key variable: the message still names every key
    codebook = load_codebook()
    trimmed = replace(codebook, variables={
        **codebook.variables, "b": tuple(v for v in codebook.form("b") if v.name != "cadre_id")})
    message = check_messages(trimmed, "b")["unique_key:cadre_id"]
    assert message.startswith("Trùng khóa bản ghi (Đợt khảo sát, cadre_id) với một bản ghi")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.sampled_from(["22915", "23047", "99999", ""])),
                max_size=25))
def test_em_area_lookup_equals_a_map_of_each_row(codes: list[str | None]) -> None:
    """Each distinct commune is looked up once; the column is what ``map`` gives per row."""
    keys = pd.Series(codes, dtype="str", index=range(100, 100 + len(codes)))
    got = CONTEXT.functions(pd.DataFrame({"commune_code": keys}))["em_area_of_commune"]()
    expected = keys.map(CONTEXT.em_area_by_commune).astype("string")
    pd.testing.assert_series_equal(got, expected, check_names=False)
