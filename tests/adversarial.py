"""Builders of hostile and ordinary-but-awkward input files (small, generated, real formats).

Every builder writes a real file with openpyxl or plain bytes into a round made by
``conftest.write_mini_round``; nothing is mocked.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
from conftest import A_HEADER, A_ROWS, write_mini_round
from openpyxl import Workbook

#: Columns of a hand-made district sheet (variable names are recognised headers).
DISTRICT_HEADER = [
    "STT",
    "Xã/phường/thị trấn",
    "Tổ chức",
    "interview_date",
    "n_residential_areas",
    "n_branches",
    "eligible_pop",
    "eligible_unit",
    "members_total",
    "branches_met_on_schedule",
    "branches_silent_6m",
    "rating_last_year",
]
ORGS = ["mttq", "hnd", "hlhpn", "doan", "hccb"]


def district_row(n: int, commune: str, org: str, date: str = "2014-07-01") -> list[object]:
    """One plausible organisation row of a district sheet."""
    return [n, commune, org, date, 10, 10, 1000, "household", 600 + n, 8, 1, 2]


def digest(folder: Path) -> dict[str, str]:
    """sha256 of every file under ``folder`` (symlinks not followed)."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def add_source(folder: Path, line: str) -> None:
    """Append one source entry (YAML flow mapping or block) to the round's sources."""
    cfg = folder / "round.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8") + f"  - {line}\n", encoding="utf-8")


def only_sources(folder: Path, lines: list[str]) -> None:
    """Replace the round's sources (keeps b.csv so the design is still needed)."""
    cfg = folder / "round.yaml"
    head = cfg.read_text(encoding="utf-8").split("sources:")[0]
    body = "".join(f"  - {line}\n" for line in lines)
    cfg.write_text(head + "sources:\n" + body, encoding="utf-8")


def mini(root: Path) -> Path:
    """The hand-made round 'mini' (a.csv: 6 form-A rows, b.csv: 3 form-B rows)."""
    return write_mini_round(root)


def kobo_sheet(ws, rows: list[list[object]] | None = None) -> None:
    """Write the mini round's form-A Kobo export into a worksheet."""
    ws.append(A_HEADER)
    for row in rows if rows is not None else A_ROWS:
        ws.append(row)


def district_book(path: Path, rows: list[list[object]], title: str = "Tong hop",
                  header: list[str] | None = None) -> Workbook:
    """A district summary sheet: a title line, the header, the rows, a totals row."""
    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append(["BÁO CÁO TỔNG HỢP KHẢO SÁT — HUYỆN TUY PHONG"])
    ws.append(header or DISTRICT_HEADER)
    for row in rows:
        ws.append(row)
    ws.append(["", "Tổng cộng", "", "", 99, 99])
    wb.save(path)
    return wb


def bomb_xlsx(path: Path, mb: int = 120) -> None:
    """A small .xlsx whose one sheet inflates to ``mb`` MB of repeated XML."""
    row = b"<row><c t=\"inlineStr\"><is><t>AAAAAAAA</t></is></c></row>"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", ROOT_RELS)
        zf.writestr("xl/workbook.xml", WORKBOOK_XML)
        zf.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            f.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
                    b'main"><sheetData>')
            chunk = row * 20000
            for _ in range(mb * 1_000_000 // len(chunk) + 1):
                f.write(chunk)
            f.write(b"</sheetData></worksheet>")


_PKG = "http://schemas.openxmlformats.org/package/2006/"
_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_OXML = "application/vnd.openxmlformats-officedocument.spreadsheetml."
CONTENT_TYPES = (
    f'<Types xmlns="{_PKG}content-types">'
    '<Default Extension="rels" ContentType="application/'
    'vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_OXML}sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_OXML}worksheet+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    f'<Relationships xmlns="{_PKG}relationships"><Relationship Id="rId1" '
    f'Type="{_DOC}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK_XML = (
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    f'xmlns:r="{_DOC}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets>'
    "</workbook>"
)
WORKBOOK_RELS = (
    f'<Relationships xmlns="{_PKG}relationships"><Relationship Id="rId1" '
    f'Type="{_DOC}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)

_CHILD = """
import resource, sys
from danvan_survey.cli import app
try:
    code = app(sys.argv[1:], standalone_mode=False) or 0
except SystemExit as exc:
    code = exc.code
except BaseException as exc:  # click raises Exit subclasses; report anything else
    code = getattr(exc, "exit_code", 99)
print(f"@@exit={code} maxrss_kb={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}")
"""


def run_cli_measured(args: list[str], cap_gb: float = 4.0) -> tuple[int, float, str]:
    """Run the CLI in a child process; return (exit code, peak RSS in MB, output).

    The child's address space is capped at ``cap_gb`` so that a regression fails
    quickly instead of taking the shared machine's memory.
    """
    cap = int(cap_gb * 1024**3)

    def limit() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    env = {**os.environ, "DANVAN_SALT": "test-salt"}
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, *args],
        capture_output=True, text=True, env=env, preexec_fn=limit, timeout=300, check=False,
    )
    out = proc.stdout + proc.stderr
    line = next((x for x in out.splitlines() if x.startswith("@@exit=")), "")
    if not line:
        return proc.returncode, float("nan"), out
    fields = dict(part.split("=") for part in line[2:].split())
    code = fields["exit"]
    return (int(code) if code.lstrip("-").isdigit() else 1), int(fields["maxrss_kb"]) / 1024, out


def a_csv_text(rows: list[list[str]]) -> str:
    """The mini round's form-A CSV text (';'-separated) with the given data rows."""
    return pd.DataFrame(rows, columns=A_HEADER).to_csv(sep=";", index=False)
