"""Finding the same person at other debtors, by phone number or email."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import sqlalchemy as sa

from orgmap.store.tables import contact_table, debtor_table, phone_table

__all__ = ["KnownElsewhere", "find_same_person"]


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


def find_same_person(
    connection: sa.Connection,
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
    query = _same_person_query(
        by_phone=bool(numbers),
        by_email=bool(addresses),
        arrays=connection.dialect.name == "postgresql",
    )
    parameters = {"debtor_key": debtor_key, "numbers": numbers, "addresses": addresses}
    found = {KnownElsewhere(*r) for r in connection.execute(query, parameters)}
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
