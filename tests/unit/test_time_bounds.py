"""Times and dates are bounded (issue 10, item 5): 1970-01-01 to 2100-12-31, so no accepted
value reaches an OverflowError — in the readers, the map checks, the services or when shown
in a collector's time zone.

Year-1 times used to crash with a traceback: in an imported file (a call at
``0001-01-01T00:00:00-01:00`` with a promise date), in ``log --at 0001-01-01T00:00:00+00:00``,
and in ``list`` under ``ORGMAP_TIMEZONE=America/New_York`` once such a call was stored.
"""

from __future__ import annotations

import copy
import json
import re
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.engine import Engine

from orgmap import store
from orgmap.cli import main
from orgmap.domain.access import Actor, Role
from orgmap.domain.fields import (
    EARLIEST_DATE,
    LATEST_DATE,
    FieldError,
    check_logged_time,
    parse_aware_datetime,
    parse_date,
)
from orgmap.domain.model import Channel, Interaction, Outcome
from orgmap.domain.validation import ValidationError, check_structure, validate_map
from orgmap.interchange import dumps_document, parse_document
from orgmap.routing.costs import summarize_history
from orgmap.routing.weights import load_weights
from orgmap.services.calls import CallReport, log_call
from orgmap.services.transfer import import_file
from orgmap.settings import Settings
from tests.factories import make_map

#: Who the tests act as where who acts does not matter: an administrator.
ADMIN = Actor("t", Role.ADMIN)

NOW = datetime(2026, 11, 20, tzinfo=UTC)
YEAR_ONE_CALL = {
    "contact": "boss",
    "at": "0001-01-01T00:00:00-01:00",
    "channel": "phone",
    "outcome": "promised",
    "promise_amount": "6000",
    "promise_date": "2026-11-13",
}
DOC: dict[str, Any] = {
    "format": "orgmap/1",
    "debtors": [
        {
            "key": "acme",
            "name": "上海恒达机电设备有限公司",
            "amount_owed": "12000",
            "due_date": "2026-10-15",
            "contacts": [
                {"key": "boss", "name": "王建国", "department": "owner", "phones": ["13816882045"]}
            ],
            "interactions": [
                {
                    "contact": "boss",
                    "at": "2026-11-07T09:30:00+08:00",
                    "channel": "phone",
                    "outcome": "reached",
                }
            ],
        }
    ],
}


def document(*, debtor: dict[str, Any] | None = None, call: dict[str, Any] | None = None) -> bytes:
    """DOC with members of the debtor and of its one call changed."""
    doc = copy.deepcopy(DOC)
    doc["debtors"][0].update(debtor or {})
    doc["debtors"][0]["interactions"][0].update(call or {})
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def refused(raw: bytes) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        parse_document(raw, region="CN")
    return caught.value


# --- the field checks ---------------------------------------------------------------


def test_the_bounds_are_1970_to_2100():
    assert date(1970, 1, 1) == EARLIEST_DATE
    assert date(2100, 12, 31) == LATEST_DATE


@pytest.mark.parametrize("day", [EARLIEST_DATE, LATEST_DATE, date(2026, 11, 13)])
def test_dates_within_the_bounds_are_accepted_as_text_or_date(day):
    assert parse_date(day.isoformat()) == day
    assert parse_date(day) == day


@pytest.mark.parametrize(
    "day",
    ["0001-01-01", "1969-12-31", "2101-01-01", "9999-12-31", date(1, 1, 1), date.max],
)
def test_dates_outside_the_bounds_are_refused_with_a_coded_message(day):
    with pytest.raises(FieldError) as caught:
        parse_date(day, field="promise_date")
    error = caught.value
    assert error.code == "date.out_of_range"
    assert str(error).startswith("promise_date is out of range: '")
    assert "1970-01-01 to 2100-12-31" in str(error)
    assert "1970-01-01 至 2100-12-31" in error.text("zh-CN")
    assert "承诺日期" in error.text("zh-CN")


@pytest.mark.parametrize(
    "text",
    [
        "1970-01-01T00:00:00Z",
        "1970-01-01T08:00:00+08:00",
        "2100-12-31T23:59:59.999999+00:00",
        "2100-12-31T18:59:59-05:00",
    ],
)
def test_times_whose_utc_date_is_within_the_bounds_are_accepted(text):
    moment = parse_aware_datetime(text, field="at")
    assert EARLIEST_DATE <= moment.date() <= LATEST_DATE
    assert moment.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "text",
    [
        "0001-01-01T00:00:00-01:00",  # has a UTC time, in year 1
        "0001-01-01T00:00:00+00:00",
        "0001-01-01T00:00:00+08:00",  # has none: before datetime.min in UTC
        "9999-12-31T23:59:59-05:00",  # after datetime.max in UTC
        "1970-01-01T07:59:59+08:00",  # 1969 in UTC
        "2101-01-01T00:00:00Z",
    ],
)
def test_times_outside_the_bounds_are_refused_with_a_coded_message(text):
    with pytest.raises(FieldError) as caught:
        parse_aware_datetime(text, field="at")
    error = caught.value
    assert error.code == "datetime.out_of_range"
    assert str(error) == (
        f"at is out of range: {text!r} (times from 1970-01-01 to 2100-12-31 UTC are accepted)"
    )
    assert re.search(r"[\u4e00-\u9fff]", error.text("zh-CN"))


@pytest.mark.parametrize(
    "moment",
    [
        datetime(1, 1, 1, tzinfo=UTC),
        datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=8))),
        datetime(1969, 12, 31, 23, 59, tzinfo=UTC),
    ],
)
def test_a_logged_time_built_in_code_is_bounded_too(moment):
    with pytest.raises(FieldError) as caught:
        check_logged_time(moment, now=NOW)
    assert caught.value.code == "datetime.out_of_range"
    assert str(caught.value).startswith("at is out of range")


# --- the JSON reader ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "path", "code"),
    [
        ({"call": YEAR_ONE_CALL}, "debtors[acme].interactions[0].at", "datetime.out_of_range"),
        (
            {"call": {**YEAR_ONE_CALL, "at": "0001-01-01T00:00:00+08:00"}},
            "debtors[acme].interactions[0].at",
            "datetime.out_of_range",
        ),
        (
            {
                "call": {
                    **YEAR_ONE_CALL,
                    "at": "2026-11-07T09:30:00+08:00",
                    "promise_date": "0001-01-01",
                }
            },
            "debtors[acme].interactions[0].promise_date",
            "date.out_of_range",
        ),
        (
            {
                "call": {
                    **YEAR_ONE_CALL,
                    "at": "2026-11-07T09:30:00+08:00",
                    "promise_date": "9999-12-31",
                }
            },
            "debtors[acme].interactions[0].promise_date",
            "date.out_of_range",
        ),
        ({"debtor": {"due_date": "0001-01-01"}}, "debtors[acme].due_date", "date.out_of_range"),
        ({"debtor": {"due_date": "9999-12-31"}}, "debtors[acme].due_date", "date.out_of_range"),
    ],
)
def test_an_import_with_a_time_or_date_out_of_bounds_gets_one_problem_naming_it(
    changes, path, code
):
    error = refused(document(**changes))
    assert [(p.path, p.code) for p in error.problems] == [(path, code)]
    assert "out of range" in str(error)


def test_the_bounds_themselves_import_and_round_trip():
    raw = document(
        debtor={"due_date": "2100-12-31"},
        call={**YEAR_ONE_CALL, "at": "1970-01-01T00:00:00Z", "promise_date": "2100-12-31"},
    )
    (m,) = parse_document(raw, region="CN").maps
    assert m.interactions[0].at == datetime(1970, 1, 1, tzinfo=UTC)
    again = parse_document(dumps_document([m]).encode(), region="CN")
    assert again.maps == (m,)


# Every offset Python reads (up to a minute short of a day either way).
offsets = st.timedeltas(
    min_value=timedelta(hours=-23, minutes=-59), max_value=timedelta(hours=23, minutes=59)
).map(timezone)
# Times from just before to just after both bounds and both ends of Python's calendar.
near_edges = st.builds(
    lambda start, shift: start + shift,
    st.sampled_from(
        [datetime(1, 1, 1), datetime(1969, 12, 30), datetime(2100, 12, 30), datetime(9999, 12, 30)]
    ),
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=2, microseconds=-1)),
)
edge_dates = st.sampled_from(
    [date(1, 1, 1), date(1969, 12, 31), EARLIEST_DATE, LATEST_DATE, date(2101, 1, 1), date.max]
)
ZONES = [ZoneInfo(name) for name in ("America/New_York", "Pacific/Kiritimati", "Etc/GMT+12")]
OUT_OF_RANGE = {"datetime.out_of_range", "date.out_of_range"}


@given(moment=near_edges, offset=offsets, promise=edge_dates)
def test_an_imported_call_near_the_bounds_is_read_or_refused_never_a_crash(moment, offset, promise):
    at = moment.replace(tzinfo=offset).isoformat()
    raw = document(call={**YEAR_ONE_CALL, "at": at, "promise_date": promise.isoformat()})
    try:
        (m,) = parse_document(raw, region="CN").maps
    except ValidationError as error:
        allowed = OUT_OF_RANGE | {"time.in_future", "promise.before_call"}
        assert {p.code for p in error.problems} <= allowed
        return
    assert EARLIEST_DATE <= m.interactions[0].at.date() <= LATEST_DATE
    assert validate_map(m, region="CN") == []


@given(moment=near_edges, offset=offsets, promise=edge_dates)
def test_every_accepted_time_and_date_can_be_shown_and_checked(moment, offset, promise):
    """The map checks compare a promise date with the call's UTC date less a day; the
    app and ``list`` show a call in the team's zone: neither overflows for any time and
    date the checks accept, whatever the offset it was written with."""
    try:
        at = parse_aware_datetime(moment.replace(tzinfo=offset).isoformat(), field="at")
        day = parse_date(promise, field="promise_date")
    except FieldError as error:
        assert error.code in OUT_OF_RANGE
        return
    for zone in ZONES:
        at.astimezone(zone)
    # None: routing counts a promise without a date due some grace days after the call.
    for promised in (day, at.date(), min(at.date() + timedelta(days=1), LATEST_DATE), None):
        m = make_map("acme", interactions=(_promise(at, promised),))
        problems = check_structure(m)
        assert {p.code for p in problems} <= {"promise.before_call", "promise.incomplete"}
        summarize_history(m, now=at, weights=load_weights())


def _promise(at: datetime, day: date | None) -> Interaction:
    return Interaction(
        contact="desk",
        at=at,
        channel=Channel.PHONE,
        outcome=Outcome.PROMISED,
        promise_amount=Decimal("1.00"),
        promise_date=day,
    )


# --- the services, on SQLite and PostgreSQL -----------------------------------------


def _settings(engine: Engine) -> Settings:
    return Settings(database_url=str(engine.url), phone_region="CN")


def _stored_calls(engine: Engine) -> int | None:
    with store.snapshot(engine) as connection:
        m = store.load_map(connection, "acme")
    return None if m is None else len(m.interactions)


def test_an_import_with_a_year_one_call_writes_nothing(engine: Engine):
    with pytest.raises(ValidationError) as caught:
        import_file(
            engine,
            filename="acme.json",
            raw=document(call=YEAR_ONE_CALL),
            settings=_settings(engine),
            actor=ADMIN,
        )
    assert [p.path for p in caught.value.problems] == ["debtors[acme].interactions[0].at"]
    with store.snapshot(engine) as connection:
        assert store.list_debtors(connection) == []


@pytest.mark.parametrize(
    ("report", "path"),
    [
        ({"at": datetime(1, 1, 1, tzinfo=UTC)}, "at"),
        ({"at": datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=8)))}, "at"),
        ({"at": datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-5)))}, "at"),
        ({"promise_date": date(1, 1, 1)}, "promise_date"),
        ({"promise_date": date.max}, "promise_date"),
    ],
)
def test_a_call_report_built_in_code_is_bounded(engine: Engine, report, path):
    import_file(
        engine, filename="acme.json", raw=document(), settings=_settings(engine), actor=ADMIN
    )
    promise = {"promise_amount": Decimal("6000"), "promise_date": date(2026, 11, 30)}
    call = CallReport(
        contact="boss", channel=Channel.PHONE, outcome=Outcome.PROMISED, **(promise | report)
    )
    with pytest.raises(ValidationError) as caught:
        log_call(engine, debtor_key="acme", report=call, actor=Actor("t", Role.ADMIN), region="CN")
    assert [p.path for p in caught.value.problems] == [path]
    assert caught.value.problems[0].code in {"datetime.out_of_range", "date.out_of_range"}
    assert _stored_calls(engine) == 1


# --- the command line ---------------------------------------------------------------


def test_log_at_year_one_is_a_usage_error_and_list_still_works(capsys, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("ORGMAP_TIMEZONE", "America/New_York")
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    file = tmp_path / "acme.json"
    file.write_bytes(document())
    assert main(["--db", db, "import", str(file)]) == 0
    capsys.readouterr()
    flags = "--debtor acme --contact boss --channel phone --outcome promised"
    promise = "--promise-amount 6000 --promise-date 2026-11-30"
    at = "--at 0001-01-01T00:00:00+00:00"
    code = main(["--db", db, "log", *f"{flags} {promise} {at}".split()])
    err = capsys.readouterr().err
    assert code == 2
    assert "out of range" in err and "Traceback" not in err
    assert main(["--db", db, "list"]) == 0
    assert "last contact 2026-11-06 20:30" in capsys.readouterr().out  # New York time
