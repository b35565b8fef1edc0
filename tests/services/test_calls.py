"""Logging a call: a lean write that changes only what the call says, on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from orgmap.domain.access import Actor, Role
from orgmap.domain.contact_draft import ContactDraft
from orgmap.domain.model import Channel, Department, Disposition, Outcome, RelationType
from orgmap.domain.validation import ValidationError
from orgmap.services import calls, contacts, debtors
from orgmap.services.calls import CallReport
from tests.factories import classic_contacts, make_contact, make_map
from tests.ui.apptest_helpers import SeededDb, seed

T = Actor("t", Role.ADMIN)


@contextmanager
def statements_sent(engine: sa.Engine) -> Iterator[list[str]]:
    """Every SQL statement the engine sends while the block runs (BEGIN/COMMIT included)."""
    sent: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        sent.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def log(db: SeededDb, debtor: str = "acme", **report) -> calls.LoggedCall:
    fields = {"contact": "desk", "channel": Channel.PHONE, "outcome": Outcome.REACHED} | report
    return calls.log_call(
        db.engine, debtor_key=debtor, report=CallReport(**fields), actor=T, region="CN"
    )


def test_a_call_costs_the_same_statements_on_a_small_and_a_large_map(db: SeededDb):
    crowd = tuple(
        make_contact(f"c{n}", name=f"同事{n}", department=Department.SALES) for n in range(60)
    )
    seed(db.engine, make_map("big", contacts=(*classic_contacts(), *crowd)))
    shapes = []
    for debtor in ("acme", "big"):
        with statements_sent(db.engine) as sent:
            log(db, debtor, note=f"call at {debtor}", disposition=Disposition.FOX)
        shapes.append([s.split()[0] for s in sent])
    assert shapes[0] == shapes[1]
    # The debtor's team (authorization) with the contact by key, in one statement; the
    # disposition, the call and a history row for each: nothing that reads the map, one
    # INSERT per record.
    written = [s for s in shapes[1] if s not in ("BEGIN", "COMMIT")]
    assert written == ["SELECT", "UPDATE", "INSERT", "INSERT", "INSERT"], shapes[1]


def test_a_disposition_changes_only_the_disposition(db: SeededDb):
    before = debtors.open_debtor(db.engine, "acme", k=0, actor=T)
    desk = before.map.contact("desk")
    draft = ContactDraft(
        key="desk", name=desk.name, department=desk.department, title="Front desk lead"
    )
    edited = contacts.edit_contact(
        db.engine,
        debtor_key="acme",
        draft=replace(draft, phones=tuple(f"{p.e164};ext={p.extension}" for p in desk.phones)),
        actor=Actor("colleague", Role.ADMIN),
        expected_version=before.versions.contacts["desk"],
        region="CN",
    )
    log(
        db, disposition=Disposition.FOX
    )  # written after the colleague's edit, knowing nothing of it
    after = debtors.open_debtor(db.engine, "acme", k=0, actor=T)
    desk = after.map.contact("desk")
    assert (desk.title, desk.disposition) == ("Front desk lead", Disposition.FOX)
    assert after.versions.contacts["desk"] == edited.version + 1
    log(db, disposition=Disposition.FOX, note="again")  # the same disposition: no new version
    assert debtors.open_debtor(db.engine, "acme", k=0, actor=T).versions.contacts["desk"] == (
        edited.version + 1
    )


def test_two_referrals_to_the_same_new_person_add_one_contact(db: SeededDb):
    referral = ContactDraft(name="李姐", department=Department.FINANCE, phones=("13812345670",))
    first = log(db, outcome=Outcome.REFERRED, referred_to=referral)
    second = log(db, contact="sales", outcome=Outcome.REFERRED, referred_to=referral)
    assert first.new_contact is not None and second.new_contact is None
    m = debtors.open_debtor(db.engine, "acme", k=0, actor=T).map
    li = [c for c in m.contacts if c.name == "李姐"]
    assert len(li) == 1
    sources = {r.source for r in m.relations if r.target == li[0].key}
    assert sources == {"desk", "sales"}
    assert all(r.type is RelationType.REFERS_TO for r in m.relations if r.target == li[0].key)


def test_a_referral_to_the_person_called_links_nothing(db: SeededDb):
    log(db, outcome=Outcome.REFERRED, referred_to=ContactDraft(name="小张"))
    m = debtors.open_debtor(db.engine, "acme", k=0, actor=T).map
    assert not [r for r in m.relations if r.source == r.target]
    assert [c.key for c in m.contacts if c.name == "小张"] == ["desk"]


def test_a_bad_referral_writes_nothing_and_names_the_field(db: SeededDb):
    before = debtors.open_debtor(db.engine, "acme", k=0, actor=T)
    bad = ContactDraft(name="", phones=("12345",))
    with pytest.raises(ValidationError) as exc:
        log(db, outcome=Outcome.REFERRED, referred_to=bad)
    assert {p.path for p in exc.value.problems} == {"referred_to.name", "referred_to.phone"}
    after = debtors.open_debtor(db.engine, "acme", k=0, actor=T)
    assert after.map == before.map and after.versions == before.versions


def test_a_call_to_an_archived_or_unknown_contact_is_refused(db: SeededDb):
    contacts.archive_contact(db.engine, debtor_key="acme", contact_key="sales", actor=T)
    for key in ("sales", "ghost"):
        with pytest.raises(ValidationError) as exc:
            log(db, contact=key)
        assert {p.path for p in exc.value.problems} == {"contact"}


# --- Every relation a call reveals (issue 11, item 5) -----------------------------------


def relations_from(m, source: str) -> set[tuple[str, RelationType]]:
    return {(r.target, r.type) for r in m.relations if r.source == source and not r.archived}


def test_passed_to_someone_new_adds_them_and_the_buck_passing_in_one_submit(db: SeededDb):
    passed = ContactDraft(name="采购孙", department=Department.PURCHASING, phones=("13911112222",))
    logged = log(db, contact="sales", outcome=Outcome.REFUSED, passed_to=passed)
    assert logged.new_passed is not None and logged.new_contact is None
    m = db.map()
    (sun,) = [c for c in m.contacts if c.name == "采购孙"]
    assert sun.department is Department.PURCHASING
    assert [p.e164 for p in sun.phones] == ["+8613911112222"]
    assert (sun.key, RelationType.PASSES_BUCK_TO) in relations_from(m, "sales")
    assert m.interactions[-1].contact == "sales"


def test_a_referral_and_a_buck_pass_to_people_on_the_map_add_no_one(db: SeededDb):
    before = db.map()
    logged = log(
        db,
        contact="finance",
        outcome=Outcome.REFERRED,
        referred_to="boss",
        passed_to="sales",
    )
    assert logged.new_contact is None and logged.new_passed is None
    m = db.map()
    assert len(m.contacts) == len(before.contacts)
    assert {("boss", RelationType.REFERS_TO), ("sales", RelationType.PASSES_BUCK_TO)} <= (
        relations_from(m, "finance")
    )


def test_the_person_referred_to_can_be_flagged_as_authorizer_picked_or_typed(db: SeededDb):
    before = debtors.open_debtor(db.engine, "acme", k=0, actor=T)
    assert not before.map.contact("finance").authorizes_payment
    log(db, outcome=Outcome.REFERRED, referred_to="finance", referred_authorizes=True)
    after = debtors.open_debtor(db.engine, "acme", k=0, actor=T)
    finance = after.map.contact("finance")
    assert finance.authorizes_payment
    assert finance.email == before.map.contact("finance").email  # nothing else touched
    assert after.versions.contacts["finance"] == before.versions.contacts["finance"] + 1
    # Typed as a name already on the map: that contact is flagged and gains the number.
    sales = ContactDraft(name="销售刘经理", phones=("13700001234",))
    logged = log(db, outcome=Outcome.REFERRED, referred_to=sales, referred_authorizes=True)
    assert logged.new_contact is None
    m = db.map()
    assert [c.key for c in m.contacts if c.name == "销售刘经理"] == ["sales"]
    assert m.contact("sales").authorizes_payment
    assert [p.e164 for p in m.contact("sales").phones] == ["+8613700001234"]


def test_a_new_person_referred_to_as_authorizer_becomes_the_route_target(db: SeededDb):
    log(
        db,
        outcome=Outcome.REFERRED,
        referred_to=ContactDraft(name="李董", department=Department.OWNER, phones=("13600001111",)),
        referred_authorizes=True,
    )
    m = db.map()
    (li,) = [c for c in m.contacts if c.name == "李董"]
    assert li.authorizes_payment
    route = debtors.route_debtor(db.engine, debtor_key="acme", k=3, actor=T)
    assert li.key in {r.target for r in route.routes}


@pytest.mark.parametrize(
    ("fields", "paths"),
    [
        ({"outcome": Outcome.REFERRED, "referred_to": "ghost"}, {"referred_to"}),
        ({"passed_to": "ghost"}, {"passed_to"}),
        ({"outcome": Outcome.REFERRED, "referred_to": "desk"}, {"referred_to"}),  # themselves
        (
            {"passed_to": "desk", "outcome": Outcome.REFERRED, "referred_to": "desk"},
            {"referred_to", "passed_to"},
        ),
        ({"referred_authorizes": True}, {"referred_to"}),  # flagged, but nobody named
        ({"referred_to": "boss"}, {"outcome"}),  # a referral needs 'referred' (or 'promised')
        ({"referred_to": "boss", "outcome": Outcome.REFUSED}, {"outcome"}),
    ],
)
def test_a_bad_relation_writes_nothing_and_names_the_field(db: SeededDb, fields, paths):
    before = debtors.open_debtor(db.engine, "acme", k=0, actor=T)
    with pytest.raises(ValidationError) as exc:
        log(db, **fields)
    assert {p.path for p in exc.value.problems} == paths
    assert all(p.code for p in exc.value.problems)  # so the page can say it in Chinese
    after = debtors.open_debtor(db.engine, "acme", k=0, actor=T)
    assert after.map == before.map and after.versions == before.versions


def test_a_referral_and_a_promise_in_one_call_are_both_kept(db: SeededDb):
    """A call saying "she sent me to finance 李姐, they will pay 5万 by the month's end":
    the call is the promise, the referral its relation, the new person added, in one go."""
    logged = log(
        db,
        outcome=Outcome.PROMISED,
        referred_to=ContactDraft(key="", name="李姐", department=Department.FINANCE),
        promise_amount=Decimal("50000"),
        promise_date=date(2030, 1, 31),
    )
    assert logged.new_contact is not None and logged.new_contact.name == "李姐"
    m = debtors.open_debtor(db.engine, "acme", k=0, actor=T).map
    assert ("desk", logged.new_contact.key, RelationType.REFERS_TO) in {
        (r.source, r.target, r.type) for r in m.relations
    }
    call = m.interactions[-1]
    assert (call.outcome, call.promise_amount, call.promise_date) == (
        Outcome.PROMISED,
        Decimal("50000.00"),
        date(2030, 1, 31),
    )


def test_a_buck_pass_to_an_archived_contact_is_refused_after_nothing_was_kept(db: SeededDb):
    contacts.archive_contact(db.engine, debtor_key="acme", contact_key="sales", actor=T)
    before = debtors.open_debtor(db.engine, "acme", k=0, actor=T)
    with pytest.raises(ValidationError) as exc:
        log(db, disposition=Disposition.FOX, passed_to="sales")
    assert [(p.path, p.code) for p in exc.value.problems] == [("passed_to", "contact.archived")]
    after = debtors.open_debtor(db.engine, "acme", k=0, actor=T)
    assert after.map == before.map and after.versions == before.versions  # the fox too


def test_relations_to_picked_people_cost_the_same_statements_on_any_map(db: SeededDb):
    crowd = tuple(
        make_contact(f"c{n}", name=f"同事{n}", department=Department.SALES) for n in range(60)
    )
    seed(db.engine, make_map("big", contacts=(*classic_contacts(), *crowd)))
    shapes = []
    for debtor in ("acme", "big"):
        with statements_sent(db.engine) as sent:
            log(
                db,
                debtor,
                outcome=Outcome.REFERRED,
                referred_to="finance",
                referred_authorizes=True,
                passed_to="sales",
            )
        shapes.append([s.split()[0] for s in sent])
    assert shapes[0] == shapes[1]
    # The debtor's team (authorization) with the called contact, the two picked ones
    # (one read again, locked, to flag it).
    assert shapes[1].count("SELECT") == 4, shapes[1]
    # The flag, two relations and the call, each with its history row.
    assert shapes[1].count("INSERT") == 3 + 4, shapes[1]
