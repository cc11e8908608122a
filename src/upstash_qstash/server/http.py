"""Request helpers shared by the route modules."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from .errors import ApiError

__all__ = [
    "json_response",
    "ok",
    "query_int",
    "query_values",
    "raw_remainder",
    "read_body",
    "read_json",
]


def json_response(data: Any, status: int = 200) -> web.Response:
    return web.Response(
        body=json.dumps(data, separators=(",", ":")).encode(),
        status=status,
        content_type="application/json",
    )


def ok() -> web.Response:
    return web.Response(status=200)


def raw_remainder(request: web.Request, prefix: str) -> tuple[str, list[tuple[str, str]]]:
    """The raw path after ``prefix`` and the raw query pairs (destinations keep their query)."""
    raw = request.raw_path
    path, _, query = raw.partition("?")
    if not path.startswith(prefix):
        raise ApiError(404, f"no route for {path}")
    return path[len(prefix) :], parse_qsl(query, keep_blank_values=True)


async def read_body(request: web.Request, limit: int) -> bytes:
    if request.content_length is not None and request.content_length > limit:
        raise ApiError(
            412,
            f"message body of {request.content_length} bytes exceeds the maximum of {limit} bytes",
        )
    body = await request.content.read(limit + 1)
    if len(body) > limit:
        raise ApiError(412, f"message body exceeds the maximum of {limit} bytes")
    return body


async def read_json(request: web.Request, limit: int = 1024 * 1024) -> Any:
    raw = await read_body(request, limit)
    if not raw.strip():
        raise ApiError(400, "request body must be JSON, got an empty body")
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ApiError(400, f"request body is not valid JSON: {exc}") from None


def query_values(request: web.Request, name: str) -> list[str]:
    """All values of a query parameter, accepting repeats and comma-separated lists."""
    values: list[str] = []
    for raw in request.query.getall(name, []):
        values.extend(v.strip() for v in raw.split(",") if v.strip())
    return values


def query_int(
    request: web.Request,
    name: str,
    *,
    default: int | None = None,
    minimum: int = 0,
    maximum: int | None = None,
) -> int | None:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, f"invalid {name} {raw!r}: expected an integer") from None
    if value < minimum or (maximum is not None and value > maximum):
        bound = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
        raise ApiError(400, f"invalid {name} {value}: must be {bound}")
    return value
