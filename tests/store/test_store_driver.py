"""The driver-level read path: SQLAlchemy's errors, conversions and disconnect handling kept."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from orgmap.store import load_map, make_engine, read_scope, save_maps, session_scope
from orgmap.store.driver import driver_query, fetch_together
from orgmap.store.tables import UtcDateTime, debtor_table, interaction_table
from tests.factories import make_map


def test_rows_come_back_converted_as_sqlalchemy_converts_them(engine):
    with session_scope(engine) as session:
        save_maps(session, [make_map("acme")], by="li")
    i = interaction_table.c
    statement = sa.select(i.at, i.promise_amount, i.promise_date, i.channel).order_by(i.id)
    with read_scope(engine) as connection:
        expected = [tuple(row) for row in connection.execute(statement)]
        [got] = fetch_together(connection, [statement], {})
    assert list(got) == expected
    assert all(at.tzinfo is UTC for at, *_ in got)


def test_a_failing_statement_raises_sqlalchemys_error_and_the_connection_lives_on(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")  # no tables yet
    with read_scope(engine) as connection:
        with pytest.raises(sa.exc.OperationalError, match="no such table"):
            load_map(connection, "acme")
        assert connection.exec_driver_sql("SELECT 1").scalar() == 1


@pytest.mark.postgres
def test_postgresql_errors_inside_the_pipeline_leave_the_connection_usable(pg_engine):
    broken = sa.select(sa.literal_column("no_such_column")).select_from(debtor_table)
    with read_scope(pg_engine) as connection:
        with pytest.raises(sa.exc.ProgrammingError, match="no_such_column"):
            fetch_together(connection, [sa.select(debtor_table.c.id), broken], {})
        assert load_map(connection, "acme") is None


@pytest.mark.postgres
def test_a_dropped_postgresql_connection_is_replaced_not_reused(pg_engine):
    with session_scope(pg_engine) as session:
        save_maps(session, [make_map("acme")], by="li")
    with read_scope(pg_engine) as connection:
        pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        with pg_engine.connect() as killer:
            killer.exec_driver_sql(f"SELECT pg_terminate_backend({pid})")
        with pytest.raises(sa.exc.OperationalError) as raised:
            load_map(connection, "acme")
        assert raised.value.connection_invalidated
    # The pool hands out a fresh connection next time.
    with read_scope(pg_engine) as connection:
        assert load_map(connection, "acme") is not None


def test_parameters_that_need_converting_are_refused(engine):
    at = sa.bindparam("at", type_=UtcDateTime())
    statement = sa.select(interaction_table.c.id).where(interaction_table.c.at > at)
    with pytest.raises(TypeError, match="'at' needs converting"):
        driver_query(statement, engine.dialect)
    # Through SQLAlchemy it is fine: the value is converted to what the column stores.
    with read_scope(engine) as connection:
        assert connection.execute(statement, {"at": datetime.now(UTC)}).all() == []
