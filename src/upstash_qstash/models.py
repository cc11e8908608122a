"""Typed responses: frozen, slotted dataclasses parsed by explicit functions.

Each keeps the JSON it came from in ``raw``; unknown fields are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["PublishResponse", "parse_publish_response"]


@dataclass(frozen=True, slots=True)
class PublishResponse:
    """One published message: its id, the URL it goes to, and whether it was a duplicate."""

    message_id: str
    url: str | None = None
    deduplicated: bool = False
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


def _publish_item(data: dict[str, Any]) -> PublishResponse:
    return PublishResponse(
        message_id=str(data["messageId"]),
        url=data.get("url"),
        deduplicated=bool(data.get("deduplicated", False)),
        raw=data,
    )


def parse_publish_response(data: Any) -> PublishResponse | list[PublishResponse]:
    """A URL publish answers one object; a URL-group publish answers a list, one per endpoint."""
    if isinstance(data, list):
        return [_publish_item(item) for item in data]
    return _publish_item(data)
