"""Printable paper questionnaire: HTML rendered to PDF by headless Chromium.

Numbering is the same as the commune workbook (:func:`question_numbers`).
"""

from __future__ import annotations

import html
import shutil
import subprocess
from pathlib import Path

from danvan_survey.codebook import REPEATS, Codebook, FormId, Variable, load_codebook
from danvan_survey.config import RoundConfig
from danvan_survey.errors import InputError
from danvan_survey.forms.common import (
    ROMAN,
    answer_range,
    describe_relevance,
    question_label_vi,
    question_numbers,
    sections,
)

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
_CSS = """
@page{size:A4;margin:14mm 13mm}
body{font-family:"Noto Sans",sans-serif;font-size:10.5pt;color:#000;line-height:1.35}
h1{font-size:15pt;margin:0 0 4pt}h2{font-size:11.5pt;background:#dde8f4;padding:3pt 5pt;
margin:10pt 0 4pt;break-after:avoid}
.meta{border:1px solid #555;padding:5pt 7pt;margin:6pt 0}.meta td{padding:2pt 8pt 2pt 0}
.q{display:grid;grid-template-columns:11mm 1fr;gap:2pt 4pt;padding:4pt 0;
border-bottom:1px dotted #999;break-inside:avoid}
.num{font-weight:bold}.label{font-weight:600}.help{font-size:8.5pt;color:#333}
.opts{columns:2;column-gap:10mm;margin-top:2pt}.opt{break-inside:avoid}
.box{display:inline-block;width:3.4mm;height:3.4mm;border:1px solid #000;margin-right:4pt;
vertical-align:-1px}
.line{border-bottom:1px solid #000;height:7mm;width:100%}
.cells span{display:inline-block;width:6mm;height:7mm;border:1px solid #000;margin-right:-1px}
.note{font-size:9pt;font-style:italic}
.synthetic{border:2px solid #a00;color:#a00;padding:3pt 6pt;font-weight:bold}
table.roster{border-collapse:collapse;width:100%;font-size:9pt}
table.roster th,table.roster td{border:1px solid #000;padding:2pt 3pt;vertical-align:top}
table.roster td{height:9mm}table.roster th:nth-child(2){width:30%}
"""
ROSTER_ROWS = 6


def option_text(code: str, label: str) -> str:
    """An option as printed: "2. Khá" for numeric codes, else the label alone.

    Numeric codes are typed at data entry; text codes (``mttq``) are picked by label.
    """
    return f"{code}. {label}" if code.isdigit() else label


def _answer_html(var: Variable, cb: Codebook, round_cfg: RoundConfig) -> str:
    if var.list_name in {"district", "commune"}:
        return "<div class='line'></div>"
    if var.is_select and var.list_name in cb.choices:
        opts = "".join(
            "<div class='opt'><span class='box'></span>"
            f"{html.escape(option_text(c.code, c.label_vi))}</div>"
            for c in cb.choices[var.list_name]
        )
        return f"<div class='opts'>{opts}</div>"
    if var.base_type in {"integer", "decimal"}:
        _, high = answer_range(var, round_cfg)
        digits = len(str(int(high))) if high is not None else 5
        cells = "<span></span>" * max(2, digits)
        return f"<div class='cells'>{cells}</div>"
    if var.base_type == "date":
        return "<div>Ngày ____ / tháng ____ / năm ________</div>"
    return "<div class='line'></div>"


def _help(var: Variable, cb: Codebook, round_cfg: RoundConfig) -> str:
    parts = [var.hint_vi]
    if var.list_name in {"district", "commune"}:
        parts.append("Ghi tên đơn vị hành chính.")
    elif var.base_type == "select_multiple":
        parts.append("Đánh dấu tất cả các ô phù hợp.")
    elif var.is_select:
        parts.append("Đánh dấu một ô.")
    low, high = answer_range(var, round_cfg) if var.base_type in {"integer", "decimal"} else (
        None, None)
    if low is not None and high is not None:
        parts.append(f"Ghi số từ {low:g} đến {high:g}.")
    parts.append(describe_relevance(var.relevant, cb, var.form))
    if var.personal_data:
        parts.append("Thông tin cá nhân: chỉ dùng để liên hệ, không công bố.")
    return " ".join(p for p in parts if p)


def roster_html(cb: Codebook, table: FormId) -> str:
    """A repeat group (e.g. the DVK model roster) as a table: one line per entry."""
    numbers = question_numbers(cb, table)
    variables = cb.roster_questions(table)
    _, repeat = REPEATS[table]
    row = next(r for r in cb.survey_rows[REPEATS[table][0]] if r["name"] == repeat)
    head = "".join(f"<th>{numbers[v.name]}. {html.escape(v.label_vi)}</th>" for v in variables)
    body = "".join(f"<tr><td>{i}</td>" + "<td></td>" * len(variables) + "</tr>"
                   for i in range(1, ROSTER_ROWS + 1))
    codes = " ".join(
        f"{numbers[v.name]}: " + "; ".join(f"{c.code} = {c.label_vi}" for c in cb.choices[
            v.list_name]) + "."
        for v in variables if v.is_select and v.list_name in cb.choices)
    hint = row.get("hint::Vietnamese (vi)", "")
    return (f"<h2>{html.escape(row['label::Vietnamese (vi)'])}</h2>"
            f"<p class='help'>{html.escape(hint)} Ghi mã: {html.escape(codes)} "
            "Thiếu dòng thì ghi tiếp ra mặt sau.</p>"
            f"<table class='roster'><tr><th>STT</th>{head}</tr>{body}</table>")


def paper_html(form: FormId, round_cfg: RoundConfig) -> str:
    """HTML of the paper questionnaire of one form."""
    cb = load_codebook()
    numbers = question_numbers(cb, form)
    title = cb.settings[form]["form_title"]
    blocks = []
    for i, section in enumerate(sections(cb, form)):
        blocks.append(f"<h2>{ROMAN[i]}. {html.escape(section.label_vi)}</h2>")
        for var in section.variables:
            help_text = _help(var, cb, round_cfg)
            answer = (f"<div class='line'>{html.escape(round_cfg.round_id)}</div>"
                      if var.name == "round_id" else _answer_html(var, cb, round_cfg))
            blocks.append(
                f"<div class='q'><div class='num'>{numbers[var.name]}</div><div>"
                f"<div class='label'>{html.escape(question_label_vi(var, round_cfg))}</div>"
                + (f"<div class='help'>{html.escape(help_text)}</div>" if help_text else "")
                + f"{answer}</div></div>"
            )
    blocks += [roster_html(cb, t) for t, (parent, _) in REPEATS.items() if parent == form]
    synthetic = ("<p class='synthetic'>ĐỢT THỬ NGHIỆM — dữ liệu mô phỏng, không phải số liệu "
                 "thật.</p>" if round_cfg.synthetic else "")
    intro = ("Phiếu giấy dùng cho xã không có máy tính bảng/điện thoại; số thứ tự câu hỏi giống "
             "sổ Excel của xã. Không có số liệu thì để trống.")
    if form == "b":
        intro += " Mỗi cán bộ điền một phiếu."
    return (
        "<!DOCTYPE html><html lang='vi'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>PHIẾU {form.upper()} — {html.escape(title)}</h1>{synthetic}"
        f"<table class='meta'><tr><td>Đợt khảo sát: <b>{html.escape(round_cfg.title)}</b> "
        f"({html.escape(round_cfg.round_id)})</td><td>Thời gian: "
        f"{round_cfg.period_start:%d/%m/%Y} – {round_cfg.period_end:%d/%m/%Y}</td></tr>"
        f"<tr><td colspan='2' class='note'>{html.escape(intro)}</td></tr></table>"
        + "\n".join(blocks) + "</body></html>\n"
    )


def find_chromium() -> str:
    """Path of a headless Chromium, or an InputError explaining what to install."""
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise InputError("Không tìm thấy Chromium để in phiếu giấy ra PDF. Cài gói 'chromium' "
                     "(Debian/Ubuntu: apt-get install chromium fonts-noto-core) rồi chạy lại.")


def html_to_pdf(html_path: Path, pdf_path: Path, timeout: int = 120) -> Path:
    """Render an HTML file to PDF with headless Chromium."""
    cmd = [find_chromium(), "--headless", "--no-sandbox", "--disable-gpu",
           "--no-pdf-header-footer", f"--print-to-pdf={pdf_path}", html_path.resolve().as_uri()]
    result = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)  # noqa: S603
    if result.returncode != 0 or not pdf_path.is_file():
        raise InputError(f"Chromium không in được {html_path.name} ra PDF: "
                         f"{result.stderr.decode('utf-8', 'replace')[-400:]}", file=str(html_path))
    return pdf_path


def write_paper(round_cfg: RoundConfig, out_dir: Path, pdf: bool = True) -> list[Path]:
    """Write ``phieu_A``/``phieu_B`` as HTML (and PDF when ``pdf``) into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for form in ("a", "b"):
        html_path = out_dir / f"phieu_{form.upper()}.html"
        html_path.write_text(paper_html(form, round_cfg), encoding="utf-8")
        paths.append(html_path)
        if pdf:
            paths.append(html_to_pdf(html_path, out_dir / f"phieu_{form.upper()}.pdf"))
    return paths
