"""One real-browser smoke test: Debian's Chromium driven by Playwright against the running app.

Starts ``streamlit run app.py`` on a free port over a seeded SQLite file (see
``app_server.py``), then: opens a debtor's map with every request outside
this machine blocked, checks the network is drawn, clicks a node, logs a call,
hovers a contact whose name is an HTML injection and checks nothing ran.
Screenshots go to ``test-artifacts/`` (git-ignored).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from orgmap.domain.access import Actor, Role
from orgmap.services.database import open_database
from orgmap.services.debtors import open_debtor
from orgmap.services.transfer import import_file, load_demo
from orgmap.settings import load_settings
from tests.browser.app_server import (
    ARTIFACTS,
    choose_debtor,
    open_page,
    playwright_or_skip,
    serve,
    wait_for_map,
)

#: Who the tests act as where who acts does not matter: an administrator.
ADMIN = Actor("t", Role.ADMIN)

pytestmark = pytest.mark.browser

HOSTILE = "<img src=x onerror=alert(1)>"
HOSTILE_DOC = f"""{{"format": "orgmap/1", "debtors": [{{
  "key": "a-hostile", "name": "Hostile Test Co", "amount_owed": "1000",
  "contacts": [
    {{"key": "desk", "name": "{HOSTILE}", "department": "reception", "disposition": "sheep",
     "phones": ["13800000001"], "notes": "</script><script>window.__pwned = 1</script> href"}},
    {{"key": "boss", "name": "Boss \\"quoted\\"", "department": "owner", "disposition": "eagle",
     "authorizes_payment": true, "phones": ["13800000002"]}}],
  "relations": [{{"from": "desk", "to": "boss", "type": "refers_to"}}],
  "interactions": []}}]}}"""

sync_api = playwright_or_skip()


@pytest.fixture(scope="module")
def seeded_url(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'app.db'}"
    settings = load_settings({"ORGMAP_DATABASE_URL": url})
    engine = open_database(url)
    load_demo(engine, settings=settings)
    import_file(engine, filename="h.json", raw=HOSTILE_DOC.encode(), settings=settings, actor=ADMIN)
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def app_url(seeded_url) -> Iterator[str]:
    with serve(seeded_url) as base:
        yield base


@pytest.fixture
def page(app_url):
    with open_page(sync_api) as page:
        yield page


def _node_point(page, key: str) -> tuple[float, float]:
    """Where contact ``key`` is drawn, in page coordinates."""
    return page.evaluate(
        """(key) => {
            const net = window.orgmapNetwork;
            const p = net.canvasToDOM(net.getPositions([key])[key]);
            const box = net.body.container.getBoundingClientRect();
            return [box.left + p.x, box.top + p.y];
        }""",
        key,
    )


def test_map_click_log_and_hostile_hover(page, app_url, seeded_url):
    page.goto(f"{app_url}/map")
    choose_debtor(page, "Hostile Test Co")
    wait_for_map(page)
    page.wait_for_timeout(500)
    drawn = page.evaluate("() => window.orgmapNetwork.body.data.nodes.getIds()")
    assert set(drawn) == {"desk", "boss"}
    page.screenshot(path=str(ARTIFACTS / "map-hostile.png"), full_page=True)

    # Hover the contact whose name is an <img onerror> and whose note closes a <script>.
    x, y = _node_point(page, "desk")
    page.mouse.move(x, y)
    tooltip = page.locator("div.vis-tooltip")
    tooltip.wait_for(state="visible", timeout=10_000)
    assert HOSTILE in tooltip.inner_text()
    assert tooltip.locator("img").count() == 0
    page.screenshot(path=str(ARTIFACTS / "map-hostile-tooltip.png"))
    assert page.evaluate("() => window.__pwned") is None
    assert page.dialogs == []

    # Click the boss: the page selects him and offers the call form.
    x, y = _node_point(page, "boss")
    page.mouse.click(x, y)
    form = page.get_by_role("button", name="Log the call")
    form.wait_for(timeout=15_000)
    page.get_by_label("Outcome").first.click()
    page.keyboard.type("reached")
    page.keyboard.press("Enter")
    page.get_by_label("Note", exact=True).first.fill("spoke to the boss; pays Friday")
    page.get_by_role("button", name="Log the call").first.click()

    engine = open_database(seeded_url)
    deadline = time.monotonic() + 15
    while not open_debtor(engine, "a-hostile", k=0, actor=ADMIN).map.interactions:
        assert time.monotonic() < deadline, "the call was not logged"
        time.sleep(0.3)
    logged = open_debtor(engine, "a-hostile", k=0, actor=ADMIN).map.interactions[-1]
    assert (logged.contact, logged.outcome.value) == ("boss", "reached")
    assert logged.note == "spoke to the boss; pays Friday"
    # The page reruns with the call in the contact's history.
    page.get_by_text("No calls logged with this person yet.").wait_for(state="detached")
    sync_api.expect(page.get_by_label("Note", exact=True).first).to_have_value("")
    page.wait_for_timeout(1000)
    page.screenshot(path=str(ARTIFACTS / "map-after-call.png"), full_page=True)
    assert page.outside_requests == []


def test_demo_map_with_chinese_names_draws_offline(page, app_url):
    page.goto(f"{app_url}/map")
    choose_debtor(page, "hengda-jidian")
    page.wait_for_function(
        "() => window.orgmapNetwork && window.orgmapNetwork.body.data.nodes.get('wang_jianguo')",
        timeout=30_000,
    )
    wait_for_map(page)
    page.wait_for_timeout(800)
    page.screenshot(path=str(ARTIFACTS / "map-demo.png"), full_page=True)
    assert page.outside_requests == []
    assert page.dialogs == []
