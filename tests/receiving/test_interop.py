"""Interoperability both ways: the official PyPI ``qstash`` Receiver accepts our server's
deliveries, and our Receiver accepts tokens minted the way QStash documents them."""

from __future__ import annotations

import base64
import hashlib
import time
from typing import Any

import jwt
import pytest
import qstash as official

from upstash_qstash import Receiver
from upstash_qstash._errors import SignatureError
from upstash_qstash.testing.local import LocalQStash
from upstash_qstash.testing.recorder import Recorder

BODY = '{"order": 42, "items": ["a", "b"], "note": "ünïcode"}'


def test_official_receiver_verifies_local_server_deliveries(
    qstash: LocalQStash, endpoint: Recorder
) -> None:
    with qstash.client() as client:
        client.publish(url=endpoint.url + "/orders?src=test", body=BODY, retries=0)
        client.publish_json(url=endpoint.url + "/json", body={"k": [1, 2]}, retries=0)
    qstash.drain()
    requests = endpoint.wait_for(2)
    theirs = official.Receiver(qstash.current_signing_key, qstash.next_signing_key)
    for request in requests:
        signature = request.header("Upstash-Signature")
        assert signature is not None
        theirs.verify(signature=signature, body=request.body.decode(), url=request.url)
        assert request.verify(qstash.receiver(), url=request.url)
        # and it can fail: a changed body or URL is refused by the official receiver too
        with pytest.raises(official.errors.SignatureError):
            theirs.verify(signature=signature, body=request.body.decode() + " ", url=request.url)
        with pytest.raises(official.errors.SignatureError):
            theirs.verify(signature=signature, body=request.body.decode(), url=request.url + "x")
    assert {r.path for r in requests} == {"/orders", "/json"}


def _documented_token(key: str, payload: str, url: str, overrides: dict[str, Any]) -> str:
    """Claims of spec 14.1, signed with PyJWT using the key text as the HMAC secret."""
    now = int(time.time())
    digest = base64.urlsafe_b64encode(hashlib.sha256(payload.encode()).digest()).decode()
    claims: dict[str, Any] = {
        "iss": "Upstash",
        "sub": url,
        "exp": now + 300,
        "nbf": now,
        "iat": now,
        "jti": "jwt_67kxXD6UBAk7DqU6hzuHMDdXFXfP",
        "body": digest,  # padded, as in the documented example
    }
    claims.update(overrides)
    return jwt.encode(claims, key, algorithm="HS256")


@pytest.mark.parametrize(
    "variant",
    [
        {},
        {"nbf": 0},  # what QStash sends since September 2024
        {"body": "unpadded"},
        {"aud": ""},  # the official Python test helper's extra claim
    ],
    ids=["documented", "nbf-0", "unpadded-body-hash", "empty-aud"],
)
def test_our_receiver_verifies_documented_tokens(variant: dict[str, Any]) -> None:
    current, next_key = "sig_7kYjw48mhY7kAjqNGcy6cr29RJ6r", "sig_5ZB6DVzB1wjE8S6rZ7eenA8Pdnhs"
    url = "https://qstash-remote.requestcatcher.com/test"
    overrides = dict(variant)
    if overrides.get("body") == "unpadded":
        digest = hashlib.sha256(BODY.encode()).digest()
        overrides["body"] = base64.urlsafe_b64encode(digest).decode().rstrip("=")
        assert not overrides["body"].endswith("=")
    receiver = Receiver(current_signing_key=current, next_signing_key=next_key)
    for key in (current, next_key):
        token = _documented_token(key, BODY, url, overrides)
        assert receiver.verify(signature=token, body=BODY, url=url) is True
        assert receiver.verify(signature=token, body=BODY.encode()) is True
        with pytest.raises(SignatureError, match="url mismatch"):
            receiver.verify(signature=token, body=BODY, url=url + "2")
    foreign = _documented_token("sig_6jWGaWRxHsw4vMSPJprXadyvrybF", BODY, url, overrides)
    with pytest.raises(SignatureError, match="invalid signature"):
        receiver.verify(signature=foreign, body=BODY, url=url)
