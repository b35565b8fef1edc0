"""Who may do what to a debtor, through the real debtor-level services, on both databases.

Two teams, one debtor each (``a1`` of team A, ``b1`` of team B).  For every role
and every debtor-level service: a debtor of another team is "not found", worded
exactly as one that does not exist; a refused change writes nothing, not even a
history row (every table counted); lists and searches leave other teams' debtors
out; a viewer reads numbers and e-mails masked; and every change writes one
history row per record changed.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from orgmap.domain.access import AccessDeniedError, Actor, Role
from orgmap.domain.debtor_draft import DebtorDraft
from orgmap.domain.model import DebtorFacts
from orgmap.interchange import dumps_document
from orgmap.services import debtor_list, debtors, search, transfer
from orgmap.services.errors import NotFoundError
from orgmap.settings import load_settings
from orgmap.store import save_maps, snapshot, transaction
from orgmap.store.accounts import insert_team
from orgmap.store.history import history_for_debtor
from orgmap.store.tables import debtor_owner_table, debtor_table, metadata
from tests.factories import make_contact, make_map, make_phone

NOW = datetime(2026, 11, 20, tzinfo=UTC)
B1_MOBILE = "+8613912340987"
ROLES = (Role.LEAD, Role.COLLECTOR, Role.VIEWER)


@pytest.fixture
def teams(engine: Engine) -> tuple[int, int]:
    """Teams A and B, with debtor a1 in A and b1 in B (b1's boss has a known mobile)."""
    with transaction(engine) as connection:
        a = insert_team(connection, name="A", by="t", now=NOW)
        b = insert_team(connection, name="B", by="t", now=NOW)
        assert a is not None and b is not None
        save_maps(connection, [make_map("a1")], by="seed", team_id=a)
        boss = make_contact(
            "boss", name="钱董事", phones=(make_phone(B1_MOBILE),), email="wang@b1.cn", notes="爽快"
        )
        save_maps(connection, [make_map("b1", contacts=(boss,))], by="seed", team_id=b)
    return a, b


def counts(engine: Engine) -> dict[str, int]:
    """Rows in every table: a refused change leaves them all as they were."""
    with snapshot(engine) as connection:
        return {
            table.name: connection.execute(
                sa.select(sa.func.count()).select_from(table)
            ).scalar_one()
            for table in metadata.sorted_tables
        }


def history_of(engine: Engine, key: str) -> list:
    with snapshot(engine) as connection:
        debtor_id = connection.execute(
            sa.select(debtor_table.c.id).where(debtor_table.c.key == key)
        ).scalar_one()
        return history_for_debtor(connection, debtor_id)


def not_found_text(call, key: str) -> str:
    """The message of the NotFoundError ``call`` raises, the key blanked out."""
    with pytest.raises(NotFoundError) as caught:
        call()
    return str(caught.value).replace(repr(key), "KEY")


# -- reads --------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_another_teams_debtor_is_not_found_exactly_like_a_missing_one(engine, teams, role):
    a, _ = teams
    actor = Actor("u", role, team_id=a)
    assert debtors.open_debtor(engine, "a1", actor=actor, k=1).map.debtor.key == "a1"
    for service in (
        lambda key: debtors.open_debtor(engine, key, actor=actor),
        lambda key: debtors.route_debtor(engine, debtor_key=key, actor=actor),
        lambda key: debtor_list.next_step(engine, key, actor=actor),
    ):
        hidden = not_found_text(lambda s=service: s("b1"), "b1")
        missing = not_found_text(lambda s=service: s("nobody"), "nobody")
        assert hidden == missing


def test_a_user_in_no_team_sees_no_debtor_and_an_admin_every_one(engine, teams):
    loner = Actor("loner", Role.COLLECTOR, team_id=None)
    with pytest.raises(NotFoundError):
        debtors.open_debtor(engine, "a1", actor=loner)
    assert debtor_list.list_page(engine, actor=loner).total == 0
    assert debtors.debtor_summaries(engine, actor=loner) == []
    admin = Actor("boss", Role.ADMIN)
    assert [r.key for r in debtor_list.list_page(engine, actor=admin).rows] == ["a1", "b1"]


@pytest.mark.parametrize("role", ROLES)
def test_lists_and_searches_hold_only_the_teams_debtors(engine, teams, role):
    a, _ = teams
    actor = Actor("u", role, team_id=a)
    page = debtor_list.list_page(engine, actor=actor)
    assert [r.key for r in page.rows] == ["a1"] and page.total == 1
    assert [s.key for s in debtors.debtor_summaries(engine, actor=actor)] == ["a1"]
    mine = debtor_list.list_page(
        engine, actor=actor, filters=debtor_list.DebtorFilters(assigned_to="li")
    )
    assert [r.key for r in mine.rows] == ["a1"]  # "my cases" keeps working, within the team
    assert debtor_list.collectors(engine, actor=actor) == ["li"]
    choices = debtor_list.debtor_choices(engine, actor=actor, keep=["b1", "a1"], first=10)
    assert choices.names.keys() == {"a1"}  # a key from a URL naming b1 is dropped
    assert search.search_team(engine, B1_MOBILE, actor=actor, region="CN") == []
    assert search.search_team(engine, "0987", actor=actor, region="CN") == []
    assert search.search_team(engine, "钱董事", actor=actor, region="CN") == []
    assert all(
        m.debtor_key == "a1" for m in search.search_team(engine, "上海", actor=actor, region="CN")
    )
    admin = Actor("boss", Role.ADMIN)
    [hit] = search.search_team(engine, B1_MOBILE, actor=admin, region="CN")
    assert hit.debtor_key == "b1" and hit.phone == B1_MOBILE


def test_a_viewer_reads_numbers_and_emails_masked_and_notes_as_they_are(engine, teams):
    _, b = teams
    viewer = Actor("v", Role.VIEWER, team_id=b)
    boss = debtors.open_debtor(engine, "b1", actor=viewer, k=1).map.contact("boss")
    assert boss is not None
    assert [p.e164 for p in boss.phones] == ["139****0987"]
    assert boss.email == "w***@b1.cn" and boss.notes == "爽快"
    [hit] = search.search_team(engine, B1_MOBILE, actor=viewer, region="CN")
    assert hit.phone == "139****0987"
    step = debtor_list.next_step(engine, "b1", actor=viewer)
    assert step is not None and all("****" in p.e164 for p in step.numbers)
    lead = Actor("l", Role.LEAD, team_id=b)
    unmasked = debtors.open_debtor(engine, "b1", actor=lead, k=0).map.contact("boss")
    assert unmasked is not None and unmasked.phones[0].e164 == B1_MOBILE


# -- refused changes write nothing ------------------------------------------------------


def _changes(engine: Engine, key: str, actor: Actor):
    """Every debtor-level change of debtor ``key`` by ``actor``, each a thunk."""
    settings = load_settings({})
    doc = dumps_document([make_map(key, name="改名公司")]).encode()
    version = 1
    return {
        "edit_debtor": lambda: debtors.edit_debtor(
            engine,
            debtor_key=key,
            draft=DebtorDraft(key=key, name="改名公司", amount_owed="1"),
            actor=actor,
            expected_version=version,
        ),
        "update_facts": lambda: debtors.update_facts(
            engine,
            debtor_key=key,
            facts=DebtorFacts(top_leader="赵总", top_leader_mobile="13800001111"),
            actor=actor,
            expected_version=version,
            region="CN",
        ),
        "import_json": lambda: transfer.import_file(
            engine, filename="x.json", raw=doc, settings=settings, actor=actor
        ),
        "import_csv": lambda: transfer.import_file(
            engine,
            filename="x.csv",
            raw=f"debtor_key,key,name,department\n{key},new1,小李,sales\n".encode(),
            settings=settings,
            actor=actor,
        ),
        "export_json": lambda: transfer.export_json(engine, debtor_key=key, actor=actor),
        "export_graphml": lambda: transfer.export_graphml(engine, debtor_key=key, actor=actor),
        "export_html": lambda: transfer.export_html(engine, debtor_key=key, actor=actor),
    }


CHANGES = tuple(_changes(None, "k", Actor("x", Role.ADMIN)))  # type: ignore[arg-type]


@pytest.mark.parametrize("change", CHANGES)
def test_a_viewer_changing_their_teams_debtor_is_refused_and_nothing_is_written(
    engine, teams, change
):
    a, _ = teams
    before = counts(engine)
    with pytest.raises(AccessDeniedError):
        _changes(engine, "a1", Actor("v", Role.VIEWER, team_id=a))[change]()
    assert counts(engine) == before


@pytest.mark.parametrize("change", CHANGES)
def test_another_teams_collector_is_answered_not_found_and_nothing_is_written(
    engine, teams, change
):
    a, _ = teams
    before = counts(engine)
    collector = Actor("c", Role.COLLECTOR, team_id=a)
    if change.startswith("export"):
        # A collector may not export even their own team's debtors.
        with pytest.raises(AccessDeniedError):
            _changes(engine, "a1", collector)[change]()
    if change == "import_json":
        # b1's key cannot be taken: refused as taken, never as "yours to change".
        with pytest.raises(Exception, match="b1") as caught:
            _changes(engine, "b1", collector)[change]()
        assert not isinstance(caught.value, AccessDeniedError)
    elif change == "import_csv":
        with pytest.raises(Exception, match="no debtor with key 'b1'"):
            _changes(engine, "b1", collector)[change]()
    else:
        hidden = not_found_text(_changes(engine, "b1", collector)[change], "b1")
        missing = not_found_text(_changes(engine, "nobody", collector)[change], "nobody")
        assert hidden == missing
    assert counts(engine) == before


def test_a_viewer_or_a_teamless_user_may_not_create_a_debtor(engine, teams):
    a, _ = teams
    before = counts(engine)
    for actor in (Actor("v", Role.VIEWER, team_id=a), Actor("n", Role.COLLECTOR, team_id=None)):
        with pytest.raises(AccessDeniedError):
            debtors.create_debtor(
                engine, draft=DebtorDraft(key="", name="新公司", amount_owed="1"), actor=actor
            )
    assert counts(engine) == before


# -- history rows equal changes ----------------------------------------------------


def test_a_debtor_created_by_a_team_member_is_the_teams_and_recorded(engine, teams):
    a, _ = teams
    collector = Actor("小王", Role.COLLECTOR, team_id=a)
    before = counts(engine)
    saved = debtors.create_debtor(
        engine, draft=DebtorDraft(key="", name="新公司", amount_owed="10"), actor=collector
    )
    after = counts(engine)
    assert (
        after["debtor"] - before["debtor"] == 1
        and after["debtor_owner"] - before["debtor_owner"] == 1
    )
    entries = history_of(engine, saved.key)
    assert after["history"] - before["history"] == len(entries) == 2
    assert {(e.action, e.entity, e.by) for e in entries} == {
        ("create", "debtor", "小王"),
        ("create", "owner", "小王"),
    }
    with snapshot(engine) as connection:
        owner = connection.execute(
            sa.select(debtor_owner_table.c.team_id)
            .join(debtor_table, debtor_table.c.id == debtor_owner_table.c.debtor_id)
            .where(debtor_table.c.key == saved.key)
        ).scalar_one()
    assert owner == a
    assert saved.key in {r.key for r in debtor_list.list_page(engine, actor=collector).rows}


def test_an_edit_writes_one_history_row_with_the_fields_changed(engine, teams):
    a, _ = teams
    lead = Actor("老张", Role.LEAD, team_id=a)
    view = debtors.open_debtor(engine, "a1", actor=lead, k=0)
    draft = DebtorDraft(
        key="a1",
        name="新名字有限公司",
        amount_owed=str(view.map.debtor.amount_owed),
        currency=view.map.debtor.currency,
        due_date=view.map.debtor.due_date.isoformat() if view.map.debtor.due_date else "",
        assigned_to=view.map.debtor.assigned_to,
    )
    before = counts(engine)
    debtors.edit_debtor(
        engine, debtor_key="a1", draft=draft, actor=lead, expected_version=view.versions.debtor
    )
    assert counts(engine)["history"] == before["history"] + 1
    entry = history_of(engine, "a1")[0]
    assert (entry.action, entry.entity, entry.key, entry.by) == ("edit", "debtor", "a1", "老张")
    assert entry.before is not None and entry.after == {"name": "新名字有限公司"}
    assert entry.before == {"name": view.map.debtor.name}


def test_facts_record_the_facts_and_the_leader_put_on_the_map(engine, teams):
    a, _ = teams
    lead = Actor("老张", Role.LEAD, team_id=a)
    current = debtors.open_debtor(engine, "a1", actor=lead, k=0).map.debtor.facts
    assert current.who_pays != "财务" and not current.top_leader
    before = counts(engine)
    debtors.update_facts(
        engine,
        debtor_key="a1",
        facts=replace(current, who_pays="财务", top_leader="赵总", top_leader_mobile="13800001111"),
        actor=lead,
        expected_version=1,
        region="CN",
    )
    after = counts(engine)
    entries = [e for e in history_of(engine, "a1") if e.by == "老张"]
    added = after["history"] - before["history"]
    assert added == len(entries) == 2  # the facts, and the leader added as a contact
    facts = next(e for e in entries if e.entity == "facts")
    assert facts.action == "edit" and set(facts.after or {}) == {
        "who_pays",
        "top_leader",
        "top_leader_mobile",
    }
    assert any(e.entity == "contact" and e.action == "create" for e in entries)


def test_exports_are_recorded_one_row_per_debtor_exported(engine, teams):
    a, _ = teams
    lead = Actor("老张", Role.LEAD, team_id=a)
    doc = json.loads(transfer.export_json(engine, actor=lead))
    assert [d["key"] for d in doc["debtors"]] == ["a1"]  # the team's, not everyone's
    transfer.export_graphml(engine, debtor_key="a1", actor=lead)
    entries = [e for e in history_of(engine, "a1") if e.action == "export"]
    assert [(e.entity, e.by, e.after) for e in entries] == [
        ("debtor", "老张", {"format": "graphml"}),
        ("debtor", "老张", {"format": "json"}),
    ]
    assert not [e for e in history_of(engine, "b1") if e.action == "export"]
    admin = Actor("boss", Role.ADMIN)
    before = counts(engine)["history"]
    transfer.export_json(engine, actor=admin)
    assert counts(engine)["history"] == before + 2


def test_an_import_records_every_record_it_creates_and_gives_new_debtors_the_team(engine, teams):
    a, _ = teams
    lead = Actor("老张", Role.LEAD, team_id=a)
    settings = load_settings({})
    new = make_map("a2")
    raw = dumps_document([new, replace(make_map("a1"), contacts=make_map("a1").contacts)]).encode()
    before = counts(engine)
    result = transfer.import_file(engine, filename="x.json", raw=raw, settings=settings, actor=lead)
    after = counts(engine)
    created = sum(
        getattr(result.report, kind).created + getattr(result.report, kind).updated
        for kind in ("debtors", "contacts", "relations", "interactions")
    )
    owner_rows = after["debtor_owner"] - before["debtor_owner"]
    assert owner_rows == 1
    assert after["history"] - before["history"] == created + owner_rows
    entries = history_of(engine, "a2")
    assert {e.action for e in entries} == {"import"} and {e.by for e in entries} == {"老张"}
    assert sum(e.entity == "contact" for e in entries) == len(new.contacts)
    assert sum(e.entity == "call" for e in entries) == len(new.interactions)
    assert [r.key for r in debtor_list.list_page(engine, actor=lead).rows] == ["a1", "a2"]
    again = counts(engine)
    transfer.import_file(engine, filename="x.json", raw=raw, settings=settings, actor=lead)
    assert counts(engine) == again  # nothing changed, nothing recorded
