"""Helpers for driving the app under AppTest: seeding, logging in, opening pages, reading text."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from sqlalchemy.engine import Engine
from streamlit.testing.v1 import AppTest

from orgmap.domain.access import Role, cli_actor
from orgmap.domain.fields import check_email
from orgmap.domain.model import DebtorMap
from orgmap.services import accounts, login
from orgmap.store import load_map, save_maps, snapshot, transaction
from orgmap.ui import state
from orgmap.ui.formatting import WORD_JOINER
from tests.factories import make_map

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app.py"
HOSTILE = "<img src=x onerror=alert(1)>"


#: The password of every user the UI tests create.
TEST_PASSWORD = "orgmap-test-passphrase"


@cache
def fast_hasher() -> PasswordHasher:
    """argon2 at its cheapest: the tests create a user per database, not a login's cost."""
    return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def add_user(
    engine: Engine, name: str, *, role: Role = Role.ADMIN, team: str | None = None
) -> accounts.Account:
    """Create user ``name`` with :data:`TEST_PASSWORD` (the CLI's way: as local admin)."""
    return accounts.create_user(
        engine,
        actor=cli_actor("test"),
        name=name,
        password=TEST_PASSWORD,
        role=role,
        team=team,
        hasher=fast_hasher(),
    )


def open_session(engine: Engine, name: str, *, role: Role = Role.ADMIN) -> str:
    """A session token of user ``name`` (created first if missing): what the cookie holds."""
    found = next(
        (a for a in accounts.users(engine, actor=cli_actor("test")) if a.name == name), None
    )
    account = found or add_user(engine, name, role=role)
    return login.start_session(engine, account=account)


class SessionCookie:
    """The browser's ``orgmap_session`` cookie, for AppTest.

    AppTest cannot send cookies (``st.context.cookies`` is always empty under it),
    so ``tests/ui/conftest.py`` installs an instance as :func:`orgmap.ui.state.session_token`,
    the one function through which the app learns the cookie.  By default it logs
    every run in as an administrator named ``ORGMAP_USER`` (``tester``), creating that
    user and a real session in whatever database the app opened; the token still
    goes through ``resolve_session`` like a browser's.  ``token`` pins a token (a
    forged one, another user's); ``logged_out`` sends none.
    """

    def __init__(self) -> None:
        self.token: str | None = None
        self.logged_out = False
        self._opened: dict[str, str] = {}

    def __call__(self) -> str | None:
        if self.logged_out:
            return None
        if self.token is not None:
            return self.token
        url = state.database_url()
        if url not in self._opened:
            name = os.environ.get("ORGMAP_USER") or "tester"
            self._opened[url] = open_session(state.engine(), name)
        return self._opened[url]


@dataclass
class SeededDb:
    url: str
    engine: Engine

    def map(self, debtor_key: str = "acme") -> DebtorMap:
        with snapshot(self.engine) as connection:
            found = load_map(connection, debtor_key)
        assert found is not None
        return found


def canonical_map(key: str = "acme") -> DebtorMap:
    """The factories' classic company, with every value as the app's forms would store it
    (the factory keeps one email's domain in capitals to test case-blind matching)."""
    m = make_map(key)
    contacts = tuple(replace(c, email=check_email(c.email)) if c.email else c for c in m.contacts)
    return replace(m, contacts=contacts)


def seed(engine: Engine, *maps: DebtorMap) -> None:
    with transaction(engine) as connection:
        save_maps(connection, list(maps), by="seed")


def open_page(at: AppTest, name: str) -> AppTest:
    """Switch to ``orgmap/ui/pages/{name}.py`` and run it; fail on any exception or crash."""
    at.switch_page(f"orgmap/ui/pages/{name}.py").run()
    assert_clean(at)
    return at


def assert_clean(at: AppTest) -> None:
    """No traceback and no 'something went wrong' on the page."""
    assert not at.exception, [e.value for e in at.exception]
    crashed = [e.value for e in at.error if "went wrong" in e.value]
    assert not crashed, crashed


def texts(at: AppTest) -> str:
    """Everything written as markdown, captions, alerts and titles, in one string, as read
    on screen (markdown's backslash escapes and the invisible word joiners that keep
    addresses from becoming links removed)."""
    parts = [
        *(m.value for m in at.markdown),
        *(c.value for c in at.caption),
        *(e.value for e in at.error),
        *(w.value for w in at.warning),
        *(s.value for s in at.success),
        *(i.value for i in at.info),
        *(x.value for x in at.title),
        *(x.value for x in at.subheader),
        *(x.value for x in at.text),
        *(p.proto.text for p in at.get("progress")),
    ]
    return re.sub(r"\\(.)", r"\1", "\n".join(parts)).replace(WORD_JOINER, "")
