"""Validation messages in the collector's language: a zh-CN collector reads why a
call was not saved in Chinese, with the field named in Chinese too."""

from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest

from orgmap.domain.model import Outcome
from tests.ui.apptest_helpers import SeededDb, assert_clean, open_page

_ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")


def _log_referral_with_phone(app: AppTest, phone: str) -> AppTest:
    app.selectbox(key="debtor").set_value("acme").run()
    open_page(app, "log_call")
    app.selectbox(key="log_call_contact").set_value("desk")
    app.selectbox(key="log_call_outcome").set_value(Outcome.REFERRED)
    app.text_input(key="log_call_ref_name").input("王经理")
    app.text_input(key="log_call_ref_phone").input(phone)
    next(b for b in app.form_submit_button if b.form_id == "log_call").click().run()
    assert_clean(app)
    return app


def _problem_lines(app: AppTest) -> list[str]:
    """The problems listed under the error heading, as read on screen."""
    [error] = app.error
    lines = [re.sub(r"\\(.)", r"\1", line) for line in error.value.splitlines()]
    return [line.removeprefix("- ") for line in lines if line.startswith("- ")]


def test_bad_referred_phone_reads_in_chinese(app: AppTest, db: SeededDb):
    before = len(db.map().interactions)
    app.radio(key="lang").set_value("zh-CN").run()
    _log_referral_with_phone(app, "12345")

    assert app.error[0].value.startswith("未保存")
    [problem] = _problem_lines(app)
    assert problem.startswith("被引荐人的电话：")
    assert "不是有效的电话号码" in problem
    typed_by_user = "'12345'"
    assert typed_by_user in problem
    assert not _ENGLISH_WORD.search(problem.replace(typed_by_user, "")), problem
    assert len(db.map().interactions) == before  # nothing written


def test_bad_referred_phone_reads_in_english(app: AppTest, db: SeededDb):
    _log_referral_with_phone(app, "12345")
    [problem] = _problem_lines(app)
    assert problem.startswith("referred person › phone: '12345' is not a valid phone number")
