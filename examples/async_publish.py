"""The async client: the same methods, awaited; here 50 publishes run concurrently."""

import asyncio
import os

from upstash_qstash import AsyncClient

DESTINATION = os.environ.get("DESTINATION_URL", "https://example.com/api/qstash")


async def main() -> None:
    async with AsyncClient() as client:
        results = await asyncio.gather(
            *(client.publish_json(url=DESTINATION, body={"n": n}, delay=60) for n in range(50))
        )
        print("published", len(results), "messages")
        cancelled = await client.messages.cancel_many([r.message_id for r in results])  # type: ignore[union-attr]
        print("cancelled", cancelled.cancelled)
        async for event in client.logs.iter(state="CANCEL_REQUESTED", count=20):
            print(event.time, event.message_id, event.state)
            break


asyncio.run(main())
