"""Searching the whole team by number, last digits, name or company, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from orgmap.domain.access import Actor, Role
from orgmap.services.search import (
    MAX_LIMIT,
    MAX_QUERY_CHARS,
    Matched,
    QueryRefused,
    TeamMatch,
    read_query,
    search_team,
)
from orgmap.store.search import _number_query
from tests.factories import make_contact, make_interaction, make_map, make_phone
from tests.ui.apptest_helpers import SeededDb, seed

#: Who the tests act as where who acts does not matter: an administrator.
ADMIN = Actor("t", Role.ADMIN)

BOSS = "+8613812345678"  # acme's boss 王总 (and his fixed line +862161234568)
DESK = "+862161234567"  # acme's front desk 小张, ext. 801; called at 2026-11-20 03:00 UTC


def search(db: SeededDb, text: str, **options) -> list[TeamMatch]:
    return search_team(db.engine, text, region="CN", **options, actor=ADMIN)


def people(found: list[TeamMatch]) -> list[tuple[str, str | None]]:
    return [(m.debtor_key, m.contact_key) for m in found]


def other_company(key: str, *contacts, calls=(), **overrides):
    return make_map(
        key, contacts=tuple(contacts), relations=(), interactions=tuple(calls), **overrides
    )


@pytest.mark.parametrize(
    "typed",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "+86 138 1234 5678",
        "+8613812345678",
        "0086 138 1234 5678",
        "１３８ １２３４ ５６７８",  # full width, as Chinese input methods type it
    ],
)
def test_a_whole_number_in_any_format_finds_its_owner(db: SeededDb, typed: str):
    found = search(db, typed)
    assert people(found) == [("acme", "boss")]
    (boss,) = found
    assert (boss.contact_name, boss.debtor_name) == ("王总", "上海acme贸易有限公司")
    assert boss.phone == BOSS and boss.matched is Matched.NUMBER


def test_a_fixed_line_with_its_extension_finds_the_number(db: SeededDb):
    for typed in ("021-61234567转801", "(021) 6123 4567 ext. 801", "+86 21 6123 4567"):
        found = search(db, typed)
        assert people(found) == [("acme", "desk")], typed
        assert found[0].phone == DESK and found[0].matched is Matched.NUMBER


def test_the_last_call_is_the_persons_latest_in_utc(db: SeededDb):
    (desk,) = search(db, DESK)
    assert desk.last_call == datetime(2026, 11, 20, 3, 0, tzinfo=UTC)  # 11:00 in Shanghai
    (boss,) = search(db, BOSS)
    assert boss.last_call is None


def test_last_four_or_more_digits_find_every_number_ending_so(db: SeededDb):
    seed(
        db.engine,
        other_company(
            "globex",
            make_contact("li", name="李会计", phones=(make_phone("+8613600005678"),)),
            make_contact("wu", name="吴经理", phones=(make_phone("+8613600001234"),)),
            calls=[make_interaction("li", minutes=30)],
        ),
    )
    found = search(db, "5678")
    # Both end in 5678; the one called most recently first.
    assert people(found) == [("globex", "li"), ("acme", "boss")]
    assert {m.matched for m in found} == {Matched.DIGITS}
    assert [m.phone for m in found] == ["+8613600005678", BOSS]
    assert people(search(db, "12345678")) == [("acme", "boss")]
    assert people(search(db, "0005678")) == [("globex", "li")]
    assert search(db, "99995678") == []
    assert people(search(db, "4568")) == [("acme", "boss")]  # his second number, the fixed line


def test_an_exact_number_comes_before_numbers_that_only_end_the_same(db: SeededDb):
    # Read in CN, 2125550123 is a Shanghai number; in New York it ends a US number.
    seed(
        db.engine,
        other_company(
            "initech",
            make_contact("ny", name="Bill Lumbergh", phones=(make_phone("+12125550123"),)),
            make_contact("sh", name="上海办事处", phones=(make_phone("+862125550123"),)),
            calls=[make_interaction("ny", minutes=600)],  # the US one called more recently
        ),
    )
    found = search(db, "2125550123")
    assert people(found) == [("initech", "sh"), ("initech", "ny")]
    assert [m.matched for m in found] == [Matched.NUMBER, Matched.DIGITS]


def test_a_person_matched_by_two_numbers_is_listed_once(db: SeededDb):
    seed(
        db.engine,
        other_company(
            "globex",
            make_contact(
                "twin",
                name="双号",
                phones=(make_phone("+8613600005678"), make_phone("+8613900005678")),
            ),
        ),
    )
    found = search(db, "13900005678")
    assert people(found) == [("globex", "twin")]
    assert (found[0].phone, found[0].matched) == ("+8613900005678", Matched.NUMBER)
    assert people(search(db, "5678")) == [("acme", "boss"), ("globex", "twin")]


def test_a_name_finds_people_by_part_of_it_ignoring_case(db: SeededDb):
    seed(
        db.engine,
        other_company(
            "globex",
            make_contact("alice", name="Alice WONG", phones=(make_phone("+8613600001111"),)),
            make_contact("wang", name="王会计", phones=()),
        ),
    )
    assert people(search(db, "wong")) == [("globex", "alice")]
    assert people(search(db, "aLiCe")) == [("globex", "alice")]
    found = search(db, "王")
    assert people(found) == [("acme", "boss"), ("globex", "wang")]
    assert {m.matched for m in found} == {Matched.NAME}
    # A name match shows the person's first number; none for someone without one.
    assert [m.phone for m in found] == [BOSS, None]


def test_a_company_name_lists_its_people_most_recently_called_first(db: SeededDb):
    found = search(db, "ACME贸易")
    assert found[0].contact_key == "desk" and found[0].last_call is not None
    assert {m.contact_key for m in found} == {"desk", "sales", "finance", "boss"}
    assert {m.matched for m in found} == {Matched.COMPANY}
    assert all(m.last_call is None for m in found[1:])
    assert [m.contact_key for m in found[1:]] == sorted(m.contact_key for m in found[1:])


def test_people_matched_by_their_name_come_before_their_companys(db: SeededDb):
    seed(db.engine, other_company("wangs", make_contact("a", name="赵先生"), name="王氏实业"))
    found = search(db, "王")
    assert people(found) == [("acme", "boss"), ("wangs", "a")]
    assert [m.matched for m in found] == [Matched.NAME, Matched.COMPANY]


def test_percent_and_underscore_are_text_not_wildcards(db: SeededDb):
    seed(db.engine, other_company("pct", make_contact("a", name="100%_Cotton"), name="Pct Ltd"))
    assert people(search(db, "%_C")) == [("pct", "a")]
    assert people(search(db, "%")) == [("pct", "a")]
    assert people(search(db, "_")) == [("pct", "a")]
    assert search(db, "0%x") == []


def test_archived_people_are_never_found(db: SeededDb):
    gone = make_contact("old", name="王总", phones=(make_phone(BOSS),), archived=True)
    seed(
        db.engine,
        other_company("globex", gone, make_contact("now", name="新人", phones=())),
        other_company("empty", make_contact("x", name="某人", archived=True), name="空壳公司"),
    )
    assert people(search(db, BOSS)) == [("acme", "boss")]
    assert people(search(db, "5678")) == [("acme", "boss")]
    assert people(search(db, "王总")) == [("acme", "boss")]
    assert people(search(db, "globex")) == [("globex", "now")]
    # A company whose people are all archived is still found, with no one to show.
    (shell,) = search(db, "空壳")
    assert (shell.debtor_key, shell.contact_key, shell.contact_name, shell.phone) == (
        "empty",
        None,
        None,
        None,
    )


def test_results_are_limited_most_recent_call_first(db: SeededDb):
    # The group boss: the same mobile at 30 companies, each called at another time.
    seed(
        db.engine,
        *(
            other_company(
                f"group{n:02d}",
                make_contact("boss", name="集团李总", phones=(make_phone("+8613700009999"),)),
                calls=[make_interaction("boss", minutes=n)],
            )
            for n in range(30)
        ),
    )
    for text in ("13700009999", "9999", "李总", "group"):
        found = search(db, text)
        assert len(found) == 20, text
        assert [m.debtor_key for m in found] == [f"group{n:02d}" for n in range(29, 9, -1)], text
    assert [m.debtor_key for m in search(db, "9999", limit=3)] == ["group29", "group28", "group27"]
    assert len(search(db, "李总", limit=MAX_LIMIT)) == 30
    with pytest.raises(ValueError, match="limit"):
        search(db, "李总", limit=0)
    with pytest.raises(ValueError, match="limit"):
        search(db, "李总", limit=MAX_LIMIT + 1)


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("12", "short"),
        ("+86 1", "short"),
        ("56-7", "short"),
        ("x" * (MAX_QUERY_CHARS + 1), "long"),
        ("王\x1b[2J", "unprintable"),
        ("王\x00", "unprintable"),
        ("abc\u202edef", "unprintable"),
        ("a\nb", "unprintable"),
    ],
)
def test_text_that_cannot_be_searched_is_refused_with_a_reason(
    db: SeededDb, typed: str, reason: str
):
    with pytest.raises(QueryRefused) as refused:
        search(db, typed)
    assert refused.value.reason == reason
    assert str(refused.value) and "\n" not in str(refused.value)


def test_reading_a_query():
    assert read_query("5678", region="CN").is_number
    assert not read_query("王总", region="CN").is_number
    assert read_query("王总 5678", region="CN").digits is None  # a name with digits in it
    # More digits than any E.164 number: nothing ends with them, and they are no number.
    assert read_query("1" * 16, region="CN").digits is None
    assert read_query(" 61234567 ", region="CN").digits == "61234567"
    assert read_query("(212) 555-0123", region="US").e164 == "+12125550123"


def test_numbers_read_as_a_collector_would_say_them():
    from orgmap.domain.model import Phone
    from orgmap.ui.formatting import format_phone_number

    def shown(e164: str, region: str) -> str:
        return format_phone_number(Phone(e164), region=region, lang="en")

    assert shown(DESK, "CN") == "021 6123 4567"
    assert shown("+12125550123", "US") == "(212) 555-0123"
    assert shown("+12125550123", "CN") == "+1 212-555-0123"
    assert shown("not a number", "CN") == "not a number"


def test_the_digit_search_can_use_its_index(db: SeededDb):
    """Last digits are an equality on an indexed expression, not a scan of every number."""
    query = _number_query(by_number=False, by_digits=True)
    values = {"e164": None, "digits": "12345678", "last_four": "5678", "limit": 20}
    with db.engine.connect() as connection:
        compiled = query.compile(connection)
        parameters = compiled.construct_params(values)
        if connection.dialect.name == "sqlite":
            plan_sql = f"EXPLAIN QUERY PLAN {compiled}"
            arguments = tuple(parameters[name] for name in compiled.positiontup or ())
        else:  # a table this small is scanned unless scans are ruled out
            connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
            plan_sql, arguments = f"EXPLAIN {compiled}", parameters
        plan = "\n".join(str(row[-1]) for row in connection.exec_driver_sql(plan_sql, arguments))
        connection.rollback()
    assert "ix_phone_e164_last4" in plan, plan
