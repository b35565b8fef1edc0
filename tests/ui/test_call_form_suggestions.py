"""The call note becomes ticked suggestions in the call form (issue 13, item 2).

"Suggest from the note" reads the note as typed for the person chosen; one press
puts the ticked lines into the form's fields, where they stay editable; the form's
one submit logs them with the call.  Nothing is written before that submit, an
unticked line never reaches a field, what a call cannot carry is shown and said to
be unsaved, and the note's text is shown as text.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from streamlit.testing.v1 import AppTest

from orgmap.domain.model import DebtorMap, Department, Outcome, RelationType
from orgmap.domain.notes import extract
from orgmap.ui.components.note_suggestions import Line, _outcomes
from tests.factories import classic_contacts, make_map, make_phone
from tests.ui.apptest_helpers import SeededDb, assert_clean, open_page, seed, texts
from tests.ui.test_zh_cn_everywhere import ALLOWED_WORDS, leaks

FORM = "log_call"
#: The issue's note, said by the receptionist 小王 of "shop".
NOTE = "前台小王说付款找财务李姐，手机13812345678，她月底前先付5万"


def shop() -> DebtorMap:
    """The classic company with 小王 at the front desk, a boss not yet known to authorize,
    and nobody with 李姐's number."""
    desk, sales, finance, boss = classic_contacts()
    return make_map(
        "shop",
        contacts=(
            replace(desk, name="小王"),
            sales,
            finance,
            replace(boss, authorizes_payment=False, phones=(make_phone("+8613900002222"),)),
        ),
    )


@pytest.fixture
def at_shop(app: AppTest, db: SeededDb) -> AppTest:
    seed(db.engine, shop())
    app.run()
    app.selectbox(key="debtor").set_value("shop").run()
    open_page(app, "log_call")
    return app


def suggest(at: AppTest, note: str, who: str = "desk") -> AppTest:
    """Choose ``who``, type ``note`` and press "Suggest from the note" (one run, as in a
    browser: the person and the note travel with the press)."""
    at.selectbox(key=f"{FORM}_contact").set_value(who)
    at.text_input(key=f"{FORM}_note").input(note)
    at.button(key=f"{FORM}_suggest").click().run()
    assert_clean(at)
    return at


def use(at: AppTest, *, untick: tuple[str, ...] = ()) -> AppTest:
    """Untick the lines of ``untick`` and press "Put the ticked ones into the form"."""
    for kind in untick:
        at.checkbox(key=f"{FORM}_suggest_{kind}").uncheck()
    at.button(key=f"{FORM}_suggest_use").click().run()
    assert_clean(at)
    return at


def submit(at: AppTest) -> AppTest:
    next(b for b in at.form_submit_button if b.form_id == FORM).click().run()
    assert_clean(at)
    return at


def field(at: AppTest, name: str):
    return at.session_state[f"{FORM}_{name}"]


def ticks(at: AppTest) -> dict[str, bool]:
    prefix = f"{FORM}_suggest_"
    return {c.key.removeprefix(prefix): c.value for c in at.checkbox if c.key.startswith(prefix)}


def counts(db: SeededDb, key: str = "shop") -> tuple[int, int, int]:
    m = db.map(key)
    return len(m.contacts), len(m.relations), len(m.interactions)


def assert_li_referred_by_desk(m: DebtorMap) -> None:
    """李姐 is on the map, in finance with her mobile, referred to by the desk."""
    (li,) = [c for c in m.contacts if c.name == "李姐"]
    assert li.department is Department.FINANCE
    assert [p.e164 for p in li.phones] == ["+8613812345678"]
    assert ("desk", li.key, RelationType.REFERS_TO) in {
        (r.source, r.target, r.type) for r in m.relations
    }


def end_of_month_said(note: str, m: DebtorMap):
    """The date the extractor reads from "月底" today, checked to be a month's last day."""
    found = extract(note, called="desk", m=m, at=datetime.now(UTC))
    assert found.promise is not None and found.promise.date is not None
    by = found.promise.date
    assert by.day == calendar.monthrange(by.year, by.month)[1]
    return by


# --- the lines offered -------------------------------------------------------------------


def test_the_issue_note_offers_ticked_lines_with_their_words(at_shop: AppTest, db: SeededDb):
    before = counts(db)
    suggest(at_shop, NOTE)
    assert ticks(at_shop) == {"referral": True, "promise": True}
    labels = {c.key: c.label for c in at_shop.checkbox}
    referral = labels[f"{FORM}_suggest_referral"]
    assert "李姐 · finance · " in referral and "138 1234 5678" in referral
    assert "not on the map yet" in referral
    promise = labels[f"{FORM}_suggest_promise"]
    by = end_of_month_said(NOTE, shop())
    assert "50,000\\.00 CNY" in promise and by.isoformat() in promise
    shown = texts(at_shop)
    assert "From the note: “付款找财务李姐，手机13812345678”" in shown
    assert "From the note: “月底前先付5万”" in shown
    # A referral and a promise go together (the call is "promised"): no clash to warn of.
    assert all("one outcome" not in w.value for w in at_shop.warning)
    assert counts(db) == before  # reading the note writes nothing


def test_a_ticked_referral_is_logged_with_the_call_and_an_unticked_promise_is_not(
    at_shop: AppTest, db: SeededDb
):
    before = counts(db)
    use(suggest(at_shop, NOTE), untick=("promise",))
    assert field(at_shop, "outcome") == Outcome.REFERRED
    assert (field(at_shop, "ref_name"), field(at_shop, "ref_department")) == (
        "李姐",
        Department.FINANCE,
    )
    assert field(at_shop, "ref_phone") == "138 1234 5678"
    assert field(at_shop, "amount") == "" and field(at_shop, "promise_date") is None
    assert "Filled in the form below (1 ticked)" in texts(at_shop)
    assert counts(db) == before  # still nothing written: the submit logs it
    submit(at_shop)

    m = db.map("shop")
    assert_li_referred_by_desk(m)
    call = m.interactions[-1]
    assert (call.contact, call.outcome, call.note) == ("desk", Outcome.REFERRED, NOTE)
    assert call.promise_amount is None and call.promise_date is None
    assert counts(db) == (before[0] + 1, before[1] + 1, before[2] + 1)
    # Ready for the next call: the lines are gone, the form blank.
    assert not ticks(at_shop) and field(at_shop, "ref_name") == ""


def test_a_ticked_promise_is_logged_and_an_unticked_referral_adds_nobody(
    at_shop: AppTest, db: SeededDb
):
    before = counts(db)
    use(suggest(at_shop, NOTE), untick=("referral",))
    by = end_of_month_said(NOTE, shop())
    assert field(at_shop, "outcome") == Outcome.PROMISED
    assert (field(at_shop, "amount"), field(at_shop, "promise_date")) == ("50000", by)
    assert field(at_shop, "ref_name") == "" and field(at_shop, "ref_pick") is None
    submit(at_shop)

    m = db.map("shop")
    call = m.interactions[-1]
    assert (call.outcome, call.promise_amount, call.promise_date) == (
        Outcome.PROMISED,
        Decimal("50000.00"),
        by,
    )
    assert counts(db) == (before[0], before[1], before[2] + 1)
    assert all(c.name != "李姐" for c in m.contacts)


def test_the_issue_note_ticked_whole_logs_the_referral_and_the_promise_with_the_call(
    at_shop: AppTest, db: SeededDb
):
    """The issue's example: one submit stores the call, the new contact 李姐 (finance,
    her mobile) the receptionist referred us to, and the promise of 5万 by the month's end."""
    before = counts(db)
    use(suggest(at_shop, NOTE))  # both ticked
    by = end_of_month_said(NOTE, shop())
    assert field(at_shop, "outcome") == Outcome.PROMISED
    assert (field(at_shop, "ref_name"), field(at_shop, "ref_phone")) == ("李姐", "138 1234 5678")
    assert (field(at_shop, "amount"), field(at_shop, "promise_date")) == ("50000", by)
    assert counts(db) == before  # nothing written before the submit
    submit(at_shop)

    m = db.map("shop")
    assert_li_referred_by_desk(m)
    call = m.interactions[-1]
    assert (call.contact, call.outcome, call.promise_amount, call.promise_date) == (
        "desk",
        Outcome.PROMISED,
        Decimal("50000.00"),
        by,
    )
    assert counts(db) == (before[0] + 1, before[1] + 1, before[2] + 1)


CLASH = "打了三次没人接，李姐说月底付5万"  # no answer, and a promise: not one call's outcome


def test_lines_that_need_two_outcomes_fill_nothing(at_shop: AppTest, db: SeededDb):
    before = counts(db)
    suggest(at_shop, CLASH)
    clash = "A call is logged with one outcome, and the ticked lines need no answer / promised"
    assert any(w.value.startswith(clash) for w in at_shop.warning)  # said before anything is used
    use(at_shop)  # both still ticked
    assert any(e.value.startswith(clash) for e in at_shop.error)
    assert at_shop.error  # said as a refusal now, not a hint
    assert field(at_shop, "outcome") is None and field(at_shop, "amount") == ""
    assert ticks(at_shop) == {"outcome": True, "promise": True}  # still there to untick
    assert counts(db) == before


def test_a_value_edited_after_use_is_the_one_logged(at_shop: AppTest, db: SeededDb):
    use(suggest(at_shop, NOTE), untick=("referral",))
    at_shop.text_input(key=f"{FORM}_amount").input("4万")
    submit(at_shop)
    assert db.map("shop").interactions[-1].promise_amount == Decimal("40000.00")

    use(suggest(at_shop, NOTE), untick=("promise",))
    at_shop.text_input(key=f"{FORM}_ref_name").input("李会计")
    submit(at_shop)
    m = db.map("shop")
    assert any(c.name == "李会计" for c in m.contacts)
    assert all(c.name != "李姐" for c in m.contacts)


def test_someone_on_the_map_is_picked_and_flagged_not_added(at_shop: AppTest, db: SeededDb):
    before = counts(db)
    suggest(at_shop, "前台说付款找王总，王总说了算")
    (label,) = [c.label for c in at_shop.checkbox if c.key.startswith(f"{FORM}_suggest_")]
    assert "王总 (on the map)" in label and "authorizes payment" in label
    use(at_shop)
    assert field(at_shop, "ref_pick") == "boss" and field(at_shop, "ref_authorizes") is True
    submit(at_shop)
    m = db.map("shop")
    assert len(m.contacts) == before[0] and m.contact("boss").authorizes_payment
    assert ("desk", "boss", RelationType.REFERS_TO) in {
        (r.source, r.target, r.type) for r in m.relations
    }


def test_passed_on_to_someone_new_with_an_extension_after_a_refusal(at_shop: AppTest, db: SeededDb):
    suggest(at_shop, "他拒绝付款，推给了采购孙经理 0755-12345678转801", who="sales")
    assert ticks(at_shop) == {"passed": True, "outcome": True}
    use(at_shop)
    assert field(at_shop, "outcome") == Outcome.REFUSED
    assert field(at_shop, "pass_department") == Department.PURCHASING
    submit(at_shop)
    m = db.map("shop")
    (sun,) = [c for c in m.contacts if c.name == "孙经理"]
    assert [(p.e164, p.extension) for p in sun.phones] == [("+8675512345678", "801")]
    assert ("sales", sun.key, RelationType.PASSES_BUCK_TO) in {
        (r.source, r.target, r.type) for r in m.relations
    }
    assert m.interactions[-1].outcome is Outcome.REFUSED


def test_passed_on_and_nothing_else_is_a_call_that_reached_someone(at_shop: AppTest, db: SeededDb):
    """Seen in the browser: "这事她管不了，推给采购部…" filled the person passed to but left the
    outcome empty, so the form refused to log the call until the collector chose one."""
    suggest(at_shop, "他说这事他管不了，推给了采购孙经理", who="sales")
    assert ticks(at_shop) == {"passed": True}
    use(at_shop)
    assert field(at_shop, "outcome") == Outcome.REACHED
    submit(at_shop)
    m = db.map("shop")
    (sun,) = [c for c in m.contacts if c.name == "孙经理"]
    assert ("sales", sun.key, RelationType.PASSES_BUCK_TO) in {
        (r.source, r.target, r.type) for r in m.relations
    }
    assert m.interactions[-1].outcome is Outcome.REACHED


def test_being_passed_on_gives_way_to_any_other_outcome():
    """A referral, a promise or a refusal ticked beside being passed on is the call's outcome,
    not a clash; a refusal and a promise still clash."""
    passed = Line("passed", "推给", outcome=Outcome.REACHED)
    for other in (Outcome.REFERRED, Outcome.PROMISED, Outcome.REFUSED):
        assert _outcomes([passed, Line("x", "", outcome=other)]) == {other}
    assert _outcomes([passed]) == {Outcome.REACHED}
    clash = [Line("x", "", outcome=Outcome.REFUSED), Line("y", "", outcome=Outcome.PROMISED)]
    assert len(_outcomes([passed, *clash])) == 2


def test_what_one_call_cannot_carry_is_shown_and_said_to_be_unsaved(at_shop: AppTest, db: SeededDb):
    before = counts(db)
    note = "小王说老板不在，让我找财务陈姐，她说找王总，王总是老板，明天下午三点再打"
    suggest(at_shop, note)
    assert set(ticks(at_shop)) == {"referral"}
    shown = texts(at_shop)
    assert "Not saved with the call (note it down yourself):" in shown
    assert "Call back at " in shown and "15:00" in shown
    assert "王总 authorizes payment" in shown
    use(at_shop)
    submit(at_shop)
    m = db.map("shop")
    assert not m.contact("boss").authorizes_payment  # said, shown, not saved
    # "财务陈姐" is on the map by that very name: the referral links her, no one is added
    assert counts(db) == (before[0], before[1] + 1, before[2] + 1)
    assert ("desk", "finance", RelationType.REFERS_TO) in {
        (r.source, r.target, r.type) for r in m.relations
    }


def test_a_call_with_someone_new_fills_the_new_person_too(app: AppTest, db: SeededDb):
    open_page(app, "log_call")  # acme: 小张 at the desk, so 小王 is someone new
    before = counts(db, "acme")
    suggest(app, "前台小王说付款找财务李姐，手机13711112222", who="\x00new")
    assert set(ticks(app)) == {"speaker", "referral"}
    use(app)
    assert (field(app, "new_name"), field(app, "new_department")) == ("小王", Department.RECEPTION)
    submit(app)
    m = db.map("acme")
    wang = next(c for c in m.contacts if c.name == "小王")
    li = next(c for c in m.contacts if c.name == "李姐")
    assert (wang.key, li.key, RelationType.REFERS_TO) in {
        (r.source, r.target, r.type) for r in m.relations
    }
    assert counts(db, "acme") == (before[0] + 2, before[1] + 1, before[2] + 1)


def test_lines_read_at_one_debtor_are_not_offered_at_another(at_shop: AppTest):
    suggest(at_shop, NOTE)
    at_shop.selectbox(key="debtor").set_value("acme").run()
    assert_clean(at_shop)
    assert not ticks(at_shop) and "From the note" not in texts(at_shop)


# --- notes that offer nothing ------------------------------------------------------------


def test_an_empty_note_says_there_is_nothing_to_read(at_shop: AppTest):
    suggest(at_shop, "   ")
    assert "The note is empty: nothing to suggest." in texts(at_shop)
    assert not ticks(at_shop)


def test_a_note_without_facts_says_nothing_was_found(at_shop: AppTest):
    suggest(at_shop, "好的")
    assert "Nothing found in the note to suggest." in texts(at_shop)
    assert not ticks(at_shop)


HOSTILE_NOTE = (
    "<script>alert(1)</script>前台小王说付款找财务李姐</script>，手机13812345678\x07\x1b[31m"
    + "<img src=x onerror=alert(1)>**bold** [link](http://203.0.113.9)\x00" * 60
)[:5000].ljust(5000, "。")


def test_a_hostile_note_gives_no_crash_and_shows_text_as_text(at_shop: AppTest, db: SeededDb):
    assert len(HOSTILE_NOTE) == 5000
    suggest(at_shop, HOSTILE_NOTE)
    # Everything drawn from the note: the lines, their words, the asides.
    sent = [c.label for c in at_shop.checkbox] + [m.value for m in at_shop.markdown]
    sent = [x for x in sent + [c.value for c in at_shop.caption] if "李姐" in x or "alert" in x]
    assert sent
    for text in sent:
        bare = re.sub(r"\\.", "", text)  # what is left once escapes are taken out
        assert "<" not in bare and "](" not in bare and "\x00" not in text, text
    before = counts(db)
    use(at_shop)
    submit(at_shop)  # the log refuses control characters in a note, and says so
    assert "control character" in texts(at_shop) and counts(db) == before
    printable = re.sub(r"[\x00-\x1f]", "", HOSTILE_NOTE)
    at_shop.text_input(key=f"{FORM}_note").input(printable)
    submit(at_shop)  # the suggestions used are still in the form
    m = db.map("shop")
    assert m.interactions[-1].note == printable
    assert any(c.name == "李姐" for c in m.contacts)

    suggest(at_shop, ("<script>alert(1)</script>\x00\x07" * 200)[:5000])
    assert "Nothing found in the note to suggest." in texts(at_shop)


# --- zh-CN -------------------------------------------------------------------------------


def test_the_lines_and_their_hints_read_in_chinese(at_shop: AppTest):
    at_shop.radio(key="lang").set_value("zh-CN").run()
    allowed = ALLOWED_WORDS | {"desk", "sales", "finance", "boss", "shop", "CNY", "acme"}
    allowed |= {"Wang", "Acme", "example", "chen", "tester"}  # e-mails, the user
    suggest(at_shop, NOTE + "，明天下午三点再打，王总是老板")
    assert ticks(at_shop) and leaks(at_shop, allowed) == []
    assert "备注原文" in texts(at_shop) and "不会随通话保存" in texts(at_shop)
    suggest(at_shop, CLASH)
    use(at_shop)  # both ticked: the refusal, in Chinese
    assert at_shop.error and leaks(at_shop, allowed) == []
    suggest(at_shop, NOTE + "，明天下午三点再打，王总是老板")
    use(at_shop, untick=("promise",))
    assert "已将勾选的 1 项填入下方表单" in texts(at_shop)
    assert leaks(at_shop, allowed) == []
    suggest(at_shop, "")
    assert "备注为空" in texts(at_shop) and leaks(at_shop, allowed) == []
