"""FastAPI and Starlette: verify ``Upstash-Signature`` before your handler runs.

FastAPI, as a dependency::

    from upstash_qstash.integrations.fastapi import Delivery, QStashVerifier

    qstash = QStashVerifier(url="https://api.example.com/jobs")

    @app.post("/jobs")
    async def jobs(delivery: Delivery = Depends(qstash)):
        job = delivery.json()

Plain Starlette, as a decorator (the handler gets the request and the delivery)::

    @qstash_endpoint(base_url="https://api.example.com")
    async def jobs(request: Request, delivery: Delivery) -> Response: ...

Needs the ``fastapi`` extra (Starlette is all it imports). Rejections: 401 without a
signature, 403 with an invalid one; FastAPI answers ``{"detail": "..."}``, the Starlette
decorator ``{"error": "..."}``.
"""

# No ``from __future__ import annotations`` here: FastAPI reads the ``Request`` annotation of
# ``QStashVerifier.__call__`` at runtime.

import functools
import inspect
from collections.abc import Awaitable, Callable
from typing import Any, Unpack, cast, overload

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ._common import CheckOptions, Delivery, QStashCheck, Rejection

__all__ = ["Delivery", "QStashVerifier", "qstash_endpoint", "verify_qstash"]

Handler = Callable[[Request, Delivery], Awaitable[Response] | Response]
Endpoint = Callable[[Request], Awaitable[Response]]


async def _check(check: QStashCheck, request: Request) -> Delivery:
    body = await request.body()  # cached by Starlette: the handler can read it again
    scope = request.scope
    raw_path = scope.get("raw_path")
    path = (
        raw_path.decode("latin-1")
        if isinstance(raw_path, bytes) and raw_path
        else scope.get("root_path", "") + scope["path"]
    )
    query = scope.get("query_string", b"").decode("latin-1")
    pairs = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]]
    return check.check(pairs, body, path=path, query=query)


class QStashVerifier(QStashCheck):
    """A FastAPI dependency returning the verified :class:`Delivery`.

    Takes the options of :class:`~upstash_qstash.integrations._common.QStashCheck`
    (``receiver`` or keys, ``url`` or ``base_url``, ``clock_tolerance``).
    """

    async def __call__(self, request: Request) -> Delivery:
        try:
            return await _check(self, request)
        except Rejection as exc:
            raise HTTPException(exc.status, exc.message, headers=exc.headers or None) from None


verify_qstash = QStashVerifier()
"""Ready-made dependency: keys from the environment, no URL check."""


@overload
def qstash_endpoint(handler: Handler, /) -> Endpoint: ...


@overload
def qstash_endpoint(
    handler: None = None,
    /,
    **options: Unpack[CheckOptions],
) -> Callable[[Handler], Endpoint]: ...


def qstash_endpoint(
    handler: Handler | None = None, /, **options: Unpack[CheckOptions]
) -> Endpoint | Callable[[Handler], Endpoint]:
    """Decorate a Starlette handler ``(request, delivery)`` into an endpoint ``(request)``.

    Usable bare (``@qstash_endpoint``) or with options (``@qstash_endpoint(url=...)``).
    The delivery is also stored as ``request.state.qstash``.
    """
    check = QStashCheck(**options)

    def decorate(fn: Handler) -> Endpoint:
        @functools.wraps(fn)
        async def endpoint(request: Request) -> Response:
            try:
                delivery = await _check(check, request)
            except Rejection as exc:
                return JSONResponse(exc.payload(), exc.status, headers=exc.headers or None)
            request.state.qstash = delivery
            result: Any = (
                await fn(request, delivery)
                if inspect.iscoroutinefunction(fn)
                else await run_in_threadpool(fn, request, delivery)
            )
            if inspect.isawaitable(result):
                result = await result
            return cast(Response, result)

        return endpoint

    return decorate(handler) if handler is not None else decorate
