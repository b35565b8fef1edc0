"""What a collector typed into a form, turned into domain values or a list of problems.

A *draft* holds text as typed (amounts, phone lists, codes) and enums already
chosen from lists.  The functions here check every field, report every bad one
at once as a :class:`ValidationError` whose problems are named by field
(``amount_owed``, ``phones[1]`` …), and return canonical domain values.  Pure:
no database; :mod:`orgmap.services.editing` writes the results.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, TypeVar

from orgmap.domain.model import (
    Contact,
    Debtor,
    DebtorFacts,
    DebtorStatus,
    Department,
    Disposition,
    Phone,
)
from orgmap.domain.validation import (
    Problem,
    ValidationError,
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
)

__all__ = [
    "ContactDraft",
    "DebtorDraft",
    "FieldProblems",
    "contact_from_draft",
    "debtor_from_draft",
    "facts_from_form",
    "split_phones",
]

T = TypeVar("T")


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


@dataclass(frozen=True, slots=True)
class ContactDraft:
    """A contact as typed in the form; ``phones`` is one text, numbers one per line or comma."""

    name: str
    department: Department
    key: str = ""  # empty when adding: the service makes one from the name
    title: str = ""
    disposition: Disposition = Disposition.UNKNOWN
    authorizes_payment: bool = False
    phones: str = ""
    email: str = ""
    do_not_contact: bool = False
    notes: str = ""


class FieldProblems:
    """Collects what is wrong with a form, so every bad field is reported at once.

    >>> p = FieldProblems()
    >>> p.check("amount", parse_amount, "12,5")
    >>> [str(problem) for problem in p.found]
    ["amount: amount is not a number: '12,5' (write e.g. 12000.50)"]
    """

    def __init__(self) -> None:
        self.found: list[Problem] = []

    def check(self, path: str, check: Callable[..., T], value: Any, /, **kwargs: Any) -> T:
        """``check(value, **kwargs)``; on ValueError note a problem at ``path`` (the field).

        After a problem the returned value is meaningless: call :meth:`raise_any`
        before using it.
        """
        try:
            return check(value, **kwargs)
        except ValueError as exc:
            self.found.append(Problem.from_error(path, exc))
            return None  # type: ignore[return-value]

    def raise_any(self) -> None:
        if self.found:
            raise ValidationError(self.found)


def debtor_from_draft(
    draft: DebtorDraft, *, facts: DebtorFacts
) -> tuple[Debtor, tuple[Problem, ...]]:
    """The debtor the form describes (with ``facts``), and warnings to show beside it.

    A credit code with a wrong check character is a warning, kept as typed (some
    early codes fail the GB 32100-2015 checksum but are real); a malformed one is
    a problem.
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
        due_date=draft.due_date,
        status=draft.status,
        assigned_to=assigned,
        facts=facts,
    )
    return debtor, warnings


_PHONE_SEPARATORS = re.compile(r"[\n,，、/]+")


def split_phones(text: str) -> list[str]:
    """The numbers in a phone field: one per line, or separated by commas or slashes.

    >>> split_phones("138 1234 5678, 021-61234567转801\\n")
    ['138 1234 5678', '021-61234567转801']
    """
    return [part.strip() for part in _PHONE_SEPARATORS.split(text) if part.strip()]


def contact_from_draft(draft: ContactDraft, *, region: str) -> Contact:
    """The contact the form describes; phones normalized (numbers without +country are
    read as ``region``'s) and listed once each."""
    p = FieldProblems()
    key = p.check("key", check_key, draft.key)
    name = p.check("name", check_name, draft.name)
    title = p.check("title", check_name, draft.title, field="title", required=False)
    notes = p.check("notes", check_text, draft.notes, field="notes")
    email = p.check("email", check_email, draft.email) if draft.email.strip() else None
    phones: dict[tuple[str, str | None], Phone] = {}
    for i, raw in enumerate(split_phones(draft.phones)):
        phone = p.check(f"phones[{i}]", normalize_phone, raw, region=region)
        if phone is not None:
            phones.setdefault((phone.e164, phone.extension), phone)
    p.raise_any()
    return Contact(
        key=key,
        name=name,
        department=draft.department,
        title=title,
        disposition=draft.disposition,
        authorizes_payment=draft.authorizes_payment,
        phones=tuple(phones.values()),
        email=email,
        do_not_contact=draft.do_not_contact,
        notes=notes,
    )


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
