"""Contacts and their phones: find one, add, edit, set a disposition, archive, merge two."""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from datetime import datetime
from functools import cache
from itertools import groupby
from typing import Any, NamedTuple

import sqlalchemy as sa

from orgmap.domain.model import Contact, Disposition, Phone
from orgmap.store.debtors import find_debtor_id
from orgmap.store.engine import insert_once
from orgmap.store.errors import NotFoundError, StoreError
from orgmap.store.mapping import (
    CONTACT_COLUMNS,
    PHONE_COLUMNS,
    contact_from_row,
    contact_values,
    phone_from_row,
    phone_values,
    stamp_new,
)
from orgmap.store.tables import (
    contact_table,
    debtor_owner_table,
    debtor_table,
    phone_table,
)
from orgmap.store.versions import (
    archive_row,
    changed_values,
    check_expected,
    now_utc,
    update_versioned,
)

__all__ = [
    "StoredContact",
    "archive_contact",
    "contact_label",
    "contacts_named",
    "find_contact",
    "find_contact_at",
    "find_contact_with_team",
    "hold_name",
    "insert_contact_once",
    "insert_contacts",
    "replace_phones",
    "set_archived",
    "set_disposition",
    "stored_contacts",
    "update_contact",
    "upsert_contact",
]


class StoredContact(NamedTuple):
    """A contact as stored: its row id, the version read, and the value."""

    id: int
    version: int
    contact: Contact


def contact_label(debtor_key: str, contact_key: str) -> str:
    return f"contact {contact_key!r} of debtor {debtor_key!r}"


# Where the id, version and first phone column sit in a row of _contact_query.
_ID = len(CONTACT_COLUMNS)
_PHONE = _ID + 3


@cache
def _contact_query(*, by_debtor_key: bool, lock: bool) -> sa.Select[Any]:
    """One contact with its phones (a row per phone), by debtor id or key and contact key."""
    c, p, d = contact_table.c, phone_table.c, debtor_table.c
    debtor: sa.ColumnElement[Any]
    if by_debtor_key:
        debtor = sa.select(d.id).where(d.key == sa.bindparam("debtor_key")).scalar_subquery()
    else:
        debtor = sa.bindparam("debtor_id")
    query = (
        sa.select(*CONTACT_COLUMNS, c.id, c.version, c.debtor_id, *PHONE_COLUMNS)
        .select_from(contact_table)
        .outerjoin(phone_table, sa.and_(p.debtor_id == c.debtor_id, p.contact_id == c.id))
        .where(c.debtor_id == debtor, c.key == sa.bindparam("key"))
        .order_by(p.position)
    )
    return query.with_for_update(of=contact_table) if lock else query


def _stored(rows: Sequence[Sequence[Any]]) -> StoredContact | None:
    if not rows:
        return None
    first = rows[0]
    phones = [phone_from_row(r[_PHONE:]) for r in rows if r[_PHONE] is not None]
    return StoredContact(first[_ID], first[_ID + 1], contact_from_row(first, phones))


def find_contact(
    connection: sa.Connection, *, debtor_id: int, key: str, lock: bool = False
) -> StoredContact | None:
    """The contact ``key`` of the debtor with row id ``debtor_id``, or ``None``.

    ``lock`` holds the row (``FOR UPDATE`` on PostgreSQL) until the transaction ends.
    """
    rows = connection.execute(
        _contact_query(by_debtor_key=False, lock=lock), {"debtor_id": debtor_id, "key": key}
    ).all()
    return _stored(rows)


def find_contact_at(
    connection: sa.Connection, debtor_key: str, contact_key: str
) -> tuple[int, StoredContact | None]:
    """The debtor's row id and its contact (``None`` if it has none of that key).

    One indexed query when both exist; :class:`NotFoundError` for an unknown debtor.
    """
    rows = connection.execute(
        _contact_query(by_debtor_key=True, lock=False),
        {"debtor_key": debtor_key, "key": contact_key},
    ).all()
    stored = _stored(rows)
    if stored is None:
        return find_debtor_id(connection, debtor_key), None
    return rows[0][_ID + 2], stored


def find_contact_with_team(
    connection: sa.Connection, debtor_key: str, contact_key: str
) -> tuple[int, int | None, StoredContact | None] | None:
    """Debtor ``debtor_key``'s row id and team, with its contact ``contact_key`` (``None``
    when it has none of that key); ``None`` when there is no such debtor.

    One statement for what a logged call reads before it writes (the owner that
    authorization decides on, and the contact called): on PostgreSQL a round trip
    less than asking for them one after the other.
    """
    rows = connection.execute(
        _contact_with_team_query(), {"debtor_key": debtor_key, "key": contact_key}
    ).all()
    if not rows:
        return None
    first = rows[0]
    debtor_id, team_id = first[_ID + 2], first[_ID + 3]
    if first[_ID] is None:
        return debtor_id, team_id, None
    phones = [phone_from_row(r[_ID + 4 :]) for r in rows if r[_ID + 4] is not None]
    return (
        debtor_id,
        team_id,
        StoredContact(first[_ID], first[_ID + 1], contact_from_row(first, phones)),
    )


@cache
def _contact_with_team_query() -> sa.Select[Any]:
    """The debtor by key with its owner, its contact by key and the contact's phones
    (a row per phone; the contact's columns null when it has no such contact)."""
    c, p, d, o = contact_table.c, phone_table.c, debtor_table.c, debtor_owner_table.c
    return (
        sa.select(*CONTACT_COLUMNS, c.id, c.version, d.id, o.team_id, *PHONE_COLUMNS)
        .select_from(debtor_table)
        .outerjoin(debtor_owner_table, o.debtor_id == d.id)
        .outerjoin(contact_table, sa.and_(c.debtor_id == d.id, c.key == sa.bindparam("key")))
        .outerjoin(phone_table, sa.and_(p.debtor_id == c.debtor_id, p.contact_id == c.id))
        .where(d.key == sa.bindparam("debtor_key"))
        .order_by(p.position)
    )


def hold_name(connection: sa.Connection, *, debtor_id: int, name: str) -> None:
    """Until the transaction ends, be the only writer adding a contact of this name here.

    Two collectors referred to the same new person at the same moment must end
    with one contact: the second waits, then finds the first's by name.  On
    PostgreSQL a transaction-scoped advisory lock on (debtor, name); SQLite
    writers already hold the whole database's write lock.
    """
    if connection.dialect.name == "postgresql":
        key = zlib.crc32(name.encode("utf-8")) - 2**31  # the int4 range
        connection.execute(_hold_name(), {"debtor_id": debtor_id, "name_key": key})


@cache
def _hold_name() -> sa.TextClause:
    return sa.text(
        "SELECT pg_advisory_xact_lock(CAST(:debtor_id AS integer), CAST(:name_key AS integer))"
    )


def contacts_named(
    connection: sa.Connection, *, debtor_id: int, name: str
) -> list[tuple[int, str]]:
    """(row id, key) of the debtor's current contacts called exactly ``name``, oldest first.

    Served by the ``(debtor_id, name)`` index: its cost is the matches, not the map.
    """
    c = contact_table.c
    rows = connection.execute(
        sa.select(c.id, c.key)
        .where(c.debtor_id == debtor_id, c.name == name, c.archived.is_(False))
        .order_by(c.id)
    )
    return [(r.id, r.key) for r in rows]


def replace_phones(
    connection: sa.Connection,
    phones: Sequence[Phone],
    *,
    debtor_id: int,
    contact_id: int,
    by: str,
    now: datetime,
) -> None:
    """Make ``phones`` the contact's numbers, in that order.

    Phones belong to their contact (whose version covers them), so the old rows
    are replaced rather than archived.
    """
    connection.execute(sa.delete(phone_table).where(phone_table.c.contact_id == contact_id))
    if phones:
        connection.execute(
            sa.insert(phone_table),
            phone_values(phones, debtor_id=debtor_id, contact_id=contact_id, by=by, now=now),
        )


def insert_contacts(
    connection: sa.Connection,
    contacts: Sequence[Contact],
    *,
    debtor_id: int,
    by: str,
    now: datetime,
) -> dict[str, int]:
    """Insert new contacts with their phones in two statements; each key -> its row id."""
    if not contacts:
        return {}
    inserted = connection.execute(
        sa.insert(contact_table).returning(
            contact_table.c.id, contact_table.c.key, sort_by_parameter_order=True
        ),
        [
            {**contact_values(c), "debtor_id": debtor_id, **stamp_new(by=by, now=now)}
            for c in contacts
        ],
    ).all()
    id_of = {r.key: r.id for r in inserted}
    phone_rows = [
        row
        for c in contacts
        for row in phone_values(
            c.phones, debtor_id=debtor_id, contact_id=id_of[c.key], by=by, now=now
        )
    ]
    if phone_rows:
        connection.execute(sa.insert(phone_table), phone_rows)
    return id_of


def insert_contact_once(
    connection: sa.Connection, contact: Contact, *, debtor_id: int, by: str, now: datetime
) -> int | None:
    """Insert ``contact`` unless its key is taken (also by a writer racing this one).

    Its new row id, or ``None`` when the key was taken: ``ON CONFLICT DO
    NOTHING`` rather than read-then-insert, so two writers choosing the same
    key never end in an integrity error.
    """
    statement = insert_once(connection.dialect.name, contact_table, "debtor_id", "key")
    row = {**contact_values(contact), "debtor_id": debtor_id, **stamp_new(by=by, now=now)}
    contact_id = connection.execute(statement, row).scalar()
    if contact_id is not None and contact.phones:
        connection.execute(
            sa.insert(phone_table),
            phone_values(
                contact.phones, debtor_id=debtor_id, contact_id=contact_id, by=by, now=now
            ),
        )
    return contact_id


def update_contact(
    connection: sa.Connection,
    stored: StoredContact,
    contact: Contact,
    *,
    debtor_id: int,
    by: str,
    now: datetime,
    what: str,
) -> int:
    """Write what differs between ``stored`` and ``contact``; the version afterwards.

    Only the changed columns are written, conditioned on ``stored.version``
    (:func:`~orgmap.store.versions.update_versioned`); the phones are replaced
    only when they changed, and count as part of the contact's version.
    """
    changes = changed_values(contact_values(stored.contact), contact_values(contact))
    phones_changed = stored.contact.phones != contact.phones
    if not changes and not phones_changed:
        return stored.version
    version = update_versioned(
        connection,
        contact_table,
        row_id=stored.id,
        version=stored.version,
        values=changes,
        by=by,
        now=now,
        what=what,
    )
    if phones_changed:
        replace_phones(
            connection, contact.phones, debtor_id=debtor_id, contact_id=stored.id, by=by, now=now
        )
    return version


def upsert_contact(
    connection: sa.Connection,
    debtor_key: str,
    contact: Contact,
    *,
    by: str,
    expected_version: int | None = None,
) -> int:
    """Add ``contact`` to the debtor, or make the stored one of the same key equal it; its version.

    Phones are replaced as a set.  ``expected_version`` is the version the
    user's form was filled from: someone else's change in between raises
    :class:`StaleVersionError`; ``None`` writes over (or creates).  Saving the
    same values changes nothing.  An unknown debtor, or an ``expected_version``
    for a contact that does not exist, raises :class:`NotFoundError`.
    """
    owner = find_debtor_id(connection, debtor_key)
    what = contact_label(debtor_key, contact.key)
    now = now_utc()
    stored = find_contact(
        connection, debtor_id=owner, key=contact.key, lock=expected_version is None
    )
    if stored is None:
        if expected_version is not None:
            raise NotFoundError(f"debtor {debtor_key!r} has no contact with key {contact.key!r}")
        if insert_contact_once(connection, contact, debtor_id=owner, by=by, now=now) is None:
            raise StoreError(f"{what} was added by someone else just now; reload and try again")
        return 1
    check_expected(what, expected=expected_version, actual=stored.version)
    return update_contact(connection, stored, contact, debtor_id=owner, by=by, now=now, what=what)


def set_disposition(
    connection: sa.Connection, *, contact_id: int, disposition: Disposition, by: str, now: datetime
) -> int | None:
    """Set one contact's disposition, and nothing else; its new version (None: unchanged).

    An explicit, column-targeted update, not a rewrite of the contact from a
    copy: a colleague's edit to any other field, committed in between, stays.
    The version still moves, so a form opened before it is refused as stale.
    """
    parameters = {"contact": contact_id, "chosen": str(disposition), "now": now, "by": by}
    return connection.execute(_set_disposition(), parameters).scalar()


@cache
def _set_disposition() -> sa.Update:
    c = contact_table.c
    return (
        sa.update(contact_table)
        .where(c.id == sa.bindparam("contact"), c.disposition != sa.bindparam("chosen"))
        .values(
            disposition=sa.bindparam("chosen"),
            version=c.version + 1,
            updated_at=sa.bindparam("now", type_=c.updated_at.type),
            updated_by=sa.bindparam("by"),
        )
        .returning(c.version)
    )


def archive_contact(
    connection: sa.Connection,
    debtor_key: str,
    contact_key: str,
    *,
    by: str,
    expected_version: int | None = None,
) -> int:
    """Archive a contact (hidden from maps and routes, history kept); its version."""
    _, stored = find_contact_at(connection, debtor_key, contact_key)
    if stored is None:
        raise NotFoundError(f"debtor {debtor_key!r} has no contact with key {contact_key!r}")
    return archive_row(
        connection,
        contact_table,
        row_id=stored.id,
        version=stored.version,
        archived=stored.contact.archived,
        expected_version=expected_version,
        by=by,
        what=contact_label(debtor_key, contact_key),
    )


def set_archived(
    connection: sa.Connection,
    stored: StoredContact,
    *,
    archived: bool,
    by: str,
    expected_version: int | None,
    what: str,
) -> int | None:
    """Archive (or, with ``archived=False``, restore) a contact already read; its version.

    ``None`` when it already was so (nothing written).  Conditioned on the
    version read; ``expected_version`` (the version a form showed) is checked first.
    """
    check_expected(what, expected=expected_version, actual=stored.version)
    if stored.contact.archived == archived:
        return None
    return update_versioned(
        connection,
        contact_table,
        row_id=stored.id,
        version=stored.version,
        values={"archived": archived},
        by=by,
        now=now_utc(),
        what=what,
    )


def stored_contacts(connection: sa.Connection, *, debtor_id: int) -> dict[str, StoredContact]:
    """Every contact of the debtor as stored, by key (for a bulk import's compare)."""
    c, p = contact_table.c, phone_table.c
    rows = connection.execute(
        sa.select(*CONTACT_COLUMNS, c.id, c.version, c.debtor_id, *PHONE_COLUMNS)
        .select_from(contact_table)
        .outerjoin(phone_table, sa.and_(p.debtor_id == c.debtor_id, p.contact_id == c.id))
        .where(c.debtor_id == debtor_id)
        .order_by(c.id, p.position)
    ).all()
    found = {}
    for _, group in groupby(rows, key=lambda r: r[_ID]):
        stored = _stored(list(group))
        assert stored is not None
        found[stored.contact.key] = stored
    return found
