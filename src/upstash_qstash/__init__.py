"""Python SDK for Upstash QStash: clients, a Receiver, and (with extras) a local server."""

from ._errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    BurstRateLimitError,
    ConfigurationError,
    DailyLimitError,
    InternalServerError,
    NotFoundError,
    PlanLimitError,
    QStashError,
    RateLimitError,
    RequestValidationError,
    SignatureError,
)
from .async_client import AsyncClient
from .client import Client
from .models import PublishResponse
from .receiver import Receiver

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncClient",
    "AuthenticationError",
    "BadRequestError",
    "BurstRateLimitError",
    "Client",
    "ConfigurationError",
    "DailyLimitError",
    "InternalServerError",
    "NotFoundError",
    "PlanLimitError",
    "PublishResponse",
    "QStashError",
    "RateLimitError",
    "Receiver",
    "RequestValidationError",
    "SignatureError",
]
