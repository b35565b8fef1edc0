"""Contacts and the relations between them: add, edit, archive, merge, link.

What the collector typed is checked first (:func:`~orgmap.domain.contact_draft.
contact_from_draft`: the same checks as a referral, a CSV row or a JSON file);
then one transaction looks the debtor and the records it touches up once and
writes only what changed, conditioned on the version the form was filled from.
Bad input raises :class:`ValidationError` naming the field; a record changed
by someone else since :class:`~orgmap.store.StaleVersionError`; a missing
debtor, or one the user may not know of, :class:`~orgmap.store.NotFoundError`;
a user who may see it but not change it :class:`~orgmap.domain.access.AccessDeniedError`.
Nothing is written then, not even history.

Each service acts as ``actor`` (recorded as the author) after
:func:`orgmap.services.authz.authorize`, in its transaction, and writes one
history row per changed record (:mod:`orgmap.services.changes`) beside the change.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from orgmap import store
from orgmap.domain.access import Action, Actor
from orgmap.domain.contact_draft import ContactDraft, contact_from_draft
from orgmap.domain.fields import check_text
from orgmap.domain.model import Contact, DebtorMap, Relation, RelationType
from orgmap.domain.validation import FieldProblems, Problem, ValidationError
from orgmap.services.authz import authorize
from orgmap.services.changes import (
    contact_record,
    record_change,
    record_edit,
    relation_key,
    relation_record,
)
from orgmap.services.debtors import Saved
from orgmap.store.contacts import contact_label, set_archived
from orgmap.store.merge import MergeChange
from orgmap.store.relations import find_relation, update_relation

__all__ = [
    "DuplicatePair",
    "add_contact",
    "add_person",
    "add_relation",
    "add_to_person",
    "archive_contact",
    "archive_relation",
    "current_contact",
    "edit_contact",
    "merge_contacts",
    "not_on_map",
    "pick_or_add_person",
    "restore_contact",
    "restore_relation",
    "same_phone_pairs",
    "suggest_contact_key",
]

#: The key a draft is checked with before its real key is chosen in the transaction.
_UNCHOSEN_KEY = "new"
#: How often a free key is looked for when racing writers keep taking the chosen one.
_KEY_ATTEMPTS = 5


@dataclass(frozen=True, slots=True)
class DuplicatePair:
    """Two current contacts of one debtor sharing a phone number: maybe the same person."""

    first: Contact
    second: Contact
    phone: str  # the shared number, E.164


def add_contact(
    engine: Engine, *, debtor_key: str, draft: ContactDraft, actor: Actor, region: str
) -> Saved:
    """Add a contact; without a key one is made from the name.  A taken key is refused."""
    key = draft.key.strip()
    contact = contact_from_draft(replace(draft, key=key or _UNCHOSEN_KEY), region=region)
    with store.transaction(engine) as connection:
        owner, _ = authorize(connection, actor, Action.EDIT, debtor_key)
        _, chosen, _ = add_person(
            connection,
            contact,
            debtor_id=owner,
            by=actor.name,
            now=store.now_utc(),
            keyed=bool(key),
            reuse_same_name=False,
        )
    return Saved(chosen, 1)


def add_person(
    connection: sa.Connection,
    contact: Contact,
    *,
    debtor_id: int,
    by: str,
    now: datetime,
    keyed: bool,
    reuse_same_name: bool,
) -> tuple[int, str, bool]:
    """Put ``contact`` on the debtor's map: (row id, key, whether it was created).

    With ``keyed`` its key is used and a taken one is refused; otherwise a free
    key is made from the name.  With ``reuse_same_name`` a current contact of
    exactly that name is reused instead (a referral to someone already on the
    map, or two collectors referred to the same new person at once).  A
    reused contact gains what ``contact`` adds: the
    authorizer flag, numbers and an email it lacks (see :func:`add_to_person`).
    Writers racing for the same key never fail: the loser finds the winner's
    contact by name, or takes the next free key.
    """
    if reuse_same_name:
        store.hold_name(connection, debtor_id=debtor_id, name=contact.name)
    for _ in range(_KEY_ATTEMPTS):
        if reuse_same_name and (
            same := store.contacts_named(connection, debtor_id=debtor_id, name=contact.name)
        ):
            contact_id, key = same[0]
            add_to_person(connection, key, contact, debtor_id=debtor_id, by=by, now=now)
            return contact_id, key, False
        if not keyed:
            base = contact_key_base(contact.name)
            taken = store.contact_keys_starting(connection, debtor_id=debtor_id, prefix=base)
            contact = replace(contact, key=suggest_contact_key(contact.name, taken=taken))
        new_id = store.insert_contact_once(connection, contact, debtor_id=debtor_id, by=by, now=now)
        if new_id is not None:
            record_change(
                connection,
                by=by,
                action="create",
                entity="contact",
                key=contact.key,
                debtor_id=debtor_id,
                after=contact_record(contact),
            )
            return new_id, contact.key, True
        if keyed:
            raise ValidationError(
                (Problem.coded("key", "contact.key_taken", key=repr(contact.key)),)
            )
    raise store.StoreError(
        f"could not find a free key for {contact.name!r}: others kept taking it; try again"
    )


def add_to_person(
    connection: sa.Connection,
    key: str,
    news: Contact,
    *,
    debtor_id: int,
    by: str,
    now: datetime,
) -> store.StoredContact | None:
    """Give the stored contact ``key`` what ``news`` adds; the contact as read (None: not read).

    What a call or the checklist learnt about someone already on the map: the
    authorizer flag, numbers they lack (appended) and an email when they have
    none.  Nothing is read when ``news`` adds none of these; nothing is written
    when the contact has them all.  The update is conditioned on the version
    read (the row is locked on PostgreSQL), and names only the changed columns.
    """
    if not (news.authorizes_payment or news.phones or news.email):
        return None
    stored = store.find_contact(connection, debtor_id=debtor_id, key=key, lock=True)
    if stored is None:
        return None
    have = stored.contact
    known = {(p.e164, p.extension) for p in have.phones}
    more = tuple(p for p in news.phones if (p.e164, p.extension) not in known)
    wanted = replace(
        have,
        authorizes_payment=have.authorizes_payment or news.authorizes_payment,
        phones=have.phones + more,
        email=have.email or news.email,
    )
    if wanted != have:
        store.update_contact(
            connection,
            stored,
            wanted,
            debtor_id=debtor_id,
            by=by,
            now=now,
            what=f"contact {key!r}",
        )
        record_edit(
            connection,
            by=by,
            entity="contact",
            key=key,
            debtor_id=debtor_id,
            before=contact_record(have),
            after=contact_record(wanted),
        )
    return stored


def pick_or_add_person(
    connection: sa.Connection,
    contact: Contact,
    *,
    named: bool = True,
    debtor_id: int,
    debtor_key: str,
    by: str,
    now: datetime,
) -> tuple[int, str, bool] | None:
    """The current contact named exactly like ``contact``, else one holding one of its
    numbers, given what ``contact`` adds (:func:`add_to_person`); else ``contact`` added
    under a free key.  (row id, key, whether it was created).

    For a person the collector names without picking them (the checklist's top
    leader): the same name, or the same mobile, is the same person.  Without
    ``named`` the name is a stand-in: only a number picks, and nobody is added
    (None when nobody holds it).
    """
    keys: list[str] = []
    if named:
        store.hold_name(connection, debtor_id=debtor_id, name=contact.name)
        same = store.contacts_named(connection, debtor_id=debtor_id, name=contact.name)
        keys = [key for _, key in same]
    for e164 in dict.fromkeys(p.e164 for p in contact.phones):
        if keys:
            break
        # Team-wide through the phone index; one number is rarely at more than a few debtors.
        hits = store.find_by_number(connection, e164=e164, digits=None, limit=100)
        keys = [h.contact_key for h in hits if h.debtor_key == debtor_key and h.contact_key]
    if keys:
        stored = add_to_person(connection, keys[0], contact, debtor_id=debtor_id, by=by, now=now)
        if stored is None:  # nothing to add, so nothing read: read the id alone
            stored = store.find_contact(connection, debtor_id=debtor_id, key=keys[0])
        if stored is not None:
            return stored.id, keys[0], False
    if not named:
        return None
    return add_person(
        connection,
        contact,
        debtor_id=debtor_id,
        by=by,
        now=now,
        keyed=False,
        reuse_same_name=True,
    )


def edit_contact(
    engine: Engine,
    *,
    debtor_key: str,
    draft: ContactDraft,
    actor: Actor,
    expected_version: int | None,
    region: str,
) -> Saved:
    """Change a contact (``draft.key`` names it); its archived flag is kept.

    Only the fields that changed are written, and recorded (one history row
    with them, before and after; none when nothing changed).
    ``expected_version`` is the version the form was filled from (None: no check).
    """
    contact = contact_from_draft(draft, region=region)
    with store.transaction(engine) as connection:
        owner, _ = authorize(connection, actor, Action.EDIT, debtor_key)
        stored = store.find_contact(
            connection, debtor_id=owner, key=contact.key, lock=expected_version is None
        )
        if stored is None:
            raise not_on_map(contact.key, debtor_key)
        what = f"contact {contact.key!r} of debtor {debtor_key!r}"
        store.check_expected(what, expected=expected_version, actual=stored.version)
        wanted = replace(contact, archived=stored.contact.archived)
        version = store.update_contact(
            connection,
            stored,
            wanted,
            debtor_id=owner,
            by=actor.name,
            now=store.now_utc(),
            what=what,
        )
        record_edit(
            connection,
            by=actor.name,
            entity="contact",
            key=contact.key,
            debtor_id=owner,
            before=contact_record(stored.contact),
            after=contact_record(wanted),
        )
    return Saved(contact.key, version)


def archive_contact(
    engine: Engine,
    *,
    debtor_key: str,
    contact_key: str,
    actor: Actor,
    expected_version: int | None = None,
) -> Saved:
    """Take a contact off the map and out of routes; their history is kept."""
    return _set_contact_archived(
        engine,
        debtor_key=debtor_key,
        contact_key=contact_key,
        actor=actor,
        archived=True,
        expected_version=expected_version,
    )


def restore_contact(
    engine: Engine,
    *,
    debtor_key: str,
    contact_key: str,
    actor: Actor,
    expected_version: int | None = None,
) -> Saved:
    """Bring an archived contact back onto the map (recorded as a "restore")."""
    return _set_contact_archived(
        engine,
        debtor_key=debtor_key,
        contact_key=contact_key,
        actor=actor,
        archived=False,
        expected_version=expected_version,
    )


def _set_contact_archived(
    engine: Engine,
    *,
    debtor_key: str,
    contact_key: str,
    actor: Actor,
    archived: bool,
    expected_version: int | None,
) -> Saved:
    with store.transaction(engine) as connection:
        owner, _ = authorize(connection, actor, Action.EDIT, debtor_key)
        stored = store.find_contact(connection, debtor_id=owner, key=contact_key)
        if stored is None:
            raise not_on_map(contact_key, debtor_key)
        version = set_archived(
            connection,
            stored,
            archived=archived,
            by=actor.name,
            expected_version=expected_version,
            what=contact_label(debtor_key, contact_key),
        )
        if version is None:
            return Saved(contact_key, stored.version)
        whole = contact_record(stored.contact)
        record_change(
            connection,
            by=actor.name,
            action="archive" if archived else "restore",
            entity="contact",
            key=contact_key,
            debtor_id=owner,
            before=whole,
            after={**whole, "archived": archived},
        )
    return Saved(contact_key, version)


def merge_contacts(engine: Engine, *, debtor_key: str, keep: str, drop: str, actor: Actor) -> Saved:
    """Fold ``drop`` into ``keep`` (one person entered twice): calls and relations move to
    ``keep``, ``drop`` is archived, so both histories are kept.

    History: a "merge" row for every record that changed (each moved call and
    relation, ``keep`` with what it gained, ``drop`` archived).
    """
    if keep == drop:
        raise ValidationError((Problem.coded("drop", "merge.same_contact"),))
    with store.transaction(engine) as connection:
        owner, _ = authorize(connection, actor, Action.EDIT, debtor_key)
        _current_contacts(connection, debtor_key, {"keep": keep, "drop": drop}, debtor_id=owner)
        changes: list[MergeChange] = []
        version = store.merge_contacts(
            connection, debtor_key, keep=keep, drop=drop, by=actor.name, changes=changes
        )
        for change in changes:
            record_change(
                connection,
                by=actor.name,
                action="merge",
                entity=change.entity,
                key=change.key,
                debtor_id=owner,
                before=change.before,
                after=change.after,
            )
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


def add_relation(
    engine: Engine,
    *,
    debtor_key: str,
    source: str,
    target: str,
    type: RelationType,
    note: str = "",
    actor: Actor,
) -> Saved:
    """Add ``source -[type]-> target`` (or bring back an archived one with this note)."""
    if source == target:
        raise ValidationError((Problem.coded("to", "relation.self"),))
    checks = FieldProblems()
    relation = Relation(source, target, type, note=checks.check("note", check_text, note))
    checks.raise_any()
    label = relation_key(source, target, type.value)
    with store.transaction(engine) as connection:
        owner, _ = authorize(connection, actor, Action.EDIT, debtor_key)
        _, ends = _current_contacts(
            connection, debtor_key, {"from": source, "to": target}, debtor_id=owner
        )
        row = find_relation(
            connection, debtor_id=owner, source=source, target=target, type_=type.value, lock=True
        )
        version: int | None = None
        if row is None:
            if store.insert_relation_once(
                connection,
                relation,
                debtor_id=owner,
                source_id=ends["from"].id,
                target_id=ends["to"].id,
                by=actor.name,
                now=store.now_utc(),
            ):
                version = 1
                record_change(
                    connection,
                    by=actor.name,
                    action="create",
                    entity="relation",
                    key=label,
                    debtor_id=owner,
                    after=relation_record(relation),
                )
        elif row.archived:
            version = update_relation(
                connection,
                row,
                relation,
                by=actor.name,
                now=store.now_utc(),
                what=f"relation {source} -[{type.value}]-> {target} of debtor {debtor_key!r}",
            )
            was = replace(relation, note=row.note, archived=True)
            record_change(
                connection,
                by=actor.name,
                action="restore",
                entity="relation",
                key=label,
                debtor_id=owner,
                before=relation_record(was),
                after=relation_record(relation),
            )
        if version is None:
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
    return Saved(label, version)


def archive_relation(
    engine: Engine,
    *,
    debtor_key: str,
    source: str,
    target: str,
    type: RelationType,
    actor: Actor,
) -> Saved:
    """Take a relation off the map and out of routes (it is kept, archived)."""
    return _set_relation_archived(
        engine,
        debtor_key=debtor_key,
        source=source,
        target=target,
        type_=type,
        actor=actor,
        archived=True,
    )


def restore_relation(
    engine: Engine,
    *,
    debtor_key: str,
    source: str,
    target: str,
    type: RelationType,
    actor: Actor,
) -> Saved:
    """Bring an archived relation back onto the map and into routes ("restore").

    Both its contacts must be current: a relation to an archived contact stays archived.
    """
    return _set_relation_archived(
        engine,
        debtor_key=debtor_key,
        source=source,
        target=target,
        type_=type,
        actor=actor,
        archived=False,
    )


def _set_relation_archived(
    engine: Engine,
    *,
    debtor_key: str,
    source: str,
    target: str,
    type_: RelationType,
    actor: Actor,
    archived: bool,
) -> Saved:
    label = relation_key(source, target, type_.value)
    what = f"relation {source} -[{type_.value}]-> {target} of debtor {debtor_key!r}"
    with store.transaction(engine) as connection:
        owner, _ = authorize(connection, actor, Action.EDIT, debtor_key)
        if not archived:
            _current_contacts(
                connection, debtor_key, {"from": source, "to": target}, debtor_id=owner
            )
        row = find_relation(
            connection, debtor_id=owner, source=source, target=target, type_=type_.value
        )
        if row is None:
            raise store.NotFoundError(f"{what} does not exist")
        if bool(row.archived) == archived:
            return Saved(label, int(row.version))
        was = Relation(source, target, type_, note=row.note, archived=bool(row.archived))
        version = update_relation(
            connection,
            row,
            replace(was, archived=archived),
            by=actor.name,
            now=store.now_utc(),
            what=what,
        )
        record_change(
            connection,
            by=actor.name,
            action="archive" if archived else "restore",
            entity="relation",
            key=label,
            debtor_id=owner,
            before=relation_record(was),
            after=relation_record(replace(was, archived=archived)),
        )
    return Saved(label, version)


def contact_key_base(name: str) -> str:
    """What a key made from ``name`` starts with: the ASCII slug, else ``contact``.

    >>> contact_key_base("Li Ming"), contact_key_base("王芳")
    ('li-ming', 'contact')
    """
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:48] or "contact"


def suggest_contact_key(name: str, *, taken: set[str]) -> str:
    """A free contact key from a name: ASCII names slugged, others numbered.

    >>> suggest_contact_key("Li Ming", taken={"li-ming"})
    'li-ming-2'
    >>> suggest_contact_key("王芳", taken=set())
    'contact-1'
    """
    base = contact_key_base(name)
    if base != "contact" and base not in taken:
        return base
    n = 1 if base == "contact" else 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def current_contact(
    connection: sa.Connection, *, debtor_id: int, key: str, debtor_key: str, field: str
) -> store.StoredContact:
    """The debtor's current (not archived) contact ``key``; else :func:`not_on_map`."""
    stored = store.find_contact(connection, debtor_id=debtor_id, key=key)
    if stored is None or stored.contact.archived:
        raise not_on_map(key, debtor_key, field=field)
    return stored


def _current_contacts(
    connection: sa.Connection, debtor_key: str, keys: dict[str, str], *, debtor_id: int
) -> tuple[int, dict[str, store.StoredContact]]:
    """The debtor's id and its contacts ``keys`` (field -> key), each current; else a
    :class:`ValidationError` naming the field."""
    owner = debtor_id
    found = {}
    for field, key in keys.items():
        stored = store.find_contact(connection, debtor_id=owner, key=key)
        if stored is None:
            raise not_on_map(key, debtor_key, field=field)
        if stored.contact.archived:
            raise ValidationError((Problem.coded(field, "contact.archived", key=repr(key)),))
        found[field] = stored
    return owner, found


def not_on_map(key: str, debtor_key: str, *, field: str = "key") -> ValidationError:
    """The refusal for a contact key the debtor has no current contact under."""
    return ValidationError(
        (Problem.coded(field, "contact.not_at_debtor", contact=repr(key), debtor=repr(debtor_key)),)
    )
