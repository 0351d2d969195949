"""Clean and validate a repeat table (roster) against its parent form.

The roster of "Dân vận khéo" models (table ``a_models``) goes through the same cleaning
and pandera checks as the forms, plus two rules tied to its parent, form A:

- a row whose parent submission was dropped as an older duplicate is itself a logged
  duplicate (``parent_duplicate``): the newer submission carries its own roster;
- a row whose parent cannot be found in the export (``parent_missing``), or whose
  organisation has no clean form-A record (codebook check ``has_form_a``), is quarantined
  with a Vietnamese reason.

So for every roster file, records read = clean + quarantined + duplicates, as for forms.
"""

from __future__ import annotations

import pandas as pd

from danvan_survey.clean import FormCleaning, clean_form, record_keys
from danvan_survey.codebook import Codebook, FormId
from danvan_survey.config import RoundConfig
from danvan_survey.places import CommuneMatcher
from danvan_survey.schemas import RoundContext, coerce
from danvan_survey.validate import Outcome, split_outcome

PARENT_MISSING_VI = (
    "Không tìm thấy phiếu A (bản nộp cha) của dòng này trong tệp phiếu cha: liên kết "
    "_submission__uuid/_parent_index '{link}' không khớp bản nộp nào. Xuất lại cả phiếu A "
    "và bảng lặp từ KoboToolbox cùng một lúc."
)
PARENT_DUPLICATE_VI = "bản nộp cha là bản trùng cũ hơn (đã loại)"


def _parent_missing(work: FormCleaning, raw: pd.DataFrame) -> None:
    """Replace the issues of rows without a parent by one clear reason."""
    orphan = raw["_parent_row"].astype(str).eq("") if "_parent_row" in raw else None
    if orphan is None or not orphan.any():
        return
    rows = set(raw.index[orphan.to_numpy()])
    work.issues = [i for i in work.issues if i["_idx"] not in rows]
    for idx in sorted(rows):
        link = str(raw.at[idx, "_parent_uuid"]) if "_parent_uuid" in raw else ""
        work.add_issue(idx, "error", "parent_missing", "_record", link,
                       PARENT_MISSING_VI.format(link=link))


def parent_duplicates(frame: pd.DataFrame, parents: Outcome) -> pd.Series:
    """True for roster rows whose parent submission is a dropped duplicate."""
    dup = parents.duplicates
    if dup.empty or "_parent_uuid" not in frame:
        return pd.Series(False, index=frame.index)
    dropped = set(zip(dup["_source_file"].astype(str), dup["_uuid"].astype(str), strict=True))
    pairs = zip(frame["_parent_file"].astype(str), frame["_parent_uuid"].astype(str), strict=True)
    return pd.Series([p in dropped for p in pairs], index=frame.index)


def _duplicate_log(rows: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "_idx": rows.index,
            "source_file": rows["_source_file"].to_numpy(),
            "source_sheet": rows["_source_sheet"].to_numpy(),
            "source_row": rows["_source_row"].to_numpy(),
            "variable": "_record",
            "old_value": rows["_parent_uuid"].astype(str).to_numpy(),
            "new_value": PARENT_DUPLICATE_VI,
            "rule": "parent_duplicate",
            "action": "removed_with_parent_duplicate",
        }
    )


def process_roster(
    table: FormId,
    tables: list[pd.DataFrame],
    cfg: RoundConfig,
    codebook: Codebook,
    communes: pd.DataFrame,
    context: RoundContext,
    parents: Outcome,
    corrections: pd.DataFrame | None,
) -> Outcome:
    """Clean, type and validate the raw rows of one repeat table against its parent form.

    ``context.form_a_keys`` must hold the clean form-A keys (for ``has_form_a``).
    """
    raw = pd.concat(tables, ignore_index=True)
    tables.clear()
    work = clean_form(raw, table, codebook, cfg, communes, CommuneMatcher(communes))
    _parent_missing(work, raw)
    typed = coerce(work.values, codebook, table)
    typed = typed[
        [
            *[c for c in typed.columns if c.startswith("_")],
            *[c for c in typed.columns if not c.startswith("_")],
        ]
    ]
    typed["record_key"] = record_keys(typed, table)
    gone = parent_duplicates(typed, parents)
    dropped = typed[gone]
    keep = typed[~gone]
    wanted = set(corrections["key"]) if corrections is not None else set()
    raw_text = raw[record_keys(typed, table).isin(wanted).to_numpy()]
    outcome = split_outcome(
        keep, table, work, codebook, context, corrections, cfg.corrections or "", raw_text
    )
    if len(dropped):
        outcome.duplicates = pd.concat([dropped, outcome.duplicates])
        outcome.log.append(_duplicate_log(dropped))
    return outcome
