"""Evaluate codebook (XLSForm) expressions on whole DataFrames.

Supported syntax: ``.`` (the variable itself), ``${name}``, numbers, quoted strings,
``and``/``or``/``not(...)``, comparisons (``= != < <= > >=``), arithmetic (``+ - * div``),
``selected(x, 'code')``, ``count-selected(x)``, ``string-length(x)`` and the pipeline's
context functions
(:data:`danvan_survey.codebook.CONTEXT_FUNCTIONS`), supplied by the caller.

Logic is three-valued (Kleene), as pandas nullable booleans: a comparison with a missing
value is *unknown*; callers decide that unknown passes a check (ODK evaluates constraints
only on answered questions, and we do not fail a rule on a value that is missing).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

SELF = "_self_"
_TOKEN_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_STANDALONE_DOT = re.compile(r"(?<![\w.'])\.(?![\w.])")
_EQ = re.compile(r"(?<![<>!=])=(?!=)")

ContextFn = Callable[..., Any]


@cache
def to_python(expr: str) -> str:
    """Translate XLSForm syntax to a Python expression (parsed, never exec'd)."""
    return _to_python(expr)


def _to_python(expr: str) -> str:
    """Body of :func:`to_python`, undecorated so that mutation testing reaches it."""
    out = _TOKEN_VAR.sub(lambda m: m.group(1), expr)
    out = out.replace("count-selected", "count_selected").replace("string-length", "string_length")
    out = _STANDALONE_DOT.sub(SELF, out)
    out = re.sub(r"\bdiv\b", "/", out)
    out = re.sub(r"\bmod\b", "%", out)
    return _EQ.sub("==", out)


def referenced(expr: str) -> set[str]:
    """Names of variables an expression refers to (``${x}``)."""
    return set(_TOKEN_VAR.findall(expr))


def functions_called(expr: str) -> set[str]:
    """Names of the functions an expression calls, as translated (``count_selected``)."""
    tree = ast.parse(to_python(expr) or "1", mode="eval")
    return {
        node.func.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }


def evaluate(
    expr: str,
    frame: pd.DataFrame,
    self_column: str | None = None,
    context: Mapping[str, ContextFn] | None = None,
) -> pd.Series:
    """Evaluate an expression row-wise; returns a nullable boolean (or value) Series."""
    tree = ast.parse(to_python(expr), mode="eval")
    env = _Env(frame, self_column, dict(context or {}))
    result = env.visit(tree.body)
    if not isinstance(result, pd.Series):
        result = pd.Series([result] * len(frame), index=frame.index)
    return result


def passes(
    expr: str,
    frame: pd.DataFrame,
    self_column: str | None = None,
    context: Mapping[str, ContextFn] | None = None,
) -> pd.Series:
    """True where a check passes: the expression is True or unknown, or the value is empty."""
    value = evaluate(expr, frame, self_column, context).astype("boolean")
    ok = value.fillna(True)
    if self_column is not None:
        ok = ok | _is_empty(frame[self_column])
    return ok.astype(bool)


def _is_empty(s: pd.Series) -> pd.Series:
    """Missing, or text of length 0 (numbers, dates and flags are never empty text)."""
    if s.dtype.kind in "iufbmM":  # also the nullable Int64, Float64, boolean
        return s.isna()
    return s.isna() | (s.astype("string").str.len() == 0)  # NA there is ORed with True


def _as_operand(value: Any) -> Any:
    if isinstance(value, pd.Series) and value.dtype.kind in "iufb":
        return value.astype("Float64")
    if isinstance(value, pd.Series) and not isinstance(value.dtype, pd.BooleanDtype):
        return value.astype("string")
    return value


def _compare(op: ast.cmpop, left: Any, right: Any) -> Any:
    left, right = _coerce_pair(_as_operand(left), _as_operand(right))
    ops: dict[type, Callable[[Any, Any], Any]] = {
        ast.Eq: lambda a, b: a == b,
        ast.NotEq: lambda a, b: a != b,
        ast.Lt: lambda a, b: a < b,
        ast.LtE: lambda a, b: a <= b,
        ast.Gt: lambda a, b: a > b,
        ast.GtE: lambda a, b: a >= b,
    }
    return ops[type(op)](left, right)


def _coerce_pair(left: Any, right: Any) -> tuple[Any, Any]:
    """Compare codes stored as numbers with quoted literals ('1') as strings."""
    if isinstance(right, str) and isinstance(left, pd.Series) and left.dtype != "string":
        left = left.astype("Int64").astype("string")
    if isinstance(left, str) and isinstance(right, pd.Series) and right.dtype != "string":
        right = right.astype("Int64").astype("string")
    return left, right


class _Env:
    def __init__(
        self, frame: pd.DataFrame, self_column: str | None, context: dict[str, ContextFn]
    ) -> None:
        self.frame = frame
        self.self_column = self_column
        self.functions: dict[str, ContextFn] = {**BUILTIN_FUNCTIONS, **context}

    def visit(self, node: ast.AST) -> Any:  # noqa: C901 - a small dispatcher
        if isinstance(node, ast.BoolOp):
            values = [
                pd.Series(self.visit(v), index=self.frame.index).astype("boolean")
                for v in node.values
            ]
            out = values[0]
            for v in values[1:]:
                out = (out & v) if isinstance(node.op, ast.And) else (out | v)
            return out
        if isinstance(node, ast.Compare):
            left = self.visit(node.left)
            result = None
            for op, comp in zip(node.ops, node.comparators, strict=True):
                right = self.visit(comp)
                step = _compare(op, left, right)
                result = step if result is None else (result & step)
                left = right
            return result
        if isinstance(node, ast.BinOp):
            return self._binop(node)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -_as_operand(self.visit(node.operand))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return self.functions["not"](self.visit(node.operand))  # "not(x)" parses as `not x`
        if isinstance(node, ast.Name):
            return self._name(node.id)
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            fn = self.functions.get(node.func.id)
            if fn is None:
                raise ValueError(f"unsupported function in expression: {node.func.id}()")
            return fn(*[self.visit(a) for a in node.args])
        raise ValueError(f"unsupported expression element: {ast.dump(node)}")

    def _binop(self, node: ast.BinOp) -> Any:
        a, b = _as_operand(self.visit(node.left)), _as_operand(self.visit(node.right))
        ops: dict[type, Callable[[Any, Any], Any]] = {
            ast.Add: lambda x, y: x + y,
            ast.Sub: lambda x, y: x - y,
            ast.Mult: lambda x, y: x * y,
            ast.Div: lambda x, y: x / y,
            ast.Mod: lambda x, y: x % y,
        }
        return ops[type(node.op)](a, b)

    def _name(self, name: str) -> Any:
        if name == SELF:
            if self.self_column is None:
                raise ValueError("'.' used without a current variable")
            return self.frame[self.self_column]
        if name in self.frame.columns:
            return self.frame[name]
        raise KeyError(f"expression refers to unknown column {name!r}")


def _not(x: Any) -> Any:
    return ~x.astype("boolean") if isinstance(x, pd.Series) else not x


def _selected(values: pd.Series, code: str) -> pd.Series:
    text = values.astype("string")
    out = text.str.split().map(lambda parts: code in parts if isinstance(parts, list) else None)
    return out.astype("boolean")


def _count_selected(values: pd.Series) -> pd.Series:
    text = values.astype("string")
    counts = text.str.split().map(lambda p: len(p) if isinstance(p, list) else np.nan)
    return counts.astype("Float64")


def _string_length(values: Any) -> Any:
    """XPath ``string-length()``: characters of the value as text; a missing value has 0.

    Whole numbers count without a decimal part (``5.0`` is ``"5"``, one character).
    """
    if not isinstance(values, pd.Series):
        return float(len(_xpath_string(values)))
    return values.map(lambda v: float(len(_xpath_string(v)))).astype("Float64")


def _xpath_string(value: Any) -> str:
    """A value as XPath's ``string()`` writes it."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


#: Functions every evaluation knows, by their translated names (XLSForm writes
#: ``count-selected``); context functions come from the caller.
BUILTIN_FUNCTIONS: Mapping[str, ContextFn] = {
    "selected": _selected,
    "count_selected": _count_selected,
    "string_length": _string_length,
    "not": _not,
}
