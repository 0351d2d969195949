"""The codebook is the single source of truth: schemas, labels and checks come from it."""

import unicodedata
from datetime import date

import pytest

from danvan_survey.codebook import CONTEXT_FUNCTIONS, FORMS, KEYS, TABLES, load_codebook
from danvan_survey.expressions import (
    BUILTIN_FUNCTIONS,
    functions_called,
    referenced,
    to_python,
)
from danvan_survey.schemas import RoundContext, build_schema, clean_variables, expression_checks

CB = load_codebook()
CTX = RoundContext(2014, date(2014, 6, 1), date(2014, 9, 30), frozenset(), {})


@pytest.mark.parametrize("form", TABLES)
def test_every_codebook_variable_is_in_the_schema_and_vice_versa(form):
    schema = build_schema(CB, form, CTX)
    expected = {v.name for v in CB.form(form) if not v.personal_data}
    assert set(schema.columns) == expected


@pytest.mark.parametrize("form", TABLES)
def test_every_constraint_and_warning_becomes_a_check(form):
    hard = expression_checks(build_schema(CB, form, CTX, "hard"))
    soft = expression_checks(build_schema(CB, form, CTX, "soft"))
    assert hard == {f"constraint:{v.name}" for v in clean_variables(CB, form) if v.constraint}
    assert soft == {f"warning:{v.name}" for v in clean_variables(CB, form) if v.warning}
    assert len(hard) >= 5 and len(soft) >= (3 if form in FORMS else 1)


@pytest.mark.parametrize("form", TABLES)
def test_expressions_only_reference_known_variables_and_functions(form):
    names = set(CB.names(form))
    for v in CB.form(form):
        for expr in (v.constraint, v.warning, v.relevant):
            assert referenced(expr) <= names, (v.name, expr)
            # every function is one the evaluator or the pipeline's context provides
            known = set(BUILTIN_FUNCTIONS) | set(CONTEXT_FUNCTIONS)
            assert functions_called(expr) <= known, (v.name, expr)
            compile(to_python(expr) or "1", "<codebook>", "eval")


def test_keys_and_stable_names_from_the_spec():
    assert KEYS["a"] == ("round_id", "commune_code", "org_type")
    for name in ("gathering_rate",):
        assert name not in CB.names("a")  # derived indicators are not asked
    for name in ("members_total", "branches_silent_6m", "dvk_top_level", "rating_last_year"):
        assert name in CB.names("a")
    for name in ("cadre_id", "vignette_land_protest", "agrees_dv_is_unions_job", "trained_12m"):
        assert name in CB.names("b")
    assert CB.codes("org_type") == ["mttq", "hnd", "hlhpn", "doan", "hccb"]
    assert CB.codes("rating") == ["1", "2", "3", "4", "9"]
    assert CB.rank("org_type") == {"mttq": 0, "hnd": 1, "hlhpn": 2, "doan": 3, "hccb": 4}
    assert CB.rank("no_such_list") == {}


def test_every_select_list_exists_and_labels_are_nfc_vietnamese():
    for form in TABLES:
        for v in CB.form(form):
            if v.is_select and v.list_name not in {"district", "commune"}:
                assert v.list_name in CB.choices, v.name
            assert v.label_vi == unicodedata.normalize("NFC", v.label_vi)
            assert v.label_vi and v.label_en
    for choices in CB.choices.values():
        for c in choices:
            assert c.label_vi == unicodedata.normalize("NFC", c.label_vi)


def test_personal_data_is_marked():
    marked = {v.name for f in TABLES for v in CB.form(f) if v.personal_data}
    assert marked == {"respondent_name", "respondent_phone", "cadre_name", "cadre_phone"}


def test_measures_codes_are_known_weaknesses():
    for f in TABLES:
        for v in CB.form(f):
            if v.measures:
                assert v.measures in CB.weaknesses
