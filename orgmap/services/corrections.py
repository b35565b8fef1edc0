"""Correcting or voiding a logged call, and the call list that shows calls as they stand.

A correction never edits a record: it adds one that supersedes it
(:mod:`orgmap.domain.calls`), so the history keeps both.  Each write checks what
was typed the way :func:`orgmap.services.calls.log_call` does (the note, the time
of the call, the promise, the person), then in one short transaction reads the
one record it corrects (and, when the person changes, that person) and inserts
one row.  A record someone else superseded in the meantime is refused with a
clear message and nothing is written; the same correction submitted twice is
stored once.

Correcting and voiding need :attr:`~orgmap.domain.access.Action.LOG_CALL` (the
right to log calls is the right to fix them), the call list
:attr:`~orgmap.domain.access.Action.READ`; each is asked inside the transaction
or snapshot first.  A correction writes one history row ("correct": the fields
it changed, before and after; "void": the call withdrawn), keyed by the
fingerprint of the record it supersedes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from orgmap import store
from orgmap.domain.access import Action, Actor, mask_email, mask_phone, masks_contact_details
from orgmap.domain.calls import call_fingerprint, corrected, voided
from orgmap.domain.fields import check_logged_time, check_text, parse_date
from orgmap.domain.model import (
    Channel,
    Contact,
    Debtor,
    DebtorMap,
    Department,
    Interaction,
    Outcome,
)
from orgmap.domain.validation import Problem, ValidationError, check_change
from orgmap.services.authz import authorize
from orgmap.services.changes import call_record, record_change, record_edit
from orgmap.services.contacts import current_contact
from orgmap.store.interactions import find_call_of

__all__ = [
    "CallChange",
    "CallEntry",
    "CallList",
    "CorrectedCall",
    "HistoryEntry",
    "correct_call",
    "list_calls",
    "void_call",
]

_V = TypeVar("_V")

#: Calls per page of the call list.
PER_PAGE = 20
# Channels that use a phone number (as in log_call): the number goes with the person.
_NUMBER_CHANNELS = frozenset({Channel.PHONE, Channel.SMS, Channel.WECHAT})


@dataclass(frozen=True, slots=True)
class CallChange:
    """What a correction sets; ``None`` keeps the value as logged.

    The promise follows the outcome: kept (or replaced by the amount and date
    given) while the outcome is "promised", dropped when it no longer is.
    """

    contact: str | None = None  # key of a contact of the same debtor
    at: datetime | None = None  # timezone-aware
    outcome: Outcome | None = None
    note: str | None = None
    promise_amount: Decimal | None = None
    promise_date: date | None = None


@dataclass(frozen=True, slots=True)
class CorrectedCall:
    interaction: Interaction  # the new record (a correction or a void)
    fingerprint: str
    duplicate: bool  # the very same record was already stored: nothing added


def correct_call(
    engine: Engine,
    *,
    debtor_key: str,
    original: str,
    change: CallChange,
    actor: Actor,
    region: str,
) -> CorrectedCall:
    """Supersede the call whose fingerprint is ``original`` with a corrected record.

    All or nothing.  Raises :class:`ValidationError` naming the field (nothing
    changed, a bad note or time, a promise without amount or date, a person not
    at the debtor, or the call already corrected by someone else) or
    :class:`NotFoundError` for an unknown (or hidden) debtor or call;
    :class:`~orgmap.domain.access.AccessDeniedError` for a viewer.
    """
    by = actor.name
    now = datetime.now(UTC)
    problems: list[Problem] = []
    note = _checked(problems, "note", check_text, change.note)
    at = _call_time(problems, change.at, now=now)
    _checked(problems, "promise_date", parse_date, change.promise_date, field="promise_date")
    if problems:
        raise ValidationError(problems)

    with store.transaction(engine) as connection:
        owner, _ = authorize(connection, actor, Action.LOG_CALL, debtor_key)
        stored = find_call_of(connection, debtor_id=owner, fingerprint=original)
        _refuse_void(stored)
        before = stored.interaction
        contact_id, called = stored.contact_id, None
        if change.contact is not None and change.contact != before.contact:
            found = current_contact(
                connection,
                debtor_id=owner,
                key=change.contact,
                debtor_key=debtor_key,
                field="contact",
            )
            contact_id, called = found.id, found.contact
        record = _corrected_record(before, change, called, note=note, at=at, by=by)
        if _superseded(stored, record):
            return CorrectedCall(record, call_fingerprint(record), duplicate=True)
        _check_record(debtor_key, before, record, region=region)
        added = _append(
            connection, record, debtor_key=debtor_key, stored=stored, contact_id=contact_id, by=by
        )
        if added:
            record_edit(
                connection,
                by=by,
                action="correct",
                entity="call",
                key=stored.fingerprint,
                debtor_id=owner,
                before=call_record(before),
                after=call_record(record),
            )
    return CorrectedCall(record, call_fingerprint(record), duplicate=not added)


def void_call(
    engine: Engine, *, debtor_key: str, original: str, actor: Actor, reason: str = ""
) -> CorrectedCall:
    """Withdraw the call whose fingerprint is ``original`` (it did not happen as logged).

    The call stays in the history with a void record after it, ``reason`` as its
    note; routing, the contact card and the call list no longer count it.  All
    or nothing, refused like :func:`correct_call` when someone superseded it first.
    """
    by = actor.name
    problems: list[Problem] = []
    note = _checked(problems, "note", check_text, reason)
    if problems:
        raise ValidationError(problems)
    with store.transaction(engine) as connection:
        owner, _ = authorize(connection, actor, Action.LOG_CALL, debtor_key)
        stored = find_call_of(connection, debtor_id=owner, fingerprint=original)
        _refuse_void(stored)
        record = voided(stored.interaction, by=by, note=note)
        if _superseded(stored, record):
            return CorrectedCall(record, call_fingerprint(record), duplicate=True)
        added = _append(
            connection,
            record,
            debtor_key=debtor_key,
            stored=stored,
            contact_id=stored.contact_id,
            by=by,
        )
        if added:
            record_change(
                connection,
                by=by,
                action="void",
                entity="call",
                key=stored.fingerprint,
                debtor_id=owner,
                before=call_record(stored.interaction),
                after={"void": True, "reason": note},
            )
    return CorrectedCall(record, call_fingerprint(record), duplicate=not added)


def _checked(
    problems: list[Problem], name: str, check: Callable[..., Any], value: Any, **kwargs: Any
) -> Any:
    """``check(value)`` unless ``value`` is None; a failure becomes a problem at ``name``."""
    if value is None:
        return None
    try:
        return check(value, **kwargs)
    except ValueError as exc:
        problems.append(Problem.from_error(name, exc))
        return None


def _call_time(problems: list[Problem], at: datetime | None, *, now: datetime) -> datetime | None:
    """The corrected time in UTC, checked as a logged call's time is."""
    if at is None:
        return None
    if at.tzinfo is None or at.utcoffset() is None:
        problems.append(Problem.coded("at", "time.needs_timezone"))
        return None
    checked = _checked(problems, "at", check_logged_time, at, now=now)
    return None if checked is None else checked.astimezone(UTC)


def _refuse_void(stored: store.StoredCall) -> None:
    if stored.interaction.void:
        raise ValidationError((Problem.coded("original", "correction.of_void"),))


def _superseded(stored: store.StoredCall, record: Interaction) -> bool:
    """``True`` when ``record`` itself already supersedes the call (a double submit);
    refused when another record does (a colleague was first)."""
    if stored.successor is None:
        return False
    if stored.successor == call_fingerprint(record):
        return True
    raise _conflict(stored.successor_by)


def _conflict(by: str) -> ValidationError:
    return ValidationError((Problem.coded("original", "correction.superseded", by=by or "?"),))


def _corrected_record(
    before: Interaction,
    change: CallChange,
    called: Contact | None,
    *,
    note: str | None,
    at: datetime | None,
    by: str,
) -> Interaction:
    """The correction of ``before``; refused when it changes nothing or breaks the promise rules."""
    outcome = change.outcome or before.outcome
    promised = outcome is Outcome.PROMISED
    values = {
        "contact": before.contact if called is None else called.key,
        "at": before.at if at is None else at,
        "outcome": outcome,
        "note": before.note if note is None else note,
        "promise_amount": _given(change.promise_amount, before.promise_amount)
        if promised
        else None,
        "promise_date": _given(change.promise_date, before.promise_date) if promised else None,
    }
    if called is not None:  # the number went with the person it was logged against
        numbers = {p.e164 for p in called.phones}
        only = numbers.pop() if before.channel in _NUMBER_CHANNELS and len(numbers) == 1 else None
        values["phone"] = only
    record = corrected(before, by=by, **values)
    problems = []
    if replace(record, by=before.by, corrects=before.corrects) == before:
        problems.append(Problem.coded("", "correction.no_change"))
    if promised and (record.promise_amount is None or record.promise_date is None):
        problems.append(Problem.coded("promise", "promise.needs_amount_and_date"))
    if outcome is Outcome.REFERRED and before.outcome is not Outcome.REFERRED:
        # A referral names the person referred to: the call form adds them and the link.
        problems.append(Problem.coded("outcome", "referral.needs_person"))
    if problems:
        raise ValidationError(problems)
    return record


def _given(value: _V | None, logged: _V | None) -> _V | None:
    return logged if value is None else value


def _check_record(
    debtor_key: str, before: Interaction, record: Interaction, *, region: str
) -> None:
    """The new record checked as the map checks it: only it and what it hangs on."""
    debtor = Debtor(key=debtor_key, name=debtor_key or "-", amount_owed=Decimal(0))
    people = {before.contact, record.contact}
    contacts = tuple(Contact(key=k, name="-", department=Department.OTHER) for k in sorted(people))
    was = DebtorMap(debtor, contacts=contacts, interactions=(before,))
    check_change(was, replace(was, interactions=(before, record)), region=region)


def _append(
    connection: sa.Connection,
    record: Interaction,
    *,
    debtor_key: str,
    stored: store.StoredCall,
    contact_id: int,
    by: str,
) -> bool:
    try:
        return store.append_correction(
            connection,
            record,
            debtor_key=debtor_key,
            original=stored,
            contact_id=contact_id,
            by=by,
            now=store.now_utc(),
        )
    except store.SupersededError as exc:
        raise _conflict(exc.by) from None


# -- the call list ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One record of a call's history."""

    fingerprint: str
    interaction: Interaction
    contact_name: str


@dataclass(frozen=True, slots=True)
class CallEntry:
    """A call as it stands (its latest record) and its history, original first."""

    fingerprint: str
    call: Interaction
    contact_name: str
    history: tuple[HistoryEntry, ...]  # ends with this record; one entry when never corrected

    @property
    def corrected(self) -> bool:
        return len(self.history) > 1


@dataclass(frozen=True, slots=True)
class CallList:
    total: int  # current calls of the debtor
    page: int  # 0-based, within range
    pages: int
    calls: tuple[CallEntry, ...]  # newest first
    contacts: tuple[Contact, ...]  # whom a call can be corrected to: the current contacts


def list_calls(
    engine: Engine, debtor_key: str, *, actor: Actor, page: int = 0, per_page: int = PER_PAGE
) -> CallList:
    """One page of the debtor's current calls, newest first, each with its history.

    Costs the rows shown: the count, the page, a query per generation of the
    shown calls' corrections, and the debtor's contacts for the form.
    :class:`NotFoundError` for an unknown debtor, or one hidden from ``actor``;
    a viewer sees the numbers masked.
    """
    with store.snapshot(engine) as connection:
        debtor_id, _ = authorize(connection, actor, Action.READ, debtor_key)
        total = store.count_current_calls(connection, debtor_id=debtor_id)
        pages = max(1, -(-total // per_page))
        page = min(max(page, 0), pages - 1)
        shown = store.list_current_calls(
            connection, debtor_id=debtor_id, offset=page * per_page, limit=per_page
        )
        earlier = store.call_ancestors(
            connection,
            debtor_id=debtor_id,
            fingerprints=[c.interaction.corrects for c in shown if c.interaction.corrects],
        )
        contacts = store.stored_contacts(connection, debtor_id=debtor_id)
    entries = []
    for listed in shown:
        chain = [listed]
        while (back := chain[0].interaction.corrects) is not None and back in earlier:
            chain.insert(0, earlier[back])
        history = tuple(HistoryEntry(c.fingerprint, c.interaction, c.contact_name) for c in chain)
        entries.append(
            CallEntry(listed.fingerprint, listed.interaction, listed.contact_name, history)
        )
    current = tuple(s.contact for s in contacts.values() if not s.contact.archived)
    listing = CallList(total=total, page=page, pages=pages, calls=tuple(entries), contacts=current)
    return _masked(listing) if masks_contact_details(actor) else listing


def _masked(listing: CallList) -> CallList:
    """``listing`` with every phone number masked (what a viewer sees)."""

    def call(i: Interaction) -> Interaction:
        return i if i.phone is None else replace(i, phone=mask_phone(i.phone))

    def person(c: Contact) -> Contact:
        return replace(
            c,
            phones=tuple(replace(p, e164=mask_phone(p.e164)) for p in c.phones),
            email=None if c.email is None else mask_email(c.email),
        )

    entries = tuple(
        replace(
            e,
            call=call(e.call),
            history=tuple(replace(h, interaction=call(h.interaction)) for h in e.history),
        )
        for e in listing.calls
    )
    return replace(listing, calls=entries, contacts=tuple(person(c) for c in listing.contacts))
