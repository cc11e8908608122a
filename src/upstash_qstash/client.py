"""The synchronous client. Its async twin in ``async_client.py`` mirrors it method by method.

Every method is one line of intent: an operation from ``_ops`` builds the request and parses
the answer, and the driver sends it (with retries). Resource groups are attributes that can
also be called, so ``client.schedules.create(...)`` and the original README's
``client.schedules().create(...)`` both work.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterator, Mapping, Sequence
from types import TracebackType
from typing import Any, Self, Unpack, overload

import httpx2

from ._config import resolve_base_url, resolve_token
from ._ops import dlq as dlq_ops
from ._ops import flow_control as fc_ops
from ._ops import keys as key_ops
from ._ops import logs as log_ops
from ._ops import messages as message_ops
from ._ops import publish as publish_ops
from ._ops import queues as queue_ops
from ._ops import schedules as schedule_ops
from ._ops import url_groups as group_ops
from ._ops.common import empty, merge
from ._retry import RetryConfig, resolve_retry
from ._sync import SyncDriver
from .models import (
    CancelResponse,
    DLQDeleteResponse,
    DLQMessage,
    DLQPage,
    DLQRetryResponse,
    FlowControlKey,
    GlobalParallelism,
    LogEvent,
    LogPage,
    Message,
    PublishResponse,
    Queue,
    Schedule,
    ScheduleCreated,
    SigningKeys,
    URLGroup,
)

__all__ = [
    "DLQ",
    "Client",
    "FlowControl",
    "Keys",
    "Logs",
    "Messages",
    "Queues",
    "Schedules",
    "URLGroups",
]

DEFAULT_TIMEOUT = httpx2.Timeout(60.0, connect=5.0)


class _Resource:
    """A group of endpoints; calling it returns itself (``client.topics()`` in old code)."""

    def __init__(self, driver: SyncDriver) -> None:
        self._driver = driver

    def __call__(self) -> Self:
        return self


class Messages(_Resource):
    """Messages waiting for delivery: read and cancel."""

    def get(self, message_id: str) -> Message:
        """The message with ``message_id`` while it is still pending (404 once delivered)."""
        return self._driver.call(message_ops.build_get(message_id), message_ops.parse_get)

    def cancel(self, message_id: str) -> CancelResponse:
        """Stop further deliveries of one message (an empty id is refused, never sent)."""
        return self._driver.call(message_ops.build_cancel(message_id), message_ops.parse_cancelled)

    def cancel_many(self, message_ids: list[str]) -> CancelResponse:
        """Cancel the messages with these ids."""
        return self._driver.call(
            message_ops.build_cancel_many(message_ids), message_ops.parse_cancelled
        )

    def cancel_by_filter(
        self,
        filter: message_ops.MessageFilter | None = None,
        /,
        **kwargs: Unpack[message_ops.MessageFilter],
    ) -> CancelResponse:
        """Cancel the pending messages matching the filter (at least one filter is required)."""
        return self._driver.call(
            message_ops.build_cancel_by_filter(merge(filter, kwargs)), message_ops.parse_cancelled
        )

    def cancel_all(self, count: int | None = None) -> CancelResponse:
        """Cancel every pending message (at most ``count`` in this call, if given)."""
        return self._driver.call(message_ops.build_cancel_all(count), message_ops.parse_cancelled)


class URLGroups(_Resource):
    """URL groups (called topics by the API and the original README)."""

    def add_endpoints(self, name: str, endpoints: Sequence[group_ops.EndpointSpec]) -> None:
        """Add or update endpoints of URL group ``name``, creating the group if needed."""
        return self._driver.call(group_ops.build_add_endpoints(name, endpoints), empty)

    def upsert_endpoints(self, name: str, endpoints: Sequence[group_ops.EndpointSpec]) -> None:
        """Same as :meth:`add_endpoints`."""
        return self._driver.call(group_ops.build_add_endpoints(name, endpoints), empty)

    def remove_endpoints(self, name: str, endpoints: Sequence[group_ops.EndpointSpec]) -> None:
        """Remove endpoints (each given by ``url`` or ``name``) from URL group ``name``."""
        return self._driver.call(group_ops.build_remove_endpoints(name, endpoints), empty)

    def list(self) -> builtins.list[URLGroup]:
        """Every URL group."""
        return self._driver.call(group_ops.build_list(), group_ops.parse_list)

    def get(self, name: str) -> URLGroup:
        """The URL group ``name`` with its endpoints."""
        return self._driver.call(group_ops.build_get(name), group_ops.parse_get)

    def delete(self, name: str) -> None:
        """Delete URL group ``name`` and its endpoints."""
        return self._driver.call(group_ops.build_delete(name), empty)


class Schedules(_Resource):
    """Cron schedules that publish a message on every trigger."""

    def create(
        self,
        request: schedule_ops.CreateScheduleRequest | None = None,
        /,
        **kwargs: Unpack[schedule_ops.CreateScheduleRequest],
    ) -> ScheduleCreated:
        """Create a schedule (or replace the one with ``schedule_id``)."""
        return self._driver.call(
            schedule_ops.build_create(merge(request, kwargs)), schedule_ops.parse_created
        )

    def create_json(
        self,
        request: schedule_ops.CreateScheduleJSONRequest | None = None,
        /,
        **kwargs: Unpack[schedule_ops.CreateScheduleJSONRequest],
    ) -> ScheduleCreated:
        """Create a schedule whose ``body`` is sent serialised as JSON."""
        return self._driver.call(
            schedule_ops.build_create(merge(request, kwargs), as_json=True),
            schedule_ops.parse_created,
        )

    def get(self, schedule_id: str) -> Schedule:
        """The schedule ``schedule_id``."""
        return self._driver.call(schedule_ops.build_get(schedule_id), schedule_ops.parse_get)

    def list(self) -> builtins.list[Schedule]:
        """Every schedule."""
        return self._driver.call(schedule_ops.build_list(), schedule_ops.parse_list)

    def delete(self, schedule_id: str) -> None:
        """Delete a schedule; messages it already produced are still delivered."""
        return self._driver.call(schedule_ops.build_delete(schedule_id), empty)

    def pause(self, schedule_id: str) -> None:
        """Skip the schedule's triggers until it is resumed."""
        return self._driver.call(schedule_ops.build_pause(schedule_id), empty)

    def resume(self, schedule_id: str) -> None:
        """Resume a paused schedule."""
        return self._driver.call(schedule_ops.build_resume(schedule_id), empty)


class Queues(_Resource):
    """Queues: ordered delivery with a parallelism limit."""

    def upsert(
        self,
        request: queue_ops.UpsertQueueRequest | None = None,
        /,
        **kwargs: Unpack[queue_ops.UpsertQueueRequest],
    ) -> None:
        """Create or update a queue (parallelism 1 and not paused unless given)."""
        return self._driver.call(queue_ops.build_upsert(merge(request, kwargs)), empty)

    def get(self, queue: str) -> Queue:
        """The queue named ``queue``."""
        return self._driver.call(queue_ops.build_get(queue), queue_ops.parse_get)

    def list(self) -> builtins.list[Queue]:
        """Every queue."""
        return self._driver.call(queue_ops.build_list(), queue_ops.parse_list)

    def delete(self, queue: str) -> None:
        """Delete a queue."""
        return self._driver.call(queue_ops.build_delete(queue), empty)

    def pause(self, queue: str) -> None:
        """Stop delivering from a queue; it keeps accepting messages."""
        return self._driver.call(queue_ops.build_pause(queue), empty)

    def resume(self, queue: str) -> None:
        """Resume delivering from a paused queue."""
        return self._driver.call(queue_ops.build_resume(queue), empty)


class DLQ(_Resource):
    """The dead-letter queue: messages that failed every attempt."""

    def list(
        self,
        request: dlq_ops.DLQListRequest | None = None,
        /,
        **kwargs: Unpack[dlq_ops.DLQListRequest],
    ) -> DLQPage:
        """One page of DLQ messages; pass its ``cursor`` back for the next page."""
        return self._driver.call(dlq_ops.build_list(merge(request, kwargs)), dlq_ops.parse_list)

    def iter(
        self,
        request: dlq_ops.DLQListRequest | None = None,
        /,
        **kwargs: Unpack[dlq_ops.DLQListRequest],
    ) -> Iterator[DLQMessage]:
        """Every matching DLQ message, following cursors page by page."""
        options = merge(request, kwargs)
        return self._driver.iterate(
            lambda cursor: dlq_ops.build_list(options, cursor),
            dlq_ops.parse_list,
            dlq_ops.page_items,
        )

    def get(self, dlq_id: str) -> DLQMessage:
        """The DLQ entry ``dlq_id``."""
        return self._driver.call(dlq_ops.build_get(dlq_id), dlq_ops.parse_get)

    def delete(self, dlq_id: str) -> None:
        """Delete one DLQ entry."""
        return self._driver.call(dlq_ops.build_delete(dlq_id), empty)

    def delete_many(self, dlq_ids: builtins.list[str]) -> DLQDeleteResponse:
        """Delete the DLQ entries with these ids."""
        return self._driver.call(dlq_ops.build_delete_many(dlq_ids), dlq_ops.parse_delete_many)

    def delete_by_filter(
        self, filter: dlq_ops.DLQFilter | None = None, /, **kwargs: Unpack[dlq_ops.DLQFilter]
    ) -> DLQDeleteResponse:
        """Delete every DLQ entry matching the filter (all pages)."""
        options = merge(filter, kwargs)
        return self._driver.collect(
            lambda cursor: dlq_ops.build_delete_by_filter(options, cursor),
            dlq_ops.parse_deleted,
            dlq_ops.sum_deleted,
        )

    def retry(self, dlq_id: str) -> PublishResponse:
        """Publish the DLQ entry again as a new message and remove it from the DLQ."""
        return self._driver.call(dlq_ops.build_retry(dlq_id), dlq_ops.parse_retry)

    def retry_many(self, dlq_ids: builtins.list[str]) -> DLQRetryResponse:
        """Retry the DLQ entries with these ids."""
        return self._driver.call(dlq_ops.build_retry_many(dlq_ids), dlq_ops.parse_retry_many)

    def retry_by_filter(
        self, filter: dlq_ops.DLQFilter | None = None, /, **kwargs: Unpack[dlq_ops.DLQFilter]
    ) -> DLQRetryResponse:
        """Retry every DLQ entry matching the filter (all pages)."""
        options = merge(filter, kwargs)
        return self._driver.collect(
            lambda cursor: dlq_ops.build_retry_by_filter(options, cursor),
            dlq_ops.parse_retried,
            dlq_ops.sum_retried,
        )


class Logs(_Resource):
    """The log of message state changes, newest first."""

    def list(
        self, request: log_ops.LogsRequest | None = None, /, **kwargs: Unpack[log_ops.LogsRequest]
    ) -> LogPage:
        """One page of log events; pass its ``cursor`` back for the next page."""
        return self._driver.call(log_ops.build_list(merge(request, kwargs)), log_ops.parse_list)

    def iter(
        self, request: log_ops.LogsRequest | None = None, /, **kwargs: Unpack[log_ops.LogsRequest]
    ) -> Iterator[LogEvent]:
        """Every matching log event, following cursors page by page."""
        options = merge(request, kwargs)
        return self._driver.iterate(
            lambda cursor: log_ops.build_list(options, cursor),
            log_ops.parse_list,
            log_ops.page_items,
        )


class Keys(_Resource):
    """The signing keys QStash signs deliveries with."""

    def get(self) -> SigningKeys:
        """The current and next signing keys."""
        return self._driver.call(key_ops.build_get(), key_ops.parse_keys)

    def rotate(self) -> SigningKeys:
        """Make the next key current and generate a new next key."""
        return self._driver.call(key_ops.build_rotate(), key_ops.parse_keys)


class FlowControl(_Resource):
    """Flow-control keys: live limits shared by messages with the same key."""

    def list(self, search: str | None = None) -> builtins.list[FlowControlKey]:
        """Every flow-control key (whose name contains ``search``, if given)."""
        return self._driver.call(fc_ops.build_list(search), fc_ops.parse_list)

    def get(self, key: str) -> FlowControlKey:
        """The state of flow-control key ``key``."""
        return self._driver.call(fc_ops.build_get(key), fc_ops.parse_get)

    def pause(self, key: str) -> None:
        """Deliver nothing for ``key`` until resumed; new messages wait."""
        return self._driver.call(fc_ops.build_pause(key), empty)

    def resume(self, key: str) -> None:
        """Resume deliveries for ``key``."""
        return self._driver.call(fc_ops.build_resume(key), empty)

    def pin(
        self,
        key: str,
        request: fc_ops.PinRequest | None = None,
        /,
        **kwargs: Unpack[fc_ops.PinRequest],
    ) -> None:
        """Fix ``key``'s parallelism/rate/period, ignoring what new messages carry."""
        return self._driver.call(fc_ops.build_pin(key, merge(request, kwargs)), empty)

    def unpin(
        self,
        key: str,
        request: fc_ops.UnpinRequest | None = None,
        /,
        **kwargs: Unpack[fc_ops.UnpinRequest],
    ) -> None:
        """Release pinned limits of ``key`` (``parallelism=True`` and/or ``rate=True``)."""
        return self._driver.call(fc_ops.build_unpin(key, merge(request, kwargs)), empty)

    def reset_rate(self, key: str) -> None:
        """Start a new rate period for ``key`` with a count of zero."""
        return self._driver.call(fc_ops.build_reset_rate(key), empty)

    def global_parallelism(self) -> GlobalParallelism:
        """Deliveries in flight across the account, and the maximum."""
        return self._driver.call(fc_ops.build_global_parallelism(), fc_ops.parse_global)


class Client:
    """QStash client.

    ``Client("TOKEN")``, ``Client("TOKEN", {"attempts": 2, "backoff": lambda n: ...})`` or
    ``Client()`` with ``QSTASH_TOKEN`` (and optionally ``QSTASH_URL``) in the environment.
    ``retry`` configures calls to QStash itself, not deliveries to your endpoints.
    """

    messages: Messages
    url_groups: URLGroups
    topics: URLGroups
    schedules: Schedules
    queues: Queues
    dlq: DLQ
    logs: Logs
    signing_keys: Keys
    keys: Keys
    flow_control: FlowControl

    def __init__(
        self,
        token: str | None = None,
        retry: RetryConfig | bool | None = None,
        *,
        base_url: str | None = None,
        timeout: float | httpx2.Timeout = DEFAULT_TIMEOUT,
        http_client: httpx2.Client | None = None,
    ) -> None:
        self._driver = SyncDriver(
            base_url=resolve_base_url(base_url),
            token=resolve_token(token),
            retry=resolve_retry(retry),
            timeout=timeout,
            http_client=http_client,
        )
        self.messages = Messages(self._driver)
        self.url_groups = self.topics = URLGroups(self._driver)
        self.schedules = Schedules(self._driver)
        self.queues = Queues(self._driver)
        self.dlq = DLQ(self._driver)
        self.logs = Logs(self._driver)
        self.signing_keys = self.keys = Keys(self._driver)
        self.flow_control = FlowControl(self._driver)

    @property
    def base_url(self) -> str:
        """The QStash URL this client talks to."""
        return self._driver.base_url

    @overload
    def publish(self, request: publish_ops.PublishURLRequest, /) -> PublishResponse: ...
    @overload
    def publish(self, request: publish_ops.PublishURLGroupRequest, /) -> list[PublishResponse]: ...
    @overload
    def publish(self, request: publish_ops.PublishTopicRequest, /) -> list[PublishResponse]: ...
    @overload
    def publish(self, /, **kwargs: Unpack[publish_ops.PublishURLRequest]) -> PublishResponse: ...
    @overload
    def publish(
        self, /, **kwargs: Unpack[publish_ops.PublishURLGroupRequest]
    ) -> list[PublishResponse]: ...
    @overload
    def publish(
        self, /, **kwargs: Unpack[publish_ops.PublishTopicRequest]
    ) -> list[PublishResponse]: ...
    @overload
    def publish(
        self,
        request: publish_ops.PublishRequest | None = None,
        /,
        **kwargs: Unpack[publish_ops.PublishRequest],
    ) -> PublishResponse | list[PublishResponse]: ...
    def publish(
        self,
        request: Mapping[str, Any] | None = None,
        /,
        **kwargs: Any,
    ) -> PublishResponse | list[PublishResponse]:
        """Publish a raw body to a URL or URL group; a URL group answers one result per endpoint."""
        return self._driver.call(
            publish_ops.build_publish(merge(request, kwargs)), publish_ops.parse_publish
        )

    @overload
    def publish_json(self, request: publish_ops.PublishJSONURLRequest, /) -> PublishResponse: ...
    @overload
    def publish_json(
        self, request: publish_ops.PublishJSONURLGroupRequest, /
    ) -> list[PublishResponse]: ...
    @overload
    def publish_json(
        self, request: publish_ops.PublishJSONTopicRequest, /
    ) -> list[PublishResponse]: ...
    @overload
    def publish_json(
        self, /, **kwargs: Unpack[publish_ops.PublishJSONURLRequest]
    ) -> PublishResponse: ...
    @overload
    def publish_json(
        self, /, **kwargs: Unpack[publish_ops.PublishJSONURLGroupRequest]
    ) -> list[PublishResponse]: ...
    @overload
    def publish_json(
        self, /, **kwargs: Unpack[publish_ops.PublishJSONTopicRequest]
    ) -> list[PublishResponse]: ...
    @overload
    def publish_json(
        self,
        request: publish_ops.PublishJSONRequest | None = None,
        /,
        **kwargs: Unpack[publish_ops.PublishJSONRequest],
    ) -> PublishResponse | list[PublishResponse]: ...
    def publish_json(
        self,
        request: Mapping[str, Any] | None = None,
        /,
        **kwargs: Any,
    ) -> PublishResponse | list[PublishResponse]:
        """Publish ``body`` serialised as JSON (``Content-Type: application/json``)."""
        return self._driver.call(
            publish_ops.build_publish(merge(request, kwargs), as_json=True),
            publish_ops.parse_publish,
        )

    @overload
    def enqueue(self, request: publish_ops.EnqueueURLRequest, /) -> PublishResponse: ...
    @overload
    def enqueue(self, request: publish_ops.EnqueueURLGroupRequest, /) -> list[PublishResponse]: ...
    @overload
    def enqueue(self, /, **kwargs: Unpack[publish_ops.EnqueueURLRequest]) -> PublishResponse: ...
    @overload
    def enqueue(
        self, /, **kwargs: Unpack[publish_ops.EnqueueURLGroupRequest]
    ) -> list[PublishResponse]: ...
    @overload
    def enqueue(
        self,
        request: publish_ops.EnqueueRequest | None = None,
        /,
        **kwargs: Unpack[publish_ops.EnqueueRequest],
    ) -> PublishResponse | list[PublishResponse]: ...
    def enqueue(
        self,
        request: Mapping[str, Any] | None = None,
        /,
        **kwargs: Any,
    ) -> PublishResponse | list[PublishResponse]:
        """Append a raw-body message to ``queue`` (created on first use)."""
        return self._driver.call(
            publish_ops.build_enqueue(merge(request, kwargs)), publish_ops.parse_publish
        )

    @overload
    def enqueue_json(self, request: publish_ops.EnqueueJSONURLRequest, /) -> PublishResponse: ...
    @overload
    def enqueue_json(
        self, request: publish_ops.EnqueueJSONURLGroupRequest, /
    ) -> list[PublishResponse]: ...
    @overload
    def enqueue_json(
        self, /, **kwargs: Unpack[publish_ops.EnqueueJSONURLRequest]
    ) -> PublishResponse: ...
    @overload
    def enqueue_json(
        self, /, **kwargs: Unpack[publish_ops.EnqueueJSONURLGroupRequest]
    ) -> list[PublishResponse]: ...
    @overload
    def enqueue_json(
        self,
        request: publish_ops.EnqueueJSONRequest | None = None,
        /,
        **kwargs: Unpack[publish_ops.EnqueueJSONRequest],
    ) -> PublishResponse | list[PublishResponse]: ...
    def enqueue_json(
        self,
        request: Mapping[str, Any] | None = None,
        /,
        **kwargs: Any,
    ) -> PublishResponse | list[PublishResponse]:
        """Append a message with a JSON ``body`` to ``queue``."""
        return self._driver.call(
            publish_ops.build_enqueue(merge(request, kwargs), as_json=True),
            publish_ops.parse_publish,
        )

    def batch(
        self, items: Sequence[publish_ops.BatchItem], /
    ) -> list[PublishResponse | list[PublishResponse]]:
        """Publish several messages in one request; results are in the same order."""
        return self._driver.call(publish_ops.build_batch(items), publish_ops.parse_batch)

    def batch_json(
        self, items: Sequence[publish_ops.BatchJSONItem], /
    ) -> list[PublishResponse | list[PublishResponse]]:
        """Like :meth:`batch` with each ``body`` serialised as JSON."""
        return self._driver.call(
            publish_ops.build_batch(items, as_json=True), publish_ops.parse_batch
        )

    def close(self) -> None:
        """Close the HTTP connections (not an injected ``http_client``)."""
        self._driver.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
