"""Money amounts in a call note: ``5万``, ``五万元``, ``50,000``, ``12.8万``, ``50k``.

>>> [str(a.value) for a in find_amounts("先付5万，再付十二点八万元，共50,000，另50k，壹万伍仟元")]
['50000', '128000', '50000', '50000', '15000']
>>> find_amounts("15号 13812345678 3点")
()
>>> [(str(s.fraction), s.span) for s in find_shares("先还一半，或者 half, 或 30%")]
[('0.5', (2, 4)), ('0.5', (8, 12)), ('0.3', (16, 19))]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from orgmap.domain.notes.numerals import CN_DIGITS, FORMAL_TO_PLAIN, cn_number

__all__ = ["AmountMatch", "ShareMatch", "find_amounts", "find_shares"]

_MULT = {"万": 10000, "w": 10000, "千": 1000, "k": 1000, "m": 1000000, "thousand": 1000, "": 1}
_DIGIT_AMOUNT = re.compile(
    r"(?P<cur>[¥￥]|RMB\s?|CNY\s?)?(?<![\d.,])(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"\s?(?P<mult>万|千|[wWkK](?![a-zA-Z])|(?<=\d)[mM](?![a-zA-Z²])|(?<=\d )thousand\b)?"
    # "1万2", "2w8": the thousands said after (but "剩1万9月10号": 9 begins the day; "4万8月底"
    # is 48,000 by the month's end)
    r"(?:(?<=[万wW])\s?(?P<tail>\d)(?![\d.,千%])(?!\s?月\s?\d|\s?[号日]))?\s?"
    # ("1/3": a share; "1万9月10号": the amount, then a day)
    r"(?P<unit>元|块|rmb|RMB|yuan|CNY)?(?!%)(?!\d(?!\s?月\s?\d|\s?[号日]))(?!/\d)"
)
# ("二十三万一次付清": 一 belongs to 一次, not to the amount)
# ("二十三万一次": 一 belongs to 一次; "两千多袋": bags, not money)
_CN_AMOUNT = re.compile(
    rf"(?P<num>[{CN_DIGITS}十百千万点]+)(?P<unit>元|块)?(?![次天个号期批笔])"
    r"(?!多?[袋件个箱台套只张份瓶桶吨米条])"
)
# verbs and words that make a bare number (no 万, no 元) money
_MONEY_BEFORE = re.compile(
    # ("下周一上午付，17600不变": the sum said after the comma)
    # ("金额42800没问题": a sum)
    r"(?:付|还|打款|转账|转|汇|(?<![再先])打|给|金额|pay|paid|repay|transfer|send|settle|wire)"
    r"\s*(?:了|款|的)?"
    r"[，,]?\s*$"
    r"|先打\s*$",
    re.IGNORECASE,
)


# what makes a bare number after a payment verb a day or a count: 6月, 15号, 3点, 2期
_DAY_AFTER = re.compile(r"\s?[月号日点时天周年期批次]")
# a count of goods, not money: "5,000 sets", "3,200pcs", "326 件"
_COUNT_AFTER = re.compile(
    r"\s?(?:sets?|pcs|pieces?|units?|pairs?|cartons?|rolls?|tons?|件|台|套|箱|吨|支(?!票)|袋|只|"
    r"张|瓶|米|条|双)"
    r"(?![A-Za-z])",
    re.IGNORECASE,
)
# a day written with a dot before 前 or 后: "5.1前打1.6万" is by the first of May
_DOTTED_DAY = re.compile(r"(?:1[0-2]|[1-9])\.(?:[12]\d|3[01]|[1-9])")
# money is to the cent
_CENT = Decimal("0.01")
# a share of an amount said elsewhere ("年前先还一半，总共欠二十四万", "half of the 80k")
_SHARE = re.compile(
    r"(?P<half>一半|半数|\bhalf\b)"
    # "三分之一", "a third", "a quarter": a fraction said in words
    rf"|(?P<den>[{CN_DIGITS}十])分之(?P<num>[{CN_DIGITS}])"
    r"|\b(?P<enfrac>a third|one third|a quarter|one quarter|two thirds)\b"
    r"|(?P<pct>(?<![\d.])\d{1,2}(?:\.\d{1,2})?)\s?%"
    rf"|百分之(?P<cnpct>[{CN_DIGITS}十]{{1,3}})"
    # "先付1/3", "first 1/3 of 240k"
    r"|(?:(?<=付)|(?<=还)|(?<=first )|(?<=pay ))(?P<sn>[1-9])/(?P<sd>[2-9]|10)(?![\d/])"
    r"|(?<![\d/])(?P<sn2>[1-9])/(?P<sd2>[2-9]|10)(?=\s*of\b)",
    re.IGNORECASE,
)


_EN_FRACTIONS = {"third": Decimal(1) / 3, "quarter": Decimal("0.25"), "thirds": Decimal(2) / 3}


@dataclass(frozen=True, slots=True)
class AmountMatch:
    value: Decimal
    span: tuple[int, int]


@dataclass(frozen=True, slots=True)
class ShareMatch:
    fraction: Decimal  # 0 < fraction < 1
    span: tuple[int, int]


def find_shares(note: str) -> tuple[ShareMatch, ...]:
    """Shares said as a part of some amount: 一半, half, 30%, 百分之三十, 三分之一, a third."""
    found = []
    for m in _SHARE.finditer(note):
        if m.group("half"):
            fraction: Decimal | None = Decimal("0.5")
        elif m.group("den"):
            den, num = cn_number(m.group("den")), cn_number(m.group("num"))
            fraction = None if not den or num is None else Decimal(num) / Decimal(den)
        elif m.group("enfrac"):
            fraction = _EN_FRACTIONS[m.group("enfrac").lower().split()[-1]]
        elif m.group("sn") or m.group("sn2"):
            fraction = Decimal(m.group("sn") or m.group("sn2")) / Decimal(
                m.group("sd") or m.group("sd2")
            )
        elif m.group("pct"):
            fraction = Decimal(m.group("pct")) / 100
        else:
            percent = cn_number(m.group("cnpct"))
            fraction = None if percent is None else percent / 100
        if fraction is not None and 0 < fraction < 1:
            found.append(ShareMatch(fraction, m.span()))
    return tuple(found)


def find_amounts(note: str) -> tuple[AmountMatch, ...]:
    """Amounts of money, in order; a number counts only with a unit or after a payment verb."""
    note = note.translate(FORMAL_TO_PLAIN)
    found: list[AmountMatch] = []
    for m in _DIGIT_AMOUNT.finditer(note):
        mult = (m.group("mult") or "").lower()
        if mult == "m" and not (m.group("cur") or "." in m.group("num")):
            continue  # "1.2m", "RMB 3m" are millions; "31m" alone may be anything ("\x1b[31m")
        before = note[max(0, m.start() - 8) : m.start()]
        unit = m.group("cur") or mult or m.group("unit")
        money = unit or "," in m.group("num")
        if not (money or _MONEY_BEFORE.search(before)):
            continue
        if not money and _DAY_AFTER.match(note, m.end()):
            continue  # "付款，6月15号到期": a day, not six yuan
        if not unit and (
            _COUNT_AFTER.match(note, m.end())  # "5,000 sets": goods
            # "5.1前打1.6万": by the first of May
            or (_DOTTED_DAY.fullmatch(m.group("num")) and note.startswith(("前", "后"), m.end()))
        ):
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
        found.append(AmountMatch(value.quantize(_CENT if value % 1 else 1), m.span()))
    for m in _CN_AMOUNT.finditer(note):
        text = m.group("num").strip("点")
        if text.endswith("十一") and note[m.end() : m.end() + 1] in ("前", "后") and len(text) > 2:
            text = text[:-2]  # "三万四十一前": 34,000 before National Day (十一)
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
        found.append(AmountMatch(value.quantize(_CENT if value % 1 else 1), m.span()))
    found.sort(key=lambda a: a.span)
    return tuple(found)
