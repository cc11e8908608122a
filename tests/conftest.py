from __future__ import annotations

from collections.abc import Iterator

import pytest

from upstash_qstash.server.clock import ManualClock
from upstash_qstash.testing.local import LocalQStash
from upstash_qstash.testing.recorder import Recorder


@pytest.fixture
def qstash() -> Iterator[LocalQStash]:
    """The local server on a free loopback port, on a manual clock, state in memory."""
    with LocalQStash(clock=ManualClock()) as server:
        yield server


@pytest.fixture
def endpoint() -> Iterator[Recorder]:
    """A real HTTP destination that records every request."""
    with Recorder() as recorder:
        yield recorder
