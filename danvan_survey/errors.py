"""Errors shown to users as clear Vietnamese messages (never as tracebacks)."""

from __future__ import annotations


class InputError(Exception):
    """Bad input: names the file (and row/column when known) and what to do."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.row = row
        self.column = column

    def __str__(self) -> str:
        where = [f"tệp {self.file}" if self.file else "", f"dòng {self.row}" if self.row else ""]
        where.append(f"cột {self.column}" if self.column else "")
        loc = ", ".join(w for w in where if w)
        shown = loc and (self.file or "") not in self.message
        return self.message + (f" [{loc}]" if shown else "")
