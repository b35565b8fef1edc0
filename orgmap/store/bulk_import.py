"""Saving whole debtor maps: the import path, an upsert by keys that leaves equal records alone.

It reads each debtor's stored records once, then goes through the same
per-record writes as a single edit (:func:`~orgmap.store.debtors.update_debtor`,
:func:`~orgmap.store.contacts.update_contact`,
:func:`~orgmap.store.relations.update_relation`): only changed columns are
written, each conditioned on the version read.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from orgmap.domain.model import DebtorMap, Relation
from orgmap.store.contacts import contact_label, insert_contacts, stored_contacts, update_contact
from orgmap.store.debtors import find_debtor, insert_debtor, update_debtor
from orgmap.store.errors import NotFoundError, StoreError
from orgmap.store.interactions import insert_interactions_once, known_fingerprints
from orgmap.store.mapping import (
    interaction_fingerprint,
    interaction_values,
    relation_label,
    stamp_new,
)
from orgmap.store.relations import update_relation
from orgmap.store.tables import relation_table
from orgmap.store.versions import now_utc

__all__ = ["ChangeCounts", "SaveReport", "save_maps"]


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
    counts: Counter[tuple[str, str]] = field(default_factory=Counter)

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


def save_maps(connection: sa.Connection, maps: Sequence[DebtorMap], *, by: str) -> SaveReport:
    """Upsert whole maps by their keys, in the caller's transaction.

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
    tally = _Tally()
    now = now_utc()
    for debtor_map in maps:
        _save_map(connection, debtor_map, by=by, now=now, tally=tally)
    return tally.report()


def _save_map(
    connection: sa.Connection, m: DebtorMap, *, by: str, now: datetime, tally: _Tally
) -> None:
    stored = find_debtor(connection, m.debtor.key, lock=True)
    if stored is None:
        debtor_id = insert_debtor(connection, m.debtor, by=by, now=now)
        if debtor_id is None:
            raise StoreError(
                f"debtor {m.debtor.key!r} was added by someone else just now; try again"
            )
        tally.add("debtors", created=1)
    else:
        debtor_id = stored.id
        version = update_debtor(connection, m.debtor, by=by, expected_version=None, stored=stored)
        tally.add("debtors", **({"updated": 1} if version != stored.version else {"unchanged": 1}))
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
    new = [c for c in m.contacts if c.key not in stored]
    id_of.update(insert_contacts(connection, new, debtor_id=debtor_id, by=by, now=now))
    tally.add("contacts", created=len(new))
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
    for i in m.interactions:
        where = f"interaction at {i.at.isoformat()} of debtor {debtor_key!r}"
        contact_id = _contact_id(id_of, i.contact, debtor_key=debtor_key, where=where)
        if interaction_fingerprint(i) in known:
            continue
        values = interaction_values(i, debtor_id=debtor_id, contact_id=contact_id, by=by, now=now)
        known.add(values["fingerprint"])
        batch.append(values)
    created = insert_interactions_once(connection, batch)
    tally.add("interactions", created=created, unchanged=len(m.interactions) - created)
