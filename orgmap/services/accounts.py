"""Users, teams, who works which debtor, and a debtor's history: the admin's use cases.

Each function takes the acting user (an :class:`~orgmap.domain.access.Actor`;
the CLI acts as :func:`~orgmap.domain.access.cli_actor`) and asks
:mod:`orgmap.domain.access` first.  Bad input raises :class:`ValidationError`
with a coded problem (zh-CN and English); a forbidden action
:class:`~orgmap.domain.access.AccessDeniedError`; another team's debtor the same
:class:`~orgmap.store.NotFoundError` as a debtor that does not exist.  Nothing
is written in any of these cases; every change writes its history entry in the
same transaction.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from sqlalchemy.engine import Engine

from orgmap import store
from orgmap.domain.access import (
    CLI_AUTHOR_PREFIX,
    AccessDeniedError,
    Action,
    Actor,
    Decision,
    Role,
    decide,
    mask_details,
    masks_contact_details,
    may_assign_to,
)
from orgmap.domain.fields import check_name, parse_enum, shown
from orgmap.domain.messages import FieldError
from orgmap.domain.validation import Problem, ValidationError
from orgmap.services.login import default_hasher, hash_password, token_hash
from orgmap.store.accounts import (
    Account,
    Team,
    debtor_owner,
    find_account,
    find_team,
    hold_first_run,
    insert_team,
    insert_user,
    list_accounts,
    list_teams,
    set_debtor_owner,
    set_disabled,
    set_password_hash,
)
from orgmap.store.debtors import not_found
from orgmap.store.history import HistoryEntry, history_for_debtor, record
from orgmap.store.sessions import revoke_user_sessions

__all__ = [
    "Account",
    "Assignment",
    "FirstRunOverError",
    "Team",
    "add_team",
    "assign_debtor",
    "create_first_admin",
    "create_user",
    "debtor_history",
    "disable_user",
    "reset_password",
    "teams",
    "users",
]


def _require_admin(actor: Actor) -> None:
    if decide(actor, Action.ADMIN, debtor_team_id=None) is not Decision.ALLOWED:
        raise AccessDeniedError()


def _invalid(path: str, code: str, **params: object) -> ValidationError:
    return ValidationError([Problem.coded(path, code, **params)])


def _checked_name(value: object, *, field: str) -> str:
    try:
        return check_name(value, field=field)
    except FieldError as error:
        raise ValidationError([Problem.from_error(field, error)]) from None


def add_team(engine: Engine, *, actor: Actor, name: str, now: datetime | None = None) -> Team:
    """Add team ``name`` (admins only); a name already used, in any case, is refused."""
    _require_admin(actor)
    name = _checked_name(name, field="team")
    now = now or store.now_utc()
    with store.transaction(engine) as connection:
        team_id = insert_team(connection, name=name, by=actor.name, now=now)
        if team_id is None:
            raise _invalid("team", "team.name_taken", name=shown(name))
        record(
            connection,
            by=actor.name,
            action="create",
            entity="team",
            key=name,
            debtor_id=None,
            before=None,
            after={"name": name},
            at=now,
        )
    return Team(team_id, name)


def teams(engine: Engine, *, actor: Actor) -> list[Team]:
    """Every team with its number of active members (admins only)."""
    _require_admin(actor)
    with store.snapshot(engine) as connection:
        return list_teams(connection)


def users(engine: Engine, *, actor: Actor) -> list[Account]:
    """Every user, disabled ones too (admins only)."""
    _require_admin(actor)
    with store.snapshot(engine) as connection:
        return list_accounts(connection)


def create_user(
    engine: Engine,
    *,
    actor: Actor,
    name: str,
    password: str,
    role: Role | str,
    team: str | None = None,
    hasher: PasswordHasher | None = None,
    now: datetime | None = None,
) -> Account:
    """Add a user with this password, role and team (admins only); the new account.

    The name must be one line, not taken in any case, and not start with
    ``cli:`` (the command line's authors); the password must pass
    :func:`orgmap.domain.passwords.check_password`.
    """
    _require_admin(actor)
    name = _checked_name(name, field="name")
    if name.casefold().startswith(CLI_AUTHOR_PREFIX):
        raise _invalid("name", "account.name_reserved", prefix=CLI_AUTHOR_PREFIX)
    try:
        checked_role = parse_enum(role, Role, field="role")
    except FieldError as error:
        raise ValidationError([Problem.from_error("role", error)]) from None
    team_name = None if team is None else _checked_name(team, field="team")
    password_hash = hash_password(password, user_name=name, hasher=hasher)
    now = now or store.now_utc()
    with store.transaction(engine) as connection:
        found_team = None if team_name is None else find_team(connection, team_name)
        if team_name is not None and found_team is None:
            raise _invalid("team", "team.no_such_team", name=shown(team_name))
        team_id = None if found_team is None else found_team.id
        user_id = insert_user(
            connection,
            name=name,
            password_hash=password_hash,
            role=checked_role,
            team_id=team_id,
            by=actor.name,
            now=now,
        )
        if user_id is None:
            raise _invalid("name", "account.name_taken", name=shown(name))
        after = {"role": checked_role, "team": found_team.name if found_team else None}
        record(
            connection,
            by=actor.name,
            action="create",
            entity="user",
            key=name,
            debtor_id=None,
            before=None,
            after=after,
            at=now,
        )
        created = find_account(connection, user_id=user_id)
    assert created is not None
    return created


class FirstRunOverError(Exception):
    """The first administrator exists already: the first-run form is closed."""


#: The author recorded for the first administrator's creation (nobody was logged in).
FIRST_RUN_AUTHOR = "first-run"


def create_first_admin(
    engine: Engine,
    *,
    name: str,
    password: str,
    hasher: PasswordHasher | None = None,
    now: datetime | None = None,
) -> Account:
    """Create the first administrator, only while there is no user at all.

    Whoever reaches the app first on a fresh install does this (no default
    password anywhere); once any account exists it raises
    :class:`FirstRunOverError` and writes nothing.  The name and password pass
    the same checks as :func:`create_user`'s.
    """
    name = _checked_name(name, field="name")
    if name.casefold().startswith(CLI_AUTHOR_PREFIX):
        raise _invalid("name", "account.name_reserved", prefix=CLI_AUTHOR_PREFIX)
    password_hash = hash_password(password, user_name=name, hasher=hasher)
    now = now or store.now_utc()
    with store.transaction(engine) as connection:
        hold_first_run(connection)  # two first-run forms at once: the second sees the first's
        if list_accounts(connection):
            raise FirstRunOverError()
        user_id = insert_user(
            connection,
            name=name,
            password_hash=password_hash,
            role=Role.ADMIN,
            team_id=None,
            by=FIRST_RUN_AUTHOR,
            now=now,
        )
        if user_id is None:  # pragma: no cover - the table was empty a moment ago
            raise FirstRunOverError()
        record(
            connection,
            by=FIRST_RUN_AUTHOR,
            action="create",
            entity="user",
            key=name,
            debtor_id=None,
            before=None,
            after={"role": Role.ADMIN, "team": None},
            at=now,
        )
        created = find_account(connection, user_id=user_id)
    assert created is not None
    return created


def _account_named(connection, name: str) -> Account:
    account = find_account(connection, name=name)
    if account is None:
        raise _invalid("user", "account.no_such_user", name=shown(name))
    return account


def reset_password(
    engine: Engine,
    *,
    actor: Actor,
    name: str,
    password: str,
    keep_session: str | None = None,
    hasher: PasswordHasher | None = None,
    now: datetime | None = None,
) -> int:
    """Give user ``name`` a new password and end their sessions; how many were ended.

    Admins may reset anyone's, a user their own (the caller checked the current
    password first, e.g. with :func:`~orgmap.services.login.verify_login`);
    ``keep_session`` is the token of the session asking, which stays open.
    """
    if actor.role is not Role.ADMIN and name != actor.name:
        raise AccessDeniedError()
    password_hash = hash_password(password, user_name=name, hasher=hasher or default_hasher())
    now = now or store.now_utc()
    with store.transaction(engine) as connection:
        account = _account_named(connection, name)
        set_password_hash(
            connection, account=account, password_hash=password_hash, by=actor.name, now=now
        )
        ended = revoke_user_sessions(
            connection,
            user_id=account.id,
            now=now,
            keep_hash=None if keep_session is None else token_hash(keep_session),
        )
        record(
            connection,
            by=actor.name,
            action="edit",
            entity="user",
            key=account.name,
            debtor_id=None,
            before=None,
            after={"password": "changed", "sessions_ended": ended},
            at=now,
        )
    return ended


def disable_user(engine: Engine, *, actor: Actor, name: str, now: datetime | None = None) -> int:
    """Disable user ``name`` (admins only) and end all their sessions; how many were ended.

    The account is kept (history names it) and can no longer log in.
    Disabling a disabled user changes nothing.
    """
    _require_admin(actor)
    now = now or store.now_utc()
    with store.transaction(engine) as connection:
        account = _account_named(connection, name)
        ended = revoke_user_sessions(connection, user_id=account.id, now=now)
        if account.disabled and not ended:
            return 0
        set_disabled(connection, account=account, by=actor.name, now=now)
        record(
            connection,
            by=actor.name,
            action="archive",
            entity="user",
            key=account.name,
            debtor_id=None,
            before={"disabled": account.disabled},
            after={"disabled": True, "sessions_ended": ended},
            at=now,
        )
    return ended


@dataclass(frozen=True, slots=True)
class Assignment:
    """Who works a debtor now: the user, the debtor's team, the debtor's version."""

    debtor_key: str
    user: str
    team: str | None
    version: int
    changed: bool


def assign_debtor(
    engine: Engine,
    *,
    actor: Actor,
    debtor_key: str,
    to_user: str,
    now: datetime | None = None,
) -> Assignment:
    """Hand debtor ``debtor_key`` to user ``to_user``: admins any, leads within their team.

    The debtor joins the user's team (a user with no team, an admin, leaves
    the debtor's team as it was).  Assigning to whoever has it already changes
    nothing and records nothing.
    """
    now = now or store.now_utc()
    with store.transaction(engine) as connection:
        owner = debtor_owner(connection, debtor_key, lock=True)
        decision = (
            Decision.HIDDEN
            if owner is None
            else decide(actor, Action.ASSIGN, debtor_team_id=owner.team_id)
        )
        if owner is None or decision is Decision.HIDDEN:
            raise not_found(debtor_key)
        if decision is Decision.FORBIDDEN:
            raise AccessDeniedError()
        user = find_account(connection, name=to_user)
        if user is None:
            raise _invalid("to", "account.no_such_user", name=shown(to_user))
        if not may_assign_to(actor, role=user.role, team_id=user.team_id, disabled=user.disabled):
            raise _invalid("to", "assign.not_allowed", name=shown(user.name))
        team_id, team = (
            (owner.team_id, owner.team)
            if user.team_id is None
            else (
                user.team_id,
                user.team,
            )
        )
        same_team = owner.team_id == team_id and owner.assigned_to == user.name
        if owner.assigned_user_id == user.id and same_team:
            return Assignment(owner.key, user.name, team, owner.version, changed=False)
        version = set_debtor_owner(
            connection, owner=owner, user=user, team_id=team_id, by=actor.name, now=now
        )
        record(
            connection,
            by=actor.name,
            action="assign",
            entity="debtor",
            key=owner.key,
            debtor_id=owner.id,
            before={"assigned_to": owner.assigned_to, "team": owner.team},
            after={"assigned_to": user.name, "team": team},
            at=now,
        )
    return Assignment(owner.key, user.name, team, version, changed=True)


def debtor_history(
    engine: Engine, *, actor: Actor, debtor_key: str, limit: int | None = None, offset: int = 0
) -> list[HistoryEntry]:
    """The debtor's history, newest first, for whoever may read the debtor (``limit``
    entries after the ``offset`` newest, when given: a page costs the rows it shows).

    A viewer gets phone numbers and e-mails in it masked.
    """
    with store.snapshot(engine) as connection:
        owner = debtor_owner(connection, debtor_key)
        if (
            owner is None
            or decide(actor, Action.READ, debtor_team_id=owner.team_id) is not Decision.ALLOWED
        ):
            raise not_found(debtor_key)
        entries = history_for_debtor(connection, owner.id, limit=limit, offset=offset)
    if not masks_contact_details(actor):
        return entries
    return [
        dataclasses.replace(e, before=mask_details(e.before), after=mask_details(e.after))
        for e in entries
    ]
