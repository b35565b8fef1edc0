"""Helpers for driving the app under AppTest: seeding, opening pages, reading text."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy.engine import Engine
from streamlit.testing.v1 import AppTest

from orgmap.domain.fields import check_email
from orgmap.domain.model import DebtorMap
from orgmap.store import load_map, save_maps, snapshot, transaction
from orgmap.ui.formatting import WORD_JOINER
from tests.factories import make_map

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app.py"
HOSTILE = "<img src=x onerror=alert(1)>"


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
