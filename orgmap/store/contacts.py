"""Contacts: edit one, archive one, merge two that are the same person, find them elsewhere."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from orgmap.domain.model import Contact
from orgmap.store.errors import NotFoundError, StoreError
from orgmap.store.rows import (
    CONTACT_COLUMNS,
    INTERACTION_COLUMNS,
    archive_row,
    check_expected,
    contact_from_row,
    contact_table,
    contact_values,
    debtor_table,
    find_contact,
    find_debtor,
    interaction_fingerprint,
    interaction_from_row,
    interaction_table,
    load_phones,
    now_utc,
    phone_table,
    relation_table,
    replace_phones,
    stamp_new,
    update_versioned,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = [
    "KnownElsewhere",
    "archive_contact",
    "find_same_person",
    "merge_contacts",
    "upsert_contact",
]


@dataclass(frozen=True, slots=True)
class KnownElsewhere:
    """A contact at another debtor who shares a phone number or an email.

    ``matched_on`` is the shared value: an E.164 number (``+86…``) or a
    lower-cased email address.
    """

    debtor_key: str
    debtor_name: str
    contact_key: str
    contact_name: str
    matched_on: str


def _label(debtor_key: str, contact_key: str) -> str:
    return f"contact {contact_key!r} of debtor {debtor_key!r}"


def upsert_contact(
    session: Session,
    debtor_key: str,
    contact: Contact,
    *,
    by: str,
    expected_version: int | None = None,
) -> int:
    """Add ``contact`` to the debtor, or replace the stored one of the same key; its version.

    Phones are replaced as a set.  ``expected_version`` is the version the
    user's form was filled from: someone else's change in between raises
    :class:`StaleVersionError`; ``None`` overwrites (or creates).  Saving the
    same values changes nothing.  An unknown debtor, or an ``expected_version``
    for a contact that does not exist, raises :class:`NotFoundError`.
    """
    debtor = find_debtor(session, debtor_key)
    what = _label(debtor_key, contact.key)
    c = contact_table.c
    query = sa.select(*CONTACT_COLUMNS, c.id, c.version).where(
        c.debtor_id == debtor.id, c.key == contact.key
    )
    row = session.execute(query.with_for_update() if expected_version is None else query).first()
    now = now_utc()
    if row is None:
        if expected_version is not None:
            raise NotFoundError(f"debtor {debtor_key!r} has no contact with key {contact.key!r}")
        contact_id = session.execute(
            sa.insert(contact_table)
            .values(**contact_values(contact), debtor_id=debtor.id, **stamp_new(by=by, now=now))
            .returning(contact_table.c.id)
        ).scalar_one()
        replace_phones(
            session, contact.phones, debtor_id=debtor.id, contact_id=contact_id, by=by, now=now
        )
        return 1
    check_expected(what, expected=expected_version, actual=row.version)
    phones = load_phones(session, contact_id=row.id)
    if contact_from_row(row, phones) == contact:
        return int(row.version)
    version = update_versioned(
        session,
        contact_table,
        row_id=row.id,
        version=row.version,
        values=contact_values(contact),
        by=by,
        now=now,
        what=what,
    )
    if phones != contact.phones:
        replace_phones(
            session, contact.phones, debtor_id=debtor.id, contact_id=row.id, by=by, now=now
        )
    return version


def archive_contact(
    session: Session,
    debtor_key: str,
    contact_key: str,
    *,
    by: str,
    expected_version: int | None = None,
) -> int:
    """Archive a contact (hidden from maps and routes, history kept); its version."""
    debtor = find_debtor(session, debtor_key)
    row = find_contact(session, debtor_id=debtor.id, debtor_key=debtor_key, contact_key=contact_key)
    what = _label(debtor_key, contact_key)
    return archive_row(
        session, contact_table, row, expected_version=expected_version, by=by, what=what
    )


def merge_contacts(session: Session, debtor_key: str, *, keep: str, drop: str, by: str) -> int:
    """Fold contact ``drop`` into ``keep`` (the same person entered twice); keep's new version.

    ``drop``'s interactions and relations move to ``keep``; a relation that would
    become a self-loop or duplicate one of ``keep``'s stays on ``drop``, archived.
    ``keep`` gains ``drop``'s phone numbers it lacks, and its email when it has
    none.  ``drop`` is archived, never deleted, so both histories survive.
    """
    if keep == drop:
        raise StoreError(f"cannot merge contact {keep!r} of debtor {debtor_key!r} into itself")
    debtor = find_debtor(session, debtor_key)
    keep_row = find_contact(session, debtor_id=debtor.id, debtor_key=debtor_key, contact_key=keep)
    drop_row = find_contact(session, debtor_id=debtor.id, debtor_key=debtor_key, contact_key=drop)
    if keep_row.archived:
        raise StoreError(f"{_label(debtor_key, keep)} is archived; merge into a current contact")
    now = now_utc()
    _move_interactions(session, debtor_id=debtor.id, keep=keep_row, drop=drop_row, by=by, now=now)
    _move_relations(session, debtor_id=debtor.id, keep=keep_row, drop=drop_row, by=by, now=now)

    keep_phones = load_phones(session, contact_id=keep_row.id)
    held = {(p.e164, p.extension) for p in keep_phones}
    extra = tuple(
        p for p in load_phones(session, contact_id=drop_row.id) if (p.e164, p.extension) not in held
    )
    if extra:
        replace_phones(
            session,
            keep_phones + extra,
            debtor_id=debtor.id,
            contact_id=keep_row.id,
            by=by,
            now=now,
        )
    # keep's version moves even when only its history grew: a form opened
    # before the merge no longer shows the whole contact.
    version = update_versioned(
        session,
        contact_table,
        row_id=keep_row.id,
        version=keep_row.version,
        values={"email": keep_row.email or drop_row.email},
        by=by,
        now=now,
        what=_label(debtor_key, keep),
    )
    update_versioned(
        session,
        contact_table,
        row_id=drop_row.id,
        version=drop_row.version,
        values={"archived": True},
        by=by,
        now=now,
        what=_label(debtor_key, drop),
    )
    return version


def _move_interactions(
    session: Session, *, debtor_id: int, keep: Any, drop: Any, by: str, now: datetime
) -> None:
    # An interaction's fingerprint includes its contact key: recompute it for
    # keep so that exporting and re-importing the merged map adds nothing.  If
    # keep already has that very call, the moved copy keeps its old fingerprint.
    known = set(
        session.execute(
            sa.select(interaction_table.c.fingerprint).where(
                interaction_table.c.debtor_id == debtor_id
            )
        ).scalars()
    )
    i = interaction_table.c
    moving = session.execute(
        sa.select(*INTERACTION_COLUMNS, i.id, i.version).where(
            interaction_table.c.debtor_id == debtor_id,
            interaction_table.c.contact_id == drop.id,
        )
    ).all()
    for r in moving:
        fingerprint = interaction_fingerprint(interaction_from_row(r, {drop.id: keep.key}))
        values: dict[str, object] = {"contact_id": keep.id}
        if fingerprint not in known:
            values["fingerprint"] = fingerprint
            known.add(fingerprint)
        update_versioned(
            session,
            interaction_table,
            row_id=r.id,
            version=r.version,
            values=values,
            by=by,
            now=now,
            what=f"an interaction of contact {drop.key!r}",
        )


def _move_relations(
    session: Session, *, debtor_id: int, keep: Any, drop: Any, by: str, now: datetime
) -> None:
    rel = relation_table.c
    rows = session.execute(sa.select(relation_table).where(rel.debtor_id == debtor_id)).all()
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
            session,
            relation_table,
            row_id=r.id,
            version=r.version,
            values=values,
            by=by,
            now=now,
            what=f"a relation of contact {drop.key!r}",
        )


def find_same_person(
    session: Session | sa.Connection,
    *,
    debtor_key: str,
    phones: Iterable[str],
    emails: Iterable[str],
) -> list[KnownElsewhere]:
    """Current contacts of *other* debtors sharing one of these E.164 numbers or emails.

    Emails match case-insensitively.  Both lookups go through indexes
    (``phone.e164``, ``lower(contact.email)``), so the cost does not grow with
    the team.  Ordered by debtor key, contact key, matched value.
    """
    numbers = sorted({p for p in phones if p})
    addresses = sorted({e.strip().lower() for e in emails if e and e.strip()})
    if not numbers and not addresses:
        return []
    bind = session if isinstance(session, sa.Connection) else session.get_bind()
    query = _same_person_query(
        by_phone=bool(numbers), by_email=bool(addresses), arrays=bind.dialect.name == "postgresql"
    )
    parameters = {"debtor_key": debtor_key, "numbers": numbers, "addresses": addresses}
    found = {KnownElsewhere(*r) for r in session.execute(query, parameters)}
    return sorted(found, key=lambda k: (k.debtor_key, k.contact_key, k.matched_on))


@cache
def _same_person_query(*, by_phone: bool, by_email: bool, arrays: bool) -> sa.Executable:
    """The look-up behind :func:`find_same_person`, built once per kind.

    Building and cache-keying the statement anew cost more than running it.
    A lookup with no values is left out rather than sent as an empty ``IN``,
    which the planner may answer by scanning the whole table.  With
    ``arrays`` (PostgreSQL) the values go in one array parameter, ``= ANY(…)``,
    so the SQL is the same whatever their number and the driver can prepare
    it: planning this query cost more than running it.
    """
    c, d, ph = contact_table.c, debtor_table.c, phone_table.c

    def one_of(column: sa.ColumnElement[str], name: str) -> sa.ColumnElement[bool]:
        if arrays:
            from sqlalchemy.dialects.postgresql import ARRAY

            return column == sa.any_(sa.bindparam(name, type_=ARRAY(sa.String())))
        return column.in_(sa.bindparam(name, expanding=True))

    this_debtor = sa.select(d.id).where(d.key == sa.bindparam("debtor_key")).scalar_subquery()

    def debtor_of(column: sa.ColumnElement[int]) -> list[sa.ScalarSelect[str]]:
        # Per matched row, by primary key: joining the debtor table instead made
        # PostgreSQL's planner scan every debtor, so the cost grew with the team.
        return [
            sa.select(d.key).where(d.id == column).scalar_subquery(),
            sa.select(d.name).where(d.id == column).scalar_subquery(),
        ]

    lookups = []
    if by_phone:
        lookups.append(
            sa.select(*debtor_of(ph.debtor_id), c.key, c.name, ph.e164)
            .select_from(phone_table)
            .join(contact_table, c.id == ph.contact_id)
            .where(
                one_of(ph.e164, "numbers"),
                ph.debtor_id != this_debtor,
                c.archived.is_(False),
            )
        )
    if by_email:
        lowered = sa.func.lower(c.email)
        lookups.append(
            sa.select(*debtor_of(c.debtor_id), c.key, c.name, lowered)
            .select_from(contact_table)
            .where(
                one_of(lowered, "addresses"),
                c.debtor_id != this_debtor,
                c.archived.is_(False),
            )
        )
    # One round trip: on PostgreSQL the second query's latency cost as much as its work.
    return lookups[0] if len(lookups) == 1 else sa.union_all(*lookups)
