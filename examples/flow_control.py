"""Flow control: limit deliveries per key, and manage the keys at run time."""

import os

from upstash_qstash import Client

DESTINATION = os.environ.get("DESTINATION_URL", "https://example.com/api/qstash")

with Client() as client:
    client.publish_json(
        url=DESTINATION,
        body={"user": 1},
        flow_control={"key": "user-1", "parallelism": 2, "rate": 10, "period": "1m"},
    )

    key = client.flow_control.get("user-1")
    print(key.key, "parallelism", key.parallelism_max, "rate", key.rate_max, "/", key.rate_period)
    print("keys:", [k.key for k in client.flow_control.list(search="user")])

    client.flow_control.pause("user-1")
    client.flow_control.resume("user-1")
    client.flow_control.pin("user-1", parallelism=1, rate=5, period=60)
    client.flow_control.unpin("user-1", parallelism=True, rate=True)
    client.flow_control.reset_rate("user-1")

    total = client.flow_control.global_parallelism()
    print("in flight:", total.parallelism_count, "of", total.parallelism_max)
