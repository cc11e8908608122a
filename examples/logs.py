"""Logs: the state changes of every message, with filters and cursor-following iteration."""

import os

from upstash_qstash import Client

DESTINATION = os.environ.get("DESTINATION_URL", "https://example.com/api/qstash")

with Client() as client:
    sent = client.publish(url=DESTINATION, body="hello", label="logs-example", delay=30)
    message_id = sent.message_id  # type: ignore[union-attr]

    page = client.logs.list(message_id=message_id)
    for event in page.events:
        print(event.time, event.state, event.url)

    # Every page, newest first, filtered by label and state.
    created = list(client.logs.iter(label="logs-example", state="CREATED", count=100))
    print(len(created), "messages created with the label")

    client.messages.cancel(message_id)
