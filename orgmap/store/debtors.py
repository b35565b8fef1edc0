"""Debtors: the team's list, creating and editing one, and the versions the UI locks on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from orgmap.domain.model import Debtor, DebtorStatus
from orgmap.store.errors import AlreadyExistsError
from orgmap.store.rows import (
    check_expected,
    contact_table,
    debtor_from_row,
    debtor_table,
    debtor_values,
    find_debtor,
    interaction_table,
    now_utc,
    relation_table,
    stamp_new,
    update_versioned,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = ["DebtorSummary", "create_debtor", "get_versions", "list_debtors", "update_debtor"]


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


def list_debtors(session: Session) -> list[DebtorSummary]:
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
        for r in session.execute(query)
    ]


def create_debtor(session: Session, debtor: Debtor, *, by: str) -> int:
    """Add a new debtor with no contacts; its version (1).

    Raises :class:`AlreadyExistsError` when the key is taken (use
    :func:`update_debtor` to change an existing one).
    """
    taken = session.execute(
        sa.select(debtor_table.c.id).where(debtor_table.c.key == debtor.key)
    ).first()
    if taken is not None:
        raise AlreadyExistsError(f"a debtor with key {debtor.key!r} already exists")
    session.execute(
        sa.insert(debtor_table).values(**debtor_values(debtor), **stamp_new(by=by, now=now_utc()))
    )
    return 1


def update_debtor(
    session: Session, debtor: Debtor, *, by: str, expected_version: int | None
) -> int:
    """Replace the stored debtor ``debtor.key`` with ``debtor``; its version afterwards.

    With ``expected_version`` (the version the user's form was filled from) a
    change made by someone else in between raises :class:`StaleVersionError`;
    ``None`` overwrites whatever is there.  Saving the same values changes
    nothing.  An unknown key raises :class:`NotFoundError`.
    """
    what = f"debtor {debtor.key!r}"
    row = find_debtor(session, debtor.key, lock=expected_version is None)
    check_expected(what, expected=expected_version, actual=row.version)
    if debtor_from_row(row) == debtor:
        return int(row.version)
    return update_versioned(
        session,
        debtor_table,
        row_id=row.id,
        version=row.version,
        values=debtor_values(debtor),
        by=by,
        now=now_utc(),
        what=what,
    )


def get_versions(session: Session, debtor_key: str) -> dict[str, Any]:
    """The current versions of a debtor's records, for optimistic locking in a form.

    ``{"debtor": int, "contacts": {contact_key: int},
    "relations": {(source_key, target_key, type): int}}``; archived records
    included.  An unknown key raises :class:`NotFoundError`.
    """
    row = find_debtor(session, debtor_key)
    contacts = session.execute(
        sa.select(contact_table.c.id, contact_table.c.key, contact_table.c.version).where(
            contact_table.c.debtor_id == row.id
        )
    ).all()
    key_of = {c.id: c.key for c in contacts}
    relations = session.execute(
        sa.select(
            relation_table.c.source_id,
            relation_table.c.target_id,
            relation_table.c.type,
            relation_table.c.version,
        ).where(relation_table.c.debtor_id == row.id)
    )
    return {
        "debtor": int(row.version),
        "contacts": {c.key: int(c.version) for c in contacts},
        "relations": {
            (key_of[r.source_id], key_of[r.target_id], r.type): int(r.version) for r in relations
        },
    }
