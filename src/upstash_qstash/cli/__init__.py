"""The ``qstash`` command line (needs the ``[server]`` extra, which brings click)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import click

__all__ = ["cli", "main"]

MISSING_EXTRA = "the qstash command needs the [server] extra: pip install 'upstash-qstash[server]'"


def main() -> None:
    """Entry point of the ``qstash`` console script."""
    try:
        from .main import cli
    except ModuleNotFoundError as exc:
        if exc.name not in ("click", "aiohttp", "cronsim"):
            raise
        sys.exit(f"Error: {MISSING_EXTRA} ({exc.name} is not installed)")
    cli()


def __getattr__(name: str) -> Any:
    if name == "cli":
        from .main import cli

        group: click.Group = cli
        return group
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
