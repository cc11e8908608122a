"""Loading the plugin must stay cheap: pytest imports it in every project that installs us."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("aiohttp", "httpx", "httpx2", "jwt", "sqlite3", "cronsim", "click", "uvicorn")
HEAVY += ("fastapi", "starlette", "flask", "django", "upstash_qstash.server")


def _modules_after(code: str) -> dict[str, list[str]]:
    script = f"import json, sys\n{code}\nprint(json.dumps({{'modules': sorted(sys.modules)}}))\n"
    out = subprocess.run(
        [sys.executable, "-c", script], check=True, capture_output=True, text=True, timeout=60
    )
    data: dict[str, list[str]] = json.loads(out.stdout)
    return data


def _heavy(modules: list[str]) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY))


def test_the_plugin_module_adds_only_itself() -> None:
    before = _modules_after("import pytest, upstash_qstash")["modules"]
    after = _modules_after("import pytest, upstash_qstash, upstash_qstash.testing.plugin")
    added = sorted(set(after["modules"]) - set(before))
    assert added == ["upstash_qstash.testing", "upstash_qstash.testing.plugin"]


def test_loading_the_plugin_imports_nothing_heavy() -> None:
    modules = _modules_after("import pytest, upstash_qstash.testing.plugin")["modules"]
    assert _heavy(modules) == []


def test_the_public_testing_names_import_lazily() -> None:
    modules = _modules_after(
        "import upstash_qstash.testing as t\n"
        "assert 'upstash_qstash.testing.local' not in sys.modules\n"
        "t.LocalQStash, t.Recorder, t.Reply, t.RecordedRequest, t.AppServer, t.ManualClock"
    )["modules"]
    assert "upstash_qstash.testing.local" in modules
    assert "upstash_qstash.testing.apps" in modules
