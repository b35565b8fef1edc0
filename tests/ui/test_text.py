"""The app's words and formatting rules: both languages complete, escaping that holds."""

from __future__ import annotations

import doctest
import re
import string
from dataclasses import fields
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import orgmap.domain.contact_draft
import orgmap.domain.debtor_draft
import orgmap.services.contacts
import orgmap.services.debtors
import orgmap.ui.formatting
import orgmap.ui.text
from orgmap.domain.model import DebtorFacts
from orgmap.render import LAYOUTS
from orgmap.ui.formatting import (
    WORD_JOINER,
    days_past_due,
    escape_markdown,
    format_money,
    today_in,
)
from orgmap.ui.text import messages, t

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [ROOT / "app.py", *sorted((ROOT / "orgmap" / "ui").rglob("*.py"))]
# t("key", ...) with a literal key; keys built in f-strings are listed below.
LITERAL_KEY = re.compile(r"\bt\(\s*[\"']([a-z_.]+)[\"']")
BUILT_KEYS = {
    *(f"page.{name}" for name in ("debtors", "map", "log_call", "route", "contacts", "facts")),
    "page.transfer",
    *(f"contacts.tab.{name}" for name in ("people", "relations", "merge")),
    *(f"facts.{f.name}" for f in fields(DebtorFacts)),
    *(f"map.layout.{name}" for name in LAYOUTS),
}


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_both_languages_have_the_same_keys_and_placeholders():
    en, zh = messages()["en"], messages()["zh-CN"]
    assert set(en) == set(zh)
    for key in en:
        assert placeholders(en[key]) == placeholders(zh[key]), key
        assert en[key].strip() and zh[key].strip(), key


def test_every_key_the_code_asks_for_exists():
    used = set(BUILT_KEYS)
    for path in SOURCES:
        used |= set(LITERAL_KEY.findall(path.read_text(encoding="utf-8")))
    assert used - set(messages()["en"]) == set()
    assert len(used) > 100  # the pattern found the calls


def test_unused_keys_are_not_shipped():
    used = set(BUILT_KEYS)
    for path in SOURCES:
        used |= set(LITERAL_KEY.findall(path.read_text(encoding="utf-8")))
    assert set(messages()["en"]) - used == set()


def test_t_fills_placeholders_and_falls_back_to_english_for_other_languages():
    assert t("debtors.count", "en", n=2) == "2 debtors"
    assert t("debtors.count", "zh_CN", n=2) == "共 2 个债务人"
    assert t("debtors.count", "fr", n=2) == "2 debtors"
    with pytest.raises(KeyError):
        t("no.such.key", "en")


@pytest.mark.parametrize(
    "module",
    [
        orgmap.ui.formatting,
        orgmap.ui.text,
        orgmap.domain.contact_draft,
        orgmap.domain.debtor_draft,
        orgmap.services.contacts,
        orgmap.services.debtors,
    ],
)
def test_doctests(module):
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0


def _unescape(markdown: str) -> str:
    """The text a reader sees: backslash escapes resolved, and the one word joiner that
    ``escape_markdown`` puts after each "@", ":" and "www" (so that no address becomes a
    link) taken out again."""
    unescaped = re.sub(r"\\(.)", r"\1", markdown.replace("  \n", "\n"))
    return re.sub(f"(?i:(?<=@)|(?<=:)|(?<=www)){WORD_JOINER}", "", unescaped)


# Text that is mostly what autolinks and their defusing are made of, plus anything else.
_LINKISH = st.text(st.sampled_from([*"@:/wW.htps \\\n=", WORD_JOINER]) | st.characters())


@given(st.text() | _LINKISH)
def test_escaped_markdown_reads_back_as_typed_and_has_no_bare_specials(text):
    escaped = escape_markdown(text)
    assert _unescape(escaped) == text
    bare = re.sub(r"\\.", "", escaped)
    assert not set(bare) & set("\\`*_{}[]()<>#+-.!|~$:&=")


def test_money_and_days_past_due():
    assert format_money(Decimal("0"), "CNY") == "0.00 CNY"
    assert format_money(None) == ""
    assert days_past_due(None, today=date(2026, 1, 1)) is None
    assert days_past_due(date(2026, 2, 1), today=date(2026, 1, 1)) == 0


def test_today_is_the_collectors_date_not_utcs():
    late_utc = datetime.fromisoformat("2026-11-03T20:00:00+00:00")  # 04:00 next day in Shanghai
    assert today_in("Asia/Shanghai", now=late_utc) == date(2026, 11, 4)
    assert today_in("UTC", now=late_utc) == date(2026, 11, 3)
