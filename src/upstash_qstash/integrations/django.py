"""Django: a view decorator that verifies ``Upstash-Signature`` (sync and async views).

::

    from upstash_qstash.integrations.django import Delivery, verify_qstash

    @verify_qstash(url="https://api.example.com/jobs/")
    def jobs(request, delivery: Delivery):
        job = delivery.json()
        return HttpResponse(status=204)

    @verify_qstash(base_url="https://api.example.com")
    async def jobs_async(request, delivery: Delivery): ...

The view gets the request, then the verified :class:`Delivery`, then its URL arguments; the
delivery is also stored as ``request.qstash``, and ``request.body`` still holds the raw
body. The view is CSRF-exempt (QStash cannot send a CSRF token; the signature is the
check). Rejections answer 401 (no signature) or 403 (invalid) with ``{"error": "..."}``.
Needs the ``django`` extra.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar, Unpack, overload

from ._common import CheckOptions, Delivery, QStashCheck, Rejection

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponseBase

__all__ = ["Delivery", "verify_qstash"]

P = ParamSpec("P")
R = TypeVar("R")

View = Callable[Concatenate["HttpRequest", Delivery, P], R]


@overload
def verify_qstash(view: View[P, R], /) -> Callable[Concatenate[HttpRequest, P], Any]: ...


@overload
def verify_qstash(
    view: None = None,
    /,
    **options: Unpack[CheckOptions],
) -> Callable[[View[P, R]], Callable[Concatenate[HttpRequest, P], Any]]: ...


def verify_qstash(view: Any = None, /, **options: Unpack[CheckOptions]) -> Any:
    """Decorate a Django view (sync or async); usable bare or with ``QStashCheck`` options."""
    check = QStashCheck(**options)

    def verify(request: HttpRequest) -> Delivery | HttpResponseBase:
        from django.http import JsonResponse, RawPostDataException

        try:
            body = request.body  # raw bytes, read before any form parsing
        except RawPostDataException as exc:
            raise RuntimeError(
                "verify_qstash needs the raw request body, but something (a middleware?) "
                "already read request.POST; the signature cannot be checked"
            ) from exc
        try:
            delivery = check.check(
                request.headers.items(),
                body,
                path=request.path,
                query=request.META.get("QUERY_STRING", ""),
            )
        except Rejection as exc:
            response = JsonResponse(exc.payload(), status=exc.status)
            for name, value in exc.headers.items():
                response[name] = value
            return response
        request.qstash = delivery
        return delivery

    def decorate(fn: View[P, R]) -> Callable[Concatenate[HttpRequest, P], Any]:
        if inspect.iscoroutinefunction(fn):
            afn = fn

            @functools.wraps(fn)
            async def async_wrapper(
                request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs
            ) -> Any:
                outcome = verify(request)
                if not isinstance(outcome, Delivery):
                    return outcome
                return await afn(request, outcome, *args, **kwargs)

            async_wrapper.csrf_exempt = True  # type: ignore[attr-defined]
            return async_wrapper

        @functools.wraps(fn)
        def wrapper(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> Any:
            outcome = verify(request)
            if not isinstance(outcome, Delivery):
                return outcome
            return fn(request, outcome, *args, **kwargs)

        wrapper.csrf_exempt = True  # type: ignore[attr-defined]
        return wrapper

    return decorate(view) if view is not None else decorate
