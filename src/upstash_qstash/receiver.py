"""Signing and verifying ``Upstash-Signature`` tokens: one module, one truth.

The local server signs deliveries with :func:`sign`; users verify them with :class:`Receiver`.
A token is an HS256 JWT whose secret is the signing key's text, with the claims
``iss="Upstash"``, ``sub=<url>``, ``iat``, ``nbf``, ``exp`` and ``body`` (base64url of the
SHA-256 of the raw body).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Mapping
from typing import Any, TypedDict, Unpack

import jwt

from ._config import resolve_signing_keys
from ._errors import SignatureError

__all__ = ["Receiver", "ReceiverConfig", "VerifyRequest", "body_hash", "sign"]

ISSUER = "Upstash"
TOKEN_LIFETIME = 300


def body_hash(body: bytes | str) -> str:
    """Base64url (padded) of SHA-256 of ``body``: the ``body`` claim of a token."""
    raw = body.encode() if isinstance(body, str) else bytes(body)
    return base64.urlsafe_b64encode(hashlib.sha256(raw).digest()).decode()


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
    return jwt.encode(claims, key, algorithm="HS256")


class ReceiverConfig(TypedDict, total=False):
    current_signing_key: str
    next_signing_key: str


class VerifyRequest(TypedDict, total=False):
    signature: str
    body: bytes | str
    url: str | None
    clock_tolerance: float


class Receiver:
    """Verifies ``Upstash-Signature`` headers with the current key, then the next one.

    Keys come from the arguments, the original dict form ``Receiver({"current_signing_key":
    ..., "next_signing_key": ...})``, or ``QSTASH_CURRENT_SIGNING_KEY`` /
    ``QSTASH_NEXT_SIGNING_KEY``.
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
        self.current_signing_key, self.next_signing_key = resolve_signing_keys(
            current_signing_key or given.get("current_signing_key"),
            next_signing_key or given.get("next_signing_key"),
        )

    def verify(
        self, request: VerifyRequest | None = None, /, **kwargs: Unpack[VerifyRequest]
    ) -> bool:
        """Return True when ``signature`` is valid for ``body`` (and ``url``), else raise.

        ``body`` must be the raw request body (bytes, or the exact text); ``url``, when
        given, must equal the token's ``sub`` claim; ``clock_tolerance`` (seconds) widens the
        ``exp``/``nbf`` checks. The current key is tried first, then the next key; when both
        fail, the :class:`SignatureError` explains the current key's failure.
        """
        fields: dict[str, Any] = {**(request or {}), **kwargs}
        signature = fields.get("signature")
        if not isinstance(signature, str) or not signature:
            raise SignatureError("missing signature: pass the Upstash-Signature header value")
        if "body" not in fields or not isinstance(fields["body"], bytes | bytearray | str):
            raise SignatureError("missing body: pass the raw request body as bytes or str")
        tolerance = fields.get("clock_tolerance", 0) or 0
        if isinstance(tolerance, bool) or not isinstance(tolerance, int | float) or tolerance < 0:
            raise SignatureError(
                f"clock_tolerance must be a non-negative number, got {tolerance!r}"
            )
        url = fields.get("url")
        try:
            _verify_with_key(self.current_signing_key, signature, fields["body"], url, tolerance)
        except SignatureError as current_error:
            try:
                _verify_with_key(self.next_signing_key, signature, fields["body"], url, tolerance)
            except SignatureError:
                raise SignatureError(
                    f"{current_error} (checked with the current key; the next key failed too)"
                ) from current_error
        return True


def _verify_with_key(
    key: str, token: str, body: bytes | bytearray | str, url: str | None, tolerance: float
) -> None:
    try:
        claims: Mapping[str, Any] = jwt.decode(
            token,
            key,
            algorithms=["HS256"],
            issuer=ISSUER,
            leeway=tolerance,
            options={"require": ["iss", "sub", "exp", "nbf", "body"], "verify_aud": False},
        )
    except jwt.ExpiredSignatureError as exc:
        raise SignatureError("signature expired (exp is in the past)") from exc
    except jwt.ImmatureSignatureError as exc:
        raise SignatureError("signature not yet valid (nbf/iat is in the future)") from exc
    except jwt.InvalidIssuerError as exc:
        raise SignatureError(f"wrong issuer: expected {ISSUER!r}") from exc
    except jwt.MissingRequiredClaimError as exc:
        raise SignatureError(f"token lacks the {exc.claim!r} claim") from exc
    except jwt.InvalidSignatureError as exc:
        raise SignatureError("invalid signature: the token was not signed with this key") from exc
    except jwt.InvalidAlgorithmError as exc:
        raise SignatureError("invalid algorithm: only HS256 is accepted") from exc
    except jwt.InvalidTokenError as exc:
        raise SignatureError(f"malformed token: {exc}") from exc
    if url is not None and claims["sub"] != url:
        raise SignatureError(f"url mismatch: token is for {claims['sub']!r}, expected {url!r}")
    claimed = claims["body"]
    if not isinstance(claimed, str) or claimed.rstrip("=") != body_hash(
        bytes(body) if isinstance(body, bytearray) else body
    ).rstrip("="):
        raise SignatureError("body hash mismatch: the body is not the one that was signed")
