"""Debtors: the team's list, finding one by key, creating and editing one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any, NamedTuple

import sqlalchemy as sa

from orgmap.domain.model import Debtor, DebtorStatus
from orgmap.store.engine import insert_once
from orgmap.store.errors import AlreadyExistsError, NotFoundError
from orgmap.store.mapping import debtor_from_row, debtor_values, stamp_new
from orgmap.store.tables import contact_table, debtor_table, interaction_table
from orgmap.store.versions import changed_values, check_expected, now_utc, update_versioned

__all__ = [
    "DebtorSummary",
    "StoredDebtor",
    "create_debtor",
    "find_debtor",
    "find_debtor_id",
    "insert_debtor",
    "list_debtors",
    "not_found",
    "update_debtor",
]


@dataclass(frozen=True, slots=True)
class DebtorSummary:
    """One line of the team's debtor list.

    ``contact_count`` and ``authorizer_known`` count non-archived contacts only;
    ``last_contact_at`` is the latest logged interaction (UTC), or ``None``.
    """

    key: str
    name: str
    amount_owed: Decimal
    currency: str
    due_date: date | None
    status: DebtorStatus
    assigned_to: str
    contact_count: int
    authorizer_known: bool
    last_contact_at: datetime | None
    version: int


class StoredDebtor(NamedTuple):
    """A debtor as stored: its row id, the version read, and the value."""

    id: int
    version: int
    debtor: Debtor


def not_found(debtor_key: str) -> NotFoundError:
    return NotFoundError(f"no debtor with key {debtor_key!r}")


@cache
def _id_by_key() -> sa.Select[Any]:
    d = debtor_table.c
    return sa.select(d.id).where(d.key == sa.bindparam("key", type_=d.key.type))


def find_debtor_id(connection: sa.Connection, debtor_key: str) -> int:
    """The debtor's row id, or :class:`NotFoundError` naming the key."""
    found = connection.execute(_id_by_key(), {"key": debtor_key}).scalar()
    if found is None:
        raise not_found(debtor_key)
    return int(found)


def list_debtors(connection: sa.Connection) -> list[DebtorSummary]:
    """Every debtor with its contact count, authorizer flag and last contact, ordered by key.

    Three aggregate queries joined into one statement, whatever the team's size.
    """
    live = contact_table.c.archived.is_(False)
    per_contact = (
        sa.select(
            contact_table.c.debtor_id,
            sa.func.count().label("contact_count"),
            sa.func.max(sa.case((contact_table.c.authorizes_payment, 1), else_=0)).label(
                "authorizer"
            ),
        )
        .where(live)
        .group_by(contact_table.c.debtor_id)
        .subquery()
    )
    per_interaction = (
        sa.select(
            interaction_table.c.debtor_id,
            sa.func.max(interaction_table.c.at).label("last_contact_at"),
        )
        .group_by(interaction_table.c.debtor_id)
        .subquery()
    )
    d = debtor_table.c
    query = (
        sa.select(
            d.key,
            d.name,
            d.amount_owed,
            d.currency,
            d.due_date,
            d.status,
            d.assigned_to,
            d.version,
            sa.func.coalesce(per_contact.c.contact_count, 0).label("contact_count"),
            sa.func.coalesce(per_contact.c.authorizer, 0).label("authorizer"),
            per_interaction.c.last_contact_at,
        )
        .select_from(debtor_table)
        .outerjoin(per_contact, per_contact.c.debtor_id == d.id)
        .outerjoin(per_interaction, per_interaction.c.debtor_id == d.id)
        .order_by(d.key)
    )
    return [
        DebtorSummary(
            key=r.key,
            name=r.name,
            amount_owed=r.amount_owed,
            currency=r.currency,
            due_date=r.due_date,
            status=DebtorStatus(r.status),
            assigned_to=r.assigned_to,
            contact_count=int(r.contact_count),
            authorizer_known=bool(r.authorizer),
            last_contact_at=r.last_contact_at,
            version=r.version,
        )
        for r in connection.execute(query)
    ]


def insert_debtor(
    connection: sa.Connection, debtor: Debtor, *, by: str, now: datetime
) -> int | None:
    """Insert ``debtor``; its new id, or ``None`` when the key is taken (even by a racer)."""
    statement = insert_once(connection.dialect.name, debtor_table, "key")
    row = {**debtor_values(debtor), **stamp_new(by=by, now=now)}
    return connection.execute(statement, row).scalar()


def create_debtor(connection: sa.Connection, debtor: Debtor, *, by: str) -> int:
    """Add a new debtor with no contacts; its version (1).

    Raises :class:`AlreadyExistsError` when the key is taken (use
    :func:`update_debtor` to change an existing one).
    """
    if insert_debtor(connection, debtor, by=by, now=now_utc()) is None:
        raise AlreadyExistsError(f"a debtor with key {debtor.key!r} already exists")
    return 1


def find_debtor(
    connection: sa.Connection, debtor_key: str, *, lock: bool = False
) -> StoredDebtor | None:
    """The debtor ``debtor_key`` as stored, or ``None``; ``lock`` holds its row (PostgreSQL)."""
    query = sa.select(debtor_table).where(debtor_table.c.key == debtor_key)
    row = connection.execute(query.with_for_update() if lock else query).one_or_none()
    return None if row is None else StoredDebtor(row.id, row.version, debtor_from_row(row))


def update_debtor(
    connection: sa.Connection,
    debtor: Debtor,
    *,
    by: str,
    expected_version: int | None,
    stored: StoredDebtor | None = None,
) -> int:
    """Make the stored debtor ``debtor.key`` equal ``debtor``; its version afterwards.

    Only the columns that differ are written, conditioned on the version read.
    With ``expected_version`` (the version the user's form was filled from) a
    change made by someone else in between raises :class:`StaleVersionError`;
    ``None`` writes over whatever is there.  Saving the same values changes
    nothing.  An unknown key raises :class:`NotFoundError`.  ``stored`` is the
    debtor when the caller already read it in this transaction.
    """
    what = f"debtor {debtor.key!r}"
    if stored is None:
        stored = find_debtor(connection, debtor.key, lock=expected_version is None)
        if stored is None:
            raise not_found(debtor.key)
    check_expected(what, expected=expected_version, actual=stored.version)
    changes = changed_values(debtor_values(stored.debtor), debtor_values(debtor))
    if not changes:
        return stored.version
    return update_versioned(
        connection,
        debtor_table,
        row_id=stored.id,
        version=stored.version,
        values=changes,
        by=by,
        now=now_utc(),
        what=what,
    )
