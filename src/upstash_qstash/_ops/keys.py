"""Signing keys: read and rotate."""

from __future__ import annotations

from .._http import Request, Response
from ..models import SigningKeys, parse_signing_keys

__all__ = ["build_get", "build_rotate", "parse_keys"]


def build_get() -> Request:
    return Request("GET", "/v2/keys")


def build_rotate() -> Request:
    return Request("POST", "/v2/keys/rotate")


def parse_keys(response: Response) -> SigningKeys:
    return parse_signing_keys(response.json())
