"""Shared fixtures: real databases, never mocks.

``engine`` runs a test on SQLite (a file in the test's tmp dir) and, when
``ORGMAP_TEST_DATABASE_URL`` names a PostgreSQL server, again on PostgreSQL in a
schema of its own (created for the test, dropped after it), so engineers and CI
runs sharing one server never see each other's rows.  Without the variable the
PostgreSQL half is skipped, unless ``ORGMAP_REQUIRE_POSTGRES=1`` (as in CI), where
it fails instead.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from orgmap.store.engine import make_engine, normalize_url, upgrade

PG_ENV = "ORGMAP_TEST_DATABASE_URL"


def _postgres_url_or_skip() -> str:
    url = os.environ.get(PG_ENV)
    if url:
        return url
    if os.environ.get("ORGMAP_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"{PG_ENV} is not set but ORGMAP_REQUIRE_POSTGRES=1")
    pytest.skip(f"{PG_ENV} not set")


def _postgres_schema_url(server_url: str) -> Iterator[str]:
    """A URL whose connections work in a fresh random schema; dropped afterwards."""
    base = normalize_url(server_url)
    schema = f"orgmap_test_{secrets.token_hex(6)}"
    admin = sa.create_engine(base, poolclass=sa.pool.NullPool)
    try:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    except sa.exc.OperationalError as exc:
        admin.dispose()
        if os.environ.get("ORGMAP_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL at {base.render_as_string()} is unreachable: {exc.orig}")
        pytest.skip(f"PostgreSQL unreachable: {exc.orig}")
    options = " ".join(filter(None, [base.query.get("options"), f"-csearch_path={schema}"]))
    try:
        yield base.update_query_dict({"options": options}).render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'orgmap.db'}"
    else:
        yield from _postgres_schema_url(_postgres_url_or_skip())


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """A migrated engine, on SQLite and (when configured) on PostgreSQL."""
    created = make_engine(database_url)
    upgrade(created)
    yield created
    created.dispose()


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    """A migrated SQLite engine, for tests about SQLite itself."""
    created = make_engine(f"sqlite:///{tmp_path / 'orgmap.db'}")
    upgrade(created)
    yield created
    created.dispose()


@pytest.fixture
def pg_engine() -> Iterator[Engine]:
    """A migrated PostgreSQL engine in a fresh schema, for tests about PostgreSQL itself."""
    for url in _postgres_schema_url(_postgres_url_or_skip()):
        created = make_engine(url)
        upgrade(created)
        yield created
        created.dispose()


def pytest_configure(config: pytest.Config) -> None:
    """No test may touch the developer's own database (``data/orgmap.db``, the default).

    A test that forgets to name one (an AppTest page, a CLI call without ``--db``)
    then works in a throw-away file instead: seen once as the demo loaded into
    ``data/orgmap.db`` by ``make test``.  Tests that set the variable keep theirs.
    """
    if "ORGMAP_DATABASE_URL" not in os.environ:
        import tempfile

        folder = Path(tempfile.mkdtemp(prefix="orgmap-tests-"))
        os.environ["ORGMAP_DATABASE_URL"] = f"sqlite:///{folder / 'default.db'}"
