"""Editing a debtor's map from the app's forms: one use case, one transaction, checked first.

Every function here takes what a collector typed (a *draft*, see
:mod:`orgmap.services.drafts`), turns it into domain values, checks the map as it
would be after the change with :func:`~orgmap.domain.validation.validate_map`
(refusing the problems the change brings, not older ones), and only then
writes, in the same transaction.  Bad input raises :class:`ValidationError`
whose problems name the field; a record changed by someone else since the form
was filled raises :class:`~orgmap.store.StaleVersionError`; a missing debtor
:class:`~orgmap.store.NotFoundError`.  Nothing is written in any of these cases.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Engine

from orgmap import store
from orgmap.domain.model import (
    Contact,
    DebtorFacts,
    DebtorMap,
    Relation,
    RelationType,
)
from orgmap.domain.validation import (
    Problem,
    ValidationError,
    check_change,
    check_text,
    validate_map,
)
from orgmap.services.calls import CallReport, LoggedCall, log_call, suggest_contact_key
from orgmap.services.drafts import (
    ContactDraft,
    DebtorDraft,
    FieldProblems,
    contact_from_draft,
    debtor_from_draft,
    facts_from_form,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = [
    "FACT_COUNT",
    "ContactDraft",
    "DebtorDraft",
    "DuplicatePair",
    "Saved",
    "add_contact",
    "add_relation",
    "archive_contact",
    "archive_relation",
    "create_debtor",
    "edit_contact",
    "edit_debtor",
    "facts_known",
    "log_call_to_new_contact",
    "merge_contacts",
    "record_versions",
    "same_phone_pairs",
    "update_facts",
]

#: How many article-5 facts the checklist asks for.
FACT_COUNT = len(fields(DebtorFacts))


@dataclass(frozen=True, slots=True)
class Saved:
    """What a change did: the record's key, its version now, and any warnings to show."""

    key: str
    version: int
    warnings: tuple[Problem, ...] = ()


@dataclass(frozen=True, slots=True)
class DuplicatePair:
    """Two current contacts of one debtor sharing a phone number: maybe the same person."""

    first: Contact
    second: Contact
    phone: str  # the shared number, E.164


# --- debtors ---------------------------------------------------------------------


def create_debtor(engine: Engine, *, draft: DebtorDraft, by: str) -> Saved:
    """Add a new debtor (no contacts yet).  A taken key is a problem named ``key``."""
    debtor, warnings = debtor_from_draft(draft, facts=DebtorFacts())
    _raise_if(validate_map(DebtorMap(debtor=debtor)))
    with store.session_scope(engine) as session:
        try:
            version = store.create_debtor(session, debtor, by=by)
        except store.AlreadyExistsError:
            taken = Problem.coded("key", "debtor.key_taken", key=repr(debtor.key))
            raise ValidationError((taken,)) from None
    return Saved(debtor.key, version, warnings)


def edit_debtor(
    engine: Engine, *, debtor_key: str, draft: DebtorDraft, by: str, expected_version: int | None
) -> Saved:
    """Change a debtor's details; its key and its facts stay as they are.

    ``expected_version`` is the version the form was filled from (None: no check).
    """
    with _editing(engine, debtor_key) as (session, current):
        debtor, warnings = debtor_from_draft(
            replace(draft, key=debtor_key), facts=current.debtor.facts
        )
        check_change(current, replace(current, debtor=debtor))
        version = store.update_debtor(session, debtor, by=by, expected_version=expected_version)
    return Saved(debtor_key, version, warnings)


def update_facts(
    engine: Engine,
    *,
    debtor_key: str,
    facts: DebtorFacts,
    by: str,
    expected_version: int | None,
    region: str = "CN",
) -> Saved:
    """Store the article-5 checklist; the mobile is normalized, the email checked.

    ``expected_version`` is the debtor's version the form was filled from (None: no check).
    """
    clean = facts_from_form(facts, region=region)
    with _editing(engine, debtor_key) as (session, current):
        debtor = replace(current.debtor, facts=clean)
        check_change(current, replace(current, debtor=debtor), region=region)
        version = store.update_debtor(session, debtor, by=by, expected_version=expected_version)
    return Saved(debtor_key, version)


def facts_known(facts: DebtorFacts) -> int:
    """How many of the :data:`FACT_COUNT` facts are established.

    A story counts when written, a yes/no question when answered either way, a
    "verified" box when ticked.

    >>> facts_known(DebtorFacts(who_pays="finance", money_in_account=False))
    2
    """
    known = 0
    for f in fields(DebtorFacts):
        value = getattr(facts, f.name)
        known += value is not None if f.name in _YES_NO_FACTS else bool(value)
    return known


_YES_NO_FACTS = frozenset({"money_in_account", "salaries_on_time", "leaders_aware"})


# --- contacts --------------------------------------------------------------------


def add_contact(
    engine: Engine, *, debtor_key: str, draft: ContactDraft, by: str, region: str = "CN"
) -> Saved:
    """Add a contact; without a key one is made from the name.  A taken key is refused."""
    with _editing(engine, debtor_key) as (session, current):
        taken = {c.key for c in current.contacts}
        key = draft.key.strip() or suggest_contact_key(draft.name, taken=taken)
        contact = contact_from_draft(replace(draft, key=key), region=region)
        if key in taken:
            raise ValidationError((Problem.coded("key", "contact.key_taken", key=repr(key)),))
        check_change(current, replace(current, contacts=(*current.contacts, contact)))
        version = store.upsert_contact(
            session, debtor_key=debtor_key, contact=contact, by=by, expected_version=None
        )
    return Saved(key, version)


def edit_contact(
    engine: Engine,
    *,
    debtor_key: str,
    draft: ContactDraft,
    by: str,
    expected_version: int | None,
    region: str = "CN",
) -> Saved:
    """Change a contact (``draft.key`` names it); its archived flag is kept.

    ``expected_version`` is the version the form was filled from (None: no check).
    """
    with _editing(engine, debtor_key) as (session, current):
        old = _existing_contact(current, draft.key)
        contact = replace(contact_from_draft(draft, region=region), archived=old.archived)
        contacts = tuple(contact if c.key == old.key else c for c in current.contacts)
        check_change(current, replace(current, contacts=contacts))
        version = store.upsert_contact(
            session,
            debtor_key=debtor_key,
            contact=contact,
            by=by,
            expected_version=expected_version,
        )
    return Saved(contact.key, version)


def archive_contact(
    engine: Engine,
    *,
    debtor_key: str,
    contact_key: str,
    by: str,
    expected_version: int | None = None,
) -> Saved:
    """Take a contact off the map and out of routes; their history is kept."""
    with _editing(engine, debtor_key) as (session, current):
        _existing_contact(current, contact_key)
        version = store.archive_contact(
            session, debtor_key, contact_key, by=by, expected_version=expected_version
        )
    return Saved(contact_key, version)


def merge_contacts(engine: Engine, *, debtor_key: str, keep: str, drop: str, by: str) -> Saved:
    """Fold ``drop`` into ``keep`` (one person entered twice): calls and relations move to
    ``keep``, ``drop`` is archived, so both histories are kept."""
    if keep == drop:
        raise ValidationError((Problem.coded("drop", "merge.same_contact"),))
    with _editing(engine, debtor_key) as (session, current):
        for field, key in (("keep", keep), ("drop", drop)):
            if _existing_contact(current, key, field=field).archived:
                raise ValidationError((Problem.coded(field, "contact.archived", key=repr(key)),))
        version = store.merge_contacts(session, debtor_key, keep=keep, drop=drop, by=by)
    return Saved(keep, version)


def same_phone_pairs(m: DebtorMap) -> list[DuplicatePair]:
    """Pairs of current contacts who share a phone number, in map order.

    >>> from decimal import Decimal
    >>> from orgmap.domain.model import Debtor, Department, Phone
    >>> p = (Phone("+8613812345678"),)
    >>> m = DebtorMap(Debtor("d", "D", Decimal(0)), contacts=(
    ...     Contact("a", "A", Department.SALES, phones=p),
    ...     Contact("b", "B", Department.FINANCE, phones=p)))
    >>> [(x.first.key, x.second.key, x.phone) for x in same_phone_pairs(m)]
    [('a', 'b', '+8613812345678')]
    """
    holders: dict[str, list[Contact]] = defaultdict(list)
    for contact in m.contacts:
        if not contact.archived:
            for number in dict.fromkeys(p.e164 for p in contact.phones):
                holders[number].append(contact)
    pairs: dict[tuple[str, str], DuplicatePair] = {}
    for number, people in holders.items():
        for i, first in enumerate(people):
            for second in people[i + 1 :]:
                pairs.setdefault((first.key, second.key), DuplicatePair(first, second, number))
    return list(pairs.values())


# --- relations -------------------------------------------------------------------


def add_relation(
    engine: Engine,
    *,
    debtor_key: str,
    source: str,
    target: str,
    type: RelationType,
    note: str = "",
    by: str,
) -> Saved:
    """Add ``source -[type]-> target`` (or bring back an archived one with this note)."""
    if source == target:
        raise ValidationError((Problem.coded("to", "relation.self"),))
    with _editing(engine, debtor_key) as (session, current):
        for field, key in (("from", source), ("to", target)):
            if _existing_contact(current, key, field=field).archived:
                raise ValidationError((Problem.coded(field, "contact.archived", key=repr(key)),))
        checks = FieldProblems()
        relation = Relation(source, target, type, note=checks.check("note", check_text, note))
        checks.raise_any()
        live = [r for r in current.relations if not r.archived]
        if any((r.source, r.target, r.type) == (source, target, type) for r in live):
            raise ValidationError(
                (
                    Problem.coded(
                        "type",
                        "relation.exists",
                        source=source,
                        relation_type=type.value,
                        target=target,
                    ),
                )
            )
        others = [
            r for r in current.relations if (r.source, r.target, r.type) != (source, target, type)
        ]
        check_change(current, replace(current, relations=(*others, relation)))
        version = store.upsert_relation(
            session, debtor_key=debtor_key, relation=relation, by=by, expected_version=None
        )
    return Saved(f"{source}>{target}:{type.value}", version)


def archive_relation(
    engine: Engine, *, debtor_key: str, source: str, target: str, type: RelationType, by: str
) -> Saved:
    """Take a relation off the map and out of routes (it is kept, archived)."""
    with store.session_scope(engine) as session:
        version = store.archive_relation(
            session, debtor_key, source=source, target=target, type=type, by=by
        )
    return Saved(f"{source}>{target}:{type.value}", version)


def record_versions(engine: Engine, *, debtor_key: str) -> dict[str, Any]:
    """The versions a form locks on: see :func:`orgmap.store.get_versions`."""
    with store.session_scope(engine, read_only=True) as session:
        return store.get_versions(session, debtor_key)


# --- calls ---------------------------------------------------------------------


def log_call_to_new_contact(
    engine: Engine,
    *,
    debtor_key: str,
    person: ContactDraft,
    report: CallReport,
    by: str,
    region: str = "CN",
) -> LoggedCall:
    """Log a call with someone not yet on the map ("someone new"): both in one transaction.

    ``report.contact`` is ignored; the new contact gets a free key made from the name.
    """
    key = person.key.strip() or suggest_contact_key(person.name, taken=set())
    contact = contact_from_draft(replace(person, key=key), region=region)
    return log_call(
        engine,
        debtor_key=debtor_key,
        report=replace(report, contact=key, new_person=contact),
        by=by,
        region=region,
    )


# --- helpers ---------------------------------------------------------------------


@contextmanager
def _editing(engine: Engine, debtor_key: str) -> Iterator[tuple[Session, DebtorMap]]:
    """One write transaction with the debtor's current map (archived records included)."""
    with store.session_scope(engine) as session:
        current = store.load_map(session, debtor_key)
        if current is None:
            raise store.NotFoundError(f"no debtor with key {debtor_key!r}")
        yield session, current


def _raise_if(problems: list[Problem]) -> None:
    if problems:
        raise ValidationError(problems)


def _existing_contact(m: DebtorMap, key: str, *, field: str = "key") -> Contact:
    found = m.contact(key)
    if found is None:
        raise ValidationError(
            (
                Problem.coded(
                    field, "contact.not_at_debtor", contact=repr(key), debtor=repr(m.debtor.key)
                ),
            )
        )
    return found
