"""Python SDK for Upstash QStash: clients, a Receiver, and (with extras) a local server.

Names are imported on first use, so ``import upstash_qstash`` stays cheap (the pytest plugin
loads in every project that installs the package).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

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
from ._lazy import lazy_exports

if TYPE_CHECKING:
    from ._ops.dlq import DLQFilter, DLQListRequest
    from ._ops.flow_control import PinRequest, UnpinRequest
    from ._ops.logs import LogsRequest
    from ._ops.messages import MessageFilter
    from ._ops.publish import (
        BatchItem,
        BatchJSONItem,
        CallbackOptions,
        EnqueueJSONRequest,
        EnqueueRequest,
        FlowControl,
        PublishJSONRequest,
        PublishRequest,
        Redact,
    )
    from ._ops.queues import UpsertQueueRequest
    from ._ops.schedules import CreateScheduleJSONRequest, CreateScheduleRequest
    from ._ops.url_groups import EndpointSpec
    from ._retry import RetryConfig
    from .async_client import AsyncClient
    from .client import Client
    from .models import (
        CancelResponse,
        DLQDeleteResponse,
        DLQMessage,
        DLQPage,
        DLQRetryResponse,
        Endpoint,
        FlowControlKey,
        GlobalParallelism,
        LogEvent,
        LogPage,
        LogState,
        Message,
        PublishResponse,
        Queue,
        Schedule,
        ScheduleCreated,
        SigningKeys,
        URLGroup,
    )
    from .receiver import Receiver

_LAZY: dict[str, str] = {
    "AsyncClient": ".async_client",
    "BatchItem": "._ops.publish",
    "BatchJSONItem": "._ops.publish",
    "CallbackOptions": "._ops.publish",
    "CancelResponse": ".models",
    "Client": ".client",
    "CreateScheduleJSONRequest": "._ops.schedules",
    "CreateScheduleRequest": "._ops.schedules",
    "DLQDeleteResponse": ".models",
    "DLQFilter": "._ops.dlq",
    "DLQListRequest": "._ops.dlq",
    "DLQMessage": ".models",
    "DLQPage": ".models",
    "DLQRetryResponse": ".models",
    "Endpoint": ".models",
    "EndpointSpec": "._ops.url_groups",
    "EnqueueJSONRequest": "._ops.publish",
    "EnqueueRequest": "._ops.publish",
    "FlowControl": "._ops.publish",
    "FlowControlKey": ".models",
    "GlobalParallelism": ".models",
    "LogEvent": ".models",
    "LogPage": ".models",
    "LogState": ".models",
    "LogsRequest": "._ops.logs",
    "Message": ".models",
    "MessageFilter": "._ops.messages",
    "PinRequest": "._ops.flow_control",
    "PublishJSONRequest": "._ops.publish",
    "PublishRequest": "._ops.publish",
    "PublishResponse": ".models",
    "Queue": ".models",
    "Receiver": ".receiver",
    "Redact": "._ops.publish",
    "RetryConfig": "._retry",
    "Schedule": ".models",
    "ScheduleCreated": ".models",
    "SigningKeys": ".models",
    "URLGroup": ".models",
    "UnpinRequest": "._ops.flow_control",
    "UpsertQueueRequest": "._ops.queues",
}


__getattr__ = lazy_exports(__name__, globals(), _LAZY)


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncClient",
    "AuthenticationError",
    "BadRequestError",
    "BatchItem",
    "BatchJSONItem",
    "BurstRateLimitError",
    "CallbackOptions",
    "CancelResponse",
    "Client",
    "ConfigurationError",
    "CreateScheduleJSONRequest",
    "CreateScheduleRequest",
    "DLQDeleteResponse",
    "DLQFilter",
    "DLQListRequest",
    "DLQMessage",
    "DLQPage",
    "DLQRetryResponse",
    "DailyLimitError",
    "Endpoint",
    "EndpointSpec",
    "EnqueueJSONRequest",
    "EnqueueRequest",
    "FlowControl",
    "FlowControlKey",
    "GlobalParallelism",
    "InternalServerError",
    "LogEvent",
    "LogPage",
    "LogState",
    "LogsRequest",
    "Message",
    "MessageFilter",
    "NotFoundError",
    "PinRequest",
    "PlanLimitError",
    "PublishJSONRequest",
    "PublishRequest",
    "PublishResponse",
    "QStashError",
    "Queue",
    "RateLimitError",
    "Receiver",
    "Redact",
    "RequestValidationError",
    "RetryConfig",
    "Schedule",
    "ScheduleCreated",
    "SignatureError",
    "SigningKeys",
    "URLGroup",
    "UnpinRequest",
    "UpsertQueueRequest",
]
