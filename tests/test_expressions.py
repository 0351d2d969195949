import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from danvan_survey.expressions import evaluate, passes, to_python


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
