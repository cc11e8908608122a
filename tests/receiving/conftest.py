"""Real framework apps on loopback ports for the receiving tests.

``serve.asgi(make_app)`` / ``serve.wsgi(make_app)`` bind a free loopback port first, build the
app with its own public URL (so it can be configured with ``url=...``), and serve it from a
thread (uvicorn for ASGI, werkzeug's threaded server for WSGI) until the test ends.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest
import uvicorn
from werkzeug.serving import make_server


class Servers:
    def __init__(self, stack: ExitStack) -> None:
        self._stack = stack

    @staticmethod
    def _socket() -> tuple[socket.socket, str]:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        return sock, f"http://127.0.0.1:{sock.getsockname()[1]}"

    def asgi(self, make_app: Callable[[str], Any]) -> str:
        sock, base = self._socket()
        server = uvicorn.Server(uvicorn.Config(make_app(base), log_level="warning", lifespan="off"))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.01)

        def stop() -> None:
            server.should_exit = True
            thread.join(10)
            sock.close()

        self._stack.callback(stop)
        return base

    def wsgi(self, make_app: Callable[[str], Any]) -> str:
        sock, base = self._socket()
        port = sock.getsockname()[1]
        sock.close()  # werkzeug binds by itself; the port was free a moment ago
        server = make_server("127.0.0.1", port, make_app(base), threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()

        def stop() -> None:
            server.shutdown()
            server.server_close()
            thread.join(10)

        self._stack.callback(stop)
        return base


@pytest.fixture
def serve() -> Iterator[Servers]:
    with ExitStack() as stack:
        yield Servers(stack)
