"""Relations: add or edit one directed edge between two contacts, archive it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from orgmap.domain.model import Relation, RelationType
from orgmap.store.debtors import find_debtor_id
from orgmap.store.engine import insert_once
from orgmap.store.errors import NotFoundError, StoreError
from orgmap.store.mapping import relation_label, stamp_new
from orgmap.store.tables import contact_table, relation_table
from orgmap.store.versions import archive_row, check_expected, now_utc, update_versioned

__all__ = [
    "add_or_restore_relation",
    "archive_relation",
    "find_relation",
    "insert_relation_once",
    "update_relation",
    "upsert_relation",
]


def _find_relation(
    connection: sa.Connection,
    debtor_key: str,
    *,
    source: str,
    target: str,
    type_: str,
    lock: bool,
) -> tuple[int, int, int, Any | None]:
    """(debtor id, source id, target id, relation row or None)."""
    label = relation_label(debtor_key, source, target, type_)
    if source == target:
        raise StoreError(f"{label}: a contact cannot relate to itself")
    owner = find_debtor_id(connection, debtor_key)
    c = contact_table.c
    ids = {
        r.key: r.id
        for r in connection.execute(
            sa.select(c.key, c.id).where(c.debtor_id == owner, c.key.in_([source, target]))
        )
    }
    for key in (source, target):
        if key not in ids:
            raise NotFoundError(f"{label}: debtor {debtor_key!r} has no contact {key!r}")
    row = _relation_row(
        connection,
        debtor_id=owner,
        source_id=ids[source],
        target_id=ids[target],
        type_=type_,
        lock=lock,
    )
    return owner, ids[source], ids[target], row


def _relation_row(
    connection: sa.Connection,
    *,
    debtor_id: int,
    source_id: int,
    target_id: int,
    type_: str,
    lock: bool,
) -> Any | None:
    rel = relation_table.c
    query = sa.select(relation_table).where(
        rel.debtor_id == debtor_id,
        rel.source_id == source_id,
        rel.target_id == target_id,
        rel.type == type_,
    )
    return connection.execute(query.with_for_update() if lock else query).first()


def find_relation(
    connection: sa.Connection,
    *,
    debtor_id: int,
    source: str,
    target: str,
    type_: str,
    lock: bool = False,
) -> Any | None:
    """The relation row ``source -[type_]-> target`` of debtor ``debtor_id``, or ``None``.

    One query; ``None`` too when either contact is not at the debtor.
    """
    rel = relation_table.c
    src, dst = contact_table.alias("src"), contact_table.alias("dst")
    query = (
        sa.select(relation_table)
        .join(src, src.c.id == rel.source_id)
        .join(dst, dst.c.id == rel.target_id)
        .where(
            rel.debtor_id == debtor_id,
            rel.type == type_,
            src.c.debtor_id == debtor_id,
            src.c.key == source,
            dst.c.debtor_id == debtor_id,
            dst.c.key == target,
        )
    )
    return connection.execute(query.with_for_update(of=relation_table) if lock else query).first()


def add_or_restore_relation(
    connection: sa.Connection,
    relation: Relation,
    *,
    debtor_id: int,
    source_id: int,
    target_id: int,
    by: str,
    what: str,
) -> int | None:
    """Add ``relation``, or bring back an archived one with its note; its version.

    ``None`` when it already exists and is current (nothing written).
    """
    now = now_utc()
    row = _relation_row(
        connection,
        debtor_id=debtor_id,
        source_id=source_id,
        target_id=target_id,
        type_=str(relation.type),
        lock=True,
    )
    if row is None:
        new = insert_relation_once(
            connection,
            relation,
            debtor_id=debtor_id,
            source_id=source_id,
            target_id=target_id,
            by=by,
            now=now,
        )
        return 1 if new else None
    if not row.archived:
        return None
    return update_relation(connection, row, relation, by=by, now=now, what=what)


def insert_relation_once(
    connection: sa.Connection,
    relation: Relation,
    *,
    debtor_id: int,
    source_id: int,
    target_id: int,
    by: str,
    now: datetime,
) -> bool:
    """Insert ``relation`` unless the same (source, target, type) exists; whether it was new."""
    statement = insert_once(
        connection.dialect.name, relation_table, "debtor_id", "source_id", "target_id", "type"
    )
    row = {
        "debtor_id": debtor_id,
        "source_id": source_id,
        "target_id": target_id,
        "type": str(relation.type),
        "note": relation.note,
        "archived": relation.archived,
        **stamp_new(by=by, now=now),
    }
    return connection.execute(statement, row).scalar() is not None


def update_relation(
    connection: sa.Connection, row: Any, relation: Relation, *, by: str, now: datetime, what: str
) -> int:
    """Write the note or archived flag of ``relation`` where they differ from ``row``.

    Only those can change on an existing relation; conditioned on ``row``'s version.
    """
    changes = {
        name: value
        for name, value in (("note", relation.note), ("archived", relation.archived))
        if getattr(row, name) != value
    }
    if not changes:
        return int(row.version)
    return update_versioned(
        connection,
        relation_table,
        row_id=row.id,
        version=row.version,
        values=changes,
        by=by,
        now=now,
        what=what,
    )


def upsert_relation(
    connection: sa.Connection,
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
    owner, source_id, target_id, row = _find_relation(
        connection,
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
        new = insert_relation_once(
            connection,
            relation,
            debtor_id=owner,
            source_id=source_id,
            target_id=target_id,
            by=by,
            now=now,
        )
        if not new:
            raise StoreError(f"{label} was added by someone else just now; reload and try again")
        return 1
    check_expected(label, expected=expected_version, actual=row.version)
    return update_relation(connection, row, relation, by=by, now=now, what=label)


def archive_relation(
    connection: sa.Connection,
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
        connection, debtor_key, source=source, target=target, type_=type_, lock=False
    )
    label = relation_label(debtor_key, source, target, type_)
    if row is None:
        raise NotFoundError(f"{label} does not exist")
    return archive_row(
        connection,
        relation_table,
        row_id=row.id,
        version=row.version,
        archived=row.archived,
        expected_version=expected_version,
        by=by,
        what=label,
    )
