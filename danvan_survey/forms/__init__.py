"""Collection instruments derived from the codebook, and the reader of returned workbooks.

``build_forms(round_cfg, out_dir)`` writes, for one round:

- ``xlsform/``: the XLSForms of forms A and B (KoboToolbox / ODK Collect);
- ``workbooks/``: one commune workbook (.xlsx) per commune of the round's frame;
- ``dictionary/``: the data dictionary (HTML and XLSX);
- ``paper/``: the printable paper questionnaires (HTML and PDF).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from danvan_survey.config import RoundConfig
from danvan_survey.forms.dictionary import write_dictionary
from danvan_survey.forms.kobo import make_kobo_export
from danvan_survey.forms.paper import write_paper
from danvan_survey.forms.read_workbooks import read_workbooks
from danvan_survey.forms.workbook import build_workbooks
from danvan_survey.forms.xlsform import build_xlsforms

__all__ = ["build_forms", "make_kobo_export", "read_workbooks"]


def build_forms(round_cfg: RoundConfig, out_dir: Path, *, pdf: bool = True,
                commune_codes: list[str] | None = None,
                progress: Callable[[str], None] | None = None) -> list[Path]:
    """Write every collection instrument of a round under ``out_dir``; return the paths."""
    say = progress or (lambda _msg: None)
    out_dir = Path(out_dir)
    say("Ghi XLSForm (Kobo/ODK) cho phiếu A và phiếu B")
    paths = build_xlsforms(round_cfg, out_dir / "xlsform")
    paths += build_workbooks(round_cfg, out_dir / "workbooks", commune_codes, progress)
    say("Ghi từ điển dữ liệu")
    paths += write_dictionary(round_cfg, out_dir / "dictionary")
    say("Ghi phiếu giấy" + (" (PDF)" if pdf else ""))
    paths += write_paper(round_cfg, out_dir / "paper", pdf=pdf)
    return paths
