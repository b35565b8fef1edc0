"""Merging two contacts that are the same person: both histories kept on one of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from orgmap.store.contacts import StoredContact, contact_label, find_contact, replace_phones
from orgmap.store.debtors import find_debtor_id
from orgmap.store.errors import NotFoundError, StoreError
from orgmap.store.interactions import refresh_fingerprints
from orgmap.store.mapping import INTERACTION_COLUMNS, interaction_fingerprint, interaction_from_row
from orgmap.store.tables import contact_table, interaction_table, relation_table
from orgmap.store.versions import now_utc, update_versioned

__all__ = ["MergeChange", "merge_contacts"]


@dataclass(frozen=True, slots=True)
class MergeChange:
    """One record a merge changed, for the history: what changed, before and after.

    ``entity`` is "call" (key: its fingerprint before the move), "relation"
    (key: ``source>target:type`` before the move) or "contact" (key: its key).
    """

    entity: str
    key: str
    before: dict[str, Any]
    after: dict[str, Any]


def merge_contacts(
    connection: sa.Connection,
    debtor_key: str,
    *,
    keep: str,
    drop: str,
    by: str,
    changes: list[MergeChange] | None = None,
) -> int:
    """Fold contact ``drop`` into ``keep`` (the same person entered twice); keep's new version.

    ``drop``'s interactions and relations move to ``keep``; a relation that would
    become a self-loop or duplicate one of ``keep``'s stays on ``drop``, archived.
    ``keep`` gains ``drop``'s phone numbers it lacks, and its email when it has
    none.  ``drop`` is archived, never deleted, so both histories survive.
    Each changed record is appended to ``changes`` when given.
    """
    log: list[MergeChange] = [] if changes is None else changes
    if keep == drop:
        raise StoreError(f"cannot merge contact {keep!r} of debtor {debtor_key!r} into itself")
    owner = find_debtor_id(connection, debtor_key)
    found = {}
    for key in (keep, drop):
        stored = find_contact(connection, debtor_id=owner, key=key, lock=True)
        if stored is None:
            raise NotFoundError(f"debtor {debtor_key!r} has no contact with key {key!r}")
        found[key] = stored
    kept, dropped = found[keep], found[drop]
    if kept.contact.archived:
        raise StoreError(
            f"{contact_label(debtor_key, keep)} is archived; merge into a current contact"
        )
    now = now_utc()
    _move_interactions(
        connection, debtor_id=owner, keep=kept, drop=dropped, by=by, now=now, log=log
    )
    # A moved call's correction hangs on its fingerprint, which the move changed.
    refresh_fingerprints(connection, debtor_id=owner, by=by, now=now)
    _move_relations(connection, debtor_id=owner, keep=kept, drop=dropped, by=by, now=now, log=log)

    held = {(p.e164, p.extension) for p in kept.contact.phones}
    extra = tuple(p for p in dropped.contact.phones if (p.e164, p.extension) not in held)
    if extra:
        replace_phones(
            connection,
            kept.contact.phones + extra,
            debtor_id=owner,
            contact_id=kept.id,
            by=by,
            now=now,
        )
    # keep's version moves even when only its history grew: a form opened
    # before the merge no longer shows the whole contact.
    version = update_versioned(
        connection,
        contact_table,
        row_id=kept.id,
        version=kept.version,
        values={"email": kept.contact.email or dropped.contact.email},
        by=by,
        now=now,
        what=contact_label(debtor_key, keep),
    )
    update_versioned(
        connection,
        contact_table,
        row_id=dropped.id,
        version=dropped.version,
        values={"archived": True},
        by=by,
        now=now,
        what=contact_label(debtor_key, drop),
    )
    gained: dict[str, Any] = {"merged": drop}
    had: dict[str, Any] = {}
    if extra:
        had["phones"] = [p.e164 for p in kept.contact.phones]
        gained["phones"] = [p.e164 for p in kept.contact.phones + extra]
    if not kept.contact.email and dropped.contact.email:
        had["email"], gained["email"] = kept.contact.email, dropped.contact.email
    log.append(MergeChange("contact", keep, had, gained))
    log.append(MergeChange("contact", drop, {"archived": False}, {"archived": True, "into": keep}))
    return version


def _move_interactions(
    connection: sa.Connection,
    *,
    debtor_id: int,
    keep: StoredContact,
    drop: StoredContact,
    by: str,
    now: datetime,
    log: list[MergeChange],
) -> None:
    # An interaction's fingerprint includes its contact key: recompute it for
    # keep so that exporting and re-importing the merged map adds nothing.  If
    # keep already has that very call, the moved copy keeps its old fingerprint.
    i = interaction_table.c
    known = set(
        connection.execute(sa.select(i.fingerprint).where(i.debtor_id == debtor_id)).scalars()
    )
    moving = connection.execute(
        sa.select(*INTERACTION_COLUMNS, i.id, i.version, i.fingerprint).where(
            i.debtor_id == debtor_id, i.contact_id == drop.id
        )
    ).all()
    for r in moving:
        fingerprint = interaction_fingerprint(interaction_from_row(r, {drop.id: keep.contact.key}))
        values: dict[str, object] = {"contact_id": keep.id}
        if fingerprint not in known:
            values["fingerprint"] = fingerprint
            known.add(fingerprint)
        update_versioned(
            connection,
            interaction_table,
            row_id=r.id,
            version=r.version,
            values=values,
            by=by,
            now=now,
            what=f"an interaction of contact {drop.contact.key!r}",
        )
        log.append(
            MergeChange(
                "call",
                r.fingerprint,
                {"contact": drop.contact.key},
                {"contact": keep.contact.key},
            )
        )


def _move_relations(
    connection: sa.Connection,
    *,
    debtor_id: int,
    keep: StoredContact,
    drop: StoredContact,
    by: str,
    now: datetime,
    log: list[MergeChange],
) -> None:
    rel = relation_table.c
    keys = {keep.id: keep.contact.key, drop.id: drop.contact.key}
    neighbours = connection.execute(
        sa.select(contact_table.c.id, contact_table.c.key).where(
            contact_table.c.debtor_id == debtor_id,
            contact_table.c.id.in_(
                sa.select(rel.source_id)
                .where(rel.debtor_id == debtor_id, rel.target_id == drop.id)
                .union(
                    sa.select(rel.target_id).where(
                        rel.debtor_id == debtor_id, rel.source_id == drop.id
                    )
                )
            ),
        )
    ).all()
    keys.update((row_id, key) for row_id, key in neighbours)
    rows = connection.execute(sa.select(relation_table).where(rel.debtor_id == debtor_id)).all()
    taken = {(r.source_id, r.target_id, r.type) for r in rows}
    for r in rows:
        if drop.id not in (r.source_id, r.target_id):
            continue
        source = keep.id if r.source_id == drop.id else r.source_id
        target = keep.id if r.target_id == drop.id else r.target_id
        if source == target or (source, target, r.type) in taken:
            values: dict[str, object] = {"archived": True}
            if r.archived:
                continue
        else:
            values = {"source_id": source, "target_id": target}
            taken.discard((r.source_id, r.target_id, r.type))
            taken.add((source, target, r.type))
        update_versioned(
            connection,
            relation_table,
            row_id=r.id,
            version=r.version,
            values=values,
            by=by,
            now=now,
            what=f"a relation of contact {drop.contact.key!r}",
        )
        key = f"{keys[r.source_id]}>{keys[r.target_id]}:{r.type}"
        if "archived" in values:
            log.append(MergeChange("relation", key, {"archived": False}, {"archived": True}))
        else:
            log.append(
                MergeChange(
                    "relation",
                    key,
                    {"source": keys[r.source_id], "target": keys[r.target_id]},
                    {"source": keys[source], "target": keys[target]},
                )
            )
