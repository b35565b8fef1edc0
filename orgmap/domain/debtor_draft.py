"""A debtor as typed in the form, and its article-5 facts, turned into domain values.

Like :mod:`orgmap.domain.contact_draft` for people: the form holds text as typed
(the amount, the credit code) and enums already chosen; :func:`debtor_from_draft`
checks every field, reports every bad one at once as a
:class:`~orgmap.domain.validation.ValidationError` whose problems are named by
field (``amount_owed``, ``credit_code`` …), and returns canonical values.

Pure: standard library and ``phonenumbers``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from orgmap.domain.fields import (
    check_credit_code,
    check_currency,
    check_email,
    check_key,
    check_name,
    check_text,
    format_phone,
    normalize_credit_code,
    normalize_phone,
    parse_amount,
    parse_date,
)
from orgmap.domain.model import Debtor, DebtorFacts, DebtorStatus
from orgmap.domain.validation import FieldProblems, Problem

__all__ = ["DebtorDraft", "debtor_from_draft", "facts_from_form"]


@dataclass(frozen=True, slots=True)
class DebtorDraft:
    """A debtor as typed in the form; ``amount_owed`` and ``credit_code`` are text."""

    key: str
    name: str
    amount_owed: str
    currency: str = "CNY"
    credit_code: str = ""
    address: str = ""
    due_date: date | None = None
    status: DebtorStatus = DebtorStatus.OPEN
    assigned_to: str = ""


def debtor_from_draft(
    draft: DebtorDraft, *, facts: DebtorFacts
) -> tuple[Debtor, tuple[Problem, ...]]:
    """The debtor the form describes (with ``facts``), and warnings to show beside it.

    A credit code with a wrong check character is a warning, kept as typed (some
    early codes fail the GB 32100-2015 checksum but are real); a malformed one is
    a problem.

    >>> draft = DebtorDraft("acme", "恒达机电", "¥12,000", credit_code="91350100M000100Y44")
    >>> debtor, warnings = debtor_from_draft(draft, facts=DebtorFacts())
    >>> debtor.amount_owed, debtor.credit_code, [w.path for w in warnings]
    (Decimal('12000.00'), '91350100M000100Y44', ['credit_code'])
    """
    p = FieldProblems()
    key = p.check("key", check_key, draft.key)
    name = p.check("name", check_name, draft.name)
    amount = p.check("amount_owed", parse_amount, draft.amount_owed, field="amount_owed")
    currency = p.check("currency", check_currency, draft.currency or "CNY")
    address = p.check("address", check_name, draft.address, field="address", required=False)
    assigned = p.check(
        "assigned_to", check_name, draft.assigned_to, field="assigned_to", required=False
    )
    due_date = None
    if draft.due_date is not None:
        due_date = p.check("due_date", parse_date, draft.due_date, field="due_date")
    credit_code: str | None = None
    warnings: tuple[Problem, ...] = ()
    if draft.credit_code.strip():
        warning = p.check("credit_code", check_credit_code, draft.credit_code)
        if not any(problem.path == "credit_code" for problem in p.found):
            credit_code = normalize_credit_code(draft.credit_code)
            warnings = (Problem.from_error("credit_code", warning),) if warning else ()
    p.raise_any()
    debtor = Debtor(
        key=key,
        name=name,
        amount_owed=amount,
        currency=currency,
        credit_code=credit_code,
        address=address,
        due_date=due_date,
        status=draft.status,
        assigned_to=assigned,
        facts=facts,
    )
    return debtor, warnings


def facts_from_form(facts: DebtorFacts, *, region: str) -> DebtorFacts:
    """The article-5 checklist as typed, cleaned: stories trimmed, the leader's mobile in
    its canonical form, the email checked."""
    p = FieldProblems()
    mobile = facts.top_leader_mobile.strip()
    if mobile:
        phone = p.check("top_leader_mobile", normalize_phone, mobile, region=region)
        mobile = format_phone(phone) if phone else mobile
    email = facts.top_leader_email.strip()
    if email:
        email = p.check("top_leader_email", check_email, email, field="top_leader_email")
    clean = replace(
        facts,
        reason_unpaid=p.check(
            "reason_unpaid", check_text, facts.reason_unpaid, field="reason_unpaid"
        ),
        who_pays=p.check("who_pays", check_text, facts.who_pays, field="who_pays"),
        top_leader=p.check(
            "top_leader", check_name, facts.top_leader, field="top_leader", required=False
        ),
        top_leader_mobile=mobile,
        top_leader_email=email,
    )
    p.raise_any()
    return clean
