"""The asynchronous client, the twin of ``client.py`` (a test keeps them identical).

Same names, signatures and docstrings as the sync client; methods are coroutines and the
``iter`` methods return async iterators.
"""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator, Mapping, Sequence
from types import TracebackType
from typing import Any, Self, Unpack, overload

import httpx2

from ._async import AsyncDriver
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
from .client import DEFAULT_TIMEOUT
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
    "AsyncClient",
    "AsyncDLQ",
    "AsyncFlowControl",
    "AsyncKeys",
    "AsyncLogs",
    "AsyncMessages",
    "AsyncQueues",
    "AsyncSchedules",
    "AsyncURLGroups",
]


class _AsyncResource:
    """A group of endpoints; calling it returns itself (``client.topics()`` in old code)."""

    def __init__(self, driver: AsyncDriver) -> None:
        self._driver = driver

    def __call__(self) -> Self:
        return self


class AsyncMessages(_AsyncResource):
    """Messages waiting for delivery: read and cancel."""

    async def get(self, message_id: str) -> Message:
        """The message with ``message_id`` while it is still pending (404 once delivered)."""
        return await self._driver.call(message_ops.build_get(message_id), message_ops.parse_get)

    async def cancel(self, message_id: str) -> CancelResponse:
        """Stop further deliveries of one message (an empty id is refused, never sent)."""
        return await self._driver.call(
            message_ops.build_cancel(message_id), message_ops.parse_cancelled
        )

    async def cancel_many(self, message_ids: list[str]) -> CancelResponse:
        """Cancel the messages with these ids."""
        return await self._driver.call(
            message_ops.build_cancel_many(message_ids), message_ops.parse_cancelled
        )

    async def cancel_by_filter(
        self,
        filter: message_ops.MessageFilter | None = None,
        /,
        **kwargs: Unpack[message_ops.MessageFilter],
    ) -> CancelResponse:
        """Cancel the pending messages matching the filter (at least one filter is required)."""
        return await self._driver.call(
            message_ops.build_cancel_by_filter(merge(filter, kwargs)), message_ops.parse_cancelled
        )

    async def cancel_all(self, count: int | None = None) -> CancelResponse:
        """Cancel every pending message (at most ``count`` in this call, if given)."""
        return await self._driver.call(
            message_ops.build_cancel_all(count), message_ops.parse_cancelled
        )


class AsyncURLGroups(_AsyncResource):
    """URL groups (called topics by the API and the original README)."""

    async def add_endpoints(self, name: str, endpoints: Sequence[group_ops.EndpointSpec]) -> None:
        """Add or update endpoints of URL group ``name``, creating the group if needed."""
        return await self._driver.call(group_ops.build_add_endpoints(name, endpoints), empty)

    async def upsert_endpoints(
        self, name: str, endpoints: Sequence[group_ops.EndpointSpec]
    ) -> None:
        """Same as :meth:`add_endpoints`."""
        return await self._driver.call(group_ops.build_add_endpoints(name, endpoints), empty)

    async def remove_endpoints(
        self, name: str, endpoints: Sequence[group_ops.EndpointSpec]
    ) -> None:
        """Remove endpoints (each given by ``url`` or ``name``) from URL group ``name``."""
        return await self._driver.call(group_ops.build_remove_endpoints(name, endpoints), empty)

    async def list(self) -> builtins.list[URLGroup]:
        """Every URL group."""
        return await self._driver.call(group_ops.build_list(), group_ops.parse_list)

    async def get(self, name: str) -> URLGroup:
        """The URL group ``name`` with its endpoints."""
        return await self._driver.call(group_ops.build_get(name), group_ops.parse_get)

    async def delete(self, name: str) -> None:
        """Delete URL group ``name`` and its endpoints."""
        return await self._driver.call(group_ops.build_delete(name), empty)


class AsyncSchedules(_AsyncResource):
    """Cron schedules that publish a message on every trigger."""

    async def create(
        self,
        request: schedule_ops.CreateScheduleRequest | None = None,
        /,
        **kwargs: Unpack[schedule_ops.CreateScheduleRequest],
    ) -> ScheduleCreated:
        """Create a schedule (or replace the one with ``schedule_id``)."""
        return await self._driver.call(
            schedule_ops.build_create(merge(request, kwargs)), schedule_ops.parse_created
        )

    async def create_json(
        self,
        request: schedule_ops.CreateScheduleJSONRequest | None = None,
        /,
        **kwargs: Unpack[schedule_ops.CreateScheduleJSONRequest],
    ) -> ScheduleCreated:
        """Create a schedule whose ``body`` is sent serialised as JSON."""
        return await self._driver.call(
            schedule_ops.build_create(merge(request, kwargs), as_json=True),
            schedule_ops.parse_created,
        )

    async def get(self, schedule_id: str) -> Schedule:
        """The schedule ``schedule_id``."""
        return await self._driver.call(schedule_ops.build_get(schedule_id), schedule_ops.parse_get)

    async def list(self) -> builtins.list[Schedule]:
        """Every schedule."""
        return await self._driver.call(schedule_ops.build_list(), schedule_ops.parse_list)

    async def delete(self, schedule_id: str) -> None:
        """Delete a schedule; messages it already produced are still delivered."""
        return await self._driver.call(schedule_ops.build_delete(schedule_id), empty)

    async def pause(self, schedule_id: str) -> None:
        """Skip the schedule's triggers until it is resumed."""
        return await self._driver.call(schedule_ops.build_pause(schedule_id), empty)

    async def resume(self, schedule_id: str) -> None:
        """Resume a paused schedule."""
        return await self._driver.call(schedule_ops.build_resume(schedule_id), empty)


class AsyncQueues(_AsyncResource):
    """AsyncQueues: ordered delivery with a parallelism limit."""

    async def upsert(
        self,
        request: queue_ops.UpsertQueueRequest | None = None,
        /,
        **kwargs: Unpack[queue_ops.UpsertQueueRequest],
    ) -> None:
        """Create or update a queue (parallelism 1 and not paused unless given)."""
        return await self._driver.call(queue_ops.build_upsert(merge(request, kwargs)), empty)

    async def get(self, queue: str) -> Queue:
        """The queue named ``queue``."""
        return await self._driver.call(queue_ops.build_get(queue), queue_ops.parse_get)

    async def list(self) -> builtins.list[Queue]:
        """Every queue."""
        return await self._driver.call(queue_ops.build_list(), queue_ops.parse_list)

    async def delete(self, queue: str) -> None:
        """Delete a queue."""
        return await self._driver.call(queue_ops.build_delete(queue), empty)

    async def pause(self, queue: str) -> None:
        """Stop delivering from a queue; it keeps accepting messages."""
        return await self._driver.call(queue_ops.build_pause(queue), empty)

    async def resume(self, queue: str) -> None:
        """Resume delivering from a paused queue."""
        return await self._driver.call(queue_ops.build_resume(queue), empty)


class AsyncDLQ(_AsyncResource):
    """The dead-letter queue: messages that failed every attempt."""

    async def list(
        self,
        request: dlq_ops.DLQListRequest | None = None,
        /,
        **kwargs: Unpack[dlq_ops.DLQListRequest],
    ) -> DLQPage:
        """One page of DLQ messages; pass its ``cursor`` back for the next page."""
        return await self._driver.call(
            dlq_ops.build_list(merge(request, kwargs)), dlq_ops.parse_list
        )

    def iter(
        self,
        request: dlq_ops.DLQListRequest | None = None,
        /,
        **kwargs: Unpack[dlq_ops.DLQListRequest],
    ) -> AsyncIterator[DLQMessage]:
        """Every matching DLQ message, following cursors page by page."""
        options = merge(request, kwargs)
        return self._driver.iterate(
            lambda cursor: dlq_ops.build_list(options, cursor),
            dlq_ops.parse_list,
            dlq_ops.page_items,
        )

    async def get(self, dlq_id: str) -> DLQMessage:
        """The DLQ entry ``dlq_id``."""
        return await self._driver.call(dlq_ops.build_get(dlq_id), dlq_ops.parse_get)

    async def delete(self, dlq_id: str) -> None:
        """Delete one DLQ entry."""
        return await self._driver.call(dlq_ops.build_delete(dlq_id), empty)

    async def delete_many(self, dlq_ids: builtins.list[str]) -> DLQDeleteResponse:
        """Delete the DLQ entries with these ids."""
        return await self._driver.call(
            dlq_ops.build_delete_many(dlq_ids), dlq_ops.parse_delete_many
        )

    async def delete_by_filter(
        self, filter: dlq_ops.DLQFilter | None = None, /, **kwargs: Unpack[dlq_ops.DLQFilter]
    ) -> DLQDeleteResponse:
        """Delete every DLQ entry matching the filter (all pages)."""
        options = merge(filter, kwargs)
        return await self._driver.collect(
            lambda cursor: dlq_ops.build_delete_by_filter(options, cursor),
            dlq_ops.parse_deleted,
            dlq_ops.sum_deleted,
        )

    async def retry(self, dlq_id: str) -> PublishResponse:
        """Publish the DLQ entry again as a new message and remove it from the DLQ."""
        return await self._driver.call(dlq_ops.build_retry(dlq_id), dlq_ops.parse_retry)

    async def retry_many(self, dlq_ids: builtins.list[str]) -> DLQRetryResponse:
        """Retry the DLQ entries with these ids."""
        return await self._driver.call(dlq_ops.build_retry_many(dlq_ids), dlq_ops.parse_retry_many)

    async def retry_by_filter(
        self, filter: dlq_ops.DLQFilter | None = None, /, **kwargs: Unpack[dlq_ops.DLQFilter]
    ) -> DLQRetryResponse:
        """Retry every DLQ entry matching the filter (all pages)."""
        options = merge(filter, kwargs)
        return await self._driver.collect(
            lambda cursor: dlq_ops.build_retry_by_filter(options, cursor),
            dlq_ops.parse_retried,
            dlq_ops.sum_retried,
        )


class AsyncLogs(_AsyncResource):
    """The log of message state changes, newest first."""

    async def list(
        self, request: log_ops.LogsRequest | None = None, /, **kwargs: Unpack[log_ops.LogsRequest]
    ) -> LogPage:
        """One page of log events; pass its ``cursor`` back for the next page."""
        return await self._driver.call(
            log_ops.build_list(merge(request, kwargs)), log_ops.parse_list
        )

    def iter(
        self, request: log_ops.LogsRequest | None = None, /, **kwargs: Unpack[log_ops.LogsRequest]
    ) -> AsyncIterator[LogEvent]:
        """Every matching log event, following cursors page by page."""
        options = merge(request, kwargs)
        return self._driver.iterate(
            lambda cursor: log_ops.build_list(options, cursor),
            log_ops.parse_list,
            log_ops.page_items,
        )


class AsyncKeys(_AsyncResource):
    """The signing keys QStash signs deliveries with."""

    async def get(self) -> SigningKeys:
        """The current and next signing keys."""
        return await self._driver.call(key_ops.build_get(), key_ops.parse_keys)

    async def rotate(self) -> SigningKeys:
        """Make the next key current and generate a new next key."""
        return await self._driver.call(key_ops.build_rotate(), key_ops.parse_keys)


class AsyncFlowControl(_AsyncResource):
    """Flow-control keys: live limits shared by messages with the same key."""

    async def list(self, search: str | None = None) -> builtins.list[FlowControlKey]:
        """Every flow-control key (whose name contains ``search``, if given)."""
        return await self._driver.call(fc_ops.build_list(search), fc_ops.parse_list)

    async def get(self, key: str) -> FlowControlKey:
        """The state of flow-control key ``key``."""
        return await self._driver.call(fc_ops.build_get(key), fc_ops.parse_get)

    async def pause(self, key: str) -> None:
        """Deliver nothing for ``key`` until resumed; new messages wait."""
        return await self._driver.call(fc_ops.build_pause(key), empty)

    async def resume(self, key: str) -> None:
        """Resume deliveries for ``key``."""
        return await self._driver.call(fc_ops.build_resume(key), empty)

    async def pin(
        self,
        key: str,
        request: fc_ops.PinRequest | None = None,
        /,
        **kwargs: Unpack[fc_ops.PinRequest],
    ) -> None:
        """Fix ``key``'s parallelism/rate/period, ignoring what new messages carry."""
        return await self._driver.call(fc_ops.build_pin(key, merge(request, kwargs)), empty)

    async def unpin(
        self,
        key: str,
        request: fc_ops.UnpinRequest | None = None,
        /,
        **kwargs: Unpack[fc_ops.UnpinRequest],
    ) -> None:
        """Release pinned limits of ``key`` (``parallelism=True`` and/or ``rate=True``)."""
        return await self._driver.call(fc_ops.build_unpin(key, merge(request, kwargs)), empty)

    async def reset_rate(self, key: str) -> None:
        """Start a new rate period for ``key`` with a count of zero."""
        return await self._driver.call(fc_ops.build_reset_rate(key), empty)

    async def global_parallelism(self) -> GlobalParallelism:
        """Deliveries in flight across the account, and the maximum."""
        return await self._driver.call(fc_ops.build_global_parallelism(), fc_ops.parse_global)


class AsyncClient:
    """QStash client.

    ``Client("TOKEN")``, ``Client("TOKEN", {"attempts": 2, "backoff": lambda n: ...})`` or
    ``Client()`` with ``QSTASH_TOKEN`` (and optionally ``QSTASH_URL``) in the environment.
    ``retry`` configures calls to QStash itself, not deliveries to your endpoints.
    """

    messages: AsyncMessages
    url_groups: AsyncURLGroups
    topics: AsyncURLGroups
    schedules: AsyncSchedules
    queues: AsyncQueues
    dlq: AsyncDLQ
    logs: AsyncLogs
    signing_keys: AsyncKeys
    keys: AsyncKeys
    flow_control: AsyncFlowControl

    def __init__(
        self,
        token: str | None = None,
        retry: RetryConfig | bool | None = None,
        *,
        base_url: str | None = None,
        timeout: float | httpx2.Timeout = DEFAULT_TIMEOUT,
        http_client: httpx2.AsyncClient | None = None,
    ) -> None:
        self._driver = AsyncDriver(
            base_url=resolve_base_url(base_url),
            token=resolve_token(token),
            retry=resolve_retry(retry),
            timeout=timeout,
            http_client=http_client,
        )
        self.messages = AsyncMessages(self._driver)
        self.url_groups = self.topics = AsyncURLGroups(self._driver)
        self.schedules = AsyncSchedules(self._driver)
        self.queues = AsyncQueues(self._driver)
        self.dlq = AsyncDLQ(self._driver)
        self.logs = AsyncLogs(self._driver)
        self.signing_keys = self.keys = AsyncKeys(self._driver)
        self.flow_control = AsyncFlowControl(self._driver)

    @property
    def base_url(self) -> str:
        """The QStash URL this client talks to."""
        return self._driver.base_url

    @overload
    async def publish(self, request: publish_ops.PublishURLRequest, /) -> PublishResponse: ...
    @overload
    async def publish(
        self, request: publish_ops.PublishURLGroupRequest, /
    ) -> list[PublishResponse]: ...
    @overload
    async def publish(
        self, request: publish_ops.PublishTopicRequest, /
    ) -> list[PublishResponse]: ...
    @overload
    async def publish(
        self, /, **kwargs: Unpack[publish_ops.PublishURLRequest]
    ) -> PublishResponse: ...
    @overload
    async def publish(
        self, /, **kwargs: Unpack[publish_ops.PublishURLGroupRequest]
    ) -> list[PublishResponse]: ...
    @overload
    async def publish(
        self, /, **kwargs: Unpack[publish_ops.PublishTopicRequest]
    ) -> list[PublishResponse]: ...
    @overload
    async def publish(
        self,
        request: publish_ops.PublishRequest | None = None,
        /,
        **kwargs: Unpack[publish_ops.PublishRequest],
    ) -> PublishResponse | list[PublishResponse]: ...
    async def publish(
        self,
        request: Mapping[str, Any] | None = None,
        /,
        **kwargs: Any,
    ) -> PublishResponse | list[PublishResponse]:
        """Publish a raw body to a URL or URL group; a URL group answers one result per endpoint."""
        return await self._driver.call(
            publish_ops.build_publish(merge(request, kwargs)), publish_ops.parse_publish
        )

    @overload
    async def publish_json(
        self, request: publish_ops.PublishJSONURLRequest, /
    ) -> PublishResponse: ...
    @overload
    async def publish_json(
        self, request: publish_ops.PublishJSONURLGroupRequest, /
    ) -> list[PublishResponse]: ...
    @overload
    async def publish_json(
        self, request: publish_ops.PublishJSONTopicRequest, /
    ) -> list[PublishResponse]: ...
    @overload
    async def publish_json(
        self, /, **kwargs: Unpack[publish_ops.PublishJSONURLRequest]
    ) -> PublishResponse: ...
    @overload
    async def publish_json(
        self, /, **kwargs: Unpack[publish_ops.PublishJSONURLGroupRequest]
    ) -> list[PublishResponse]: ...
    @overload
    async def publish_json(
        self, /, **kwargs: Unpack[publish_ops.PublishJSONTopicRequest]
    ) -> list[PublishResponse]: ...
    @overload
    async def publish_json(
        self,
        request: publish_ops.PublishJSONRequest | None = None,
        /,
        **kwargs: Unpack[publish_ops.PublishJSONRequest],
    ) -> PublishResponse | list[PublishResponse]: ...
    async def publish_json(
        self,
        request: Mapping[str, Any] | None = None,
        /,
        **kwargs: Any,
    ) -> PublishResponse | list[PublishResponse]:
        """Publish ``body`` serialised as JSON (``Content-Type: application/json``)."""
        return await self._driver.call(
            publish_ops.build_publish(merge(request, kwargs), as_json=True),
            publish_ops.parse_publish,
        )

    @overload
    async def enqueue(self, request: publish_ops.EnqueueURLRequest, /) -> PublishResponse: ...
    @overload
    async def enqueue(
        self, request: publish_ops.EnqueueURLGroupRequest, /
    ) -> list[PublishResponse]: ...
    @overload
    async def enqueue(
        self, /, **kwargs: Unpack[publish_ops.EnqueueURLRequest]
    ) -> PublishResponse: ...
    @overload
    async def enqueue(
        self, /, **kwargs: Unpack[publish_ops.EnqueueURLGroupRequest]
    ) -> list[PublishResponse]: ...
    @overload
    async def enqueue(
        self,
        request: publish_ops.EnqueueRequest | None = None,
        /,
        **kwargs: Unpack[publish_ops.EnqueueRequest],
    ) -> PublishResponse | list[PublishResponse]: ...
    async def enqueue(
        self,
        request: Mapping[str, Any] | None = None,
        /,
        **kwargs: Any,
    ) -> PublishResponse | list[PublishResponse]:
        """Append a raw-body message to ``queue`` (created on first use)."""
        return await self._driver.call(
            publish_ops.build_enqueue(merge(request, kwargs)), publish_ops.parse_publish
        )

    @overload
    async def enqueue_json(
        self, request: publish_ops.EnqueueJSONURLRequest, /
    ) -> PublishResponse: ...
    @overload
    async def enqueue_json(
        self, request: publish_ops.EnqueueJSONURLGroupRequest, /
    ) -> list[PublishResponse]: ...
    @overload
    async def enqueue_json(
        self, /, **kwargs: Unpack[publish_ops.EnqueueJSONURLRequest]
    ) -> PublishResponse: ...
    @overload
    async def enqueue_json(
        self, /, **kwargs: Unpack[publish_ops.EnqueueJSONURLGroupRequest]
    ) -> list[PublishResponse]: ...
    @overload
    async def enqueue_json(
        self,
        request: publish_ops.EnqueueJSONRequest | None = None,
        /,
        **kwargs: Unpack[publish_ops.EnqueueJSONRequest],
    ) -> PublishResponse | list[PublishResponse]: ...
    async def enqueue_json(
        self,
        request: Mapping[str, Any] | None = None,
        /,
        **kwargs: Any,
    ) -> PublishResponse | list[PublishResponse]:
        """Append a message with a JSON ``body`` to ``queue``."""
        return await self._driver.call(
            publish_ops.build_enqueue(merge(request, kwargs), as_json=True),
            publish_ops.parse_publish,
        )

    async def batch(
        self, items: Sequence[publish_ops.BatchItem], /
    ) -> list[PublishResponse | list[PublishResponse]]:
        """Publish several messages in one request; results are in the same order."""
        return await self._driver.call(publish_ops.build_batch(items), publish_ops.parse_batch)

    async def batch_json(
        self, items: Sequence[publish_ops.BatchJSONItem], /
    ) -> list[PublishResponse | list[PublishResponse]]:
        """Like :meth:`batch` with each ``body`` serialised as JSON."""
        return await self._driver.call(
            publish_ops.build_batch(items, as_json=True), publish_ops.parse_batch
        )

    async def aclose(self) -> None:
        """Close the HTTP connections (not an injected ``http_client``)."""
        await self._driver.aclose()

    async def close(self) -> None:
        """Same as :meth:`aclose`."""
        await self._driver.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
