"""Engines and migrations: the schema Alembic builds, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from orgmap.store import (
    StoreError,
    current_revision,
    ensure_schema,
    head_revision,
    list_debtors,
    make_engine,
    save_maps,
    snapshot,
    transaction,
    upgrade,
)
from orgmap.store import engine as engine_module
from orgmap.store.engine import HEAD_REVISION
from orgmap.store.tables import metadata
from tests.factories import make_map

TABLES = {"debtor", "contact", "phone", "relation", "interaction"}


def test_migrations_create_every_table_and_index(engine):
    inspector = sa.inspect(engine)
    assert set(inspector.get_table_names()) >= TABLES
    assert current_revision(engine) == head_revision()
    assert {
        "ix_phone_e164",
        "ix_contact_email_lower",
        "ix_interaction_debtor_id_at",
    } <= _index_names(engine)
    fks = inspector.get_foreign_keys("relation")
    assert {fk["options"].get("ondelete", "").upper() for fk in fks} == {"RESTRICT"}


def _index_names(engine) -> set[str]:
    # The inspector skips expression indexes on SQLite; ask the catalogs.
    query = (
        "SELECT name FROM sqlite_master WHERE type = 'index'"
        if engine.dialect.name == "sqlite"
        else "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
    )
    with engine.connect() as connection:
        return set(connection.exec_driver_sql(query).scalars())


def test_upgrading_twice_changes_nothing(engine):
    with transaction(engine) as session:
        save_maps(session, [make_map()], by="li")
    before = sorted(sa.inspect(engine).get_table_names())

    upgrade(engine)

    assert ensure_schema(engine) is False
    assert sorted(sa.inspect(engine).get_table_names()) == before
    with transaction(engine) as session:
        assert [d.key for d in list_debtors(session)] == ["acme"]


def test_ensure_schema_migrates_an_empty_database_once(database_url):
    engine = make_engine(database_url)
    try:
        assert current_revision(engine) is None
        assert ensure_schema(engine) is True
        assert current_revision(engine) == head_revision()
        assert ensure_schema(engine) is False
    finally:
        engine.dispose()


def test_tables_and_migrations_agree(engine):
    with engine.connect() as connection, warnings.catch_warnings():
        # SQLite can't reflect expression indexes; Alembic warns and skips them.
        warnings.simplefilter("ignore")
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []


def test_a_database_from_a_newer_orgmap_is_left_alone(engine):
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(StoreError, match="does not know"):
        ensure_schema(engine)


def test_migrations_run_from_any_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    engine = make_engine("sqlite:///nested/dir/orgmap.db")
    try:
        upgrade(engine)
        assert (tmp_path / "nested" / "dir" / "orgmap.db").exists()
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_sqlite_connections_are_set_up_for_a_shared_file(sqlite_engine):
    with sqlite_engine.connect() as connection:
        pragma = lambda name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("foreign_keys") == 1
        assert pragma("busy_timeout") == 10_000


@pytest.mark.parametrize("url", ["postgresql://u@db.example/orgmap", "postgres://u@h/orgmap"])
def test_plain_postgresql_urls_use_psycopg(url):
    engine = make_engine(url)  # creates no connection
    assert engine.url.drivername == "postgresql+psycopg"


@pytest.mark.postgres
@pytest.mark.parametrize("idle", ["a moment", "long"])
def test_a_pooled_connection_killed_while_idle_is_replaced_unseen(pg_engine, monkeypatch, idle):
    """A connection the server ended while it sat in the pool is replaced before it is
    handed out: found without a round trip when used a moment ago, by a ping when idle
    longer.  The caller never sees the server having dropped it."""
    pings = _count_pings(monkeypatch)
    monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_S", 3600.0 if idle == "a moment" else 0.0)
    pid = _kill_pooled_connection(pg_engine)
    pings.clear()
    time.sleep(0.2)  # the server's last message reaches the socket
    with pg_engine.connect() as connection:  # the same pooled connection, now dead
        again = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
    assert again != pid
    assert pings == ([] if idle == "a moment" else [1])


@pytest.mark.postgres
def test_a_connection_used_a_moment_ago_costs_no_round_trip(pg_engine, monkeypatch):
    pings = _count_pings(monkeypatch)
    for _ in range(3):
        with pg_engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    assert pings == []


def _count_pings(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    pings: list[int] = []
    ping = engine_module._ping

    def counted(dbapi_connection: object) -> bool:
        pings.append(1)
        return ping(dbapi_connection)

    monkeypatch.setattr(engine_module, "_ping", counted)
    return pings


def _kill_pooled_connection(engine: sa.Engine) -> int:
    """Check a connection in to the pool, then end its server process; its pid."""
    with engine.connect() as connection:
        pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
    admin = sa.create_engine(engine.url, poolclass=sa.pool.NullPool)
    with admin.connect() as other:
        assert other.execute(sa.text("SELECT pg_terminate_backend(:p)"), {"p": pid}).scalar()
    admin.dispose()
    return pid


def test_other_databases_are_refused_by_name():
    with pytest.raises(StoreError, match="unsupported database"):
        make_engine("mysql://root:secret@localhost/orgmap")
    with pytest.raises(StoreError, match="not a database URL"):
        make_engine("not a url")


def test_session_scope_commits_or_rolls_back(engine):
    with pytest.raises(RuntimeError), transaction(engine) as session:
        save_maps(session, [make_map("gone")], by="li")
        raise RuntimeError("boom")
    with transaction(engine) as session:
        save_maps(session, [make_map("kept")], by="li")
    with snapshot(engine) as session:
        assert [d.key for d in list_debtors(session)] == ["kept"]


def _raw_writer_can_begin(path: Path) -> bool:
    raw = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        raw.execute("BEGIN IMMEDIATE")
        raw.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError as exc:
        assert "locked" in str(exc)
        return False
    finally:
        raw.close()


def test_sqlite_transactions_take_the_write_lock_when_they_begin(sqlite_engine):
    path = Path(sqlite_engine.url.database)
    with transaction(sqlite_engine) as session:
        list_debtors(session)  # only a read, yet the write lock is held
        assert not _raw_writer_can_begin(path)
    assert _raw_writer_can_begin(path)
    with snapshot(sqlite_engine) as session:
        list_debtors(session)  # readers don't hold writers up
        assert _raw_writer_can_begin(path)


def test_a_second_sqlite_writer_waits_and_then_reads_fresh_data(sqlite_engine):
    """With BEGIN IMMEDIATE the second writer's reads happen after the first commit."""
    first_has_read = threading.Event()
    seen: list[list[str]] = []

    def second_writer() -> None:
        first_has_read.wait(5)
        with transaction(sqlite_engine) as session:  # blocks until the first commits
            seen.append([d.key for d in list_debtors(session)])

    thread = threading.Thread(target=second_writer)
    thread.start()
    with transaction(sqlite_engine) as session:
        assert list_debtors(session) == []
        first_has_read.set()
        thread.join(0.3)
        assert thread.is_alive(), "the second writer should be waiting for the lock"
        save_maps(session, [make_map()], by="li")
    thread.join(5)
    assert seen == [["acme"]]


def test_deferred_sqlite_transactions_collide_where_immediate_ones_wait(sqlite_engine):
    """Why writes begin immediately: two deferred read-then-write transactions collide.

    ``read_only=True`` sessions begin deferred; misused for a write, the second
    writer fails at once with "database is locked", busy timeout or not.
    """
    with (
        snapshot(sqlite_engine) as first,
        snapshot(sqlite_engine) as second,
    ):
        assert list_debtors(first) == [] and list_debtors(second) == []
        save_maps(first, [make_map("one")], by="li")
        first.commit()
        with pytest.raises(sa.exc.OperationalError, match="locked"):
            save_maps(second, [make_map("two")], by="li")
        second.rollback()


def test_threads_starting_together_migrate_once(database_url):
    """Several app sessions may meet the empty database at the same moment."""
    engines = [make_engine(database_url) for _ in range(4)]
    start = threading.Barrier(len(engines))
    failures: list[BaseException] = []

    def start_up(engine) -> None:
        start.wait(10)
        try:
            ensure_schema(engine)
        except BaseException as exc:  # reported below, with the others
            failures.append(exc)

    threads = [threading.Thread(target=start_up, args=(e,)) for e in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    try:
        assert failures == []
        assert current_revision(engines[0]) == head_revision()
        with transaction(engines[0]) as session:
            save_maps(session, [make_map()], by="li")
    finally:
        for engine in engines:
            engine.dispose()


def test_processes_starting_together_migrate_once(database_url):
    """The app and the CLI may meet the empty database at the same moment."""
    root = Path(__file__).resolve().parents[2]
    script = (
        "import sys\n"
        "from orgmap.store import ensure_schema, make_engine\n"
        "ensure_schema(make_engine(sys.argv[1]))\n"
    )
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script, database_url],
            cwd=root,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    errors = [p.communicate(timeout=120)[1] for p in processes]
    assert [p.returncode for p in processes] == [0, 0, 0], errors
    engine = make_engine(database_url)
    try:
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_calls_stored_before_numbers_were_recorded_survive_the_phone_migration(engine):
    from alembic import command

    from orgmap.store import load_map
    from orgmap.store.engine import alembic_config

    m = make_map()
    with transaction(engine) as session:
        save_maps(session, [m], by="li")
    config = alembic_config()
    with engine.begin() as connection, warnings.catch_warnings():
        # Batch mode reflects the tables; SQLite can't reflect expression indexes.
        warnings.simplefilter("ignore", sa.exc.SAWarning)
        config.attributes["connection"] = connection
        command.downgrade(config, "0001")
    assert "phone" not in {c["name"] for c in sa.inspect(engine).get_columns("interaction")}

    upgrade(engine)

    with transaction(engine) as session:
        assert load_map(session, m.debtor.key) == m
        assert not save_maps(session, [m], by="li").changed  # fingerprints unchanged
    test_tables_and_migrations_agree(engine)  # constraints and indexes came through


def test_the_head_revision_constant_is_alembics_head():
    """Adding a migration means updating HEAD_REVISION, or databases stop upgrading."""
    assert head_revision() == HEAD_REVISION
