"""URL groups (topics): one publish fans out to every endpoint of the group."""

import os

from upstash_qstash import Client

DESTINATION = os.environ.get("DESTINATION_URL", "https://example.com/api/qstash")

client = Client()

# As written in the original README.
topics = client.topics()
topics.add_endpoints(
    "my-topic",
    [
        {"name": "endpoint1", "url": DESTINATION + "/one"},
        {"name": "endpoint2", "url": DESTINATION + "/two"},
    ],
)

for result in client.publish_json({"topic": "my-topic", "body": {"key": "value"}}):  # type: ignore[union-attr]
    print("fan-out message", result.message_id, "->", result.url)

group = client.url_groups.get("my-topic")
print(group.name, [e.url for e in group.endpoints])
print("all groups:", [g.name for g in client.url_groups.list()])

client.url_groups.remove_endpoints("my-topic", [{"name": "endpoint2"}])
client.url_groups.delete("my-topic")
client.close()
