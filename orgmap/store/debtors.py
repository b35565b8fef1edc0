"""Debtors: the team's list (whole, or a page of it), finding one by key, creating and
editing one.

A page of the list (:func:`list_debtor_page`, counted by :func:`count_debtors`) is
searched, filtered and sorted by the database; the per-debtor figures (contacts,
authorizer, last contact) are then computed for the page's debtors only, so a page
costs what it shows plus one pass over the team's ``debtor`` rows, never a
grouping of every contact and call.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from functools import cache
from typing import Any, NamedTuple

import sqlalchemy as sa

from orgmap.domain.model import Debtor, DebtorStatus
from orgmap.store.engine import insert_once
from orgmap.store.errors import AlreadyExistsError, NotFoundError
from orgmap.store.mapping import debtor_from_row, debtor_values, stamp_new
from orgmap.store.tables import (
    contact_table,
    debtor_owner_table,
    debtor_table,
    history_table,
    interaction_table,
    is_current_call,
)
from orgmap.store.versions import changed_values, check_expected, now_utc, update_versioned

__all__ = [
    "EVERY_TEAM",
    "NO_TEAM",
    "DebtorFilters",
    "DebtorSort",
    "DebtorSummary",
    "SortColumn",
    "StoredDebtor",
    "count_debtors",
    "create_debtor",
    "debtor_names",
    "debtor_teams",
    "find_debtor",
    "find_debtor_id",
    "insert_debtor",
    "insert_owner",
    "keys_in_team",
    "list_collectors",
    "list_debtor_page",
    "list_debtors",
    "not_found",
    "record_exports",
    "update_debtor",
]


#: ``team_id`` of the lists for someone who sees every team's debtors (an admin).
EVERY_TEAM: int | None = None
#: ``team_id`` of the lists for someone in no team who is no admin: an id no team has
#: (ids start at 1 on both databases), so the lists are empty.
NO_TEAM = 0


def _visible(team_id: int | None) -> tuple[sa.FromClause, list[sa.ColumnElement[bool]]]:
    """What a list of debtors selects from, and the condition, for team ``team_id``'s
    debtors (:data:`EVERY_TEAM`: everyone's): a join on the owner's primary key."""
    if team_id is None:
        return debtor_table, []
    o = debtor_owner_table.c
    joined = debtor_table.join(debtor_owner_table, o.debtor_id == debtor_table.c.id)
    return joined, [o.team_id == team_id]


@dataclass(frozen=True, slots=True)
class DebtorSummary:
    """One line of the team's debtor list.

    ``contact_count`` and ``authorizer_known`` count non-archived contacts only;
    ``last_contact_at`` is the latest logged interaction (UTC), or ``None``.
    """

    key: str
    name: str
    amount_owed: Decimal
    currency: str
    due_date: date | None
    status: DebtorStatus
    assigned_to: str
    contact_count: int
    authorizer_known: bool
    last_contact_at: datetime | None
    version: int


class StoredDebtor(NamedTuple):
    """A debtor as stored: its row id, the version read, and the value."""

    id: int
    version: int
    debtor: Debtor


def not_found(debtor_key: str) -> NotFoundError:
    return NotFoundError(f"no debtor with key {debtor_key!r}")


@cache
def _id_by_key() -> sa.Select[Any]:
    d = debtor_table.c
    return sa.select(d.id).where(d.key == sa.bindparam("key", type_=d.key.type))


def find_debtor_id(connection: sa.Connection, debtor_key: str) -> int:
    """The debtor's row id, or :class:`NotFoundError` naming the key."""
    found = connection.execute(_id_by_key(), {"key": debtor_key}).scalar()
    if found is None:
        raise not_found(debtor_key)
    return int(found)


def list_debtors(
    connection: sa.Connection, *, team_id: int | None = EVERY_TEAM
) -> list[DebtorSummary]:
    """Every debtor (of team ``team_id``) with its contact count, authorizer flag and last
    contact, ordered by key.

    Three aggregate queries joined into one statement, whatever the team's size.
    """
    live = contact_table.c.archived.is_(False)
    per_contact = (
        sa.select(
            contact_table.c.debtor_id,
            sa.func.count().label("contact_count"),
            sa.func.max(sa.case((contact_table.c.authorizes_payment, 1), else_=0)).label(
                "authorizer"
            ),
        )
        .where(live)
        .group_by(contact_table.c.debtor_id)
        .subquery()
    )
    per_interaction = (
        sa.select(
            interaction_table.c.debtor_id,
            sa.func.max(interaction_table.c.at).label("last_contact_at"),
        )
        .where(is_current_call(interaction_table))
        .group_by(interaction_table.c.debtor_id)
        .subquery()
    )
    d = debtor_table.c
    source, visible = _visible(team_id)
    query = (
        sa.select(
            *_SUMMARY_COLUMNS,
            sa.func.coalesce(per_contact.c.contact_count, 0).label("contact_count"),
            sa.func.coalesce(per_contact.c.authorizer, 0).label("authorizer"),
            per_interaction.c.last_contact_at,
        )
        .select_from(source)
        .where(*visible)
        .outerjoin(per_contact, per_contact.c.debtor_id == d.id)
        .outerjoin(per_interaction, per_interaction.c.debtor_id == d.id)
        .order_by(d.key)
    )
    return [_summary(r, r) for r in connection.execute(query)]


class SortColumn(StrEnum):
    """What the debtor list can be sorted by."""

    KEY = "key"
    NAME = "name"
    AMOUNT = "amount"
    DUE_DATE = "due_date"
    LAST_CONTACT = "last_contact"


@dataclass(frozen=True, slots=True)
class DebtorSort:
    """An order of the debtor list; ties are always broken by key, ascending.

    A debtor never contacted counts as contacted longest ago (first when
    ascending by last contact); one without a due date as due latest (last when
    ascending by due date).
    """

    column: SortColumn = SortColumn.KEY
    descending: bool = False


@dataclass(frozen=True, slots=True)
class DebtorFilters:
    """Which debtors the list keeps; ``None`` keeps everyone.

    ``assigned_to`` is a collector's exact name (``""``: debtors assigned to no
    one); the amounts bound ``amount_owed`` inclusively, whatever its currency;
    ``contacted_since`` keeps debtors whose last call is at or after that
    instant, ``not_contacted_since`` those with no call since (never-contacted
    debtors included).
    """

    assigned_to: str | None = None
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None
    contacted_since: datetime | None = None
    not_contacted_since: datetime | None = None


def _last_contact(debtor_id: sa.ColumnElement[int]) -> sa.ScalarSelect[Any]:
    """The debtor's latest current call: a search of the ``interaction (debtor_id, at)``
    index, skipping calls voided or corrected."""
    i = interaction_table.c
    return (
        sa.select(sa.func.max(i.at))
        .where(i.debtor_id == debtor_id, is_current_call(interaction_table))
        .scalar_subquery()
    )


def _matching(search: str, filters: DebtorFilters) -> list[sa.ColumnElement[bool]]:
    """The WHERE conditions on ``debtor`` for a search text and filters."""
    d = debtor_table.c
    conditions: list[sa.ColumnElement[bool]] = []
    needle = search.strip()
    if needle:
        # lower(…) LIKE on SQLite (ASCII letters fold), ILIKE on PostgreSQL; the
        # needle's own % and _ are matched literally.
        conditions.append(
            sa.or_(
                *(
                    column.icontains(needle, autoescape=True)
                    for column in (d.name, d.key, d.assigned_to)
                )
            )
        )
    if filters.assigned_to is not None:
        conditions.append(d.assigned_to == filters.assigned_to)
    if filters.min_amount is not None:
        conditions.append(d.amount_owed >= filters.min_amount)
    if filters.max_amount is not None:
        conditions.append(d.amount_owed <= filters.max_amount)
    if filters.contacted_since is not None:
        conditions.append(_called_since(filters.contacted_since))
    if filters.not_contacted_since is not None:
        conditions.append(~_called_since(filters.not_contacted_since))
    return conditions


def _called_since(instant: datetime) -> sa.Exists:
    """Whether the debtor has a call at or after ``instant`` (an index search)."""
    i = interaction_table.c
    return sa.exists().where(
        i.debtor_id == debtor_table.c.id, i.at >= instant, is_current_call(interaction_table)
    )


def count_debtors(
    connection: sa.Connection,
    *,
    search: str = "",
    filters: DebtorFilters = DebtorFilters(),
    team_id: int | None = EVERY_TEAM,
) -> int:
    """How many debtors :func:`list_debtor_page` pages through for ``search`` and ``filters``
    (of team ``team_id``; :data:`EVERY_TEAM`: of every team)."""
    source, visible = _visible(team_id)
    query = (
        sa.select(sa.func.count()).select_from(source).where(*visible, *_matching(search, filters))
    )
    return int(connection.execute(query).scalar_one())


def _order_by(sort: DebtorSort) -> list[sa.ColumnElement[Any]]:
    d = debtor_table.c
    if sort.column is SortColumn.KEY:
        return [d.key.desc() if sort.descending else d.key.asc()]
    column: sa.ColumnElement[Any] = {
        SortColumn.NAME: d.name,
        SortColumn.AMOUNT: d.amount_owed,
        SortColumn.DUE_DATE: d.due_date,
        SortColumn.LAST_CONTACT: _last_contact(d.id),
    }[sort.column]
    ordered = column.desc() if sort.descending else column.asc()
    # Where a missing value belongs, the same on both databases (their defaults differ).
    if sort.column is SortColumn.DUE_DATE:
        ordered = ordered.nulls_first() if sort.descending else ordered.nulls_last()
    elif sort.column is SortColumn.LAST_CONTACT:
        ordered = ordered.nulls_last() if sort.descending else ordered.nulls_first()
    return [ordered, d.key.asc()]


def list_debtor_page(
    connection: sa.Connection,
    *,
    search: str = "",
    sort: DebtorSort = DebtorSort(),
    filters: DebtorFilters = DebtorFilters(),
    offset: int = 0,
    limit: int = 25,
    team_id: int | None = EVERY_TEAM,
) -> list[DebtorSummary]:
    """Debtors ``offset`` to ``offset + limit`` of the list searched, filtered and sorted.

    ``search`` is a case-insensitive substring of the name, key or assigned
    collector.  Two statements: the page's debtors (the database filters, sorts
    and cuts the team's ``debtor`` rows; sorting or filtering by last contact adds
    one index search per debtor), then their contact counts, authorizer flags
    and last contacts, for those debtors only.  ``team_id`` keeps that team's debtors
    (:data:`EVERY_TEAM`: everyone's), joined on the owner's primary key.
    """
    if offset < 0 or limit < 1:
        raise ValueError(f"offset must be >= 0 and limit >= 1, got {offset} and {limit}")
    d = debtor_table.c
    source, visible = _visible(team_id)
    page_query = (
        sa.select(d.id, *_SUMMARY_COLUMNS)
        .select_from(source)
        .where(*visible, *_matching(search, filters))
        .order_by(*_order_by(sort))
        .limit(limit)
        .offset(offset)
    )
    page = connection.execute(page_query).all()
    if not page:
        return []
    figures = {r.id: r for r in connection.execute(_page_figures(), {"ids": [r.id for r in page]})}
    return [_summary(r, figures[r.id]) for r in page]


_SUMMARY_COLUMNS = tuple(
    debtor_table.c[name]
    for name in (
        "key",
        "name",
        "amount_owed",
        "currency",
        "due_date",
        "status",
        "assigned_to",
        "version",
    )
)


@cache
def _page_figures() -> sa.Select[Any]:
    """Contacts, authorizer and last contact of the debtors ``ids``: per debtor, an indexed
    count of its contacts and an index search for its latest call."""
    c, d = contact_table.c, debtor_table.c
    live = sa.and_(c.debtor_id == d.id, c.archived.is_(False))
    return sa.select(
        d.id,
        sa.select(sa.func.count()).where(live).scalar_subquery().label("contact_count"),
        sa.exists().where(live, c.authorizes_payment.is_(True)).label("authorizer"),
        _last_contact(d.id).label("last_contact_at"),
    ).where(d.id.in_(sa.bindparam("ids", expanding=True)))


def _summary(row: Any, figures: Any) -> DebtorSummary:
    return DebtorSummary(
        key=row.key,
        name=row.name,
        amount_owed=row.amount_owed,
        currency=row.currency,
        due_date=row.due_date,
        status=DebtorStatus(row.status),
        assigned_to=row.assigned_to,
        contact_count=int(figures.contact_count),
        authorizer_known=bool(figures.authorizer),
        last_contact_at=figures.last_contact_at,
        version=row.version,
    )


def list_collectors(connection: sa.Connection, *, team_id: int | None = EVERY_TEAM) -> list[str]:
    """The names debtors (of team ``team_id``) are assigned to, each once, in order (no
    one: left out)."""
    d = debtor_table.c
    source, visible = _visible(team_id)
    query = (
        sa.select(d.assigned_to)
        .select_from(source)
        .where(*visible, d.assigned_to != "")
        .distinct()
        .order_by(d.assigned_to)
    )
    return list(connection.execute(query).scalars())


def debtor_names(
    connection: sa.Connection,
    *,
    keys: Collection[str] = (),
    first: int = 0,
    team_id: int | None = EVERY_TEAM,
) -> dict[str, str]:
    """Key → name of the debtors ``keys`` (those that exist) and of the ``first`` debtors
    by key, in key order: two searches of the key index, whatever the team's size.
    ``team_id`` keeps that team's debtors (:data:`EVERY_TEAM`: everyone's)."""
    d = debtor_table.c
    source, visible = _visible(team_id)
    found: dict[str, str] = {}
    if first > 0:
        query = (
            sa.select(d.key, d.name)
            .select_from(source)
            .where(*visible)
            .order_by(d.key)
            .limit(first)
        )
        found.update((key, name) for key, name in connection.execute(query))
    wanted: Sequence[str] = sorted(set(keys) - set(found))
    if wanted:
        query = sa.select(d.key, d.name).select_from(source).where(*visible, d.key.in_(wanted))
        found.update((key, name) for key, name in connection.execute(query))
    return dict(sorted(found.items()))


def keys_in_team(connection: sa.Connection, keys: Collection[str], *, team_id: int) -> set[str]:
    """Those of debtors ``keys`` that belong to team ``team_id``: one search by key."""
    if not keys:
        return set()
    d = debtor_table.c
    source, visible = _visible(team_id)
    query = sa.select(d.key).select_from(source).where(*visible, d.key.in_(sorted(set(keys))))
    return set(connection.execute(query).scalars())


def debtor_teams(connection: sa.Connection, keys: Collection[str]) -> dict[str, int | None]:
    """Key → team (``None``: no team) of those of debtors ``keys`` that exist: one search
    by key, in chunks far below SQLite's limit on bound parameters."""
    d, o = debtor_table.c, debtor_owner_table.c
    wanted = sorted(set(keys))
    found: dict[str, int | None] = {}
    for start in range(0, len(wanted), 500):
        query = (
            sa.select(d.key, o.team_id)
            .select_from(debtor_table.outerjoin(debtor_owner_table, o.debtor_id == d.id))
            .where(d.key.in_(wanted[start : start + 500]))
        )
        found.update((key, team) for key, team in connection.execute(query))
    return found


def record_exports(
    connection: sa.Connection, keys: Sequence[str], *, by: str, what: str, now: datetime
) -> None:
    """One history entry ``export`` per debtor ``keys``, ``after`` naming the format ``what``:
    one statement for them all, each finding its debtor's id by its key."""
    if not keys:
        return
    d = debtor_table.c
    debtor_id = sa.select(d.id).where(d.key == sa.bindparam("debtor_key")).scalar_subquery()
    statement = sa.insert(history_table).values(
        at=now,
        by=by,
        action="export",
        entity="debtor",
        key=sa.bindparam("debtor_key"),
        debtor_id=debtor_id,
        before=None,
        after={"format": what},
    )
    connection.execute(statement, [{"debtor_key": key} for key in keys])


def insert_debtor(
    connection: sa.Connection, debtor: Debtor, *, by: str, now: datetime
) -> int | None:
    """Insert ``debtor``; its new id, or ``None`` when the key is taken (even by a racer)."""
    statement = insert_once(connection.dialect.name, debtor_table, "key")
    row = {**debtor_values(debtor), **stamp_new(by=by, now=now)}
    return connection.execute(statement, row).scalar()


def insert_owner(
    connection: sa.Connection, *, debtor_id: int, team_id: int, by: str, now: datetime
) -> None:
    """Give a debtor just inserted its team (no assigned user yet): its owner row."""
    connection.execute(
        sa.insert(debtor_owner_table).values(
            debtor_id=debtor_id,
            team_id=team_id,
            user_id=None,
            updated_at=now,
            updated_by=by,
            version=1,
        )
    )


def create_debtor(connection: sa.Connection, debtor: Debtor, *, by: str) -> int:
    """Add a new debtor with no contacts; its version (1).

    Raises :class:`AlreadyExistsError` when the key is taken (use
    :func:`update_debtor` to change an existing one).
    """
    if insert_debtor(connection, debtor, by=by, now=now_utc()) is None:
        raise AlreadyExistsError(f"a debtor with key {debtor.key!r} already exists")
    return 1


def find_debtor(
    connection: sa.Connection, debtor_key: str, *, lock: bool = False, debtor_id: int | None = None
) -> StoredDebtor | None:
    """The debtor ``debtor_key`` as stored, or ``None``; ``lock`` holds its row (PostgreSQL).

    ``debtor_id``: the row id the caller already holds (then looked up by it, its
    primary key, instead of by the key).
    """
    d = debtor_table.c
    query = sa.select(debtor_table).where(
        d.key == debtor_key if debtor_id is None else d.id == debtor_id
    )
    row = connection.execute(query.with_for_update() if lock else query).one_or_none()
    return None if row is None else StoredDebtor(row.id, row.version, debtor_from_row(row))


def update_debtor(
    connection: sa.Connection,
    debtor: Debtor,
    *,
    by: str,
    expected_version: int | None,
    stored: StoredDebtor | None = None,
) -> int:
    """Make the stored debtor ``debtor.key`` equal ``debtor``; its version afterwards.

    Only the columns that differ are written, conditioned on the version read.
    With ``expected_version`` (the version the user's form was filled from) a
    change made by someone else in between raises :class:`StaleVersionError`;
    ``None`` writes over whatever is there.  Saving the same values changes
    nothing.  An unknown key raises :class:`NotFoundError`.  ``stored`` is the
    debtor when the caller already read it in this transaction.
    """
    what = f"debtor {debtor.key!r}"
    if stored is None:
        stored = find_debtor(connection, debtor.key, lock=expected_version is None)
        if stored is None:
            raise not_found(debtor.key)
    check_expected(what, expected=expected_version, actual=stored.version)
    changes = changed_values(debtor_values(stored.debtor), debtor_values(debtor))
    if not changes:
        return stored.version
    return update_versioned(
        connection,
        debtor_table,
        row_id=stored.id,
        version=stored.version,
        values=changes,
        by=by,
        now=now_utc(),
        what=what,
    )
