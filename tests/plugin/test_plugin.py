"""The pytest plugin as a user meets it: test files run in an inner pytest session.

The inner sessions run in this process (``runpytest_inprocess``) and load the plugin the way
a user's project does, through the ``pytest11`` entry point. Frameworks are imported here
first so the inner sessions reuse them instead of importing them again.
"""

from __future__ import annotations

import json
import sys
import textwrap
import time

import fastapi  # noqa: F401  (imported once for every inner session)
import flask  # noqa: F401
import h11  # noqa: F401
import httpcore2  # noqa: F401
import httpx2  # noqa: F401
import pytest
import truststore  # noqa: F401
import uvicorn  # noqa: F401

import upstash_qstash.server.app
import upstash_qstash.testing.apps
import upstash_qstash.testing.local
import upstash_qstash.testing.plugin  # noqa: F401
from upstash_qstash import AsyncClient, Client, QStashError, Receiver  # noqa: F401
from upstash_qstash.testing import RecordedRequest, Recorder, Reply  # noqa: F401

pytest_plugins = ["pytester"]


class _ModulesSeen:
    """Records which modules an inner session had loaded when it finished."""

    def __init__(self) -> None:
        self.files: dict[str, str] = {}

    def pytest_sessionfinish(self) -> None:
        self.files = {n: str(getattr(m, "__file__", None)) for n, m in list(sys.modules.items())}


def _run_inprocess(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """Run the inner session, refusing one that imported a library for the first time.

    pytester drops every module an in-process session imported first, while the modules
    loaded before keep references to them: the next importer gets a second copy of, say,
    ``httpcore2``, whose exceptions the first copy of ``httpx2`` no longer translates (a
    later test then sees a raw ``httpcore2.ConnectError``). Import such modules at the top
    of this file so every session shares them.
    """
    before = set(sys.modules)
    seen = _ModulesSeen()
    result = pytester.runpytest_inprocess(*INNER_ARGS, *args, plugins=[seen])
    local = str(pytester.path)
    first_imported = sorted(
        name
        for name, file in seen.files.items()
        if name not in before
        and not file.startswith(local)
        and name.partition(".")[0] not in sys.stdlib_module_names
    )
    assert first_imported == [], f"imported first by an inner session: {first_imported}"
    return result


INNER_ARGS = ("-p", "no:cacheprovider", "-W", "error", "-q")


def run(pytester: pytest.Pytester, source: str, *args: str) -> pytest.RunResult:
    pytester.makepyfile(test_user=textwrap.dedent(source))
    return _run_inprocess(pytester, *args)


def run_subprocess(pytester: pytest.Pytester, source: str) -> pytest.RunResult:
    pytester.makepyfile(test_user=textwrap.dedent(source))
    pytester.makeini("[pytest]\npythonpath = .\n")
    return pytester.runpytest_subprocess(*INNER_ARGS, timeout=120)


def test_a_day_long_delay_is_delivered_by_advancing_the_clock(pytester: pytest.Pytester) -> None:
    timing = pytester.path / "timing.json"
    result = run(
        pytester,
        f"""
        import json, time

        def test_reminder_arrives_after_a_day(qstash_client, qstash_server, qstash_recorder):
            started = time.perf_counter()
            sent = qstash_client.publish_json(
                url=qstash_recorder.url + "/remind?user=7", body={{"text": "hi"}}, delay="1d"
            )
            qstash_server.advance(86400 - 1)
            assert qstash_recorder.requests == []
            qstash_server.advance(1)
            [delivery] = qstash_recorder.requests
            assert delivery.method == "POST"
            assert delivery.path == "/remind" and delivery.query == "user=7"
            assert delivery.json() == {{"text": "hi"}}
            assert delivery.header("Upstash-Message-Id") == sent.message_id
            assert delivery.verified is True, delivery.signature_error
            elapsed = time.perf_counter() - started
            with open({str(timing)!r}, "w") as f:
                json.dump({{"elapsed": elapsed}}, f)
        """,
    )
    result.assert_outcomes(passed=1)
    elapsed = json.loads(timing.read_text())["elapsed"]
    print(f"publish + advance one day + delivery took {elapsed * 1000:.1f} ms")
    # Loose on purpose: a day of virtual time costs milliseconds; only a real wait would fail.
    assert elapsed < 5.0


def test_every_test_gets_a_clean_server_quickly(pytester: pytest.Pytester) -> None:
    """100 tests, each publishing on a server that must look brand new to it."""
    count = 100
    started = time.perf_counter()
    result = run(
        pytester,
        f"""
        import httpx2, pytest

        urls = set()

        @pytest.fixture(scope="module")
        def http():
            with httpx2.Client() as client:
                yield client

        @pytest.mark.parametrize("n", range({count}))
        def test_fresh(n, http, qstash_client, qstash_server, qstash_recorder):
            urls.add(qstash_server.url)
            assert len(urls) == 1  # one server for the whole session
            sent = qstash_client.publish(url=qstash_recorder.url + f"/{{n}}", body=str(n))
            qstash_server.drain()
            assert [(r.path, r.body) for r in qstash_recorder.requests] == [
                (f"/{{n}}", str(n).encode())
            ]
            events = http.get(
                qstash_server.url + "/v2/events",
                headers={{"Authorization": "Bearer " + qstash_server.token}},
            ).json()["events"]
            assert {{e["messageId"] for e in events}} == {{sent.message_id}}
        """,
    )
    elapsed = time.perf_counter() - started
    result.assert_outcomes(passed=count)
    per_test = elapsed / count
    print(f"{count} tests, each on a reset server: {elapsed:.2f} s ({per_test * 1000:.1f} ms/test)")
    assert per_test < 0.25  # loose: milliseconds are expected


def test_retries_then_dead_letter_through_the_recording_endpoint(
    pytester: pytest.Pytester,
) -> None:
    result = run(
        pytester,
        """
        import base64
        import httpx2
        from upstash_qstash.testing import Reply

        def test_two_failures_then_success(qstash_client, qstash_server, qstash_recorder):
            qstash_recorder.respond_with(500, Reply(503, body="busy"), then=200)
            qstash_client.publish_json(url=qstash_recorder.url + "/job", body={"n": 1}, retries=3)
            qstash_server.advance(3600)
            deliveries = qstash_recorder.requests
            assert [d.header("Upstash-Retried") for d in deliveries] == ["0", "1", "2"]
            assert [d.reply.status for d in deliveries] == [500, 503, 200]
            assert all(d.verified for d in deliveries)

        def test_exhausted_retries_land_in_the_dlq(qstash_client, qstash_server, qstash_recorder):
            qstash_recorder.respond_with(then=Reply(500, body="down"))
            sent = qstash_client.publish_json(url=qstash_recorder.url + "/job", body={}, retries=2)
            qstash_server.advance(7 * 86400)
            assert len(qstash_recorder.requests) == 3
            response = httpx2.get(
                qstash_server.url + "/v2/dlq",
                headers={"Authorization": "Bearer " + qstash_server.token},
            )
            [dead] = response.json()["messages"]
            assert dead["messageId"] == sent.message_id
            assert dead["responseStatus"] == 500

        def test_failure_callback_reports_the_last_answer(
            qstash_client, qstash_server, qstash_recorder
        ):
            qstash_recorder.respond_using(
                lambda r: Reply(502, body="bad gateway") if r.path == "/job" else Reply(200)
            )
            sent = qstash_client.publish_json(
                url=qstash_recorder.url + "/job",
                body={"n": 2},
                retries=1,
                failure_callback=qstash_recorder.url + "/failed",
            )
            qstash_server.advance(86400)
            [callback] = [d for d in qstash_recorder.requests if d.path == "/failed"]
            assert callback.verified is True, callback.signature_error
            report = callback.json()
            assert report["sourceMessageId"] == sent.message_id
            assert report["status"] == 502
            assert base64.b64decode(report["body"]) == b"bad gateway"
            assert report["dlqId"]

        def test_state_does_not_leak_between_tests(qstash_server, qstash_recorder):
            response = httpx2.get(
                qstash_server.url + "/v2/dlq",
                headers={"Authorization": "Bearer " + qstash_server.token},
            )
            assert response.json()["messages"] == []
            assert qstash_recorder.requests == []
        """,
    )
    result.assert_outcomes(passed=4)


def test_a_cron_schedule_fires_three_times_as_time_advances(pytester: pytest.Pytester) -> None:
    """Created over the wire (``POST /v2/schedules/{destination}`` with ``Upstash-Cron``)."""
    result = run(
        pytester,
        """
        import httpx2, pytest

        # 30 s past a minute, so the next three minute marks fall inside three minutes.
        @pytest.mark.qstash(start_time=1_800_000_030)
        def test_every_minute(qstash_server, qstash_recorder):
            response = httpx2.post(
                f"{qstash_server.url}/v2/schedules/{qstash_recorder.url}/tick",
                headers={
                    "Authorization": "Bearer " + qstash_server.token,
                    "Upstash-Cron": "* * * * *",
                },
                content=b"tick",
            )
            assert response.status_code in (200, 201), response.text
            schedule_id = response.json()["scheduleId"]
            qstash_server.advance(29)
            assert qstash_recorder.requests == []
            qstash_server.advance(151)
            fired = qstash_recorder.requests
            assert len(fired) == 3
            assert {d.header("Upstash-Schedule-Id") for d in fired} == {schedule_id}
            assert all(d.body == b"tick" and d.verified for d in fired)
        """,
    )
    result.assert_outcomes(passed=1)


def test_marker_sets_start_time_and_server_settings(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        from datetime import datetime, timezone
        import pytest
        from upstash_qstash import QStashError

        pytestmark = pytest.mark.qstash(max_body_bytes=100)

        @pytest.mark.qstash(start_time=datetime(2031, 5, 1, tzinfo=timezone.utc))
        def test_start_time(qstash_clock, qstash_server):
            assert qstash_clock.now() == datetime(2031, 5, 1, tzinfo=timezone.utc).timestamp()
            qstash_server.advance(60)
            assert qstash_clock.now() == datetime(2031, 5, 1, 0, 1, tzinfo=timezone.utc).timestamp()

        def test_module_marker_limits_the_body(qstash_client, qstash_recorder):
            qstash_client.publish(url=qstash_recorder.url, body=b"x" * 100)
            with pytest.raises(QStashError) as raised:
                qstash_client.publish(url=qstash_recorder.url, body=b"x" * 101)
            assert 400 <= raised.value.status_code < 500

        @pytest.mark.qstash(max_body_bytes=1000)
        def test_closest_marker_wins(qstash_client, qstash_recorder):
            qstash_client.publish(url=qstash_recorder.url, body=b"x" * 1000)

        @pytest.mark.qstash(max_bdy_bytes=1)
        def test_misspelt_option(qstash_server):
            pass
        """,
    )
    result.assert_outcomes(passed=3, errors=1)
    result.stdout.fnmatch_lines(["*unknown option 'max_bdy_bytes'*max_body_bytes*"])


def test_env_and_async_client(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        import asyncio, os
        from upstash_qstash import Client, Receiver

        def test_code_that_reads_the_environment(qstash_env, qstash_server, qstash_recorder):
            assert os.environ["QSTASH_URL"] == qstash_server.url
            with Client() as client:
                client.publish_json(url=qstash_recorder.url + "/env", body=[1])
            qstash_server.drain()
            [delivery] = qstash_recorder.requests
            assert Receiver().verify(
                signature=delivery.header("Upstash-Signature"),
                body=delivery.body,
                url=qstash_recorder.url + "/env",
            )

        def test_async_client(qstash_async_client, qstash_server, qstash_recorder):
            async def publish():
                return await qstash_async_client.publish_json(url=qstash_recorder.url, body=2)

            sent = asyncio.run(publish())
            qstash_server.drain()
            [delivery] = qstash_recorder.requests
            assert delivery.header("Upstash-Message-Id") == sent.message_id
        """,
    )
    result.assert_outcomes(passed=2)


def test_delivers_to_a_flask_app_named_in_the_ini_file(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        hooks=textwrap.dedent(
            """
            from flask import Flask, request
            from upstash_qstash import Receiver

            app = Flask(__name__)
            handled = []

            @app.post("/hooks/<name>")
            def hook(name):
                Receiver().verify(
                    signature=request.headers["Upstash-Signature"],
                    body=request.get_data(),
                    url=request.url,
                )
                handled.append((name, request.get_json()))
                return {"ok": True}
            """
        )
    )
    pytester.makeini("[pytest]\nqstash_app = hooks:app\npythonpath = .\n")
    result = run(
        pytester,
        """
        from hooks import handled

        def test_flask_route_gets_the_message(qstash_app, qstash_client, qstash_server):
            assert qstash_app.interface == "wsgi"
            qstash_client.publish_json(url=qstash_app.url + "/hooks/signup", body={"id": 3})
            qstash_server.drain()
            assert handled == [("signup", {"id": 3})]
        """,
    )
    result.assert_outcomes(passed=1)


def test_delivers_to_a_django_project_over_wsgi_and_asgi(pytester: pytest.Pytester) -> None:
    """In a subprocess: Django's settings are global to the process that configures them."""
    pytester.makepyfile(
        djsite=textwrap.dedent(
            """
            import json

            from django.conf import settings

            settings.configure(
                ROOT_URLCONF=__name__, ALLOWED_HOSTS=["127.0.0.1"], SECRET_KEY="test", DEBUG=False
            )

            import django

            django.setup()

            from django.core.asgi import get_asgi_application
            from django.core.wsgi import get_wsgi_application
            from django.http import JsonResponse
            from django.urls import path

            from upstash_qstash import Receiver

            handled = []

            def hook(request):
                Receiver().verify(
                    signature=request.headers["Upstash-Signature"],
                    body=request.body,
                    url=request.build_absolute_uri(),
                )
                handled.append(json.loads(request.body))
                return JsonResponse({"ok": True})

            urlpatterns = [path("tasks/hook", hook)]
            wsgi = get_wsgi_application()
            asgi = get_asgi_application()
            """
        )
    )
    result = run_subprocess(
        pytester,
        """
        import pytest
        from djsite import asgi, handled, wsgi

        @pytest.mark.parametrize(
            "interface",
            [
                pytest.param("wsgi", marks=pytest.mark.qstash(app=wsgi)),
                pytest.param("asgi", marks=pytest.mark.qstash(app=asgi)),
            ],
        )
        def test_django_view_gets_the_message(interface, qstash_app, qstash_client, qstash_server):
            assert qstash_app.interface == interface
            handled.clear()
            qstash_client.publish_json(url=qstash_app.url + "/tasks/hook", body={"via": interface})
            qstash_server.drain()
            assert handled == [{"via": interface}]
        """,
    )
    result.assert_outcomes(passed=2)


def test_qstash_app_without_an_app_explains_itself(pytester: pytest.Pytester) -> None:
    result = run(pytester, "def test_x(qstash_app):\n    pass\n")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*qstash_app needs an app*"])


def test_marker_values_and_app_targets_are_checked_with_clear_messages(
    pytester: pytest.Pytester,
) -> None:
    result = run(
        pytester,
        """
        import pytest

        @pytest.mark.qstash(max_body_bytes="1k")
        def test_text_for_a_size(qstash_server):
            pass

        @pytest.mark.qstash(dedup_window_seconds=-1)
        def test_negative_window(qstash_server):
            pass

        @pytest.mark.qstash(default_retries=True)
        def test_bool_for_a_count(qstash_server):
            pass

        @pytest.mark.qstash(app="no_such_module_here:app")
        def test_missing_module(qstash_app):
            pass

        @pytest.mark.qstash(app="json")
        def test_not_module_attribute(qstash_app):
            pass

        @pytest.mark.qstash(app=42)
        def test_not_an_app(qstash_app):
            pass

        @pytest.mark.qstash(max_retries=5, max_attempt_timeout_seconds=1.5)
        def test_good_values(qstash_server):
            assert qstash_server.settings.max_retries == 5
        """,
    )
    result.assert_outcomes(passed=1, errors=6)
    result.stdout.fnmatch_lines_random(
        [
            "*qstash(max_body_bytes='1k'): expected a non-negative integer*",
            "*qstash(dedup_window_seconds=-1): expected a non-negative number of seconds*",
            "*qstash(default_retries=True): expected a non-negative integer*",
            "*qstash_app cannot serve the app 'no_such_module_here:app'*No module named*",
            "*cannot serve the app 'json'*must look like 'package.module:attribute'*",
            "*qstash_app cannot serve the app 42*neither an ASGI nor a WSGI application*",
        ]
    )
    assert "Traceback" not in result.stdout.str()
    assert "During handling" not in result.stdout.str()


def test_a_test_that_fails_midway_leaves_nothing_behind(pytester: pytest.Pytester) -> None:
    """Scripted replies, env vars, clock, queued messages: none survive a failed test."""
    result = run(
        pytester,
        """
        import os, time
        import pytest

        def test_fails_midway(qstash_env, qstash_client, qstash_server, qstash_recorder):
            qstash_recorder.respond_with(then=500)
            qstash_client.publish_json(url=qstash_recorder.url + "/later", body=1, delay="1h")
            qstash_client.publish_json(url=qstash_recorder.url + "/now", body=2)
            qstash_server.advance(600)
            raise AssertionError("boom")

        def test_next_one_starts_clean(qstash_client, qstash_server, qstash_recorder):
            assert "QSTASH_URL" not in os.environ
            assert abs(qstash_server.manual_clock.now() - time.time()) < 60
            assert qstash_recorder.requests == []
            qstash_client.publish_json(url=qstash_recorder.url + "/fresh", body=3)
            qstash_server.advance(7200)
            assert [(r.path, r.reply.status) for r in qstash_recorder.requests] == [("/fresh", 200)]
        """,
    )
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*AssertionError: boom*"])


def test_async_client_inside_an_async_test(pytester: pytest.Pytester) -> None:
    """An anyio test awaits the fixture's client on its own loop; the server keeps its own."""
    result = run(
        pytester,
        """
        import pytest

        @pytest.fixture
        def anyio_backend():
            return "asyncio"

        @pytest.mark.anyio
        async def test_publish_from_async_code(qstash_async_client, qstash_server, qstash_recorder):
            sent = await qstash_async_client.publish_json(url=qstash_recorder.url + "/a", body=1)
            again = await qstash_async_client.publish_json(url=qstash_recorder.url + "/b", body=2)
            qstash_server.drain()
            ids = {r.header("Upstash-Message-Id") for r in qstash_recorder.requests}
            assert ids == {sent.message_id, again.message_id}

        @pytest.mark.anyio
        async def test_a_second_loop_works_too(qstash_async_client, qstash_server, qstash_recorder):
            await qstash_async_client.publish_json(url=qstash_recorder.url, body=3)
            qstash_server.drain()
            assert len(qstash_recorder.requests) == 1
        """,
        "-p",
        "anyio",
    )
    result.assert_outcomes(passed=2)


def test_without_the_server_extra_the_fixtures_say_what_to_install(
    pytester: pytest.Pytester,
) -> None:
    """In a subprocess: aiohttp is made unimportable there, as if the extra were missing."""
    pytester.makeconftest("import sys\nsys.modules['aiohttp'] = None\n")
    result = run_subprocess(
        pytester,
        """
        def test_server(qstash_server):
            pass

        def test_plain():
            pass
        """,
    )
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.re_match_lines(
        [
            r".*the qstash_\* fixtures run the local server, which needs the \[server\] extra: "
            r"pip install 'upstash-qstash\[server\]' \(aiohttp is not installed\)"
        ]
    )
    output = result.stdout.str()
    assert "direct cause" not in output and "During handling" not in output


def test_async_tests_can_wait_for_an_endpoint_served_on_their_own_loop(
    pytester: pytest.Pytester,
) -> None:
    """``adrain``/``aadvance`` await: the blocking forms would freeze this loop's endpoint."""
    result = run(
        pytester,
        """
        import anyio
        import pytest
        from aiohttp import web

        @pytest.fixture
        def anyio_backend():
            return "asyncio"

        @pytest.mark.anyio
        async def test_endpoint_on_the_test_loop(qstash_async_client, qstash_server):
            received = []

            async def hook(request):
                received.append(await request.text())
                return web.Response(text="ok")

            app = web.Application()
            app.router.add_post("/hook", hook)
            runner = web.AppRunner(app, access_log=None)
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            port = site._server.sockets[0].getsockname()[1]
            try:
                url = f"http://127.0.0.1:{port}/hook"
                await qstash_async_client.publish(url=url, body="now")
                await qstash_async_client.publish(url=url, body="later", delay="1h")
                with anyio.fail_after(10):
                    await qstash_server.adrain()
                assert received == ["now"]
                with anyio.fail_after(10):
                    await qstash_server.aadvance(3600)
                assert received == ["now", "later"]
                with pytest.raises(ValueError):
                    await qstash_server.aadvance(-1)
            finally:
                await runner.cleanup()
        """,
        "-p",
        "anyio",
    )
    result.assert_outcomes(passed=1)
