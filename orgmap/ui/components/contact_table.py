"""A debtor's current contacts as a sortable table (all values shown as plain text).

Name, the number to dial (a ``tel:`` link, shown formatted for the team's region)
and the role come first and fit a phone's width; the rest follows to the right.
"""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from orgmap.domain.fields import format_phone
from orgmap.domain.model import DebtorMap
from orgmap.i18n import label
from orgmap.services.routes import routing_weights
from orgmap.ui import state
from orgmap.ui.components import data_table
from orgmap.ui.formatting import format_phone_number, phones_to_call
from orgmap.ui.text import t

__all__ = ["PHONE_COLUMNS", "show"]

#: Widths (px) of the first three columns: with the page's padding they fit a phone's 390 px.
PHONE_COLUMNS = {"name": 100, "number": 110, "role": 108}


def show(m: DebtorMap, *, lang: str) -> None:
    """Draw the table of ``m``'s contacts that are not archived."""
    settings = state.settings()
    dial = phones_to_call(
        m, weights=routing_weights(settings.routing_weights), now=datetime.now(UTC)
    )
    numbers: dict[str, str] = {}
    rows = []
    for c in m.contacts:
        if c.archived:
            continue
        first = dial.get(c.key, ())
        link = f"tel:{first[0].e164}" if first else None
        if first and link:
            numbers[link] = format_phone_number(first[0], region=settings.phone_region, lang=lang)
        rows.append(
            {
                t("col.name", lang): c.name,
                t("col.number", lang): link,
                t("person.title", lang): c.title or label(c.department, lang),
                t("person.department", lang): label(c.department, lang),
                t("person.disposition", lang): label(c.disposition, lang),
                t("col.authorizer", lang): c.authorizes_payment,
                t("person.phones", lang): ", ".join(format_phone(p) for p in c.phones),
                t("person.email", lang): c.email or "",
                t("person.do_not_contact", lang): c.do_not_contact,
                t("col.key", lang): c.key,
            }
        )
    if not rows:
        st.info(t("contacts.none", lang))
        return
    data_table.show(
        rows,
        column_config={
            t("col.name", lang): st.column_config.TextColumn(width=PHONE_COLUMNS["name"]),
            t("col.number", lang): st.column_config.LinkColumn(width=PHONE_COLUMNS["number"]),
            t("person.title", lang): st.column_config.TextColumn(width=PHONE_COLUMNS["role"]),
        },
        link_text={t("col.number", lang): numbers},
    )
