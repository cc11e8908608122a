"""Helpers shared by the resource operations: id guards, paths, query filters, JSON bodies."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote

from .._errors import RequestValidationError
from .._http import Request, Response

__all__ = [
    "check_keys",
    "empty",
    "filter_query",
    "id_list",
    "json_request",
    "merge",
    "require_id",
    "segment",
]


def merge(request: Mapping[str, Any] | None, kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """The options given as a dict and/or keywords, as a new dict (the caller's is untouched)."""
    if request is not None and not isinstance(request, Mapping):
        raise RequestValidationError(
            "request", f"expected a dict of options, got {type(request).__name__}"
        )
    return {**(request or {}), **kwargs}


def check_keys(options: Mapping[str, Any], known: Iterable[str]) -> None:
    allowed = set(known)
    unknown = sorted(set(options) - allowed)
    if unknown:
        raise RequestValidationError(
            unknown[0], f"unknown option; known options are {', '.join(sorted(allowed))}"
        )


def require_id(field: str, value: Any) -> str:
    """A non-empty id: an empty one must never turn a single-item call into a bulk one."""
    if not isinstance(value, str) or not value.strip():
        raise RequestValidationError(field, f"must be a non-empty string, got {value!r}")
    return value


def segment(field: str, value: Any) -> str:
    """``value`` checked and percent-encoded as one path segment."""
    return quote(require_id(field, value), safe="")


def id_list(field: str, values: Any) -> list[str]:
    if isinstance(values, str) or not isinstance(values, list | tuple) or not values:
        raise RequestValidationError(field, f"must be a non-empty list of ids, got {values!r}")
    return [require_id(f"{field}[{i}]", v) for i, v in enumerate(values)]


def _values(field: str, value: Any) -> list[str]:
    items = [value] if isinstance(value, str | int) and not isinstance(value, bool) else value
    if not isinstance(items, list | tuple) or not items:
        raise RequestValidationError(field, f"must be a value or a non-empty list, got {value!r}")
    out: list[str] = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, str | int) or str(item).strip() == "":
            raise RequestValidationError(field, f"invalid value {item!r}")
        out.append(str(item))
    return out


def _ms(field: str, value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise RequestValidationError(
            field, f"must be a Unix time in milliseconds (int >= 0), got {value!r}"
        )
    return str(value)


def filter_query(
    options: Mapping[str, Any], names: Mapping[str, str], times: Mapping[str, str] | None = None
) -> list[tuple[str, str]]:
    """Query pairs for the filter fields present in ``options`` (multi-value keys repeated)."""
    query: list[tuple[str, str]] = []
    for field, param in names.items():
        if options.get(field) is not None:
            query.extend((param, v) for v in _values(field, options[field]))
    for field, param in (times or {}).items():
        if options.get(field) is not None:
            query.append((param, _ms(field, options[field])))
    return query


def json_request(
    method: str, path: str, payload: Any, query: Iterable[tuple[str, str]] = ()
) -> Request:
    return Request(
        method,
        path,
        query=tuple(query),
        headers=(("Content-Type", "application/json"),),
        body=json.dumps(payload, separators=(",", ":")).encode(),
    )


def empty(response: Response) -> None:
    """Parse an answer that carries nothing of interest."""
    return None


def positive_int(options: Mapping[str, Any], name: str, minimum: int = 1) -> int | None:
    value = options.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise RequestValidationError(name, f"must be an integer >= {minimum}, got {value!r}")
    return value
