"""Replication table, its sentence and the 2025 district wording of the findings module.

These tests pin down what the mutation run on ``danvan_survey/report/findings.py`` found
untested: the columns of the empty replication table, codebook row order and aligned "not
stated" counts when the list is not in codebook order, integer counts and a clean 0..n
index, every cell of the formatted rows, which field the sentence names as having the most
models (including a tie), and the "former district" wording of a 2025 round in
:func:`district_heading`, :func:`for_round` and :func:`methods`. Every expected value is
worked out by hand from the small frames below.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
from test_charts import make_results

from danvan_survey.report import findings as fx
from danvan_survey.results import Results

COLUMNS = ["label", "n_models", "n_replicated", "n_not_replicated", "n_unknown"]
COUNTS = COLUMNS[1:]
FORMER = "huyện cũ (trước 01/7/2025)"


def _list(rows: list[tuple[str, str, int | None]]) -> pd.DataFrame:
    """A replication list reduced to the columns the summary reads (field, org, replicated)."""
    return pd.DataFrame({
        "model_field": [r[0] for r in rows],
        "org_type": [r[1] for r in rows],
        "model_replicated": pd.array([r[2] for r in rows], dtype="Int64"),
    })


def _findings(replication: pd.DataFrame) -> fx.Findings:
    """Findings whose only figure that matters here is the replication table."""
    return fx.Findings(
        synthetic=False, n_received=0, n_expected=0, n_orgs=0, n_rep=0, n_fun=0, n_both=0,
        n_weak=0, n_rated_well_fun_weak=0, n_rated_weak_no_signs=0, n_weak_communes=0,
        n_weak_communes_reported=0, weak_commune_min=2, weak_by_district=pd.DataFrame(),
        weak_by_em=pd.DataFrame(), weak_by_org=pd.DataFrame(), reasons=pd.DataFrame(),
        consolidation=pd.DataFrame(), replication=replication,
    )


def _unsorted_list() -> pd.DataFrame:
    # appearance order security, culture_social, economy; codebook order economy, security,
    # culture_social; alphabetical order culture_social, economy, security: all three differ
    return _list([
        ("security", "hccb", 1),
        ("security", "hnd", None),
        ("culture_social", "hlhpn", 0),
        ("economy", "hnd", 1),
        ("economy", "mttq", None),
        ("economy", "hnd", 0),
    ])


# ------------------------------------------------------------ replication_by_field
def test_empty_list_gives_the_five_named_columns() -> None:
    for empty in (pd.DataFrame(), _list([]).iloc[:0]):
        out = fx.replication_by_field(empty)
        assert list(out.columns) == COLUMNS
        assert out.empty


def test_fields_in_codebook_order_with_counts_aligned_to_their_field() -> None:
    out = fx.replication_by_field(_unsorted_list())
    # economy: 1 replicated, 1 not stated, 1 not (0); security: 1 replicated, 1 not stated;
    # culture_social: 1 not replicated; total of each column below
    expected = pd.DataFrame({
        "label": ["Kinh tế, giảm nghèo", "Quốc phòng, an ninh trật tự", "Văn hóa - xã hội",
                  "Tổng số"],
        "n_models": [3, 2, 1, 6],
        "n_replicated": [1, 1, 0, 2],
        "n_not_replicated": [1, 0, 1, 2],
        "n_unknown": [1, 1, 0, 2],
    })
    pd.testing.assert_frame_equal(out, expected, check_dtype=False)


def test_counts_are_integers_and_the_index_runs_from_zero() -> None:
    out = fx.replication_by_field(_unsorted_list())
    assert [str(out[c].dtype) for c in COUNTS] == ["int64"] * 4
    # the total row is numbered on, not a second row 0 (``out.loc[0]`` is one row)
    assert out.index.tolist() == [0, 1, 2, 3]
    assert out.loc[0, "label"] == "Kinh tế, giảm nghèo"


def test_a_replication_answer_that_is_not_a_number_counts_as_not_stated() -> None:
    table = pd.DataFrame({
        "model_field": ["economy"] * 3,
        "org_type": ["hnd", "hnd", "mttq"],
        "model_replicated": ["1", "0", "không rõ"],  # text, as read from a sheet
    })
    out = fx.replication_by_field(table)
    assert out.to_dict("records") == [
        {"label": "Kinh tế, giảm nghèo", "n_models": 3, "n_replicated": 1,
         "n_not_replicated": 1, "n_unknown": 1},
        {"label": "Tổng số", "n_models": 3, "n_replicated": 1,
         "n_not_replicated": 1, "n_unknown": 1},
    ]


# ------------------------------------------------------------ replication_rows
def test_rows_format_every_cell_of_every_row() -> None:
    f = _findings(fx.replication_by_field(_unsorted_list()))
    assert fx.replication_rows(f) == [
        ["Kinh tế, giảm nghèo", "3", "1", "1", "1"],
        ["Quốc phòng, an ninh trật tự", "2", "1", "0", "1"],
        ["Văn hóa - xã hội", "1", "0", "1", "0"],
        ["Tổng số", "6", "2", "2", "2"],
    ]


def test_rows_use_vietnamese_thousands_separator() -> None:
    replication = pd.DataFrame({
        "label": ["Tổng số"], "n_models": [2345], "n_replicated": [1200],
        "n_not_replicated": [1100], "n_unknown": [45],
    })
    assert fx.replication_rows(_findings(replication)) == [
        ["Tổng số", "2.345", "1.200", "1.100", "45"]]


# ------------------------------------------------------------ replication_sentence
def test_sentence_names_the_field_with_most_models_when_it_is_the_last_field() -> None:
    # economy 1 model (replicated); security 2 (not, not stated);
    # culture_social 4 (2 replicated, 1 not, 1 not stated): the largest is the last field
    # row, the smallest the first, the second largest in the middle
    table = _list([
        ("economy", "hnd", 1),
        ("security", "hccb", 0), ("security", "hccb", None),
        ("culture_social", "hlhpn", 1), ("culture_social", "hlhpn", 1),
        ("culture_social", "doan", 0), ("culture_social", "doan", None),
    ])
    f = _findings(fx.replication_by_field(table))
    assert fx.replication_sentence(f) == (
        "Mô hình “Dân vận khéo” được công nhận từ cấp huyện trở lên: 7 mô hình, trong đó 3 "
        "đã được nhân rộng và 2 chưa nhân rộng (đề xuất xem xét nhân rộng); nhiều nhất ở "
        "lĩnh vực văn hóa - xã hội (4 mô hình). 2 mô hình không ghi rõ đã nhân rộng hay chưa."
    )


def test_sentence_tie_goes_to_the_field_first_in_codebook_order() -> None:
    # 1, 1, 2, 2 models: security and culture_social tie; security comes first in the
    # codebook, so it is named (an unstable sort may pick culture_social)
    table = _list([
        ("economy", "hnd", 1),
        ("new_rural", "hnd", 1),
        ("security", "hccb", 1), ("security", "hccb", 1),
        ("culture_social", "hlhpn", 1), ("culture_social", "hlhpn", 1),
    ])
    f = _findings(fx.replication_by_field(table))
    assert fx.replication_sentence(f) == (
        "Mô hình “Dân vận khéo” được công nhận từ cấp huyện trở lên: 6 mô hình, trong đó 6 "
        "đã được nhân rộng và 0 chưa nhân rộng (đề xuất xem xét nhân rộng); nhiều nhất ở "
        "lĩnh vực quốc phòng, an ninh trật tự (2 mô hình)."
    )


def test_no_roster_no_sentence() -> None:
    assert fx.replication_sentence(_findings(fx.replication_by_field(pd.DataFrame()))) == ""


# ------------------------------------------------------------ 2025 wording
def _round(vintage: str) -> Results:
    return replace(make_results(), admin_vintage=vintage)


def test_district_heading_of_a_2014_and_a_2025_round() -> None:
    assert fx.district_heading(_round("2014")) == "Huyện"
    assert fx.district_heading(_round("2025")) == "Huyện cũ (trước 01/7/2025)"


def test_for_round_keeps_2014_text_and_says_former_district_in_2025() -> None:
    text = "Tỷ lệ theo huyện; Theo huyện và theo tổ chức; theo huyện cũ; huyện Bắc Bình."
    assert fx.for_round(text, _round("2014")) == text
    # both "theo" and "Theo" are rewritten; "theo huyện cũ" and a bare "huyện" are not
    assert fx.for_round(text, _round("2025")) == (
        f"Tỷ lệ theo {FORMER}; Theo {FORMER} và theo tổ chức; theo huyện cũ; huyện Bắc Bình.")


def test_methods_of_a_2025_round_say_the_sample_is_stratified_by_former_district() -> None:
    old = fx.methods(_round("2014"))
    new = fx.methods(_round("2025"))
    stratified = [i for i, m in enumerate(old) if m.startswith("Phiếu B")]
    assert len(stratified) == 1
    k = stratified[0]
    assert old[k].startswith("Phiếu B là mẫu phân tầng theo huyện, chọn xã,")
    assert new[k].startswith(f"Phiếu B là mẫu phân tầng theo {FORMER}, chọn xã,")
    assert new[:k] + new[k + 1:] == old[:k] + old[k + 1:]


def test_a_model_without_organisation_still_counts_in_its_field() -> None:
    # the organisation is not needed for counts by field; before, such a model was left out
    # of n_models but counted as not stated, so "not replicated" came out as -1
    table = _list([("economy", "hnd", 1), ("economy", None, None)])
    out = fx.replication_by_field(table)
    assert out.iloc[0][COUNTS].tolist() == [2, 1, 0, 1]
    assert (out[COUNTS] >= 0).all().all()


def test_a_field_the_codebook_does_not_name_comes_after_the_named_ones() -> None:
    out = fx.replication_by_field(_list([("zz_new", "hnd", 0), ("security", "hnd", 1),
                                          ("economy", "hnd", 0)]))
    assert out["label"].tolist()[0:2] == ["Kinh tế, giảm nghèo", "Quốc phòng, an ninh trật tự"]
    assert out["n_models"].tolist() == [1, 1, 1, 3]
    assert out["n_not_replicated"].tolist() == [1, 0, 1, 2]


def test_fields_the_codebook_does_not_name_keep_the_order_they_appear_in() -> None:
    # five unnamed fields with equal rank among two named ones: neither alphabetical order
    # nor an unstable sort may reorder them, and each keeps its own counts
    out = fx.replication_by_field(_list([
        ("zz_e", "hnd", 0), ("zz_c", "hnd", 0), ("security", "hnd", 1), ("zz_d", "hnd", 1),
        ("zz_a", "hnd", None), ("zz_b", "hnd", 0), ("economy", "hnd", 0)]))
    assert out["label"].tolist() == [
        "Kinh tế, giảm nghèo", "Quốc phòng, an ninh trật tự", "zz_e", "zz_c", "zz_d", "zz_a",
        "zz_b", "Tổng số"]
    assert out["n_replicated"].tolist() == [0, 1, 0, 0, 1, 0, 0, 2]
    assert out["n_unknown"].tolist() == [0, 0, 0, 0, 0, 1, 0, 1]
