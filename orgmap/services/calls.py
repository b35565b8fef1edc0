"""Logging a call: the after-call note, in one short transaction.

A collector notes a call in under a minute between calls.  One submit may also
record every relation the call revealed: the person the contact referred us to
(``refers_to``; flagged as authorizer when the contact said they authorize
payment) and the person they passed us to (``passes_buck_to``), each either
picked from the map or typed in (someone of exactly that name already on the
map is linked rather than added twice); the new person the call was with; and
what the contact turned out to be like.  All of it lands together or not at all.

The write costs what it writes, not what the map holds: everything typed is
checked before the transaction; inside it the called contact is read by key
(its id, state and numbers, in the same statement as the debtor's owner), the
call is appended, and a disposition is set with a column-targeted update, so a
colleague's edit of the same contact committed in between is never undone.
Plain calls logged at the same moment by other sessions of the app share one
commit (:mod:`orgmap.store.group_commit`); each is still all or nothing on its own.

The collector acts as ``actor`` (:class:`~orgmap.domain.access.Actor`, who
needs :attr:`~orgmap.domain.access.Action.LOG_CALL` on the debtor, decided inside
the transaction before anything is written); each record the call
adds or changes gets its history row in the same transaction (the call itself:
"create", entity "call", keyed by its fingerprint).  Logging calls never
conflicts: a call is appended, never an update of a version someone else holds.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from orgmap import store
from orgmap.domain.access import Action, Actor
from orgmap.domain.contact_draft import ContactDraft, contact_from_draft
from orgmap.domain.fields import check_logged_time, check_text, normalize_phone, parse_date
from orgmap.domain.model import (
    Channel,
    Contact,
    Debtor,
    DebtorMap,
    Department,
    Disposition,
    Interaction,
    Outcome,
    Relation,
    RelationType,
)
from orgmap.domain.validation import Problem, ValidationError, check_change
from orgmap.services.authz import authorize, authorize_with_contact
from orgmap.services.changes import (
    call_record,
    fingerprint_of,
    record_change,
    relation_key,
    relation_record,
)
from orgmap.services.contacts import add_person, add_to_person, not_on_map

__all__ = ["CallReport", "LoggedCall", "log_call"]

# Channels that use a phone number: a call, an SMS, a WeChat found by the number.
_NUMBER_CHANNELS = frozenset({Channel.PHONE, Channel.SMS, Channel.WECHAT})
#: The key typed people are checked with before their real key is chosen.
_UNCHOSEN_KEY = "new"


@dataclass(frozen=True, slots=True)
class CallReport:
    """What a collector records after one call.  Only contact, channel and outcome are needed."""

    contact: str  # key of an existing contact (ignored when ``new_person`` is given)
    channel: Channel
    outcome: Outcome
    note: str = ""
    # Timezone-aware; None means now.  Like ``promise_date``, its UTC date must lie from
    # fields.EARLIEST_DATE to fields.LATEST_DATE (checked by log_call, however it was made).
    at: datetime | None = None
    promise_amount: Decimal | None = None
    promise_date: date | None = None
    # The number used, as typed; normalized on logging.  None (or blank) on a call,
    # SMS or WeChat to a contact with exactly one number means that number.
    phone: str | None = None
    disposition: Disposition | None = None  # what the contact turned out to be like
    # Who they referred us to (outcome ``referred``): a contact's key, or someone typed in.
    referred_to: ContactDraft | str | None = None
    # They said the person referred to authorizes payment: flagged so.
    referred_authorizes: bool = False
    # Who they passed us to (``passes_buck_to``; any outcome): a contact's key, or typed in.
    passed_to: ContactDraft | str | None = None
    # The call was with someone not on the map yet: they are added in the same
    # transaction, with a free key made from the name unless the draft has one.
    new_person: ContactDraft | None = None


@dataclass(frozen=True, slots=True)
class LoggedCall:
    interaction: Interaction
    new_contact: Contact | None  # the person referred to, when the call added them
    duplicate: bool  # the very same call was already logged
    new_passed: Contact | None = None  # the person passed to, when the call added them


def log_call(
    engine: Engine, *, debtor_key: str, report: CallReport, actor: Actor, region: str
) -> LoggedCall:
    """Check ``report`` and store it as logged by ``actor``, all or nothing.

    Raises :class:`ValidationError` (naming the field), :class:`NotFoundError`
    (no such debtor, or one hidden from ``actor``) or
    :class:`~orgmap.domain.access.AccessDeniedError` (a viewer).
    A referral to a name already on the map (or being added by a colleague at
    this moment) links to that contact instead of adding a second one.
    """
    by = actor.name
    now = datetime.now(UTC)
    at = _call_time(report, now=now)
    try:
        note = check_text(report.note)
    except ValueError as exc:
        raise ValidationError((Problem.from_error("note", exc),)) from None
    if problems := _promise_problems(report):
        raise ValidationError(tuple(problems))
    person = _typed_person(report.new_person, "new_person", region=region)
    referred = _named_person(
        report.referred_to, "referred_to", region=region, authorizes=report.referred_authorizes
    )
    passed = _named_person(report.passed_to, "passed_to", region=region)
    typed_phone = _typed_phone(report.phone, region=region)
    called_key = person.key if person is not None else report.contact
    if person is None and (self_named := _naming(called_key, referred, passed)):
        raise ValidationError([Problem.coded(path, "relation.self") for path in self_named])
    interaction = Interaction(
        contact=called_key,
        at=at,
        channel=report.channel,
        outcome=report.outcome,
        by=by,
        note=note,
        promise_amount=report.promise_amount,
        promise_date=report.promise_date,
        phone=typed_phone,
    )
    _check_records(
        debtor_key, interaction, person=person, referred=referred, passed=passed, region=region
    )

    def store_call(connection: sa.Connection) -> LoggedCall:
        """The transaction's body: it may run twice (see :mod:`orgmap.store.group_commit`)."""
        if person is not None:
            owner, _ = authorize(connection, actor, Action.LOG_CALL, debtor_key)
            contact_id, key, _ = add_person(
                connection,
                person,
                debtor_id=owner,
                by=by,
                now=now,
                keyed=bool(report.new_person and report.new_person.key.strip()),
                reuse_same_name=False,
            )
            called = replace(person, key=key)
        else:
            owner, found = authorize_with_contact(
                connection, actor, Action.LOG_CALL, debtor_key, report.contact
            )
            if found is None or found.contact.archived:
                raise not_on_map(report.contact, debtor_key, field="contact")
            contact_id, called = found.id, found.contact
            if (
                report.disposition is not None
                and store.set_disposition(
                    connection,
                    contact_id=contact_id,
                    disposition=report.disposition,
                    by=by,
                    now=now,
                )
                is not None
            ):
                record_change(
                    connection,
                    by=by,
                    action="edit",
                    entity="contact",
                    key=called.key,
                    debtor_id=owner,
                    before={"disposition": called.disposition.value},
                    after={"disposition": report.disposition.value},
                )
        logged = replace(
            interaction, contact=called.key, phone=typed_phone or _only_number(report, called)
        )
        new_contact = new_passed = None
        if referred is not None:
            new_contact = _link(
                connection,
                (called, contact_id),
                referred,
                _relation(RelationType.REFERS_TO, called.key, logged),
                path="referred_to",
                authorizes=report.referred_authorizes,
                debtor_id=owner,
                by=by,
            )
        if passed is not None:
            new_passed = _link(
                connection,
                (called, contact_id),
                passed,
                _relation(RelationType.PASSES_BUCK_TO, called.key, logged),
                path="passed_to",
                debtor_id=owner,
                by=by,
            )
        added = store.append_call(
            connection, logged, debtor_id=owner, contact_id=contact_id, by=by, now=now
        )
        if added:
            record_change(
                connection,
                by=by,
                action="create",
                entity="call",
                key=fingerprint_of(logged),
                debtor_id=owner,
                after=call_record(logged),
            )
        return LoggedCall(
            interaction=logged,
            new_contact=new_contact,
            duplicate=not added,
            new_passed=new_passed,
        )

    # Calls logged at the same moment by other sessions share one commit; one that also
    # updates a contact or adds people or relations takes row locks, so it runs alone.
    locks = report.disposition is not None or any(x is not None for x in (person, referred, passed))
    return store.write_together(engine, store_call, alone=locks)


def _call_time(report: CallReport, *, now: datetime) -> datetime:
    """The call's time in UTC: aware, within the accepted dates, not in the future.

    Checked here and not only where text is parsed: a CallReport built in code
    (year 1 included) must not reach the date arithmetic of the map checks.
    """
    at = report.at or now
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValidationError((Problem.coded("at", "time.needs_timezone"),))
    try:
        check_logged_time(at, now=now)
    except ValueError as exc:
        raise ValidationError((Problem.from_error("at", exc),)) from None
    return at.astimezone(UTC)


def _typed_person(draft: ContactDraft | None, path: str, *, region: str) -> Contact | None:
    """The person a draft describes, checked like any contact; key chosen later if blank."""
    if draft is None:
        return None
    key = draft.key.strip() or _UNCHOSEN_KEY
    try:
        return contact_from_draft(replace(draft, key=key), region=region, path=path)
    except ValidationError as exc:
        if len(draft.phones) != 1:
            raise
        # The call form has one phone box: name it as the form does, not as a list.
        one = {f"{path}.phones[0]": f"{path}.phone"}
        raise ValidationError(
            [replace(p, path=one.get(p.path, p.path)) for p in exc.problems]
        ) from None


def _named_person(
    named: ContactDraft | str | None, path: str, *, region: str, authorizes: bool = False
) -> Contact | str | None:
    """A person named in the call: a contact's key as given, or the typed person checked."""
    if named is None or isinstance(named, str):
        return named
    return _typed_person(
        replace(named, authorizes_payment=named.authorizes_payment or authorizes),
        path,
        region=region,
    )


def _naming(key: str, referred: Contact | str | None, passed: Contact | str | None) -> list[str]:
    """The fields that pick the called contact ``key`` itself (a relation to oneself)."""
    return [
        path for path, named in (("referred_to", referred), ("passed_to", passed)) if named == key
    ]


def _typed_phone(phone: str | None, *, region: str) -> str | None:
    """The E.164 number the collector said the call used, so a wrong number marks that one."""
    if phone is None or not phone.strip():
        return None
    try:
        return normalize_phone(phone, region=region).e164
    except ValueError as exc:
        raise ValidationError((Problem.from_error("phone", exc),)) from None


def _only_number(report: CallReport, contact: Contact) -> str | None:
    """The contact's one number, when the call used a number and they have just one."""
    numbers = {p.e164 for p in contact.phones}  # one number may have several extensions
    if report.channel in _NUMBER_CHANNELS and len(numbers) == 1:
        return numbers.pop()
    return None


def _promise_problems(report: CallReport) -> list[Problem]:
    problems = []
    if report.promise_date is not None:
        try:
            parse_date(report.promise_date, field="promise_date")
        except ValueError as exc:
            problems.append(Problem.from_error("promise_date", exc))
    if report.outcome is Outcome.PROMISED and (
        report.promise_amount is None or report.promise_date is None
    ):
        problems.append(Problem.coded("promise", "promise.needs_amount_and_date"))
    if report.referred_to is None and (
        report.outcome is Outcome.REFERRED or report.referred_authorizes
    ):
        problems.append(Problem.coded("referred_to", "referral.needs_person"))
    # "She sent me to finance and promised 50k by the month's end": a promise with a
    # referral is logged as the promise, the referral as its relation.
    if report.referred_to is not None and report.outcome not in (
        Outcome.REFERRED,
        Outcome.PROMISED,
    ):
        problems.append(Problem.coded("outcome", "referral.needs_referred"))
    return problems


def _relation(type_: RelationType, source: str, interaction: Interaction) -> Relation:
    """The relation the call revealed from ``source``, its target chosen later; dated."""
    when = interaction.at.date().isoformat()
    return Relation(source=source, target="", type=type_, note=when)


def _check_records(
    debtor_key: str,
    interaction: Interaction,
    *,
    person: Contact | None,
    referred: Contact | str | None,
    passed: Contact | str | None,
    region: str,
) -> None:
    """The records this call adds, checked as the map checks them, before any write.

    Only the call's neighbourhood is checked, not the map: the called contact
    and anyone picked from the map (stand-ins: their stored fields are not
    this call's business) and what the call adds.
    """
    debtor = Debtor(key=debtor_key, name=debtor_key or "-", amount_owed=Decimal(0))
    called = person or Contact(key=interaction.contact, name="-", department=Department.OTHER)
    before = [called] if person is None else []
    added = [called] if person is not None else []
    relations = []
    for named, type_ in ((referred, RelationType.REFERS_TO), (passed, RelationType.PASSES_BUCK_TO)):
        if named is None:
            continue
        if isinstance(named, str):
            target = Contact(key=named, name="-", department=Department.OTHER)
            if target.key != called.key and target not in before:
                before.append(target)
        else:
            target = replace(named, key=f"{_UNCHOSEN_KEY}-{type_.value.replace('_', '-')}")
            added.append(target)
        relations.append(replace(_relation(type_, called.key, interaction), target=target.key))
    after = DebtorMap(
        debtor,
        contacts=(*before, *added),
        relations=tuple(relations),
        interactions=(interaction,),
    )
    check_change(DebtorMap(debtor, contacts=tuple(before)), after, region=region)


def _link(
    connection: sa.Connection,
    called: tuple[Contact, int],
    named: Contact | str,
    relation: Relation,
    *,
    path: str,
    authorizes: bool = False,
    debtor_id: int,
    by: str,
) -> Contact | None:
    """Link ``relation`` from the called contact to ``named``: a contact of the map (by key),
    or a typed person put on the map (or found there by name, and given what they add).

    A picked contact who is not (or no longer) on the map is refused, naming
    ``path``; with ``authorizes`` a picked contact is flagged as authorizer.
    The person as added, or ``None`` when they were already on the map.
    """
    now = store.now_utc()
    source, source_id = called
    if isinstance(named, str):
        stored = store.find_contact(connection, debtor_id=debtor_id, key=named)
        if stored is None or stored.contact.archived:
            raise ValidationError((_not_current(path, named, stored),))
        target_id, key, created = stored.id, named, False
        if authorizes and not stored.contact.authorizes_payment:
            flag = replace(stored.contact, phones=(), email=None, authorizes_payment=True)
            add_to_person(connection, key, flag, debtor_id=debtor_id, by=by, now=now)
    else:
        target_id, key, created = add_person(
            connection,
            named,
            debtor_id=debtor_id,
            by=by,
            now=now,
            keyed=False,
            reuse_same_name=True,
        )
    linked = replace(relation, source=source.key, target=key)
    if target_id != source_id and store.insert_relation_once(
        connection,
        linked,
        debtor_id=debtor_id,
        source_id=source_id,
        target_id=target_id,
        by=by,
        now=now,
    ):
        record_change(
            connection,
            by=by,
            action="create",
            entity="relation",
            key=relation_key(linked.source, linked.target, linked.type.value),
            debtor_id=debtor_id,
            after=relation_record(linked),
        )
    return replace(named, key=key) if created and isinstance(named, Contact) else None


def _not_current(path: str, key: str, stored: store.StoredContact | None) -> Problem:
    if stored is None:
        return Problem.coded(path, "contact.no_such_key", value=repr(key))
    return Problem.coded(path, "contact.archived", key=repr(key))
