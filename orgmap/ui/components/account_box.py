"""The sidebar's account box: who is logged in, "Change password", "Log out"."""

from __future__ import annotations

from typing import Any

import streamlit as st

from orgmap.domain.access import Role
from orgmap.services.accounts import Account
from orgmap.ui.components.auth_forms import logout_form
from orgmap.ui.formatting import escape_markdown
from orgmap.ui.text import t


def role_name(role: Role, lang: str) -> str:
    """The role as the sidebar names it."""
    return {
        Role.ADMIN: t("role.admin", lang),
        Role.LEAD: t("role.lead", lang),
        Role.COLLECTOR: t("role.collector", lang),
        Role.VIEWER: t("role.viewer", lang),
    }[role]


def show(who: Account, *, account_page: Any, lang: str) -> None:
    """Draw the box at the sidebar's end; ``account_page`` is the change-password page."""
    box = st.sidebar.container(border=True)
    team = f" · {escape_markdown(who.team)}" if who.team else ""
    box.markdown(
        t("sidebar.logged_in", lang, name=escape_markdown(who.name), role=role_name(who.role, lang))
        + team
    )
    box.page_link(account_page, label=t("page.account", lang), icon=":material/key:")
    box.html(logout_form(target=f"/?lang={lang}", lang=lang))
