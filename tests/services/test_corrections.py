"""Correcting and voiding logged calls, on SQLite and PostgreSQL: all or nothing, the
original kept, a colleague's earlier correction respected, files still lossless."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from orgmap import store
from orgmap.domain.access import Actor, Role
from orgmap.domain.calls import call_fingerprint, corrected, current_calls
from orgmap.domain.model import Outcome
from orgmap.interchange import dumps_document, parse_document
from orgmap.services.corrections import CallChange, correct_call, list_calls, void_call
from orgmap.services.database import open_database
from orgmap.services.errors import NotFoundError, StoreError, ValidationError
from orgmap.store.tables import interaction_table
from tests.factories import make_interaction
from tests.ui.apptest_helpers import SeededDb, canonical_map, seed

ADMIN = Actor("admin", Role.ADMIN)

FIRST = make_interaction("desk", note="没人接")
SECOND = make_interaction("boss", minutes=5, outcome=Outcome.REFUSED, note="不付")
KEY = "globex"


@pytest.fixture
def calls(db: SeededDb) -> SeededDb:
    """Debtor ``globex`` (the classic people) with two calls: nobody at the front desk,
    then the boss refusing."""
    seed(db.engine, replace(canonical_map(KEY), interactions=(FIRST, SECOND)))
    return db


def _rows(db: SeededDb) -> int:
    with db.engine.connect() as connection:
        count = sa.select(sa.func.count()).select_from(interaction_table)
        return connection.execute(count).scalar_one()


def _correct(db: SeededDb, original=FIRST, *, by: str = "wang", **change):
    return correct_call(
        db.engine,
        debtor_key=KEY,
        original=call_fingerprint(original) if not isinstance(original, str) else original,
        change=CallChange(**change),
        actor=Actor(by, Role.ADMIN),
        region="CN",
    )


def _codes(error: pytest.ExceptionInfo[ValidationError]) -> list[tuple[str, str | None]]:
    return [(p.path, p.code) for p in error.value.problems]


def test_a_correction_supersedes_the_call_and_keeps_the_original(calls: SeededDb):
    done = _correct(calls, outcome=Outcome.REACHED, note="小张接了，说老板在开会")
    assert not done.duplicate
    assert done.interaction.corrects == call_fingerprint(FIRST)
    stored = calls.map(KEY).interactions
    assert FIRST in stored and done.interaction in stored  # the map loads every record
    assert [c.note for c in current_calls(stored)] == ["小张接了，说老板在开会", "不付"]

    listing = list_calls(calls.engine, KEY, actor=ADMIN)
    assert listing.total == 2
    assert [e.call.note for e in listing.calls] == ["不付", "小张接了，说老板在开会"]
    fixed = listing.calls[1]
    assert fixed.corrected and [h.interaction for h in fixed.history] == [FIRST, done.interaction]
    assert [h.contact_name for h in fixed.history] == ["小张", "小张"]


def test_submitting_the_same_correction_twice_stores_it_once(calls: SeededDb):
    _correct(calls, note="回电")
    before = _rows(calls)
    again = _correct(calls, note="回电")
    assert again.duplicate and _rows(calls) == before


def test_a_call_a_colleague_corrected_first_is_refused_and_nothing_is_written(calls: SeededDb):
    _correct(calls, by="wang", note="王改的")
    before = _rows(calls)
    with pytest.raises(ValidationError) as error:
        _correct(calls, by="zhao", note="赵改的")
    assert _codes(error) == [("original", "correction.superseded")]
    assert "already corrected by wang" in str(error.value)
    assert "已被 wang 更正" in error.value.problems[0].text("zh-CN")
    assert _rows(calls) == before


def test_the_insert_itself_refuses_a_call_superseded_after_it_was_read(calls: SeededDb):
    """The race: read the call, a colleague corrects it, then our insert runs."""
    with store.snapshot(calls.engine) as connection:
        read = store.find_call(connection, KEY, call_fingerprint(FIRST))
    assert read.successor is None
    _correct(calls, by="wang", note="王先改了")
    before = _rows(calls)
    mine = corrected(FIRST, by="zhao", note="赵后改的")
    with (
        pytest.raises(store.SupersededError, match="already corrected by wang"),
        store.transaction(calls.engine) as connection,
    ):
        store.append_correction(
            connection,
            mine,
            debtor_key=KEY,
            original=read,
            contact_id=read.contact_id,
            by="zhao",
            now=datetime.now(UTC),
        )
    assert _rows(calls) == before


def test_a_correction_can_be_corrected_and_the_history_shows_the_chain(calls: SeededDb):
    one = _correct(calls, note="第一次更正")
    two = _correct(calls, one.interaction, by="li", note="第二次更正")
    [latest] = [
        e for e in list_calls(calls.engine, KEY, actor=ADMIN).calls if e.call.contact == "desk"
    ]
    assert latest.call == two.interaction
    assert [h.interaction.note for h in latest.history] == ["没人接", "第一次更正", "第二次更正"]
    with pytest.raises(ValidationError) as error:  # the middle one is superseded now
        _correct(calls, one.interaction, note="从中间改")
    assert _codes(error) == [("original", "correction.superseded")]


def test_the_person_can_be_corrected_to_another_contact(calls: SeededDb):
    done = _correct(calls, contact="finance")
    assert done.interaction.contact == "finance"
    assert done.interaction.phone == "+8613900001111"  # the only number of the person now named
    before = _rows(calls)
    with pytest.raises(ValidationError) as error:
        _correct(calls, done.interaction, contact="nobody")
    assert _codes(error) == [("contact", "contact.not_at_debtor")]
    assert _rows(calls) == before


def test_the_time_is_checked_as_a_logged_calls_time(calls: SeededDb):
    earlier = FIRST.at - timedelta(hours=2)
    done = _correct(calls, at=earlier.astimezone(UTC))
    assert done.interaction.at == earlier
    before = _rows(calls)
    future = datetime.now(UTC) + timedelta(days=3)
    for at, code in (
        (future, "time.in_future"),
        (datetime(2026, 11, 20, 9, 0), "time.needs_timezone"),
    ):
        with pytest.raises(ValidationError) as error:
            _correct(calls, SECOND, at=at)
        assert _codes(error) == [("at", code)]
    assert _rows(calls) == before


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({}, [("", "correction.no_change")]),
        ({"note": "没人接"}, [("", "correction.no_change")]),
        ({"outcome": Outcome.PROMISED}, [("promise", "promise.needs_amount_and_date")]),
        ({"outcome": Outcome.REFERRED}, [("outcome", "referral.needs_person")]),
        ({"note": "x" * 5001}, [("note", "text.too_long")]),
        (
            {"outcome": Outcome.PROMISED, "promise_amount": Decimal("-5"), "promise_date": None},
            [("promise", "promise.needs_amount_and_date")],
        ),
    ],
)
def test_bad_corrections_are_refused_with_the_field_and_write_nothing(
    calls: SeededDb, change, expected
):
    before = _rows(calls)
    with pytest.raises(ValidationError) as error:
        _correct(calls, **change)
    assert _codes(error) == expected
    assert _rows(calls) == before


def test_a_promise_follows_the_outcome(calls: SeededDb):
    promised = _correct(
        calls,
        SECOND,
        outcome=Outcome.PROMISED,
        promise_amount=Decimal("5000"),
        promise_date=SECOND.at.date() + timedelta(days=3),
    )
    assert promised.interaction.promise_amount == Decimal("5000")
    dropped = _correct(calls, promised.interaction, outcome=Outcome.REFUSED)
    assert dropped.interaction.promise_amount is None and dropped.interaction.promise_date is None


def test_a_voided_call_leaves_the_list_but_not_the_history(calls: SeededDb):
    gone = void_call(
        calls.engine,
        debtor_key=KEY,
        original=call_fingerprint(SECOND),
        actor=Actor("li", Role.ADMIN),
        reason="记错了公司",
    )
    assert gone.interaction.void and gone.interaction.note == "记错了公司"
    listing = list_calls(calls.engine, KEY, actor=ADMIN)
    assert listing.total == 1 and [e.call for e in listing.calls] == [FIRST]
    assert SECOND in calls.map(KEY).interactions
    with pytest.raises(ValidationError) as error:
        _correct(calls, SECOND, note="晚了")
    assert _codes(error) == [("original", "correction.superseded")]
    with pytest.raises(ValidationError) as error:
        _correct(calls, gone.interaction, note="作废记录不能改")
    assert _codes(error) == [("original", "correction.of_void")]
    again = void_call(
        calls.engine,
        debtor_key=KEY,
        original=call_fingerprint(SECOND),
        actor=Actor("li", Role.ADMIN),
        reason="记错了公司",
    )
    assert again.duplicate


def test_unknown_debtors_and_calls_are_not_found(calls: SeededDb):
    with pytest.raises(NotFoundError):
        _correct(calls, "0" * 64, note="x")
    with pytest.raises(NotFoundError):
        correct_call(
            calls.engine,
            debtor_key="nobody",
            original=call_fingerprint(FIRST),
            change=CallChange(note="x"),
            actor=Actor("li", Role.ADMIN),
            region="CN",
        )
    with pytest.raises(NotFoundError):
        list_calls(calls.engine, "nobody", actor=ADMIN)


def test_the_list_pages_newest_first_and_counts_only_calls_as_they_stand(db: SeededDb):
    many = tuple(make_interaction("desk", minutes=i, note=f"第{i}次") for i in range(25))
    seed(db.engine, replace(canonical_map(KEY), interactions=many))
    _correct(db, many[24], note="最新一次，已更正")
    void_call(
        db.engine, debtor_key=KEY, original=call_fingerprint(many[0]), actor=Actor("li", Role.ADMIN)
    )
    first = list_calls(db.engine, KEY, actor=ADMIN, page=0, per_page=10)
    assert (first.total, first.pages, first.page) == (24, 3, 0)
    assert [e.call.note for e in first.calls][:2] == ["最新一次，已更正", "第23次"]
    last = list_calls(db.engine, KEY, actor=ADMIN, page=99, per_page=10)
    assert last.page == 2 and [e.call.note for e in last.calls] == [
        f"第{i}次" for i in (4, 3, 2, 1)
    ]
    assert {c.key for c in first.contacts} == {"desk", "sales", "finance", "boss"}


def test_export_and_import_stay_lossless_and_idempotent(calls: SeededDb, tmp_path):
    one = _correct(calls, outcome=Outcome.REACHED, at=FIRST.at - timedelta(hours=1))
    _correct(calls, one.interaction, by="li", note="再改")
    void_call(
        calls.engine,
        debtor_key=KEY,
        original=call_fingerprint(SECOND),
        actor=Actor("li", Role.ADMIN),
    )
    with store.snapshot(calls.engine) as connection:
        text = dumps_document(store.load_maps(connection))
    maps = list(parse_document(text.encode(), region="CN").maps)
    with store.transaction(calls.engine) as connection:  # into the same database: nothing new
        assert not store.save_maps(connection, maps, by="x").changed
    fresh = open_database(f"sqlite:///{tmp_path / 'fresh.db'}")
    for _ in range(2):  # into an empty one, twice: the same document, stored once
        with store.transaction(fresh) as connection:
            store.save_maps(connection, maps, by="x")
    with store.snapshot(fresh) as connection:
        assert dumps_document(store.load_maps(connection)) == text
    assert [e.call.note for e in list_calls(fresh, KEY, actor=ADMIN).calls] == ["再改"]


def test_an_import_cannot_correct_a_call_already_corrected_otherwise(calls: SeededDb):
    _correct(calls, note="库里的更正")
    theirs = corrected(FIRST, by="zhao", note="文件里的另一个更正")
    document = replace(calls.map(KEY), interactions=(FIRST, SECOND, theirs))
    before = _rows(calls)
    with (
        pytest.raises(StoreError, match="already corrected by another record"),
        store.transaction(calls.engine) as connection,
    ):
        store.save_maps(connection, [document], by="x")
    assert _rows(calls) == before


def test_merging_the_person_keeps_the_correction_linked(calls: SeededDb):
    _correct(calls, note="改过的")
    with store.transaction(calls.engine) as connection:
        store.merge_contacts(connection, KEY, keep="finance", drop="desk", by="li")
    listing = list_calls(calls.engine, KEY, actor=ADMIN)
    assert listing.total == 2
    [moved] = [e for e in listing.calls if e.corrected]
    assert moved.call.note == "改过的" and [h.interaction.contact for h in moved.history] == [
        "finance",
        "finance",
    ]
    with store.snapshot(calls.engine) as connection:
        text = dumps_document(store.load_maps(connection))
    with store.transaction(calls.engine) as connection:  # the merged map re-imports as a no-op
        maps = parse_document(text.encode(), region="CN").maps
        assert not store.save_maps(connection, list(maps), by="x").changed


def test_a_voided_or_corrected_call_is_not_the_last_contact(calls: SeededDb):
    """The debtor list and the team search date a debtor by its current calls only."""
    from orgmap.services.debtor_list import list_page
    from orgmap.services.search import search_team

    def last_contact() -> datetime | None:
        [row] = [r for r in list_page(calls.engine, query=KEY, actor=ADMIN).rows if r.key == KEY]
        return row.last_contact_at

    def boss_last_call() -> datetime | None:
        [hit] = [
            h
            for h in search_team(calls.engine, "王总", region="CN", actor=ADMIN)
            if h.debtor_key == KEY
        ]
        return hit.last_call

    assert last_contact() == SECOND.at and boss_last_call() == SECOND.at
    void_call(
        calls.engine,
        debtor_key=KEY,
        original=call_fingerprint(SECOND),
        actor=Actor("wang", Role.ADMIN),
    )
    assert last_contact() == FIRST.at and boss_last_call() is None
    earlier = FIRST.at - timedelta(days=1)
    _correct(calls, at=earlier)
    assert last_contact() == earlier
