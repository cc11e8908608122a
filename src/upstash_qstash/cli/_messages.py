"""Options shared by ``qstash publish`` and ``qstash schedules create``: one message's settings."""

from __future__ import annotations

from collections.abc import Callable
from typing import IO, Any

import click

from ._common import DURATION, HEADER, JSON_TEXT, CommandFn, merge_headers, url_param

__all__ = ["METHODS", "destination", "message_options", "message_request"]

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


def message_options(*, publish: bool) -> Callable[[CommandFn], CommandFn]:
    """Body, delivery and callback flags; ``publish`` adds the dedup flags."""
    options: list[Callable[[CommandFn], CommandFn]] = [
        click.option("--body", "body", metavar="TEXT", help="Message body."),
        click.option(
            "--body-file",
            type=click.File("rb"),
            help="Read the body from a file ('-' for stdin).",
        ),
        click.option(
            "--json-body",
            type=JSON_TEXT,
            metavar="JSON",
            help="A JSON body (sent as given, Content-Type application/json).",
        ),
        click.option("--content-type", metavar="TYPE", help="Content-Type of the body."),
        click.option(
            "--method",
            "-X",
            type=click.Choice(METHODS, case_sensitive=False),
            help="HTTP method of the delivery [default: POST].",
        ),
        click.option(
            "--header",
            "-H",
            "headers",
            multiple=True,
            type=HEADER,
            help="Header forwarded to the destination, 'Name: value' (repeatable).",
        ),
        click.option(
            "--delay", type=DURATION, help="Wait before the first delivery (10s, 5m, 1h)."
        ),
        click.option("--retries", type=click.IntRange(0), help="Retries after a failed delivery."),
        click.option(
            "--retry-delay",
            metavar="EXPR",
            help="Retry delay expression in ms, e.g. '1000 * retried'.",
        ),
        click.option("--timeout", type=DURATION, help="How long a delivery may take."),
        click.option(
            "--callback", type=url_param, help="URL called with each delivery's response."
        ),
        click.option(
            "--failure-callback", type=url_param, help="URL called when every attempt failed."
        ),
        click.option("--label", "labels", multiple=True, help="Label of the message (repeatable)."),
        click.option(
            "--queue",
            metavar="NAME",
            help="Append to this queue instead of delivering right away.",
        ),
        click.option("--flow-key", metavar="KEY", help="Flow-control key."),
        click.option(
            "--flow-parallelism",
            type=click.IntRange(1),
            help="Deliveries in flight at most for the flow-control key.",
        ),
        click.option(
            "--flow-rate", type=click.IntRange(1), help="Deliveries per period for the key."
        ),
        click.option("--flow-period", type=DURATION, help="Period of --flow-rate [default: 1s]."),
    ]
    if publish:
        options += [
            click.option("--dedup-id", metavar="ID", help="Deduplication id."),
            click.option(
                "--content-dedup",
                is_flag=True,
                help="Deduplicate on the message's destination, body and headers.",
            ),
        ]

    def decorate(fn: CommandFn) -> CommandFn:
        for option in reversed(options):
            fn = option(fn)
        return fn

    return decorate


def destination(value: str, param_hint: str = "DESTINATION") -> tuple[str, str]:
    """``("url", value)`` for an http(s) URL, ``("url_group", value)`` for a URL-group name."""
    value = value.strip()
    if value.startswith(("http://", "https://")):
        return "url", value
    if "://" in value or "/" in value or not value:
        raise click.BadParameter(
            f"{value!r} is neither an http(s) URL nor a URL-group name", param_hint=param_hint
        )
    return "url_group", value


def message_request(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Turn the parsed flags into SDK request options (raises click usage errors)."""
    body: str | None = kwargs.pop("body")
    body_file: IO[bytes] | None = kwargs.pop("body_file")
    json_body: str | None = kwargs.pop("json_body")
    given = [
        flag
        for flag, value in (
            ("--body", body),
            ("--body-file", body_file),
            ("--json-body", json_body),
        )
        if value is not None
    ]
    if len(given) > 1:
        raise click.UsageError(f"give only one of {', '.join(given)}")
    request: dict[str, Any] = {}
    if body is not None:
        request["body"] = body
    elif body_file is not None:
        request["body"] = body_file.read()
    elif json_body is not None:
        request["body"] = json_body
        request["content_type"] = "application/json"
    simple = {
        "content_type": "content_type",
        "method": "method",
        "delay": "delay",
        "retries": "retries",
        "retry_delay": "retry_delay",
        "timeout": "timeout",
        "callback": "callback",
        "failure_callback": "failure_callback",
        "queue": "queue",
        "dedup_id": "deduplication_id",
    }
    for flag, option in simple.items():
        value = kwargs.pop(flag, None)
        if value is not None:
            request[option] = value
    if kwargs.pop("content_dedup", False):
        request["content_based_deduplication"] = True
    headers = kwargs.pop("headers")
    if headers:
        request["headers"] = merge_headers(headers)
    labels = kwargs.pop("labels")
    if labels:
        request["label"] = list(labels)
    flow = {
        "key": kwargs.pop("flow_key"),
        "parallelism": kwargs.pop("flow_parallelism"),
        "rate": kwargs.pop("flow_rate"),
        "period": kwargs.pop("flow_period"),
    }
    if any(v is not None for v in flow.values()):
        if flow["key"] is None:
            raise click.UsageError(
                "--flow-parallelism, --flow-rate and --flow-period need --flow-key"
            )
        if flow["parallelism"] is None and flow["rate"] is None:
            raise click.UsageError("--flow-key needs --flow-parallelism or --flow-rate (or both)")
        if flow["period"] is not None and flow["rate"] is None:
            raise click.UsageError("--flow-period needs --flow-rate")
        request["flow_control"] = {k: v for k, v in flow.items() if v is not None}
    return request
