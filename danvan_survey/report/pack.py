"""Build ``reports/<round>/``: charts, HTML, XLSX, DOCX, executed notebooks and an index."""

from __future__ import annotations

import html
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from danvan_survey.charts.export import export_figures
from danvan_survey.compare_report import load_section
from danvan_survey.config import load_round, reports_dir
from danvan_survey.project import find_project_root
from danvan_survey.report import findings as fx
from danvan_survey.report.docx import write_docx
from danvan_survey.report.html import build_html
from danvan_survey.report.meta import load_report_meta
from danvan_survey.report.notebooks import NOTEBOOK_TITLES, Progress, run_notebooks
from danvan_survey.report.specs import CHARTS, REPORT_TITLE, build_figures
from danvan_survey.report.xlsx import comparison_sheets, write_xlsx, xlsx_sheets
from danvan_survey.results import Results, load_results


def period_text(round_id: str, root: Path) -> str:
    """"từ 01/06/2014 đến 30/09/2014" from round.yaml."""
    cfg = load_round(round_id, root)
    return (f"từ {cfg.period_start.strftime('%d/%m/%Y')} đến "
            f"{cfg.period_end.strftime('%d/%m/%Y')}")


def write_index(files: dict[str, str], out_dir: Path, res: Results) -> tuple[Path, Path]:
    """INDEX.md and index.html listing every file with what it shows."""
    rows = sorted(files.items())
    md = [f"# {REPORT_TITLE}", "", f"Đợt {res.round_id}"
          + (" — **Dữ liệu mô phỏng**" if res.synthetic else ""), "",
          "| Tệp | Nội dung |", "|---|---|"]
    md += [f"| [{name}]({name}) | {what} |" for name, what in rows]
    (out_dir / "INDEX.md").write_text("\n".join(md) + "\n", encoding="utf-8")
    items = "\n".join(f'<tr><td><a href="{html.escape(n)}">{html.escape(n)}</a></td>'
                      f"<td>{html.escape(w)}</td></tr>" for n, w in rows)
    page = (f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>'
            f"{REPORT_TITLE}</title><style>body{{font-family:'Noto Sans',Arial,sans-serif;"
            "margin:2rem}td{padding:.2rem .8rem;border-bottom:1px solid #ddd}</style></head>"
            f"<body><h1>{REPORT_TITLE}</h1><p>Đợt {html.escape(res.round_id)}"
            + (" — <b>Dữ liệu mô phỏng</b>" if res.synthetic else "")
            + f"</p><table>{items}</table></body></html>\n")
    (out_dir / "index.html").write_text(page, encoding="utf-8")
    return out_dir / "INDEX.md", out_dir / "index.html"


def build_report(
    round_id: str, root: Path | None = None, progress: Progress | None = None,
    notebooks: bool = True,
) -> dict[str, Path]:
    """Build ``reports/<round>/``; return ``{relative file name: path}`` of every output."""
    say = progress or (lambda _msg: None)
    root = Path(root).resolve() if root else find_project_root()
    res = load_results(round_id, root)
    out_dir = reports_dir(round_id, root)
    shutil.rmtree(out_dir / "bieu-do", ignore_errors=True)  # no stale charts of an old run
    (out_dir / "bieu-do").mkdir(parents=True, exist_ok=True)
    say(f"Đọc kết quả đợt {round_id}: {len(res.indicators_org)} tổ chức")
    f = fx.compute_findings(res)
    figures = build_figures(res)
    comparison = load_section(round_id, root)  # from `danvan-survey compare`, if run
    if comparison is not None:
        figures = {**figures, **comparison.figures}
    outputs: dict[str, Path] = {}
    with ThreadPoolExecutor(max_workers=1) as pool:
        nb_future = pool.submit(run_notebooks, round_id, root, out_dir, say) if notebooks \
            else None
        exported = export_figures(figures, out_dir / "bieu-do", progress=say)
        outputs.update({f"bieu-do/{k}": v for k, v in exported.items()})
        say("Ghi bao-cao.html, bang-so-lieu.xlsx, bao-cao.docx")
        outputs["bao-cao.html"] = build_html(res, figures, out_dir / "bao-cao.html", f,
                                             comparison)
        sheets = xlsx_sheets(res, f)
        if comparison is not None:
            sheets |= comparison_sheets(comparison.sheets)
        outputs["bang-so-lieu.xlsx"] = write_xlsx(sheets, out_dir / "bang-so-lieu.xlsx",
                                                  res.synthetic)
        pngs = {name: exported[f"{name}.png"] for name in figures}
        outputs["bao-cao.docx"] = write_docx(res, pngs, out_dir / "bao-cao.docx",
                                             load_report_meta(round_id, root),
                                             period_text(round_id, root), f, comparison)
        if nb_future is not None:
            outputs.update(nb_future.result())
    md, page = write_index(describe(outputs), out_dir, res)
    outputs["INDEX.md"], outputs["index.html"] = md, page
    say(f"Xong: {len(outputs)} tệp trong {out_dir}")
    return outputs


def describe(outputs: dict[str, Path]) -> dict[str, str]:
    """What each output file is, for the index."""
    from danvan_survey.charts.compare import CHART_SHOWS

    what = {spec.name: spec.shows for spec in CHARTS} | CHART_SHOWS
    kinds = {".png": "ảnh PNG (độ phân giải gấp 2, cho Word/trình chiếu)",
             ".svg": "ảnh vector SVG", ".pdf": "PDF để in"}
    fixed = {
        "bao-cao.html": "Báo cáo một trang HTML, xem được không cần mạng: biểu đồ tương tác, "
                        "tóm tắt, phương pháp",
        "bang-so-lieu.xlsx": "Bảng số liệu (tỷ lệ yếu kém, danh sách củng cố, theo huyện, "
                             "vùng DTTS, tổ chức, ước lượng cán bộ, mô hình DVK)",
        "bao-cao.docx": f"{REPORT_TITLE} (Word, thể thức báo cáo của Đảng)",
    }
    out = {}
    for rel, path in outputs.items():
        if rel in fixed:
            out[rel] = fixed[rel]
        elif rel.startswith("bieu-do/"):
            out[rel] = f"{what.get(path.stem, path.stem)} — {kinds.get(path.suffix, '')}"
        elif rel.startswith("so-tay-"):
            stem = rel.removeprefix("so-tay-").removesuffix(".html")
            out[rel] = f"Sổ tay đã chạy (HTML): {NOTEBOOK_TITLES.get(stem, stem)}"
    return out
