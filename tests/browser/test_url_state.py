"""The URL holds the state, in Chromium (issue 11, items 10 and 12).

Opens ``/map?debtor=KEY&lang=en`` directly on an app whose default language is
zh-CN, reloads, changes pages through the sidebar and checks the same view each
time; opens ``/debtors`` (once "Page not found"); follows a link naming no debtor;
and checks the zh-CN uploader shows no English of Streamlit's own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import parse_qs, urlparse

import pytest

from orgmap.services.database import open_database
from orgmap.services.transfer import load_demo
from orgmap.settings import load_settings
from tests.browser.app_server import ARTIFACTS, open_page, playwright_or_skip, serve

pytestmark = pytest.mark.browser

sync_api = playwright_or_skip()
expect = sync_api.expect

DEBTOR = "hengda-jidian"  # not the first debtor: a default could not pass for it
HENGDA = re.compile(r"\(hengda-jidian\)$")


@pytest.fixture(scope="module")
def app_url(tmp_path_factory) -> Iterator[str]:
    url = f"sqlite:///{tmp_path_factory.mktemp('url-state') / 'app.db'}"
    engine = open_database(url)
    load_demo(engine, settings=load_settings({"ORGMAP_DATABASE_URL": url}))
    engine.dispose()
    with serve(url, lang="zh-CN", log_name="streamlit-url-state") as base:
        yield base


@pytest.fixture
def page(app_url):
    with open_page(sync_api) as page:
        yield page


def query(page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def wait_for_url(page, path: str, debtor: str, lang: str) -> None:
    """The address bar shows ``path?debtor=…&lang=…`` (the app writes it after a run)."""
    page.wait_for_function(
        """([path, debtor, lang]) => {
            const u = new URL(location.href);
            return u.pathname.endsWith(path) && u.searchParams.get("debtor") === debtor
                && u.searchParams.get("lang") === lang;
        }""",
        arg=[path, debtor, lang],
        timeout=20_000,
    )


def debtor_box(page, label: str):
    return page.get_by_role("combobox", name=label).first


def test_a_link_opens_the_view_and_a_reload_keeps_it(page, app_url):
    page.goto(f"{app_url}/map?debtor={DEBTOR}&lang=en")
    expect(page.locator("h1").first).to_have_text("Map", timeout=30_000)
    expect(debtor_box(page, "Debtor")).to_have_value(HENGDA)
    wait_for_url(page, "/map", DEBTOR, "en")

    page.reload()
    expect(page.locator("h1").first).to_have_text("Map", timeout=30_000)
    expect(debtor_box(page, "Debtor")).to_have_value(HENGDA)  # not the first debtor
    wait_for_url(page, "/map", DEBTOR, "en")
    page.screenshot(path=str(ARTIFACTS / "url-state-map-reloaded.png"), full_page=True)

    # The sidebar's links clear the query string; the app writes it back.
    page.locator('[data-testid="stSidebarNav"] a', has_text="Route").first.click()
    expect(page.locator("h1").first).to_have_text("Route", timeout=15_000)
    wait_for_url(page, "/route", DEBTOR, "en")
    page.reload()
    expect(page.locator("h1").first).to_have_text("Route", timeout=30_000)
    expect(debtor_box(page, "Debtor")).to_have_value(HENGDA)
    assert page.outside_requests == [] and page.dialogs == []


def test_choosing_a_debtor_and_a_language_is_kept_by_a_reload(page, app_url):
    page.goto(f"{app_url}/debtors")  # once "Page not found": the first page has its path
    expect(page.locator("h1").first).to_have_text("债务人", timeout=30_000)
    expect(page.get_by_text("Page not found")).to_have_count(0)
    debtor_box(page, "债务人").click()
    page.keyboard.type(DEBTOR)
    page.keyboard.press("Enter")
    page.get_by_text("English", exact=True).click()
    expect(page.locator("h1").first).to_have_text("Debtors", timeout=15_000)
    wait_for_url(page, "/debtors", DEBTOR, "en")

    page.reload()
    expect(page.locator("h1").first).to_have_text("Debtors", timeout=30_000)
    expect(debtor_box(page, "Debtor")).to_have_value(HENGDA)


def test_the_root_url_opens_the_debtor_list_at_its_own_address(page, app_url):
    page.goto(f"{app_url}/?lang=en")
    expect(page.locator("h1").first).to_have_text("Debtors", timeout=30_000)
    page.wait_for_function("() => location.pathname.endsWith('/debtors')", timeout=20_000)
    assert query(page)["lang"] == ["en"] and query(page)["debtor"]


def test_a_link_naming_no_debtor_asks_for_one(page, app_url):
    hostile = "<img src=x onerror=alert(1)>"
    page.goto(f"{app_url}/map?debtor={hostile}&lang=en")
    expect(page.get_by_text("This link names no debtor we know")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Choose a debtor in the sidebar first.")).to_be_visible()
    expect(debtor_box(page, "Debtor")).to_have_value("")
    page.wait_for_function("() => !new URL(location.href).searchParams.has('debtor')")
    assert (
        page.dialogs == [] and page.evaluate("() => document.querySelector('img[src=x]')") is None
    )


def test_the_zh_cn_uploader_speaks_chinese(page, app_url):
    page.goto(f"{app_url}/transfer?lang=zh-CN")
    uploader = page.locator('[data-testid="stFileUploaderDropzone"]')
    expect(uploader).to_be_visible(timeout=30_000)
    expect(page.locator('[data-testid="stFileUploaderDropzoneInstructions"]')).to_be_hidden()
    label = uploader.locator('[data-testid="stMarkdownContainer"] p').first
    shown = label.evaluate("p => getComputedStyle(p, '::after').content")
    assert shown == '"选择文件"'
    assert label.evaluate("p => getComputedStyle(p).fontSize") == "0px"  # "Upload" unseen
    expect(page.get_by_text("把文件拖到下面的方框里")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "url-state-transfer-zh.png"), full_page=True)
