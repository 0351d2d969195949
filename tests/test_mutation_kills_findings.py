"""Findings text on hand-set figures: strengths, limitations, share tables, sentences."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from danvan_survey.report import findings as fx


def _shares(labels: list[str], n_weak: list[int], n_orgs: list[int]) -> pd.DataFrame:
    return pd.DataFrame({
        "label": labels, "n_orgs": n_orgs, "n_weak": n_weak,
        "share_weak": [w / n for w, n in zip(n_weak, n_orgs, strict=True)],
        "n_rep": [1] * len(labels), "n_fun": [2] * len(labels),
    })


def _findings(**changes) -> fx.Findings:
    base = {
        "synthetic": True, "n_received": 45, "n_expected": 50, "n_orgs": 40, "n_rep": 6,
        "n_fun": 8, "n_both": 4, "n_weak": 10, "n_rated_well_fun_weak": 3,
        "n_rated_weak_no_signs": 1, "n_weak_communes": 2, "n_weak_communes_reported": 1,
        "weak_commune_min": 2,
        "weak_by_district": _shares(["Bắc Bình", "La Gi"], [5, 1], [10, 20]),
        "weak_by_em": _shares(["Xã thuần đồng bào DTTS", "Ngoài danh sách"], [4, 6], [8, 32]),
        "weak_by_org": _shares(["Hội Nông dân", "Đoàn"], [3, 1], [8, 8]),
        "reasons": pd.DataFrame({"reason": ["no_annual_plan", "low_dues", "x", "y"],
                                 "n_orgs": [7, 5, 2, 1]}),
        "consolidation": pd.DataFrame(),
        "gathering": [fx.GatheringFigure("hnd", 0.4, "Tuy Phong", 0.2, "Đức Linh", 0.6),
                      fx.GatheringFigure("hlhpn", 0.7, "Phú Quý", 0.5, "La Gi", 0.9)],
        "bulletin_rate": 0.25, "dvk_registered": 9, "dvk_recognised": 4,
    }
    return fx.Findings(**(base | changes))


def test_strengths() -> None:
    assert fx.strengths(_findings()) == [
        "30/40 (75,0%) tổ chức cơ sở được khảo sát không yếu kém theo cả tự xếp loại lẫn tiêu "
        "chí chức năng.",
        "Tỷ lệ tổ chức yếu kém thấp nhất ở La Gi: 5,0% (1/20).",
        "Tỷ lệ tập hợp cao nhất là của Hội Liên hiệp Phụ nữ: 70,0% toàn tỉnh, cao nhất ở La Gi "
        "(90,0%).",
        "4 mô hình “Dân vận khéo” được công nhận trong 12 tháng.",
    ]
    empty = _findings(n_orgs=0, weak_by_district=pd.DataFrame(), gathering=[],
                      dvk_recognised=0)
    assert fx.strengths(empty) == []


def test_limitations() -> None:
    labels = {"no_annual_plan": "Không có kế hoạch năm", "low_dues": "Thu hội phí thấp"}
    out = fx.limitations(_findings(), labels)
    assert out == [
        "Tỷ lệ tổ chức yếu kém trên số tổ chức được khảo sát cao nhất ở: Bắc Bình 50,0% (5/10); "
        "La Gi 5,0% (1/20).",
        "Tỷ lệ tổ chức yếu kém theo vùng: xã thuần đồng bào DTTS 50,0% (4/8); ngoài danh sách "
        "18,8% (6/32).",
        "Theo tổ chức, tỷ lệ yếu kém cao nhất ở Hội Nông dân: 37,5% (3/8).",
        "Lý do yếu kém gặp nhiều nhất: không có kế hoạch năm (7 tổ chức); thu hội phí thấp "
        "(5 tổ chức); x (2 tổ chức).",
        "Tự xếp loại chưa phản ánh đúng thực chất: 3 tổ chức tự xếp loại vững mạnh hoặc khá "
        "nhưng yếu theo tiêu chí chức năng; 1 tổ chức tự xếp loại yếu kém nhưng không có dấu "
        "hiệu yếu nào theo tiêu chí.",
        "Bản tin chưa đạt mục tiêu có bài về mô hình “Dân vận khéo” trong mọi kỳ: 25,0% số kỳ "
        "có bài.",
    ]


@pytest.mark.parametrize("rate", [1.0, float("nan")])
def test_limitations_leave_out_what_is_not_a_limitation(rate: float) -> None:
    f = _findings(weak_by_district=pd.DataFrame(), weak_by_em=pd.DataFrame(),
                  weak_by_org=pd.DataFrame(), reasons=pd.DataFrame(),
                  n_rated_well_fun_weak=0, bulletin_rate=rate)
    assert fx.limitations(f, {}) == []


def test_sentences() -> None:
    f = _findings()
    assert fx.coverage_sentence(f) == (
        "Đã nhận và qua kiểm tra 45/50 phiếu tổ chức dự kiến (90,0%); phiếu bị cách ly hoặc "
        "chưa gửi không được tính.")
    assert fx.weak_sentence(f) == (
        "6 tổ chức tự xếp loại yếu kém; 8 tổ chức yếu theo tiêu chí chức năng; 4 tổ chức yếu "
        "theo cả hai cách; tổng cộng 10/40 (25,0%) tổ chức được khảo sát cần củng cố.")
    assert fx.communes_sentence(f) == (
        "2 xã có từ 2 tổ chức yếu kém trở lên (tự xếp loại hoặc theo tiêu chí), trong đó 1 xã "
        "có từ 2 tổ chức tự xếp loại yếu kém trở lên (tiêu chí của Hướng dẫn 27-HD/BTCTW).")
    assert fx.gathering_sentences(f)[0] == (
        "Tỷ lệ tập hợp của Hội Nông dân toàn tỉnh 40,0%; thấp nhất Tuy Phong (20,0%), cao nhất "
        "Đức Linh (60,0%).")
    assert fx.dvk_sentences(f) == [
        "Tỷ lệ kỳ bản tin có bài về mô hình dân vận khéo toàn tỉnh: 25,0% (mục tiêu 100%).",
        "Mô hình “Dân vận khéo”: 9 mô hình đăng ký, 4 mô hình được công nhận trong 12 tháng.",
    ]
    assert fx.dvk_sentences(_findings(bulletin_rate=math.nan, dvk_registered=0)) == []
    assert (fx.share_text(0, 0), fx.share_text(1, 3)) == ("0/0 (–)", "1/3 (33,3%)")
    assert fx.lower_first("DTTS và BCH") == "dTTS và BCH"
    assert fx.lower_first("") == ""


def test_weak_share_frame() -> None:
    table = fx.weak_share_frame(_shares(["A", "B"], [1, 2], [4, 5]), "Huyện")
    assert list(table.columns) == ["Huyện", "Số tổ chức được khảo sát", "Số tổ chức yếu kém",
                                   "Tỷ lệ yếu kém", "Tự xếp loại yếu kém",
                                   "Yếu theo tiêu chí chức năng"]
    assert table.values.tolist() == [["A", 4, 1, 0.25, 1, 2], ["B", 5, 2, 0.4, 1, 2]]


def test_scope_sentence_names_the_organisations_in_full() -> None:
    assert fx.scope_sentence(_findings(n_communes=10, n_districts=3)) == (
        "Khảo sát 10 xã, phường, thị trấn thuộc 3 huyện, thị xã, thành phố; mỗi xã 5 tổ chức: "
        "Ủy ban Mặt trận Tổ quốc Việt Nam (sau đây viết tắt là Ủy ban MTTQ), Hội Nông dân, Hội "
        "Liên hiệp Phụ nữ, Đoàn Thanh niên Cộng sản Hồ Chí Minh (Đoàn TNCS Hồ Chí Minh) và Hội "
        "Cựu chiến binh cấp xã.")


def test_methods_text_and_synthetic_note() -> None:
    from dataclasses import replace

    from test_charts import make_results

    res = make_results()
    real = fx.methods(replace(res, synthetic=False))
    assert real == [
        "Phiếu A là tổng điều tra mọi tổ chức ở mọi xã; chỉ số tổng hợp là tỷ số của tổng "
        "(tổng tử số / tổng mẫu số), kèm số phiếu nhận/dự kiến; không bù số liệu thiếu.",
        "Phiếu B là mẫu phân tầng theo huyện, chọn xã, phỏng vấn mọi cán bộ chủ chốt của xã "
        "được chọn; ước lượng theo thiết kế mẫu (tuyến tính hóa Taylor), khoảng tin cậy 95%.",
        "Ẩn số liệu: ô tổng hợp phiếu A có dưới 3 phiếu được ghi “ẩn”; ước lượng phiếu B dựa "
        "trên quá ít cán bộ không được công bố và không bao giờ hiển thị bằng 0.",
        fx.EM_CAVEAT,
        "Tiêu chí yếu kém chức năng là ngưỡng thiết kế ghi trong tệp cấu hình, cần hiệu chỉnh "
        "sau đợt đầu.",
    ]
    assert fx.methods(res) == [fx.SYNTHETIC_NOTE, *real]
    assert fx.findings(res) == fx.summary(fx.compute_findings(res))
