"""One contact's details and latest calls (as corrected), as shown beside the map."""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from orgmap.domain.calls import current_calls
from orgmap.domain.model import Contact, DebtorMap
from orgmap.i18n import label
from orgmap.services.routes import routing_weights
from orgmap.settings import Settings
from orgmap.ui.components import data_table
from orgmap.ui.formatting import (
    escape_markdown,
    format_local_time,
    format_money,
    format_phone_number,
    phone_link,
    phones_to_call,
)
from orgmap.ui.text import t

#: How many of the contact's calls the card lists, newest first.
RECENT_CALLS = 10


def show(contact: Contact, *, m: DebtorMap, lang: str, settings: Settings) -> None:
    """Draw the card; every user-typed value is shown as text.

    The numbers to dial are ``tel:`` links (shown for the team's region); a number
    last marked wrong, or any number of a do-not-contact contact, is plain text.
    """
    star = "★ " if contact.authorizes_payment else ""
    st.markdown(f"#### {star}{escape_markdown(contact.name)}")
    facts = [
        contact.title,
        label(contact.department, lang),
        label(contact.disposition, lang),
        t("contact.do_not_contact", lang) if contact.do_not_contact else "",
    ]
    st.caption(escape_markdown(" · ".join(f for f in facts if f)))
    reach = _numbers(contact, m=m, lang=lang, settings=settings)
    if contact.email:
        reach.append(escape_markdown(contact.email))
    if reach:
        st.markdown(" · ".join(reach))
    if contact.notes:
        st.text(contact.notes)
    # The calls as they stand: a corrected call shows as corrected, a voided one not at all.
    mine = [i for i in current_calls(m.interactions) if i.contact == contact.key]
    calls = mine[-RECENT_CALLS:][::-1]
    if not calls:
        st.caption(t("contact.no_calls", lang))
        return
    data_table.show(
        [
            {
                t("col.when", lang): format_local_time(i.at, settings.timezone),
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


def _numbers(contact: Contact, *, m: DebtorMap, lang: str, settings: Settings) -> list[str]:
    """Markdown for each of the contact's numbers: a link to dial, or text saying why not."""
    weights = routing_weights(settings.routing_weights)
    to_call = {
        p.e164
        for p in phones_to_call(m, weights=weights, now=datetime.now(UTC)).get(contact.key, ())
    }
    region = settings.phone_region
    shown = []
    for phone in dict.fromkeys(contact.phones):
        if phone.e164 in to_call:
            shown.append(phone_link(phone, region=region, lang=lang))
            continue
        text = escape_markdown(format_phone_number(phone, region=region, lang=lang))
        if not (contact.do_not_contact or contact.archived):  # then the number was wrong
            text += escape_markdown(f" ({t('contact.wrong_number', lang)})")
        shown.append(text)
    return shown
