"""Opening the team's database: one engine per URL, schema brought to head on first use."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from orgmap.store import ensure_schema, make_engine

__all__ = ["open_database"]


def open_database(url: str) -> Engine:
    """An engine for ``url`` whose schema is migrated to the latest version.

    An empty database (a fresh SQLite file, a new PostgreSQL database) gets every
    migration applied, so neither the app nor the CLI needs a separate set-up step.
    """
    engine = make_engine(url)
    ensure_schema(engine)
    return engine
