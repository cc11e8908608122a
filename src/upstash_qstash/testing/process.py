"""``qstash dev`` in a child process: for crash tests, benchmarks and CLI checks.

    with DevServerProcess("--db", "state.db") as server:
        client = Client(server.env["QSTASH_TOKEN"], base_url=server.url)
        ...
        server.kill()          # SIGKILL, as a crash would

The server listens on a free port (``--port 0``); :attr:`url` and :attr:`env` come from the
lines it prints at start.
"""

from __future__ import annotations

import queue
import re
import subprocess
import sys
import threading
import time
from collections.abc import Sequence

__all__ = ["DevServerProcess"]

_ENV_LINE = re.compile(r'^(QSTASH_[A-Z_]+)="(.*)"$')
_ENV_NAMES = ("QSTASH_URL", "QSTASH_TOKEN", "QSTASH_CURRENT_SIGNING_KEY", "QSTASH_NEXT_SIGNING_KEY")


class DevServerProcess:
    """Runs ``qstash dev --port 0 *args`` and waits until it announces its environment."""

    def __init__(
        self,
        *args: str,
        command: Sequence[str] = (sys.executable, "-m", "upstash_qstash.cli"),
        start_timeout: float = 30.0,
    ) -> None:
        self.args = [*command, "dev", "--port", "0", *args]
        self.start_timeout = start_timeout
        self.env: dict[str, str] = {}
        self.output: list[str] = []
        self._proc: subprocess.Popen[str] | None = None
        self._reader: threading.Thread | None = None

    @property
    def url(self) -> str:
        return self.env["QSTASH_URL"]

    @property
    def process(self) -> subprocess.Popen[str]:
        assert self._proc is not None, "not started"
        return self._proc

    def start(self) -> DevServerProcess:
        proc = subprocess.Popen(
            self.args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        self._proc = proc
        lines: queue.Queue[str | None] = queue.Queue()

        def pump() -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                self.output.append(line)
                lines.put(line)
            lines.put(None)

        self._reader = threading.Thread(target=pump, name="qstash-dev-output", daemon=True)
        self._reader.start()
        deadline = time.monotonic() + self.start_timeout
        try:
            while not all(name in self.env for name in _ENV_NAMES):
                try:
                    line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    raise TimeoutError(self._failure("did not announce its URL in time")) from None
                if line is None:
                    raise RuntimeError(self._failure("exited before announcing its URL"))
                match = _ENV_LINE.match(line.strip())
                if match:
                    self.env[match.group(1)] = match.group(2)
        except BaseException:
            self.stop()
            raise
        return self

    def _failure(self, what: str) -> str:
        return f"qstash dev {what}; its output: {''.join(self.output)!r}"

    def kill(self) -> None:
        """SIGKILL the server, as a crash would, and wait for it to go."""
        if self._proc is not None and self._proc.poll() is None:
            self._proc.kill()
        self._finish()

    def stop(self, timeout: float = 10.0) -> int | None:
        """SIGTERM the server (a clean shutdown) and return its exit code."""
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self._proc.kill()
        return self._finish()

    def _finish(self) -> int | None:
        if self._proc is None:
            return None
        code = self._proc.wait(10)
        if self._reader is not None:
            self._reader.join(10)
        if self._proc.stdout is not None:
            self._proc.stdout.close()
        return code

    def __enter__(self) -> DevServerProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
