"""``bao-cao.docx``: the survey report as a Party body's báo cáo (Hướng dẫn 36-HD/VPTW).

A4, margins 20/20/30/15 mm, Times New Roman 14 pt (tables 11–12 pt), page numbers at the
top centre from page 2; header block, title, sections I–IV written from
:mod:`danvan_survey.report.findings`, recipients and signature; appendices: the full
consolidation list (landscape) and the charts with numbered captions.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from danvan_survey.charts.style import fmt_num, fmt_pct, fmt_score, short_district
from danvan_survey.compare_report import ComparisonSection
from danvan_survey.report import findings as fx
from danvan_survey.report.meta import PLACEHOLDER, ReportMeta, load_measures
from danvan_survey.report.specs import CHARTS, REPORT_TITLE, ChartSpec, charts_for
from danvan_survey.results import Results

FONT = "Times New Roman"
BODY_PT, TABLE_PT, SMALL_PT = 14, 11, 12
#: Margins in mm (top, bottom, left, right) — Hướng dẫn 36-HD/VPTW.
MARGINS_MM = (20, 20, 30, 15)
#: Appendix 1 column widths in cm (landscape A4: 29,7 − 3,0 − 1,5 = 25,2 cm usable).
#: Columns of ``charts.consolidation_list`` in order: TT, commune, district, organisation,
#: EM area, view, reasons, score — the reasons get the room.
LIST_WIDTHS_CM = (0.9, 2.8, 2.5, 3.0, 3.3, 2.3, 8.6, 1.6)
#: Charts left out of the Word report: the top-20 table repeats Appendix 1 at a size that
#: cannot be read on A4.
DOCX_SKIP = ("06-danh-sach-cung-co",)
#: Columns of Appendix 3 (replication list, one heading row per field) and their widths on
#: landscape A4 (25.2 cm between the margins).
REPLICATION_WIDTHS_CM = {
    "STT": 1.2, "Tên mô hình": 6.0, "Tổ chức": 4.4, "Xã/phường/thị trấn": 3.4,
    "Huyện/thị xã/thành phố": 2.9, "Cấp công nhận": 1.7, "Năm công nhận": 1.5,
    "Tình trạng nhân rộng": 4.1,
}
#: Widths of the comparison appendix (landscape): district, unit, org, result, reasons ×2.
COMPARISON_WIDTHS_CM = (2.6, 3.2, 3.4, 2.4, 6.8, 6.8)
PURPOSE = ("Đánh giá đúng thực trạng hoạt động của Mặt trận Tổ quốc và các đoàn thể chính trị - "
           "xã hội ở cơ sở; xác định tổ chức cơ sở yếu kém cần củng cố, năng lực của đội ngũ "
           "cán bộ làm công tác dân vận, kết quả phong trào thi đua “Dân vận khéo”, làm căn cứ "
           "đề xuất giải pháp, chú ý vùng đồng bào dân tộc thiểu số (sau đây viết tắt là vùng "
           "DTTS).")
CAUSES = ("Số liệu khảo sát cho biết nơi và mức độ của hạn chế, chưa cho biết nguyên nhân; "
          "nguyên nhân cần được cấp ủy, Ủy ban MTTQ và các đoàn thể ở nơi có tỷ lệ yếu kém cao "
          "phân tích, làm rõ khi triển khai củng cố.")


# ---------------------------------------------------------------- low-level helpers
def _font(run: Any, size: float | None = None, bold: bool | None = None,
          italic: bool | None = None, underline: bool | None = None) -> Any:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = FONT
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    if size:
        run.font.size = Pt(size)
    for name, value in (("bold", bold), ("italic", italic), ("underline", underline)):
        if value is not None:
            setattr(run.font, name, value)
    return run


def _para(container: Any, text: str = "", *, size: float = BODY_PT, bold: bool = False,
          italic: bool = False, align: str = "justify", indent: bool = True,
          space_after: float = 4, underline: bool = False) -> Any:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    p = container.add_paragraph()
    p.alignment = {"justify": WD_ALIGN_PARAGRAPH.JUSTIFY, "center": WD_ALIGN_PARAGRAPH.CENTER,
                   "left": WD_ALIGN_PARAGRAPH.LEFT}[align]
    fmt = p.paragraph_format
    fmt.space_after, fmt.space_before = Pt(space_after), Pt(0)
    fmt.line_spacing = 1.15
    if indent and align == "justify":
        fmt.first_line_indent = Cm(1.0)
    if text:
        _font(p.add_run(text), size, bold, italic, underline)
    return p


def _heading(doc: Any, text: str, level: int = 1) -> Any:
    p = _para(doc, text, bold=True, italic=level > 1, indent=level > 1, space_after=6)
    p.paragraph_format.keep_with_next = True
    return p


def _page_number(section: Any) -> None:
    """PAGE field, centred at the top of the page (not on the first page)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    p = section.header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = _font(p.add_run(), BODY_PT)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._element.append(el)


def _margins(section: Any, landscape: bool = False) -> None:
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm

    top, bottom, left, right = MARGINS_MM
    w, h = Mm(210), Mm(297)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (h, w) if landscape else (w, h)
    section.top_margin, section.bottom_margin = Mm(top), Mm(bottom)
    section.left_margin, section.right_margin = Mm(left), Mm(right)
    section.header_distance = Mm(10)


def _no_borders(table: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    table._tbl.tblPr.append(borders)


def _repeat_header(row: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(el)


def _cell_text(cell: Any, text: str, *, size: float = TABLE_PT, bold: bool = False,
               align: str = "left") -> None:
    cell.text = ""
    p = _tight(cell.paragraphs[0])
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    p.alignment = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
                   "right": WD_ALIGN_PARAGRAPH.RIGHT}[align]
    _font(p.add_run(text), size, bold)


def _table(doc: Any, header: Sequence[str], rows: Sequence[Sequence[str]],
           widths_cm: Sequence[float], size: float = SMALL_PT,
           numeric: Sequence[bool] | None = None) -> Any:
    """Bordered table with a repeated bold header row and fixed column widths."""
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.autofit = False
    numeric = numeric or [False] * len(header)
    for j, text in enumerate(header):
        _cell_text(table.rows[0].cells[j], text, size=size, bold=True, align="center")
    _repeat_header(table.rows[0])
    for row in rows:
        added = table.add_row()
        _keep_row(added)
        cells = added.cells
        for j, value in enumerate(row):
            _cell_text(cells[j], value, size=size, align="right" if numeric[j] else "left")
    _widths(table, widths_cm)
    _para(doc, "", space_after=2)
    return table


def _widths(table: Any, widths_cm: Sequence[float]) -> None:
    """Column widths on the grid and on every cell (Word and LibreOffice read both)."""
    from docx.shared import Cm

    for j, width in enumerate(widths_cm):
        table.columns[j].width = Cm(width)
    for row in table.rows:
        spans: dict[int, tuple[Any, float]] = {}  # a merged cell spans several columns
        for j, cell in enumerate(row.cells):
            _, width = spans.get(id(cell._tc), (cell, 0.0))
            spans[id(cell._tc)] = (cell, width + widths_cm[j])
        for cell, width in spans.values():
            cell.width = Cm(width)


def _keep_row(row: Any) -> None:
    """Never split this row across pages."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    el = OxmlElement("w:cantSplit")
    el.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(el)


def _tight(p: Any) -> Any:
    from docx.shared import Pt

    p.paragraph_format.space_after = p.paragraph_format.space_before = Pt(0)
    return p


# ---------------------------------------------------------------- parts of the báo cáo
def _header_block(doc: Any, meta: ReportMeta) -> None:

    table = doc.add_table(rows=1, cols=2)
    table.autofit = False
    _no_borders(table)
    left, right = table.rows[0].cells
    _widths(table, (6.2, 10.3))
    left.text = right.text = ""
    lp = left.paragraphs[0]
    for k, (text, bold) in enumerate(((meta.superior, False), (meta.issuing_body, True),
                                      ("*", False), (meta.number_line, False))):
        p = _tight(lp if k == 0 else left.add_paragraph())
        p.alignment = 1
        _font(p.add_run(text), 13 if k != 3 else BODY_PT, bold)
    rp = _tight(right.paragraphs[0])
    rp.alignment = 1
    _font(rp.add_run("ĐẢNG CỘNG SẢN VIỆT NAM"), 15, True, underline=True)
    _tight(right.add_paragraph())
    p = _tight(right.add_paragraph())
    p.alignment = 1
    _font(p.add_run(meta.date_line()), BODY_PT, italic=True)


def _title(doc: Any, res: Results) -> None:
    _para(doc, "", space_after=6)
    _para(doc, "BÁO CÁO", size=15, bold=True, align="center", space_after=0)
    _para(doc, f"Kết quả khảo sát thực trạng công tác dân vận ở cơ sở năm "
               f"{res.data_date.year}", bold=True, align="center", space_after=0)
    _para(doc, "-----", align="center", space_after=10)
    if res.synthetic:
        p = _para(doc, "", align="center", space_after=10)
        from docx.shared import RGBColor

        run = _font(p.add_run("DỮ LIỆU MÔ PHỎNG — các con số trong báo cáo này là số liệu "
                              "giả lập để thử hệ thống, không phải kết quả khảo sát thật."),
                    BODY_PT, True)
        run.font.color.rgb = RGBColor(0xB0, 0x3A, 0x00)


def _section_one(doc: Any, res: Results, f: fx.Findings, period: str) -> None:
    _heading(doc, "I. MỤC ĐÍCH, PHẠM VI, PHƯƠNG PHÁP VÀ ĐỘ PHỦ CỦA KHẢO SÁT")
    _heading(doc, "1. Mục đích", 2)
    _para(doc, PURPOSE)
    _heading(doc, "2. Phạm vi", 2)
    _para(doc, f"{fx.scope_sentence(f)} Thời gian thu thập: {period}.")
    _heading(doc, "3. Phương pháp", 2)
    for text in fx.methods(res):
        if text != fx.SYNTHETIC_NOTE:
            _para(doc, f"- {text}")
    _heading(doc, "4. Độ phủ", 2)
    _para(doc, fx.coverage_sentence(f))
    if f.n_cadres:
        _para(doc, f"Phiếu cán bộ: {fmt_num(f.n_cadres)} cán bộ chủ chốt ở các xã được chọn "
                   "trả lời và qua kiểm tra.")


def _share_table(doc: Any, table: pd.DataFrame, first: str) -> None:
    rows = [[r.label, fmt_pct(r.share_weak), f"{fmt_num(r.n_weak)}/{fmt_num(r.n_orgs)}",
             fmt_num(r.n_rep), fmt_num(r.n_fun)] for r in table.itertuples()]
    _table(doc, [first, "Tỷ lệ yếu kém", "Số yếu kém / số được khảo sát",
                 "Tự xếp loại yếu kém", "Yếu theo tiêu chí"], rows,
           [4.6, 2.4, 3.4, 3.0, 3.0], numeric=[False, True, True, True, True])


def _section_two(doc: Any, f: fx.Findings, res: Results) -> None:
    _heading(doc, "II. KẾT QUẢ KHẢO SÁT")
    _heading(doc, "1. Tổ chức và hội viên", 2)
    for text in fx.gathering_sentences(f):
        _para(doc, f"- {text}")
    _para(doc, f"- {fx.weak_sentence(f)}")
    _para(doc, f"- {fx.disagreement_sentence(f)}")
    _para(doc, f"- {fx.communes_sentence(f)}")
    _para(doc, fx.for_round("Tỷ lệ tổ chức yếu kém trên số tổ chức được khảo sát, theo huyện "
                            "(xếp từ cao xuống thấp):", res), indent=False)
    _share_table(doc, f.weak_by_district, _district_column(res))
    _heading(doc, "2. Hoạt động", 2)
    for text in (fx.activity_sentence(f), fx.meeting_sentence(f)):
        if text:
            _para(doc, f"- {text}")
    _heading(doc, "3. Đội ngũ cán bộ", 2)
    sentences = fx.cadre_sentences(f)
    for text in sentences or ["Chưa có ước lượng từ phiếu cán bộ."]:
        _para(doc, f"- {text}")
    _heading(doc, "4. Vùng đồng bào DTTS", 2)
    _para(doc, f"- {fx.em_share_sentence(f)}")
    _share_table(doc, f.weak_by_em, "Vùng")
    _para(doc, f"- {fx.EM_CAVEAT}")
    _heading(doc, "5. Phong trào “Dân vận khéo” và bản tin", 2)
    for text in fx.dvk_sentences(f):
        _para(doc, f"- {text}")


def _section_three(doc: Any, f: fx.Findings, labels: dict[str, str]) -> None:
    _heading(doc, "III. ĐÁNH GIÁ CHUNG")
    _heading(doc, "1. Ưu điểm", 2)
    for text in fx.strengths(f):
        _para(doc, f"- {text}")
    _heading(doc, "2. Hạn chế và nơi tập trung", 2)
    for text in fx.limitations(f, labels):
        _para(doc, f"- {text}")
    _para(doc, CAUSES)


def _district_column(res: Results) -> str:
    """Heading of the district column (a 2025 round names the former district)."""
    heading = fx.district_heading(res)
    return "Huyện, thị xã, thành phố" if heading == "Huyện" else heading


def _section_comparison(doc: Any, section: ComparisonSection, pngs: dict[str, Path],
                        appendix: int) -> None:
    """II.6: comparison with the base round (findings, charts, counts, notes)."""
    from docx.shared import Cm

    _heading(doc, f"6. {section.title}", 2)
    for text in section.paragraphs:
        _para(doc, f"- {text}")
    for name in section.figures:
        if name in pngs:
            p = _para(doc, "", align="center", space_after=6)
            p.add_run().add_picture(str(pngs[name]), width=Cm(16.0))
    counts = transition_counts(section.weak_table)
    if len(counts):
        _para(doc, "Tổ chức yếu kém ở một trong hai đợt, theo huyện cũ (danh sách từng tổ chức "
                   f"với lý do ở cả hai đợt tại Phụ lục {appendix}):", indent=False)
        _table(doc, [str(c) for c in counts.columns],
               [[str(v) if j == 0 else fmt_num(int(v)) for j, v in enumerate(row)]
                for row in counts.itertuples(index=False)],
               [4.6, 2.85, 2.85, 2.85, 2.85], numeric=[False, True, True, True, True])
    if section.notes:
        _para(doc, "Ghi chú về khả năng so sánh:", bold=True, indent=False)
        for note in section.notes:
            _para(doc, f"- {note}")


def transition_counts(table: pd.DataFrame) -> pd.DataFrame:
    """Consolidated / still weak / newly weak by former district, with a total row."""
    if table.empty:
        return pd.DataFrame()
    kinds = ["Đã củng cố", "Vẫn yếu kém", "Mới yếu kém"]
    counts = (pd.crosstab(table["Huyện cũ"], table["Kết quả"])
              .reindex(columns=kinds, fill_value=0))
    order = list(dict.fromkeys(table["Huyện cũ"]))
    counts = counts.reindex(order).fillna(0).astype("int64")
    counts["Cộng"] = counts.sum(axis=1)
    counts.loc["Tổng số"] = counts.sum()
    return counts.rename_axis("Huyện cũ").reset_index()


def _appendix_comparison(doc: Any, section: ComparisonSection, number: int) -> None:
    """Appendix (landscape): every organisation weak in either round, with both reasons."""
    from docx.enum.section import WD_SECTION

    table = section.weak_table
    page = doc.add_section(WD_SECTION.NEW_PAGE)
    _margins(page, landscape=True)
    page.different_first_page_header_footer = False
    _para(doc, f"PHỤ LỤC {number}", bold=True, align="center", space_after=0)
    _para(doc, "TỔ CHỨC YẾU KÉM Ở ĐỢT TRƯỚC HOẶC ĐỢT NÀY: KẾT QUẢ CỦNG CỐ", bold=True,
          align="center", space_after=0)
    _para(doc, f"({fmt_num(len(table))} tổ chức; theo đơn vị hành chính mới)", italic=True,
          align="center", space_after=8)
    _table(doc, [str(c) for c in table.columns],
           [["" if pd.isna(v) else str(v) for v in row]
            for row in table.itertuples(index=False)],
           COMPARISON_WIDTHS_CM[: len(table.columns)], size=TABLE_PT)


def _section_four(doc: Any, f: fx.Findings, res: Results) -> None:
    measures = load_measures()
    _heading(doc, "IV. ĐỀ XUẤT")
    _heading(doc, "1. Củng cố tổ chức cơ sở yếu kém", 2)
    who = "các huyện" if fx.district_heading(res) == "Huyện" else "các xã, phường, đặc khu"
    _para(doc, f"Đề nghị cấp ủy {who} chỉ đạo củng cố {fmt_num(f.n_weak)} tổ chức cơ sở "
               "yếu kém (danh sách đầy đủ tại Phụ lục 1), ưu tiên vùng đồng bào DTTS và xã "
               + fx.for_round("khó khăn. Theo huyện và theo tổ chức:", res))
    _table(doc, [_district_column(res), "Số tổ chức cần củng cố",
                 "Tỷ lệ trên số được khảo sát"],
           [[r.label, fmt_num(r.n_weak), fmt_pct(r.share_weak)]
            for r in f.weak_by_district.itertuples() if r.n_weak],
           [7.0, 4.5, 4.5], numeric=[False, True, True])
    _table(doc, ["Tổ chức", "Số tổ chức cần củng cố", "Tỷ lệ trên số được khảo sát"],
           [[r.label, fmt_num(r.n_weak), fmt_pct(r.share_weak)]
            for r in f.weak_by_org.itertuples()], [7.0, 4.5, 4.5],
           numeric=[False, True, True])
    _heading(doc, "2. Biện pháp theo từng lý do yếu kém", 2)
    _para(doc, "Một tổ chức có thể có nhiều lý do; mỗi lý do có biện pháp tương ứng:")
    rows = [[measures[r.reason].label_vi if r.reason in measures else r.reason,
             fmt_num(r.n_orgs),
             measures[r.reason].measure_vi if r.reason in measures else PLACEHOLDER]
            for r in f.reasons.itertuples()]
    _table(doc, ["Lý do", "Số tổ chức", "Biện pháp đề xuất"], rows, [4.6, 1.8, 9.6],
           numeric=[False, True, False])
    if not f.replication.empty:
        _replication_proposal(doc, f)


def _replication_proposal(doc: Any, f: fx.Findings) -> None:
    """IV.3: models recognised at district level or above that can be replicated."""
    _heading(doc, "3. Nhân rộng mô hình “Dân vận khéo”", 2)
    _para(doc, f"{fx.replication_sentence(f)} Đề nghị các cấp xem xét nhân rộng các mô hình "
               "chưa được nhân rộng, trước hết ở lĩnh vực và địa bàn còn yếu (danh sách đầy "
               "đủ tại Phụ lục 3). Theo lĩnh vực:")
    _table(doc, fx.REPLICATION_HEADER, fx.replication_rows(f), [6.0, 2.8, 2.4, 2.4, 2.4],
           numeric=[False, True, True, True, True])


def _appendix_replication(doc: Any, res: Results) -> None:
    """Appendix 3 (landscape): the whole replication list, grouped by field."""
    from docx.enum.section import WD_SECTION

    from danvan_survey.charts.dvk_models import replication_table_vi

    table = replication_table_vi(res)
    table["Huyện/thị xã/thành phố"] = table["Huyện/thị xã/thành phố"].map(short_district)
    table["Cấp công nhận"] = table["Cấp công nhận"].str.removeprefix("cấp ")
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    _margins(section, landscape=True)
    section.different_first_page_header_footer = False
    _para(doc, "PHỤ LỤC 3", bold=True, align="center", space_after=0)
    _para(doc, "DANH SÁCH MÔ HÌNH “DÂN VẬN KHÉO” ĐƯỢC CÔNG NHẬN TỪ CẤP HUYỆN TRỞ LÊN, "
               "ĐỀ XUẤT NHÂN RỘNG", bold=True, align="center", space_after=0)
    _para(doc, f"(theo lĩnh vực, cấp công nhận cao nhất trước; {fmt_num(len(table))} mô "
               "hình)", italic=True, align="center", space_after=8)
    cols = [c for c in REPLICATION_WIDTHS_CM if c in table.columns]
    short = {"Cấp công nhận": "Cấp", "Năm công nhận": "Năm", "Huyện/thị xã/thành phố": "Huyện"}
    grid = _table(doc, [short.get(c, c) for c in cols], [],
                  [REPLICATION_WIDTHS_CM[c] for c in cols], size=TABLE_PT)
    numeric = [c in ("STT", "Năm công nhận") for c in cols]
    for field, part in table.groupby("Lĩnh vực", sort=False):
        head = grid.add_row()
        _keep_row(head)
        _cell_text(head.cells[0].merge(head.cells[-1]),
                   f"Lĩnh vực: {field} ({fmt_num(len(part))} mô hình)", size=TABLE_PT,
                   bold=True)
        for row in part[cols].itertuples(index=False):
            added = grid.add_row()
            _keep_row(added)
            for j, value in enumerate(row):
                _cell_text(added.cells[j], "" if pd.isna(value) else str(value),
                           size=TABLE_PT, align="right" if numeric[j] else "left")
    _widths(grid, [REPLICATION_WIDTHS_CM[c] for c in cols])


def _signature(doc: Any, meta: ReportMeta) -> None:

    _para(doc, "", space_after=6)
    table = doc.add_table(rows=1, cols=2)
    table.autofit = False
    _no_borders(table)
    _keep_row(table.rows[0])
    left, right = table.rows[0].cells
    _widths(table, (8.0, 8.5))
    left.text = right.text = ""
    p = _tight(left.paragraphs[0])
    _font(p.add_run("Nơi nhận:"), SMALL_PT, True, italic=True)
    names = meta.recipients or (PLACEHOLDER,)
    for k, name in enumerate(names):
        end = "." if k == len(names) - 1 else ","
        _font(_tight(left.add_paragraph()).add_run(f"- {name}{end}"), TABLE_PT)
    p = _tight(right.paragraphs[0])
    p.alignment = 1
    _font(p.add_run(meta.signer_authority), BODY_PT, True)
    p = _tight(right.add_paragraph())
    p.alignment = 1
    _font(p.add_run(meta.signer_title), BODY_PT, True)
    for _ in range(4):
        _tight(right.add_paragraph())
    p = _tight(right.add_paragraph())
    p.alignment = 1
    _font(p.add_run(meta.signer_name), BODY_PT, True)


def _appendix_list(doc: Any, f: fx.Findings) -> None:
    from docx.enum.section import WD_SECTION

    section = doc.add_section(WD_SECTION.NEW_PAGE)
    _margins(section, landscape=True)
    section.different_first_page_header_footer = False
    _para(doc, "PHỤ LỤC 1", bold=True, align="center", space_after=0)
    _para(doc, "DANH SÁCH TỔ CHỨC CƠ SỞ YẾU KÉM CẦN CỦNG CỐ", bold=True, align="center",
          space_after=0)
    _para(doc, f"(xếp theo điểm ưu tiên, cao nhất trước; {fmt_num(len(f.consolidation))} tổ "
               "chức)", italic=True, align="center", space_after=8)
    table = f.consolidation.rename(columns={"Điểm ưu tiên": "Điểm"})
    header = [str(c) for c in table.columns]
    widths = list(LIST_WIDTHS_CM)
    rows = [[_format_cell(c, v) for c, v in zip(header, row, strict=True)]
            for row in table.itertuples(index=False)]
    _table(doc, header, rows, widths, size=TABLE_PT,
           numeric=[c in ("TT", "Điểm") for c in header])


def _format_cell(col: str, value: object) -> str:
    if col == "Điểm":
        return fmt_score(value)
    return str(value)


def docx_charts(res: Results | None = None) -> list[ChartSpec]:
    """Charts of Appendix 2: the round's charts but the list table (Appendix 1 has it)."""
    specs = charts_for(res) if res is not None else list(CHARTS)
    return [spec for spec in specs if spec.name not in DOCX_SKIP]


def _appendix_charts(doc: Any, pngs: dict[str, Path], f: fx.Findings, res: Results) -> None:
    from docx.enum.section import WD_SECTION
    from docx.shared import Cm

    section = doc.add_section(WD_SECTION.NEW_PAGE)
    _margins(section)
    section.different_first_page_header_footer = False
    _para(doc, "PHỤ LỤC 2", bold=True, align="center", space_after=0)
    _para(doc, "BIỂU ĐỒ", bold=True, align="center", space_after=8)
    for k, spec in enumerate(docx_charts(res), start=1):
        p = _para(doc, "", align="center", space_after=2)
        p.paragraph_format.keep_with_next = True
        p.add_run().add_picture(str(pngs[spec.name]), width=Cm(16.0))
        caption = _para(doc, f"Biểu đồ {k}. {fx.for_round(spec.caption(f), res)}",
                        size=SMALL_PT, italic=True,
                        indent=False, space_after=2)
        caption.paragraph_format.keep_with_next = True
        _para(doc, f"Lưu ý: {spec.caveat}", size=SMALL_PT, indent=False, space_after=12)


def write_docx(res: Results, pngs: dict[str, Path], target: Path, meta: ReportMeta,
               period: str = PLACEHOLDER, f: fx.Findings | None = None,
               comparison: ComparisonSection | None = None) -> Path:
    """Write the báo cáo: header, sections I–IV, recipients and signature, appendices."""
    from docx import Document
    from docx.shared import Pt

    f = f or fx.compute_findings(res)
    labels = {code: m.label_vi for code, m in load_measures().items()}
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(BODY_PT)
    doc.core_properties.title = REPORT_TITLE
    doc.core_properties.author = meta.issuing_body if meta.issuing_body != PLACEHOLDER else ""
    first = doc.sections[0]
    _margins(first)
    first.different_first_page_header_footer = True
    _page_number(first)
    _header_block(doc, meta)
    _title(doc, res)
    _section_one(doc, res, f, period)
    _section_two(doc, f, res)
    has_models = not res.dvk_replication.empty
    if comparison is not None:
        _section_comparison(doc, comparison, pngs, 4 if has_models else 3)
    _section_three(doc, f, labels)
    _section_four(doc, f, res)
    _signature(doc, meta)
    _appendix_list(doc, f)
    _appendix_charts(doc, pngs, f, res)
    if has_models:
        _appendix_replication(doc, res)
    if comparison is not None and len(comparison.weak_table):
        _appendix_comparison(doc, comparison, 4 if has_models else 3)
    doc.save(str(target))
    return target
