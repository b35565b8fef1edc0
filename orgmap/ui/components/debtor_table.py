"""The team's debtor list: sortable by any column, one click opens a debtor.

The "next step" column is the first step of each debtor's best route.  Routing
a debtor takes 5-20 ms; a list of several hundred would take seconds on every
rerun, so each answer is cached under a *stamp* that changes whenever the
debtor does (see :func:`_stamp`) and with the date, because history penalties
fade by the day.  Measured with 400 generated debtors (12,000 contacts): 7 s to
fill the cache once, 0.3 s per run after that.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

import streamlit as st

from orgmap.domain.model import DebtorStatus
from orgmap.i18n import label
from orgmap.services.debtors import route_debtor
from orgmap.services.errors import StoreError
from orgmap.services.routes import routing_weights
from orgmap.settings import Settings
from orgmap.ui import state
from orgmap.ui.components import data_table
from orgmap.ui.components.route_view import via_label
from orgmap.ui.formatting import days_past_due, format_local_time, today_in
from orgmap.ui.text import t

__all__ = ["DebtorLine", "forget_next_steps", "show"]


class DebtorLine(Protocol):
    """What the list shows of one debtor: a line of
    :func:`orgmap.services.debtors.debtor_summaries`, described here so that the
    UI need not import the store, where that class is defined."""

    @property
    def key(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def amount_owed(self) -> Decimal: ...
    @property
    def currency(self) -> str: ...
    @property
    def due_date(self) -> date | None: ...
    @property
    def status(self) -> DebtorStatus: ...
    @property
    def contact_count(self) -> int: ...
    @property
    def authorizer_known(self) -> bool: ...
    @property
    def last_contact_at(self) -> datetime | None: ...
    @property
    def version(self) -> int: ...


def show(key: str, *, debtors: Sequence[DebtorLine], lang: str, settings: Settings) -> None:
    """Draw the list; picking a row makes that debtor the current one (sidebar picker)."""
    with st.spinner(t("debtors.working", lang)):
        rows = _rows(debtors, lang=lang, settings=settings)
    st.session_state[f"{key}_keys"] = [d.key for d in debtors]
    data_table.show(
        rows,
        key=key,
        on_select=functools.partial(_open_selected, key),
        column_config={
            t("col.amount", lang): st.column_config.NumberColumn(format="localized"),
            t("col.authorizer", lang): st.column_config.CheckboxColumn(),
        },
    )


def _rows(debtors: Sequence[DebtorLine], *, lang: str, settings: Settings) -> list[dict]:
    today = today_in(settings.timezone)
    url = state.database_url()
    return [
        {
            t("col.name", lang): d.name,
            t("col.amount", lang): d.amount_owed,
            t("col.currency", lang): d.currency,
            t("col.days_past_due", lang): days_past_due(d.due_date, today=today),
            t("col.contacts", lang): d.contact_count,
            t("col.authorizer", lang): d.authorizer_known,
            t("col.last_contact", lang): format_local_time(d.last_contact_at, settings.timezone),
            t("col.next_step", lang): _next_step(
                url, d.key, (*_stamp(d), today), lang, settings.routing_weights
            ),
            t("col.status", lang): label(d.status, lang),
            t("col.key", lang): d.key,
        }
        for d in debtors
    ]


def forget_next_steps() -> None:
    """Drop every cached next step (after an import, which may change any debtor)."""
    _next_step.clear()


def _open_selected(key: str) -> None:
    picked = st.session_state[key].selection.rows
    keys = st.session_state.get(f"{key}_keys", [])
    if picked and picked[0] < len(keys):
        state.choose_debtor(keys[picked[0]])


def _stamp(d: DebtorLine) -> tuple:
    """Changes whenever the debtor's route may: a logged call, an added or archived
    contact, an edit of the debtor, or any change made in this process."""
    return (
        d.version,
        d.last_contact_at,
        d.contact_count,
        d.authorizer_known,
        state.revision(d.key),
    )


@st.cache_data(max_entries=20_000, show_spinner=False)
def _next_step(url: str, debtor_key: str, stamp: tuple, lang: str, weights_path: str | None) -> str:
    """Who to call first for this debtor, e.g. ``陈晓丽 · 电话``, by the team's weights.

    ``url`` and ``stamp`` (with the date) are only part of the cache key.
    """
    try:
        answer = route_debtor(
            state.engine(),
            debtor_key=debtor_key,
            k=1,
            lang=lang,
            weights=routing_weights(weights_path),
        )
    except StoreError:  # removed since the list was read
        return ""
    if not answer.routes:
        return t("route.none_short", lang)
    first = answer.routes[0].steps[0]
    return f"{first.name} · {via_label(first.via, lang)}"
