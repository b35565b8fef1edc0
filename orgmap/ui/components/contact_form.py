"""The form that adds a contact or edits one (locked on the contact's version)."""

from __future__ import annotations

from enum import StrEnum

import streamlit as st

from orgmap.domain.contact_draft import ContactDraft, split_phones
from orgmap.domain.fields import EMAIL_MAX_CHARS, KEY_MAX_CHARS, NAME_MAX_CHARS, format_phone
from orgmap.domain.model import Contact, Department, Disposition
from orgmap.i18n import label
from orgmap.ui.components import form_state
from orgmap.ui.text import t

FIELDS = (
    "name",
    "title",
    "department",
    "disposition",
    "phones",
    "email",
    "authorizes",
    "do_not_contact",
    "notes",
    "key",
)


def show(
    key: str, *, lang: str, contact: Contact | None = None, version: int | None = None
) -> ContactDraft | None:
    """Draw the form, filled from ``contact`` (at ``version``) when editing; the draft on submit.

    Phones are typed one per line; each is checked and normalized on saving.
    Use ``form_state.version(key)`` and ``form_state.forget(key, FIELDS)`` as for debtors.
    """
    form_state.seed(
        key,
        _values(contact),
        version=version,
        lang=lang,
        labels={name: t(f"person.{name}", lang) for name in FIELDS},
    )

    def w(name: str) -> str:  # this form's widget keys
        return f"{key}_{name}"

    def named(value: StrEnum) -> str:
        return label(value, lang)

    with st.form(key, enter_to_submit=False):  # no English "Press Enter to submit form"
        left, right = st.columns(2)
        left.text_input(t("person.name", lang), key=w("name"), max_chars=NAME_MAX_CHARS)
        right.text_input(t("person.title", lang), key=w("title"), max_chars=NAME_MAX_CHARS)
        left.selectbox(
            t("person.department", lang), list(Department), key=w("department"), format_func=named
        )
        right.selectbox(
            t("person.disposition", lang),
            list(Disposition),
            key=w("disposition"),
            format_func=named,
        )
        left.text_area(
            t("person.phones", lang), key=w("phones"), help=t("person.phones_help", lang), height=80
        )
        right.text_input(t("person.email", lang), key=w("email"), max_chars=EMAIL_MAX_CHARS)
        left.checkbox(t("person.authorizes", lang), key=w("authorizes"))
        right.checkbox(t("person.do_not_contact", lang), key=w("do_not_contact"))
        st.text_area(t("person.notes", lang), key=w("notes"), height=80)
        st.text_input(
            t("person.key", lang),
            key=w("key"),
            max_chars=KEY_MAX_CHARS,
            disabled=contact is not None,
            help=t("person.key_help", lang),
        )
        submitted = st.form_submit_button(t("common.save", lang), type="primary")
    if not submitted:
        return None
    v = {name: st.session_state[w(name)] for name in FIELDS}
    return ContactDraft(
        key=v["key"],
        name=v["name"],
        department=v["department"],
        title=v["title"],
        disposition=v["disposition"],
        authorizes_payment=v["authorizes"],
        phones=split_phones(v["phones"]),
        email=v["email"],
        do_not_contact=v["do_not_contact"],
        notes=v["notes"],
    )


def _values(c: Contact | None) -> dict:
    if c is None:
        return dict.fromkeys(FIELDS, "") | {
            "department": Department.OTHER,
            "disposition": Disposition.UNKNOWN,
            "authorizes": False,
            "do_not_contact": False,
        }
    return {
        "name": c.name,
        "title": c.title,
        "department": c.department,
        "disposition": c.disposition,
        "phones": "\n".join(format_phone(p) for p in c.phones),
        "email": c.email or "",
        "authorizes": c.authorizes_payment,
        "do_not_contact": c.do_not_contact,
        "notes": c.notes,
        "key": c.key,
    }
