"""Shared pieces of the management commands: connection options, errors, flag types, output.

Only ``click`` and the standard library are imported here; the SDK is imported when a
command runs, so ``qstash --help`` stays fast.
"""

from __future__ import annotations

import datetime
import functools
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from ..client import Client

    _ParamType = click.ParamType[Any]
else:  # click < 8.2 has no generic ParamType
    _ParamType = click.ParamType

__all__ = [
    "DURATION",
    "HEADER",
    "JSON_TEXT",
    "Conn",
    "api_command",
    "echo_json",
    "fields",
    "table",
    "timestamp",
    "url_param",
]

CommandFn = Callable[..., None]


class Conn:
    """What a management command needs: a lazily built client and the output mode."""

    def __init__(self, token: str | None, url: str | None, as_json: bool) -> None:
        self._token = token
        self._url = url
        self.as_json = as_json
        self._client: Client | None = None

    @property
    def client(self) -> Client:
        if self._client is None:
            if not self._token or not self._token.strip():
                raise click.ClickException(
                    "no QStash token: pass --token or set the QSTASH_TOKEN environment variable"
                )
            from ..client import Client

            # A terminal user should not wait through six attempts: try three times at most.
            self._client = Client(self._token, {"attempts": 3}, base_url=self._url)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()


def _check_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not value.strip().startswith(("http://", "https://")):
        raise click.BadParameter(f"must start with http:// or https://, got {value!r}")
    return value


def api_command(*, json_output: bool = True) -> Callable[[CommandFn], CommandFn]:
    """Give a command ``--token``/``--url`` (and ``--json``) and turn SDK errors into one line.

    The decorated function receives a :class:`Conn` as its first argument.
    """

    def decorate(fn: CommandFn) -> CommandFn:
        @functools.wraps(fn)
        def wrapper(*args: Any, token: str | None, url: str | None, **kwargs: Any) -> None:
            from .._errors import QStashError, RequestValidationError

            as_json = bool(kwargs.pop("as_json", False))
            conn = Conn(token, url, as_json)
            try:
                fn(conn, *args, **kwargs)
            except RequestValidationError as exc:
                raise click.UsageError(
                    _one_line(str(exc)), ctx=click.get_current_context()
                ) from None
            except QStashError as exc:
                raise click.ClickException(_one_line(str(exc))) from None
            finally:
                conn.close()

        command: CommandFn = wrapper
        if json_output:
            command = click.option(
                "--json", "as_json", is_flag=True, help="Print the response as JSON."
            )(command)
        command = click.option(
            "--url",
            envvar="QSTASH_URL",
            callback=_check_url,
            metavar="URL",
            help="QStash URL [env: QSTASH_URL; default: https://qstash.upstash.io].",
        )(command)
        command = click.option(
            "--token",
            envvar="QSTASH_TOKEN",
            metavar="TOKEN",
            help="QStash token [env: QSTASH_TOKEN].",
        )(command)
        return command

    return decorate


def _one_line(text: str) -> str:
    return " ".join(text.split())


# ------------------------------------------------------------------ flag types


class _Duration(_ParamType):
    name = "duration"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        from .._wire.durations import DurationError, parse_duration

        text = str(value).strip()
        try:
            parse_duration(text)
        except DurationError:
            self.fail(
                f"{value!r} is not a duration: use seconds or a number with a unit "
                "(d, h, m, s), e.g. 30, 50s, 10m, 1d10h30m",
                param,
                ctx,
            )
        return text


class _Header(_ParamType):
    name = "'Name: value'"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> tuple[str, str]:
        if isinstance(value, tuple):
            return value
        name, colon, rest = str(value).partition(":")
        name = name.strip()
        if not colon or not name:
            self.fail(f"{value!r} is not a header: write it as 'Name: value'", param, ctx)
        if any(c.isspace() or c in '()<>@,;:\\"/[]?={}' for c in name):
            self.fail(f"{name!r} is not a valid header name", param, ctx)
        return name, rest.strip()


class _JSONText(_ParamType):
    name = "json"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value)
        try:
            json.loads(text)
        except ValueError as exc:
            self.fail(f"not valid JSON ({exc})", param, ctx)
        return text


class _URL(_ParamType):
    name = "url"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value).strip()
        if not text.startswith(("http://", "https://")) or len(text.split("://", 1)[1]) == 0:
            self.fail(f"{value!r} is not an http:// or https:// URL", param, ctx)
        return text


DURATION = _Duration()
HEADER = _Header()
JSON_TEXT = _JSONText()
url_param = _URL()


def merge_headers(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Repeated names are joined with ``, `` (as HTTP folds them)."""
    out: dict[str, str] = {}
    lower: dict[str, str] = {}
    for name, value in pairs:
        key = lower.setdefault(name.lower(), name)
        out[key] = f"{out[key]}, {value}" if key in out else value
    return out


# ------------------------------------------------------------------ output


def echo_json(value: Any) -> None:
    click.echo(json.dumps(value, indent=2, ensure_ascii=False))


def timestamp(ms: int | None) -> str:
    """Unix milliseconds as UTC time; empty for 0/None."""
    if not ms:
        return ""
    moment = datetime.datetime.fromtimestamp(ms / 1000, tz=datetime.UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def text(body: bytes | None) -> str:
    if body is None:
        return ""
    return body.decode("utf-8", errors="replace")


def headers_text(headers: Mapping[str, Sequence[str]] | Mapping[str, str]) -> str:
    parts = []
    for name, value in headers.items():
        joined = value if isinstance(value, str) else ", ".join(value)
        parts.append(f"{name}: {joined}")
    return "; ".join(parts)


def fields(pairs: Sequence[tuple[str, object]]) -> None:
    """``name: value`` lines, aligned; empty values are left out."""
    shown = [(k, v) for k, v in pairs if v not in (None, "", (), [], {})]
    width = max((len(k) for k, _ in shown), default=0)
    for name, value in shown:
        if isinstance(value, bool):
            value = "yes" if value else "no"
        click.echo(f"{name + ':':<{width + 1}} {value}")


def table(headers: Sequence[str], rows: Sequence[Sequence[object]], empty: str) -> None:
    """An aligned table, or ``empty`` when there are no rows."""
    if not rows:
        click.echo(empty)
        return
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    for row in [list(headers), *cells]:
        line = "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True))
        click.echo(line.rstrip())


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
