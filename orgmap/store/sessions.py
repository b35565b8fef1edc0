"""Login sessions (only the SHA-256 of each token is stored) and the record of login attempts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

import sqlalchemy as sa

from orgmap.domain.fields import NAME_MAX_CHARS
from orgmap.store.accounts import Account, account_from_row, account_select
from orgmap.store.tables import login_attempt_table, user_account_table, user_session_table

__all__ = [
    "LoginAttempt",
    "StoredSession",
    "find_session",
    "insert_session",
    "login_attempts",
    "record_login_attempt",
    "revoke_session",
    "revoke_user_sessions",
    "touch_session",
]

_s = user_session_table.c
_a = login_attempt_table.c


@dataclass(frozen=True, slots=True)
class StoredSession:
    id: int
    user_id: int
    created_at: datetime
    last_seen_at: datetime
    idle_expires_at: datetime
    expires_at: datetime
    revoked_at: datetime | None

    def valid_at(self, now: datetime) -> bool:
        """Not revoked, and neither idle nor absolute expiry reached at ``now``."""
        return self.revoked_at is None and now < self.idle_expires_at and now < self.expires_at


def insert_session(
    connection: sa.Connection,
    *,
    user_id: int,
    token_hash: str,
    now: datetime,
    idle_expires_at: datetime,
    expires_at: datetime,
) -> int:
    """Store a new session for ``user_id`` under ``token_hash``; its id."""
    row = {
        "user_id": user_id,
        "token_hash": token_hash,
        "created_at": now,
        "last_seen_at": now,
        "idle_expires_at": idle_expires_at,
        "expires_at": expires_at,
    }
    inserted = connection.execute(
        sa.insert(user_session_table).values(row).returning(_s.id)
    ).scalar_one()
    return int(inserted)


def find_session(
    connection: sa.Connection, token_hash: str
) -> tuple[StoredSession, Account] | None:
    """The session stored under ``token_hash`` and its user, valid or not; ``None`` if unknown.

    One statement (every page run of a logged-in user asks it): on PostgreSQL a round
    trip less than the session and then its user.
    """
    row = connection.execute(_session_query(), {"token_hash": token_hash}).one_or_none()
    if row is None:
        return None
    session = StoredSession(*row[-len(_SESSION_COLUMNS) :])
    return session, account_from_row(row)


_SESSION_COLUMNS = (
    _s.id,
    _s.user_id,
    _s.created_at,
    _s.last_seen_at,
    _s.idle_expires_at,
    _s.expires_at,
    _s.revoked_at,
)


@cache
def _session_query() -> sa.Select[Any]:
    """The user's columns (:func:`account_select`), then the session's, by token hash."""
    return (
        account_select()
        .add_columns(*(c.label(f"session_{c.name}") for c in _SESSION_COLUMNS))
        .join_from(user_account_table, user_session_table, _s.user_id == user_account_table.c.id)
        .where(_s.token_hash == sa.bindparam("token_hash"))
    )


def touch_session(
    connection: sa.Connection, *, session_id: int, now: datetime, idle_expires_at: datetime
) -> None:
    """Mark the session used at ``now``; it stays valid until ``idle_expires_at`` if idle."""
    connection.execute(
        sa.update(user_session_table)
        .where(_s.id == session_id, _s.revoked_at.is_(None))
        .values(last_seen_at=now, idle_expires_at=idle_expires_at)
    )


def revoke_session(connection: sa.Connection, *, token_hash: str, now: datetime) -> bool:
    """End the session stored under ``token_hash``; whether there was one still open."""
    result = connection.execute(
        sa.update(user_session_table)
        .where(_s.token_hash == token_hash, _s.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return result.rowcount == 1


def revoke_user_sessions(
    connection: sa.Connection, *, user_id: int, now: datetime, keep_hash: str | None = None
) -> int:
    """End every open session of ``user_id`` but the one under ``keep_hash``; how many."""
    condition = [_s.user_id == user_id, _s.revoked_at.is_(None)]
    if keep_hash is not None:
        condition.append(_s.token_hash != keep_hash)
    result = connection.execute(
        sa.update(user_session_table).where(*condition).values(revoked_at=now)
    )
    return int(result.rowcount)


@dataclass(frozen=True, slots=True)
class LoginAttempt:
    at: datetime
    name: str
    user_id: int | None
    succeeded: bool
    reason: str
    source: str


def record_login_attempt(
    connection: sa.Connection,
    *,
    at: datetime,
    name: str,
    user_id: int | None,
    succeeded: bool,
    reason: str,
    source: str = "",
) -> None:
    """Keep one attempt: the name as typed (cut to the column), the account it named, why."""
    connection.execute(
        sa.insert(login_attempt_table).values(
            at=at,
            name=name[:NAME_MAX_CHARS],
            user_id=user_id,
            succeeded=succeeded,
            reason=reason,
            source=source[:NAME_MAX_CHARS],
        )
    )


def login_attempts(connection: sa.Connection, *, user_id: int | None = None) -> list[LoginAttempt]:
    """Recorded attempts, oldest first (of ``user_id`` only, when given)."""
    query = sa.select(_a.at, _a.name, _a.user_id, _a.succeeded, _a.reason, _a.source)
    if user_id is not None:
        query = query.where(_a.user_id == user_id)
    rows = connection.execute(query.order_by(_a.id))
    return [LoginAttempt(*row) for row in rows]
