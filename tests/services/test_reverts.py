"""Reverting an edit (issue 12, item 4), on SQLite and PostgreSQL: the edit's ``before``
values come back and one "revert" entry is recorded; a field changed again since, an
entry of another debtor, a non-edit and a viewer are refused, and then nothing at all
is written (every table's row count is compared)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy.engine import Engine

from orgmap.domain.access import AccessDeniedError, Actor, Role
from orgmap.domain.contact_draft import ContactDraft
from orgmap.domain.debtor_draft import DebtorDraft
from orgmap.domain.model import Department, Phone, PhoneKind
from orgmap.domain.validation import ValidationError
from orgmap.services import contacts, debtors
from orgmap.services.reverts import revert_edit
from orgmap.store import transaction
from tests.services.test_write_authorization import counts, history, teams  # noqa: F401
from tests.ui.apptest_helpers import SeededDb, canonical_map, seed

ADMIN = Actor("boss-admin", Role.ADMIN)
LI = Actor("li", Role.ADMIN)


def _edit_sales(engine: Engine, *, actor: Actor = ADMIN, debtor_key: str = "acme", **typed):
    draft = ContactDraft(key="sales", name="销售刘经理", department=Department.SALES, **typed)
    return contacts.edit_contact(
        engine,
        debtor_key=debtor_key,
        draft=draft,
        actor=actor,
        expected_version=None,
        region="CN",
    )


def _last_edit_id(engine: Engine) -> int:
    entry = history(engine)[-1]
    assert entry.action == "edit" and entry.id is not None
    return entry.id


def _sales(db: SeededDb):
    return next(c for c in db.map().contacts if c.key == "sales")


def _revert(engine: Engine, entry_id: int, *, actor: Actor = ADMIN, debtor_key: str = "acme"):
    return revert_edit(engine, debtor_key=debtor_key, entry_id=entry_id, actor=actor, region="CN")


def _refused_code(error: pytest.ExceptionInfo[ValidationError]) -> str | None:
    (problem,) = error.value.problems
    return problem.code


def test_revert_puts_the_before_values_back_phones_included_and_records_one_revert(db: SeededDb):
    original = _sales(db)
    _edit_sales(db.engine, title="总监", phones=("13812345678",), notes="kept")
    edit_id = _last_edit_id(db.engine)
    changed = _sales(db)
    assert changed.title == "总监" and changed.phones == (
        Phone("+8613812345678", kind=PhoneKind.MOBILE),
    )
    before = counts(db.engine)

    saved = _revert(db.engine, edit_id, actor=LI)

    assert _sales(db) == original
    assert saved.key == "sales"
    after = counts(db.engine)
    assert after["history"] == before["history"] + 1
    revert = history(db.engine)[-1]
    assert (revert.action, revert.entity, revert.key, revert.by) == (
        "revert",
        "contact",
        "sales",
        "li",
    )
    assert revert.before == {
        "title": "总监",
        "phones": [{"e164": "+8613812345678", "extension": None, "kind": "mobile"}],
        "notes": "kept",
    }
    assert revert.after == {"title": "", "phones": [], "notes": ""}


def test_a_field_changed_again_since_is_refused_and_nothing_is_written(db: SeededDb):
    _edit_sales(db.engine, title="A")
    first = _last_edit_id(db.engine)
    _edit_sales(db.engine, title="B", notes="later")
    before, now = counts(db.engine), _sales(db)

    with pytest.raises(ValidationError) as refused:
        _revert(db.engine, first)

    assert _refused_code(refused) == "revert.changed_since"
    assert "title" in str(refused.value) and "notes" not in str(refused.value)
    assert counts(db.engine) == before and _sales(db) == now


def test_a_later_edit_of_other_fields_does_not_stop_a_revert_nor_is_undone(db: SeededDb):
    _edit_sales(db.engine, title="A")
    first = _last_edit_id(db.engine)
    _edit_sales(db.engine, title="A", notes="a colleague's note")

    _revert(db.engine, first)

    assert (_sales(db).title, _sales(db).notes) == ("", "a colleague's note")


def test_an_entry_of_another_debtor_is_refused(db: SeededDb):
    seed(db.engine, canonical_map("beta"))
    _edit_sales(db.engine, debtor_key="beta", title="elsewhere")
    with transaction(db.engine) as connection:
        from orgmap.store.accounts import debtor_owner
        from orgmap.store.history import history_for_debtor

        owner = debtor_owner(connection, "beta")
        assert owner is not None
        beta_edit = history_for_debtor(connection, owner.id)[0].id
    assert beta_edit is not None
    before = counts(db.engine)

    with pytest.raises(ValidationError) as refused:
        _revert(db.engine, beta_edit, debtor_key="acme")

    assert _refused_code(refused) == "revert.no_such_entry"
    assert counts(db.engine) == before


def test_only_edits_can_be_reverted(db: SeededDb):
    contacts.archive_contact(db.engine, debtor_key="acme", contact_key="sales", actor=ADMIN)
    archived = history(db.engine)[-1]
    assert archived.action == "archive" and archived.id is not None
    before = counts(db.engine)

    with pytest.raises(ValidationError) as refused:
        _revert(db.engine, archived.id)

    assert _refused_code(refused) == "revert.not_an_edit"
    assert counts(db.engine) == before


def test_a_viewer_is_refused_and_nothing_is_written(db: SeededDb, teams):  # noqa: F811
    north, _ = teams
    _edit_sales(db.engine, title="A")
    edit_id = _last_edit_id(db.engine)
    before, now = counts(db.engine), _sales(db)

    with pytest.raises(AccessDeniedError):
        _revert(db.engine, edit_id, actor=Actor("zhao", Role.VIEWER, team_id=north))

    assert counts(db.engine) == before and _sales(db) == now


def test_another_teams_collector_is_told_not_found(db: SeededDb, teams):  # noqa: F811
    from orgmap.store.errors import NotFoundError

    _, south = teams
    _edit_sales(db.engine, title="A")
    edit_id = _last_edit_id(db.engine)
    before = counts(db.engine)

    with pytest.raises(NotFoundError):
        _revert(db.engine, edit_id, actor=Actor("chen", Role.COLLECTOR, team_id=south))

    assert counts(db.engine) == before


def _debtor_draft(db: SeededDb, **changes) -> DebtorDraft:
    d = db.map().debtor
    draft = DebtorDraft(
        key=d.key,
        name=d.name,
        amount_owed=str(d.amount_owed),
        currency=d.currency,
        credit_code=d.credit_code or "",
        address=d.address,
        due_date=d.due_date,
        status=d.status,
        assigned_to=d.assigned_to,
    )
    return replace(draft, **changes)


def test_a_debtor_edit_and_a_facts_edit_are_reverted(db: SeededDb):
    original = db.map().debtor
    debtors.edit_debtor(
        db.engine,
        debtor_key="acme",
        draft=_debtor_draft(db, amount_owed="99.5", address="新地址"),
        actor=ADMIN,
        expected_version=None,
    )
    debtor_edit = _last_edit_id(db.engine)
    facts = replace(original.facts, reason_unpaid="cash flow", money_in_account=True)
    debtors.update_facts(
        db.engine,
        debtor_key="acme",
        facts=facts,
        actor=ADMIN,
        expected_version=None,
        region="CN",
    )
    facts_edit = _last_edit_id(db.engine)
    assert db.map().debtor.address == "新地址"

    _revert(db.engine, facts_edit)
    _revert(db.engine, debtor_edit)

    assert db.map().debtor == original
    reverts = [e for e in history(db.engine) if e.action == "revert"]
    assert [e.entity for e in reverts] == ["facts", "debtor"]
    assert reverts[0].after == {
        "reason_unpaid": original.facts.reason_unpaid,
        "money_in_account": original.facts.money_in_account,
    }
    assert reverts[1].before is not None and reverts[1].before["address"] == "新地址"
