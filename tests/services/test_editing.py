"""The editing use cases behind the app's forms, on real SQLite and PostgreSQL.

Each bad input must raise a ValidationError naming the field and write nothing;
each good one must land in one piece.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from orgmap.domain.access import Actor, Role
from orgmap.domain.contact_draft import ContactDraft, split_phones
from orgmap.domain.debtor_draft import DebtorDraft
from orgmap.domain.model import (
    Channel,
    DebtorFacts,
    DebtorStatus,
    Department,
    Outcome,
    RelationType,
)
from orgmap.domain.validation import ValidationError
from orgmap.services import calls, contacts, debtors
from orgmap.services.calls import CallReport
from orgmap.services.errors import StaleVersionError
from orgmap.services.transfer import export_json
from tests.factories import make_contact, make_phone
from tests.ui.apptest_helpers import SeededDb, seed

T = Actor("t", Role.ADMIN)


def problem_paths(exc: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return {p.path for p in exc.value.problems}


@pytest.fixture
def unchanged(db: SeededDb):
    """Asserts, after the test body, that the database is as it was before."""
    before = export_json(db.engine, actor=T)
    yield
    assert export_json(db.engine, actor=T) == before


def version(db: SeededDb, what: str = "debtor", key: str | None = None) -> int:
    versions = debtors.open_debtor(db.engine, "acme", k=0, actor=T).versions
    return versions.debtor if key is None else getattr(versions, what)[key]


# --- debtors ------------------------------------------------------------------------


def test_create_debtor_reports_every_bad_field(db: SeededDb, unchanged):
    draft = DebtorDraft(key="Bad Key", name="", amount_owed="-5", currency="yuan")
    with pytest.raises(ValidationError) as exc:
        debtors.create_debtor(db.engine, draft=draft, actor=T)
    assert problem_paths(exc) == {"key", "name", "amount_owed", "currency"}


def test_create_debtor_refuses_a_taken_key(db: SeededDb, unchanged):
    with pytest.raises(ValidationError) as exc:
        debtors.create_debtor(
            db.engine, draft=DebtorDraft(key="acme", name="Other", amount_owed="1"), actor=T
        )
    assert problem_paths(exc) == {"key"}


def test_credit_code_check_character_is_a_warning_and_kept(db: SeededDb):
    draft = DebtorDraft(
        key="newco", name="New Co", amount_owed="10", credit_code="91350100m000100y44"
    )
    saved = debtors.create_debtor(db.engine, draft=draft, actor=T)
    assert [w.path for w in saved.warnings] == ["credit_code"]
    assert db.map("newco").debtor.credit_code == "91350100M000100Y44"
    with pytest.raises(ValidationError) as exc:
        debtors.create_debtor(
            db.engine, draft=replace(draft, key="newco2", credit_code="123"), actor=T
        )
    assert problem_paths(exc) == {"credit_code"}


def test_edit_debtor_keeps_key_and_facts_and_locks_on_version(db: SeededDb):
    facts = db.map().debtor.facts
    draft = DebtorDraft(
        key="ignored", name="Acme Renamed", amount_owed="99.5", status=DebtorStatus.PAYING
    )
    saved = debtors.edit_debtor(
        db.engine, debtor_key="acme", draft=draft, actor=T, expected_version=version(db)
    )
    debtor = db.map().debtor
    assert (debtor.key, debtor.name, debtor.amount_owed, debtor.status) == (
        "acme",
        "Acme Renamed",
        Decimal("99.50"),
        DebtorStatus.PAYING,
    )
    assert debtor.facts == facts
    with pytest.raises(StaleVersionError):
        debtors.edit_debtor(
            db.engine,
            debtor_key="acme",
            draft=replace(draft, name="Lost update"),
            actor=T,
            expected_version=saved.version - 1,
        )
    assert db.map().debtor.name == "Acme Renamed"


def test_update_facts_normalizes_and_validates(db: SeededDb):
    facts = DebtorFacts(
        who_pays="  finance ",
        top_leader_mobile="138 1234 5678",
        top_leader_email="Boss@ACME.example",
        money_in_account=False,
    )
    debtors.update_facts(
        db.engine,
        debtor_key="acme",
        facts=facts,
        actor=T,
        expected_version=version(db),
        region="CN",
    )
    stored = db.map().debtor.facts
    assert stored.who_pays == "finance"
    assert stored.top_leader_mobile == "+8613812345678"
    assert stored.top_leader_email == "Boss@acme.example"
    assert debtors.facts_known(stored) == 4
    with pytest.raises(ValidationError) as exc:
        debtors.update_facts(
            db.engine,
            debtor_key="acme",
            facts=replace(facts, top_leader_mobile="nope", top_leader_email="nope"),
            actor=T,
            expected_version=version(db),
            region="CN",
        )
    assert problem_paths(exc) == {"top_leader_mobile", "top_leader_email"}


def test_facts_known_counts_answers_not_blanks():
    assert debtors.facts_known(DebtorFacts()) == 0
    everything = DebtorFacts(
        reason_unpaid="r",
        who_pays="w",
        money_in_account=False,
        salaries_on_time=False,
        leaders_aware=True,
        top_leader="t",
        top_leader_mobile="+8613812345678",
        top_leader_email="a@b.example",
        address_verified=True,
        registration_verified=True,
    )
    assert debtors.facts_known(everything) == debtors.FACT_COUNT == 10


# --- contacts -----------------------------------------------------------------------


def test_add_contact_makes_a_key_and_normalizes(db: SeededDb):
    draft = ContactDraft(
        name="Li Ming",
        department=Department.FINANCE,
        phones=split_phones("021-61234567转802, 139 0000 2222\n139 0000 2222"),
        email="li@ACME.example",
    )
    saved = contacts.add_contact(db.engine, debtor_key="acme", draft=draft, actor=T, region="CN")
    assert saved.key == "li-ming"
    contact = db.map().contact("li-ming")
    assert [(p.e164, p.extension) for p in contact.phones] == [
        ("+862161234567", "802"),
        ("+8613900002222", None),
    ]
    assert contact.email == "li@acme.example"
    again = contacts.add_contact(db.engine, debtor_key="acme", draft=draft, actor=T, region="CN")
    assert again.key == "li-ming-2"


def test_add_contact_names_each_bad_field(db: SeededDb, unchanged):
    draft = ContactDraft(
        name="x" * 201,
        department=Department.SALES,
        phones=split_phones("13800001111\n42"),
        email="no-at",
    )
    with pytest.raises(ValidationError) as exc:
        contacts.add_contact(db.engine, debtor_key="acme", draft=draft, actor=T, region="CN")
    assert problem_paths(exc) == {"name", "phones[1]", "email"}
    with pytest.raises(ValidationError) as exc:
        contacts.add_contact(
            db.engine,
            debtor_key="acme",
            draft=ContactDraft(key="boss", name="Dup", department=Department.SALES),
            actor=T,
            region="CN",
        )
    assert problem_paths(exc) == {"key"}


def test_edit_contact_locks_on_its_version_and_keeps_archived(db: SeededDb):
    old = version(db, "contacts", "sales")
    draft = ContactDraft(key="sales", name="Liu", department=Department.SALES, title="Manager")
    contacts.edit_contact(
        db.engine, debtor_key="acme", draft=draft, actor=T, expected_version=old, region="CN"
    )
    assert db.map().contact("sales").title == "Manager"
    with pytest.raises(StaleVersionError):
        contacts.edit_contact(
            db.engine,
            debtor_key="acme",
            draft=replace(draft, title="Stale"),
            actor=T,
            expected_version=old,
            region="CN",
        )
    contacts.archive_contact(db.engine, debtor_key="acme", contact_key="sales", actor=T)
    contacts.edit_contact(
        db.engine,
        debtor_key="acme",
        draft=replace(draft, title="Archived but edited"),
        actor=T,
        expected_version=version(db, "contacts", "sales"),
        region="CN",
    )
    assert db.map().contact("sales").archived


def test_archive_unknown_contact_is_a_validation_error(db: SeededDb, unchanged):
    with pytest.raises(ValidationError) as exc:
        contacts.archive_contact(db.engine, debtor_key="acme", contact_key="ghost", actor=T)
    assert problem_paths(exc) == {"key"}


def test_older_problems_do_not_block_a_change(db: SeededDb):
    # A stored email that today's rules would write differently (domain in capitals).
    m = db.map()
    boss = replace(m.contact("boss"), email="Wang@ACME.example")
    seed(db.engine, replace(m, contacts=tuple(boss if c.key == "boss" else c for c in m.contacts)))
    contacts.add_contact(
        db.engine,
        debtor_key="acme",
        draft=ContactDraft(name="New", department=Department.OTHER),
        actor=T,
        region="CN",
    )
    assert db.map().contact("new") is not None


# --- relations ----------------------------------------------------------------------


def test_add_relation_refuses_self_loops_duplicates_and_archived(db: SeededDb, unchanged):
    add = lambda source, target, type_=RelationType.COLLEAGUE: contacts.add_relation(  # noqa: E731
        db.engine, debtor_key="acme", source=source, target=target, type=type_, actor=T
    )
    with pytest.raises(ValidationError) as exc:
        add("desk", "desk")
    assert problem_paths(exc) == {"to"}
    with pytest.raises(ValidationError, match="already on the map"):
        add("desk", "boss", RelationType.REFERS_TO)
    with pytest.raises(ValidationError) as exc:
        add("desk", "ghost")
    assert problem_paths(exc) == {"to"}


def test_archived_relation_can_be_added_back(db: SeededDb):
    args = {"debtor_key": "acme", "source": "sales", "target": "finance"}
    kind = RelationType.PASSES_BUCK_TO
    contacts.archive_relation(db.engine, type=kind, actor=T, **args)
    assert all(
        r.archived for r in db.map().relations if (r.source, r.target) == ("sales", "finance")
    )
    contacts.add_relation(db.engine, type=kind, note="again", actor=T, **args)
    back = next(
        r for r in db.map().relations if (r.source, r.target, r.type) == ("sales", "finance", kind)
    )
    assert not back.archived and back.note == "again"


# --- merging ------------------------------------------------------------------------


def test_same_phone_pairs_skip_archived_and_merge_keeps_histories(db: SeededDb):
    m = db.map()
    twin = make_contact(
        "desk2", name="Desk again", phones=(make_phone("+862161234567", extension="801"),)
    )
    gone = make_contact("gone", name="Gone", phones=twin.phones, archived=True)
    seed(db.engine, replace(m, contacts=(*m.contacts, twin, gone)))
    pairs = contacts.same_phone_pairs(db.map())
    assert [(p.first.key, p.second.key) for p in pairs] == [("desk", "desk2")]

    calls = len(db.map().interactions)
    with pytest.raises(ValidationError):
        contacts.merge_contacts(db.engine, debtor_key="acme", keep="desk", drop="desk", actor=T)
    with pytest.raises(ValidationError) as exc:
        contacts.merge_contacts(db.engine, debtor_key="acme", keep="gone", drop="desk2", actor=T)
    assert problem_paths(exc) == {"keep"}
    contacts.merge_contacts(db.engine, debtor_key="acme", keep="desk", drop="desk2", actor=T)
    after = db.map()
    assert after.contact("desk2").archived
    assert len(after.interactions) == calls


# --- a call with someone new --------------------------------------------------------


def test_call_with_someone_new_is_refused_before_anyone_is_added(db: SeededDb, unchanged):
    report = CallReport(contact="", channel=Channel.PHONE, outcome=Outcome.PROMISED)
    with pytest.raises(ValidationError) as exc:
        calls.log_call(
            db.engine,
            debtor_key="acme",
            report=replace(report, new_person=ContactDraft(name="Guard")),
            actor=T,
            region="CN",
        )
    assert problem_paths(exc) == {"promise"}


def test_call_with_someone_new_adds_them_and_the_call(db: SeededDb):
    report = CallReport(contact="", channel=Channel.VISIT, outcome=Outcome.REACHED, note="met")
    person = ContactDraft(name="Guard", department=Department.OTHER, phones=("13711112222",))
    logged = calls.log_call(
        db.engine,
        debtor_key="acme",
        report=replace(report, new_person=person),
        actor=T,
        region="CN",
    )
    m = db.map()
    assert m.contact(logged.interaction.contact).name == "Guard"
    assert m.interactions[-1].note == "met"
