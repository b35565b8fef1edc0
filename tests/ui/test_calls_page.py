"""The Calls page under AppTest, run as its own script on a seeded real SQLite file:
the calls as they stand, newest first; correct one, void one, see the history."""

from __future__ import annotations

from dataclasses import replace

import pytest
from streamlit.testing.v1 import AppTest

from orgmap.domain.access import Actor, Role
from orgmap.domain.calls import call_fingerprint, current_calls
from orgmap.domain.model import Outcome
from orgmap.services.corrections import CallChange, correct_call
from tests.factories import make_interaction
from tests.ui.apptest_helpers import (
    HOSTILE,
    ROOT,
    SeededDb,
    assert_clean,
    canonical_map,
    seed,
    texts,
)

PAGE = ROOT / "orgmap" / "ui" / "pages" / "calls.py"
KEY = "globex"
DESK = make_interaction("desk", note="没人接")
BOSS = make_interaction("boss", minutes=5, outcome=Outcome.REFUSED, note=HOSTILE)


@pytest.fixture
def page(db: SeededDb) -> AppTest:
    seed(db.engine, replace(canonical_map(KEY), interactions=(DESK, BOSS)))
    at = AppTest.from_file(str(PAGE), default_timeout=30)
    at.session_state["debtor"] = KEY
    at.run()
    assert_clean(at)
    return at


def _short(call) -> str:
    return call_fingerprint(call)[:16]


def test_the_calls_show_newest_first_with_actions_and_user_text_as_text(page: AppTest):
    assert page.title[0].value == "Calls"
    shown = texts(page)
    assert "2 calls, newest first" in shown
    assert shown.index("王总") < shown.index("小张")  # the boss was called later
    assert HOSTILE in [t.value for t in page.text]  # drawn as plain text, never as HTML
    assert {b.key for b in page.button} >= {
        f"calls_correct_{_short(DESK)}",
        f"calls_void_{_short(BOSS)}",
    }


def test_a_correction_is_saved_from_a_prefilled_form_and_the_history_shows_both(
    page: AppTest, db: SeededDb
):
    page.button(key=f"calls_correct_{_short(DESK)}").click().run()
    prefix = f"calls_fix_{_short(DESK)}"
    assert page.text_area(key=f"{prefix}_note").value == "没人接"
    assert page.selectbox(key=f"{prefix}_contact").value == "desk"
    page.selectbox(key=f"{prefix}_outcome").set_value(Outcome.REACHED)
    page.selectbox(key=f"{prefix}_contact").set_value("finance")
    page.text_area(key=f"{prefix}_note").input("其实是财务陈姐接的")
    page.button(key="FormSubmitter:" + f"{prefix}_form-Save the correction").click().run()
    assert_clean(page)
    assert "Corrected the call" in texts(page)
    stored = db.map(KEY).interactions
    [fixed] = [i for i in current_calls(stored) if i.corrects]
    assert (fixed.contact, fixed.outcome, fixed.note) == (
        "finance",
        Outcome.REACHED,
        "其实是财务陈姐接的",
    )
    assert fixed.at == DESK.at and fixed.by == "tester" and DESK in stored
    assert "History (2 records)" in [e.label for e in page.expander]
    assert "财务陈姐" in texts(page) and "corrected" in texts(page)


def test_a_voided_call_leaves_the_list(page: AppTest, db: SeededDb):
    page.button(key=f"calls_void_{_short(BOSS)}").click().run()
    page.text_input(key=f"calls_fix_{_short(BOSS)}_reason").input("记错了公司")
    page.button(
        key=f"FormSubmitter:calls_fix_{_short(BOSS)}_void_form-Void this call"
    ).click().run()
    assert_clean(page)
    assert "Voided the call" in texts(page)
    assert "1 calls, newest first" in texts(page)
    assert BOSS not in current_calls(db.map(KEY).interactions)


def test_a_call_corrected_meanwhile_by_a_colleague_is_refused_in_place(page: AppTest, db: SeededDb):
    page.button(key=f"calls_correct_{_short(DESK)}").click().run()
    prefix = f"calls_fix_{_short(DESK)}"
    correct_call(
        db.engine,
        debtor_key=KEY,
        original=call_fingerprint(DESK),
        change=CallChange(note="王先改了"),
        actor=Actor("wang", Role.ADMIN),
        region="CN",
    )
    page.text_area(key=f"{prefix}_note").input("我后改的")
    page.button(key="FormSubmitter:" + f"{prefix}_form-Save the correction").click().run()
    assert_clean(page)
    assert "Someone else corrected or voided this call" in texts(page)  # the form stays
    [error] = [e.value for e in page.error]
    assert "already corrected by wang" in error
    assert [i.note for i in current_calls(db.map(KEY).interactions) if i.contact == "desk"] == [
        "王先改了"
    ]


def test_nothing_changed_is_said_in_chinese(page: AppTest):
    page.session_state["lang"] = "zh-CN"
    page.run()
    assert page.title[0].value == "通话记录"
    page.button(key=f"calls_correct_{_short(DESK)}").click().run()
    prefix = f"calls_fix_{_short(DESK)}"
    page.button(key="FormSubmitter:" + f"{prefix}_form-保存更正").click().run()
    assert_clean(page)
    assert "没有任何改动" in page.error[0].value


def test_the_list_pages(db: SeededDb):
    many = tuple(make_interaction("desk", minutes=i, note=f"第{i}次") for i in range(23))
    seed(db.engine, replace(canonical_map(KEY), interactions=many))
    at = AppTest.from_file(str(PAGE), default_timeout=30)
    at.session_state["debtor"] = KEY
    at.run()
    assert "第22次" in texts(at) and "第2次" not in texts(at)
    at.number_input(key=f"calls_page_{KEY}").set_value(2).run()
    assert_clean(at)
    assert "第2次" in texts(at) and "第22次" not in texts(at)
