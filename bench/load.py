"""Bulk loading of a whole team, and the throw-away databases the benchmarks use.

:func:`load_team` writes generated maps straight into the store's tables with
SQLAlchemy Core ``executemany`` inserts (``COPY`` on PostgreSQL), a few
hundred debtors per transaction.  It allocates the primary keys itself, so a contact's relations,
phones and calls can be inserted without asking the database for ids first
(``save_maps`` upserts one debtor at a time and cannot).  Rows are built by the
store's own row mapping (:mod:`orgmap.store.mapping`), so they are exactly what
the app would have written.

Databases: a SQLite file under a directory the caller owns, or a PostgreSQL
database of its own (``orgmap_bench_…``), dropped and created afresh, so a
benchmark never touches the tests' or anyone's data.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine

from bench.generate import generate_team
from orgmap.domain.model import DebtorMap
from orgmap.store import ensure_schema, make_engine
from orgmap.store.mapping import (
    contact_values,
    debtor_values,
    interaction_values,
    phone_values,
    stamp_new,
)
from orgmap.store.tables import (
    contact_table,
    debtor_table,
    interaction_table,
    phone_table,
    relation_table,
)

__all__ = [
    "LoadReport",
    "drop_postgres_database",
    "fresh_postgres_database",
    "fresh_sqlite_database",
    "load_team",
]

#: Debtors per transaction: ~15,000 contacts and ~60,000 rows in all, large
#: enough that commits don't matter, small enough to keep memory flat.
BATCH_DEBTORS = 500

_TABLES = (debtor_table, contact_table, phone_table, relation_table, interaction_table)
# Only names we make ourselves are ever dropped.
_BENCH_DATABASE = re.compile(r"orgmap_bench_[a-z0-9_]{1,40}")


@dataclass(frozen=True, slots=True)
class LoadReport:
    """How many rows :func:`load_team` wrote, and how long it took (seconds)."""

    debtors: int
    contacts: int
    phones: int
    relations: int
    interactions: int
    seconds: float

    @property
    def rows(self) -> int:
        return self.debtors + self.contacts + self.phones + self.relations + self.interactions


def fresh_sqlite_database(directory: Path, *, name: str) -> Engine:
    """An engine on a new, migrated SQLite file ``directory/name.db`` (an old one is removed)."""
    path = directory / f"{name}.db"
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{path}")
    ensure_schema(engine)
    return engine


def fresh_postgres_database(server_url: str, *, name: str) -> Engine:
    """An engine on database ``name`` of the server at ``server_url``, emptied and migrated.

    ``name`` must look like ``orgmap_bench_…``: the database is dropped first, so
    the function refuses any other name.  ``server_url`` names any database the
    user may connect to (it is only used to issue ``CREATE DATABASE``).
    """
    admin_url = _admin_url(server_url, name)
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    finally:
        admin.dispose()
    engine = make_engine(admin_url.set(database=name))
    ensure_schema(engine)
    return engine


def drop_postgres_database(server_url: str, *, name: str) -> None:
    """Drop a database made by :func:`fresh_postgres_database`."""
    admin = sa.create_engine(
        _admin_url(server_url, name), isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool
    )
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()


def _admin_url(server_url: str, name: str) -> URL:
    if not _BENCH_DATABASE.fullmatch(name):
        raise ValueError(f"name: benchmark databases are called orgmap_bench_…, got {name!r}")
    url = sa.make_url(server_url)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    if url.database == name:
        raise ValueError("server_url must name another database than the one to recreate")
    return url


def load_team(
    engine: Engine, maps: Iterable[DebtorMap], *, by: str = "bench", batch: int = BATCH_DEBTORS
) -> LoadReport:
    """Insert every map (all new debtors) into the migrated database behind ``engine``.

    The maps must be valid and their debtor keys new to the database (a clash
    raises the database's IntegrityError and that batch is rolled back).  Ends
    with ``ANALYZE`` (``VACUUM ANALYZE`` on PostgreSQL), as a long-lived
    database would have statistics and tidy pages, and on
    PostgreSQL moves the id sequences past the ids used here, so the app can
    insert afterwards.
    """
    started = time.perf_counter()
    now = datetime.now(UTC)
    with engine.connect() as connection:
        next_ids = {
            t.name: (connection.execute(sa.select(sa.func.max(t.c.id))).scalar() or 0) + 1
            for t in _TABLES
        }
    counts = dict.fromkeys(("debtor", "contact", "phone", "relation", "interaction"), 0)
    for chunk in _chunks(maps, batch):
        rows = _rows(chunk, next_ids=next_ids, by=by, now=now)
        with engine.begin() as connection:
            for table in _TABLES:
                if rows[table.name]:
                    _insert_many(connection, table, rows[table.name])
                    counts[table.name] += len(rows[table.name])
    _finish(engine)
    return LoadReport(
        debtors=counts["debtor"],
        contacts=counts["contact"],
        phones=counts["phone"],
        relations=counts["relation"],
        interactions=counts["interaction"],
        seconds=time.perf_counter() - started,
    )


def generate_and_load(
    url: str, *, debtors: int, seed: int, now: datetime, routed: Mapping[int, int]
) -> LoadReport:
    """Generate a team (:func:`~bench.generate.generate_team`) and load it into ``url``.

    ``routed`` gives the debtors forced to a size and owned by their group's boss.
    Meant to run in a child process, so that the timing process never holds the team.
    """
    engine = make_engine(url)
    try:
        team = generate_team(
            debtors=debtors, seed=seed, now=now, sizes=routed, group_members=routed
        )
        return load_team(engine, team)
    finally:
        engine.dispose()


def _chunks(maps: Iterable[DebtorMap], size: int) -> Iterator[list[DebtorMap]]:
    iterator = iter(maps)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _rows(
    maps: list[DebtorMap], *, next_ids: dict[str, int], by: str, now: datetime
) -> dict[str, list[dict[str, Any]]]:
    """Rows of every table for ``maps``, with ids taken from (and advancing) ``next_ids``."""
    rows: dict[str, list[dict[str, Any]]] = {t.name: [] for t in _TABLES}

    def take(table: str) -> int:
        next_ids[table] += 1
        return next_ids[table] - 1

    for m in maps:
        debtor_id = take("debtor")
        rows["debtor"].append(
            {"id": debtor_id, **debtor_values(m.debtor), **stamp_new(by=by, now=now)}
        )
        id_of: dict[str, int] = {}
        for c in m.contacts:
            contact_id = id_of[c.key] = take("contact")
            rows["contact"].append(
                {
                    "id": contact_id,
                    "debtor_id": debtor_id,
                    **contact_values(c),
                    **stamp_new(by=by, now=now),
                }
            )
            for phone in phone_values(
                c.phones, debtor_id=debtor_id, contact_id=contact_id, by=by, now=now
            ):
                rows["phone"].append({"id": take("phone"), **phone})
        for r in m.relations:
            rows["relation"].append(
                {
                    "id": take("relation"),
                    "debtor_id": debtor_id,
                    "source_id": id_of[r.source],
                    "target_id": id_of[r.target],
                    "type": str(r.type),
                    "note": r.note,
                    "archived": r.archived,
                    **stamp_new(by=by, now=now),
                }
            )
        for i in m.interactions:
            values = interaction_values(
                i, debtor_id=debtor_id, contact_id=id_of[i.contact], by=by, now=now
            )
            rows["interaction"].append({"id": take("interaction"), **values})
    return rows


def _insert_many(connection: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """Insert every row: a driver-level executemany, or ``COPY`` on PostgreSQL.

    Values are converted by the very columns' types (the store's UTC and money
    types included), as ``connection.execute(insert(table), rows)`` would, but
    each distinct value once: every row of a load carries the same audit
    stamps, and SQLAlchemy's per-row parameter handling was three quarters of
    the load time.
    """
    dialect = connection.dialect
    keys = list(rows[0])
    converters = {}
    for key in keys:
        process = table.c[key].type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            converters[key] = _memoized(process)
    converted = [
        {k: converters[k](v) if k in converters else v for k, v in row.items()} for row in rows
    ]
    if dialect.name == "postgresql":
        # COPY is PostgreSQL's bulk path, several times faster than pipelined INSERTs.
        columns = ", ".join(f'"{k}"' for k in keys)
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
            for row in converted:
                copy.write_row(tuple(row[k] for k in keys))
        return
    compiled = sa.insert(table).compile(dialect=dialect, column_keys=keys)
    if set(compiled.params) != set(keys):
        raise ValueError(f"{table.name}: rows must give every column the insert names")
    if compiled.positiontup is not None:  # "?" placeholders: tuples in statement order
        order = compiled.positiontup
        connection.exec_driver_sql(str(compiled), [tuple(r[k] for k in order) for r in converted])
    else:
        connection.exec_driver_sql(str(compiled), converted)


def _memoized(process: Callable[[Any], Any]) -> Callable[[Any], Any]:
    seen: dict[Any, Any] = {}

    def convert(value: Any) -> Any:
        try:
            return seen[value]
        except KeyError:
            seen[value] = result = process(value)
            return result
        except TypeError:  # unhashable (a JSON document): convert every time
            return process(value)

    return convert


def _finish(engine: Engine) -> None:
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            for table in _TABLES:
                # Explicit ids leave the SERIAL sequences behind; catch them up.
                connection.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"(SELECT coalesce(max(id), 0) + 1 FROM {table.name}), false)"
                )
        else:
            connection.exec_driver_sql("ANALYZE")
    if engine.dialect.name == "postgresql":
        # VACUUM too, as autovacuum would have long since done: otherwise the
        # first reads set hint bits and autovacuum wakes up for the new rows in
        # the middle of the timings, on a machine with two cores.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
