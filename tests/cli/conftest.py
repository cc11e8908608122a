from __future__ import annotations

import pytest
from cli_support import Run, invoke
from click.testing import Result

from upstash_qstash.testing.local import LocalQStash


@pytest.fixture
def run(qstash: LocalQStash) -> Run:
    """``qstash ...`` with QSTASH_URL/QSTASH_TOKEN of the local server (``env`` overrides)."""

    def call(
        *args: str, input: str | bytes | None = None, env: dict[str, str | None] | None = None
    ) -> Result:
        return invoke(qstash.env(), args, input, env)

    return call
