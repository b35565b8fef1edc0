"""The orgmap/1 JSON format: reading, writing, every kind of bad input, and the demo file."""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from orgmap.domain.fields import credit_code_check_character
from orgmap.domain.model import (
    Channel,
    DebtorStatus,
    Department,
    Disposition,
    Outcome,
    Phone,
    PhoneKind,
    RelationType,
)
from orgmap.domain.validation import ValidationError, validate_map
from orgmap.interchange import FORMAT, dump_document, dumps_document, parse_document

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo.json"


def document(**debtor_changes: Any) -> dict[str, Any]:
    """A valid one-debtor document; ``debtor_changes`` replace members of the debtor."""
    debtor: dict[str, Any] = {
        "key": "acme",
        "name": "上海恒达机电设备有限公司",
        "amount_owed": "12000",
        "contacts": [
            {
                "key": "qiantai",
                "name": "陈晓丽",
                "department": "reception",
                "disposition": "sheep",
                "phones": ["021-64851230"],
            },
            {
                "key": "boss",
                "name": "王建国",
                "department": "management",
                "disposition": "eagle",
                "authorizes_payment": True,
                "phones": ["138 1688 2045"],
            },
        ],
        "relations": [{"from": "qiantai", "to": "boss", "type": "refers_to"}],
        "interactions": [
            {
                "contact": "boss",
                "at": "2026-11-07T09:30:00+08:00",
                "channel": "phone",
                "outcome": "promised",
                "promise_amount": "6000",
                "promise_date": "2026-11-13",
            },
            {
                "contact": "qiantai",
                "at": "2026-11-02T09:35:00+08:00",
                "channel": "phone",
                "outcome": "referred",
            },
        ],
    }
    debtor.update(debtor_changes)
    return {"format": FORMAT, "debtors": [debtor]}


def encode(doc: object) -> bytes:
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def errors_of(raw: bytes | dict[str, Any], *, region: str = "CN", **kwargs: Any) -> str:
    """The ValidationError message parse_document gives for ``raw``."""
    data = raw if isinstance(raw, bytes) else encode(raw)
    with pytest.raises(ValidationError) as caught:
        parse_document(data, region=region, **kwargs)
    return str(caught.value)


def with_contact_field(name: str, value: Any) -> dict[str, Any]:
    doc = document()
    doc["debtors"][0]["contacts"][0][name] = value
    return doc


# --- reading valid documents -------------------------------------------------------


def test_parse_a_valid_document():
    parsed = parse_document(encode(document()), region="CN")
    assert parsed.warnings == ()
    (m,) = parsed.maps
    assert m.debtor.key == "acme"
    assert m.debtor.amount_owed == Decimal("12000.00")
    assert m.debtor.currency == "CNY"
    assert m.debtor.status is DebtorStatus.OPEN
    boss = m.contact("boss")
    assert boss is not None
    assert boss.department is Department.MANAGEMENT
    assert boss.disposition is Disposition.EAGLE
    assert boss.authorizes_payment
    assert boss.phones == (Phone("+8613816882045", None, PhoneKind.MOBILE),)
    assert m.relations[0].type is RelationType.REFERS_TO
    assert validate_map(m, region="CN") == []


def test_interactions_come_back_sorted_by_time_in_utc():
    (m,) = parse_document(encode(document()), region="CN").maps
    assert [i.contact for i in m.interactions] == ["qiantai", "boss"]
    first = m.interactions[0]
    assert first.at == datetime(2026, 11, 2, 1, 35, tzinfo=UTC)
    assert first.at.utcoffset() is not None and first.at.utcoffset().total_seconds() == 0
    assert first.channel is Channel.PHONE and first.outcome is Outcome.REFERRED
    promise = m.interactions[1]
    assert promise.promise_amount == Decimal("6000.00")
    assert promise.promise_date == date(2026, 11, 13)


def test_amounts_may_be_json_numbers_read_exactly():
    (m,) = parse_document(
        b'{"format": "orgmap/1", "debtors": [{"key": "a", "name": "A",'
        b' "amount_owed": 98765432109876.54}]}',
        region="CN",
    ).maps
    assert m.debtor.amount_owed == Decimal("98765432109876.54")  # beyond float precision


def test_optional_members_may_be_null_and_lists_absent():
    raw = encode(
        {
            "format": FORMAT,
            "debtors": [
                {"key": "a", "name": "A", "amount_owed": 1, "address": None, "credit_code": None}
            ],
        }
    )
    (m,) = parse_document(raw, region="CN").maps
    assert (m.contacts, m.relations, m.interactions) == ((), (), ())
    assert m.debtor.credit_code is None and m.debtor.address == ""


def test_utf8_byte_order_mark_is_accepted():
    assert len(parse_document(b"\xef\xbb\xbf" + encode(document()), region="CN").maps) == 1


def test_extensions_are_read():
    doc = document(
        assigned_to="zhangwei",
        facts={
            "money_in_account": False,
            "top_leader": "王总",
            "top_leader_mobile": "138 1688 2045",
        },
    )
    doc["debtors"][0]["contacts"][0]["archived"] = True
    doc["debtors"][0]["relations"][0]["archived"] = True
    (m,) = parse_document(encode(doc), region="CN").maps
    assert m.debtor.assigned_to == "zhangwei"
    assert m.debtor.facts.money_in_account is False
    assert m.debtor.facts.salaries_on_time is None
    assert m.debtor.facts.top_leader_mobile == "+8613816882045"
    assert m.contact("qiantai").archived and m.relations[0].archived


# --- writing -----------------------------------------------------------------------


def test_dump_writes_canonical_values_and_omits_defaults():
    (m,) = parse_document(encode(document()), region="CN").maps
    out = dump_document([m])
    debtor = out["debtors"][0]
    assert out["format"] == "orgmap/1"
    assert debtor["amount_owed"] == "12000.00"
    assert set(debtor) == {"key", "name", "amount_owed", "contacts", "relations", "interactions"}
    assert [c["key"] for c in debtor["contacts"]] == ["boss", "qiantai"]
    assert debtor["contacts"][1] == {
        "key": "qiantai",
        "name": "陈晓丽",
        "department": "reception",
        "disposition": "sheep",
        "phones": ["+862164851230"],
    }
    assert debtor["interactions"][0]["at"] == "2026-11-02T01:35:00+00:00"
    assert debtor["interactions"][1]["promise_amount"] == "6000.00"
    assert debtor["relations"] == [{"from": "qiantai", "to": "boss", "type": "refers_to"}]


def test_dump_orders_debtors_by_key_and_keeps_chinese_readable():
    (a,) = parse_document(encode(document(key="zeta")), region="CN").maps
    (b,) = parse_document(encode(document(key="alpha")), region="CN").maps
    text = dumps_document([a, b])
    assert [d["key"] for d in json.loads(text)["debtors"]] == ["alpha", "zeta"]
    assert "上海恒达" in text and "\\u" not in text
    assert text.startswith('{\n  "format": "orgmap/1"')


def test_extensions_are_written_only_when_set():
    doc = document(assigned_to="zhangwei", facts={"address_verified": True})
    doc["debtors"][0]["contacts"][0]["archived"] = True
    written = dump_document(parse_document(encode(doc), region="CN").maps)["debtors"][0]
    assert written["assigned_to"] == "zhangwei"
    assert written["facts"] == {"address_verified": True}
    assert [c.get("archived") for c in written["contacts"]] == [None, True]
    plain = dump_document(parse_document(encode(document()), region="CN").maps)["debtors"][0]
    assert "facts" not in plain and "assigned_to" not in plain


def test_round_trip_is_a_fixed_point():
    doc = document(
        credit_code="91350100m000100y43",
        currency="usd",
        status="promised",
        due_date="2026-09-30",
        address="上海市闵行区",
    )
    first = parse_document(encode(doc), region="CN")
    text = dumps_document(first.maps)
    second = parse_document(text.encode(), region="CN")
    assert second.maps == first.maps
    assert dumps_document(second.maps) == text
    assert second.maps[0].debtor.credit_code == "91350100M000100Y43"


# --- the demo file -----------------------------------------------------------------


def test_demo_file_is_valid_and_tells_the_seed_stories():
    parsed = parse_document(DEMO.read_bytes(), region="CN")
    assert parsed.warnings == ()
    assert len(parsed.maps) == 3
    for m in parsed.maps:
        assert validate_map(m, region="CN") == []
        assert m.interactions, m.debtor.key
        assert all(i.at.year == 2026 and i.at.month == 11 for i in m.interactions)
    relations = {
        (m.debtor.key, r.type, r.source, r.target) for m in parsed.maps for r in m.relations
    }

    def kind(m, key):
        c = m.contact(key)
        return (c.department, c.disposition, c.authorizes_payment)

    classic = next(
        m for m in parsed.maps if any(c.disposition is Disposition.EAGLE for c in m.contacts)
    )
    buck = [
        (r.source, r.target) for r in classic.relations if r.type is RelationType.PASSES_BUCK_TO
    ]
    assert {(a, b) for a, b in buck} == {(b, a) for a, b in buck} and buck
    referral = [r for r in classic.relations if r.type is RelationType.REFERS_TO]
    assert any(
        kind(classic, r.source)[:2] == (Department.RECEPTION, Disposition.SHEEP)
        and kind(classic, r.target)[1:] == (Disposition.EAGLE, True)
        for r in referral
    )
    assert any(
        kind(m, r[2])[:2] == (Department.RECEPTION, Disposition.FOX) and kind(m, r[3])[2]
        for m in parsed.maps
        for r in relations
        if r[0] == m.debtor.key and r[1] is RelationType.GATEKEEPS
    )
    assert any(
        kind(m, r[2])[0] is Department.EXTERNAL and kind(m, r[3])[1:] == (Disposition.DONKEY, True)
        for m in parsed.maps
        for r in relations
        if r[0] == m.debtor.key and r[1] is RelationType.INFLUENCES
    )
    codes = [m.debtor.credit_code for m in parsed.maps if m.debtor.credit_code]
    assert any(credit_code_check_character(code[:17]) == code[17] for code in codes)
    raw = DEMO.read_text(encoding="utf-8")
    assert "+08:00" in raw and "promise_amount" in raw


# --- bad input: every case of issue 2 names the field ----------------------------


@pytest.mark.parametrize("bad", ["12345", "not a phone", "140 1234 5678"])
def test_phone_that_is_not_one(bad):
    message = errors_of(with_contact_field("phones", ["021-64851230", bad]))
    assert "debtors[acme].contacts[qiantai].phones[1]:" in message
    assert repr(bad) in message


def test_the_number_a_call_used_is_read_in_e164_written_back_and_checked():
    doc = document()
    # Not one of the contact's numbers: it may have been removed since the call.
    doc["debtors"][0]["interactions"][1]["phone"] = "021-6485 9999"
    (m,) = parse_document(encode(doc), region="CN").maps
    assert [i.phone for i in m.interactions] == ["+862164859999", None]
    written = dump_document([m])["debtors"][0]["interactions"]
    assert [i.get("phone") for i in written] == ["+862164859999", None]
    assert "phone" not in written[1]

    doc["debtors"][0]["interactions"][1]["phone"] = "12345"
    message = errors_of(doc)
    assert "debtors[acme].interactions[1].phone:" in message and "'12345'" in message


@pytest.mark.parametrize(
    ("where", "field", "value", "allowed"),
    [
        ("contacts", "department", "boss", "reception, sales, purchasing"),
        ("contacts", "disposition", "wolf", "sheep, fox, eagle, donkey, unknown"),
        ("relations", "type", "hates", "reports_to, refers_to, gatekeeps"),
        ("interactions", "channel", "fax", "phone, sms, email, wechat, letter, visit"),
        ("interactions", "outcome", "maybe", "no_answer, reached, refused, promised"),
    ],
)
def test_unknown_enum_values_list_the_allowed_ones(where, field, value, allowed):
    doc = document()
    doc["debtors"][0][where][0][field] = value
    message = errors_of(doc)
    path = "contacts[qiantai]" if where == "contacts" else f"{where}[0]"
    assert f"debtors[acme].{path}.{field}: unknown {field} {value!r}; allowed: {allowed}" in message


def test_unknown_status():
    assert "debtors[acme].status: unknown status 'late'" in errors_of(document(status="late"))


@pytest.mark.parametrize("end", ["from", "to"])
def test_relation_naming_a_missing_contact(end):
    doc = document()
    doc["debtors"][0]["relations"][0][end] = "ghost"
    assert f"debtors[acme].relations[0].{end}: no contact with key 'ghost'" in errors_of(doc)


def test_interaction_naming_a_missing_contact():
    doc = document()
    doc["debtors"][0]["interactions"][1]["contact"] = "ghost"
    assert "debtors[acme].interactions[1].contact: no contact with key 'ghost'" in errors_of(doc)


def test_self_loop():
    doc = document()
    doc["debtors"][0]["relations"][0]["to"] = "qiantai"
    assert "debtors[acme].relations[0].to: a relation from 'qiantai' to itself" in errors_of(doc)


def test_duplicate_relation():
    doc = document()
    doc["debtors"][0]["relations"].append({"from": "qiantai", "to": "boss", "type": "refers_to"})
    assert "debtors[acme].relations[1]: duplicate relation" in errors_of(doc)


def test_duplicate_debtor_keys():
    doc = document()
    doc["debtors"].append(copy.deepcopy(doc["debtors"][0]))
    assert "debtors[1].key: duplicate debtor key 'acme' (also debtors[0])" in errors_of(doc)


def test_duplicate_contact_keys():
    doc = document()
    doc["debtors"][0]["contacts"][1]["key"] = "qiantai"
    assert "debtors[acme].contacts[qiantai]: contact key 'qiantai' is used 2 times" in errors_of(
        doc
    )


def test_duplicate_member_names_in_one_object():
    raw = (
        b'{"format": "orgmap/1", "debtors": '
        b'[{"key": "a", "name": "A", "name": "B", "amount_owed": 1}]}'
    )
    assert "debtors[a].name: appears more than once" in errors_of(raw)


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("abc", "is not a number"),
        ("-100", "must not be negative"),
        (-1, "must not be negative"),
        ("1.234", "more than 2 decimal places"),
        (True, "expected an amount"),
        ([], "expected an amount"),
    ],
)
def test_amount_owed_not_a_number_or_negative(value, fragment):
    message = errors_of(document(amount_owed=value))
    assert "debtors[acme].amount_owed: " in message and fragment in message


def test_promise_amount_negative():
    doc = document()
    doc["debtors"][0]["interactions"][0]["promise_amount"] = "-6000"
    assert "debtors[acme].interactions[0].promise_amount: promise_amount must not be negative" in (
        errors_of(doc)
    )


@pytest.mark.parametrize("raw", [b"{not json", b"", b'{"format": "orgmap/1",}', b'"just text"'])
def test_not_json(raw):
    message = errors_of(raw)
    assert "not valid JSON" in message or "expected a JSON object" in message


def test_nan_and_infinity_are_not_json():
    raw = b'{"format": "orgmap/1", "debtors": [{"key": "a", "name": "A", "amount_owed": NaN}]}'
    assert "NaN" in errors_of(raw)


def test_not_utf8():
    raw = json.dumps(document(), ensure_ascii=False).encode("gbk")
    message = errors_of(raw)
    assert "not UTF-8" in message and "offset" in message


@pytest.mark.parametrize("found", ["orgmap/2", "orgmap/0", 1])
def test_another_format_version_names_it(found):
    doc = document()
    doc["format"] = found
    message = errors_of(doc)
    assert message.startswith("format: format is ")
    assert repr(found) in message and '"orgmap/1"' in message


def test_missing_format():
    doc = document()
    del doc["format"]
    assert errors_of(doc) == 'format: format is missing; this version of orgmap reads "orgmap/1"'


def test_file_above_the_size_limit_says_the_limit():
    raw = encode(document())
    message = errors_of(raw, max_bytes=len(raw) - 1)
    assert (
        f"the limit is {len(raw) - 1:,} bytes" in message or f"({len(raw) - 1:,} bytes)" in message
    )
    assert len(parse_document(raw, max_bytes=len(raw), region="CN").maps) == 1
    big = errors_of(b" " * (10 * 1024 * 1024 + 1))
    assert "the limit is 10.0 MB (10,485,760 bytes)" in big


def test_names_over_200_characters():
    message = errors_of(document(name="公" * 201))
    assert "debtors[acme].name: name is too long: 201 characters (at most 200)" in message
    message = errors_of(with_contact_field("name", "王" * 201))
    assert "debtors[acme].contacts[qiantai].name: name is too long" in message
    assert (
        parse_document(encode(document(name="公" * 200)), region="CN").maps[0].debtor.name
        == "公" * 200
    )


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("at", "2026-11-02T09:35:00", "needs a UTC offset"),
        ("at", "2026-11-02", "needs a UTC offset"),
        ("at", "next tuesday", "ISO-8601"),
        ("promise_date", "2026/11/13", "YYYY-MM-DD"),
    ],
)
def test_bad_times_and_dates(field, value, fragment):
    doc = document()
    doc["debtors"][0]["interactions"][0][field] = value
    message = errors_of(doc)
    assert f"debtors[acme].interactions[0].{field}: " in message and fragment in message


def test_bad_due_date():
    assert "debtors[acme].due_date: due_date must be a date" in errors_of(
        document(due_date="31/12")
    )


def test_unknown_fields_are_rejected_with_a_suggestion():
    message = errors_of(with_contact_field("departmnt", "sales"))
    assert (
        "debtors[acme].contacts[qiantai]: unknown field 'departmnt' (did you mean 'department'?)"
        in message
    )
    doc = document()
    doc["comment"] = "hi"
    assert "comment: unknown top-level field" in errors_of(doc)


def test_missing_required_fields():
    doc = document()
    del doc["debtors"][0]["amount_owed"]
    del doc["debtors"][0]["contacts"][0]["department"]
    del doc["debtors"][0]["relations"][0]["type"]
    doc["debtors"][0]["interactions"][0]["at"] = None
    message = errors_of(doc)
    for path in [
        "debtors[acme].amount_owed",
        "debtors[acme].contacts[qiantai].department",
        "debtors[acme].relations[0].type",
        "debtors[acme].interactions[0].at",
    ]:
        assert f"{path}: is required" in message


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("name", 5, "expected text, got a number"),
        ("authorizes_payment", "yes", "expected true or false"),
        ("phones", "13816882045", "expected an array"),
        ("notes", ["a"], "expected text, got an array"),
    ],
)
def test_wrong_types(field, value, fragment):
    message = errors_of(with_contact_field(field, value))
    assert f"debtors[acme].contacts[qiantai].{field}" in message and fragment in message


def test_a_debtor_that_is_not_an_object():
    doc = document()
    doc["debtors"].append("acme")
    assert "debtors[1]: expected an object {…}, got text" in errors_of(doc)


def test_debtor_with_bad_key_is_named_by_position():
    message = errors_of(document(key="Bad Key"))
    assert "debtors[0].key: key 'Bad Key' may use only" in message


def test_every_problem_is_reported_at_once():
    doc = document(amount_owed="x", status="late")
    doc["debtors"][0]["contacts"][0]["phones"] = ["123"]
    doc["debtors"][0]["relations"][0]["to"] = "ghost"
    doc["debtors"][0]["interactions"][0]["channel"] = "fax"
    lines = errors_of(doc).splitlines()
    assert len(lines) == 5
    assert lines[0].startswith("debtors[acme].amount_owed")


def test_a_contact_with_a_bad_field_still_counts_as_present():
    # Its relations must not add "no contact" noise to the real problem.
    assert errors_of(with_contact_field("phones", ["123"])).count("\n") == 0


def test_many_problems_are_capped_in_the_message():
    doc = document()
    doc["debtors"][0]["contacts"][0]["phones"] = [str(i) for i in range(80)]
    message = errors_of(doc)
    assert len(message.splitlines()) == 51
    assert message.endswith("… and 30 more")


def test_credit_code_checksum_failure_is_a_warning_naming_the_field():
    parsed = parse_document(encode(document(credit_code="91350100M000100Y44")), region="CN")
    (warning,) = parsed.warnings
    assert warning.path == "debtors[acme].credit_code"
    assert "'3'" in warning.message
    assert parsed.maps[0].debtor.credit_code == "91350100M000100Y44"  # kept as typed


def test_malformed_credit_code_is_an_error():
    message = errors_of(document(credit_code="9135010"))
    assert "debtors[acme].credit_code: credit_code must have 18 characters, got 7" in message


def test_deeply_nested_json_is_refused_cleanly():
    assert "nested too deeply" in errors_of(b"[" * 100_000)


def test_duplicate_top_level_members_and_null_debtors():
    raw = b'{"format": "orgmap/1", "debtors": [], "debtors": null}'
    message = errors_of(raw)
    assert "debtors: appears more than once in the document" in message
    assert "debtors: expected an array of debtors, got null" in message
