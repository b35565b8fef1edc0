"""Every page of the app under AppTest, on a seeded real SQLite file.

The app is driven as a collector would: through its widgets, then the database
is read back to check what was (or was not) written.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from decimal import Decimal

import pytest
from streamlit.testing.v1 import AppTest

from orgmap.domain.access import Actor, Role
from orgmap.domain.model import Department, Disposition, Outcome, RelationType
from orgmap.services.debtors import route_debtor
from orgmap.services.transfer import export_json
from tests.factories import make_contact, make_map, make_phone
from tests.ui.apptest_helpers import APP, HOSTILE, SeededDb, assert_clean, open_page, seed, texts

#: Who the tests act as where who acts does not matter: an administrator.
ADMIN = Actor("t", Role.ADMIN)


def submit(at: AppTest, form_key: str) -> AppTest:
    """Press the submit button of form ``form_key`` and run the page."""
    button = next(b for b in at.form_submit_button if b.form_id == form_key)
    button.click().run()
    return at


def shown_warnings(at: AppTest) -> list[str]:
    """The ``st.warning`` boxes on the page, as read on screen (markdown escapes removed)."""
    return [re.sub(r"\\(.)", r"\1", w.value) for w in at.warning]


def counts(db: SeededDb, debtor_key: str = "acme") -> tuple[int, int, int]:
    m = db.map(debtor_key)
    return len(m.contacts), len(m.relations), len(m.interactions)


# --- app and sidebar ----------------------------------------------------------------


def test_every_page_opens_without_error(app: AppTest):
    for page in ("debtors", "map", "log_call", "route", "contacts", "facts", "transfer"):
        open_page(app, page)
        assert app.title, page


def test_language_switch_changes_labels(app: AppTest, db: SeededDb):
    assert app.title[0].value == "Debtors"
    app.radio(key="lang").set_value("zh-CN").run()
    assert app.title[0].value == "债务人"
    open_page(app, "route")
    assert app.title[0].value == "催收路线"
    # The route itself reads in Chinese too: its heading, how each step is reached, the
    # buck-passing warning (departments named in Chinese) — and no English words remain.
    best = route_debtor(db.engine, debtor_key="acme", k=1, lang="zh-CN", actor=ADMIN).routes[0]
    text = texts(app)
    assert f"**路线 1** · 成本 {best.cost:.1f} · 目标 **王总**" in text
    assert "1. **王总** · 电话 · " in text
    assert shown_warnings(app) == ["推诿循环：销售刘经理（销售） → 财务陈姐（财务） → 销售刘经理"]
    assert not {"Route", "cost", "phone", "Tip", "Buck-passing"} & set(
        re.findall(r"[A-Za-z-]+", text)
    )
    app.radio(key="lang").set_value("en").run()
    assert app.title[0].value == "Route"
    assert f"**Route 1** · cost {best.cost:.1f} · to **王总**" in texts(app)


def test_language_defaults_to_the_setting(db: SeededDb, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ORGMAP_LANG", "zh-CN")
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert at.title[0].value == "债务人"


# --- debtors --------------------------------------------------------------------------


def test_debtor_list_shows_days_past_due_and_next_step(app: AppTest, db: SeededDb):
    frame = app.dataframe[0].value
    row = frame[frame["Key"] == "acme"].iloc[0]
    assert row["Contacts"] == 4
    assert bool(row["Authorizer known"]) is True
    assert row["Days past due"] > 0  # due 2026-10-15
    best = (
        route_debtor(db.engine, debtor_key="acme", k=1, lang="en", actor=ADMIN).routes[0].steps[0]
    )
    assert row["Next step"].startswith(best.name)


def test_debtor_search_filters_the_list(app: AppTest, db: SeededDb):
    seed(db.engine, make_map("globex", name="Globex Trading"))
    app.run()
    assert len(app.dataframe[0].value) == 2
    app.text_input(key="debtors_search").input("globex").run()
    frame = app.dataframe[0].value
    assert list(frame["Key"]) == ["globex"]


def test_create_debtor_then_bad_amount_is_refused(app: AppTest, db: SeededDb):
    form = "debtor_new"
    app.text_input(key=f"{form}_name").input("Initech Ltd")
    app.text_input(key=f"{form}_key").input("initech")
    app.text_input(key=f"{form}_amount").input("12,5")  # a decimal comma is not read
    submit(app, form)
    assert_clean(app)
    assert "amount owed is not a number" in texts(app)
    assert "initech" not in export_json(db.engine, actor=ADMIN)

    app.text_input(key=f"{form}_amount").input("12000.50")
    submit(app, form)
    assert_clean(app)
    assert db.map("initech").debtor.amount_owed == Decimal("12000.50")
    assert app.selectbox(key="debtor").value == "initech"


def test_edit_debtor_refuses_a_stale_form(app: AppTest, db: SeededDb):
    from orgmap.domain.debtor_draft import DebtorDraft
    from orgmap.services.debtors import edit_debtor, open_debtor

    form = "debtor_edit_acme"
    app.text_input(key=f"{form}_assigned_to").input("mine")
    # Meanwhile a colleague changes the same debtor.
    version = open_debtor(db.engine, "acme", k=0, actor=ADMIN).versions.debtor
    theirs = DebtorDraft(key="acme", name="Acme (renamed)", amount_owed="1.00")
    edit_debtor(db.engine, debtor_key="acme", draft=theirs, actor=ADMIN, expected_version=version)
    submit(app, form)
    assert_clean(app)
    assert "someone else changed" in texts(app)
    assert db.map().debtor.name == "Acme (renamed)"
    assert db.map().debtor.assigned_to == ""


# --- log a call -----------------------------------------------------------------------


def _discovery_db(db: SeededDb) -> None:
    """A debtor where only a salesman is known: no authorizer, no one to route to."""
    seed(
        db.engine,
        make_map(
            "solo",
            name="Solo Ltd",
            contacts=(make_contact("zhang", name="Zhang Wei", department=Department.SALES),),
            relations=(),
            interactions=(),
        ),
    )


def _on_log_page(app: AppTest, debtor_key: str) -> AppTest:
    app.selectbox(key="debtor").set_value(debtor_key).run()
    return open_page(app, "log_call")


def test_referred_call_adds_contact_and_relation_and_changes_route(app: AppTest, db: SeededDb):
    _discovery_db(db)
    app.run()
    _on_log_page(app, "solo")
    no_route = "No route: nobody we may contact is likely to know who authorizes payment"
    assert texts(app).count("No route") == 1 and no_route in texts(app)  # said once

    app.selectbox(key="log_call_contact").set_value("zhang")
    app.selectbox(key="log_call_outcome").set_value(Outcome.REFERRED)
    app.text_input(key="log_call_note").input("Said the boss decides")
    app.text_input(key="log_call_ref_name").input("Wang Boss")
    app.selectbox(key="log_call_ref_department").set_value(Department.OWNER)
    app.text_input(key="log_call_ref_phone").input("139 1234 5678")
    submit(app, "log_call")
    assert_clean(app)

    m = db.map("solo")
    boss = next(c for c in m.contacts if c.name == "Wang Boss")
    assert boss.phones[0].e164 == "+8613912345678"
    assert any(
        (r.source, r.target, r.type) == ("zhang", boss.key, RelationType.REFERS_TO)
        for r in m.relations
    )
    assert m.interactions[-1].outcome is Outcome.REFERRED
    assert "Logged the call" in texts(app)
    assert "Wang Boss" in texts(app)  # the next step now leads to the boss
    assert "No route" not in texts(app)


def test_bad_phone_for_the_referred_person_writes_nothing(app: AppTest, db: SeededDb):
    before = counts(db)
    _on_log_page(app, "acme")
    app.selectbox(key="log_call_contact").set_value("desk")
    app.selectbox(key="log_call_outcome").set_value(Outcome.REFERRED)
    app.text_input(key="log_call_ref_name").input("Someone")
    app.text_input(key="log_call_ref_phone").input("12345")
    submit(app, "log_call")
    assert_clean(app)
    assert "referred person › phone" in texts(app)
    assert counts(db) == before
    # What was typed is still there to be corrected.
    assert app.text_input(key="log_call_ref_name").value == "Someone"


def test_promise_without_amount_writes_nothing(app: AppTest, db: SeededDb):
    before = counts(db)
    _on_log_page(app, "acme")
    app.selectbox(key="log_call_contact").set_value("desk")  # the form asks: never a default
    app.selectbox(key="log_call_outcome").set_value(Outcome.PROMISED)
    submit(app, "log_call")
    assert_clean(app)
    assert "promise" in texts(app) and "Nothing was saved" in texts(app)
    assert counts(db) == before


def test_common_case_needs_three_fields_and_clears_the_form(app: AppTest, db: SeededDb):
    before = counts(db)
    _on_log_page(app, "acme")
    app.selectbox(key="log_call_contact").set_value("finance")
    app.selectbox(key="log_call_outcome").set_value(Outcome.NO_ANSWER)
    app.text_input(key="log_call_note").input("rang out")
    submit(app, "log_call")
    assert_clean(app)
    last = db.map().interactions[-1]
    assert (last.contact, last.outcome, last.note, last.by) == (
        "finance",
        Outcome.NO_ANSWER,
        "rang out",
        "tester",
    )
    assert counts(db)[2] == before[2] + 1
    assert app.text_input(key="log_call_note").value == ""
    assert app.selectbox(key="log_call_contact").value == "finance"  # ready for a second call
    assert app.selectbox(key="log_call_outcome").value is None


def test_call_with_someone_new_adds_them(app: AppTest, db: SeededDb):
    _on_log_page(app, "acme")
    app.selectbox(key="log_call_contact").set_value("\x00new")
    app.selectbox(key="log_call_outcome").set_value(Outcome.REACHED)
    app.text_input(key="log_call_new_name").input("Night guard")
    app.text_input(key="log_call_new_phone").input("13711112222")
    submit(app, "log_call")
    assert_clean(app)
    guard = next(c for c in db.map().contacts if c.name == "Night guard")
    assert db.map().interactions[-1].contact == guard.key


def test_disposition_from_the_form_updates_the_contact(app: AppTest, db: SeededDb):
    _on_log_page(app, "acme")
    app.selectbox(key="log_call_contact").set_value("finance")
    app.selectbox(key="log_call_outcome").set_value(Outcome.REFUSED)
    app.selectbox(key="log_call_disposition").set_value(Disposition.FOX)
    submit(app, "log_call")
    assert_clean(app)
    assert db.map().contact("finance").disposition is Disposition.FOX


# --- map ------------------------------------------------------------------------------


def _hostile_db(db: SeededDb) -> None:
    contacts = (
        make_contact("desk", name="Desk", disposition=Disposition.SHEEP),
        make_contact(
            "evil",
            name=HOSTILE,
            title="</script><script>alert(2)</script>",
            department=Department.OWNER,
            authorizes_payment=True,
            notes="[click](javascript:alert(3)) **bold** $x$",
            phones=(make_phone("+8613800001111"),),
        ),
    )
    seed(
        db.engine,
        make_map(
            "evil-co",
            name=HOSTILE,
            contacts=contacts,
            relations=(),
            interactions=(),
        ),
    )


def test_map_selection_shows_details_and_preselects_the_call_form(app: AppTest, db: SeededDb):
    open_page(app, "map")
    app.selectbox(key="map_pick").set_value("finance").run()
    assert_clean(app)
    assert "财务陈姐" in texts(app)
    assert app.selectbox(key="map_call_contact").value == "finance"
    # The recent calls of the chosen contact are listed.
    app.selectbox(key="map_pick").set_value("desk").run()
    calls = app.dataframe[-1].value
    assert len(calls) == 2


def test_a_contact_with_two_numbers_is_asked_which_one_was_used(app: AppTest, db: SeededDb):
    m = db.map()
    numbers = ("+8613900001111", "+8613900002222")
    finance = replace(m.contact("finance"), phones=tuple(make_phone(n) for n in numbers))
    seed(db.engine, replace(m, contacts=(finance,)))
    open_page(app, "map")
    app.selectbox(key="map_pick").set_value("desk").run()
    assert not [s for s in app.selectbox if s.key == "map_call_phone"]  # one number: no question

    app.selectbox(key="map_pick").set_value("finance").run()
    assert app.selectbox(key="map_call_phone").options == list(numbers)
    app.selectbox(key="map_call_phone").set_value(numbers[1])
    app.selectbox(key="map_call_outcome").set_value(Outcome.WRONG_NUMBER)
    submit(app, "map_call")
    assert_clean(app)
    last = db.map().interactions[-1]
    assert (last.contact, last.outcome, last.phone) == ("finance", Outcome.WRONG_NUMBER, numbers[1])
    assert app.selectbox(key="map_call_phone").value is None  # a clean form for the next call


def drawn_map(at: AppTest) -> dict:
    """The map spec the page handed to the map component (its data travels as JSON)."""
    [canvas] = at.get("bidi_component")
    return json.loads(canvas.proto.json)["spec"]


def test_map_layout_toggle_redraws_the_same_people_in_another_layout(app: AppTest, db: SeededDb):
    open_page(app, "map")
    chart = drawn_map(app)
    # The default: a top-down org chart, every box on a level, laid out without physics.
    assert app.segmented_control(key="map_layout").value == "hierarchical"
    assert chart["layout"] == "hierarchical"
    # orgmap places the boxes itself (orgmap.render.orgchart); vis-network's layout is off.
    assert chart["options"]["layout"]["hierarchical"]["enabled"] is False
    assert all("x" in node and "y" in node for node in chart["nodes"])
    assert chart["options"]["physics"]["enabled"] is False
    assert all(isinstance(node.get("level"), int) for node in chart["nodes"])

    app.segmented_control(key="map_layout").set_value("free").run()
    assert_clean(app)
    free = drawn_map(app)
    # Free: no hierarchy, no levels, physics that settles and then stops.
    assert free["layout"] == "free"
    assert free["options"]["layout"]["hierarchical"]["enabled"] is False
    assert free["options"]["physics"]["enabled"] is True
    assert free["options"]["physics"]["stabilization"]["enabled"] is True
    assert not any("level" in node for node in free["nodes"])
    # Only the arrangement changed: the same people, relations and route are drawn.
    people = {c.key for c in db.map().contacts if not c.archived}
    assert {n["id"] for n in free["nodes"]} == {n["id"] for n in chart["nodes"]} == people
    assert {e["id"] for e in free["edges"]} == {e["id"] for e in chart["edges"]}
    assert free["route"] == chart["route"] != []

    app.segmented_control(key="map_layout").set_value("hierarchical").run()
    assert drawn_map(app) == chart


def test_hostile_text_is_shown_as_text(app: AppTest, db: SeededDb):
    _hostile_db(db)
    app.run()
    app.selectbox(key="debtor").set_value("evil-co").run()
    for page in ("map", "route", "log_call", "contacts", "debtors"):
        open_page(app, page)
        if page == "map":
            app.selectbox(key="map_pick").set_value("evil").run()
        assert_clean(app)
        for element in (*app.markdown, *app.caption):
            assert not element.proto.allow_html or "<img" not in element.value, page
            assert "<img" not in element.value.replace("\\<img", ""), (page, element.value)
    open_page(app, "map")
    app.selectbox(key="map_pick").set_value("evil").run()
    raw = "\n".join(e.value for e in (*app.markdown, *app.caption, *app.text))
    assert "\\<img src\\=x onerror\\=alert\\(1\\)\\>" in raw  # escaped: shown as typed
    assert "[click](javascript:alert(3)) **bold** $x$" in raw  # notes are plain st.text
    assert HOSTILE in texts(app)


# --- route ----------------------------------------------------------------------------


def test_route_page_numbers_steps_and_warns_of_buck_passing(app: AppTest, db: SeededDb):
    open_page(app, "route")
    text = texts(app)
    assert "**Route 1**" in text
    assert "1. **" in text
    answer = route_debtor(db.engine, debtor_key="acme", k=3, lang="en", actor=ADMIN)
    # Every warning is shown whole, and the loop's one names both people who pass the
    # buck, with their departments, back to where it started.
    assert shown_warnings(app) == list(answer.warnings)
    loop = "Buck-passing loop: 销售刘经理 (sales) → 财务陈姐 (finance) → 销售刘经理"
    assert loop in answer.warnings
    app.number_input(key="route_k").set_value(1).run()
    assert "**Route 2**" not in texts(app)


# --- contacts and relations -------------------------------------------------------


def test_add_contact_bad_phone_then_good(app: AppTest, db: SeededDb):
    open_page(app, "contacts")
    before = counts(db)
    app.text_input(key="contacts_new_name").input("Li Na")
    app.text_area(key="contacts_new_phones").input("13800001234\nnot a phone")
    submit(app, "contacts_new")
    assert_clean(app)
    assert "phone 2: 'not a phone'" in texts(app)  # the second number typed
    assert counts(db) == before
    app.text_area(key="contacts_new_phones").input("13800001234")
    submit(app, "contacts_new")
    assert_clean(app)
    assert db.map().contact("li-na").phones[0].e164 == "+8613800001234"


def test_edit_and_archive_contact(app: AppTest, db: SeededDb):
    open_page(app, "contacts")
    app.selectbox(key="contacts_pick").set_value("sales").run()
    form = "contacts_edit_acme_sales"
    app.text_input(key=f"{form}_title").input("Sales manager")
    submit(app, form)
    assert_clean(app)
    assert db.map().contact("sales").title == "Sales manager"
    app.selectbox(key="contacts_pick").set_value("sales").run()
    app.button(key="contacts_archive").click().run()
    assert_clean(app)
    assert db.map().contact("sales").archived
    # Archived contacts leave the route's reach.
    answer = route_debtor(db.engine, debtor_key="acme", k=3, actor=ADMIN)
    assert all(s.contact != "sales" for r in answer.routes for s in r.steps)


def test_add_and_archive_relation(app: AppTest, db: SeededDb):
    open_page(app, "contacts")
    app.selectbox(key="relations_from").set_value("sales")
    app.selectbox(key="relations_type").set_value(RelationType.REPORTS_TO)
    app.selectbox(key="relations_to").set_value("boss")
    submit(app, "relations_add")
    assert_clean(app)
    added = ("sales", "boss", RelationType.REPORTS_TO)
    assert added in {(r.source, r.target, r.type) for r in db.map().relations if not r.archived}
    # The same relation twice is refused.
    app.selectbox(key="relations_from").set_value("sales")
    app.selectbox(key="relations_type").set_value(RelationType.REPORTS_TO)
    app.selectbox(key="relations_to").set_value("boss")
    submit(app, "relations_add")
    assert "already on the map" in texts(app)

    live = [r for r in db.map().relations if not r.archived]
    app.selectbox(key="relations_archive_pick").set_value(
        live.index(next(r for r in live if (r.source, r.target, r.type) == added))
    ).run()
    app.button(key="relations_archive").click().run()
    assert_clean(app)
    archived = {(r.source, r.target, r.type) for r in db.map().relations if r.archived}
    assert added in archived


def test_merge_offers_pairs_sharing_a_phone_and_keeps_both_histories(app: AppTest, db: SeededDb):
    twin = make_contact(
        "desk2", name="小张 (again)", phones=(make_phone("+862161234567", extension="801"),)
    )
    m = db.map()
    seed(
        db.engine,
        make_map(
            "acme", contacts=(*m.contacts, twin), relations=m.relations, interactions=m.interactions
        ),
    )
    calls_before = len(db.map().interactions)
    open_page(app, "contacts")
    assert "share the number +862161234567" in texts(app)
    app.button(key="merge_pair_0").click().run()
    assert_clean(app)
    after = db.map()
    assert after.contact("desk2").archived and not after.contact("desk").archived
    assert len(after.interactions) == calls_before
    assert "Merged" in texts(app)


# --- facts ----------------------------------------------------------------------------


def test_facts_checklist_counts_and_saves(app: AppTest, db: SeededDb):
    open_page(app, "facts")
    assert "2/10 facts known" in texts(app)  # the seed knows the reason and leaders_aware
    form = "facts_acme"
    app.text_area(key=f"{form}_who_pays").input("Finance, boss signs")
    salaries = app.radio(key=f"{form}_salaries_on_time")
    assert salaries.value == "unknown"  # not known yet, and shown as such
    app.radio(key=f"{form}_money_in_account").set_value("yes")
    app.text_input(key=f"{form}_top_leader_mobile").input("138 1234 5678")
    app.checkbox(key=f"{form}_address_verified").check()
    submit(app, form)
    assert_clean(app)
    facts = db.map().debtor.facts
    assert facts.who_pays == "Finance, boss signs"
    assert facts.money_in_account is True
    assert facts.top_leader_mobile == "+8613812345678"
    assert facts.address_verified
    assert "6/10 facts known" in texts(app)


def test_facts_bad_mobile_writes_nothing(app: AppTest, db: SeededDb):
    open_page(app, "facts")
    before = db.map().debtor
    app.text_input(key="facts_acme_top_leader_mobile").input("call me")
    app.text_input(key="facts_acme_top_leader").input("Wang")
    submit(app, "facts_acme")
    assert "top leader's mobile" in texts(app)
    assert db.map().debtor == before


# --- import and export ------------------------------------------------------------


def _import(app: AppTest, name: str, content: bytes) -> AppTest:
    open_page(app, "transfer")
    app.file_uploader(key="transfer_upload").upload(name, content, "application/json").run()
    app.button(key="transfer_do_import").click().run()
    assert_clean(app)
    return app


def test_malformed_import_shows_the_error_and_writes_nothing(app: AppTest, db: SeededDb):
    before = export_json(db.engine, actor=ADMIN)
    _import(app, "broken.json", b'{"format": "orgmap/1", "debtors": [')
    assert app.error, texts(app)
    assert export_json(db.engine, actor=ADMIN) == before
    bad_phone = json.loads(before)
    bad_phone["debtors"][0]["contacts"][0]["phones"] = ["12"]
    bad_phone["debtors"][0]["name"] = "changed"
    _import(app, "bad.json", json.dumps(bad_phone).encode())
    assert "contact boss › phone 1" in "\n".join(e.value for e in app.error)
    assert export_json(db.engine, actor=ADMIN) == before


def test_import_above_the_size_limit_is_refused(db: SeededDb, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ORGMAP_MAX_IMPORT_BYTES", "100")
    at = AppTest.from_file(APP, default_timeout=30).run()
    _import(at, "big.json", b" " * 101)
    assert "limit is 100 bytes" in "\n".join(e.value for e in at.error)


def test_good_import_and_the_downloads(app: AppTest, db: SeededDb):
    doc = json.loads(export_json(db.engine, actor=ADMIN))
    doc["debtors"][0]["key"] = "acme-copy"
    _import(app, "copy.json", json.dumps(doc).encode())
    assert "Imported" in texts(app)
    assert db.map("acme-copy").debtor.name == db.map("acme").debtor.name
    labels = [b.label for b in app.get("download_button")]
    assert len(labels) == 4


def test_no_authorizer_known_is_said_once_on_log_a_call_and_route(app: AppTest, db: SeededDb):
    m = make_map("nobody-pays")
    contacts = tuple(replace(c, authorizes_payment=False) for c in m.contacts)
    seed(db.engine, replace(m, contacts=contacts))
    app.run()
    answer = route_debtor(db.engine, debtor_key="nobody-pays", k=3, lang="en", actor=ADMIN)
    assert answer.discovery and answer.routes  # routes to whoever may know
    _on_log_page(app, "nobody-pays")
    for page in ("log_call", "route"):
        said = texts(open_page(app, page))
        assert said.count("No authorizer known yet") == 1, page
        assert "No one who can authorize payment is known yet" not in said
