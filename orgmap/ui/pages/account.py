"""Change password: the current one, then the new one twice.

The current password is checked like a login (wrong ones count towards the
lockout); the new one must pass the password rules.  Every other session of the
user (other browsers, other devices) ends; this one stays open.
"""

import streamlit as st

from orgmap.domain.passwords import PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS
from orgmap.domain.validation import ValidationError
from orgmap.services import accounts, login
from orgmap.ui import state
from orgmap.ui.text import t

FORM = "account_password"
lang, engine, who = state.lang(), state.engine(), state.actor()
st.title(t("page.account", lang))


def _password(label: str, name: str, complete: str) -> str:
    return st.text_input(
        label,
        type="password",
        max_chars=PASSWORD_MAX_CHARS,
        autocomplete=complete,
        key=f"{FORM}_{name}",
    )


with st.form(FORM, clear_on_submit=True, enter_to_submit=False):
    current = _password(t("account.current", lang), "current", "current-password")
    new = _password(t("account.new", lang), "new", "new-password")
    repeat = _password(t("account.repeat", lang), "repeat", "new-password")
    submitted = st.form_submit_button(t("account.submit", lang), key=f"{FORM}_submit")
st.caption(t("first_run.rules", lang, min=PASSWORD_MIN_CHARS))
if not submitted:
    st.stop()
if new != repeat:
    st.error(t("account.mismatch", lang))
    st.stop()
try:
    login.verify_login(engine, name=who.name, password=current, source="change-password")
except login.LoginRefusedError:
    st.error(t("account.wrong_current", lang))
    st.stop()
try:
    ended = accounts.reset_password(
        engine, actor=who, name=who.name, password=new, keep_session=state.session_token()
    )
except ValidationError as error:
    st.error("\n\n".join(problem.text(lang) for problem in error.problems))
    st.stop()
st.success(t("account.changed", lang, n=ended))
