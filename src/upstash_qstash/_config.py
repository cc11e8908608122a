"""The only module that reads ``os.environ``: explicit argument > environment > default."""

from __future__ import annotations

import os

from ._errors import ConfigurationError

__all__ = [
    "DEFAULT_BASE_URL",
    "resolve_base_url",
    "resolve_signing_keys",
    "resolve_token",
]

DEFAULT_BASE_URL = "https://qstash.upstash.io"


def resolve_token(token: str | None) -> str:
    value = token if token is not None else os.environ.get("QSTASH_TOKEN")
    if not value or not value.strip():
        raise ConfigurationError(
            "no QStash token: pass token=... to the client or set QSTASH_TOKEN"
        )
    return value.strip()


def resolve_base_url(base_url: str | None) -> str:
    """Explicit URL > ``QSTASH_URL`` > the default, without a trailing slash.

    A mistaken ``.../v2/publish`` suffix (a common copy-paste) is dropped.
    """
    value = base_url if base_url is not None else os.environ.get("QSTASH_URL") or DEFAULT_BASE_URL
    value = value.strip().rstrip("/")
    for suffix in ("/v2/publish", "/v2"):
        if value.endswith(suffix):
            value = value[: -len(suffix)]
    if not value.startswith(("http://", "https://")):
        raise ConfigurationError(
            f"invalid QStash URL {value!r}: it must start with http:// or https:// "
            "(argument base_url or QSTASH_URL)"
        )
    return value


def resolve_signing_keys(current: str | None, next_key: str | None) -> tuple[str, str]:
    cur = current or os.environ.get("QSTASH_CURRENT_SIGNING_KEY")
    nxt = next_key or os.environ.get("QSTASH_NEXT_SIGNING_KEY")
    missing = [
        name
        for name, value in (
            ("current_signing_key (or QSTASH_CURRENT_SIGNING_KEY)", cur),
            ("next_signing_key (or QSTASH_NEXT_SIGNING_KEY)", nxt),
        )
        if not value
    ]
    if missing:
        raise ConfigurationError("missing signing key: " + " and ".join(missing))
    assert cur is not None and nxt is not None
    return cur, nxt
