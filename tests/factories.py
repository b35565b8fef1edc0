"""Test data as domain values: small defaults, every field overridable.

``make_map()`` is the classic company from the seed (article 5): a cooperative
receptionist who knows the boss, sales and finance passing the buck to each
other, and an eagle boss who authorizes payment.
"""

from __future__ import annotations

import zlib
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from orgmap.domain.model import (
    Channel,
    Contact,
    Debtor,
    DebtorFacts,
    DebtorMap,
    Department,
    Disposition,
    Interaction,
    Outcome,
    Phone,
    PhoneKind,
    Relation,
    RelationType,
)

SHANGHAI = timezone(timedelta(hours=8))
BASE_TIME = datetime(2026, 11, 20, 9, 30, tzinfo=SHANGHAI)


def make_phone(e164: str = "+8613812345678", **overrides: Any) -> Phone:
    return Phone(**{"e164": e164, "kind": PhoneKind.MOBILE, **overrides})


def make_contact(key: str = "desk", **overrides: Any) -> Contact:
    fields: dict[str, Any] = {
        "key": key,
        "name": f"联系人 {key}",
        "department": Department.RECEPTION,
        "phones": (
            make_phone(
                f"+86216123{zlib.crc32(key.encode()) % 10000:04d}", kind=PhoneKind.FIXED_LINE
            ),
        ),
    }
    return Contact(**{**fields, **overrides})


def make_debtor(key: str = "acme", **overrides: Any) -> Debtor:
    fields: dict[str, Any] = {
        "key": key,
        "name": f"上海{key}贸易有限公司",
        "amount_owed": Decimal("128000.50"),
        "due_date": date(2026, 10, 15),
        "assigned_to": "li",
    }
    return Debtor(**{**fields, **overrides})


def make_relation(
    source: str, target: str, type: RelationType = RelationType.REFERS_TO, **overrides: Any
) -> Relation:
    return Relation(source=source, target=target, type=type, **overrides)


def make_interaction(contact: str = "desk", *, minutes: int = 0, **overrides: Any) -> Interaction:
    """A call ``minutes`` after 2026-11-20 09:30 Shanghai time."""
    fields: dict[str, Any] = {
        "contact": contact,
        "at": BASE_TIME + timedelta(minutes=minutes),
        "channel": Channel.PHONE,
        "outcome": Outcome.NO_ANSWER,
        "by": "li",
    }
    return Interaction(**{**fields, **overrides})


def classic_contacts() -> tuple[Contact, ...]:
    return (
        make_contact(
            "desk",
            name="小张",
            department=Department.RECEPTION,
            disposition=Disposition.SHEEP,
            phones=(make_phone("+862161234567", extension="801", kind=PhoneKind.FIXED_LINE),),
        ),
        make_contact("sales", name="销售刘经理", department=Department.SALES, phones=()),
        make_contact(
            "finance",
            name="财务陈姐",
            department=Department.FINANCE,
            email="chen@acme.example",
            phones=(make_phone("+8613900001111"),),
        ),
        make_contact(
            "boss",
            name="王总",
            title="总经理",
            department=Department.OWNER,
            disposition=Disposition.EAGLE,
            authorizes_payment=True,
            email="Wang@Acme.example",
            phones=(
                make_phone("+8613812345678"),
                make_phone("+862161234568", kind=PhoneKind.FIXED_LINE),
            ),
        ),
    )


def make_map(
    key: str = "acme",
    *,
    contacts: tuple[Contact, ...] | None = None,
    relations: tuple[Relation, ...] | None = None,
    interactions: tuple[Interaction, ...] | None = None,
    **debtor_overrides: Any,
) -> DebtorMap:
    """The classic company, or the parts given; interactions in time order."""
    if contacts is None:
        contacts = classic_contacts()
    if relations is None:
        keys = {c.key for c in contacts}
        relations = tuple(
            r
            for r in (
                make_relation("desk", "boss", RelationType.REFERS_TO, note="前台给了老板手机"),
                make_relation("sales", "finance", RelationType.PASSES_BUCK_TO),
                make_relation("finance", "sales", RelationType.PASSES_BUCK_TO),
                make_relation("finance", "boss", RelationType.REPORTS_TO),
            )
            if r.source in keys and r.target in keys
        )
    if interactions is None:
        first = contacts[0].key if contacts else None
        interactions = (
            ()
            if first is None
            else (
                make_interaction(first, minutes=0, outcome=Outcome.REFERRED, note="给了老板手机"),
                make_interaction(
                    first,
                    minutes=90,
                    outcome=Outcome.PROMISED,
                    promise_amount=Decimal("50000.00"),
                    promise_date=date(2026, 11, 25),
                ),
            )
        )
    facts = debtor_overrides.pop(
        "facts", DebtorFacts(reason_unpaid="老板没签字", leaders_aware=True)
    )
    return DebtorMap(
        debtor=make_debtor(key, facts=facts, **debtor_overrides),
        contacts=contacts,
        relations=relations,
        interactions=tuple(sorted(interactions, key=lambda i: i.at)),
    )


__all__ = [
    "BASE_TIME",
    "SHANGHAI",
    "classic_contacts",
    "make_contact",
    "make_debtor",
    "make_interaction",
    "make_map",
    "make_phone",
    "make_relation",
]


def stored_versions(connection, debtor_key: str) -> dict:
    """The versions of a debtor's records as the forms lock on them, as a plain dict:
    ``{"debtor": int, "contacts": {key: int}, "relations": {(source, target, type): int}}``."""
    from orgmap.store import NotFoundError, load_debtor

    loaded = load_debtor(connection, debtor_key)
    if loaded is None:
        raise NotFoundError(f"no debtor with key {debtor_key!r}")
    versions = loaded.versions
    return {
        "debtor": versions.debtor,
        "contacts": dict(versions.contacts),
        "relations": dict(versions.relations),
    }
