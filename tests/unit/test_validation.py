"""Field checks (orgmap.domain.fields) and whole-map checks (orgmap.domain.validation)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from orgmap.domain.fields import (
    CREDIT_CODE_CHARS,
    CURRENCY_CHARS,
    E164_MAX_CHARS,
    EMAIL_COLUMN_CHARS,
    EMAIL_MAX_CHARS,
    EXTENSION_MAX_CHARS,
    KEY_MAX_CHARS,
    NAME_MAX_CHARS,
    NOTE_MAX_CHARS,
    check_credit_code,
    check_currency,
    check_email,
    check_key,
    check_name,
    check_text,
    credit_code_check_character,
    format_phone,
    normalize_credit_code,
    normalize_phone,
    parse_amount,
    parse_aware_datetime,
    parse_date,
    parse_enum,
)
from orgmap.domain.model import (
    Channel,
    Contact,
    Debtor,
    DebtorFacts,
    DebtorMap,
    Department,
    Interaction,
    Outcome,
    Phone,
    PhoneKind,
    Relation,
    RelationType,
)
from orgmap.domain.validation import Problem, ValidationError, check_structure, validate_map

CST = timezone(timedelta(hours=8))


def make_map(**changes: object) -> DebtorMap:
    """A small valid map: receptionist refers to the boss, one promise logged."""
    reception = Contact(
        key="qiantai",
        name="陈晓丽",
        department=Department.RECEPTION,
        phones=(Phone("+862164851230", None, PhoneKind.FIXED_LINE),),
    )
    boss = Contact(
        key="boss",
        name="王建国",
        department=Department.MANAGEMENT,
        authorizes_payment=True,
        phones=(Phone("+8613816882045", None, PhoneKind.MOBILE),),
        email="wang@example.com",
    )
    m = DebtorMap(
        debtor=Debtor(key="acme", name="恒达", amount_owed=Decimal("1000.00")),
        contacts=(reception, boss),
        relations=(Relation("qiantai", "boss", RelationType.REFERS_TO),),
        interactions=(
            Interaction(
                contact="boss",
                at=datetime(2026, 11, 7, 1, 30, tzinfo=UTC),
                channel=Channel.PHONE,
                outcome=Outcome.PROMISED,
                promise_amount=Decimal("500.00"),
                promise_date=date(2026, 11, 13),
            ),
        ),
    )
    return replace(m, **changes)  # type: ignore[arg-type]


def paths(problems: list[Problem]) -> list[str]:
    return [p.path for p in problems]


# --- keys, names, text ------------------------------------------------------------


def test_check_key_accepts_the_key_alphabet_and_strips_spaces():
    assert check_key("li_ming-2") == "li_ming-2"
    assert check_key("  acme ") == "acme"
    assert check_key("a" * 64) == "a" * 64


@pytest.mark.parametrize("bad", ["", "Li", "li ming", "李", "a" * 65, "a/b"])
def test_check_key_rejects_other_text_naming_the_field(bad):
    with pytest.raises(ValueError, match="debtor_key"):
        check_key(bad, field="debtor_key")


def test_check_key_rejects_non_text():
    with pytest.raises(ValueError, match="key must be text"):
        check_key(12)


def test_check_name_strips_and_enforces_limit():
    assert check_name("  王建国 ") == "王建国"
    assert check_name("x" * NAME_MAX_CHARS) == "x" * NAME_MAX_CHARS
    with pytest.raises(ValueError, match=r"name is too long: 201 characters \(at most 200\)"):
        check_name("x" * 201)


def test_check_name_required_and_optional():
    with pytest.raises(ValueError, match="name is required"):
        check_name("   ")
    assert check_name("", field="title", required=False) == ""


def test_check_name_must_fit_on_one_line():
    with pytest.raises(ValueError, match="title must fit on one line"):
        check_name("总\n经理", field="title")


@pytest.mark.parametrize("bad", ["a\tb", "a\x00b", "a\x1bb", "a\x85b", "a\ud800b", "a\uffffb"])
def test_check_name_rejects_control_characters(bad):
    with pytest.raises(ValueError, match="title contains a control character"):
        check_name(bad, field="title")


def test_check_text_allows_newlines_and_normalizes_line_ends():
    assert check_text("第一行\r\n第二行\r第三行\tend") == "第一行\n第二行\n第三行\tend"
    assert check_text("x" * NOTE_MAX_CHARS) == "x" * NOTE_MAX_CHARS
    with pytest.raises(ValueError, match="notes is too long"):
        check_text("x" * (NOTE_MAX_CHARS + 1), field="notes")
    with pytest.raises(ValueError, match="control character"):
        check_text("bell\x07")


def test_parse_enum_lists_allowed_values():
    assert parse_enum(" finance", Department, field="department") is Department.FINANCE
    with pytest.raises(ValueError) as caught:
        parse_enum("boss", Department, field="department")
    message = str(caught.value)
    assert "unknown department 'boss'" in message
    assert all(d.value in message for d in Department)


# --- money and time ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12000", "12000.00"),
        (" 12000.5 ", "12000.50"),
        ("0", "0.00"),
        ("12.500", "12.50"),  # a trailing zero is not a third decimal place
        ("98765432109876.54", "98765432109876.54"),  # more digits than a float keeps
        ("1,000", "1000.00"),  # thousands separators as collectors type them
        ("12,345.60", "12345.60"),
        ("1,234,567", "1234567.00"),
        ("１０００", "1000.00"),  # full-width digits from a Chinese input method
        ("１，２００．５", "1200.50"),
        ("¥1,000", "1000.00"),
        ("￥ 88", "88.00"),
        # Issue 11: amounts as collectors type them, 万 and 亿 read exactly.
        ("12.8万", "128000.00"),
        ("128,000", "128000.00"),
        ("128000元", "128000.00"),
        ("¥128,000.50", "128000.50"),
        ("１２．８万", "128000.00"),
        ("12.8 万元", "128000.00"),
        ("￥12.8万", "128000.00"),
        ("1,280万", "12800000.00"),
        ("1.5亿", "150000000.00"),
        ("2億", "200000000.00"),
        ("3萬", "30000.00"),
        ("0.00000001亿", "1.00"),
        ("1.234567万", "12345.67"),
        ("0万", "0.00"),
        (12, "12.00"),
        (12.5, "12.50"),
        (0.1, "0.10"),
        (Decimal("1.1"), "1.10"),
        (Decimal("-0"), "0.00"),
    ],
)
def test_parse_amount_valid(raw, expected):
    amount = parse_amount(raw)
    assert isinstance(amount, Decimal)
    assert str(amount) == expected


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("abc", "not a number"),
        ("", "not a number"),
        ("1,00", "not a number"),  # separators group three digits
        ("12,5", "not a number"),  # a decimal comma is not read as a separator
        ("1,0000", "not a number"),
        (",100", "not a number"),
        ("1e3", "not a number"),
        ("１e3", "not a number"),
        ("¥¥5", "not a number"),
        ("5¥", "not a number"),
        ("¥-5", "must not be negative"),
        ("-¥5", "must not be negative"),
        ("1,000.555", "more than 2 decimal places"),
        # Issue 11: a unit needs one well-formed number before it, and the result two places.
        ("12.8.1万", "cannot be read as an amount"),
        ("万", "cannot be read as an amount"),
        ("万元", "cannot be read as an amount"),
        ("12万8千", "cannot be read as an amount"),  # compound amounts are not guessed at
        ("1万亿", "cannot be read as an amount"),
        ("5万万", "cannot be read as an amount"),
        (".5万", "cannot be read as an amount"),
        ("-5万", "must not be negative"),
        ("¥-1.5亿", "must not be negative"),
        ("1.2345678万", "is 12345.678: more than 2 decimal places"),
        ("0.0099999999999999999999999999999999万", "more than 2 decimal places"),
        ("10000000亿", "too large"),
        ("12.8w", "not a number"),
        ("128 000", "not a number"),  # a space is not a thousands separator
        ("１２８　０００", "not a number"),
        ("¥￥5", "not a number"),
        ("5元元", "not a number"),
        ("NaN", "not a number"),
        ("Infinity", "not a number"),
        ("-5", "must not be negative"),
        (-0.01, "must not be negative"),
        ("12.345", "more than 2 decimal places"),
        (0.1 + 0.2, "more than 2 decimal places"),
        (float("nan"), "finite"),
        (float("inf"), "finite"),
        (Decimal("NaN"), "finite"),
        ("1000000000000000", "too large"),
        (True, "must be a number"),
        (None, "must be a number"),
        ([1], "must be a number"),
    ],
)
def test_parse_amount_invalid_names_the_field(raw, fragment):
    with pytest.raises(ValueError) as caught:
        parse_amount(raw, field="amount_owed")
    assert fragment in str(caught.value)
    assert str(caught.value).startswith("amount_owed")


def test_parse_date_requires_iso_form():
    assert parse_date("2026-11-13") == date(2026, 11, 13)
    assert parse_date(date(2026, 1, 2)) == date(2026, 1, 2)
    for bad in ["20261113", "2026/11/13", "2026-02-30", "13.11.2026", ""]:
        with pytest.raises(ValueError, match="due_date must be a date written YYYY-MM-DD"):
            parse_date(bad, field="due_date")


def test_parse_aware_datetime_converts_to_utc():
    moment = parse_aware_datetime("2026-11-03T09:30:00+08:00")
    assert moment == datetime(2026, 11, 3, 1, 30, tzinfo=UTC)
    assert moment.utcoffset() == timedelta(0)
    assert parse_aware_datetime("2026-11-03T01:30:00Z") == moment
    assert parse_aware_datetime(datetime(2026, 11, 3, 9, 30, tzinfo=CST)) == moment


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("2026-11-03T09:30:00", "needs a UTC offset"),
        (datetime(2026, 11, 3, 9, 30), "needs a UTC offset"),
        ("yesterday", "ISO-8601"),
        ("0001-01-01T00:00:00+01:00", "out of range"),
    ],
)
def test_parse_aware_datetime_rejects(raw, fragment):
    with pytest.raises(ValueError, match="at ") as caught:
        parse_aware_datetime(raw, field="at")
    assert fragment in str(caught.value)


def test_check_currency():
    assert check_currency(" cny") == "CNY"
    with pytest.raises(ValueError, match="currency must be a 3-letter code"):
        check_currency("RMB元")


# --- phones and e-mail ------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("138 1234 5678", Phone("+8613812345678", None, PhoneKind.MOBILE)),
        ("+86 138 1234 5678", Phone("+8613812345678", None, PhoneKind.MOBILE)),
        ("+86 21 6123 4567 ext. 801", Phone("+862161234567", "801", PhoneKind.FIXED_LINE)),
        ("021-61234567转801", Phone("+862161234567", "801", PhoneKind.FIXED_LINE)),
        ("021-61234567 转 801", Phone("+862161234567", "801", PhoneKind.FIXED_LINE)),
        ("021-61234567-分机801", Phone("+862161234567", "801", PhoneKind.FIXED_LINE)),
        ("(0755) 2654 3210", Phone("+8675526543210", None, PhoneKind.FIXED_LINE)),
        ("０２１－６１２３４５６７", Phone("+862161234567", None, PhoneKind.FIXED_LINE)),
        ("400-820-8820", Phone("+864008208820", None, PhoneKind.OTHER)),
        ("+862161234567;ext=801", Phone("+862161234567", "801", PhoneKind.FIXED_LINE)),
    ],
)
def test_normalize_phone(raw, expected):
    assert normalize_phone(raw, region="CN") == expected


@pytest.mark.parametrize("raw", ["12345", "140 1234 5678", "电话", "", "+86", "1" * 300])
def test_normalize_phone_rejects_non_numbers(raw):
    with pytest.raises(ValueError, match="phone"):
        normalize_phone(raw, region="CN")


def test_normalize_phone_reads_local_numbers_in_the_given_region():
    assert normalize_phone("(650) 253-0000", region="US").e164 == "+16502530000"
    with pytest.raises(ValueError, match="read as CN"):
        normalize_phone("(650) 253-0000", region="CN")


@pytest.mark.parametrize(
    "raw", ["021-61234567转801", "13812345678", "+1 650 253 0000 x12", "0755-26543210"]
)
def test_format_phone_reads_back_to_the_same_phone_in_any_region(raw):
    phone = normalize_phone(raw, region="CN" if not raw.startswith("+1") else "US")
    written = format_phone(phone)
    assert written.startswith("+")
    assert normalize_phone(written, region="CN") == phone
    assert normalize_phone(written, region="DE") == phone


def test_format_phone_writes_the_extension_separately():
    assert format_phone(Phone("+862161234567", "801")) == "+862161234567;ext=801"
    assert format_phone(Phone("+862161234567")) == "+862161234567"


def test_check_email():
    assert check_email(" Li.Mei@Hengda.Example.COM ") == "Li.Mei@hengda.example.com"
    for bad in ["li", "li@", "@x.com", "li@localhost", "a b@x.com", "li@x..com", "<a>@x.com"]:
        with pytest.raises(ValueError, match=r"email .* is not an e-mail address"):
            check_email(bad)


def test_stored_phone_parts_fit_their_columns():
    # E.164 is "+" and at most 15 digits; phonenumbers reads at most 20 extension digits.
    longest = normalize_phone("+86 21 6123 4567 ext. " + "9" * 20, region="CN")
    assert len(longest.extension or "") == 20 <= EXTENSION_MAX_CHARS
    assert len("+" + "9" * 15) <= E164_MAX_CHARS
    with pytest.raises(ValueError):
        normalize_phone("+86 21 6123 4567 ext. " + "9" * 21, region="CN")


def test_limits_are_what_the_checks_enforce():
    assert check_key("k" * KEY_MAX_CHARS)
    with pytest.raises(ValueError):
        check_key("k" * (KEY_MAX_CHARS + 1))
    assert len(check_currency("cny")) == CURRENCY_CHARS
    assert len(normalize_credit_code("91350100M000100Y43")) == CREDIT_CODE_CHARS
    at_limit = "a" * 64 + "@" + "b" * (EMAIL_MAX_CHARS - 68) + ".cn"
    assert check_email(at_limit) == at_limit
    with pytest.raises(ValueError):
        check_email("a" + at_limit)
    assert EMAIL_MAX_CHARS <= EMAIL_COLUMN_CHARS


# --- unified social credit code -----------------------------------------------------


@pytest.mark.parametrize(
    "code", ["91350100M000100Y43", "91110000600037341L", "914403001922038216", "91310112MA1GBX7K3B"]
)
def test_credit_code_checksum_of_valid_codes(code):
    assert credit_code_check_character(code[:17]) == code[17]
    assert check_credit_code(code) is None


def test_credit_code_is_upper_cased_and_spaces_dropped():
    assert normalize_credit_code(" 91350100m000100y43 ") == "91350100M000100Y43"
    assert check_credit_code("91350100m000100y43") is None


def test_credit_code_wrong_check_character_is_a_warning():
    warning = check_credit_code("91350100M000100Y44")
    assert warning is not None
    assert "credit_code" in warning and "'3'" in warning and "kept as typed" in warning


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("91350100M000100Y4", "18 characters, got 17"),
        ("91350100M000100Y431", "18 characters, got 19"),
        ("91350100M0001OOY43", "'O'"),  # O is not in the alphabet (0 is)
        ("91350100I000100Y43", "'I'"),
        ("91350100-000100Y43", "'-'"),
    ],
)
def test_credit_code_malformed_is_an_error(code, fragment):
    with pytest.raises(ValueError, match="credit_code") as caught:
        check_credit_code(code)
    assert fragment in str(caught.value)


# --- ValidationError ---------------------------------------------------------------


def test_validation_error_lists_problems_one_per_line_first_first():
    error = ValidationError([Problem("debtors[a].name", "name is required"), Problem("", "x")])
    assert str(error).splitlines() == ["debtors[a].name: name is required", "x"]
    assert isinstance(error, ValueError)


def test_validation_error_caps_the_message_but_keeps_every_problem():
    error = ValidationError([Problem(f"p{i}", "bad") for i in range(120)])
    lines = str(error).splitlines()
    assert len(lines) == 51
    assert lines[0] == "p0: bad"
    assert lines[-1] == "… and 70 more"
    assert len(error.problems) == 120


# --- whole maps -------------------------------------------------------------------


def test_valid_map_has_no_problems():
    assert validate_map(make_map(), region="CN") == []


def test_duplicate_contact_keys():
    m = make_map()
    m = replace(m, contacts=(*m.contacts, replace(m.contacts[0], name="另一个")))
    assert paths(validate_map(m, region="CN")) == ["debtors[acme].contacts[qiantai]"]


def test_relation_to_a_missing_contact_and_self_loop():
    m = make_map(
        relations=(
            Relation("qiantai", "ghost", RelationType.REFERS_TO),
            Relation("boss", "boss", RelationType.COLLEAGUE),
        )
    )
    problems = validate_map(m, region="CN")
    assert paths(problems) == ["debtors[acme].relations[0].to", "debtors[acme].relations[1].to"]
    assert "ghost" in problems[0].message
    assert "itself" in problems[1].message


def test_duplicate_relation_of_the_same_type_only():
    m = make_map()
    same = Relation("qiantai", "boss", RelationType.REFERS_TO, note="again")
    other_type = Relation("qiantai", "boss", RelationType.GATEKEEPS)
    problems = validate_map(replace(m, relations=(*m.relations, same, other_type)), region="CN")
    assert paths(problems) == ["debtors[acme].relations[1]"]
    assert "duplicate relation" in problems[0].message


def test_interaction_naming_a_missing_contact():
    m = make_map()
    ghost_call = replace(m.interactions[0], contact="ghost")
    problems = validate_map(replace(m, interactions=(ghost_call,)), region="CN")
    assert paths(problems) == ["debtors[acme].interactions[0].contact"]


def test_identical_interaction_twice():
    m = make_map()
    problems = validate_map(replace(m, interactions=m.interactions * 2), region="CN")
    assert paths(problems) == ["debtors[acme].interactions[1]"]


def test_promise_needs_amount_and_date_together():
    call = make_map().interactions[0]
    for changed, missing in [
        ({"promise_amount": None}, "amount"),
        ({"promise_date": None}, "date"),
    ]:
        problems = validate_map(make_map(interactions=(replace(call, **changed),)), region="CN")
        assert paths(problems) == [f"debtors[acme].interactions[0].promise_{missing}"]


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"outcome": Outcome.PAID}, "outcome"),
        ({"promise_amount": Decimal("0.00")}, "promise_amount"),
        ({"promise_date": date(2026, 11, 1)}, "promise_date"),
    ],
)
def test_promise_must_make_sense(changes, path):
    call = replace(make_map().interactions[0], **changes)
    problems = validate_map(make_map(interactions=(call,)), region="CN")
    assert paths(problems) == [f"debtors[acme].interactions[0].{path}"]


def test_promise_for_the_day_of_a_late_call_west_of_utc_is_fine():
    late = datetime(2026, 11, 3, 23, 30, tzinfo=timezone(timedelta(hours=-5)))
    call = replace(make_map().interactions[0], at=late, promise_date=date(2026, 11, 3))
    assert validate_map(make_map(interactions=(call,)), region="CN") == []


def test_naive_interaction_time():
    call = replace(make_map().interactions[0], at=datetime(2026, 11, 3, 9, 0))
    problems = validate_map(make_map(interactions=(call,)), region="CN")
    assert paths(problems) == ["debtors[acme].interactions[0].at"]


@pytest.mark.parametrize(
    ("debtor_changes", "path"),
    [
        ({"key": "Acme"}, "debtors[Acme].key"),
        ({"name": "x" * 201}, "debtors[acme].name"),
        ({"name": " 恒达"}, "debtors[acme].name"),  # not stripped: not canonical
        ({"amount_owed": Decimal("-1")}, "debtors[acme].amount_owed"),
        ({"amount_owed": Decimal("1.005")}, "debtors[acme].amount_owed"),
        ({"currency": "cny"}, "debtors[acme].currency"),
        ({"credit_code": "91350100M000100Y4"}, "debtors[acme].credit_code"),
        (
            {"facts": DebtorFacts(top_leader_mobile="12345")},
            "debtors[acme].facts.top_leader_mobile",
        ),
        ({"facts": DebtorFacts(top_leader_email="nope")}, "debtors[acme].facts.top_leader_email"),
    ],
)
def test_debtor_field_problems(debtor_changes, path):
    m = make_map()
    problems = validate_map(replace(m, debtor=replace(m.debtor, **debtor_changes)), region="CN")
    assert paths(problems) == [path]


def test_credit_code_checksum_is_not_a_map_problem():
    m = make_map()
    debtor = replace(m.debtor, credit_code="91350100M000100Y44")
    assert validate_map(replace(m, debtor=debtor), region="CN") == []


@pytest.mark.parametrize(
    ("contact_changes", "path"),
    [
        ({"name": ""}, "name"),
        ({"title": "t" * 201}, "title"),
        ({"notes": "n" * (NOTE_MAX_CHARS + 1)}, "notes"),
        ({"email": "Wang@EXAMPLE.com"}, "email"),
        ({"phones": (Phone("+8612345"),)}, "phones[0]"),
        ({"phones": (Phone("8613816882045"),)}, "phones[0]"),
        ({"phones": (Phone("+8613816882045"), Phone("+8613816882045"))}, "phones[1]"),
    ],
)
def test_contact_field_problems(contact_changes, path):
    m = make_map()
    boss = replace(m.contacts[1], **contact_changes)
    problems = validate_map(replace(m, contacts=(m.contacts[0], boss)), region="CN")
    assert paths(problems) == [f"debtors[acme].contacts[boss].{path}"]


def test_phone_kind_from_older_metadata_does_not_block_a_write():
    m = make_map()
    boss = replace(m.contacts[1], phones=(Phone("+8613816882045", None, PhoneKind.OTHER),))
    assert validate_map(replace(m, contacts=(m.contacts[0], boss)), region="CN") == []


def test_check_structure_reports_source_positions():
    m = make_map(relations=(Relation("qiantai", "ghost", RelationType.REFERS_TO),))
    problems = check_structure(m, path="debtors[3]", relation_positions=[7])
    assert paths(problems) == ["debtors[3].relations[7].to"]


def test_validation_error_survives_pickling():
    import pickle

    error = ValidationError([Problem("debtors[a].name", "name is required")])
    copy = pickle.loads(pickle.dumps(error))
    assert copy.problems == error.problems and str(copy) == str(error)


@pytest.mark.parametrize("invisible", ["\u202e", "\u2066", "\u2028", "\ufeff"])
def test_characters_that_reorder_or_hide_text_are_refused(invisible):
    # "ab\u202ecd" is shown as "abdc": a name must read on screen as it was typed.
    for check in (check_name, check_text):
        with pytest.raises(ValueError, match="control character"):
            check(f"ab{invisible}cd")
