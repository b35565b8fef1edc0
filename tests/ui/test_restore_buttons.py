"""The contacts page lists archived people and relations, each with a restore button."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from orgmap.domain.access import Actor, Role
from orgmap.domain.model import RelationType
from orgmap.services import contacts
from tests.ui.apptest_helpers import SeededDb, assert_clean, open_page, texts

ADMIN = Actor("admin", Role.ADMIN)


def test_restore_an_archived_contact_and_relation(app: AppTest, db: SeededDb):
    link = {"debtor_key": "acme", "source": "sales", "target": "finance"}
    contacts.archive_relation(db.engine, type=RelationType.PASSES_BUCK_TO, actor=ADMIN, **link)
    contacts.archive_contact(db.engine, debtor_key="acme", contact_key="desk", actor=ADMIN)
    app.selectbox(key="debtor").set_value("acme").run()
    open_page(app, "contacts")
    assert_clean(app)
    app.button(key="contacts_restore_desk").click().run()
    assert_clean(app)
    assert not db.map().contact("desk").archived
    assert "Restored" in texts(app)
    app.button(key="relations_restore_sales_finance_passes_buck_to").click().run()
    assert_clean(app)
    [back] = [r for r in db.map().relations if (r.source, r.target) == ("sales", "finance")]
    assert not back.archived


def test_the_restore_buttons_speak_chinese(app: AppTest, db: SeededDb):
    contacts.archive_contact(db.engine, debtor_key="acme", contact_key="desk", actor=ADMIN)
    app.radio(key="lang").set_value("zh-CN").run()
    app.selectbox(key="debtor").set_value("acme").run()
    open_page(app, "contacts")
    assert app.button(key="contacts_restore_desk").label == "恢复"
