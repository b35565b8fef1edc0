"""A debtor's current contacts as a sortable table (all values shown as plain text)."""

from __future__ import annotations

import streamlit as st

from orgmap.domain.fields import format_phone
from orgmap.domain.model import DebtorMap
from orgmap.i18n import label
from orgmap.ui.components import data_table
from orgmap.ui.text import t


def show(m: DebtorMap, *, lang: str) -> None:
    """Draw the table of ``m``'s contacts that are not archived."""
    rows = [
        {
            t("col.name", lang): c.name,
            t("person.title", lang): c.title,
            t("person.department", lang): label(c.department, lang),
            t("person.disposition", lang): label(c.disposition, lang),
            t("col.authorizer", lang): c.authorizes_payment,
            t("person.phones", lang): ", ".join(format_phone(p) for p in c.phones),
            t("person.email", lang): c.email or "",
            t("person.do_not_contact", lang): c.do_not_contact,
            t("col.key", lang): c.key,
        }
        for c in m.contacts
        if not c.archived
    ]
    if not rows:
        st.info(t("contacts.none", lang))
        return
    data_table.show(rows)
