"""Properties of the interchange formats, checked on generated input (Hypothesis)."""

from __future__ import annotations

import copy
import io
import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import networkx as nx
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from orgmap.domain.calls import corrected, current_calls, voided
from orgmap.domain.fields import (
    EARLIEST_DATE,
    LATEST_DATE,
    check_name,
    check_text,
    credit_code_check_character,
    format_phone,
    normalize_phone,
)
from orgmap.domain.model import (
    Channel,
    Contact,
    Debtor,
    DebtorFacts,
    DebtorMap,
    DebtorStatus,
    Department,
    Disposition,
    Interaction,
    Outcome,
    Relation,
    RelationType,
)
from orgmap.domain.validation import ValidationError, validate_map
from orgmap.interchange import dump_document, dumps_document, parse_contacts_csv, parse_document
from orgmap.interchange.document_writer import sort_map
from orgmap.interchange.graphml import graphml_bytes

HOSTILE = [
    "<img src=x onerror=alert(1)>",
    "</script><script>alert(1)</script>",
    '"; DROP TABLE contacts; --',
    "href=javascript:alert(1)",
    "{{7*7}} ${jndi:ldap://x}",
    "\u202eevil\u202c",
    "😀👩‍👩‍👧",
    "前台 </textarea>",
]
PHONES = [
    normalize_phone(raw, region="CN")
    for raw in [
        "021-64851230",
        "021-64851230转801",
        "13816882045",
        "0755-26543210转8011",
        "18022619543",
        "0752-2685391",
        "+1 650 253 0000",
        "400-820-8820",
    ]
]
ZONES = [UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-5, minutes=-30))]
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"

# Text from CJK, Latin and symbols, with no control characters (the checks refuse those).
_letters = st.characters(
    codec="utf-8", categories=["L", "M", "N", "P", "S", "Zs"], exclude_characters="\ufffe\uffff"
)


def _canonical(check, raw: str) -> bool:
    try:
        return check(raw) == raw
    except ValueError:
        return False


keys = st.text("abcdefghijklmnopqrstuvwxyz0123456789_-", min_size=1, max_size=12)
names = (
    st.sampled_from(HOSTILE) | st.text(_letters, min_size=1, max_size=30).map(str.strip)
).filter(lambda s: _canonical(check_name, s))
optional_names = st.just("") | names
notes = st.just("") | (
    st.sampled_from(HOSTILE)
    | st.text(_letters | st.sampled_from("\n\t"), max_size=60).map(str.strip)
).filter(lambda s: _canonical(check_text, s))
money = st.decimals(min_value=0, max_value=10**12, places=2, allow_nan=False).map(
    lambda d: d + Decimal("0.00")
)
moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2026, 1, 1), timezones=st.sampled_from(ZONES)
)
emails = st.builds(lambda user, host: f"{user}@{host}.example", keys, keys)


@st.composite
def credit_codes(draw) -> str:
    body = draw(st.text(CREDIT_ALPHABET, min_size=17, max_size=17))
    check = st.just(credit_code_check_character(body)) | st.sampled_from(CREDIT_ALPHABET)
    return body + draw(check)  # a wrong check character is legal: only a warning


@st.composite
def facts(draw) -> DebtorFacts:
    maybe = st.none() | st.booleans()
    return DebtorFacts(
        reason_unpaid=draw(notes),
        who_pays=draw(notes),
        money_in_account=draw(maybe),
        salaries_on_time=draw(maybe),
        leaders_aware=draw(maybe),
        top_leader=draw(optional_names),
        top_leader_mobile=draw(st.just("") | st.sampled_from(PHONES).map(format_phone)),
        top_leader_email=draw(st.just("") | emails),
        address_verified=draw(st.booleans()),
        registration_verified=draw(st.booleans()),
    )


def contacts(key: str):
    return st.builds(
        Contact,
        key=st.just(key),
        name=names,
        department=st.sampled_from(Department),
        title=optional_names,
        disposition=st.sampled_from(Disposition),
        authorizes_payment=st.booleans(),
        phones=st.lists(st.sampled_from(PHONES), unique=True, max_size=3).map(tuple),
        email=st.none() | emails,
        do_not_contact=st.booleans(),
        notes=notes,
        archived=st.booleans(),
    )


@st.composite
def interactions(draw, contact_keys: list[str]) -> Interaction:
    at = draw(moments)
    outcome = draw(st.sampled_from(Outcome))
    promise = outcome is Outcome.PROMISED and draw(st.booleans())
    return Interaction(
        contact=draw(st.sampled_from(contact_keys)),
        at=at,
        channel=draw(st.sampled_from(Channel)),
        outcome=outcome,
        by=draw(optional_names),
        note=draw(notes),
        promise_amount=draw(money.filter(bool)) if promise else None,
        promise_date=(at.astimezone(UTC).date() + timedelta(days=draw(st.integers(0, 60))))
        if promise
        else None,
        # The number used: not necessarily one of the contact's (it may be gone since).
        phone=draw(st.none() | st.sampled_from(PHONES).map(lambda p: p.e164)),
    )


def _relation_identity(drawn: tuple[list[str], RelationType]) -> tuple[str, str, RelationType]:
    (source, target), kind = drawn
    return source, target, kind


@st.composite
def debtor_maps(draw) -> DebtorMap:
    contact_keys = draw(st.lists(keys, unique=True, max_size=6))
    debtor = Debtor(
        key=draw(keys),
        name=draw(names),
        amount_owed=draw(money),
        currency=draw(st.sampled_from(["CNY", "USD", "HKD"])),
        credit_code=draw(st.none() | credit_codes()),
        address=draw(optional_names),
        due_date=draw(st.none() | st.dates(min_value=EARLIEST_DATE, max_value=LATEST_DATE)),
        status=draw(st.sampled_from(DebtorStatus)),
        assigned_to=draw(optional_names),
        facts=draw(facts()),
    )
    found = tuple(draw(contacts(key)) for key in contact_keys)
    relations: tuple[Relation, ...] = ()
    calls: tuple[Interaction, ...] = ()
    if len(contact_keys) >= 2:
        pair = st.lists(st.sampled_from(contact_keys), min_size=2, max_size=2, unique=True)
        triples = st.lists(
            st.tuples(pair, st.sampled_from(RelationType)),
            unique_by=_relation_identity,
            max_size=8,
        )
        relations = tuple(
            Relation(s, t, kind, note=draw(notes), archived=draw(st.booleans()))
            for (s, t), kind in draw(triples)
        )
    if contact_keys:
        calls = tuple(draw(st.lists(interactions(contact_keys), max_size=6, unique=True)))
        calls = draw(with_corrections(calls, contact_keys))
    return DebtorMap(debtor=debtor, contacts=found, relations=relations, interactions=calls)


@st.composite
def with_corrections(draw, calls: tuple[Interaction, ...], contact_keys: list[str]):
    """``calls`` and up to three corrections or voids of whichever calls then stand
    (chains included: a correction may itself be corrected)."""
    for _ in range(draw(st.integers(0, 3))):
        standing = current_calls(calls)
        if not standing:
            break
        target = draw(st.sampled_from(standing))
        if draw(st.booleans()):
            record = voided(target, by=draw(optional_names), note=draw(notes))
        else:
            record = corrected(
                target, by=draw(optional_names), contact=draw(st.sampled_from(contact_keys)),
                note=draw(notes),
            )  # fmt: skip
        calls = (*calls, record)
    return calls


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
many_maps = st.lists(debtor_maps(), max_size=3, unique_by=lambda m: m.debtor.key)
# Generating a map costs ~50 ms (filtered text, nested draws); 80 maps-lists keep this fast.
slow = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=80)


@slow
@given(many_maps)
def test_valid_maps_round_trip_exactly(maps):
    for m in maps:
        assert validate_map(m, region="CN") == []
    text = dumps_document(maps)
    parsed = parse_document(text.encode("utf-8"), region="CN")
    expected = tuple(sorted((sort_map(m) for m in maps), key=lambda m: m.debtor.key))
    assert parsed.maps == expected
    assert dumps_document(parsed.maps) == text
    codes = [m.debtor.credit_code for m in maps if m.debtor.credit_code]
    wrong = [code for code in codes if credit_code_check_character(code[:17]) != code[17]]
    assert len(parsed.warnings) == len(wrong)


@settings(slow, max_examples=300)
@given(
    st.binary(max_size=2000)
    | st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass"))
    | st.builds(lambda v: json.dumps(v).encode(), json_values)
)
def test_arbitrary_bytes_give_a_validation_error_or_a_document(raw):
    for parse in (parse_document, parse_contacts_csv):
        try:
            parse(raw, region="CN")
        except ValidationError as error:
            assert error.problems and str(error)


# Values that are valid somewhere in the format, so mutants often stay parseable.
plausible = st.sampled_from(
    [
        "",
        " ",
        "acme",
        "qiantai",
        "boss",
        "12000",
        "-1",
        "1.005",
        "NaN",
        "13816882045",
        "12345",
        "021-64851230转801",
        "2026-11-02T09:35:00+08:00",
        "2026-11-02T09:35:00",
        "2026-11-13",
        "sheep",
        "owner",
        "refers_to",
        "promised",
        "phone",
        "91350100M000100Y44",
        "x" * 201,
        True,
        False,
        0,
        12.5,
        "<img src=x onerror=alert(1)>",
    ]
)

BASE = {
    "format": "orgmap/1",
    "debtors": [
        {
            "key": "acme",
            "name": "恒达",
            "amount_owed": "12000",
            "credit_code": "91350100M000100Y43",
            "address": "上海",
            "currency": "CNY",
            "due_date": "2026-09-30",
            "status": "open",
            "assigned_to": "zhangwei",
            "facts": {
                "top_leader": "王总",
                "money_in_account": True,
                "who_pays": "财务",
                "reason_unpaid": "忘了",
                "leaders_aware": None,
                "address_verified": False,
                "top_leader_mobile": "13816882045",
            },
            "contacts": [
                {
                    "key": "qiantai",
                    "name": "陈",
                    "title": "前台",
                    "department": "reception",
                    "disposition": "sheep",
                    "phones": ["021-64851230"],
                    "email": "a@b.example",
                    "notes": "好",
                    "do_not_contact": False,
                    "archived": False,
                },
                {"key": "boss", "name": "王", "department": "owner", "authorizes_payment": True},
            ],
            "relations": [
                {
                    "from": "qiantai",
                    "to": "boss",
                    "type": "refers_to",
                    "note": "n",
                    "archived": False,
                }
            ],
            "interactions": [
                {
                    "contact": "boss",
                    "at": "2026-11-07T09:30:00+08:00",
                    "channel": "phone",
                    "outcome": "promised",
                    "promise_amount": "1",
                    "promise_date": "2026-11-13",
                    "by": "zhangwei",
                    "note": "答应",
                    "phone": "13816882045",
                }
            ],
        }
    ],
}


_TEXT = [*HOSTILE, "", "  padded  ", "王 总", "line\r\nbreak"]
_FLAGS = [True, False, None]
# Values that are valid (or normalize to valid) for a member, by member name.
VALID_VALUES: dict[str, list[Any]] = {
    **{
        name: _TEXT
        for name in [
            "name",
            "title",
            "note",
            "notes",
            "by",
            "address",
            "who_pays",
            "assigned_to",
            "top_leader",
            "reason_unpaid",
        ]
    },
    **{
        name: _FLAGS
        for name in [
            "archived",
            "authorizes_payment",
            "do_not_contact",
            "money_in_account",
            "leaders_aware",
            "address_verified",
        ]
    },
    "amount_owed": ["0", "12.5", 7, 12.5, " 99 ", "1.10"],
    "promise_amount": ["0.01", 3, 2.25],
    "phones": [["13816882045", "+862164851230;ext=801"], [], ["021 6485 1230 转 9"]],
    "department": [d.value for d in Department],
    "disposition": [d.value for d in Disposition],
    "type": [t.value for t in RelationType],
    "channel": [c.value for c in Channel],
    "outcome": [o.value for o in Outcome],
    "status": [s.value for s in DebtorStatus],
    "at": ["2026-11-02T09:35:00Z", "2030-01-01T00:00:00-05:30", "2026-11-07T09:30:00.5+08:00"],
    "due_date": ["2026-12-01", None],
    "promise_date": ["2026-12-01", "2027-01-31"],
    "credit_code": ["91350100m000100y43", "91350100M000100Y44", "", None],
    "email": ["A.B@EXAMPLE.COM", None, ""],
    "top_leader_mobile": ["138 1688 2045", ""],
    "phone": ["+8613816882045", "021-64851230转801", None],
    "currency": ["usd", "CNY"],
}


def _value_for(name: object) -> st.SearchStrategy[Any]:
    valid = VALID_VALUES.get(name) if isinstance(name, str) else None
    anything = plausible | json_values
    return st.sampled_from(valid) | anything if valid else anything


def _slots(node: Any, found: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """Every (container, key-or-index) in a JSON value, depth first."""
    items = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else ()
    )
    for key, child in items:
        found.append((node, key))
        _slots(child, found)
    return found


def _assert_fixed_point(doc: dict[str, Any]) -> None:
    """Either a clean ValidationError, or parse → dump → parse → dump is stable."""
    try:
        parsed = parse_document(
            json.dumps(doc, ensure_ascii=False).encode("utf-8", "surrogatepass"), region="CN"
        )
    except ValidationError as error:
        assert error.problems
        return
    event("parsed")
    once = dump_document(parsed.maps)
    again = parse_document(json.dumps(once, ensure_ascii=False).encode(), region="CN")
    assert dump_document(again.maps) == once
    assert again.maps == parsed.maps


@settings(slow, max_examples=300)
@given(st.data())
def test_arbitrary_edits_fail_cleanly_or_reach_a_fixed_point(data):
    doc = copy.deepcopy(BASE)
    for _ in range(data.draw(st.integers(1, 3))):
        # Inside the debtor: the top level is covered by the unit tests and the bytes test,
        # and Hypothesis favours early slots, which would make most edits hit "format".
        slots = _slots(doc["debtors"][0], [])
        if not slots:
            break
        container, key = data.draw(st.sampled_from(slots))
        action = data.draw(st.sampled_from(["add", "replace", "delete"]))
        if action == "delete":
            del container[key]
        elif action == "add" and isinstance(container, dict):
            name = data.draw(st.sampled_from(sorted(VALID_VALUES)) | st.text(max_size=10))
            container[name] = data.draw(_value_for(name))
        else:
            container[key] = data.draw(_value_for(key))
    _assert_fixed_point(doc)


@settings(slow, max_examples=300)
@given(st.data())
def test_plausible_edits_reach_a_fixed_point(data):
    """Valid or normalizable values in known members: most of these documents parse."""
    doc = copy.deepcopy(BASE)
    slots = [(c, k) for c, k in _slots(doc["debtors"][0], []) if k in VALID_VALUES]
    for container, key in data.draw(st.lists(st.sampled_from(slots), max_size=6)):
        container[key] = data.draw(st.sampled_from(VALID_VALUES[key]))
    _assert_fixed_point(doc)


@slow
@given(debtor_maps())
def test_graphml_keeps_every_text_as_text(m):
    graph = nx.read_graphml(io.BytesIO(graphml_bytes(m)))
    shown = {c.key: c for c in m.contacts if not c.archived}
    assert set(graph.nodes) == set(shown)
    for key, data in graph.nodes(data=True):
        assert data["name"] == shown[key].name
        assert data["title"] == shown[key].title
    notes = sorted(
        r.note for r in m.relations if not r.archived and r.source in shown and r.target in shown
    )
    assert sorted(data["note"] for _, _, data in graph.edges(data=True)) == notes
