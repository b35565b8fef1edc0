"""A route answer on screen: numbered steps with the numbers to dial, why each step costs
what it does, what to ask."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import streamlit as st

from orgmap.domain.model import Channel, Contact, DebtorMap, Phone, RelationType
from orgmap.i18n import label
from orgmap.routing import RouteAnswer
from orgmap.services.routes import routing_weights
from orgmap.settings import Settings
from orgmap.ui.formatting import escape_markdown, phone_link, phones_to_call
from orgmap.ui.text import t

__all__ = ["means_line", "show", "via_label"]


def via_label(via: str, lang: str) -> str:
    """How a step is reached, in words: a channel for the first step, a relation after."""
    for kind in (Channel, RelationType):
        try:
            return label(kind(via), lang)
        except ValueError:
            continue
    return via


def show(
    answer: RouteAnswer, *, m: DebtorMap, lang: str, settings: Settings, limit: int | None = None
) -> None:
    """Draw the warnings, the routes (up to ``limit``) of ``m``, then what to learn next.

    Each step says how to reach the person: their numbers to dial as ``tel:``
    links (see :func:`means_line`), their email.  Names, reasons and hints may
    carry user-typed text: all of it is escaped.
    """
    # The routing's warnings already say "no authorizer known" (discovery) and "no
    # route" and why: each is shown once, before the routes; ours only when it says nothing.
    for warning in answer.warnings:
        st.warning(escape_markdown(warning))
    routes = answer.routes[:limit] if limit else answer.routes
    if not routes and not answer.warnings:
        st.warning(t("route.none", lang))
    weights = routing_weights(settings.routing_weights)
    phones = phones_to_call(m, weights=weights, now=datetime.now(UTC)) if routes else {}
    for number, route in enumerate(routes, start=1):
        with st.container(border=True):
            target = next((s.name for s in route.steps if s.contact == route.target), route.target)
            st.markdown(
                t(
                    "route.heading",
                    lang,
                    n=number,
                    cost=f"{route.cost:.1f}",
                    target=escape_markdown(target),
                )
            )
            for i, step in enumerate(route.steps, start=1):
                via = escape_markdown(via_label(step.via, lang))
                cost = t("route.cost", lang, cost=f"{step.cost:.1f}")
                st.markdown(f"{i}\\. **{escape_markdown(step.name)}** · {via} · {cost}")
                if (contact := m.contact(step.contact)) is not None:
                    means = means_line(
                        contact,
                        phones.get(contact.key, ()),
                        lang=lang,
                        region=settings.phone_region,
                        first=step.via,
                    )
                    st.markdown(means)
                if step.reasons:
                    st.caption(escape_markdown("; ".join(step.reasons)))
                if step.hint:
                    st.caption(f"{t('route.hint', lang)} {escape_markdown(step.hint)}")
    if answer.learn_next:
        st.markdown(f"**{t('route.learn_next', lang)}**")
        st.markdown("\n".join(f"- {escape_markdown(item)}" for item in answer.learn_next))


def means_line(
    contact: Contact, phones: Sequence[Phone], *, lang: str, region: str, first: str = ""
) -> str:
    """Markdown saying how to reach ``contact``: each channel with what it takes, e.g.
    ``phone: [139 1234 5678](tel:+8613912345678) · email: …``.

    ``phones`` are the numbers to dial (see ``formatting.phones_to_call``), shown
    for the team's ``region`` and linked on their E.164 digits only; the channel
    named ``first`` (the one the route chose) comes first.  A do-not-contact
    contact is said to be one; nothing to reach them by is said too.
    """
    if contact.do_not_contact:
        return escape_markdown(t("contact.do_not_contact", lang))
    ways: list[tuple[Channel, str]] = []
    if phones:
        ways.append(
            (Channel.PHONE, " / ".join(phone_link(p, region=region, lang=lang) for p in phones))
        )
    if contact.email:
        ways.append((Channel.EMAIL, escape_markdown(contact.email)))
    if not ways:
        return escape_markdown(t("route.no_means", lang))
    ways.sort(key=lambda way: way[0] != first)
    return " · ".join(
        t("route.reach", lang, channel=escape_markdown(label(channel, lang)), means=means)
        for channel, means in ways
    )
