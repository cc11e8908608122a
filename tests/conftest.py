from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from upstash_qstash.server.clock import ManualClock
from upstash_qstash.testing.local import LocalQStash
from upstash_qstash.testing.recorder import Recorder

_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def _is_loopback(host: object) -> bool:
    if host is None:
        return True  # binding to "any" address: no outside traffic
    if isinstance(host, bytes):
        host = host.decode()
    if not isinstance(host, str):
        return False
    if host.lower() in _LOOPBACK_NAMES or host == "":
        return True
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


class OutsideNetworkError(RuntimeError):
    """A test tried to reach a host that is not this machine."""


def pytest_configure(config: pytest.Config) -> None:
    """Refuse, for the whole test run, any name lookup or connection beyond loopback."""
    real_getaddrinfo = socket.getaddrinfo
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not _is_loopback(host):
            raise socket.gaierror(socket.EAI_NONAME, f"tests may not resolve {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    def check(sock: socket.socket, address: Any) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):
            raise OutsideNetworkError(f"tests may not connect to {address!r}")

    def connect(self: socket.socket, address: Any) -> None:
        check(self, address)
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        check(self, address)
        return real_connect_ex(self, address)

    socket.getaddrinfo = getaddrinfo  # type: ignore[assignment]
    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]


@pytest.fixture
def endpoint() -> Iterator[Recorder]:
    """A real HTTP destination that records every request."""
    with Recorder() as recorder:
        yield recorder


@pytest.fixture
def qstash(endpoint: Recorder) -> Iterator[LocalQStash]:
    """The local server on a free loopback port, on a manual clock, state in memory.

    It depends on ``endpoint`` so that it stops first: no delivery can still be on its way
    to the recorder when the recorder shuts down.
    """
    with LocalQStash(clock=ManualClock()) as server:
        yield server
