"""The route answer as the `--json` document of issue 3 and as a readable plan."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from importlib import resources

import pytest

from orgmap.domain.model import Department, Disposition, Outcome, RelationType
from orgmap.routing import answer_to_json, cheapest_routes, format_plan
from tests.factories import (
    classic_contacts,
    make_contact,
    make_interaction,
    make_map,
    make_phone,
    make_relation,
)

NOW = datetime(2026, 11, 24, 4, 0, tzinfo=UTC)
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def classic_answer(lang: str, **options):
    """The seed's classic company, the boss's own numbers not known yet; a broken
    promise and some silence."""
    contacts = tuple(
        replace(c, phones=(), email=None) if c.key == "boss" else c for c in classic_contacts()
    )
    m = make_map(
        contacts=contacts,
        interactions=(
            make_interaction("desk", at=NOW - timedelta(days=1), outcome=Outcome.NO_ANSWER),
            make_interaction(
                "finance",
                at=NOW - timedelta(days=6),
                outcome=Outcome.PROMISED,
                promise_amount=Decimal("50000"),
                promise_date=date(2026, 11, 20),
            ),
        ),
    )
    elsewhere = {"boss": ["上海宏达集团 (hongda-group): 王总"]}
    return cheapest_routes(m, now=NOW, lang=lang, known_elsewhere=elsewhere, **options)


def discovery_answer(lang: str):
    m = make_map(
        contacts=(
            make_contact("desk", name="小张", department=Department.RECEPTION),
            make_contact("cfo", name="财务陈姐", department=Department.FINANCE, phones=()),
        ),
        relations=(make_relation("desk", "cfo", RelationType.REFERS_TO),),
        interactions=(),
    )
    return cheapest_routes(m, now=NOW, lang=lang)


def test_json_has_exactly_the_documented_shape():
    document = answer_to_json(classic_answer("en"))
    assert set(document) == {"debtor", "discovery", "routes", "learn_next", "warnings"}
    assert document["debtor"] == "acme" and document["discovery"] is False
    assert document["routes"], "the classic company has routes"
    for route in document["routes"]:
        assert set(route) == {"cost", "target", "steps"}
        assert isinstance(route["cost"], float) and isinstance(route["target"], str)
        assert route["target"] == route["steps"][-1]["contact"]
        for step in route["steps"]:
            assert set(step) == {"contact", "name", "via", "cost", "reasons", "hint"}
            assert all(isinstance(step[k], str) for k in ("contact", "name", "via", "hint"))
            assert isinstance(step["cost"], float)
            assert step["reasons"] and all(isinstance(r, str) for r in step["reasons"])
        assert route["steps"][0]["via"] in {"phone", "email"}
        vias = {s["via"] for s in route["steps"][1:]}
        assert vias <= {t.value for t in RelationType}
    assert all(isinstance(x, str) for x in document["learn_next"] + document["warnings"])
    assert json.loads(json.dumps(document, ensure_ascii=False)) == document


def test_json_costs_are_rounded_for_display_only():
    answer = classic_answer("en")
    document = answer_to_json(answer)
    for route, shown in zip(answer.routes, document["routes"], strict=True):
        assert shown["cost"] == round(route.cost, 2)
        assert [s["cost"] for s in shown["steps"]] == [round(s.cost, 2) for s in route.steps]
    # The broken promise and the fresh silence give costs with more than two decimals.
    assert any(round(r.cost, 2) != r.cost for r in answer.routes)


def test_machine_values_do_not_change_with_the_language():
    def skeleton(document):
        return [
            (r["cost"], r["target"], [(s["contact"], s["via"], s["cost"]) for s in r["steps"]])
            for r in document["routes"]
        ]

    en, zh = answer_to_json(classic_answer("en")), answer_to_json(classic_answer("zh-CN"))
    assert skeleton(en) == skeleton(zh)
    assert (en["discovery"], len(en["learn_next"]), len(en["warnings"])) == (
        zh["discovery"],
        len(zh["learn_next"]),
        len(zh["warnings"]),
    )


@pytest.mark.parametrize("answer", [classic_answer, discovery_answer])
def test_chinese_answer_has_no_english_text(answer):
    result = answer("zh-CN")
    names = {s.name for r in result.routes for s in r.steps} | {"hongda-group"}
    texts = [
        *(text for r in result.routes for s in r.steps for text in (*s.reasons, s.hint)),
        *result.learn_next,
        *result.warnings,
    ]
    assert texts
    for text in texts:
        for name in names:
            text = text.replace(name, "")
        assert not LATIN_WORD.search(text), text
        assert re.search(r"[\u4e00-\u9fff]", text), text


def test_every_text_in_the_data_file_is_in_both_languages_and_chinese_is_chinese():
    data = json.loads(resources.files("orgmap.routing").joinpath("tactics.json").read_text("utf-8"))
    entries = [*data["hints"], *data["history_hints"], *data["messages"].values()]
    for entry in entries:
        assert isinstance(entry["en"], str) and isinstance(entry["zh-CN"], str)
        chinese = re.sub(r"\{\w+\}", "", entry["zh-CN"])
        assert not LATIN_WORD.search(chinese), entry


def test_text_plan_is_numbered_with_reasons_hints_notes_and_warnings():
    plan = format_plan(classic_answer("en"), "en")
    lines = plan.splitlines()
    assert lines[0] == "Route plan for acme"
    assert "Route 1 — cost " in plan and "reaches 王总" in plan
    assert re.search(r"^  1\. Contact \S+ by (phone|email)$", plan, re.MULTILINE)
    assert re.search(r"^  2\. Then 王总, ", plan, re.MULTILINE)
    assert re.search(r"^     cost [\d.]+: a call \+1", plan, re.MULTILINE)
    assert re.search(r"^     tip: ", plan, re.MULTILINE)
    assert "What to learn next:" in lines and "Warnings:" in lines
    assert "  - Buck-passing loop: 销售刘经理 (sales) → 财务陈姐 (finance) → 销售刘经理" in lines
    assert "  - 王总 is also known at 上海宏达集团 (hongda-group): 王总" in lines


def test_text_plan_in_chinese():
    plan = format_plan(classic_answer("zh-CN"), "zh-CN")
    assert plan.splitlines()[0] == "acme：付款决策人联系路线"
    assert "路线1 — 成本" in plan and "到达王总" in plan
    assert re.search(r"^  1\. 通过(电话|邮件)联系\S+$", plan, re.MULTILINE)
    assert re.search(r"^     建议：", plan, re.MULTILINE)
    assert "接下来要弄清：" in plan and "注意：" in plan
    assert "推诿循环：销售刘经理（销售） → 财务陈姐（财务） → 销售刘经理" in plan


@pytest.mark.parametrize(
    ("lang", "marker", "question"),
    [
        ("en", "(discovery: nobody who authorizes payment is known yet)", "Ask: who authorizes"),
        ("zh-CN", "（摸底：尚不清楚谁有权批准付款）", "问清：谁有权批准付款"),
    ],
)
def test_discovery_plan_says_so_and_asks_the_question(lang, marker, question):
    answer = discovery_answer(lang)
    plan = format_plan(answer, lang)
    assert plan.splitlines()[1] == marker
    assert f"  - {question}" in plan
    assert answer_to_json(answer)["discovery"] is True


@pytest.mark.parametrize(("lang", "text"), [("en", "No route found."), ("zh-CN", "没有找到路线。")])
def test_plan_without_routes_says_so(lang, text):
    m = make_map(
        contacts=(
            make_contact("desk", phones=()),
            make_contact(
                "boss",
                department=Department.OWNER,
                disposition=Disposition.EAGLE,
                authorizes_payment=True,
                phones=(make_phone(),),
                do_not_contact=True,
            ),
        ),
        relations=(),
        interactions=(),
    )
    answer = cheapest_routes(m, now=NOW, lang=lang)
    assert answer_to_json(answer)["routes"] == []
    assert text in format_plan(answer, lang).splitlines()
    assert answer.learn_next  # what to find out to get a route at all
