"""Logging a call: the after-call note, in one transaction.

A collector notes a call in under a minute between calls.  One submit may also
create the person the contact referred us to (and the ``refers_to`` relation to
them) and record what the contact turned out to be like; all of it lands
together or not at all.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy.engine import Engine

from orgmap.domain.model import (
    Channel,
    Contact,
    DebtorMap,
    Department,
    Disposition,
    Interaction,
    Outcome,
    Phone,
    Relation,
    RelationType,
)
from orgmap.domain.validation import (
    Problem,
    ValidationError,
    check_change,
    check_logged_time,
    check_name,
    check_text,
    normalize_phone,
)
from orgmap.store import (
    NotFoundError,
    append_interaction,
    load_map,
    session_scope,
    upsert_contact,
    upsert_relation,
)

__all__ = ["CallReport", "LoggedCall", "NewContact", "log_call", "suggest_contact_key"]

# Channels that use a phone number: a call, an SMS, a WeChat found by the number.
_NUMBER_CHANNELS = frozenset({Channel.PHONE, Channel.SMS, Channel.WECHAT})


@dataclass(frozen=True, slots=True)
class NewContact:
    """Someone we just heard of: typically the person a contact referred us to."""

    name: str
    department: Department = Department.OTHER
    title: str = ""
    phone: str = ""  # as typed; normalized on logging
    email: str | None = None


@dataclass(frozen=True, slots=True)
class CallReport:
    """What a collector records after one call.  Only contact, channel and outcome are needed."""

    contact: str  # key of an existing contact (ignored when ``new_person`` is given)
    channel: Channel
    outcome: Outcome
    note: str = ""
    at: datetime | None = None  # timezone-aware; None means now
    promise_amount: Decimal | None = None
    promise_date: date | None = None
    # The number used, as typed; normalized on logging.  None (or blank) on a call,
    # SMS or WeChat to a contact with exactly one number means that number.
    phone: str | None = None
    disposition: Disposition | None = None  # what the contact turned out to be like
    referred_to: NewContact | None = None
    # The call was with someone not on the map yet: they are added in the same
    # transaction.  A key already taken is replaced by a free one from the name.
    new_person: Contact | None = None


@dataclass(frozen=True, slots=True)
class LoggedCall:
    interaction: Interaction
    new_contact: Contact | None
    duplicate: bool  # the very same call was already logged


def log_call(
    engine: Engine, *, debtor_key: str, report: CallReport, by: str, region: str = "CN"
) -> LoggedCall:
    """Validate ``report`` against the debtor's map and store it, all or nothing.

    Raises :class:`ValidationError` (naming the field) or :class:`NotFoundError`.
    """
    now = datetime.now(UTC)
    at = report.at or now
    if at.tzinfo is None:
        raise ValidationError((Problem.coded("at", "time.needs_timezone"),))
    try:
        check_logged_time(at, now=now)
    except ValueError as exc:
        raise ValidationError((Problem.from_error("at", exc),)) from None
    with session_scope(engine) as session:
        current = load_map(session, debtor_key)
        if current is None:
            raise NotFoundError(f"no debtor with key {debtor_key!r}")
        before, taken = current, {c.key for c in current.contacts}
        if report.new_person is not None:
            person = report.new_person
            if person.key in taken:
                person = replace(person, key=suggest_contact_key(person.name, taken=taken))
            taken.add(person.key)
            current = replace(current, contacts=(*current.contacts, person))
            contact: Contact | None = person
        else:
            contact = current.contact(report.contact)
        if contact is None or contact.archived:
            raise ValidationError(
                (
                    Problem.coded(
                        "contact",
                        "contact.not_at_debtor",
                        contact=repr(report.contact),
                        debtor=repr(debtor_key),
                    ),
                )
            )
        new_contact = _new_contact(report, taken=taken, region=region)
        interaction = Interaction(
            contact=contact.key,
            at=at.astimezone(UTC),
            channel=report.channel,
            outcome=report.outcome,
            by=by,
            note=_checked("note", report.note),
            promise_amount=report.promise_amount,
            promise_date=report.promise_date,
            phone=_number_used(report, contact, region=region),
        )
        updated = _with_changes(current, contact, report, interaction, new_contact)
        if problems := _promise_problems(report):
            raise ValidationError(tuple(problems))
        check_change(before, updated, region=region)

        as_now = replace(contact, disposition=report.disposition or contact.disposition)
        if report.new_person is not None or as_now != contact:
            upsert_contact(
                session, debtor_key=debtor_key, contact=as_now, by=by, expected_version=None
            )
        if new_contact is not None:
            upsert_contact(
                session, debtor_key=debtor_key, contact=new_contact, by=by, expected_version=None
            )
            upsert_relation(
                session,
                debtor_key=debtor_key,
                relation=_referral(contact, new_contact, interaction),
                by=by,
            )
        added = append_interaction(session, debtor_key=debtor_key, interaction=interaction, by=by)
    return LoggedCall(interaction=interaction, new_contact=new_contact, duplicate=not added)


def _checked(field: str, text: str) -> str:
    try:
        return check_text(text)
    except ValueError as exc:
        raise ValidationError((Problem.from_error(field, exc),)) from None


def _number_used(report: CallReport, contact: Contact, *, region: str) -> str | None:
    """The E.164 number the call used, so that a wrong number marks that number only."""
    if report.phone is not None and report.phone.strip():
        try:
            return normalize_phone(report.phone, region=region).e164
        except ValueError as exc:
            raise ValidationError((Problem.from_error("phone", exc),)) from None
    numbers = {p.e164 for p in contact.phones}  # one number may have several extensions
    if report.channel in _NUMBER_CHANNELS and len(numbers) == 1:
        return numbers.pop()
    return None


def _promise_problems(report: CallReport) -> list[Problem]:
    problems = []
    if report.outcome is Outcome.PROMISED and (
        report.promise_amount is None or report.promise_date is None
    ):
        problems.append(Problem.coded("promise", "promise.needs_amount_and_date"))
    if report.outcome is Outcome.REFERRED and report.referred_to is None:
        problems.append(Problem.coded("referred_to", "referral.needs_person"))
    if report.referred_to is not None and report.outcome is not Outcome.REFERRED:
        problems.append(Problem.coded("outcome", "referral.needs_referred"))
    return problems


def _new_contact(report: CallReport, *, taken: set[str], region: str) -> Contact | None:
    new = report.referred_to
    if new is None:
        return None
    problems: list[Problem] = []
    name = title = ""
    phones: tuple[Phone, ...] = ()
    try:
        name = check_name(new.name, field="referred_to.name")
    except ValueError as exc:
        problems.append(Problem.from_error("referred_to.name", exc))
    try:
        title = check_name(new.title, field="referred_to.title", required=False)
    except ValueError as exc:
        problems.append(Problem.from_error("referred_to.title", exc))
    if new.phone.strip():
        try:
            phones = (normalize_phone(new.phone, region=region),)
        except ValueError as exc:
            problems.append(Problem.from_error("referred_to.phone", exc))
    if problems:
        raise ValidationError(tuple(problems))
    return Contact(
        key=suggest_contact_key(name, taken=taken),
        name=name,
        title=title,
        department=new.department,
        phones=phones,
        email=(new.email or None),
    )


def _referral(source: Contact, target: Contact, interaction: Interaction) -> Relation:
    when = interaction.at.date().isoformat()
    return Relation(source=source.key, target=target.key, type=RelationType.REFERS_TO, note=when)


def _with_changes(
    current: DebtorMap,
    contact: Contact,
    report: CallReport,
    interaction: Interaction,
    new_contact: Contact | None,
) -> DebtorMap:
    """The map as it will be after the call: validated before anything is written."""
    contacts = list(current.contacts)
    relations = list(current.relations)
    if report.disposition is not None:
        contacts = [
            replace(c, disposition=report.disposition) if c == contact else c for c in contacts
        ]
    if new_contact is not None:
        contacts.append(new_contact)
        relations.append(_referral(contact, new_contact, interaction))
    return replace(
        current,
        contacts=tuple(contacts),
        relations=tuple(relations),
        interactions=(*current.interactions, interaction),
    )


def suggest_contact_key(name: str, *, taken: set[str]) -> str:
    """A free contact key from a name: ASCII names slugged, others numbered.

    >>> suggest_contact_key("Li Ming", taken={"li-ming"})
    'li-ming-2'
    >>> suggest_contact_key("王芳", taken=set())
    'contact-1'
    """
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:48] or "contact"
    if base != "contact" and base not in taken:
        return base
    n = 1 if base == "contact" else 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"
