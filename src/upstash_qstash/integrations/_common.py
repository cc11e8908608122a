"""What every framework integration shares: configuration, the check itself, the result.

A framework module only has to read the raw body and the headers, call
:meth:`QStashCheck.check`, and turn a :class:`Rejection` into its own response type.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypedDict
from urllib.parse import quote

from .._errors import SignatureError
from ..receiver import Receiver

__all__ = ["SIGNATURE_HEADER", "CheckOptions", "Delivery", "QStashCheck", "Rejection"]

SIGNATURE_HEADER = "upstash-signature"


@dataclass(frozen=True)
class Delivery:
    """A verified QStash delivery: the raw body exactly as received, and its headers.

    ``headers`` has lower-cased names; :meth:`header` looks a name up in any case.
    """

    body: bytes
    headers: Mapping[str, str]
    url: str | None = None
    """The URL the signature was checked against (``None`` when no URL check was configured)."""

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    @property
    def text(self) -> str:
        """The body decoded as UTF-8."""
        return self.body.decode("utf-8")

    def json(self) -> Any:
        """The body parsed as JSON (raises ``ValueError`` if it is not JSON)."""
        return json.loads(self.body)

    @property
    def signature(self) -> str:
        return self.headers[SIGNATURE_HEADER]

    @property
    def message_id(self) -> str | None:
        return self.header("Upstash-Message-Id")

    @property
    def retried(self) -> int:
        """How many earlier attempts of this message failed (0 on the first attempt)."""
        value = self.header("Upstash-Retried")
        return int(value) if value is not None and value.isdigit() else 0

    @property
    def schedule_id(self) -> str | None:
        return self.header("Upstash-Schedule-Id")

    @property
    def queue_name(self) -> str | None:
        return self.header("Upstash-Queue-Name")

    @property
    def url_group(self) -> str | None:
        return self.header("Upstash-Topic-Name")

    @property
    def endpoint_name(self) -> str | None:
        return self.header("Upstash-Endpoint-Name")


class Rejection(Exception):
    """Why a request was refused: ``status`` 401 (no signature) or 403 (invalid)."""

    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers: dict[str, str] = dict(headers or {})

    def payload(self) -> dict[str, str]:
        """The JSON body of the error response."""
        return {"error": self.message}


class CheckOptions(TypedDict, total=False):
    """The keyword options of every integration's decorator (see :class:`QStashCheck`)."""

    receiver: Receiver | None
    current_signing_key: str | None
    next_signing_key: str | None
    url: str | None
    base_url: str | None
    clock_tolerance: float


class QStashCheck:
    """The verification settings of one endpoint (or of many endpoints sharing them).

    * ``receiver`` (or ``current_signing_key``/``next_signing_key``): the keys; without them a
      :class:`~upstash_qstash.Receiver` is built from ``QSTASH_CURRENT_SIGNING_KEY`` /
      ``QSTASH_NEXT_SIGNING_KEY`` on the first request.
    * ``url``: the exact public URL QStash calls; the token's ``sub`` claim must equal it.
    * ``base_url``: the public origin (and any path prefix a proxy strips), e.g.
      ``https://api.example.com``; the checked URL is ``base_url`` + the request path (and
      query string) as the app sees it. Use one of ``url``/``base_url``; with neither, the URL
      claim is not checked (behind a proxy the URL the app sees is not the one QStash signed).
    * ``clock_tolerance``: seconds of clock difference accepted on ``exp``/``nbf``.
    """

    def __init__(
        self,
        receiver: Receiver | None = None,
        *,
        current_signing_key: str | None = None,
        next_signing_key: str | None = None,
        url: str | None = None,
        base_url: str | None = None,
        clock_tolerance: float = 0,
    ) -> None:
        if url is not None and base_url is not None:
            raise ValueError("pass either url or base_url, not both")
        for name, value in (("url", url), ("base_url", base_url)):
            if value is not None and not value.startswith(("http://", "https://")):
                raise ValueError(f"{name} must be an absolute http(s) URL, got {value!r}")
        if receiver is not None and (current_signing_key or next_signing_key):
            raise ValueError("pass either receiver or the signing keys, not both")
        if isinstance(clock_tolerance, bool) or not clock_tolerance >= 0:
            raise ValueError(f"clock_tolerance must be >= 0, got {clock_tolerance!r}")
        self.url = url
        self.base_url = base_url.rstrip("/") if base_url is not None else None
        self.clock_tolerance = clock_tolerance
        self._keys = (current_signing_key, next_signing_key)
        self._receiver = receiver
        if receiver is None and (current_signing_key or next_signing_key):
            self._receiver = Receiver(
                current_signing_key=current_signing_key, next_signing_key=next_signing_key
            )
        self._lock = threading.Lock()

    @property
    def receiver(self) -> Receiver:
        """The receiver in use (built from the environment on first use when not given)."""
        if self._receiver is None:
            with self._lock:
                if self._receiver is None:
                    self._receiver = Receiver()
        return self._receiver

    def expected_url(self, path: str, query: str = "") -> str | None:
        """The URL the ``sub`` claim must equal for a request to ``path``/``query``."""
        if self.url is not None:
            return self.url
        if self.base_url is None:
            return None
        quoted = quote(path, safe="/:@!$&'()*+,;=-._~%")
        return self.base_url + quoted + (f"?{query}" if query else "")

    def check(
        self,
        headers: Iterable[tuple[str, str]],
        body: bytes,
        *,
        path: str = "/",
        query: str = "",
    ) -> Delivery:
        """Verify one request; return the :class:`Delivery` or raise :class:`Rejection`.

        ``headers`` are (name, value) pairs in any case; ``body`` is the raw body bytes.
        """
        lowered: dict[str, str] = {}
        signatures: list[str] = []
        for name, value in headers:
            key = name.lower()
            if key == SIGNATURE_HEADER:
                signatures.append(value)
            lowered[key] = f"{lowered[key]}, {value}" if key in lowered else value
        if not signatures or not signatures[0].strip():
            raise Rejection(
                401,
                "missing Upstash-Signature header: this endpoint only accepts signed "
                "QStash deliveries",
                {"WWW-Authenticate": "Upstash-Signature"},
            )
        if len(signatures) > 1:
            raise Rejection(403, "invalid Upstash-Signature: the header was sent more than once")
        url = self.expected_url(path, query)
        try:
            self.receiver.verify(
                signature=signatures[0].strip(),
                body=body,
                url=url,
                clock_tolerance=self.clock_tolerance,
            )
        except SignatureError as exc:
            raise Rejection(403, f"invalid Upstash-Signature: {exc}") from exc
        return Delivery(body=body, headers=lowered, url=url)
