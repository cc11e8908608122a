"""Run one test body against ``Client`` and ``AsyncClient`` alike."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from typing import Any

from upstash_qstash.testing.local import LocalQStash


async def _finish(value: Any) -> Any:
    if inspect.isawaitable(value):
        return await value
    if hasattr(value, "__aiter__"):
        return [item async for item in value]
    return value


class SDK:
    """Calls ``fn(client)`` on a sync or an async client and returns a plain result.

    Iterators are collected into lists, so a test body reads the same in both modes.
    """

    def __init__(self, qstash: LocalQStash, mode: str) -> None:
        self.mode = mode
        self._runner: asyncio.Runner | None = None
        if mode == "sync":
            self.client: Any = qstash.client()
        else:
            self._runner = asyncio.Runner()
            self.client = qstash.async_client()

    def __call__(self, fn: Callable[[Any], Any]) -> Any:
        result = fn(self.client)
        if self._runner is not None:
            return self._runner.run(_finish(result))
        return list(result) if inspect.isgenerator(result) else result

    def close(self) -> None:
        if self._runner is not None:
            self._runner.run(self.client.aclose())
            self._runner.close()
        else:
            self.client.close()
