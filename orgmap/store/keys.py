"""Keys made from names: which are taken, and taking turns to make one.

A contact's key is made the same way within its debtor
(:func:`orgmap.services.contacts.add_person` asks :func:`contact_keys_starting`).

:func:`orgmap.services.debtors.create_debtor` makes a key from a name
(``hengda-jidian``), then ``hengda-jidian-2`` … when it is taken.  It asks
:func:`debtor_keys_starting` which keys are taken, and holds
:func:`hold_debtor_key_base` so that collectors creating the same company at once
take turns instead of all picking the same key.
"""

from __future__ import annotations

import zlib
from functools import cache
from typing import Any

import sqlalchemy as sa

from orgmap.store.tables import contact_table, debtor_table

__all__ = ["contact_keys_starting", "debtor_keys_starting", "hold_debtor_key_base"]

# The first half of the advisory lock's two-integer key.  Contact-name locks
# (orgmap.store.contacts.hold_name) use a debtor's row id there, which is never 0.
_DEBTOR_KEY_LOCKS = 0


def debtor_keys_starting(connection: sa.Connection, *, prefix: str) -> set[str]:
    """The debtor keys that start with ``prefix``.

    A ``LIKE`` rather than a range of keys: under a linguistic collation (a PostgreSQL
    database created with ``en_US.UTF-8``) ``-`` and ``_`` are ignored when comparing,
    so ``'abc-1'`` need not sort between ``'abc'`` and ``'abc'`` plus the last code
    point.  It reads the key column only, once per debtor created.
    """
    rows = connection.execute(_keys_like(), {"pattern": _escaped(prefix) + "%"})
    return set(rows.scalars())


def contact_keys_starting(connection: sa.Connection, *, debtor_id: int, prefix: str) -> set[str]:
    """The debtor's contact keys that start with ``prefix`` (``LIKE``, as above; served by
    the ``(debtor_id, key)`` index, not a read of the map)."""
    parameters = {"debtor_id": debtor_id, "pattern": _escaped(prefix) + "%"}
    return set(connection.execute(_contact_keys_like(), parameters).scalars())


@cache
def _contact_keys_like() -> sa.Select[Any]:
    c = contact_table.c
    pattern = sa.bindparam("pattern", type_=c.key.type)
    return sa.select(c.key).where(
        c.debtor_id == sa.bindparam("debtor_id"), c.key.like(pattern, escape="\\")
    )


@cache
def _keys_like() -> sa.Select[Any]:
    key = debtor_table.c.key
    return sa.select(key).where(key.like(sa.bindparam("pattern", type_=key.type), escape="\\"))


def _escaped(prefix: str) -> str:
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def hold_debtor_key_base(connection: sa.Connection, *, base: str) -> None:
    """Until the transaction ends, be the only writer making a key that starts with ``base``.

    The next writer waits, then sees this one's key among the taken ones and picks
    the next, so any number of collectors creating the same company at once get
    different keys at the first try.  On PostgreSQL a transaction-scoped advisory
    lock; SQLite writers already hold the whole database's write lock.
    """
    if connection.dialect.name == "postgresql":
        key = zlib.crc32(base.encode("utf-8")) - 2**31  # the int4 range
        connection.execute(_hold(), {"space": _DEBTOR_KEY_LOCKS, "base_key": key})


@cache
def _hold() -> sa.TextClause:
    return sa.text(
        "SELECT pg_advisory_xact_lock(CAST(:space AS integer), CAST(:base_key AS integer))"
    )
