"""Logging in and out over plain HTTP: the routes that set and clear the session cookie.

Streamlit scripts read cookies (``st.context.cookies``) but cannot set them, so the
login form on the page is an ordinary HTML form that POSTs here:

- ``POST /auth/login`` (``username``, ``password``, ``next``): on success the cookie
  :data:`SESSION_COOKIE` carries the session's random token (HttpOnly,
  SameSite=Strict, Path=/, Secure over https) and the browser goes back to ``next``
  (303); a refusal goes back with ``?login=failed`` and nothing else, whatever
  the reason (unknown user, wrong password, locked, disabled).
- ``POST /auth/logout``: ends every session of that user (all browsers), clears the
  cookie, goes back to ``next``.
- ``POST /auth/first-admin`` (``username``, ``password``, ``repeat``): only while
  there is no user at all; creates the first administrator and logs them in.  A
  refused form goes back with ``?setup=<reason>`` (one word from
  :data:`SETUP_REASONS`, never text from the request).

Every POST must come from a page of this site: its ``Origin`` (else ``Referer``)
must name the host the request was sent to, or the answer is 403 and nothing is
read or written.  ``next`` is only ever a path on this site.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from datetime import datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from orgmap.domain.validation import ValidationError
from orgmap.services.accounts import FirstRunOverError, create_first_admin
from orgmap.services.database import Database, open_database
from orgmap.services.login import (
    SESSION_LIFETIME,
    LoginRefusedError,
    log_in,
    log_out,
    start_session,
)
from orgmap.settings import load_settings

__all__ = [
    "FIRST_ADMIN_PATH",
    "LOGIN_FAILED",
    "LOGIN_PARAM",
    "LOGIN_PATH",
    "LOGOUT_PATH",
    "SESSION_COOKIE",
    "SETUP_PARAM",
    "SETUP_REASONS",
    "auth_routes",
    "local_target",
    "same_origin",
    "with_param",
]

SESSION_COOKIE = "orgmap_session"
LOGIN_PATH = "/auth/login"
LOGOUT_PATH = "/auth/logout"
FIRST_ADMIN_PATH = "/auth/first-admin"
#: ``?login=failed`` after a refused login: no detail, the page says one thing.
LOGIN_PARAM = "login"
LOGIN_FAILED = "failed"
#: ``?setup=<reason>`` after a refused first-run form.
SETUP_PARAM = "setup"
SETUP_REASONS = ("name", "short", "long", "common", "has_name", "simple", "mismatch", "closed")
_PASSWORD_REASONS = {
    "password.too_short": "short",
    "password.too_long": "long",
    "password.common": "common",
    "password.has_user_name": "has_name",
    "password.too_simple": "simple",
}
_FORM_TYPE = "application/x-www-form-urlencoded"
_MAX_FORM_BYTES = 8 * 1024  # a user name, two passwords and a path
_MAX_TARGET_CHARS = 2000


def same_origin(origin: str | None, referer: str | None, host: str | None) -> bool:
    """Whether a POST came from a page of this site: its ``Origin`` header (else, when
    the browser sent none, its ``Referer``) names ``host``, the request's ``Host``.

    >>> same_origin("http://127.0.0.1:8501", None, "127.0.0.1:8501")
    True
    >>> same_origin("https://evil.example", None, "127.0.0.1:8501")
    False
    >>> same_origin(None, "http://127.0.0.1:8501/map?lang=en", "127.0.0.1:8501")
    True
    >>> same_origin("null", "http://127.0.0.1:8501/", "127.0.0.1:8501")  # opaque origin
    False
    >>> same_origin(None, None, "127.0.0.1:8501")
    False
    """
    source = origin if origin is not None else referer
    if not source or not host:
        return False
    return urlsplit(source).netloc.lower() == host.strip().lower()


def local_target(value: str | None) -> str:
    """Where to send the browser after a form: ``value`` if it is a path on this site,
    else ``/`` (never another site, whatever the form said).

    >>> local_target("/map?debtor=acme&lang=en")
    '/map?debtor=acme&lang=en'
    >>> [local_target(v) for v in ("//evil.example/", "https://evil.example/", "map", None)]
    ['/', '/', '/', '/']
    >>> local_target("/\\\\evil.example")
    '/'
    """
    if (
        not value
        or len(value) > _MAX_TARGET_CHARS
        or not value.startswith("/")
        or value.startswith("//")
        or "\\" in value
        or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value)
    ):
        return "/"
    parts = urlsplit(value)
    return "/" if parts.scheme or parts.netloc else value


def with_param(target: str, name: str, value: str | None) -> str:
    """``target`` with query parameter ``name`` set to ``value`` (removed when ``None``).

    >>> with_param("/map?debtor=acme", "login", "failed")
    '/map?debtor=acme&login=failed'
    >>> with_param("/map?login=failed&lang=en", "login", None)
    '/map?lang=en'
    """
    parts = urlsplit(target)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != name]
    if value is not None:
        query.append((name, value))
    return urlunsplit(("", "", parts.path, urlencode(query), ""))


@functools.cache
def _database_at(url: str) -> Database:
    return open_database(url)


def configured_database() -> Database:
    """The engine for ``ORGMAP_DATABASE_URL``, opened once per process and URL."""
    return _database_at(load_settings().database_url)


async def _form(request: Request) -> dict[str, str] | None:
    """The urlencoded form posted, or ``None`` for another body or one too large."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != _FORM_TYPE:
        return None
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > _MAX_FORM_BYTES:
            return None
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return dict(parse_qsl(text, keep_blank_values=True))


def _is_https(request: Request) -> bool:
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return request.url.scheme == "https" or forwarded == "https"


def _back(target: str) -> RedirectResponse:
    return RedirectResponse(target, status_code=303)


def _set_session_cookie(response: Response, request: Request, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        path="/",
        secure=_is_https(request),
        httponly=True,
        samesite="strict",
    )


def _refused() -> Response:
    return PlainTextResponse("cross-origin request refused", status_code=403)


def _bad_form() -> Response:
    return PlainTextResponse("bad form", status_code=400)


def _source(request: Request) -> str:
    return request.client.host if request.client else ""


def auth_routes(
    *,
    database: Callable[[], Database] = configured_database,
    clock: Callable[[], datetime | None] = lambda: None,
) -> list[BaseRoute]:
    """The three POST routes, over ``database()`` (default: the configured database).

    ``clock`` gives the services their ``now`` (``None``: the real time); tests
    move it to expire sessions and lockouts.
    """

    Handler = Callable[[Request], Awaitable[Response]]

    def guarded(handler: Handler) -> Handler:
        async def route(request: Request) -> Response:
            headers = request.headers
            if not same_origin(headers.get("origin"), headers.get("referer"), headers.get("host")):
                return _refused()
            return await handler(request)

        return route

    async def login(request: Request) -> Response:
        form = await _form(request)
        if form is None:
            return _bad_form()
        target = with_param(local_target(form.get("next")), SETUP_PARAM, None)
        try:
            _, token = await run_in_threadpool(
                functools.partial(
                    log_in,
                    database(),
                    name=form.get("username", ""),
                    password=form.get("password", ""),
                    source=_source(request),
                    now=clock(),
                )
            )
        except LoginRefusedError:
            return _back(with_param(target, LOGIN_PARAM, LOGIN_FAILED))
        response = _back(with_param(target, LOGIN_PARAM, None))
        _set_session_cookie(response, request, token)
        return response

    async def logout(request: Request) -> Response:
        form = await _form(request)
        target = local_target(None if form is None else form.get("next"))
        token = request.cookies.get(SESSION_COOKIE)
        await run_in_threadpool(functools.partial(log_out, database(), token, now=clock()))
        response = _back(with_param(target, LOGIN_PARAM, None))
        response.delete_cookie(
            SESSION_COOKIE, path="/", secure=_is_https(request), httponly=True, samesite="strict"
        )
        return response

    async def first_admin(request: Request) -> Response:
        form = await _form(request)
        if form is None:
            return _bad_form()
        target = with_param(local_target(form.get("next")), SETUP_PARAM, None)
        password = form.get("password", "")
        if password != form.get("repeat", ""):
            return _back(with_param(target, SETUP_PARAM, "mismatch"))
        db = database()
        now = clock()
        try:
            account = await run_in_threadpool(
                functools.partial(
                    create_first_admin,
                    db,
                    name=form.get("username", ""),
                    password=password,
                    now=now,
                )
            )
        except FirstRunOverError:
            return _back(with_param(target, SETUP_PARAM, "closed"))
        except ValidationError as error:
            code = error.problems[0].code if error.problems else None
            reason = _PASSWORD_REASONS.get(code or "", "name")
            return _back(with_param(target, SETUP_PARAM, reason))
        token = await run_in_threadpool(
            functools.partial(start_session, db, account=account, now=now)
        )
        response = _back(target)
        _set_session_cookie(response, request, token)
        return response

    return [
        Route(LOGIN_PATH, guarded(login), methods=["POST"]),
        Route(LOGOUT_PATH, guarded(logout), methods=["POST"]),
        Route(FIRST_ADMIN_PATH, guarded(first_admin), methods=["POST"]),
    ]
