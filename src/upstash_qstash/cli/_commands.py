"""The management commands: publish, messages, schedules, url-groups, queues, dlq, logs, keys,
flow-control. Each is a thin layer over :class:`upstash_qstash.Client`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast, get_args

import click

from .._wire.states import LogState
from ._common import (
    Conn,
    api_command,
    echo_json,
    fields,
    headers_text,
    table,
    text,
    timestamp,
    url_param,
)
from ._messages import destination, message_options, message_request

if TYPE_CHECKING:
    from .._ops.dlq import DLQListRequest
    from .._ops.logs import LogsRequest
    from .._ops.publish import EnqueueRequest, PublishRequest
    from .._ops.schedules import CreateScheduleRequest
    from ..models import DLQMessage, Message, PublishResponse, Schedule

__all__ = ["register"]


def _action(group: click.Group, name: str, argument: str, method: str, doc: str, done: str) -> None:
    """Add ``group name ARGUMENT``: call ``client.<group>.<method>(argument)``, print ``done``.

    For the commands that act on one resource and have nothing to show but that they did.
    """

    @group.command(name, help=doc)
    @click.argument(argument)
    @api_command(json_output=False)
    def command(conn: Conn, **arguments: str) -> None:
        value = arguments[argument]
        resource = getattr(conn.client, str(group.name).replace("-", "_"))
        getattr(resource, method)(value)
        click.echo(done.format(value))


LOG_STATES = get_args(LogState)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _print_published(conn: Conn, result: PublishResponse | list[PublishResponse]) -> None:
    results = result if isinstance(result, list) else [result]
    if conn.as_json:
        echo_json(result.raw if not isinstance(result, list) else [r.raw for r in result])
        return
    for item in results:
        parts = [item.message_id]
        if isinstance(result, list) and item.url:
            parts.append(item.url)
        if item.deduplicated:
            parts.append("(deduplicated)")
        click.echo("  ".join(parts))


# ------------------------------------------------------------------ publish


@click.command()
@click.argument("destination_arg", metavar="URL_OR_GROUP")
@message_options(publish=True)
@api_command()
def publish(conn: Conn, destination_arg: str, **kwargs: Any) -> None:
    """Publish a message to a URL or a URL group.

    Prints the message id (one line per endpoint for a URL group). With --queue the message is appended to that queue (created on first use).
    """
    kind, target = destination(destination_arg, "URL_OR_GROUP")
    request = message_request(kwargs)
    request[kind] = target
    client = conn.client
    queue = request.pop("queue", None)
    if queue is not None:
        _print_published(conn, client.enqueue(cast("EnqueueRequest", request), queue=queue))
    else:
        _print_published(conn, client.publish(cast("PublishRequest", request)))


# ------------------------------------------------------------------ messages


@click.group()
def messages() -> None:
    """Messages waiting for delivery."""


def _message_fields(msg: Message | DLQMessage) -> list[tuple[str, object]]:
    return [
        ("message id", msg.message_id),
        ("url", msg.url),
        ("url group", msg.url_group),
        ("endpoint", msg.endpoint_name),
        ("queue", msg.queue),
        ("schedule", msg.schedule_id),
        ("method", msg.method),
        ("max retries", msg.max_retries),
        ("created", timestamp(msg.created_at)),
        ("not before", timestamp(msg.not_before)),
        ("callback", msg.callback),
        ("failure callback", msg.failure_callback),
        ("labels", ", ".join(msg.labels)),
        ("flow-control key", msg.flow_control_key),
        ("headers", headers_text(msg.header)),
        ("body", text(msg.body)),
    ]


@messages.command("get")
@click.argument("message_id")
@api_command()
def messages_get(conn: Conn, message_id: str) -> None:
    """Show a message that is still waiting for delivery."""
    msg = conn.client.messages.get(message_id)
    if conn.as_json:
        echo_json(msg.raw)
    else:
        fields(_message_fields(msg))


@messages.command("cancel")
@click.argument("message_ids", nargs=-1, metavar="ID...")
@click.option("--all", "cancel_all", is_flag=True, help="Cancel every waiting message.")
@api_command()
def messages_cancel(conn: Conn, message_ids: tuple[str, ...], cancel_all: bool) -> None:
    """Cancel messages so they are not delivered (again)."""
    if bool(message_ids) == cancel_all:
        raise click.UsageError("give message ids or --all (not both)")
    client = conn.client
    if cancel_all:
        result = client.messages.cancel_all()
    elif len(message_ids) == 1:
        result = client.messages.cancel(message_ids[0])
    else:
        result = client.messages.cancel_many(list(message_ids))
    if conn.as_json:
        echo_json(result.raw)
    else:
        click.echo(f"Cancelled {_plural(result.cancelled, 'message')}.")


# ------------------------------------------------------------------ schedules


@click.group()
def schedules() -> None:
    """Cron schedules that publish a message on every trigger."""


@schedules.command("create")
@click.argument("destination_arg", metavar="URL_OR_GROUP")
@click.option("--cron", required=True, help="Cron expression (UTC unless prefixed CRON_TZ=Zone).")
@click.option("--schedule-id", metavar="ID", help="Replace the schedule with this id.")
@message_options(publish=False)
@api_command()
def schedules_create(
    conn: Conn, destination_arg: str, cron: str, schedule_id: str | None, **kwargs: Any
) -> None:
    """Create a schedule; prints its id."""
    _, target = destination(destination_arg, "URL_OR_GROUP")
    request = message_request(kwargs)
    request["destination"] = target
    request["cron"] = cron
    if schedule_id is not None:
        request["schedule_id"] = schedule_id
    created = conn.client.schedules.create(cast("CreateScheduleRequest", request))
    if conn.as_json:
        echo_json(created.raw)
    else:
        click.echo(created.schedule_id)


@schedules.command("list")
@api_command()
def schedules_list(conn: Conn) -> None:
    """List every schedule."""
    found = conn.client.schedules.list()
    if conn.as_json:
        echo_json([s.raw for s in found])
        return
    table(
        ["ID", "CRON", "DESTINATION", "PAUSED", "NEXT RUN"],
        [
            [s.schedule_id, s.cron, s.destination, s.is_paused, timestamp(s.next_schedule_time)]
            for s in found
        ],
        "No schedules.",
    )


def _schedule_fields(s: Schedule) -> list[tuple[str, object]]:
    return [
        ("schedule id", s.schedule_id),
        ("cron", s.cron),
        ("destination", s.destination),
        ("queue", s.queue),
        ("method", s.method),
        ("retries", s.retries),
        ("paused", s.is_paused),
        ("created", timestamp(s.created_at)),
        ("last run", timestamp(s.last_schedule_time)),
        ("next run", timestamp(s.next_schedule_time)),
        ("delay", s.delay),
        ("callback", s.callback),
        ("failure callback", s.failure_callback),
        ("labels", ", ".join(s.labels)),
        ("error", s.error),
        ("headers", headers_text(s.header)),
        ("body", text(s.body)),
    ]


@schedules.command("get")
@click.argument("schedule_id")
@api_command()
def schedules_get(conn: Conn, schedule_id: str) -> None:
    """Show a schedule."""
    found = conn.client.schedules.get(schedule_id)
    if conn.as_json:
        echo_json(found.raw)
    else:
        fields(_schedule_fields(found))


_action(schedules, "delete", "schedule_id", "delete", "Delete a schedule.", "Deleted schedule {}.")


_action(
    schedules,
    "pause",
    "schedule_id",
    "pause",
    "Skip a schedule's triggers until it is resumed.",
    "Paused schedule {}.",
)


_action(
    schedules,
    "resume",
    "schedule_id",
    "resume",
    "Resume a paused schedule.",
    "Resumed schedule {}.",
)


# ------------------------------------------------------------------ url groups


@click.group("url-groups")
def url_groups() -> None:
    """URL groups (topics): publish once, deliver to every endpoint."""


@url_groups.command("add")
@click.argument("name")
@click.argument("urls", nargs=-1, required=True, type=url_param, metavar="URL...")
@api_command(json_output=False)
def url_groups_add(conn: Conn, name: str, urls: tuple[str, ...]) -> None:
    """Add endpoints to a URL group (created if needed)."""
    conn.client.url_groups.add_endpoints(name, [{"url": u} for u in urls])
    click.echo(f"Added {_plural(len(urls), 'endpoint')} to {name}.")


@url_groups.command("remove")
@click.argument("name")
@click.argument("urls", nargs=-1, required=True, type=url_param, metavar="URL...")
@api_command(json_output=False)
def url_groups_remove(conn: Conn, name: str, urls: tuple[str, ...]) -> None:
    """Remove endpoints from a URL group."""
    conn.client.url_groups.remove_endpoints(name, [{"url": u} for u in urls])
    click.echo(f"Removed {_plural(len(urls), 'endpoint')} from {name}.")


@url_groups.command("list")
@api_command()
def url_groups_list(conn: Conn) -> None:
    """List every URL group."""
    found = conn.client.url_groups.list()
    if conn.as_json:
        echo_json([g.raw for g in found])
        return
    table(
        ["NAME", "ENDPOINTS", "UPDATED"],
        [[g.name, len(g.endpoints), timestamp(g.updated_at)] for g in found],
        "No URL groups.",
    )


@url_groups.command("get")
@click.argument("name")
@api_command()
def url_groups_get(conn: Conn, name: str) -> None:
    """Show a URL group and its endpoints."""
    group = conn.client.url_groups.get(name)
    if conn.as_json:
        echo_json(group.raw)
        return
    fields(
        [
            ("name", group.name),
            ("created", timestamp(group.created_at)),
            ("updated", timestamp(group.updated_at)),
        ]
    )
    table(["URL", "NAME"], [[e.url, e.name] for e in group.endpoints], "No endpoints.")


_action(
    url_groups,
    "delete",
    "name",
    "delete",
    "Delete a URL group and its endpoints.",
    "Deleted URL group {}.",
)


# ------------------------------------------------------------------ queues


@click.group()
def queues() -> None:
    """Queues: ordered delivery with a parallelism limit."""


@queues.command("upsert")
@click.argument("name")
@click.option("--parallelism", type=click.IntRange(1), help="Deliveries in flight at most.")
@click.option("--paused/--no-paused", default=None, help="Pause or resume deliveries.")
@api_command(json_output=False)
def queues_upsert(conn: Conn, name: str, parallelism: int | None, paused: bool | None) -> None:
    """Create or update a queue.

    A setting that is not given keeps its current value (for a new queue: parallelism 1,
    not paused).
    """
    from .._errors import NotFoundError

    client = conn.client
    if parallelism is None or paused is None:
        try:
            current = client.queues.get(name)
        except NotFoundError:
            pass
        else:
            parallelism = current.parallelism if parallelism is None else parallelism
            paused = current.paused if paused is None else paused
    client.queues.upsert(queue=name, parallelism=parallelism or 1, paused=bool(paused))
    state = "paused" if paused else "active"
    click.echo(f"Queue {name}: parallelism {parallelism or 1}, {state}.")


@queues.command("list")
@api_command()
def queues_list(conn: Conn) -> None:
    """List every queue."""
    found = conn.client.queues.list()
    if conn.as_json:
        echo_json([q.raw for q in found])
        return
    table(
        ["NAME", "PARALLELISM", "PAUSED", "LAG"],
        [[q.name, q.parallelism, q.paused, q.lag] for q in found],
        "No queues.",
    )


@queues.command("get")
@click.argument("name")
@api_command()
def queues_get(conn: Conn, name: str) -> None:
    """Show a queue."""
    q = conn.client.queues.get(name)
    if conn.as_json:
        echo_json(q.raw)
        return
    fields(
        [
            ("name", q.name),
            ("parallelism", q.parallelism),
            ("paused", q.paused),
            ("lag", str(q.lag)),
            ("created", timestamp(q.created_at)),
            ("updated", timestamp(q.updated_at)),
        ]
    )


_action(queues, "delete", "name", "delete", "Delete a queue.", "Deleted queue {}.")


_action(
    queues,
    "pause",
    "name",
    "pause",
    "Stop delivering from a queue (it still accepts messages).",
    "Paused queue {}.",
)


_action(
    queues,
    "resume",
    "name",
    "resume",
    "Resume delivering from a paused queue.",
    "Resumed queue {}.",
)


# ------------------------------------------------------------------ dlq


@click.group()
def dlq() -> None:
    """The dead-letter queue: messages whose every attempt failed."""


@dlq.command("list")
@click.option("--count", type=click.IntRange(1), help="Entries per page.")
@click.option("--cursor", help="Continue from a previous page.")
@click.option("--message-id", help="Only this message.")
@click.option("--dest", "dest_url", metavar="URL", help="Only messages to this URL.")
@click.option("--url-group", help="Only messages of this URL group.")
@click.option("--queue", help="Only messages of this queue.")
@click.option("--schedule-id", help="Only messages of this schedule.")
@click.option("--label", help="Only messages with this label.")
@click.option("--status", type=click.IntRange(100, 599), help="Only this response status.")
@api_command()
def dlq_list(
    conn: Conn,
    count: int | None,
    cursor: str | None,
    message_id: str | None,
    dest_url: str | None,
    url_group: str | None,
    queue: str | None,
    schedule_id: str | None,
    label: str | None,
    status: int | None,
) -> None:
    """List one page of the DLQ (newest first)."""
    request: dict[str, Any] = {
        k: v
        for k, v in {
            "count": count,
            "cursor": cursor,
            "message_id": message_id,
            "url": dest_url,
            "url_group": url_group,
            "queue": queue,
            "schedule_id": schedule_id,
            "label": label,
            "response_status": status,
        }.items()
        if v is not None
    }
    page = conn.client.dlq.list(cast("DLQListRequest", request))
    if conn.as_json:
        echo_json(page.raw)
        return
    table(
        ["DLQ ID", "MESSAGE ID", "URL", "STATUS", "CREATED"],
        [
            [m.dlq_id, m.message_id, m.url, m.response_status, timestamp(m.created_at)]
            for m in page.messages
        ],
        "The DLQ is empty." if not request else "No matching DLQ entries.",
    )
    if page.cursor:
        click.echo(f"More entries: qstash dlq list --cursor {page.cursor}", err=True)


@dlq.command("get")
@click.argument("dlq_id")
@api_command()
def dlq_get(conn: Conn, dlq_id: str) -> None:
    """Show a DLQ entry with the last response."""
    m = conn.client.dlq.get(dlq_id)
    if conn.as_json:
        echo_json(m.raw)
        return
    fields(
        [
            ("dlq id", m.dlq_id),
            *_message_fields(m),
            ("response status", m.response_status),
            ("response headers", headers_text(m.response_header)),
            ("response body", text(m.response_body)),
        ]
    )


@dlq.command("delete")
@click.argument("dlq_ids", nargs=-1, required=True, metavar="DLQ_ID...")
@api_command(json_output=False)
def dlq_delete(conn: Conn, dlq_ids: tuple[str, ...]) -> None:
    """Delete DLQ entries."""
    client = conn.client
    if len(dlq_ids) == 1:
        client.dlq.delete(dlq_ids[0])
        deleted = 1
    else:
        deleted = client.dlq.delete_many(list(dlq_ids)).deleted
    click.echo(f"Deleted {deleted} DLQ {'entry' if deleted == 1 else 'entries'}.")


@dlq.command("retry")
@click.argument("dlq_ids", nargs=-1, required=True, metavar="DLQ_ID...")
@api_command()
def dlq_retry(conn: Conn, dlq_ids: tuple[str, ...]) -> None:
    """Publish DLQ entries again; prints the new message ids."""
    client = conn.client
    if len(dlq_ids) == 1:
        _print_published(conn, client.dlq.retry(dlq_ids[0]))
        return
    result = client.dlq.retry_many(list(dlq_ids))
    if conn.as_json:
        echo_json(result.raw)
    else:
        for item in result.responses:
            click.echo(item.message_id)


# ------------------------------------------------------------------ logs


@click.command()
@click.option("--message-id", help="Only this message.")
@click.option(
    "--state", type=click.Choice(LOG_STATES, case_sensitive=False), help="Only this state."
)
@click.option("--dest", "dest_url", metavar="URL", help="Only messages to this URL.")
@click.option("--url-group", help="Only messages of this URL group.")
@click.option("--queue", help="Only messages of this queue.")
@click.option("--schedule-id", help="Only messages of this schedule.")
@click.option("--label", help="Only messages with this label.")
@click.option("--count", type=click.IntRange(1), help="Events per page.")
@click.option("--cursor", help="Continue from a previous page.")
@click.option("--oldest-first", is_flag=True, help="Oldest events first.")
@api_command()
def logs(
    conn: Conn,
    message_id: str | None,
    state: str | None,
    dest_url: str | None,
    url_group: str | None,
    queue: str | None,
    schedule_id: str | None,
    label: str | None,
    count: int | None,
    cursor: str | None,
    oldest_first: bool,
) -> None:
    """Show the log of message state changes (newest first)."""
    request: dict[str, Any] = {
        k: v
        for k, v in {
            "message_id": message_id,
            "state": state,
            "url": dest_url,
            "url_group": url_group,
            "queue": queue,
            "schedule_id": schedule_id,
            "label": label,
            "count": count,
            "cursor": cursor,
            "order": "earliestFirst" if oldest_first else None,
        }.items()
        if v is not None
    }
    page = conn.client.logs.list(cast("LogsRequest", request))
    if conn.as_json:
        echo_json(page.raw)
        return
    table(
        ["TIME", "STATE", "MESSAGE ID", "URL", "DETAIL"],
        [
            [
                timestamp(e.time),
                e.state,
                e.message_id,
                e.url,
                e.error or (f"HTTP {e.response_status}" if e.response_status else ""),
            ]
            for e in page.events
        ],
        "No log events.",
    )
    if page.cursor:
        click.echo(f"More events: qstash logs --cursor {page.cursor}", err=True)


# ------------------------------------------------------------------ keys


@click.command()
@click.option("--rotate", is_flag=True, help="Make the next key current and create a new next key.")
@api_command()
def keys(conn: Conn, rotate: bool) -> None:
    """Show (or rotate) the signing keys."""
    client = conn.client
    found = client.keys.rotate() if rotate else client.keys.get()
    if conn.as_json:
        echo_json(found.raw)
    else:
        fields([("current", found.current), ("next", found.next)])


# ------------------------------------------------------------------ flow control


@click.group("flow-control")
def flow_control() -> None:
    """Flow-control keys: limits shared by messages with the same key."""


def _parallelism(max_: int, count: int) -> str:
    return f"{count}/{max_}" if max_ else "-"


def _rate(max_: int, count: int, period: int) -> str:
    if not max_:
        return "-"
    return f"{count}/{max_} per {period}s" if period else f"{count}/{max_}"


@flow_control.command("list")
@click.option("--search", help="Only keys containing this text.")
@api_command()
def flow_control_list(conn: Conn, search: str | None) -> None:
    """List flow-control keys."""
    found = conn.client.flow_control.list(search)
    if conn.as_json:
        echo_json([k.raw for k in found])
        return
    table(
        ["KEY", "WAITING", "PARALLELISM", "RATE", "PAUSED"],
        [
            [
                k.key,
                k.wait_list_size,
                _parallelism(k.parallelism_max, k.parallelism_count),
                _rate(k.rate_max, k.rate_count, k.rate_period),
                k.is_paused,
            ]
            for k in found
        ],
        "No flow-control keys.",
    )


@flow_control.command("get")
@click.argument("key")
@api_command()
def flow_control_get(conn: Conn, key: str) -> None:
    """Show a flow-control key."""
    k = conn.client.flow_control.get(key)
    if conn.as_json:
        echo_json(k.raw)
        return
    fields(
        [
            ("key", k.key),
            ("waiting", str(k.wait_list_size)),
            ("parallelism", _parallelism(k.parallelism_max, k.parallelism_count)),
            ("rate", _rate(k.rate_max, k.rate_count, k.rate_period)),
            ("paused", k.is_paused),
            ("pinned parallelism", k.is_pinned_parallelism),
            ("pinned rate", k.is_pinned_rate),
        ]
    )


_action(
    flow_control,
    "pause",
    "key",
    "pause",
    "Deliver nothing for a key until it is resumed.",
    "Paused flow-control key {}.",
)


_action(
    flow_control,
    "resume",
    "key",
    "resume",
    "Resume deliveries for a key.",
    "Resumed flow-control key {}.",
)


_action(
    flow_control,
    "reset-rate",
    "key",
    "reset_rate",
    "Start a new rate period for a key with a count of zero.",
    "Reset the rate of flow-control key {}.",
)


def register(group: click.Group) -> None:
    for command in (
        publish,
        messages,
        schedules,
        url_groups,
        queues,
        dlq,
        logs,
        keys,
        flow_control,
    ):
        group.add_command(command)
