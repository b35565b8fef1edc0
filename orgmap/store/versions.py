"""The versioned update: change named columns of one row, only if it is still the version read.

Every update of an existing row in orgmap goes through :func:`update_versioned`
(or is an explicit, column-targeted statement such as
:func:`orgmap.store.contacts.set_disposition`), so a writer never rewrites a
row from a stale copy: it names the columns it means to change and the version
it read, and the database refuses the change when someone else got there first.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from orgmap.store.errors import StaleVersionError

__all__ = ["archive_row", "changed_values", "check_expected", "now_utc", "update_versioned"]


def now_utc() -> datetime:
    return datetime.now(UTC)


def changed_values(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """The columns of ``after`` whose values differ from ``before``: what an update writes.

    >>> changed_values({"name": "Li", "title": "CFO"}, {"name": "Li", "title": "CEO"})
    {'title': 'CEO'}
    """
    return {name: value for name, value in after.items() if before.get(name) != value}


def update_versioned(
    connection: sa.Connection,
    table: sa.Table,
    *,
    row_id: int,
    version: int,
    values: Mapping[str, Any],
    by: str,
    now: datetime,
    what: str,
) -> int:
    """``UPDATE table SET values WHERE id = row_id AND version = version``; the new version.

    The version test is part of the UPDATE itself, so two writers that read the
    same version cannot both win: the second matches no row (on PostgreSQL it
    waits for the first to commit, then re-checks) and gets
    :class:`StaleVersionError` naming ``what``.
    """
    result = connection.execute(
        sa.update(table)
        .where(table.c.id == row_id, table.c.version == version)
        .values(**values, updated_at=now, updated_by=by, version=version + 1)
    )
    if result.rowcount != 1:
        actual = connection.execute(sa.select(table.c.version).where(table.c.id == row_id)).scalar()
        raise StaleVersionError(what, expected=version, actual=actual)
    return version + 1


def check_expected(what: str, *, expected: int | None, actual: int) -> None:
    """Refuse early when the caller's version is already out of date."""
    if expected is not None and expected != actual:
        raise StaleVersionError(what, expected=expected, actual=actual)


def archive_row(
    connection: sa.Connection,
    table: sa.Table,
    *,
    row_id: int,
    version: int,
    archived: bool,
    expected_version: int | None,
    by: str,
    what: str,
) -> int:
    """Mark row ``row_id`` of ``table`` (read at ``version``) archived: kept, hidden.

    Its version afterwards; archiving what is already archived changes nothing.
    """
    check_expected(what, expected=expected_version, actual=version)
    if archived:
        return version
    return update_versioned(
        connection,
        table,
        row_id=row_id,
        version=version,
        values={"archived": True},
        by=by,
        now=now_utc(),
        what=what,
    )
