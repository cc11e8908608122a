"""A Flask app served by werkzeug's threaded server on loopback."""

from __future__ import annotations

from typing import Any

import flask
from receiving_support import BODY, Call, check_endpoint

from upstash_qstash.integrations.flask import Delivery, verify_qstash
from upstash_qstash.testing.local import LocalQStash


def test_flask_decorator_real_deliveries_and_forgeries(qstash: LocalQStash, serve: Any) -> None:
    calls: list[Call] = []
    based_calls: list[Call] = []

    def make_app(base: str) -> flask.Flask:
        app = flask.Flask("receiving")

        @app.post("/jobs")
        @verify_qstash(receiver=qstash.receiver(), url=base + "/jobs")
        def jobs(delivery: Delivery) -> Any:
            calls.append(
                Call(
                    delivery.body,
                    delivery.signature,
                    {
                        "reread": flask.request.get_data(),
                        "json": flask.request.get_json(),
                        "g": flask.g.qstash is delivery,
                    },
                )
            )
            return {"ok": True}

        @app.post("/tenant/<name>/hook")
        @verify_qstash(receiver=qstash.receiver(), base_url=base)
        def tenant_hook(delivery: Delivery, name: str) -> Any:
            based_calls.append(Call(delivery.body, delivery.signature, {"name": name}))
            return {"ok": True}

        return app

    base = serve.wsgi(make_app)
    real = check_endpoint(qstash, base + "/jobs", calls)
    assert real.extra == {"reread": BODY, "json": flask.json.loads(BODY), "g": True}

    based = check_endpoint(qstash, base + "/tenant/acme/hook?attempt=1", based_calls)
    assert based.extra == {"name": "acme"}


def test_flask_bare_decorator_reads_keys_from_environment(
    qstash: LocalQStash, serve: Any, monkeypatch: Any
) -> None:
    for name, value in qstash.env().items():
        monkeypatch.setenv(name, value)
    calls: list[Call] = []

    def make_app(base: str) -> flask.Flask:
        app = flask.Flask("receiving_env")

        @app.post("/hook")
        @verify_qstash
        def hook(delivery: Delivery) -> Any:
            calls.append(Call(delivery.body, delivery.signature))
            return "", 204

        return app

    base = serve.wsgi(make_app)
    with qstash.client() as client:
        client.publish(url=base + "/hook", body=BODY, retries=0)
    qstash.drain()
    assert [c.body for c in calls] == [BODY]
