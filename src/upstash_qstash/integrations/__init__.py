"""Signature verification for web frameworks, each behind its optional extra.

* :mod:`upstash_qstash.integrations.fastapi` - FastAPI dependency, Starlette decorator
  (extra ``fastapi``)
* :mod:`upstash_qstash.integrations.flask` - view decorator (extra ``flask``)
* :mod:`upstash_qstash.integrations.django` - view decorator, sync and async (extra ``django``)

Importing this package imports no framework; each module imports only its own.
"""

from __future__ import annotations

from ._common import Delivery, QStashCheck, Rejection

__all__ = ["Delivery", "QStashCheck", "Rejection"]
