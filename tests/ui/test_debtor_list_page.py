"""The Debtors page at team scale, under AppTest: a page at a time, the database searching,
filtering and sorting, next steps worked out for the rows shown only, and the sidebar's
bounded debtor picker."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest
from streamlit.testing.v1 import AppTest

import orgmap.services.debtor_list
from orgmap.domain.access import Actor, Role
from orgmap.services.debtor_list import SortColumn
from orgmap.services.debtors import open_debtor, route_debtor
from orgmap.ui.components import debtor_selector
from tests.factories import make_map
from tests.ui.apptest_helpers import (
    APP,
    SeededDb,
    assert_clean,
    open_page,
    open_session,
    seed,
    texts,
)

#: Who the tests act as where who acts does not matter: an administrator.
ADMIN = Actor("t", Role.ADMIN)

#: Besides the fixture's "acme": 30 debtors, every other one the tester's.
TEAM = 30


@pytest.fixture
def routed(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Every debtor whose map the list reads (to route it), counted; the real reads still run."""
    seen: Counter[str] = Counter()

    def counting(engine, debtor_key, **kwargs):
        seen[debtor_key] += 1
        return open_debtor(engine, debtor_key, **kwargs)

    monkeypatch.setattr(orgmap.services.debtor_list, "open_debtor", counting)
    return seen


@pytest.fixture
def team(db: SeededDb) -> SeededDb:
    seed(
        db.engine,
        *(
            make_map(
                f"d{i:02d}",
                name=f"Company {i:02d}",
                amount_owed=Decimal(1000 * (i % 7)),
                assigned_to="tester" if i % 2 else "wang",
            )
            for i in range(TEAM)
        ),
    )
    return db


def open_list(db: SeededDb) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert_clean(at)
    return at


def shown_keys(at: AppTest) -> list[str]:
    return list(at.dataframe[0].value["Key"])


def test_the_first_page_routes_only_the_rows_it_shows(team: SeededDb, routed: Counter[str]):
    at = open_list(team)
    keys = shown_keys(at)
    assert keys == ["acme", *(f"d{i:02d}" for i in range(24))]
    assert "31 debtors · page 1 of 2" in texts(at)
    assert set(routed) == set(keys) and set(routed.values()) == {1}
    frame = at.dataframe[0].value
    best = (
        route_debtor(team.engine, debtor_key="d03", k=1, lang="en", actor=ADMIN).routes[0].steps[0]
    )
    assert frame[frame["Key"] == "d03"].iloc[0]["Next step"].startswith(best.name)

    at.run()  # a rerun routes no one again
    assert set(routed.values()) == {1}
    at.button(key="debtors_next").click().run()
    assert_clean(at)
    assert shown_keys(at) == [f"d{i:02d}" for i in range(24, TEAM)]
    assert sum(routed.values()) == 31 and set(routed.values()) == {1}


def test_paging_controls_move_between_pages_and_stop_at_the_ends(team: SeededDb):
    at = open_list(team)
    assert at.button(key="debtors_previous").disabled
    assert not at.button(key="debtors_next").disabled
    at.number_input(key="debtors_page").set_value(2).run()
    assert shown_keys(at)[0] == "d24" and at.button(key="debtors_next").disabled
    at.button(key="debtors_previous").click().run()
    assert shown_keys(at)[0] == "acme" and at.number_input(key="debtors_page").value == 1
    at.selectbox(key="debtors_page_size").set_value(50).run()
    assert len(shown_keys(at)) == 31 and "page 1 of 1" in texts(at)


def test_searching_goes_back_to_the_first_page(team: SeededDb):
    at = open_list(team)
    at.button(key="debtors_next").click().run()
    at.text_input(key="debtors_search").input("company 2").run()
    assert_clean(at)
    assert shown_keys(at) == [f"d{i}" for i in range(20, 30)]
    assert "10 debtors · page 1 of 1" in texts(at)


def test_my_cases_follow_the_logged_in_user(team: SeededDb, cookie):
    at = open_list(team)
    at.toggle(key="debtors_mine").set_value(True).run()
    assert shown_keys(at) == [f"d{i:02d}" for i in range(1, TEAM, 2)]  # ORGMAP_USER=tester
    cookie.token = open_session(team.engine, "wang")
    at.run()
    assert shown_keys(at) == [f"d{i:02d}" for i in range(0, TEAM, 2)]
    assert at.selectbox(key="debtors_collector").disabled


def test_the_list_is_as_it_was_left_after_another_page(team: SeededDb):
    at = open_list(team)
    at.toggle(key="debtors_mine").set_value(True).run()
    at.text_input(key="debtors_search").input("company 1").run()
    at.selectbox(key="debtors_page_size").set_value(50).run()
    before = shown_keys(at)
    assert before == ["d11", "d13", "d15", "d17", "d19"]
    open_page(at, "map")
    open_page(at, "debtors")
    assert shown_keys(at) == before and at.toggle(key="debtors_mine").value
    assert at.selectbox(key="debtors_page_size").value == 50


def test_filter_by_collector_and_amount_sorted_by_amount(team: SeededDb):
    at = open_list(team)
    assert at.selectbox(key="debtors_collector").options == ["Everyone", "li", "tester", "wang"]
    at.selectbox(key="debtors_collector").set_value("tester").run()
    at.number_input(key="debtors_min").set_value(5000.0).run()
    at.selectbox(key="debtors_sort").set_value(SortColumn.AMOUNT)
    at.toggle(key="debtors_desc").set_value(True).run()
    assert_clean(at)
    # Tester's odd-numbered debtors owing 5,000 or 6,000: amount first, then key.
    assert shown_keys(at) == ["d13", "d27", "d05", "d19"]


def test_the_sidebar_lists_a_bounded_few_and_keeps_the_debtor_chosen_on_the_list(
    team: SeededDb, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(debtor_selector, "FIRST", 5)
    at = open_list(team)
    picker = at.selectbox(key="debtor")
    assert picker.options == [
        f"{name} ({key})"
        for key, name in [("acme", "上海acme贸易有限公司")]
        + [(f"d{i:02d}", f"Company {i:02d}") for i in range(4)]
    ]
    assert "find any other on the Debtors page" in texts(at)
    # Clicking a row on the list's second page asks for that debtor (as _open_selected does).
    at.session_state["_orgmap_pending_debtor"] = "d27"
    at.run()
    assert at.selectbox(key="debtor").value == "d27"
    assert len(at.selectbox(key="debtor").options) == 6
    at.session_state["_orgmap_pending_debtor"] = "d12"
    at.run()
    assert at.selectbox(key="debtor").value == "d12"
    assert {"Company 27 (d27)", "Company 12 (d12)"} <= set(at.selectbox(key="debtor").options)
