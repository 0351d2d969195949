"""The charts of the leadership pack: how each is built and what its caption says."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import plotly.graph_objects as go

from danvan_survey import charts
from danvan_survey.charts import dvk_models
from danvan_survey.report import findings as fx
from danvan_survey.results import Results

REPORT_TITLE = "Báo cáo kết quả khảo sát thực trạng công tác dân vận ở cơ sở"


def _none(_f: fx.Findings) -> str:
    return ""


def _always(_res: Results) -> bool:
    return True


@dataclass(frozen=True)
class ChartSpec:
    """One chart of the pack: how to build it, what it shows, its caveat and key figure."""

    name: str
    section: str
    build: Callable[[Results], go.Figure]
    shows: str
    caveat: str
    key: Callable[[fx.Findings], str] = _none
    applies: Callable[[Results], bool] = _always

    def caption(self, f: fx.Findings) -> str:
        """Caption under the chart: what it shows plus the figure a reader should take."""
        key = self.key(f)
        return f"{self.shows} {key}".strip()


def _consolidation_key(f: fx.Findings) -> str:
    return (f"Tổng cộng {charts.fmt_num(f.n_weak)} tổ chức cần củng cố; biểu đồ ghi 20 tổ chức có "
            "điểm ưu tiên cao nhất; danh sách đầy đủ trong bang-so-lieu.xlsx và Phụ lục 1 của "
            "bao-cao.docx.")


CHARTS: tuple[ChartSpec, ...] = (
    ChartSpec("01-do-phu-phieu", "Làm sạch và độ phủ",
              lambda r: charts.indicator_heatmap(r, "coverage", min_returns=0),
              "Số phiếu tổ chức đã nhận so với số dự kiến, theo huyện và tổ chức.",
              "Phiếu bị cách ly khi làm sạch không được tính; không bù số thiếu.",
              fx.coverage_sentence),
    ChartSpec("02-ty-le-tap-hop", "Tổng quan theo huyện",
              lambda r: charts.indicator_heatmap(r, "gathering_rate"),
              "Tỷ lệ tập hợp (tổng hội viên / tổng đối tượng) theo huyện và tổ chức.",
              "Hội Nông dân tính trên hộ nên không so sánh được với tổ chức khác; Ủy ban MTTQ "
              "không có hội viên nên không có chỉ số này; ô có dưới 3 phiếu bị ẩn.",
              lambda f: " ".join(fx.gathering_sentences(f)[:1])),
    ChartSpec("03-xep-loai", "Tổng quan theo huyện", charts.rating_distribution,
              "Phân bố xếp loại năm gần nhất của tổ chức cơ sở, theo huyện, mỗi tổ chức "
              "một ô.", "Là xếp loại do tổ chức tự báo cáo, chưa được đối chiếu.",
              fx.disagreement_sentence),
    ChartSpec("04-yeu-kem-huyen", "Tổ chức yếu kém", charts.weak_organisations,
              "Tỷ lệ tổ chức yếu kém trên số tổ chức được khảo sát theo huyện, xếp từ cao "
              "xuống thấp, số tổ chức ghi bên cạnh.",
              "Tiêu chí chức năng là ngưỡng thiết kế, cần hiệu chỉnh sau đợt đầu; không phải "
              "kết luận chính thức.", fx.district_share_sentence),
    ChartSpec("05-yeu-kem-vung-dtts", "Tổ chức yếu kém",
              lambda r: charts.weak_organisations(r, by="em_area"),
              "Tỷ lệ tổ chức yếu kém theo vùng đồng bào DTTS, số tổ chức ghi bên cạnh.",
              fx.EM_CAVEAT, fx.em_share_sentence),
    ChartSpec("06-danh-sach-cung-co", "Tổ chức yếu kém", charts.consolidation_table,
              "20 tổ chức có điểm ưu tiên cao nhất cần củng cố, kèm lý do bằng số liệu.",
              "Điểm ưu tiên là quy tắc xếp thứ tự, không phải đánh giá cá nhân.",
              _consolidation_key),
    ChartSpec("07-ban-do-xa", "Tổ chức yếu kém", charts.commune_map,
              "Vị trí các xã và số tổ chức yếu kém trong mỗi xã.",
              "Chấm là trung tâm xã (tọa độ gần đúng), không có ranh giới; xã chưa có phiếu "
              "không được vẽ.", fx.communes_sentence),
    ChartSpec("08-vung-dtts-so-sanh", "Vùng đồng bào DTTS", charts.em_comparison,
              "So sánh xã thuần DTTS, xã có thôn xen ghép và các xã khác theo các chỉ số "
              "chính; bên phải là ước lượng từ mẫu cán bộ với khoảng tin cậy 95%.",
              fx.EM_CAVEAT, fx.meeting_sentence),
    ChartSpec("09-ty-le-tap-hop-vung-dtts", "Vùng đồng bào DTTS",
              lambda r: charts.indicator_heatmap(r, "gathering_rate", by="em_area"),
              "Tỷ lệ tập hợp theo vùng DTTS và tổ chức.", fx.EM_CAVEAT,
              fx.gathering_em_sentence),
    ChartSpec("10-nang-luc-can-bo-huyen", "Năng lực cán bộ", charts.cadre_capacity,
              "Ước lượng theo thiết kế mẫu: tỷ lệ được tập huấn, tự đánh giá kỹ năng xử lý "
              "tình huống, cách xử lý tình huống, mức biết Nghị quyết 25-NQ/TW; theo huyện.",
              "Ước lượng có sai số mẫu; ước lượng dựa trên quá ít cán bộ bị ẩn, không vẽ "
              "bằng 0.", lambda f: " ".join(fx.cadre_sentences(f)[:1])),
    ChartSpec("11-nang-luc-can-bo-vung-dtts", "Năng lực cán bộ",
              lambda r: charts.cadre_capacity(r, by="em_area"),
              "Các ước lượng năng lực cán bộ theo vùng DTTS.", fx.EM_CAVEAT,
              fx.trained_em_sentence),
    ChartSpec("12-dan-van-kheo", "Dân vận khéo và bản tin", charts.dvk_funnel,
              "Số mô hình dân vận khéo đăng ký và được công nhận; số tổ chức theo cấp "
              "công nhận cao nhất.", "Hai ô dùng hai đơn vị khác nhau (mô hình, tổ chức).",
              fx.dvk_count_sentence),
    ChartSpec("13-ban-tin", "Dân vận khéo và bản tin", charts.bulletin_compliance,
              "Tỷ lệ kỳ bản tin có bài về mô hình dân vận khéo theo huyện.",
              "Chỉ tính tổ chức có phát hành bản tin.",
              fx.bulletin_sentence),
    ChartSpec("14-nhan-rong-dan-van-kheo", "Dân vận khéo và bản tin",
              dvk_models.dvk_replication,
              "Mô hình “Dân vận khéo” được công nhận từ cấp huyện trở lên, theo lĩnh vực và "
              "tổ chức; cuối mỗi thanh là tổng số và số đã nhân rộng.",
              "Cấp công nhận và tình trạng nhân rộng do tổ chức cơ sở tự kê khai, chưa đối "
              "chiếu với quyết định công nhận.", fx.replication_sentence,
              applies=lambda r: not r.dvk_replication.empty),
)


def charts_for(res: Results) -> list[ChartSpec]:
    """The charts of this round's pack (the replication chart needs a model roster)."""
    return [spec for spec in CHARTS if spec.applies(res)]


def build_figures(res: Results) -> dict[str, go.Figure]:
    """Every chart of the round's pack, by file stem."""
    return {spec.name: spec.build(res) for spec in charts_for(res)}
