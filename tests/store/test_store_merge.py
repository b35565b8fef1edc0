"""Merging two contacts that are the same person keeps both histories."""

from __future__ import annotations

from dataclasses import replace

import pytest

from orgmap.domain.model import Department, Outcome, RelationType
from orgmap.store import (
    NotFoundError,
    StoreError,
    load_map,
    load_maps,
    merge_contacts,
    save_maps,
    transaction,
)
from tests.factories import (
    classic_contacts,
    make_contact,
    make_interaction,
    make_map,
    make_phone,
    make_relation,
    stored_versions,
)

SHARED = "+8613812345678"  # the boss's mobile, typed in again for the duplicate
EXTRA = "+8613711112222"


@pytest.fixture
def twice(engine):
    """The classic company where the boss was also entered as 'boss2'."""
    boss2 = make_contact(
        "boss2",
        name="王总(新)",
        department=Department.OWNER,
        phones=(make_phone(SHARED), make_phone(EXTRA)),
        email="wang2@acme.example",
    )
    base = make_map()
    boss_call = make_interaction("boss", minutes=30, outcome=Outcome.REACHED, note="同一通电话")
    m = make_map(
        contacts=(*classic_contacts(), boss2),
        relations=(
            *base.relations,
            make_relation("desk", "boss2", RelationType.REFERS_TO),  # duplicates desk -> boss
            make_relation("boss2", "boss", RelationType.COLLEAGUE),  # becomes a self-loop
            make_relation("sales", "boss2", RelationType.PASSES_BUCK_TO),  # moves
            make_relation("boss2", "finance", RelationType.INFLUENCES),  # moves
        ),
        interactions=(
            *base.interactions,
            boss_call,
            replace(boss_call, contact="boss2"),  # the same call logged under both
            make_interaction("boss2", minutes=200, outcome=Outcome.PROMISED, note="下周付"),
        ),
    )
    with transaction(engine) as session:
        save_maps(session, [m], by="li")
    return m


def test_merge_moves_history_and_archives_the_duplicate(engine, twice):
    with transaction(engine) as session:
        assert merge_contacts(session, "acme", keep="boss", drop="boss2", by="wang") == 2
        merged = load_map(session, "acme")
        current = load_map(session, "acme", include_archived=False)
        v = stored_versions(session, "acme")

    boss, boss2 = merged.contact("boss"), merged.contact("boss2")
    assert boss2.archived and not boss.archived
    assert [p.e164 for p in boss.phones] == [SHARED, "+862161234568", EXTRA]
    assert boss.email == "Wang@Acme.example"  # keep's own email wins
    assert v["contacts"]["boss"] == 2 and v["contacts"]["boss2"] == 2

    # Both histories: every call is still there, now all on the boss.
    assert len(merged.interactions) == len(twice.interactions)
    assert {i.contact for i in merged.interactions} == {"desk", "boss"}
    assert sorted(i.note for i in merged.interactions) == sorted(i.note for i in twice.interactions)

    live = {(r.source, r.target, r.type) for r in current.relations}
    assert ("sales", "boss", "passes_buck_to") in live
    assert ("boss", "finance", "influences") in live
    archived = {(r.source, r.target, r.type) for r in merged.relations if r.archived}
    assert archived == {("desk", "boss2", "refers_to"), ("boss2", "boss", "colleague")}


def test_exporting_and_reimporting_a_merged_map_changes_nothing(engine, twice):
    with transaction(engine) as session:
        merge_contacts(session, "acme", keep="boss", drop="boss2", by="wang")
        exported = load_maps(session)
    with transaction(engine) as session:
        report = save_maps(session, exported, by="li")
        assert load_maps(session) == exported
    assert not report.changed, report


def test_the_email_of_the_duplicate_fills_a_gap(engine):
    m = make_map(
        contacts=(
            make_contact("a", email=None, phones=()),
            make_contact("b", email="b@acme.example", phones=()),
        ),
        relations=(),
        interactions=(),
    )
    with transaction(engine) as session:
        save_maps(session, [m], by="li")
        merge_contacts(session, "acme", keep="a", drop="b", by="li")
        assert load_map(session, "acme").contact("a").email == "b@acme.example"


def test_merge_refuses_nonsense(engine, twice):
    with transaction(engine) as session:
        with pytest.raises(StoreError, match="into itself"):
            merge_contacts(session, "acme", keep="boss", drop="boss", by="li")
        with pytest.raises(NotFoundError, match="'ghost'"):
            merge_contacts(session, "acme", keep="boss", drop="ghost", by="li")
        merge_contacts(session, "acme", keep="boss", drop="boss2", by="li")
        with pytest.raises(StoreError, match="archived"):
            merge_contacts(session, "acme", keep="boss2", drop="desk", by="li")
