"""The person a call is logged with, and the numbers the collector dials (issue 11).

Item 1: the contact the collector chose is the one the call form shows and logs, on
every path between pages (Streamlit forgets the value of a widget a page run does not
draw), or the form asks; it never falls back to someone by default.

Item 8: every route step and the contact card show the numbers to dial, formatted for
the team's region, as ``tel:`` links built from the E.164 digits alone; a number last
marked wrong and a do-not-contact contact's numbers are not offered.
"""

from __future__ import annotations

import re
from dataclasses import replace

from streamlit.testing.v1 import AppTest

from orgmap.domain.model import Channel, Department, Outcome
from tests.factories import make_contact, make_interaction, make_map, make_phone
from tests.ui.apptest_helpers import (
    HOSTILE,
    SeededDb,
    assert_clean,
    canonical_map,
    open_page,
    seed,
    texts,
)

# --- helpers -----------------------------------------------------------------------------


def submit(at: AppTest, form_key: str) -> AppTest:
    next(b for b in at.form_submit_button if b.form_id == form_key).click().run()
    return at


def who(at: AppTest, form_key: str) -> str | None:
    """The person the call form ``form_key`` shows."""
    return at.selectbox(key=f"{form_key}_contact").value


def pick_on_map(at: AppTest, contact_key: str) -> AppTest:
    open_page(at, "map")
    at.selectbox(key="map_pick").set_value(contact_key).run()
    assert_clean(at)
    return at


def log_note(at: AppTest, form_key: str, note: str) -> AppTest:
    at.selectbox(key=f"{form_key}_outcome").set_value(Outcome.REACHED)
    at.text_input(key=f"{form_key}_note").input(note)
    submit(at, form_key)
    assert_clean(at)
    return at


def last_call(db: SeededDb, debtor_key: str = "acme"):
    return db.map(debtor_key).interactions[-1]


def markdown(at: AppTest) -> str:
    """Everything drawn as markdown, as sent to the browser (escapes kept)."""
    return "\n".join(m.value for m in at.markdown)


# --- item 1: the person chosen is the person logged ------------------------------------


def test_map_route_map_keeps_the_picked_person_in_the_call_form(app: AppTest, db: SeededDb):
    pick_on_map(app, "finance")
    assert who(app, "map_call") == "finance"
    open_page(app, "route")
    open_page(app, "map")
    assert "财务陈姐" in texts(app)  # the card
    assert who(app, "map_call") == "finance"  # not the first contact
    log_note(app, "map_call", "map: back from the route")
    call = last_call(db)
    assert (call.contact, call.note) == ("finance", "map: back from the route")


def test_log_call_route_log_call_keeps_the_picked_person(app: AppTest, db: SeededDb):
    pick_on_map(app, "finance")
    open_page(app, "log_call")
    assert who(app, "log_call") == "finance"
    open_page(app, "route")
    open_page(app, "log_call")
    assert who(app, "log_call") == "finance"
    log_note(app, "log_call", "log page: back from the route")
    assert (last_call(db).contact, last_call(db).note) == (
        "finance",
        "log page: back from the route",
    )


def test_with_nobody_chosen_the_form_asks_and_logs_nothing(app: AppTest, db: SeededDb):
    before = len(db.map().interactions)
    open_page(app, "log_call")
    assert who(app, "log_call") is None
    picker = app.selectbox(key="log_call_contact")
    assert picker.placeholder == "Choose…"
    open_page(app, "route")
    open_page(app, "log_call")
    assert who(app, "log_call") is None  # still asking, not defaulting to someone
    submit(app, "log_call")
    assert_clean(app)
    shown = texts(app)
    assert "choose who you spoke to" in shown and "choose how the call ended" in shown
    assert len(db.map().interactions) == before


def test_a_person_chosen_in_the_form_outlives_a_refused_submit_and_a_page_trip(
    app: AppTest, db: SeededDb
):
    pick_on_map(app, "desk")
    open_page(app, "log_call")
    app.selectbox(key="log_call_contact").set_value("finance")
    submit(app, "log_call")  # no outcome: refused
    assert "choose how the call ended" in texts(app)
    open_page(app, "route")
    open_page(app, "log_call")
    assert who(app, "log_call") == "finance"
    log_note(app, "log_call", "chosen in the form")
    assert last_call(db).contact == "finance"
    # The map follows the person the call was logged with.
    open_page(app, "map")
    assert app.selectbox(key="map_pick").value == "finance"
    assert who(app, "map_call") == "finance"


def test_a_pick_on_the_map_after_a_choice_in_the_form_wins(app: AppTest, db: SeededDb):
    open_page(app, "log_call")
    app.selectbox(key="log_call_contact").set_value("finance")
    submit(app, "log_call")
    pick_on_map(app, "boss")
    open_page(app, "log_call")
    assert who(app, "log_call") == "boss"


def test_someone_new_stays_chosen_after_a_refused_submit(app: AppTest, db: SeededDb):
    open_page(app, "log_call")
    app.selectbox(key="log_call_contact").set_value("\x00new")
    app.selectbox(key="log_call_outcome").set_value(Outcome.REACHED)
    submit(app, "log_call")  # no name for the new person: refused
    assert_clean(app)
    assert who(app, "log_call") == "\x00new"
    open_page(app, "route")
    open_page(app, "log_call")
    assert who(app, "log_call") == "\x00new"


def test_a_choice_at_one_debtor_never_preselects_a_namesake_at_another(app: AppTest, db: SeededDb):
    seed(db.engine, canonical_map("beta"))  # the same contact keys as acme
    app.run()
    pick_on_map(app, "finance")
    app.selectbox(key="debtor").set_value("beta").run()
    open_page(app, "log_call")
    assert who(app, "log_call") is None
    open_page(app, "map")
    assert app.selectbox(key="map_pick").value is None
    # Back at acme, its choice is still there.
    app.selectbox(key="debtor").set_value("acme").run()
    open_page(app, "log_call")
    assert who(app, "log_call") == "finance"


def test_an_archived_choice_is_not_offered(app: AppTest, db: SeededDb):
    pick_on_map(app, "finance")
    m = db.map()
    finance = m.contact("finance")
    assert finance is not None
    seed(db.engine, replace(m, contacts=(replace(finance, archived=True),)))
    open_page(app, "log_call")
    assert who(app, "log_call") is None


# --- item 8: numbers to dial on every step and on the card -------------------------------

TEL_LINK = re.compile(r"\[([^\]]*)\]\((tel:[^)]*)\)")


def tel_links(at: AppTest) -> list[tuple[str, str]]:
    """Every ``[shown](tel:…)`` link drawn as markdown: (the text, the target)."""
    return TEL_LINK.findall(markdown(at))


def test_route_steps_link_the_numbers_formatted_for_the_region(app: AppTest, db: SeededDb):
    open_page(app, "route")
    text = markdown(app)
    # The boss: a CN mobile in national form, a Shanghai fixed line with its area code.
    assert "[138 1234 5678](tel:+8613812345678)" in text
    assert "[021 6123 4568](tel:+862161234568)" in text
    line = next(m.value for m in app.markdown if "tel:+8613812345678" in m.value)
    assert line.startswith("phone: ")  # the channel to use, then its numbers
    assert "email: Wang@" in line  # and the email, as text
    for shown, target in tel_links(app):
        assert re.fullmatch(r"tel:\+[1-9][0-9]{1,14}", target), target
        assert "tel" not in shown


def test_every_step_of_every_route_says_how_to_reach_the_person(app: AppTest, db: SeededDb):
    open_page(app, "route")
    app.number_input(key="route_k").set_value(3).run()
    steps = [m.value for m in app.markdown if re.match(r"[0-9]+\\\. \*\*", m.value)]
    reach = [m.value for m in app.markdown if m.value.startswith(("phone: ", "email: "))]
    assert steps and len(reach) == len(steps)


def test_the_log_call_page_route_links_numbers_too(app: AppTest, db: SeededDb):
    open_page(app, "log_call")
    assert ("138 1234 5678", "tel:+8613812345678") in tel_links(app)


def test_a_number_last_marked_wrong_is_not_offered(app: AppTest, db: SeededDb):
    m = db.map()
    wrong = make_interaction(
        "boss",
        minutes=200,
        channel=Channel.PHONE,
        outcome=Outcome.WRONG_NUMBER,
        phone="+8613812345678",
    )
    seed(db.engine, replace(m, interactions=(*m.interactions, wrong)))
    open_page(app, "route")
    links = tel_links(app)
    assert ("021 6123 4568", "tel:+862161234568") in links
    assert all(target != "tel:+8613812345678" for _, target in links)
    pick_on_map(app, "boss")
    card = markdown(app)
    assert "tel:+8613812345678" not in card
    assert "138 1234 5678 \\(last marked wrong\\)" in card
    assert "[021 6123 4568](tel:+862161234568)" in card


def test_the_card_links_numbers_but_not_for_a_do_not_contact(app: AppTest, db: SeededDb):
    hk = make_contact(
        "hk",
        name="Agent in Hong Kong",
        department=Department.EXTERNAL,
        phones=(make_phone("+85291234567"),),
    )
    barred = make_contact(
        "barred",
        name="Lawyer",
        department=Department.LEGAL,
        do_not_contact=True,
        phones=(make_phone("+8613900009999"),),
    )
    m = db.map()
    seed(db.engine, replace(m, contacts=(hk, barred)))
    pick_on_map(app, "desk")
    # A number with an extension: the link dials the number; the extension is shown.
    assert ("021 6123 4567 ext\\. 801", "tel:+862161234567") in tel_links(app)
    pick_on_map(app, "hk")
    assert ("\\+852 9123 4567", "tel:+85291234567") in tel_links(app)  # not in CN: international
    pick_on_map(app, "barred")
    assert tel_links(app) == []
    assert "139 0000 9999" in texts(app)  # still shown, as text


def test_typed_text_beside_the_numbers_stays_escaped(app: AppTest, db: SeededDb):
    contacts = (
        make_contact(
            "evil",
            name=HOSTILE,
            department=Department.OWNER,
            authorizes_payment=True,
            email="x@evil.example",
            phones=(make_phone("+8613800001111"),),
        ),
    )
    seed(db.engine, make_map("evil-co", contacts=contacts, relations=(), interactions=()))
    app.run()
    app.selectbox(key="debtor").set_value("evil-co").run()
    for page in ("route", "map"):
        if page == "map":
            pick_on_map(app, "evil")
        else:
            open_page(app, page)
        text = markdown(app)
        assert "[138 0000 1111](tel:+8613800001111)" in text, page
        assert "<img" not in text.replace("\\<img", ""), page
        assert "x@\u2060evil\\.example" in text, page  # the email: text, not a mailto link
