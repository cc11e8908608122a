"""Header helpers shared by the SDK and the server: canonical names and header maps."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

__all__ = ["HeaderMap", "canonical", "header_map", "parse_bool"]

HeaderMap = dict[str, list[str]]


def canonical(name: str) -> str:
    """Canonicalise a header name the way QStash reports it: ``x-my-header`` -> ``X-My-Header``."""
    return "-".join(part[:1].upper() + part[1:].lower() for part in name.split("-"))


def header_map(pairs: Iterable[tuple[str, str]]) -> HeaderMap:
    """Group header pairs into ``{"Canonical-Name": [values...]}``."""
    result: HeaderMap = {}
    for name, value in pairs:
        result.setdefault(canonical(name), []).append(value)
    return result


_TRUE = {"1", "t", "true"}
_FALSE = {"0", "f", "false"}


def parse_bool(value: str) -> bool:
    """Parse a header boolean the way QStash does (``true``/``True``/``1``/``f``...)."""
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(f"expected true or false, got {value!r}")


def lower_keys(headers: Mapping[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}
