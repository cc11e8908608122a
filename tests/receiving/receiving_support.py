"""The checks every framework endpoint must pass, shared by the receiving tests.

``check_endpoint`` drives one endpoint through a real delivery from the local server and the
forged requests that must be refused before the handler runs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import httpx2

from upstash_qstash.receiver import sign
from upstash_qstash.testing.local import LocalQStash

UNKNOWN_KEY = "sig_4vNotTheKeyOfThisAccountXyzw1"

# Unusual spacing, key order, escapes and non-ASCII text: re-serialising it would change it.
BODY = '{"job":  "resize" ,\n "sizes":[1,2, 3],"caption":"caf\\u00e9 — été",\t"n":1.50}'.encode()


@dataclass
class Call:
    """What a handler saw: the verified body and signature, plus anything else it noted."""

    body: bytes
    signature: str
    extra: dict[str, Any] = field(default_factory=dict)


def _error(response: httpx2.Response, key: str) -> str:
    assert response.headers["content-type"].startswith("application/json"), response.text
    message = response.json()[key]
    assert isinstance(message, str)
    return message


def check_endpoint(
    qstash: LocalQStash,
    url: str,
    calls: list[Call],
    *,
    error_key: str = "error",
) -> Call:
    """Deliver ``BODY`` to ``url`` for real, then send forged requests that must all fail.

    ``calls`` is the list the endpoint's handler appends to. Returns the real delivery's call.
    """
    # A real delivery, signed by the local server, reaches the handler with the exact body.
    with qstash.client() as client:
        client.publish(url=url, body=BODY, headers={"Content-Type": "application/json"}, retries=0)
    qstash.drain()
    assert len(calls) == 1, "the real delivery did not reach the handler"
    real = calls[0]
    assert real.body == BODY
    key = qstash.current_signing_key

    def send(body: bytes, headers: dict[str, str]) -> httpx2.Response:
        return httpx2.post(
            url, content=body, headers={"Content-Type": "application/json", **headers}
        )

    rejected = [
        ("tampered body", send(BODY + b" ", {"Upstash-Signature": real.signature}), 403,
         "body hash mismatch"),
        ("wrong url", send(BODY, {"Upstash-Signature": sign(
            key, url=url + "/elsewhere", body=BODY, now=time.time())}), 403, "url mismatch"),
        ("expired", send(BODY, {"Upstash-Signature": sign(
            key, url=url, body=BODY, now=time.time() - 301)}), 403, "expired"),
        ("unknown key", send(BODY, {"Upstash-Signature": sign(
            UNKNOWN_KEY, url=url, body=BODY, now=time.time())}), 403, "invalid signature"),
        ("missing header", send(BODY, {}), 401, "missing Upstash-Signature"),
    ]  # fmt: skip
    for case, response, status, reason in rejected:
        assert response.status_code == status, (case, response.status_code, response.text)
        assert reason in _error(response, error_key), (case, response.text)
    assert len(calls) == 1, "a forged request reached the handler"

    # Control: the same forging path with the right (next) key and a lower-cased header
    # name is accepted, so the refusals above are about the signature and nothing else.
    fresh = sign(qstash.next_signing_key, url=url, body=BODY, now=time.time())
    response = send(BODY, {"upstash-signature": fresh})
    assert response.status_code == 200, response.text
    assert len(calls) == 2 and calls[1].body == BODY and calls[1].signature == fresh
    return real
