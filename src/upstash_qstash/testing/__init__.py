"""Tools for testing code that uses QStash, with or without pytest.

``LocalQStash`` runs the local server in-process on a manual clock; ``Recorder`` is an HTTP
endpoint that records deliveries; ``AppServer`` serves your ASGI/WSGI app on a loopback
port. The pytest plugin (:mod:`upstash_qstash.testing.plugin`) wraps them in fixtures.

Names are imported on first use, so importing this package (as pytest does when it loads
the plugin) costs nothing.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..server.clock import ManualClock
    from .apps import AppServer
    from .local import LocalQStash
    from .recorder import RecordedRequest, Recorder, Reply

__all__ = ["AppServer", "LocalQStash", "ManualClock", "RecordedRequest", "Recorder", "Reply"]

_WHERE = {
    "AppServer": ".apps",
    "LocalQStash": ".local",
    "ManualClock": "..server.clock",
    "RecordedRequest": ".recorder",
    "Recorder": ".recorder",
    "Reply": ".recorder",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
