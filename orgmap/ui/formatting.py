"""How values read on screen: money, dates in the collectors' time zone, safe markdown.

Pure functions (no Streamlit), so pages stay short and the rules are testable.

>>> print(escape_markdown("<img src=x onerror=alert(1)>"))
\\<img src\\=x onerror\\=alert\\(1\\)\\>
>>> format_money(Decimal("1234567.5"), "CNY")
'1,234,567.50 CNY'
>>> days_past_due(date(2026, 1, 1), today=date(2026, 1, 31))
30
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from orgmap.domain.model import Contact
from orgmap.i18n import label

__all__ = [
    "contact_label",
    "days_past_due",
    "escape_markdown",
    "format_local_time",
    "format_money",
    "today_in",
]

# Everything Streamlit's markdown gives a meaning to: CommonMark punctuation, raw HTML
# ("<"), LaTeX ("$"), emoji and icon shortcodes (":material/x:") and colour
# directives (":red[...]").  A backslash makes each one literal.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:&=])")


def escape_markdown(text: str) -> str:
    """``text`` as markdown that renders exactly as typed and links, loads and runs nothing.

    Use it for every user-typed string put into ``st.markdown``, a header, a
    caption or a label; newlines become markdown line breaks.
    """
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return escaped.replace("\n", "  \n")


def format_money(amount: Decimal | None, currency: str = "") -> str:
    """Thousands separated, always two decimals; never through float."""
    if amount is None:
        return ""
    text = f"{amount.quantize(Decimal('0.01')):,}"
    return f"{text} {currency}".strip()


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
    return at.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")


def contact_label(contact: Contact, lang: str) -> str:
    """One line that tells contacts apart in a picker: name, title or department, key.

    Plain text: widgets show it as text, so it needs no escaping there.
    """
    role = contact.title or label(contact.department, lang)
    star = "★ " if contact.authorizes_payment else ""
    return f"{star}{contact.name} · {role} ({contact.key})"
