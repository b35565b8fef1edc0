"""The after-call form: one form, one submit, for every common outcome of a call.

The common case is three fields (who, outcome, note: the channel defaults to
phone); every relation the call revealed (who they referred us to, and
whether that person authorizes payment; who they passed us to), a promise,
someone new and what the person was like are optional sections of the same
form.  A person named in a section is picked from the map or typed in.  For a
contact with several numbers the form asks which one was used, so that a
wrong number marks that number only.

One column, one wide button: usable with one thumb on a phone.  Enter does
not submit: a half-typed note is not logged by accident.  (In the form's
fields Streamlit then shows no hint; in the note, its "Press Enter to apply",
which the zh-CN style sheet hides.)

Under the note, "Suggest from the note" offers what the note says as ticked
lines that one press puts into the form's fields (:mod:`note_suggestions`).  A
button can read only what the browser has sent, and a form sends its fields
only on its own submit: so the person and the note sit just above the form
(in the same box), as widgets that keep what is typed without rerunning the
page (``on_change="ignore"``) and send it with the next press, whichever
button that is.  They are not fields of a second form: a tap on "Log the
call" right after typing must log the call, and a widget that reran the page
when it lost focus would swallow that tap.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from enum import StrEnum

import streamlit as st

from orgmap.domain.contact_draft import ContactDraft
from orgmap.domain.fields import (
    NAME_MAX_CHARS,
    NOTE_MAX_CHARS,
    PHONE_INPUT_MAX_CHARS,
    format_phone,
    parse_amount,
)
from orgmap.domain.model import Channel, Contact, DebtorMap, Department, Disposition, Outcome
from orgmap.domain.validation import Problem, ValidationError
from orgmap.i18n import label
from orgmap.services.calls import CallReport, LoggedCall, log_call
from orgmap.settings import Settings
from orgmap.ui import state
from orgmap.ui.components import contact_picker, note_suggestions
from orgmap.ui.components.feedback import EXPECTED_ERRORS, flash, show_error
from orgmap.ui.formatting import escape_markdown
from orgmap.ui.text import t

# What each field holds in a fresh form (the channel keeps the last one used).
_BLANK: dict[str, object] = {
    "outcome": None,
    "note": "",
    "phone": None,
    "amount": "",
    "promise_date": None,
    "disposition": None,
    "ref_authorizes": False,
    **{f"{who}_pick": None for who in ("ref", "pass")},
    **{
        f"{who}_{field}": ""
        for who in ("ref", "pass", "new")
        for field in ("name", "title", "phone")
    },
    **{f"{who}_department": Department.OTHER for who in ("ref", "pass", "new")},
}


def show(key: str, *, m: DebtorMap, lang: str, settings: Settings) -> None:
    """Draw the form for debtor ``m``; on a good submit log the call and rerun the page.

    The person is the one the collector chose last, on the map or in this form
    (:func:`orgmap.ui.state.call_contact`), on whatever page they chose them; with
    no choice the picker asks.  Errors are shown in place and nothing is
    written; the typed values stay for correction.  Widget keys are
    ``{key}_{field}``: contact, channel and the fields of ``_BLANK``.
    """

    def ref(name: str) -> str:
        return f"{key}_{name}"

    if st.session_state.pop(ref("logged"), False):
        # Blank the form for the next call, the same person chosen.  Values are set, not
        # deleted: a deleted key leaves the browser showing what was typed, and a
        # second Enter would log the call twice.
        for name, blank in _BLANK.items():
            st.session_state[ref(name)] = blank
        note_suggestions.clear(key)
    _show_chosen_contact(key, m)

    def enums(kind: type[StrEnum]) -> dict:
        return {"options": list(kind), "format_func": lambda value: label(value, lang)}

    with st.container(border=True):
        who = contact_picker.show(
            t("call.contact", lang),
            m.contacts,
            key=ref("contact"),
            lang=lang,
            offer_new=True,
            placeholder=True,
            on_change="ignore",  # kept, sent with the next press (module docstring)
        )
        note = st.text_input(
            t("call.note", lang), key=ref("note"), max_chars=NOTE_MAX_CHARS, on_change="ignore"
        )
        note_suggestions.show(key, m=m, lang=lang, settings=settings)
        # The box draws the border: the form inside it is the rest of the same card.
        with st.form(key, enter_to_submit=False, border=False):
            outcome = st.selectbox(
                t("call.outcome", lang),
                **enums(Outcome),
                index=None,
                key=ref("outcome"),
                placeholder=t("common.choose", lang),
            )
            channel = st.selectbox(t("call.channel", lang), **enums(Channel), key=ref("channel"))
            dialled = _number_field(
                ref, m.contact(st.session_state.get(ref("contact")) or ""), lang
            )
            with st.expander(t("call.section.referred", lang), expanded=_filled(ref, "ref")):
                referred = _named_person(ref, "ref", m, lang)
                authorizes = st.checkbox(
                    t("call.referred_authorizes", lang), key=ref("ref_authorizes")
                )
            with st.expander(t("call.section.passed", lang), expanded=_filled(ref, "pass")):
                passed = _named_person(ref, "pass", m, lang)
            with st.expander(t("call.section.promised", lang), expanded=_filled(ref, "promise")):
                amount = st.text_input(t("call.amount", lang), key=ref("amount"))
                promise_date = st.date_input(
                    t("call.promise_date", lang), value=None, key=ref("promise_date")
                )
            with st.expander(t("call.section.new", lang), expanded=_filled(ref, "new")):
                newcomer = _person_fields(ref, "new", lang)
            disposition = st.selectbox(
                t("call.disposition", lang),
                **enums(Disposition),
                index=None,
                key=ref("disposition"),
                placeholder=t("call.disposition_same", lang),
            )
            submitted = st.form_submit_button(
                t("call.submit", lang), type="primary", width="stretch"
            )
    if not submitted:
        return
    someone_new = who == contact_picker.NEW
    for section, (_, twice) in (("referred", referred), ("passed", passed)):
        if twice:  # picked and typed: which one was meant is the collector's to say
            st.error(t("call.pick_or_type", lang, section=t(f"call.section.{section}", lang)))
            return
    try:
        report = CallReport(
            contact=who if who and not someone_new else "",
            channel=channel,
            outcome=_required(who, outcome),
            # A number chosen for another contact (the pick changed since it was drawn): dropped.
            phone=dialled[1] if dialled is not None and dialled[0] == who else None,
            note=note,
            promise_amount=_amount(amount),
            promise_date=promise_date,
            disposition=disposition,
            referred_to=referred[0],
            referred_authorizes=authorizes,
            passed_to=passed[0],
            # Someone not on the map yet: even a blank draft, so that the missing name is said.
            new_person=newcomer if someone_new else None,
        )
        logged = _log(m.debtor.key, report, settings=settings)
    except EXPECTED_ERRORS as exc:
        show_error(exc, lang=lang)
        return
    state.mark_changed(m.debtor.key)
    st.session_state[ref("logged")] = True  # blanks the form next run
    state.select_contact(logged.interaction.contact)
    state.choose_call_contact(key, logged.interaction.contact)  # ready for a second call
    callee = m.contact(logged.interaction.contact)
    flash(_logged_message(logged, callee.name if callee else newcomer.name, lang))
    st.rerun()


def _show_chosen_contact(key: str, m: DebtorMap) -> None:
    """Put the person chosen for form ``key`` into its picker, before it is drawn.

    Streamlit forgets a widget's value on a run that does not draw it (another
    page), and the picker would then show its first option: so the choice is
    kept in :mod:`orgmap.ui.state` and put back into the picker on every run.
    The picker keeps a choice without rerunning and sends it with the next press
    (a submit, "Suggest from the note"): a picker holding another value than the
    one put there on the last run was changed since, and that becomes the choice
    (kept even when the call is refused, so that it survives a trip to another page).
    """
    widget, shown = f"{key}_contact", f"{key}_contact_shown"
    if widget in st.session_state and st.session_state[widget] != st.session_state.get(shown):
        state.choose_call_contact(key, st.session_state[widget])
    chosen = state.call_contact(key)
    offered = chosen == contact_picker.NEW or _current(m, chosen)
    st.session_state[widget] = st.session_state[shown] = chosen if offered else None


def _current(m: DebtorMap, contact_key: str | None) -> bool:
    """Whether ``contact_key`` names a contact of ``m`` not archived (or merged away)."""
    contact = m.contact(contact_key) if contact_key else None
    return contact is not None and not contact.archived


def _number_field(
    ref: Callable[[str], str], contact: Contact | None, lang: str
) -> tuple[str, str | None] | None:
    """Which of ``contact``'s numbers was used, when they have more than one.

    The form does not rerun while it is filled in, so the choice is offered for
    the contact picked when the form was drawn (on the map, or by the last
    press); returns that contact's key and the number (None: not recorded).
    With one number the service records it without asking.
    """
    numbers = list(dict.fromkeys(p.e164 for p in contact.phones)) if contact else []
    if contact is None or len(numbers) < 2:
        return None
    number = st.selectbox(
        t("call.phone", lang),
        numbers,
        format_func=lambda e164: _shown_number(contact, e164),
        index=None,
        key=ref("phone"),
        placeholder=t("call.phone_unknown", lang),
    )
    return contact.key, number


def _shown_number(contact: Contact, e164: str) -> str:
    phone = next(p for p in contact.phones if p.e164 == e164)
    return format_phone(phone)


def _filled(ref: Callable[[str], str], section: str) -> bool:
    """Whether the form's optional ``section`` (``ref``, ``pass``, ``promise``, ``new``)
    holds anything, as filled by a suggestion or kept from a refused submit: it is
    then drawn open, so that nothing the call will log is hidden."""
    values = st.session_state
    if section == "promise":
        return bool(str(values.get(ref("amount")) or "").strip()) or (
            values.get(ref("promise_date")) is not None
        )
    if section == "new" and values.get(ref("contact")) == contact_picker.NEW:
        return True
    if values.get(ref(f"{section}_pick")) is not None or values.get(ref(f"{section}_authorizes")):
        return True
    return any(
        str(values.get(ref(f"{section}_{f}")) or "").strip() for f in ("name", "title", "phone")
    )


def _person_fields(ref: Callable[[str], str], prefix: str, lang: str) -> ContactDraft:
    """The person typed in one of the form's person sections (one phone at most)."""
    name = st.text_input(
        t("person.name", lang), key=ref(f"{prefix}_name"), max_chars=NAME_MAX_CHARS
    )
    title = st.text_input(
        t("person.title", lang), key=ref(f"{prefix}_title"), max_chars=NAME_MAX_CHARS
    )
    # The default through session state only: a widget given both an index and a
    # session-state value (set when the form is blanked) makes Streamlit warn.
    st.session_state.setdefault(ref(f"{prefix}_department"), Department.OTHER)
    department = st.selectbox(
        t("person.department", lang),
        list(Department),
        format_func=lambda d: label(d, lang),
        key=ref(f"{prefix}_department"),
    )
    phone = st.text_input(
        t("person.phone", lang), key=ref(f"{prefix}_phone"), max_chars=PHONE_INPUT_MAX_CHARS
    )
    return ContactDraft(
        name=name,
        department=department or Department.OTHER,
        title=title,
        phones=(phone,) if phone.strip() else (),
    )


def _named_person(
    ref: Callable[[str], str], prefix: str, m: DebtorMap, lang: str
) -> tuple[ContactDraft | str | None, bool]:
    """The person named in one of the form's relation sections: picked from the map (their
    key) or typed in (a draft), or None; and whether both were done (the form then asks)."""
    picked = contact_picker.show(
        t("call.pick_person", lang),
        m.contacts,
        key=ref(f"{prefix}_pick"),
        lang=lang,
        placeholder=True,
    )
    st.caption(t("call.or_someone_new", lang))
    typed = _unless_blank(_person_fields(ref, prefix, lang))
    if picked is not None:
        return picked, typed is not None
    return typed, False


def _required(who: str | None, outcome: Outcome | None) -> Outcome:
    """The outcome, once the form says who the call was with and how it ended (both
    problems are said at once)."""
    problems = []
    if who is None:
        problems.append(Problem.coded("contact", "contact.required"))
    if outcome is None:
        problems.append(Problem.coded("outcome", "outcome.required"))
    if problems or outcome is None:
        raise ValidationError(tuple(problems))
    return outcome


def _amount(text: str) -> Decimal | None:
    if not text.strip():
        return None
    try:
        return parse_amount(text, field="promise_amount")
    except ValueError as exc:
        raise ValidationError((Problem.from_error("promise_amount", exc),)) from None


def _unless_blank(person: ContactDraft) -> ContactDraft | None:
    """``person``, or None when their section of the form was left blank."""
    return person if person.name.strip() or person.title.strip() or person.phones else None


def _log(debtor_key: str, report: CallReport, *, settings: Settings) -> LoggedCall:
    return log_call(
        state.engine(),
        debtor_key=debtor_key,
        report=report,
        actor=state.actor(),
        region=settings.phone_region,
    )


def _logged_message(logged: LoggedCall, name: str, lang: str) -> str:
    if logged.duplicate:
        return t("call.duplicate", lang, name=escape_markdown(name))
    message = t("call.logged", lang, name=escape_markdown(name))
    for added in (logged.new_contact, logged.new_passed):
        if added is not None:
            message += " " + t("call.added_referral", lang, name=escape_markdown(added.name))
    return message
