"""Problem messages: every code says the same thing in zh-CN and English, every field
check names its failure with a code from the catalogue, and the English text is
still what the CLI printed before codes existed."""

from __future__ import annotations

import ast
import pickle
import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from orgmap.domain import fields
from orgmap.domain.messages import (
    FieldError,
    FieldWarning,
    catalogue,
    describe_path,
    placeholders,
    render_message,
)
from orgmap.domain.model import Department, Phone
from orgmap.domain.validation import Problem, ValidationError, validate_map
from tests.factories import make_contact, make_map

ROOT = Path(__file__).resolve().parents[2]
LANGS = ("en", "zh-CN")
MESSAGES = catalogue()["messages"]
_ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")


# --- the catalogue ------------------------------------------------------------------


@pytest.mark.parametrize("section", ["messages", "fields", "terms"])
def test_every_entry_has_both_languages(section):
    table = catalogue()[section]
    assert set(table) == set(LANGS)
    assert set(table["en"]) == set(table["zh-CN"])
    assert all(text.strip() for lang in LANGS for text in table[lang].values())


@pytest.mark.parametrize("code", sorted(MESSAGES["en"]))
def test_both_languages_use_the_same_placeholders(code):
    assert placeholders(MESSAGES["en"][code]) == placeholders(MESSAGES["zh-CN"][code])
    values = {name: "X" for name in placeholders(MESSAGES["en"][code])}
    for lang in LANGS:
        render_message(code, lang, values, localize=True)  # no stray braces


def _codes_in_source() -> set[str]:
    """Every string literal passed as the code to FieldError, FieldWarning or Problem.coded."""
    found: set[str] = set()
    for path in (ROOT / "orgmap").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = ast.unparse(node.func)
            position = {"FieldError": 0, "FieldWarning": 0, "Problem.coded": 1}.get(name)
            if position is None or len(node.args) <= position:
                continue
            arg = node.args[position]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.add(arg.value)
    return found


def test_codes_used_in_the_code_exist_and_every_code_is_used():
    used = _codes_in_source()
    assert used - set(MESSAGES["en"]) == set()
    literals = {
        node.value
        for path in (ROOT / "orgmap").rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }
    assert set(MESSAGES["en"]) - literals == set(), "catalogue codes nobody raises"


# --- field checks -------------------------------------------------------------------

NOW = datetime(2026, 1, 1, tzinfo=UTC)
BAD_INPUTS = [
    (fields.check_key, (42,), {}, "text.not_text"),
    (fields.check_key, ("Li Ming!",), {}, "key.invalid"),
    (fields.check_name, ("  ",), {}, "name.required"),
    (fields.check_name, ("x" * 201,), {}, "text.too_long"),
    (fields.check_name, ("a\nb",), {}, "name.multiline"),
    (fields.check_name, ("a\x07b",), {}, "text.control_character"),
    (fields.check_text, ("x" * 5001,), {}, "text.too_long"),
    (fields.check_text, ("a\x00",), {}, "text.control_character"),
    (fields.parse_enum, ("boss",), {"enum_type": Department, "field": "dept"}, "enum.unknown"),
    (fields.parse_amount, (True,), {}, "amount.boolean"),
    (fields.parse_amount, ("-5",), {}, "amount.negative"),
    (fields.parse_amount, (-5,), {}, "amount.negative"),
    (fields.parse_amount, ("1e3",), {}, "amount.not_number"),
    (fields.parse_amount, (None,), {}, "amount.wrong_type"),
    (fields.parse_amount, (Decimal("Infinity"),), {}, "amount.not_finite"),
    (fields.parse_amount, ("1000000000000000",), {}, "amount.too_large"),
    (fields.parse_amount, ("1.234",), {}, "amount.too_many_decimals"),
    (fields.parse_amount, ("12.8.1万",), {}, "amount.not_number_with_unit"),
    (fields.parse_amount, ("1.2345678万",), {}, "amount.unit_too_many_decimals"),
    (fields.parse_date, ("2026-13-01",), {}, "date.invalid"),
    (fields.parse_aware_datetime, ("yesterday",), {}, "datetime.invalid"),
    (fields.parse_aware_datetime, ("2026-01-01T09:00",), {}, "datetime.no_offset"),
    (fields.parse_aware_datetime, ("0001-01-01T00:00:00+08:00",), {}, "datetime.out_of_range"),
    (fields.parse_logged_time, ("2099-01-01T00:00:00Z",), {"now": NOW}, "time.in_future"),
    (
        fields.check_time_range,
        (datetime(2101, 1, 1, tzinfo=UTC),),
        {"field": "at"},
        "datetime.out_of_range",
    ),
    (fields.check_currency, ("yuan",), {}, "currency.invalid"),
    (fields.normalize_phone, (" ",), {"region": "CN"}, "phone.empty"),
    (fields.normalize_phone, ("call me",), {"region": "CN"}, "phone.unreadable"),
    (fields.normalize_phone, ("12345",), {"region": "CN"}, "phone.invalid"),
    (fields.check_email, ("li@",), {}, "email.invalid"),
    (fields.normalize_credit_code, ("123",), {}, "credit_code.length"),
    (fields.check_credit_code, ("91350100I000100Y43",), {}, "credit_code.characters"),
]


def test_the_bad_inputs_reach_every_field_check():
    checks = {name for name in fields.__all__ if name.startswith(("check_", "parse_", "normal"))}
    driven = {check.__name__ for check, *_ in BAD_INPUTS}
    assert checks - driven == {"check_logged_time"}  # driven through parse_logged_time


@pytest.mark.parametrize(("check", "args", "kwargs", "code"), BAD_INPUTS)
def test_field_checks_raise_a_coded_error_that_reads_in_both_languages(check, args, kwargs, code):
    with pytest.raises(FieldError) as caught:
        check(*args, **kwargs)
    error = caught.value
    assert error.code == code
    assert str(error) == render_message(code, "en", error.params)
    chinese = error.text("zh-CN")
    assert chinese != str(error)
    assert re.search(r"[\u4e00-\u9fff]", chinese), chinese


def test_english_text_is_unchanged():
    """What the CLI prints (and its tests compare) stays word for word."""
    assert str(FieldError("phone.invalid", value="'12345'", region="CN")) == (
        "'12345' is not a valid phone number (numbers without +country are read as CN)"
    )
    with pytest.raises(FieldError, match=r"^amount_owed is not a number: 'abc' \(write e\.g\."):
        fields.parse_amount("abc", field="amount_owed")
    warning = fields.check_credit_code("91350100M000100Y44")
    assert warning == (
        "credit_code check character is '4' but GB 32100-2015 gives '3'; kept as typed"
    )
    assert isinstance(warning, FieldWarning)
    assert warning.text("zh-CN") == (
        "统一社会信用代码的校验码是 '4'，按 GB 32100-2015 应为 '3'；已按输入保留"
    )


# --- problems -----------------------------------------------------------------------


def test_referred_phone_reads_in_chinese_without_english_words():
    try:
        fields.normalize_phone("12345", region="CN")
    except FieldError as error:
        problem = Problem.from_error("referred_to.phone", error)
    assert str(problem).startswith("referred_to.phone: '12345' is not a valid phone number")
    text = problem.text("zh-CN")
    assert text == "被引荐人的电话：'12345' 不是有效的电话号码（不带 +国家码的号码按 CN 地区解读）"
    assert not _ENGLISH_WORD.search(text.replace("'12345'", ""))
    assert problem.text("en").startswith("referred person › phone: '12345' is not a valid")


def test_a_field_named_by_its_path_is_not_said_twice():
    problem = Problem.coded("referred_to.name", "name.required", field="referred_to.name")
    assert str(problem) == "referred_to.name: referred_to.name is required"
    assert problem.text("zh-CN") == "被引荐人的名称为必填项"
    assert problem.text("en") == "referred person › name is required"


def test_map_problems_name_the_place_in_words():
    bad = make_contact("li", name="Li", phones=(Phone("+8612345"),))
    problems = validate_map(
        make_map("acme", contacts=(bad,), relations=(), interactions=()), region="CN"
    )
    phone = next(p for p in problems if p.path.endswith("phones[0]"))
    assert phone.code is not None
    assert phone.text("zh-CN").startswith("债务人 acme的联系人 li的电话 1：")


def test_problems_without_a_code_fall_back_to_english():
    assert Problem("x", "something odd").text("zh-CN") == "x: something odd"
    unknown = Problem("x", "legacy text", code="no.such.code", params={})
    assert unknown.text("zh-CN") == "x: legacy text"
    missing_param = Problem("x", "legacy text", code="phone.invalid", params={"value": "'1'"})
    assert missing_param.text("zh-CN") == "x: legacy text"


def test_csv_places_read_in_chinese():
    assert describe_path("row 3, column phones", "zh-CN") == "第 3 行的电话列"
    assert describe_path("row 3", "en") == "row 3"
    assert describe_path("not a path!", "zh-CN") == "not a path!"


def test_codes_survive_pickling():
    error = ValidationError([Problem.coded("at", "time.no_offset")])
    again = pickle.loads(pickle.dumps(error))
    assert again.problems[0].code == "time.no_offset"
    field_error = pickle.loads(pickle.dumps(FieldError("phone.empty")))
    assert (field_error.code, str(field_error)) == ("phone.empty", "phone number is empty")
    warning = pickle.loads(pickle.dumps(FieldWarning("json.required")))
    assert (warning.code, warning) == ("json.required", "is required")
