"""Publish messages: raw and JSON bodies, delivery options, queues and batches."""

import os

from upstash_qstash import Client

DESTINATION = os.environ.get("DESTINATION_URL", "https://example.com/api/qstash")

with Client() as client:  # QSTASH_TOKEN and QSTASH_URL come from the environment
    # The original README's call, verbatim.
    result = client.publish_json(
        {
            "url": DESTINATION,
            "body": {"hello": "world"},
            "headers": {"test-header": "test-value"},
        }
    )
    print("published", result)

    # Keywords work as well; everything the API offers is an option.
    delayed = client.publish(
        url=DESTINATION,
        body="plain text",
        content_type="text/plain",
        delay="10m",
        retries=2,
        retry_delay="1000 * (1 + retried)",
        timeout=30,
        label="example",
        deduplication_id="example-dedup-id",
    )
    print("delayed message", delayed.message_id)  # type: ignore[union-attr]

    # While it waits it can be read and cancelled.
    message = client.messages.get(delayed.message_id)  # type: ignore[union-attr]
    print("pending:", message.url, message.not_before)
    print("cancelled:", client.messages.cancel(message.message_id).cancelled)

    # A queue delivers in order; it is created on first use.
    print("enqueued", client.enqueue_json(queue="example-queue", url=DESTINATION, body={"n": 1}))

    # Several messages in one request.
    for item in client.batch_json([{"url": DESTINATION, "body": {"i": i}} for i in range(3)]):
        print("batch item", item)
