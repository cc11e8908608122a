"""FastAPI (dependency) and Starlette (decorator) apps served by uvicorn on loopback.

No ``from __future__ import annotations``: FastAPI must see the endpoint's annotations, and
the dependency object lives in a local scope.
"""

from typing import Annotated, Any

from fastapi import Depends, FastAPI
from receiving_support import BODY, Call, check_endpoint
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from upstash_qstash.integrations.fastapi import Delivery, QStashVerifier, qstash_endpoint
from upstash_qstash.testing.local import LocalQStash


def test_fastapi_dependency_real_deliveries_and_forgeries(qstash: LocalQStash, serve: Any) -> None:
    calls: list[Call] = []

    def make_app(base: str) -> FastAPI:
        app = FastAPI()
        verified = QStashVerifier(receiver=qstash.receiver(), url=base + "/jobs")

        @app.post("/jobs")
        async def jobs(
            request: Request, delivery: Annotated[Delivery, Depends(verified)]
        ) -> dict[str, Any]:
            calls.append(
                Call(
                    delivery.body,
                    delivery.signature,
                    {
                        # the body is still readable by the handler after verification
                        "reread": await request.body(),
                        "json": delivery.json(),
                        "message_id": delivery.message_id,
                        "retried": delivery.retried,
                    },
                )
            )
            return {"ok": True}

        return app

    base = serve.asgi(make_app)
    real = check_endpoint(qstash, base + "/jobs", calls, error_key="detail")
    assert real.extra["reread"] == BODY
    assert real.extra["json"]["caption"] == "café — été"
    assert real.extra["message_id"].startswith("msg_")
    assert real.extra["retried"] == 0


def test_starlette_decorator_with_base_url_and_query(qstash: LocalQStash, serve: Any) -> None:
    calls: list[Call] = []
    sync_calls: list[Call] = []

    def make_app(base: str) -> Starlette:
        # base_url + the request's path and query string is the URL QStash signed.
        @qstash_endpoint(receiver=qstash.receiver(), base_url=base)
        async def hook(request: Request, delivery: Delivery) -> Response:
            calls.append(Call(delivery.body, delivery.signature, {"url": delivery.url}))
            assert request.state.qstash is delivery
            return JSONResponse({"ok": True})

        @qstash_endpoint(receiver=qstash.receiver(), base_url=base)
        def sync_hook(request: Request, delivery: Delivery) -> Response:
            sync_calls.append(Call(delivery.body, delivery.signature))
            return JSONResponse({"ok": True})

        return Starlette(
            routes=[
                Route("/tenant/{name}/hook", hook, methods=["POST"]),
                Route("/sync", sync_hook, methods=["POST"]),
            ]
        )

    base = serve.asgi(make_app)
    url = base + "/tenant/acme/hook?attempt=1&x=a%20b"
    real = check_endpoint(qstash, url, calls)
    assert real.extra["url"] == url

    # A plain (sync) handler runs in the thread pool behind the same checks.
    assert check_endpoint(qstash, base + "/sync", sync_calls).body == BODY
    assert len(calls) == 2
