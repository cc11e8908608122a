"""Errors the server answers with: ``{"error": "..."}`` and a 4xx status."""

from __future__ import annotations


class ApiError(Exception):
    """Raised by handlers; the app turns it into ``status`` + ``{"error": message}``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
