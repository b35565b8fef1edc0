"""zh-CN means Chinese everywhere (issue 11, item 12): on every page, in every state a
collector reaches, no English UI word, "None", raw enum value or variable name.

The walk reads every element the app sends (labels, help, placeholders, options,
markdown, alerts, captions, buttons, expanders, tabs, table headers and cells) and
keeps the Latin words that remain once what is legitimately Latin is taken out: the
data's own keys, e-mails and collector names, numbers, phone links, file formats,
"orgmap", and the language switch's "English".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from orgmap.domain.access import Actor, Role
from orgmap.domain.model import DebtorMap
from orgmap.services.accounts import debtor_history
from orgmap.services.database import open_database
from orgmap.services.debtors import open_debtor
from orgmap.services.transfer import export_json, load_demo
from orgmap.settings import load_settings
from orgmap.ui.localize import style_sheet
from tests.ui.apptest_helpers import APP, assert_clean
from tests.ui.apptest_helpers import open_page as switch_to

#: Who the tests act as where who acts does not matter: an administrator.
ADMIN = Actor("t", Role.ADMIN)

# Every page file (not a list that a new page could be left out of).
PAGES = tuple(sorted(p.stem for p in (APP.parent / "orgmap/ui/pages").glob("[!_]*.py")))
# Legitimately Latin on a Chinese screen.
ALLOWED_WORDS = {
    "orgmap",  # the product, and its file format "orgmap/1"
    "English",  # the language switch names the way back in that language
    "Language",  # "语言 / Language": the same
    *("JSON", "CSV", "GraphML", "HTML", "MB", "KB"),  # file formats and sizes
    "ext",  # "ext. 801" is one way to type an extension, as the help says
    "a-z",  # the characters a key may hold
    *("YYYY", "MM", "DD"),  # an empty date box shows the date's pattern
}
# What is data, not words: links, e-mail addresses, numbers with units stuck to them.
DATA = re.compile(
    r"\]\([^)]*\)"  # a markdown link's target (tel:+86…)
    r"|\btel:[+\d]+"  # a table's phone link (shown as the number)
    r"|[\w.+-]+@[\w-]+(\.[\w-]+)+"  # e-mails
    r"|\b\d+[A-Za-z]*\b"  # 12, 3rd, 10MB
)


def _visible_texts(at: AppTest) -> Iterator[tuple[str, str]]:
    """(where, text) for every string a user can see in the app's last run."""
    for node in _nodes(at._tree):
        kind = type(node).__name__
        proto = getattr(node, "proto", None)
        if kind == "Dataframe":
            frame = node.value
            for column in frame.columns:
                yield f"{kind} column", str(column)
            for column in frame.columns:
                for cell in frame[column]:
                    if isinstance(cell, bool):  # drawn as a tick box, not as a word
                        continue
                    yield f"{kind} cell {column}", "None" if cell is None else str(cell)
            continue
        if proto is None or not hasattr(proto, "DESCRIPTOR"):
            continue
        for name in ("label", "help", "placeholder", "body", "text", "value", "caption"):
            field = proto.DESCRIPTOR.fields_by_name.get(name)
            text = getattr(proto, name) if field is not None else None
            if field is not None and field.type == field.TYPE_STRING and text:
                yield f"{kind}.{name}", text
        if "options" in proto.DESCRIPTOR.fields_by_name:
            for option in proto.options:
                if isinstance(option, str):
                    yield f"{kind}.options", option
                else:  # a button group's option: its content, markdown
                    yield f"{kind}.options", getattr(option, "content", "")
        for part in ("expandable", "tab"):
            if proto.DESCRIPTOR.fields_by_name.get(part) and proto.HasField(part):
                yield f"{kind}.{part}", getattr(proto, part).label


def _nodes(node) -> Iterator:
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _nodes(child)


def leaks(at: AppTest, allowed: set[str]) -> list[tuple[str, str, str]]:
    """(where, word, text) for each Latin word that is neither allowed nor data."""
    found = []
    for where, text in _visible_texts(at):
        if where.endswith("Html.body"):  # the style sheet: CSS, not words
            continue
        plain = DATA.sub(" ", re.sub(r"\\(.)", r"\1", text))
        for word in re.findall(r"[A-Za-z][A-Za-z_'-]*", plain):
            if word not in allowed and word.strip("_-'") not in allowed:
                found.append((where, word, text[:120]))
    return found


def data_words(maps: list[DebtorMap]) -> set[str]:
    """The demo's own Latin: keys, collectors, e-mails, credit codes, currencies."""
    words: set[str] = set()
    for m in maps:
        d = m.debtor
        values = [d.key, d.assigned_to, d.currency, d.credit_code or "", d.address]
        values += [c.key for c in m.contacts] + [c.email or "" for c in m.contacts]
        values += [c.name for c in m.contacts] + [c.title for c in m.contacts]
        for value in values:
            words |= set(re.findall(r"[A-Za-z][A-Za-z_'-]*", value))
    return words


@pytest.fixture
def zh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[AppTest, set[str]]]:
    """The app in zh-CN over the demo debtors (Chinese data, as collectors have)."""
    url = f"sqlite:///{tmp_path / 'zh.db'}"
    monkeypatch.setenv("ORGMAP_DATABASE_URL", url)
    monkeypatch.setenv("ORGMAP_LANG", "zh-CN")
    monkeypatch.setenv("ORGMAP_USER", "测试员")
    engine = open_database(url)
    load_demo(engine, settings=load_settings())
    from orgmap.services.debtor_list import debtor_choices

    keys = list(debtor_choices(engine, keep=[], first=100, actor=ADMIN).names)
    # Who made each change is data too (the activity feed names them): "demo" loaded it.
    authors = {e.by for k in keys for e in debtor_history(engine, actor=ADMIN, debtor_key=k)}
    allowed = ALLOWED_WORDS | data_words(
        [open_debtor(engine, k, k=0, actor=ADMIN).map for k in keys]
    )
    allowed |= {w for name in authors for w in re.findall(r"[A-Za-z][A-Za-z_'-]*", name)}
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert_clean(at)
    at.session_state["_test_export"] = export_json(engine, actor=ADMIN)  # for the import test
    # ...and that export is in the feed: its author, and the format as recorded.
    allowed |= set(ADMIN.name.split()) | {"json"}
    yield at, allowed
    engine.dispose()


@pytest.mark.parametrize("page", PAGES)
def test_every_page_reads_in_chinese(zh, page: str):
    at, allowed = zh
    for debtor in at.selectbox(key="debtor").options:
        key = debtor.rsplit("(", 1)[1].rstrip(")")
        at.selectbox(key="debtor").set_value(key).run()
        switch_to(at, page)
        assert leaks(at, allowed) == [], (page, key)


def test_the_map_and_contacts_with_someone_picked_read_in_chinese(zh):
    at, allowed = zh
    switch_to(at, "map")
    at.selectbox(key="map_pick").select_index(0).run()
    assert_clean(at)
    assert at.selectbox(key="map_call_contact") is not None
    assert leaks(at, allowed) == []
    switch_to(at, "contacts")
    at.selectbox(key="contacts_pick").select_index(0).run()
    assert_clean(at)
    assert leaks(at, allowed) == []


def test_search_results_and_refusals_read_in_chinese(zh):
    at, allowed = zh
    switch_to(at, "search")
    for typed in ("13", "福满", "0769", "x" * 20):
        at.text_input(key="search_text").input(typed).run()
        assert_clean(at)
        assert leaks(at, allowed) == [], typed


def test_an_import_and_a_refused_form_report_in_chinese(zh):
    at, allowed = zh
    switch_to(at, "transfer")
    exported = at.session_state["_test_export"].encode()
    at.file_uploader(key="transfer_upload").upload("team.json", exported, "application/json")
    at.run()
    at.button(key="transfer_do_import").click().run()
    assert_clean(at)
    assert "已导入" in at.success[0].value and "未变" in at.success[0].value
    assert leaks(at, allowed) == []

    switch_to(at, "debtors")
    at.text_input(key="debtor_new_name").input("新客户")
    at.text_input(key="debtor_new_amount").input("很多钱")
    next(b for b in at.button if b.proto.is_form_submitter and "debtor_new" in b.id).click()
    at.run()
    assert_clean(at)
    assert at.error and leaks(at, allowed) == []


def test_the_walk_finds_english(zh):
    """The check can fail: English on the page is found, Chinese alone is not."""
    at, allowed = zh
    at.radio(key="lang").set_value("en").run()
    switch_to(at, "transfer")
    words = {word for _, word, _ in leaks(at, allowed)}
    assert {"Import", "Export"} <= words


def test_the_uploader_and_input_hints_are_replaced_in_chinese_only():
    sheet = style_sheet("zh-CN", upload_mb=10)
    assert "InputInstructions" in sheet and "stFileUploaderDropzoneInstructions" in sheet
    assert '"\\9009 \\62e9 \\6587 \\4ef6 "' in sheet  # "选择文件", escaped for CSS
    assert "<" not in sheet
    assert style_sheet("en", upload_mb=10) == ""
