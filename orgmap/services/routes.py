"""Who to call next on one debtor's map: route it, and look the people on the routes up
across the team.

Only the debtor's rows are read (plus an indexed look-up of its people's phone
numbers and emails at other debtors), so the answer's cost grows with the
debtor, not with the team.  :func:`orgmap.services.debtors.open_debtor` loads
the map and calls :func:`answer_routes` in the same read.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from functools import cache
from pathlib import Path

import sqlalchemy as sa

from orgmap.domain.model import DebtorMap
from orgmap.routing import (
    RouteAnswer,
    Weights,
    cheapest_routes,
    load_weights,
    note_known_elsewhere,
    route_contacts,
)
from orgmap.store import KnownElsewhere, find_same_person
from orgmap.store.debtors import keys_in_team

__all__ = [
    "answer_routes",
    "known_elsewhere_by_contact",
    "look_up_route_people",
    "routing_weights",
]


@cache
def routing_weights(path: str | None = None) -> Weights:
    """The weights in the file at ``path`` (a team's own, ``Settings.routing_weights``),
    else the packaged defaults; read and checked once per path."""
    return load_weights(Path(path) if path else None)


def answer_routes(
    connection: sa.Connection,
    m: DebtorMap,
    *,
    k: int,
    lang: str,
    now: datetime,
    weights: Weights,
    team_id: int | None = None,
) -> RouteAnswer:
    """The ``k`` cheapest routes on ``m``, with the people on them named where they are
    known at other debtors (of team ``team_id`` only; ``None``: of any team)."""
    answer = cheapest_routes(m, k=k, now=now, weights=weights, lang=lang)
    elsewhere = look_up_route_people(connection, m, answer)
    if elsewhere and team_id is not None:  # another team's debtors are not to be known of
        visible = keys_in_team(connection, {hit.debtor_key for hit in elsewhere}, team_id=team_id)
        elsewhere = [hit for hit in elsewhere if hit.debtor_key in visible]
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
