"""Unexpected errors: the full traceback goes to a log file, the user gets a sentence.

The log lives in ``<project>/logs/`` (never under ``data/raw``), or in the system's
temporary folder when that cannot be written.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import sys
import tempfile
import traceback
from pathlib import Path

from danvan_survey import __version__

#: The step the command was in (the last progress message), for the error message.
STEP = ["khởi động"]


def log_dir(root: Path | None) -> Path:
    """``<project>/logs`` (created), else a temporary folder."""
    from danvan_survey.config import project_dir

    folder = (root or project_dir()) / "logs"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if os.access(folder, os.W_OK):
            return folder
    except OSError:
        pass
    return Path(tempfile.gettempdir())


def write(exc: BaseException, command: str, round_id: str, root: Path | None) -> Path:
    """Write the traceback and context of ``exc``; return the log file path."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    safe_cmd = "".join(c for c in command if c.isalnum()) or "cmd"
    name = f"danvan-survey-{safe_cmd}-{stamp}-{os.getpid()}.log"
    text = "\n".join([
        f"danvan_survey {__version__}, Python {platform.python_version()}, {platform.platform()}",
        f"command: {command}  round: {round_id!r}  root: {root}",
        f"argv: {sys.argv!r}",
        f"step: {STEP[0]}",
        "",
        "".join(traceback.format_exception(exc)),
    ])
    for folder in (log_dir(root), Path(tempfile.gettempdir())):
        path = folder / name
        try:
            path.write_text(text, encoding="utf-8")
            return path
        except OSError:
            continue
    return Path(name)


def message(exc: BaseException, command: str, round_id: str, log: Path) -> str:
    """The Vietnamese sentence shown instead of a traceback."""
    notes = "; ".join(getattr(exc, "__notes__", []) or [])
    where = f" ({notes})" if notes else ""
    detail = str(exc)[:300]
    return (
        f"lệnh '{command}' của đợt '{round_id}' dừng ở bước «{STEP[0]}»{where}: "
        f"{type(exc).__name__}: {detail}. Chi tiết kỹ thuật "
        f"đầy đủ đã ghi vào tệp {log}; gửi tệp này cho người phụ trách kỹ thuật."
    )
