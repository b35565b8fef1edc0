"""Write debtor maps as ``orgmap/1`` JSON values, in one stable order.

The order (debtors by key, contacts by key, relations by (from, to, type),
interactions by time then contact, channel, outcome, by, note) makes exports
diff-able and makes import → export → import → export a fixed point.
Optional fields that are empty or default are left out.
"""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import UTC, date
from decimal import Decimal
from typing import Any

from orgmap.domain.fields import format_phone
from orgmap.domain.model import (
    Contact,
    Debtor,
    DebtorFacts,
    DebtorMap,
    DebtorStatus,
    Disposition,
    Interaction,
    Relation,
)

__all__ = ["interaction_order", "sort_map", "write_debtor"]

_CENT = Decimal("0.01")


def interaction_order(interaction: Interaction) -> tuple[Any, ...]:
    """The sort key of interactions: time first, then every other field (a total order)."""
    return (
        interaction.at.astimezone(UTC),
        interaction.contact,
        interaction.channel.value,
        interaction.outcome.value,
        interaction.by,
        interaction.note,
        interaction.promise_amount is not None,
        interaction.promise_amount or Decimal(0),
        interaction.promise_date or date.min,
        interaction.phone or "",
        interaction.corrects or "",
        interaction.void,
    )


def sort_map(m: DebtorMap) -> DebtorMap:
    """``m`` with contacts, relations and interactions in export order."""
    return replace(
        m,
        contacts=tuple(sorted(m.contacts, key=lambda c: c.key)),
        relations=tuple(sorted(m.relations, key=lambda r: (r.source, r.target, r.type.value))),
        interactions=tuple(sorted(m.interactions, key=interaction_order)),
    )


def write_debtor(m: DebtorMap) -> dict[str, Any]:
    """One debtor as a JSON-ready dict (contacts, relations, interactions sorted)."""
    m = sort_map(m)
    out = _write_debtor_fields(m.debtor)
    out["contacts"] = [_write_contact(c) for c in m.contacts]
    out["relations"] = [_write_relation(r) for r in m.relations]
    out["interactions"] = [_write_interaction(i) for i in m.interactions]
    return out


def _money(amount: Decimal) -> str:
    # Amounts are validated to two places; quantize only fixes the written form ("12000.00").
    return f"{amount.quantize(_CENT):f}"


def _write_debtor_fields(debtor: Debtor) -> dict[str, Any]:
    out: dict[str, Any] = {"key": debtor.key, "name": debtor.name}
    if debtor.credit_code:
        out["credit_code"] = debtor.credit_code
    if debtor.address:
        out["address"] = debtor.address
    out["amount_owed"] = _money(debtor.amount_owed)
    if debtor.currency != "CNY":
        out["currency"] = debtor.currency
    if debtor.due_date is not None:
        out["due_date"] = debtor.due_date.isoformat()
    if debtor.status is not DebtorStatus.OPEN:
        out["status"] = debtor.status.value
    if debtor.assigned_to:
        out["assigned_to"] = debtor.assigned_to
    facts = _write_facts(debtor.facts)
    if facts:
        out["facts"] = facts
    return out


def _write_facts(facts: DebtorFacts) -> dict[str, Any]:
    default = DebtorFacts()
    return {
        f.name: getattr(facts, f.name)
        for f in fields(DebtorFacts)
        if getattr(facts, f.name) != getattr(default, f.name)
    }


def _write_contact(contact: Contact) -> dict[str, Any]:
    out: dict[str, Any] = {"key": contact.key, "name": contact.name}
    if contact.title:
        out["title"] = contact.title
    out["department"] = contact.department.value
    if contact.disposition is not Disposition.UNKNOWN:
        out["disposition"] = contact.disposition.value
    if contact.authorizes_payment:
        out["authorizes_payment"] = True
    if contact.phones:
        out["phones"] = [format_phone(p) for p in contact.phones]
    if contact.email is not None:
        out["email"] = contact.email
    if contact.do_not_contact:
        out["do_not_contact"] = True
    if contact.notes:
        out["notes"] = contact.notes
    if contact.archived:
        out["archived"] = True
    return out


def _write_relation(relation: Relation) -> dict[str, Any]:
    out: dict[str, Any] = {
        "from": relation.source,
        "to": relation.target,
        "type": relation.type.value,
    }
    if relation.note:
        out["note"] = relation.note
    if relation.archived:
        out["archived"] = True
    return out


def _write_interaction(interaction: Interaction) -> dict[str, Any]:
    out: dict[str, Any] = {
        "contact": interaction.contact,
        "at": interaction.at.astimezone(UTC).isoformat(),
        "channel": interaction.channel.value,
        "outcome": interaction.outcome.value,
    }
    if interaction.by:
        out["by"] = interaction.by
    if interaction.note:
        out["note"] = interaction.note
    if interaction.promise_amount is not None:
        out["promise_amount"] = _money(interaction.promise_amount)
    if interaction.promise_date is not None:
        out["promise_date"] = interaction.promise_date.isoformat()
    if interaction.phone is not None:
        out["phone"] = interaction.phone
    if interaction.corrects is not None:
        out["corrects"] = interaction.corrects
    if interaction.void:
        out["void"] = True
    return out
