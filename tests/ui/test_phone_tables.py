"""Tables on a phone (390 px): name, number and next step first, fitting the width
(issue 11, item 13)."""

from __future__ import annotations

import json

import pandas as pd
from streamlit.testing.v1 import AppTest

from orgmap.domain.access import Actor, Role
from orgmap.services.debtors import route_debtor
from orgmap.ui.components import contact_table, debtor_table
from tests.ui.apptest_helpers import SeededDb, open_page

#: Who the tests act as where who acts does not matter: an administrator.
ADMIN = Actor("t", Role.ADMIN)

#: A phone's width, less Streamlit's page padding (1 rem a side) and the row picker.
PHONE_ROOM = 390 - 2 * 16 - 40


def _columns(frame) -> dict:
    return json.loads(frame.proto.columns)


def test_debtor_list_starts_with_name_number_and_next_step(app: AppTest, db: SeededDb):
    frame = app.dataframe[0]
    assert list(frame.value.columns[:3]) == ["Name", "Number", "Next step"]
    step = route_debtor(db.engine, debtor_key="acme", k=1, actor=ADMIN).routes[0].steps[0]
    person = db.map().contact(step.contact)
    assert person is not None and person.phones
    row = frame.value.iloc[0]
    assert row["Next step"].startswith(step.name)
    assert row["Number"] == f"tel:{person.phones[0].e164}"  # dials the next step's person
    config = _columns(frame)
    assert config["Number"]["type_config"]["type"] == "link"
    assert sum(config[c]["width"] for c in ("Name", "Number", "Next step")) <= PHONE_ROOM
    assert sum(debtor_table.PHONE_COLUMNS.values()) <= PHONE_ROOM


def test_debtor_list_shows_the_number_formatted_for_the_region(app: AppTest, db: SeededDb):
    # The styler's display values travel beside the data in the Arrow payload.
    arrow = app.dataframe[0].proto.arrow_data
    styled = arrow.data + arrow.styler.display_values
    step = route_debtor(db.engine, debtor_key="acme", k=1, actor=ADMIN).routes[0].steps[0]
    person = db.map().contact(step.contact)
    assert person is not None
    national = person.phones[0].e164.removeprefix("+86")
    shown = f"{national[:3]} {national[3:7]} {national[7:]}"
    assert shown.encode() in styled


def test_contacts_table_starts_with_name_number_and_role(app: AppTest, db: SeededDb):
    open_page(app, "contacts")
    frame = app.dataframe[0]
    assert list(frame.value.columns[:3]) == ["Name", "Number", "Title"]
    m = db.map()
    by_name = {c.name: c for c in m.contacts}
    for _, row in frame.value.iterrows():
        contact = by_name[row["Name"]]
        if contact.phones and not contact.do_not_contact:
            assert row["Number"] == f"tel:{contact.phones[0].e164}"
        else:
            assert pd.isna(row["Number"])
    config = _columns(frame)
    assert (
        sum(config[c]["width"] for c in ("Name", "Number", "Title")) <= PHONE_ROOM + 40
    )  # no row picker here
    assert sum(contact_table.PHONE_COLUMNS.values()) <= PHONE_ROOM + 40  # no row picker here
