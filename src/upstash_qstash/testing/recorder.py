"""A real HTTP endpoint on a loopback port that records what it receives.

Point deliveries at ``recorder.url`` (any path below it works), script its answers with
:meth:`Recorder.respond_with`, and read ``recorder.requests``. Give it a ``receiver`` and
every recorded request also carries the outcome of verifying its ``Upstash-Signature``
(``.verified``, ``.signature_error``).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._loop import LoopThread

if TYPE_CHECKING:
    from aiohttp import web

    from ..receiver import Receiver

__all__ = ["RecordedRequest", "Recorder", "Reply"]


@dataclass(frozen=True, slots=True)
class Reply:
    """A scripted answer: status, headers, body, and an optional delay before answering."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | str = b""
    delay: float = 0.0


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    method: str
    path: str
    query: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    url: str
    reply: Reply
    #: True/False when the recorder has a receiver (signature, body hash and ``url``
    #: checked as the request arrived); None when it has none.
    verified: bool | None = None
    #: Why verification failed, when it did.
    signature_error: str | None = None

    def header(self, name: str) -> str | None:
        """The first value of ``name`` (case-insensitive), or None."""
        lowered = name.lower()
        return next((v for k, v in self.headers if k.lower() == lowered), None)

    def json(self) -> Any:
        import json

        return json.loads(self.body)

    def verify(
        self, receiver: Receiver, *, url: str | None = None, clock_tolerance: float = 0
    ) -> bool:
        """Verify the ``Upstash-Signature`` of this request against its raw body."""
        return receiver.verify(
            signature=self.header("Upstash-Signature") or "",
            body=self.body,
            url=url,
            clock_tolerance=clock_tolerance,
        )


Responder = Callable[[RecordedRequest], Reply]


class Recorder:
    """Records requests; answers 200 unless told otherwise."""

    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, *, receiver: Receiver | None = None
    ) -> None:
        #: Verifies each request's ``Upstash-Signature`` on arrival when set.
        self.receiver = receiver
        self._host = host
        self._port = port
        self._thread = LoopThread("qstash-recorder")
        self._runner: web.AppRunner | None = None
        self._lock = threading.Condition()
        self._requests: list[RecordedRequest] = []
        self._script: deque[Reply] = deque()
        self._default = Reply()
        self._responder: Responder | None = None
        self._in_flight = 0
        self._max_in_flight = 0
        self.url = ""

    # -------------------------------------------------------------- lifecycle

    def start(self) -> Recorder:
        from aiohttp import web

        self._thread.start()

        async def setup() -> int:
            app = web.Application(client_max_size=200 * 1024 * 1024)
            app.router.add_route("*", "/{tail:.*}", self._handle)
            # A test endpoint must not hold up teardown for aiohttp's default minute.
            runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=2.0)
            await runner.setup()
            site = web.TCPSite(runner, self._host, self._port)
            await site.start()
            self._runner = runner
            server = site._server
            assert server is not None
            port: int = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
            return port

        self._port = self._thread.run(setup())
        self.url = f"http://{self._host}:{self._port}"
        return self

    def stop(self) -> None:
        if self._runner is not None:
            runner, self._runner = self._runner, None
            self._thread.run(runner.cleanup())
        self._thread.stop()

    def __enter__(self) -> Recorder:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -------------------------------------------------------------- scripting

    def respond_with(self, *replies: Reply | int, then: Reply | int | None = None) -> None:
        """Answer the next requests with ``replies`` in order, then with ``then`` (default 200)."""
        with self._lock:
            self._script = deque(r if isinstance(r, Reply) else Reply(r) for r in replies)
            if then is not None:
                self._default = then if isinstance(then, Reply) else Reply(then)

    def respond_using(self, responder: Responder | None) -> None:
        """Compute each answer with ``responder`` (after any scripted replies)."""
        with self._lock:
            self._responder = responder

    # -------------------------------------------------------------- reading

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    @property
    def max_in_flight(self) -> int:
        """The most requests this endpoint was answering at the same time."""
        with self._lock:
            return self._max_in_flight

    def clear(self) -> None:
        with self._lock:
            self._requests.clear()
            self._script.clear()
            self._default = Reply()
            self._responder = None
            self._max_in_flight = 0

    def wait_for(self, count: int, timeout: float = 10.0) -> list[RecordedRequest]:
        """Block until at least ``count`` requests arrived; raises TimeoutError otherwise."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self._requests) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(
                        f"expected {count} requests at {self.url}, got {len(self._requests)} in {timeout}s"
                    )
                self._lock.wait(remaining)
            return list(self._requests)

    def paths(self) -> Iterable[str]:
        return [r.path for r in self.requests]

    # -------------------------------------------------------------- handler

    def _check_signature(self, request: RecordedRequest) -> tuple[bool | None, str | None]:
        receiver = self.receiver
        if receiver is None:
            return None, None
        from .._errors import SignatureError

        try:
            request.verify(receiver, url=request.url)
        except SignatureError as exc:
            return False, str(exc)
        return True, None

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        import asyncio

        from aiohttp import web

        body = await request.read()
        with self._lock:
            self._in_flight += 1
            self._max_in_flight = max(self._max_in_flight, self._in_flight)
            reply = self._script.popleft() if self._script else None
            responder = self._responder
        try:
            url = f"{self.url}{request.raw_path}"
            draft = RecordedRequest(
                request.method,
                request.path,
                request.query_string,
                tuple(request.headers.items()),
                body,
                url,
                Reply(),
            )
            if reply is None:
                reply = responder(draft) if responder is not None else self._default
            verified, signature_error = self._check_signature(draft)
            recorded = RecordedRequest(
                draft.method,
                draft.path,
                draft.query,
                draft.headers,
                draft.body,
                draft.url,
                reply,
                verified,
                signature_error,
            )
            with self._lock:
                self._requests.append(recorded)
                self._lock.notify_all()
            if reply.delay:
                await asyncio.sleep(reply.delay)
            payload = reply.body.encode() if isinstance(reply.body, str) else reply.body
            return web.Response(status=reply.status, headers=reply.headers, body=payload)
        finally:
            with self._lock:
                self._in_flight -= 1
