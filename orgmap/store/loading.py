"""Loading whole debtor maps: one debtor for its pages (with the versions its forms lock on),
many for export."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import groupby
from operator import itemgetter
from typing import Any, NamedTuple

import sqlalchemy as sa

from orgmap.domain.model import Contact, DebtorMap, Interaction, Relation
from orgmap.store.errors import NotFoundError
from orgmap.store.mapping import (
    CONTACT_COLUMNS,
    DEBTOR_COLUMNS,
    INTERACTION_COLUMNS,
    PHONE_COLUMNS,
    RELATION_COLUMNS,
    contact_from_row,
    debtor_from_row,
    interaction_from_row,
    phone_from_row,
    relation_from_row,
)
from orgmap.store.tables import (
    contact_table,
    debtor_owner_table,
    debtor_table,
    interaction_table,
    phone_table,
    relation_table,
)

__all__ = [
    "LoadedMap",
    "RecordVersions",
    "load_debtor",
    "load_debtor_by_id",
    "load_map",
    "load_maps",
]


@dataclass(frozen=True, slots=True)
class RecordVersions:
    """The versions of a debtor's records as loaded, for optimistic locking in its forms.

    Archived records included; relations by (source key, target key, type).
    """

    debtor: int
    contacts: Mapping[str, int] = field(default_factory=dict)
    relations: Mapping[tuple[str, str, str], int] = field(default_factory=dict)


class LoadedMap(NamedTuple):
    """One debtor's map, its row id, and the versions of everything in it."""

    map: DebtorMap
    debtor_id: int
    versions: RecordVersions


# Debtors per query when exporting a chosen list: far below SQLite's limit on
# bound parameters, large enough that a team's export is a handful of queries.
_EXPORT_CHUNK = 500

# Where the ids, the version and the phone sit in a row of the contacts query, and
# the debtor id and version in a relation row (see _child_queries).
_CONTACT_ID = len(CONTACT_COLUMNS)
_CONTACT_DEBTOR_ID = _CONTACT_ID + 1
_CONTACT_VERSION = _CONTACT_ID + 2
_PHONE = _CONTACT_ID + 3
_RELATION_DEBTOR_ID = len(RELATION_COLUMNS)
_RELATION_VERSION = _RELATION_DEBTOR_ID + 1


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
    Contacts come joined with their phones: one query fewer, for the price
    of repeating a contact's columns on each of its phones.
    """
    c, p, r, i = contact_table.c, phone_table.c, relation_table.c, interaction_table.c
    contacts = (
        sa.select(*CONTACT_COLUMNS, c.id, c.debtor_id, c.version, *PHONE_COLUMNS)
        .select_from(contact_table)
        .outerjoin(phone_table, sa.and_(p.debtor_id == c.debtor_id, p.contact_id == c.id))
        .where(scope(contact_table))
    )
    relations = sa.select(*RELATION_COLUMNS, r.debtor_id, r.version).where(scope(relation_table))
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
def _one_debtor_queries(include_archived: bool) -> tuple[sa.Select[Any], ...]:
    """The debtor by key and its children, each found by the key alone.

    Built once (constructing and cache-keying fresh statements took about a
    third of a one-debtor load).  No statement needs another's result;
    ``debtor_id = (SELECT id … WHERE key = ?)`` is still a plain index search.
    """
    d = debtor_table.c
    by_key = d.key == sa.bindparam("key", type_=d.key.type)
    debtor_id = sa.select(d.id).where(by_key).scalar_subquery()
    children = _child_queries(
        lambda table: table.c.debtor_id == debtor_id, include_archived=include_archived
    )
    return (sa.select(*DEBTOR_COLUMNS, d.version).where(by_key), *children)


@cache
def _by_id_queries(include_archived: bool) -> tuple[sa.Select[Any], ...]:
    """The debtor by id and its children by its id: what :func:`_one_debtor_queries` does
    once the caller holds the id (authorization found it)."""
    d = debtor_table.c
    debtor_id = sa.bindparam("debtor_id", type_=d.id.type)
    children = _child_queries(
        lambda table: table.c.debtor_id == debtor_id, include_archived=include_archived
    )
    return (sa.select(*DEBTOR_COLUMNS, d.version).where(d.id == debtor_id), *children)


def load_debtor_by_id(
    connection: sa.Connection, debtor_id: int, *, include_archived: bool = True
) -> LoadedMap | None:
    """:func:`load_debtor` for the debtor whose row id the caller already holds."""
    return _load_one(connection, _by_id_queries(include_archived), {"debtor_id": debtor_id})


def _debtor_in(ids: list[int]) -> Callable[[sa.Table], sa.ColumnElement[bool]]:
    return lambda table: table.c.debtor_id.in_(ids)


def load_debtor(
    connection: sa.Connection, debtor_key: str, *, include_archived: bool = True
) -> LoadedMap | None:
    """One debtor's whole map with its versions, or ``None`` when there is no such debtor.

    Four indexed queries whatever the size of the map or of the team (the
    debtor by key, then each child table ``WHERE debtor_id = (that debtor)``).
    Run them in one :func:`~orgmap.store.snapshot` so they see the same
    moment; a relation or call whose contact was not loaded is left out all
    the same.  Contacts come in the order they were first stored, phones in
    their given order, interactions by time.  With ``include_archived=False``
    archived contacts are left out together with their phones, relations and
    interactions, and so are archived relations.
    """
    return _load_one(connection, _one_debtor_queries(include_archived), {"key": debtor_key})


def _load_one(
    connection: sa.Connection, queries: Sequence[sa.Select], parameters: dict[str, object]
) -> LoadedMap | None:
    """Run one debtor's queries (the debtor first, then its child tables) and assemble it."""
    debtor_query, *child_queries = queries
    debtor = connection.execute(debtor_query, parameters).one_or_none()
    if debtor is None:
        return None
    children = [connection.execute(q, parameters).all() for q in child_queries]
    [loaded] = _assemble([debtor], *children)
    return loaded


def load_map(
    connection: sa.Connection, debtor_key: str, *, include_archived: bool = True
) -> DebtorMap | None:
    """One debtor's whole map, or ``None`` when there is none (see :func:`load_debtor`)."""
    loaded = load_debtor(connection, debtor_key, include_archived=include_archived)
    return None if loaded is None else loaded.map


def load_maps(
    connection: sa.Connection, keys: Sequence[str] | None = None, *, team_id: int | None = None
) -> list[DebtorMap]:
    """Whole maps for export, archived records included.

    ``keys=None`` means every debtor (of team ``team_id``; ``None``: of every
    team), ordered by key; otherwise the maps come in the order of ``keys``, and
    an unknown key raises :class:`NotFoundError`.  A constant number of queries
    per 500 debtors.
    """
    if keys is None:
        query = sa.select(debtor_table).order_by(debtor_table.c.key)
        if team_id is not None:
            o = debtor_owner_table.c
            query = query.join(debtor_owner_table, o.debtor_id == debtor_table.c.id).where(
                o.team_id == team_id
            )
        rows = connection.execute(query).all()
        if not rows:
            return []
        if team_id is not None:
            return load_maps(connection, [r.key for r in rows])
        every = _child_queries(lambda _table: sa.true(), include_archived=True)
        return [m.map for m in _assemble(rows, *(connection.execute(q).all() for q in every))]
    maps: dict[str, DebtorMap] = {}
    wanted = list(dict.fromkeys(keys))
    for start in range(0, len(wanted), _EXPORT_CHUNK):
        chunk = wanted[start : start + _EXPORT_CHUNK]
        rows = connection.execute(
            sa.select(debtor_table).where(debtor_table.c.key.in_(chunk))
        ).all()
        missing = set(chunk) - {r.key for r in rows}
        if missing:
            raise NotFoundError(f"no debtor with key {sorted(missing)[0]!r}")
        these = _child_queries(_debtor_in([r.id for r in rows]), include_archived=True)
        assembled = _assemble(rows, *(connection.execute(q).all() for q in these))
        maps.update((m.map.debtor.key, m.map) for m in assembled)
    return [maps[k] for k in keys]


def _assemble(
    debtor_rows: Sequence[Any],
    contact_rows: Sequence[Sequence[Any]],
    relation_rows: Sequence[Sequence[Any]],
    interaction_rows: Sequence[Sequence[Any]],
) -> list[LoadedMap]:
    """Build the maps of ``debtor_rows`` from the rows of each child query.

    Child rows are read by position (see :func:`_child_queries`); debtor rows
    by name (``id``, ``version`` and :data:`~orgmap.store.mapping.DEBTOR_COLUMNS`).
    """
    # Only the contacts loaded: with archived ones left out, whatever touches
    # them is left out too.
    key_of: dict[int, str] = {}
    contacts: dict[int, list[Contact]] = defaultdict(list)
    contact_versions: dict[int, dict[str, int]] = defaultdict(dict)
    for contact_id, group in groupby(contact_rows, key=itemgetter(_CONTACT_ID)):
        first, *more = group
        phones = [phone_from_row(r[_PHONE:]) for r in (first, *more) if r[_PHONE] is not None]
        key_of[contact_id] = first[0]
        contacts[first[_CONTACT_DEBTOR_ID]].append(contact_from_row(first, phones))
        contact_versions[first[_CONTACT_DEBTOR_ID]][first[0]] = first[_CONTACT_VERSION]
    relations: dict[int, list[Relation]] = defaultdict(list)
    relation_versions: dict[int, dict[tuple[str, str, str], int]] = defaultdict(dict)
    for r in relation_rows:
        if r[0] in key_of and r[1] in key_of:
            relation = relation_from_row(r, key_of)
            relations[r[_RELATION_DEBTOR_ID]].append(relation)
            triple = (relation.source, relation.target, str(relation.type))
            relation_versions[r[_RELATION_DEBTOR_ID]][triple] = r[_RELATION_VERSION]
    interactions: dict[int, list[Interaction]] = defaultdict(list)
    for r in interaction_rows:
        if r[0] in key_of:
            interactions[r[-1]].append(interaction_from_row(r, key_of))

    return [
        LoadedMap(
            map=DebtorMap(
                debtor=debtor_from_row(d),
                contacts=tuple(contacts[d.id]),
                relations=tuple(relations[d.id]),
                interactions=tuple(interactions[d.id]),
            ),
            debtor_id=d.id,
            versions=RecordVersions(
                debtor=d.version,
                contacts=contact_versions[d.id],
                relations=relation_versions[d.id],
            ),
        )
        for d in debtor_rows
    ]
