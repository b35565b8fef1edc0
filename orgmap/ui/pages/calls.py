"""Calls: the debtor's calls as they stand, newest first, a page at a time.

Each can be corrected (person, time, outcome, note, promise) or voided; the
original is kept and the history of a corrected call shows every record.
"""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import streamlit as st

from orgmap.domain.fields import NOTE_MAX_CHARS, parse_amount
from orgmap.domain.model import Outcome
from orgmap.i18n import label
from orgmap.services.corrections import (
    CallChange,
    CallEntry,
    CallList,
    CorrectedCall,
    correct_call,
    list_calls,
    void_call,
)
from orgmap.services.errors import Problem, ValidationError
from orgmap.ui import state
from orgmap.ui.components import contact_picker, data_table, form_state
from orgmap.ui.components.feedback import commit, show_flash
from orgmap.ui.formatting import escape_markdown, format_local_time, format_money
from orgmap.ui.text import t

#: Which call's form is open: (fingerprint, "correct" | "void", its CallEntry), or None.
OPEN_KEY = "_orgmap_calls_open"
_FIELDS = ("contact", "date", "time", "outcome", "note", "amount", "promise_date")

lang, settings = state.lang(), state.settings()
read_only = not state.may_change()
zone = ZoneInfo(settings.timezone)
st.title(t("page.calls", lang))
show_flash()
if not (debtor_key := state.current_debtor()):
    st.info(t("debtor.none_chosen", lang))
    st.stop()
debtor: str = debtor_key

page_key = f"calls_page_{debtor}"
listing: CallList = list_calls(
    state.engine(),
    debtor,
    actor=state.actor(),
    page=int(st.session_state.get(page_key, 1)) - 1,
)
if not listing.calls:
    st.caption(t("calls.none", lang))
    st.stop()
st.caption(t("calls.count", lang, n=listing.total))


def _open(entry: CallEntry, action: str) -> None:
    # The entry is kept: should a colleague supersede the call before this form is
    # saved, the form stays (with what was typed) and saving says why it cannot.
    st.session_state[OPEN_KEY] = (entry.fingerprint, action, entry)


def _close(prefix: str) -> None:
    st.session_state.pop(OPEN_KEY, None)
    form_state.forget(prefix, _FIELDS)


def _record_kind(index: int, entry: CallEntry) -> str:
    record = entry.history[index].interaction
    if record.void:
        return t("calls.record.void", lang)
    return t("calls.record.original", lang) if index == 0 else t("calls.record.correction", lang)


def _history(entry: CallEntry) -> None:
    with st.expander(t("calls.history", lang, n=len(entry.history))):
        data_table.show(
            [
                {
                    t("col.record", lang): _record_kind(i, entry),
                    t("col.when", lang): format_local_time(h.interaction.at, settings.timezone),
                    t("col.name", lang): h.contact_name,
                    t("col.outcome", lang): label(h.interaction.outcome, lang),
                    t("col.note", lang): h.interaction.note,
                    t("col.by", lang): h.interaction.by,
                }
                for i, h in enumerate(entry.history)
            ]
        )


def _amount(text: str) -> Decimal | None:
    if not text.strip():
        return None
    try:
        return parse_amount(text, field="promise_amount")
    except ValueError as exc:
        raise ValidationError((Problem.from_error("promise_amount", exc),)) from None


def _correction_form(entry: CallEntry, prefix: str) -> None:
    call = entry.call
    local = call.at.astimezone(zone)
    shown_time = local.time().replace(second=0, microsecond=0)
    form_state.seed(
        prefix,
        {
            "contact": call.contact,
            "date": local.date(),
            "time": shown_time,
            "outcome": call.outcome,
            "note": call.note,
            "amount": "" if call.promise_amount is None else f"{call.promise_amount}",
            "promise_date": call.promise_date,
        },
    )
    with st.form(f"{prefix}_form", enter_to_submit=False):
        who = contact_picker.show(
            t("call.contact", lang), listing.contacts, key=f"{prefix}_contact", lang=lang
        )
        day, moment = st.columns(2)
        when_day = day.date_input(t("calls.date", lang), key=f"{prefix}_date")
        when_time = moment.time_input(t("calls.time", lang), key=f"{prefix}_time", step=60)
        outcome = st.selectbox(
            t("call.outcome", lang),
            list(Outcome),
            format_func=lambda o: label(o, lang),
            key=f"{prefix}_outcome",
        )
        note = st.text_area(t("col.note", lang), key=f"{prefix}_note", max_chars=NOTE_MAX_CHARS)
        amount, by_date = st.columns(2)
        amount_text = amount.text_input(t("call.amount", lang), key=f"{prefix}_amount")
        promise_date = by_date.date_input(
            t("call.promise_date", lang), key=f"{prefix}_promise_date"
        )
        saved = st.form_submit_button(t("calls.save_correction", lang), type="primary")
    if st.button(t("calls.cancel", lang), key=f"{prefix}_cancel"):
        _close(prefix)
        st.rerun()
    if not saved:
        return
    moved = (when_day, when_time) != (local.date(), shown_time)
    at = datetime.combine(when_day, when_time, tzinfo=zone) if moved else None

    def change() -> CorrectedCall:
        return correct_call(
            state.engine(),
            debtor_key=debtor,
            original=entry.fingerprint,
            change=CallChange(
                contact=who,
                at=at,
                outcome=outcome,
                note=note,
                promise_amount=_amount(amount_text),
                promise_date=promise_date,
            ),
            actor=state.actor(),
            region=settings.phone_region,
        )

    commit(
        change,
        lang=lang,
        debtor_key=debtor,
        message=t("calls.corrected_done", lang),
        after=lambda _: _close(prefix),
    )


def _void_form(entry: CallEntry, prefix: str) -> None:
    with st.form(f"{prefix}_void_form", enter_to_submit=False):
        reason = st.text_input(
            t("calls.void_reason", lang), key=f"{prefix}_reason", max_chars=NOTE_MAX_CHARS
        )
        confirmed = st.form_submit_button(t("calls.void_confirm", lang), type="primary")
    if st.button(t("calls.cancel", lang), key=f"{prefix}_void_cancel"):
        _close(prefix)
        st.rerun()
    if confirmed:
        commit(
            lambda: void_call(
                state.engine(),
                debtor_key=debtor,
                original=entry.fingerprint,
                actor=state.actor(),
                reason=reason,
            ),
            lang=lang,
            debtor_key=debtor,
            message=t("calls.voided_done", lang),
            after=lambda _: _close(prefix),
        )


def _form(entry: CallEntry, action: str) -> None:
    prefix = f"calls_fix_{entry.fingerprint[:16]}"
    if action == "correct":
        _correction_form(entry, prefix)
    else:
        _void_form(entry, prefix)


opened = st.session_state.get(OPEN_KEY)
if opened is not None and opened[0] not in {e.fingerprint for e in listing.calls}:
    # Corrected or voided by someone else since the form was opened (or on another page).
    with st.container(border=True):
        st.warning(t("calls.changed_meanwhile", lang))
        _form(opened[2], opened[1])
for entry in listing.calls:
    call, short = entry.call, entry.fingerprint[:16]
    with st.container(border=True):
        summary, correct, void = st.columns([6, 1, 1], vertical_alignment="center")
        parts = [
            f"**{format_local_time(call.at, settings.timezone)}**",
            escape_markdown(entry.contact_name),
            label(call.channel, lang),
            label(call.outcome, lang),
        ]
        if call.promise_amount is not None and call.promise_date is not None:
            promise = f"{format_money(call.promise_amount)} → {call.promise_date.isoformat()}"
            parts.append(escape_markdown(promise))
        if entry.corrected:
            parts.append(f"_{t('calls.corrected', lang)}_")
        summary.markdown(" · ".join(parts))
        if call.note:
            summary.text(call.note)
        correct.button(
            t("calls.correct", lang),
            key=f"calls_correct_{short}",
            on_click=_open,
            args=(entry, "correct"),
            disabled=read_only,
        )
        void.button(
            t("calls.void", lang),
            key=f"calls_void_{short}",
            on_click=_open,
            args=(entry, "void"),
            disabled=read_only,
        )
        if entry.corrected:
            _history(entry)
        if opened is not None and opened[0] == entry.fingerprint:
            _form(entry, opened[1])

if listing.pages > 1:
    st.session_state[page_key] = listing.page + 1
    st.number_input(
        t("calls.page", lang, pages=listing.pages),
        min_value=1,
        max_value=listing.pages,
        step=1,
        key=page_key,
    )
