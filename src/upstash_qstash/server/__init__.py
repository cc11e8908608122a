"""The local QStash-compatible server (needs the ``[server]`` extra)."""

try:
    import aiohttp  # noqa: F401
    import cronsim  # noqa: F401
except ModuleNotFoundError as exc:  # pragma: no cover - depends on the installed extras
    raise ModuleNotFoundError(
        "the local QStash server needs the [server] extra: "
        f"pip install 'upstash-qstash[server]' ({exc.name} is not installed)",
        name=exc.name,
    ) from exc
