"""Notebooks: thin, parameterised, stripped in git, and executable headless (papermill)."""

from __future__ import annotations

import json
import re
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
    page = report.run_notebook(name, "test-2014", project, tmp_path).read_text(encoding="utf-8")
    assert "Dữ liệu mô phỏng" in page and "Traceback" not in page
    assert external_refs(page) == [] or all("plotly" in r for r in external_refs(page))
    assert sorted(p.name for p in clean_dir("test-2014", project).iterdir()) == before


@pytest.mark.slow
def test_failing_notebook_names_cell_and_error(project: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"02-district-overview lỗi ở ô số \d+.*InputError"):
        report.run_notebook("02-district-overview", "no-such-round", project, tmp_path)


@pytest.mark.slow
def test_full_report_on_the_demo_round(demo_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`run` then `report` on the committed demo round, as a user types it (no --root)."""
    from docx import Document
    from openpyxl import load_workbook
    from PIL import Image

    monkeypatch.chdir(demo_root)
    out = report.build_report("demo-2014")
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
    assert load_workbook(folder / "bang-so-lieu.xlsx").sheetnames
    assert external_refs((folder / "bao-cao.html").read_text(encoding="utf-8")) == []
    assert all(Path(p).exists() for p in out.values())
