"""Serve your own ASGI or WSGI app on a loopback port, so the local server delivers to it.

    with AppServer(app) as served:          # FastAPI/Starlette/Django ASGI, Flask/Django WSGI
        client.publish_json(url=served.url + "/jobs", body={...})
        qstash.drain()                      # the app's real route ran, signature and all

ASGI apps run under uvicorn (install it: ``pip install uvicorn``), WSGI apps under the
standard library's ``wsgiref`` with a thread per request. Each runs on its own thread with
its own event loop, the way it runs in production, and sees the process environment (set
``QSTASH_*`` before the first request if the app reads them).
"""

from __future__ import annotations

import importlib
import inspect
import socket
import threading
import time
from typing import Any, Literal

__all__ = ["AppServer", "load_app"]

Interface = Literal["asgi", "wsgi"]


def load_app(target: object) -> object:
    """``"package.module:attribute"`` names an app to import; anything else is the app itself."""
    if not isinstance(target, str):
        return target
    module_name, sep, attribute = target.partition(":")
    if not sep or not module_name or not attribute:
        raise ValueError(f"app {target!r} must look like 'package.module:attribute'")
    app: object = importlib.import_module(module_name)
    for part in attribute.split("."):
        app = getattr(app, part)
    return app


def detect_interface(app: object) -> Interface:
    """ASGI apps are coroutine functions (or objects whose ``__call__`` is one)."""
    if not callable(app):
        raise TypeError(f"{app!r} is neither an ASGI nor a WSGI application")
    if inspect.iscoroutinefunction(app) or inspect.iscoroutinefunction(app.__call__):
        return "asgi"
    return "wsgi"


class AppServer:
    """Runs one ASGI or WSGI application on ``host`` and a free port (or ``port``)."""

    def __init__(
        self,
        app: object,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        interface: Interface | None = None,
    ) -> None:
        self.app = load_app(app)
        self.interface: Interface = interface or detect_interface(self.app)
        self._host = host
        self._port = port
        self._thread: threading.Thread | None = None
        self._stop: Any = None
        self.url = ""

    def start(self) -> AppServer:
        if self._thread is not None:
            return self
        sock = socket.create_server((self._host, self._port))
        port = int(sock.getsockname()[1])
        try:
            if self.interface == "asgi":
                self._start_asgi(sock)
            else:
                self._start_wsgi(sock)
        except BaseException:
            sock.close()
            raise
        self.url = f"http://{self._host}:{port}"
        return self

    def stop(self) -> None:
        if self._thread is None:
            return
        self._stop()
        self._thread.join(timeout=10)
        self._thread = None

    def __enter__(self) -> AppServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -------------------------------------------------------------- ASGI

    def _start_asgi(self, sock: socket.socket) -> None:
        try:
            import uvicorn
        except ImportError:
            raise RuntimeError("serving an ASGI app needs uvicorn: pip install uvicorn") from None

        config = uvicorn.Config(
            self.app,  # type: ignore[arg-type]
            log_level="warning",
            access_log=False,
            lifespan="auto",
            ws="none",
            http="h11",
            loop="asyncio",
            timeout_graceful_shutdown=5,
        )
        server = uvicorn.Server(config)
        failure: list[BaseException] = []

        def run() -> None:
            try:
                server.run(sockets=[sock])
            except BaseException as exc:  # reported by start()
                failure.append(exc)
            finally:
                sock.close()

        def stop() -> None:
            server.should_exit = True

        self._thread = threading.Thread(target=run, name="qstash-asgi-app", daemon=True)
        self._stop = stop
        self._thread.start()
        deadline = time.monotonic() + 30
        while not server.started:
            if failure or not self._thread.is_alive():
                self._thread.join()
                self._thread = None
                raise RuntimeError(f"the ASGI app did not start: {failure[:1] or 'exited'}")
            if time.monotonic() > deadline:
                raise RuntimeError("the ASGI app did not start within 30 s")
            time.sleep(0.002)

    # -------------------------------------------------------------- WSGI

    def _start_wsgi(self, sock: socket.socket) -> None:
        import socketserver
        from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

        class QuietHandler(WSGIRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

        class ThreadedServer(socketserver.ThreadingMixIn, WSGIServer):
            daemon_threads = True

        server = ThreadedServer((self._host, 0), QuietHandler, bind_and_activate=False)
        server.socket.close()
        server.socket = sock
        # What HTTPServer.server_bind would set, without its reverse DNS lookup.
        server.server_address = sock.getsockname()
        server.server_name = self._host
        server.server_port = int(sock.getsockname()[1])
        server.setup_environ()
        server.set_app(self.app)  # type: ignore[arg-type]

        def run() -> None:
            server.serve_forever(poll_interval=0.05)

        def stop() -> None:
            server.shutdown()
            server.server_close()

        self._thread = threading.Thread(target=run, name="qstash-wsgi-app", daemon=True)
        self._stop = stop
        self._thread.start()
