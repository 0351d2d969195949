"""Notebooks: thin, parameterised, stripped in git, and executable headless (papermill)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jupytext
import pytest
from test_charts import write_results_folder
from test_report import external_refs

from danvan_survey import report
from danvan_survey.config import clean_dir
from danvan_survey.errors import InputError

NB_DIR = Path(__file__).resolve().parent.parent / "notebooks"
SOURCES = sorted(NB_DIR.glob("[0-9][0-9]-*.py"))


def test_six_numbered_notebooks_match_report_list() -> None:
    assert [p.stem for p in SOURCES] == list(report.NOTEBOOKS)


@pytest.mark.parametrize("src", SOURCES, ids=lambda p: p.stem)
def test_notebook_is_thin_and_parameterised(src: Path) -> None:
    nb = jupytext.read(src)
    code = [c for c in nb.cells if c.cell_type == "code"]
    params = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1 and 'round_id = "demo-2014"' in params[0].source
    text = "\n".join(c.source for c in code)
    assert "from danvan_survey" in text
    assert not re.search(r"^\s*(def|class|lambda)\b", text, re.MULTILINE)  # no own logic
    assert not re.search(r"to_parquet|to_csv|to_excel|open\(|write_|data/", text)
    markdown = [c for c in nb.cells if c.cell_type == "markdown"]
    assert len(markdown) >= len(code) - 1  # each chart explained


@pytest.mark.parametrize("src", SOURCES, ids=lambda p: p.stem)
def test_ipynb_paired_and_stripped(src: Path) -> None:
    ipynb = src.with_suffix(".ipynb")
    data = json.loads(ipynb.read_text(encoding="utf-8"))
    for cell in data["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None
    paired = jupytext.read(ipynb)
    assert [c.source for c in paired.cells] == [c.source for c in jupytext.read(src).cells]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_results_folder(tmp_path_factory.mktemp("nbproj"))


@pytest.mark.slow
def test_kernel_is_this_venv(tmp_path: Path) -> None:
    import nbformat
    import papermill as pm

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import sys; print(sys.prefix)")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    src, out = tmp_path / "k.ipynb", tmp_path / "k.out.ipynb"
    nbformat.write(nb, src)
    pm.execute_notebook(src, out, kernel_name="python3", progress_bar=False)
    printed = nbformat.read(out, as_version=4).cells[0].outputs[0]["text"].strip()
    assert printed == sys.prefix


@pytest.mark.slow
@pytest.mark.parametrize("name", report.NOTEBOOKS)
def test_notebook_executes_on_results_folder(project: Path, name: str, tmp_path: Path) -> None:
    before = sorted(p.name for p in clean_dir("test-2014", project).iterdir())
    out_dir = project / "reports" / "test-2014"  # the kernel walks up from here to project
    page = report.run_notebook(name, "test-2014", project, out_dir).read_text(encoding="utf-8")
    assert "Dữ liệu mô phỏng" in page and "Traceback" not in page
    assert external_refs(page) == [] or all("plotly" in r for r in external_refs(page))
    assert sorted(p.name for p in clean_dir("test-2014", project).iterdir()) == before


@pytest.mark.slow
def test_failing_notebook_names_cell_and_error(project: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"02-district-overview lỗi ở ô số \d+.*InputError"):
        report.run_notebook("02-district-overview", "no-such-round", project,
                            project / "reports" / "x")


def _outputs_text(nb: object) -> str:
    return json.dumps([c.get("outputs", []) for c in nb.cells], ensure_ascii=False)  # type: ignore[attr-defined]


@pytest.mark.slow
def test_notebooks_run_as_opened_in_jupyterlab(demo_root: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Each .ipynb executed top to bottom with the kernel in notebooks/, no parameter and no
    environment variable: it finds the project itself and writes no machine path."""
    import html

    import nbformat
    from nbclient import NotebookClient

    from danvan_survey import charts
    from danvan_survey.results import load_results

    monkeypatch.delenv("DANVAN_HOME", raising=False)
    folder = demo_root / "notebooks"
    shutil.copytree(NB_DIR, folder, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    texts = {}
    for ipynb in sorted(folder.glob("[0-9][0-9]-*.ipynb")):
        nb = nbformat.read(ipynb, as_version=4)
        NotebookClient(nb, timeout=300, kernel_name="python3",
                       resources={"metadata": {"path": str(folder)}}).execute()
        text = _outputs_text(nb)
        assert '"output_type": "error"' not in text, ipynb.name
        assert "DỮ LIỆU MÔ PHỎNG" in text
        for machine in (str(demo_root), str(Path.home()), "/tmp/", "/work/"):
            assert machine not in text, (ipynb.name, machine)
        texts[ipynb.stem] = text
    # the summary and the methods read as bulleted lists, not as a Python list's repr
    for stem in ("02-district-overview", "06-dvk-bulletins"):
        assert '<ul style=\\"line-height: 1.5\\"><li>' in texts[stem], stem
        assert '"text/plain": "[\'' not in texts[stem], stem  # a list's repr: "['…', …]"
        assert '"text/plain": "• ' in texts[stem], stem
    # notebook 04: the whole list, every reason in full, Vietnamese numbers
    full = load_results("demo-2014", demo_root)
    table = charts.consolidation_list(full)
    nb04 = texts["04-weak-organisations"]
    assert len(table) > 20
    for reason in table["Lý do"]:
        assert json.dumps(html.escape(reason), ensure_ascii=False)[1:-1] in nb04
    last = table.iloc[-1]
    assert f">{last['TT']}<" in nb04 and f">{charts.fmt_score(last['Điểm ưu tiên'])}<" in nb04
    assert "<td" in nb04 and "…" not in nb04.split("Danh sách đầy đủ")[-1][:200]
    # notebook 06: the whole replication list
    from danvan_survey.charts.dvk_models import replication_table_vi

    models = replication_table_vi(full)
    assert len(models) > 20
    nb06 = texts["06-dvk-bulletins"]
    for name in models["Tên mô hình"].unique():
        assert json.dumps(html.escape(name, quote=False), ensure_ascii=False)[1:-1] in nb06
    assert f">{len(models)}<" in nb06  # the last row's STT


@pytest.mark.slow
def test_full_report_on_the_demo_round(demo_root: Path, monkeypatch: pytest.MonkeyPatch,
                                       capfd: pytest.CaptureFixture[str],
                                       tmp_path: Path) -> None:
    """`run` then `report` on the committed demo round, as a user types it (no --root)."""
    from docx import Document
    from openpyxl import load_workbook
    from PIL import Image

    monkeypatch.chdir(demo_root)
    monkeypatch.delenv("DANVAN_HOME", raising=False)
    messages: list[str] = []
    out = report.build_report("demo-2014", progress=messages.append)
    err = capfd.readouterr()
    for noise in ("WARNING", "KeyboardInterrupt", "ERROR", "Traceback"):
        assert noise not in err.err + err.out  # a clean run prints only its progress
    folder = demo_root / "reports" / "demo-2014"
    pages = sorted(folder.glob("so-tay-*.html"))
    assert len(pages) == len(report.NOTEBOOKS)
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "Dữ liệu mô phỏng" in text and "Traceback" not in text
    pngs = sorted((folder / "bieu-do").glob("*.png"))
    assert len(pngs) >= 10
    for png in pngs:
        with Image.open(png) as im:
            assert im.size[0] >= 1000 and im.getbbox() is not None
    assert len(Document(str(folder / "bao-cao.docx")).inline_shapes) >= len(pngs) - 2
    book = load_workbook(folder / "bang-so-lieu.xlsx", read_only=True)
    assert book.sheetnames == [
        "Yếu kém theo huyện", "Yếu kém theo vùng DTTS", "Danh sách củng cố", "Theo huyện",
        "Theo vùng DTTS", "Tử số, mẫu số theo huyện", "Theo tổ chức", "Ước lượng cán bộ",
        "Mô hình DVK", "Mô hình đề xuất nhân rộng",
    ]
    assert all(book[name].max_row > 3 for name in book.sheetnames)  # title, header, rows
    assert external_refs((folder / "bao-cao.html").read_text(encoding="utf-8")) == []
    assert all(Path(p).exists() for p in out.values())
    for page in pages:
        assert str(demo_root) not in page.read_text(encoding="utf-8")
    _check_figures_against_tables(demo_root)
    for stem in ("03-em-areas", "05-cadre-capacity"):  # the 1,100 px multi-panel charts
        _check_charts_fit(folder / f"so-tay-{stem}.html", tmp_path)
    _check_docx_pdf(folder / "bao-cao.docx", tmp_path)
    _check_xlsx_pdf(folder / "bang-so-lieu.xlsx", tmp_path)


#: Reports, once the page has drawn, how far any chart or its text reaches past its box.
CHART_FIT_PROBE = """<script>
window.addEventListener('load', () => setTimeout(() => {
  let worst = -1e9;
  const plots = document.querySelectorAll('.js-plotly-plot');
  plots.forEach(p => {
    const box = p.getBoundingClientRect();
    const area = p.closest('.jp-OutputArea-output').getBoundingClientRect();
    worst = Math.max(worst, box.right - area.right);
    p.querySelectorAll('.annotation-text, .gtitle').forEach(t => {
      worst = Math.max(worst, t.getBoundingClientRect().right - box.right);
    });
  });
  document.body.dataset.overflow = String(Math.round(worst));
  document.body.dataset.plots = String(plots.length);
}, 2000));
</script></body>"""


def _check_charts_fit(page: Path, tmp_path: Path) -> None:
    """A notebook page in a 900 px window (a 1366 px laptop beside JupyterLab's file
    browser): every chart, its title and its footer stay inside the output area."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    assert browser, "chromium is required (apt-get install chromium)"
    probe = tmp_path / f"{page.stem}-probe.html"
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", CHART_FIT_PROBE),
                     encoding="utf-8")
    dom = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--proxy-server=127.0.0.1:9",
         "--window-size=900,1400", "--virtual-time-budget=20000", "--dump-dom",
         probe.as_uri()], capture_output=True, text=True, timeout=180, check=True).stdout
    plots = re.search(r'data-plots="(\d+)"', dom)
    overflow = re.search(r'data-overflow="(-?\d+)"', dom)
    assert plots and int(plots.group(1)) >= 2, page.name  # each page draws its charts
    assert overflow and int(overflow.group(1)) <= 0, (page.name, overflow and overflow.group(1))


def _check_xlsx_pdf(xlsx: Path, tmp_path: Path) -> None:
    """The workbook prints on A4 landscape at a readable scale: about a hundred pages."""
    from pypdf import PdfReader

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        pytest.skip("LibreOffice (soffice) is not installed; scripts/setup.sh installs it")
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(xlsx)],
                   capture_output=True, timeout=300, check=True)
    pdf = PdfReader(str(tmp_path / "bang-so-lieu.pdf"))
    # demo round: 150 pages, wide sheets at 65 % across pages; 58 when every sheet was
    # squeezed to one page wide (41 % for the widest), 279 before any print set-up
    assert 100 <= len(pdf.pages) <= 200
    for page in pdf.pages:
        box = page.mediabox
        assert (round(float(box.width)), round(float(box.height))) == (842, 595)
        assert "DỮ LIỆU MÔ PHỎNG" in (page.extract_text() or "")


def _check_figures_against_tables(root: Path) -> None:
    """Figures said in words in the HTML and DOCX equal the CSV tables of the analysis."""
    import pandas as pd
    from docx import Document

    from danvan_survey.charts.style import fmt_num

    clean = root / "data" / "clean" / "demo-2014"
    communes = pd.read_csv(clean / "weak_communes.csv")
    dis = pd.read_csv(clean / "weakness_disagreements.csv")
    weak = pd.read_csv(clean / "weak_organisations.csv")
    well_weak = int((dis["disagreement"] == "rated_well_functionally_weak").sum())
    rated_weak = int((dis["disagreement"] == "rated_weak_no_functional_signs").sum())
    page = (root / "reports" / "demo-2014" / "bao-cao.html").read_text(encoding="utf-8")
    doc = Document(str(root / "reports" / "demo-2014" / "bao-cao.docx"))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = "\n".join(c.text for t in doc.tables[:1] + doc.tables[-2:] for row in t.rows
                      for c in row.cells)
    # header and signature from report: in round.yaml; what it leaves out stays "…"
    for given in ("TỈNH ỦY BÌNH THUẬN", "BAN DÂN VẬN", "Số …-BC/BDVTU",
                  "Bình Thuận, ngày … tháng … năm …"):
        assert given in cells
    assert "T/M BAN DÂN VẬN" in "\n".join(c.text for t in doc.tables for row in t.rows
                                           for c in row.cells)
    top_district = _top_district_by_share(root)
    for where in (page, text):
        assert f"{fmt_num(len(communes))} xã có từ 2 tổ chức yếu kém trở lên" in where
        assert f"{fmt_num(well_weak)} tổ chức tự xếp loại vững mạnh hoặc khá nhưng" in where
        assert f"{fmt_num(rated_weak)} tổ chức tự xếp loại yếu kém nhưng không có" in where
        assert f"tổng cộng {fmt_num(len(weak))}/" in where
        hd27 = int(communes["party_unit_defect_hd27"].sum())
        assert f"trong đó {fmt_num(hd27)} xã có từ 2 tổ chức tự xếp loại" in where
        assert f"cao nhất ở: {top_district}" in where
    # the district named first (highest share) is the highest by the CSV tables too


def _top_district_by_share(root: Path) -> str:
    """"Hàm Tân 14,6% (7/48)" from weak_organisations.csv and the organisation table."""
    import pandas as pd

    from danvan_survey.charts.style import fmt_num, fmt_pct, short_district

    clean = root / "data" / "clean" / "demo-2014"
    weak = pd.read_csv(clean / "weak_organisations.csv", dtype=str)
    orgs = pd.read_parquet(clean / "indicators_org.parquet")
    surveyed = orgs.groupby("district_name").size()
    n_weak = weak.groupby(weak.columns[1]).size().reindex(surveyed.index, fill_value=0)
    share = (n_weak / surveyed).sort_values(ascending=False, kind="mergesort")
    name = share.index[0]
    return (f"{short_district(name)} {fmt_pct(share.iloc[0])} ({fmt_num(int(n_weak[name]))}/"
            f"{fmt_num(int(surveyed[name]))})")


def _check_docx_pdf(docx: Path, tmp_path: Path) -> None:
    """LibreOffice renders the báo cáo as A4 with page numbers, in a reasonable length."""
    from pypdf import PdfReader

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        pytest.skip("LibreOffice (soffice) is not installed; scripts/setup.sh installs it")
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(docx)],
                   capture_output=True, timeout=300, check=True)
    pdf = PdfReader(str(tmp_path / "bao-cao.pdf"))
    # demo round: 41 pages = body 8, list of weak organisations 7, charts 10, models 16
    assert 15 <= len(pdf.pages) <= 45
    for number, page in enumerate(pdf.pages, start=1):
        box = page.mediabox
        size = sorted((round(float(box.width)), round(float(box.height))))
        assert size == [595, 842]  # A4, portrait or landscape (the list)
        if number > 1:
            first_line = (page.extract_text() or "").strip().splitlines()[0]
            assert first_line.strip() == str(number)  # page number at the top
    assert (pdf.pages[0].extract_text() or "").strip().splitlines()[0] != "1"
