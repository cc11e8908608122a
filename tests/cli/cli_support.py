"""Helpers of the CLI tests: run ``qstash ...`` in-process against the local server."""

from __future__ import annotations

import json
from typing import Any, Protocol

from click.testing import CliRunner, Result

from upstash_qstash.cli import cli


class Run(Protocol):
    def __call__(
        self, *args: str, input: str | bytes | None = None, env: dict[str, str | None] | None = None
    ) -> Result: ...


def invoke(
    base_env: dict[str, str],
    args: tuple[str, ...],
    input: str | bytes | None = None,
    env: dict[str, str | None] | None = None,
) -> Result:
    runner = CliRunner(env={**base_env, **(env or {})})
    return runner.invoke(cli, list(args), input=input)


def ok(result: Result) -> str:
    """The command's stdout, after checking that it succeeded."""
    assert result.exit_code == 0, (result.exit_code, result.stdout, result.stderr)
    assert result.exception is None
    return result.stdout


def ok_json(result: Result) -> Any:
    return json.loads(ok(result))


def failed(result: Result, code: int) -> str:
    """The one-line ``Error: ...`` of a failed command (never a traceback)."""
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("Error: ")
    return last
