"""Interactions: the append-only log of calls, SMS, emails, letters and visits."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from orgmap.domain.model import Interaction
from orgmap.store.contacts import find_contact_at
from orgmap.store.engine import insert_once
from orgmap.store.errors import NotFoundError
from orgmap.store.mapping import interaction_values
from orgmap.store.tables import interaction_table
from orgmap.store.versions import now_utc

__all__ = ["append_call", "append_interaction", "insert_interactions_once", "known_fingerprints"]


def insert_interactions_once(connection: sa.Connection, values: Sequence[Mapping[str, Any]]) -> int:
    """Insert interaction rows, skipping any whose fingerprint the debtor already has.

    ``ON CONFLICT DO NOTHING`` rather than read-then-insert, so two imports of the
    same file (or a double-submitted form) running at once still store each
    call once.  Returns how many rows were new.
    """
    if not values:
        return 0
    statement = insert_once(connection.dialect.name, interaction_table, "debtor_id", "fingerprint")
    if len(values) == 1:  # one call logged: a plain execute, not an executemany
        return len(connection.execute(statement, values[0]).all())
    return len(connection.execute(statement, list(values)).all())


def known_fingerprints(connection: sa.Connection, *, debtor_id: int) -> set[str]:
    """The fingerprints of every call the debtor has (for a bulk import's compare)."""
    i = interaction_table.c
    return set(
        connection.execute(sa.select(i.fingerprint).where(i.debtor_id == debtor_id)).scalars()
    )


def append_call(
    connection: sa.Connection,
    interaction: Interaction,
    *,
    debtor_id: int,
    contact_id: int,
    by: str,
    now: datetime,
) -> bool:
    """Log ``interaction`` for a contact already looked up; ``False`` when already logged."""
    values = interaction_values(
        interaction, debtor_id=debtor_id, contact_id=contact_id, by=by, now=now
    )
    return insert_interactions_once(connection, [values]) == 1


def append_interaction(
    connection: sa.Connection, debtor_key: str, interaction: Interaction, *, by: str
) -> bool:
    """Log ``interaction``; ``False`` when the very same one is already logged.

    "The same" means the same fingerprint (contact, instant, channel, outcome,
    who, note, promise), so a double-submitted form or a re-imported file never
    duplicates a call.  An unknown debtor or contact raises :class:`NotFoundError`.
    """
    owner, stored = find_contact_at(connection, debtor_key, interaction.contact)
    if stored is None:
        raise NotFoundError(
            f"debtor {debtor_key!r} has no contact with key {interaction.contact!r}"
        )
    return append_call(
        connection, interaction, debtor_id=owner, contact_id=stored.id, by=by, now=now_utc()
    )
