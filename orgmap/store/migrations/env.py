"""Alembic environment for orgmap, configured from Python (see orgmap.store.engine).

Normally :func:`orgmap.store.engine.upgrade` hands over an open connection in
``config.attributes["connection"]``.  Without one (e.g. writing a new migration
with ``command.revision(alembic_config(), autogenerate=True)``) the URL comes
from the ``sqlalchemy.url`` option, else from ``ORGMAP_DATABASE_URL``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from orgmap.settings import load_settings
from orgmap.store.engine import make_engine
from orgmap.store.tables import metadata

config = context.config

# Any fixed number, shared by every orgmap process: two processes migrating the
# same PostgreSQL database at once take turns instead of racing.
_MIGRATION_LOCK = 0x6F72676D6170  # "orgmap"


def _configure(connection: sa.Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite can't ALTER most things; batch mode copies the table instead.
        # Harmless on PostgreSQL, and autogenerate then writes portable migrations.
        render_as_batch=True,
        compare_type=True,
    )


def _migrate(connection: sa.Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or load_settings().database_url)
    try:
        with engine.begin() as connection:
            _migrate(connection)
    finally:
        engine.dispose()


def run_migrations_offline() -> None:
    url = config.get_main_option("sqlalchemy.url") or load_settings().database_url
    context.configure(
        url=url,
        target_metadata=metadata,
        literal_binds=True,
        render_as_batch=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
