"""Validate: duplicates, analyst corrections, pandera checks, quarantine and flags.

Input is the typed frame of one form from :mod:`danvan_survey.clean`; output splits it
into clean records, quarantined records (with Vietnamese reasons) and logged duplicates,
so that for every source file: records read = clean + quarantined + duplicates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from danvan_survey import safe_csv
from danvan_survey.cell_text import canonical, canonical_column
from danvan_survey.clean import FormCleaning, converter, record_keys
from danvan_survey.codebook import KEYS, Codebook, FormId
from danvan_survey.errors import InputError
from danvan_survey.schemas import RoundContext, build_schema, check_messages, failures

CORRECTION_COLUMNS = ["key", "variable", "old_value", "new_value", "action"]
CORRECTION_ACTIONS = {"change", "blank", "remove", "accept"}


@dataclass
class Outcome:
    """Result of validating one form."""

    clean: pd.DataFrame
    quarantine: pd.DataFrame
    duplicates: pd.DataFrame
    issues: list[dict[str, object]] = field(default_factory=list)
    log: list[pd.DataFrame] = field(default_factory=list)
    corrections_handled: set[int] = field(default_factory=set)  # corrections.csv lines


def resolve_duplicates(
    frame: pd.DataFrame, form: FormId
) -> tuple[pd.Series, pd.DataFrame, list[dict[str, object]]]:
    """Keep the latest submission of each key; return (keep mask, log rows, conflicts).

    Among returns with the same submission time (or none), the one read last is kept:
    the later source in ``round.yaml``, then the lower row. Those whose values differ
    from the kept one are reported as ``duplicate_conflict`` warnings.
    """
    keyed = frame[list(KEYS[form])].notna().all(axis=1)
    cols = ["record_key", "_submission_time", "_source_file", "_source_row", "_uuid"]
    order = frame.loc[keyed, cols].assign(
        _t=frame.loc[keyed, "_submission_time"].fillna(""), _o=np.flatnonzero(keyed.to_numpy())
    )
    # Only keys that occur more than once need ranking: sorting those alone is much
    # cheaper than sorting a million keys, and gives the same rows in the same order.
    repeated = order[order["record_key"].duplicated(keep=False)]
    ranked = repeated.sort_values(["record_key", "_t", "_o"])
    latest = ~ranked.duplicated("record_key", keep="last")
    dropped = ranked[~latest]
    keep = pd.Series(True, index=frame.index)
    keep[dropped.index] = False
    kept = ranked[latest].set_index("record_key")
    kept_text = "giữ bản nộp " + kept["_source_file"] + " dòng " + kept["_source_row"].astype(str)
    log = pd.DataFrame(
        {
            "_idx": dropped.index,
            "source_file": dropped["_source_file"].to_numpy(),
            "source_sheet": frame.loc[dropped.index, "_source_sheet"].to_numpy(),
            "source_row": dropped["_source_row"].to_numpy(),
            "variable": "_record",
            "old_value": (dropped["_uuid"].fillna("") + " " + dropped["_t"]).str.strip().to_numpy(),
            "new_value": dropped["record_key"].map(kept_text).to_numpy(),
            "rule": "duplicate_key",
            "action": "removed_older_duplicate",
        }
    )
    return keep, log, same_time_conflicts(frame, dropped, ranked[latest])


def _differences(frame: pd.DataFrame, kept: object, other: object) -> list[str]:
    """Variables whose values differ between two records (missing = missing)."""
    columns = [c for c in frame.columns if not c.startswith("_") and c != "record_key"]
    return [
        c for c in columns if canonical(frame.at[kept, c]) != canonical(frame.at[other, c])
    ]


def same_time_conflicts(
    frame: pd.DataFrame, dropped: pd.DataFrame, kept: pd.DataFrame
) -> list[dict[str, object]]:
    """A warning per key whose dropped returns share the kept one's time but not its values."""
    kept_of = dict(zip(kept["record_key"], kept.index, strict=True))
    ties = dropped[dropped["_t"].to_numpy() == kept.loc[dropped["record_key"].map(kept_of), "_t"]
                   .to_numpy()]
    issues: list[dict[str, object]] = []
    for key, group in ties.groupby("record_key", sort=True):
        idx = kept_of[key]
        parts = []
        variables: list[str] = []
        for other in group.index:
            diff = _differences(frame, idx, other)
            if not diff:
                continue
            variables += [v for v in diff if v not in variables]
            shown = "; ".join(
                f"{v}: '{canonical(frame.at[other, v])}'" for v in diff[:8]
            ) + ("; …" if len(diff) > 8 else "")
            parts.append(
                f"{frame.at[other, '_source_file']} dòng {frame.at[other, '_source_row']} ({shown})"
            )
        if not parts:
            continue
        when = canonical(frame.at[idx, "_submission_time"]) or "không ghi thời điểm nộp"
        kept_values = "; ".join(f"{v}: '{canonical(frame.at[idx, v])}'" for v in variables[:8])
        issues.append(
            {
                "_idx": idx,
                "record_key": key,
                "level": "warning",
                "rule": "duplicate_conflict",
                "file": frame.at[idx, "_source_file"],
                "sheet": frame.at[idx, "_source_sheet"],
                "row": frame.at[idx, "_source_row"],
                "variable": " ".join(variables),
                "value": kept_values,
                "message": f"{len(group) + 1} bản nộp cùng khóa {key} cùng thời điểm ({when}) "
                f"nhưng khác nhau. Đã giữ bản đọc sau cùng: {frame.at[idx, '_source_file']} "
                f"dòng {frame.at[idx, '_source_row']} ({kept_values}); bản bị loại: "
                + " | ".join(parts)
                + ". Hỏi lại xã bản nào đúng; nếu cần, ghi vào tệp hiệu chỉnh.",
            }
        )
    return issues


def read_corrections(path: Path) -> pd.DataFrame:
    """Read an analyst corrections file (UTF-8 CSV, every cell as text).

    A file that is not UTF-8 (Excel's plain "CSV" on Windows), empty, damaged or without a
    needed column is refused with a message naming the file (and line) and what to do.
    """
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _not_utf8(path) from exc
    except pd.errors.EmptyDataError as exc:
        raise InputError(
            f"Tệp hiệu chỉnh {path.name} rỗng; dòng đầu phải là tiêu đề: "
            f"{','.join(CORRECTION_COLUMNS)}.",
            file=path.name,
        ) from exc
    except pd.errors.ParserError as exc:
        safe_csv.check_text(path, path.name, ",")  # names the damaged lines when it can
        raise InputError(
            f"Không đọc được tệp hiệu chỉnh {path.name} ({exc}); lưu lại dạng CSV UTF-8.",
            file=path.name,
        ) from exc
    missing = [c for c in CORRECTION_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(
            f"Tệp hiệu chỉnh {path.name} thiếu cột: {', '.join(missing)}. "
            f"Các cột cần có: {', '.join(CORRECTION_COLUMNS)}.",
            file=path.name,
        )
    return frame


def _not_utf8(path: Path) -> InputError:
    """The refusal of a corrections file that is not UTF-8, naming the first bad line."""
    line = safe_csv.first_non_utf8_line(path)
    where = f" (dòng {line})" if line else ""
    return InputError(
        f"Tệp hiệu chỉnh {path.name} không phải văn bản UTF-8{where}. Trong Excel chọn "
        "Lưu thành → \u201cCSV UTF-8 (phân cách bằng dấu phẩy)\u201d rồi chạy lại.",
        file=path.name,
        row=line,
    )


def correction_line(label: object) -> int:
    """Line number in the corrections file of a row label (line 1 is the header)."""
    return int(str(label)) + 2


def correction_issues(
    corrections: pd.DataFrame, handled: set[int], source: str
) -> list[dict[str, object]]:
    """A warning for every correction line that was neither applied nor refused.

    Such a line has an unknown action, or a key that matches no record of any form
    (clean, quarantined or the kept one of duplicates).
    """
    issues: list[dict[str, object]] = []
    for label, row in corrections.iterrows():
        line = correction_line(label)
        if line in handled:
            continue
        where = f"Tệp hiệu chỉnh {source}, dòng {line}"
        if row["action"] not in CORRECTION_ACTIONS:
            rule, variable, value = "correction_bad_action", "action", row["action"]
            message = (
                f"{where}: hành động '{row['action']}' không hợp lệ; dòng này không được áp "
                "dụng. Dùng change, blank, remove hoặc accept."
            )
        else:
            rule, variable, value = "correction_unmatched", row["variable"], row["key"]
            message = (
                f"{where}: khóa '{row['key']}' không khớp bản ghi nào của đợt; dòng này không "
                "được áp dụng. Khóa có dạng <mã đợt>|<mã xã>|<mã tổ chức> (phiếu A) hoặc "
                "<mã đợt>|<mã cán bộ> (phiếu B); lấy đúng khóa từ cột record_key của "
                "validation_issues.csv hoặc quarantine.csv rồi sửa dòng này."
            )
        issues.append(
            {
                "record_key": row["key"],
                "level": "warning",
                "rule": rule,
                "file": source,
                "sheet": "",
                "row": line,
                "variable": variable,
                "value": value,
                "message": message,
            }
        )
    return issues


@dataclass
class Corrections:
    """What applying the corrections did: removed rows and waived checks."""

    removed: dict[object, str] = field(default_factory=dict)
    accepted: set[tuple[object, str]] = field(default_factory=set)
    handled: set[int] = field(default_factory=set)  # lines applied or refused


def apply_corrections(
    frame: pd.DataFrame,
    corrections: pd.DataFrame,
    work: FormCleaning,
    codebook: Codebook,
    form: FormId,
    raw_text: pd.DataFrame,
    source: str,
) -> Corrections:
    """Apply analyst corrections in place on ``frame``; refuse stale ones with a message."""
    result = Corrections()
    wanted = frame["record_key"].isin(set(corrections["key"]))
    index_of = dict(zip(frame.loc[wanted, "record_key"], frame.index[wanted], strict=True))
    names = set(codebook.names(form))
    for label, row in corrections.iterrows():
        line = correction_line(label)
        where = f"Tệp hiệu chỉnh {source}, dòng {line}"
        idx = index_of.get(row["key"])
        if idx is None or row["action"] not in CORRECTION_ACTIONS:
            continue  # another form's key, or reported by correction_issues
        result.handled.add(line)
        if row["variable"] not in names and row["action"] != "remove":
            work.issues.append(
                _refused(idx, frame, row, "", where)
                | {
                    "rule": "correction_unknown_variable",
                    "message": f"{where}: biến '{row['variable']}' không có trong bộ mã của "
                    "phiếu này; hiệu chỉnh không được áp dụng. Ghi đúng tên biến (cột name "
                    "trong từ điển dữ liệu) rồi sửa dòng này.",
                }
            )
            continue
        var = row["variable"]
        current = canonical(frame.at[idx, var]) if var in frame else ""
        raw = str(raw_text.at[idx, var]) if var in raw_text else ""
        if row["action"] != "remove" and row["old_value"] not in {current, raw}:
            work.issues.append(_refused(idx, frame, row, current, where))
            continue
        _apply_one(frame, idx, row, codebook, form, work, result, raw, where)
    return result


def _refused(
    idx: object, frame: pd.DataFrame, row: pd.Series, current: str, where: str
) -> dict[str, object]:
    return {
        "_idx": idx,
        "record_key": row["key"],
        "level": "warning",
        "rule": "correction_refused",
        "file": frame.at[idx, "_source_file"],
        "sheet": frame.at[idx, "_source_sheet"],
        "row": frame.at[idx, "_source_row"],
        "variable": row["variable"],
        "value": current,
        "message": f"{where}: giá trị cũ '{row['old_value']}' không khớp giá trị hiện tại "
        f"'{current}'; hiệu chỉnh không được áp dụng. Kiểm tra lại rồi sửa dòng này.",
    }


def _apply_one(
    frame: pd.DataFrame,
    idx: object,
    row: pd.Series,
    codebook: Codebook,
    form: FormId,
    work: FormCleaning,
    result: Corrections,
    raw: str,
    where: str,
) -> None:
    action, var = row["action"], row["variable"]
    old = canonical(frame.at[idx, var]) if var in frame else ""
    if action == "remove":
        result.removed[idx] = str(row.get("note", "")) or "nhà phân tích loại bản ghi"
        new_text = ""
    elif action == "accept":
        result.accepted.add((idx, var))
        new_text = old
    else:
        new_text = "" if action == "blank" else row["new_value"]
        conv = converter(codebook.var(form, var), codebook)(new_text)
        if conv.error:
            work.issues.append(
                _refused(idx, frame, row, old, where)
                | {"message": f"{where}: giá trị mới '{new_text}' không hợp lệ "
                   f"({conv.error.rstrip('.')})."}
            )
            return
        frame.at[idx, var] = conv.value
        new_text = canonical(conv.value)
        # the corrected cell's own problems go; a refused earlier line on it stays reported
        work.issues = [
            i for i in work.issues
            if not (i.get("_idx") == idx and i.get("variable") == var)
            or str(i.get("rule", "")).startswith("correction_")
        ]
    work.log.append(
        pd.DataFrame(
            [
                {
                    "_idx": idx,
                    "source_file": frame.at[idx, "_source_file"],
                    "source_sheet": frame.at[idx, "_source_sheet"],
                    "source_row": frame.at[idx, "_source_row"],
                    "variable": var,
                    "old_value": old or raw,
                    "new_value": new_text,
                    "rule": f"analyst_correction:{action}",
                    "action": action,
                }
            ]
        )
    )


def failing_values(frame: pd.DataFrame, fails: pd.DataFrame) -> list[str]:
    """Text of the value of each failure: the cell of its record and column, else the case.

    Read one column at a time (a million ``frame.at`` calls cost seconds).
    """
    out = np.empty(len(fails), dtype=object)
    columns = fails["column"].to_numpy(dtype=object)
    index = fails["index"].to_numpy(dtype=object)
    cases = fails["failure_case"].to_numpy(dtype=object)
    for column in pd.unique(columns):
        at = np.flatnonzero(columns == column)
        if column in frame.columns:
            out[at] = canonical_column(frame[column].loc[index[at]])
        else:
            out[at] = [canonical(v) for v in cases[at].tolist()]
    return out.tolist()


def schema_issues(
    frame: pd.DataFrame, codebook: Codebook, form: FormId, context: RoundContext, level: str
) -> list[dict[str, object]]:
    """Run the hard or soft schema; one issue per failing (record, check)."""
    fails = failures(build_schema(codebook, form, context, level, frame), frame)
    if fails.empty:
        return []
    messages = check_messages(codebook, form)
    rows = frame.loc[fails["index"], ["record_key", "_source_file", "_source_sheet", "_source_row"]]
    values = failing_values(frame, fails)
    issues = pd.DataFrame(
        {
            "_idx": fails["index"].to_numpy(),
            "record_key": rows["record_key"].to_numpy(),
            "level": "error" if level == "hard" else "warning",
            "rule": fails["check"].astype(str).to_numpy(),
            "file": rows["_source_file"].to_numpy(),
            "sheet": rows["_source_sheet"].to_numpy(),
            "row": rows["_source_row"].to_numpy(),
            "variable": fails["column"].astype(str).to_numpy(),
            "value": values,
            "message": fails["check"].astype(str).map(lambda c: messages.get(c, c)).to_numpy(),
        }
    )
    return _records(issues)


class Handover:
    """A frame handed to a function that drops it as soon as it has a filtered copy.

    A caller's own variable would keep a million-row frame alive for the whole call.
    """

    def __init__(self, frame: pd.DataFrame) -> None:
        self._frame: pd.DataFrame | None = frame

    def release(self) -> pd.DataFrame:
        """The frame; the handover no longer holds it."""
        frame, self._frame = self._frame, None
        if frame is None:
            raise ValueError("frame already taken")
        return frame


#: Frames of at least this many cells are filtered column by column (see _take_rows).
COLUMNWISE_MIN_CELLS = 2_000_000


def _take_rows(frame: pd.DataFrame, mask: np.ndarray) -> pd.DataFrame:
    """The rows of ``frame`` where ``mask``, built column by column while emptying ``frame``.

    ``frame[mask]`` holds the whole frame twice until it returns (for a million cadres,
    two 650 MB copies); popping each column once it is filtered frees it as the copy
    grows. ``frame`` must be the caller's own (shallow) copy: it may be left without
    columns. Below ``COLUMNWISE_MIN_CELLS`` the plain ``frame[mask]`` is used.
    """
    if frame.size < COLUMNWISE_MIN_CELLS:
        return frame[mask]  # a provincial frame: one copy is small, and this is faster
    columns = list(frame.columns)
    rows = np.flatnonzero(mask)
    # arrays, not Series: a Series selection also builds (and later aligns) an index each
    data = {col: frame.pop(col).array.take(rows) for col in columns}
    return pd.DataFrame(data, index=frame.index[rows], columns=columns)


def split_outcome(
    frame: pd.DataFrame | Handover,
    form: FormId,
    work: FormCleaning,
    codebook: Codebook,
    context: RoundContext,
    corrections: pd.DataFrame | None,
    corrections_name: str,
    raw_text: pd.DataFrame,
) -> Outcome:
    """Duplicates → corrections → checks → clean / quarantine / duplicates."""
    frame = (frame.release() if isinstance(frame, Handover) else frame).copy(deep=False)
    frame["record_key"] = record_keys(frame, form)
    keep, dup_log, conflicts = resolve_duplicates(frame, form)
    duplicates = frame[~keep]
    frame = _take_rows(frame, keep.to_numpy(dtype=bool))
    work.issues = [i for i in work.issues if i["_idx"] in frame.index] + conflicts
    fixes = Corrections()
    if corrections is not None:
        fixes = apply_corrections(
            frame, corrections, work, codebook, form, raw_text, corrections_name
        )
    hard = [i for i in work.issues if i["level"] == "error"]
    hard += schema_issues(frame, codebook, form, context, "hard")
    soft = schema_issues(frame, codebook, form, context, "soft")
    hard = [i for i in hard if (i["_idx"], i["variable"]) not in fixes.accepted]
    soft = [i for i in soft if (i["_idx"], i["variable"]) not in fixes.accepted]
    bad = {i["_idx"] for i in hard} | set(fixes.removed)
    for idx, note in fixes.removed.items():
        hard.append(
            {
                "_idx": idx,
                "record_key": frame.at[idx, "record_key"],
                "level": "error",
                "rule": "analyst_removed",
                "file": frame.at[idx, "_source_file"],
                "sheet": frame.at[idx, "_source_sheet"],
                "row": frame.at[idx, "_source_row"],
                "variable": "_record",
                "value": "",
                "message": f"Nhà phân tích loại: {note}",
            }
        )
    flags = _soft_flags(soft, frame.index)
    frame["soft_flags"] = flags
    quarantined = frame.index.isin(list(bad))
    quarantine = _quarantine_table(frame[quarantined], hard)
    others = [i for i in work.issues if i["level"] != "error"]
    issues = [_with_key(i, frame) for i in hard + soft + others]
    log = [*work.log, dup_log]
    return Outcome(
        clean=_take_rows(frame, ~quarantined),
        quarantine=quarantine,
        duplicates=duplicates,
        issues=issues,
        log=log,
        corrections_handled=fixes.handled,
    )


def _with_key(issue: dict[str, object], frame: pd.DataFrame) -> dict[str, object]:
    if not issue.get("record_key") and issue["_idx"] in frame.index:
        issue = issue | {"record_key": frame.at[issue["_idx"], "record_key"]}
    return issue


def _soft_flags(soft: list[dict[str, object]], index: pd.Index) -> pd.Series:
    """Sorted distinct soft rules of each record, joined by ";" ("" when none); unique ``index``."""
    flags: dict[object, set[str]] = {}
    for i in soft:
        flags.setdefault(i["_idx"], set()).add(str(i["rule"]))
    text = np.full(len(index), "", dtype=object)
    at = index.get_indexer(list(flags))  # -1: a record no longer in the frame
    for row, rules in zip(at, flags.values(), strict=True):
        if row >= 0:
            text[row] = ";".join(sorted(rules))
    return pd.Series(text, index=index, dtype="str")


def _records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """Rows as dicts, read column-wise (fast on arrow-backed text).

    Like ``frame.to_dict("records")`` except that a missing value of a nullable column
    stays ``pd.NA`` (``to_dict`` gives None); the issue tables print both as empty.
    """
    columns = list(frame.columns)
    values = [_native(frame[c].tolist()) if frame[c].dtype == object else frame[c].tolist()
              for c in columns]
    return [dict(zip(columns, row, strict=True)) for row in zip(*values, strict=True)]


def _native(values: list[object]) -> list[object]:
    """Numbers of numpy types as python numbers, as ``to_dict`` gives them."""
    kinds = (np.integer, np.floating, np.bool_)
    return [v.item() if isinstance(v, kinds) else v for v in values]


def _quarantine_table(records: pd.DataFrame, hard: list[dict[str, object]]) -> pd.DataFrame:
    reasons: dict[object, list[str]] = {}
    rules: dict[object, list[str]] = {}
    for i in hard:
        reasons.setdefault(i["_idx"], []).append(f"{i['variable']}: {i['message']}")
        rules.setdefault(i["_idx"], []).append(str(i["rule"]))
    out = records.copy(deep=False)
    out.insert(
        0, "quarantine_rules", [";".join(dict.fromkeys(rules.get(i, []))) for i in out.index]
    )
    out.insert(
        1, "quarantine_reasons", [" | ".join(dict.fromkeys(reasons.get(i, []))) for i in out.index]
    )
    return out
