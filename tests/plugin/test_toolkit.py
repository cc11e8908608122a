"""The helpers behind the fixtures, used directly: LocalQStash.reset, AppServer, load_app."""

from __future__ import annotations

from pathlib import Path

import httpx2
import pytest

from upstash_qstash import QStashError
from upstash_qstash.testing import AppServer, LocalQStash, ManualClock, Recorder
from upstash_qstash.testing.apps import detect_interface, load_app


def test_reset_keeps_the_url_and_forgets_everything() -> None:
    with LocalQStash() as qstash, Recorder() as endpoint:
        url = qstash.url
        with qstash.client() as client:
            pending = client.publish(url=endpoint.url, body="later", delay="1h").message_id
            assert client.messages.get(pending).message_id == pending

        qstash.reset(clock=ManualClock(2_000_000_000), max_body_bytes=10)

        assert qstash.url == url
        assert qstash.manual_clock.now() == 2_000_000_000
        with qstash.client() as client:  # same URL, fresh state, new settings
            with pytest.raises(QStashError) as missing:
                client.messages.get(pending)
            assert missing.value.status_code == 404
            with pytest.raises(QStashError) as too_big:
                client.publish(url=endpoint.url, body="x" * 11)
            assert 400 <= too_big.value.status_code < 500
        qstash.advance(7200)
        assert endpoint.requests == []  # the old server's message went with it

        qstash.reset()  # back to the settings it was created with
        with qstash.client() as client:
            client.publish(url=endpoint.url, body="x" * 11)
        qstash.drain()
        assert [r.body for r in endpoint.requests] == [b"x" * 11]


def test_reset_refuses_a_database_file(tmp_path: Path) -> None:
    with (
        LocalQStash(db_path=str(tmp_path / "q.db")) as qstash,
        pytest.raises(ValueError, match="in-memory"),
    ):
        qstash.reset()


def _wsgi(environ: dict[str, object], start_response: object) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [f"wsgi {environ['PATH_INFO']}".encode()]


async def _asgi(scope: dict[str, object], receive: object, send: object) -> None:
    assert scope["type"] in ("http", "lifespan")
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            kind = message["type"].split(".")[-1]
            await send({"type": f"lifespan.{kind}.complete"})
            if kind == "shutdown":
                return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": f"asgi {scope['path']}".encode()})


@pytest.mark.parametrize("app", [_wsgi, _asgi], ids=["wsgi", "asgi"])
def test_app_server_serves_either_kind(app: object) -> None:
    with AppServer(app) as served:
        assert served.url.startswith("http://127.0.0.1:")
        assert httpx2.get(served.url + "/ping").text == f"{served.interface} /ping"


def test_app_detection_and_loading_errors() -> None:
    assert detect_interface(_asgi) == "asgi"
    assert detect_interface(_wsgi) == "wsgi"
    with pytest.raises(TypeError, match="neither an ASGI nor a WSGI"):
        detect_interface(42)
    assert load_app("upstash_qstash.testing.apps:AppServer") is AppServer
    with pytest.raises(ValueError, match="module:attribute"):
        load_app("no_colon_here")
