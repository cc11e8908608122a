"""Safe evaluator for ``Upstash-Retry-Delay`` expressions (spec section 13.4).

An expression is plain arithmetic whose value is the delay in **milliseconds** before the
next retry, for example ``pow(2, retried) * 1000``. It is parsed once into an immutable
program (a postfix instruction list) and evaluated without ``eval``, ``compile`` or any
other execution of Python code.

Grammar (whitespace may appear between any two tokens)::

    expression := term (("+" | "-") term)*
    term       := unary (("*" | "/" | "%") unary)*
    unary      := ("+" | "-") unary | primary
    primary    := NUMBER | "retried" | NAME "(" arguments ")" | "(" expression ")"
    arguments  := expression ("," expression)*
    NUMBER     := DIGITS ["." DIGITS] [EXPONENT] | "." DIGITS [EXPONENT]
    EXPONENT   := ("e" | "E") ["+" | "-"] DIGITS

So ``1000``, ``1.5``, ``.5`` and ``1e3`` are numbers, while ``5.`` is rejected. ``%`` is
the truncated remainder (the sign follows the dividend, like C ``fmod``, JavaScript ``%``
and Go ``math.Mod``). ``round`` rounds half away from zero. ``^`` and ``**`` are not
operators: use ``pow(x, y)``. Names are case-sensitive; the only variable is ``retried``.

Intermediate results follow IEEE arithmetic, so ``min(86400000, exp(retried) * 1000)``
stays valid for any ``retried``; only the final delay must be a finite number between
0 and :data:`MAX_DELAY_MS`. Every runtime failure raises :class:`RetryDelayError`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Final, Literal

__all__ = [
    "FUNCTION_NAMES",
    "MAX_DELAY_MS",
    "MAX_EXPRESSION_LENGTH",
    "MAX_NESTING_DEPTH",
    "RetryDelayError",
    "RetryDelayExpression",
    "evaluate_retry_delay",
    "parse_retry_delay",
]

MAX_EXPRESSION_LENGTH: Final = 1000
"""Longest accepted expression, in characters."""

MAX_NESTING_DEPTH: Final = 50
"""Deepest accepted nesting of parentheses, function calls and unary signs."""

MAX_DELAY_MS: Final = 1e15
"""Largest delay an expression may produce, in milliseconds (about 31,700 years)."""

_VARIABLE: Final = "retried"
_MAX_RETRIED: Final = 2**53
_WHITESPACE: Final = frozenset(" \t\r\n\f\v")
_DIGITS: Final = frozenset("0123456789")
_NAME_START: Final = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_NAME_CHARS: Final = _NAME_START | _DIGITS
_SINGLE_CHAR_OPERATORS: Final = frozenset("+-*/%(),")
_EXPECTED_OPERAND: Final = "expected a number, 'retried', a function call or '('"


class RetryDelayError(ValueError):
    """An ``Upstash-Retry-Delay`` expression is invalid or cannot be evaluated.

    ``reason`` says what is wrong, ``column`` (1-based, or ``None``) where in the source;
    the message is ``"column N: reason"`` when the column is known.
    """

    def __init__(self, reason: str, *, column: int | None = None) -> None:
        self.reason = reason
        self.column = column
        super().__init__(reason if column is None else f"column {column}: {reason}")


# --------------------------------------------------------------------------- tokenizer

_TokenKind = Literal["number", "name", "operator", "end"]


@dataclass(frozen=True, slots=True)
class _Token:
    kind: _TokenKind
    text: str
    column: int
    value: float = 0.0

    def describe(self) -> str:
        if self.kind == "end":
            return "end of expression"
        if self.kind == "number":
            return f"number {self.text!r}"
        if self.kind == "name":
            return f"name {self.text!r}"
        return repr(self.text)


def _tokenize(source: str) -> list[_Token]:
    tokens: list[_Token] = []
    i = 0
    n = len(source)
    while i < n:
        ch = source[i]
        column = i + 1
        if ch in _WHITESPACE:
            i += 1
        elif ch in _DIGITS or (ch == "." and i + 1 < n and source[i + 1] in _DIGITS):
            i = _scan_number(source, i, tokens)
        elif ch in _NAME_START:
            end = i + 1
            while end < n and source[end] in _NAME_CHARS:
                end += 1
            tokens.append(_Token("name", source[i:end], column))
            i = end
        elif ch == "^" or source.startswith("**", i):
            op = "^" if ch == "^" else "**"
            raise RetryDelayError(
                f"the {op!r} operator is not supported; use pow(x, y) for powers",
                column=column,
            )
        elif ch in _SINGLE_CHAR_OPERATORS:
            tokens.append(_Token("operator", ch, column))
            i += 1
        elif ch == ".":
            raise RetryDelayError("expected a digit after '.'", column=column)
        else:
            raise RetryDelayError(f"unexpected character {ch!r}", column=column)
    tokens.append(_Token("end", "", n + 1))
    return tokens


def _scan_number(source: str, start: int, tokens: list[_Token]) -> int:
    n = len(source)
    i = start
    while i < n and source[i] in _DIGITS:
        i += 1
    if i < n and source[i] == ".":
        i += 1
        if i >= n or source[i] not in _DIGITS:
            raise RetryDelayError("expected a digit after '.'", column=i + 1)
        while i < n and source[i] in _DIGITS:
            i += 1
    if i < n and source[i] in "eE":
        j = i + 1
        if j < n and source[j] in "+-":
            j += 1
        if j >= n or source[j] not in _DIGITS:
            raise RetryDelayError(
                f"malformed number {source[start:j]!r}: expected digits in the exponent",
                column=start + 1,
            )
        while j < n and source[j] in _DIGITS:
            j += 1
        i = j
    text = source[start:i]
    value = float(text)
    if not math.isfinite(value):
        raise RetryDelayError(f"number {text!r} is too large", column=start + 1)
    tokens.append(_Token("number", text, start + 1, value))
    return i


# --------------------------------------------------------------------------- functions


def _fmt(x: float) -> str:
    if math.isfinite(x) and x.is_integer() and abs(x) < 1e16:
        return str(int(x))
    return repr(x)


def _pow(args: Sequence[float]) -> float:
    x, y = args
    try:
        return math.pow(x, y)
    except OverflowError:
        negative = x < 0 and y.is_integer() and y % 2 == 1
        return -math.inf if negative else math.inf
    except ValueError:
        raise RetryDelayError(f"pow({_fmt(x)}, {_fmt(y)}) is undefined") from None


def _exp(args: Sequence[float]) -> float:
    try:
        return math.exp(args[0])
    except OverflowError:
        return math.inf


def _sqrt(args: Sequence[float]) -> float:
    x = args[0]
    if x < 0:
        raise RetryDelayError(f"sqrt of a negative number ({_fmt(x)})")
    return math.sqrt(x)


def _floor(args: Sequence[float]) -> float:
    x = args[0]
    return float(math.floor(x)) if math.isfinite(x) else x


def _ceil(args: Sequence[float]) -> float:
    x = args[0]
    return float(math.ceil(x)) if math.isfinite(x) else x


def _round(args: Sequence[float]) -> float:
    # Half away from zero (Go math.Round), not Python's round-half-to-even.
    x = args[0]
    if not math.isfinite(x):
        return x
    whole = float(math.trunc(x))
    if abs(x - whole) >= 0.5:  # exact: x - trunc(x) is representable
        whole += math.copysign(1.0, x)
    return whole


@dataclass(frozen=True, slots=True)
class _Function:
    min_args: int
    max_args: int | None
    impl: Callable[[Sequence[float]], float]
    signature: str

    def arity_error(self, name: str, got: int) -> str:
        if self.max_args is None:
            need = f"at least {self.min_args} arguments"
        elif self.min_args == 1:
            need = "exactly 1 argument"
        else:
            need = f"exactly {self.min_args} arguments"
        return f"{name}() takes {need}, got {got}; use {self.signature}"


_FUNCTIONS: Final[dict[str, _Function]] = {
    "abs": _Function(1, 1, lambda a: abs(a[0]), "abs(x)"),
    "ceil": _Function(1, 1, _ceil, "ceil(x)"),
    "exp": _Function(1, 1, _exp, "exp(x)"),
    "floor": _Function(1, 1, _floor, "floor(x)"),
    "max": _Function(2, None, lambda a: max(a), "max(x, y, ...)"),
    "min": _Function(2, None, lambda a: min(a), "min(x, y, ...)"),
    "pow": _Function(2, 2, _pow, "pow(x, y)"),
    "round": _Function(1, 1, _round, "round(x)"),
    "sqrt": _Function(1, 1, _sqrt, "sqrt(x)"),
}

FUNCTION_NAMES: Final = frozenset(_FUNCTIONS)
"""The names of the functions an expression may call."""

_FUNCTION_LIST: Final = ", ".join(_FUNCTIONS)


# --------------------------------------------------------------------------- program

_Opcode = Literal["const", "retried", "neg", "+", "-", "*", "/", "%", "call"]


@dataclass(frozen=True, slots=True)
class _Instruction:
    opcode: _Opcode
    column: int
    value: float = 0.0
    name: str = ""
    argc: int = 0


class _Parser:
    def __init__(self, tokens: list[_Token]) -> None:
        self._tokens = tokens
        self._pos = 0
        self._program: list[_Instruction] = []

    def parse(self) -> tuple[_Instruction, ...]:
        self._expression(0)
        token = self._peek()
        if token.kind != "end":
            if token.text == ")":
                raise RetryDelayError("unmatched ')'", column=token.column)
            raise RetryDelayError(
                f"unexpected {token.describe()}; expected an operator or the end of the expression",
                column=token.column,
            )
        return tuple(self._program)

    def _peek(self) -> _Token:
        return self._tokens[self._pos]

    def _advance(self) -> _Token:
        token = self._tokens[self._pos]
        if token.kind != "end":
            self._pos += 1
        return token

    def _at_operator(self, ops: str) -> bool:
        token = self._peek()
        return token.kind == "operator" and token.text in ops

    def _enter(self, depth: int, token: _Token) -> int:
        depth += 1
        if depth > MAX_NESTING_DEPTH:
            raise RetryDelayError(
                f"expression is nested too deeply (the maximum depth is {MAX_NESTING_DEPTH})",
                column=token.column,
            )
        return depth

    def _emit(self, instruction: _Instruction) -> None:
        self._program.append(instruction)

    def _expression(self, depth: int) -> None:
        self._term(depth)
        while self._at_operator("+-"):
            op = self._advance()
            self._term(depth)
            self._emit(_Instruction("+" if op.text == "+" else "-", op.column))

    def _term(self, depth: int) -> None:
        self._unary(depth)
        while self._at_operator("*/%"):
            op = self._advance()
            self._unary(depth)
            opcode: _Opcode = "*" if op.text == "*" else "/" if op.text == "/" else "%"
            self._emit(_Instruction(opcode, op.column))

    def _unary(self, depth: int) -> None:
        if self._at_operator("+-"):
            op = self._advance()
            self._unary(self._enter(depth, op))
            if op.text == "-":
                self._emit(_Instruction("neg", op.column))
            return
        self._primary(depth)

    def _primary(self, depth: int) -> None:
        token = self._advance()
        if token.kind == "number":
            self._emit(_Instruction("const", token.column, value=token.value))
        elif token.kind == "name":
            if self._at_operator("("):
                self._call(token, depth)
            else:
                self._variable(token)
        elif token.kind == "operator" and token.text == "(":
            self._expression(self._enter(depth, token))
            self._expect_close(token, "'(' opened")
        elif token.kind == "end":
            raise RetryDelayError(
                f"unexpected end of expression; {_EXPECTED_OPERAND}", column=token.column
            )
        else:
            raise RetryDelayError(
                f"unexpected {token.describe()}; {_EXPECTED_OPERAND}", column=token.column
            )

    def _expect_close(self, opener: _Token, what: str) -> None:
        token = self._peek()
        if token.kind == "operator" and token.text == ")":
            self._advance()
            return
        if token.kind == "end":
            raise RetryDelayError(
                f"missing ')' for the {what} at column {opener.column}", column=token.column
            )
        raise RetryDelayError(
            f"unexpected {token.describe()}; expected ')' for the {what} at column {opener.column}",
            column=token.column,
        )

    def _variable(self, token: _Token) -> None:
        name = token.text
        if name == _VARIABLE:
            self._emit(_Instruction("retried", token.column))
        elif name in _FUNCTIONS:
            raise RetryDelayError(
                f"{name!r} is a function; call it as {_FUNCTIONS[name].signature}",
                column=token.column,
            )
        else:
            hint = " (names are case-sensitive)" if name.lower() == _VARIABLE else ""
            raise RetryDelayError(
                f"unknown variable {name!r}{hint}; the only variable is 'retried'",
                column=token.column,
            )

    def _call(self, name_token: _Token, depth: int) -> None:
        name = name_token.text
        function = _FUNCTIONS.get(name)
        if function is None:
            if name == _VARIABLE:
                reason = "'retried' is a variable, not a function"
            elif name.lower() in _FUNCTIONS:
                reason = (
                    f"unknown function {name!r} (names are case-sensitive: "
                    f"did you mean {name.lower()!r}?)"
                )
            else:
                reason = f"unknown function {name!r}; available functions: {_FUNCTION_LIST}"
            raise RetryDelayError(reason, column=name_token.column)
        open_paren = self._advance()
        inner = self._enter(depth, open_paren)
        argc = 0
        if not self._at_operator(")"):
            self._expression(inner)
            argc = 1
            while self._at_operator(","):
                self._advance()
                self._expression(inner)
                argc += 1
        self._expect_close(open_paren, f"call to {name}()")
        if argc < function.min_args or (function.max_args is not None and argc > function.max_args):
            raise RetryDelayError(function.arity_error(name, argc), column=name_token.column)
        self._emit(_Instruction("call", name_token.column, name=name, argc=argc))


# --------------------------------------------------------------------------- public API


@dataclass(frozen=True, slots=True)
class RetryDelayExpression:
    """A parsed ``Upstash-Retry-Delay`` expression; build one with :func:`parse_retry_delay`."""

    source: str
    """The expression exactly as given (echoed back as ``retryDelayExpression``)."""

    _program: tuple[_Instruction, ...] = field(repr=False, compare=False)

    def evaluate(self, retried: int) -> float:
        """Return the delay in milliseconds before the next retry.

        ``retried`` is how many retries were already made (0 when computing the first
        retry). Raises :class:`RetryDelayError` if the expression fails at run time
        (division by zero, sqrt of a negative number, NaN) or if the delay is negative,
        infinite or larger than :data:`MAX_DELAY_MS`.
        """
        if isinstance(retried, bool) or not isinstance(retried, int):
            raise TypeError(f"retried must be an int, got {type(retried).__name__}")
        if not 0 <= retried <= _MAX_RETRIED:
            raise RetryDelayError(f"retried must be between 0 and 2**53, got {retried}")
        result = _run(self._program, float(retried))
        if math.isinf(result):
            raise RetryDelayError(f"the delay is infinite (retried={retried})")
        if result < 0:
            raise RetryDelayError(f"the delay is negative: {_fmt(result)} ms (retried={retried})")
        if result > MAX_DELAY_MS:
            raise RetryDelayError(
                f"the delay of {_fmt(result)} ms exceeds the maximum of "
                f"{_fmt(MAX_DELAY_MS)} ms (retried={retried})"
            )
        return result + 0.0  # turn -0.0 into 0.0


def parse_retry_delay(expr: str) -> RetryDelayExpression:
    """Parse an ``Upstash-Retry-Delay`` expression, raising :class:`RetryDelayError`."""
    if len(expr) > MAX_EXPRESSION_LENGTH:
        raise RetryDelayError(
            f"expression is {len(expr)} characters long; the maximum is {MAX_EXPRESSION_LENGTH}"
        )
    if not expr.strip(" \t\r\n\f\v"):
        raise RetryDelayError("expression is empty")
    program = _Parser(_tokenize(expr)).parse()
    return RetryDelayExpression(expr, program)


def evaluate_retry_delay(expr: str, retried: int) -> float:
    """Parse ``expr`` and evaluate it for ``retried``; the delay in milliseconds."""
    return parse_retry_delay(expr).evaluate(retried)


def _run(program: tuple[_Instruction, ...], retried: float) -> float:
    stack: list[float] = []
    for ins in program:
        opcode = ins.opcode
        if opcode == "const":
            stack.append(ins.value)
            continue
        if opcode == "retried":
            stack.append(retried)
            continue
        if opcode == "neg":
            stack.append(-stack.pop())
            continue
        if opcode == "call":
            args = stack[len(stack) - ins.argc :]
            del stack[len(stack) - ins.argc :]
            try:
                result = _FUNCTIONS[ins.name].impl(args)
            except RetryDelayError as exc:
                raise RetryDelayError(exc.reason, column=ins.column) from None
        else:
            right = stack.pop()
            left = stack.pop()
            result = _binary(opcode, left, right, ins.column)
        if math.isnan(result):
            raise RetryDelayError("the result is not a number (NaN)", column=ins.column)
        stack.append(result)
    return stack[-1]


def _binary(opcode: _Opcode, left: float, right: float, column: int) -> float:
    if opcode == "+":
        return left + right
    if opcode == "-":
        return left - right
    if opcode == "*":
        return left * right
    if opcode == "/":
        if right == 0:
            raise RetryDelayError("division by zero", column=column)
        return left / right
    # "%": truncated remainder, like C fmod / JavaScript / Go math.Mod.
    if right == 0:
        raise RetryDelayError("modulo by zero", column=column)
    if math.isinf(left):
        return math.nan
    return math.fmod(left, right)
