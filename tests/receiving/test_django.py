"""Django views (sync under WSGI, async under ASGI/uvicorn) on loopback ports.

Django's settings are process-wide, so they are configured once, with CSRF middleware on:
the decorated views must be CSRF-exempt for QStash's POSTs to get through.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

import django
import pytest
from django.conf import settings
from receiving_support import BODY, Call, check_endpoint

from upstash_qstash.integrations.django import Delivery, verify_qstash
from upstash_qstash.testing.local import LocalQStash


class Urls:
    """The ROOT_URLCONF; each test installs its patterns before its first request."""

    urlpatterns: ClassVar[list[Any]] = []


@pytest.fixture(scope="module", autouse=True)
def django_settings() -> None:
    if not settings.configured:
        settings.configure(
            DEBUG=False,
            SECRET_KEY="receiving-tests",
            ALLOWED_HOSTS=["127.0.0.1", "localhost"],
            ROOT_URLCONF=Urls,  # a class with ``urlpatterns`` works as a urlconf
            MIDDLEWARE=[
                "django.middleware.common.CommonMiddleware",
                "django.middleware.csrf.CsrfViewMiddleware",
            ],
            INSTALLED_APPS=[],
            USE_TZ=True,
        )
        django.setup()


def _install(patterns: list[Any]) -> None:
    from django.urls import clear_url_caches

    Urls.urlpatterns = patterns
    clear_url_caches()


def test_django_sync_and_async_views(qstash: LocalQStash, serve: Any) -> None:
    from django.core.handlers.asgi import ASGIHandler
    from django.core.handlers.wsgi import WSGIHandler
    from django.http import HttpRequest, HttpResponse, JsonResponse
    from django.urls import path

    sync_calls: list[Call] = []
    async_calls: list[Call] = []

    def sync_view(request: HttpRequest, delivery: Delivery, name: str) -> HttpResponse:
        sync_calls.append(
            Call(
                delivery.body,
                delivery.signature,
                {"name": name, "raw": request.body, "attr": request.qstash is delivery},  # type: ignore[attr-defined]
            )
        )
        return JsonResponse({"ok": True})

    async def async_view(request: HttpRequest, delivery: Delivery) -> HttpResponse:
        async_calls.append(Call(delivery.body, delivery.signature, {"json": delivery.json()}))
        return JsonResponse({"ok": True})

    wsgi_base = serve.wsgi(lambda base: WSGIHandler())
    asgi_base = serve.asgi(lambda base: ASGIHandler())
    _install(
        [
            # the WSGI server checks base_url + path; the ASGI one an exact public URL
            path(
                "tenant/<str:name>/hook",
                verify_qstash(receiver=qstash.receiver(), base_url=wsgi_base)(sync_view),
            ),
            path(
                "async/hook",
                verify_qstash(receiver=qstash.receiver(), url=asgi_base + "/async/hook")(
                    async_view
                ),
            ),
        ]
    )

    real = check_endpoint(qstash, wsgi_base + "/tenant/acme/hook?attempt=1", sync_calls)
    assert real.extra == {"name": "acme", "raw": BODY, "attr": True}

    real = check_endpoint(qstash, asgi_base + "/async/hook", async_calls)
    assert real.extra == {"json": json.loads(BODY)}
