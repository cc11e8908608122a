"""Queues: ordered delivery with a parallelism limit."""

import os

from upstash_qstash import Client

DESTINATION = os.environ.get("DESTINATION_URL", "https://example.com/api/qstash")

with Client() as client:
    client.queues.upsert(queue="emails", parallelism=1, paused=True)
    for n in range(3):
        client.enqueue_json(queue="emails", url=DESTINATION, body={"email": n})

    queue = client.queues.get("emails")
    print(queue.name, "paused:", queue.paused, "waiting:", queue.lag)

    client.queues.resume("emails")  # delivery starts, one message at a time
    print("queues:", [(q.name, q.parallelism) for q in client.queues.list()])
    client.queues.pause("emails")
    client.queues.delete("emails")
