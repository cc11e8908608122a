"""Flask: a view decorator that verifies ``Upstash-Signature`` before the view runs.

::

    from upstash_qstash.integrations.flask import Delivery, verify_qstash

    @app.post("/jobs")
    @verify_qstash(url="https://api.example.com/jobs")
    def jobs(delivery: Delivery):
        job = delivery.json()
        return "", 204

The view gets the verified :class:`Delivery` as its first argument (URL variables follow as
keyword arguments); it is also stored as ``flask.g.qstash``. ``request.get_data()`` still
returns the raw body. Rejections answer 401 (no signature) or 403 (invalid) with
``{"error": "..."}``. Needs the ``flask`` extra.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, TypeVar, Unpack, overload

from ._common import CheckOptions, Delivery, QStashCheck, Rejection

__all__ = ["Delivery", "verify_qstash"]

P = ParamSpec("P")
R = TypeVar("R")


@overload
def verify_qstash(view: Callable[Concatenate[Delivery, P], R], /) -> Callable[P, Any]: ...


@overload
def verify_qstash(
    view: None = None,
    /,
    **options: Unpack[CheckOptions],
) -> Callable[[Callable[Concatenate[Delivery, P], R]], Callable[P, Any]]: ...


def verify_qstash(view: Any = None, /, **options: Unpack[CheckOptions]) -> Any:
    """Decorate a Flask view; usable bare or with the options of ``QStashCheck``."""
    check = QStashCheck(**options)

    def decorate(fn: Callable[Concatenate[Delivery, P], R]) -> Callable[P, Any]:
        @functools.wraps(fn)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> Any:
            import flask

            request = flask.request
            body = request.get_data(cache=True, parse_form_data=False)
            path = request.environ.get("SCRIPT_NAME", "") + request.environ.get("PATH_INFO", "")
            path = path.encode("latin-1").decode("utf-8", "replace")
            query = request.environ.get("QUERY_STRING", "")
            try:
                delivery = check.check(request.headers.items(), body, path=path, query=query)
            except Rejection as exc:
                return flask.jsonify(exc.payload()), exc.status, exc.headers
            flask.g.qstash = delivery
            return fn(delivery, *args, **kwargs)

        return wrapper

    return decorate(view) if view is not None else decorate
