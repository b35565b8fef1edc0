"""Chinese and Arabic numerals in call notes: ``五万`` → 50000, ``十五`` → 15.

>>> from decimal import Decimal
>>> cn_number("十二点八") == Decimal("12.8"), cn_number("两万五千"), cn_number("一万二")
(True, Decimal('25000'), Decimal('12000'))
>>> cn_number("十五"), cn_number("三"), cn_number("") is None
(Decimal('15'), Decimal('3'), True)
>>> cn_number("壹万伍仟".translate(FORMAL_TO_PLAIN))
Decimal('15000')
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

__all__ = ["CN_DIGITS", "CN_NUMERAL", "FORMAL_TO_PLAIN", "cn_number", "small_int"]

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6}
_DIGITS |= {"七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_DIGITS = "零〇一二两三四五六七八九"
CN_NUMERAL = f"[{CN_DIGITS}十百千万]+(?:点[{CN_DIGITS}]+)?"
# the formal numerals of cheques and payment plans (壹万伍仟元), one character for one, so a
# translated note keeps its spans; only amounts are read this way (伍 is also a surname)
FORMAL_TO_PLAIN = str.maketrans(
    "壹贰貳叁參肆伍陆陸柒捌玖拾佰仟萬圆", "一二二三三四五六六七八九十百千万元"
)


def _section(text: str, next_unit: int) -> int | None:
    """A number below 10,000 (``三千五`` → 3500, ``十二`` → 12)."""
    total, digit, last_unit = 0, None, 10000
    for ch in text:
        if ch in _DIGITS:
            if digit is not None and digit != 0:
                return None
            digit = _DIGITS[ch]
        elif ch in _UNITS:
            unit = _UNITS[ch]
            if unit >= last_unit:
                return None
            total += (1 if digit is None else digit) * unit
            digit, last_unit = None, unit
        else:
            return None
    if digit:
        # "三千五" means 3500: a trailing digit counts in the unit below the last one
        total += digit * (last_unit // 10 if last_unit <= 1000 and total else 1)
    return total


def cn_number(text: str) -> Decimal | None:
    """The value of a Chinese numeral, or None if it is not one."""
    if not text:
        return None
    integer, _, fraction = text.partition("点")
    value: Decimal
    if "万" in integer:
        high, _, low = integer.partition("万")
        h = _section(high, 10000) if high else 1
        if h is None:
            return None
        if low and all(c in _DIGITS for c in low) and len(low) == 1:
            lo: int | None = _DIGITS[low] * 1000  # 一万二 = 12,000
        else:
            lo = _section(low, 1000) if low else 0
        if lo is None:
            return None
        value = Decimal(h * 10000 + lo)
    else:
        s = _section(integer, 0) if integer else 0
        if s is None or (not integer and not fraction):
            return None
        value = Decimal(s)
    if fraction:
        if not all(c in _DIGITS for c in fraction):
            return None
        try:
            value += Decimal("0." + "".join(str(_DIGITS[c]) for c in fraction))
        except InvalidOperation:  # pragma: no cover - digits only
            return None
    return value


def small_int(text: str) -> int | None:
    """An integer written in digits or Chinese numerals (``15``, ``十五``)."""
    if text.isascii() and text.isdigit():
        return int(text) if len(text) <= 6 else None
    value = cn_number(text)
    if value is None or value != value.to_integral_value():
        return None
    return int(value)
