"""Typed text stays text: no address becomes a link, no table cell becomes a formula.

Streamlit renders markdown with remark-gfm, whose *autolink literals* turn a bare
``http://…``, ``www.…`` or ``name@host.tld`` into ``<a href=… target=_blank>``.  It looks
for them in the text after backslash escapes are resolved, so :func:`escape_markdown`
breaks each trigger with an invisible word joiner; :func:`autolinks` below applies
remark-gfm's own patterns (``mdast-util-gfm-autolink-literal``, as bundled with
Streamlit) to what a page shows.  A rendered page was also checked once in Chromium:
no ``a[href]`` but the heading anchors.

The browser writes a table's "Download as CSV" (and a copy of its cells) exactly as
the cells hold them; every table goes through ``components/data_table.py``, which
starts any cell a spreadsheet would run with a single quote.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from orgmap.domain.model import Department, Outcome, RelationType
from orgmap.ui.formatting import PLAIN_NUMBER, WORD_JOINER, escape_markdown, spreadsheet_safe
from tests.factories import make_contact, make_interaction, make_map, make_phone, make_relation
from tests.ui.apptest_helpers import ROOT, SeededDb, assert_clean, open_page, seed, texts

# remark-gfm's transform-time patterns (JavaScript's \w is ASCII, hence re.ASCII).  The
# checks it makes around a match (what precedes it, a dot in the domain) are left out:
# this finds a superset of what the browser would link.
_GFM_URL = re.compile(r"(https?://|www(?=\.))([-.\w]+)", re.IGNORECASE | re.ASCII)
_GFM_EMAIL = re.compile(r"([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)", re.ASCII)

FORMULAS = (
    '=HYPERLINK("http://203.0.113.9/x","click me")',
    "@SUM(1)",
    "+cmd|'/C calc'!A0",
    "=1+1",
)
SPREADSHEET_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
LOOP_A, LOOP_B = "http://evil.example/a", "www.evil.example"
BAD_EMAIL = "x@http://203.0.113.9/e"


def autolinks(markdown: str) -> list[str]:
    """What remark-gfm would make a link of in ``markdown`` (escapes resolved first)."""
    text = re.sub(r"\\(.)", r"\1", markdown)
    return [m.group() for pattern in (_GFM_URL, _GFM_EMAIL) for m in pattern.finditer(text)]


def read(markdown: str) -> str:
    """``markdown`` as a reader sees it: escapes resolved, invisible joiners gone."""
    return re.sub(r"\\(.)", r"\1", markdown).replace(WORD_JOINER, "")


def shown_markdown(at: AppTest) -> list[str]:
    """Every string the page renders as markdown: text, alerts, headings and labels."""
    bodies = [
        e.value
        for kind in ("markdown", "caption", "error", "warning", "info", "success", "title")
        for e in getattr(at, kind)
    ]
    labels = [
        e.label
        for kind in ("button", "form_submit_button", "expander", "tabs", "selectbox", "text_input")
        for e in getattr(at, kind)
    ]
    return [*bodies, *labels]


# --- the escaping rule ---------------------------------------------------------------


def test_the_detector_finds_what_backslashes_alone_left_as_links():
    for text in (LOOP_A, LOOP_B, BAD_EMAIL, "boss@evil.example", "HTTPS://X.example"):
        backslashed = re.sub(r"([\\`*_{}\[\]()<>#+\-.!|~$:&=])", r"\\\1", text)
        assert autolinks(backslashed), text  # the escaping before this change
        assert autolinks(escape_markdown(text)) == [], text
        assert read(escape_markdown(text)) == text


_ADDRESSY = st.lists(
    st.sampled_from(
        ["http://", "https://", "HTTP://", "www.", "WWW.", "@", "x", "a.b", ".", "/", ":", " "]
    )
    | st.text(max_size=3),
    max_size=12,
).map("".join)


@given(st.text() | _ADDRESSY)
def test_escaped_text_never_holds_an_autolink(text):
    assert autolinks(escape_markdown(text)) == []


@given(st.text())
def test_spreadsheet_safe_cells_never_start_a_formula(value):
    safe = spreadsheet_safe(value)
    assert not starts_a_formula(safe)
    assert safe in (value, f"'{value}")


def starts_a_formula(cell: str) -> bool:
    """What a spreadsheet would run: a trigger first, and more than a plain number."""
    return cell.startswith(SPREADSHEET_TRIGGERS) and not PLAIN_NUMBER.fullmatch(cell)


def test_plain_numbers_such_as_phones_are_shown_as_they_are():
    for number in ("+86 138 1234 5678", "+8613812345678", "-1,200.50"):
        assert spreadsheet_safe(number) == number
    for formula in ("+1+1", "-2+3", "=1", "+86 138 cmd|' /C calc'!A0", "-1-1"):
        assert spreadsheet_safe(formula) == f"'{formula}"


# --- pages ---------------------------------------------------------------------------


def _hostile_links_db(db: SeededDb) -> None:
    """Names that are addresses (passing the buck to each other and sharing a phone)
    and names, notes and a caller that are spreadsheet formulas."""
    shared = (make_phone("+8613800009999"),)
    contacts = (
        make_contact("a", name=LOOP_A, department=Department.SALES, phones=shared),
        make_contact("b", name=LOOP_B, department=Department.FINANCE, phones=shared),
        make_contact(
            "boss",
            name=FORMULAS[0],
            title="-2+3",
            department=Department.OWNER,
            authorizes_payment=True,
            email="boss@evil.example",
            phones=(make_phone("+8613800001111"),),
        ),
        *(
            make_contact(f"f{i}", name=name, department=Department.OTHER, phones=())
            for i, name in enumerate(FORMULAS[1:])
        ),
    )
    relations = (
        make_relation("a", "b", RelationType.PASSES_BUCK_TO, note="=1+1"),
        make_relation("b", "a", RelationType.PASSES_BUCK_TO),
        make_relation("b", "boss", RelationType.REPORTS_TO, note="see http://evil.example/n"),
    )
    calls = (
        make_interaction("a", outcome=Outcome.REFERRED, note=FORMULAS[0], by="@SUM(1)"),
        make_interaction("a", minutes=5, note="-1 call back at www.evil.example"),
    )
    seed(
        db.engine,
        make_map(
            "links-co",
            name="http://evil.example/debtor www.evil.example",
            contacts=contacts,
            relations=relations,
            interactions=calls,
        ),
    )


def _open(app: AppTest, db: SeededDb, page: str) -> AppTest:
    _hostile_links_db(db)
    app.run()
    app.selectbox(key="debtor").set_value("links-co").run()
    return open_page(app, page)


def _assert_no_autolinks(at: AppTest) -> None:
    found = {text: autolinks(text) for text in shown_markdown(at) if autolinks(text)}
    assert found == {}


def test_buck_passing_loop_shows_addresses_as_text_on_route_and_log_call(
    app: AppTest, db: SeededDb
):
    loop = f"Buck-passing loop: {LOOP_A} (sales) → {LOOP_B} (finance) → {LOOP_A}"
    for page in ("route", "log_call"):
        _open(app, db, page)
        assert [read(w.value) for w in app.warning] == [loop], page
        _assert_no_autolinks(app)
        assert "http://evil.example/debtor www.evil.example" in texts(app)  # the caption


def test_merge_line_shows_addresses_as_text(app: AppTest, db: SeededDb):
    _open(app, db, "contacts")
    [pair] = [m.value for m in app.markdown if "share the number" in read(m.value)]
    assert read(pair) == f"**{LOOP_A}** and **{LOOP_B}** share the number +8613800009999."
    _assert_no_autolinks(app)


def test_error_quoting_an_address_shows_it_as_text(app: AppTest, db: SeededDb):
    _open(app, db, "contacts")
    app.text_input(key="contacts_new_name").input("Li")
    app.text_input(key="contacts_new_email").input(BAD_EMAIL)
    next(b for b in app.form_submit_button if b.form_id == "contacts_new").click().run()
    assert_clean(app)
    [error] = app.error
    assert f"'{BAD_EMAIL}'" in read(error.value)
    _assert_no_autolinks(app)


def test_debtor_list_and_map_card_show_addresses_as_text(app: AppTest, db: SeededDb):
    _open(app, db, "debtors")
    _assert_no_autolinks(app)
    open_page(app, "map")
    app.selectbox(key="map_pick").set_value("a").run()
    assert_clean(app)
    _assert_no_autolinks(app)


# --- tables ----------------------------------------------------------------------------


def _text_cells(frame: pd.DataFrame) -> list[str]:
    return [v for column in frame.columns for v in frame[column] if isinstance(v, str)]


def _assert_spreadsheet_safe(at: AppTest) -> list[str]:
    cells = [cell for frame in at.dataframe for cell in _text_cells(frame.value)]
    assert cells
    assert [c for c in cells if starts_a_formula(c)] == []
    headers = [str(c) for frame in at.dataframe for c in frame.value.columns]
    assert [h for h in headers if starts_a_formula(h)] == []
    return cells


def test_every_table_cell_is_safe_to_open_in_a_spreadsheet(app: AppTest, db: SeededDb):
    _open(app, db, "debtors")
    debtors = _assert_spreadsheet_safe(app)
    assert any(c.startswith(f"'{FORMULAS[0]} · ") for c in debtors)  # the next step

    open_page(app, "contacts")  # the people and the relations tab
    cells = _assert_spreadsheet_safe(app)
    for name in FORMULAS:
        assert f"'{name}" in cells
    assert "'-2+3" in cells  # a title
    assert "+8613800001111" in cells  # a phone: a plain number, shown as it is
    assert "'=1+1" in cells  # a relation's note
    assert LOOP_A in cells  # what starts no formula is shown as it is

    open_page(app, "map")
    app.selectbox(key="map_pick").set_value("a").run()
    calls = _assert_spreadsheet_safe(app)
    assert {f"'{FORMULAS[0]}", "'@SUM(1)", "'-1 call back at www.evil.example"} <= set(calls)


def test_tables_are_drawn_only_through_the_safe_table():
    """A new ``st.dataframe`` elsewhere would skip the spreadsheet rule; and orgmap
    writes no CSV of its own (its exports are JSON, GraphML and HTML)."""
    table_call = re.compile(r"\.(dataframe|table|data_editor)\(")
    csv_writer = re.compile(r"csv\.writer|DictWriter|\.to_csv\(")
    sources = [ROOT / "app.py", *sorted((ROOT / "orgmap").rglob("*.py"))]
    drawing = {p.relative_to(ROOT).as_posix() for p in sources if table_call.search(_code(p))}
    assert drawing == {"orgmap/ui/components/data_table.py"}
    assert [p for p in sources if csv_writer.search(_code(p))] == []


def _code(path: Path) -> str:
    return path.read_text(encoding="utf-8")
