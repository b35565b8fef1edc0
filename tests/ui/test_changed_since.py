"""Two people edit the same record: the second sees what the first changed, keeps their own
input, and can save it knowingly on top (issue 12, item 5)."""

from __future__ import annotations

from dataclasses import replace

from streamlit.testing.v1 import AppTest

from orgmap.domain.access import cli_actor
from orgmap.services.debtors import open_debtor, update_facts
from tests.ui.apptest_helpers import SeededDb, assert_clean, open_page, texts

FORM = "facts_acme"


def _facts_page(app: AppTest) -> AppTest:
    app.selectbox(key="debtor").set_value("acme").run()
    return open_page(app, "facts")


def _colleague_saves(db: SeededDb, **changes) -> None:
    view = open_debtor(db.engine, "acme", actor=cli_actor("wang"), k=0)
    update_facts(
        db.engine,
        debtor_key="acme",
        facts=replace(view.map.debtor.facts, **changes),
        actor=cli_actor("wang"),
        expected_version=view.versions.debtor,
        region="CN",
    )


def _save(page: AppTest) -> AppTest:
    next(b for b in page.button if b.label == "Save").click().run()
    assert_clean(page)
    return page


def _stored_reason(db: SeededDb) -> str:
    return open_debtor(db.engine, "acme", actor=cli_actor("t"), k=0).map.debtor.facts.reason_unpaid


def test_a_colleagues_save_is_shown_and_the_typed_input_kept(app: AppTest, db: SeededDb):
    page = _facts_page(app)
    before = _stored_reason(db)
    _colleague_saves(db, who_pays="财务李姐")  # while this form is open
    page.text_area(key=f"{FORM}_reason_unpaid").input("老板出差，没签字")
    _save(page)
    said = texts(page)
    # Refused, and it says what the colleague changed; the typed input is still there.
    assert "Nothing was saved" in said and _stored_reason(db) == before
    assert "Someone else saved this since you opened it" in said
    assert "Who pays (who handles it, who signs)?: — → 财务李姐" in said
    assert page.text_area(key=f"{FORM}_reason_unpaid").value == "老板出差，没签字"

    # The user puts their input on top of the colleague's version and saves it.
    page.button(key=f"{FORM}__rebase").click().run()
    assert_clean(page)
    assert "Someone else saved this" not in texts(page)
    _save(page)
    facts = open_debtor(db.engine, "acme", actor=cli_actor("t"), k=0).map.debtor.facts
    assert (facts.reason_unpaid, facts.who_pays) == ("老板出差，没签字", "财务李姐")


def test_no_notice_while_nobody_else_saved(app: AppTest, db: SeededDb):
    page = _facts_page(app)
    page.text_area(key=f"{FORM}_reason_unpaid").input("x").run()
    assert "Someone else saved this" not in texts(page)
