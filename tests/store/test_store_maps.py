"""Whole maps: save (upsert by keys), load one debtor, export, and the debtor list."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from orgmap.domain.model import Department, Outcome
from orgmap.store import (
    NotFoundError,
    StoreError,
    list_debtors,
    load_map,
    load_maps,
    save_maps,
    snapshot,
    transaction,
)
from orgmap.store.mapping import interaction_fingerprint
from orgmap.store.tables import metadata
from tests.factories import (
    make_contact,
    make_interaction,
    make_map,
    make_phone,
    make_relation,
)


def save(engine, *maps, by="li"):
    with transaction(engine) as session:
        return save_maps(session, list(maps), by=by)


def load(engine, key="acme", **kwargs):
    with snapshot(engine) as session:
        return load_map(session, key, **kwargs)


def audit_snapshot(engine) -> dict[str, list[tuple]]:
    """Every row's id, version and updated_at, table by table (the versioned tables)."""
    with engine.connect() as connection:
        return {
            t.name: connection.execute(
                sa.select(t.c.id, t.c.version, t.c.updated_at).order_by(t.c.id)
            ).all()
            for t in metadata.sorted_tables
            if {"id", "version", "updated_at"} <= set(t.c.keys())
        }


def test_a_saved_map_loads_back_equal(engine):
    m = make_map()
    report = save(engine, m)
    assert str(report.contacts) == "4 created, 0 updated, 0 unchanged"
    assert (report.relations.created, report.interactions.created) == (4, 2)
    assert load(engine) == m


def test_saving_the_same_maps_again_touches_nothing(engine):
    maps = [make_map("acme"), make_map("beta", amount_owed=Decimal("9.90"))]
    save(engine, *maps)
    before = audit_snapshot(engine)

    report = save(engine, *maps, by="someone-else")

    assert not report.changed
    assert report.debtors.unchanged == 2
    assert report.contacts.unchanged == 8
    assert report.relations.unchanged == 8
    assert report.interactions.unchanged == 4
    assert audit_snapshot(engine) == before


def test_changed_records_are_updated_and_versioned_alone(engine):
    m = make_map()
    save(engine, m)
    before = audit_snapshot(engine)
    boss = m.contact("boss")
    edited = replace(
        m,
        contacts=tuple(
            replace(c, phones=(make_phone("+8613700000000"),)) if c.key == "boss" else c
            for c in m.contacts
        ),
        relations=tuple(
            replace(r, note="老板直接给的") if (r.source, r.target) == ("desk", "boss") else r
            for r in m.relations
        ),
    )

    report = save(engine, edited, by="wang")

    assert (report.debtors.unchanged, report.contacts.updated, report.contacts.unchanged) == (
        1,
        1,
        3,
    )
    assert (report.relations.updated, report.relations.unchanged) == (1, 3)
    assert load(engine) == edited
    after = audit_snapshot(engine)
    changed_contacts = [a for a, b in zip(after["contact"], before["contact"]) if a != b]
    assert [(version) for _, version, _ in changed_contacts] == [2]
    assert after["debtor"] == before["debtor"]
    assert load(engine).contact("boss").phones != boss.phones


def test_contacts_missing_from_the_file_are_left_alone(engine):
    save(engine, make_map())
    newcomer = make_contact("legal", name="法务", department=Department.LEGAL)
    partial = make_map(contacts=(newcomer,), relations=(), interactions=())

    report = save(engine, partial)

    assert (report.contacts.created, report.contacts.unchanged) == (1, 0)
    assert [c.key for c in load(engine).contacts] == ["desk", "sales", "finance", "boss", "legal"]


def test_interactions_are_appended_once_by_fingerprint(engine):
    m = make_map()
    save(engine, m)
    later = make_interaction("boss", minutes=600, outcome=Outcome.REACHED, note="同意下周付")
    again = replace(m, interactions=(*m.interactions, later, later))

    report = save(engine, again)

    assert (report.interactions.created, report.interactions.unchanged) == (1, 3)
    assert load(engine).interactions == (*m.interactions, later)


def test_the_number_a_call_used_is_stored_and_tells_two_calls_apart(engine):
    m = make_map()
    first = make_interaction("boss", minutes=600, outcome=Outcome.WRONG_NUMBER)
    on_old, on_new = replace(first, phone="+8613800000001"), replace(first, phone="+8613800000002")
    with_numbers = replace(m, interactions=(*m.interactions, on_old, on_new))
    save(engine, with_numbers)
    assert load(engine) == with_numbers
    before = audit_snapshot(engine)

    report = save(engine, load(engine))  # re-importing an export changes nothing
    assert (report.interactions.created, report.interactions.unchanged) == (0, 4)
    assert audit_snapshot(engine) == before
    # Without the number it is another call (as logged before numbers were recorded).
    report = save(engine, replace(m, interactions=(first,)))
    assert report.interactions.created == 1


def test_a_call_without_a_number_keeps_the_fingerprint_it_had_before_numbers():
    call = make_interaction("boss", outcome=Outcome.REACHED, note="同意付款")
    # As computed by orgmap before interactions had a phone (revision 0001): it must
    # not change, or re-importing an old export would log every call twice.
    assert interaction_fingerprint(call) == (
        "910e8884742daf3a26d0c14d76707be1c36160075fdca7beb0c851683f4d0276"
    )
    assert interaction_fingerprint(replace(call, phone="+8613800000001")) != (
        interaction_fingerprint(call)
    )


def test_a_relation_to_an_unknown_contact_writes_nothing_at_all(engine):
    good = make_map("good")
    bad = make_map("bad", relations=(make_relation("desk", "ghost"),))
    with pytest.raises(NotFoundError, match="'ghost'"):
        save(engine, good, bad)
    with transaction(engine) as session:
        assert list_debtors(session) == []


def test_a_self_loop_or_a_repeated_key_is_refused(engine):
    with pytest.raises(StoreError, match="cannot relate to itself"):
        save(engine, make_map(relations=(make_relation("desk", "desk"),)))
    twice = make_map(contacts=(make_contact("desk"), make_contact("desk")))
    with pytest.raises(StoreError, match="'desk' twice"):
        save(engine, twice)


def test_an_unknown_debtor_loads_as_none(engine):
    assert load(engine, "nobody") is None


def test_archived_records_can_be_left_out(engine):
    m = make_map()
    archived = replace(
        m,
        contacts=tuple(replace(c, archived=c.key == "sales") for c in m.contacts),
        relations=tuple(replace(r, archived=r.type == "reports_to") for r in m.relations),
        interactions=tuple(
            sorted((*m.interactions, make_interaction("sales", minutes=5)), key=lambda i: i.at)
        ),
    )
    save(engine, archived)

    assert load(engine) == archived
    current = load(engine, include_archived=False)
    assert [c.key for c in current.contacts] == ["desk", "finance", "boss"]
    assert [(r.source, r.target) for r in current.relations] == [("desk", "boss")]
    assert all(i.contact != "sales" for i in current.interactions)


def test_export_loads_every_map_or_the_ones_asked_for(engine):
    maps = [make_map(k) for k in ("gamma", "alpha", "beta")]
    save(engine, *maps)
    with snapshot(engine) as session:
        assert [m.debtor.key for m in load_maps(session)] == ["alpha", "beta", "gamma"]
        assert load_maps(session, ["gamma", "alpha"]) == [maps[0], maps[1]]
        with pytest.raises(NotFoundError, match="'nope'"):
            load_maps(session, ["alpha", "nope"])


def test_the_debtor_list_aggregates_in_one_query(engine):
    acme = make_map("acme")
    quiet = make_map(
        "quiet",
        contacts=(
            make_contact("desk"),
            make_contact("boss", authorizes_payment=True, archived=True),
        ),
        relations=(),
        interactions=(),
    )
    empty = make_map("empty", contacts=(), relations=(), interactions=())
    save(engine, acme, quiet, empty)

    statements = []
    sa.event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    with snapshot(engine) as session:
        summaries = {s.key: s for s in list_debtors(session)}
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1

    assert list(summaries) == ["acme", "empty", "quiet"]
    a, e, q = summaries["acme"], summaries["empty"], summaries["quiet"]
    assert (a.contact_count, a.authorizer_known) == (4, True)
    assert a.last_contact_at == max(i.at for i in acme.interactions)
    assert a.last_contact_at.tzinfo is UTC
    assert a.amount_owed == Decimal("128000.50") and a.version == 1
    assert (q.contact_count, q.authorizer_known, q.last_contact_at) == (1, False, None)
    assert (e.contact_count, e.authorizer_known, e.last_contact_at) == (0, False, None)


def test_the_list_shows_the_latest_contact_even_out_of_order(engine):
    now = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    m = make_map(
        interactions=(
            make_interaction("desk", at=now),
            make_interaction("boss", at=now - timedelta(days=3)),
        )
    )
    save(engine, m)
    with snapshot(engine) as session:
        (summary,) = list_debtors(session)
    assert summary.last_contact_at == now
