"""Structural check of a CSV export: a file that does not parse cleanly is refused.

Fast readers accept damaged files silently: a short row is padded, a long row shifts every
field one column to the right, and a stray quote swallows the rows after it into one field
(a record loses its submission time, an older duplicate wins). The project's choice: such a
file is **refused as a whole**, naming the file and the line numbers of the damaged
records, so that the office re-exports it; nothing is shifted or guessed.

The fast path costs nothing extra: a field holding a line break is rare, and the slow
line-by-line diagnosis only runs when the fast reader failed or such a field looks like
swallowed records.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import pandas as pd

from danvan_survey.errors import InputError

_SHOWN = 5


@dataclass(frozen=True)
class Damage:
    """One damaged record: the physical line where it starts and what is wrong."""

    line: int
    what: str


def swallowed(value: str, sep: str, n_fields: int) -> bool:
    """True when a multi-line field holds a line that looks like a whole record."""
    if "\n" not in value and "\r" not in value:
        return False
    need = max(n_fields - 1, 2)
    return any(line.count(sep) >= need for line in value.splitlines()[1:])


def one_line_per_record(path: Path, n_records: int) -> bool:
    """True when the file has exactly one physical line per record (+ the header).

    Then no field spans lines and no quote can have swallowed anything: a cheap count of
    line breaks spares the per-field check on every ordinary export.
    """
    lines, last = 0, b""
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 22):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return lines + (last not in {b"\n", b""}) == n_records + 1


def looks_swallowed(frame: pd.DataFrame, sep: str) -> bool:
    """Any field of a parsed frame that holds swallowed records (vectorised pre-test)."""
    n = len(frame.columns)
    for col in frame.columns:
        text = frame[col].astype("str")
        breaks = text.str.contains("\n", regex=False) | text.str.contains("\r", regex=False)
        breaks = breaks.to_numpy(dtype=bool, na_value=False)
        if breaks.any() and any(swallowed(v, sep, n) for v in text[breaks]):
            return True
    return False


def diagnose(text: str | TextIO, sep: str) -> list[Damage]:
    """Damaged records of a CSV (text or open file): wrong field count, swallowed lines.

    Line numbers are physical lines of the file (the header is line 1). An open file is
    read record by record (bounded memory).
    """
    stream = io.StringIO(text, newline="") if isinstance(text, str) else text
    reader = csv.reader(stream, delimiter=sep, strict=True)
    out: list[Damage] = []
    n_fields = 0
    start = 1
    try:
        for row in reader:
            if not n_fields:
                n_fields = len(row)
            elif any(swallowed(v, sep, n_fields) for v in row):
                out.append(Damage(start, "một dấu ngoặc kép (\") không đóng đã nuốt các dòng "
                                         "sau nó vào một ô"))
            elif row and len(row) != n_fields:
                out.append(Damage(start, f"có {len(row)} trường, dòng tiêu đề có {n_fields}"))
            start = reader.line_num + 1
    except csv.Error as exc:
        out.append(Damage(start, f"không đọc được ({exc}); thường do dấu ngoặc kép không đóng"))
    return out


def refuse(shown: str, damage: list[Damage]) -> InputError:
    """The refusal naming the file and the first damaged lines."""
    lines = "; ".join(f"dòng {d.line}: {d.what}" for d in damage[:_SHOWN])
    more = f" (và {len(damage) - _SHOWN} dòng khác)" if len(damage) > _SHOWN else ""
    return InputError(
        f"Tệp CSV {shown} hỏng cấu trúc, không đọc để tránh lệch cột: {lines}{more}. Mở tệp, "
        "sửa các dòng này (dấu ngoặc kép, số dấu phân cách) hoặc xuất lại từ KoboToolbox, "
        "rồi chạy lại.",
        file=shown,
        row=damage[0].line if damage else None,
    )


def first_non_utf8_line(path: Path) -> int | None:
    """Line number (from 1) of the first byte that is not UTF-8; None when all of it is."""
    data = path.read_bytes()
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return data[: exc.start].count(b"\n") + 1
    return None


def check_text(path: Path, shown: str, sep: str) -> None:
    """Raise the refusal when the file at ``path`` has damaged records."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            damage = diagnose(fh, sep)
    except UnicodeDecodeError as exc:
        line = first_non_utf8_line(path)
        raise InputError(
            f"Tệp CSV {shown} không phải văn bản UTF-8 (dòng {line}); xuất "
            "lại dạng CSV UTF-8.",
            file=shown,
            row=line,
        ) from exc
    if damage:
        raise refuse(shown, damage)
