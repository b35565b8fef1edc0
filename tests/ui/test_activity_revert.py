"""The Activity page's "Revert" button under AppTest, on a seeded real SQLite file: it
puts an edit's values back and the feed then shows the revert; a field changed again
since is refused on the page, in the reader's language, with nothing written; a viewer
is offered no button."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from orgmap.domain.access import Actor, Role
from orgmap.domain.contact_draft import ContactDraft
from orgmap.domain.model import Department
from orgmap.services import contacts
from tests.services.test_write_authorization import counts, history
from tests.ui.apptest_helpers import SeededDb, assert_clean
from tests.ui.test_activity_page import _page, _rows, _teams

ADMIN = Actor("boss-admin", Role.ADMIN)


def _edit_sales(db: SeededDb, **typed) -> int:
    """Edit contact ``sales`` as an admin; the edit's history entry id."""
    draft = ContactDraft(key="sales", name="销售刘经理", department=Department.SALES, **typed)
    contacts.edit_contact(
        db.engine,
        debtor_key="acme",
        draft=draft,
        actor=ADMIN,
        expected_version=None,
        region="CN",
    )
    entry = history(db.engine)[-1]
    assert entry.action == "edit" and entry.id is not None
    return entry.id


def _title(db: SeededDb) -> str:
    return next(c.title for c in db.map().contacts if c.key == "sales")


def _revert_button(at: AppTest, entry_id: int):
    return at.button(key=f"activity_revert_{entry_id}")


def test_revert_puts_the_edit_back_and_the_feed_shows_it(db: SeededDb):
    entry_id = _edit_sales(db, title="总监")
    at = _page()
    button = _revert_button(at, entry_id)
    assert button.label == "Revert"

    button.click().run()
    assert_clean(at)

    assert _title(db) == ""
    assert history(db.engine)[-1].action == "revert"
    newest = _rows(at)[0]
    assert (newest["What"], newest["Record"], newest["Key"]) == ("reverted", "contact", "sales")
    assert newest["By"] == "tester"  # the logged-in user is the author
    assert any("Reverted the edit of sales" in s.value for s in at.success)


def test_the_button_reads_in_chinese(db: SeededDb):
    entry_id = _edit_sales(db, title="总监")
    assert _revert_button(_page(lang="zh-CN"), entry_id).label == "撤销此修改"


def test_a_field_changed_again_since_is_refused_on_the_page_and_nothing_written(db: SeededDb):
    first = _edit_sales(db, title="A")
    _edit_sales(db, title="B")
    at = _page(lang="zh-CN")
    before = counts(db.engine)  # after logging in, which writes rows of its own

    _revert_button(at, first).click().run()
    assert_clean(at)

    errors = " ".join(e.value for e in at.error)
    assert "无法撤销" in errors and "title" in errors
    assert counts(db.engine) == before and _title(db) == "B"


def test_a_viewer_is_offered_no_revert_button(db: SeededDb, monkeypatch):
    north, _ = _teams(db)
    entry_id = _edit_sales(db, title="总监")
    at = _page(actor=Actor("zhao", Role.VIEWER, north), monkeypatch=monkeypatch)
    assert _rows(at)  # the feed is shown
    assert not [b for b in at.button if b.key == f"activity_revert_{entry_id}"]
    assert not [b for b in at.button if (b.key or "").startswith("activity_revert_")]


def test_only_edits_get_a_button(db: SeededDb):
    entry_id = _edit_sales(db, title="总监")
    contacts.archive_contact(db.engine, debtor_key="acme", contact_key="desk", actor=ADMIN)
    archived = history(db.engine)[-1]
    at = _page()
    keys = {b.key for b in at.button}
    assert f"activity_revert_{entry_id}" in keys
    assert f"activity_revert_{archived.id}" not in keys
