"""Loading whole debtor maps: one debtor for the map and routes, many for export."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from itertools import groupby
from operator import itemgetter
from typing import TYPE_CHECKING, Any, NamedTuple

import sqlalchemy as sa

from orgmap.domain.model import Contact, DebtorMap, Interaction, Relation
from orgmap.store.errors import NotFoundError
from orgmap.store.rows import (
    CONTACT_COLUMNS,
    DEBTOR_COLUMNS,
    INTERACTION_COLUMNS,
    PHONE_COLUMNS,
    RELATION_COLUMNS,
    contact_from_row,
    contact_table,
    debtor_from_row,
    debtor_table,
    interaction_from_row,
    interaction_table,
    phone_from_row,
    phone_table,
    relation_from_row,
    relation_table,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = ["load_map", "load_maps"]

# Debtors per query when exporting a chosen list: far below SQLite's limit on
# bound parameters, large enough that a team's export is a handful of queries.
_EXPORT_CHUNK = 500

_DEBTOR_BY_KEY = sa.select(*DEBTOR_COLUMNS).where(debtor_table.c.key == sa.bindparam("key"))

# Where the ids and the phone sit in a row of the contacts query (see _child_queries).
_CONTACT_ID = len(CONTACT_COLUMNS)
_CONTACT_DEBTOR_ID = _CONTACT_ID + 1
_PHONE = _CONTACT_ID + 2


class _ChildQueries(NamedTuple):
    contacts: sa.Select[Any]  # with their phones: a row per phone, or one with no phone
    relations: sa.Select[Any]
    interactions: sa.Select[Any]


def _child_queries(
    scope: Callable[[sa.Table], sa.ColumnElement[bool]], *, include_archived: bool
) -> _ChildQueries:
    """The child-table queries, each limited to the debtors ``scope`` picks.

    Each row is its domain value's columns followed by the ids :func:`_assemble`
    groups by, read by position (see :data:`~orgmap.store.rows.CONTACT_COLUMNS`).
    Contacts come joined with their phones: one round trip fewer, which on
    PostgreSQL is worth more than the repeated contact columns.
    """
    c, p, r, i = contact_table.c, phone_table.c, relation_table.c, interaction_table.c
    contacts = (
        sa.select(*CONTACT_COLUMNS, c.id, c.debtor_id, *PHONE_COLUMNS)
        .select_from(contact_table)
        .outerjoin(phone_table, sa.and_(p.debtor_id == c.debtor_id, p.contact_id == c.id))
        .where(scope(contact_table))
    )
    relations = sa.select(*RELATION_COLUMNS, r.debtor_id).where(scope(relation_table))
    if not include_archived:
        contacts = contacts.where(c.archived.is_(False))
        relations = relations.where(r.archived.is_(False))
    return _ChildQueries(
        contacts=contacts.order_by(c.id, p.position),
        relations=relations.order_by(r.id),
        interactions=sa.select(*INTERACTION_COLUMNS, i.debtor_id)
        .where(scope(interaction_table))
        .order_by(i.debtor_id, i.at, i.id),
    )


@cache
def _one_debtor_queries(include_archived: bool) -> _ChildQueries:
    # Built once: constructing and cache-keying fresh statements took about a
    # third of a one-debtor load.  "= ?" keeps each plan a plain index search.
    return _child_queries(
        lambda table: table.c.debtor_id == sa.bindparam("debtor_id"),
        include_archived=include_archived,
    )


def _debtor_in(ids: list[int]) -> Callable[[sa.Table], sa.ColumnElement[bool]]:
    return lambda table: table.c.debtor_id.in_(ids)


def load_map(
    session: Session | sa.Connection, debtor_key: str, *, include_archived: bool = True
) -> DebtorMap | None:
    """One debtor's whole map, or ``None`` when there is no such debtor.

    Four indexed queries whatever the size of the map or of the team (the
    debtor, then each ``WHERE debtor_id = ?``).  Rows committed by someone else
    between them are tolerated (see :func:`~orgmap.store.read_scope`): a
    relation or call whose contact was not loaded is left out.  Contacts come
    in the order they were first stored, phones in their given order,
    interactions by time.  With ``include_archived=False`` archived contacts
    are left out together with their phones, relations and interactions, and
    so are archived relations.
    """
    row = session.execute(_DEBTOR_BY_KEY, {"key": debtor_key}).one_or_none()
    if row is None:
        return None
    queries = _one_debtor_queries(include_archived)
    return _assemble(session, [row], queries, {"debtor_id": row.id})[0]


def load_maps(
    session: Session | sa.Connection, keys: Sequence[str] | None = None
) -> list[DebtorMap]:
    """Whole maps for export, archived records included.

    ``keys=None`` means every debtor, ordered by key; otherwise the maps come in
    the order of ``keys``, and an unknown key raises :class:`NotFoundError`.
    A constant number of queries per 500 debtors.
    """
    if keys is None:
        rows = session.execute(sa.select(debtor_table).order_by(debtor_table.c.key)).all()
        if not rows:
            return []
        every = _child_queries(lambda _table: sa.true(), include_archived=True)
        return _assemble(session, rows, every, {})
    maps: dict[str, DebtorMap] = {}
    wanted = list(dict.fromkeys(keys))
    for start in range(0, len(wanted), _EXPORT_CHUNK):
        chunk = wanted[start : start + _EXPORT_CHUNK]
        rows = session.execute(sa.select(debtor_table).where(debtor_table.c.key.in_(chunk))).all()
        missing = set(chunk) - {r.key for r in rows}
        if missing:
            raise NotFoundError(f"no debtor with key {sorted(missing)[0]!r}")
        these = _child_queries(_debtor_in([r.id for r in rows]), include_archived=True)
        maps.update((m.debtor.key, m) for m in _assemble(session, rows, these, {}))
    return [maps[k] for k in keys]


def _assemble(
    session: Session | sa.Connection,
    debtor_rows: Sequence[Any],
    queries: _ChildQueries,
    parameters: Mapping[str, Any],
) -> list[DebtorMap]:
    """Build the maps of ``debtor_rows`` from one run of each child query."""
    # Only the contacts loaded: with archived ones left out, whatever touches
    # them is left out too.  (Rows are read by position: see _child_queries.)
    key_of: dict[int, str] = {}
    contacts: dict[int, list[Contact]] = defaultdict(list)
    rows = session.execute(queries.contacts, parameters).all()
    for contact_id, group in groupby(rows, key=itemgetter(_CONTACT_ID)):
        first, *more = group
        phones = [phone_from_row(r[_PHONE:]) for r in (first, *more) if r[_PHONE] is not None]
        key_of[contact_id] = first[0]
        contacts[first[_CONTACT_DEBTOR_ID]].append(contact_from_row(first, phones))
    relations: dict[int, list[Relation]] = defaultdict(list)
    for r in session.execute(queries.relations, parameters).all():
        if r[0] in key_of and r[1] in key_of:
            relations[r[-1]].append(relation_from_row(r, key_of))
    interactions: dict[int, list[Interaction]] = defaultdict(list)
    for r in session.execute(queries.interactions, parameters).all():
        if r[0] in key_of:
            interactions[r[-1]].append(interaction_from_row(r, key_of))

    return [
        DebtorMap(
            debtor=debtor_from_row(d),
            contacts=tuple(contacts[d.id]),
            relations=tuple(relations[d.id]),
            interactions=tuple(interactions[d.id]),
        )
        for d in debtor_rows
    ]
