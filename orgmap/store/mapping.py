"""Rows to domain values and back: which columns make each value, and how.

The mapping lives here, outside :mod:`orgmap.domain.model`, the way an ORM
mapping module sits beside a pure domain: the domain never learns it is stored.
No statements run here; the per-noun modules run them.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from orgmap.domain.calls import call_fingerprint
from orgmap.domain.model import (
    Channel,
    Contact,
    Debtor,
    DebtorFacts,
    DebtorStatus,
    Department,
    Disposition,
    Interaction,
    Outcome,
    Phone,
    PhoneKind,
    Relation,
    RelationType,
)
from orgmap.store.tables import (
    contact_table,
    debtor_table,
    interaction_table,
    phone_table,
    relation_table,
)

__all__ = [
    "CONTACT_COLUMNS",
    "DEBTOR_COLUMNS",
    "INTERACTION_COLUMNS",
    "PHONE_COLUMNS",
    "RELATION_COLUMNS",
    "contact_from_row",
    "contact_values",
    "debtor_from_row",
    "debtor_values",
    "interaction_fingerprint",
    "interaction_from_row",
    "interaction_values",
    "phone_from_row",
    "phone_values",
    "phones_by_contact",
    "relation_from_row",
    "relation_label",
    "stamp_new",
]

# Value -> member tables: Department("sales") walks Enum's machinery, about 1 µs
# each, and a one-debtor load converts several hundred such values.
_DEPARTMENTS = {m.value: m for m in Department}
_DISPOSITIONS = {m.value: m for m in Disposition}
_PHONE_KINDS = {m.value: m for m in PhoneKind}
_RELATION_TYPES = {m.value: m for m in RelationType}
_CHANNELS = {m.value: m for m in Channel}
_OUTCOMES = {m.value: m for m in Outcome}

_FACT_FIELDS = frozenset(f.name for f in dataclasses.fields(DebtorFacts))
_AUDIT_COLUMNS = frozenset({"created_at", "updated_at", "created_by", "updated_by", "version"})

#: A debtor's own columns and its id, read by name: one row per map.
DEBTOR_COLUMNS = tuple(c for c in debtor_table.c if c.name not in _AUDIT_COLUMNS)


def _columns(table: sa.Table, *names: str) -> tuple[sa.Column[Any], ...]:
    return tuple(table.c[name] for name in names)


# What each domain value is built from, in the order its ``*_from_row`` unpacks
# them.  Queries select these first and may add columns after them (``id``,
# ``version``…), read by name.  Unpacking by position rather than reading
# ``row.name`` matters when a whole map is loaded: SQLAlchemy's by-name access
# costs about half a microsecond per value, which was most of a one-debtor load.
# No audit stamps: turning them back into aware datetimes cost as much again.
CONTACT_COLUMNS = _columns(
    contact_table,
    "key",
    "name",
    "title",
    "department",
    "disposition",
    "authorizes_payment",
    "email",
    "do_not_contact",
    "notes",
    "archived",
)
PHONE_COLUMNS = _columns(phone_table, "e164", "extension", "kind", "contact_id", "position")
RELATION_COLUMNS = _columns(relation_table, "source_id", "target_id", "type", "note", "archived")
INTERACTION_COLUMNS = _columns(
    interaction_table,
    "contact_id",
    "at",
    "channel",
    "outcome",
    "by",
    "note",
    "promise_amount",
    "promise_date",
    "phone",
    "corrects",
    "void",
)


def stamp_new(*, by: str, now: datetime) -> dict[str, Any]:
    """Audit columns of a row being inserted."""
    return {"created_at": now, "updated_at": now, "created_by": by, "updated_by": by, "version": 1}


# -- debtors ----------------------------------------------------------------------


def debtor_values(debtor: Debtor) -> dict[str, Any]:
    return {
        "key": debtor.key,
        "name": debtor.name,
        "credit_code": debtor.credit_code,
        "address": debtor.address,
        "amount_owed": debtor.amount_owed,
        "currency": debtor.currency,
        "due_date": debtor.due_date,
        "status": str(debtor.status),
        "assigned_to": debtor.assigned_to,
        "facts": dataclasses.asdict(debtor.facts),
    }


def debtor_from_row(row: Any) -> Debtor:
    # Unknown keys are ignored so that a newer orgmap's extra facts don't break
    # an older reader.
    facts = {k: v for k, v in (row.facts or {}).items() if k in _FACT_FIELDS}
    return Debtor(
        key=row.key,
        name=row.name,
        amount_owed=row.amount_owed,
        currency=row.currency,
        credit_code=row.credit_code,
        address=row.address,
        due_date=row.due_date,
        status=DebtorStatus(row.status),
        assigned_to=row.assigned_to,
        facts=DebtorFacts(**facts),
    )


# -- contacts and phones ----------------------------------------------------------


def contact_values(contact: Contact) -> dict[str, Any]:
    """The contact's own columns; its phones are rows of their own (:func:`phone_values`)."""
    return {
        "key": contact.key,
        "name": contact.name,
        "title": contact.title,
        "department": str(contact.department),
        "disposition": str(contact.disposition),
        "authorizes_payment": contact.authorizes_payment,
        "email": contact.email,
        "do_not_contact": contact.do_not_contact,
        "notes": contact.notes,
        "archived": contact.archived,
    }


def contact_from_row(row: Sequence[Any], phones: Sequence[Phone]) -> Contact:
    """A contact from a row that starts with :data:`CONTACT_COLUMNS`."""
    key, name, title, department, disposition, authorizes, email, dnc, notes, archived, *_ = row
    return Contact(
        key=key,
        name=name,
        department=_DEPARTMENTS[department],
        title=title,
        disposition=_DISPOSITIONS[disposition],
        authorizes_payment=authorizes,
        phones=tuple(phones),
        email=email,
        do_not_contact=dnc,
        notes=notes,
        archived=archived,
    )


def phone_from_row(row: Sequence[Any]) -> Phone:
    """A phone from a row that starts with :data:`PHONE_COLUMNS`."""
    e164, extension, kind, *_ = row
    return Phone(e164=e164, extension=extension, kind=_PHONE_KINDS[kind])


def phone_values(
    phones: Iterable[Phone], *, debtor_id: int, contact_id: int, by: str, now: datetime
) -> list[dict[str, Any]]:
    return [
        {
            "debtor_id": debtor_id,
            "contact_id": contact_id,
            "position": position,
            "e164": phone.e164,
            "extension": phone.extension,
            "kind": str(phone.kind),
            **stamp_new(by=by, now=now),
        }
        for position, phone in enumerate(phones)
    ]


def phones_by_contact(rows: Iterable[Sequence[Any]]) -> dict[int, tuple[Phone, ...]]:
    """Rows of :data:`PHONE_COLUMNS` grouped by contact id, each contact's in their given order."""
    positioned: dict[int, list[tuple[int, Phone]]] = defaultdict(list)
    for r in rows:
        _, _, _, contact_id, position, *_ = r
        positioned[contact_id].append((position, phone_from_row(r)))
    return {cid: tuple(p for _, p in sorted(ps)) for cid, ps in positioned.items()}


# -- relations --------------------------------------------------------------------


def relation_label(debtor_key: str, source: str, target: str, type_: str) -> str:
    return f"relation {source} -[{type_}]-> {target} of debtor {debtor_key!r}"


def relation_from_row(row: Sequence[Any], key_of: Mapping[int, str]) -> Relation:
    """A relation from a row that starts with :data:`RELATION_COLUMNS`.

    ``key_of`` maps contact ids to keys.
    """
    source_id, target_id, type_, note, archived, *_ = row
    return Relation(
        source=key_of[source_id],
        target=key_of[target_id],
        type=_RELATION_TYPES[type_],
        note=note,
        archived=archived,
    )


# -- interactions -----------------------------------------------------------------


def interaction_fingerprint(interaction: Interaction) -> str:
    """The SHA-256 (hex) that identifies one logged call within its debtor
    (:func:`orgmap.domain.calls.call_fingerprint`: corrections name records by it)."""
    return call_fingerprint(interaction)


def interaction_values(
    interaction: Interaction, *, debtor_id: int, contact_id: int, by: str, now: datetime
) -> dict[str, Any]:
    return {
        "debtor_id": debtor_id,
        "contact_id": contact_id,
        "at": interaction.at,
        "channel": str(interaction.channel),
        "outcome": str(interaction.outcome),
        "by": interaction.by,
        "note": interaction.note,
        "promise_amount": interaction.promise_amount,
        "promise_date": interaction.promise_date,
        "phone": interaction.phone,
        "corrects": interaction.corrects,
        "void": interaction.void,
        "fingerprint": interaction_fingerprint(interaction),
        **stamp_new(by=by, now=now),
    }


def interaction_from_row(row: Sequence[Any], key_of: Mapping[int, str]) -> Interaction:
    """A call from a row that starts with :data:`INTERACTION_COLUMNS`.

    ``key_of`` maps contact ids to keys.
    """
    contact_id, at, channel, outcome, by, note, amount, promise_date, phone, *rest = row
    corrects, void, *_ = rest
    return Interaction(
        contact=key_of[contact_id],
        at=at,
        channel=_CHANNELS[channel],
        outcome=_OUTCOMES[outcome],
        by=by,
        note=note,
        promise_amount=amount,
        promise_date=promise_date,
        phone=phone,
        corrects=corrects,
        void=void,
    )
