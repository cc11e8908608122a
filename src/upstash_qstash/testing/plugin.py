"""The ``qstash`` pytest plugin: test code that publishes and consumes QStash messages offline.

Installed with the package and loaded by pytest automatically (entry point ``pytest11``).
It imports only the standard library and pytest here; the server, the SDK and the web
frameworks are imported inside the fixtures that need them, so projects that never ask for
a fixture pay nothing.

Fixtures (all function-scoped views of one server started once per session):

``qstash_server``
    :class:`~upstash_qstash.testing.LocalQStash` with fresh state for this test (empty
    in-memory store, default signing keys, a new manual clock).
    ``advance``/``drain`` block; async tests whose own loop serves a destination
    ``await`` ``aadvance``/``adrain`` instead.
``qstash_clock``
    its :class:`~upstash_qstash.server.clock.ManualClock`; move time with
    ``qstash_server.advance(seconds)`` to also run everything that falls due.
``qstash_client`` / ``qstash_async_client`` / ``qstash_receiver``
    SDK objects wired to the server.
``qstash_env``
    ``QSTASH_URL``, ``QSTASH_TOKEN``, ``QSTASH_CURRENT_SIGNING_KEY`` and
    ``QSTASH_NEXT_SIGNING_KEY`` set in ``os.environ`` for this test (the dict is returned).
``qstash_recorder``
    a :class:`~upstash_qstash.testing.Recorder` endpoint, emptied for this test, that
    verifies each delivery's signature on arrival.
``qstash_app``
    your ASGI/WSGI app served on a loopback port (see :class:`AppServer`), with
    ``qstash_env`` set; ``qstash_app.url`` is its base URL.

Per-test options go in a marker (module or class markers apply too; the closest wins)::

    @pytest.mark.qstash(app="myproject.main:app", start_time=1_700_000_000, max_body_bytes=1024)

``app`` is an app object or ``"module:attribute"``; ``start_time`` is Unix seconds or an
aware ``datetime``; any other keyword is a server setting (``default_retries``,
``max_retries``, ``max_body_bytes``, ...). Unknown names and values of the wrong kind fail
the test with a one-line message. The ini option ``qstash_app`` sets a default app.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    import ssl

    from ..async_client import AsyncClient
    from ..client import Client
    from ..receiver import Receiver
    from ..server.clock import ManualClock
    from .apps import AppServer
    from .local import LocalQStash
    from .recorder import Recorder

__all__ = [
    "qstash_app",
    "qstash_async_client",
    "qstash_client",
    "qstash_clock",
    "qstash_env",
    "qstash_receiver",
    "qstash_recorder",
    "qstash_server",
]

MARKER = (
    "qstash(app=None, start_time=None, **settings): options for the qstash_* fixtures: the "
    "ASGI/WSGI app qstash_app serves ('module:attribute' or the object), the manual clock's "
    "start (Unix seconds or an aware datetime), and local server settings such as "
    "max_body_bytes or default_retries."
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "qstash_app",
        "the app the qstash_app fixture serves when no marker names one ('module:attribute')",
        default="",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", MARKER)


# ------------------------------------------------------------------ options


def _marker_options(node: pytest.Item) -> dict[str, Any]:
    """Keywords of every ``qstash`` marker on the test, the closest taking precedence."""
    options: dict[str, Any] = {}
    for marker in reversed(list(node.iter_markers("qstash"))):
        if marker.args:
            pytest.fail(
                "@pytest.mark.qstash takes keywords only, e.g. "
                "@pytest.mark.qstash(app='myproject.main:app', start_time=1700000000)",
                pytrace=False,
            )
        options.update(marker.kwargs)
    return options


def _start_time(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            pytest.fail(
                "@pytest.mark.qstash(start_time=...) needs an aware datetime "
                "(e.g. datetime(2030, 1, 1, tzinfo=timezone.utc)) or Unix seconds",
                pytrace=False,
            )
        return value.timestamp()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    pytest.fail(
        f"@pytest.mark.qstash(start_time={value!r}): expected Unix seconds or an aware datetime",
        pytrace=False,
    )


def _settings(options: dict[str, Any]) -> dict[str, Any]:
    import dataclasses

    from ..server.settings import Settings

    settings = {k: v for k, v in options.items() if k not in ("app", "start_time")}
    defaults = {
        f.name: getattr(Settings(), f.name)
        for f in dataclasses.fields(Settings)
        if f.name not in ("host", "port", "db_path")
    }
    unknown = sorted(set(settings) - set(defaults))
    if unknown:
        pytest.fail(
            f"@pytest.mark.qstash got unknown option {unknown[0]!r}; use app, start_time or "
            f"a server setting: {', '.join(sorted(defaults))}",
            pytrace=False,
        )
    for name, value in settings.items():
        problem = _setting_problem(defaults[name], value)
        if problem:
            pytest.fail(f"@pytest.mark.qstash({name}={value!r}): expected {problem}", pytrace=False)
    return settings


def _setting_problem(default: object, value: object) -> str | None:
    """What ``value`` should have been, judged by the setting's default; None when fine."""
    number = isinstance(value, int | float) and not isinstance(value, bool) and value >= 0
    if isinstance(default, int):
        return None if number and isinstance(value, int) else "a non-negative integer"
    if isinstance(default, float):
        return None if number else "a non-negative number of seconds"
    if isinstance(default, str):
        return None if isinstance(value, str) and value else "a non-empty string"
    if isinstance(default, tuple):
        from ..server.settings import DevUser

        users = value if isinstance(value, tuple) else ()
        ok = bool(users) and all(isinstance(user, DevUser) for user in users)
        return None if ok else "a non-empty tuple of DevUser"
    return None


def _require_server_extra() -> None:
    try:
        import upstash_qstash.server  # noqa: F401  (it checks for aiohttp and cronsim)
    except ModuleNotFoundError as exc:
        missing = exc.name
    else:
        return
    # Failed outside the except block, so the report is this one line, not a chain.
    pytest.fail(
        "the qstash_* fixtures run the local server, which needs the [server] extra: "
        f"pip install 'upstash-qstash[server]' ({missing} is not installed)",
        pytrace=False,
    )


# ------------------------------------------------------------------ session resources


class _Session:
    """What the fixtures share for a whole session, each part started on first use.

    Shut down in dependency order: the server first (no delivery is left in flight), then
    the endpoints it delivers to.
    """

    def __init__(self) -> None:
        self._local: LocalQStash | None = None
        self._recorder: Recorder | None = None
        self._ssl_context: ssl.SSLContext | None = None
        self._apps: dict[int, AppServer] = {}

    @property
    def local(self) -> LocalQStash:
        if self._local is None:
            from .local import LocalQStash

            self._local = LocalQStash().start()
        return self._local

    @property
    def recorder(self) -> Recorder:
        if self._recorder is None:
            from .recorder import Recorder

            self._recorder = Recorder().start()
        return self._recorder

    @property
    def ssl_context(self) -> ssl.SSLContext:
        # Built once: an HTTP client builds one otherwise, and that costs ~20 ms per test.
        if self._ssl_context is None:
            import httpx2

            self._ssl_context = httpx2.create_ssl_context()
        return self._ssl_context

    def app_server(self, app: object) -> AppServer:
        from .apps import AppServer

        served = self._apps.get(id(app))
        if served is None or served.app is not app:
            served = AppServer(app).start()
            self._apps[id(app)] = served
        return served

    def close(self) -> None:
        if self._local is not None:
            self._local.stop()
        if self._recorder is not None:
            self._recorder.stop()
        for served in self._apps.values():
            served.stop()


@pytest.fixture(scope="session")
def _qstash_session() -> Iterator[_Session]:
    session = _Session()
    try:
        yield session
    finally:
        session.close()


# ------------------------------------------------------------------ fixtures


@pytest.fixture
def qstash_server(request: pytest.FixtureRequest, _qstash_session: _Session) -> LocalQStash:
    """The local QStash server with fresh state and a new manual clock for this test."""
    _require_server_extra()
    options = _marker_options(request.node)
    start = _start_time(options.get("start_time"))
    settings = _settings(options)
    local = _qstash_session.local
    from ..server.clock import ManualClock

    return local.reset(clock=ManualClock(start), **settings)


@pytest.fixture
def qstash_clock(qstash_server: LocalQStash) -> ManualClock:
    """The server's manual clock (``qstash_server.advance`` also runs what falls due)."""
    return qstash_server.manual_clock


@pytest.fixture
def qstash_client(qstash_server: LocalQStash, _qstash_session: _Session) -> Iterator[Client]:
    """A :class:`~upstash_qstash.Client` for the local server."""
    import httpx2

    from ..client import DEFAULT_TIMEOUT

    with (
        httpx2.Client(timeout=DEFAULT_TIMEOUT, verify=_qstash_session.ssl_context) as http,
        qstash_server.client(http_client=http) as client,
    ):
        yield client


@pytest.fixture
def qstash_async_client(qstash_server: LocalQStash, _qstash_session: _Session) -> AsyncClient:
    """An :class:`~upstash_qstash.AsyncClient` for the local server.

    It keeps no idle connections, so it can be used from any event loop your async test
    runs on and needs no closing.
    """
    import httpx2

    from ..client import DEFAULT_TIMEOUT

    http = httpx2.AsyncClient(
        timeout=DEFAULT_TIMEOUT,
        verify=_qstash_session.ssl_context,
        limits=httpx2.Limits(max_keepalive_connections=0),
    )
    return qstash_server.async_client(http_client=http)


@pytest.fixture
def qstash_receiver(qstash_server: LocalQStash) -> Receiver:
    """A :class:`~upstash_qstash.Receiver` holding the server's signing keys."""
    return qstash_server.receiver()


@pytest.fixture
def qstash_env(qstash_server: LocalQStash, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Set ``QSTASH_URL``, ``QSTASH_TOKEN`` and both signing keys for this test."""
    env = qstash_server.env()
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


@pytest.fixture
def qstash_recorder(qstash_server: LocalQStash, _qstash_session: _Session) -> Recorder:
    """A recording HTTP endpoint, empty for this test, verifying signatures on arrival."""
    recorder = _qstash_session.recorder
    recorder.clear()
    recorder.receiver = qstash_server.receiver()
    return recorder


@pytest.fixture
def qstash_app(
    request: pytest.FixtureRequest,
    qstash_env: dict[str, str],
    _qstash_session: _Session,
) -> AppServer:
    """Your ASGI/WSGI app on a loopback port (served once per session); ``.url`` is its base."""
    from .apps import load_app

    target = _marker_options(request.node).get("app") or request.config.getini("qstash_app")
    if not target:
        pytest.fail(
            "qstash_app needs an app: @pytest.mark.qstash(app=...) or the ini option "
            "qstash_app = 'package.module:attribute'",
            pytrace=False,
        )
    try:
        return _qstash_session.app_server(load_app(target))
    except (ValueError, ImportError, AttributeError, TypeError, RuntimeError) as exc:
        problem = f"{type(exc).__name__}: {exc}"
    # Failed outside the except block, so the report is this one line, not a chain.
    pytest.fail(f"qstash_app cannot serve the app {target!r}: {problem}", pytrace=False)
