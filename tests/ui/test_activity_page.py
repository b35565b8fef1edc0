"""The Activity page under AppTest, run as its own script on a seeded real SQLite file:
the debtor's history newest first, a page at a time, recorded text shown as text,
phone numbers masked for a viewer, another team's debtor "not found"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from orgmap.domain.access import Actor, Role
from orgmap.store import transaction
from orgmap.store.history import record
from tests.ui.apptest_helpers import HOSTILE, ROOT, SeededDb, assert_clean, texts

PAGE = ROOT / "orgmap" / "ui" / "pages" / "activity.py"
KEY = "acme"
START = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)  # 09:00 in Asia/Shanghai


def _record(db: SeededDb, entries: list[dict]) -> None:
    with transaction(db.engine) as connection:
        debtor_id = connection.execute(
            sa.text("SELECT id FROM debtor WHERE key = :k"), {"k": KEY}
        ).scalar_one()
        for entry in entries:
            record(connection, debtor_id=debtor_id, **entry)


def _edit(n: int, **extra) -> dict:
    return {
        "by": f"wang{n}",
        "action": "edit",
        "entity": "contact",
        "key": "desk",
        "before": {"title": f"t{n}"},
        "after": {"title": f"t{n + 1}"},
        "at": START + timedelta(minutes=n),
        **extra,
    }


def _page(*, lang: str = "en", actor: Actor | None = None, monkeypatch=None) -> AppTest:
    if actor is not None:
        monkeypatch.setattr("orgmap.ui.state.actor", lambda: actor)
    at = AppTest.from_file(str(PAGE), default_timeout=30)
    at.session_state["debtor"] = KEY
    at.session_state["lang"] = lang
    at.run()
    assert_clean(at)
    return at


def _seeded_rows(db: SeededDb) -> int:
    """How many entries the debtor has (seeding it records its import)."""
    with db.engine.connect() as connection:
        query = sa.text(
            "SELECT count(*) FROM history h JOIN debtor d ON d.id = h.debtor_id WHERE d.key = :k"
        )
        return connection.execute(query, {"k": KEY}).scalar_one()


def _quiet_debtor(db: SeededDb, key: str) -> None:
    """A copy of the seeded debtor's own row under ``key``, written behind the services'
    back so that it has no history at all."""
    from orgmap.store.tables import debtor_table

    with transaction(db.engine) as connection:
        row = (
            connection.execute(sa.select(debtor_table).where(debtor_table.c.key == KEY))
            .mappings()
            .one()
        )
        copy = {**row, "key": key}
        copy.pop("id")
        connection.execute(sa.insert(debtor_table).values(copy))


def _rows(at: AppTest) -> list[dict]:
    return at.dataframe[0].value.to_dict("records")


def _paging(at: AppTest) -> list[str]:
    """The keys of the page-turning buttons (each revertible edit has its own "Revert")."""
    return [b.key for b in at.button if b.key in {"activity_newer", "activity_older"}]


def test_entries_show_newest_first_with_words_not_codes_and_text_as_text(db: SeededDb):
    _record(
        db,
        [
            {
                "by": HOSTILE,
                "action": "create",
                "entity": "call",
                "key": "f" * 64,
                "before": None,
                "after": {"contact": "desk", "outcome": "reached", "note": HOSTILE},
                "at": START,
            },
            _edit(1, after={"title": "**bold** [x](javascript:alert(1))"}),
        ],
    )
    at = _page()
    assert at.title[0].value == "Activity"
    rows = _rows(at)
    assert len(rows) == _seeded_rows(db)
    assert [r["By"] for r in rows[:2]] == ["wang1", HOSTILE]  # newest first; plain text
    assert rows[0] == {
        "When": "2026-11-30 09:01",
        "By": "wang1",
        "What": "edited",
        "Record": "contact",
        "Key": "desk",
        "Changes": "title: t1 → **bold** [x](javascript:alert(1))",
    }
    assert rows[1]["What"] == "created" and rows[1]["Record"] == "call"
    assert rows[1]["Changes"].splitlines() == [
        "contact: desk",
        "outcome: reached",
        f"note: {HOSTILE}",
    ]
    assert not at.markdown or all(HOSTILE not in m.value for m in at.markdown)
    assert "Page 1, newest first" in texts(at)
    assert not _paging(at)  # one page: neither newer nor older


def test_the_page_reads_in_chinese(db: SeededDb):
    _record(db, [_edit(1, before={"disposition": "fox"}, after={"disposition": "sheep"})])
    at = _page(lang="zh-CN")
    assert at.title[0].value == "动态"
    row = _rows(at)[0]
    assert set(row) == {"时间", "记录人", "操作", "记录", "编号", "变更"}
    assert (row["操作"], row["记录"]) == ("修改", "联系人")
    assert row["变更"].startswith("性格类型: ") and "fox" not in row["变更"]


def test_the_feed_pages_fifty_at_a_time(db: SeededDb):
    seeded = _seeded_rows(db)
    assert seeded <= 30  # so that three pages hold everything
    _record(db, [_edit(n) for n in range(120)])
    at = _page()
    assert [r["By"] for r in _rows(at)] == [f"wang{n}" for n in range(119, 69, -1)]
    assert _paging(at) == ["activity_older"]
    at.button(key="activity_older").click().run()
    assert_clean(at)
    assert [r["By"] for r in _rows(at)] == [f"wang{n}" for n in range(69, 19, -1)]
    assert set(_paging(at)) == {"activity_older", "activity_newer"}
    at.button(key="activity_older").click().run()
    last = _rows(at)
    assert [r["By"] for r in last[:20]] == [f"wang{n}" for n in range(19, -1, -1)]
    assert len(last) == 20 + seeded
    assert _paging(at) == ["activity_newer"]
    assert "Page 3, newest first" in texts(at)
    at.button(key="activity_newer").click().run()
    assert _rows(at)[0]["By"] == "wang69"


def _teams(db: SeededDb) -> tuple[int, int]:
    """Put the debtor in team North (through the services, as the CLI does); North's
    and South's ids."""
    from orgmap.domain.access import cli_actor
    from orgmap.services.accounts import add_team, assign_debtor, create_user

    admin = cli_actor("tester")
    north, south = (add_team(db.engine, actor=admin, name=n).id for n in ("North", "South"))
    create_user(
        db.engine,
        actor=admin,
        name="wang",
        password="glass tiger river 7",
        role="collector",
        team="North",
    )
    assign_debtor(db.engine, actor=admin, debtor_key=KEY, to_user="wang")
    return north, south


def test_a_viewer_sees_numbers_and_emails_masked(db: SeededDb, monkeypatch):
    north, _ = _teams(db)
    change = {"phones": ["+8613912345678"], "email": "wang@acme.cn", "notes": "13912345678 直线"}
    _record(db, [_edit(1, before=None, after=change, action="create")])
    admin = _rows(_page())[0]["Changes"]
    assert "+8613912345678" in admin and "wang@acme.cn" in admin
    viewer = Actor("zhao", Role.VIEWER, north)
    shown = _rows(_page(actor=viewer, monkeypatch=monkeypatch))[0]["Changes"]
    assert "139****5678" in shown and "w***@acme.cn" in shown
    assert "+8613912345678" not in shown and "wang@acme.cn" not in shown
    assert "13912345678 直线" in shown  # notes are shown as written


def test_another_teams_debtor_is_not_found_like_a_missing_one(db: SeededDb, monkeypatch):
    _, south = _teams(db)
    _record(db, [_edit(1)])
    outsider = Actor("li", Role.COLLECTOR, south)
    at = _page(actor=outsider, monkeypatch=monkeypatch)
    assert not at.dataframe
    hidden = [e.value for e in at.error]
    at = AppTest.from_file(str(PAGE), default_timeout=30)
    at.session_state["debtor"] = "no-such-debtor"
    at.session_state["lang"] = "en"
    at.run()
    assert_clean(at)
    assert (
        hidden
        == [e.value for e in at.error]
        == ["There is no such debtor, or it is not one of yours. Choose a debtor in the sidebar."]
    )


def test_no_debtor_and_no_history(db: SeededDb):
    at = AppTest.from_file(str(PAGE), default_timeout=30)
    at.session_state["lang"] = "en"
    at.run()
    assert_clean(at)
    assert "Choose a debtor in the sidebar first." in texts(at)
    _quiet_debtor(db, "quiet")
    at = AppTest.from_file(str(PAGE), default_timeout=30)
    at.session_state["debtor"] = "quiet"
    at.session_state["lang"] = "en"
    at.run()
    assert_clean(at)
    assert "Nothing recorded for this debtor yet." in texts(at)
    assert not at.dataframe


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_an_action_the_page_has_no_word_for_is_shown_as_recorded(db: SeededDb, lang):
    _record(db, [_edit(1, action="approve")])
    assert _rows(_page(lang=lang))[0][{"en": "What", "zh-CN": "操作"}[lang]] == "approve"


def test_records_read_as_a_collector_reads_them(db: SeededDb):
    relation = {"source": "desk", "target": "boss", "type": "refers_to", "archived": False}
    phones = [{"e164": "+862161234567", "extension": "801", "kind": "fixed_line"}]
    call = {"contact": "boss", "at": "2026-11-30T01:30:00+00:00", "outcome": "promised"}
    _record(
        db,
        [
            _edit(1, action="create", entity="relation", key="desk>boss:refers_to", before=None,
                  after=relation),
            _edit(2, before={"phones": []}, after={"phones": phones}),
            _edit(3, action="create", entity="call", key="ab" * 32, before=None, after=call),
        ],
    )  # fmt: skip
    new_call, phone, link = _rows(_page(lang="zh-CN"))[:3]
    assert link["编号"] == "desk → boss (引荐)"
    assert link["变更"].splitlines()[:3] == ["关系起点: desk", "关系终点: boss", "关系类型: 引荐"]
    assert phone["变更"] == "电话: — → +862161234567 ext. 801 (座机)"
    assert new_call["编号"] == "boss"  # the person called, not the call's fingerprint
    assert new_call["变更"].splitlines()[1] == "通话时间: 2026-11-30 09:30"
