"""Searching the whole team: by phone number, by its last digits, by a person's or company's name.

Every search returns at most ``limit`` :class:`TeamMatch` rows, one per person,
ordered by how they matched (:class:`Matched`: the exact number first), then by
their last call (most recent first, never called last), then by debtor and
contact key.  Archived contacts are never found.

Cost, for a team of any size:

* an exact number is one look-up in ``ix_phone_e164``;
* last digits go through ``ix_phone_e164_last4``, an index on the number's last
  four characters (:func:`last_four`): equality on one of 10,000 values, then
  the longer suffix checked on those few rows;
* a name is a substring, which no B-tree can serve: one pass over the contacts'
  names and one over the debtors' names, so this one grows with the team.  Company
  matches are narrowed to the ``limit`` debtors called most recently
  (``ix_interaction_debtor_id_at``) before their contacts are read, so a word every
  company name contains ("有限公司") costs no more than a rare one.

Measured on a generated team of 5,000 debtors (150,955 contacts, 185,565 numbers;
medians, on a loaded 2-vCPU machine): last four digits 0.4 ms on SQLite and 0.9 ms
on PostgreSQL, where a ``LIKE '%5678'`` scan of the numbers alone takes 22 and 33 ms;
a whole number 0.3 and 0.8 ms; a name 33-57 and 96-128 ms.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum
from functools import cache

import sqlalchemy as sa

from orgmap.store.tables import (
    LAST_DIGITS,
    contact_table,
    debtor_owner_table,
    debtor_table,
    interaction_table,
    is_current_call,
    last_four,
    phone_table,
)

__all__ = ["Matched", "TeamMatch", "find_by_name", "find_by_number"]

# LIKE's escape character for what a collector typed: "%" and "_" are text to them.
_ESCAPE = "/"


class Matched(IntEnum):
    """How a row matched, in the order results are shown."""

    NUMBER = 0  #: the whole number, as E.164
    DIGITS = 1  #: the number's last digits
    NAME = 2  #: part of the person's name
    COMPANY = 3  #: part of the debtor's (company's) name


@dataclass(frozen=True, slots=True)
class TeamMatch:
    """One person found, with their debtor and their last call.

    ``phone`` is the number that matched, or for a name match the person's first
    number (E.164; ``None`` without one).  ``last_call`` is their latest logged
    interaction of any channel (UTC), or ``None``.  A company match for a debtor
    with no current contacts has ``contact_key`` and ``contact_name`` ``None``.
    """

    debtor_key: str
    debtor_name: str
    contact_key: str | None
    contact_name: str | None
    phone: str | None
    last_call: datetime | None
    matched: Matched


def find_by_number(
    connection: sa.Connection,
    *,
    e164: str | None,
    digits: str | None,
    limit: int,
    team_id: int | None = None,
) -> list[TeamMatch]:
    """Current contacts with the number ``e164``, or a number ending in ``digits``.

    ``digits`` holds at least :data:`LAST_DIGITS` ASCII digits.  A person both
    ways is listed once, as an exact match, with the number that matched.
    ``team_id`` keeps that team's debtors (``None``: every team's), in the query.
    """
    if digits is not None and not (digits.isascii() and digits.isdigit()):
        raise ValueError(f"digits must be ASCII digits, got {digits!r}")
    if digits is not None and len(digits) < LAST_DIGITS:
        raise ValueError(f"a suffix needs at least {LAST_DIGITS} digits, got {digits!r}")
    if e164 is None and digits is None:
        return []
    query = _number_query(
        by_number=e164 is not None, by_digits=digits is not None, scoped=team_id is not None
    )
    parameters = {
        "team_id": team_id,
        "e164": e164,
        "digits": digits,
        "last_four": digits[-LAST_DIGITS:] if digits else None,
        "limit": limit,
    }
    return _matches(connection.execute(query, parameters))


def find_by_name(
    connection: sa.Connection, *, text: str, limit: int, team_id: int | None = None
) -> list[TeamMatch]:
    """Current contacts whose name, or whose debtor's name, contains ``text``.

    ``team_id`` keeps that team's debtors (``None``: every team's), in the query.

    Case-insensitive (on SQLite for ASCII letters only: its ``lower()`` leaves
    other scripts as they are; Chinese has no case).  ``%`` and ``_`` are matched
    as themselves.  People matched by their own name come before those matched
    by their company's.
    """
    if not text:
        return []
    escaped = (
        text.replace(_ESCAPE, _ESCAPE * 2).replace("%", f"{_ESCAPE}%").replace("_", f"{_ESCAPE}_")
    )
    parameters = {"pattern": f"%{escaped}%", "limit": limit, "team_id": team_id}
    query = _name_query(connection.dialect.name, scoped=team_id is not None)
    return _matches(connection.execute(query, parameters))


def _matches(rows: sa.CursorResult) -> list[TeamMatch]:
    return [
        TeamMatch(
            debtor_key=r.debtor_key,
            debtor_name=r.debtor_name,
            contact_key=r.contact_key,
            contact_name=r.contact_name,
            phone=r.phone,
            last_call=r.last_call,
            matched=Matched(r.matched),
        )
        for r in rows
    ]


def _rank(kind: Matched) -> sa.ColumnElement[int]:
    # A literal, not a parameter: PostgreSQL cannot type a bare parameter in a UNION.
    return sa.literal_column(str(int(kind)), sa.Integer).label("matched")


def _in_team(query: sa.Select, debtor_id: sa.ColumnElement[int], *, scoped: bool) -> sa.Select:
    """``query`` kept to the debtors of team ``:team_id`` when ``scoped``: a join on the
    owner's primary key."""
    if not scoped:
        return query
    o = debtor_owner_table.c
    return query.join(debtor_owner_table, o.debtor_id == debtor_id).where(
        o.team_id == sa.bindparam("team_id", type_=sa.Integer)
    )


@cache
def _number_query(*, by_number: bool, by_digits: bool, scoped: bool = False) -> sa.Select:
    """The look-up behind :func:`find_by_number`, built once per kind."""
    ph, c = phone_table.c, contact_table.c

    def hits(condition: sa.ColumnElement[bool], kind: Matched) -> sa.Select:
        found = (
            sa.select(ph.debtor_id, ph.contact_id, ph.e164.label("phone"), _rank(kind))
            .join(contact_table, c.id == ph.contact_id)
            .where(condition, c.archived.is_(False))
        )
        return _in_team(found, ph.debtor_id, scoped=scoped)

    parts = []
    if by_number:
        parts.append(hits(ph.e164 == sa.bindparam("e164"), Matched.NUMBER))
    if by_digits:
        # The index finds the few numbers ending in the same four digits; the LIKE then
        # keeps those ending in every digit typed (digits only: nothing to escape).
        suffix = sa.and_(
            last_four(ph.e164) == sa.bindparam("last_four"),
            ph.e164.like(sa.literal_column("'%'").concat(sa.bindparam("digits"))),
        )
        parts.append(hits(suffix, Matched.DIGITS))
    found = (parts[0] if len(parts) == 1 else sa.union_all(*parts)).subquery("found")
    # A person may match twice (the number and its digits, two numbers ending alike):
    # keep their best match.  The rows come from index look-ups, so this sorts few.
    best = sa.func.row_number().over(
        partition_by=(found.c.debtor_id, found.c.contact_id),
        order_by=(found.c.matched, found.c.phone),
    )
    ranked = sa.select(found, best.label("nth")).subquery("ranked")
    once = sa.select(*(ranked.c[name] for name in _HIT_COLUMNS)).where(ranked.c.nth == 1)
    return _answer(once.subquery("hits"))


@cache
def _name_query(dialect: str, *, scoped: bool = False) -> sa.Select:
    """The look-up behind :func:`find_by_name`, built once per dialect."""
    c, d, i = contact_table.c, debtor_table.c, interaction_table.c
    pattern = sa.bindparam("pattern", type_=sa.String)

    def contains(column: sa.ColumnElement[str]) -> sa.ColumnElement[bool]:
        if dialect == "sqlite":
            # SQLite's LIKE ignores the case of ASCII letters, as its lower() would;
            # lower() on every name doubled the scan (5,000 debtors: 27 -> 7 ms).
            return column.like(pattern, escape=_ESCAPE)
        return sa.func.lower(column).like(sa.func.lower(pattern), escape=_ESCAPE)

    people = _in_team(
        sa.select(
            c.debtor_id, c.id.label("contact_id"), sa.null().label("phone"), _rank(Matched.NAME)
        ).where(contains(c.name), c.archived.is_(False)),
        c.debtor_id,
        scoped=scoped,
    )
    # The top `limit` people by last call lie at the top `limit` debtors by last call
    # (a debtor's last call is its people's latest), so the rest are never read.
    debtor_last_call = (
        sa.select(sa.func.max(i.at))
        .where(i.debtor_id == d.id, is_current_call(interaction_table))
        .scalar_subquery()
    )
    companies = (
        _in_team(sa.select(d.id).where(contains(d.name)), d.id, scoped=scoped)
        .order_by(debtor_last_call.desc().nulls_last(), d.key)
        .limit(sa.bindparam("limit"))
        .subquery()
    )
    # A company with no current contact still shows, as a row without a person; people
    # already found by their own name are left out here, so each person is listed once
    # (deduplicating the union instead made SQLite read every contact in key order).
    staff = (
        sa.select(
            companies.c.id.label("debtor_id"),
            c.id.label("contact_id"),
            sa.null().label("phone"),
            _rank(Matched.COMPANY),
        )
        .select_from(companies)
        .outerjoin(contact_table, sa.and_(c.debtor_id == companies.c.id, c.archived.is_(False)))
        .where(sa.or_(c.id.is_(None), sa.not_(contains(c.name))))
    )
    return _answer(sa.union_all(people, staff).subquery("hits"))


#: What each search's first step yields per person found.
_HIT_COLUMNS = ("debtor_id", "contact_id", "phone", "matched")


def _answer(hits: sa.Subquery) -> sa.Select:
    """The people in ``hits`` (one row each: :data:`_HIT_COLUMNS`) with their debtor, name,
    number and last call, in result order, at most ``:limit``."""
    c, d, ph, i = contact_table.c, debtor_table.c, phone_table.c, interaction_table.c
    # Per row, by primary key or an index on (debtor_id, contact_id …): joining the
    # debtor table instead can make PostgreSQL's planner scan every debtor.
    debtor_key = sa.select(d.key).where(d.id == hits.c.debtor_id).scalar_subquery()
    debtor_name = sa.select(d.name).where(d.id == hits.c.debtor_id).scalar_subquery()
    first_phone = (
        sa.select(ph.e164)
        .where(ph.contact_id == hits.c.contact_id)
        .order_by(ph.position)
        .limit(1)
        .scalar_subquery()
    )
    last_call = (
        sa.select(sa.func.max(i.at))
        .where(
            i.debtor_id == hits.c.debtor_id,
            i.contact_id == hits.c.contact_id,
            is_current_call(interaction_table),
        )
        .scalar_subquery()
    )
    key, called = debtor_key.label("debtor_key"), last_call.label("last_call")
    person = c.key.label("contact_key")
    return (
        sa.select(
            key,
            debtor_name.label("debtor_name"),
            person,
            c.name.label("contact_name"),
            sa.func.coalesce(hits.c.phone, first_phone).label("phone"),
            called,
            hits.c.matched,
        )
        .select_from(hits)
        .outerjoin(contact_table, c.id == hits.c.contact_id)
        .order_by(hits.c.matched, called.desc().nulls_last(), key, person)
        .limit(sa.bindparam("limit"))
    )
