"""``user``, ``team`` and ``assign`` from the command line, in-process, on SQLite and
PostgreSQL: exact syntax, exit code 2 with one line for bad input, hostile names shown
as text, passwords read from stdin and never echoed, ``cli:<os user>`` as the author."""

from __future__ import annotations

import getpass
import io
import json

import pytest
import sqlalchemy as sa

from orgmap.cli import main

PASSWORD = "glass tiger river 7"


@pytest.fixture
def run(database_url, monkeypatch, capsys):
    """``run(*argv, stdin="")`` → (exit code, stdout, stderr) against the test's database."""

    def call(*argv: str, stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = main(["--db", database_url, *argv])
        out, err = capsys.readouterr()
        return code, out, err

    return call


@pytest.fixture
def seeded(run):
    assert run("demo")[0] == 0
    assert run("team", "add", "North")[0] == 0
    wang = ["user", "add", "wang", "--role", "lead", "--team", "north", "--password-stdin"]
    assert run(*wang, stdin=PASSWORD + "\n")[0] == 0
    return run


def test_users_and_teams_round_trip(seeded):
    run = seeded
    zhao = ["user", "add", "zhao", "--role", "viewer", "--password-stdin"]
    code, out, _ = run(*zhao, stdin=PASSWORD + "\r\n")
    assert code == 0 and out == "added user zhao (viewer, no team)\n"
    code, out, _ = run("user", "list", "--json")
    assert json.loads(out) == [
        {"name": "wang", "role": "lead", "team": "North", "disabled": False, "locked_until": None},
        {"name": "zhao", "role": "viewer", "team": None, "disabled": False, "locked_until": None},
    ]
    assert run("user", "list")[1] == "wang\tlead\tNorth\tactive\nzhao\tviewer\t-\tactive\n"
    assert json.loads(run("team", "list", "--json")[1]) == [{"name": "North", "members": 1}]
    assert run("team", "list")[1] == "North\t1 member(s)\n"


def test_passwd_and_disable(seeded, database_url):
    run = seeded
    code, out, _ = run("user", "passwd", "WANG", "--password-stdin", stdin="another phrase 42\n")
    assert (code, out) == (0, "password changed for WANG; 0 session(s) ended\n")
    assert run("user", "disable", "wang") == (0, "disabled wang; 0 session(s) ended\n", "")
    assert json.loads(run("user", "list", "--json")[1])[0]["disabled"] is True
    from orgmap.services.login import LoginRefusedError, verify_login
    from orgmap.store import make_engine

    engine = make_engine(database_url)
    try:
        with pytest.raises(LoginRefusedError):
            verify_login(engine, name="wang", password="another phrase 42")
    finally:
        engine.dispose()


def test_assign_records_the_os_user_as_author(seeded, database_url):
    code, out, _ = seeded("assign", "--debtor", "hengda-jidian", "--to", "wang")
    assert (code, out) == (0, "assigned hengda-jidian to wang (team North)\n")
    code, out, _ = seeded("assign", "--debtor", "hengda-jidian", "--to", "wang")
    assert out.endswith("nothing changed\n")
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text("SELECT by, action, entity, key FROM history WHERE action = 'assign'")
            ).all()
    finally:
        engine.dispose()
    assert [tuple(r) for r in rows] == [
        (f"cli:{getpass.getuser()}", "assign", "debtor", "hengda-jidian")
    ]


ADD_LI = ["user", "add", "li", "--role", "viewer", "--password-stdin"]


@pytest.mark.parametrize(
    ("argv", "stdin", "message"),
    [
        (["user", "add", "li", "--role", "collector"], PASSWORD, "required: --password-stdin"),
        (["user", "add", "li", "--role", "boss", "--password-stdin"], PASSWORD, "invalid choice"),
        (ADD_LI, "", "no password on standard input"),
        (ADD_LI, "\n", "no password on standard input"),
        (ADD_LI, "qwertyuiop\n", "commonest passwords"),
        (ADD_LI, "short\n", "at least 10 characters"),
        (["user", "add", "WANG", "--role", "viewer", "--password-stdin"], PASSWORD, "exists"),
        ([*ADD_LI, "--team", "South"], PASSWORD, "no team named 'South'"),
        (["user", "add", "", "--role", "viewer", "--password-stdin"], PASSWORD, "needs a name"),
        (["user", "passwd", "nobody", "--password-stdin"], PASSWORD, "no user named 'nobody'"),
        (["user", "disable", "nobody"], "", "no user named 'nobody'"),
        (["team", "add", "NORTH"], "", "a team named 'NORTH' already exists"),
        (["assign", "--debtor", "nope", "--to", "wang"], "", "no debtor with key 'nope'"),
        (["assign", "--debtor", "hengda-jidian", "--to", "nobody"], "", "no user named 'nobody'"),
        (["assign", "--debtor", "hengda-jidian"], "", "required: --to"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_changes_nothing(seeded, argv, stdin, message):
    before = [seeded(*what)[1] for what in (["user", "list", "--json"], ["team", "list", "--json"])]
    code, out, err = seeded(*argv, stdin=stdin)
    assert code == 2 and out == ""
    assert err.startswith("orgmap: error: ") and err.count("\n") == 1 and message in err
    assert PASSWORD not in err
    after = [seeded(*what)[1] for what in (["user", "list", "--json"], ["team", "list", "--json"])]
    assert after == before


@pytest.mark.parametrize(
    "name",
    ["Robert'); DROP TABLE user_account;--", "<img src=x onerror=alert(1)>", "red\x1b[2Jteam"],
)
def test_hostile_names_are_kept_as_text_and_printed_escaped(run, name):
    code, out, err = run("team", "add", name)
    if "\x1b" in name:  # a control character is refused, and the refusal shows it escaped
        assert code == 2 and "\x1b" not in err
        return
    assert (code, out) == (0, f"added team {name}\n")
    add = ["user", "add", name, "--role", "admin", "--team", name, "--password-stdin"]
    code, out, _ = run(*add, stdin=PASSWORD)
    assert code == 0
    assert json.loads(run("user", "list", "--json")[1])[0]["name"] == name
    assert json.loads(run("team", "list", "--json")[1]) == [{"name": name, "members": 1}]


def test_the_password_is_never_printed(run):
    outputs = [run("user", "add", "li", "--role", "admin", "--password-stdin", stdin=PASSWORD)]
    outputs.append(run("user", "passwd", "li", "--password-stdin", stdin=PASSWORD + "x"))
    outputs.append(run("user", "list", "--json"))
    assert all(PASSWORD not in out + err for _, out, err in outputs)
