"""The append-only history: who changed what, when, from what to what.

:func:`record` writes one entry in the caller's transaction, so the entry and the
change it describes are kept or lost together.  Nothing can rewrite an entry:
triggers on both databases refuse UPDATE and DELETE on ``history``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import sqlalchemy as sa

from orgmap.domain.model import Contact, Interaction, Relation
from orgmap.store.tables import history_table
from orgmap.store.versions import now_utc

__all__ = [
    "HistoryEntry",
    "call_record",
    "contact_record",
    "history_entry",
    "history_for_debtor",
    "jsonable",
    "record",
    "relation_key",
    "relation_record",
]

_h = history_table.c


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One recorded change; ``before`` and ``after`` hold JSON values (``None``: none).

    ``id`` is the entry's row id (what a revert names); ``None`` for an entry not
    read from the store.  Last, with a default, so that older positional
    constructions keep working.
    """

    at: datetime
    by: str
    action: str
    entity: str
    key: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    id: int | None = None


def jsonable(value: Any) -> Any:
    """``value`` with amounts, dates, times and enums made JSON text, containers walked.

    >>> jsonable({"amount": Decimal("12.50"), "due": date(2026, 12, 1), "tags": ("a",)})
    {'amount': '12.50', 'due': '2026-12-01', 'tags': ['a']}
    """
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if isinstance(value, Enum):
        return jsonable(value.value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def record(
    connection: sa.Connection,
    *,
    by: str,
    action: str,
    entity: str,
    key: str,
    debtor_id: int | None,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    at: datetime | None = None,
) -> None:
    """Write one history entry in the caller's transaction (``at``: now, by default)."""
    row = {
        "at": at or now_utc(),
        "by": by,
        "action": action,
        "entity": entity,
        "key": key,
        "debtor_id": debtor_id,
        "before": None if before is None else jsonable(before),
        "after": None if after is None else jsonable(after),
    }
    connection.execute(_INSERT, row)


# Built once, run with each row as parameters: building ``insert().values(…)`` per
# entry cost more than the insert itself (every write records one).
_INSERT = sa.insert(history_table)


def history_for_debtor(
    connection: sa.Connection, debtor_id: int, *, limit: int | None = None, offset: int = 0
) -> list[HistoryEntry]:
    """The debtor's entries, newest first: the ``limit`` after the ``offset`` newest, when
    given (a walk of the ``(debtor_id, id)`` index; only those rows are read out)."""
    query = _entries().where(_h.debtor_id == debtor_id).order_by(_h.id.desc())
    return [HistoryEntry(*row) for row in connection.execute(query.limit(limit).offset(offset))]


def history_entry(
    connection: sa.Connection, *, entry_id: int, debtor_id: int
) -> HistoryEntry | None:
    """Entry ``entry_id`` when it is one of debtor ``debtor_id``'s, else ``None``."""
    query = _entries().where(_h.id == entry_id, _h.debtor_id == debtor_id)
    row = connection.execute(query).one_or_none()
    return None if row is None else HistoryEntry(*row)


def _entries() -> sa.Select[Any]:
    """The columns of :class:`HistoryEntry`, in its order."""
    return sa.select(_h.at, _h.by, _h.action, _h.entity, _h.key, _h.before, _h.after, _h.id)


# What a history row holds of each kind of record; every writer (the services, a
# bulk import) builds its rows with these, so that one record reads the same everywhere.


def contact_record(contact: Contact) -> dict[str, Any]:
    """The whole contact as a history row holds it (JSON values)."""
    value: dict[str, Any] = jsonable(asdict(contact))
    return value


def relation_key(source: str, target: str, type_: str) -> str:
    """A relation's key in the history: ``source>target:type``."""
    return f"{source}>{target}:{type_}"


def relation_record(relation: Relation) -> dict[str, Any]:
    """The whole relation as a history row holds it."""
    value: dict[str, Any] = jsonable(asdict(relation))
    return value


def call_record(interaction: Interaction) -> dict[str, Any]:
    """What a logged call's history row holds: contact, time, channel, outcome, note, promise."""
    value: dict[str, Any] = jsonable(
        {
            "contact": interaction.contact,
            "at": interaction.at,
            "channel": interaction.channel,
            "outcome": interaction.outcome,
            "note": interaction.note,
            "promise": None
            if interaction.promise_amount is None and interaction.promise_date is None
            else {"amount": interaction.promise_amount, "date": interaction.promise_date},
        }
    )
    return value
