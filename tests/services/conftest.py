"""Service tests run on a seeded real database: SQLite, and PostgreSQL when configured."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from tests.ui.apptest_helpers import SeededDb, canonical_map, seed


@pytest.fixture
def db(engine: Engine, database_url: str) -> SeededDb:
    """The classic company ``acme`` (an eagle boss who authorizes), on each database."""
    seed(engine, canonical_map("acme"))
    return SeededDb(database_url, engine)
