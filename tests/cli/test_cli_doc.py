"""docs/cli.md only shows commands and options that exist."""

from __future__ import annotations

import re
from pathlib import Path

import click

from upstash_qstash.cli import cli

DOC = Path(__file__).parent.parent.parent / "docs" / "cli.md"


def _command_lines() -> list[str]:
    lines: list[str] = []
    for line in DOC.read_text().splitlines():
        if line.startswith("$ qstash ") or "| qstash " in line:
            lines.append(line.split("qstash ", 1)[1].split("#", 1)[0])
        elif lines and line.startswith("   ") and line.strip().startswith("["):
            lines[-1] += " " + line
    return lines


def test_every_documented_command_and_option_exists() -> None:
    lines = _command_lines()
    assert len(lines) > 20
    for line in lines:
        words = line.split()
        command: click.Command = cli
        ctx = click.Context(cli)
        while isinstance(command, click.Group) and words:
            sub = command.get_command(ctx, words[0])
            assert sub is not None, f"docs/cli.md: unknown command in {line!r}"
            command, words = sub, words[1:]
        assert not isinstance(command, click.Group), line
        known = {opt for p in command.params for opt in p.opts + p.secondary_opts}
        for flag in re.findall(r"(?<![\w-])(--?[a-zA-Z][\w-]*)", " ".join(words)):
            assert flag in known, f"docs/cli.md: {flag} is not an option of {line!r}"


def test_documented_options_table_covers_publish() -> None:
    text = DOC.read_text()
    publish = cli.get_command(click.Context(cli), "publish")
    assert publish is not None
    for param in publish.params:
        if isinstance(param, click.Option) and param.opts[-1] != "--help":
            assert param.opts[-1] in text, f"docs/cli.md does not mention {param.opts[-1]}"
