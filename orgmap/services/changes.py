"""The history rows of contact, relation and call changes, in the writer's transaction.

One row per changed record (:func:`orgmap.store.history.record`): a created or
archived record in whole, an edit as the fields that changed (before and after).
Each costs one INSERT; nothing here reads.

>>> from orgmap.domain.model import Contact, Department
>>> a = Contact("li", "Li", Department.SALES)
>>> changed_fields(contact_record(a), contact_record(Contact("li", "Li", Department.FINANCE)))
({'department': 'sales'}, {'department': 'finance'})
>>> relation_key("desk", "boss", "refers_to")
'desk>boss:refers_to'
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from orgmap.domain.calls import call_fingerprint
from orgmap.domain.model import Interaction
from orgmap.store.history import (
    call_record,
    contact_record,
    record,
    relation_key,
    relation_record,
)

__all__ = [
    "call_record",
    "changed_fields",
    "contact_record",
    "record_change",
    "record_edit",
    "relation_key",
    "relation_record",
]


def changed_fields(
    before: dict[str, Any], after: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The fields of two records that differ: (as before, as after)."""
    names = [n for n in after if before.get(n) != after[n]]
    return {n: before.get(n) for n in names}, {n: after[n] for n in names}


def record_change(
    connection: sa.Connection,
    *,
    by: str,
    action: str,
    entity: str,
    key: str,
    debtor_id: int,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """One history row (a thin, keyword-only spelling of :func:`record`)."""
    record(
        connection,
        by=by,
        action=action,
        entity=entity,
        key=key,
        debtor_id=debtor_id,
        before=before,
        after=after,
    )


def record_edit(
    connection: sa.Connection,
    *,
    by: str,
    action: str = "edit",
    entity: str,
    key: str,
    debtor_id: int,
    before: dict[str, Any],
    after: dict[str, Any],
) -> bool:
    """One row with the fields that changed between two whole records; none if none did."""
    was, now = changed_fields(before, after)
    if not now:
        return False
    record_change(
        connection,
        by=by,
        action=action,
        entity=entity,
        key=key,
        debtor_id=debtor_id,
        before=was,
        after=now,
    )
    return True


def fingerprint_of(interaction: Interaction) -> str:
    """A call's key in the history: its fingerprint."""
    return call_fingerprint(interaction)
