"""User accounts and teams: finding, adding, locking and disabling them, and who owns a debtor.

Names are matched through their key (:func:`orgmap.domain.access.name_key`), so
"Wang" and "wang" are one user on SQLite and PostgreSQL alike.  Password hashes
leave this module only in :class:`Credentials`, whose ``repr`` leaves them out;
nothing here ever sees a password in clear.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any

import sqlalchemy as sa

from orgmap.domain.access import Role, name_key
from orgmap.store.engine import insert_once
from orgmap.store.errors import StaleVersionError
from orgmap.store.mapping import stamp_new
from orgmap.store.tables import debtor_owner_table, debtor_table, team_table, user_account_table
from orgmap.store.versions import update_versioned

__all__ = [
    "Account",
    "Credentials",
    "DebtorOwner",
    "Team",
    "account_from_row",
    "account_select",
    "debtor_owner",
    "debtor_team",
    "find_account",
    "find_credentials",
    "find_team",
    "hold_first_run",
    "insert_team",
    "insert_user",
    "list_accounts",
    "list_teams",
    "record_failed_login",
    "record_successful_login",
    "set_debtor_owner",
    "set_disabled",
    "set_password_hash",
]

_u = user_account_table.c
_t = team_table.c


@dataclass(frozen=True, slots=True)
class Team:
    id: int
    name: str
    members: int = 0


@dataclass(frozen=True, slots=True)
class Account:
    """A user as the app needs one: no password hash."""

    id: int
    name: str
    role: Role
    team_id: int | None
    team: str | None
    disabled: bool
    locked_until: datetime | None
    version: int


@dataclass(frozen=True, slots=True)
class Credentials:
    """What a login is checked against; ``repr`` leaves the hash out of logs and tracebacks."""

    account: Account
    password_hash: str = field(repr=False)
    failed_logins: int = 0


def insert_team(connection: sa.Connection, *, name: str, by: str, now: datetime) -> int | None:
    """Add team ``name``; its id, or ``None`` when a team of that name (any case) exists."""
    statement = insert_once(connection.dialect.name, team_table, "name_key")
    row = {"name": name, "name_key": name_key(name), **stamp_new(by=by, now=now)}
    found = connection.execute(statement, row).scalar()
    return None if found is None else int(found)


def find_team(connection: sa.Connection, name: str) -> Team | None:
    row = connection.execute(
        sa.select(_t.id, _t.name).where(_t.name_key == name_key(name))
    ).one_or_none()
    return None if row is None else Team(row.id, row.name)


def list_teams(connection: sa.Connection) -> list[Team]:
    """Every team with its number of active members, by name."""
    members = (
        sa.select(sa.func.count())
        .where(_u.team_id == _t.id, _u.disabled.is_(False))
        .scalar_subquery()
    )
    rows = connection.execute(sa.select(_t.id, _t.name, members).order_by(_t.name_key, _t.id))
    return [Team(row[0], row[1], int(row[2])) for row in rows]


def insert_user(
    connection: sa.Connection,
    *,
    name: str,
    password_hash: str,
    role: Role,
    team_id: int | None,
    by: str,
    now: datetime,
) -> int | None:
    """Add a user; its id, or ``None`` when the name (any case) is taken."""
    statement = insert_once(connection.dialect.name, user_account_table, "name_key")
    row = {
        "name": name,
        "name_key": name_key(name),
        "password_hash": password_hash,
        "role": role.value,
        "team_id": team_id,
        "disabled": False,
        "failed_logins": 0,
        **stamp_new(by=by, now=now),
    }
    found = connection.execute(statement, row).scalar()
    return None if found is None else int(found)


def account_select(*, credentials: bool = False) -> sa.Select[Any]:
    """The columns :func:`account_from_row` reads: the user with their team's name (and,
    with ``credentials``, the password hash and failed logins a login checks)."""
    joined = user_account_table.outerjoin(team_table, _u.team_id == _t.id)
    columns = [
        _u.id,
        _u.name,
        _u.role,
        _u.team_id,
        _t.name.label("team"),
        _u.disabled,
        _u.locked_until,
        _u.version,
    ]
    if credentials:
        columns += [_u.password_hash, _u.failed_logins]
    return sa.select(*columns).select_from(joined)


def account_from_row(row: Any) -> Account:
    return Account(
        id=row.id,
        name=row.name,
        role=Role(row.role),
        team_id=row.team_id,
        team=row.team,
        disabled=bool(row.disabled),
        locked_until=row.locked_until,
        version=row.version,
    )


def find_account(
    connection: sa.Connection, *, name: str | None = None, user_id: int | None = None
) -> Account | None:
    """The user called ``name`` (any case) or with id ``user_id``, or ``None``."""
    found = find_credentials(connection, name=name, user_id=user_id)
    return None if found is None else found.account


def find_credentials(
    connection: sa.Connection, *, name: str | None = None, user_id: int | None = None
) -> Credentials | None:
    """The account and its password hash, for checking a login."""
    condition = _u.id == user_id if name is None else _u.name_key == name_key(name)
    row = connection.execute(account_select(credentials=True).where(condition)).one_or_none()
    if row is None:
        return None
    return Credentials(account_from_row(row), row.password_hash, row.failed_logins)


def list_accounts(connection: sa.Connection) -> list[Account]:
    """Every user, by name."""
    rows = connection.execute(account_select().order_by(_u.name_key, _u.id))
    return [account_from_row(row) for row in rows]


def _not_locked(now: datetime) -> sa.ColumnElement[bool]:
    return sa.or_(_u.locked_until.is_(None), _u.locked_until <= now)


def record_failed_login(
    connection: sa.Connection,
    *,
    user_id: int,
    now: datetime,
    max_failures: int,
    lock_for: timedelta,
) -> bool:
    """Count one more failed login; whether the account is locked now.

    The count is incremented in the database (two failures at once both count).
    The ``max_failures``-th failure locks the account until ``now + lock_for`` and
    starts the count again; failures while locked neither count nor extend it.
    """
    counted = connection.execute(
        sa.update(user_account_table)
        .where(_u.id == user_id, _not_locked(now))
        .values(failed_logins=_u.failed_logins + 1)
        .returning(_u.failed_logins)
    ).scalar()
    if counted is None:
        return True  # already locked
    if counted < max_failures:
        return False
    connection.execute(
        sa.update(user_account_table)
        .where(_u.id == user_id)
        .values(failed_logins=0, locked_until=now + lock_for)
    )
    return True


def record_successful_login(
    connection: sa.Connection,
    *,
    user_id: int,
    now: datetime,
    old_hash: str,
    new_hash: str | None = None,
) -> bool:
    """Clear the failure count (and store ``new_hash``, a rehash of the same password).

    False, and nothing written, when the account was locked or disabled since
    the password was checked.  The rehash is kept only if the hash is still
    ``old_hash`` (a password changed meanwhile wins).
    """
    values: dict[str, Any] = {"failed_logins": 0, "locked_until": None, "last_login_at": now}
    if new_hash is not None:
        values["password_hash"] = sa.case(
            (_u.password_hash == old_hash, new_hash), else_=_u.password_hash
        )
    result = connection.execute(
        sa.update(user_account_table)
        .where(_u.id == user_id, _u.disabled.is_(False), _not_locked(now))
        .values(**values)
    )
    return result.rowcount == 1


def set_password_hash(
    connection: sa.Connection, *, account: Account, password_hash: str, by: str, now: datetime
) -> int:
    """Replace the user's password hash (and clear any lock); the account's version now."""
    return update_versioned(
        connection,
        user_account_table,
        row_id=account.id,
        version=account.version,
        values={"password_hash": password_hash, "failed_logins": 0, "locked_until": None},
        by=by,
        now=now,
        what=f"user {account.name!r}",
    )


def set_disabled(connection: sa.Connection, *, account: Account, by: str, now: datetime) -> int:
    """Disable the user (kept, for the history, never deleted); the account's version now."""
    if account.disabled:
        return account.version
    return update_versioned(
        connection,
        user_account_table,
        row_id=account.id,
        version=account.version,
        values={"disabled": True},
        by=by,
        now=now,
        what=f"user {account.name!r}",
    )


# -- who owns a debtor -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DebtorOwner:
    """A debtor's team and assigned user, with the versions they were read at.

    ``owner_version`` is ``None`` while the debtor has no owner row (no team, no user).
    """

    id: int
    key: str
    version: int
    team_id: int | None
    team: str | None
    assigned_user_id: int | None
    assigned_to: str
    owner_version: int | None


def debtor_owner(
    connection: sa.Connection, debtor_key: str, *, lock: bool = False
) -> DebtorOwner | None:
    """Who owns debtor ``debtor_key``, or ``None`` if there is no such debtor.

    ``lock`` holds the debtor's row until the transaction ends (PostgreSQL; a
    SQLite write transaction holds the whole file anyway), so that two
    hand-overs of one debtor take turns.
    """
    d, o = debtor_table.c, debtor_owner_table.c
    joined = debtor_table.outerjoin(debtor_owner_table, o.debtor_id == d.id).outerjoin(
        team_table, o.team_id == _t.id
    )
    query = (
        sa.select(d.id, d.key, d.version, o.team_id, _t.name, o.user_id, d.assigned_to, o.version)
        .select_from(joined)
        .where(d.key == debtor_key)
    )
    if lock:
        query = query.with_for_update(of=debtor_table)
    row = connection.execute(query).one_or_none()
    return None if row is None else DebtorOwner(*row)


def set_debtor_owner(
    connection: sa.Connection,
    *,
    owner: DebtorOwner,
    user: Account,
    team_id: int | None,
    by: str,
    now: datetime,
) -> int:
    """Give the debtor (read as ``owner``) to ``user`` in team ``team_id``; its version now.

    Writes the owner row (conditioned on the version read, or inserted) and the
    debtor's ``assigned_to`` (conditioned on the debtor's version read), so the
    debtor list's filter by collector keeps working.
    """
    values = {"team_id": team_id, "user_id": user.id, "updated_at": now, "updated_by": by}
    o = debtor_owner_table.c
    if owner.owner_version is None:
        connection.execute(
            sa.insert(debtor_owner_table).values(debtor_id=owner.id, version=1, **values)
        )
    else:
        result = connection.execute(
            sa.update(debtor_owner_table)
            .where(o.debtor_id == owner.id, o.version == owner.owner_version)
            .values(version=owner.owner_version + 1, **values)
        )
        if result.rowcount != 1:
            raise StaleVersionError(f"the owner of debtor {owner.key!r}")
    if owner.assigned_to == user.name:
        return owner.version
    return update_versioned(
        connection,
        debtor_table,
        row_id=owner.id,
        version=owner.version,
        values={"assigned_to": user.name},
        by=by,
        now=now,
        what=f"debtor {owner.key!r}",
    )


def debtor_team(connection: sa.Connection, debtor_key: str) -> tuple[int, int | None] | None:
    """Debtor ``debtor_key``'s id and team (``None``: in no team), or ``None`` when there is
    no such debtor: one search of the key's unique index and the owner's primary key."""
    row = connection.execute(_debtor_team_query(), {"debtor_key": debtor_key}).one_or_none()
    return None if row is None else (row[0], row[1])


@cache
def _debtor_team_query() -> sa.Select[Any]:
    """Built once: every write asks it, and building a statement per call cost as much
    as running it."""
    d, o = debtor_table.c, debtor_owner_table.c
    return (
        sa.select(d.id, o.team_id)
        .select_from(debtor_table.outerjoin(debtor_owner_table, o.debtor_id == d.id))
        .where(d.key == sa.bindparam("debtor_key"))
    )


#: The advisory lock key first-run admin creations take turns on (PostgreSQL).
_FIRST_RUN_LOCK = 0x6F72676D  # "orgm"


def hold_first_run(connection: sa.Connection) -> None:
    """Until the transaction ends, be the only one creating the first account.

    SQLite writers hold the whole database from BEGIN; on PostgreSQL two first-run
    forms would both find no account, so they queue on a transaction-scoped
    advisory lock and the second then sees the first's admin.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(sa.select(sa.func.pg_advisory_xact_lock(_FIRST_RUN_LOCK)))
