"""A few fixed SELECTs run on the driver's own cursor, together: the one-debtor read path.

SQLAlchemy still does everything but the sending: it builds and compiles the
statements (once per dialect) and supplies each result column's conversion
(its *result processor*: SQLite's 0/1 to bool, text to datetime, cents to
Decimal…), the same functions it applies itself.  Only execution goes to the
DBAPI cursor, for two reasons measured on the route benchmark (60 contacts):

- on PostgreSQL, psycopg's pipeline mode sends all the statements before
  reading any result, so a one-debtor load is one round trip instead of four
  (about 0.3 ms less), and
- SQLAlchemy's per-statement execution machinery, about 0.05-0.1 ms a
  statement on psycopg, is skipped.

Driver errors come out as SQLAlchemy's exceptions (``OperationalError``…), as
they would from ``Connection.execute``, and a dropped connection is
invalidated so the pool does not hand it out again.  Only statements whose
bind parameters need no conversion are accepted: their values go to the driver
as given.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

__all__ = ["DriverQuery", "driver_query", "fetch_together"]

Row = tuple[Any, ...]
_Processors = tuple[tuple[int, Callable[[Any], Any]], ...]


@dataclass(slots=True, eq=False)
class DriverQuery:
    """One SELECT compiled for one dialect, ready for the DBAPI cursor."""

    sql: str
    columns: tuple[sa.types.TypeEngine[Any], ...]
    parameter_order: tuple[str, ...] | None  # positional paramstyles: names in order
    dialect: Dialect
    # Found from the first result's description and kept: the driver's type
    # codes of a fixed statement's columns don't change, while psycopg builds
    # the description anew, column objects and all, each time it is asked.
    processors: _Processors | None = None

    def arguments(self, parameters: Mapping[str, Any]) -> Any:
        if self.parameter_order is None:
            return parameters
        return [parameters[name] for name in self.parameter_order]

    def convert(self, rows: Sequence[Row], cursor: Any) -> Sequence[Row]:
        """``rows`` (just read from ``cursor``) with each column converted as SQLAlchemy would."""
        processors = self.processors
        if processors is None:
            processors = self.processors = self._result_processors(cursor.description)
        if not processors:
            return rows
        converted = []
        for row in rows:
            values = list(row)
            for i, process in processors:
                values[i] = process(values[i])
            converted.append(tuple(values))
        return converted

    def _result_processors(self, description: Sequence[Any]) -> _Processors:
        found = []
        for i, (type_, column) in enumerate(zip(self.columns, description, strict=True)):
            code = column[1]
            process = type_.dialect_impl(self.dialect).result_processor(self.dialect, code)
            if process is not None:
                found.append((i, process))
        return tuple(found)


@lru_cache(maxsize=256)
def driver_query(statement: sa.Select[Any], dialect: Dialect) -> DriverQuery:
    """``statement`` compiled for ``dialect`` (cached: compiling costs more than running)."""
    compiled = statement.compile(dialect=dialect)
    for name, bind in compiled.binds.items():
        if bind.type.dialect_impl(dialect).bind_processor(dialect) is not None:
            raise TypeError(f"parameter {name!r} needs converting; run this through SQLAlchemy")
    return DriverQuery(
        sql=compiled.string,
        columns=tuple(column.type for column in statement.selected_columns),
        parameter_order=tuple(compiled.positiontup) if compiled.positiontup else None,
        dialect=dialect,
    )


def fetch_together(
    connection: sa.Connection,
    statements: Sequence[sa.Select[Any]],
    parameters: Mapping[str, Any],
) -> list[Sequence[Row]]:
    """Every row of each statement, all run with the same ``parameters``.

    On psycopg in one round trip (pipeline mode); elsewhere one after the
    other on one cursor.  Runs inside whatever transaction ``connection`` is
    in, or in none (:func:`~orgmap.store.read_scope`).
    """
    dialect = connection.dialect
    queries = [driver_query(statement, dialect) for statement in statements]
    fairy = connection.connection  # the pool's proxy of the DBAPI connection
    try:
        if dialect.driver == "psycopg":
            driver: Any = fairy.driver_connection
            with driver.pipeline():
                cursors = [driver.execute(q.sql, q.arguments(parameters)) for q in queries]
            return [q.convert(c.fetchall(), c) for q, c in zip(queries, cursors, strict=True)]
        cursor = fairy.cursor()
        try:
            results = []
            for q in queries:
                cursor.execute(q.sql, q.arguments(parameters))
                results.append(q.convert(cursor.fetchall(), cursor))
            return results
        finally:
            cursor.close()
    except dialect.loaded_dbapi.Error as exc:
        lost = dialect.is_disconnect(exc, fairy.dbapi_connection, None)
        if lost:
            connection.invalidate(exc)
        raise sa.exc.DBAPIError.instance(
            "; ".join(q.sql for q in queries),
            dict(parameters),
            exc,
            dialect.loaded_dbapi.Error,
            connection_invalidated=lost,
            dialect=dialect,
        ) from exc
