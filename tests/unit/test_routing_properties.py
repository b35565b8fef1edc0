"""Properties of the route engine on small random maps.

The reference here walks every simple path by hand: its own reading of who
may start, who is a target and which way each relation is walked, priced with
the public cost functions.  Routes are checked by their properties (a start
at one end, a target at the other, steps joined by relations, costs that add
up), never by pinning one node list, since ties are legal.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import networkx as nx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orgmap.domain.model import (
    Channel,
    Contact,
    Debtor,
    DebtorMap,
    Department,
    Disposition,
    Interaction,
    Outcome,
    Phone,
    Relation,
    RelationType,
)
from orgmap.routing import (
    Route,
    cheapest_routes,
    contact_cost,
    entry_cost,
    find_buck_loops,
    load_weights,
    summarize_history,
)
from orgmap.routing.costs import NO_HISTORY
from orgmap.routing.graph import select_targets

NOW = datetime(2026, 11, 20, 4, 0, tzinfo=UTC)
SHANGHAI_ZONE = ZoneInfo("Asia/Shanghai")
WEIGHTS = load_weights()
KNOWING = {Department.RECEPTION, Department.MANAGEMENT, Department.OWNER, Department.FINANCE}
NUMBER_CHANNELS = (Channel.PHONE, Channel.SMS)
rare = st.integers(0, 5).map(lambda n: n == 0)  # True about one time in six

PROPERTY_SETTINGS = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def numbers_of(key: str) -> tuple[str, str]:
    """The two numbers contact ``key`` may have (interactions may name either)."""
    return f"+8613800000{key[1:]:>03}", f"+8613900000{key[1:]:>03}"


@st.composite
def contacts(draw, key: str) -> Contact:
    phones = tuple(Phone(n) for n in numbers_of(key))
    return Contact(
        key=key,
        name=f"name-{key}",
        department=draw(st.sampled_from(Department)),
        disposition=draw(st.sampled_from(Disposition)),
        authorizes_payment=draw(st.integers(0, 3).map(lambda n: n == 0)),
        # A third have a phone, so that many routes need hops to reach a target.
        # Now and then a second number, so that one of them can be wrong.
        phones=phones[: draw(st.sampled_from([1, 2]))] if draw(st.integers(0, 2)) == 0 else (),
        email=f"{key}@debtor.example" if draw(rare) else None,
        do_not_contact=draw(rare),
        archived=draw(rare),
    )


@st.composite
def interactions(draw, keys: list[str]) -> Interaction:
    outcome = draw(st.sampled_from(Outcome))
    promise_date = None
    if outcome is Outcome.PROMISED and draw(st.booleans()):
        promise_date = date(2026, 11, 20) + timedelta(days=draw(st.integers(-40, 5)))
    contact = draw(st.sampled_from(keys))
    return Interaction(
        contact=contact,
        at=NOW - timedelta(days=draw(st.floats(0, 130, allow_nan=False))),
        channel=draw(st.sampled_from([Channel.PHONE, Channel.SMS, Channel.EMAIL])),
        outcome=outcome,
        promise_date=promise_date,
        # The number used, or None as in data logged before numbers were recorded.
        phone=draw(st.sampled_from([None, *numbers_of(contact)])),
    )


@st.composite
def debtor_maps(draw, max_contacts: int = 6) -> DebtorMap:
    keys = [f"c{i}" for i in range(draw(st.integers(1, max_contacts)))]
    triples = draw(
        st.lists(
            st.tuples(st.sampled_from(keys), st.sampled_from(keys), st.sampled_from(RelationType)),
            min_size=len(keys) - 1,
            max_size=4 * len(keys),
            unique=True,
        )
    )
    return DebtorMap(
        debtor=Debtor("d", "Debtor", amount_owed=Decimal(0)),
        contacts=tuple(draw(contacts(key)) for key in keys),
        relations=tuple(Relation(u, v, t, archived=draw(rare)) for u, v, t in triples if u != v),
        interactions=tuple(draw(st.lists(interactions(keys), max_size=8))),
    )


# --- An independent reference ------------------------------------------------


class Reference:
    """Who may start, who is a target, how contacts join: read off the map directly."""

    def __init__(self, m: DebtorMap) -> None:
        self.usable = {c.key: c for c in m.contacts if not c.do_not_contact and not c.archived}
        authorizers = {k for k, c in self.usable.items() if c.authorizes_payment}
        # Discovery: the knowing departments, and anyone sent on to (refers_to or
        # passes_buck_to) not yet called.
        tried = {i.contact for i in m.interactions}
        sends_on = (RelationType.REFERS_TO, RelationType.PASSES_BUCK_TO)
        named = {
            r.target
            for r in m.relations
            if r.type in sends_on
            and not r.archived
            and r.source != r.target
            and r.target in self.usable
            and r.target not in tried
        }
        # ...but not whoever passed the buck to such a person: they said "not me, them".
        passing = {
            r.source
            for r in m.relations
            if r.type is RelationType.PASSES_BUCK_TO and not r.archived and r.target in named
        }
        self.targets = authorizers or {
            k
            for k, c in self.usable.items()
            if (c.department in KNOWING and k not in passing) or k in named
        }
        self.history = summarize_history(m, now=NOW, weights=WEIGHTS)
        self.hops: dict[str, list[tuple[str, RelationType]]] = {k: [] for k in self.usable}
        for r in m.relations:
            if r.archived or r.source not in self.usable or r.target not in self.usable:
                continue
            self.hops[r.source].append((r.target, r.type))
            if r.type is RelationType.COLLEAGUE:
                self.hops[r.target].append((r.source, r.type))
        # Oldest first; of two at the same moment the one logged later comes later.
        dialled = [
            i for i in sorted(m.interactions, key=lambda i: i.at) if i.channel in NUMBER_CHANNELS
        ]

        def number_ok(key: str, number: str) -> bool:
            """Not wrong on its own latest call, nor on a newer call logged without a number."""
            own = [n for n, i in enumerate(dialled) if i.contact == key and i.phone == number]
            unknown = [n for n, i in enumerate(dialled) if i.contact == key and i.phone is None]
            if own and dialled[own[-1]].outcome is Outcome.WRONG_NUMBER:
                return False
            if unknown and dialled[unknown[-1]].outcome is Outcome.WRONG_NUMBER:
                return bool(own) and own[-1] > unknown[-1]
            return True

        self.channels = {
            k: [
                *(["phone"] if any(number_ok(k, p.e164) for p in c.phones) else []),
                *(["email"] if c.email else []),
            ]
            for k, c in self.usable.items()
        }

    def step_cost(self, key: str, via: str) -> float:
        contact = self.usable[key]
        history = self.history.get(key, NO_HISTORY)
        return (
            entry_cost(via, contact, WEIGHTS).amount
            + contact_cost(contact, history, WEIGHTS).amount
        )

    def direct(self, key: str) -> float | None:
        """What calling ``key`` first costs by their cheapest channel, or None if we cannot."""
        costs = [self.step_cost(key, channel) for channel in self.channels[key]]
        return min(costs, default=None)

    def no_detours(self) -> dict[tuple[str, ...], float]:
        """Every route that reaches nobody through others for no less than their direct call.

        Each node list once, at its cheapest (the cheapest channel, the cheapest
        relation for each hop), with its cost.
        """
        found: dict[tuple[str, ...], float] = {}

        def walk(path: list[str], cost: float) -> None:
            if path[-1] in self.targets:
                found[tuple(path)] = cost
                return
            hops: dict[str, float] = {}
            for nxt, rtype in self.hops[path[-1]]:
                step = self.step_cost(nxt, rtype.value)
                hops[nxt] = min(step, hops.get(nxt, math.inf))
            for nxt, step in hops.items():
                direct = self.direct(nxt)
                if nxt not in path and (direct is None or cost + step < direct - 1e-9):
                    walk([*path, nxt], cost + step)

        for key in self.usable:
            if (direct := self.direct(key)) is not None:
                walk([key], direct)
        return found

    def best_cost(self) -> float:
        """The cheapest of all simple paths from a start to the first target on it."""
        best = math.inf

        def walk(path: list[str], cost: float) -> None:
            nonlocal best
            if path[-1] in self.targets:
                best = min(best, cost)
                return
            for nxt, rtype in self.hops[path[-1]]:
                if nxt not in path:
                    walk([*path, nxt], cost + self.step_cost(nxt, rtype.value))

        for key, channels in self.channels.items():
            for channel in channels:
                walk([key], self.step_cost(key, channel))
        return best

    def check(self, route: Route) -> None:
        """Assert ``route`` is a legal route and its costs recompute from its steps."""
        keys = [s.contact for s in route.steps]
        assert len(keys) == len(set(keys)), "a route visits nobody twice"
        assert all(k in self.usable for k in keys), "no do-not-contact or archived contact"
        first = route.steps[0]
        assert first.via in self.channels[first.contact], "the first step is a usable channel"
        assert route.target == keys[-1] and keys[-1] in self.targets
        assert not set(keys[:-1]) & self.targets, "a route ends at the first target"
        for before, step in zip(route.steps, route.steps[1:], strict=False):
            assert (step.contact, step.via) in {
                (v, t.value) for v, t in self.hops[before.contact]
            }, "consecutive steps are joined by the relation named in via"
        for step in route.steps:
            assert step.cost >= 0
            assert math.isclose(step.cost, self.step_cost(step.contact, step.via), abs_tol=1e-9)
        assert math.isclose(route.cost, sum(s.cost for s in route.steps), abs_tol=1e-9)


def best_cost(m: DebtorMap) -> float:
    routes = cheapest_routes(m, k=1, now=NOW, weights=WEIGHTS).routes
    return routes[0].cost if routes else math.inf


# --- Properties --------------------------------------------------------------


@PROPERTY_SETTINGS
@given(debtor_maps(), st.integers(1, 4))
def test_best_cost_is_the_brute_force_minimum_and_routes_are_legal(m, k):
    reference = Reference(m)
    routes = cheapest_routes(m, k=k, now=NOW, weights=WEIGHTS).routes
    expected = reference.best_cost()
    if expected == math.inf:
        assert routes == ()
        return
    assert 1 <= len(routes) <= k
    assert math.isclose(routes[0].cost, expected, abs_tol=1e-9)
    for route in routes:
        reference.check(route)
    costs = [r.cost for r in routes]
    assert costs == sorted(costs)
    assert len({tuple(s.contact for s in r.steps) for r in routes}) == len(routes)


@PROPERTY_SETTINGS
@given(debtor_maps(), st.integers(1, 6))
def test_routes_are_the_k_cheapest_that_are_no_detour(m, k):
    """Issue 11: no shown route reaches anyone (its target included) through others
    when calling them directly costs no more than the route's cost to them; and the
    routes shown are the k cheapest such routes, cheapest first, loop-free."""
    reference = Reference(m)
    routes = cheapest_routes(m, k=k, now=NOW, weights=WEIGHTS).routes
    allowed = reference.no_detours()
    assert len(routes) == min(k, len(allowed))
    for route in routes:
        reference.check(route)
        keys = tuple(s.contact for s in route.steps)
        assert math.isclose(route.cost, allowed[keys], abs_tol=1e-9)
        so_far = 0.0
        for i, step in enumerate(route.steps):
            so_far += step.cost
            direct = reference.direct(step.contact)
            assert i == 0 or direct is None or so_far < direct, (keys, step.contact)
    shown = [r.cost for r in routes]
    assert shown == sorted(shown)
    cheapest = sorted(allowed.values())[:k]
    assert all(math.isclose(a, b, abs_tol=1e-9) for a, b in zip(shown, cheapest, strict=True))


@PROPERTY_SETTINGS
@given(debtor_maps(), st.data())
def test_after_a_referral_the_person_named_comes_before_whoever_named_them(m, data):
    """Issue 11: a referral in the last week makes calling the referrer again dearer
    than calling whoever they named (of cooperative or unknown disposition, no history)."""
    keys = [c.key for c in m.contacts]
    if len(keys) < 2:
        return
    a, b = data.draw(st.permutations(keys))[:2]
    disposition = data.draw(
        st.sampled_from([Disposition.SHEEP, Disposition.EAGLE, Disposition.UNKNOWN])
    )
    age = data.draw(st.floats(0, 7))
    contacts = tuple(
        replace(
            c,
            authorizes_payment=True,
            do_not_contact=False,
            archived=False,
            disposition=disposition if c.key == b else c.disposition,
            phones=(Phone(f"+8613700000{c.key[1:]:>03}"),),
        )
        if c.key in (a, b)
        else c
        for c in m.contacts
    )
    referral = Interaction(
        contact=a, at=NOW - timedelta(days=age), channel=Channel.PHONE, outcome=Outcome.REFERRED
    )
    referred = DebtorMap(
        m.debtor,
        contacts,
        (*m.relations, Relation(a, b, RelationType.REFERS_TO)),
        (*(i for i in m.interactions if i.contact != b), referral),
    )
    routes = cheapest_routes(referred, k=50, now=NOW, weights=WEIGHTS).routes
    alone = {r.steps[0].contact: (n, r.cost) for n, r in enumerate(routes) if len(r.steps) == 1}
    assert b in alone
    if a in alone:
        assert alone[b] < alone[a]


@PROPERTY_SETTINGS
@given(
    st.lists(st.integers(0, 20 * 24 * 60), min_size=1, max_size=5),
    st.integers(0, 24 * 60 - 1),
    st.sampled_from(["en", "zh-CN"]),
)
def test_history_names_the_calendar_days_in_shanghai(minutes_ago, minute_of_day, lang):
    """Issue 11: "today", "yesterday", "N days ago" and "in the last N days" count
    calendar days in the collectors' time zone, today included."""
    now = datetime(2026, 11, 20, tzinfo=SHANGHAI_ZONE) + timedelta(minutes=minute_of_day)
    moments = [now - timedelta(minutes=m) for m in minutes_ago]
    m = DebtorMap(
        Debtor("d", "Debtor", amount_owed=Decimal(0)),
        contacts=(
            Contact(
                "s",
                "S",
                Department.OWNER,
                authorizes_payment=True,
                phones=(Phone("+8613800000001"),),
            ),
        ),
        interactions=tuple(
            Interaction("s", at.astimezone(UTC), Channel.PHONE, Outcome.NO_ANSWER) for at in moments
        ),
    )
    reason = cheapest_routes(m, now=now, weights=WEIGHTS, lang=lang).routes[0].steps[0].reasons[-1]
    days_ago = sorted((now.date() - at.date()).days for at in moments)
    words = {0: {"en": "today", "zh-CN": "今天"}, 1: {"en": "yesterday", "zh-CN": "昨天"}}

    def ago(n: int) -> str:
        return words.get(n, {"en": f"{n} days ago", "zh-CN": f"{n}天前"})[lang]

    n, newest, oldest = len(moments), days_ago[0], days_ago[-1]
    if n == 1:
        expected = {"en": f"unanswered call {ago(newest)}", "zh-CN": f"{ago(newest)}未接通"}
    elif newest == oldest:
        expected = {
            "en": f"{n} unanswered calls {ago(newest)}",
            "zh-CN": f"{ago(newest)}{n}次未接通",
        }
    else:
        expected = {
            "en": f"{n} unanswered calls in the last {oldest + 1} days",
            "zh-CN": f"近{oldest + 1}天{n}次未接通",
        }
    assert reason.startswith(expected[lang] + " +"), (reason, days_ago)


@PROPERTY_SETTINGS
@given(debtor_maps(max_contacts=8))
def test_routes_never_contain_do_not_contact_or_archived_contacts(m):
    barred = {c.key for c in m.contacts if c.do_not_contact or c.archived}
    for route in cheapest_routes(m, k=5, now=NOW, weights=WEIGHTS).routes:
        assert not {s.contact for s in route.steps} & barred


@PROPERTY_SETTINGS
@given(debtor_maps(), st.data())
def test_adding_a_relation_never_raises_the_best_cost(m, data):
    """More known relations never make the best route dearer -- while the people to reach
    stay the same.  In discovery mode (no usable authorizer) a new referral or buck-pass
    changes them on purpose: its untried target becomes one, and whoever passed the buck
    stops being one until that target is tried (issue 11), which may cost more."""
    keys = [c.key for c in m.contacts]
    source = data.draw(st.sampled_from(keys))
    target = data.draw(st.sampled_from([k for k in keys if k != source] or keys))
    rtype = data.draw(st.sampled_from(RelationType))
    existing = {(r.source, r.target, r.type) for r in m.relations}
    if source == target or (source, target, rtype) in existing:
        return
    richer = DebtorMap(
        m.debtor, m.contacts, (*m.relations, Relation(source, target, rtype)), m.interactions
    )
    if select_targets(richer).keys != select_targets(m).keys:
        assert select_targets(m).discovery
        assert rtype in (RelationType.REFERS_TO, RelationType.PASSES_BUCK_TO)
        return
    assert best_cost(richer) <= best_cost(m) + 1e-9


@PROPERTY_SETTINGS
@given(
    st.lists(
        st.tuples(st.integers(0, 5), st.integers(0, 5)).filter(lambda e: e[0] != e[1]),
        max_size=10,
        unique=True,
    )
)
def test_buck_passing_loops_are_the_cycles_of_the_buck_passing_graph(pairs):
    keys = [f"c{i}" for i in range(6)]
    m = DebtorMap(
        debtor=Debtor("d", "Debtor", amount_owed=Decimal(0)),
        contacts=tuple(Contact(k, k, Department.SALES) for k in keys),
        relations=tuple(Relation(keys[a], keys[b], RelationType.PASSES_BUCK_TO) for a, b in pairs),
    )
    expected = {
        frozenset(zip(cycle, cycle[1:] + cycle[:1], strict=True))
        for cycle in nx.simple_cycles(nx.DiGraph([(keys[a], keys[b]) for a, b in pairs]))
    }
    loops = find_buck_loops(m)
    assert len(loops) == min(len(expected), 10)
    found = {frozenset(zip(loop, loop[1:] + loop[:1], strict=True)) for loop in loops}
    assert found <= expected
    for loop in loops:
        assert loop[0] == min(loop, key=keys.index), "a loop starts at the contact listed first"
