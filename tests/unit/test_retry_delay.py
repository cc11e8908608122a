"""Tests for the ``Upstash-Retry-Delay`` expression evaluator."""

from __future__ import annotations

import builtins
import dataclasses
import math
import random
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Any

import pytest

from upstash_qstash._wire.retry_delay import (
    FUNCTION_NAMES,
    MAX_DELAY_MS,
    MAX_EXPRESSION_LENGTH,
    MAX_NESTING_DEPTH,
    RetryDelayError,
    RetryDelayExpression,
    evaluate_retry_delay,
    parse_retry_delay,
)

# --------------------------------------------------------------------------- values


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        # the documented examples
        ("1000", {0: 1000.0, 1: 1000.0, 7: 1000.0}),
        ("1000 * (1 + retried)", {0: 1000.0, 1: 2000.0, 4: 5000.0}),
        ("pow(2, retried) * 1000", {0: 1000.0, 1: 2000.0, 3: 8000.0, 10: 1024000.0}),
        ("max(1000, pow(2, retried) * 100)", {0: 1000.0, 3: 1000.0, 4: 1600.0, 5: 3200.0}),
        (
            "min(86400000, exp(retried) * 1000)",
            {0: 1000.0, 1: math.e * 1000, 2: math.exp(2) * 1000, 12: 86400000.0},
        ),
    ],
)
def test_documented_examples(expr: str, expected: dict[int, float]) -> None:
    parsed = parse_retry_delay(expr)
    for retried, value in expected.items():
        assert parsed.evaluate(retried) == pytest.approx(value, rel=1e-15)
        assert evaluate_retry_delay(expr, retried) == parsed.evaluate(retried)


def test_capped_exponential_survives_huge_intermediate_values() -> None:
    # exp(1000) overflows a float; the cap must still win, as with IEEE arithmetic.
    expr = parse_retry_delay("min(86400000, exp(retried) * 1000)")
    for retried in (30, 35, 100, 709, 710, 1000, 10**6):
        assert expr.evaluate(retried) == 86400000.0
    assert evaluate_retry_delay("min(1000, pow(10, 400))", 0) == 1000.0
    assert evaluate_retry_delay("min(1000, pow(-10, 401) * -1)", 0) == 1000.0
    assert evaluate_retry_delay("max(0, -pow(10, 400))", 0) == 0.0


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("1 + 2 * 3", 7.0),
        ("(1 + 2) * 3", 9.0),
        ("10 - 4 - 3", 3.0),
        ("10 - (4 - 3)", 9.0),
        ("100 / 10 / 5", 2.0),
        ("100 / (10 / 5)", 50.0),
        ("2 * 3 % 4", 2.0),
        ("2 * (3 % 4)", 6.0),
        ("7 % 4 * 2", 6.0),
        ("1 + 7 % 4", 4.0),
        ("-2 * -3", 6.0),
        ("- -5", 5.0),
        ("--5", 5.0),
        ("+5", 5.0),
        ("+-+-5", 5.0),
        ("10 - -2", 12.0),
        ("10 + -2", 8.0),
        ("2 * -3 + 10", 4.0),
        ("-(2 + 3) + 10", 5.0),
        ("-2 + 10", 8.0),
        ("((((7))))", 7.0),
        ("1 - 2 + 3", 2.0),
        ("8 / 4 * 2", 4.0),
    ],
)
def test_precedence_and_associativity(expr: str, expected: float) -> None:
    assert evaluate_retry_delay(expr, 0) == expected


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("0", 0.0),
        ("1000", 1000.0),
        ("007", 7.0),
        ("1.5", 1.5),
        (".5", 0.5),
        ("0.25", 0.25),
        ("1e3", 1000.0),
        ("1E3", 1000.0),
        ("2.5e-1", 0.25),
        ("1e+2", 100.0),
        (".5e1", 5.0),
        ("86400000", 86400000.0),
    ],
)
def test_numbers(expr: str, expected: float) -> None:
    assert evaluate_retry_delay(expr, 0) == expected


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("7 % 3", 1.0),
        ("7.5 % 2", 1.5),
        ("7 % -3", 1.0),  # truncated remainder: the sign follows the dividend
        ("-7 % 3 + 5", 4.0),  # fmod(-7, 3) == -1 (Python's -7 % 3 would be 2)
        ("retried % 3 * 1000", None),
    ],
)
def test_modulo_is_truncated_remainder(expr: str, expected: float | None) -> None:
    if expected is None:
        parsed = parse_retry_delay(expr)
        assert [parsed.evaluate(r) for r in range(6)] == [0, 1000, 2000, 0, 1000, 2000]
    else:
        assert evaluate_retry_delay(expr, 0) == expected


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("abs(-3)", 3.0),
        ("abs(3)", 3.0),
        ("floor(2.7)", 2.0),
        ("floor(-2.5) + 10", 7.0),
        ("ceil(2.1)", 3.0),
        ("ceil(-2.5) + 10", 8.0),
        ("round(2.5)", 3.0),  # half away from zero, not Python's banker's rounding
        ("round(3.5)", 4.0),
        ("round(-2.5) + 10", 7.0),
        ("round(2.4999)", 2.0),
        ("round(0.49999999999999994)", 0.0),
        ("round(1e14 + 0.5)", 1e14 + 1),
        ("sqrt(16)", 4.0),
        ("sqrt(0)", 0.0),
        ("exp(0)", 1.0),
        ("pow(2, 10)", 1024.0),
        ("pow(9, 0.5)", 3.0),
        ("pow(2, -1)", 0.5),
        ("pow(0, 0)", 1.0),
        ("max(1, 5, 3)", 5.0),
        ("min(4, 2, 8)", 2.0),
        ("max(1, 2)", 2.0),
        ("min(1, 2, 3, 4, 5, 6, 7, 8, 9, 0.5)", 0.5),
        ("max(min(3, 9), abs(-2))", 3.0),
        ("pow(max(2, 1), min(3, 4)) * floor(2.9)", 16.0),
    ],
)
def test_functions(expr: str, expected: float) -> None:
    assert evaluate_retry_delay(expr, 0) == expected


def test_retried_variable_is_bound_at_evaluation_time() -> None:
    parsed = parse_retry_delay("retried * 1000 + 500")
    assert [parsed.evaluate(r) for r in range(4)] == [500.0, 1500.0, 2500.0, 3500.0]
    assert parse_retry_delay("retried / 1e6").evaluate(2**53) == 2**53 / 1e6


def test_whitespace_anywhere() -> None:
    assert evaluate_retry_delay("\t pow ( 2 ,\n retried ) *1000 \r\n", 3) == 8000.0
    assert evaluate_retry_delay("max(1,2)", 0) == evaluate_retry_delay(" max ( 1 , 2 ) ", 0)
    assert evaluate_retry_delay("-\t-\n3", 0) == 3.0


def test_negative_zero_becomes_zero() -> None:
    result = evaluate_retry_delay("-0", 0)
    assert result == 0.0
    assert math.copysign(1.0, result) == 1.0


def test_long_flat_expressions_are_not_nesting() -> None:
    expr = "+".join(["1"] * 500)
    assert len(expr) == 999
    assert evaluate_retry_delay(expr, 0) == 500.0


# --------------------------------------------------------------------------- the object


def test_expression_object_is_immutable_and_keeps_source() -> None:
    source = "  pow(2, retried) * 1000 "
    parsed = parse_retry_delay(source)
    assert isinstance(parsed, RetryDelayExpression)
    assert parsed.source == source
    with pytest.raises(dataclasses.FrozenInstanceError):
        parsed.source = "1"  # type: ignore[misc]
    assert parsed == parse_retry_delay(source)
    assert hash(parsed) == hash(parse_retry_delay(source))
    assert parsed != parse_retry_delay("pow(2, retried) * 1000")
    assert "pow(2, retried)" in repr(parsed)


def test_evaluate_checks_retried() -> None:
    parsed = parse_retry_delay("1000")
    with pytest.raises(RetryDelayError, match="retried must be between 0"):
        parsed.evaluate(-1)
    with pytest.raises(RetryDelayError, match="retried must be between 0"):
        parsed.evaluate(2**53 + 1)
    with pytest.raises(TypeError, match="retried must be an int"):
        parsed.evaluate(True)
    with pytest.raises(TypeError, match="retried must be an int"):
        parsed.evaluate(1.0)  # type: ignore[arg-type]


def test_never_uses_eval_or_compile(monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("eval/compile/exec must not be used")

    for name in ("eval", "exec", "compile"):
        monkeypatch.setattr(builtins, name, forbidden)
    assert evaluate_retry_delay("max(1000, pow(2, retried) * 100) % 7000", 6) == 6400.0


def test_function_names() -> None:
    assert frozenset({"pow", "exp", "sqrt", "abs", "floor", "ceil", "round", "min", "max"}) == (
        FUNCTION_NAMES
    )


# --------------------------------------------------------------------------- parse errors


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        ("", "expression is empty"),
        ("   \t\n", "expression is empty"),
        ("1 +", "column 4: unexpected end of expression; expected a number, 'retried'"),
        ("* 2", "column 1: unexpected '*'; expected a number"),
        ("2 ^ 3", "column 3: the '^' operator is not supported; use pow(x, y)"),
        ("2 ** 3", "column 3: the '**' operator is not supported; use pow(x, y)"),
        ("foo(1)", "column 1: unknown function 'foo'; available functions: abs, ceil, exp"),
        ("1 + log(2)", "column 5: unknown function 'log'"),
        (
            "POW(2, 3)",
            "column 1: unknown function 'POW' (names are case-sensitive: did you mean 'pow'?)",
        ),
        ("x", "column 1: unknown variable 'x'; the only variable is 'retried'"),
        ("1000 * Retried", "column 8: unknown variable 'Retried' (names are case-sensitive)"),
        ("retries", "column 1: unknown variable 'retries'"),
        ("pow", "column 1: 'pow' is a function; call it as pow(x, y)"),
        ("retried(1)", "column 1: 'retried' is a variable, not a function"),
        ("pow(1)", "column 1: pow() takes exactly 2 arguments, got 1; use pow(x, y)"),
        ("pow(1, 2, 3)", "column 1: pow() takes exactly 2 arguments, got 3"),
        ("sqrt()", "column 1: sqrt() takes exactly 1 argument, got 0; use sqrt(x)"),
        ("exp(1, 2)", "column 1: exp() takes exactly 1 argument, got 2"),
        ("min(1)", "column 1: min() takes at least 2 arguments, got 1; use min(x, y, ...)"),
        ("2 + max(5)", "column 5: max() takes at least 2 arguments, got 1"),
        ("max()", "column 1: max() takes at least 2 arguments, got 0"),
        ("max(1,)", "column 7: unexpected ')'; expected a number"),
        ("max(,1)", "column 5: unexpected ','; expected a number"),
        (
            "pow(2 3)",
            "column 7: unexpected number '3'; expected ')' for the call to pow() at column 4",
        ),
        ("(1 + 2", "column 7: missing ')' for the '(' opened at column 1"),
        ("pow(2, 3", "column 9: missing ')' for the call to pow() at column 4"),
        ("(1 + 2))", "column 8: unmatched ')'"),
        ("()", "column 2: unexpected ')'; expected a number"),
        (
            "1 2",
            "column 3: unexpected number '2'; expected an operator or the end of the expression",
        ),
        ("2retried", "column 2: unexpected name 'retried'; expected an operator"),
        ("2 (3)", "column 3: unexpected '('; expected an operator"),
        ("1, 2", "column 2: unexpected ','; expected an operator"),
        ("5.", "column 3: expected a digit after '.'"),
        ("5.e3", "column 3: expected a digit after '.'"),
        ("1.2.3", "column 4: unexpected number '.3'"),
        ("1e", "column 1: malformed number '1e': expected digits in the exponent"),
        ("1e+", "column 1: malformed number '1e+'"),
        ("1e999", "column 1: number '1e999' is too large"),
        ("1" * 400, "column 1: number '1111"),
        (". 5", "column 1: expected a digit after '.'"),
        ("1 # 2", "column 3: unexpected character '#'"),
        ("1 == 1", "column 3: unexpected character '='"),
        ("1 < 2", "column 3: unexpected character '<'"),
        ("retried ? 1 : 2", "column 9: unexpected character '?'"),
        ("1 \u00d7 2", "column 3: unexpected character '\u00d7'"),
        ("\uff11", "column 1: unexpected character"),  # full-width digit one
        ("'1'", 'column 1: unexpected character "\'"'),
        ("__import__(1)", "column 1: unknown function '__import__'"),
        ("__import__('os')", "column 12: unexpected character"),
        ("retried.real", "column 8: expected a digit after '.'"),
        ("[1]", "column 1: unexpected character '['"),
    ],
)
def test_parse_errors(expr: str, message: str) -> None:
    with pytest.raises(RetryDelayError) as info:
        parse_retry_delay(expr)
    assert str(info.value).startswith(message)


def test_error_carries_reason_and_column() -> None:
    with pytest.raises(RetryDelayError) as info:
        parse_retry_delay("1 + * 2")
    err = info.value
    assert isinstance(err, ValueError)
    assert err.column == 5
    assert err.reason == "unexpected '*'; expected a number, 'retried', a function call or '('"
    assert str(err) == f"column 5: {err.reason}"


def test_length_limit() -> None:
    at_limit = "1" + " " * (MAX_EXPRESSION_LENGTH - 1)
    assert len(at_limit) == MAX_EXPRESSION_LENGTH == 1000
    assert evaluate_retry_delay(at_limit, 0) == 1.0
    with pytest.raises(
        RetryDelayError, match=r"expression is 1001 characters long; the maximum is 1000"
    ):
        parse_retry_delay(at_limit + " ")


@pytest.mark.parametrize(
    ("opener", "closer", "column"),
    [("(", ")", 51), ("abs(", ")", 204), ("-", "", 51), ("max(1, ", ")", 354)],
)
def test_nesting_limit(opener: str, closer: str, column: int) -> None:
    assert MAX_NESTING_DEPTH == 50

    def nest(depth: int) -> str:
        return opener * depth + "1" + closer * depth

    assert evaluate_retry_delay(nest(50), 0) == 1.0
    with pytest.raises(RetryDelayError, match="nested too deeply") as info:
        parse_retry_delay(nest(51))
    assert info.value.column == column


def test_nesting_counts_mixed_constructs() -> None:
    expr = "(" * 20 + "pow(" * 20 + "-" * 10 + "2" + ", 1)" * 20 + ")" * 20
    assert evaluate_retry_delay(expr, 0) == 2.0  # depth 20 + 20 + 10 == 50 is accepted
    with pytest.raises(RetryDelayError, match="nested too deeply"):
        parse_retry_delay("(" + expr + ")")


def test_deep_nesting_inside_length_limit_never_hits_recursion_limit() -> None:
    for text in ("(" * 999 + "1", "-" * 999 + "1", "abs(" * 249 + "1"):
        with pytest.raises(RetryDelayError, match="nested too deeply"):
            parse_retry_delay(text)


# --------------------------------------------------------------------------- runtime errors


@pytest.mark.parametrize(
    ("expr", "retried", "message"),
    [
        ("1000 / retried", 0, "column 6: division by zero"),
        ("1000 / (retried - 1)", 1, "column 6: division by zero"),
        ("1000 % retried", 0, "column 6: modulo by zero"),
        ("sqrt(-4)", 0, "column 1: sqrt of a negative number (-4)"),
        ("10 + sqrt(retried - 3)", 1, "column 6: sqrt of a negative number (-2)"),
        ("pow(-8, 1 / 3)", 0, "column 1: pow(-8, 0.3333333333333333) is undefined"),
        ("pow(0, -1)", 0, "column 1: pow(0, -1) is undefined"),
        ("0 * exp(1000)", 0, "column 3: the result is not a number (NaN)"),
        ("exp(1000) - exp(1000)", 0, "column 11: the result is not a number (NaN)"),
        ("exp(1000) % 2", 0, "column 11: the result is not a number (NaN)"),
        ("-1", 0, "the delay is negative: -1 ms (retried=0)"),
        ("1000 - retried * 500", 3, "the delay is negative: -500 ms (retried=3)"),
        ("exp(1000)", 0, "the delay is infinite (retried=0)"),
        ("pow(2, retried)", 2000, "the delay is infinite (retried=2000)"),
        ("pow(2, retried) * 1000", 50, "the delay of 1.125899906842624e+18 ms exceeds the maximum"),
        (
            "1e15 + 1",
            0,
            "the delay of 1000000000000001 ms exceeds the maximum of 1000000000000000 ms",
        ),
    ],
)
def test_runtime_errors(expr: str, retried: int, message: str) -> None:
    parsed = parse_retry_delay(expr)  # parsing succeeds; evaluation fails
    with pytest.raises(RetryDelayError) as info:
        parsed.evaluate(retried)
    assert str(info.value).startswith(message)


def test_largest_delay_is_accepted() -> None:
    assert MAX_DELAY_MS == 1e15
    assert evaluate_retry_delay("1e15", 0) == 1e15
    assert evaluate_retry_delay("pow(10, 15)", 0) == 1e15


def test_runtime_error_depends_on_retried() -> None:
    parsed = parse_retry_delay("1000 / (3 - retried)")
    assert parsed.evaluate(1) == 500.0
    with pytest.raises(RetryDelayError, match="division by zero"):
        parsed.evaluate(3)
    assert parsed.evaluate(2) == 1000.0


# --------------------------------------------------------------------------- property-style

_NUMBER_LITERALS = [
    "0",
    "1",
    "2",
    "3",
    "7",
    "10",
    "100",
    "1000",
    "0.5",
    ".25",
    "2.5",
    "1e2",
    "3E-1",
]


def _py_literal(text: str) -> str:
    # Python float literal with the same value (keeps Python's arithmetic in floats).
    return text + ".0" if text.isdigit() else text


def _ws(rng: random.Random) -> str:
    return rng.choice(["", "", "", " ", "  ", "\t"])


def _flat_expression(rng: random.Random, depth: int) -> tuple[str, str]:
    """An expression with +-*/, unary signs and parentheses, as (ours, Python) text.

    Operators are not parenthesised, so the parser's precedence decides the value, and
    Python's own parser is the reference.
    """
    ours: list[str] = []
    py: list[str] = []
    for index in range(rng.randint(1, 4)):
        if index:
            op = rng.choice("+-*/")
            ours.append(_ws(rng) + op + _ws(rng))
            py.append(f" {op} ")
        for _ in range(rng.choice([0, 0, 0, 1, 2])):
            sign = rng.choice("+-")
            ours.append(sign + _ws(rng))
            py.append(f"{sign} ")
        choice = rng.random()
        if choice < 0.2 and depth < 4:
            inner_ours, inner_py = _flat_expression(rng, depth + 1)
            ours.append("(" + _ws(rng) + inner_ours + _ws(rng) + ")")
            py.append(f"({inner_py})")
        elif choice < 0.4:
            ours.append("retried")
            py.append("retried")
        else:
            literal = rng.choice(_NUMBER_LITERALS)
            ours.append(literal)
            py.append(_py_literal(literal))
    return "".join(ours), "".join(py)


def test_matches_python_arithmetic_on_generated_expressions() -> None:
    rng = random.Random(20260308)
    compared = errors = 0
    for _ in range(3000):
        ours, py = _flat_expression(rng, 0)
        retried = rng.randint(0, 12)
        try:
            # The reference: Python's own parser and float arithmetic (test code only).
            expected: float | None = float(
                eval(py, {"__builtins__": {}}, {"retried": float(retried)})
            )
        except ZeroDivisionError:
            expected = None
        if expected is None or not math.isfinite(expected) or not 0 <= expected <= MAX_DELAY_MS:
            with pytest.raises(RetryDelayError):
                evaluate_retry_delay(ours, retried)
            errors += 1
        else:
            assert evaluate_retry_delay(ours, retried) == expected, (ours, py, retried)
            compared += 1
    assert compared > 1000
    assert errors > 100


@dataclass(frozen=True)
class _Node:
    kind: str  # "num", "var", "neg", "bin", "call"
    text: str = ""
    children: tuple[_Node, ...] = ()


def _random_tree(rng: random.Random, depth: int) -> _Node:
    roll = rng.random()
    if depth >= 4 or roll < 0.3:
        if rng.random() < 0.3:
            return _Node("var", "retried")
        return _Node("num", rng.choice(_NUMBER_LITERALS))
    if roll < 0.4:
        return _Node("neg", "-", (_random_tree(rng, depth + 1),))
    if roll < 0.7:
        op = rng.choice("+-*/%")
        return _Node("bin", op, (_random_tree(rng, depth + 1), _random_tree(rng, depth + 1)))
    name = rng.choice(sorted(FUNCTION_NAMES))
    if name == "pow":
        argc = 2
    elif name in ("min", "max"):
        argc = rng.randint(2, 4)
    else:
        argc = 1
    return _Node("call", name, tuple(_random_tree(rng, depth + 1) for _ in range(argc)))


def _render(node: _Node, rng: random.Random) -> str:
    if node.kind in ("num", "var"):
        return node.text
    if node.kind == "neg":
        return "-" + _ws(rng) + "(" + _render(node.children[0], rng) + ")"
    if node.kind == "bin":
        left, right = (_render(child, rng) for child in node.children)
        return f"({left}){_ws(rng)}{node.text}{_ws(rng)}({right})"
    args = ("," + _ws(rng)).join(_render(child, rng) for child in node.children)
    return f"{node.text}{_ws(rng)}({args})"


def _reference(node: _Node, retried: float) -> float:
    """Straightforward Python math; raises ValueError/ZeroDivisionError/OverflowError."""
    if node.kind == "num":
        return float(node.text)
    if node.kind == "var":
        return retried
    values = [_reference(child, retried) for child in node.children]
    if node.kind == "neg":
        return -values[0]
    if node.kind == "bin":
        a, b = values
        if node.text == "+":
            return a + b
        if node.text == "-":
            return a - b
        if node.text == "*":
            return a * b
        if node.text == "/":
            return a / b
        if b == 0:
            raise ZeroDivisionError
        return math.fmod(a, b)
    name = node.text
    if name == "pow":
        return math.pow(values[0], values[1])
    if name == "exp":
        return math.exp(values[0])
    if name == "sqrt":
        return math.sqrt(values[0])
    if name == "abs":
        return abs(values[0])
    if name == "floor":
        return float(math.floor(values[0]))
    if name == "ceil":
        return float(math.ceil(values[0]))
    if name == "round":
        context = Context(prec=400, rounding=ROUND_HALF_UP)
        return float(Decimal(values[0]).quantize(Decimal(1), context=context))
    if name == "min":
        return min(values)
    assert name == "max"
    return max(values)


def test_functions_and_modulo_match_reference_on_generated_trees() -> None:
    rng = random.Random(20261101)
    compared = errors = 0
    for _ in range(3000):
        tree = _random_tree(rng, 0)
        text = _render(tree, rng)
        if len(text) > MAX_EXPRESSION_LENGTH:
            continue
        retried = rng.randint(0, 10)
        try:
            expected: float | None = _reference(tree, float(retried))
        except OverflowError:
            continue  # IEEE infinities are handled differently on purpose; tested above
        except (ValueError, ZeroDivisionError):
            expected = None
        if expected is None or not math.isfinite(expected) or not 0 <= expected <= MAX_DELAY_MS:
            with pytest.raises(RetryDelayError):
                evaluate_retry_delay(text, retried)
            errors += 1
        else:
            assert evaluate_retry_delay(text, retried) == expected, (text, retried)
            compared += 1
    assert compared > 1000
    assert errors > 100


def test_random_garbage_only_raises_retry_delay_error() -> None:
    rng = random.Random(7)
    alphabet = "0123456789.eE+-*/%^(),retriedpowmaxminabs \t#$x_"
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        try:
            parsed = parse_retry_delay(text)
        except RetryDelayError:
            continue
        for retried in (0, 1, 5):
            try:
                value = parsed.evaluate(retried)
            except RetryDelayError:
                continue
            assert math.isfinite(value)
            assert 0 <= value <= MAX_DELAY_MS
