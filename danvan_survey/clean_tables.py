"""A round's clean tables as Parquet files: read with a clear error, written reproducibly."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from danvan_survey.errors import InputError


def write_parquet(frame: pd.DataFrame, path: Path) -> Path:
    """Write parquet with fixed settings (no index, zstd)."""
    frame.to_parquet(path, index=False, engine="pyarrow", compression="zstd")
    return path


def read_clean_table(path: Path, what: str, columns: list[str] | None = None) -> pd.DataFrame:
    """A clean table (only ``columns`` of it that it has, when given); a clear error else.

    ``what`` names the table in the Vietnamese message.
    """
    if not path.is_file():
        raise InputError(
            f"Chưa có {what}: không tìm thấy {path}. Chạy bước làm sạch "
            "(danvan-survey clean --round <đợt>) trước khi phân tích.",
            file=str(path),
        )
    try:
        if columns is not None:  # a missing column is named later, by the step that needs it
            present = set(pq.read_schema(path).names)
            columns = [c for c in columns if c in present]
        return pd.read_parquet(path, columns=columns)
    except (pa.ArrowException, OSError) as exc:
        raise InputError(
            f"Không đọc được {what} {path}: tệp hỏng hoặc không phải Parquet ({exc}). "
            "Chạy lại bước làm sạch (danvan-survey clean --round <đợt>) để tạo lại tệp này.",
            file=str(path),
        ) from exc
