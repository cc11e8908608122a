"""The package root exports exactly these names (a change here is a public API change)."""

from __future__ import annotations

import upstash_qstash

EXPECTED = {
    # clients and receiving
    "Client",
    "AsyncClient",
    "Receiver",
    # errors
    "QStashError",
    "ConfigurationError",
    "RequestValidationError",
    "SignatureError",
    "APIConnectionError",
    "APITimeoutError",
    "APIStatusError",
    "BadRequestError",
    "AuthenticationError",
    "NotFoundError",
    "PlanLimitError",
    "RateLimitError",
    "DailyLimitError",
    "BurstRateLimitError",
    "InternalServerError",
    # requests
    "RetryConfig",
    "PublishRequest",
    "PublishJSONRequest",
    "EnqueueRequest",
    "EnqueueJSONRequest",
    "BatchItem",
    "BatchJSONItem",
    "FlowControl",
    "Redact",
    "CallbackOptions",
    "MessageFilter",
    "EndpointSpec",
    "CreateScheduleRequest",
    "CreateScheduleJSONRequest",
    "UpsertQueueRequest",
    "DLQFilter",
    "DLQListRequest",
    "LogsRequest",
    "PinRequest",
    "UnpinRequest",
    # responses
    "PublishResponse",
    "Message",
    "CancelResponse",
    "URLGroup",
    "Endpoint",
    "ScheduleCreated",
    "Schedule",
    "Queue",
    "DLQMessage",
    "DLQPage",
    "DLQDeleteResponse",
    "DLQRetryResponse",
    "LogEvent",
    "LogPage",
    "LogState",
    "SigningKeys",
    "FlowControlKey",
    "GlobalParallelism",
}


def test_root_exports_are_pinned() -> None:
    assert set(upstash_qstash.__all__) == EXPECTED
    assert len(upstash_qstash.__all__) == len(set(upstash_qstash.__all__))
    for name in EXPECTED:
        assert getattr(upstash_qstash, name) is not None


def test_no_export_shadows_a_builtin() -> None:
    import builtins

    assert not EXPECTED & set(dir(builtins))
