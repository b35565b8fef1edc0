"""Single-record edits: optimistic locking, not-found errors, and the database's own rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from orgmap.domain.model import DebtorStatus, Disposition, RelationType
from orgmap.store import (
    AlreadyExistsError,
    NotFoundError,
    StaleVersionError,
    StoreError,
    append_interaction,
    archive_contact,
    archive_relation,
    create_debtor,
    load_map,
    save_maps,
    snapshot,
    transaction,
    update_debtor,
    upsert_contact,
    upsert_relation,
)
from orgmap.store.tables import contact_table, relation_table
from tests.factories import (
    make_contact,
    make_debtor,
    make_interaction,
    make_map,
    make_relation,
    stored_versions,
)


@pytest.fixture
def acme(engine):
    m = make_map()
    with transaction(engine) as session:
        save_maps(session, [m], by="li")
    return m


def versions(engine, key="acme"):
    with snapshot(engine) as session:
        return stored_versions(session, key)


def test_versions_cover_the_debtor_contacts_and_relations(engine, acme):
    v = versions(engine)
    assert v["debtor"] == 1
    assert v["contacts"] == {"desk": 1, "sales": 1, "finance": 1, "boss": 1}
    assert v["relations"][("desk", "boss", "refers_to")] == 1
    assert len(v["relations"]) == 4


def test_a_contact_edit_with_the_current_version_wins_and_a_stale_one_loses(engine, acme):
    desk = acme.contact("desk")
    with transaction(engine) as session:
        assert (
            upsert_contact(
                session, "acme", replace(desk, notes="知道老板手机"), by="wang", expected_version=1
            )
            == 2
        )

    with (
        pytest.raises(StaleVersionError, match="someone else changed contact 'desk'") as caught,
        transaction(engine) as session,
    ):
        upsert_contact(
            session,
            "acme",
            replace(desk, disposition=Disposition.FOX),
            by="zhao",
            expected_version=1,
        )
    assert "reload" in str(caught.value)
    assert (caught.value.expected, caught.value.actual) == (1, 2)
    with snapshot(engine) as session:
        stored = load_map(session, "acme").contact("desk")
    assert (stored.notes, stored.disposition) == ("知道老板手机", Disposition.SHEEP)
    assert versions(engine)["contacts"]["desk"] == 2


def test_an_unchanged_contact_keeps_its_version(engine, acme):
    with transaction(engine) as session:
        assert (
            upsert_contact(session, "acme", acme.contact("boss"), by="x", expected_version=1) == 1
        )
        assert upsert_contact(session, "acme", acme.contact("boss"), by="x") == 1


def test_a_new_contact_starts_at_version_one(engine, acme):
    with transaction(engine) as session:
        assert upsert_contact(session, "acme", make_contact("legal"), by="li") == 1
        with pytest.raises(NotFoundError, match="no contact with key 'ghost'"):
            upsert_contact(session, "acme", make_contact("ghost"), by="li", expected_version=3)


def test_debtor_edits_are_locked_by_version(engine, acme):
    paid = replace(acme.debtor, status=DebtorStatus.PAYING, amount_owed=Decimal("78000.50"))
    with transaction(engine) as session:
        assert update_debtor(session, paid, by="li", expected_version=1) == 2
        assert update_debtor(session, paid, by="li", expected_version=2) == 2  # no change
    with pytest.raises(StaleVersionError, match="debtor 'acme'"), transaction(engine) as session:
        update_debtor(session, acme.debtor, by="zhao", expected_version=1)
    with transaction(engine) as session:
        assert update_debtor(session, acme.debtor, by="zhao", expected_version=None) == 3
        assert load_map(session, "acme").debtor == acme.debtor


def test_creating_a_debtor_refuses_a_taken_key(engine, acme):
    with transaction(engine) as session:
        assert create_debtor(session, make_debtor("new"), by="li") == 1
        with pytest.raises(AlreadyExistsError, match="'acme' already exists"):
            create_debtor(session, make_debtor("acme"), by="li")


def test_relations_are_upserted_archived_and_locked(engine, acme):
    rel = make_relation("desk", "finance", RelationType.GATEKEEPS)
    with transaction(engine) as session:
        assert upsert_relation(session, "acme", rel, by="li") == 1
        assert upsert_relation(session, "acme", replace(rel, note="挡电话"), by="li") == 2
    with pytest.raises(StaleVersionError), transaction(engine) as session:
        archive_relation(
            session,
            "acme",
            source="desk",
            target="finance",
            type="gatekeeps",
            by="li",
            expected_version=1,
        )
    with transaction(engine) as session:
        assert (
            archive_relation(
                session,
                "acme",
                source="desk",
                target="finance",
                type=RelationType.GATEKEEPS,
                by="li",
                expected_version=2,
            )
            == 3
        )
        stored = [r for r in load_map(session, "acme").relations if r.type == "gatekeeps"]
    assert stored == [replace(rel, note="挡电话", archived=True)]


def test_archiving_a_contact_keeps_it_and_its_history(engine, acme):
    with transaction(engine) as session:
        assert archive_contact(session, "acme", "desk", by="li", expected_version=1) == 2
        assert archive_contact(session, "acme", "desk", by="li") == 2  # already archived
        m = load_map(session, "acme")
        current = load_map(session, "acme", include_archived=False)
    assert m.contact("desk").archived
    assert len(m.interactions) == len(acme.interactions)
    assert current.contact("desk") is None and current.interactions == ()


def test_missing_records_raise_not_found(engine, acme):
    with transaction(engine) as session:
        for call in (
            lambda: stored_versions(session, "nobody"),
            lambda: update_debtor(session, make_debtor("nobody"), by="li", expected_version=None),
            lambda: upsert_contact(session, "nobody", make_contact(), by="li"),
            lambda: archive_contact(session, "acme", "ghost", by="li"),
            lambda: upsert_relation(session, "acme", make_relation("desk", "ghost"), by="li"),
            lambda: archive_relation(
                session, "acme", source="desk", target="sales", type="colleague", by="li"
            ),
            lambda: append_interaction(session, "acme", make_interaction("ghost"), by="li"),
        ):
            with pytest.raises(NotFoundError) as caught:
                call()
            assert isinstance(caught.value, StoreError)


def test_an_interaction_is_appended_once(engine, acme):
    call = make_interaction("boss", at=datetime(2026, 11, 28, 3, 0, tzinfo=UTC), note="答应周五付")
    with transaction(engine) as session:
        assert append_interaction(session, "acme", call, by="li") is True
        assert append_interaction(session, "acme", call, by="li") is False
        assert append_interaction(session, "acme", replace(call, note="答应周六付"), by="li")
        assert len(load_map(session, "acme").interactions) == len(acme.interactions) + 2


def test_the_repository_refuses_a_self_loop(engine, acme):
    with (
        pytest.raises(StoreError, match="cannot relate to itself"),
        transaction(engine) as session,
    ):
        upsert_relation(session, "acme", make_relation("boss", "boss"), by="li")


def _insert_relation(engine, **values):
    ids = {}
    with engine.connect() as connection:
        for row in connection.execute(sa.select(contact_table)):
            ids[(row.debtor_id, row.key)] = (row.debtor_id, row.id)
    debtor_id, desk = ids[(1, "desk")]
    row = {
        "debtor_id": debtor_id,
        "source_id": desk,
        "target_id": desk,
        "type": "colleague",
        "note": "",
        "archived": False,
        "created_at": datetime.now(UTC),
        "updated_at": datetime.now(UTC),
        "created_by": "",
        "updated_by": "",
        "version": 1,
    }
    row.update({k: v(ids) if callable(v) else v for k, v in values.items()})
    with engine.begin() as connection:
        connection.execute(sa.insert(relation_table), row)


def test_the_database_itself_refuses_bad_relations(engine, acme):
    with transaction(engine) as session:
        save_maps(session, [make_map("other")], by="li")
    # A self-loop: the CHECK constraint.
    with pytest.raises(sa.exc.IntegrityError):
        _insert_relation(engine)
    # A contact that does not exist: the foreign key.
    with pytest.raises(sa.exc.IntegrityError):
        _insert_relation(engine, target_id=999_999)
    # Another debtor's contact: the composite foreign key (debtor_id, contact).
    with pytest.raises(sa.exc.IntegrityError):
        _insert_relation(engine, target_id=lambda ids: ids[(2, "boss")][1])
    # The same edge twice: the unique constraint.
    _insert_relation(engine, target_id=lambda ids: ids[(1, "boss")][1])
    with pytest.raises(sa.exc.IntegrityError):
        _insert_relation(engine, target_id=lambda ids: ids[(1, "boss")][1])


def test_a_contact_with_history_cannot_be_hard_deleted(engine, acme):
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
        connection.execute(sa.delete(contact_table).where(contact_table.c.key == "desk"))
