"""Interactions: the append-only log of calls, SMS, emails, letters and visits.

A correction or void is one more row (``corrects`` names the row it supersedes);
nothing logged is ever changed or removed here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import cache
from typing import Any, NamedTuple

import sqlalchemy as sa

from orgmap.domain.model import Interaction
from orgmap.store.contacts import find_contact_at
from orgmap.store.debtors import find_debtor_id
from orgmap.store.engine import insert_once
from orgmap.store.errors import NotFoundError, StoreError
from orgmap.store.mapping import (
    INTERACTION_COLUMNS,
    interaction_fingerprint,
    interaction_from_row,
    interaction_values,
)
from orgmap.store.tables import contact_table, debtor_table, interaction_table
from orgmap.store.versions import now_utc

__all__ = [
    "ListedCall",
    "StoredCall",
    "SupersededError",
    "append_call",
    "append_correction",
    "append_interaction",
    "call_ancestors",
    "count_current_calls",
    "find_call",
    "find_call_of",
    "insert_interactions_once",
    "known_fingerprints",
    "list_current_calls",
    "refresh_fingerprints",
]


class SupersededError(StoreError):
    """The call was corrected or voided by someone else since it was read."""

    def __init__(self, debtor_key: str, fingerprint: str, *, by: str) -> None:
        super().__init__(
            f"the call {fingerprint[:12]}… of debtor {debtor_key!r} was already corrected"
            f" by {by or 'someone'}; reload it and correct the latest version"
        )
        self.by = by


def insert_interactions_once(connection: sa.Connection, values: Sequence[Mapping[str, Any]]) -> int:
    """Insert interaction rows, skipping any whose fingerprint the debtor already has.

    ``ON CONFLICT DO NOTHING`` rather than read-then-insert, so two imports of the
    same file (or a double-submitted form) running at once still store each
    call once.  Returns how many rows were new.
    """
    if not values:
        return 0
    statement = insert_once(connection.dialect.name, interaction_table, "debtor_id", "fingerprint")
    rows = _superseded_first(values)
    _refuse_second_corrections(connection, rows)
    if len(rows) == 1:  # one call logged: a plain execute, not an executemany
        return len(connection.execute(statement, rows[0]).all())
    return len(connection.execute(statement, rows).all())


def _superseded_first(values: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """``values`` with every record after the one it corrects (the foreign key checks
    each row as it is inserted); otherwise in the given order."""
    if not any(v.get("corrects") for v in values):
        return list(values)
    pending = {v["fingerprint"]: v for v in values}
    ordered: list[Mapping[str, Any]] = []

    def place(fingerprint: str) -> None:
        # Chains are short and acyclic (a fingerprint covers what it corrects).
        record = pending.pop(fingerprint, None)
        if record is None:
            return
        if record.get("corrects"):
            place(record["corrects"])
        ordered.append(record)

    for v in values:
        place(v["fingerprint"])
    return ordered


def _refuse_second_corrections(
    connection: sa.Connection, rows: Sequence[Mapping[str, Any]]
) -> None:
    """Raise :class:`StoreError` when a row corrects a record another stored row corrects.

    The unique constraint would refuse it too, with an error no collector can read.
    """
    corrects = {v["corrects"]: v for v in rows if v.get("corrects")}
    if not corrects:
        return
    i = interaction_table.c
    debtor_id = next(iter(corrects.values()))["debtor_id"]
    taken = connection.execute(
        sa.select(i.corrects, i.fingerprint).where(
            i.debtor_id == debtor_id, i.corrects.in_(list(corrects))
        )
    ).all()
    for target, fingerprint in taken:
        if corrects[target]["fingerprint"] != fingerprint:
            raise StoreError(
                f"the call {target[:12]}… was already corrected by another record;"
                " export the debtor again and make the correction there"
            )


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


# -- corrections and the call list ------------------------------------------------


class StoredCall(NamedTuple):
    """A stored record as a correction reads it: the one row it hangs on."""

    id: int
    debtor_id: int
    contact_id: int
    fingerprint: str
    interaction: Interaction
    successor: str | None  # the fingerprint of the record that corrects or voids it
    successor_by: str  # who logged that record ("" when there is none)


# Where the extra columns sit after INTERACTION_COLUMNS in the queries below.
_KEY = len(INTERACTION_COLUMNS)


@cache
def _call_query(*, by_debtor_id: bool = False) -> sa.Select[Any]:
    """One record by debtor key (or id) and fingerprint, with who superseded it (if anyone)."""
    i, c, d = interaction_table.c, contact_table.c, debtor_table.c
    later = interaction_table.alias("later")
    query = (
        sa.select(
            *INTERACTION_COLUMNS,
            c.key,
            i.id,
            i.debtor_id,
            i.fingerprint,
            later.c.fingerprint,
            later.c.by,
        )
        .select_from(interaction_table)
        .join(contact_table, sa.and_(c.debtor_id == i.debtor_id, c.id == i.contact_id))
        .outerjoin(
            later, sa.and_(later.c.debtor_id == i.debtor_id, later.c.corrects == i.fingerprint)
        )
    )
    if by_debtor_id:
        return query.where(
            i.debtor_id == sa.bindparam("debtor_id"), i.fingerprint == sa.bindparam("fingerprint")
        )
    return query.join(debtor_table, d.id == i.debtor_id).where(
        d.key == sa.bindparam("debtor_key"), i.fingerprint == sa.bindparam("fingerprint")
    )


def find_call(connection: sa.Connection, debtor_key: str, fingerprint: str) -> StoredCall:
    """The debtor's record ``fingerprint``: one indexed query.

    :class:`NotFoundError` for an unknown debtor or record.
    """
    row = connection.execute(
        _call_query(), {"debtor_key": debtor_key, "fingerprint": fingerprint}
    ).first()
    if row is None:
        find_debtor_id(connection, debtor_key)  # raises for an unknown debtor
        raise NotFoundError(f"debtor {debtor_key!r} has no call {fingerprint[:12]}…")
    return _stored_call(row)


def find_call_of(connection: sa.Connection, *, debtor_id: int, fingerprint: str) -> StoredCall:
    """The record ``fingerprint`` of the debtor with row id ``debtor_id`` (already looked up).

    :class:`NotFoundError` when it has no such record.
    """
    row = connection.execute(
        _call_query(by_debtor_id=True), {"debtor_id": debtor_id, "fingerprint": fingerprint}
    ).first()
    if row is None:
        raise NotFoundError(f"no call {fingerprint[:12]}… at this debtor")
    return _stored_call(row)


def _stored_call(row: Sequence[Any]) -> StoredCall:
    contact_id = row[0]
    key, row_id, debtor_id, stored_fingerprint, successor, successor_by = row[_KEY:]
    return StoredCall(
        id=row_id,
        debtor_id=debtor_id,
        contact_id=contact_id,
        fingerprint=stored_fingerprint,
        interaction=interaction_from_row(row, {contact_id: key}),
        successor=successor,
        successor_by=successor_by or "",
    )


def append_correction(
    connection: sa.Connection,
    record: Interaction,
    *,
    debtor_key: str,
    original: StoredCall,
    contact_id: int,
    by: str,
    now: datetime,
) -> bool:
    """Insert ``record``, which corrects or voids ``original``; ``False`` when already stored.

    One insert that yields to any unique constraint: when it adds nothing, the
    very same record is stored (a double submit: ``False``) or another record
    superseded ``original`` first (:class:`SupersededError`; the caller's
    transaction then writes nothing).
    """
    values = interaction_values(
        record, debtor_id=original.debtor_id, contact_id=contact_id, by=by, now=now
    )
    if connection.execute(_insert_yielding(connection.dialect.name), values).first() is not None:
        return True
    i = interaction_table.c
    winner = connection.execute(
        sa.select(i.fingerprint, i.by).where(
            i.debtor_id == original.debtor_id, i.corrects == original.fingerprint
        )
    ).first()
    if winner is not None and winner.fingerprint == values["fingerprint"]:
        return False
    raise SupersededError(debtor_key, original.fingerprint, by=winner.by if winner else "")


@cache
def _insert_yielding(dialect: str) -> Any:
    """``INSERT … ON CONFLICT DO NOTHING RETURNING id``: yields to any unique constraint."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    return insert(interaction_table).on_conflict_do_nothing().returning(interaction_table.c.id)


class ListedCall(NamedTuple):
    """A record in the call list: its fingerprint, value and the person's name."""

    fingerprint: str
    interaction: Interaction
    contact_name: str


def _listed_query() -> sa.Select[Any]:
    i, c = interaction_table.c, contact_table.c
    return (
        sa.select(*INTERACTION_COLUMNS, c.key, i.fingerprint, c.name)
        .select_from(interaction_table)
        .join(contact_table, sa.and_(c.debtor_id == i.debtor_id, c.id == i.contact_id))
    )


def _listed(row: Sequence[Any]) -> ListedCall:
    key, fingerprint, name = row[_KEY:]
    return ListedCall(fingerprint, interaction_from_row(row, {row[0]: key}), name)


def _is_current() -> sa.ColumnElement[bool]:
    i = interaction_table.c
    later = interaction_table.alias("later")
    superseded = sa.exists().where(
        later.c.debtor_id == i.debtor_id, later.c.corrects == i.fingerprint
    )
    return sa.and_(i.void.is_(False), ~superseded)


def count_current_calls(connection: sa.Connection, *, debtor_id: int) -> int:
    """How many current calls (neither superseded nor voids) the debtor has."""
    i = interaction_table.c
    query = sa.select(sa.func.count()).select_from(interaction_table)
    return connection.execute(query.where(i.debtor_id == debtor_id, _is_current())).scalar_one()


def list_current_calls(
    connection: sa.Connection, *, debtor_id: int, offset: int, limit: int
) -> tuple[ListedCall, ...]:
    """One page of the debtor's current calls, newest first.

    One query whatever the size of the log: ordered by the ``(debtor_id, at)``
    index, the superseded test a probe of the ``(debtor_id, corrects)`` one.
    """
    i = interaction_table.c
    rows = connection.execute(
        _listed_query()
        .where(i.debtor_id == debtor_id, _is_current())
        .order_by(i.at.desc(), i.id.desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return tuple(_listed(r) for r in rows)


def call_ancestors(
    connection: sa.Connection, *, debtor_id: int, fingerprints: Sequence[str]
) -> dict[str, ListedCall]:
    """The records ``fingerprints`` name and every record those supersede, down their chains.

    Pass the ``corrects`` of the calls listed to get the rest of their histories.

    A query per generation, for all the chains at once (corrections are rare and
    their chains short), never the whole log.
    """
    i = interaction_table.c
    found: dict[str, ListedCall] = {}
    wanted = set(fingerprints)
    while wanted:
        rows = connection.execute(
            _listed_query().where(i.debtor_id == debtor_id, i.fingerprint.in_(sorted(wanted)))
        ).all()
        listed = [_listed(r) for r in rows]
        found.update((c.fingerprint, c) for c in listed)
        wanted = {c.interaction.corrects for c in listed if c.interaction.corrects} - found.keys()
    return found


def refresh_fingerprints(
    connection: sa.Connection, *, debtor_id: int, by: str, now: datetime
) -> int:
    """Recompute the stored fingerprint of every correction whose ``corrects`` changed under it;
    how many were.

    Merging two contacts recomputes the fingerprint of each call it moves; the
    foreign key carries the new value into the ``corrects`` of that call's
    correction, whose own fingerprint (which covers ``corrects``) must then follow,
    and so on down the chain.  Reads only the debtor's corrections, a round per
    link of the longest chain that changed.
    """
    i, c = interaction_table.c, contact_table.c
    query = (
        sa.select(*INTERACTION_COLUMNS, c.key, i.id, i.fingerprint)
        .select_from(interaction_table)
        .join(contact_table, sa.and_(c.debtor_id == i.debtor_id, c.id == i.contact_id))
        .where(i.debtor_id == debtor_id, i.corrects.is_not(None))
    )
    refreshed = 0
    while True:
        stale = []
        for r in connection.execute(query).all():
            key, row_id, stored = r[_KEY:]
            fingerprint = interaction_fingerprint(interaction_from_row(r, {r[0]: key}))
            if fingerprint != stored:
                stale.append((row_id, fingerprint))
        if not stale:
            return refreshed
        for row_id, fingerprint in stale:
            connection.execute(
                sa.update(interaction_table)
                .where(i.id == row_id)
                .values(
                    fingerprint=fingerprint, updated_by=by, updated_at=now, version=i.version + 1
                )
            )
        refreshed += len(stale)
