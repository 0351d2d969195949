"""The codebook: the one place that says what a column means.

The questionnaire is stored as XLSForm-shaped CSV files next to this module
(``form_a_survey.csv``, ``form_b_survey.csv``, ``choices.csv``, ``settings.csv``,
``weaknesses.csv``). Everything else (pandera schemas, the Kobo/ODK form, the commune
workbook, the data dictionary, chart labels) is derived from what this module loads.

Extra columns beyond XLSForm:

- ``warning`` / ``warning_message::Vietnamese (vi)``: a soft check (kept, flagged).
- ``in_form``: ``0`` for variables the pipeline derives (never asked on a form).
- ``personal_data``: ``drop`` or ``pseudonymise``; such columns never reach data/clean.
- ``measures``: code of the weakness of the 2014 conclusion the variable measures
  (``weaknesses.csv``).

Expressions (``constraint``, ``warning``, ``relevant``) use XLSForm syntax plus a few
*context functions* the pipeline provides from the round and reference data
(see :data:`CONTEXT_FUNCTIONS`); form generators translate or drop them.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal

CODEBOOK_DIR = Path(__file__).parent
FormId = Literal["a", "b", "a_models"]
#: The questionnaires (one XLSForm each).
FORMS: tuple[FormId, ...] = ("a", "b")
#: Tables of repeat groups (rosters): table id -> (parent form, repeat name). A repeat's
#: variables are their own table; it carries its parent's key plus its own position.
REPEATS: dict[FormId, tuple[FormId, str]] = {"a_models": ("a", "grp_models")}
#: Every table the pipeline cleans: forms, then repeat tables.
TABLES: tuple[FormId, ...] = (*FORMS, *REPEATS)
VI = "label::Vietnamese (vi)"
EN = "label::English (en)"

#: Functions allowed in codebook expressions that only the pipeline can evaluate:
#: name -> meaning. Form generators must translate or drop them.
CONTEXT_FUNCTIONS: dict[str, str] = {
    "in_admin_vintage": "value is a commune code of the round's admin vintage",
    "in_round_window": "date lies within the round's collection window",
    "same_in_commune": "value equal across all organisations of the same commune",
    "has_form_a": "a form-A record exists for this commune and organisation",
    "round_year": "the round's reference year (a number)",
    "em_area_of_commune": "EM-area class (pure/mixed/none) of the record's commune",
    "org_top_level": "highest DVK recognition level its organisation reported on form A "
    "(dvk_top_level); in the XLSForm, the parent's answer ${dvk_top_level}",
}

QUESTION_TYPES = {"integer", "decimal", "text", "date", "select_one", "select_multiple"}
STRUCTURE_TYPES = {
    "begin_group", "end_group", "begin_repeat", "end_repeat", "start", "end", "note", "calculate",
}
#: Lists filled from reference data for the round's admin vintage, not from choices.csv.
REFERENCE_LISTS = {"district", "commune"}
KEYS: dict[FormId, tuple[str, ...]] = {
    "a": ("round_id", "commune_code", "org_type"),
    "b": ("round_id", "cadre_id"),
    "a_models": ("round_id", "commune_code", "org_type", "model_no"),
}


@dataclass(frozen=True)
class Choice:
    """One answer option of a choice list."""

    code: str
    label_vi: str
    label_en: str


@dataclass(frozen=True)
class Variable:
    """One question (or derived column) of a form."""

    name: str
    form: FormId
    base_type: str
    list_name: str | None
    label_vi: str
    label_en: str
    group: str | None
    hint_vi: str = ""
    required: bool = False
    relevant: str = ""
    constraint: str = ""
    constraint_message: str = ""
    warning: str = ""
    warning_message: str = ""
    appearance: str = ""
    choice_filter: str = ""
    in_form: bool = True
    personal_data: str = ""
    measures: str = ""
    raw: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    @property
    def is_select(self) -> bool:
        """True for select_one and select_multiple questions."""
        return self.base_type in {"select_one", "select_multiple"}

    @property
    def xml_path(self) -> str:
        """Name as KoboToolbox exports it with group prefixes (``grp/name``)."""
        return f"{self.group}/{self.name}" if self.group else self.name


@dataclass(frozen=True)
class Codebook:
    """The loaded codebook: variables of both forms, choice lists and settings."""

    variables: dict[FormId, tuple[Variable, ...]]
    choices: dict[str, tuple[Choice, ...]]
    settings: dict[FormId, dict[str, str]]
    weaknesses: dict[str, tuple[str, str]]
    survey_rows: dict[FormId, tuple[dict[str, str], ...]]

    def form(self, form: FormId) -> tuple[Variable, ...]:
        """Variables of one form or repeat table, in questionnaire order.

        A form's variables exclude those of its repeat groups (see :meth:`roster`).
        """
        return self.variables[form]

    def roster(self, table: FormId) -> tuple[Variable, ...]:
        """Variables of a repeat table (e.g. ``a_models``): parent key, position, questions."""
        if table not in REPEATS:
            raise KeyError(f"{table!r} is not a repeat table; known: {', '.join(REPEATS)}")
        return self.variables[table]

    def roster_label_vi(self, table: FormId) -> str:
        """Vietnamese label of a repeat table (its ``begin_repeat`` row)."""
        parent, repeat = REPEATS[table]
        return next(r[VI] for r in self.survey_rows[parent] if r["name"] == repeat)

    def roster_questions(self, table: FormId) -> tuple[Variable, ...]:
        """Variables of a repeat table asked on the form (``in_form`` rows only)."""
        return tuple(v for v in self.roster(table) if v.in_form)

    def var(self, form: FormId, name: str) -> Variable:
        """Look up one variable by name (KeyError if unknown)."""
        for v in self.variables[form]:
            if v.name == name:
                return v
        raise KeyError(f"{name!r} is not a variable of form {form}")

    def names(self, form: FormId) -> list[str]:
        """Variable names of one form."""
        return [v.name for v in self.variables[form]]

    def codes(self, list_name: str) -> list[str]:
        """Codes of a choice list, in order."""
        return [c.code for c in self.choices.get(list_name, ())]

    def rank(self, list_name: str) -> dict[str, int]:
        """Position of each code in its choice list (for sorting in codebook order)."""
        return {code: i for i, code in enumerate(self.codes(list_name))}

    def label_vi(self, form: FormId, name: str) -> str:
        """Vietnamese label of a variable (for charts and reports)."""
        return self.var(form, name).label_vi

    def choice_label_vi(self, list_name: str, code: object) -> str:
        """Vietnamese label of one code of a list; the code itself if unknown."""
        for c in self.choices.get(list_name, ()):
            if c.code == str(code):
                return c.label_vi
        return str(code)

    def is_numeric_list(self, list_name: str) -> bool:
        """True when every code of the list is an integer (stored as Int64)."""
        codes = self.codes(list_name)
        return bool(codes) and all(re.fullmatch(r"-?\d+", c) for c in codes)


def nfc(text: str) -> str:
    """Return text in Unicode NFC form."""
    return unicodedata.normalize("NFC", text)


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return [{k: nfc(v or "") for k, v in row.items()} for row in csv.DictReader(f)]


def _split_type(type_: str) -> tuple[str, str | None]:
    parts = type_.split()
    return parts[0], (parts[1] if len(parts) > 1 else None)


def _repeat_table(form: FormId, repeat: str) -> FormId:
    for table, (parent, name) in REPEATS.items():
        if parent == form and name == repeat:
            return table
    raise ValueError(f"repeat group {repeat!r} of form {form} is not declared in REPEATS")


def _variables(form: FormId, rows: list[dict[str, str]]) -> dict[FormId, tuple[Variable, ...]]:
    """Variables of a form and of each of its repeat groups (their own tables)."""
    out: dict[FormId, list[Variable]] = {form: []}
    groups: list[str] = []
    tables: list[FormId] = [form]
    for row in rows:
        base, list_name = _split_type(row["type"])
        if base in {"begin_group", "begin_repeat"}:
            groups.append(row["name"])
            if base == "begin_repeat":
                tables.append(_repeat_table(form, row["name"]))
                out.setdefault(tables[-1], [])
        elif base in {"end_group", "end_repeat"}:
            groups.pop()
            if base == "end_repeat":
                tables.pop()
        elif base in QUESTION_TYPES:
            table = tables[-1]
            group = groups[-1] if groups else None
            out[table].append(_variable(table, row, base, list_name, group))
    return {k: tuple(v) for k, v in out.items()}


def _variable(
    form: FormId, row: dict[str, str], base: str, list_name: str | None, group: str | None
) -> Variable:
    return Variable(
        name=row["name"],
        form=form,
        base_type=base,
        list_name=list_name,
        label_vi=row[VI],
        label_en=row[EN],
        group=group,
        hint_vi=row.get("hint::Vietnamese (vi)", ""),
        required=row.get("required", "").lower() in {"yes", "true", "1"},
        relevant=row.get("relevant", ""),
        constraint=row.get("constraint", ""),
        constraint_message=row.get("constraint_message::Vietnamese (vi)", ""),
        warning=row.get("warning", ""),
        warning_message=row.get("warning_message::Vietnamese (vi)", ""),
        appearance=row.get("appearance", ""),
        choice_filter=row.get("choice_filter", ""),
        in_form=row.get("in_form", "1") != "0",
        personal_data=row.get("personal_data", ""),
        measures=row.get("measures", ""),
        raw=row,
    )


def _choices(rows: list[dict[str, str]]) -> dict[str, tuple[Choice, ...]]:
    out: dict[str, list[Choice]] = {}
    for r in rows:
        out.setdefault(r["list_name"], []).append(Choice(r["name"], r[VI], r[EN]))
    return {k: tuple(v) for k, v in out.items()}


@cache
def load_codebook(directory: Path = CODEBOOK_DIR) -> Codebook:
    """Load the codebook from its CSV files (cached)."""
    survey = {f: _read_csv(directory / f"form_{f}_survey.csv") for f in FORMS}
    settings = {r["form"]: r for r in _read_csv(directory / "settings.csv")}
    weak = {r["code"]: (r[VI], r[EN]) for r in _read_csv(directory / "weaknesses.csv")}
    variables: dict[FormId, tuple[Variable, ...]] = {}
    for f in FORMS:
        variables.update(_variables(f, survey[f]))
    return Codebook(
        variables=variables,
        choices=_choices(_read_csv(directory / "choices.csv")),
        settings={f: settings[f] for f in FORMS},  # type: ignore[misc]
        weaknesses=weak,
        survey_rows={f: tuple(survey[f]) for f in FORMS},
    )
