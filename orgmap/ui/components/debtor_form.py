"""The form that creates a debtor or edits one's details (locked on the debtor's version)."""

from __future__ import annotations

import streamlit as st

from orgmap.domain.debtor_draft import DebtorDraft
from orgmap.domain.fields import CURRENCY_CHARS, KEY_MAX_CHARS, NAME_MAX_CHARS
from orgmap.domain.model import Debtor, DebtorStatus
from orgmap.i18n import label
from orgmap.ui.components import form_state
from orgmap.ui.text import t

FIELDS = (
    "name",
    "key",
    "amount",
    "currency",
    "due_date",
    "status",
    "credit_code",
    "assigned_to",
    "address",
)


def show(
    key: str, *, lang: str, debtor: Debtor | None = None, version: int | None = None
) -> DebtorDraft | None:
    """Draw the form, filled from ``debtor`` (at ``version``) when editing; the draft on submit.

    The key can only be typed when creating (other records and exported files
    refer to a debtor by it), and may be left blank: the service then makes one
    from the name and returns it.  The amount is read as collectors type it
    (``12.8万``, ``128,000``).  Use ``form_state.version(key)`` as the expected
    version and ``form_state.forget(key, FIELDS)`` after saving.
    """
    form_state.seed(
        key,
        _values(debtor),
        version=version,
        lang=lang,
        labels={name: t(f"debtor.{name}", lang) for name in FIELDS},
    )

    def w(name: str) -> str:  # this form's widget keys
        return f"{key}_{name}"

    with st.form(key, enter_to_submit=False):  # no English "Press Enter to submit form"
        left, right = st.columns(2)
        left.text_input(t("debtor.name", lang), key=w("name"), max_chars=NAME_MAX_CHARS)
        right.text_input(
            t("debtor.key", lang),
            key=w("key"),
            max_chars=KEY_MAX_CHARS,
            disabled=debtor is not None,
            placeholder=t("debtor.key_placeholder", lang) if debtor is None else None,
            help=t("debtor.key_help", lang),
        )
        left.text_input(
            t("debtor.amount", lang), key=w("amount"), help=t("debtor.amount_help", lang)
        )
        right.text_input(t("debtor.currency", lang), key=w("currency"), max_chars=CURRENCY_CHARS)
        left.date_input(t("debtor.due_date", lang), key=w("due_date"))
        right.selectbox(
            t("debtor.status", lang),
            list(DebtorStatus),
            key=w("status"),
            format_func=lambda s: label(s, lang),
        )
        left.text_input(t("debtor.credit_code", lang), key=w("credit_code"))
        right.text_input(
            t("debtor.assigned_to", lang), key=w("assigned_to"), max_chars=NAME_MAX_CHARS
        )
        st.text_input(t("debtor.address", lang), key=w("address"), max_chars=NAME_MAX_CHARS)
        submitted = st.form_submit_button(t("common.save", lang), type="primary")
    if not submitted:
        return None
    v = {name: st.session_state[w(name)] for name in FIELDS}
    return DebtorDraft(
        key=v["key"],
        name=v["name"],
        amount_owed=v["amount"],
        currency=v["currency"],
        credit_code=v["credit_code"],
        address=v["address"],
        due_date=v["due_date"],
        status=v["status"],
        assigned_to=v["assigned_to"],
    )


def _values(d: Debtor | None) -> dict:
    if d is None:
        return dict.fromkeys(FIELDS, "") | {
            "currency": "CNY",
            "due_date": None,
            "status": DebtorStatus.OPEN,
        }
    return {
        "name": d.name,
        "key": d.key,
        "amount": str(d.amount_owed),
        "currency": d.currency,
        "due_date": d.due_date,
        "status": d.status,
        "credit_code": d.credit_code or "",
        "assigned_to": d.assigned_to,
        "address": d.address,
    }
