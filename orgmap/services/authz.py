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
from orgmap.store.errors import NotFoundError

__all__ = ["authorize", "not_found", "sees_every_team"]


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
    decision = decide(actor, action, debtor_team_id=found[1])
    if decision is Decision.HIDDEN:
        raise not_found(debtor_key)
    if decision is Decision.FORBIDDEN:
        raise AccessDeniedError()
    return found


def sees_every_team(actor: Actor) -> bool:
    """Whether lists and searches for ``actor`` span every debtor (else their team's only)."""
    return actor.role is Role.ADMIN
