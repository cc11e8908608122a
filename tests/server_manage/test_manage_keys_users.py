"""Signing-key rotation (spec section 11) and per-user isolation of every management route."""

from __future__ import annotations

import pytest
from manage_api import Api, FailTo

from upstash_qstash import Receiver, SignatureError
from upstash_qstash.server.settings import DEV_USERS
from upstash_qstash.testing.local import LocalQStash
from upstash_qstash.testing.recorder import Recorder


def test_keys_are_per_user_and_match_the_dev_credentials(api: Api, other: Api) -> None:
    for client, user in ((api, DEV_USERS[0]), (other, DEV_USERS[1])):
        assert client.ok("GET", "/v2/keys") == {
            "current": user.current_signing_key,
            "next": user.next_signing_key,
        }


def test_deliveries_after_rotation_are_signed_with_the_new_current_key(
    qstash: LocalQStash, api: Api, endpoint: Recorder
) -> None:
    old = api.ok("GET", "/v2/keys")
    rotated = api.ok("POST", "/v2/keys/rotate")
    assert rotated["current"] == old["next"]
    assert rotated["next"] not in (old["current"], old["next"])
    assert rotated["next"].startswith("sig_")
    assert api.ok("GET", "/v2/keys") == rotated
    api.publish(endpoint.url + "/after", "signed")
    qstash.drain()
    [delivery] = endpoint.wait_for(1)
    assert delivery.verify(
        Receiver(current_signing_key=rotated["current"], next_signing_key=rotated["next"])
    )
    # Only the new current key verifies it: the old current one does not.
    with pytest.raises(SignatureError):
        delivery.verify(
            Receiver(current_signing_key=old["current"], next_signing_key=old["current"])
        )
    # A second rotation moves on again; the first rotated "next" key now signs.
    second = api.ok("POST", "/v2/keys/rotate")
    assert second["current"] == rotated["next"]
    api.publish(endpoint.url + "/after2", "signed")
    qstash.drain()
    latest = endpoint.wait_for(2)[-1]
    only_new = Receiver(current_signing_key=second["current"], next_signing_key=second["current"])
    assert latest.verify(only_new)
    with pytest.raises(SignatureError):
        latest.verify(
            Receiver(current_signing_key=rotated["current"], next_signing_key=old["current"])
        )


def test_rotation_is_per_user(api: Api, other: Api) -> None:
    before = other.ok("GET", "/v2/keys")
    api.ok("POST", "/v2/keys/rotate")
    assert other.ok("GET", "/v2/keys") == before


def test_rotated_keys_survive_a_restart(tmp_path: object, endpoint: Recorder) -> None:
    from pathlib import Path

    db = str(Path(str(tmp_path)) / "keys.db")
    with LocalQStash(db_path=db) as first:
        client = Api(first, 0)
        rotated = client.ok("POST", "/v2/keys/rotate")
        client.close()
    with LocalQStash(db_path=db) as second:
        client = Api(second, 0)
        assert client.ok("GET", "/v2/keys") == rotated
        client.close()


def test_each_user_sees_and_changes_only_its_own_data(
    qstash: LocalQStash, api: Api, other: Api, dead_letters: FailTo
) -> None:
    """Every route of this part: messages, bulk cancel, DLQ (list/get/delete/retry), logs, keys."""
    [mine_failed] = dead_letters(1, "/fail/mine")
    [theirs_failed] = dead_letters(1, "/fail/theirs", as_api=other)
    mine = api.publish("https://example.com/mine", Upstash_Delay="1h")
    theirs = other.publish("https://example.com/theirs", Upstash_Delay="1h")
    [my_dlq] = api.dlq()
    [their_dlq] = other.dlq()
    assert my_dlq["messageId"] == mine_failed and their_dlq["messageId"] == theirs_failed

    # Reads: the other user's ids are unknown.
    assert api.request("GET", f"/v2/messages/{theirs}").status_code == 404
    assert api.request("GET", f"/v2/dlq/{their_dlq['dlqId']}").status_code == 404
    assert api.ok("GET", "/v2/events", params={"messageId": theirs}) == {"events": []}
    assert api.ok("GET", "/v2/logs", params={"messageId": theirs}) == {"logs": []}
    assert {e["messageId"] for e in api.events()} == {mine, mine_failed}
    assert api.dlq(messageId=theirs_failed) == []

    # Writes aimed at the other user's data change nothing of it.
    before = other.snapshot()
    assert api.request("DELETE", f"/v2/messages/{theirs}").status_code == 404
    assert api.ok("DELETE", "/v2/messages", params={"messageIds": theirs}) == {"cancelled": 0}
    assert api.ok("DELETE", "/v2/messages", json={"messageIds": [theirs]}) == {"cancelled": 0}
    assert api.request("DELETE", f"/v2/dlq/{their_dlq['dlqId']}").status_code == 404
    assert api.ok("DELETE", "/v2/dlq", params={"dlqIds": their_dlq["dlqId"]}) == {"deleted": 0}
    assert api.request("POST", f"/v2/dlq/retry/{their_dlq['dlqId']}").status_code == 404
    assert (
        api.request("POST", "/v2/dlq/retry", params={"dlqIds": their_dlq["dlqId"]}).status_code
        == 404
    )
    api.ok("POST", "/v2/keys/rotate")
    # "All" means all of the caller's own.
    assert api.ok("DELETE", "/v2/messages") == {"cancelled": 1}
    assert api.ok("DELETE", "/v2/dlq") == {"deleted": 1}
    assert other.snapshot() == before
    assert other.request("GET", f"/v2/messages/{theirs}").status_code == 200
