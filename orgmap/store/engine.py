"""Opening databases: engines, transactions and schema migrations.

Nothing here runs at import time.  The app and the CLI call :func:`make_engine`
with the URL from :mod:`orgmap.settings`, then :func:`ensure_schema`, and wrap each
unit of work in :func:`transaction` or :func:`snapshot`.

SQLite gets what a shared team file needs: write-ahead logging (readers don't
block the writer), foreign keys enforced, a busy timeout instead of instant
"database is locked" errors, and transactions that take the write lock when
they *begin* (``BEGIN IMMEDIATE``).  With SQLite's default deferred transactions
two writers can both read a row and then collide when the second upgrades to a
write lock, which fails at once whatever the busy timeout (or, in Python's
legacy sqlite3 mode, silently loses an update).  PostgreSQL goes through
psycopg 3 with each pooled connection checked before use, so a restarted server costs
one reconnect, not an error.

Two scopes: :func:`transaction` for a write (one transaction, on SQLite holding
the write lock from its first statement) and :func:`snapshot` for a read that
needs one consistent picture of several tables (a debtor's map with the
versions its forms lock on).
"""

from __future__ import annotations

import os
import select
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine

from orgmap.store.errors import StoreError

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows; SQLite's busy timeout alone there
    fcntl = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = [
    "HEAD_REVISION",
    "SQLITE_BUSY_TIMEOUT_MS",
    "alembic_config",
    "current_revision",
    "ensure_schema",
    "head_revision",
    "in_transaction",
    "insert_once",
    "make_engine",
    "snapshot",
    "transaction",
    "upgrade",
]

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

#: The newest migration in ``migrations/versions``.  Kept here so that start-up
#: at head needs one query and no Alembic import (0.2-0.4 s of a cold CLI start
#: on these machines); a test checks it against Alembic's own answer, so adding
#: a migration without updating it fails the suite.
HEAD_REVISION = "0006"

#: How long a SQLite writer waits for another writer before giving up.
SQLITE_BUSY_TIMEOUT_MS = 10_000

# Execution option read by the SQLite "begin" hook: which BEGIN to emit.
_SQLITE_BEGIN = "orgmap_sqlite_begin"

# Alembic's command API keeps the running migration's context in module
# globals, so two threads (say, two Streamlit sessions starting at once) must not
# run it together; other processes are kept apart by the database's own locks.
_UPGRADE_LOCK = threading.Lock()


def normalize_url(url: str | URL) -> URL:
    """Parse ``url``, sending plain ``postgresql://`` (and ``postgres://``) to psycopg 3."""
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError as exc:
        raise StoreError(f"not a database URL: {url!s}") from exc
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def make_engine(url: str | URL) -> Engine:
    """An engine for ``sqlite:///PATH`` or ``postgresql[+psycopg]://…``.

    For a SQLite file the parent folder is created if missing (the file itself
    appears on first use).  Any other database raises :class:`StoreError`.
    """
    parsed = normalize_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _make_sqlite_engine(parsed)
    if backend == "postgresql":
        return _make_postgres_engine(parsed)
    shown = parsed.render_as_string(hide_password=True)
    raise StoreError(f"unsupported database {shown}; use sqlite:///PATH or postgresql://…")


#: A pooled PostgreSQL connection idle longer than this is pinged before it is handed out.
PING_AFTER_IDLE_S = 1.0


def _make_postgres_engine(url: URL) -> Engine:
    """psycopg 3, with every pooled connection checked before it is handed out.

    SQLAlchemy's ``pool_pre_ping`` pings on every checkout: a round trip more per
    write (7% of a logged call).  Here only a connection idle for
    :data:`PING_AFTER_IDLE_S` or more is pinged; one used a moment ago is checked
    without a round trip -- a server that ended the connection (a restart, an
    administrator's ``pg_terminate_backend``) has sent a last message or closed the
    socket, so an idle connection with anything to read is dead.  Either way a dead
    one is replaced before the caller sees it (a ``DisconnectionError`` from a
    checkout hook makes the pool connect afresh).
    """
    engine = sa.create_engine(url)

    @sa.event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info["checked_in"] = time.monotonic()

    @sa.event.listens_for(engine, "checkout")
    def _check(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        checked_in = record.info.get("checked_in")
        if checked_in is None:
            return  # just connected
        if time.monotonic() - checked_in < PING_AFTER_IDLE_S:
            alive = not _has_unread_input(dbapi_connection)
        else:
            alive = _ping(dbapi_connection)
        if not alive:
            raise sa.exc.DisconnectionError("the server closed the connection")

    return engine


def _has_unread_input(dbapi_connection: Any) -> bool:
    """Whether an idle psycopg connection's socket has anything to read (no round trip).

    ``poll``, not ``select``: a busy server process holds sockets numbered past
    ``select``'s limit of 1024.
    """
    try:
        poller = select.poll()
        poller.register(dbapi_connection.fileno(), select.POLLIN)
        return bool(poller.poll(0))
    except (OSError, ValueError):  # closed already
        return True


def _ping(dbapi_connection: Any) -> bool:
    """Whether the connection answers ``SELECT 1`` (then rolled back: no transaction left open)."""
    try:
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        dbapi_connection.rollback()
    except Exception:  # any failure: this connection is not to be trusted
        return False
    return True


def _make_sqlite_engine(url: URL) -> Engine:
    database = url.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url)

    @sa.event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # Stop Python's sqlite3 from issuing its own (deferred, and skipped for
        # SELECT) BEGIN: the "begin" hook below issues ours.  SQLAlchemy's
        # documented recipe; Python 3.11 has no sqlite3 `autocommit` attribute.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            _enable_wal(cursor)
        finally:
            cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(connection: sa.Connection) -> None:
        mode = connection.get_execution_options().get(_SQLITE_BEGIN, "IMMEDIATE")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


def _enable_wal(cursor: Any) -> None:
    """Switch the file to write-ahead logging (a setting stored in the file itself).

    Only the first connection to a new file switches it.  SQLite answers
    "database is locked" at once, without waiting out the busy timeout, when
    another connection is switching at the same moment, so that case is retried.
    """
    if cursor.execute("PRAGMA journal_mode").fetchone()[0] in ("wal", "memory"):
        return
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


@contextmanager
def transaction(engine: Engine) -> Iterator[sa.Connection]:
    """One write transaction: commits when the block ends, rolls back if it raises.

    On SQLite it begins ``IMMEDIATE``: the write lock is taken at once, so two
    writers queue instead of colliding when the second upgrades a read lock.
    Keep it short: it holds that lock (and on PostgreSQL, its row locks) until
    the block ends.
    """
    _turns.open = getattr(_turns, "open", 0) + 1
    try:
        with _writers_turn(engine), engine.begin() as connection:
            yield connection
    finally:
        _turns.open -= 1


def in_transaction() -> bool:
    """Whether this thread is inside a :func:`transaction` (of any engine)."""
    return getattr(_turns, "open", 0) > 0


_turns = threading.local()


@contextmanager
def _writers_turn(engine: Engine) -> Iterator[None]:
    """On a SQLite file, wait for this writer's turn on a lock file beside it.

    SQLite's own wait for its write lock polls: a writer that finds it taken
    sleeps 1, 2, 5 … up to 100 ms and tries again, so under many writers the lock
    sits free while they sleep (16 writers: a p99 of seconds, a tenth of the raw
    commit rate).  A blocking ``flock`` on a file beside the database instead
    hands the turn over the moment the holder is done, across threads and
    processes alike; the kernel releases it if the holder dies.  SQLite's busy
    timeout still covers writers that don't take turns (migrations, other tools).
    """
    path = _writers_file(engine)
    if path is None or getattr(_turns, "held", False):
        yield
        return
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        _turns.held = True
        try:
            yield
        finally:
            _turns.held = False
            fcntl.flock(descriptor, fcntl.LOCK_UN)
    finally:
        os.close(descriptor)


def _writers_file(engine: Engine) -> str | None:
    """``<database>-writers`` for a SQLite file; None for PostgreSQL or an in-memory database."""
    if engine.dialect.name != "sqlite" or fcntl is None:
        return None
    database = engine.url.database or ""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return f"{os.path.expanduser(database)}-writers"  # (per write: no Path objects)


@contextmanager
def snapshot(engine: Engine) -> Iterator[sa.Connection]:
    """A read-only transaction whose statements all see the same committed state.

    For reads that need a consistent picture across tables: a map with the
    versions its forms will lock on, an export.  On SQLite a deferred
    transaction (in WAL mode its first read fixes the snapshot, and it never
    waits for a writer); on PostgreSQL ``REPEATABLE READ READ ONLY``, which
    refuses writes (SQLite does not: don't write through it).
    """
    options: dict[str, Any] = (
        {_SQLITE_BEGIN: "DEFERRED"}
        if engine.dialect.name == "sqlite"
        else {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
    )
    with engine.connect() as connection:
        connection = connection.execution_options(**options)
        with connection.begin():
            yield connection


@cache
def insert_once(dialect: str, table: sa.Table, *unique: str) -> Any:
    """``INSERT … ON CONFLICT (unique) DO NOTHING RETURNING id``, built once per dialect.

    Run it with the row as parameters (``connection.execute(statement, row)``):
    building and cache-keying a fresh ``insert().values(…)`` per row cost more
    than the insert itself.
    """
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    return insert(table).on_conflict_do_nothing(index_elements=list(unique)).returning(table.c.id)


def alembic_config() -> Config:
    """Alembic's configuration for orgmap's migrations; no ``alembic.ini`` needed.

    To use it with a database, put an open connection in
    ``config.attributes["connection"]`` (as :func:`upgrade` does) or set the
    ``sqlalchemy.url`` main option.
    """
    from alembic.config import Config

    config = Config()
    # ConfigParser treats "%" as interpolation; a path may contain one.
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    return config


@cache
def head_revision() -> str:
    """The newest migration this version of orgmap has, as Alembic reads the scripts."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "orgmap ships at least one migration"
    return head


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at; ``None`` for an empty database."""
    with engine.execution_options(**{_SQLITE_BEGIN: "DEFERRED"}).connect() as connection:
        if not sa.inspect(connection).has_table("alembic_version"):
            return None
        versions = connection.execute(sa.text("SELECT version_num FROM alembic_version"))
        return versions.scalar()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply every migration up to ``revision``, in one transaction.

    Safe to run twice, and from several threads or processes at once: a lock
    in this process, and SQLite's immediate transaction or a PostgreSQL advisory
    lock taken in ``env.py`` across processes, make the later ones wait and then
    find nothing left to do.
    """
    from alembic import command

    config = alembic_config()
    with _UPGRADE_LOCK, engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def ensure_schema(engine: Engine) -> bool:
    """Bring an empty or older database to the newest schema; whether anything ran.

    Called by the app and the CLI at start-up.  At head it costs one small query.
    A database migrated by a *newer* orgmap raises :class:`StoreError` rather
    than being touched.
    """
    current = current_revision(engine)
    if current == HEAD_REVISION:
        return False
    if current is not None:
        from alembic.script import ScriptDirectory

        script = ScriptDirectory.from_config(alembic_config())
        if current not in {rev.revision for rev in script.walk_revisions()}:
            raise StoreError(
                f"the database is at schema revision {current!r}, which this version of "
                "orgmap does not know; upgrade orgmap"
            )
    upgrade(engine)
    return True
