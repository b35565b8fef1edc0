"""Money amounts in a call note: ``5万``, ``五万元``, ``50,000``, ``12.8万``, ``50k``.

>>> [str(a.value) for a in find_amounts("先付5万，再付十二点八万元，共50,000，另50k")]
['50000', '128000', '50000', '50000']
>>> find_amounts("15号 13812345678 3点")
()
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from orgmap.domain.notes.numerals import CN_DIGITS, cn_number

__all__ = ["AmountMatch", "find_amounts"]

_MULT = {"万": 10000, "w": 10000, "千": 1000, "k": 1000, "": 1}
_DIGIT_AMOUNT = re.compile(
    r"(?P<cur>[¥￥]|RMB\s?|CNY\s?)?(?<![\d.,])(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"\s?(?P<mult>万|千|[wWkK](?![a-zA-Z]))?(?:(?<=万)(?P<tail>\d)(?![\d.,千]))?\s?(?P<unit>元|块|rmb|RMB|yuan|CNY)?(?![\d])"
)
_CN_AMOUNT = re.compile(rf"(?P<num>[{CN_DIGITS}十百千万点]+)(?P<unit>元|块)?")
# verbs and words that make a bare number (no 万, no 元) money
_MONEY_BEFORE = re.compile(
    r"(?:付|还|打款|转账|转|汇|pay|paid|repay|transfer|send|settle|wire)\s*(?:了|款)?\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class AmountMatch:
    value: Decimal
    span: tuple[int, int]


def find_amounts(note: str) -> tuple[AmountMatch, ...]:
    """Amounts of money, in order; a number counts only with a unit or after a payment verb."""
    found: list[AmountMatch] = []
    for m in _DIGIT_AMOUNT.finditer(note):
        mult = (m.group("mult") or "").lower()
        before = note[max(0, m.start() - 8) : m.start()]
        money = m.group("cur") or mult or m.group("unit") or "," in m.group("num")
        if not (money or _MONEY_BEFORE.search(before)):
            continue
        raw = m.group("num").replace(",", "")
        if len(raw) > 12:
            continue
        try:
            value = Decimal(raw) * _MULT[mult] + Decimal(m.group("tail") or 0) * 1000
        except InvalidOperation:  # pragma: no cover - the pattern holds digits only
            continue
        if value <= 0:
            continue
        found.append(AmountMatch(value.normalize() if value % 1 else value.quantize(1), m.span()))
    for m in _CN_AMOUNT.finditer(note):
        text = m.group("num").strip("点")
        if not (m.group("unit") or "万" in text or "千" in text) or text in ("万", "千"):
            continue
        if "点" in text and text.endswith("万"):  # 十二点八万
            base = cn_number(text[:-1])
            value_or_none = None if base is None else base * 10000
        else:
            value_or_none = cn_number(text)
        if value_or_none is None or value_or_none < 100:
            continue
        value = value_or_none
        found.append(AmountMatch(value.quantize(1) if value % 1 == 0 else value, m.span()))
    found.sort(key=lambda a: a.span)
    return tuple(found)
