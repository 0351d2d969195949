"""Ingest of repeat-group exports (rosters such as the DVK model roster, table ``a_models``).

KoboToolbox exports each repeat group apart from its parent submissions: in an XLSX export
as a sheet named after the repeat (``grp_models``), in a CSV export as a separate file.
Each repeat row links to its parent by ``_submission__uuid`` (the parent's ``_uuid``) or
``_parent_index`` (the parent's ``_index``). This module reads such a source, finds each
row's parent in the parent export and gives the row the parent's key (round, district,
commune, organisation) as raw text, plus its position among its siblings (``model_no``).
A row whose parent cannot be found keeps empty keys and ``_parent_row`` empty; validation
quarantines it with a reason. Called by :func:`danvan_survey.ingest.read_round`.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd

from danvan_survey.codebook import KEYS, REPEATS, Codebook, FormId
from danvan_survey.config import RoundConfig, Source
from danvan_survey.errors import InputError

#: Headers of the link to the parent submission, by preference.
UUID_LINKS = ("_submission__uuid", "_submission_uuid")
INDEX_LINK = "_parent_index"
#: Raw text taken from the parent record.
PARENT_COLUMNS = ("round_id", "district_code", "commune_code", "org_type")
POSITION = "model_no"


def _header(frame: pd.DataFrame, name: str) -> str | None:
    """The column of ``frame`` whose header is ``name`` (case-insensitive), if any."""
    for col in frame.columns:
        if str(col).strip().lower() == name:
            return str(col)
    return None


def _link_column(frame: pd.DataFrame, names: tuple[str, ...]) -> pd.Series | None:
    for name in names:
        col = _header(frame, name)
        if col is not None and frame[col].astype(str).str.strip().ne("").any():
            return frame[col].astype(str).str.strip().reset_index(drop=True)
    return None


def read_export_frame(path: Path, source: Source, codebook: Codebook) -> tuple[pd.DataFrame, int]:
    """A Kobo export sheet or CSV as raw text, and the spreadsheet row of its first record."""
    from danvan_survey.ingest import _sheet_frame, read_csv_text

    if source.kind == "kobo_xlsx":
        sheet = _sheet_frame(path, source, codebook)
        return sheet.body, sheet.first_row
    return read_csv_text(path), 2


def parent_source(source: Source) -> Source:
    """The parent-form export of a repeat source (same file and first sheet by default)."""
    parent_form, _ = REPEATS[source.form]
    path = source.parent or source.path
    kind = "kobo_xlsx" if path.lower().endswith((".xlsx", ".xlsm")) else "kobo_csv"
    return replace(source, path=path, kind=kind, form=parent_form, sheet=None, parent=None)


def read_parents(
    source: Source, cfg: RoundConfig, codebook: Codebook
) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """Parent records (key text, provenance) with their ``_uuid`` and ``_index`` texts."""
    from danvan_survey.ingest import to_raw_table

    parent = parent_source(source)
    path = cfg.path(parent.path)
    if not path.exists():
        raise InputError(
            f"Không tìm thấy tệp phiếu cha '{parent.path}' của nguồn {source.path} "
            "(mục 'parent' trong round.yaml); kiểm tra tên tệp.",
            file=source.path,
        )
    frame, first = read_export_frame(path, parent, codebook)
    table, _ = to_raw_table(
        frame, form=parent.form, codebook=codebook, column_map=cfg.column_map,
        source_file=parent.path, sheet=parent.sheet or "", first_row=first,
    )
    empty = pd.Series("", index=table.index, dtype="str")
    uuid_col, index_col = _header(frame, "_uuid"), _header(frame, "_index")
    uuids = frame[uuid_col].astype(str).str.strip().reset_index(drop=True) if uuid_col else empty
    index = frame[index_col].astype(str).str.strip().reset_index(drop=True) if index_col else empty
    return table, uuids, index


def match_parents(
    rows: pd.DataFrame, uuids: pd.Series, index: pd.Series
) -> tuple[pd.Series, pd.Series, str]:
    """Position of each repeat row's parent (-1 when not found), its link text, the link."""
    by_uuid = _link_column(rows, UUID_LINKS)
    if by_uuid is not None and uuids.ne("").any():
        lookup = pd.Series(range(len(uuids)), index=uuids).groupby(level=0).last()
        return by_uuid.map(lookup).fillna(-1).astype(int), by_uuid, "_submission__uuid"
    by_index = _link_column(rows, (INDEX_LINK,))
    if by_index is not None and index.ne("").any():
        lookup = pd.Series(range(len(index)), index=index).groupby(level=0).last()
        return by_index.map(lookup).fillna(-1).astype(int), by_index, INDEX_LINK
    raise InputError(
        "Bảng lặp (danh sách mô hình) không có cột liên kết với phiếu cha "
        "(_submission__uuid hoặc _parent_index); xuất lại từ KoboToolbox kèm các cột hệ thống.",
    )


def attach_parents(
    table: pd.DataFrame,
    parents: pd.DataFrame,
    uuids: pd.Series,
    pos: pd.Series,
    link: pd.Series,
    form: FormId,
) -> pd.DataFrame:
    """Give each repeat row its parent's key, submission time, version and position.

    The position (``model_no``) counts siblings 1, 2, ... in file order. ``_parent_uuid``
    is the parent's ``_uuid``, or the row's own link text when its parent was not found
    (so the quarantine reason can name it).
    """
    out = table.copy()
    found = (pos >= 0).to_numpy()
    take = pos.clip(lower=0).to_numpy()
    for col in (*PARENT_COLUMNS, "_submission_time", "_form_version"):
        values = parents[col].to_numpy()[take] if col in parents else [""] * len(out)
        out[col] = pd.Series(values, index=out.index).where(found, "").astype("str")
    parent_uuid = pd.Series(uuids.to_numpy()[take], index=out.index).where(
        found, pd.Series(link.to_numpy(), index=out.index))
    parent_row = parents["_source_row"].astype(str).to_numpy()[take]
    out["_parent_file"] = parents["_source_file"].iloc[0] if len(parents) else ""
    out["_parent_row"] = pd.Series(parent_row, index=out.index).where(found, "").astype("str")
    out["_parent_uuid"] = parent_uuid.astype("str")
    group = pd.Series(pos.to_numpy(), index=out.index)
    out[POSITION] = (group.groupby(group).cumcount() + 1).astype(str).where(found, "")
    own = out["_source_row"].astype(str)
    out["_uuid"] = out["_parent_uuid"] + "#" + own
    missing = [k for k in KEYS[form] if k not in out.columns]
    if missing:  # never: the keys come from the parent
        raise AssertionError(missing)
    return out


def read_repeat(
    path: Path, source: Source, cfg: RoundConfig, codebook: Codebook
) -> tuple[pd.DataFrame, list[dict[str, object]], str]:
    """Read one repeat export; return its raw record table, reader issues and the link used."""
    from danvan_survey.ingest import to_raw_table

    if source.kind not in {"kobo_csv", "kobo_xlsx"}:
        raise InputError(
            f"Nguồn {source.path} (form: {source.form}) phải là kobo_csv hoặc kobo_xlsx.",
            file=source.path,
        )
    if source.kind == "kobo_csv" and not source.parent:
        raise InputError(
            f"Nguồn {source.path} (form: {source.form}) là bảng lặp xuất riêng dạng CSV: cần "
            "khai báo mục 'parent' trong round.yaml (tệp xuất phiếu A cùng lần xuất).",
            file=source.path,
        )
    _, repeat = REPEATS[source.form]
    own = source if source.kind == "kobo_csv" or source.sheet else replace(source, sheet=repeat)
    frame, first = read_export_frame(path, own, codebook)
    table, issues = to_raw_table(
        frame, form=source.form, codebook=codebook,
        column_map={**cfg.column_map, **source.column_map}, source_file=source.path,
        sheet=own.sheet or "", first_row=first,
    )
    parents, uuids, index = read_parents(source, cfg, codebook)
    pos, link, how = match_parents(frame.reset_index(drop=True), uuids, index)
    return attach_parents(table, parents, uuids, pos, link, source.form), issues, how
