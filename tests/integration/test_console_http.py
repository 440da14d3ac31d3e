"""The console's security and actions over a real uvicorn server on loopback, with httpx:
login, cookies, CSRF, roles, brute-force limit, unauthenticated refusals, replay and requeue,
users; and the `gateway users` CLI."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from click.testing import Result

from gateway.console.app import ConsoleConfig
from gateway.console.auth import LoginLimiter, hash_password
from gateway.ops import RunningServer, create_app, serve_in_thread
from gateway.ops.auth import AuthConfig
from gateway.store import MessageStatus, OutboxStatus, create_store
from tests.integration.console_env import HOSTILE_NAME, PASSWORD, ConsoleDemo, build

pytestmark = pytest.mark.integration


@dataclass
class Env:
    demo: ConsoleDemo
    server: RunningServer


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    demo = build(tmp_path_factory.mktemp("console-http"))
    config = ConsoleConfig(archive=demo.gw.archive, limiter=LoginLimiter(per_name=3, per_client=50))
    server = serve_in_thread(create_app(demo.gw.store, demo.gw.registry, console=config), port=0)
    try:
        yield Env(demo, server)
    finally:
        server.stop()
        demo.gw.store.close()


def client(env: Env) -> httpx.Client:
    return httpx.Client(base_url=env.server.url, timeout=10.0, follow_redirects=False)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found is not None, html[:500]
    return found.group(1)


def login(c: httpx.Client, name: str, password: str = PASSWORD) -> httpx.Response:
    form = c.get("/console/login")
    assert form.status_code == 200
    return c.post(
        "/console/login",
        data={"csrf": csrf_of(form.text), "username": name, "password": password, "next": ""},
    )


def test_nothing_but_health_and_metrics_without_a_login(env: Env) -> None:
    with client(env) as c:
        assert c.get("/health").status_code == 200
        assert c.get("/metrics").status_code == 200
        for path in ("/console/acks", "/console/partners", "/console/messages/1", "/"):
            r = c.get(path)
            assert r.status_code == 303, path
            assert r.headers["location"].startswith("/console/login?next="), path
        r = c.post(f"/console/messages/{env.demo.bad_id}/replay", data={"confirm": "yes"})
        assert r.status_code == 403 and "log in" in r.text
        r = c.post(f"/console/deadletters/{env.demo.dead_ids[0]}/requeue", data={"confirm": "yes"})
        assert r.status_code == 403
        for path in ("/api/messages", "/api/partners", "/openapi.json"):
            r = c.get(path)
            assert r.status_code == 401, path
            assert r.headers["content-type"] == "application/problem+json"
        assert c.get("/api/messages", headers={"X-API-Key": "anything"}).status_code == 401
        # a forged session cookie is no session
        c.cookies.set("gateway_console", "forged-token")
        assert c.get("/console/acks").status_code == 303
        assert c.get("/api/messages").status_code == 401
    with client(env) as c:  # a console login opens the read-only API to the browser too
        login(c, "vera")
        assert c.get("/api/messages").status_code == 200
        assert c.get("/").status_code == 200
    assert env.demo.gw.store.get_message(env.demo.bad_id).status is MessageStatus.QUARANTINED  # type: ignore[union-attr]


def test_login_sets_a_strict_httponly_cookie_and_logout_ends_the_session(env: Env) -> None:
    with client(env) as c:
        r = login(c, "vera")
        assert r.status_code == 303 and r.headers["location"] == "/console/acks"
        cookie = next(
            h for h in r.headers.get_list("set-cookie") if h.startswith("gateway_console=")
        )
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
        assert "Secure" not in cookie  # plain HTTP on loopback: a Secure cookie would be dropped
        token = cookie.split(";")[0].split("=", 1)[1]
        page = c.get("/console/acks")
        assert page.status_code == 200 and "vera (viewer)" in page.text
        for header, value in (
            ("content-security-policy", "default-src 'none'"),
            ("x-content-type-options", "nosniff"),
            ("cache-control", "no-store"),
        ):
            assert value in page.headers[header]
        assert "<script" not in page.text
        # logout needs the CSRF token too
        assert c.post("/console/logout", data={}).status_code == 403
        r = c.post("/console/logout", data={"csrf": csrf_of(page.text)})
        assert r.status_code == 303
        c.cookies.set("gateway_console", token)  # the old token is dead server-side
        assert c.get("/console/acks").status_code == 303


def test_with_api_keys_a_key_reaches_the_api_without_a_console_login(env: Env) -> None:
    app = create_app(
        env.demo.gw.store,
        env.demo.gw.registry,
        api_keys={"k-123": "tms"},
        console=ConsoleConfig(archive=env.demo.gw.archive),
    )

    async def calls() -> list[int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as ac:
            return [
                (await ac.get("/api/messages", headers={"X-API-Key": "k-123"})).status_code,
                (await ac.get("/api/messages", headers={"X-API-Key": "wrong"})).status_code,
                (await ac.get("/api/messages")).status_code,
                (await ac.get("/health")).status_code,
            ]

    assert asyncio.run(calls()) == [200, 401, 401, 200]


def test_secure_cookie_when_not_served_on_loopback(env: Env) -> None:
    # served as gateway.example behind TLS: that name is on the Host allow-list
    app = create_app(
        env.demo.gw.store,
        env.demo.gw.registry,
        auth=AuthConfig(extra_hosts=frozenset({"gateway.example"})),
        console=ConsoleConfig(archive=env.demo.gw.archive),
    )

    async def log_in() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://gateway.example") as ac:
            form = await ac.get("/console/login")
            return await ac.post(
                "/console/login",
                data={"csrf": csrf_of(form.text), "username": "ada", "password": PASSWORD},
            )

    r = asyncio.run(log_in())
    assert r.status_code == 303
    cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith("gateway_console="))
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie


def test_wrong_passwords_are_refused_then_limited(env: Env) -> None:
    env.demo.gw.store.add_console_user("lena", hash_password(PASSWORD), "viewer")
    with client(env) as c:
        for _ in range(3):
            r = login(c, "lena", "wrong password!")
            assert r.status_code == 401 and "Wrong user name or password" in r.text
        r = login(c, "lena")  # the right password, but the name is locked for a while
        assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
        r = login(c, "nobody-at-all", "whatever123")
        assert r.status_code == 401
        # the login form's own CSRF token is required
        r = c.post("/console/login", data={"username": "ada", "password": PASSWORD})
        assert r.status_code == 403 and "gateway_console=" not in r.headers.get("set-cookie", "")


def test_viewer_may_look_but_not_replay_and_forms_need_the_csrf_token(env: Env) -> None:
    with client(env) as c:
        login(c, "vera")
        page = c.get(f"/console/messages/{env.demo.bad_id}")
        assert page.status_code == 200 and 'id="replay"' not in page.text
        token = csrf_of(page.text)
        r = c.post(f"/console/messages/{env.demo.bad_id}/replay", data={"csrf": token})
        assert r.status_code == 403 and "operator role" in r.text
        assert c.get("/console/users").status_code == 403
    with client(env) as c:
        login(c, "ada")
        r = c.post(f"/console/messages/{env.demo.bad_id}/replay", data={"confirm": "yes"})
        assert r.status_code == 403 and "CSRF" in r.text
        r = c.post(
            f"/console/messages/{env.demo.bad_id}/replay",
            data={"confirm": "yes", "csrf": "0" * 43},
        )
        assert r.status_code == 403
    assert env.demo.gw.store.get_message(env.demo.bad_id).status is MessageStatus.QUARANTINED  # type: ignore[union-attr]


def test_requeue_a_dead_letter_dry_run_then_confirm(env: Env) -> None:
    store = env.demo.gw.store
    dead = env.demo.dead_ids[-1]
    with client(env) as c:
        login(c, "otto")
        page = c.get("/console/exceptions")
        assert f'class="requeue-{dead}"' in page.text
        token = csrf_of(page.text)
        preview = c.post(f"/console/deadletters/{dead}/requeue", data={"csrf": token})
        assert preview.status_code == 200 and "dry run" in preview.text
        assert "no sink for transport" in preview.text  # the last error, shown before acting
        assert store.get_outbox(dead).status is OutboxStatus.DEAD  # type: ignore[union-attr]
        done = c.post(
            f"/console/deadletters/{dead}/requeue", data={"csrf": token, "confirm": "yes"}
        )
        assert done.status_code == 303
        assert store.get_outbox(dead).status is OutboxStatus.PENDING  # type: ignore[union-attr]
        again = c.post(
            f"/console/deadletters/{dead}/requeue", data={"csrf": token, "confirm": "yes"}
        )
        assert again.status_code == 409
    events = [e.kind for e in store.list_events(outbox_id=dead)]
    assert "console_requeue" in events


def test_pages_escape_partner_text_and_answer_bad_input_plainly(env: Env) -> None:
    with client(env) as c:
        login(c, "vera")
        page = c.get("/console/exceptions").text
        assert "&lt;img src=x onerror=" in page and HOSTILE_NAME not in page
        page = c.get(f"/console/messages/{env.demo.hostile_id}").text
        assert "&lt;img src=x" in page and "<img src" not in page
        r = c.get("/console/acks?status=lost")
        assert r.status_code == 400 and "unknown status" in r.text and "Traceback" not in r.text
        r = c.get("/console/acks?since=yesterday")
        assert r.status_code == 400 and "YYYY-MM-DD" in r.text
        assert c.get("/console/messages/999999").status_code == 404
        assert c.get("/console/messages/abc").status_code == 422
        r = c.get("/console/shipments", params={"key": "<b>x</b>"})
        assert r.status_code == 200 and "&lt;b&gt;x&lt;/b&gt;" in r.text


def test_admin_adds_a_user_who_can_log_in(env: Env) -> None:
    with client(env) as c:
        login(c, "ada")
        token = csrf_of(c.get("/console/users").text)
        r = c.post(
            "/console/users",
            data={"csrf": token, "username": "nina", "password": "short", "role": "viewer"},
        )
        assert r.status_code == 400 and "at least 10" in r.text
        r = c.post(
            "/console/users",
            data={"csrf": token, "username": "nina", "password": PASSWORD, "role": "operator"},
        )
        assert r.status_code == 303
        r = c.post(
            "/console/users",
            data={"csrf": token, "username": "nina", "password": PASSWORD, "role": "operator"},
        )
        assert r.status_code == 400 and "exists already" in r.text
    with client(env) as c:
        assert login(c, "nina").status_code == 303
        assert "nina (operator)" in c.get("/console/partners").text


def test_users_cli_adds_the_first_admin(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from gateway.cli import app

    runner = CliRunner()
    environment = {"GATEWAY_HOME": str(tmp_path), "GATEWAY_USER_PASSWORD": PASSWORD}

    def run(*args: str, **extra: str) -> Result:
        return runner.invoke(app, ["users", *args], env={**environment, **extra})

    added = run("add", "root-admin", "--role", "admin")
    assert added.exit_code == 0, added.output
    assert "root-admin (admin) added" in added.stdout
    again = run("add", "root-admin", "--role", "admin")
    assert again.exit_code == 1 and "exists already" in again.stderr
    weak = run("add", "weak", GATEWAY_USER_PASSWORD="short")
    assert weak.exit_code == 2 and "at least 10" in weak.stderr and "Traceback" not in weak.output
    assert run("add", "bad name!").exit_code == 2
    assert run("add", "x", "--role", "root").exit_code == 2
    # without the variable the password is asked for twice, hidden
    prompted = runner.invoke(
        app,
        ["users", "add", "prompted", "--role", "operator"],
        env={"GATEWAY_HOME": str(tmp_path)},
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert prompted.exit_code == 0, prompted.output
    assert run("disable", "root-admin").exit_code == 0
    listed = run("list")
    assert "root-admin" in listed.stdout and "disabled" in listed.stdout
    store = create_store(f"sqlite:///{tmp_path / 'var' / 'gateway.db'}")
    try:
        user = store.get_console_user("root-admin")
        assert user is not None and user.role == "admin" and user.disabled
        assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
        other = store.get_console_user("prompted")
        assert other is not None and other.role == "operator"
    finally:
        store.close()
