"""The suite itself may not reach beyond this machine (guard installed in conftest.py)."""

from __future__ import annotations

import socket

import pytest


def test_guard_refuses_outside_hosts() -> None:
    with pytest.raises(socket.gaierror):
        socket.getaddrinfo("example.com", 443)
    sock = socket.socket()
    try:
        with pytest.raises(RuntimeError, match="may not connect"):
            sock.connect(("93.184.216.34", 80))
    finally:
        sock.close()


def test_guard_allows_loopback() -> None:
    assert socket.getaddrinfo("localhost", 80)
    assert socket.getaddrinfo("127.0.0.1", 80)
