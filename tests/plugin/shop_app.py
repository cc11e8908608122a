"""A small shop: placing an order schedules a receipt e-mail for the next day through QStash."""

import json
from typing import Any

from fastapi import FastAPI, HTTPException, Request

from upstash_qstash import AsyncClient, Receiver, SignatureError

app = FastAPI()
receipts_sent: list[dict[str, Any]] = []


@app.post("/orders")
async def place_order(request: Request) -> dict[str, str]:
    order = await request.json()
    # Token and URL come from QSTASH_TOKEN / QSTASH_URL.
    async with AsyncClient() as qstash:
        published = await qstash.publish_json(
            url=str(request.url_for("send_receipt")), body=order, delay="1d"
        )
    return {"messageId": published.message_id}


@app.post("/jobs/receipt", name="send_receipt")
async def send_receipt(request: Request) -> dict[str, bool]:
    body = await request.body()
    try:
        # Keys come from QSTASH_CURRENT_SIGNING_KEY / QSTASH_NEXT_SIGNING_KEY.
        Receiver().verify(
            signature=request.headers.get("Upstash-Signature", ""),
            body=body,
            url=str(request.url),
        )
    except SignatureError as exc:
        raise HTTPException(status_code=401, detail=str(exc)) from None
    receipts_sent.append(json.loads(body))
    return {"sent": True}
