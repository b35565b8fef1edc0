"""``python -m orgmap history --debtor KEY [--json]``, in-process, on SQLite and PostgreSQL:
newest first, the exact JSON shape, times in UTC in JSON and local in text, hostile text
escaped, a missing debtor one line and exit 2."""

from __future__ import annotations

import getpass
import io
import json
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from orgmap.cli import main
from orgmap.store import make_engine, transaction
from orgmap.store.history import record

PASSWORD = "glass tiger river 7"
DEBTOR = "hengda-jidian"


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
    for name in ("wang", "li"):
        add = ["user", "add", name, "--role", "collector", "--team", "north", "--password-stdin"]
        assert run(*add, stdin=PASSWORD + "\n")[0] == 0
    return run


def _debtor_id(database_url: str, key: str) -> int:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            query = sa.text("SELECT id FROM debtor WHERE key = :k")
            return connection.execute(query, {"k": key}).scalar_one()
    finally:
        engine.dispose()


def _history_rows(database_url: str, key: str) -> int:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            query = sa.text(
                "SELECT count(*) FROM history h JOIN debtor d ON d.id = h.debtor_id"
                " WHERE d.key = :k"
            )
            return connection.execute(query, {"k": key}).scalar_one()
    finally:
        engine.dispose()


def test_history_lists_the_assignments_newest_first(seeded, database_url):
    run = seeded
    assert run("assign", "--debtor", DEBTOR, "--to", "wang")[0] == 0
    assert run("assign", "--debtor", DEBTOR, "--to", "li")[0] == 0
    code, out, err = run("history", "--debtor", DEBTOR, "--json")
    assert (code, err) == (0, "")
    entries = json.loads(out)
    assert len(entries) == _history_rows(database_url, DEBTOR)
    assigns = [e for e in entries if e["action"] == "assign"]
    me = f"cli:{getpass.getuser()}"
    assert assigns == [
        {
            "at": assigns[0]["at"],
            "by": me,
            "action": "assign",
            "entity": "debtor",
            "key": DEBTOR,
            "before": {"assigned_to": "wang", "team": "North"},
            "after": {"assigned_to": "li", "team": "North"},
        },
        {
            "at": assigns[1]["at"],
            "by": me,
            "action": "assign",
            "entity": "debtor",
            "key": DEBTOR,
            "before": {"assigned_to": "zhangwei", "team": None},  # the demo's owner
            "after": {"assigned_to": "wang", "team": "North"},
        },
    ]
    times = [datetime.fromisoformat(e["at"]) for e in entries]
    assert all(t.utcoffset() is not None and t.utcoffset().total_seconds() == 0 for t in times)
    assert times == sorted(times, reverse=True)
    assert set(entries[0]) == {"at", "by", "action", "entity", "key", "before", "after"}

    code, out, _ = run("history", "--debtor", DEBTOR)
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == len(entries)
    newest = lines[0].split("\t")
    assert newest[1:5] == [me, "assign", "debtor", DEBTOR]
    assert newest[5] == 'assigned_to: "wang" -> "li"; team: "North" -> "North"'


def test_text_output_is_in_the_collectors_zone_and_hostile_text_is_escaped(
    seeded, database_url, monkeypatch
):
    debtor_id = _debtor_id(database_url, DEBTOR)
    engine = make_engine(database_url)
    try:
        with transaction(engine) as connection:
            record(
                connection,
                by="evil\x1b[2J",
                action="edit",
                entity="contact",
                key="boss\u202e",
                debtor_id=debtor_id,
                before={"title": "总经理"},
                after={"title": "<b>x</b>\r\nimported"},
                at=datetime(2026, 12, 1, 2, 30, tzinfo=UTC),
            )
    finally:
        engine.dispose()
    code, out, _ = seeded("history", "--debtor", DEBTOR)
    line = out.splitlines()[0]
    assert code == 0
    assert "\x1b" not in out and "\u202e" not in out and "\r" not in out
    assert line == (
        "2026-12-01 10:30:00\tevil\\x1b[2J\tedit\tcontact\tboss\\u202e\t"
        'title: "总经理" -> "<b>x</b>\\r\\nimported"'
    )
    code, out, _ = seeded("history", "--debtor", DEBTOR, "--json")
    newest = json.loads(out)[0]
    assert newest["by"] == "evil\x1b[2J" and newest["key"] == "boss\u202e"
    assert newest["after"] == {"title": "<b>x</b>\r\nimported"}
    assert newest["at"] == "2026-12-01T02:30:00+00:00"


def test_a_debtor_with_no_history_says_so(run, database_url):
    assert run("demo")[0] == 0
    code, out, err = run("history", "--debtor", DEBTOR)
    assert (code, err) == (0, "")
    recorded = _history_rows(database_url, DEBTOR)  # the demo load may record its import
    if recorded:
        assert len(out.splitlines()) == recorded
    else:
        assert out == f"no history yet for {DEBTOR}\n"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["history", "--debtor", "nobody"], "no debtor with key 'nobody'"),
        (["history", "--debtor", ""], "needs a name, not an empty value"),
        (["history"], "required: --debtor"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(run, argv, message):
    assert run("demo")[0] == 0
    code, out, err = run(*argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("orgmap: error: ") and message in err
