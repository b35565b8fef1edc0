"""The one door every debtor use case goes through: may this user do this to that debtor?

The policy itself is pure (:func:`orgmap.domain.access.decide`); this module
reads what it needs (the debtor's id and team, one indexed query) inside the
caller's transaction or snapshot, so the answer holds for the work that follows.
A debtor the user may not know of is answered exactly as one that does not
exist; one they may see but not change raises :class:`AccessDeniedError`, before
anything is written.
"""

from __future__ import annotations

import sqlalchemy as sa

from orgmap.domain.access import AccessDeniedError, Action, Actor, Decision, Role, decide
from orgmap.store.accounts import debtor_team
from orgmap.store.contacts import StoredContact, find_contact_with_team
from orgmap.store.errors import NotFoundError

__all__ = ["authorize", "authorize_with_contact", "not_found", "sees_every_team"]


def not_found(debtor_key: str) -> NotFoundError:
    """The answer for a debtor that does not exist, or that the user may not know of."""
    return NotFoundError(f"no debtor with key {debtor_key!r}")


def authorize(
    connection: sa.Connection, actor: Actor, action: Action, debtor_key: str
) -> tuple[int, int | None]:
    """Debtor ``debtor_key``'s id and team, once ``actor`` may do ``action`` to it.

    Raises :class:`NotFoundError` (no such debtor, or hidden from ``actor``) or
    :class:`AccessDeniedError` (visible, but not for ``action``).
    """
    found = debtor_team(connection, debtor_key)
    if found is None:
        raise not_found(debtor_key)
    _decide(actor, action, debtor_key, found[1])
    return found


def authorize_with_contact(
    connection: sa.Connection, actor: Actor, action: Action, debtor_key: str, contact_key: str
) -> tuple[int, StoredContact | None]:
    """:func:`authorize`, reading the debtor's contact ``contact_key`` in the same query:
    the debtor's id and that contact (``None`` when it has none of that key).

    The contact is read before the decision but returned only after it, so a
    refused caller learns nothing more than from :func:`authorize`.
    """
    found = find_contact_with_team(connection, debtor_key, contact_key)
    if found is None:
        raise not_found(debtor_key)
    debtor_id, team_id, stored = found
    _decide(actor, action, debtor_key, team_id)
    return debtor_id, stored


def _decide(actor: Actor, action: Action, debtor_key: str, team_id: int | None) -> None:
    decision = decide(actor, action, debtor_team_id=team_id)
    if decision is Decision.HIDDEN:
        raise not_found(debtor_key)
    if decision is Decision.FORBIDDEN:
        raise AccessDeniedError()


def sees_every_team(actor: Actor) -> bool:
    """Whether lists and searches for ``actor`` span every debtor (else their team's only)."""
    return actor.role is Role.ADMIN
