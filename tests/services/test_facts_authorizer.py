"""The facts checklist feeds the map (issue 11, item 6), on SQLite and PostgreSQL.

The answer to "who is the top leader responsible for payment" (and their mobile)
picks that person from the map, or adds them, flagged as authorizing payment with
the number; the route then targets them and stops asking who authorizes payment.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from orgmap.domain.access import Actor, Role
from orgmap.domain.contact_draft import ContactDraft
from orgmap.domain.model import Department
from orgmap.domain.validation import ValidationError
from orgmap.routing.tactics import say
from orgmap.services import contacts, debtors
from orgmap.services.errors import StaleVersionError
from tests.factories import classic_contacts, make_map
from tests.ui.apptest_helpers import SeededDb, seed

#: Who the tests act as where who acts does not matter: an administrator.
ADMIN = Actor("t", Role.ADMIN)


@pytest.fixture
def nobody_authorizes(db: SeededDb) -> SeededDb:
    """``hunt``: the classic company before anyone is known to authorize payment."""
    people = tuple(replace(c, authorizes_payment=False) for c in classic_contacts())
    seed(db.engine, make_map("hunt", contacts=people))
    return db


def save(db: SeededDb, debtor: str = "hunt", *, version: int | None = None, **facts) -> None:
    current = debtors.open_debtor(db.engine, debtor, k=0, actor=ADMIN)
    debtors.update_facts(
        db.engine,
        debtor_key=debtor,
        facts=replace(current.map.debtor.facts, **facts),
        actor=ADMIN,
        expected_version=current.versions.debtor if version is None else version,
        region="CN",
    )


def test_a_new_top_leader_is_added_flagged_and_the_route_targets_them(nobody_authorizes):
    db = nobody_authorizes
    asking = debtors.route_debtor(db.engine, debtor_key="hunt", lang="zh-CN", actor=ADMIN)
    assert asking.discovery and asking.learn_next[0] == say("learn.ask_authorizer", "zh-CN")
    save(db, top_leader="李董", top_leader_mobile="139 0000 2222", top_leader_email="li@hunt.cn")
    m = db.map("hunt")
    (li,) = [c for c in m.contacts if c.name == "李董"]
    assert li.authorizes_payment and li.department is Department.MANAGEMENT
    assert [p.e164 for p in li.phones] == ["+8613900002222"] and li.email == "li@hunt.cn"
    assert m.debtor.facts.top_leader == "李董"
    route = debtors.route_debtor(db.engine, debtor_key="hunt", lang="zh-CN", actor=ADMIN)
    assert not route.discovery
    assert route.routes[0].target == li.key
    assert say("learn.ask_authorizer", "zh-CN") not in route.learn_next


def test_a_boss_by_name_is_added_as_the_owner(nobody_authorizes):
    save(nobody_authorizes, top_leader="刘老板")
    (liu,) = [c for c in nobody_authorizes.map("hunt").contacts if c.name == "刘老板"]
    assert liu.department is Department.OWNER and liu.authorizes_payment and not liu.phones


def test_a_leader_already_on_the_map_is_picked_by_name_and_given_the_mobile(nobody_authorizes):
    db = nobody_authorizes
    before = db.map("hunt")
    save(db, top_leader="王总", top_leader_mobile="13700007777")
    m = db.map("hunt")
    assert len(m.contacts) == len(before.contacts)
    wang = m.contact("boss")
    assert wang.authorizes_payment
    # Appended to the numbers he had, which are kept.
    assert [p.e164 for p in wang.phones] == [
        *(p.e164 for p in before.contact("boss").phones),
        "+8613700007777",
    ]
    assert wang.email == before.contact("boss").email  # he had one: kept


def test_a_leader_named_otherwise_is_picked_by_the_mobile(nobody_authorizes):
    db = nobody_authorizes
    before = db.map("hunt")
    save(db, top_leader="陈总监", top_leader_mobile="+86 139 0000 1111")  # finance's mobile
    m = db.map("hunt")
    assert len(m.contacts) == len(before.contacts)
    assert m.contact("finance").authorizes_payment
    assert [c.key for c in m.contacts if c.authorizes_payment] == ["finance"]


def test_a_mobile_alone_picks_its_holder_and_adds_nobody(nobody_authorizes):
    db = nobody_authorizes
    save(db, top_leader_mobile="13900001111")
    assert db.map("hunt").contact("finance").authorizes_payment
    save(db, top_leader_mobile="13500009999")  # nobody holds it: nobody to add
    m = db.map("hunt")
    assert len(m.contacts) == len(classic_contacts())
    assert m.debtor.facts.top_leader_mobile == "+8613500009999"


def test_a_bad_mobile_writes_nothing(nobody_authorizes):
    db = nobody_authorizes
    before = debtors.open_debtor(db.engine, "hunt", k=0, actor=ADMIN)
    with pytest.raises(ValidationError) as exc:
        save(db, top_leader="李董", top_leader_mobile="12345")
    assert {p.path for p in exc.value.problems} == {"top_leader_mobile"}
    after = debtors.open_debtor(db.engine, "hunt", k=0, actor=ADMIN)
    assert after.map == before.map and after.versions == before.versions


def test_a_stale_checklist_adds_no_leader(nobody_authorizes):
    db = nobody_authorizes
    stale = debtors.open_debtor(db.engine, "hunt", k=0, actor=ADMIN).versions.debtor
    save(db, reason_unpaid="老板出差")  # a colleague saved the checklist first
    before = db.map("hunt")
    with pytest.raises(StaleVersionError):
        save(db, version=stale, top_leader="李董", top_leader_mobile="13900002222")
    assert db.map("hunt") == before


def test_saving_other_facts_does_not_flag_the_leader_again(nobody_authorizes):
    db = nobody_authorizes
    save(db, top_leader="王总")
    m = db.map("hunt")
    assert m.contact("boss").authorizes_payment
    # The collector learns he does not sign after all and unflags him on the map.
    boss = m.contact("boss")
    view = debtors.open_debtor(db.engine, "hunt", k=0, actor=ADMIN)
    contacts.edit_contact(
        db.engine,
        debtor_key="hunt",
        draft=ContactDraft(
            key="boss",
            name=boss.name,
            department=boss.department,
            title=boss.title,
            disposition=boss.disposition,
            authorizes_payment=False,
            phones=tuple(p.e164 for p in boss.phones),
            email=boss.email or "",
        ),
        actor=Actor("t", Role.ADMIN),
        expected_version=view.versions.contacts["boss"],
        region="CN",
    )
    save(db, reason_unpaid="资金紧张")  # the leader's answers unchanged
    assert not db.map("hunt").contact("boss").authorizes_payment


def test_the_leader_is_per_debtor(nobody_authorizes):
    db = nobody_authorizes
    save(db, top_leader="王总", top_leader_mobile="13700007777")
    assert db.map("hunt").contact("boss").authorizes_payment
    acme = db.map("acme")
    assert [p.e164 for p in acme.contact("boss").phones] == [
        p.e164 for p in classic_contacts()[3].phones
    ]
