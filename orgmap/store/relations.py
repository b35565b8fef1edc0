"""Relations: add or edit one directed edge between two contacts, archive it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from orgmap.domain.model import Relation, RelationType
from orgmap.store.errors import NotFoundError, StoreError
from orgmap.store.rows import (
    archive_row,
    check_expected,
    contact_table,
    find_debtor,
    now_utc,
    relation_label,
    relation_table,
    stamp_new,
    update_versioned,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = ["archive_relation", "upsert_relation"]


def _find_relation(
    session: Session,
    debtor_key: str,
    *,
    source: str,
    target: str,
    type_: str,
    lock: bool,
) -> tuple[Any, int, int, Any | None]:
    """(debtor row, source id, target id, relation row or None)."""
    label = relation_label(debtor_key, source, target, type_)
    if source == target:
        raise StoreError(f"{label}: a contact cannot relate to itself")
    debtor = find_debtor(session, debtor_key)
    ids = {
        r.key: r.id
        for r in session.execute(
            sa.select(contact_table.c.key, contact_table.c.id).where(
                contact_table.c.debtor_id == debtor.id, contact_table.c.key.in_([source, target])
            )
        )
    }
    for key in (source, target):
        if key not in ids:
            raise NotFoundError(f"{label}: debtor {debtor_key!r} has no contact {key!r}")
    rel = relation_table.c
    query = sa.select(relation_table).where(
        rel.debtor_id == debtor.id,
        rel.source_id == ids[source],
        rel.target_id == ids[target],
        rel.type == type_,
    )
    row = session.execute(query.with_for_update() if lock else query).first()
    return debtor, ids[source], ids[target], row


def upsert_relation(
    session: Session,
    debtor_key: str,
    relation: Relation,
    *,
    by: str,
    expected_version: int | None = None,
) -> int:
    """Add ``relation`` or update the stored one with the same (source, target, type); its version.

    Only ``note`` and ``archived`` can change on an existing relation.  A self-loop
    raises :class:`StoreError`, an unknown debtor or contact :class:`NotFoundError`,
    someone else's change since ``expected_version`` :class:`StaleVersionError`.
    """
    type_ = str(relation.type)
    debtor, source_id, target_id, row = _find_relation(
        session,
        debtor_key,
        source=relation.source,
        target=relation.target,
        type_=type_,
        lock=expected_version is None,
    )
    label = relation_label(debtor_key, relation.source, relation.target, type_)
    now = now_utc()
    if row is None:
        if expected_version is not None:
            raise NotFoundError(f"{label} does not exist")
        session.execute(
            sa.insert(relation_table).values(
                debtor_id=debtor.id,
                source_id=source_id,
                target_id=target_id,
                type=type_,
                note=relation.note,
                archived=relation.archived,
                **stamp_new(by=by, now=now),
            )
        )
        return 1
    check_expected(label, expected=expected_version, actual=row.version)
    if row.note == relation.note and row.archived == relation.archived:
        return int(row.version)
    return update_versioned(
        session,
        relation_table,
        row_id=row.id,
        version=row.version,
        values={"note": relation.note, "archived": relation.archived},
        by=by,
        now=now,
        what=label,
    )


def archive_relation(
    session: Session,
    debtor_key: str,
    *,
    source: str,
    target: str,
    type: RelationType | str,
    by: str,
    expected_version: int | None = None,
) -> int:
    """Archive the relation ``source -[type]-> target`` (kept, but off maps and routes)."""
    type_ = str(type)
    _, _, _, row = _find_relation(
        session, debtor_key, source=source, target=target, type_=type_, lock=False
    )
    label = relation_label(debtor_key, source, target, type_)
    if row is None:
        raise NotFoundError(f"{label} does not exist")
    return archive_row(
        session, relation_table, row, expected_version=expected_version, by=by, what=label
    )
