"""Who to call next for one debtor: load its map, look the people up across the team, route.

Only this debtor's rows are read (plus an indexed look-up of its people's phone
numbers and emails at other debtors), so the answer's cost grows with the
debtor, not with the team.
"""

from __future__ import annotations

import os
from collections import defaultdict
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from orgmap.domain.model import DebtorMap
from orgmap.routing import (
    RouteAnswer,
    Weights,
    cheapest_routes,
    load_weights,
    note_known_elsewhere,
    route_contacts,
)
from orgmap.store import KnownElsewhere, NotFoundError, find_same_person, load_map, read_scope

__all__ = ["known_elsewhere_by_contact", "look_up_route_people", "route_debtor", "routing_weights"]


@cache
def routing_weights(path: str | None = None) -> Weights:
    """The team's weights: ``ORGMAP_ROUTING_WEIGHTS`` if set, else the packaged defaults."""
    chosen = path or os.environ.get("ORGMAP_ROUTING_WEIGHTS")
    return load_weights(Path(chosen) if chosen else None)


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
    # Reads only, and no transaction: a write transaction would queue behind (and
    # block) writers on SQLite, and the map tolerates a commit between its queries.
    with read_scope(engine) as connection:
        m = load_map(connection, debtor_key, include_archived=False)
        if m is None:
            raise NotFoundError(f"no debtor with key {debtor_key!r}")
        answer = cheapest_routes(
            m, k=k, now=now or datetime.now(UTC), weights=weights or routing_weights(), lang=lang
        )
        elsewhere = look_up_route_people(connection, m, answer)
    if not elsewhere:
        return answer
    return note_known_elsewhere(answer, m, known_elsewhere_by_contact(m, elsewhere), lang=lang)


def look_up_route_people(
    connection: sa.Connection, m: DebtorMap, answer: RouteAnswer
) -> list[KnownElsewhere]:
    """The people on ``answer``'s routes as known at other debtors, by number or email.

    Only they are looked up, not the whole map: a handful of values, whatever
    the size of the map.
    """
    on_routes = [c for key in route_contacts(answer.routes) if (c := m.contact(key))]
    return find_same_person(
        connection,
        debtor_key=m.debtor.key,
        phones=[p.e164 for c in on_routes for p in c.phones],
        emails=[c.email for c in on_routes if c.email],
    )


def known_elsewhere_by_contact(m: DebtorMap, found: list[KnownElsewhere]) -> dict[str, list[str]]:
    """Map each of this debtor's contacts to the other debtors where the same person is known."""
    by_phone: dict[str, list[str]] = defaultdict(list)
    by_email: dict[str, list[str]] = defaultdict(list)
    for c in m.contacts:
        for p in c.phones:
            by_phone[p.e164].append(c.key)
        if c.email:
            by_email[c.email.lower()].append(c.key)
    out: dict[str, list[str]] = defaultdict(list)
    for hit in found:
        index = by_email if "@" in hit.matched_on else by_phone
        text = f"{hit.debtor_name} ({hit.debtor_key}): {hit.contact_name}"
        for key in index.get(hit.matched_on.lower(), ()):
            if text not in out[key]:
                out[key].append(text)
    return dict(out)
