"""Tools for testing code that uses QStash, with or without pytest.

``LocalQStash`` runs the local server in-process on a manual clock; ``Recorder`` is an HTTP
endpoint that records deliveries; ``AppServer`` serves your ASGI/WSGI app on a loopback
port. The pytest plugin (:mod:`upstash_qstash.testing.plugin`) wraps them in fixtures.

Names are imported on first use, so importing this package (as pytest does when it loads
the plugin) costs nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from ..server.clock import ManualClock
    from .apps import AppServer
    from .local import LocalQStash
    from .process import DevServerProcess
    from .recorder import RecordedRequest, Recorder, Reply

__all__ = [
    "AppServer",
    "DevServerProcess",
    "LocalQStash",
    "ManualClock",
    "RecordedRequest",
    "Recorder",
    "Reply",
]

_WHERE = {
    "AppServer": ".apps",
    "DevServerProcess": ".process",
    "LocalQStash": ".local",
    "ManualClock": "..server.clock",
    "RecordedRequest": ".recorder",
    "Recorder": ".recorder",
    "Reply": ".recorder",
}


__getattr__ = lazy_exports(__name__, globals(), _WHERE)


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
