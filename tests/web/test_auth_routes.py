"""The login routes over HTTP, in-process (the ASGI app called as a server would), on
SQLite and PostgreSQL: the cookie's flags, cross-origin POSTs refused before anything is
read or written, lockout and its window on an injected clock, logging out everywhere,
the first administrator only while there is nobody, and no redirect off the site."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from hypothesis import given
from hypothesis import strategies as st
from starlette.applications import Starlette

from orgmap.domain.access import Role, cli_actor
from orgmap.services.accounts import create_user, users
from orgmap.services.login import (
    LOCK_DURATION,
    MAX_FAILED_LOGINS,
    SESSION_LIFETIME,
    resolve_session,
)
from orgmap.store import snapshot
from orgmap.store.tables import login_attempt_table, user_account_table, user_session_table
from orgmap.web.auth import SESSION_COOKIE, auth_routes, local_target, with_param

HOST = "orgmap.test:8501"
ORIGIN = f"http://{HOST}"
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
PASSWORD = "glass tiger river 7"
FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k == name), None)

    @property
    def location(self) -> str | None:
        return self.header("location")

    def cookie(self) -> SimpleCookie | None:
        raw = self.header("set-cookie")
        if raw is None:
            return None
        jar: SimpleCookie = SimpleCookie()
        jar.load(raw)
        return jar


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


def post(
    app: Starlette,
    path: str,
    form: dict[str, str] | None,
    *,
    origin: str | None = ORIGIN,
    referer: str | None = None,
    cookie: str | None = None,
    scheme: str = "http",
    extra: dict[str, str] | None = None,
) -> Answer:
    """POST ``form`` to ``path`` as a browser on ``HOST`` would; the status and headers."""
    body = b"" if form is None else urlencode(form).encode()
    headers = {"host": HOST, "content-type": "application/x-www-form-urlencoded"}
    if origin is not None:
        headers["origin"] = origin
    if referer is not None:
        headers["referer"] = referer
    if cookie is not None:
        headers["cookie"] = f"{SESSION_COOKIE}={cookie}"
    headers.update(extra or {})
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": scheme,
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.encode(), v.encode()) for k, v in headers.items()],
        "client": ("203.0.113.9", 50000),
        "server": ("orgmap.test", 8501),
    }
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    return Answer(start["status"], [(k.decode(), v.decode()) for k, v in start["headers"]])


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def web(engine, clock) -> Starlette:
    return Starlette(routes=auth_routes(database=lambda: engine, clock=clock))


def _user(engine, name: str = "wang", role: Role = Role.COLLECTOR) -> None:
    create_user(
        engine, actor=cli_actor("t"), name=name, password=PASSWORD, role=role, hasher=FAST, now=NOW
    )


def _counts(engine) -> dict[str, int]:
    tables = (user_account_table, user_session_table, login_attempt_table)
    with snapshot(engine) as connection:
        return {
            t.name: connection.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            for t in tables
        }


def _login(web, name="wang", password=PASSWORD, next_="/map?debtor=acme&lang=en", **kw) -> Answer:
    return post(web, "/auth/login", {"username": name, "password": password, "next": next_}, **kw)


def test_a_login_sets_an_httponly_strict_cookie_and_goes_back_to_the_page(engine, web, clock):
    _user(engine)
    answer = _login(web, next_="/map?debtor=acme&lang=en&login=failed")
    assert answer.status == 303
    assert answer.location == "/map?debtor=acme&lang=en"  # the old refusal dropped
    jar = answer.cookie()
    assert jar is not None
    morsel = jar[SESSION_COOKIE]
    assert morsel["httponly"] is True
    assert morsel["samesite"].lower() == "strict"
    assert morsel["path"] == "/"
    assert not morsel["secure"]  # plain http: a Secure cookie would never come back
    assert int(morsel["max-age"]) == int(SESSION_LIFETIME.total_seconds())
    account = resolve_session(engine, morsel.value, now=clock.now)
    assert account is not None and account.name == "wang"


@pytest.mark.parametrize(
    ("scheme", "extra"), [("https", {}), ("http", {"x-forwarded-proto": "https"})]
)
def test_over_https_the_cookie_is_secure(engine, web, scheme, extra):
    _user(engine)
    answer = _login(web, origin=f"https://{HOST}", scheme=scheme, extra=extra)
    jar = answer.cookie()
    assert answer.status == 303 and jar is not None
    assert jar[SESSION_COOKIE]["secure"] is True


@pytest.mark.parametrize(
    ("origin", "referer"),
    [
        ("https://evil.example", None),
        ("null", f"{ORIGIN}/map"),  # an opaque origin does not fall back on the Referer
        (None, "https://evil.example/login.html"),
        (None, None),
        (f"http://{HOST}.evil.example", None),
    ],
)
def test_a_post_from_another_origin_is_refused_and_reads_or_writes_nothing(
    engine, web, origin, referer
):
    _user(engine)
    before = _counts(engine)
    for path, form in [
        ("/auth/login", {"username": "wang", "password": PASSWORD}),
        ("/auth/first-admin", {"username": "x", "password": PASSWORD, "repeat": PASSWORD}),
        ("/auth/logout", {}),
    ]:
        answer = post(web, path, form, origin=origin, referer=referer)
        assert answer.status == 403, path
        assert answer.cookie() is None
    assert _counts(engine) == before  # not even a login attempt recorded


def test_a_same_site_referer_is_enough_when_the_browser_sends_no_origin(engine, web):
    _user(engine)
    answer = _login(web, origin=None, referer=f"{ORIGIN}/debtors?lang=en")
    assert answer.status == 303 and answer.cookie() is not None


@pytest.mark.parametrize(
    "target", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "map", "/a\r\nb"]
)
def test_the_way_back_never_leaves_the_site(engine, web, target):
    _user(engine)
    assert _login(web, next_=target).location == "/"
    assert _login(web, password="wrong password 1", next_=target).location == "/?login=failed"


def test_refusals_say_only_failed_and_set_no_cookie(engine, web):
    _user(engine)
    for name, password in [("wang", "wrong password 1"), ("nobody", PASSWORD), ("", "")]:
        answer = _login(web, name=name, password=password)
        assert answer.status == 303
        assert answer.location == "/map?debtor=acme&lang=en&login=failed"
        assert answer.cookie() is None


def test_a_body_that_is_not_a_small_form_is_refused(engine, web):
    _user(engine)
    huge = {"username": "wang", "password": "x" * 10_000}
    assert post(web, "/auth/login", huge).status == 400
    assert _counts(engine)["login_attempt"] == 0


def test_lockout_after_five_failures_then_success_after_the_window(engine, web, clock):
    _user(engine)
    for _ in range(MAX_FAILED_LOGINS):
        assert _login(web, password="wrong password 1").location.endswith("login=failed")
        clock.now += timedelta(seconds=10)
    locked = _login(web)  # the right password, inside the window
    assert locked.location.endswith("login=failed") and locked.cookie() is None
    clock.now += LOCK_DURATION
    answer = _login(web)
    assert answer.cookie() is not None
    assert answer.location == "/map?debtor=acme&lang=en"


def test_logging_out_ends_the_users_sessions_everywhere_and_clears_the_cookie(engine, web, clock):
    _user(engine)
    _user(engine, "li")
    here = _login(web).cookie()[SESSION_COOKIE].value
    elsewhere = _login(web).cookie()[SESSION_COOKIE].value
    colleague = _login(web, name="li").cookie()[SESSION_COOKIE].value
    answer = post(web, "/auth/logout", {"next": "/?lang=en"}, cookie=here)
    assert answer.status == 303 and answer.location == "/?lang=en"
    cleared = answer.cookie()
    assert cleared is not None and cleared[SESSION_COOKIE].value == ""
    assert int(cleared[SESSION_COOKIE]["max-age"]) == 0
    assert resolve_session(engine, here, now=clock.now) is None
    assert resolve_session(engine, elsewhere, now=clock.now) is None
    assert resolve_session(engine, colleague, now=clock.now) is not None  # only that user


def test_logging_out_with_a_forged_or_no_cookie_ends_nothing(engine, web, clock):
    _user(engine)
    token = _login(web).cookie()[SESSION_COOKIE].value
    for cookie in ("forged-token", None):
        assert post(web, "/auth/logout", {}, cookie=cookie).status == 303
    assert resolve_session(engine, token, now=clock.now) is not None


def _first(web, name="boss", password=PASSWORD, repeat=None):
    form = {"username": name, "password": password, "repeat": repeat or password, "next": "/"}
    return post(web, "/auth/first-admin", form)


def test_the_first_admin_is_created_and_logged_in_only_while_nobody_exists(engine, web, clock):
    answer = _first(web)
    assert answer.status == 303 and answer.location == "/"
    account = resolve_session(engine, answer.cookie()[SESSION_COOKIE].value, now=clock.now)
    assert account is not None and (account.name, account.role) == ("boss", Role.ADMIN)
    again = _first(web, name="mallory")
    assert again.location == "/?setup=closed" and again.cookie() is None
    assert [u.name for u in users(engine, actor=cli_actor("t"))] == ["boss"]


@pytest.mark.parametrize(
    ("name", "password", "repeat", "reason"),
    [
        ("boss", PASSWORD, PASSWORD + "x", "mismatch"),
        ("boss", "short1!", None, "short"),
        ("boss", "password123", None, "common"),
        ("boss", "the boss is here", None, "has_name"),
        ("two\nlines", PASSWORD, None, "name"),
        ("cli:root", PASSWORD, None, "name"),
        ("<img src=x onerror=alert(1)>", "", None, "short"),
    ],
)
def test_a_refused_first_admin_form_creates_nothing_and_says_why(
    engine, web, name, password, repeat, reason
):
    answer = _first(web, name=name, password=password, repeat=repeat)
    assert answer.location == f"/?setup={reason}"
    assert answer.cookie() is None
    assert _counts(engine)["user_account"] == 0


def test_the_first_admin_form_is_closed_once_anyone_exists_even_a_disabled_viewer(engine, web):
    _user(engine, "viewer", Role.VIEWER)
    before = _counts(engine)
    assert _first(web).location == "/?setup=closed"
    assert _counts(engine) == before


@given(st.text(max_size=300))
def test_the_way_back_is_always_a_path_on_this_site(value):
    target = local_target(value)
    parts = urlsplit(target)
    assert target.startswith("/") and not target.startswith("//")
    assert not parts.scheme and not parts.netloc and "\\" not in target
    assert target in (value, "/")
    back = urlsplit(with_param(target, "login", "failed"))
    assert not back.scheme and not back.netloc and back.path == (parts.path or "/")
