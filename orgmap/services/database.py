"""Opening the team's database: one engine per URL, schema brought to head on first use."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from orgmap.store import ensure_schema, make_engine, upgrade

__all__ = ["Database", "open_database", "upgrade_database"]

#: What the app and the CLI hold and hand to every service: an open database.
Database = Engine


def open_database(url: str) -> Database:
    """An engine for ``url`` whose schema is migrated to the latest version.

    An empty database (a fresh SQLite file, a new PostgreSQL database) gets every
    migration applied, so neither the app nor the CLI needs a separate set-up step.
    """
    engine = make_engine(url)
    ensure_schema(engine)
    return engine


def upgrade_database(url: str) -> None:
    """Apply every migration the database at ``url`` lacks (``orgmap db upgrade``)."""
    engine = make_engine(url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()
