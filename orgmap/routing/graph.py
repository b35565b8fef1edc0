"""A debtor's map as a weighted networkx graph of whom we can get to from whom.

An edge ``u -> v`` means "from ``u`` we can get to ``v``".  Each relation type
is walked in the direction that reading gives it:

========================  ==============================================
``reports_to`` A -> B      A reports to B: escalate upwards, A to B
``refers_to`` A -> B       A gave us B's number: A to B
``gatekeeps`` A -> B       A stands before B: through A we reach B
``passes_buck_to`` A -> B  A sends us on to B: A to B
``influences`` A -> B      A (e.g. a customer) can press B: A to B
``colleague`` A -- B       symmetric: both ways
========================  ==============================================

Only contacts a route may use are nodes: do-not-contact and archived
contacts, and archived relations, are left out, so no route can pass through
them.  When several relations join the same two contacts in the same
direction, the graph keeps the cheapest.

Costs are computed here once, so the path search only reads numbers.  Node
attributes: ``contact``, ``history``, ``cost`` (:class:`~orgmap.routing.costs.Cost`
of talking to them), ``channel`` and ``start`` (the cheapest first-hand
channel and the cost of a first step to them, or None when we cannot
contact them first-hand) and ``target``.  Edge attributes: ``type`` (the
relation), ``cost`` (getting there) and ``weight`` (the whole hop: getting
there plus the contact).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import networkx as nx

from orgmap.domain.calls import current_calls
from orgmap.domain.model import Contact, DebtorMap, Department, RelationType
from orgmap.routing.costs import (
    NO_HISTORY,
    contact_cost,
    entry_cost,
    first_channel,
    start_cost,
    summarize_history,
)
from orgmap.routing.weights import Weights

__all__ = ["Targets", "build_graph", "select_targets"]

#: Departments most likely to know who authorizes payment (seed, article 5:
#: the receptionist knows everything; leaders and finance know who signs).
DISCOVERY_DEPARTMENTS = frozenset(
    {Department.RECEPTION, Department.MANAGEMENT, Department.OWNER, Department.FINANCE}
)


@dataclass(frozen=True, slots=True)
class Targets:
    """Whom routes should end at.

    ``discovery`` is True when no usable authorizer is known and ``keys`` are
    the contacts most likely to know who is; ``blocked`` are authorizers left
    out because they are marked do-not-contact.
    """

    keys: frozenset[str]
    discovery: bool
    blocked: tuple[Contact, ...] = ()


def select_targets(m: DebtorMap) -> Targets:
    """The authorizers of ``m`` we may contact, or discovery targets when none.

    Discovery targets are the contacts of :data:`DISCOVERY_DEPARTMENTS` and
    anyone a contact sent us on to (``refers_to`` or ``passes_buck_to``) who has
    not been tried yet, whatever their department: whoever sent us on has told
    us what they know, so the person they named is the next one to ask (issue
    11, rule 3; the history then weighs a contact who just referred us on).  Who
    passed the buck to such a person is not a target until that person was tried.

    >>> from decimal import Decimal
    >>> from orgmap.domain.model import Debtor
    >>> m = DebtorMap(
    ...     Debtor("acme", "Acme", Decimal(0)),
    ...     contacts=(Contact("desk", "Front desk", Department.RECEPTION),),
    ... )
    >>> select_targets(m)
    Targets(keys=frozenset({'desk'}), discovery=True, blocked=())
    """
    live = [c for c in m.contacts if not c.archived]
    authorizers = [c for c in live if c.authorizes_payment]
    usable = frozenset(c.key for c in authorizers if not c.do_not_contact)
    blocked = tuple(c for c in authorizers if c.do_not_contact)
    if usable:
        return Targets(keys=usable, discovery=False, blocked=blocked)
    named = _untried_referrals(m, live)
    # Whoever passed the buck to someone not tried yet has said "not me, them".
    passing = {
        r.source
        for r in m.relations
        if r.type is RelationType.PASSES_BUCK_TO and not r.archived and r.target in named
    }
    knowing = frozenset(
        c.key
        for c in live
        if not c.do_not_contact
        and (c.key in named or (c.department in DISCOVERY_DEPARTMENTS and c.key not in passing))
    )
    return Targets(keys=knowing, discovery=True, blocked=blocked)


#: Relations by which a contact sends us on to someone else.
_SENDS_ON = frozenset({RelationType.REFERS_TO, RelationType.PASSES_BUCK_TO})


def _untried_referrals(m: DebtorMap, live: list[Contact]) -> frozenset[str]:
    """The contacts someone sent us on to (``refers_to`` or ``passes_buck_to``) with no
    call logged yet and whom we may call.

    >>> from decimal import Decimal
    >>> from datetime import UTC, datetime
    >>> from orgmap.domain.model import Channel, Debtor, Interaction, Outcome, Relation
    >>> people = [Contact(k, k, Department.SALES) for k in ("desk", "sales", "buyer")]
    >>> m = DebtorMap(
    ...     Debtor("acme", "Acme", Decimal(0)),
    ...     contacts=tuple(people),
    ...     relations=(Relation("desk", "sales", RelationType.REFERS_TO),
    ...                Relation("desk", "buyer", RelationType.PASSES_BUCK_TO)),
    ...     interactions=(Interaction("buyer", datetime(2026, 1, 5, tzinfo=UTC),
    ...                               Channel.PHONE, Outcome.NO_ANSWER),),
    ... )
    >>> sorted(_untried_referrals(m, people))
    ['sales']
    """
    callable_keys = {c.key for c in live if not c.do_not_contact}
    sent = [
        r
        for r in m.relations
        if r.type in _SENDS_ON
        and not r.archived
        and r.source != r.target
        and r.target in callable_keys
    ]
    if not sent:
        return frozenset()
    tried = {i.contact for i in current_calls(m.interactions)}
    return frozenset(r.target for r in sent if r.target not in tried)


def build_graph(m: DebtorMap, *, now: datetime, weights: Weights) -> nx.DiGraph:
    """Build the routing graph of one debtor, with every cost precomputed.

    Runs in time linear in the number of contacts, relations and interactions.

    Parameters
    ----------
    m : DebtorMap
        The debtor's contacts, relations and interactions.
    now : datetime
        Timezone-aware moment at which history penalties are weighed.
    weights : Weights
        The cost model's numbers (:func:`orgmap.routing.load_weights`).

    Returns
    -------
    G : networkx.DiGraph
        Contacts a route may use, edges in the direction we can get from one
        to the other (see the module docstring).  ``G.graph`` holds
        ``debtor`` (the key) and ``targets`` (:class:`Targets`).

    Examples
    --------
    >>> from datetime import UTC, datetime
    >>> from decimal import Decimal
    >>> from orgmap.domain.model import Debtor, Phone, Relation
    >>> from orgmap.routing import load_weights
    >>> m = DebtorMap(
    ...     Debtor("acme", "Acme", Decimal(0)),
    ...     contacts=(
    ...         Contact("a", "A", Department.SALES, phones=(Phone("+8613800000000"),)),
    ...         Contact("b", "B", Department.FINANCE),
    ...     ),
    ...     relations=(Relation("a", "b", RelationType.COLLEAGUE),),
    ... )
    >>> G = build_graph(m, now=datetime(2026, 1, 5, tzinfo=UTC), weights=load_weights())
    >>> sorted(G.edges), G.nodes["a"]["channel"], G.nodes["b"]["start"]
    ([('a', 'b'), ('b', 'a')], 'phone', None)
    >>> round(G.edges["a", "b"]["weight"], 2)  # colleague 0.8 + call 1 + unknown 0.3
    2.1
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    targets = select_targets(m)
    histories = summarize_history(m, now=now, weights=weights)
    nodes: dict[str, dict[str, Any]] = {}
    for contact in m.contacts:
        if contact.do_not_contact or contact.archived:
            continue
        history = histories.get(contact.key, NO_HISTORY)
        cost = contact_cost(contact, history, weights)
        channel = first_channel(contact, history, weights)
        nodes[contact.key] = {
            "contact": contact,
            "history": history,
            "cost": cost,
            "channel": channel,
            "start": None if channel is None else start_cost(channel, contact, history, weights),
            "target": contact.key in targets.keys,
        }
    edges: dict[tuple[str, str], dict[str, Any]] = {}
    for relation in m.relations:
        u, v = relation.source, relation.target
        if relation.archived or u == v or u not in nodes or v not in nodes:
            continue
        hops = [(u, v), (v, u)] if relation.type is RelationType.COLLEAGUE else [(u, v)]
        for a, b in hops:
            cost = entry_cost(relation.type, nodes[b]["contact"], weights)
            weight = cost.amount + nodes[b]["cost"].amount
            known = edges.get((a, b))
            if known is None or weight < known["weight"]:
                edges[a, b] = {"type": relation.type, "cost": cost, "weight": weight}
    G = nx.DiGraph(debtor=m.debtor.key, targets=targets)
    G.add_nodes_from(nodes.items())
    G.add_edges_from((a, b, data) for (a, b), data in edges.items())
    return G
