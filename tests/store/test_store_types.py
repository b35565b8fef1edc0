"""Money stays exact and times stay aware UTC, on both databases."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
import sqlalchemy as sa

from orgmap.domain.model import DebtorFacts, Outcome
from orgmap.store import load_map, save_maps, snapshot, transaction
from orgmap.store.tables import debtor_table, interaction_table
from tests.factories import make_interaction, make_map

AMOUNTS = [
    Decimal("9999999999999999.99"),  # the largest NUMERIC(18, 2); a float rounds it up
    Decimal("1234567890123.45"),
    Decimal("0.01"),
    Decimal("0"),
    Decimal("100"),
]


@pytest.mark.parametrize("amount", AMOUNTS)
def test_money_comes_back_as_the_exact_decimal(engine, amount):
    m = make_map(
        amount_owed=amount,
        interactions=(
            make_interaction(
                "desk",
                outcome=Outcome.PROMISED,
                promise_amount=amount,
                promise_date=date(2026, 12, 1),
            ),
        ),
    )
    with transaction(engine) as session:
        save_maps(session, [m], by="li")
    with snapshot(engine) as session:
        got = load_map(session, "acme")
    for value in (got.debtor.amount_owed, got.interactions[0].promise_amount):
        assert type(value) is Decimal
        assert value == amount
        assert str(value) == f"{amount:.2f}"  # two places, no float residue


def test_money_with_more_than_two_decimals_is_refused_not_rounded(engine):
    with (
        pytest.raises(sa.exc.StatementError, match="more than 2 decimal places"),
        transaction(engine) as session,
    ):
        save_maps(session, [make_map(amount_owed=Decimal("10.005"))], by="li")


def test_a_negative_amount_is_refused_by_the_database(engine):
    with pytest.raises(sa.exc.IntegrityError), transaction(engine) as session:
        save_maps(session, [make_map(amount_owed=Decimal("-1.00"))], by="li")


def test_times_come_back_as_the_same_instant_in_utc(engine):
    shanghai = datetime(2026, 11, 20, 10, 0, 0, 123456, tzinfo=timezone(timedelta(hours=8)))
    m = make_map(interactions=(make_interaction("desk", at=shanghai),))
    with transaction(engine) as session:
        save_maps(session, [m], by="li")
    with snapshot(engine) as session:
        (got,) = load_map(session, "acme").interactions
        stamps = session.execute(
            sa.select(debtor_table.c.created_at, debtor_table.c.updated_at)
        ).one()
    assert got.at == shanghai
    assert got.at.tzinfo is UTC
    assert got.at == datetime(2026, 11, 20, 2, 0, 0, 123456, tzinfo=UTC)
    for stamp in stamps:
        assert stamp.tzinfo is UTC
        assert abs(datetime.now(UTC) - stamp) < timedelta(minutes=1)


def test_interactions_load_in_instant_order_not_local_clock_order(engine):
    shanghai_9am = make_interaction(
        "desk", at=datetime(2026, 11, 20, 9, 0, tzinfo=timezone(timedelta(hours=8)))
    )  # 01:00Z
    new_york_5am = make_interaction(
        "boss", at=datetime(2026, 11, 20, 5, 0, tzinfo=timezone(timedelta(hours=-5)))
    )  # 10:00Z, though "05:00" reads earlier than "09:00"
    m = make_map(interactions=(new_york_5am, shanghai_9am))
    with transaction(engine) as session:
        save_maps(session, [m], by="li")
    with snapshot(engine) as session:
        got = load_map(session, "acme").interactions
    assert [i.contact for i in got] == ["desk", "boss"]


def test_a_naive_time_is_refused(engine):
    naive = make_interaction("desk", at=datetime(2026, 11, 20, 10, 0))
    with pytest.raises(ValueError, match="no time zone"), transaction(engine) as session:
        save_maps(session, [make_map(interactions=(naive,))], by="li")


def test_debtor_facts_round_trip(engine):
    facts = DebtorFacts(
        reason_unpaid="老板出差，没签字",
        who_pays="财务陈姐",
        money_in_account=None,
        salaries_on_time=False,
        leaders_aware=True,
        top_leader="王总",
        top_leader_mobile="+8613812345678",
        top_leader_email="wang@acme.example",
        address_verified=True,
        registration_verified=False,
    )
    m = make_map(facts=facts)
    with transaction(engine) as session:
        save_maps(session, [m], by="li")
    with snapshot(engine) as session:
        assert load_map(session, "acme").debtor.facts == facts
    changed = replace(m, debtor=replace(m.debtor, facts=replace(facts, money_in_account=True)))
    with transaction(engine) as session:
        report = save_maps(session, [changed], by="li")
    assert (report.debtors.updated, report.debtors.unchanged) == (1, 0)


def test_interaction_table_keeps_the_fingerprint_unique_per_debtor(engine):
    m = make_map()
    with transaction(engine) as session:
        save_maps(session, [m], by="li")
    with snapshot(engine) as session:
        prints = session.execute(sa.select(interaction_table.c.fingerprint)).scalars().all()
    assert len(prints) == len(set(prints)) == len(m.interactions)
    assert all(len(p) == 64 for p in prints)
