"""Facts: the article-5 checklist for a debtor, with how much of it is known.

The top leader named here is put on the map as the one who authorizes payment
(see :func:`orgmap.services.debtors.update_facts`), so the route targets them.
One column (a phone shows it as typed); Enter does not save.
"""

from functools import partial

import streamlit as st

from orgmap.domain.fields import EMAIL_MAX_CHARS
from orgmap.domain.model import DebtorFacts
from orgmap.services import debtors
from orgmap.ui import state
from orgmap.ui.components import form_state
from orgmap.ui.components.feedback import commit, show_flash
from orgmap.ui.text import t

lang, settings, engine = state.lang(), state.settings(), state.engine()
st.title(t("page.facts", lang))
show_flash()
if not (debtor_key := state.current_debtor()):
    st.info(t("debtor.none_chosen", lang))
    st.stop()

actor = state.actor()
view = debtors.open_debtor(engine, debtor_key, actor=actor, k=0)
facts = view.map.debtor.facts
known = debtors.facts_known(facts)
st.progress(
    known / debtors.FACT_COUNT, text=t("facts.known", lang, n=known, total=debtors.FACT_COUNT)
)

TEXTS = ("reason_unpaid", "who_pays")
YES_NO = ("money_in_account", "salaries_on_time", "leaders_aware")
LINES = ("top_leader", "top_leader_mobile", "top_leader_email")
TICKS = ("address_verified", "registration_verified")
FIELDS = TEXTS + YES_NO + LINES + TICKS
form_key = f"facts_{debtor_key}"
version = view.versions.debtor
# A radio shows a None value as "nothing chosen", so yes/no/unknown travel as words.
AS_WORD = {None: "unknown", True: "yes", False: "no"}
AS_VALUE = {word: value for value, word in AS_WORD.items()}
seeded = {n: getattr(facts, n) for n in FIELDS}
seeded.update({n: AS_WORD[seeded[n]] for n in YES_NO})
form_state.seed(
    form_key,
    seeded,
    version=version,
    lang=lang,
    labels={name: t(f"facts.{name}", lang) for name in FIELDS},
)
answers = {
    "unknown": t("facts.unknown", lang),
    "yes": t("facts.yes", lang),
    "no": t("facts.no", lang),
}

with st.form(form_key, enter_to_submit=False):
    for name in TEXTS:
        st.text_area(t(f"facts.{name}", lang), key=f"{form_key}_{name}", height=70)
    for name in YES_NO:
        st.radio(
            t(f"facts.{name}", lang),
            list(answers),
            format_func=answers.__getitem__,
            key=f"{form_key}_{name}",
            horizontal=True,
        )
    for name in LINES:
        st.text_input(t(f"facts.{name}", lang), key=f"{form_key}_{name}", max_chars=EMAIL_MAX_CHARS)
    st.caption(t("facts.leader_to_map", lang))
    for name in TICKS:
        st.checkbox(t(f"facts.{name}", lang), key=f"{form_key}_{name}")
    submitted = st.form_submit_button(
        t("common.save", lang), type="primary", width="stretch", disabled=not state.may_change()
    )

if submitted:
    values = {n: st.session_state[f"{form_key}_{n}"] for n in FIELDS}
    values.update({n: AS_VALUE[values[n]] for n in YES_NO})
    typed = DebtorFacts(**values)
    commit(
        partial(
            debtors.update_facts,
            engine,
            debtor_key=debtor_key,
            facts=typed,
            actor=actor,
            expected_version=form_state.version(form_key),
            region=settings.phone_region,
        ),
        lang=lang,
        debtor_key=debtor_key,
        message=t("facts.saved", lang),
        after=lambda _result: form_state.forget(form_key, FIELDS),
    )
