"""A route answer on screen: numbered steps, why each costs what it does, what to ask."""

from __future__ import annotations

import streamlit as st

from orgmap.domain.model import Channel, RelationType
from orgmap.i18n import label
from orgmap.routing import RouteAnswer
from orgmap.ui.formatting import escape_markdown
from orgmap.ui.text import t

__all__ = ["show", "via_label"]


def via_label(via: str, lang: str) -> str:
    """How a step is reached, in words: a channel for the first step, a relation after."""
    for kind in (Channel, RelationType):
        try:
            return label(kind(via), lang)
        except ValueError:
            continue
    return via


def show(answer: RouteAnswer, *, lang: str, limit: int | None = None) -> None:
    """Draw the routes (up to ``limit``), then warnings and what to learn next.

    Names, reasons and hints may carry user-typed text: all of it is escaped.
    """
    if answer.discovery:
        st.info(t("route.discovery", lang))
    routes = answer.routes[:limit] if limit else answer.routes
    if not routes:
        st.warning(t("route.none", lang))
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
                if step.reasons:
                    st.caption(escape_markdown("; ".join(step.reasons)))
                if step.hint:
                    st.caption(f"{t('route.hint', lang)} {escape_markdown(step.hint)}")
    for warning in answer.warnings:
        st.warning(escape_markdown(warning))
    if answer.learn_next:
        st.markdown(f"**{t('route.learn_next', lang)}**")
        st.markdown("\n".join(f"- {escape_markdown(item)}" for item in answer.learn_next))
