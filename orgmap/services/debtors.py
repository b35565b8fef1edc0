"""Debtors: open one for its pages (map, versions and route in one read), list them, create
and edit one, keep its article-5 checklist.

Writes check what the collector typed before they open a transaction, then look
the debtor up once and write only what changed, conditioned on the version the
form was filled from.  Bad input raises :class:`ValidationError` naming the
field; a record changed by someone else since the form was filled
:class:`~orgmap.store.StaleVersionError`; a missing debtor
:class:`~orgmap.store.NotFoundError`.  Nothing is written in any of these cases.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from orgmap import store
from orgmap.domain.access import (
    AccessDeniedError,
    Action,
    Actor,
    Decision,
    decide,
    mask_email,
    mask_phone,
    masks_contact_details,
)
from orgmap.domain.contact_draft import ContactDraft, contact_from_draft
from orgmap.domain.debtor_draft import (
    DebtorDraft,
    debtor_from_draft,
    debtor_key_base,
    facts_from_form,
    suggest_debtor_key,
)
from orgmap.domain.model import Contact, Debtor, DebtorFacts, DebtorMap, Department
from orgmap.domain.validation import Problem, ValidationError
from orgmap.routing import RouteAnswer, Weights
from orgmap.services.authz import authorize, not_found, sees_every_team
from orgmap.services.routes import answer_routes, routing_weights
from orgmap.store.debtors import EVERY_TEAM, NO_TEAM, insert_debtor, insert_owner
from orgmap.store.history import record
from orgmap.store.loading import load_debtor_by_id
from orgmap.store.mapping import debtor_values

__all__ = [
    "FACT_COUNT",
    "DebtorView",
    "Saved",
    "create_debtor",
    "debtor_summaries",
    "edit_debtor",
    "facts_known",
    "mask_map",
    "may_create",
    "open_debtor",
    "route_debtor",
    "update_facts",
    "visible_team",
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
class DebtorView:
    """Everything a debtor's page shows, read at one moment.

    ``map`` holds archived records too (pages and routing leave them out);
    ``versions`` are what the page's forms lock on; ``route`` is ``None`` when
    no route was asked for (``k=0``).
    """

    map: DebtorMap
    versions: store.RecordVersions
    route: RouteAnswer | None


def visible_team(actor: Actor) -> int | None:
    """The team whose debtors ``actor``'s lists and searches show (``None``: every team).

    A user in no team who is no admin sees none (:data:`~orgmap.store.debtors.NO_TEAM`).
    """
    if sees_every_team(actor):
        return EVERY_TEAM
    return NO_TEAM if actor.team_id is None else actor.team_id


def open_debtor(
    engine: Engine,
    debtor_key: str,
    *,
    actor: Actor,
    k: int = 3,
    lang: str = "en",
    now: datetime | None = None,
    weights: Weights | None = None,
) -> DebtorView:
    """The debtor's map, the versions of its records and its ``k`` cheapest routes.

    One read-only snapshot: the map and the versions agree, and the route is
    the route of that map.  Raises :class:`NotFoundError` for an unknown key and
    for a debtor ``actor`` may not see.  A viewer gets phone numbers and e-mails
    masked (:func:`mask_map`); the route is worked out on the real ones.
    """
    with store.snapshot(engine) as connection:
        view = read_view(
            connection,
            debtor_key,
            actor=actor,
            action=Action.READ,
            k=k,
            lang=lang,
            now=now,
            weights=weights,
        )
    shown = mask_map(view.map) if masks_contact_details(actor) else view.map
    return DebtorView(shown, view.versions, view.route)


def read_view(
    connection: sa.Connection,
    debtor_key: str,
    *,
    actor: Actor,
    action: Action,
    k: int,
    lang: str,
    now: datetime | None,
    weights: Weights | None,
) -> DebtorView:
    """The debtor's map as stored, its versions and its ``k`` best routes, read in the
    caller's snapshot or transaction once ``actor`` may do ``action`` (nothing masked)."""
    debtor_id, _ = authorize(connection, actor, action, debtor_key)
    loaded = load_debtor_by_id(connection, debtor_id)
    if loaded is None:
        raise not_found(debtor_key)
    route = None
    if k > 0:
        route = answer_routes(
            connection,
            loaded.map,
            k=k,
            lang=lang,
            now=now or datetime.now(UTC),
            weights=weights or routing_weights(),
            team_id=visible_team(actor),
        )
    return DebtorView(loaded.map, loaded.versions, route)


def mask_map(m: DebtorMap) -> DebtorMap:
    """``m`` with every phone number and e-mail masked (what a viewer sees); notes kept.

    >>> from orgmap.domain.model import Debtor, Phone
    >>> boss = Contact("boss", "Wang", Department.OWNER, phones=(Phone("+8613912345678"),))
    >>> mask_map(DebtorMap(Debtor("acme", "Acme", 0), contacts=(boss,))).contacts[0].phones
    (Phone(e164='139****5678', extension=None, kind=<PhoneKind.OTHER: 'other'>),)
    """
    facts = m.debtor.facts
    return replace(
        m,
        debtor=replace(
            m.debtor,
            facts=replace(
                facts,
                top_leader_mobile=mask_phone(facts.top_leader_mobile)
                if facts.top_leader_mobile
                else "",
                top_leader_email=mask_email(facts.top_leader_email)
                if facts.top_leader_email
                else "",
            ),
        ),
        contacts=tuple(
            replace(
                c,
                phones=tuple(replace(p, e164=mask_phone(p.e164), extension=None) for p in c.phones),
                email=mask_email(c.email) if c.email else c.email,
            )
            for c in m.contacts
        ),
        interactions=tuple(
            replace(i, phone=mask_phone(i.phone)) if i.phone else i for i in m.interactions
        ),
    )


def route_debtor(
    engine: Engine,
    *,
    debtor_key: str,
    actor: Actor,
    k: int = 3,
    lang: str = "en",
    now: datetime | None = None,
    weights: Weights | None = None,
) -> RouteAnswer:
    """The ``k`` cheapest routes to whoever authorizes payment at ``debtor_key``."""
    view = open_debtor(
        engine, debtor_key, actor=actor, k=max(k, 1), lang=lang, now=now, weights=weights
    )
    assert view.route is not None
    return view.route


def debtor_summaries(engine: Engine, *, actor: Actor) -> list[store.DebtorSummary]:
    """The debtors ``actor`` may see, one line each, ordered by key."""
    with store.snapshot(engine) as connection:
        return store.list_debtors(connection, team_id=visible_team(actor))


def may_create(actor: Actor) -> bool:
    """Whether ``actor`` may add debtors (to their own team; an admin's go to no team)."""
    return decide(actor, Action.EDIT, debtor_team_id=actor.team_id) is Decision.ALLOWED


#: The key a draft without one is checked with before its real key is chosen.
_UNCHOSEN_KEY = "new"
#: How often a free key is looked for when writers keep taking the chosen one.
_KEY_ATTEMPTS = 5


def create_debtor(engine: Engine, *, draft: DebtorDraft, actor: Actor) -> Saved:
    """Add a new debtor (no contacts yet); ``Saved.key`` is its key.

    It belongs to ``actor``'s team (an owner row), and the creation is recorded in
    the history.  A viewer, or a user in no team who is no admin, is refused
    (:class:`AccessDeniedError`) before anything is written.

    A typed key is used as typed, and a taken one is a problem named ``key``.  A
    blank one is made from the name (:func:`~orgmap.domain.debtor_draft.
    suggest_debtor_key`) and is free when written: collectors creating the same
    company at once all succeed, with different keys.
    """
    if not may_create(actor):
        raise AccessDeniedError()
    typed_key = draft.key.strip()
    debtor, warnings = debtor_from_draft(
        replace(draft, key=typed_key or _UNCHOSEN_KEY), facts=DebtorFacts()
    )
    by, now = actor.name, store.now_utc()
    with store.transaction(engine) as connection:
        if not typed_key:
            debtor, debtor_id = _create_with_free_key(connection, debtor, by=by)
        else:
            found = insert_debtor(connection, debtor, by=by, now=now)
            if found is None:
                taken = Problem.coded("key", "debtor.key_taken", key=repr(debtor.key))
                raise ValidationError((taken,))
            debtor_id = found
        record(
            connection,
            by=by,
            action="create",
            entity="debtor",
            key=debtor.key,
            debtor_id=debtor_id,
            before=None,
            after=debtor_values(debtor),
            at=now,
        )
        if actor.team_id is not None:
            insert_owner(connection, debtor_id=debtor_id, team_id=actor.team_id, by=by, now=now)
            record(
                connection,
                by=by,
                action="create",
                entity="owner",
                key=debtor.key,
                debtor_id=debtor_id,
                before=None,
                after={"team_id": actor.team_id, "user_id": None},
                at=now,
            )
    return Saved(debtor.key, 1, warnings)


def _create_with_free_key(
    connection: sa.Connection, debtor: Debtor, *, by: str
) -> tuple[Debtor, int]:
    """Add ``debtor`` under the first free key made from its name: it and its row id.

    Writers making keys from one name take turns (PostgreSQL; SQLite writers queue
    anyway), so each sees the keys the others took.  A key taken all the same (typed
    by someone, or made from another name with the same start) is skipped and the
    next one tried.
    """
    base = debtor_key_base(debtor.name)
    store.hold_debtor_key_base(connection, base=base)
    skipped: set[str] = set()
    for _ in range(_KEY_ATTEMPTS):
        taken = store.debtor_keys_starting(connection, prefix=base) | skipped
        chosen = replace(debtor, key=suggest_debtor_key(debtor.name, taken=taken))
        debtor_id = insert_debtor(connection, chosen, by=by, now=store.now_utc())
        if debtor_id is not None:
            return chosen, debtor_id
        skipped.add(chosen.key)  # a racer's, not yet visible to this transaction
    raise store.StoreError(
        f"could not find a free key for {debtor.name!r}: others kept taking it; try again"
    )


def edit_debtor(
    engine: Engine,
    *,
    debtor_key: str,
    draft: DebtorDraft,
    actor: Actor,
    expected_version: int | None,
) -> Saved:
    """Change a debtor's details; its key and its facts stay as they are.

    ``expected_version`` is the version the form was filled from (None: no check).
    The fields changed are recorded in the history (one entry; none when nothing
    changed).
    """
    typed, warnings = debtor_from_draft(replace(draft, key=debtor_key), facts=DebtorFacts())
    with store.transaction(engine) as connection:
        stored = _stored_debtor(connection, actor, debtor_key, lock=expected_version is None)
        version = _update_debtor(
            connection,
            stored,
            replace(typed, facts=stored.debtor.facts),
            actor=actor,
            expected_version=expected_version,
            entity="debtor",
        )
    return Saved(debtor_key, version, warnings)


def _update_debtor(
    connection: sa.Connection,
    stored: store.StoredDebtor,
    wanted: Debtor,
    *,
    actor: Actor,
    expected_version: int | None,
    entity: str,
) -> int:
    """Write ``wanted`` over ``stored`` and record the fields that changed (``entity``:
    ``debtor`` for its details, ``facts`` for the checklist); the version now."""
    version = store.update_debtor(
        connection, wanted, by=actor.name, expected_version=expected_version, stored=stored
    )
    if version == stored.version:
        return version
    old, new = debtor_values(stored.debtor), debtor_values(wanted)
    if entity == "facts":
        old, new = old["facts"], new["facts"]
    names = [name for name in new if old.get(name) != new[name]]
    record(
        connection,
        by=actor.name,
        action="edit",
        entity=entity,
        key=stored.debtor.key,
        debtor_id=stored.id,
        before={name: old.get(name) for name in names},
        after={name: new[name] for name in names},
    )
    return version


def update_facts(
    engine: Engine,
    *,
    debtor_key: str,
    facts: DebtorFacts,
    actor: Actor,
    expected_version: int | None,
    region: str,
) -> Saved:
    """Store the article-5 checklist; the mobile is normalized (``region``), the email checked.

    ``expected_version`` is the debtor's version the form was filled from (None: no check).

    The checklist feeds the map: when the top leader's name, mobile or email
    changed, that leader is picked from the map (a current contact of exactly
    that name, else one holding that mobile) or added (management, or owner
    when the name says boss), flagged as authorizing payment and given the
    mobile and email; so the route targets them and stops asking who
    authorizes payment.  All in the same transaction as the checklist: a bad
    number writes nothing.  The facts changed are recorded in the history
    (entity ``facts``), and so is the leader added or changed (``contact``).
    """
    clean = facts_from_form(facts, region=region)
    leader = _leader(clean, region=region)
    by = actor.name
    with store.transaction(engine) as connection:
        stored = _stored_debtor(connection, actor, debtor_key, lock=expected_version is None)
        version = _update_debtor(
            connection,
            stored,
            replace(stored.debtor, facts=clean),
            actor=actor,
            expected_version=expected_version,
            entity="facts",
        )
        if leader is not None and _leader_changed(stored.debtor.facts, clean):
            # Imported here: contacts imports Saved from this module.
            from orgmap.services.contacts import pick_or_add_person

            pick_or_add_person(
                connection,
                leader,
                named=bool(clean.top_leader),
                debtor_id=stored.id,
                debtor_key=debtor_key,
                by=by,
                now=store.now_utc(),
            )
    return Saved(debtor_key, version)


#: Words in a leader's name or title that say they own the company, not just manage it.
_OWNER_WORDS = ("老板", "董事长", "法人", "owner", "boss", "chairman")


def _leader(facts: DebtorFacts, *, region: str) -> Contact | None:
    """The top leader the checklist names, as a contact to pick or add (None: unnamed).

    A mobile alone names nobody to add, but can still pick a contact holding it:
    the name then is the mobile's, used only to look up.
    """
    name = facts.top_leader.strip()
    mobile = facts.top_leader_mobile.strip()
    if not name and not mobile:
        return None
    owner = any(word in name.lower() for word in _OWNER_WORDS)
    draft = ContactDraft(
        name=name or mobile,
        department=Department.OWNER if owner else Department.MANAGEMENT,
        authorizes_payment=True,
        phones=(mobile,) if mobile else (),
        email=facts.top_leader_email,
    )
    return contact_from_draft(replace(draft, key="new"), region=region, path="top_leader")


def _leader_changed(before: DebtorFacts, after: DebtorFacts) -> bool:
    """Whether the checklist now names the top leader otherwise than it did."""
    return any(
        getattr(before, name) != getattr(after, name)
        for name in ("top_leader", "top_leader_mobile", "top_leader_email")
    )


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


def _stored_debtor(
    connection: sa.Connection, actor: Actor, debtor_key: str, *, lock: bool
) -> store.StoredDebtor:
    """The debtor ``actor`` may edit, as stored (read by the id authorization found)."""
    debtor_id, _ = authorize(connection, actor, Action.EDIT, debtor_key)
    stored = store.find_debtor(connection, debtor_key, lock=lock, debtor_id=debtor_id)
    if stored is None:
        raise not_found(debtor_key)
    return stored
