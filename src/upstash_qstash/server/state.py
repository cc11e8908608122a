"""What every route handler reaches: settings, store, engine, clock."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from .clock import Clock
from .engine import Engine
from .settings import Settings
from .store import SQLiteStore

__all__ = ["STATE_KEY", "ServerState", "get_state", "user_of"]


@dataclass(slots=True)
class ServerState:
    settings: Settings
    store: SQLiteStore
    engine: Engine
    clock: Clock


STATE_KEY: web.AppKey[ServerState] = web.AppKey("qstash_state", ServerState)
USER_KEY: web.RequestKey[str] = web.RequestKey("qstash_user", str)


def get_state(request: web.Request) -> ServerState:
    return request.app[STATE_KEY]


def user_of(request: web.Request) -> str:
    return request[USER_KEY]
