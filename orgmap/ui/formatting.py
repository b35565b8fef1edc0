"""How values read on screen: money, dates in the collectors' time zone, safe markdown.

Pure functions (no Streamlit), so pages stay short and the rules are testable.

>>> print(escape_markdown("<img src=x onerror=alert(1)>"))
\\<img src\\=x onerror\\=alert\\(1\\)\\>
>>> print(escape_markdown("x@http://203.0.113.9/e").replace(WORD_JOINER, "[WJ]"))
x@[WJ]http\\:[WJ]//203\\.0\\.113\\.9/e
>>> print(spreadsheet_safe('=HYPERLINK("http://203.0.113.9","click me")'))
'=HYPERLINK("http://203.0.113.9","click me")
>>> format_money(Decimal("1234567.5"), "CNY")
'1,234,567.50 CNY'
>>> days_past_due(date(2026, 1, 1), today=date(2026, 1, 31))
30
>>> print(phone_link(Phone("+8613912345678"), region="CN", lang="en"))
[139 1234 5678](tel:+8613912345678)
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import phonenumbers

from orgmap.domain.model import Contact, Phone
from orgmap.i18n import label, normalize_lang
from orgmap.routing.dialling import callable_phones, phones_to_call

__all__ = [
    "WORD_JOINER",
    "callable_phones",
    "contact_label",
    "days_past_due",
    "escape_markdown",
    "format_local_time",
    "format_money",
    "format_phone_number",
    "phone_link",
    "phones_to_call",
    "spreadsheet_safe",
    "today_in",
    "upload_megabytes",
]

# Everything Streamlit's markdown gives a meaning to: CommonMark punctuation, raw HTML
# ("<"), LaTeX ("$"), emoji and icon shortcodes (":material/x:") and colour
# directives (":red[...]").  A backslash makes each one literal.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:&=])")


#: Invisible, zero-width and copied along with the text; see ``_AUTOLINK_TRIGGER``.
WORD_JOINER = "\u2060"
# GFM's autolink literals (bare ``http://…``, ``www.…``, ``name@host.tld``) are found by
# remark-gfm in the text *after* backslash escapes are resolved, so escaping the
# punctuation does not stop them.  A word joiner breaks each trigger: after every "@",
# after a ":" that a "/" follows and after "www" that a "." follows.  It also goes in
# where the user's text already has a word joiner at that spot, so removing one joiner
# at each of these places always gives the typed text back.
_AUTOLINK_TRIGGER = re.compile(r"(?<=@)|(?<=:)(?=[/\u2060])|(?i:(?<=www)(?=[.\u2060]))")
# What a spreadsheet reads as the start of a formula (OWASP, "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: A signed number, digits grouped by spaces, dots or commas: nothing a spreadsheet runs.
PLAIN_NUMBER = re.compile(r"[+-]?[0-9][0-9 .,]*")


def escape_markdown(text: str) -> str:
    """``text`` as markdown that renders exactly as typed and links, loads and runs nothing.

    Use it for every user-typed string put into ``st.markdown``, a header, a
    caption, an alert or a label; newlines become markdown line breaks.  Web
    addresses and e-mail addresses are shown as text, not made into links.
    """
    defused = _AUTOLINK_TRIGGER.sub(WORD_JOINER, text)
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", defused)
    return escaped.replace("\n", "  \n")


def spreadsheet_safe(value: str) -> str:
    """``value`` as a table cell a spreadsheet opens as text, never as a formula.

    A cell starting with ``= + - @``, a tab or a carriage return gets a leading
    single quote (OWASP's rule against CSV injection).  A plain number is left alone
    (a phone such as ``+86 138 1234 5678``, a negative amount): it calls no function
    and runs nothing, and a quote in front of every number would be read by the
    collector on screen too.  Use it for every text cell of a table the browser can
    download or copy (see ``orgmap.ui.components.data_table``).

    >>> print(spreadsheet_safe('=HYPERLINK("http://x","click")'))
    '=HYPERLINK("http://x","click")
    >>> print(spreadsheet_safe("+86 138 1234 5678"))
    +86 138 1234 5678
    """
    if value.startswith(_FORMULA_START) and not PLAIN_NUMBER.fullmatch(value):
        return f"'{value}"
    return value


def format_money(amount: Decimal | None, currency: str = "") -> str:
    """Thousands separated, always two decimals; never through float."""
    if amount is None:
        return ""
    text = f"{amount.quantize(Decimal('0.01')):,}"
    return f"{text} {currency}".strip()


def upload_megabytes(limit_bytes: int) -> int:
    """A byte limit as the whole megabytes a file uploader takes (rounded up, at least 1).

    >>> upload_megabytes(10 * 1_048_576), upload_megabytes(1), upload_megabytes(10_500_000)
    (10, 1, 11)
    """
    return max(1, -(-limit_bytes // 1_048_576))


def today_in(timezone: str, *, now: datetime | None = None) -> date:
    """The calendar date it is now where the collectors work."""
    moment = now or datetime.now(ZoneInfo("UTC"))
    return moment.astimezone(ZoneInfo(timezone)).date()


def days_past_due(due: date | None, *, today: date) -> int | None:
    """Whole days since ``due``; 0 when not yet due; ``None`` without a due date."""
    if due is None:
        return None
    return max(0, (today - due).days)


def format_local_time(at: datetime | None, timezone: str) -> str:
    """``2026-11-03 09:30`` in ``timezone``; empty for ``None``."""
    if at is None:
        return ""
    try:
        local = at.astimezone(ZoneInfo(timezone))
    except OverflowError:  # stored before times were bounded (1970-2100): shown in UTC
        local = at
    return local.strftime("%Y-%m-%d %H:%M")


def contact_label(contact: Contact, lang: str) -> str:
    """One line that tells contacts apart in a picker: name, title or department, key.

    Plain text: widgets show it as text, so it needs no escaping there.
    """
    role = contact.title or label(contact.department, lang)
    star = "★ " if contact.authorizes_payment else ""
    return f"{star}{contact.name} · {role} ({contact.key})"


# What E.164 allows: "+", a country code that does not start with 0, at most 15 digits.
_E164 = re.compile(r"\+[1-9][0-9]{1,14}")
_EXTENSION = {"zh-CN": "转{}", "en": " ext. {}"}
_NATIONAL = phonenumbers.PhoneNumberFormat.NATIONAL
_INTERNATIONAL = phonenumbers.PhoneNumberFormat.INTERNATIONAL


def format_phone_number(phone: Phone, *, region: str, lang: str) -> str:
    """``phone`` as a collector dials it: in national form when it belongs to ``region``
    (the team's, ``Settings.phone_region``), else in international form; an extension
    after it.  A number the library cannot read is shown as stored.

    >>> [format_phone_number(Phone(n), region="CN", lang="en") for n in ("+8613912345678",
    ...     "+85291234567")]
    ['139 1234 5678', '+852 9123 4567']
    >>> format_phone_number(Phone("+862161234567", extension="801"), region="CN", lang="zh-CN")
    '021 6123 4567转801'
    """
    text = phone.e164
    if _E164.fullmatch(phone.e164):
        try:
            number = phonenumbers.parse(phone.e164)
        except phonenumbers.NumberParseException:
            pass
        else:
            ours = phonenumbers.region_code_for_number(number) == region.upper()
            text = phonenumbers.format_number(number, _NATIONAL if ours else _INTERNATIONAL)
    if phone.extension:
        text += _EXTENSION[normalize_lang(lang)].format(phone.extension)
    return text


def phone_link(phone: Phone, *, region: str, lang: str) -> str:
    """Markdown for ``phone``: the number as shown (escaped), linked to ``tel:`` on the
    E.164 digits alone, so nothing else stored with it can reach the link.  A stored
    value that is not E.164 is shown as text, without a link.

    >>> print(phone_link(Phone("+85291234567"), region="CN", lang="en"))
    [\\+852 9123 4567](tel:+85291234567)
    >>> print(phone_link(Phone("+86 x)(javascript:alert(1)"), region="CN", lang="en"))
    \\+86 x\\)\\(javascript\\:alert\\(1\\)
    """
    shown = escape_markdown(format_phone_number(phone, region=region, lang=lang))
    if not _E164.fullmatch(phone.e164):
        return shown
    return f"[{shown}](tel:{phone.e164})"
