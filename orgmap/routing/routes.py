"""The cheapest, explained routes to whoever authorizes payment.

:func:`cheapest_routes` answers the collector's question "who do I call next,
and what do I ask?" for one debtor.  It builds the debtor's graph
(:func:`orgmap.routing.graph.build_graph`) and asks
:func:`orgmap.routing.paths.cheapest_paths` for the k cheapest loop-free paths
from a contact we can reach first-hand (weighted with the cost of that first
call) to a target.  Each path is a route; a route may be a single step,
calling the authorizer directly.  A route ends at the first target it
reaches, and never reaches anyone through others for no less than calling
them directly would cost (issue 11): "call the fox so that he passes you to
the finance clerk whose number you have" is not shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from itertools import islice
from typing import Any

import networkx as nx

from orgmap.domain.model import Contact, DebtorMap, Disposition, RelationType
from orgmap.routing.costs import has_usable_phone
from orgmap.routing.graph import Targets, build_graph
from orgmap.routing.paths import cheapest_paths
from orgmap.routing.tactics import check_language, choose_hint, format_reason, say
from orgmap.routing.weights import Weights, load_weights

__all__ = [
    "Route",
    "RouteAnswer",
    "Step",
    "cheapest_routes",
    "find_buck_loops",
    "note_known_elsewhere",
    "route_contacts",
]

# A dense buck-passing subgraph can hold very many cycles; a collector needs a few.
_MAX_LOOPS = 10


@dataclass(frozen=True, slots=True)
class Step:
    """One contact on a route.

    ``via`` is how we get there, as a stable machine value: the channel
    (``"phone"``, ``"email"``) for the first step, the relation type (such as
    ``"refers_to"``) for the others.  ``cost`` is the sum of the amounts shown
    in ``reasons``; ``reasons`` and ``hint`` are in the answer's language.
    """

    contact: str
    name: str
    via: str
    cost: float
    reasons: tuple[str, ...]
    hint: str


@dataclass(frozen=True, slots=True)
class Route:
    """Steps from the first person to call (``steps[0]``) to the target (the last)."""

    cost: float
    target: str
    steps: tuple[Step, ...]


@dataclass(frozen=True, slots=True)
class RouteAnswer:
    """Up to k routes, cheapest first, with what to learn next and warnings."""

    debtor: str
    discovery: bool
    routes: tuple[Route, ...]
    learn_next: tuple[str, ...]
    warnings: tuple[str, ...]


def cheapest_routes(
    m: DebtorMap,
    *,
    k: int = 3,
    now: datetime,
    weights: Weights | None = None,
    lang: str = "en",
    known_elsewhere: Mapping[str, Sequence[str]] | None = None,
) -> RouteAnswer:
    """Find up to ``k`` loop-free routes to an authorizer, cheapest first.

    No route reaches a contact through others for no less than calling that
    contact directly would cost: such a route is a detour and is not shown.

    Parameters
    ----------
    m : DebtorMap
        One debtor's map.
    k : int
        How many routes at most (at least 1).
    now : datetime
        Timezone-aware moment at which history penalties are weighed.
    weights : Weights, optional
        The cost model's numbers; the packaged defaults when None.
    lang : {"en", "zh-CN"}
        Language of reasons, hints, notes and warnings.
    known_elsewhere : mapping, optional
        Contact key to where else the same person is known, as the caller
        words it (e.g. ``"Acme Group (acme-group): 张总"``).  Contacts on a
        returned route with entries get a warning saying so.

    Returns
    -------
    RouteAnswer
        ``discovery`` is True when no authorizer we may contact is known; the
        routes then lead to reception, management, owner or finance contacts,
        or to someone a contact referred us to who has not been called yet
        (whoever referred us has told us what they know), and ``learn_next``
        starts with the question to ask them.

    Raises
    ------
    ValueError
        If ``k`` is below 1, ``now`` is naive or ``lang`` is not spoken.

    Examples
    --------
    >>> from datetime import UTC, datetime
    >>> from decimal import Decimal
    >>> from orgmap.domain.model import (
    ...     Contact, Debtor, Department, Disposition, Phone, Relation)
    >>> m = DebtorMap(
    ...     Debtor("acme", "Acme Trading", Decimal("120000")),
    ...     contacts=(
    ...         Contact("li", "Li", Department.RECEPTION, disposition=Disposition.SHEEP,
    ...                 phones=(Phone("+862150000000"),)),
    ...         Contact("wang", "Wang", Department.FINANCE, phones=(Phone("+8613800000001"),)),
    ...         Contact("zhang", "Zhang", Department.OWNER, disposition=Disposition.EAGLE,
    ...                 authorizes_payment=True),
    ...     ),
    ...     relations=(
    ...         Relation("li", "zhang", RelationType.REFERS_TO),
    ...         Relation("wang", "zhang", RelationType.REPORTS_TO),
    ...     ),
    ... )
    >>> answer = cheapest_routes(m, k=2, now=datetime(2026, 11, 20, tzinfo=UTC))
    >>> [(round(r.cost, 2), [s.contact for s in r.steps]) for r in answer.routes]
    [(2.2, ['li', 'zhang']), (2.8, ['wang', 'zhang'])]
    >>> best = answer.routes[0]
    >>> best.steps[0].via, best.steps[1].via
    ('phone', 'refers_to')
    >>> best.steps[1].reasons
    ('via refers_to (they gave us the number) +0.2', 'a call +1')
    >>> answer.learn_next
    ('Get a direct phone number for Zhang', "Get Zhang's email")
    """
    check_language(lang)
    if k < 1:
        raise ValueError(f"k must be at least 1; got {k}")
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    G = build_graph(m, now=now, weights=load_weights() if weights is None else weights)
    targets: Targets = G.graph["targets"]
    loops = find_buck_loops(m)
    in_loop = frozenset(key for loop in loops for key in loop)
    routes = tuple(
        _route_from_path(G, path, in_loop=in_loop, lang=lang)
        for path in cheapest_paths(G, targets.keys, k)
    )
    return RouteAnswer(
        debtor=m.debtor.key,
        discovery=targets.discovery,
        routes=routes,
        learn_next=_learn_next(G, m, routes, targets, lang),
        warnings=_warnings(m, routes, targets, loops, known_elsewhere or {}, lang),
    )


def find_buck_loops(m: DebtorMap) -> tuple[tuple[str, ...], ...]:
    """Cycles of two or more contacts passing the buck to each other.

    Each loop is a tuple of contact keys starting at the contact listed first
    in ``m``; shorter loops come first.  Archived contacts and relations are
    left out; do-not-contact ones are kept (the loop is real all the same).
    """
    order = {c.key: i for i, c in enumerate(m.contacts) if not c.archived}
    edges = list(
        dict.fromkeys(
            (r.source, r.target)
            for r in m.relations
            if r.type is RelationType.PASSES_BUCK_TO
            and not r.archived
            and r.source != r.target
            and r.source in order
            and r.target in order
        )
    )
    # Only an edge whose source is passed to and whose target passes on can lie
    # on a cycle; pruning the rest first usually leaves nothing to search.
    while edges:
        passed_to = {v for _, v in edges}
        passing = {u for u, _ in edges}
        kept = [(u, v) for u, v in edges if u in passed_to and v in passing]
        if len(kept) == len(edges):
            break
        edges = kept
    if not edges:
        return ()
    loops = []
    for cycle in islice(_cycles(edges), _MAX_LOOPS):
        first = min(range(len(cycle)), key=lambda i: order[cycle[i]])
        loops.append(tuple(cycle[first:] + cycle[:first]))
    return tuple(sorted(loops, key=lambda loop: (len(loop), [order[key] for key in loop])))


def _cycles(edges: list[tuple[str, str]]) -> Iterable[list[str]]:
    """The simple cycles of a graph given by ``edges`` (each node on some cycle).

    Usually what is left is a few disjoint loops (sales and finance passing to
    each other): every node then passes to exactly one other, and walking the
    loops directly spares networkx's set-up, which costs more than the rest of
    the search.  Anything more tangled goes to ``nx.simple_cycles``.
    """
    passes_to = dict(edges)
    if len(passes_to) < len(edges) or len(set(passes_to.values())) < len(edges):
        return nx.simple_cycles(nx.DiGraph(edges))
    cycles, seen = [], set()
    for start in passes_to:
        if start not in seen:
            cycle = [start]
            while (nxt := passes_to[cycle[-1]]) != start:
                cycle.append(nxt)
            seen.update(cycle)
            cycles.append(cycle)
    return cycles


def _route_from_path(
    G: nx.DiGraph, keys: list[Any], *, in_loop: frozenset[str], lang: str
) -> Route:
    steps = []
    for i, key in enumerate(keys):
        node = G.nodes[key]
        if i == 0:
            via, cost = node["channel"], node["start"]
        else:
            edge = G.edges[keys[i - 1], key]
            via, cost = edge["type"].value, edge["cost"] + node["cost"]
        contact = node["contact"]
        hint = choose_hint(
            contact=contact,
            via=via,
            buck=via == RelationType.PASSES_BUCK_TO or key in in_loop,
            flags=node["history"].flags,
            lang=lang,
        )
        reasons = tuple(format_reason(r.code, r.amount, r.params, lang) for r in cost.reasons)
        steps.append(Step(key, contact.name, via, cost.amount, reasons, hint))
    return Route(cost=sum(s.cost for s in steps), target=keys[-1], steps=tuple(steps))


def _learn_next(
    G: nx.DiGraph, m: DebtorMap, routes: tuple[Route, ...], targets: Targets, lang: str
) -> tuple[str, ...]:
    """Gaps on the best route, in route order; in discovery the question first.

    Every contact on the route should have a phone (the seed: get the direct
    numbers); the target, the leader we want, an email too.
    """
    notes = [say("learn.ask_authorizer", lang)] if targets.discovery else []
    if routes:
        best = routes[0]
        for step in best.steps:
            node = G.nodes[step.contact]
            contact = node["contact"]
            if not has_usable_phone(contact, node["history"]):
                notes.append(say("learn.missing_phone", lang, name=contact.name))
            if step.contact == best.target and not targets.discovery and not contact.email:
                notes.append(say("learn.missing_email", lang, name=contact.name))
            if contact.disposition is Disposition.UNKNOWN:
                notes.append(say("learn.unknown_disposition", lang, name=contact.name))
    elif all(start is None for _, start in G.nodes(data="start")):
        notes.append(say("learn.no_start", lang, debtor=m.debtor.name))
    elif targets.keys:
        names = _names(m, targets.keys, lang)
        notes.append(say("learn.no_path", lang, names=names))
    return tuple(dict.fromkeys(notes))


def _warnings(
    m: DebtorMap,
    routes: tuple[Route, ...],
    targets: Targets,
    loops: tuple[tuple[str, ...], ...],
    known_elsewhere: Mapping[str, Sequence[str]],
    lang: str,
) -> tuple[str, ...]:
    warnings = []
    if targets.blocked:
        blocked = [c.key for c in targets.blocked]
        warnings.append(say("warn.authorizer_dnc", lang, names=_names(m, blocked, lang)))
    if targets.discovery:
        warnings.append(say("warn.discovery", lang))
    if not routes:
        if targets.keys:
            warnings.append(say("warn.no_route", lang, names=_names(m, targets.keys, lang)))
        else:
            warnings.append(say("warn.no_targets", lang))
    contacts = {c.key: c for c in m.contacts}
    for loop in loops:
        members = [
            say(
                "loop.member",
                lang,
                name=contacts[key].name,
                department=say(f"department.{contacts[key].department.value}", lang),
            )
            for key in loop
        ]
        cycle = " → ".join([*members, contacts[loop[0]].name])
        warnings.append(say("warn.buck_loop", lang, cycle=cycle))
    warnings.extend(_known_elsewhere_warnings(contacts, routes, known_elsewhere, lang))
    return tuple(dict.fromkeys(warnings))


def _known_elsewhere_warnings(
    contacts: Mapping[str, Contact],
    routes: Iterable[Route],
    known_elsewhere: Mapping[str, Sequence[str]],
    lang: str,
) -> list[str]:
    warnings = []
    for key in route_contacts(routes):
        if places := known_elsewhere.get(key):
            joined = say("sep.places", lang).join(places)
            warnings.append(
                say("warn.known_elsewhere", lang, name=contacts[key].name, places=joined)
            )
    return warnings


def route_contacts(routes: Iterable[Route]) -> tuple[str, ...]:
    """Keys of the contacts on ``routes``, each once, in route order."""
    return tuple(dict.fromkeys(step.contact for route in routes for step in route.steps))


def note_known_elsewhere(
    answer: RouteAnswer,
    m: DebtorMap,
    known_elsewhere: Mapping[str, Sequence[str]],
    *,
    lang: str = "en",
) -> RouteAnswer:
    """``answer`` with a warning for each contact on its routes who is known at other debtors.

    For callers that look people up only after routing, so that the look-up covers
    the few contacts on the routes rather than the whole map.
    """
    contacts = {c.key: c for c in m.contacts}
    extra = _known_elsewhere_warnings(contacts, answer.routes, known_elsewhere, lang)
    return replace(answer, warnings=tuple(dict.fromkeys((*answer.warnings, *extra))))


def _names(m: DebtorMap, keys: Iterable[str], lang: str, limit: int = 5) -> str:
    """Names of ``keys`` in map order, at most ``limit`` of them."""
    wanted = set(keys)
    names = [c.name for c in m.contacts if c.key in wanted][:limit]
    return say("sep.names", lang).join(names)
