"""Sync/async parity: every public method has a twin with the same name, signature and docstring."""

from __future__ import annotations

import inspect
import re
from typing import Any

import pytest

from upstash_qstash import AsyncClient, Client

LIFECYCLE = {"close", "aclose"}


def _public_methods(cls: type) -> dict[str, Any]:
    return {
        name: member
        for name, member in inspect.getmembers(cls)
        if not name.startswith("_") and (inspect.isfunction(member) or isinstance(member, property))
    }


def _normalise(text: str) -> str:
    """Names that legitimately differ between the twins, mapped to the sync spelling."""
    text = text.replace("AsyncIterator", "Iterator").replace("httpx2.AsyncClient", "httpx2.Client")
    return re.sub(r"\bAsync(?=[A-Z])", "", text)


def _signature(member: Any) -> str:
    if isinstance(member, property):
        member = member.fget
    return _normalise(str(inspect.signature(member)))


def _facades(client: object) -> dict[str, type]:
    return {
        name: type(value)
        for name, value in vars(client).items()
        if not name.startswith("_") and callable(value)
    }


def _pairs() -> list[tuple[str, type, type]]:
    sync = Client("token", base_url="http://127.0.0.1:1")
    async_ = AsyncClient("token", base_url="http://127.0.0.1:1")
    sync_facades, async_facades = _facades(sync), _facades(async_)
    assert set(sync_facades) == set(async_facades)
    pairs = [("Client", Client, AsyncClient)]
    pairs += [(name, sync_facades[name], async_facades[name]) for name in sorted(sync_facades)]
    sync.close()
    return pairs


PAIRS = _pairs()


def test_both_clients_expose_the_same_resource_attributes() -> None:
    names = {name for name, _, _ in PAIRS}
    assert names >= {
        "messages",
        "url_groups",
        "topics",
        "schedules",
        "queues",
        "dlq",
        "logs",
        "signing_keys",
        "flow_control",
    }


@pytest.mark.parametrize(("name", "sync_cls", "async_cls"), PAIRS, ids=[p[0] for p in PAIRS])
def test_twins_match(name: str, sync_cls: type, async_cls: type) -> None:
    sync_methods = _public_methods(sync_cls)
    async_methods = _public_methods(async_cls)
    assert set(sync_methods) - LIFECYCLE == set(async_methods) - LIFECYCLE, name
    assert _normalise(sync_cls.__doc__ or "") == _normalise(async_cls.__doc__ or "")
    for method in sorted(set(sync_methods) - LIFECYCLE):
        s, a = sync_methods[method], async_methods[method]
        where = f"{name}.{method}"
        assert _signature(s) == _signature(a), where
        assert inspect.getdoc(s), f"{where} has no docstring"
        assert inspect.getdoc(s) == inspect.getdoc(a), where
        if isinstance(s, property):
            continue
        if inspect.isgeneratorfunction(s) or "Iterator[" in str(inspect.signature(s)):
            assert not inspect.iscoroutinefunction(a), f"{where} must return an async iterator"
            assert "AsyncIterator[" in str(inspect.signature(a)), where
        else:
            assert inspect.iscoroutinefunction(a), f"{where} must be a coroutine function"
            assert not inspect.iscoroutinefunction(s), where


def test_resources_are_callable_and_return_themselves() -> None:
    client = Client("token", base_url="http://127.0.0.1:1")
    assert client.schedules() is client.schedules
    assert client.topics() is client.topics is client.url_groups
    assert client.keys is client.signing_keys
    client.close()


def test_lifecycle_names() -> None:
    assert inspect.iscoroutinefunction(AsyncClient.aclose)
    assert inspect.iscoroutinefunction(AsyncClient.close)
    assert not inspect.iscoroutinefunction(Client.close)
    assert hasattr(AsyncClient, "__aenter__") and hasattr(Client, "__enter__")
