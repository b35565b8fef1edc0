"""The call is logged against the person the collector chose, whatever pages lie between.

Issue 11, item 1: on the demo debtor 福满, pick 吴芳 on the Map, go to Route and back:
the card still showed 吴芳 but the call form had silently fallen back to 孙立新 (the
first contact), and a note typed there was logged against him.  Streamlit drops the
state of widgets a page run does not draw, so the choice has to outlive the picker.

Driven in Chromium against the running app; what was stored is read back through
the services.  Pages are changed with the sidebar's links, as a collector does (a
new URL would start a new session).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from orgmap.domain.access import Actor, Role
from orgmap.domain.model import Interaction
from orgmap.services.database import open_database
from orgmap.services.debtors import open_debtor
from orgmap.services.transfer import load_demo
from orgmap.settings import load_settings
from tests.browser.app_server import ARTIFACTS, choose_debtor, open_page, playwright_or_skip, serve

#: Who the tests act as where who acts does not matter: an administrator.
ADMIN = Actor("t", Role.ADMIN)

pytestmark = pytest.mark.browser

sync_api = playwright_or_skip()

DEBTOR = "fuman-baozhuang"
WU_FANG = "吴芳 · 会计 (wu_fang)"  # how the pickers show her
PICK = "Contact (click a person on the map, or choose here)"
WHO = "Who did you speak to?"


@pytest.fixture(scope="module")
def seeded_url(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('call-person') / 'app.db'}"
    engine = open_database(url)
    load_demo(engine, settings=load_settings({"ORGMAP_DATABASE_URL": url}))
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def app_url(seeded_url) -> Iterator[str]:
    with serve(seeded_url, log_name="streamlit-call-person") as base:
        yield base


@pytest.fixture
def page(app_url):
    with open_page(sync_api) as page:
        yield page


def go_to(page, title: str) -> None:
    """Open another page through the sidebar, keeping the session, and wait for it."""
    page.locator('[data-testid="stSidebarNav"] a', has_text=title).first.click()
    sync_api.expect(page.locator("h1").first).to_have_text(title, timeout=15_000)


def picker(page, label: str):
    """The select box labelled ``label``: its value is the option it shows."""
    return page.get_by_role("combobox", name=label).first


def choose(page, label: str, typed: str) -> None:
    page.get_by_label(label).first.click()
    page.keyboard.type(typed)
    page.keyboard.press("Enter")


def log_note(page, note: str) -> None:
    choose(page, "Outcome", "reached")
    page.get_by_label("Note", exact=True).first.fill(note)
    page.get_by_role("button", name="Log the call").first.click()


def logged_call(seeded_url: str, note: str) -> Interaction:
    """The stored call with ``note``, once the app has written it."""
    engine = open_database(seeded_url)
    try:
        deadline = time.monotonic() + 15
        while True:
            calls = open_debtor(engine, DEBTOR, k=0, actor=ADMIN).map.interactions
            if found := [i for i in calls if i.note == note]:
                return found[-1]
            assert time.monotonic() < deadline, f"no call with the note {note!r} was logged"
            time.sleep(0.3)
    finally:
        engine.dispose()


def pick_wu_fang_on_the_map(page, app_url: str) -> None:
    page.goto(f"{app_url}/map")
    choose_debtor(page, DEBTOR)
    choose(page, PICK, "吴芳")
    sync_api.expect(page.get_by_role("heading", name="吴芳", exact=True)).to_be_visible(
        timeout=15_000
    )
    sync_api.expect(picker(page, WHO)).to_have_value(WU_FANG)


def test_map_route_map_keeps_the_person_and_logs_the_call_against_them(page, app_url, seeded_url):
    pick_wu_fang_on_the_map(page, app_url)
    go_to(page, "Route")
    # Every step shows the numbers to dial as links (item 8).
    sync_api.expect(page.locator('a[href^="tel:+86"]').first).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "call-person-route.png"), full_page=True)
    go_to(page, "Map")

    sync_api.expect(page.get_by_role("heading", name="吴芳", exact=True)).to_be_visible()
    sync_api.expect(picker(page, WHO)).to_have_value(WU_FANG)  # not 孙立新, the first
    # Her number on the card is a link to dial it (item 8): Streamlit keeps tel: links.
    card_number = page.locator('a[href="tel:+8676922385617"]')
    sync_api.expect(card_number.first).to_have_text("0769 2238 5617")
    page.screenshot(path=str(ARTIFACTS / "call-person-map.png"), full_page=True)

    log_note(page, "map: 会计说月底付")
    assert logged_call(seeded_url, "map: 会计说月底付").contact == "wu_fang"
    assert page.outside_requests == [] and page.dialogs == []


def test_log_call_route_log_call_keeps_the_person_or_asks(page, app_url, seeded_url):
    # Nothing chosen yet in this session: the form asks instead of offering someone.
    page.goto(f"{app_url}/log_call")
    choose_debtor(page, DEBTOR)
    sync_api.expect(picker(page, WHO)).to_have_attribute("placeholder", "Choose…", timeout=15_000)
    sync_api.expect(picker(page, WHO)).to_have_value("")

    pick_wu_fang_on_the_map(page, app_url)
    go_to(page, "Log a call")
    sync_api.expect(picker(page, WHO)).to_have_value(WU_FANG)
    go_to(page, "Route")
    go_to(page, "Log a call")

    sync_api.expect(picker(page, WHO)).to_have_value(WU_FANG)  # not 孙立新, the first
    page.screenshot(path=str(ARTIFACTS / "call-person-log-call.png"), full_page=True)

    log_note(page, "log page: 会计说老板出差")
    assert logged_call(seeded_url, "log page: 会计说老板出差").contact == "wu_fang"
    assert page.outside_requests == [] and page.dialogs == []
