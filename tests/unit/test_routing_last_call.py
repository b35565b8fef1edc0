"""Routes that follow the last call (issue 11), each rule on a small hand-built map.

- rule 3: after A refers us to B, the next step is B, not A again;
- rule 4: no detours: a route never reaches someone through others for no
  less than calling them directly would cost;
- rule 7: history is worded in calendar days ("3 unanswered calls today").
"""

from __future__ import annotations

import zlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import networkx as nx
import pytest

from orgmap.domain.model import (
    Contact,
    DebtorMap,
    Department,
    Disposition,
    Outcome,
    RelationType,
)
from orgmap.routing import RouteAnswer, WeightsError, cheapest_routes, load_weights
from orgmap.routing.paths import cheapest_paths
from orgmap.routing.tactics import say
from tests.factories import (
    SHANGHAI,
    make_contact,
    make_interaction,
    make_map,
    make_phone,
    make_relation,
)

NOW = datetime(2026, 11, 20, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai
R = RelationType
SHEEP, FOX, EAGLE, DONKEY, UNKNOWN = (
    Disposition.SHEEP,
    Disposition.FOX,
    Disposition.EAGLE,
    Disposition.DONKEY,
    Disposition.UNKNOWN,
)
W = load_weights()


def person(
    key: str,
    disposition: Disposition = UNKNOWN,
    department: Department = Department.OTHER,
    *,
    phone: bool = True,
    **fields,
) -> Contact:
    """A contact with a phone of their own (unless ``phone=False``) and no email."""
    phones = (make_phone(f"+86138{zlib.crc32(key.encode()) % 10**8:08d}"),) if phone else ()
    return make_contact(
        key,
        name=fields.pop("name", key.upper()),
        department=department,
        disposition=disposition,
        phones=phones,
        **fields,
    )


def debtor_map(contacts, relations=(), interactions=()) -> DebtorMap:
    return make_map(
        contacts=tuple(contacts),
        relations=tuple(make_relation(*r) for r in relations),
        interactions=tuple(interactions),
    )


def answer(m: DebtorMap, **options) -> RouteAnswer:
    return cheapest_routes(m, now=options.pop("now", NOW), **options)


def routes_of(result: RouteAnswer) -> list[list[str]]:
    return [[s.contact for s in r.steps] for r in result.routes]


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in November 2026, Shanghai time."""
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


def logged(contact: str, outcome: Outcome, *moments: datetime, **fields):
    return [make_interaction(contact, at=moment, outcome=outcome, **fields) for moment in moments]


# --- Rule 3: after A refers us to B, the next step is B ---------------------------------


def front_desk_referred_us_to_finance(*, when: datetime, **finance_fields) -> DebtorMap:
    """Discovery: nobody known to authorize payment; the desk gave us finance's number."""
    return debtor_map(
        [
            person("desk", SHEEP, Department.RECEPTION, name="小王"),
            person("finance", UNKNOWN, Department.FINANCE, name="陈丽", **finance_fields),
        ],
        [("desk", "finance", R.REFERS_TO)],
        logged("desk", Outcome.REFERRED, when, note="前台给了财务陈丽的电话"),
    )


def test_before_the_referral_the_cooperative_desk_comes_first():
    m = front_desk_referred_us_to_finance(when=NOW)
    plain = DebtorMap(m.debtor, m.contacts, m.relations, ())
    assert routes_of(answer(plain)) == [["desk"], ["finance"]]
    assert [r.cost for r in answer(plain).routes] == pytest.approx([1.0, 1.3])


@pytest.mark.parametrize(
    ("lang", "reason"),
    [("en", "already referred us onward today +1.5"), ("zh-CN", "今天已引荐其他联系人 +1.5")],
)
def test_whoever_just_referred_us_onward_comes_after_the_person_they_named(lang, reason):
    result = answer(front_desk_referred_us_to_finance(when=NOW - timedelta(minutes=5)), lang=lang)
    assert result.discovery
    assert routes_of(result) == [["finance"], ["desk"]]
    finance, desk = result.routes
    assert finance.cost == pytest.approx(1.3)
    assert desk.cost == pytest.approx(1.0 + W.referred, abs=1e-3) and W.referred == 1.5
    assert desk.steps[0].reasons[-1] == reason


def test_the_referral_weighs_on_every_way_to_call_them_again():
    # The desk referred us to finance, whose number we lack; a second desk colleague
    # knows finance too.  Both routes need a hop; the one through the desk costs more.
    m = debtor_map(
        [
            person("desk", SHEEP, Department.RECEPTION),
            person("aide", SHEEP, Department.SALES),
            person("cfo", EAGLE, Department.FINANCE, phone=False, authorizes_payment=True),
        ],
        [("desk", "cfo", R.REFERS_TO), ("aide", "cfo", R.REPORTS_TO)],
    )
    assert routes_of(answer(m)) == [["desk", "cfo"], ["aide", "cfo"]]
    referred = DebtorMap(
        m.debtor, m.contacts, m.relations, (*logged("desk", Outcome.REFERRED, NOW),)
    )
    result = answer(referred)
    assert routes_of(result) == [["aide", "cfo"], ["desk", "cfo"]]
    # On the route that still needs the desk, the hint asks only for what is missing.
    assert "ask only for what is still missing" in result.routes[1].steps[0].hint


def test_the_referral_penalty_fades_like_the_others():
    def desk_cost(days: float) -> float:
        m = front_desk_referred_us_to_finance(when=NOW - timedelta(days=days))
        return next(r.cost for r in answer(m).routes if r.target == "desk")

    assert desk_cost(0) == pytest.approx(1.0 + W.referred)
    assert desk_cost(W.half_life_days) == pytest.approx(1.0 + W.referred / 2)
    assert desk_cost(W.horizon_days + 1) == pytest.approx(1.0)


def test_a_week_on_the_named_person_still_comes_first_even_by_email_only():
    # The rule weights.toml holds: unknown disposition, by the dearer channel, a week later.
    m = front_desk_referred_us_to_finance(
        when=NOW - timedelta(days=7), phone=False, email="chenli@acme.example"
    )
    result = answer(m)
    assert routes_of(result) == [["finance"], ["desk"]]
    assert result.routes[0].steps[0].via == "email"


def test_several_referrals_are_one_reason_in_calendar_days():
    m = debtor_map(
        [person("desk", SHEEP, Department.RECEPTION), person("cfo", phone=False)],
        [("desk", "cfo", R.REFERS_TO)],
        logged("desk", Outcome.REFERRED, at(18, 10), at(19, 16)),
    )
    (route,) = answer(m).routes
    assert (
        route.steps[0]
        .reasons[-1]
        .startswith("already referred us onward 2 times, latest yesterday +")
    )
    zh = answer(m, lang="zh-CN").routes[0].steps[0].reasons[-1]
    assert zh.startswith("已引荐其他联系人2次，最近一次昨天 +")


def front_desk_referred_us_to_sales(*interactions) -> DebtorMap:
    """Discovery: the desk gave us a salesman's number; sales is no discovery department."""
    return debtor_map(
        [
            person("desk", SHEEP, Department.RECEPTION, name="小王"),
            person("sales", UNKNOWN, Department.SALES, name="赵强"),
            person("buyer", UNKNOWN, Department.PURCHASING, name="孙立新"),
        ],
        [("desk", "sales", R.REFERS_TO), ("desk", "buyer", R.COLLEAGUE)],
        [*logged("desk", Outcome.REFERRED, NOW - timedelta(minutes=5)), *interactions],
    )


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_in_discovery_a_referral_to_sales_makes_sales_the_next_step(lang):
    result = answer(front_desk_referred_us_to_sales(), lang=lang)
    assert result.discovery
    assert routes_of(result) == [["sales"], ["desk"]]
    assert result.routes[0].cost == pytest.approx(1.3)
    # Still discovery: the question to ask the salesman comes first.
    assert result.learn_next[0] == say("learn.ask_authorizer", lang)
    # Someone merely known (a colleague, not named to us) does not become a target.
    assert "buyer" not in {r.target for r in result.routes}


def test_once_the_referred_salesman_was_called_the_route_moves_on():
    # He answered: he is no longer someone the desk just named; the desk (dearer now) and
    # the knowing departments are the targets again.
    m = front_desk_referred_us_to_sales(*logged("sales", Outcome.REACHED, NOW))
    assert routes_of(answer(m)) == [["desk"]]


def test_a_referral_target_nobody_may_call_is_no_target():
    m = front_desk_referred_us_to_sales()
    blocked = replace(
        m,
        contacts=tuple(
            replace(c, do_not_contact=True) if c.key == "sales" else c for c in m.contacts
        ),
    )
    assert routes_of(answer(blocked)) == [["desk"]]


def test_a_referral_does_not_change_the_targets_once_an_authorizer_is_known():
    m = front_desk_referred_us_to_sales()
    boss = person("boss", EAGLE, Department.OWNER, authorizes_payment=True)
    known = replace(m, contacts=(*m.contacts, boss))
    result = answer(known)
    assert not result.discovery
    assert {r.target for r in result.routes} == {"boss"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[history]\nreferred = 0.5\n", r"history\.referred: a referral a week ago \(0\.35"),
        # A dearer email widens the gap the referral must cover.
        ("[channel]\nemail = 1.5\n", r"history\.referred: .* \(1\.8\)"),
    ],
)
def test_weights_that_would_send_us_back_to_the_referrer_are_refused(tmp_path, text, message):
    team = tmp_path / "team.toml"
    team.write_text(text, encoding="utf-8")
    with pytest.raises(WeightsError, match=message):
        load_weights(team)


def test_a_team_may_weigh_referrals_more(tmp_path):
    team = tmp_path / "team.toml"
    team.write_text("[history]\nreferred = 4\n", encoding="utf-8")
    weights = load_weights(team)
    m = front_desk_referred_us_to_finance(when=NOW)
    desk = next(r for r in answer(m, weights=weights).routes if r.target == "desk")
    assert desk.cost == pytest.approx(5.0)


# --- Rule 4: no detours ------------------------------------------------------------------


def test_a_route_through_the_fox_to_someone_whose_number_we_have_is_not_shown():
    m = debtor_map(
        [
            person("desk", SHEEP, Department.RECEPTION, name="小王"),
            person("zhao", FOX, Department.SALES, name="赵强"),
            person("chen", UNKNOWN, Department.FINANCE, name="陈丽"),
        ],
        [("zhao", "chen", R.PASSES_BUCK_TO), ("zhao", "desk", R.COLLEAGUE)],
    )
    result = answer(m, k=5)
    assert result.discovery
    assert routes_of(result) == [["desk"], ["chen"]]
    # Without her number the route through the fox is the only way to her, and is shown.
    no_number = DebtorMap(
        m.debtor,
        tuple(c if c.key != "chen" else replace(c, phones=()) for c in m.contacts),
        m.relations,
        (),
    )
    assert routes_of(answer(no_number, k=5)) == [["desk"], ["zhao", "chen"]]


def test_the_donkey_through_his_customer_stays_since_the_direct_call_costs_more():
    m = debtor_map(
        [
            person("customer", UNKNOWN, Department.EXTERNAL),
            person("boss", DONKEY, Department.OWNER, authorizes_payment=True),
        ],
        [("customer", "boss", R.INFLUENCES)],
    )
    via_customer, direct = answer(m, k=2).routes
    assert [s.contact for s in via_customer.steps] == ["customer", "boss"]
    assert [s.contact for s in direct.steps] == ["boss"]
    assert via_customer.cost < direct.cost


def test_a_detour_to_someone_on_the_way_is_not_shown_either():
    # desk -> aide -> boss reaches the aide for 2.5, whose own number costs 1.
    m = debtor_map(
        [
            person("desk", SHEEP),
            person("aide", SHEEP),
            person("boss", EAGLE, Department.OWNER, phone=False, authorizes_payment=True),
        ],
        [("desk", "aide", R.REPORTS_TO), ("aide", "boss", R.REPORTS_TO)],
    )
    assert routes_of(answer(m, k=5)) == [["aide", "boss"]]


def test_the_classic_company_calls_the_boss_whose_number_we_have():
    result = answer(make_map(interactions=()), k=3)
    assert routes_of(result) == [["boss"]]


def graph(direct: dict[str, float | None], hops: dict[tuple[str, str], float]) -> nx.DiGraph:
    G = nx.DiGraph()
    for key, cost in direct.items():
        G.add_node(key, start=None if cost is None else SimpleNamespace(amount=cost))
    G.add_edges_from((u, v, {"weight": w}) for (u, v), w in hops.items())
    return G


@pytest.mark.parametrize(
    ("boss_direct", "expected"),
    [
        (2.2, [["boss"]]),  # "for no more than": a tie is a detour too
        (2.3, [["desk", "boss"], ["boss"]]),
        (None, [["desk", "boss"]]),
    ],
)
def test_a_route_is_a_detour_when_the_direct_call_costs_no_more(boss_direct, expected):
    G = graph({"desk": 1.0, "boss": boss_direct}, {("desk", "boss"): 1.2})
    assert cheapest_paths(G, {"boss"}, k=5) == expected


def test_paths_are_cheapest_first_and_stop_at_the_first_target():
    G = graph(
        {"a": 1.0, "b": 3.0, "t1": None, "t2": 10.0},
        {("a", "t1"): 1.0, ("a", "b"): 1.5, ("b", "t2"): 1.0, ("t1", "t2"): 0.1},
    )
    # t1 -> t2 is never walked: a route ends at t1.  b -> t2 costs 4 from b's own number.
    assert cheapest_paths(G, {"t1", "t2"}, k=10) == [
        ["a", "t1"],
        ["a", "b", "t2"],
        ["b", "t2"],
        ["t2"],
    ]
    assert cheapest_paths(G, {"t1", "t2"}, k=2) == [["a", "t1"], ["a", "b", "t2"]]
    assert cheapest_paths(G, set(), k=2) == []


# --- Rule 7: history in calendar days -----------------------------------------------------


def reasons_of(interactions, *, now: datetime = NOW, lang: str = "en") -> tuple[str, ...]:
    m = debtor_map([person("s", SHEEP, authorizes_payment=True)], (), interactions)
    return answer(m, now=now, lang=lang).routes[0].steps[0].reasons


@pytest.mark.parametrize(
    ("lang", "reason"),
    [("en", "3 unanswered calls today +3.6"), ("zh-CN", "今天3次未接通 +3.6")],
)
def test_three_unanswered_calls_in_the_same_minute_today_are_three_today(lang, reason):
    same_minute = [NOW - timedelta(seconds=s) for s in (50, 30, 10)]
    assert reasons_of(logged("s", Outcome.NO_ANSWER, *same_minute), lang=lang)[-1] == reason


@pytest.mark.parametrize(
    ("moments", "en", "zh"),
    [
        # Less than 24 hours ago, but before midnight in Shanghai: yesterday.
        ([at(19, 23, 30)], "unanswered call yesterday", "昨天未接通"),
        ([at(19, 23, 30), at(19, 23, 40)], "2 unanswered calls yesterday", "昨天2次未接通"),
        ([at(19, 23, 30), at(20, 8)], "2 unanswered calls in the last 2 days", "近2天2次未接通"),
        ([at(15, 9), at(15, 18)], "2 unanswered calls 5 days ago", "5天前2次未接通"),
        ([at(13, 9), at(17, 18)], "2 unanswered calls in the last 8 days", "近8天2次未接通"),
    ],
)
def test_unanswered_calls_are_counted_in_calendar_days(moments, en, zh):
    interactions = logged("s", Outcome.NO_ANSWER, *moments)
    assert reasons_of(interactions)[-1].startswith(en + " +")
    assert reasons_of(interactions, lang="zh-CN")[-1].startswith(zh + " +")


def test_days_turn_at_midnight_in_shanghai_not_in_utc():
    half_past_midnight = datetime(2026, 11, 20, 16, 30, tzinfo=UTC)  # the 21st in Shanghai
    late_last_night = datetime(2026, 11, 20, 15, 50, tzinfo=UTC)  # 23:50 on the 20th
    reason = reasons_of(logged("s", Outcome.NO_ANSWER, late_last_night), now=half_past_midnight)
    assert reason[-1].startswith("unanswered call yesterday +")


@pytest.mark.parametrize(
    ("outcome", "en", "zh"),
    [
        (Outcome.REFUSED, "refused 2 times today", "今天拒绝付款2次"),
        (Outcome.DISPUTED, "disputed the debt 2 times today", "今天对欠款提出异议2次"),
    ],
)
def test_other_history_on_one_day_is_worded_for_that_day(outcome, en, zh):
    interactions = logged("s", outcome, at(20, 9), at(20, 11))
    assert reasons_of(interactions)[-1].startswith(en + " +")
    assert reasons_of(interactions, lang="zh-CN")[-1].startswith(zh + " +")


def test_a_call_logged_ahead_of_our_clock_counts_as_today():
    ahead = logged("s", Outcome.NO_ANSWER, NOW + timedelta(minutes=3), NOW - timedelta(minutes=1))
    assert reasons_of(ahead)[-1].startswith("2 unanswered calls today +")


def finance_passed_us_to_sales(*interactions) -> DebtorMap:
    """Discovery, the seed's obstacle: finance (reached) says "ask sales", and sales is untried."""
    return debtor_map(
        [
            person("desk", SHEEP, Department.RECEPTION, name="小王"),
            person("finance", UNKNOWN, Department.FINANCE, name="李姐"),
            person("sales", UNKNOWN, Department.SALES, name="张经理"),
        ],
        [("desk", "finance", R.REFERS_TO), ("finance", "sales", R.PASSES_BUCK_TO)],
        [
            *logged("desk", Outcome.REFERRED, NOW - timedelta(hours=1)),
            *logged("finance", Outcome.REACHED, NOW - timedelta(minutes=5)),
            *interactions,
        ],
    )


def test_after_finance_passes_the_buck_the_person_named_is_next_not_finance_again():
    result = answer(finance_passed_us_to_sales())
    assert result.discovery
    assert routes_of(result)[0] == ["sales"]
    # Finance said "not me, them": no route ends at her until sales was tried.
    assert "finance" not in {r.target for r in result.routes}


def test_once_sales_was_tried_finance_is_a_target_again():
    m = finance_passed_us_to_sales(*logged("sales", Outcome.REACHED, NOW))
    assert "finance" in {r.target for r in answer(m).routes}
