"""The app under AppTest, on a real SQLite file seeded per test, logged in.

``app`` is the whole app (``app.py``: sidebar, navigation) opened on the
Debtors page in English; ``open_page`` switches to another page.  The database
URL reaches the app the way it does in production: through ``ORGMAP_DATABASE_URL``.

Every AppTest runs logged in: ``cookie`` (autouse) stands in for the browser's
session cookie, which AppTest cannot send (see
:class:`tests.ui.apptest_helpers.SessionCookie`); set ``cookie.logged_out`` or
``cookie.token`` to test the login page and bad cookies.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from orgmap.services.database import open_database
from orgmap.ui import state
from tests.ui.apptest_helpers import APP, SeededDb, SessionCookie, canonical_map, seed


@pytest.fixture(autouse=True)
def cookie(monkeypatch: pytest.MonkeyPatch) -> SessionCookie:
    """The session cookie every AppTest run sends: an admin's by default."""
    seam = SessionCookie()
    monkeypatch.setattr(state, "session_token", seam)
    return seam


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SeededDb]:
    """A SQLite file holding the classic company ``acme`` (an eagle boss who authorizes)."""
    url = f"sqlite:///{tmp_path / 'ui.db'}"
    monkeypatch.setenv("ORGMAP_DATABASE_URL", url)
    monkeypatch.setenv("ORGMAP_LANG", "en")
    monkeypatch.setenv("ORGMAP_USER", "tester")
    engine = open_database(url)
    seed(engine, canonical_map("acme"))
    yield SeededDb(url, engine)
    engine.dispose()


@pytest.fixture
def app(db: SeededDb) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception, at.exception
    return at
