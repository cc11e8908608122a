"""``LocalQStash``: the local server in-process, on a free loopback port, for any test runner.

    with LocalQStash() as qstash:
        client = qstash.client()
        client.publish_json(url=..., body={...})
        qstash.advance(86400)          # move the manual clock a day on and deliver what is due

The server runs on a background thread; :meth:`advance` and :meth:`drain` return once every
delivery that became due has finished. :meth:`reset` swaps in a fresh server (empty
in-memory store, new engine, new clock) behind the same URL in a few milliseconds, so one
instance can serve a whole test session with clean state for every test.
"""

from __future__ import annotations

import dataclasses
import socket
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

from ._loop import LoopThread

if TYPE_CHECKING:
    from ..async_client import AsyncClient
    from ..client import Client
    from ..receiver import Receiver
    from ..server.app import Server
    from ..server.clock import Clock, ManualClock

__all__ = ["LocalQStash"]


class LocalQStash:
    """A running local QStash server with a manual clock (unless another clock is given)."""

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        db_path: str = ":memory:",
        host: str = "127.0.0.1",
        port: int = 0,
        **settings: Any,
    ) -> None:
        from ..server.clock import ManualClock
        from ..server.settings import Settings

        self.clock: Clock = clock if clock is not None else ManualClock()
        self._base_settings = dataclasses.replace(
            Settings(host=host, port=port, db_path=db_path), **settings
        )
        self.settings = self._base_settings
        self._thread = LoopThread("qstash-local")
        self._clients: list[Client] = []
        self._server: Server | None = None
        # The listening socket lives as long as this object, so the URL survives reset().
        self._socket: socket.socket | None = None

    # -------------------------------------------------------------- lifecycle

    def start(self) -> LocalQStash:
        if self._server is not None:
            return self
        self._socket = socket.create_server((self.settings.host, self.settings.port))
        self._thread.start()
        try:
            self._launch()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for client in self._clients:
            client.close()
        self._clients.clear()
        self._shutdown_server()
        self._thread.stop()
        if self._socket is not None:
            self._socket.close()
            self._socket = None

    def reset(self, *, clock: Clock | None = None, **settings: Any) -> LocalQStash:
        """Replace the running server by a fresh one on the same URL and return ``self``.

        The new server starts with an empty in-memory store (no messages, schedules, queues,
        topics, DLQ or logs; default signing keys), a new engine, ``clock`` (a new
        :class:`ManualClock` at the current real time when not given) and the settings given
        here (``max_body_bytes=...``) over those this instance was created with. Clients
        keep working: the URL does not change.
        """
        from ..server.clock import ManualClock

        if self.settings.db_path != ":memory:":
            raise ValueError("reset() needs an in-memory store (db_path=':memory:')")
        if self._socket is None:
            raise RuntimeError("LocalQStash is not started")
        self._shutdown_server()
        self.clock = clock if clock is not None else ManualClock()
        self.settings = dataclasses.replace(self._base_settings, **settings)
        self._launch()
        return self

    def _launch(self) -> None:
        from ..server.app import Server

        assert self._socket is not None
        server = Server(self.settings, clock=self.clock)
        # Serve on a duplicate of the long-lived socket: closing it at the next reset leaves
        # the port bound, and connections waiting in the backlog meet the next server.
        listening = self._socket.dup()
        try:
            self._thread.run(server.start(sock=listening))
        except BaseException:
            listening.close()
            self._thread.run(server.stop())
            raise
        self._server = server

    def _shutdown_server(self) -> None:
        if self._server is None:
            return
        server, self._server = self._server, None
        self._thread.run(server.stop())

    def __enter__(self) -> LocalQStash:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def server(self) -> Server:
        assert self._server is not None, "LocalQStash is not started"
        return self._server

    # -------------------------------------------------------------- credentials

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def token(self) -> str:
        return self.settings.users[0].token

    @property
    def current_signing_key(self) -> str:
        return self.settings.users[0].current_signing_key

    @property
    def next_signing_key(self) -> str:
        return self.settings.users[0].next_signing_key

    def env(self) -> dict[str, str]:
        """``QSTASH_URL``, ``QSTASH_TOKEN`` and both signing keys for code that reads them."""
        return {
            "QSTASH_URL": self.url,
            "QSTASH_TOKEN": self.token,
            "QSTASH_CURRENT_SIGNING_KEY": self.current_signing_key,
            "QSTASH_NEXT_SIGNING_KEY": self.next_signing_key,
        }

    def client(self, **kwargs: Any) -> Client:
        """A :class:`Client` for this server; it is closed when this server stops."""
        from ..client import Client

        client = Client(self.token, base_url=self.url, **kwargs)
        self._clients.append(client)
        return client

    def async_client(self, **kwargs: Any) -> AsyncClient:
        from ..async_client import AsyncClient

        return AsyncClient(self.token, base_url=self.url, **kwargs)

    def receiver(self) -> Receiver:
        from ..receiver import Receiver

        return Receiver(
            current_signing_key=self.current_signing_key, next_signing_key=self.next_signing_key
        )

    # -------------------------------------------------------------- time

    @property
    def manual_clock(self) -> ManualClock:
        from ..server.clock import ManualClock

        if not isinstance(self.clock, ManualClock):
            raise TypeError("this LocalQStash runs on another clock; pass clock=ManualClock()")
        return self.clock

    def drain(self, timeout: float = 60.0) -> None:
        """Deliver everything due now and wait until no delivery is in flight."""
        self._thread.run(self.server.engine.drain(), timeout)

    def advance(self, seconds: float, timeout: float = 60.0) -> None:
        """Move the manual clock forward by ``seconds``, running everything that falls due.

        Time is stepped through each due moment in order (a retry scheduled 12 s after a
        failure runs at that moment), so advancing a day runs a day's work.
        """
        self._thread.run(self._run_until(seconds), timeout)

    async def adrain(self) -> None:
        """:meth:`drain` for async code: your event loop keeps running while it waits.

        Use it when a destination is served by the loop your test runs on (the blocking
        :meth:`drain` would stop that endpoint from answering until the timeout). Bound the
        wait with ``asyncio.timeout(...)`` if you need to.
        """
        await self._thread.run_async(self.server.engine.drain())

    async def aadvance(self, seconds: float) -> None:
        """:meth:`advance` for async code: your event loop keeps running while it waits."""
        await self._thread.run_async(self._run_until(seconds))

    def _run_until(self, seconds: float) -> Coroutine[Any, Any, None]:
        if seconds < 0:
            raise ValueError("advance() takes a non-negative number of seconds")
        clock = self.manual_clock
        return self.server.engine.run_until(clock.now() + seconds, clock)
