"""The team's debtor list, a page at a time: its controls, the table, the pager.

:func:`ask` draws the search, filters and sort and says which page to read;
the page reads it (:func:`orgmap.services.debtor_list.list_page`); :func:`show`
draws its rows, and :func:`pager` the way to the other pages.  Search, filters
and sort run in the database, so the table's own column sorting only reorders
the page shown.

The "next step" column is the first step of each shown debtor's best route,
worked out for the rows on screen only (5-20 ms a debtor) and cached under a
*stamp* that changes whenever the debtor does (see :func:`_stamp`) and with the
date, because history penalties fade by the day: a rerun, or a return to a page
seen before, routes no one again.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Protocol

import streamlit as st

from orgmap.domain.access import Actor
from orgmap.domain.model import DebtorStatus
from orgmap.i18n import label
from orgmap.services import debtor_list
from orgmap.services.debtor_list import DebtorFilters, DebtorSort, SortColumn
from orgmap.services.errors import StoreError
from orgmap.services.routes import routing_weights
from orgmap.settings import Settings
from orgmap.ui import state
from orgmap.ui.components import data_table
from orgmap.ui.components.route_view import via_label
from orgmap.ui.formatting import (
    days_past_due,
    format_local_time,
    format_phone_number,
    today_in,
)
from orgmap.ui.text import t

__all__ = ["DebtorLine", "ListRequest", "ask", "forget_next_steps", "pager", "show"]

# Only a well-formed E.164 number becomes a tel: link (as in orgmap.ui.formatting.phone_link).
_E164 = re.compile(r"\+[1-9][0-9]{1,14}")
#: The last-contact filter's choices: 0 any time, +n within n days, -n not for n days.
_CONTACT_WINDOWS = (0, 7, 30, -30, -90)
#: The list's controls, by the end of their widget keys (``debtors_search`` …).
_CONTROLS = (
    *("search", "mine", "collector", "contact", "min", "max", "sort", "desc", "page", "page_size"),
)


class DebtorLine(Protocol):
    """What the list shows of one debtor: a row of
    :func:`orgmap.services.debtor_list.list_page`, described here so that the UI
    need not import the store, where that class is defined."""

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


@dataclass(frozen=True, slots=True)
class ListRequest:
    """Which page of the list the collector asked for."""

    query: str
    sort: DebtorSort
    filters: DebtorFilters
    page: int
    page_size: int


def ask(key: str, *, lang: str, user: str, collectors: Sequence[str]) -> ListRequest:
    """Draw the search box, the filters and the sort; the page of the list to read.

    Changing any of them goes back to the first page.  "My cases" keeps the
    debtors assigned to ``user``.
    """
    _restore(key, collectors=collectors)
    first_page = functools.partial(_go_to, key, 1)
    query = st.text_input(t("debtors.search", lang), key=f"{key}_search", on_change=first_page)
    mine_column, collector_column, contact_column = st.columns([1, 2, 2])
    mine = mine_column.toggle(t("debtors.mine", lang), key=f"{key}_mine", on_change=first_page)
    collector = collector_column.selectbox(
        t("debtors.collector", lang),
        ["", *collectors],
        format_func=lambda name: name or t("debtors.everyone", lang),
        key=f"{key}_collector",
        on_change=first_page,
        disabled=mine,
    )
    window = contact_column.selectbox(
        t("debtors.last_contact", lang),
        _CONTACT_WINDOWS,
        format_func=functools.partial(_window_label, lang=lang),
        key=f"{key}_contact",
        on_change=first_page,
    )
    low_column, high_column, sort_column, order_column = st.columns([2, 2, 2, 1])
    amount = functools.partial(
        st.number_input, min_value=0.0, value=None, step=1000.0, format="%.2f", on_change=first_page
    )
    with low_column:
        low = amount(t("debtors.amount_min", lang), key=f"{key}_min")
    with high_column:
        high = amount(t("debtors.amount_max", lang), key=f"{key}_max")
    sort_labels = {
        SortColumn.KEY: t("col.key", lang),
        SortColumn.NAME: t("col.name", lang),
        SortColumn.AMOUNT: t("col.amount", lang),
        SortColumn.DUE_DATE: t("debtor.due_date", lang),
        SortColumn.LAST_CONTACT: t("col.last_contact", lang),
    }
    column = sort_column.selectbox(
        t("debtors.sort", lang),
        list(sort_labels),
        format_func=sort_labels.__getitem__,
        key=f"{key}_sort",
        on_change=first_page,
    )
    descending = order_column.toggle(
        t("debtors.descending", lang), key=f"{key}_desc", on_change=first_page
    )
    since = datetime.now(UTC) - timedelta(days=abs(window))
    filters = DebtorFilters(
        assigned_to=user if mine else (collector or None),
        min_amount=_amount(low),
        max_amount=_amount(high),
        contacted_since=since if window > 0 else None,
        not_contacted_since=since if window < 0 else None,
    )
    page_size = st.session_state.get(f"{key}_page_size", debtor_list.PAGE_SIZES[0])
    return ListRequest(
        query=query.strip(),
        sort=DebtorSort(column, descending),
        filters=filters,
        page=max(1, int(st.session_state.get(f"{key}_page", 1))),
        page_size=page_size,
    )


#: Widths (px) of the first three columns: with the row picker they fit a phone's
#: 390 px, so name, number and next step show without scrolling sideways.
PHONE_COLUMNS = {"name": 96, "number": 106, "next_step": 114}


def show(
    key: str, *, debtors: Sequence[DebtorLine], lang: str, settings: Settings, actor: Actor
) -> None:
    """Draw the rows with each one's next step; picking a row makes that debtor the current one.

    Name, the number of the next step's person (a ``tel:`` link) and the next step
    come first and fit a phone's width; the rest follows to the right."""
    with st.spinner(t("debtors.working", lang)):
        rows, numbers = _rows(debtors, lang=lang, settings=settings, actor=actor)
    st.session_state[f"{key}_keys"] = [d.key for d in debtors]
    data_table.show(
        rows,
        key=key,
        on_select=functools.partial(_open_selected, key),
        column_config={
            t("col.name", lang): st.column_config.TextColumn(width=PHONE_COLUMNS["name"]),
            t("col.number", lang): st.column_config.LinkColumn(width=PHONE_COLUMNS["number"]),
            t("col.next_step", lang): st.column_config.TextColumn(width=PHONE_COLUMNS["next_step"]),
            t("col.amount", lang): st.column_config.NumberColumn(format="localized"),
            t("col.authorizer", lang): st.column_config.CheckboxColumn(),
        },
        link_text={t("col.number", lang): numbers},
    )


def pager(key: str, *, page: int, pages: int, lang: str) -> None:
    """Draw previous / page number / next, and the page size, for the page shown."""
    st.session_state[f"{key}_page"] = page  # the page shown (the list may have shrunk)
    back, number, forward, size = st.columns([1, 2, 1, 2], vertical_alignment="bottom")
    back.button(
        t("debtors.previous", lang),
        key=f"{key}_previous",
        on_click=_go_to,
        args=(key, page - 1),
        disabled=page <= 1,
    )
    number.number_input(
        t("debtors.page", lang, pages=pages),
        min_value=1,
        max_value=pages,
        step=1,
        key=f"{key}_page",
    )
    forward.button(
        t("debtors.next", lang),
        key=f"{key}_next",
        on_click=_go_to,
        args=(key, page + 1),
        disabled=page >= pages,
    )
    size.selectbox(
        t("debtors.page_size", lang),
        debtor_list.PAGE_SIZES,
        key=f"{key}_page_size",
        on_change=_go_to,
        args=(key, 1),
    )
    _keep(key)


def forget_next_steps() -> None:
    """Drop every cached next step (after an import, which may change any debtor)."""
    _next_step.clear()


def _restore(key: str, *, collectors: Sequence[str]) -> None:
    """Put the controls back as the collector left them.

    Streamlit forgets a widget's value on a run that does not draw it, so going
    to the map and back would otherwise lose "my cases", the search and the page.
    """
    for name, value in st.session_state.get(f"_{key}_kept", {}).items():
        st.session_state.setdefault(f"{key}_{name}", value)
    if st.session_state.get(f"{key}_collector", "") not in ("", *collectors):
        st.session_state[f"{key}_collector"] = ""  # no debtor is assigned to them any more


def _keep(key: str) -> None:
    st.session_state[f"_{key}_kept"] = {
        name: st.session_state[f"{key}_{name}"]
        for name in _CONTROLS
        if f"{key}_{name}" in st.session_state
    }


def _go_to(key: str, page: int) -> None:
    st.session_state[f"{key}_page"] = max(1, page)


def _window_label(days: int, *, lang: str) -> str:
    if days == 0:
        return t("debtors.contact_any", lang)
    if days > 0:
        return t("debtors.contact_within", lang, days=days)
    return t("debtors.contact_not_within", lang, days=-days)


def _amount(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(f"{value:.2f}")


def _rows(
    debtors: Sequence[DebtorLine], *, lang: str, settings: Settings, actor: Actor
) -> tuple[list[dict], dict[str, str]]:
    """The rows, and the text shown for each ``tel:`` link in the number column."""
    today = today_in(settings.timezone)
    url = state.database_url()
    rows, numbers = [], {}
    for d in debtors:
        step, link, shown = _next_step(
            url,
            d.key,
            (*_stamp(d), today),
            lang,
            settings.routing_weights,
            settings.phone_region,
            actor,
        )
        if link:
            numbers[link] = shown
        rows.append(
            {
                t("col.name", lang): d.name,
                t("col.number", lang): link or None,
                t("col.next_step", lang): step,
                t("col.amount", lang): d.amount_owed,
                t("col.currency", lang): d.currency,
                t("col.days_past_due", lang): days_past_due(d.due_date, today=today),
                t("col.contacts", lang): d.contact_count,
                t("col.authorizer", lang): d.authorizer_known,
                t("col.last_contact", lang): format_local_time(
                    d.last_contact_at, settings.timezone
                ),
                t("col.status", lang): label(d.status, lang),
                t("col.key", lang): d.key,
            }
        )
    return rows, numbers


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
def _next_step(
    url: str,
    debtor_key: str,
    stamp: tuple,
    lang: str,
    weights_path: str | None,
    region: str,
    actor: Actor,
) -> tuple[str, str, str]:
    """Who to call first for this debtor, e.g. ``陈晓丽 · 电话``, by the team's weights,
    with the ``tel:`` link of their first number to dial and that number as shown
    (``139 1234 5678``); the link and number are empty when there is none.

    ``url`` and ``stamp`` (with the date) are only part of the cache key; ``actor``
    is part of it too, so that no one is served an answer worked out for someone who
    sees more (a viewer gets masked numbers, so no link).
    """
    weights = routing_weights(weights_path)
    try:
        found = debtor_list.next_step(
            state.engine(), debtor_key, actor=actor, lang=lang, weights=weights
        )
    except StoreError:  # removed since the list was read
        return "", "", ""
    if found is None:
        return t("route.none_short", lang), "", ""
    text = f"{found.step.name} · {via_label(found.step.via, lang)}"
    if not found.numbers or not _E164.fullmatch(found.numbers[0].e164):
        return text, "", ""
    first = found.numbers[0]
    return text, f"tel:{first.e164}", format_phone_number(first, region=region, lang=lang)
