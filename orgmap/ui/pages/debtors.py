"""Debtors: the team's list a page at a time (search, filters, sort, next step), and
creating or editing a debtor."""

from functools import partial

import streamlit as st

from orgmap.services import debtor_list
from orgmap.services import debtors as service
from orgmap.ui import state
from orgmap.ui.components import debtor_form, debtor_table, form_state
from orgmap.ui.components.feedback import commit, show_flash
from orgmap.ui.formatting import escape_markdown
from orgmap.ui.text import t

lang, settings, engine, actor = state.lang(), state.settings(), state.engine(), state.actor()
st.title(t("page.debtors", lang))
show_flash()

asked = debtor_table.ask(
    "debtors", lang=lang, user=state.user(), collectors=debtor_list.collectors(engine, actor=actor)
)
shown = debtor_list.list_page(
    engine,
    actor=actor,
    query=asked.query,
    sort=asked.sort,
    filters=asked.filters,
    page=asked.page,
    page_size=asked.page_size,
)
st.caption(
    t("debtors.count", lang, n=shown.total)
    + " · "
    + t("debtors.page_of", lang, page=shown.page, pages=shown.pages)
)
debtor_table.show("debtors_table", debtors=shown.rows, lang=lang, settings=settings, actor=actor)
debtor_table.pager("debtors", page=shown.page, pages=shown.pages, lang=lang)


def done(form_key: str):
    def forget_form(result: service.Saved) -> None:
        form_state.forget(form_key, debtor_form.FIELDS)
        state.choose_debtor(result.key)

    return forget_form


# Those who may only read (viewers) are not offered forms the service would refuse.
may_edit = service.may_create(actor)
with st.expander(t("debtors.new", lang), icon=":material/add:") if may_edit else st.empty():
    if may_edit and (draft := debtor_form.show("debtor_new", lang=lang)):
        commit(
            partial(service.create_debtor, engine, draft=draft, actor=actor),
            lang=lang,
            debtor_key=draft.key,
            message=t("debtors.created", lang, name=escape_markdown(draft.name)),
            after=done("debtor_new"),
        )

if may_edit and (current := state.current_debtor()):
    view = service.open_debtor(engine, current, actor=actor, k=0)
    debtor, version = view.map.debtor, view.versions.debtor
    form_key = f"debtor_edit_{current}"
    with st.expander(
        t("debtors.edit", lang, name=escape_markdown(debtor.name)), icon=":material/edit:"
    ):
        if draft := debtor_form.show(form_key, lang=lang, debtor=debtor, version=version):
            commit(
                partial(
                    service.edit_debtor,
                    engine,
                    debtor_key=current,
                    draft=draft,
                    actor=actor,
                    expected_version=form_state.version(form_key),
                ),
                lang=lang,
                debtor_key=current,
                message=t("debtors.saved", lang, name=escape_markdown(draft.name)),
                after=done(form_key),
            )
        if st.button(t("common.reload", lang), key=f"{form_key}_reload"):
            form_state.forget(form_key, debtor_form.FIELDS)
            st.rerun()
