"""The team search page under AppTest: one box, the people found, choosing one opens its debtor."""

from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest

from tests.factories import make_contact, make_interaction, make_map, make_phone
from tests.ui.apptest_helpers import HOSTILE, SeededDb, assert_clean, open_page, seed, texts


def searched(app: AppTest, text: str) -> AppTest:
    app.text_input(key="search_text").input(text).run()
    assert_clean(app)
    return app


def _globex(db: SeededDb) -> None:
    seed(
        db.engine,
        make_map(
            "globex",
            name="Globex Trading",
            contacts=(make_contact("li", name="李会计", phones=(make_phone("+8613600005678"),)),),
            relations=(),
            interactions=(make_interaction("li", minutes=30),),
        ),
    )


def test_a_number_shows_debtor_person_number_and_last_call(app: AppTest, db: SeededDb):
    _globex(db)
    open_page(app, "search")
    assert app.title[0].value == "Search the team"
    assert "Who is calling?" in texts(app)

    searched(app, "5678")
    shown = texts(app)
    assert "2 found" in shown
    # Globex's accountant was called more recently than acme's boss (never called): first.
    assert [b.label for b in app.button] == ["Globex Trading", "上海acme贸易有限公司"]
    assert "李会计" in shown and "136 0000 5678" in shown
    assert "last call 2026-11-20 10:00" in shown  # 02:00 UTC, shown in Shanghai time
    assert "王总" in shown and "138 1234 5678" in shown and "never called" in shown

    searched(app, "+86 21 6123 4567")
    assert [b.label for b in app.button] == ["上海acme贸易有限公司"]
    assert "小张" in texts(app) and "021 6123 4567" in texts(app)

    searched(app, "nobody at all")
    assert "No one found." in texts(app) and not app.button


def test_choosing_a_result_opens_its_debtor_with_the_person_picked(app: AppTest, db: SeededDb):
    _globex(db)
    app.run()
    assert app.selectbox(key="debtor").value == "acme"
    open_page(app, "search")
    searched(app, "李会计")
    app.button(key="search_open_globex_li").click().run()
    assert_clean(app)
    assert app.title[0].value == "Log a call"
    assert app.selectbox(key="debtor").value == "globex"
    assert app.selectbox(key="log_call_contact").value == "li"


def test_too_few_digits_get_a_clear_message(app: AppTest):
    open_page(app, "search")
    searched(app, "12")
    assert [w.value for w in app.warning] == [
        "Type at least 4 digits of a number, or part of a name."
    ]
    assert not app.button
    searched(app, "   ")
    assert not app.warning and "Who is calling?" in texts(app)


def test_the_page_reads_in_chinese(app: AppTest):
    app.radio(key="lang").set_value("zh-CN").run()
    open_page(app, "search")
    assert app.title[0].value == "全团队搜索"
    searched(app, "王总")
    shown = texts(app)
    assert "找到 1 个" in shown and "从未联系" in shown
    searched(app, "567")
    assert [w.value for w in app.warning] == ["请至少输入号码的 4 位数字，或姓名的一部分。"]


def test_hostile_names_are_shown_as_text(app: AppTest, db: SeededDb):
    seed(
        db.engine,
        make_map(
            "evil",
            name=f"**bold** {HOSTILE}",
            contacts=(make_contact("x", name=f"{HOSTILE} :red[x]", phones=()),),
            relations=(),
            interactions=(),
        ),
    )
    open_page(app, "search")
    searched(app, "onerror")
    (button,) = app.button
    assert button.label == r"\*\*bold\*\* \<img src\=x onerror\=alert\(1\)\>"
    assert f"{HOSTILE} :red[x]" in texts(app)
    raw = "\n".join(m.value for m in app.markdown)
    assert r"\<img src\=x" in raw and r"\:red\[x\]" in raw
    assert not re.search(r"(?<!\\)[<:\[]", raw)  # nothing markdown or HTML would act on
    assert "no number" in texts(app)
