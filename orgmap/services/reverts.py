"""Revert an edit: put back what one recorded edit changed, as a new history entry.

An edit's history row holds only the fields it changed, before and after
(:mod:`orgmap.services.changes`).  :func:`revert_edit` writes the ``before``
values back, in one transaction, once ``actor`` may edit the debtor — but only
when every one of those fields still holds the edit's ``after`` value: a field
changed again since (by a colleague, or by a later revert) is refused with a
coded :class:`ValidationError` naming it, so a revert never silently undoes
someone's later work.  Nothing is written then, not even history.

Edits of a contact (phones included: the list is put back whole), of the
debtor's details and of its facts checklist can be reverted.  Reverting the
checklist restores its answers only; a leader it once put on the map stays
there (that was its own contact entry, revertible on its own).  The revert is
recorded as action ``revert`` with the fields it wrote, before and after.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import fields, replace
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from orgmap import store
from orgmap.domain.access import Action, Actor
from orgmap.domain.model import (
    DebtorFacts,
    DebtorStatus,
    Department,
    Disposition,
    Phone,
    PhoneKind,
)
from orgmap.domain.validation import Problem, ValidationError
from orgmap.services.authz import authorize, not_found
from orgmap.services.changes import contact_record, record_change
from orgmap.services.debtors import Saved
from orgmap.store.history import HistoryEntry, history_entry, jsonable
from orgmap.store.mapping import debtor_values

__all__ = ["REVERTIBLE_ENTITIES", "is_revertible", "revert_edit"]

#: The records whose edits can be reverted.
REVERTIBLE_ENTITIES = frozenset({"contact", "debtor", "facts"})


def _phones(value: Any) -> tuple[Phone, ...]:
    return tuple(
        Phone(e164=p["e164"], extension=p.get("extension"), kind=PhoneKind(p.get("kind", "other")))
        for p in value or ()
    )


def _as_is(value: Any) -> Any:
    return value


# Each revertible field, and how its recorded (JSON) value becomes the domain value.
_CONTACT_FIELDS: dict[str, Callable[[Any], Any]] = {
    "name": _as_is,
    "title": _as_is,
    "department": Department,
    "disposition": Disposition,
    "authorizes_payment": _as_is,
    "phones": _phones,
    "email": _as_is,
    "do_not_contact": _as_is,
    "notes": _as_is,
}
_DEBTOR_FIELDS: dict[str, Callable[[Any], Any]] = {
    "name": _as_is,
    "credit_code": _as_is,
    "address": _as_is,
    "amount_owed": lambda v: Decimal(str(v)),
    "currency": _as_is,
    "due_date": lambda v: None if v is None else date.fromisoformat(v),
    "status": DebtorStatus,
    "assigned_to": _as_is,
}
_FACT_FIELDS: dict[str, Callable[[Any], Any]] = {f.name: _as_is for f in fields(DebtorFacts)}
_FIELDS = {"contact": _CONTACT_FIELDS, "debtor": _DEBTOR_FIELDS, "facts": _FACT_FIELDS}


def is_revertible(entry: HistoryEntry) -> bool:
    """Whether :func:`revert_edit` can take ``entry`` (it may still refuse a later-changed one).

    >>> from datetime import UTC, datetime
    >>> edit = HistoryEntry(datetime.now(UTC), "li", "edit", "contact", "desk",
    ...                     {"title": "a"}, {"title": "b"}, 7)
    >>> is_revertible(edit), is_revertible(replace(edit, action="archive"))
    (True, False)
    """
    known = _FIELDS.get(entry.entity)
    return (
        entry.action == "edit"
        and entry.id is not None
        and known is not None
        and bool(entry.after)
        and entry.before is not None
        and set(entry.after or {}) <= set(known)
    )


def revert_edit(
    engine: Engine, *, debtor_key: str, entry_id: int, actor: Actor, region: str
) -> Saved:
    """Undo history entry ``entry_id`` (an edit of debtor ``debtor_key``), recorded as "revert".

    Refused (:class:`ValidationError`, nothing written) when the entry is not the
    debtor's, is not a revertible edit, or touched a field that has changed since.
    ``region`` is accepted for symmetry with the other edit services; recorded
    values were normalized when first written and are put back as they were.
    """
    del region  # nothing typed to normalize
    with store.transaction(engine) as connection:
        debtor_id, _ = authorize(connection, actor, Action.EDIT, debtor_key)
        entry = history_entry(connection, entry_id=entry_id, debtor_id=debtor_id)
        if entry is None:
            raise _refused("revert.no_such_entry", entry=entry_id, debtor=repr(debtor_key))
        if not is_revertible(entry):
            raise _refused("revert.not_an_edit", entry=entry_id)
        if entry.entity == "contact":
            version = _revert_contact(connection, entry, debtor_id=debtor_id, actor=actor)
        else:
            version = _revert_debtor(connection, entry, debtor_key=debtor_key, actor=actor)
        return Saved(entry.key, version)


def _revert_contact(
    connection: sa.Connection, entry: HistoryEntry, *, debtor_id: int, actor: Actor
) -> int:
    stored = store.find_contact(connection, debtor_id=debtor_id, key=entry.key, lock=True)
    if stored is None:
        raise _refused("revert.record_gone", entry=entry.id, key=repr(entry.key))
    now = _check_unchanged(entry, contact_record(stored.contact))
    wanted = replace(stored.contact, **_typed(entry, _CONTACT_FIELDS))
    version = store.update_contact(
        connection,
        stored,
        wanted,
        debtor_id=debtor_id,
        by=actor.name,
        now=store.now_utc(),
        what=f"contact {entry.key!r}",
    )
    _record(connection, entry, debtor_id=debtor_id, actor=actor, current=now)
    return version


def _revert_debtor(
    connection: sa.Connection, entry: HistoryEntry, *, debtor_key: str, actor: Actor
) -> int:
    stored = store.find_debtor(connection, debtor_key, lock=True)
    if stored is None:
        raise not_found(debtor_key)
    values: dict[str, Any] = jsonable(debtor_values(stored.debtor))
    if entry.entity == "facts":
        now = _check_unchanged(entry, values["facts"])
        wanted = replace(
            stored.debtor, facts=replace(stored.debtor.facts, **_typed(entry, _FACT_FIELDS))
        )
    else:
        now = _check_unchanged(entry, values)
        wanted = replace(stored.debtor, **_typed(entry, _DEBTOR_FIELDS))
    version = store.update_debtor(
        connection, wanted, by=actor.name, expected_version=stored.version, stored=stored
    )
    _record(connection, entry, debtor_id=stored.id, actor=actor, current=now)
    return version


def _check_unchanged(entry: HistoryEntry, current: Mapping[str, Any]) -> dict[str, Any]:
    """The current values of the fields ``entry`` changed, once each still holds what the
    edit wrote; else the refusal naming those changed since."""
    after = entry.after or {}
    now = {name: current.get(name) for name in after}
    moved = [name for name in after if not _same(name, now[name], after[name])]
    if moved:
        raise _refused("revert.changed_since", fields=", ".join(moved))
    return now


def _same(name: str, current: Any, recorded: Any) -> bool:
    # An amount may come back from the database with another scale (12000.5 / 12000.50).
    if name == "amount_owed" and current is not None and recorded is not None:
        return Decimal(str(current)) == Decimal(str(recorded))
    return bool(current == recorded)


def _typed(entry: HistoryEntry, convert: Mapping[str, Callable[[Any], Any]]) -> dict[str, Any]:
    before = entry.before or {}
    return {name: convert[name](before.get(name)) for name in entry.after or {}}


def _record(
    connection: sa.Connection,
    entry: HistoryEntry,
    *,
    debtor_id: int,
    actor: Actor,
    current: dict[str, Any],
) -> None:
    before = entry.before or {}
    record_change(
        connection,
        by=actor.name,
        action="revert",
        entity=entry.entity,
        key=entry.key,
        debtor_id=debtor_id,
        before=current,
        after={name: before.get(name) for name in current},
    )


def _refused(code: str, **params: object) -> ValidationError:
    return ValidationError((Problem.coded("", code, **params),))
