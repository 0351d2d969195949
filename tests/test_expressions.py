import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from danvan_survey.expressions import evaluate, functions_called, passes, to_python


def frame():
    return pd.DataFrame(
        {
            "members_total": pd.array([10, 50, None, 5, 8], dtype="Int64"),
            "eligible_pop": pd.array([20, 40, 10, None, 8], dtype="Int64"),
            "eligible_unit": pd.Series(
                ["person", "person", "person", "household", None], dtype="str"
            ),
            "dvk_recognised_12m": pd.array([0, 0, 1, 2, None], dtype="Int64"),
            "dvk_top_level": pd.array([0, 1, None, 2, 0], dtype="Int64"),
            "meeting_content": pd.Series(["policy admin", "", None, "other", "x"], dtype="str"),
        }
    )


def test_translation_to_python():
    assert to_python(". >= 0 and . <= ${n_branches}") == "_self_ >= 0 and _self_ <= n_branches"
    assert to_python("${a} = 'x' or count-selected(.) >= 1") == (
        "a == 'x' or count_selected(_self_) >= 1"
    )
    assert to_python("${a} div 2 != 3") == "a / 2 != 3"


def test_cross_field_constraint_with_missing_values_passes_when_unknown():
    expr = ". >= 0 and (${eligible_unit} != 'person' or . <= ${eligible_pop})"
    assert passes(expr, frame(), "members_total").tolist() == [True, False, True, True, True]


def test_numeric_code_compared_with_quoted_literal():
    expr = "${dvk_recognised_12m} > 0 or . = '0'"
    assert passes(expr, frame(), "dvk_top_level").tolist() == [True, False, True, True, True]


def test_selected_and_count_selected():
    f = frame()
    assert evaluate("selected(${meeting_content}, 'other')", f).tolist()[:2] == [False, False]
    assert evaluate("selected(${meeting_content}, 'other')", f).tolist()[3] is True
    assert passes("count-selected(.) >= 1", f, "meeting_content").all()


def test_context_functions_are_called():
    f = frame()
    got = passes(
        ". >= round_year() - 80",
        f.assign(y=pd.array([1930, 1940, None, 1900, 2000], dtype="Int64")),
        "y",
        {"round_year": lambda: 2014.0},
    )
    assert got.tolist() == [False, True, True, False, True]


@given(st.lists(st.one_of(st.none(), st.integers(-5, 200)), min_size=1, max_size=30))
def test_range_check_matches_python(values):
    f = pd.DataFrame({"v": pd.array(values, dtype="Int64")})
    got = passes(". >= 0 and . <= 150", f, "v").tolist()
    assert got == [v is None or 0 <= v <= 150 for v in values]


def test_hyphenated_xlsform_functions_become_python_names():
    assert to_python("string-length(.) <= 3") == "string_length(_self_) <= 3"
    assert to_python("count-selected(${a}) = 2") == "count_selected(a) == 2"


def test_string_length_counts_characters_and_a_missing_value_has_none() -> None:
    # XPath string-length(): "" and a missing value have length 0; numbers count as text
    f = pd.DataFrame(
        {
            "name": pd.Series(["Tổ 1", "Hội Nông dân", None, ""], dtype="str"),
            "count": pd.array([5, 12345, None, 0], dtype="Int64"),
            "share": pd.array([2.5, 10.0, None, 0.0], dtype="Float64"),
            "flag": pd.array([True, False, None, True], dtype="boolean"),
        }
    )
    lengths = evaluate("string-length(${name})", f)
    assert lengths.tolist() == [4.0, 12.0, 0.0, 0.0]
    assert lengths.dtype == "Float64"  # a nullable number, as count-selected() gives
    assert evaluate("string-length(${flag})", f).tolist() == [4.0, 5.0, 0.0, 4.0]  # "true"
    assert evaluate("string-length(${count})", f).tolist() == [1.0, 5.0, 0.0, 1.0]
    assert evaluate("string-length(${share})", f).tolist() == [3.0, 2.0, 0.0, 1.0]
    # a constraint on the variable itself, at its boundary; an empty value passes
    assert passes("string-length(.) <= 4", f, "name").tolist() == [True, False, True, True]
    assert evaluate("string-length('abc')", f).tolist() == [3.0] * 4


def test_an_unknown_function_is_named_not_a_key_error() -> None:
    with pytest.raises(ValueError, match=r"unsupported function in expression: substr\(\)"):
        passes("substr(., 0, 1) = 'a'", frame(), "eligible_unit")


def test_functions_called_lists_translated_names_only_of_calls() -> None:
    expr = "selected(${a}, '1') and not(count-selected(.) > 1) or string-length(${b}) = 0"
    assert functions_called(expr) == {"selected", "count_selected", "string_length"}
    assert functions_called("") == set()
    assert functions_called("${selected} = 1") == set()  # a variable, not a call
