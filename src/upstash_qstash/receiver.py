"""Signing and verifying ``Upstash-Signature`` tokens: one module, one truth.

The local server signs deliveries with :func:`sign`; users verify them with :class:`Receiver`.
A token is a compact HS256 JWS whose secret is the signing key's text (UTF-8), with the
claims ``iss="Upstash"``, ``sub=<url>``, ``iat``, ``nbf``, ``exp``, ``jti`` and ``body``
(base64url of the SHA-256 of the raw body).

Verification is written against the standard library on purpose, so every rule is explicit:

* the header must say ``"alg": "HS256"`` (``none``, other HMAC sizes and asymmetric
  algorithms are refused before any key is touched); a ``crit`` header is refused because no
  extension is understood; other header fields (``typ``, ``kid``, ...) are ignored;
* the signature part must be the canonical unpadded base64url of the HMAC, compared in
  constant time, so re-encodings of the same bytes are refused too;
* ``iss``, ``sub``, ``exp``, ``nbf`` and ``body`` must be present with the right types;
  ``exp``/``nbf`` are checked with the clock tolerance; ``iat`` is informational only (a
  sender clock slightly ahead of ours must not fail a delivery: QStash sets ``nbf`` to 0 for
  exactly that reason); ``aud`` and unknown claims are ignored;
* tokens longer than :data:`MAX_TOKEN_LENGTH` characters are refused before decoding.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import math
import secrets
import time
from typing import Any, TypedDict, Unpack

from ._config import resolve_signing_keys
from ._errors import ConfigurationError, SignatureError

__all__ = [
    "MAX_TOKEN_LENGTH",
    "Receiver",
    "ReceiverConfig",
    "VerifyRequest",
    "body_hash",
    "sign",
]

ISSUER = "Upstash"
TOKEN_LIFETIME = 300
ALGORITHM = "HS256"
#: Longest ``Upstash-Signature`` accepted (the ``sub`` URL dominates a real token's size).
MAX_TOKEN_LENGTH = 16 * 1024

_HEADER = {"alg": ALGORITHM, "typ": "JWT"}
_B64URL = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def body_hash(body: bytes | bytearray | memoryview | str) -> str:
    """Base64url (padded) of SHA-256 of ``body``: the ``body`` claim of a token."""
    raw = body.encode() if isinstance(body, str) else bytes(body)
    return base64.urlsafe_b64encode(hashlib.sha256(raw).digest()).decode()


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _b64decode(part: str, what: str) -> bytes:
    raw = part.encode("ascii")
    if not raw or not _B64URL.issuperset(raw) or len(raw) % 4 == 1:
        raise SignatureError(f"malformed token: the {what} is not unpadded base64url")
    try:
        return base64.urlsafe_b64decode(raw + b"=" * (-len(raw) % 4))
    except (binascii.Error, ValueError) as exc:  # pragma: no cover - excluded by the checks
        raise SignatureError(f"malformed token: the {what} is not base64url") from exc


def _mac(key: str, signing_input: bytes) -> str:
    return _b64encode(hmac.new(key.encode(), signing_input, hashlib.sha256).digest())


def _json_part(part: str, what: str) -> dict[str, Any]:
    data = _b64decode(part, what)
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise SignatureError(f"malformed token: the {what} is not JSON") from exc
    if not isinstance(value, dict):
        raise SignatureError(f"malformed token: the {what} is not a JSON object")
    return value


def sign(
    key: str, *, url: str, body: bytes | str, now: float, lifetime: int = TOKEN_LIFETIME
) -> str:
    """Mint the token QStash sends with a delivery to ``url`` carrying ``body``."""
    issued = int(now)
    claims = {
        "iss": ISSUER,
        "sub": url,
        "iat": issued,
        "nbf": issued,
        "exp": issued + lifetime,
        "jti": "jwt_" + secrets.token_urlsafe(18),
        "body": body_hash(body),
    }
    header = _b64encode(json.dumps(_HEADER, separators=(",", ":")).encode())
    payload = _b64encode(json.dumps(claims, separators=(",", ":")).encode())
    signing_input = f"{header}.{payload}"
    return f"{signing_input}.{_mac(key, signing_input.encode('ascii'))}"


class ReceiverConfig(TypedDict, total=False):
    current_signing_key: str
    next_signing_key: str


class VerifyRequest(TypedDict, total=False):
    signature: str
    body: bytes | str
    url: str | None
    clock_tolerance: float


class _Token:
    """A token split and structurally checked once, then checked against each key."""

    __slots__ = ("claims", "signature", "signing_input")

    def __init__(self, token: str) -> None:
        if len(token) > MAX_TOKEN_LENGTH:
            raise SignatureError(
                f"malformed token: longer than {MAX_TOKEN_LENGTH} characters ({len(token)})"
            )
        if not token.isascii():
            raise SignatureError("malformed token: it contains non-ASCII characters")
        parts = token.split(".")
        if len(parts) != 3:
            raise SignatureError(
                f"malformed token: expected 3 dot-separated parts, got {len(parts)}"
            )
        header = _json_part(parts[0], "header")
        alg = header.get("alg")
        if alg != ALGORITHM:
            raise SignatureError(f"invalid algorithm {alg!r}: only {ALGORITHM} is accepted")
        if "crit" in header:
            raise SignatureError("unsupported token: the header lists critical extensions")
        self.claims = _json_part(parts[1], "payload")
        _b64decode(parts[2], "signature")
        self.signing_input = f"{parts[0]}.{parts[1]}".encode("ascii")
        self.signature = parts[2]

    def check(
        self,
        key: str,
        body: bytes | bytearray | memoryview | str,
        url: str | None,
        tolerance: float,
        now: float,
    ) -> None:
        if not hmac.compare_digest(_mac(key, self.signing_input), self.signature):
            raise SignatureError("invalid signature: the token was not signed with this key")
        claims = self.claims
        for name in ("iss", "sub", "exp", "nbf", "body"):
            if name not in claims:
                raise SignatureError(f"token lacks the {name!r} claim")
        if claims["iss"] != ISSUER:
            raise SignatureError(f"wrong issuer {claims['iss']!r}: expected {ISSUER!r}")
        for name in ("exp", "nbf", "iat"):
            value = claims.get(name, 0)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise SignatureError(f"malformed token: the {name!r} claim is not a number")
        if not isinstance(claims["sub"], str) or not isinstance(claims["body"], str):
            raise SignatureError("malformed token: the 'sub' and 'body' claims must be strings")
        if claims["exp"] + tolerance <= now:
            raise SignatureError(
                f"signature expired: exp {claims['exp']} is {now - claims['exp']:.0f} s in "
                f"the past (clock tolerance {tolerance:g} s)"
            )
        if claims["nbf"] - tolerance > now:
            raise SignatureError(
                f"signature not yet valid: nbf {claims['nbf']} is "
                f"{claims['nbf'] - now:.0f} s in the future (clock tolerance {tolerance:g} s)"
            )
        if url is not None and claims["sub"] != url:
            raise SignatureError(
                f"url mismatch: the token is for {claims['sub']!r}, expected {url!r}"
            )
        expected = body_hash(body).rstrip("=")
        if not hmac.compare_digest(claims["body"].rstrip("=").encode(), expected.encode()):
            raise SignatureError("body hash mismatch: the body is not the one that was signed")


class Receiver:
    """Verifies ``Upstash-Signature`` headers with the current key, then the next one.

    Keys come from the arguments, the original dict form ``Receiver({"current_signing_key":
    ..., "next_signing_key": ...})``, or ``QSTASH_CURRENT_SIGNING_KEY`` /
    ``QSTASH_NEXT_SIGNING_KEY`` (explicit values win). Surrounding whitespace in a key is
    dropped (a trailing newline from an env file is a common slip).
    """

    def __init__(
        self,
        config: ReceiverConfig | None = None,
        /,
        *,
        current_signing_key: str | None = None,
        next_signing_key: str | None = None,
    ) -> None:
        given: ReceiverConfig = config or {}
        current, next_key = resolve_signing_keys(
            current_signing_key or given.get("current_signing_key"),
            next_signing_key or given.get("next_signing_key"),
        )
        self.current_signing_key = _clean_key(current, "current_signing_key")
        self.next_signing_key = _clean_key(next_key, "next_signing_key")

    def __repr__(self) -> str:
        return "Receiver(current_signing_key=..., next_signing_key=...)"

    def verify(
        self, request: VerifyRequest | None = None, /, **kwargs: Unpack[VerifyRequest]
    ) -> bool:
        """Return True when ``signature`` is valid for ``body`` (and ``url``), else raise.

        ``body`` must be the raw request body (bytes, or the exact text; never a re-serialised
        JSON); ``url``, when given, must equal the token's ``sub`` claim exactly;
        ``clock_tolerance`` (seconds) widens the ``exp``/``nbf`` checks. The current key is
        tried first, then the next key; when both fail, the :class:`SignatureError` explains
        the current key's failure (and the next key's).
        """
        fields: dict[str, Any] = {**(request or {}), **kwargs}
        unknown = sorted(set(fields) - set(VerifyRequest.__annotations__))
        if unknown:
            raise TypeError(f"verify() got an unexpected argument {unknown[0]!r}")
        signature = fields.get("signature")
        if not isinstance(signature, str) or not signature:
            raise SignatureError("missing signature: pass the Upstash-Signature header value")
        body = fields.get("body")
        if not isinstance(body, bytes | bytearray | memoryview | str):
            raise SignatureError(
                "missing body: pass the raw request body as bytes or str, "
                f"got {type(body).__name__}"
            )
        tolerance = fields.get("clock_tolerance", 0) or 0
        if (
            isinstance(tolerance, bool)
            or not isinstance(tolerance, int | float)
            or not math.isfinite(tolerance)
            or tolerance < 0
        ):
            raise SignatureError(
                f"clock_tolerance must be a finite number of seconds >= 0, got {tolerance!r}"
            )
        url = fields.get("url")
        if url is not None and not isinstance(url, str):
            raise SignatureError(f"url must be a string, got {type(url).__name__}")
        token = _Token(signature)
        now = time.time()
        try:
            token.check(self.current_signing_key, body, url, tolerance, now)
        except SignatureError as current_error:
            try:
                token.check(self.next_signing_key, body, url, tolerance, now)
            except SignatureError as next_error:
                raise SignatureError(
                    f"{current_error} (checked with the current signing key; with the next "
                    f"key: {next_error})"
                ) from current_error
        return True


def _clean_key(key: str, name: str) -> str:
    if not isinstance(key, str) or not key.strip():
        raise ConfigurationError(f"{name} must be a non-empty string")
    return key.strip()
