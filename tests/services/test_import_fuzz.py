"""Mutation fuzzing of the importers: every file is taken whole, or refused whole.

Hypothesis starts from valid files (the demo document ``data/demo.json`` and a small
contacts CSV for one of its debtors) and breaks them: members missing, duplicated,
renamed or of another type; NUL, lone surrogates, bidi overrides and other control
characters in strings; ``NaN``, ``Infinity``, 10^20 and ``-0``; deep nesting; dates
such as ``0000-00-00`` and ``2026-02-30``; bytes that are not UTF-8, a cut-off tail.
Each mutant goes through :func:`orgmap.services.transfer.import_file` on a real
database (SQLite, and PostgreSQL when configured), and must either

* be accepted and round-trip: exporting and importing the export changes no row; or
* be refused with a ``ValidationError`` or ``StoreError`` that says something, the
  database unchanged (a hash of every table's rows before and after);

never raise anything else.  A few of the same mutants go through the CLI, in-process:
exit code 0, or 2 with one line on stderr.

The database is seeded once per test and kept across examples: an accepted mutant's
changes are the next example's starting point, as in real use.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import io
import json
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine

from orgmap.cli import main
from orgmap.domain.access import Actor, Role
from orgmap.services.errors import StoreError, ValidationError
from orgmap.services.transfer import DEMO_FILE, export_json, import_file
from orgmap.settings import Settings, load_settings
from orgmap.store.tables import metadata

#: Who the tests act as where who acts does not matter: an administrator.
ADMIN = Actor("t", Role.ADMIN)

DEMO = DEMO_FILE.read_bytes()
# Contacts of two demo debtors: one updated, one new (with two numbers), one owner.
CSV_ROWS = list(
    csv.reader(
        io.StringIO(
            "debtor_key,key,name,title,department,disposition,authorizes_payment,phones,email\n"
            "hengda-jidian,chen_xiaoli,陈晓丽,前台,reception,sheep,no,021-64851230,\n"
            "hengda-jidian,fuzz_new,新来的,出纳,finance,,是,"
            "139 1726 5531; 021-64851230转8309,cashier@hengda-jidian.example\n"
            "xinyuan-dianzi,zhou_lin,周琳,,owner,eagle,yes,138 2391 6604,\n"
        )
    )
)
FUZZ = settings(
    max_examples=100,
    deadline=timedelta(seconds=5),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@dataclass
class Obj:
    """A JSON object as written, members in order: it can hold a name twice."""

    pairs: list[list[Any]] = field(default_factory=list)


class Raw(str):
    """JSON text written as it is: ``NaN``, ``-0``, 5,000 nested arrays."""


def _objects(value: Any) -> Any:
    if isinstance(value, dict):
        return Obj([[k, _objects(v)] for k, v in value.items()])
    if isinstance(value, list):
        return [_objects(v) for v in value]
    return value


def _write(value: Any, *, ascii_only: bool) -> str:
    if isinstance(value, Obj):
        members = (
            f"{json.dumps(k, ensure_ascii=ascii_only)}: {_write(v, ascii_only=ascii_only)}"
            for k, v in value.pairs
        )
        return "{" + ", ".join(members) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_write(v, ascii_only=ascii_only) for v in value) + "]"
    if isinstance(value, Raw):
        return str(value)
    return json.dumps(value, ensure_ascii=ascii_only)


def _utf8(text: str) -> bytes:
    # A lone surrogate written raw is not UTF-8 (the importer must say so, not crash).
    return text.encode("utf-8", "surrogatepass")


# --- what a mutant is made of --------------------------------------------------------

SPICE = [
    "\x00", "\ud800", "\udfff", "\u202e", "\u2066", "\u200b", "\x1b[2J", "\x7f", "\x85",
    "\u2028", "\ufeff", "\uffff", "\t", "\r", "\n", "\r\n", "\U0001d54f", "e\u0301", "'",
    '"', "\\", "=1+1", "<b>", "  ",
]  # fmt: skip
ODD_DATES = [
    "0000-00-00", "2026-02-30", "2026-13-01", "2026-1-1", "0001-01-01", "9999-12-31",
    "2026-02-30T10:00:00+08:00", "2026-01-01T24:00:00+08:00", "2026-01-01T10:00:00",
    "2026-01-01T10:00:00+25:00", "2026-01-01T10:00:00Z", "20260101", "2026-W01-1",
    "0000-00-00T00:00:00+00:00", "9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00",
]  # fmt: skip
ODD_NUMBERS = [
    "NaN", "Infinity", "-Infinity", "1e20", "1E400", "-0", "-0.0", "0.001", "1e-7",
    "100000000000000000000", "-1", "0x10", "1_000", "１２３", " 12 ", "12,5", "",
]  # fmt: skip
ODD_JSON = [
    None, True, False, 0, -1, 1.5, 10**20, -(10**20), "", " ", "x", [], {}, [1], {"x": 1},
    Raw("NaN"), Raw("Infinity"), Raw("-Infinity"), Raw("-0"), Raw("-0.0"), Raw("1e400"),
    Raw("1E20"), Raw("100000000000000000000.5"), Raw("1" * 5000),
]  # fmt: skip
ODD_JSON_VALUES = st.sampled_from(ODD_JSON) | st.sampled_from(ODD_NUMBERS + ODD_DATES)
NESTING = st.sampled_from([2, 64, 5_000]).map(lambda n: Raw("[" * n + "1" + "]" * n))


def _spiced(draw: st.DrawFn, text: str) -> str:
    at = draw(st.integers(0, len(text)))
    return text[:at] + draw(st.sampled_from(SPICE)) + text[at:]


def _nodes(value: Any, path: tuple = ()) -> list[tuple]:
    """The path of every value under ``value`` (itself included)."""
    found = [path]
    if isinstance(value, Obj):
        for i, (_, v) in enumerate(value.pairs):
            found += _nodes(v, (*path, i))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found += _nodes(v, (*path, i))
    return found


def _parent(root: Any, path: tuple) -> tuple[Any, int]:
    node = root
    for step in path[:-1]:
        node = node.pairs[step][1] if isinstance(node, Obj) else node[step]
    return node, path[-1]


def _get(container: Any, i: int) -> Any:
    return container.pairs[i][1] if isinstance(container, Obj) else container[i]


def _set(container: Any, i: int, value: Any) -> None:
    if isinstance(container, Obj):
        container.pairs[i][1] = value
    else:
        container[i] = value


@st.composite
def json_mutants(draw: st.DrawFn) -> bytes:
    doc = _objects(json.loads(DEMO))
    for _ in range(draw(st.integers(1, 3))):
        if not (paths := _nodes(doc)[1:]):  # nothing left to break
            break
        path = draw(st.sampled_from(paths))
        container, i = _parent(doc, path)
        value = _get(container, i)
        op = draw(st.sampled_from(["drop", "twice", "retype", "spice", "date", "nest", "rename"]))
        if op == "drop":
            (container.pairs if isinstance(container, Obj) else container).pop(i)
        elif op == "twice":
            items = container.pairs if isinstance(container, Obj) else container
            twin = copy.deepcopy(items[i])
            if draw(st.booleans()):  # the same name (or item) again, with another value
                replacement = draw(ODD_JSON_VALUES)
                if isinstance(twin, list) and isinstance(container, Obj):
                    twin[1] = replacement
                else:
                    twin = replacement
            items.insert(draw(st.integers(0, len(items))), twin)
        elif op == "retype":
            _set(container, i, draw(ODD_JSON_VALUES))
        elif op == "spice":
            text = value if isinstance(value, str) else json.dumps(value, default=str)
            _set(container, i, _spiced(draw, text))
        elif op == "date":
            _set(container, i, draw(st.sampled_from(ODD_DATES)))
        elif op == "nest":
            _set(container, i, draw(NESTING))
        elif isinstance(container, Obj):  # rename: a typo, another case, a stranger
            name = container.pairs[i][0]
            container.pairs[i][0] = draw(
                st.sampled_from([name.upper(), f" {name}", f"{name}_", "", "__proto__"])
                | st.just(_spiced(draw, name))
            )
    raw = _utf8(_write(doc, ascii_only=draw(st.booleans())))
    return _damage(draw, raw)


def _damage(draw: st.DrawFn, raw: bytes) -> bytes:
    """Now and then, harm the bytes themselves."""
    harm = draw(st.sampled_from(["none"] * 6 + ["cut", "bom", "bad byte", "gbk", "nul"]))
    if harm == "cut":
        return raw[: draw(st.integers(0, len(raw)))]
    if harm == "bom":
        return b"\xef\xbb\xbf" + raw
    at = draw(st.integers(0, len(raw)))
    if harm == "bad byte":
        return raw[:at] + draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80"])) + raw[at:]
    if harm == "gbk":
        return raw.decode("utf-8", "surrogatepass").encode("gbk", "replace")
    if harm == "nul":
        return raw[:at] + b"\x00" + raw[at:]
    return raw


CSV_OPERATIONS = (
    "drop column",
    "twice column",
    "rename column",
    "drop row",
    "twice row",
    "retype",
    "spice",
    "ragged",
)


@st.composite
def csv_mutants(draw: st.DrawFn) -> bytes:
    rows = [list(r) for r in CSV_ROWS]
    odd_cell = st.sampled_from(
        ODD_NUMBERS + ODD_DATES + ["true", "maybe", "是", "nobody", "x" * 300, "+8613800000000"]
    )
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(CSV_OPERATIONS))
        width = max(len(r) for r in rows)
        column = draw(st.integers(0, width - 1))
        row = draw(st.integers(0, len(rows) - 1))
        if op == "drop column":
            for r in rows:
                del r[column : column + 1]
        elif op == "twice column":
            for r in rows:
                if column < len(r):
                    r.insert(column, r[column])
        elif op == "rename column" and column < len(rows[0]):
            name = rows[0][column]
            rows[0][column] = draw(
                st.sampled_from([name.upper(), f" {name} ", f"{name}x", "", "phones"])
            )
        elif op == "drop row":
            del rows[row]
        elif op == "twice row":
            rows.insert(row, list(rows[row]))
        elif op in ("retype", "spice") and column < len(rows[row]):
            cell = rows[row][column]
            rows[row][column] = draw(odd_cell) if op == "retype" else _spiced(draw, cell)
        elif op == "ragged":
            if draw(st.booleans()):
                rows[row].append(draw(odd_cell))
            else:
                del rows[row][-1:]
        if not rows:
            rows = [[]]
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator=draw(st.sampled_from(["\r\n", "\n", "\r"]))).writerows(rows)
    return _damage(draw, _utf8(out.getvalue()))


# --- the checks ----------------------------------------------------------------------


def table_hash(engine: Engine) -> str:
    """One hash over every row of every table, in primary-key order."""
    digest = hashlib.sha256()
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            for row in connection.execute(sa.select(table).order_by(*order)):
                digest.update(repr(tuple(row)).encode("utf-8", "backslashreplace"))
            digest.update(b"\x1e")
    return digest.hexdigest()


def check_import(engine: Engine, filename: str, raw: bytes, config: Settings) -> bool:
    """Import ``raw``; True when it was accepted (and round-trips), False when refused."""
    before = table_hash(engine)
    try:
        import_file(engine, filename=filename, raw=raw, settings=config, actor=ADMIN)
    except (ValidationError, StoreError) as exc:
        assert str(exc).strip(), repr(exc)
        assert table_hash(engine) == before, f"refused but written: {exc}"
        return False
    exported = export_json(engine, actor=ADMIN)
    after = table_hash(engine)
    again = import_file(
        engine, filename="round-trip.json", raw=exported.encode(), settings=config, actor=ADMIN
    )
    assert not again.report.changed, again.report
    assert table_hash(engine) == after
    assert export_json(engine, actor=ADMIN) == exported
    return True


@pytest.fixture
def config(database_url: str) -> Settings:
    return load_settings({"ORGMAP_DATABASE_URL": database_url})


@pytest.fixture
def demo_engine(engine: Engine, config: Settings) -> Engine:
    """The database holding the demo debtors, which the CSV rows belong to."""
    import_file(engine, filename="demo.json", raw=DEMO, settings=config, actor=ADMIN)
    return engine


def test_the_unmutated_files_are_accepted(demo_engine: Engine, config: Settings):
    assert check_import(demo_engine, "demo.json", DEMO, config)
    assert check_import(demo_engine, "contacts.csv", _utf8(_csv(CSV_ROWS)), config)


def test_json_mutants_are_taken_whole_or_refused_whole(demo_engine: Engine, config: Settings):
    outcomes: list[bool] = []

    # The untouched file always runs too: how many random mutants stay valid is chance
    # (a run of 100 once had none), and the accepted path must be checked every time.
    @FUZZ
    @example(DEMO)
    @given(json_mutants())
    def one(raw: bytes) -> None:
        outcomes.append(check_import(demo_engine, "mutant.json", raw, config))

    one()
    assert True in outcomes and False in outcomes  # the valid file taken, mutants refused


def test_csv_mutants_are_taken_whole_or_refused_whole(demo_engine: Engine, config: Settings):
    outcomes: list[bool] = []

    @FUZZ
    @given(csv_mutants())
    def one(raw: bytes) -> None:
        outcomes.append(check_import(demo_engine, "mutant.csv", raw, config))

    one()
    assert True in outcomes and False in outcomes


def test_cli_imports_mutants_or_fails_in_one_line(
    demo_engine: Engine,
    database_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
):
    @settings(FUZZ, max_examples=12)
    @given(
        st.one_of(
            json_mutants().map(lambda r: ("m.json", r)), csv_mutants().map(lambda r: ("m.csv", r))
        )
    )
    def one(mutant: tuple[str, bytes]) -> None:
        name, raw = mutant
        path = tmp_path / name
        path.write_bytes(raw)
        before = table_hash(demo_engine)
        capsys.readouterr()
        code = main(["--db", database_url, "import", str(path)])
        out, err = capsys.readouterr()
        if code == 0:
            assert out.startswith(f"imported {name}: "), out
            assert all(line.startswith("warning: ") for line in err.splitlines()), err
        else:
            assert code == 2, (code, err)
            assert len(err.splitlines()) == 1 and err.startswith("orgmap: error: "), err
            assert err.strip() != "orgmap: error:"
            assert table_hash(demo_engine) == before

    one()


def _csv(rows: list[list[str]]) -> str:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()
