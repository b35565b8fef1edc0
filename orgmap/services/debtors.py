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
from orgmap.domain.debtor_draft import DebtorDraft, debtor_from_draft, facts_from_form
from orgmap.domain.model import DebtorFacts, DebtorMap
from orgmap.domain.validation import Problem, ValidationError
from orgmap.routing import RouteAnswer, Weights
from orgmap.services.routes import answer_routes, routing_weights

__all__ = [
    "FACT_COUNT",
    "DebtorView",
    "Saved",
    "create_debtor",
    "debtor_summaries",
    "edit_debtor",
    "facts_known",
    "open_debtor",
    "route_debtor",
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
class DebtorView:
    """Everything a debtor's page shows, read at one moment.

    ``map`` holds archived records too (pages and routing leave them out);
    ``versions`` are what the page's forms lock on; ``route`` is ``None`` when
    no route was asked for (``k=0``).
    """

    map: DebtorMap
    versions: store.RecordVersions
    route: RouteAnswer | None


def open_debtor(
    engine: Engine,
    debtor_key: str,
    *,
    k: int = 3,
    lang: str = "en",
    now: datetime | None = None,
    weights: Weights | None = None,
) -> DebtorView:
    """The debtor's map, the versions of its records and its ``k`` cheapest routes.

    One read-only snapshot: the map and the versions agree, and the route is
    the route of that map.  Raises :class:`NotFoundError` for an unknown key.
    """
    with store.snapshot(engine) as connection:
        loaded = store.load_debtor(connection, debtor_key)
        if loaded is None:
            raise store.NotFoundError(f"no debtor with key {debtor_key!r}")
        route = None
        if k > 0:
            route = answer_routes(
                connection,
                loaded.map,
                k=k,
                lang=lang,
                now=now or datetime.now(UTC),
                weights=weights or routing_weights(),
            )
    return DebtorView(loaded.map, loaded.versions, route)


def route_debtor(
    engine: Engine,
    *,
    debtor_key: str,
    k: int = 3,
    lang: str = "en",
    now: datetime | None = None,
    weights: Weights | None = None,
) -> RouteAnswer:
    """The ``k`` cheapest routes to whoever authorizes payment at ``debtor_key``."""
    view = open_debtor(engine, debtor_key, k=max(k, 1), lang=lang, now=now, weights=weights)
    assert view.route is not None
    return view.route


def debtor_summaries(engine: Engine) -> list[store.DebtorSummary]:
    """The team's debtors, one line each, ordered by key."""
    with store.snapshot(engine) as connection:
        return store.list_debtors(connection)


def create_debtor(engine: Engine, *, draft: DebtorDraft, by: str) -> Saved:
    """Add a new debtor (no contacts yet).  A taken key is a problem named ``key``."""
    debtor, warnings = debtor_from_draft(draft, facts=DebtorFacts())
    with store.transaction(engine) as connection:
        try:
            version = store.create_debtor(connection, debtor, by=by)
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
    typed, warnings = debtor_from_draft(replace(draft, key=debtor_key), facts=DebtorFacts())
    with store.transaction(engine) as connection:
        stored = _stored_debtor(connection, debtor_key, lock=expected_version is None)
        version = store.update_debtor(
            connection,
            replace(typed, facts=stored.debtor.facts),
            by=by,
            expected_version=expected_version,
            stored=stored,
        )
    return Saved(debtor_key, version, warnings)


def update_facts(
    engine: Engine,
    *,
    debtor_key: str,
    facts: DebtorFacts,
    by: str,
    expected_version: int | None,
    region: str,
) -> Saved:
    """Store the article-5 checklist; the mobile is normalized (``region``), the email checked.

    ``expected_version`` is the debtor's version the form was filled from (None: no check).
    """
    clean = facts_from_form(facts, region=region)
    with store.transaction(engine) as connection:
        stored = _stored_debtor(connection, debtor_key, lock=expected_version is None)
        version = store.update_debtor(
            connection,
            replace(stored.debtor, facts=clean),
            by=by,
            expected_version=expected_version,
            stored=stored,
        )
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


def _stored_debtor(connection: sa.Connection, debtor_key: str, *, lock: bool) -> store.StoredDebtor:
    stored = store.find_debtor(connection, debtor_key, lock=lock)
    if stored is None:
        raise store.NotFoundError(f"no debtor with key {debtor_key!r}")
    return stored
