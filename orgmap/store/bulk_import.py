"""Saving whole debtor maps: the import path, an upsert by keys that leaves equal records alone.

It reads each debtor's stored records once, then goes through the same
per-record writes as a single edit (:func:`~orgmap.store.debtors.update_debtor`,
:func:`~orgmap.store.contacts.update_contact`,
:func:`~orgmap.store.relations.update_relation`): only changed columns are
written, each conditioned on the version read.  Every record created or changed gets
one history entry (:mod:`orgmap.store.history`) in the same transaction, written
together in one statement at the end.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from orgmap.domain.model import DebtorMap, Interaction, Relation
from orgmap.store.contacts import contact_label, insert_contacts, stored_contacts, update_contact
from orgmap.store.debtors import find_debtor, insert_debtor, insert_owner, update_debtor
from orgmap.store.errors import NotFoundError, StoreError
from orgmap.store.history import (
    call_record,
    contact_record,
    jsonable,
    relation_key,
    relation_record,
)
from orgmap.store.interactions import insert_interactions_once, known_fingerprints
from orgmap.store.mapping import (
    debtor_values,
    interaction_fingerprint,
    interaction_values,
    relation_label,
    stamp_new,
)
from orgmap.store.relations import update_relation
from orgmap.store.tables import history_table, relation_table
from orgmap.store.versions import changed_values, now_utc

__all__ = [
    "ChangeCounts",
    "SaveReport",
    "call_record",
    "contact_record",
    "relation_key",
    "relation_record",
    "save_maps",
]


@dataclass(frozen=True, slots=True)
class ChangeCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


@dataclass(frozen=True, slots=True)
class SaveReport:
    """What :func:`save_maps` did, per kind of record."""

    debtors: ChangeCounts = ChangeCounts()
    contacts: ChangeCounts = ChangeCounts()
    relations: ChangeCounts = ChangeCounts()
    interactions: ChangeCounts = ChangeCounts()

    @property
    def changed(self) -> bool:
        """Whether anything was created or updated."""
        kinds = (self.debtors, self.contacts, self.relations, self.interactions)
        return any(k.created or k.updated for k in kinds)

    def __str__(self) -> str:
        return (
            f"debtors {self.debtors}; contacts {self.contacts}; "
            f"relations {self.relations}; interactions {self.interactions}"
        )


@dataclass(slots=True)
class _Tally:
    """What was done, counted, and the history entries that say so."""

    by: str
    now: datetime
    action: str
    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    history: list[dict[str, Any]] = field(default_factory=list)

    def record(
        self,
        *,
        entity: str,
        key: str,
        debtor_id: int,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
    ) -> None:
        self.history.append(
            {
                "at": self.now,
                "by": self.by,
                "action": self.action,
                "entity": entity,
                "key": key,
                "debtor_id": debtor_id,
                "before": None if before is None else jsonable(before),
                "after": None if after is None else jsonable(after),
            }
        )

    def record_change(
        self, *, entity: str, key: str, debtor_id: int, old: dict[str, Any], new: dict[str, Any]
    ) -> None:
        """One entry with the fields that differ between ``old`` and ``new`` (none: none)."""
        after = changed_values(old, new)
        if after:
            before = {name: old.get(name) for name in after}
            self.record(entity=entity, key=key, debtor_id=debtor_id, before=before, after=after)

    def add(self, kind: str, *, created: int = 0, updated: int = 0, unchanged: int = 0) -> None:
        self.counts.update({(kind, "created"): created, (kind, "updated"): updated})
        self.counts[(kind, "unchanged")] += unchanged

    def report(self) -> SaveReport:
        return SaveReport(
            **{
                f.name: ChangeCounts(*(self.counts[(f.name, n)] for n in ChangeCounts.__slots__))
                for f in fields(SaveReport)
            }
        )


def save_maps(
    connection: sa.Connection,
    maps: Sequence[DebtorMap],
    *,
    by: str,
    team_id: int | None = None,
    action: str = "import",
) -> SaveReport:
    """Upsert whole maps by their keys, in the caller's transaction.

    Debtors created get team ``team_id`` as their owner (``None``: no team).  Each
    record created or changed gets one history entry, by ``by``, of ``action``
    (created ones with the whole record as ``after``, changed ones with the fields
    that changed).

    Debtors match by key, contacts by (debtor, key) with their phones replaced
    as a set, relations by (source, target, type); an interaction is added only
    when its fingerprint (:func:`~orgmap.store.mapping.interaction_fingerprint`) is
    new to the debtor.  A record equal to what is stored is not touched (no new
    version, no new ``updated_at``), so saving the same maps twice changes
    nothing.  Contacts and relations the maps don't mention are left as they are.

    The maps are expected to be valid (:mod:`orgmap.domain.validation`); a
    relation or interaction naming an unknown contact raises
    :class:`NotFoundError`, and the caller's rollback then undoes everything.
    """
    now = now_utc()
    tally = _Tally(by=by, now=now, action=action)
    for debtor_map in maps:
        _save_map(connection, debtor_map, by=by, now=now, tally=tally, team_id=team_id)
    if tally.history:
        connection.execute(sa.insert(history_table), tally.history)
    return tally.report()


def _save_map(
    connection: sa.Connection,
    m: DebtorMap,
    *,
    by: str,
    now: datetime,
    tally: _Tally,
    team_id: int | None,
) -> None:
    key = m.debtor.key
    stored = find_debtor(connection, key, lock=True)
    if stored is None:
        debtor_id = insert_debtor(connection, m.debtor, by=by, now=now)
        if debtor_id is None:
            raise StoreError(f"debtor {key!r} was added by someone else just now; try again")
        tally.add("debtors", created=1)
        tally.record(
            entity="debtor",
            key=key,
            debtor_id=debtor_id,
            before=None,
            after=debtor_values(m.debtor),
        )
        if team_id is not None:
            insert_owner(connection, debtor_id=debtor_id, team_id=team_id, by=by, now=now)
            owner = {"team_id": team_id, "user_id": None}
            tally.record(entity="owner", key=key, debtor_id=debtor_id, before=None, after=owner)
    else:
        debtor_id = stored.id
        version = update_debtor(connection, m.debtor, by=by, expected_version=None, stored=stored)
        tally.add("debtors", **({"updated": 1} if version != stored.version else {"unchanged": 1}))
        tally.record_change(
            entity="debtor",
            key=key,
            debtor_id=debtor_id,
            old=debtor_values(stored.debtor),
            new=debtor_values(m.debtor),
        )
    id_of = _save_contacts(connection, m, debtor_id=debtor_id, by=by, now=now, tally=tally)
    _save_relations(connection, m, debtor_id=debtor_id, id_of=id_of, by=by, now=now, tally=tally)
    _save_interactions(connection, m, debtor_id=debtor_id, id_of=id_of, by=by, now=now, tally=tally)


def _save_contacts(
    connection: sa.Connection,
    m: DebtorMap,
    *,
    debtor_id: int,
    by: str,
    now: datetime,
    tally: _Tally,
) -> dict[str, int]:
    """Upsert the map's contacts; every contact key of the debtor -> its row id."""
    debtor_key = m.debtor.key
    repeated = [key for key, n in Counter(c.key for c in m.contacts).items() if n > 1]
    if repeated:
        raise StoreError(f"debtor {debtor_key!r} lists contact key {repeated[0]!r} twice")
    stored = stored_contacts(connection, debtor_id=debtor_id)
    id_of = {key: s.id for key, s in stored.items()}
    for c in m.contacts:
        if (before := stored.get(c.key)) is None:
            continue
        what = contact_label(debtor_key, c.key)
        version = update_contact(
            connection, before, c, debtor_id=debtor_id, by=by, now=now, what=what
        )
        tally.add("contacts", **({"updated": 1} if version != before.version else {"unchanged": 1}))
        tally.record_change(
            entity="contact",
            key=c.key,
            debtor_id=debtor_id,
            old=contact_record(before.contact),
            new=contact_record(c),
        )
    new = [c for c in m.contacts if c.key not in stored]
    id_of.update(insert_contacts(connection, new, debtor_id=debtor_id, by=by, now=now))
    tally.add("contacts", created=len(new))
    for c in new:
        tally.record(
            entity="contact", key=c.key, debtor_id=debtor_id, before=None, after=contact_record(c)
        )
    return id_of


def _contact_id(id_of: dict[str, int], key: str, *, debtor_key: str, where: str) -> int:
    if key not in id_of:
        raise NotFoundError(f"{where} names contact {key!r}, which debtor {debtor_key!r} lacks")
    return id_of[key]


def _save_relations(
    connection: sa.Connection,
    m: DebtorMap,
    *,
    debtor_id: int,
    id_of: dict[str, int],
    by: str,
    now: datetime,
    tally: _Tally,
) -> None:
    debtor_key = m.debtor.key
    rel = relation_table.c
    stored = {
        (r.source_id, r.target_id, r.type): r
        for r in connection.execute(sa.select(relation_table).where(rel.debtor_id == debtor_id))
    }
    new: dict[tuple[int, int, str], Relation] = {}
    for relation in m.relations:
        label = relation_label(debtor_key, relation.source, relation.target, str(relation.type))
        if relation.source == relation.target:
            raise StoreError(f"{label}: a contact cannot relate to itself")
        source = _contact_id(id_of, relation.source, debtor_key=debtor_key, where=label)
        target = _contact_id(id_of, relation.target, debtor_key=debtor_key, where=label)
        ident = (source, target, str(relation.type))
        row = stored.get(ident)
        if row is None:
            if ident in new:
                raise StoreError(f"{label} is listed twice")
            new[ident] = relation
            continue
        version = update_relation(connection, row, relation, by=by, now=now, what=label)
        tally.add("relations", **({"updated": 1} if version != row.version else {"unchanged": 1}))
        tally.record_change(
            entity="relation",
            key=relation_key(relation.source, relation.target, relation.type),
            debtor_id=debtor_id,
            old={"note": row.note, "archived": row.archived},
            new={"note": relation.note, "archived": relation.archived},
        )
    if new:
        connection.execute(
            sa.insert(relation_table),
            [
                {
                    "debtor_id": debtor_id,
                    "source_id": source,
                    "target_id": target,
                    "type": type_,
                    "note": relation.note,
                    "archived": relation.archived,
                    **stamp_new(by=by, now=now),
                }
                for (source, target, type_), relation in new.items()
            ],
        )
        tally.add("relations", created=len(new))
        for relation in new.values():
            after = relation_record(relation)
            key = relation_key(relation.source, relation.target, relation.type)
            tally.record(entity="relation", key=key, debtor_id=debtor_id, before=None, after=after)


def _save_interactions(
    connection: sa.Connection,
    m: DebtorMap,
    *,
    debtor_id: int,
    id_of: dict[str, int],
    by: str,
    now: datetime,
    tally: _Tally,
) -> None:
    debtor_key = m.debtor.key
    known = known_fingerprints(connection, debtor_id=debtor_id)
    batch: list[dict[str, Any]] = []
    calls: list[Interaction] = []
    for i in m.interactions:
        where = f"interaction at {i.at.isoformat()} of debtor {debtor_key!r}"
        contact_id = _contact_id(id_of, i.contact, debtor_key=debtor_key, where=where)
        if interaction_fingerprint(i) in known:
            continue
        values = interaction_values(i, debtor_id=debtor_id, contact_id=contact_id, by=by, now=now)
        known.add(values["fingerprint"])
        batch.append(values)
        calls.append(i)
    created = insert_interactions_once(connection, batch)
    # A call a racer stored meanwhile is skipped (its fingerprint is unique per debtor):
    # on PostgreSQL the debtor's row lock makes that a call logged, not an import.
    if created == len(calls):
        for i, values in zip(calls, batch, strict=True):
            key = values["fingerprint"]
            tally.record(
                entity="call", key=key, debtor_id=debtor_id, before=None, after=call_record(i)
            )
    tally.add("interactions", created=created, unchanged=len(m.interactions) - created)
