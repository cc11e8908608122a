"""The dead-letter queue: messages that failed every attempt.

Publishes one message to a URL that fails (``FAILING_URL``), waits for it to reach the DLQ,
then inspects, retries and deletes entries.
"""

import os
import time

from upstash_qstash import Client

FAILING_URL = os.environ.get("FAILING_URL", "https://httpstat.us/500")

with Client() as client:
    sent = client.publish(url=FAILING_URL, body="will fail", retries=0, label="dlq-example")
    print("published", sent.message_id)  # type: ignore[union-attr]

    deadline = time.monotonic() + 60
    while not client.dlq.list(label="dlq-example").messages:
        if time.monotonic() > deadline:
            raise SystemExit("the message did not reach the DLQ within a minute")
        time.sleep(0.2)

    for entry in client.dlq.iter(label="dlq-example"):  # follows cursors page by page
        print(entry.dlq_id, entry.url, "last status:", entry.response_status)
        detail = client.dlq.get(entry.dlq_id)
        print("body:", detail.body)

    retried = client.dlq.retry_by_filter(label="dlq-example")
    print("retried as", [r.message_id for r in retried.responses])

    # Entries can also be removed one by one, by ids, or by filter.
    print("deleted:", client.dlq.delete_by_filter(label="dlq-example").deleted)
