"""Contact, relation and call writes go through the one authorization door, and every
change leaves exactly its history rows (issue 12), on SQLite and PostgreSQL.

A viewer is refused (AccessDeniedError) and another team's collector is told
"not found" exactly as for a missing debtor; in both cases nothing is written,
not even a history row: every table's row count is compared.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from orgmap.domain.access import AccessDeniedError, Actor, Role
from orgmap.domain.calls import call_fingerprint
from orgmap.domain.contact_draft import ContactDraft
from orgmap.domain.model import Channel, Department, Disposition, Outcome, RelationType
from orgmap.services import calls, contacts, corrections
from orgmap.services.calls import CallReport
from orgmap.services.corrections import CallChange
from orgmap.store import snapshot, transaction
from orgmap.store.accounts import insert_team
from orgmap.store.history import history_for_debtor
from orgmap.store.tables import debtor_owner_table, history_table, metadata
from tests.ui.apptest_helpers import SeededDb

NOW = datetime(2026, 11, 20, tzinfo=UTC)
ADMIN = Actor("boss-admin", Role.ADMIN)


@pytest.fixture
def teams(db: SeededDb) -> tuple[int, int]:
    """Two teams; debtor ``acme`` belongs to the first."""
    with transaction(db.engine) as connection:
        north = insert_team(connection, name="North", by="t", now=NOW)
        south = insert_team(connection, name="South", by="t", now=NOW)
        assert north is not None and south is not None
        acme = connection.execute(sa.text("SELECT id FROM debtor WHERE key = 'acme'")).scalar()
        connection.execute(
            sa.insert(debtor_owner_table).values(
                debtor_id=acme, team_id=north, user_id=None, updated_at=NOW, updated_by="t"
            )
        )
    return north, south


def counts(engine: Engine) -> dict[str, int]:
    """The number of rows of every table (history included)."""
    with snapshot(engine) as connection:
        return {
            name: connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            for name, table in metadata.tables.items()
        }


def history(engine: Engine) -> list[Any]:
    """The acme entries, oldest first."""
    with snapshot(engine) as connection:
        acme = connection.execute(sa.text("SELECT id FROM debtor WHERE key = 'acme'")).scalar()
        return list(reversed(history_for_debtor(connection, acme)))


def _history_rows(engine: Engine) -> int:
    with snapshot(engine) as connection:
        return connection.execute(
            sa.select(sa.func.count()).select_from(history_table)
        ).scalar_one()


def _first_call(engine: Engine) -> str:
    from tests.ui.apptest_helpers import canonical_map

    return call_fingerprint(canonical_map("acme").interactions[0])


#: Every write of this part, as ``actor -> None`` against debtor ``acme``.
WRITES: dict[str, Callable[[Engine, Actor], Any]] = {
    "add_contact": lambda e, a: contacts.add_contact(
        e,
        debtor_key="acme",
        draft=ContactDraft(name="Guard", department=Department.OTHER),
        actor=a,
        region="CN",
    ),
    "edit_contact": lambda e, a: contacts.edit_contact(
        e,
        debtor_key="acme",
        draft=ContactDraft(key="sales", name="Liu", department=Department.SALES, title="X"),
        actor=a,
        expected_version=None,
        region="CN",
    ),
    "archive_contact": lambda e, a: contacts.archive_contact(
        e, debtor_key="acme", contact_key="sales", actor=a
    ),
    "restore_contact": lambda e, a: contacts.restore_contact(
        e, debtor_key="acme", contact_key="sales", actor=a
    ),
    "merge_contacts": lambda e, a: contacts.merge_contacts(
        e, debtor_key="acme", keep="finance", drop="sales", actor=a
    ),
    "add_relation": lambda e, a: contacts.add_relation(
        e, debtor_key="acme", source="desk", target="sales", type=RelationType.COLLEAGUE, actor=a
    ),
    "archive_relation": lambda e, a: contacts.archive_relation(
        e,
        debtor_key="acme",
        source="sales",
        target="finance",
        type=RelationType.PASSES_BUCK_TO,
        actor=a,
    ),
    "restore_relation": lambda e, a: contacts.restore_relation(
        e,
        debtor_key="acme",
        source="sales",
        target="finance",
        type=RelationType.PASSES_BUCK_TO,
        actor=a,
    ),
    "log_call": lambda e, a: calls.log_call(
        e,
        debtor_key="acme",
        report=CallReport(
            contact="desk",
            channel=Channel.PHONE,
            outcome=Outcome.REACHED,
            disposition=Disposition.FOX,
            note="hello",
        ),
        actor=a,
        region="CN",
    ),
    "correct_call": lambda e, a: corrections.correct_call(
        e,
        debtor_key="acme",
        original=_first_call(e),
        change=CallChange(note="fixed"),
        actor=a,
        region="CN",
    ),
    "void_call": lambda e, a: corrections.void_call(
        e, debtor_key="acme", original=_first_call(e), actor=a, reason="wrong"
    ),
}


@pytest.mark.parametrize("write", sorted(WRITES))
def test_a_viewer_is_refused_and_nothing_is_written(db: SeededDb, teams, write: str):
    viewer = Actor("zhao", Role.VIEWER, team_id=teams[0])
    before = counts(db.engine)
    with pytest.raises(AccessDeniedError):
        WRITES[write](db.engine, viewer)
    assert counts(db.engine) == before


@pytest.mark.parametrize("write", sorted(WRITES))
def test_another_teams_collector_is_told_not_found_and_nothing_is_written(
    db: SeededDb, teams, write: str
):
    stranger = Actor("qian", Role.COLLECTOR, team_id=teams[1])
    before = counts(db.engine)
    with pytest.raises(contacts.store.NotFoundError) as hidden:
        WRITES[write](db.engine, stranger)
    assert counts(db.engine) == before
    # The very answer a debtor that does not exist gets.
    with pytest.raises(contacts.store.NotFoundError) as missing:
        contacts.archive_contact(db.engine, debtor_key="nobody", contact_key="x", actor=stranger)
    assert str(hidden.value) == str(missing.value).replace("nobody", "acme")


def test_reading_the_call_list_is_hidden_across_teams_and_masked_for_viewers(db: SeededDb, teams):
    with pytest.raises(contacts.store.NotFoundError):
        corrections.list_calls(
            db.engine, "acme", actor=Actor("qian", Role.COLLECTOR, team_id=teams[1])
        )
    seen = corrections.list_calls(
        db.engine, "acme", actor=Actor("zhao", Role.VIEWER, team_id=teams[0])
    )
    full = corrections.list_calls(db.engine, "acme", actor=ADMIN)
    assert seen.total == full.total > 0
    shown = [p.e164 for c in seen.contacts for p in c.phones]
    assert shown and all("****" in n for n in shown)
    assert all(c.email is None or c.email.endswith("@acme.example") for c in seen.contacts)
    assert not any("****" in p.e164 for c in full.contacts for p in c.phones)


@pytest.mark.parametrize("write", sorted(WRITES))
def test_a_teammate_collector_may_write_and_is_the_author(db: SeededDb, teams, write: str):
    li = Actor("li", Role.COLLECTOR, team_id=teams[0])
    if write.startswith("restore"):  # something archived to restore first
        WRITES[write.replace("restore", "archive")](db.engine, ADMIN)
    before = _history_rows(db.engine)
    WRITES[write](db.engine, li)
    entries = history(db.engine)
    assert len(entries) > before and all(e.by == "li" for e in entries[before:])


def test_history_rows_equal_changes(db: SeededDb, teams):
    """Each write leaves one row per record it changed, with the fields it changed."""
    e = db.engine
    li = Actor("li", Role.COLLECTOR, team_id=teams[0])

    def rows_of(write: Callable[[], Any]) -> list[tuple[str, str, str]]:
        start = len(history(e))
        write()
        return [(h.action, h.entity, h.key) for h in history(e)[start:]]

    assert rows_of(lambda: WRITES["add_contact"](e, li)) == [("create", "contact", "guard")]
    assert rows_of(lambda: WRITES["edit_contact"](e, li)) == [("edit", "contact", "sales")]
    assert rows_of(lambda: WRITES["edit_contact"](e, li)) == []  # saved unchanged: no row
    edit = history(e)[-1]
    assert set(edit.after) == set(edit.before) and "title" in edit.after
    assert rows_of(lambda: WRITES["archive_contact"](e, li)) == [("archive", "contact", "sales")]
    assert rows_of(lambda: WRITES["archive_contact"](e, li)) == []  # already archived
    assert rows_of(lambda: WRITES["restore_contact"](e, li)) == [("restore", "contact", "sales")]
    assert history(e)[-1].after["archived"] is False
    key = "sales>finance:passes_buck_to"
    assert rows_of(lambda: WRITES["archive_relation"](e, li)) == [("archive", "relation", key)]
    assert rows_of(lambda: WRITES["restore_relation"](e, li)) == [("restore", "relation", key)]
    assert rows_of(lambda: WRITES["add_relation"](e, li)) == [
        ("create", "relation", "desk>sales:colleague")
    ]
    logged = rows_of(lambda: WRITES["log_call"](e, li))
    assert [(a, n) for a, n, _ in logged] == [("edit", "contact"), ("create", "call")]
    call = history(e)[-1]
    assert set(call.after) == {"contact", "at", "channel", "outcome", "note", "promise"}
    assert call.after["note"] == "hello" and logged[0][2] == "desk"
    assert rows_of(lambda: WRITES["correct_call"](e, li)) == [("correct", "call", _first_call(e))]
    assert history(e)[-1].after == {"note": "fixed"}


def test_a_call_with_a_referral_records_the_person_and_the_link(db: SeededDb, teams):
    li = Actor("li", Role.COLLECTOR, team_id=teams[0])
    start = len(history(db.engine))
    calls.log_call(
        db.engine,
        debtor_key="acme",
        report=CallReport(
            contact="desk",
            channel=Channel.PHONE,
            outcome=Outcome.REFERRED,
            referred_to=ContactDraft(name="Zhou", department=Department.MANAGEMENT),
            referred_authorizes=True,
            passed_to="sales",
        ),
        actor=li,
        region="CN",
    )
    rows = [(h.action, h.entity, h.key) for h in history(db.engine)[start:]]
    assert rows == [
        ("create", "contact", "zhou"),
        ("create", "relation", "desk>zhou:refers_to"),
        ("create", "relation", "desk>sales:passes_buck_to"),
        ("create", "call", rows[-1][2]),
    ]
    assert history(db.engine)[start].after["authorizes_payment"] is True


def test_a_merge_records_every_record_it_changed(db: SeededDb):
    start = len(history(db.engine))
    WRITES["merge_contacts"](db.engine, ADMIN)
    rows = [(h.action, h.entity, h.key) for h in history(db.engine)[start:]]
    assert {a for a, _, _ in rows} == {"merge"}
    assert ("merge", "contact", "finance") in rows and ("merge", "contact", "sales") in rows
    # sales -> finance and finance -> sales both became loops: archived, on sales.
    relations = sorted(k for _, n, k in rows if n == "relation")
    assert relations == ["finance>sales:passes_buck_to", "sales>finance:passes_buck_to"]
    assert db.map().contact("sales").archived


def test_restore_brings_back_an_archived_contact_and_relation(db: SeededDb):
    WRITES["archive_contact"](db.engine, ADMIN)
    WRITES["archive_relation"](db.engine, ADMIN)
    assert db.map().contact("sales").archived
    WRITES["restore_contact"](db.engine, ADMIN)
    WRITES["restore_relation"](db.engine, ADMIN)
    m = db.map()
    assert not m.contact("sales").archived
    [back] = [r for r in m.relations if (r.source, r.target) == ("sales", "finance")]
    assert not back.archived


def test_a_relation_to_an_archived_contact_is_not_restored(db: SeededDb):
    WRITES["archive_relation"](db.engine, ADMIN)
    WRITES["archive_contact"](db.engine, ADMIN)
    before = counts(db.engine)
    with pytest.raises(contacts.ValidationError):
        WRITES["restore_relation"](db.engine, ADMIN)
    assert counts(db.engine) == before
