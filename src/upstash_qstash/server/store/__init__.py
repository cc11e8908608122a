"""Persistence for the local server.

:class:`SQLiteStore` runs named operations (plain functions over a ``sqlite3.Connection``,
grouped by resource in the sibling modules) on one writer thread and commits concurrent
writes together. A write's awaitable resolves only after its transaction committed.
"""

from .sqlite import SQLiteStore, StoreOp

__all__ = ["SQLiteStore", "StoreOp"]
