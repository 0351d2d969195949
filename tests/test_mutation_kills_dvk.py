"""DVK replication list, table and summary: selection, order, labels, unknown values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from danvan_survey import dvk


def _models() -> pd.DataFrame:
    rows = [
        # commune, org, no, name, field, level, year, replicated, places, where
        ("2", "hlhpn", 1, "Bếp ăn", "economy", 2, 2014, 1, None, None),
        ("1", "hnd", 1, "Tổ vay vốn", "economy", 3, None, 0, None, None),
        ("1", "hnd", 2, "Cánh đồng lớn", "economy", 2, 2013, 1, 3, "3 thôn"),
        ("1", "mttq", 1, "Khu dân cư", "economy", 2, 2012, None, None, None),
        ("2", "hccb", 1, "Tự quản", "security", 4, 2011, 1, 7, "7 xã"),
        ("1", "hnd", 3, "Hòa giải", "new_rural", 1, 2014, 1, 2, "2 thôn"),  # commune level
        ("1", "doan", 1, "Không rõ cấp", "economy", None, 2014, 1, 1, "1 xã"),
    ]
    cols = ["commune_code", "org_type", "model_no", "model_name", "model_field", "model_level",
            "model_year", "model_replicated", "model_replicated_places",
            "model_replicated_where"]
    frame = pd.DataFrame(rows, columns=cols).assign(
        round_id="r", district_code=lambda d: np.where(d["commune_code"] == "1", "593", "594"),
        # stale copies of the organisation's places: replaced from the form-A table
        district_name="cũ", commune_name="cũ", em_area="cũ")
    for col in ("model_no", "model_level", "model_year", "model_replicated",
                "model_replicated_places"):
        frame[col] = pd.array(frame[col].tolist(), dtype="Int64")
    return frame


def _orgs() -> pd.DataFrame:
    return pd.DataFrame({
        "commune_code": ["1", "1", "1", "1", "2", "2"],
        "org_type": ["hnd", "mttq", "doan", "hlhpn", "hlhpn", "hccb"],
        "district_name": ["Bắc Bình"] * 4 + ["Hàm Tân"] * 2,
        "commune_name": ["Xã 1"] * 4 + ["Xã 2"] * 2,
        "em_area": ["none"] * 4 + ["pure"] * 2,
    })


# function scope: mutmut links a test to the functions it calls, and a module-scoped
# fixture is built inside the first test only
@pytest.fixture
def table() -> pd.DataFrame:
    return dvk.replication_list(_models(), _orgs())


def test_selection_and_order(table: pd.DataFrame) -> None:
    # field in codebook order (economy before security), level high first, organisation in
    # codebook order (mttq, hnd, hlhpn), then district/commune; level 1 and unknown left out
    assert table["model_name"].tolist() == [
        "Tổ vay vốn", "Khu dân cư", "Cánh đồng lớn", "Bếp ăn", "Tự quản"]
    assert list(table.columns) == dvk.REPLICATION_COLUMNS


def test_places_come_from_the_organisation_table(table: pd.DataFrame) -> None:
    assert table["district_name"].tolist() == ["Bắc Bình"] * 3 + ["Hàm Tân"] * 2
    assert table["commune_name"].tolist() == ["Xã 1"] * 3 + ["Xã 2"] * 2
    assert table["em_area"].tolist() == ["none"] * 3 + ["pure"] * 2


def test_labels(table: pd.DataFrame) -> None:
    assert table["model_field_vi"].tolist() == ["Kinh tế, giảm nghèo"] * 4 + [
        "Quốc phòng, an ninh trật tự"]
    assert table["model_level_vi"].tolist() == ["cấp tỉnh", "cấp huyện", "cấp huyện",
                                                "cấp huyện", "cấp trung ương"]
    assert table["org_label_vi"].tolist() == ["Hội Nông dân", "Ủy ban MTTQ", "Hội Nông dân",
                                              "Hội Liên hiệp Phụ nữ", "Hội Cựu chiến binh"]
    assert table["replication_vi"].tolist() == [
        "Chưa nhân rộng", "Không rõ", "Đã nhân rộng ở 3 nơi", "Đã nhân rộng",
        "Đã nhân rộng ở 7 nơi"]


@pytest.mark.parametrize(
    ("replicated", "places", "text"),
    [(None, 3, "Không rõ"), (pd.NA, None, "Không rõ"), (np.nan, 2, "Không rõ"),
     (0, 5, "Chưa nhân rộng"), (2, 5, "Chưa nhân rộng"), (1, None, "Đã nhân rộng"),
     (1, pd.NA, "Đã nhân rộng"), (1.0, np.nan, "Đã nhân rộng"), (1, 4.0, "Đã nhân rộng ở 4 nơi")],
)
def test_replication_text(replicated: object, places: object, text: str) -> None:
    assert dvk._replication_text(replicated, places) == text


def test_level_written_as_text_or_unreadable() -> None:
    models = _models().astype({"model_level": "object"})
    models.loc[0, "model_level"] = "2"
    models.loc[2, "model_level"] = "không rõ"
    names = dvk.replication_list(models, _orgs())["model_name"].tolist()
    assert "Bếp ăn" in names and "Cánh đồng lớn" not in names


def test_an_organisation_listed_twice_is_refused() -> None:
    orgs = pd.concat([_orgs(), _orgs().iloc[:1]], ignore_index=True)
    with pytest.raises(pd.errors.MergeError):
        dvk.replication_list(_models(), orgs)


def test_table_for_reports(table: pd.DataFrame) -> None:
    vi = dvk.replication_table_vi(table)
    assert list(vi.columns) == ["STT", *dvk.REPLICATION_HEADERS_VI.values()]
    assert vi["STT"].tolist() == [1, 2, 3, 4, 5]
    assert str(vi["Năm công nhận"].dtype) == "Int64"
    assert [None if pd.isna(v) else int(v) for v in vi["Năm công nhận"]] == [
        None, 2012, 2013, 2014, 2011]
    assert vi["Nơi đã nhân rộng"].tolist() == ["", "", "3 thôn", "", "7 xã"]
    assert vi["Tình trạng nhân rộng"].tolist() == table["replication_vi"].tolist()


def test_summary_by_field_and_organisation(table: pd.DataFrame) -> None:
    summary = dvk.replication_summary(table)
    assert summary.to_dict("records") == [
        {"model_field": "economy", "org_type": "mttq", "n_models": 1, "n_replicated": 0,
         "n_not_replicated": 1},
        {"model_field": "economy", "org_type": "hnd", "n_models": 2, "n_replicated": 1,
         "n_not_replicated": 1},
        {"model_field": "economy", "org_type": "hlhpn", "n_models": 1, "n_replicated": 1,
         "n_not_replicated": 0},
        {"model_field": "security", "org_type": "hccb", "n_models": 1, "n_replicated": 1,
         "n_not_replicated": 0},
    ]


def test_summary_counts_unreadable_replication_as_not_replicated(table: pd.DataFrame) -> None:
    odd = table.astype({"model_replicated": "object"})
    odd.loc[0, "model_replicated"] = "có"
    summary = dvk.replication_summary(odd)
    assert summary["n_replicated"].sum() == 3 and summary["n_models"].sum() == 5


def test_model_of_an_organisation_without_form_a_record_is_kept() -> None:
    models = _models()
    models.loc[0, "commune_code"] = "9"  # no form-A record for this organisation
    table = dvk.replication_list(models, _orgs())
    row = table[table["model_name"] == "Bếp ăn"].iloc[0]
    assert pd.isna(row["district_name"]) and pd.isna(row["commune_name"])
    assert len(table) == 5


def test_summary_counts_are_integers(table: pd.DataFrame) -> None:
    summary = dvk.replication_summary(table)
    for col in ("n_models", "n_replicated", "n_not_replicated"):
        assert str(summary[col].dtype) == "int64", col


def test_summary_orders_by_field_before_organisation(table: pd.DataFrame) -> None:
    # security (a later field) of the Farmers' Union comes after economy of the veterans
    odd = table.assign(model_field=["security", "economy", "economy", "economy", "economy"])
    summary = dvk.replication_summary(odd)
    assert summary[["model_field", "org_type"]].values.tolist() == [
        ["economy", "mttq"], ["economy", "hnd"], ["economy", "hlhpn"], ["economy", "hccb"],
        ["security", "hnd"]]
