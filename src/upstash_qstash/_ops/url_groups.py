"""URL groups (the API still calls them topics): endpoints a publish fans out to."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypedDict

from .._errors import RequestValidationError
from .._http import Request, Response
from ..models import URLGroup, parse_url_group, parse_url_groups
from .common import json_request, segment

__all__ = [
    "EndpointSpec",
    "build_add_endpoints",
    "build_delete",
    "build_get",
    "build_list",
    "build_remove_endpoints",
    "parse_get",
    "parse_list",
]


class EndpointSpec(TypedDict, total=False):
    """An endpoint: ``url`` (required when adding) and an optional ``name``."""

    url: str
    name: str


def _endpoints(endpoints: Any, *, adding: bool) -> list[dict[str, str]]:
    if isinstance(endpoints, str) or not isinstance(endpoints, Sequence) or not endpoints:
        raise RequestValidationError("endpoints", "must be a non-empty list of endpoints")
    out: list[dict[str, str]] = []
    for index, endpoint in enumerate(endpoints):
        where = f"endpoints[{index}]"
        if not isinstance(endpoint, dict):
            raise RequestValidationError(where, "must be a dict with url and/or name")
        unknown = set(endpoint) - {"url", "name"}
        if unknown:
            raise RequestValidationError(f"{where}.{sorted(unknown)[0]}", "unknown endpoint key")
        item: dict[str, str] = {}
        for key in ("name", "url"):
            value = endpoint.get(key)
            if value is not None:
                if not isinstance(value, str) or not value.strip():
                    raise RequestValidationError(f"{where}.{key}", "must be a non-empty string")
                item[key] = value
        url = item.get("url")
        if url is not None and not url.startswith(("http://", "https://")):
            raise RequestValidationError(f"{where}.url", f"must be an http(s) URL, got {url!r}")
        if adding and url is None:
            raise RequestValidationError(f"{where}.url", "is required")
        if not item:
            raise RequestValidationError(where, "give url or name")
        out.append(item)
    return out


def build_add_endpoints(name: str, endpoints: Sequence[EndpointSpec]) -> Request:
    path = f"/v2/topics/{segment('name', name)}/endpoints"
    return json_request("POST", path, {"endpoints": _endpoints(endpoints, adding=True)})


def build_remove_endpoints(name: str, endpoints: Sequence[EndpointSpec]) -> Request:
    path = f"/v2/topics/{segment('name', name)}/endpoints"
    return json_request("DELETE", path, {"endpoints": _endpoints(endpoints, adding=False)})


def build_list() -> Request:
    return Request("GET", "/v2/topics")


def build_get(name: str) -> Request:
    return Request("GET", f"/v2/topics/{segment('name', name)}")


def build_delete(name: str) -> Request:
    return Request("DELETE", f"/v2/topics/{segment('name', name)}")


def parse_get(response: Response) -> URLGroup:
    return parse_url_group(response.json())


def parse_list(response: Response) -> list[URLGroup]:
    return parse_url_groups(response.json())
