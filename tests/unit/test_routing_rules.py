"""Every routing rule of issue 3, each on a small hand-built map.

Where a rule is an inequality ("costs more than two extra cooperative hops"),
the test builds both alternatives into one map and checks which one the
engine picks as the best route.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from orgmap.domain.model import (
    Channel,
    Contact,
    DebtorMap,
    Department,
    Disposition,
    Outcome,
    RelationType,
)
from orgmap.routing import (
    RouteAnswer,
    WeightsError,
    cheapest_routes,
    find_buck_loops,
    load_weights,
)
from tests.factories import make_contact, make_interaction, make_map, make_phone, make_relation

NOW = datetime(2026, 11, 20, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai
R = RelationType
SHEEP, FOX, EAGLE, DONKEY, UNKNOWN = (
    Disposition.SHEEP,
    Disposition.FOX,
    Disposition.EAGLE,
    Disposition.DONKEY,
    Disposition.UNKNOWN,
)


def person(
    key: str,
    disposition: Disposition = SHEEP,
    department: Department = Department.OTHER,
    *,
    phone: bool = False,
    **fields,
) -> Contact:
    """A contact with no phone (unless ``phone=True``) and no email.

    Only contacts with a phone or email can be called first, so intermediate
    contacts have none: each test chooses where routes may start.
    """
    phones = (make_phone(f"+86138{zlib.crc32(key.encode()) % 10**8:08d}"),) if phone else ()
    return make_contact(
        key,
        name=fields.pop("name", key.upper()),
        department=department,
        disposition=disposition,
        phones=phones,
        **fields,
    )


def start(key: str, disposition: Disposition = SHEEP, department=Department.OTHER, **fields):
    """A contact we can call first."""
    return person(key, disposition, department, phone=True, **fields)


def boss(key: str = "boss", disposition: Disposition = EAGLE, **fields) -> Contact:
    department = fields.pop("department", Department.OWNER)
    return person(key, disposition, department, authorizes_payment=True, **fields)


def debtor_map(contacts, relations=(), interactions=()) -> DebtorMap:
    return make_map(
        contacts=tuple(contacts),
        relations=tuple(make_relation(*r) for r in relations),
        interactions=tuple(interactions),
    )


def answer(m: DebtorMap, **options) -> RouteAnswer:
    return cheapest_routes(m, now=options.pop("now", NOW), **options)


def best_keys(m: DebtorMap, **options) -> list[str]:
    return [s.contact for s in answer(m, **options).routes[0].steps]


def calls(contact: str, outcome: Outcome, *days_ago: float, **fields):
    return [
        make_interaction(contact, at=NOW - timedelta(days=d), outcome=outcome, **fields)
        for d in days_ago
    ]


def amounts(reasons) -> list[float]:
    """The "+1.2" at the end of each reason, as numbers."""
    found = [re.search(r"\+(\d+(?:\.\d+)?)$", r) for r in reasons]
    assert all(found), reasons
    return [float(f.group(1)) for f in found if f]


# --- Start -----------------------------------------------------------------


def test_start_is_a_contact_with_phone_or_email_who_may_be_contacted():
    m = debtor_map(
        [
            start("ok"),
            person("mail", email="mail@acme.example"),
            person("none"),
            start("dnc", do_not_contact=True),
            start("gone", archived=True),
            boss(),
        ],
        [(k, "boss", R.REFERS_TO) for k in ("ok", "mail", "none", "dnc", "gone")],
    )
    routes = answer(m, k=10).routes
    assert {r.steps[0].contact for r in routes} == {"ok", "mail"}
    assert {r.steps[0].contact: r.steps[0].via for r in routes} == {"ok": "phone", "mail": "email"}


def test_latest_call_ending_wrong_number_disables_phones_but_not_email():
    both = start("both", email="both@acme.example")
    m = debtor_map([both, boss()], [("both", "boss", R.REFERS_TO)])
    assert answer(m).routes[0].steps[0].via == "phone"

    wrong = calls("both", Outcome.WRONG_NUMBER, 2)
    assert (
        answer(debtor_map([both, boss()], [("both", "boss", R.REFERS_TO)], wrong))
        .routes[0]
        .steps[0]
        .via
        == "email"
    )

    phone_only = start("both")
    m = debtor_map([phone_only, boss()], [("both", "boss", R.REFERS_TO)], wrong)
    assert answer(m).routes == ()

    # An email bounce says nothing about the number; a later good call clears it.
    fixed = [*wrong, *calls("both", Outcome.REACHED, 1)]
    m = debtor_map([phone_only, boss()], [("both", "boss", R.REFERS_TO)], fixed)
    assert answer(m).routes[0].steps[0].via == "phone"
    emailed = [*calls("both", Outcome.WRONG_NUMBER, 2, channel=Channel.EMAIL)]
    m = debtor_map([phone_only, boss()], [("both", "boss", R.REFERS_TO)], emailed)
    assert answer(m).routes[0].steps[0].via == "phone"


OLD_NUMBER, NEW_NUMBER = "+8613811110000", "+8613822220000"


def with_numbers(key: str, *numbers: str, **fields) -> Contact:
    """A contact we can call first on ``numbers``."""
    contact = person(key, **fields)
    return replace(contact, phones=tuple(make_phone(n) for n in numbers))


def test_a_wrong_number_marks_that_number_only_and_a_fixed_number_is_called_again():
    relations = [("s", "boss", R.REFERS_TO)]
    wrong = calls("s", Outcome.WRONG_NUMBER, 2, phone=OLD_NUMBER)
    m = debtor_map([with_numbers("s", OLD_NUMBER), boss()], relations, wrong)
    assert answer(m).routes == ()
    emailed = debtor_map(
        [with_numbers("s", OLD_NUMBER, email="s@acme.example"), boss()], relations, wrong
    )
    assert answer(emailed).routes[0].steps[0].via == "email"
    assert "Get a direct phone number for S" in answer(emailed).learn_next

    # The collector fixes the contact: a new number beside the one marked wrong.
    fixed = debtor_map([with_numbers("s", OLD_NUMBER, NEW_NUMBER), boss()], relations, wrong)
    assert [s.contact for s in answer(fixed).routes[0].steps] == ["s", "boss"]
    assert answer(fixed).routes[0].steps[0].via == "phone"
    assert "Get a direct phone number for S" not in answer(fixed).learn_next

    # A wrong number on the new one too leaves nothing to dial.
    both_wrong = [*wrong, *calls("s", Outcome.WRONG_NUMBER, 1, phone=NEW_NUMBER)]
    m = debtor_map([with_numbers("s", OLD_NUMBER, NEW_NUMBER), boss()], relations, both_wrong)
    assert answer(m).routes == ()


def test_a_number_counts_again_when_its_own_latest_call_went_through():
    relations = [("s", "boss", R.REFERS_TO)]
    history = [
        *calls("s", Outcome.WRONG_NUMBER, 3, phone=OLD_NUMBER),
        # A call on another number (one the contact no longer has) says nothing of this one.
        *calls("s", Outcome.REACHED, 2, phone=NEW_NUMBER),
    ]
    m = debtor_map([with_numbers("s", OLD_NUMBER), boss()], relations, history)
    assert answer(m).routes == ()
    history += calls("s", Outcome.REACHED, 1, phone=OLD_NUMBER)
    m = debtor_map([with_numbers("s", OLD_NUMBER), boss()], relations, history)
    assert answer(m).routes[0].steps[0].via == "phone"


def test_a_wrong_number_logged_without_the_number_makes_every_number_suspect():
    relations = [("s", "boss", R.REFERS_TO)]
    contacts = [with_numbers("s", OLD_NUMBER, NEW_NUMBER, email="s@acme.example"), boss()]
    legacy = calls("s", Outcome.WRONG_NUMBER, 3)  # phone=None: logged before numbers were
    assert answer(debtor_map(contacts, relations, legacy)).routes[0].steps[0].via == "email"

    # A later call on one number clears that number (by its own outcome) ...
    called = [*legacy, *calls("s", Outcome.NO_ANSWER, 2, phone=NEW_NUMBER)]
    assert answer(debtor_map(contacts, relations, called)).routes[0].steps[0].via == "phone"
    wrong_again = [*legacy, *calls("s", Outcome.WRONG_NUMBER, 2, phone=NEW_NUMBER)]
    assert answer(debtor_map(contacts, relations, wrong_again)).routes[0].steps[0].via == "email"

    # ... and a later call logged without a number that went any other way clears all,
    # but not a number whose own latest call was wrong.
    cleared = [*legacy, *calls("s", Outcome.REACHED, 1)]
    assert answer(debtor_map(contacts, relations, cleared)).routes[0].steps[0].via == "phone"
    only_old = [with_numbers("s", OLD_NUMBER), boss()]
    specific_then_legacy = [
        *calls("s", Outcome.WRONG_NUMBER, 3, phone=OLD_NUMBER),
        *calls("s", Outcome.REACHED, 1),
    ]
    assert answer(debtor_map(only_old, relations, specific_then_legacy)).routes == ()


def test_a_number_on_an_email_or_visit_says_nothing_about_the_phone():
    relations = [("s", "boss", R.REFERS_TO)]
    bounced = calls("s", Outcome.WRONG_NUMBER, 1, channel=Channel.EMAIL, phone=OLD_NUMBER)
    m = debtor_map([with_numbers("s", OLD_NUMBER), boss()], relations, bounced)
    assert answer(m).routes[0].steps[0].via == "phone"


def test_of_two_calls_logged_at_the_same_moment_the_later_logged_is_the_latest():
    at = NOW - timedelta(days=1)
    relations = [("s", "boss", R.REFERS_TO)]
    wrong, good = (
        make_interaction("s", at=at, outcome=Outcome.WRONG_NUMBER),
        make_interaction("s", at=at, outcome=Outcome.REACHED),
    )
    assert answer(debtor_map([start("s"), boss()], relations, [wrong, good])).routes
    assert not answer(debtor_map([start("s"), boss()], relations, [good, wrong])).routes


# --- Target ----------------------------------------------------------------


def test_target_is_an_authorizer_and_one_step_route_calls_him_directly():
    m = debtor_map(
        [start("desk", department=Department.RECEPTION), boss(phone=True)],
        [("desk", "boss", R.REFERS_TO)],
    )
    result = answer(m, k=3)
    assert not result.discovery
    # Through the desk (2.2) is a detour: the boss's own number costs 1 (issue 11).
    assert [[s.contact for s in r.steps] for r in result.routes] == [["boss"]]
    assert all(r.target == "boss" == r.steps[-1].contact for r in result.routes)


def test_route_ends_at_the_first_authorizer_it_reaches():
    m = debtor_map(
        [start("desk"), boss("cfo"), boss("ceo")],
        [("desk", "cfo", R.REFERS_TO), ("cfo", "ceo", R.REPORTS_TO)],
    )
    assert [[s.contact for s in r.steps] for r in answer(m, k=5).routes] == [["desk", "cfo"]]


@pytest.mark.parametrize(
    ("lang", "question"),
    [
        ("en", "Ask: who authorizes payment, and what are their mobile number and email?"),
        ("zh-CN", "问清：谁有权批准付款？他的手机号和邮箱是多少？"),
    ],
)
def test_discovery_targets_those_likely_to_know_and_asks_the_question(lang, question):
    m = debtor_map(
        [
            start("sales", department=Department.SALES),
            person("desk", department=Department.RECEPTION),
            person("cfo", department=Department.FINANCE),
        ],
        [
            ("sales", "desk", R.COLLEAGUE),
            ("sales", "cfo", R.REPORTS_TO),
            ("desk", "cfo", R.REFERS_TO),  # desk is a target already: routes end there
        ],
    )
    result = answer(m, k=5, lang=lang)
    assert result.discovery
    routes = [[s.contact for s in r.steps] for r in result.routes]
    assert routes == [["sales", "cfo"], ["sales", "desk"]]
    assert result.learn_next[0] == question
    assert any(w.startswith(("No authorizer known", "尚不清楚")) for w in result.warnings)


def test_do_not_contact_authorizer_is_never_a_target_and_is_warned_about():
    m = debtor_map(
        [start("desk", department=Department.RECEPTION), boss(phone=True, do_not_contact=True)],
        [("desk", "boss", R.REFERS_TO)],
    )
    result = answer(m)
    assert result.discovery
    assert all("boss" not in {s.contact for s in r.steps} for r in result.routes)
    assert "Whoever authorizes payment is marked do-not-contact (BOSS)" in result.warnings[0]


# --- Costs -----------------------------------------------------------------


@pytest.mark.parametrize("other", [t for t in RelationType if t is not R.REFERS_TO])
def test_refers_to_is_the_cheapest_kind_of_hop(other):
    m = debtor_map(
        [start("a"), start("b"), boss()],
        [("b", "boss", other), ("a", "boss", R.REFERS_TO)],
    )
    assert best_keys(m) == ["a", "boss"]
    assert answer(m).routes[0].steps[1].via == "refers_to"


def test_passes_buck_to_costs_more_than_two_extra_cooperative_hops():
    # s -buck-> boss, or s then three cooperative hops (the dearest kind).
    m = debtor_map(
        [start("s", department=Department.SALES), person("x"), person("y"), boss()],
        [
            ("s", "boss", R.PASSES_BUCK_TO),
            ("s", "x", R.REPORTS_TO),
            ("x", "y", R.REPORTS_TO),
            ("y", "boss", R.REPORTS_TO),
        ],
    )
    assert best_keys(m) == ["s", "x", "y", "boss"]


def test_fox_gatekeeper_costs_more_than_two_extra_cooperative_hops():
    # Through the fox, or through a sheep and two more cooperative hops.
    m = debtor_map(
        [
            start("s"),
            person("fox", FOX, Department.RECEPTION),
            person("x1"),
            person("x2"),
            person("x3"),
            boss(),
        ],
        [
            ("s", "fox", R.REPORTS_TO),
            ("fox", "boss", R.GATEKEEPS),
            ("s", "x1", R.REPORTS_TO),
            ("x1", "x2", R.REPORTS_TO),
            ("x2", "x3", R.REPORTS_TO),
            ("x3", "boss", R.GATEKEEPS),
        ],
    )
    assert best_keys(m) == ["s", "x1", "x2", "x3", "boss"]
    fox_route = next(r for r in answer(m, k=2).routes if r.steps[1].contact == "fox")
    assert any(reason.startswith("fox gatekeeper +") for reason in fox_route.steps[1].reasons)


def test_donkey_authorizer_is_cheaper_through_his_customer_than_directly():
    m = debtor_map(
        [start("customer", UNKNOWN, Department.EXTERNAL), boss(disposition=DONKEY, phone=True)],
        [("customer", "boss", R.INFLUENCES)],
    )
    routes = answer(m, k=2).routes
    assert [s.contact for s in routes[0].steps] == ["customer", "boss"]
    assert routes[0].steps[1].via == "influences"
    assert [s.contact for s in routes[1].steps] == ["boss"]
    assert "donkey boss faced directly" in routes[1].steps[0].reasons[0]


def test_donkey_handed_on_by_a_colleague_is_still_faced_directly():
    m = debtor_map(
        [start("aide"), start("customer", UNKNOWN, Department.EXTERNAL), boss(disposition=DONKEY)],
        [("aide", "boss", R.REPORTS_TO), ("customer", "boss", R.INFLUENCES)],
    )
    assert best_keys(m) == ["customer", "boss"]


def test_unknown_disposition_costs_a_little_more_than_a_cooperative_one():
    same_length = debtor_map(
        [start("s"), person("u", UNKNOWN), person("c", SHEEP), boss()],
        [
            *[("s", "u", R.REPORTS_TO), ("u", "boss", R.REPORTS_TO)],
            *[("s", "c", R.REPORTS_TO), ("c", "boss", R.REPORTS_TO)],
        ],
    )
    assert best_keys(same_length) == ["s", "c", "boss"]
    # ...but only a little: less than one more cooperative hop.
    one_hop_longer = debtor_map(
        [start("s"), person("u", UNKNOWN), person("c1"), person("c2"), boss()],
        [
            *[("s", "u", R.REFERS_TO), ("u", "boss", R.REFERS_TO)],
            *[("s", "c1", R.REFERS_TO), ("c1", "c2", R.REFERS_TO), ("c2", "boss", R.REFERS_TO)],
        ],
    )
    assert best_keys(one_hop_longer) == ["s", "u", "boss"]


def test_do_not_contact_and_archived_contacts_are_never_on_a_route():
    m = debtor_map(
        [
            start("s"),
            start("dnc", do_not_contact=True),
            start("gone", archived=True),
            person("slow", FOX),
            boss(),
        ],
        [
            ("s", "dnc", R.REFERS_TO),
            ("dnc", "boss", R.REFERS_TO),
            ("s", "gone", R.REFERS_TO),
            ("gone", "boss", R.REFERS_TO),
            ("s", "slow", R.PASSES_BUCK_TO),
            ("slow", "boss", R.PASSES_BUCK_TO),
        ],
    )
    routes = answer(m, k=10).routes
    assert [[s.contact for s in r.steps] for r in routes] == [["s", "slow", "boss"]]


def test_archived_relation_is_not_walked():
    m = make_map(
        contacts=(start("s"), boss()),
        relations=(make_relation("s", "boss", R.REFERS_TO, archived=True),),
        interactions=(),
    )
    assert answer(m).routes == ()


def test_relations_are_walked_in_their_direction_and_colleague_both_ways():
    for rtype in RelationType:
        backwards = debtor_map([start("s"), boss()], [("boss", "s", rtype)])
        assert bool(answer(backwards).routes) is (rtype is R.COLLEAGUE), rtype


def test_costs_are_never_negative(tmp_path):
    team = tmp_path / "team.toml"
    team.write_text("[relation]\ncolleague = -1\n", encoding="utf-8")
    with pytest.raises(WeightsError, match=r"relation\.colleague must not be negative"):
        load_weights(team)
    m = debtor_map(
        [start("s", UNKNOWN), person("f", FOX), boss(disposition=DONKEY)],
        [("s", "f", R.COLLEAGUE), ("f", "boss", R.GATEKEEPS), ("s", "boss", R.PASSES_BUCK_TO)],
        calls("s", Outcome.REFUSED, 3),
    )
    for route in answer(m, k=5).routes:
        for step in route.steps:
            assert step.cost > 0 and all(a > 0 for a in amounts(step.reasons))


# --- History ---------------------------------------------------------------


@pytest.mark.parametrize("days_ago", [(0, 1, 2), (5, 9, 13.9)])
def test_three_unanswered_calls_in_two_weeks_outweigh_one_extra_cooperative_hop(days_ago):
    contacts = [start("s"), person("n"), person("a"), person("b"), boss()]
    relations = [
        *[("s", "n", R.REFERS_TO), ("n", "boss", R.REFERS_TO)],
        *[("s", "a", R.REPORTS_TO), ("a", "b", R.REPORTS_TO), ("b", "boss", R.REPORTS_TO)],
    ]
    assert best_keys(debtor_map(contacts, relations)) == ["s", "n", "boss"]
    silent = calls("n", Outcome.NO_ANSWER, *days_ago)
    assert best_keys(debtor_map(contacts, relations, silent)) == ["s", "a", "b", "boss"]


@pytest.mark.parametrize(
    "worse",
    [
        calls("y", Outcome.REFUSED, 3),
        calls("y", Outcome.PROMISED, 10, promise_date=date(2026, 11, 16)),
    ],
    ids=["refused", "broken promise"],
)
def test_refusal_or_broken_promise_weighs_more_than_an_unanswered_call(worse):
    # The broken promise fell due 3 days ago; the others happened 3 days ago.
    m = debtor_map(
        [start("x"), start("y"), boss()],
        [("x", "boss", R.REFERS_TO), ("y", "boss", R.REFERS_TO)],
        [*calls("x", Outcome.NO_ANSWER, 3), *worse],
    )
    routes = answer(m, k=2).routes
    assert [r.steps[0].contact for r in routes] == ["x", "y"]
    assert routes[0].cost < routes[1].cost


def test_three_unanswered_calls_four_months_ago_change_nothing():
    contacts = [start("s"), boss()]
    relations = [("s", "boss", R.REFERS_TO)]
    fresh = answer(debtor_map(contacts, relations))
    old = answer(debtor_map(contacts, relations, calls("s", Outcome.NO_ANSWER, 120, 121, 122)))
    assert old == fresh


def test_penalties_fade_exponentially_with_the_documented_half_life():
    w = load_weights()

    contacts, relations = [start("s"), boss()], [("s", "boss", R.REFERS_TO)]
    base = answer(debtor_map(contacts, relations)).routes[0].steps[0].cost

    def first_step_cost(days: float) -> float:
        m = debtor_map(contacts, relations, calls("s", Outcome.REFUSED, days))
        return answer(m).routes[0].steps[0].cost - base

    assert first_step_cost(0) == pytest.approx(w.refused)
    assert first_step_cost(w.half_life_days) == pytest.approx(w.refused / 2)
    assert first_step_cost(2 * w.half_life_days) == pytest.approx(w.refused / 4)
    assert first_step_cost(w.horizon_days + 1) == 0


def test_unanswered_calls_before_the_contact_last_answered_do_not_count():
    history = [*calls("s", Outcome.NO_ANSWER, 5, 4, 3), *calls("s", Outcome.REACHED, 2)]
    m = debtor_map([start("s"), boss()], [("s", "boss", R.REFERS_TO)], history)
    assert answer(m).routes[0].steps[0].reasons == ("a call +1",)


def test_reasons_put_history_in_words():
    history = [
        *calls("s", Outcome.NO_ANSWER, 1, 3),
        *calls("s", Outcome.PROMISED, 10, promise_date=date(2026, 11, 16)),
    ]
    m = debtor_map([start("s"), boss()], [("s", "boss", R.REFERS_TO)], history)
    reasons = answer(m).routes[0].steps[0].reasons
    assert reasons[0] == "a call +1"
    # Calendar days in Shanghai, today included: the 17th to the 20th is four (issue 11).
    assert re.fullmatch(r"2 unanswered calls in the last 4 days \+\d\.\d+", reasons[1])
    assert re.fullmatch(r"broken promise \(due 2026-11-16\) \+\d\.\d+", reasons[2])
    zh = answer(m, lang="zh-CN").routes[0].steps[0].reasons
    assert zh[1].startswith("近4天2次未接通 +") and zh[2].startswith(
        "承诺未兑现（原定2026-11-16） +"
    )


@pytest.mark.parametrize(
    ("now", "broken"),
    [
        (datetime(2026, 11, 20, 15, 30, tzinfo=UTC), False),  # 23:30 on the 20th in Shanghai
        (datetime(2026, 11, 20, 16, 30, tzinfo=UTC), True),  # 00:30 on the 21st in Shanghai
    ],
)
def test_promise_is_broken_once_its_date_has_passed_in_shanghai(now, broken):
    promise = calls("s", Outcome.PROMISED, 5, promise_date=date(2026, 11, 20))
    m = debtor_map([start("s"), boss()], [("s", "boss", R.REFERS_TO)], promise)
    reasons = answer(m, now=now).routes[0].steps[0].reasons
    assert any("broken promise (due 2026-11-20)" in r for r in reasons) is broken


def test_promise_followed_by_payment_is_not_broken():
    history = [
        *calls("s", Outcome.PROMISED, 10, promise_date=date(2026, 11, 15)),
        *calls("boss", Outcome.PAID, 2),
    ]
    m = debtor_map([start("s"), boss()], [("s", "boss", R.REFERS_TO)], history)
    assert answer(m).routes[0].steps[0].reasons == ("a call +1",)


def test_promise_without_date_is_due_after_the_grace_days():
    grace = load_weights().promise_grace_days
    made = NOW - timedelta(days=grace + 1)
    m = debtor_map(
        [start("s"), boss()],
        [("s", "boss", R.REFERS_TO)],
        [make_interaction("s", at=made, outcome=Outcome.PROMISED, promise_amount=Decimal(1))],
    )
    assert "broken promise" in answer(m).routes[0].steps[0].reasons[-1]


# --- Buck-passing loops and the same person elsewhere ----------------------


def test_buck_passing_loops_are_reported_with_names_and_departments():
    m = debtor_map(
        [
            start("wang", name="王芳", department=Department.SALES),
            person("li", name="李强", department=Department.FINANCE),
            person("zhao", name="赵敏", department=Department.PURCHASING),
            boss(),
        ],
        [
            ("wang", "li", R.PASSES_BUCK_TO),
            ("li", "wang", R.PASSES_BUCK_TO),
            ("li", "zhao", R.PASSES_BUCK_TO),
            ("zhao", "wang", R.PASSES_BUCK_TO),
            ("li", "boss", R.REPORTS_TO),
        ],
    )
    assert find_buck_loops(m) == (("wang", "li"), ("wang", "li", "zhao"))
    assert answer(m).warnings == (
        "Buck-passing loop: 王芳 (sales) → 李强 (finance) → 王芳",
        "Buck-passing loop: 王芳 (sales) → 李强 (finance) → 赵敏 (purchasing) → 王芳",
    )
    assert answer(m, lang="zh-CN").warnings[0] == "推诿循环：王芳（销售） → 李强（财务） → 王芳"


def test_no_buck_passing_loop_without_a_cycle():
    m = debtor_map(
        [start("a"), person("b"), boss()],
        [("a", "b", R.PASSES_BUCK_TO), ("b", "boss", R.PASSES_BUCK_TO)],
    )
    assert find_buck_loops(m) == ()
    assert not any("loop" in w for w in answer(m).warnings)


def test_answer_says_where_else_a_contact_on_a_route_is_known():
    m = debtor_map(
        [start("desk"), start("other"), boss(name="张总")], [("desk", "boss", R.REFERS_TO)]
    )
    elsewhere = {
        "boss": ["宏达集团 (hongda-group): 张总", "宏达物流 (hongda-wl): 张总"],
        "other": ["never shown (x): nobody"],
    }
    result = answer(m, known_elsewhere=elsewhere)
    assert result.warnings == (
        "张总 is also known at 宏达集团 (hongda-group): 张总; 宏达物流 (hongda-wl): 张总",
    )


# --- The answer --------------------------------------------------------------


def test_routes_are_loop_free_cheapest_first_and_add_up():
    m = make_map(interactions=())  # the classic company of the seed
    result = answer(m, k=3)
    assert 1 <= len(result.routes) <= 3
    costs = [r.cost for r in result.routes]
    assert costs == sorted(costs)
    for route in result.routes:
        keys = [s.contact for s in route.steps]
        assert len(keys) == len(set(keys))
        assert route.cost == pytest.approx(sum(s.cost for s in route.steps))
        for step in route.steps:
            assert step.cost == pytest.approx(sum(amounts(step.reasons)), abs=0.01)


def test_learn_next_lists_gaps_on_the_best_route_once_each_in_order():
    m = debtor_map(
        [start("desk", UNKNOWN, name="小张"), boss(name="王总")],
        [("desk", "boss", R.REFERS_TO)],
    )
    assert answer(m).learn_next == (
        "Find out what 小张 is like to deal with (sheep or fox at the desk, eagle or donkey "
        "in charge)",
        "Get a direct phone number for 王总",
        "Get 王总's email",
    )
    assert answer(m, lang="zh-CN").learn_next[1] == "要到王总的直线电话或手机号"


@pytest.mark.parametrize(
    ("contacts", "relations", "step", "expected"),
    [
        (
            [start("desk", SHEEP, Department.RECEPTION), boss()],
            [("desk", "boss", R.REFERS_TO)],
            0,
            "ask who handles payment, and get their direct line",
        ),
        (
            [start("desk", FOX, Department.RECEPTION), boss()],
            [("desk", "boss", R.GATEKEEPS)],
            0,
            "explain the consequences of not paying, appeal to fairness",
        ),
        (
            [start("s", department=Department.SALES), boss(department=Department.FINANCE)],
            [("s", "boss", R.PASSES_BUCK_TO), ("boss", "s", R.PASSES_BUCK_TO)],
            0,
            "press the side that pushes back",
        ),
        (
            [start("c", department=Department.EXTERNAL), boss(disposition=DONKEY)],
            [("c", "boss", R.INFLUENCES)],
            1,
            "let him save face",
        ),
        ([boss(disposition=DONKEY, phone=True)], [], 0, "have his own customers raise the debt"),
        ([boss(phone=True)], [], 0, "be direct, respectful and concrete"),
        (
            [start("f", department=Department.FINANCE), boss()],
            [("f", "boss", R.REPORTS_TO)],
            0,
            "whether the paperwork and approval have reached finance",
        ),
    ],
    ids=["sheep", "fox", "buck", "donkey via customer", "donkey direct", "eagle", "finance"],
)
def test_tactic_hint_fits_department_disposition_and_relation(contacts, relations, step, expected):
    m = debtor_map(contacts, relations)
    assert expected in answer(m).routes[0].steps[step].hint
    assert re.search(r"[\u4e00-\u9fff]", answer(m, lang="zh-CN").routes[0].steps[step].hint)


def test_bad_arguments_get_clear_errors():
    m = debtor_map([start("s"), boss()], [("s", "boss", R.REFERS_TO)])
    with pytest.raises(ValueError, match="k must be at least 1"):
        answer(m, k=0)
    with pytest.raises(ValueError, match="now must be timezone-aware"):
        answer(m, now=datetime(2026, 11, 20))
    with pytest.raises(ValueError, match="lang must be one of en, zh-CN"):
        answer(m, lang="fr")


# --- Weights -----------------------------------------------------------------


def test_team_weights_override_only_what_they_set(tmp_path):
    team = tmp_path / "team.toml"
    team.write_text("[disposition]\nfox = 5.0\n", encoding="utf-8")
    weights = load_weights(team)
    assert weights.disposition[FOX] == 5.0
    assert weights.relation[R.REFERS_TO] == load_weights().relation[R.REFERS_TO]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[relation]\nrefers_too = 1\n", r"unknown key relation\.refers_too"),
        ("[disposition]\nfox = 'high'\n", r"disposition\.fox must be a number"),
        ("[disposition]\nfox = 2.0\n", r"disposition\.fox must cost more than two extra"),
        ("[relation]\npasses_buck_to = 1.0\n", r"relation\.passes_buck_to must cost more"),
        ("[relation]\nrefers_to = 0.9\n", r"relation\.refers_to must be the cheapest"),
        ("[history]\nhorizon_days = 150\n", r"history\.horizon_days must be under 120"),
        ("[history]\nno_answer = 0.3\n", r"history\.no_answer: three unanswered calls"),
        ("[history]\nrefused = 1.0\n", r"history\.refused must weigh more"),
        ("[history]\ntimezone = 'Mars/Base'\n", r"history\.timezone 'Mars/Base' is not"),
        ("not toml [", r"not valid TOML"),
    ],
)
def test_weights_breaking_a_rule_are_refused_naming_the_key(tmp_path, text, message):
    team = tmp_path / "team.toml"
    team.write_text(text, encoding="utf-8")
    with pytest.raises(WeightsError, match=message):
        load_weights(team)


def test_missing_weights_file_is_a_clear_error(tmp_path):
    with pytest.raises(WeightsError, match="cannot read routing weights"):
        load_weights(tmp_path / "nope.toml")
