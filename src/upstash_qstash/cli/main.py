"""``qstash``: run the local server (``qstash dev``) and manage QStash from a terminal."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys

import click

from ._commands import register

__all__ = ["cli"]


@click.group()
@click.version_option(package_name="upstash-qstash")
def cli() -> None:
    """QStash from the terminal: a local server and management commands."""


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option(
    "--port",
    default=8080,
    show_default=True,
    type=click.IntRange(0, 65535),
    envvar="QSTASH_DEV_PORT",
    show_envvar=True,
    help="Port to listen on (0 picks a free one).",
)
@click.option(
    "--db",
    "db_path",
    default=None,
    type=click.Path(dir_okay=False, writable=True),
    help="SQLite file for the server's state [default: upstash-qstash/dev.db under "
    "$XDG_DATA_HOME, or ~/.local/share when that is unset].",
)
@click.option("--in-memory", is_flag=True, help="Keep all state in memory (lost on exit).")
@click.option(
    "--max-body-size",
    default=10 * 1024 * 1024,
    show_default=True,
    type=click.IntRange(1),
    help="Largest accepted message body in bytes (larger ones get 412).",
)
@click.option("--verbose", "-v", is_flag=True, help="Log every delivery attempt.")
def dev(
    host: str, port: int, db_path: str | None, in_memory: bool, max_body_size: int, verbose: bool
) -> None:
    """Run the local QStash-compatible server."""
    try:
        from ..server.app import Server
        from ..server.settings import Settings, default_db_path
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        raise click.ClickException(
            f"the local server needs the [server] extra: pip install 'upstash-qstash[server]' ({exc})"
        ) from exc
    if in_memory and db_path:
        raise click.BadParameter("use either --db or --in-memory, not both", param_hint="--db")
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(message)s",
    )
    path = ":memory:" if in_memory else (db_path or default_db_path())
    settings = Settings(host=host, port=port, db_path=path, max_body_bytes=max_body_size)
    try:
        asyncio.run(_serve(Server(settings)))
    except OSError as exc:
        raise click.ClickException(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}"
        ) from exc


async def _serve(server: object) -> None:
    from ..server.app import Server

    assert isinstance(server, Server)
    await server.start()
    store = "in memory" if server.settings.db_path == ":memory:" else server.settings.db_path
    click.echo(f"QStash local server is running at {server.url} (state: {store})")
    click.echo("Use these environment variables:\n")
    click.echo(server.dotenv())
    sys.stdout.flush()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await server.stop()


register(cli)
