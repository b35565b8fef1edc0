"""``python -m orgmap extract``, in-process, on SQLite and PostgreSQL: the issue's JSON shape,
contact keys for people on the map and names for new ones, nothing written, bad input one
line and exit 2."""

from __future__ import annotations

import json

import pytest

from orgmap.cli import main

DEBTOR = "hengda-jidian"
AT = "2026-12-01T10:00:00+08:00"  # a Tuesday
NOTE = "前台说付款找财务李姐，手机13812345678，她月底前先付5万，明天下午三点再打。王总是老板"


@pytest.fixture
def run(database_url, capsys):
    def call(*argv: str) -> tuple[int, str, str]:
        code = main(["--db", database_url, *argv])
        out, err = capsys.readouterr()
        return code, out, err

    assert call("demo")[0] == 0
    return call


def extract(run, *extra: str, note: str = NOTE, contact: str = "chen_xiaoli"):
    return run("extract", "--debtor", DEBTOR, "--contact", contact, "--note", note, *extra)


def test_the_json_shape(run):
    code, out, err = extract(run, "--at", AT, "--json")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert set(data) == {"people", "relations", "authorizers", "outcome", "promise", "callback"}
    people = {p["existing"]: p for p in data["people"]}
    assert set(people["李姐"]) == {"name", "title", "department", "phones", "email", "existing"}
    assert people["李姐"]["phones"] == ["+8613812345678"]
    assert people["李姐"]["department"] == "finance"
    assert people["chen_xiaoli"]["name"] == "前台"  # the receptionist we called, by key
    assert data["relations"] == [{"from": "chen_xiaoli", "to": "李姐", "type": "refers_to"}]
    assert data["authorizers"] == ["wang_jianguo"]  # 王总 is 王建国, 总经理, on the map
    assert data["outcome"] == "promised"
    assert data["promise"] == {"amount": "50000", "date": "2026-12-31"}
    assert data["callback"] == "2026-12-02T15:00:00+08:00"


def test_a_number_on_the_map_is_that_contact(run):
    note = "前台说找张姐，手机139 1726 5530"  # 赵志强's mobile
    code, out, _ = extract(run, "--at", AT, "--json", note=note)
    assert code == 0
    data = json.loads(out)
    assert data["relations"] == [
        {"from": "chen_xiaoli", "to": "zhao_zhiqiang", "type": "refers_to"}
    ]


def test_nothing_found_and_text_output(run):
    code, out, _ = extract(run, "--at", AT, "--json", note="<script>alert(1)</script>")
    assert code == 0
    assert json.loads(out) == {
        "people": [],
        "relations": [],
        "authorizers": [],
        "outcome": None,
        "promise": None,
        "callback": None,
    }
    code, out, _ = extract(run, "--at", AT)
    assert code == 0 and "promise\t50000 by 2026-12-31" in out


def test_extract_writes_nothing(run):
    before = run("history", "--debtor", DEBTOR, "--json")[1]
    assert extract(run, "--at", AT, "--json")[0] == 0
    assert run("history", "--debtor", DEBTOR, "--json")[1] == before


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--debtor", "nope", "--contact", "chen_xiaoli"], "no debtor"),
        (["--debtor", DEBTOR, "--contact", "nobody"], "no contact 'nobody'"),
        (["--debtor", DEBTOR, "--contact", "chen_xiaoli", "--at", "2026-13-01"], "--at"),
        (["--debtor", DEBTOR, "--contact", "chen_xiaoli", "--at", "2026-12-01T10:00"], "--at"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(run, argv, message):
    code, out, err = run("extract", *argv, "--note", NOTE)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err
