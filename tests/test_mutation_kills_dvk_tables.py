"""DVK catalogue, summary and bulletin compliance at their edges (found by the mutation run).

Each frame is small and written by hand; the tables are compared whole, with their dtypes,
so a count that turns into a float, an index that leaks into a column or an "ALL" row out
of place fails.
"""

from __future__ import annotations

import pandas as pd
import pytest

from danvan_survey import dvk

NA = pd.NA


def _orgs(index: list[int] | None = None) -> pd.DataFrame:
    """Two communes of one district; a non-default index when asked (as after a filter)."""
    frame = pd.DataFrame({
        "round_id": pd.Series(["r"] * 3, dtype="str"),
        "district_code": pd.Series(["593"] * 3, dtype="str"),
        "district_name": pd.Series(["Bắc Bình"] * 3, dtype="str"),
        "commune_code": pd.Series(["1", "1", "2"], dtype="str"),
        "commune_name": pd.Series(["Xã 1", "Xã 1", "Xã 2"], dtype="str"),
        "em_area": pd.Series(["none"] * 3, dtype="str"),
        "org_type": pd.Series(["hnd", "xyz", "doan"], dtype="str"),  # xyz: no codebook label
        "dvk_model_names": pd.Series(["Xây dựng nông thôn mới; - ; X", NA, "Bếp ăn"],
                                     dtype="str"),
        "dvk_top_level": pd.array([2, NA, 1], dtype="Int64"),
        "dvk_recognised_12m": pd.array([1, 0, NA], dtype="Int64"),
        "dvk_registered_12m": pd.array([2, 1, NA], dtype="Int64"),
        "exemplars_commended_12m": pd.array([3, NA, 1], dtype="Int64"),
        "bulletin_issues_12m": pd.array([1, 2, 0], dtype="Int64"),
        "bulletin_dvk_features_12m": pd.array([1, 1, 0], dtype="Int64"),
    })
    if index is not None:
        frame.index = index
    return frame


@pytest.mark.parametrize(
    ("text", "names"),
    [("Xây dựng nông thôn mới", ["Xây dựng nông thôn mới"]),  # X is a letter, not a bullet
     ("X; Y", ["X", "Y"]),
     ("A; .. ;B\n - ", ["A", "B"]),  # a separator line of dots or dashes is no model
     ("- Mô hình hay.", ["Mô hình hay"])],
)
def test_split_model_names_keeps_letters_and_drops_punctuation_only_parts(
    text: str, names: list[str]
) -> None:
    assert dvk.split_model_names(text) == names


@pytest.mark.parametrize("index", [None, [10, 20, 5]])
def test_model_catalogue_whole_table(index: list[int] | None) -> None:
    table = dvk.model_catalogue(_orgs(index))
    expected = pd.DataFrame({
        "round_id": ["r"] * 3,
        "district_code": ["593"] * 3,
        "district_name": ["Bắc Bình"] * 3,
        "commune_code": ["1", "1", "2"],
        "commune_name": ["Xã 1", "Xã 1", "Xã 2"],
        "em_area": ["none"] * 3,
        "org_type": ["hnd", "hnd", "doan"],
        "org_label_vi": ["Hội Nông dân", "Hội Nông dân", "Đoàn TNCS Hồ Chí Minh"],
        "model_name": ["X", "Xây dựng nông thôn mới", "Bếp ăn"],  # the dash part is no model
        "org_dvk_top_level": ["2", "2", "1"],
        "org_dvk_top_level_vi": ["huyện", "huyện", "cơ sở"],
    }).astype("str").assign(org_dvk_recognised_12m=[1.0, 1.0, float("nan")])
    pd.testing.assert_frame_equal(table, expected)
    assert table["org_dvk_top_level"].dtype == "str"
    assert isinstance(table.index, pd.RangeIndex)


def test_model_catalogue_labels_an_unknown_organisation_by_its_code() -> None:
    orgs = _orgs().assign(dvk_model_names=["A", "B", NA])
    table = dvk.model_catalogue(orgs)
    assert table.set_index("model_name")["org_label_vi"].to_dict() == {
        "A": "Hội Nông dân", "B": "xyz"}
    assert table.set_index("model_name")["org_dvk_top_level"].to_dict() == {"A": "2", "B": ""}
    assert table.set_index("model_name")["org_dvk_top_level_vi"].to_dict() == {
        "A": "huyện", "B": ""}


def test_model_catalogue_without_optional_columns() -> None:
    orgs = _orgs([7, 3, 9]).drop(columns=["dvk_model_names", "dvk_top_level",
                                           "dvk_recognised_12m"])
    table = dvk.model_catalogue(orgs)
    assert table.empty
    assert "org_dvk_recognised_12m" in table.columns


def test_model_catalogue_without_names_but_with_levels() -> None:
    orgs = _orgs([7, 3, 9]).drop(columns=["dvk_model_names"])
    assert dvk.model_catalogue(orgs).empty


def _summary_expected() -> pd.DataFrame:
    rows = [
        # district, org, n_orgs, registered, reg_n, recognised, rec_n, exemplars, ex_n,
        # with_recognised, top_level 0..4, named models
        ("593", "doan", 1, 0.0, 0, 0.0, 0, 1.0, 1, 0, (0, 1, 0, 0, 0), 1),
        ("593", "hnd", 1, 2.0, 1, 1.0, 1, 3.0, 1, 1, (0, 0, 1, 0, 0), 2),
        ("593", "xyz", 1, 1.0, 1, 0.0, 1, 0.0, 0, 0, (0, 0, 0, 0, 0), 0),
        ("593", "ALL", 3, 3.0, 2, 1.0, 2, 4.0, 2, 1, (0, 1, 1, 0, 0), 3),
        ("ALL", "doan", 1, 0.0, 0, 0.0, 0, 1.0, 1, 0, (0, 1, 0, 0, 0), 1),
        ("ALL", "hnd", 1, 2.0, 1, 1.0, 1, 3.0, 1, 1, (0, 0, 1, 0, 0), 2),
        ("ALL", "xyz", 1, 1.0, 1, 0.0, 1, 0.0, 0, 0, (0, 0, 0, 0, 0), 0),
        ("ALL", "ALL", 3, 3.0, 2, 1.0, 2, 4.0, 2, 1, (0, 1, 1, 0, 0), 3),
    ]
    out = pd.DataFrame({
        "district_code": [r[0] for r in rows],
        "district_name": ["Bắc Bình" if r[0] != "ALL" else "Toàn tỉnh" for r in rows],
        "org_type": [r[1] for r in rows],
        "n_orgs": [r[2] for r in rows],
        "dvk_registered_12m": [r[3] for r in rows],
        "dvk_registered_12m_n": [r[4] for r in rows],
        "dvk_recognised_12m": [r[5] for r in rows],
        "dvk_recognised_12m_n": [r[6] for r in rows],
        "exemplars_commended_12m": [r[7] for r in rows],
        "exemplars_commended_12m_n": [r[8] for r in rows],
        "n_orgs_with_recognised": [r[9] for r in rows],
        **{f"n_orgs_top_level_{c}": [r[10][c] for r in rows] for c in range(5)},
        "n_named_models": [r[11] for r in rows],
    })
    return out.astype({c: "str" for c in ("district_code", "district_name", "org_type")})


@pytest.mark.parametrize("index", [None, [10, 20, 5]])
def test_dvk_summary_whole_table(index: list[int] | None) -> None:
    orgs = _orgs(index).assign(dvk_model_names=["A; B", NA, "C"])
    got = dvk.dvk_summary(orgs)
    pd.testing.assert_frame_equal(got, _summary_expected())


def test_dvk_summary_without_optional_columns_counts_nothing() -> None:
    orgs = _orgs([10, 20, 5]).drop(columns=["dvk_model_names", "exemplars_commended_12m"])
    got = dvk.dvk_summary(orgs).set_index(["district_code", "org_type"])
    assert got["n_named_models"].tolist() == [0] * 8
    assert got["exemplars_commended_12m"].tolist() == [0.0] * 8
    assert got["exemplars_commended_12m_n"].tolist() == [0] * 8
    assert got["n_named_models"].dtype == "int64"


def test_dvk_summary_reads_numbers_written_as_text() -> None:
    orgs = _orgs().assign(dvk_registered_12m=pd.Series(["2", "không rõ", None], dtype="str"))
    got = dvk.dvk_summary(orgs).set_index(["district_code", "org_type"])
    assert got.loc[("ALL", "ALL"), "dvk_registered_12m"] == 2.0
    assert got.loc[("ALL", "ALL"), "dvk_registered_12m_n"] == 1


def test_bulletin_compliance_whole_table() -> None:
    # hnd: 1 issue with 1 feature (a bulletin, in full); xyz: 2 issues, 1 feature;
    # doan: 0 issues (no bulletin)
    got = dvk.bulletin_compliance(_orgs([10, 20, 5]))
    keys = list(zip(got["district_code"], got["org_type"], strict=True))
    assert keys == [("593", "doan"), ("593", "hnd"), ("593", "xyz"), ("593", "ALL"),
                    ("ALL", "doan"), ("ALL", "hnd"), ("ALL", "xyz"), ("ALL", "ALL")]
    row = got.set_index(["district_code", "org_type"]).loc[("593", "ALL")]
    assert row["n_orgs"] == 3
    assert row["n_orgs_with_bulletin"] == 2  # one issue is a bulletin
    assert row["n_orgs_no_bulletin"] == 1
    assert (row["bulletin_issues_12m"], row["bulletin_dvk_features_12m"]) == (3.0, 2.0)
    assert row["n_orgs_full"] == 1
    assert row["compliance"] == pytest.approx(2 / 3)
    assert row["share_orgs_full"] == 0.5
    for col in ("n_orgs", "n_orgs_with_bulletin", "n_orgs_no_bulletin", "n_orgs_full"):
        assert got[col].dtype == "int64", col
    assert list(got.columns[:3]) == ["district_code", "district_name", "org_type"]
    assert isinstance(got.index, pd.RangeIndex)


@pytest.mark.parametrize("table", [dvk.model_catalogue, dvk.dvk_summary, dvk.bulletin_compliance])
def test_a_round_with_no_record_gives_an_empty_table_of_the_same_dtypes(table) -> None:
    empty, full = table(_orgs().iloc[:0]), table(_orgs())
    assert empty.empty
    assert empty.dtypes.to_dict() == full.dtypes.to_dict()
