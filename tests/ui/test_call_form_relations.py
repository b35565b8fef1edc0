"""The call form records every relation a call reveals (issue 11, items 5, 12 and 13).

Who they referred us to (picked from the map or typed in, and whether that
person authorizes payment) and who they passed us to, in the same submit; in
zh-CN every word of the form is Chinese; one column and one wide button for a
thumb on a phone; Enter does not submit.
"""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from orgmap.domain.access import Actor, Role
from orgmap.domain.model import Department, Outcome, RelationType
from orgmap.services.debtors import open_debtor
from tests.ui.apptest_helpers import SeededDb, assert_clean, open_page, texts

#: Who the tests act as where who acts does not matter: an administrator.
ADMIN = Actor("t", Role.ADMIN)

FORM = "log_call"


def submit(at: AppTest) -> AppTest:
    next(b for b in at.form_submit_button if b.form_id == FORM).click().run()
    assert_clean(at)
    return at


def call(at: AppTest, who: str, outcome: Outcome, **fields) -> AppTest:
    """Fill the Log a call form: ``fields`` are widget names after ``log_call_``."""
    at.selectbox(key=f"{FORM}_contact").set_value(who)
    at.selectbox(key=f"{FORM}_outcome").set_value(outcome)
    for name, value in fields.items():
        if name.endswith(("_pick", "_department")):
            at.selectbox(key=f"{FORM}_{name}").set_value(value)
        elif name.endswith("_authorizes"):
            at.checkbox(key=f"{FORM}_{name}").check()
        else:
            at.text_input(key=f"{FORM}_{name}").input(value)
    return submit(at)


def relations_from(db: SeededDb, source: str) -> set[tuple[str, RelationType]]:
    return {(r.target, r.type) for r in db.map().relations if r.source == source}


def test_a_referral_to_someone_on_the_map_who_authorizes_payment(app: AppTest, db: SeededDb):
    open_page(app, "log_call")
    before = len(db.map().contacts)
    call(app, "desk", Outcome.REFERRED, ref_pick="finance", ref_authorizes=True)
    m = db.map()
    assert len(m.contacts) == before
    assert m.contact("finance").authorizes_payment
    assert ("finance", RelationType.REFERS_TO) in relations_from(db, "desk")
    assert m.interactions[-1].contact == "desk"
    assert "Logged the call with 小张." in texts(app)
    # The form is blank again for the next call: nothing picked, the box unticked.
    assert app.selectbox(key=f"{FORM}_ref_pick").value is None
    assert app.checkbox(key=f"{FORM}_ref_authorizes").value is False


def test_passed_on_to_someone_new_in_the_same_submit(app: AppTest, db: SeededDb):
    open_page(app, "log_call")
    call(
        app,
        "sales",
        Outcome.REFUSED,
        pass_name="采购孙",
        pass_department=Department.PURCHASING,
        pass_phone="139 1111 2222",
    )
    m = db.map()
    (sun,) = [c for c in m.contacts if c.name == "采购孙"]
    assert sun.department is Department.PURCHASING
    assert (sun.key, RelationType.PASSES_BUCK_TO) in relations_from(db, "sales")
    assert "Added 采购孙 to the map." in texts(app)


def test_a_typed_name_already_on_the_map_is_linked_not_added_twice(app: AppTest, db: SeededDb):
    open_page(app, "log_call")
    before = len(db.map().contacts)
    call(app, "desk", Outcome.REFERRED, ref_name="财务陈姐", ref_authorizes=True)
    m = db.map()
    assert len(m.contacts) == before and m.contact("finance").authorizes_payment
    assert "to the map" not in texts(app)


@pytest.mark.parametrize("prefix", ["ref", "pass"])
def test_picked_and_typed_at_once_is_asked_about_and_writes_nothing(
    app: AppTest, db: SeededDb, prefix: str
):
    open_page(app, "log_call")
    before = open_debtor(db.engine, "acme", k=0, actor=ADMIN)
    call(app, "desk", Outcome.REFERRED, **{f"{prefix}_pick": "finance", f"{prefix}_name": "李姐"})
    assert "pick someone on the map or type someone new, not both" in texts(app)
    after = open_debtor(db.engine, "acme", k=0, actor=ADMIN)
    assert after.map == before.map and after.versions == before.versions


def test_a_referral_to_the_caller_themselves_is_refused_in_chinese(app: AppTest, db: SeededDb):
    app.radio(key="lang").set_value("zh-CN").run()
    open_page(app, "log_call")
    before = len(db.map().interactions)
    call(app, "desk", Outcome.REFERRED, ref_pick="desk")
    assert "被引荐人" in texts(app)  # the field, named in Chinese
    assert len(db.map().interactions) == before


# --- zh-CN everywhere, and a phone-sized form ----------------------------------------------

#: Words that may show in zh-CN: contact keys in the picker's labels, the seed's company name.
ASCII_ALLOWED = {"desk", "sales", "finance", "boss", "acme"}


def widget_words(at: AppTest) -> set[str]:
    """ASCII words in every label, option and placeholder of the page's main area."""
    words: set[str] = set()

    def walk(node):
        children = getattr(node, "children", None)
        for child in children.values() if isinstance(children, dict) else ():
            yield child
            yield from walk(child)

    for element in walk(at.main):
        shown = [getattr(element, "label", None), getattr(element, "placeholder", None)]
        shown += [str(o) for o in getattr(element, "options", None) or ()]
        for text in shown:
            if text:
                words.update(re.findall(r"[A-Za-z_]{2,}", str(text)))
    return words


@pytest.mark.parametrize("page", ["log_call", "facts"])
def test_the_forms_speak_chinese_and_enter_does_not_submit(app: AppTest, page: str):
    app.radio(key="lang").set_value("zh-CN").run()
    open_page(app, page)
    assert widget_words(app) <= ASCII_ALLOWED, widget_words(app) - ASCII_ALLOWED
    shown = texts(app)
    assert "None" not in shown and not re.search(r"\b[a-z]+_[a-z_]+\b", shown)
    (form,) = app.get("form")
    # Without it Streamlit writes "Press Enter to submit form" under each field, in English.
    assert form.proto.form.enter_to_submit is False


def test_the_call_form_is_one_column_with_a_wide_button(app: AppTest):
    open_page(app, "log_call")
    assert not app.main.columns  # nothing side by side to squeeze on a phone
    (button,) = [b for b in app.form_submit_button if b.form_id == FORM]
    assert button.proto.type == "primary"
    assert app.get("form")[0].proto.width_config.use_stretch
