"""The CLI, called in-process on real SQLite files: exit codes, messages, all-or-nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from orgmap.cli import main

DOC = {
    "format": "orgmap/1",
    "debtors": [
        {
            "key": "acme",
            "name": "上海艾克美贸易有限公司",
            "amount_owed": "128000.50",
            "due_date": "2026-10-15",
            "contacts": [
                {
                    "key": "desk",
                    "name": "小张",
                    "department": "reception",
                    "disposition": "sheep",
                    "phones": ["021-61234567转801"],
                },
                {
                    "key": "boss",
                    "name": "王总",
                    "department": "owner",
                    "disposition": "eagle",
                    "authorizes_payment": True,
                    "phones": ["13812345678"],
                },
            ],
            "relations": [{"from": "desk", "to": "boss", "type": "refers_to"}],
            "interactions": [
                {
                    "contact": "desk",
                    "at": "2026-11-20T10:00:00+08:00",
                    "channel": "phone",
                    "outcome": "referred",
                    "by": "li",
                    "note": "给了老板手机",
                },
            ],
        }
    ],
}


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


@pytest.fixture
def doc_file(tmp_path: Path) -> Path:
    path = tmp_path / "acme.json"
    path.write_text(json.dumps(DOC, ensure_ascii=False), encoding="utf-8")
    return path


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def log_call(capsys, db: str, *flags: str, **options: str) -> tuple[int, str, str]:
    """Run ``log`` for debtor acme; keyword options become flags (promise_amount=…)."""
    given = {"debtor": "acme", "channel": "phone", **options}
    named = [part for k, v in given.items() for part in (f"--{k.replace('_', '-')}", v)]
    return run(capsys, "--db", db, "log", *named, *flags)


def test_import_list_export_round_trip(capsys, db, doc_file, tmp_path):
    assert run(capsys, "--db", db, "import", str(doc_file))[0] == 0
    code, out, _ = run(capsys, "list", "--db", db)
    assert code == 0
    assert "acme" in out and "128000.50" in out and "authorizer known" in out

    code, out, _ = run(capsys, "--db", db, "export", "--format", "json")
    assert code == 0
    exported = json.loads(out)
    assert exported["format"] == "orgmap/1"
    assert [c["key"] for c in exported["debtors"][0]["contacts"]] == ["boss", "desk"]

    again = tmp_path / "again.json"
    again.write_text(out, encoding="utf-8")
    assert run(capsys, "--db", db, "import", str(again))[0] == 0
    assert run(capsys, "--db", db, "export", "--format", "json")[1] == out


def test_reimport_changes_nothing(capsys, db, doc_file):
    run(capsys, "--db", db, "import", str(doc_file))
    before = run(capsys, "--db", db, "export")[1]
    code, _, _ = run(capsys, "--db", db, "import", str(doc_file))
    assert code == 0
    assert run(capsys, "--db", db, "export")[1] == before
    assert len(json.loads(before)["debtors"][0]["interactions"]) == 1


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d["debtors"][0]["contacts"][0].update(department="janitor"), "department"),
        (lambda d: d["debtors"][0]["contacts"][1].update(phones=["12345"]), "phones"),
        (lambda d: d["debtors"][0]["relations"][0].update(to="ghost"), "ghost"),
        (lambda d: d["debtors"][0]["relations"][0].update(to="desk"), "desk"),
        (lambda d: d["debtors"][0].update(amount_owed="-5"), "amount_owed"),
        (lambda d: d.update(format="orgmap/2"), "orgmap/2"),
    ],
)
def test_bad_file_exits_2_with_reason_and_writes_nothing(capsys, db, tmp_path, mutate, expected):
    doc = json.loads(json.dumps(DOC))
    mutate(doc)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    code, _, err = run(capsys, "--db", db, "import", str(bad))
    assert code == 2
    assert expected in err
    assert err.startswith("orgmap: error:") and err.count("\n") == 1
    assert "Traceback" not in err
    assert "no debtors yet" in run(capsys, "--db", db, "list")[1]


@pytest.mark.parametrize(
    ("content", "name"),
    [(b"\xff\xfe not utf-8", "x.json"), (b"{not json", "x.json"), (b"a,b\n1,2\n", "x.txt")],
)
def test_malformed_files(capsys, db, tmp_path, content, name):
    path = tmp_path / name
    path.write_bytes(content)
    code, _, err = run(capsys, "--db", db, "import", str(path))
    assert code == 2 and "Traceback" not in err and err.strip()


def test_oversized_file_is_refused_before_reading(capsys, db, tmp_path, monkeypatch):
    monkeypatch.setenv("ORGMAP_MAX_IMPORT_BYTES", "100")
    path = tmp_path / "big.json"
    path.write_text(json.dumps(DOC), encoding="utf-8")
    code, _, err = run(capsys, "--db", db, "import", str(path))
    assert code == 2 and "limit" in err


def test_missing_file_and_unknown_debtor(capsys, db, tmp_path):
    assert run(capsys, "--db", db, "import", str(tmp_path / "nope.json"))[0] == 2
    code, _, err = run(capsys, "--db", db, "route", "--debtor", "nobody")
    assert code == 2 and "nobody" in err


def test_usage_error_is_one_line(capsys, db):
    code, _, err = run(capsys, "--db", db, "log", "--debtor", "acme")
    assert code == 2 and err.count("\n") == 1 and "required" in err
    code, _, err = run(
        capsys,
        "--db",
        db,
        "log",
        "--debtor",
        "acme",
        "--contact",
        "desk",
        "--channel",
        "fax",
        "--outcome",
        "reached",
    )
    assert code == 2 and "fax" in err


def test_log_appends_and_validates(capsys, db, doc_file):
    run(capsys, "--db", db, "import", str(doc_file))
    code, out, _ = log_call(
        capsys,
        db,
        contact="boss",
        outcome="promised",
        at="2026-11-27T15:30:00+08:00",
        promise_amount="50000",
        promise_date="2026-12-01",
        note="周一打款",
    )
    assert code == 0, out
    exported = json.loads(run(capsys, "--db", db, "export", "--debtor", "acme")[1])
    logged = exported["debtors"][0]["interactions"][-1]
    assert logged["by"].startswith("cli:")  # the author is the OS user behind the CLI
    assert logged["at"] == "2026-11-27T07:30:00+00:00"
    assert logged["promise_amount"] == "50000.00" and logged["promise_date"] == "2026-12-01"

    for bad in (
        ["--contact", "ghost"],
        ["--contact", "boss", "--at", "2026-11-27T15:30:00"],  # no offset
        ["--contact", "boss", "--promise-amount", "abc", "--promise-date", "2026-12-01"],
        ["--contact", "boss", "--promise-amount", "5"],
    ):
        code, _, err = log_call(capsys, db, *bad, outcome="reached")
        assert code == 2, bad
        assert "Traceback" not in err
    assert len(json.loads(run(capsys, "--db", db, "export")[1])["debtors"][0]["interactions"]) == 2


def test_log_records_the_number_used(capsys, db, doc_file):
    run(capsys, "--db", db, "import", str(doc_file))

    def log(*extra: str) -> tuple[int, str, str]:
        args = ["--debtor", "acme", "--contact", "boss", "--outcome", "wrong_number", *extra]
        return run(capsys, "--db", db, "log", *args)

    # Typed as a local number, stored in E.164; need not be one of the contact's.
    assert log("--channel", "phone", "--phone", "139 1234 5678", "--note", "a")[0] == 0
    # Without --phone, the contact's only number; an email uses no number.
    assert log("--channel", "sms", "--note", "b")[0] == 0
    assert log("--channel", "email", "--note", "c")[0] == 0
    code, _, err = log("--channel", "phone", "--phone", "12345")
    assert code == 2 and "phone" in err and "12345" in err and "Traceback" not in err

    exported = json.loads(run(capsys, "--db", db, "export", "--debtor", "acme")[1])
    numbers = {i.get("note"): i.get("phone") for i in exported["debtors"][0]["interactions"]}
    assert (numbers["a"], numbers["b"], numbers["c"]) == ("+8613912345678", "+8613812345678", None)


def test_route_text_and_json(capsys, db, doc_file):
    run(capsys, "--db", db, "import", str(doc_file))
    code, out, _ = run(capsys, "--db", db, "route", "--debtor", "acme", "--json")
    assert code == 0
    answer = json.loads(out)
    assert set(answer) == {"debtor", "discovery", "routes", "learn_next", "warnings"}
    assert answer["debtor"] == "acme" and answer["discovery"] is False
    best = answer["routes"][0]
    assert best["target"] == "boss" and best["steps"][-1]["contact"] == "boss"
    assert set(best["steps"][0]) == {"contact", "name", "via", "cost", "reasons", "hint"}

    code, out, _ = run(capsys, "--db", db, "route", "--debtor", "acme", "--lang", "zh-CN")
    assert code == 0 and "王总" in out and "1." in out


def test_graphml_and_html_export(capsys, db, doc_file, tmp_path):
    import networkx as nx

    run(capsys, "--db", db, "import", str(doc_file))
    target = tmp_path / "acme.graphml"
    assert (
        run(
            capsys,
            "--db",
            db,
            "export",
            "--debtor",
            "acme",
            "--format",
            "graphml",
            "-o",
            str(target),
        )[0]
        == 0
    )
    graph = nx.read_graphml(target)
    assert set(graph.nodes) == {"desk", "boss"} and graph.has_edge("desk", "boss")

    html = tmp_path / "acme.html"
    assert (
        run(capsys, "--db", db, "export", "--debtor", "acme", "--format", "html", "-o", str(html))[
            0
        ]
        == 0
    )
    text = html.read_text(encoding="utf-8")
    assert "王总" in text or "\\u738b" in text
    assert "<script src" not in text.lower()
    code, _, err = run(capsys, "--db", db, "export", "--format", "graphml")
    assert code == 2 and "--debtor" in err


def test_demo_loads_once(capsys, db):
    assert run(capsys, "--db", db, "demo", "--if-empty")[0] == 0
    listed = run(capsys, "--db", db, "list", "--json")[1]
    assert len(json.loads(listed)) >= 3
    assert "already has debtors" in run(capsys, "--db", db, "demo", "--if-empty")[1]


def test_database_url_from_environment(capsys, tmp_path, doc_file, monkeypatch):
    monkeypatch.setenv("ORGMAP_DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    assert run(capsys, "import", str(doc_file))[0] == 0
    assert (tmp_path / "env.db").exists()


def test_bad_database_url(capsys):
    code, _, err = run(capsys, "--db", "nonsense://x", "list")
    assert code == 2 and "nonsense" in err and "Traceback" not in err


def test_csv_updates_only_what_its_cells_say(capsys, db, doc_file, tmp_path):
    run(capsys, "--db", db, "import", str(doc_file))
    sheet = tmp_path / "contacts.csv"
    sheet.write_text(
        "debtor_key,key,name,department,title,phones\n"
        "acme,boss,王建国,owner,,\n"
        "acme,new_guy,李四,finance,出纳,13900001111\n",
        encoding="utf-8-sig",
    )
    code, _, err = run(capsys, "--db", db, "import", str(sheet))
    assert code == 0, err
    contacts = {
        c["key"]: c
        for c in json.loads(run(capsys, "--db", db, "export")[1])["debtors"][0]["contacts"]
    }
    boss = contacts["boss"]
    assert boss["name"] == "王建国"
    # Blank cells and absent columns keep what was known.
    assert boss["phones"] == ["+8613812345678"]
    assert boss["authorizes_payment"] is True and boss["disposition"] == "eagle"
    assert contacts["new_guy"]["title"] == "出纳"

    missing = tmp_path / "missing.csv"
    missing.write_text("debtor_key,key,name,department\nnobody,x,X,sales\n", encoding="utf-8")
    code, _, err = run(capsys, "--db", db, "import", str(missing))
    assert code == 2 and "nobody" in err


def test_calls_in_the_future_are_refused(capsys, db, doc_file, tmp_path):
    run(capsys, "--db", db, "import", str(doc_file))
    code, _, err = log_call(
        capsys, db, contact="boss", outcome="reached", at="2099-11-28T10:00:00+08:00"
    )
    assert code == 2 and "future" in err
    doc = json.loads(json.dumps(DOC))
    doc["debtors"][0]["interactions"][0]["at"] = "2099-01-01T00:00:00+08:00"
    future = tmp_path / "future.json"
    future.write_text(json.dumps(doc), encoding="utf-8")
    code, _, err = run(capsys, "--db", db, "import", str(future))
    assert code == 2 and "interactions[0].at" in err and "future" in err


def test_list_shows_collectors_local_time_and_k_is_bounded(capsys, db, doc_file):
    run(capsys, "--db", db, "import", str(doc_file))
    # The call at 2026-11-20T10:00+08:00 reads as Shanghai time, not UTC.
    assert "last contact 2026-11-20 10:00" in run(capsys, "--db", db, "list")[1]
    listed = json.loads(run(capsys, "--db", db, "list", "--json")[1])
    assert listed[0]["last_contact_at"] == "2026-11-20T02:00:00+00:00"
    code, _, err = run(capsys, "--db", db, "route", "--debtor", "acme", "--k", "100000")
    assert code == 2 and "--k" in err


def test_route_names_other_debtors_where_the_boss_is_known(capsys, db, tmp_path):
    doc = json.loads(json.dumps(DOC))
    sister = json.loads(json.dumps(DOC["debtors"][0]))
    sister.update(key="acme-sister", name="艾克美集团")
    sister["contacts"] = [sister["contacts"][1]]  # the same boss, same mobile
    sister["relations"], sister["interactions"] = [], []
    doc["debtors"].append(sister)
    path = tmp_path / "group.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert run(capsys, "--db", db, "import", str(path))[0] == 0
    answer = json.loads(run(capsys, "--db", db, "route", "--debtor", "acme", "--json")[1])
    assert any("艾克美集团 (acme-sister)" in w for w in answer["warnings"])


def test_a_call_stored_before_times_were_bounded_breaks_nothing(db, doc_file, capsys, monkeypatch):
    # Year-1 times can no longer enter, but a database written before may hold one:
    # `list` in a zone west of UTC and `route` (the broken-promise history) must cope.
    from datetime import UTC, date, datetime

    import sqlalchemy as sa

    from orgmap.store import make_engine
    from orgmap.store.tables import interaction_table

    assert main(["--db", db, "import", str(doc_file)]) == 0
    engine = make_engine(db)
    with engine.begin() as connection:
        connection.execute(
            sa.update(interaction_table).values(
                at=datetime(1, 1, 1, tzinfo=UTC),
                outcome="promised",
                promise_amount=1,
                promise_date=date(1, 1, 1),
            )
        )
    engine.dispose()
    monkeypatch.setenv("ORGMAP_TIMEZONE", "America/New_York")
    capsys.readouterr()
    assert main(["--db", db, "list"]) == 0
    assert "-01-01 00:00" in capsys.readouterr().out  # shown in UTC: no zone time exists
    assert main(["--db", db, "route", "--debtor", "acme"]) == 0


# --- search ---------------------------------------------------------------------------


def test_search_finds_who_a_number_belongs_to(capsys, db, doc_file, monkeypatch):
    monkeypatch.setenv("ORGMAP_TIMEZONE", "Asia/Shanghai")
    assert main(["--db", db, "import", str(doc_file)]) == 0
    capsys.readouterr()
    code, out, err = run(capsys, "--db", db, "search", "138-1234-5678")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "acme\t上海艾克美贸易有限公司\tboss\t王总\t+8613812345678\tlast call never"
    ]
    # The last four digits of the front desk's fixed line; its call shown in Shanghai time.
    code, out, _ = run(capsys, "search", "4567", "--db", db)
    assert code == 0
    assert (
        out
        == "acme\t上海艾克美贸易有限公司\tdesk\t小张\t+862161234567\tlast call 2026-11-20 10:00\n"
    )
    assert run(capsys, "--db", db, "search", "艾克美")[1].count("\n") == 2  # its two people
    assert run(capsys, "--db", db, "search", "nobody")[1] == "no one found for 'nobody'\n"


def test_search_json_shape(capsys, db, doc_file):
    assert main(["--db", db, "import", str(doc_file)]) == 0
    capsys.readouterr()
    code, out, _ = run(capsys, "--db", db, "search", "021 6123 4567", "--json")
    assert code == 0
    assert json.loads(out) == {
        "results": [
            {
                "debtor": "acme",
                "debtor_name": "上海艾克美贸易有限公司",
                "contact": "desk",
                "name": "小张",
                "phone": "+862161234567",
                "last_call": "2026-11-20T02:00:00+00:00",
                "matched": "number",
            }
        ]
    }
    results = json.loads(run(capsys, "--db", db, "search", "王", "--json")[1])["results"]
    assert [(r["contact"], r["last_call"], r["matched"]) for r in results] == [
        ("boss", None, "name")
    ]
    assert json.loads(run(capsys, "--db", db, "search", "0000", "--json")[1]) == {"results": []}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", "type at least 4"),
        ("", "type a phone number"),
        ("王\x1b[2J", "control characters"),
        ("x" * 201, "at most 200"),
    ],
)
def test_search_refuses_what_it_cannot_search_in_one_line(capsys, tmp_path, text, expected):
    db = f"sqlite:///{tmp_path / 'never.db'}"
    code, out, err = run(capsys, "--db", db, "search", text)
    assert (code, out) == (2, "")
    assert err.startswith("orgmap: error: ") and expected in err
    assert err.count("\n") == 1 and "\x1b" not in err
    assert not (tmp_path / "never.db").exists()  # refused before the database was opened


def test_search_shows_hostile_names_escaped(capsys, db, doc_file):
    # Names refuse control characters now, but a database written by another tool may hold one.
    import sqlalchemy as sa

    from orgmap.store import make_engine
    from orgmap.store.tables import contact_table

    assert main(["--db", db, "import", str(doc_file)]) == 0
    engine = make_engine(db)
    with engine.begin() as connection:
        connection.execute(
            sa.update(contact_table)
            .where(contact_table.c.key == "boss")
            .values(name="王总\x1b]0;pwned\x07\r\u202eevil")
        )
    engine.dispose()
    capsys.readouterr()
    code, out, _ = run(capsys, "--db", db, "search", "王总")
    assert code == 0
    assert "王总\\x1b]0;pwned\\x07\\r\\u202eevil" in out
    assert not {"\x1b", "\x07", "\r", "\u202e"} & set(out)
    code, out, _ = run(capsys, "--db", db, "search", "王总", "--json")
    assert json.loads(out)["results"][0]["name"] == "王总\x1b]0;pwned\x07\r\u202eevil"
    assert "\\u001b" in out and "\x1b" not in out
