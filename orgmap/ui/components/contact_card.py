"""One contact's details and latest calls, as shown beside the map."""

from __future__ import annotations

import streamlit as st

from orgmap.domain.fields import format_phone
from orgmap.domain.model import Contact, DebtorMap
from orgmap.i18n import label
from orgmap.ui.components import data_table
from orgmap.ui.formatting import escape_markdown, format_local_time, format_money
from orgmap.ui.text import t

#: How many of the contact's calls the card lists, newest first.
RECENT_CALLS = 10


def show(contact: Contact, *, m: DebtorMap, lang: str, timezone: str) -> None:
    """Draw the card; every user-typed value is shown as text."""
    star = "★ " if contact.authorizes_payment else ""
    st.markdown(f"#### {star}{escape_markdown(contact.name)}")
    facts = [
        contact.title,
        label(contact.department, lang),
        label(contact.disposition, lang),
        t("contact.do_not_contact", lang) if contact.do_not_contact else "",
    ]
    st.caption(escape_markdown(" · ".join(f for f in facts if f)))
    reach = [format_phone(p) for p in contact.phones] + [contact.email or ""]
    if any(reach):
        st.text(" · ".join(r for r in reach if r))
    if contact.notes:
        st.text(contact.notes)
    calls = [i for i in m.interactions if i.contact == contact.key][-RECENT_CALLS:][::-1]
    if not calls:
        st.caption(t("contact.no_calls", lang))
        return
    data_table.show(
        [
            {
                t("col.when", lang): format_local_time(i.at, timezone),
                t("col.channel", lang): label(i.channel, lang),
                t("col.outcome", lang): label(i.outcome, lang),
                t("col.note", lang): i.note,
                t("col.promise", lang): format_money(i.promise_amount)
                + (f" → {i.promise_date.isoformat()}" if i.promise_date else ""),
                t("col.by", lang): i.by,
            }
            for i in calls
        ]
    )
