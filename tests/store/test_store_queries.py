"""Query shape: one-debtor loads and "same person" lookups use indexes, not team-wide scans."""

from __future__ import annotations

import tempfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
import sqlalchemy as sa

from orgmap.domain.model import Department
from orgmap.store import (
    KnownElsewhere,
    find_same_person,
    load_map,
    save_maps,
    snapshot,
    transaction,
    upsert_contact,
)
from tests.factories import (
    make_contact,
    make_interaction,
    make_map,
    make_phone,
    make_relation,
    stored_versions,
)


def capture(engine, work: Callable[[Any], Any]) -> tuple[Any, list[tuple[str, Any]]]:
    """Run ``work(connection)`` as the route service does; its result and the SQL it sent."""
    sent: list[tuple[str, Any]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            sent.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        with snapshot(engine) as connection:
            result = work(connection)
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    return result, sent


@dataclass
class DriverTrace:
    """What the driver sent: each statement, and how many times it waited for the server."""

    statements: list[str] = field(default_factory=list)
    round_trips: int = 0


@contextmanager
def driver_trace(connection: sa.Connection) -> Iterator[DriverTrace]:
    """Watch ``connection``'s driver, below SQLAlchemy, while the block runs.

    SQLite's trace callback gives each statement with its values filled in
    (every statement is its own "round trip").  On PostgreSQL libpq's protocol
    trace is read: statements are Execute and Query messages, and each
    ReadyForQuery from the server ends a round trip.
    """
    trace = DriverTrace()
    driver = connection.connection.driver_connection
    if connection.dialect.name == "sqlite":
        driver.set_trace_callback(trace.statements.append)
        try:
            yield trace
        finally:
            driver.set_trace_callback(None)
        trace.round_trips = len(trace.statements)
        return
    from psycopg import pq

    with tempfile.TemporaryFile("w+", encoding="utf-8") as log:
        driver.pgconn.trace(log.fileno())
        driver.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)
        try:
            yield trace
        finally:
            driver.pgconn.untrace()
        log.seek(0)
        messages = [line.split("\t") for line in log.read().splitlines()]
    trace.statements = [m[3] for m in messages if m[0] == "F" and m[2] in ("Execute", "Query")]
    trace.round_trips = sum(1 for m in messages if m[0] == "B" and m[2] == "ReadyForQuery")


def sqlite_plan(engine, statement: str, parameters: Any) -> list[str]:
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
    return [row[-1] for row in rows]


def big_map(key: str, size: int):
    contacts = tuple(
        make_contact(
            f"c{n}",
            phones=(make_phone(f"+86139{zlib.crc32(f'{key}/{n}'.encode()) % 10**8:08d}"),),
            email=f"C{n}@{key}.example",
        )
        for n in range(size)
    )
    relations = tuple(make_relation(f"c{n}", f"c{n + 1}") for n in range(size - 1))
    interactions = tuple(make_interaction(f"c{n}", minutes=n) for n in range(size))
    return make_map(key, contacts=contacts, relations=relations, interactions=interactions)


def test_one_debtor_loads_in_four_queries(engine):
    with transaction(engine) as session:
        save_maps(session, [big_map(f"d{n}", 8) for n in range(5)], by="li")
        save_maps(session, [make_map("small"), big_map("large", 60)], by="li")

    with snapshot(engine) as connection:
        with driver_trace(connection) as small_sent:
            small = load_map(connection, "small")
        with driver_trace(connection) as large_sent:
            large = load_map(connection, "large")
        with driver_trace(connection) as missing_sent:
            assert load_map(connection, "nobody") is None

    assert len(small.contacts) == 4 and len(large.contacts) == 60
    assert len(large.relations) == 59 and len(large.interactions) == 60
    for sent in (small_sent, large_sent, missing_sent):
        # (The snapshot's BEGIN goes out with the first read: not one of the four.)
        statements = [q for q in sent.statements if "BEGIN" not in q]
        expected = 1 if sent is missing_sent else 4  # no debtor: nothing more to ask
        assert len(statements) == expected, sent.statements


def test_a_snapshot_sees_one_moment_and_keeps_no_writer_waiting(engine):
    # The map and the versions its forms lock on must agree: a contact committed
    # between the snapshot's queries is in neither (issue 9: record_versions
    # raised KeyError when one landed between its two queries).
    with transaction(engine) as session:
        save_maps(session, [make_map("acme")], by="li")
    with snapshot(engine) as connection:
        before = load_map(connection, "acme")
        with transaction(engine) as session:  # a writer is not kept waiting meanwhile
            save_maps(session, [make_map("acme", contacts=(make_contact("late"),))], by="li")
        assert load_map(connection, "acme") == before
        assert "late" not in stored_versions(connection, "acme")["contacts"]
    with snapshot(engine) as connection:
        assert "late" in stored_versions(connection, "acme")["contacts"]


def test_one_debtor_loads_search_indexes_and_scan_no_table(sqlite_engine):
    with transaction(sqlite_engine) as session:
        save_maps(session, [big_map(f"d{n}", 10) for n in range(20)], by="li")
    with sqlite_engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")

    with snapshot(sqlite_engine) as connection, driver_trace(connection) as sent:
        assert load_map(connection, "d7", include_archived=False) is not None

    assert len(sent.statements) == 4
    for statement in sent.statements:
        plan = sqlite_plan(sqlite_engine, statement, ())
        assert plan, statement
        assert not [step for step in plan if step.startswith("SCAN")], (statement, plan)
        assert all("USING" in step for step in plan if step.startswith("SEARCH")), plan


def test_find_same_person_matches_numbers_and_emails_at_other_debtors(engine):
    boss_phone = "+8613812345678"
    with transaction(engine) as session:
        save_maps(
            session,
            [
                make_map("acme"),  # its boss has boss_phone and Wang@Acme.example
                make_map(
                    "sister",
                    contacts=(
                        make_contact(
                            "chairman",
                            name="王董",
                            department=Department.OWNER,
                            phones=(make_phone(boss_phone),),
                        ),
                        make_contact("cfo", email="WANG@acme.example", phones=()),
                        make_contact("old", phones=(make_phone(boss_phone),), archived=True),
                    ),
                    relations=(),
                    interactions=(),
                ),
                make_map(
                    "unrelated",
                    contacts=(make_contact("desk", phones=(make_phone("+8613900009999"),)),),
                    relations=(),
                    interactions=(),
                ),
            ],
            by="li",
        )

    found, sent = capture(
        engine,
        lambda s: find_same_person(
            s, debtor_key="acme", phones=[boss_phone, ""], emails=[" wang@ACME.example "]
        ),
    )

    assert found == [
        KnownElsewhere(
            "sister", "上海sister贸易有限公司", "cfo", "联系人 cfo", "wang@acme.example"
        ),
        KnownElsewhere("sister", "上海sister贸易有限公司", "chairman", "王董", boss_phone),
    ]
    assert len(sent) == 1  # both lookups in one round trip
    with snapshot(engine) as session:
        assert find_same_person(session, debtor_key="acme", phones=[], emails=[]) == []

    # Once archived, the chairman is no longer offered as the same person.
    chairman = make_contact(
        "chairman",
        name="王董",
        department=Department.OWNER,
        phones=(make_phone(boss_phone),),
        archived=True,
    )
    with transaction(engine) as session:
        upsert_contact(session, "sister", chairman, by="li")
        assert find_same_person(session, debtor_key="acme", phones=[boss_phone], emails=[]) == []


def test_find_same_person_uses_the_phone_and_email_indexes(sqlite_engine):
    with transaction(sqlite_engine) as session:
        save_maps(session, [big_map(f"d{n}", 10) for n in range(20)], by="li")
    with sqlite_engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")

    _, sent = capture(
        sqlite_engine,
        lambda s: find_same_person(
            s, debtor_key="d1", phones=["+8613812345678"], emails=["a@b.example"]
        ),
    )

    [plan] = [" | ".join(sqlite_plan(sqlite_engine, st, p)) for st, p in sent]
    assert "ix_phone_e164" in plan
    assert "ix_contact_email_lower" in plan


@pytest.mark.postgres
def test_find_same_person_can_use_the_indexes_on_postgresql(pg_engine):
    # The array form (= ANY) must keep the index paths open.  With sequential
    # scans priced out, a plan that still scans had no index it could use.
    engine = pg_engine
    with transaction(engine) as session:
        save_maps(session, [big_map(f"d{n}", 10) for n in range(5)], by="li")
    _, sent = capture(
        engine,
        lambda s: find_same_person(
            s, debtor_key="d1", phones=["+8613812345678"], emails=["a@b.example"]
        ),
    )
    [(statement, parameters)] = sent
    with engine.connect() as connection:
        connection.exec_driver_sql("SET enable_seqscan = off")
        plan = "\n".join(
            row[0] for row in connection.exec_driver_sql(f"EXPLAIN {statement}", parameters)
        )
    assert "ANY" in plan
    assert "Seq Scan" not in plan, plan


@pytest.mark.postgres
def test_the_prepared_repeated_reads_search_indexes(pg_engine):
    # psycopg prepares a statement from its sixth run on a connection.  The plan
    # each one-debtor read then runs must be able to use the indexes: with
    # sequential scans priced out, a plan that scans had no index to use.
    from psycopg.sql import Literal
    from sqlalchemy.dialects.postgresql import psycopg as pg

    from orgmap.store.loading import _one_debtor_queries
    from orgmap.store.same_person import _same_person_query

    with transaction(pg_engine) as session:
        save_maps(session, [big_map(f"d{n}", 10) for n in range(5)], by="li")
    values = {"key": "d1", "debtor_key": "d1", "numbers": ["+8613812345678"]}
    values["addresses"] = ["a@b.example"]
    lookup = _same_person_query(by_phone=True, by_email=True, arrays=True)
    statements = [*_one_debtor_queries(False), *_one_debtor_queries(True), lookup]
    numbered = pg.dialect(paramstyle="numeric_dollar")
    with pg_engine.connect() as connection:
        connection.exec_driver_sql("SET enable_seqscan = off")
        for n, statement in enumerate(statements):
            compiled = statement.compile(dialect=numbered)
            connection.exec_driver_sql(f"PREPARE read_{n} AS {compiled.string}")
            driver = connection.connection.driver_connection
            literals = [Literal(values[k]).as_string(driver) for k in compiled.positiontup or []]
            explain = f"EXPLAIN EXECUTE read_{n}({', '.join(literals)})"
            plan = "\n".join(row[0] for row in connection.exec_driver_sql(explain))
            assert "Seq Scan" not in plan, plan
