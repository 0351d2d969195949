"""pandera schemas derived from the codebook: dtypes, choice sets, required, checks.

Two schemas per form: *hard* (a failure quarantines the record: dtypes, choice sets,
required answers, ``constraint`` expressions, unique key) and *soft* (a failure flags
the record: ``warning`` expressions). Nothing here states what a column means; every
rule comes from ``danvan_survey/codebook``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa

from danvan_survey.cell_text import per_distinct
from danvan_survey.codebook import KEYS, REFERENCE_LISTS, Codebook, FormId, Variable
from danvan_survey.expressions import ContextFn, passes


@dataclass(frozen=True)
class RoundContext:
    """Round and reference facts the codebook's context functions need."""

    round_year: int
    period_start: date
    period_end: date
    commune_codes: frozenset[str]
    em_area_by_commune: Mapping[str, str]
    form_a_keys: frozenset[tuple[str, str]] = frozenset()
    #: (commune_code, org_type) -> dvk_top_level of the clean form-A record.
    form_a_top_level: Mapping[tuple[str, str], float] = field(default_factory=dict)

    def functions(self, frame: pd.DataFrame) -> dict[str, ContextFn]:
        """Context functions bound to one frame (see ``CONTEXT_FUNCTIONS``)."""
        return {
            "round_year": lambda: float(self.round_year),
            "in_admin_vintage": lambda s: s.astype("string").isin(self.commune_codes),
            "in_round_window": lambda s: _between(s, self.period_start, self.period_end),
            "same_in_commune": lambda s: _same_in_commune(frame, s),
            "has_form_a": lambda s: _has_form_a(frame, self.form_a_keys),
            "em_area_of_commune": lambda: _mapped(frame["commune_code"], self.em_area_by_commune),
            "org_top_level": lambda: _org_value(frame, self.form_a_top_level),
        }


def _mapped(keys: pd.Series, mapping: Mapping[str, str]) -> pd.Series:
    """``keys.map(mapping).astype("string")``, looking up each distinct key once."""
    found = per_distinct(keys, mapping.get)
    return pd.Series(pd.array(found, dtype="string"), index=keys.index)


def _org_value(frame: pd.DataFrame, values: Mapping[tuple[str, str], float]) -> pd.Series:
    """A form-A value of each row's organisation (missing when unknown)."""
    pairs = zip(frame["commune_code"].astype(str), frame["org_type"].astype(str), strict=True)
    return pd.Series([values.get(p) for p in pairs], index=frame.index, dtype="Float64")


def _between(s: pd.Series, start: date, end: date) -> pd.Series:
    d = pd.to_datetime(s, errors="coerce")
    ok = (d >= pd.Timestamp(start)) & (d <= pd.Timestamp(end))
    return ok.astype("boolean").mask(d.isna())


def _same_in_commune(frame: pd.DataFrame, s: pd.Series) -> pd.Series:
    n = s.groupby(frame["commune_code"]).transform("nunique")
    return (n <= 1).astype("boolean")


def _has_form_a(frame: pd.DataFrame, keys: frozenset[tuple[str, str]]) -> pd.Series:
    pairs = pd.MultiIndex.from_arrays(
        [frame["commune_code"].astype(str), frame["org_type"].astype(str)]
    )
    known = pd.MultiIndex.from_tuples(sorted(keys)) if keys else pd.MultiIndex.from_arrays([[], []])
    return pd.Series(pairs.isin(known), index=frame.index, dtype="boolean")


def pandas_dtype(var: Variable, codebook: Codebook) -> str:
    """The clean-table dtype of a variable (see the contract in README)."""
    if var.base_type == "integer":
        return "Int64"
    if var.base_type == "decimal":
        return "Float64"
    if var.base_type == "date":
        return "datetime64[us]"
    if (
        var.base_type == "select_one"
        and var.list_name not in REFERENCE_LISTS
        and (codebook.is_numeric_list(var.list_name or ""))
    ):
        return "Int64"
    return "str"


def clean_variables(codebook: Codebook, form: FormId) -> list[Variable]:
    """Variables of the clean table: every codebook variable except personal data."""
    return [
        v
        for v in codebook.form(form)
        if v.personal_data != "drop" and not (v.personal_data == "pseudonymise")
    ]


def _choice_check(var: Variable, codebook: Codebook) -> pa.Check | None:
    if not var.is_select or var.list_name in REFERENCE_LISTS:
        return None
    codes = codebook.codes(var.list_name or "")
    if var.base_type == "select_one":
        allowed: set[Any] = (
            {int(c) for c in codes} if codebook.is_numeric_list(var.list_name or "") else set(codes)
        )
        # a custom check, not pa.Check.isin: pandera reports a built-in check as "isin(...)",
        # whatever its name, and the Vietnamese message is looked up by "choices:<name>"
        return pa.Check(lambda s: s.isin(allowed), name=f"choices:{var.name}")
    allowed_set = set(codes)

    def check(s: pd.Series) -> pd.Series:
        which, uniques = pd.factorize(s)  # each distinct answer is checked once
        ok = np.array([set(str(v).split()) <= allowed_set for v in uniques] + [True])
        return pd.Series(ok[which], index=s.index)  # -1 (missing) takes the last: True

    return pa.Check(check, name=f"choices:{var.name}")


def _column(var: Variable, codebook: Codebook, level: str, checks: list[pa.Check]) -> pa.Column:
    choice = _choice_check(var, codebook) if level == "hard" else None
    return pa.Column(
        pandas_dtype(var, codebook),
        checks=[c for c in [choice, *checks] if c is not None],
        nullable=not (var.required and level == "hard"),
        required=True,
        coerce=False,
    )


def _expression_check(
    var: Variable, expr: str, kind: str, context: RoundContext, frame: pd.DataFrame | None
) -> pa.Check:
    """A column check of ``var`` evaluating a cross-field expression on ``frame``.

    Bound to the frame being validated so that pandera reports one failure per record
    and variable (a DataFrame-level check would report every column of a failing row).
    Without a frame the check refuses to run (it would read no other column).
    """

    def check(series: pd.Series) -> pd.Series:
        if frame is None:
            raise ValueError("a schema built without its frame is for inspection only")
        return passes(expr, frame, var.name, context.functions(frame)).reindex(series.index)

    return pa.Check(check, name=f"{kind}:{var.name}")


def build_schema(
    codebook: Codebook,
    form: FormId,
    context: RoundContext,
    level: str = "hard",
    frame: pd.DataFrame | None = None,
) -> pa.DataFrameSchema:
    """Pandera schema of a clean form table; ``level`` is ``hard`` or ``soft``.

    ``frame`` is the table the schema will validate: cross-field checks read the other
    columns from it. A schema built without it can be inspected but not run.
    """
    variables = clean_variables(codebook, form)
    attr = "constraint" if level == "hard" else "warning"
    columns = {}
    for v in variables:
        expr = getattr(v, attr)
        checks = [_expression_check(v, expr, attr, context, frame)] if expr else []
        columns[v.name] = _column(v, codebook, level, checks)
    return pa.DataFrameSchema(
        columns=columns,
        unique=list(KEYS[form]) if level == "hard" else None,
        strict=False,
        name=f"form_{form}_{level}",
    )


def expression_checks(schema: pa.DataFrameSchema) -> set[str]:
    """Names of the codebook expression checks (constraint/warning) in a schema."""
    return {
        c.name
        for col in schema.columns.values()
        for c in col.checks
        if c.name and c.name.split(":")[0] in {"constraint", "warning"}
    }


def check_messages(codebook: Codebook, form: FormId) -> dict[str, str]:
    """Vietnamese message for every check name a schema can report."""
    out: dict[str, str] = {}
    for v in codebook.form(form):
        label = v.label_vi
        out[f"constraint:{v.name}"] = v.constraint_message or f"{label}: giá trị không hợp lệ."
        out[f"warning:{v.name}"] = v.warning_message or f"{label}: giá trị bất thường."
        out[f"choices:{v.name}"] = f"{label}: mã không thuộc danh sách lựa chọn."
        out[f"not_nullable:{v.name}"] = f"{label}: bắt buộc phải có, đang để trống."
        out[f"dtype:{v.name}"] = f"{label}: sai kiểu dữ liệu."
    labels = {v.name: v.label_vi for v in codebook.form(form)}
    keys = ", ".join(labels.get(k, k) for k in KEYS[form])
    for k in KEYS[form]:  # pandera names the uniqueness failure after each key column
        out[f"unique_key:{k}"] = (
            f"Trùng khóa bản ghi ({keys}) với một bản ghi khác của đợt; "
            "kiểm tra mã bị bỏ trống hoặc nhập trùng, rồi sửa trong tệp hiệu chỉnh."
        )
    return out


def failures(schema: pa.DataFrameSchema, frame: pd.DataFrame) -> pd.DataFrame:
    """Run a schema lazily; one row per (row index, check, column) that failed."""
    try:
        # nothing is coerced, so no deep copy is needed; the shallow copy (sharing the data)
        # is what pandera registers the schema on, and it dies right after the call
        schema.validate(frame.copy(deep=False), lazy=True, inplace=True)
    except pa.errors.SchemaErrors as exc:
        fc = exc.failure_cases
        _refuse_table_failures(fc, schema.name)
        return _summarise(fc)
    return pd.DataFrame(columns=["index", "check", "column", "failure_case"])


class TableSchemaError(RuntimeError):
    """A failure of a whole table (a column missing or of the wrong dtype), not of records.

    No record can be quarantined for it, so it stops the run instead of being dropped;
    ``coerce`` gives every clean column its dtype, so it means a bug, not bad input.
    """


def _refuse_table_failures(fc: pd.DataFrame, schema: str | None) -> None:
    table = fc[fc["index"].isna()]
    if not table.empty:
        cases = table[["column", "check", "failure_case"]].to_numpy()
        found = "; ".join(sorted(f"{c}: {k} ({f})" for c, k, f in cases))
        raise TableSchemaError(
            f"schema {schema}: failures of whole columns, not of records: {found}. "
            "Columns must be given their clean dtypes by schemas.coerce() before validation."
        )


def _summarise(fc: pd.DataFrame) -> pd.DataFrame:
    """One row per (record index, check), e.g. ``constraint:x``, ``choices:x``, ``dtype:x``."""
    check = fc["check"].astype(str)
    column = fc["column"].astype(str)  # a named check "kind:x" is a check of column x
    kind = check.str.split("(").str[0]
    kind = kind.mask(kind.str.contains("uniqueness"), "unique_key")
    name = check.where(check.str.contains(":"), kind + ":" + column)
    out = pd.DataFrame(
        {"index": fc["index"], "check": name, "column": column, "failure_case": fc["failure_case"]}
    )
    return out.drop_duplicates(["index", "check"]).reset_index(drop=True)


def coerce(frame: pd.DataFrame, codebook: Codebook, form: FormId) -> pd.DataFrame:
    """Give a frame of converted python values the clean dtypes of the codebook."""
    out = frame.copy(deep=False)
    for var in clean_variables(codebook, form):
        dtype = pandas_dtype(var, codebook)
        col = out[var.name] if var.name in out else pd.Series(None, index=out.index)
        out[var.name] = _astype(col, dtype)
    return out


def _astype(col: pd.Series, dtype: str) -> pd.Series:
    if str(col.dtype) == dtype:
        return col
    # one path for every dtype: pandas builds the array from the python values (None, NaN,
    # NA and NaT all become missing), as fast as astype and stricter (1.5 is no Int64)
    return pd.Series(pd.array(col.tolist(), dtype=dtype), index=col.index)
