"""A viewer reads a debtor of their team but is offered no form to change it.

The services refuse a viewer's writes whatever the page does (tests/services/
test_write_authorization.py); the pages do not offer what would be refused.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from orgmap.domain.access import Role, cli_actor
from orgmap.services import accounts, login
from tests.ui.apptest_helpers import APP, SeededDb, add_user, assert_clean, open_page, texts

READ_ONLY = "You can read this debtor but not change it (a viewer account)."


@pytest.fixture
def viewer_app(db: SeededDb, cookie) -> AppTest:
    """Debtor ``acme`` handed to team North; ``zhao`` is North's viewer and logged in."""
    admin = cli_actor("test")
    accounts.add_team(db.engine, actor=admin, name="North")
    add_user(db.engine, "li", role=Role.COLLECTOR, team="North")
    zhao = add_user(db.engine, "zhao", role=Role.VIEWER, team="North")
    accounts.assign_debtor(db.engine, actor=admin, debtor_key="acme", to_user="li")
    cookie.token = login.start_session(db.engine, account=zhao)
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert_clean(at)
    at.selectbox(key="debtor").set_value("acme").run()
    return at


def test_log_a_call_offers_no_form_to_a_viewer(viewer_app: AppTest):
    page = open_page(viewer_app, "log_call")
    assert READ_ONLY in texts(page)
    assert not [b for b in page.button if b.label == "Log the call"]
    assert "Next step" in texts(page)  # the route is still shown


def test_calls_and_facts_cannot_be_changed_by_a_viewer(viewer_app: AppTest, db: SeededDb):
    page = open_page(viewer_app, "facts")
    assert all(b.disabled for b in page.button if b.label == "Save")
    page = open_page(viewer_app, "contacts")
    assert READ_ONLY in texts(page)


def test_a_collector_of_the_team_is_offered_the_form(db: SeededDb, cookie):
    admin = cli_actor("test")
    accounts.add_team(db.engine, actor=admin, name="North")
    li = add_user(db.engine, "li", role=Role.COLLECTOR, team="North")
    accounts.assign_debtor(db.engine, actor=admin, debtor_key="acme", to_user="li")
    cookie.token = login.start_session(db.engine, account=li)
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.selectbox(key="debtor").set_value("acme").run()
    page = open_page(at, "log_call")
    assert READ_ONLY not in texts(page)
    assert [b for b in page.button if b.label == "Log the call"]
