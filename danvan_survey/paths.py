"""Path safety: plain round ids, sources inside their round folder, nothing under raw.

No run ever writes or deletes under ``data/raw``.
"""

from __future__ import annotations

import re
from pathlib import Path

from danvan_survey.errors import InputError

ROUND_ID = re.compile(r"^[A-Za-z0-9_-]+$")


def check_round_id(round_id: str, where: str = "--round") -> str:
    """Return ``round_id`` if it is a plain name (letters, digits, ``-``, ``_``)."""
    if not isinstance(round_id, str) or not ROUND_ID.fullmatch(round_id):
        raise InputError(
            f"Mã đợt khảo sát '{round_id}' ({where}) không hợp lệ: chỉ dùng chữ cái không dấu, "
            "chữ số, dấu '-' và '_' (ví dụ 2014-r1), không có '/', '..' hay khoảng trắng.",
        )
    return round_id


def inside(path: Path, folder: Path) -> bool:
    """True when ``path`` (symlinks resolved) lies inside ``folder`` (resolved)."""
    try:
        path.resolve().relative_to(folder.resolve())
    except (ValueError, OSError, RuntimeError):
        return False
    return True


def source_path(folder: Path, relative: str) -> Path:
    """Absolute path of a file named in round.yaml; refuse one outside the round folder.

    ``../`` parts, absolute paths and symlinks that lead outside are all refused: only
    files the office put into the round folder are read.
    """
    path = folder / relative
    if not inside(path, folder):
        raise InputError(
            f"Tệp '{relative}' khai báo trong round.yaml nằm ngoài thư mục đợt {folder} "
            "(đường dẫn có '..', đường dẫn tuyệt đối hoặc liên kết tắt trỏ ra ngoài). Chỉ đọc "
            "tệp nằm trong thư mục đợt: chép tệp vào đó và ghi tên tệp không có '..'.",
            file=relative,
        )
    return path


def round_files(folder: Path) -> list[Path]:
    """Regular files of a round folder that really lie inside it (for the manifest)."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and inside(p, folder))


def check_output_dir(out_dir: Path, raw_root: Path) -> None:
    """Refuse to write (or delete) anything inside ``data/raw``."""
    if inside(out_dir, raw_root) or inside(raw_root, out_dir):
        raise InputError(
            f"Thư mục kết quả {out_dir} nằm trong (hoặc chứa) thư mục dữ liệu thô {raw_root}; "
            "chương trình không bao giờ ghi hay xóa trong data/raw. Kiểm tra mã đợt (--round).",
        )
