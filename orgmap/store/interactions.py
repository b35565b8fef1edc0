"""Interactions: the append-only log of calls, SMS, emails, letters and visits."""

from __future__ import annotations

from typing import TYPE_CHECKING

from orgmap.domain.model import Interaction
from orgmap.store.rows import (
    find_contact,
    find_debtor,
    insert_interactions_once,
    interaction_values,
    now_utc,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = ["append_interaction"]


def append_interaction(
    session: Session, debtor_key: str, interaction: Interaction, *, by: str
) -> bool:
    """Log ``interaction``; ``False`` when the very same one is already logged.

    "The same" means the same fingerprint (contact, instant, channel, outcome,
    who, note, promise), so a double-submitted form or a re-imported file never
    duplicates a call.  An unknown debtor or contact raises :class:`NotFoundError`.
    """
    debtor = find_debtor(session, debtor_key)
    contact = find_contact(
        session, debtor_id=debtor.id, debtor_key=debtor_key, contact_key=interaction.contact
    )
    values = interaction_values(
        interaction, debtor_id=debtor.id, contact_id=contact.id, by=by, now=now_utc()
    )
    return insert_interactions_once(session, [values]) == 1
