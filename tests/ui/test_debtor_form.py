"""The new-debtor form needs no invented key and reads amounts as collectors type them
(issue 11), driven under AppTest on a seeded real SQLite file."""

from __future__ import annotations

from decimal import Decimal

from streamlit.testing.v1 import AppTest

from orgmap.domain.access import Actor, Role
from orgmap.services.transfer import export_json
from tests.ui.apptest_helpers import SeededDb, assert_clean, texts

#: Who the tests act as where who acts does not matter: an administrator.
ADMIN = Actor("t", Role.ADMIN)

FORM = "debtor_new"


def submit(at: AppTest) -> None:
    next(b for b in at.form_submit_button if b.form_id == FORM).click().run()


def test_a_debtor_is_created_with_a_blank_key_and_the_key_is_shown(app: AppTest, db: SeededDb):
    assert app.text_input(key=f"{FORM}_key").placeholder == "Blank: made from the name"
    app.text_input(key=f"{FORM}_name").input("东莞市长安福满包装制品厂")
    app.text_input(key=f"{FORM}_amount").input("12.8万")
    submit(app)
    assert_clean(app)
    key = "dongguanshi-changan-fuman-baozhuang"
    debtor = db.map(key).debtor
    assert (debtor.name, debtor.amount_owed) == ("东莞市长安福满包装制品厂", Decimal("128000.00"))
    # The new debtor is the current one, and its form shows the key that was made.
    assert app.selectbox(key="debtor").value == key
    assert app.text_input(key=f"debtor_edit_{key}_key").value == key
    assert "Created 东莞市长安福满包装制品厂." in texts(app)
    # The form is empty again, ready for the next one.
    assert app.text_input(key=f"{FORM}_name").value == ""


def test_a_malformed_amount_is_refused_in_the_reader_s_language(app: AppTest, db: SeededDb):
    app.radio(key="lang").set_value("zh-CN").run()
    app.text_input(key=f"{FORM}_name").input("恒达机电")
    app.text_input(key=f"{FORM}_amount").input("12.8.1万")
    submit(app)
    assert_clean(app)
    assert "欠款金额无法识别为金额：'12.8.1万'" in texts(app)
    assert "恒达机电" not in export_json(db.engine, actor=ADMIN)
