"""Routes of `/v2/batch` (filled in by the feature that owns them)."""

from __future__ import annotations

from aiohttp import web

routes = web.RouteTableDef()
