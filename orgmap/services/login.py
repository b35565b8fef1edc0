"""Passwords, logging in and sessions.

Passwords are hashed with argon2 (:func:`hash_password`, never stored or logged
in clear).  :func:`verify_login` answers an unknown user, a wrong password, a
locked and a disabled account with the same :class:`LoginRefusedError` and in
about the same time (an unknown user's password is checked against a dummy
hash); after :data:`MAX_FAILED_LOGINS` failures in a row the account is locked
for :data:`LOCK_DURATION`, and every attempt is recorded.

A session is a random token given to the browser once (:func:`start_session`);
the database keeps only its SHA-256.  :func:`resolve_session` turns a token back
into its user while the session is open: not revoked, used within
:data:`SESSION_IDLE`, younger than :data:`SESSION_LIFETIME`, user not disabled.

Every function takes ``now`` (default: the current time) so tests can move the clock,
and ``hasher`` (default: argon2's recommended parameters).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from functools import cache
from typing import ClassVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Engine

from orgmap import store
from orgmap.domain.messages import FieldError, render_message
from orgmap.domain.passwords import PASSWORD_MAX_CHARS, check_password
from orgmap.domain.validation import Problem, ValidationError
from orgmap.store.accounts import (
    Account,
    Credentials,
    find_credentials,
    list_accounts,
    record_failed_login,
    record_successful_login,
)
from orgmap.store.sessions import (
    find_session,
    insert_session,
    record_login_attempt,
    revoke_session,
    revoke_user_sessions,
    touch_session,
)

__all__ = [
    "LOCK_DURATION",
    "MAX_FAILED_LOGINS",
    "SESSION_IDLE",
    "SESSION_LIFETIME",
    "LoginRefusedError",
    "default_hasher",
    "end_session",
    "has_users",
    "hash_password",
    "log_in",
    "log_out",
    "resolve_session",
    "start_session",
    "token_hash",
    "verify_login",
]

MAX_FAILED_LOGINS = 5
LOCK_DURATION = timedelta(minutes=15)
#: A session unused this long ends (a collector away from the desk).
SESSION_IDLE = timedelta(hours=2)
#: A session ends this long after login, however busy (a working day).
SESSION_LIFETIME = timedelta(hours=12)
#: How stale ``last_seen_at`` may get before a use writes it again: a page view
#: must not cost a write each time.
TOUCH_EVERY = timedelta(minutes=1)
#: Longer "tokens" are not ours and are not even hashed.
_TOKEN_MAX_CHARS = 128


class LoginRefusedError(Exception):
    """The login failed.  The message is the same whatever the reason, so it tells an
    attacker nothing; ``reason`` (recorded with the attempt) is for logs and tests only."""

    code = "login.refused"
    _params: ClassVar[dict[str, str]] = {
        "attempts": str(MAX_FAILED_LOGINS),
        "minutes": str(LOCK_DURATION.seconds // 60),
    }

    def __init__(self, reason: str) -> None:
        super().__init__(render_message(self.code, "en", self._params))
        self.reason = reason

    def text(self, lang: str) -> str:
        return render_message(self.code, lang, self._params)


@cache
def default_hasher() -> PasswordHasher:
    """argon2id with argon2-cffi's recommended parameters (RFC 9106, low memory)."""
    return PasswordHasher()


@cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    # Checked against when the user is unknown, so that "no such user" costs what
    # "wrong password" costs.  PasswordHasher is hashable by identity.
    return hasher.hash(secrets.token_urlsafe(16))


def _now(now: datetime | None) -> datetime:
    return now or store.now_utc()


def hash_password(password: str, *, user_name: str, hasher: PasswordHasher | None = None) -> str:
    """The argon2 hash of ``password`` once it passes the rules; else :class:`ValidationError`."""
    try:
        check_password(password, user_name=user_name)
    except FieldError as error:
        raise ValidationError([Problem.from_error("password", error)]) from None
    return (hasher or default_hasher()).hash(password)


def _matches(hasher: PasswordHasher, password_hash: str, password: str) -> bool:
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _check(
    credentials: Credentials | None, password: str, hasher: PasswordHasher, now: datetime
) -> str:
    """Why this login fails ("ok" if it does not); always costs one argon2 check."""
    if credentials is None or len(password) > PASSWORD_MAX_CHARS:
        _matches(hasher, _dummy_hash(hasher), password[:PASSWORD_MAX_CHARS])
        return "unknown_user" if credentials is None else "wrong_password"
    right = _matches(hasher, credentials.password_hash, password)
    account = credentials.account
    if account.disabled:
        return "disabled"
    if account.locked_until is not None and account.locked_until > now:
        return "locked"
    return "ok" if right else "wrong_password"


def verify_login(
    engine: Engine,
    *,
    name: str,
    password: str,
    source: str = "",
    hasher: PasswordHasher | None = None,
    now: datetime | None = None,
) -> Account:
    """The account ``name`` logs in to with ``password``; :class:`LoginRefusedError` if none.

    ``source`` (say, the client's address) is recorded with the attempt.  A
    success clears the failure count and, when the hasher's parameters changed
    since the password was hashed, stores a new hash of it.
    """
    hasher = hasher or default_hasher()
    now = _now(now)
    with store.snapshot(engine) as connection:
        credentials = find_credentials(connection, name=name) if name.strip() else None
    reason = _check(credentials, password, hasher, now)  # slow: outside any transaction
    new_hash = None
    if (
        reason == "ok"
        and credentials is not None
        and hasher.check_needs_rehash(credentials.password_hash)
    ):
        new_hash = hasher.hash(password)
    user_id = None if credentials is None else credentials.account.id
    with store.transaction(engine) as connection:
        if user_id is not None and credentials is not None:
            if reason == "ok" and not record_successful_login(
                connection,
                user_id=user_id,
                now=now,
                old_hash=credentials.password_hash,
                new_hash=new_hash,
            ):
                reason = "locked"  # locked or disabled since the hash was read
            elif reason == "wrong_password" and record_failed_login(
                connection,
                user_id=user_id,
                now=now,
                max_failures=MAX_FAILED_LOGINS,
                lock_for=LOCK_DURATION,
            ):
                reason = "lockout"
        record_login_attempt(
            connection,
            at=now,
            name=name,
            user_id=user_id,
            succeeded=reason == "ok",
            reason=reason,
            source=source,
        )
    if reason != "ok" or credentials is None:
        raise LoginRefusedError(reason)
    return credentials.account


def token_hash(token: str) -> str:
    """What the database keeps of a session token: its SHA-256, in hexadecimal."""
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(engine: Engine, *, account: Account, now: datetime | None = None) -> str:
    """Open a session for ``account``; its token, shown this once and stored only hashed."""
    now = _now(now)
    token = secrets.token_urlsafe(32)
    with store.transaction(engine) as connection:
        insert_session(
            connection,
            user_id=account.id,
            token_hash=token_hash(token),
            now=now,
            idle_expires_at=now + SESSION_IDLE,
            expires_at=now + SESSION_LIFETIME,
        )
    return token


def log_in(
    engine: Engine,
    *,
    name: str,
    password: str,
    source: str = "",
    hasher: PasswordHasher | None = None,
    now: datetime | None = None,
) -> tuple[Account, str]:
    """:func:`verify_login`, then :func:`start_session`: the account and its new token."""
    account = verify_login(
        engine, name=name, password=password, source=source, hasher=hasher, now=now
    )
    return account, start_session(engine, account=account, now=now)


def _plausible(token: str | None) -> bool:
    return bool(token) and len(token or "") <= _TOKEN_MAX_CHARS and (token or "").isascii()


def resolve_session(
    engine: Engine, token: str | None, *, now: datetime | None = None
) -> Account | None:
    """The user whose open session ``token`` is; ``None`` for anything else.

    Unknown, forged, revoked, idle-expired and expired tokens, and the sessions
    of a disabled user, all give ``None``.  A use pushes the idle expiry on
    (written at most every :data:`TOUCH_EVERY`).
    """
    if token is None or not _plausible(token):
        return None
    now = _now(now)
    with store.snapshot(engine) as connection:
        found = find_session(connection, token_hash(token))
    if found is None:
        return None
    session, account = found
    if not session.valid_at(now) or account.disabled:
        return None
    if now - session.last_seen_at >= TOUCH_EVERY:
        with store.transaction(engine) as connection:
            touch_session(
                connection,
                session_id=session.id,
                now=now,
                idle_expires_at=min(now + SESSION_IDLE, session.expires_at),
            )
    return account


def end_session(engine: Engine, token: str | None, *, now: datetime | None = None) -> bool:
    """Log out: revoke the session of ``token``; whether one was open."""
    if token is None or not _plausible(token):
        return False
    with store.transaction(engine) as connection:
        return revoke_session(connection, token_hash=token_hash(token), now=_now(now))


def log_out(engine: Engine, token: str | None, *, now: datetime | None = None) -> int:
    """Log out everywhere: end every open session of the user whose session ``token`` is
    (this one included); how many were ended.  An unknown or closed token ends nothing."""
    if token is None or not _plausible(token):
        return 0
    now = _now(now)
    with store.transaction(engine) as connection:
        found = find_session(connection, token_hash(token))
        if found is None or not found[0].valid_at(now):
            return 0
        return revoke_user_sessions(connection, user_id=found[1].id, now=now)


def has_users(engine: Engine) -> bool:
    """Whether any account exists, disabled ones too (none: the app's first run)."""
    with store.snapshot(engine) as connection:
        return bool(list_accounts(connection))
