"""The aiohttp application and the :class:`Server` that runs it with its store and engine."""

from __future__ import annotations

import logging
import socket
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from . import callbacks, flow_control, queues, scheduler
from .clock import Clock, SystemClock
from .delivery import AiohttpDeliverer, Deliverer
from .engine import Engine
from .errors import ApiError
from .http import json_response
from .routes import batch, dlq, events, keys, messages, publish, schedules, topics
from .routes import flow_control as flow_control_routes
from .routes import queues as queue_routes
from .settings import Settings
from .state import STATE_KEY, USER_KEY, ServerState
from .store import SQLiteStore

__all__ = ["Server", "create_app"]

log = logging.getLogger("upstash_qstash.server")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

ROUTE_TABLES = [
    publish.routes,
    batch.routes,
    messages.routes,
    topics.routes,
    schedules.routes,
    queue_routes.routes,
    dlq.routes,
    events.routes,
    keys.routes,
    flow_control_routes.routes,
]
FEATURES = [queues, flow_control, scheduler, callbacks]


def _token_of(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    query_token = request.query.get("qstash_token")
    return query_token or None


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except ApiError as exc:
        return json_response({"error": exc.message}, status=exc.status)
    except web.HTTPException as exc:
        status = exc.status
        response = None
        if status == 404:
            message = f"no route for {request.method} {request.path}"
        elif status == 405:
            allowed = exc.headers.get("Allow", "")
            message = f"method {request.method} is not allowed on {request.path}" + (
                f" (allowed: {allowed})" if allowed else ""
            )
            response = json_response({"error": message}, status=405)
            if allowed:
                response.headers["Allow"] = allowed
        elif status == 413:
            # QStash answers an oversized body with 412 (a plan limit), not 413.
            status = 412
            message = (
                f"request body is too large: {exc.text}"
                if exc.text
                else "request body is too large"
            )
        elif status < 400:
            raise
        else:
            message = exc.reason
        return response or json_response({"error": message}, status=status)
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return json_response({"error": "internal error; see the server log"}, status=500)


def _auth_middleware(settings: Settings) -> Any:
    users = {user.token: user.user_id for user in settings.users}

    @web.middleware
    async def auth(request: web.Request, handler: Handler) -> web.StreamResponse:
        token = _token_of(request)
        if token is None:
            raise ApiError(
                401, "missing token: send 'Authorization: Bearer <QSTASH_TOKEN>' or ?qstash_token="
            )
        user = users.get(token)
        if user is None:
            raise ApiError(401, "invalid token: it does not belong to any user of this server")
        request[USER_KEY] = user
        return await handler(request)

    return auth


def create_app(state: ServerState) -> web.Application:
    app = web.Application(
        middlewares=[error_middleware, _auth_middleware(state.settings)],
        client_max_size=state.settings.max_batch_bytes + 1024,
    )
    app[STATE_KEY] = state
    for table in ROUTE_TABLES:
        app.add_routes(table)
    return app


class Server:
    """Store + engine + HTTP listener, started and stopped together."""

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock | None = None,
        deliverer: Deliverer | None = None,
    ) -> None:
        self.settings = settings
        self.clock: Clock = clock or SystemClock()
        self.store = SQLiteStore(settings.db_path)
        self.deliverer: Deliverer = deliverer or AiohttpDeliverer(
            max_connections=settings.max_in_flight, max_response_bytes=settings.max_body_bytes
        )
        self.engine = Engine(self.store, settings, self.clock, self.deliverer)
        self.state = ServerState(settings, self.store, self.engine, self.clock)
        for feature in FEATURES:
            feature.install(self)
        self.app = create_app(self.state)
        self._runner: web.AppRunner | None = None
        self.port: int = settings.port

    @property
    def url(self) -> str:
        return f"http://{self.settings.host}:{self.port}"

    async def start(self, *, sock: socket.socket | None = None) -> None:
        """Open the store, start the engine and listen on host:port (or on ``sock``)."""
        await self.store.open()
        await self.engine.start()
        self._runner = web.AppRunner(self.app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site: web.BaseSite
        if sock is not None:
            site = web.SockSite(self._runner, sock)
        else:
            site = web.TCPSite(
                self._runner, self.settings.host, self.settings.port, reuse_address=True
            )
        await site.start()
        sockets = [sock] if sock is not None else getattr(site._server, "sockets", None)
        if sockets:
            self.port = int(sockets[0].getsockname()[1])

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        await self.engine.stop()
        await self.deliverer.close()
        await self.store.close()

    def dotenv(self) -> str:
        """The ``.env`` lines of the default user."""
        user = self.settings.users[0]
        return "\n".join(
            [
                f'QSTASH_URL="{self.url}"',
                f'QSTASH_TOKEN="{user.token}"',
                f'QSTASH_CURRENT_SIGNING_KEY="{user.current_signing_key}"',
                f'QSTASH_NEXT_SIGNING_KEY="{user.next_signing_key}"',
            ]
        )
