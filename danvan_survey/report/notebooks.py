"""Run the analysis notebooks headless and export them as offline HTML.

A notebook finds the project by itself (:func:`danvan_survey.project.find_project_root`), so
it is executed exactly as JupyterLab runs it: kernel started in the project's
``notebooks/`` folder, only ``round_id`` passed as a parameter. Nothing machine-specific
(no absolute path) is written into the executed notebook.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from danvan_survey.config import PACKAGE_DIR
from danvan_survey.errors import InputError
from danvan_survey.project import find_project_root

Progress = Callable[[str], None]
NOTEBOOKS = (
    "01-clean-validate", "02-district-overview", "03-em-areas",
    "04-weak-organisations", "05-cadre-capacity", "06-dvk-bulletins",
)
NOTEBOOK_TITLES = {
    "01-clean-validate": "Làm sạch và kiểm tra dữ liệu",
    "02-district-overview": "Tổng quan theo huyện",
    "03-em-areas": "Vùng đồng bào dân tộc thiểu số",
    "04-weak-organisations": "Tổ chức yếu kém và đề xuất củng cố",
    "05-cadre-capacity": "Năng lực cán bộ",
    "06-dvk-bulletins": "Dân vận khéo và bản tin",
}
#: Notebooks executed at the same time (each in its own kernel).
NOTEBOOK_WORKERS = 2
#: Kernel options: quiet log (no "running over TCP" warning, no KeyboardInterrupt at exit).
KERNEL_ARGS = ["--IPKernelApp.log_level=CRITICAL"]


def notebook_dir(root: Path | None = None) -> Path:
    """Folder of the notebook sources: ``<project>/notebooks`` or the source checkout's."""
    for candidate in ((root or find_project_root()) / "notebooks",
                      PACKAGE_DIR.parent / "notebooks"):
        if (candidate / f"{NOTEBOOKS[0]}.py").is_file():
            return candidate
    raise InputError("Không tìm thấy thư mục notebooks/ (các tệp 01-…py). Chạy lệnh từ thư "
                     "mục dự án hoặc đặt DANVAN_HOME.")


def kernel_dir(root: Path, work: Path) -> Path:
    """Working folder of the kernel: the project's notebooks/, else a folder inside it.

    Either way :func:`find_project_root` walks up from it to ``root``.
    """
    own = root / "notebooks"
    if (own / f"{NOTEBOOKS[0]}.py").is_file() and find_project_root(own) == root:
        return own
    return work


def run_notebook(name: str, round_id: str, root: Path | None, out_dir: Path) -> Path:
    """Execute one notebook headless (papermill, kernel python3) and export it as HTML.

    ``out_dir`` must lie inside the project (``reports/<round>``) when the project has no
    ``notebooks/`` folder of its own: the kernel then runs there and walks up to ``root``.
    """
    import jupytext
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    root = (root or find_project_root()).resolve()
    src = notebook_dir(root) / f"{name}.py"
    nb = jupytext.read(src)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    work = out_dir / ".work"
    work.mkdir(parents=True, exist_ok=True)
    source_nb, executed = work / f"{name}.ipynb", work / f"{name}.out.ipynb"
    jupytext.write(nb, source_nb)
    try:
        pm.execute_notebook(source_nb, executed, parameters={"round_id": round_id},
                            kernel_name="python3", progress_bar=False, log_output=False,
                            cwd=str(kernel_dir(root, work)), extra_arguments=KERNEL_ARGS)
    except PapermillExecutionError as exc:
        raise InputError(
            f"Sổ tay {name} lỗi ở ô số {exc.cell_index} (lần chạy {exc.exec_count}): "
            f"{exc.ename}: {exc.evalue}. Mở notebooks/{name}.py để xem ô này.",
            file=str(src),
        ) from exc
    return notebook_html(executed, out_dir / f"so-tay-{name}.html")


def notebook_html(executed: Path, target: Path) -> Path:
    """Convert an executed notebook to HTML without CDN scripts (MathJax/require.js)."""
    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab")
    body, _ = exporter.from_notebook_node(nbformat.read(executed, as_version=4))
    body = re.sub(r'<script[^>]+src="https?://[^"]*"[^>]*>\s*</script>', "", body)
    body = re.sub(r'<link[^>]+href="https?://[^"]*"[^>]*>', "", body)
    target.write_text(body, encoding="utf-8")
    return target


def run_notebooks(round_id: str, root: Path | None, out_dir: Path,
                  say: Progress) -> dict[str, Path]:
    """Execute the notebooks, two kernels at a time, in notebook order of results."""

    def one(k: int, name: str) -> Path:
        say(f"Chạy sổ tay {k}/{len(NOTEBOOKS)}: {name}")
        return run_notebook(name, round_id, root, out_dir)

    with ThreadPoolExecutor(max_workers=NOTEBOOK_WORKERS) as pool:
        paths = list(pool.map(one, range(1, len(NOTEBOOKS) + 1), NOTEBOOKS))
    shutil.rmtree(out_dir / ".work", ignore_errors=True)
    return {path.name: path for path in paths}
