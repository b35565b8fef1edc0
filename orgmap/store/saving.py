"""Saving whole debtor maps: the import path, an upsert by keys that leaves equal records alone."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from orgmap.domain.model import DebtorMap, Relation
from orgmap.store.errors import NotFoundError, StoreError
from orgmap.store.rows import (
    CONTACT_COLUMNS,
    PHONE_COLUMNS,
    contact_from_row,
    contact_table,
    contact_values,
    debtor_from_row,
    debtor_table,
    debtor_values,
    insert_interactions_once,
    interaction_fingerprint,
    interaction_table,
    interaction_values,
    now_utc,
    phone_table,
    phone_values,
    phones_by_contact,
    relation_label,
    relation_table,
    replace_phones,
    stamp_new,
    update_versioned,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

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
    counts: dict[str, list[int]] = field(
        default_factory=lambda: defaultdict(lambda: [0, 0, 0])  # created, updated, unchanged
    )

    def add(self, kind: str, *, created: int = 0, updated: int = 0, unchanged: int = 0) -> None:
        c = self.counts[kind]
        c[0] += created
        c[1] += updated
        c[2] += unchanged

    def report(self) -> SaveReport:
        return SaveReport(
            **{f.name: ChangeCounts(*self.counts[f.name]) for f in fields(SaveReport)}
        )


def save_maps(session: Session, maps: Sequence[DebtorMap], *, by: str) -> SaveReport:
    """Upsert whole maps by their keys, in the caller's transaction.

    Debtors match by key, contacts by (debtor, key) with their phones replaced
    as a set, relations by (source, target, type); an interaction is added only
    when its fingerprint (:func:`~orgmap.store.rows.interaction_fingerprint`) is
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
        _save_map(session, debtor_map, by=by, now=now, tally=tally)
    return tally.report()


def _save_map(session: Session, m: DebtorMap, *, by: str, now: datetime, tally: _Tally) -> None:
    debtor_key = m.debtor.key
    row = session.execute(
        sa.select(debtor_table).where(debtor_table.c.key == debtor_key)
    ).one_or_none()
    if row is None:
        debtor_id = session.execute(
            sa.insert(debtor_table)
            .values(**debtor_values(m.debtor), **stamp_new(by=by, now=now))
            .returning(debtor_table.c.id)
        ).scalar_one()
        tally.add("debtors", created=1)
    else:
        debtor_id = row.id
        if debtor_from_row(row) == m.debtor:
            tally.add("debtors", unchanged=1)
        else:
            update_versioned(
                session,
                debtor_table,
                row_id=row.id,
                version=row.version,
                values=debtor_values(m.debtor),
                by=by,
                now=now,
                what=f"debtor {debtor_key!r}",
            )
            tally.add("debtors", updated=1)
    id_of = _save_contacts(session, m, debtor_id=debtor_id, by=by, now=now, tally=tally)
    _save_relations(session, m, debtor_id=debtor_id, id_of=id_of, by=by, now=now, tally=tally)
    _save_interactions(session, m, debtor_id=debtor_id, id_of=id_of, by=by, now=now, tally=tally)


def _save_contacts(
    session: Session, m: DebtorMap, *, debtor_id: int, by: str, now: datetime, tally: _Tally
) -> dict[str, int]:
    """Upsert the map's contacts; every contact key of the debtor -> its row id."""
    debtor_key = m.debtor.key
    seen: set[str] = set()
    for c in m.contacts:
        if c.key in seen:
            raise StoreError(f"debtor {debtor_key!r} lists contact key {c.key!r} twice")
        seen.add(c.key)

    column = contact_table.c
    rows = session.execute(
        sa.select(*CONTACT_COLUMNS, column.id, column.version).where(column.debtor_id == debtor_id)
    ).all()
    phones_of = phones_by_contact(
        session.execute(sa.select(*PHONE_COLUMNS).where(phone_table.c.debtor_id == debtor_id))
    )
    stored = {r.key: r for r in rows}
    id_of = {r.key: r.id for r in rows}

    new = [c for c in m.contacts if c.key not in stored]
    for c in m.contacts:
        if c.key not in stored:
            continue
        row = stored[c.key]
        phones = phones_of.get(row.id, ())
        if contact_from_row(row, phones) == c:
            tally.add("contacts", unchanged=1)
            continue
        update_versioned(
            session,
            contact_table,
            row_id=row.id,
            version=row.version,
            values=contact_values(c),
            by=by,
            now=now,
            what=f"contact {c.key!r} of debtor {debtor_key!r}",
        )
        if tuple(phones) != c.phones:
            replace_phones(
                session, c.phones, debtor_id=debtor_id, contact_id=row.id, by=by, now=now
            )
        tally.add("contacts", updated=1)

    if new:
        inserted = session.execute(
            sa.insert(contact_table).returning(
                contact_table.c.id, contact_table.c.key, sort_by_parameter_order=True
            ),
            [
                {**contact_values(c), "debtor_id": debtor_id, **stamp_new(by=by, now=now)}
                for c in new
            ],
        ).all()
        id_of.update({r.key: r.id for r in inserted})
        phone_rows = [
            p
            for c in new
            for p in phone_values(
                c.phones, debtor_id=debtor_id, contact_id=id_of[c.key], by=by, now=now
            )
        ]
        if phone_rows:
            session.execute(sa.insert(phone_table), phone_rows)
        tally.add("contacts", created=len(new))
    return id_of


def _contact_id(id_of: dict[str, int], key: str, *, debtor_key: str, where: str) -> int:
    if key not in id_of:
        raise NotFoundError(f"{where} names contact {key!r}, which debtor {debtor_key!r} lacks")
    return id_of[key]


def _save_relations(
    session: Session,
    m: DebtorMap,
    *,
    debtor_id: int,
    id_of: dict[str, int],
    by: str,
    now: datetime,
    tally: _Tally,
) -> None:
    debtor_key = m.debtor.key
    stored = {
        (r.source_id, r.target_id, r.type): r
        for r in session.execute(
            sa.select(relation_table).where(relation_table.c.debtor_id == debtor_id)
        )
    }
    new: dict[tuple[int, int, str], Relation] = {}
    for rel in m.relations:
        label = relation_label(debtor_key, rel.source, rel.target, str(rel.type))
        if rel.source == rel.target:
            raise StoreError(f"{label}: a contact cannot relate to itself")
        source = _contact_id(id_of, rel.source, debtor_key=debtor_key, where=label)
        target = _contact_id(id_of, rel.target, debtor_key=debtor_key, where=label)
        ident = (source, target, str(rel.type))
        row = stored.get(ident)
        if row is None:
            if ident in new:
                raise StoreError(f"{label} is listed twice")
            new[ident] = rel
        elif row.note == rel.note and row.archived == rel.archived:
            tally.add("relations", unchanged=1)
        else:
            update_versioned(
                session,
                relation_table,
                row_id=row.id,
                version=row.version,
                values={"note": rel.note, "archived": rel.archived},
                by=by,
                now=now,
                what=label,
            )
            tally.add("relations", updated=1)
    if new:
        session.execute(
            sa.insert(relation_table),
            [
                {
                    "debtor_id": debtor_id,
                    "source_id": source,
                    "target_id": target,
                    "type": type_,
                    "note": rel.note,
                    "archived": rel.archived,
                    **stamp_new(by=by, now=now),
                }
                for (source, target, type_), rel in new.items()
            ],
        )
        tally.add("relations", created=len(new))


def _save_interactions(
    session: Session,
    m: DebtorMap,
    *,
    debtor_id: int,
    id_of: dict[str, int],
    by: str,
    now: datetime,
    tally: _Tally,
) -> None:
    debtor_key = m.debtor.key
    known = set(
        session.execute(
            sa.select(interaction_table.c.fingerprint).where(
                interaction_table.c.debtor_id == debtor_id
            )
        ).scalars()
    )
    batch: list[dict[str, Any]] = []
    for i in m.interactions:
        where = f"interaction at {i.at.isoformat()} of debtor {debtor_key!r}"
        contact_id = _contact_id(id_of, i.contact, debtor_key=debtor_key, where=where)
        if interaction_fingerprint(i) in known:
            continue
        values = interaction_values(i, debtor_id=debtor_id, contact_id=contact_id, by=by, now=now)
        known.add(values["fingerprint"])
        batch.append(values)
    created = insert_interactions_once(session, batch)
    tally.add("interactions", created=created, unchanged=len(m.interactions) - created)
