"""Reading the ``Upstash-*`` configuration of a publish (headers, or query parameters)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from .._wire.durations import DurationError, parse_duration
from .._wire.headers import canonical, parse_bool
from .._wire.retry_delay import RetryDelayError, parse_retry_delay
from .errors import ApiError
from .http import MAX_SAFE_INT
from .models import CallbackConfig

__all__ = ["FlowControl", "PublishOptions", "parse_flow_control", "parse_publish_options"]

METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}
NAME_RE = re.compile(r"^[A-Za-z0-9._-]+$")
MAX_FLOW_PERIOD = 7 * 86400

# Headers of the HTTP exchange itself (transport, auth): never forwarded to a destination.
TRANSPORT_HEADERS = {
    "authorization",
    "host",
    "content-length",
    "connection",
    "accept-encoding",
    "transfer-encoding",
    "keep-alive",
    "user-agent",
    "accept",
}


@dataclass(slots=True)
class FlowControl:
    key: str
    parallelism: int | None = None
    rate: int | None = None
    period: int | None = None


@dataclass(slots=True)
class PublishOptions:
    method: str = "POST"
    delay: float = 0.0
    not_before: float | None = None
    retries: int | None = None
    retry_delay: str | None = None
    timeout: float | None = None
    callback: CallbackConfig | None = None
    failure_callback: CallbackConfig | None = None
    forward: list[tuple[str, str]] = field(default_factory=list)
    content_type: str | None = None
    dedup_id: str | None = None
    content_dedup: bool = False
    labels: list[str] = field(default_factory=list)
    redact: list[str] = field(default_factory=list)
    flow_control: FlowControl | None = None
    queue_name: str | None = None
    cron: str | None = None
    schedule_id: str | None = None


def _int(name: str, value: str, minimum: int = 0) -> int:
    try:
        number = int(value.strip())
    except ValueError:
        raise ApiError(400, f"invalid {name} header {value!r}: expected an integer") from None
    if number < minimum:
        raise ApiError(400, f"invalid {name} header {value!r}: must be at least {minimum}")
    if number > MAX_SAFE_INT:
        raise ApiError(400, f"invalid {name} header {value!r}: must be at most {MAX_SAFE_INT}")
    return number


def _duration(name: str, value: str) -> float:
    try:
        seconds = parse_duration(value)
    except DurationError as exc:
        raise ApiError(400, f"invalid {name} header: {exc}") from None
    if not math.isfinite(seconds):
        raise ApiError(400, f"invalid {name} header {value!r}")
    return seconds


def _retry_delay(name: str, value: str) -> str:
    try:
        return parse_retry_delay(value).source
    except RetryDelayError as exc:
        raise ApiError(400, f"invalid {name} header: {exc}") from None


def _url(name: str, value: str) -> str:
    value = value.strip()
    if not value.startswith(("http://", "https://")) or len(value) <= len("https://"):
        raise ApiError(
            400, f"invalid {name} header {value!r}: it must be an http:// or https:// URL"
        )
    return value


def check_name(kind: str, name: str) -> str:
    if not NAME_RE.fullmatch(name):
        raise ApiError(
            400,
            f"invalid {kind} {name!r}: only letters, digits, '.', '_' and '-' are allowed",
        )
    return name


def parse_flow_control(key: str, value: str | None) -> FlowControl:
    key = key.strip()
    if not key:
        raise ApiError(400, "Upstash-Flow-Control-Key must not be empty")
    if not key.isprintable():
        raise ApiError(400, "Upstash-Flow-Control-Key must not contain control characters")
    fc = FlowControl(key=key)
    if value is None or not value.strip():
        raise ApiError(
            400,
            "Upstash-Flow-Control-Value is required with Upstash-Flow-Control-Key, "
            "e.g. 'parallelism=5, rate=10, period=1m'",
        )
    for part in value.split(","):
        part = part.strip()
        if not part:
            continue
        name, sep, raw = part.partition("=")
        name = name.strip().lower()
        if not sep:
            raise ApiError(
                400, f"invalid Upstash-Flow-Control-Value part {part!r}: expected name=value"
            )
        if name == "parallelism":
            fc.parallelism = _int("Upstash-Flow-Control-Value parallelism", raw, 1)
        elif name in ("rate", "ratepersecond"):
            fc.rate = _int("Upstash-Flow-Control-Value rate", raw, 1)
        elif name == "period":
            period = _duration("Upstash-Flow-Control-Value period", raw)
            if period < 1 or period > MAX_FLOW_PERIOD:
                raise ApiError(
                    400, f"flow-control period {raw.strip()!r} must be between 1s and 7d"
                )
            fc.period = int(period)
        else:
            raise ApiError(
                400,
                f"unknown Upstash-Flow-Control-Value part {name!r}: use parallelism, rate and period",
            )
    if fc.parallelism is None and fc.rate is None:
        raise ApiError(400, "Upstash-Flow-Control-Value needs parallelism or rate (or both)")
    if fc.rate is not None and fc.period is None:
        fc.period = 1
    return fc


_CALLBACK_FIELDS = ("method", "timeout", "retries", "retry-delay", "delay")


def _callback_config(
    kind: str, url: str, values: dict[str, str], forward: list[tuple[str, str]]
) -> CallbackConfig:
    cfg = CallbackConfig(url=_url(f"Upstash-{kind}", url), headers=forward)
    method = values.get("method")
    if method is not None:
        cfg.method = method.strip().upper()
        if cfg.method not in METHODS:
            raise ApiError(400, f"invalid Upstash-{kind}-Method {method!r}")
    if "timeout" in values:
        cfg.timeout = _duration(f"Upstash-{kind}-Timeout", values["timeout"])
    if "retries" in values:
        cfg.retries = _int(f"Upstash-{kind}-Retries", values["retries"])
    if "retry-delay" in values:
        cfg.retry_delay = _retry_delay(f"Upstash-{kind}-Retry-Delay", values["retry-delay"])
    if "delay" in values:
        cfg.delay = _duration(f"Upstash-{kind}-Delay", values["delay"])
    return cfg


def parse_publish_options(
    headers: Iterable[tuple[str, str]],
    *,
    max_retries: int,
    extra_config: Iterable[tuple[str, str]] = (),
) -> PublishOptions:
    """Read every ``Upstash-*`` header (and ``extra_config`` pairs from the query string).

    Raises :class:`ApiError` 400 naming the first malformed value.
    """
    opts = PublishOptions()
    config: dict[str, str] = {}
    header_forward = False
    plain: list[tuple[str, str]] = []
    callback_cfg: dict[str, dict[str, str]] = {"callback": {}, "failure-callback": {}}
    callback_fwd: dict[str, list[tuple[str, str]]] = {"callback": [], "failure-callback": []}

    for name, value in [*headers, *extra_config]:
        lower = name.lower()
        if lower == "content-type":
            opts.content_type = value
            continue
        if not lower.startswith("upstash-"):
            if lower not in TRANSPORT_HEADERS:
                plain.append((name, value))
            continue
        rest = lower[len("upstash-") :]
        if rest.startswith("forward-"):
            target = name[len("upstash-forward-") :]
            if target:
                opts.forward.append((canonical(target), value))
            continue
        matched = False
        for kind in ("failure-callback", "callback"):
            prefix = kind + "-"
            if rest.startswith(prefix):
                sub = rest[len(prefix) :]
                if sub.startswith("forward-"):
                    callback_fwd[kind].append(
                        (canonical(name[len("upstash-" + prefix + "forward-") :]), value)
                    )
                elif sub in _CALLBACK_FIELDS:
                    callback_cfg[kind][sub] = value
                else:
                    # Upstash-Callback-<X> behaves like Upstash-<X> on the callback message;
                    # unknown ones are kept as headers of the callback request.
                    callback_fwd[kind].append((canonical(name[len("upstash-" + prefix) :]), value))
                matched = True
                break
        if not matched:
            config[rest] = value

    if "method" in config:
        opts.method = config["method"].strip().upper()
        if opts.method not in METHODS:
            raise ApiError(
                400,
                f"invalid Upstash-Method {config['method']!r}: use GET, POST, PUT, PATCH or DELETE",
            )
    if "delay" in config:
        opts.delay = _duration("Upstash-Delay", config["delay"])
    if "not-before" in config:
        opts.not_before = float(_int("Upstash-Not-Before", config["not-before"]))
    if "retries" in config:
        opts.retries = _int("Upstash-Retries", config["retries"])
        if opts.retries > max_retries:
            raise ApiError(
                400, f"Upstash-Retries {opts.retries} exceeds the maximum of {max_retries}"
            )
    if "retry-delay" in config:
        opts.retry_delay = _retry_delay("Upstash-Retry-Delay", config["retry-delay"])
    if "timeout" in config:
        opts.timeout = _duration("Upstash-Timeout", config["timeout"])
        if opts.timeout <= 0:
            raise ApiError(400, "Upstash-Timeout must be greater than zero")
    if "callback" in config:
        opts.callback = _callback_config(
            "Callback", config["callback"], callback_cfg["callback"], callback_fwd["callback"]
        )
    if "failure-callback" in config:
        opts.failure_callback = _callback_config(
            "Failure-Callback",
            config["failure-callback"],
            callback_cfg["failure-callback"],
            callback_fwd["failure-callback"],
        )
    if "deduplication-id" in config:
        opts.dedup_id = config["deduplication-id"].strip()
        if not opts.dedup_id:
            raise ApiError(400, "Upstash-Deduplication-Id must not be empty")
    if "content-based-deduplication" in config:
        try:
            opts.content_dedup = parse_bool(config["content-based-deduplication"])
        except ValueError as exc:
            raise ApiError(400, f"invalid Upstash-Content-Based-Deduplication: {exc}") from None
    if "header-forward" in config:
        try:
            header_forward = parse_bool(config["header-forward"])
        except ValueError as exc:
            raise ApiError(400, f"invalid Upstash-Header-Forward: {exc}") from None
    if "label" in config:
        opts.labels = [label.strip() for label in config["label"].split(",") if label.strip()]
    if "redact-fields" in config:
        opts.redact = _redact(config["redact-fields"])
    if "flow-control-key" in config:
        opts.flow_control = parse_flow_control(
            config["flow-control-key"], config.get("flow-control-value")
        )
    elif "flow-control-value" in config:
        raise ApiError(400, "Upstash-Flow-Control-Value was given without Upstash-Flow-Control-Key")
    if "queue-name" in config:
        opts.queue_name = check_name("queue name", config["queue-name"].strip())
    if "cron" in config:
        opts.cron = config["cron"]
    if "schedule-id" in config:
        opts.schedule_id = check_name("schedule id", config["schedule-id"].strip())
    if header_forward:
        opts.forward = [(canonical(n), v) for n, v in plain] + opts.forward
    return opts


_REDACT_RE = re.compile(r"^(body|headers?|headers?\[([^\]]+)\])$")


def _redact(value: str) -> list[str]:
    fields: list[str] = []
    for raw in value.split(","):
        token = raw.strip()
        if not token:
            continue
        match = _REDACT_RE.fullmatch(token)
        if match is None:
            raise ApiError(
                400,
                f"invalid Upstash-Redact-Fields entry {token!r}: use body, header or header[Name]",
            )
        if token == "body":
            fields.append("body")
        elif match.group(2):
            fields.append(f"header[{canonical(match.group(2).strip())}]")
        else:
            fields.append("header")
    return fields
