"""Receiver: keys, key rotation, clock tolerance, error messages, mutations, hostile tokens."""

from __future__ import annotations

import base64
import hmac
import json
import time
from typing import Any

import pytest

from upstash_qstash import Receiver
from upstash_qstash._errors import ConfigurationError, SignatureError
from upstash_qstash.receiver import MAX_TOKEN_LENGTH, body_hash, sign

CURRENT = "sig_7kYjw48mhY7kAjqNGcy6cr29RJ6r"
NEXT = "sig_5ZB6DVzB1wjE8S6rZ7eenA8Pdnhs"
URL = "https://api.example.com/jobs?x=1"
BODY = b'{"hello": "world", "n": [1, 2, 3]}'


def receiver() -> Receiver:
    return Receiver(current_signing_key=CURRENT, next_signing_key=NEXT)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def forge(
    key: str, claims: dict[str, Any], header: dict[str, Any] | None = None, alg: str = "sha256"
) -> str:
    """A JWS built by hand, so headers and claims can be anything."""
    head = b64(json.dumps(header or {"alg": "HS256", "typ": "JWT"}).encode())
    payload = b64(json.dumps(claims).encode())
    mac = hmac.new(key.encode(), f"{head}.{payload}".encode(), alg).digest()
    return f"{head}.{payload}.{b64(mac)}"


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base: dict[str, Any] = {
        "iss": "Upstash",
        "sub": URL,
        "iat": now,
        "nbf": now,
        "exp": now + 300,
        "jti": "jwt_test",
        "body": body_hash(BODY),
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def reason(token: str, body: bytes | str = BODY, **kwargs: Any) -> str:
    with pytest.raises(SignatureError) as info:
        receiver().verify(signature=token, body=body, **kwargs)
    return str(info.value)


# ------------------------------------------------------------------ keys


def test_keys_from_arguments_dict_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    token = sign(CURRENT, url=URL, body=BODY, now=time.time())
    as_dict = Receiver({"current_signing_key": CURRENT, "next_signing_key": NEXT})
    assert as_dict.verify({"signature": token, "body": BODY, "url": URL}) is True

    monkeypatch.setenv("QSTASH_CURRENT_SIGNING_KEY", CURRENT + "\n")
    monkeypatch.setenv("QSTASH_NEXT_SIGNING_KEY", NEXT)
    assert Receiver().verify(signature=token, body=BODY) is True
    # explicit arguments win over the environment
    wrong = Receiver(current_signing_key="sig_other", next_signing_key="sig_other2")
    with pytest.raises(SignatureError, match="invalid signature"):
        wrong.verify(signature=token, body=BODY)

    monkeypatch.delenv("QSTASH_NEXT_SIGNING_KEY")
    with pytest.raises(ConfigurationError, match="QSTASH_NEXT_SIGNING_KEY"):
        Receiver()


def test_next_key_verifies_and_both_failing_reports_the_current_keys_reason() -> None:
    by_next = sign(NEXT, url=URL, body=BODY, now=time.time())
    assert receiver().verify(signature=by_next, body=BODY, url=URL) is True

    # Signed with the current key but the body changed: the current key's reason (body hash)
    # must lead the message, not the next key's (which only sees a foreign signature).
    by_current = sign(CURRENT, url=URL, body=BODY, now=time.time())
    message = reason(by_current, BODY + b"!")
    assert message.startswith("body hash mismatch")
    assert "with the next key: invalid signature" in message


def test_str_bytes_and_bytearray_bodies() -> None:
    text = '{"name": "José"}'
    token = sign(CURRENT, url=URL, body=text, now=time.time())
    for body in (text, text.encode(), bytearray(text.encode()), memoryview(text.encode())):
        assert receiver().verify(signature=token, body=body, url=URL) is True  # type: ignore[arg-type]
    assert "body hash" in reason(token, json.dumps(json.loads(text)))  # re-serialised: refused


# ------------------------------------------------------------------ time


def test_clock_tolerance_both_ways() -> None:
    expired_5s_ago = sign(CURRENT, url=URL, body=BODY, now=time.time() - 305)
    assert receiver().verify(signature=expired_5s_ago, body=BODY, clock_tolerance=10) is True
    assert "expired" in reason(expired_5s_ago, clock_tolerance=0)
    assert "expired" in reason(expired_5s_ago)  # the default is no tolerance

    not_yet = forge(CURRENT, claims(nbf=int(time.time()) + 5))
    assert receiver().verify(signature=not_yet, body=BODY, clock_tolerance=10) is True
    assert "not yet valid" in reason(not_yet, clock_tolerance=0)


@pytest.mark.parametrize("tolerance", [-1, float("nan"), float("inf"), True, "10"])
def test_bad_clock_tolerance_is_refused(tolerance: Any) -> None:
    token = sign(CURRENT, url=URL, body=BODY, now=time.time())
    assert "clock_tolerance" in reason(token, clock_tolerance=tolerance)


def test_iat_in_the_future_is_not_a_failure() -> None:
    """QStash sets nbf=0 so a sender clock ahead of ours does not fail deliveries; a future
    ``iat`` (which some JWT libraries refuse) is therefore accepted: ``exp`` bounds validity."""
    ahead = int(time.time()) + 120
    token = forge(CURRENT, claims(iat=ahead, nbf=0, exp=ahead + 300))
    assert receiver().verify(signature=token, body=BODY, url=URL) is True


# ------------------------------------------------------------------ claims and headers


def test_url_must_match_sub_exactly() -> None:
    token = sign(CURRENT, url=URL, body=BODY, now=time.time())
    for other in (URL + "&y=2", URL.replace("https", "http"), URL.upper(), URL + "/"):
        assert "url mismatch" in reason(token, url=other)
    assert receiver().verify(signature=token, body=BODY, url=URL) is True


@pytest.mark.parametrize("missing", ["iss", "sub", "exp", "nbf", "body"])
def test_each_required_claim_is_required(missing: str) -> None:
    assert f"lacks the {missing!r} claim" in reason(forge(CURRENT, claims(**{missing: None})))


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"iss": "Someone"}, "wrong issuer"),
        ({"exp": "9999999999"}, "'exp' claim is not a number"),
        ({"nbf": True}, "'nbf' claim is not a number"),
        ({"iat": None, "exp": None}, "lacks the 'exp' claim"),
        ({"sub": 5}, "must be strings"),
        ({"body": ["x"]}, "must be strings"),
    ],
)
def test_bad_claims_are_refused(overrides: dict[str, Any], expected: str) -> None:
    assert expected in reason(forge(CURRENT, claims(**overrides)))


def test_aud_jti_iat_and_unknown_claims_are_ignored() -> None:
    for extra in ({"aud": ""}, {"aud": "someone"}, {"jti": None, "iat": None}, {"x": [1]}):
        token = forge(CURRENT, claims(**extra))
        assert receiver().verify(signature=token, body=BODY, url=URL) is True


def test_only_hs256_is_accepted() -> None:
    good = claims()
    head = b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    unsigned = f"{head}.{b64(json.dumps(good).encode())}."
    assert "invalid algorithm 'none'" in reason(unsigned)
    assert "invalid algorithm 'none'" in reason(unsigned + "AAAA")
    hs512 = forge(CURRENT, good, {"alg": "HS512", "typ": "JWT"}, alg="sha512")
    assert "invalid algorithm 'HS512'" in reason(hs512)
    for header in ({"typ": "JWT"}, {"alg": "RS256"}, {"alg": "hs256"}, {"alg": ["HS256"]}):
        assert "invalid algorithm" in reason(forge(CURRENT, good, header))


def test_extra_header_fields_are_ignored_but_crit_is_refused() -> None:
    extra = forge(CURRENT, claims(), {"alg": "HS256", "typ": "JWT", "kid": "k1", "cty": "x"})
    assert receiver().verify(signature=extra, body=BODY) is True
    no_typ = forge(CURRENT, claims(), {"alg": "HS256"})
    assert receiver().verify(signature=no_typ, body=BODY) is True
    crit = forge(CURRENT, claims(), {"alg": "HS256", "crit": ["b64"], "b64": False})
    assert "critical extensions" in reason(crit)


def test_hostile_inputs_fail_cleanly_and_fast() -> None:
    huge = "a" * (MAX_TOKEN_LENGTH + 1)
    started = time.perf_counter()
    assert "longer than" in reason(huge)
    head = b64(b'{"alg":"HS256"}')
    assert "longer than" in reason(f"{head}.{b64(b'[' * 100_000)}.AAAA")
    assert "not JSON" in reason(f"{head}.{b64(b'[' * 12_000)}.AAAA")  # too deep to parse
    big_int = b64(b'{"exp": ' + b"9" * 5000 + b"}")
    assert "not JSON" in reason(f"{head}.{big_int}.AAAA")
    assert time.perf_counter() - started < 2
    for token in ("", "abc", "a.b", "a.b.c.d", "é.é.é", "..", "e30.e30.", " . . "):
        with pytest.raises(SignatureError):
            receiver().verify(signature=token, body=BODY)
    array = f"{b64(b'[]')}.{b64(b'{}')}.AAAA"
    assert "not a JSON object" in reason(array)
    # a large body is fine: only its hash is compared
    large = b"x" * (8 * 1024 * 1024)
    token = sign(CURRENT, url=URL, body=large, now=time.time())
    assert receiver().verify(signature=token, body=large) is True


# ------------------------------------------------------------------ mutations

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def test_every_token_mutation_is_rejected() -> None:
    """Each character of the header, payload and signature parts, replaced by every other
    base64url character (this includes the last signature character's unused low bits,
    which decode to the same bytes), each dot replaced, dropped or doubled, and every
    truncation: all refused."""
    token = sign(CURRENT, url=URL, body=BODY, now=time.time())
    assert receiver().verify(signature=token, body=BODY, url=URL) is True
    dots = [i for i, c in enumerate(token) if c == "."]
    assert len(dots) == 2
    mutants: set[str] = set()
    for i, char in enumerate(token):
        if char == ".":
            for replacement in ("", "..", "A", "=", "_"):
                mutants.add(token[:i] + replacement + token[i + 1 :])
            continue
        for other in _ALPHABET:
            if other != char:
                mutants.add(token[:i] + other + token[i + 1 :])
        mutants.add(token[:i] + token[i + 1 :])  # deleted
    for cut in range(len(token)):
        mutants.add(token[:cut])
    mutants |= {token + "=", token + "A", token + ".", "." + token, token.upper()}
    mutants.discard(token)
    classes = {"header": 0, "payload": 0, "signature": 0}
    for mutant in mutants:
        with pytest.raises(SignatureError):
            receiver().verify(signature=mutant, body=BODY, url=URL)
        parts = mutant.split(".")
        if len(parts) == 3:
            for name, part, original in zip(classes, parts, token.split("."), strict=True):
                classes[name] += part != original
    assert all(count > 1000 for count in classes.values()), classes
    assert len(mutants) > 20_000


def test_every_body_mutation_is_rejected() -> None:
    token = sign(CURRENT, url=URL, body=BODY, now=time.time())
    mutants: set[bytes] = set()
    for i in range(len(BODY)):
        for bit in range(8):
            mutated = bytearray(BODY)
            mutated[i] ^= 1 << bit
            mutants.add(bytes(mutated))
        mutants.add(BODY[:i] + BODY[i + 1 :])
        mutants.add(BODY[:i] + b" " + BODY[i:])
    mutants |= {b"", BODY + b"\n", BODY + b"\x00", BODY.upper(), BODY[:-1]}
    mutants.discard(BODY)
    assert len(mutants) > 8 * len(BODY)
    for mutant in mutants:
        with pytest.raises(SignatureError, match="body hash mismatch"):
            receiver().verify(signature=token, body=mutant, url=URL)


def test_signature_is_checked_in_canonical_form() -> None:
    """The final signature character has two unused bits; a token differing only there
    decodes to the same MAC bytes but is not the token that was issued."""
    token = sign(CURRENT, url=URL, body=BODY, now=time.time())
    last = _ALPHABET.index(token[-1])
    twin = token[:-1] + _ALPHABET[last ^ 1]
    sig = twin.split(".")[2]
    pad = "=" * (-len(sig) % 4)
    assert base64.urlsafe_b64decode(sig + pad) == base64.urlsafe_b64decode(
        token.split(".")[2] + pad
    )
    assert "invalid signature" in reason(twin)
