"""The expression evaluator's three-valued logic, each operator, and "unknown passes".

"An unknown result passes" is reached here by a value that is answered while the other
operand is missing (so the empty-value branch of :func:`passes` cannot be what saves it).
"""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from danvan_survey.expressions import evaluate, passes, referenced, to_python


def _values(s: pd.Series) -> list:
    """Values with None for missing (None cannot be compared in a list)."""
    return [None if pd.isna(v) else v for v in s]


def _frame() -> pd.DataFrame:
    return pd.DataFrame({
        "x": pd.array([5, 5, 5, None], dtype="Int64"),
        "y": pd.array([3, 5, None, 4], dtype="Int64"),
        "m": pd.array(["a b", "c", None, ""], dtype="string"),
        "code": pd.array([1, 2, None, 1], dtype="Int64"),
    })


def test_unknown_result_passes_when_the_checked_value_is_answered() -> None:
    f = _frame()
    # row 2: x answered (5), y missing: "5 < missing" is unknown -> passes
    assert _values(evaluate(". < ${y}", f, "x").astype("boolean")) == [False, False, None, None]
    assert passes(". < ${y}", f, "x").tolist() == [False, False, True, True]
    # without a current variable the unknown still passes
    assert passes("${x} < ${y}", f).tolist() == [False, False, True, True]
    # a false result with an empty checked value passes (the empty-value branch)
    g = pd.DataFrame({"x": pd.array([None, 1], dtype="Int64"), "y": [0, 0]})
    assert passes("${y} > 1", g, "x").tolist() == [True, False]
    h = pd.DataFrame({"s": pd.array(["", "a"], dtype="string")})
    assert passes(". = 'b'", h, "s").tolist() == [True, False]


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("${x} = ${y}", [False, True, None, None]),
        ("${x} != ${y}", [True, False, None, None]),
        ("${x} < ${y}", [False, False, None, None]),
        ("${x} <= ${y}", [False, True, None, None]),
        ("${x} > ${y}", [True, False, None, None]),
        ("${x} >= ${y}", [True, True, None, None]),
        ("${x} >= 5 and ${y} > 4", [False, True, None, False]),  # NA and False = False
        ("${x} > 5 or ${y} > 4", [False, True, None, None]),
        ("not(${x} = ${y})", [True, False, None, None]),
        ("3 <= ${y} <= 4", [True, False, None, True]),
        ("4 <= ${y} <= 5", [False, True, None, True]),  # each step of a chain counts
        ("selected(${m}, 'a')", [True, False, None, False]),
        ("count-selected(${m}) = 2", [True, False, None, False]),
        ("${code} = '1'", [True, False, None, True]),
        ("'2' = ${code}", [False, True, None, False]),
    ],
)
def test_operators(expr: str, expected: list) -> None:
    assert _values(evaluate(expr, _frame()).astype("boolean")) == expected


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("${x} + ${y}", [8, 10, None, None]),
        ("${x} - ${y}", [2, 0, None, None]),
        ("${x} * ${y}", [15, 25, None, None]),
        ("${y} div 2", [1.5, 2.5, None, 2.0]),
        ("${x} mod 3", [2, 2, 2, None]),
        ("-${y}", [-3, -5, None, -4]),
    ],
)
def test_arithmetic(expr: str, expected: list) -> None:
    got = evaluate(expr, _frame())
    assert [None if pd.isna(v) else float(v) for v in got] == expected


def test_not_function_negates_and_keeps_unknown() -> None:
    # "not(...)" is documented syntax; Python parses it as the `not` operator
    assert _values(evaluate("not(${x} = ${y})", _frame())) == [True, False, None, None]
    assert evaluate("not(1 = 2)", _frame()).tolist() == [True] * 4


def test_translation_and_references() -> None:
    assert to_python(". >= ${a} and ${b} != 1") == "_self_ >= a and b != 1"
    assert to_python("${a} div 2 mod 3 = 1") == "a / 2 % 3 == 1"
    assert to_python("count-selected(.) = 0.5") == "count_selected(_self_) == 0.5"
    assert referenced("${a} + ${b_2} > .") == {"a", "b_2"}


def test_constant_expression_is_broadcast_and_errors_are_clear() -> None:
    f = _frame()
    assert evaluate("1 = 1", f).tolist() == [True] * 4
    with pytest.raises(ValueError, match="without a current variable"):
        evaluate(". > 1", f)
    with pytest.raises(KeyError, match="nope"):
        evaluate("${nope} > 1", f)
    with pytest.raises(ValueError, match="unsupported"):
        evaluate("[1]", f)


def test_context_function_is_called_with_evaluated_arguments() -> None:
    f = _frame()
    seen = []

    def ctx(s):
        seen.append(s.tolist())
        return s > 4

    assert passes("big(${y})", f, "x", {"big": ctx}).tolist() == [False, True, True, True]
    assert [_values(pd.Series(v)) for v in seen] == [[3, 5, None, 4]]


@given(st.lists(st.one_of(st.none(), st.integers(-5, 5)), min_size=1, max_size=8),
       st.integers(-5, 5))
def test_passes_is_never_false_on_unknown(values: list, limit: int) -> None:
    f = pd.DataFrame({"v": pd.array(values, dtype="Int64")})
    out = passes(f"${{v}} > {limit}", f)
    for v, ok in zip(values, out, strict=True):
        assert ok == (v is None or v > limit)


def test_text_in_the_clean_tables_str_dtype_keeps_missing_unknown() -> None:
    # the clean tables hold text as pandas' "str" (NaN for missing): a comparison with a
    # missing text is unknown, not False, on either side of the operator
    f = pd.DataFrame({"t": pd.array(["a", None, "b"], dtype="str")})
    assert _values(evaluate("${t} = 'a'", f).astype("boolean")) == [True, None, False]
    assert _values(evaluate("'a' = ${t}", f).astype("boolean")) == [True, None, False]
    assert _values(evaluate("${t} != 'a'", f).astype("boolean")) == [False, None, True]
    assert passes("${t} = 'a'", f).tolist() == [True, True, False]


def test_results_keep_the_frames_own_index() -> None:
    f = _frame().set_index(pd.Index([10, 11, 12, 13]))
    assert evaluate("1 = 1", f).index.tolist() == [10, 11, 12, 13]
    both = evaluate("${x} >= 5 and ${y} > 4", f)
    assert both.index.tolist() == [10, 11, 12, 13]
    assert _values(both) == [False, True, None, False]
    assert _values(evaluate("1 = 1 and ${y} > 4", f)) == [False, True, None, False]
    assert passes("${x} > ${y}", f, "x").index.tolist() == [10, 11, 12, 13]


def test_passes_gives_plain_booleans_and_count_selected_nullable_counts() -> None:
    f = _frame()
    assert passes("${x} > ${y}", f).dtype == bool
    counts = evaluate("count-selected(${m})", f)
    assert str(counts.dtype) == "Float64" and _values(counts) == [2, 1, None, 0]


def test_dot_without_a_current_variable_says_so() -> None:
    with pytest.raises(ValueError, match="^'.' used without a current variable$"):
        evaluate(". > 1", _frame())
