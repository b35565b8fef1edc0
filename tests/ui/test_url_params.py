"""The URL holds the state (issue 11, item 10): ``/PAGE?debtor=KEY&lang=en``.

A link or a refresh opens the same view; choosing a debtor or a language writes the
URL; changing pages (Streamlit clears the query string then) writes it back; a
debtor the link cannot name leaves nothing chosen, with one clear line.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from orgmap.domain.fields import KEY_MAX_CHARS
from orgmap.ui import state
from tests.ui.apptest_helpers import APP, HOSTILE, SeededDb, assert_clean, canonical_map, seed
from tests.ui.apptest_helpers import texts as page_texts

UNKNOWN_LINE = "This link names no debtor we know"


def opened(query: dict[str, str], page: str | None = None) -> AppTest:
    """A new session (a new tab, or F5) on ``page`` with the URL's ``query``."""
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params.update(query)
    at.run()
    if page:  # AppTest cannot open a path: the root redirects, then we go there
        at.switch_page(f"orgmap/ui/pages/{page}.py").run()
    assert_clean(at)
    return at


@pytest.fixture
def two(db: SeededDb) -> SeededDb:
    seed(db.engine, canonical_map("beta"))
    return db


def test_a_link_opens_its_debtor_and_language(two: SeededDb):
    at = opened({"debtor": "beta", "lang": "zh-CN"}, page="route")
    assert at.selectbox(key="debtor").value == "beta"
    assert at.radio(key="lang").value == "zh-CN"
    assert at.title[0].value == "催收路线"
    assert at.query_params == {"debtor": "beta", "lang": "zh-CN"}


def test_the_root_url_opens_the_debtor_list_and_writes_the_state_into_the_url(two: SeededDb):
    at = opened({})
    assert at.title[0].value == "Debtors"
    assert at.query_params == {"debtor": "acme", "lang": "en"}  # the first debtor, by key


def test_choosing_a_debtor_or_a_language_updates_the_url_and_the_old_url_does_not_win(
    two: SeededDb,
):
    at = opened({"debtor": "acme", "lang": "en"}, page="map")
    at.selectbox(key="debtor").set_value("beta").run()
    assert at.query_params["debtor"] == "beta"
    at.radio(key="lang").set_value("zh-CN").run()
    assert at.query_params == {"debtor": "beta", "lang": "zh-CN"}
    at.run()  # a rerun with the URL as it now is keeps the choice
    assert at.selectbox(key="debtor").value == "beta" and at.radio(key="lang").value == "zh-CN"


def test_changing_pages_keeps_debtor_and_language_in_the_url(two: SeededDb):
    at = opened({"debtor": "beta", "lang": "en"})
    for page in ("map", "route", "contacts", "transfer", "debtors"):
        at.query_params.clear()  # what the browser sends after a sidebar link
        at.switch_page(f"orgmap/ui/pages/{page}.py").run()
        assert_clean(at)
        assert at.query_params == {"debtor": "beta", "lang": "en"}, page
        assert at.selectbox(key="debtor").value == "beta"


def test_a_refresh_keeps_the_view(two: SeededDb):
    first = opened({}, page="contacts")
    first.selectbox(key="debtor").set_value("beta").run()
    first.radio(key="lang").set_value("zh-CN").run()
    again = opened(dict(first.query_params), page="contacts")  # F5: a new session
    assert again.selectbox(key="debtor").value == "beta"
    assert again.radio(key="lang").value == "zh-CN"
    assert again.title[0].value == first.title[0].value == "联系人与关系"


def test_a_page_asking_for_a_debtor_still_wins_over_the_url(two: SeededDb):
    at = opened({"debtor": "acme", "lang": "en"}, page="search")
    at.text_input(key="search_text").input("beta").run()
    hit = next(b for b in at.button if b.key and b.key.startswith("search_open_beta"))
    hit.click().run()
    assert_clean(at)
    assert at.selectbox(key="debtor").value == "beta"
    assert at.query_params["debtor"] == "beta"


@pytest.mark.parametrize(
    "value",
    [
        "nobody-here",  # a key, but no debtor has it
        HOSTILE,
        "acme\u202e",  # an invisible override after a real key
        "ACME",
        "x" * 10_000,
        "",
        "../../etc/passwd",
        "acme' OR '1'='1",
    ],
)
def test_a_link_naming_no_debtor_asks_for_one_with_one_clear_line(two: SeededDb, value: str):
    at = opened({"debtor": value, "lang": "en"}, page="contacts")
    assert at.selectbox(key="debtor").value is None
    assert [w.value for w in at.warning if UNKNOWN_LINE in w.value] != []
    assert "Choose a debtor in the sidebar first." in page_texts(at)
    assert "debtor" not in at.query_params  # the bad value is not kept in the URL
    assert HOSTILE not in page_texts(at) and "x" * 100 not in page_texts(at)
    at.selectbox(key="debtor").set_value("beta").run()  # and the collector carries on
    assert_clean(at)
    assert at.query_params["debtor"] == "beta"
    assert not [w for w in at.warning if UNKNOWN_LINE in w.value]


def test_a_link_naming_no_debtor_says_so_in_chinese(two: SeededDb):
    at = opened({"debtor": "nobody-here", "lang": "zh-CN"})
    assert any("链接里的债务人不存在" in w.value for w in at.warning)
    assert at.selectbox(key="debtor").value is None


def test_an_unknown_language_in_the_link_is_ignored_and_corrected(two: SeededDb):
    at = opened({"debtor": "beta", "lang": "<b>xx</b>"})
    assert at.radio(key="lang").value == "en"  # ORGMAP_LANG in the test settings
    assert at.query_params == {"debtor": "beta", "lang": "en"}


def test_other_query_parameters_are_left_alone(two: SeededDb):
    at = opened({"debtor": "beta", "embed_options": "light_theme"})
    assert at.query_params == {"debtor": "beta", "lang": "en", "embed_options": "light_theme"}


@given(st.text(max_size=KEY_MAX_CHARS + 5))
def test_a_link_debtor_is_a_checked_key_or_nothing(value: str):
    key = state.link_debtor(value)
    assert key is None or (key == value.strip() and key.isascii() and 0 < len(key) <= 64)


@given(st.text(max_size=20))
def test_a_link_language_is_one_of_ours_or_nothing(value: str):
    assert state.link_language(value) in (None, "en", "zh-CN")
