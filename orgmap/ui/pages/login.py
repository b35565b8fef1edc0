"""Logging in: the only page anyone sees without an open session, at any address.

While there is no user at all it is the first-run page instead, which creates the
first administrator (no default password anywhere).  The forms post to the
routes of :mod:`orgmap.web.auth`; a refusal comes back as ``?login=failed`` or
``?setup=<reason>``, shown here as one localized line.
"""

import streamlit as st

from orgmap.domain.passwords import PASSWORD_MIN_CHARS
from orgmap.ui import state
from orgmap.ui.components.auth_forms import first_admin_form, login_form
from orgmap.ui.text import t
from orgmap.web.auth import LOGIN_FAILED, LOGIN_PARAM, SETUP_PARAM

lang = state.lang()
target = state.return_address(lang)
if state.has_users():
    st.title(t("login.title", lang))
    if st.query_params.get(LOGIN_PARAM) == LOGIN_FAILED:
        st.error(t("login.failed", lang))
    st.html(login_form(target=target, lang=lang))
    st.caption(t("login.help", lang))
    st.stop()

st.title(t("first_run.title", lang))
st.markdown(t("first_run.intro", lang))
refusals = {
    "name": t("first_run.error.name", lang),
    "short": t("first_run.error.short", lang, min=PASSWORD_MIN_CHARS),
    "long": t("first_run.error.long", lang),
    "common": t("first_run.error.common", lang),
    "has_name": t("first_run.error.has_name", lang),
    "simple": t("first_run.error.simple", lang),
    "mismatch": t("first_run.error.mismatch", lang),
}
if (reason := st.query_params.get(SETUP_PARAM)) in refusals:
    st.error(refusals[reason])
st.html(first_admin_form(target=target, lang=lang))
st.caption(t("first_run.rules", lang, min=PASSWORD_MIN_CHARS))
