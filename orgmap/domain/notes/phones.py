"""Phone numbers and e-mail addresses in a call note.

>>> found = find_phones("座机010-62345678转8021，手机13812345678")
>>> [(p.e164, p.extension, p.kind.value) for p in found]
[('+861062345678', '8021', 'fixed_line'), ('+8613812345678', None, 'mobile')]
>>> find_phones("订单号20231201001，账号6222021234567890123，付50,000，QQ 2851934476")
()
>>> [p.e164 for p in find_phones("幺五零 幺二三四 五六七八")]
['+8615012345678']
>>> [e.text for e in find_emails("邮箱 li.jie@acme.cn。")]
['li.jie@acme.cn']
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from phonenumbers import PhoneNumberType

from orgmap.domain.fields import format_phone
from orgmap.domain.model import Phone, PhoneKind

__all__ = ["EmailMatch", "PhoneMatch", "find_emails", "find_phones"]

_EXTENSION = re.compile(
    # ("0451-8471 9963，分机 15": the extension said after a comma)
    # ("x3, no answer": three tries; "转0": the operator)
    r"\s*(?:[，,]\s*(?=分机))?(?:(?:转\s*分机号?|转|分机号?|-|ext\.?)\s*(?!0(?!\d))(\d{1,6})"
    r"|x\s*(\d{2,6}))(?!\d)",
    re.IGNORECASE,
)
_EXTENSION_BEFORE = re.compile(
    r"\bext(?:ension)?\.?\s*(?:is\s*)?(\d{1,6})\s+on\s+(?:the\s+)?(?:main\s+)?"
    r"(?:line|number|switchboard)\s*$",
    re.IGNORECASE,
)
# words that make a following number something other than a phone
_NOT_PHONE = re.compile(
    r"(?:订单|单号|账号|帐号|卡号|账户|发票|合同|编号|工号|户号|QQ|企鹅号|order|invoice|account|acct|"
    r"a/c|no\.|\bPO|\bSO|\bDN|P/O|回单|运单|快递|批号|批次|送货单|出库单|入库单|提单|报关单|单据)"
    r"[^\d\n]{0,4}$",
    re.IGNORECASE,
)
# a run of seven or more Chinese digits (一三八一二三四五六七八; 幺 is a spoken 1) is read as
# ASCII digits
_CN_DIGIT_RUN = re.compile(r"[零〇一二三四五六七八九幺](?:[\s-]?[零〇一二三四五六七八九幺]){6,}")
_CN_TO_ASCII = str.maketrans("零〇一二三四五六七八九幺", "001234567891")
# "010-6234 5678-8012": the last hyphen of a landline with area code starts an extension
_LANDLINE_EXT = re.compile(r"(?<!\d)(0\d{2,3}[-\s]?\d{3,4}[-\s]?\d{4})-(?=\d{1,6}(?!\d))")
# a mainland landline as written: area code, a break, then seven or eight digits
_LANDLINE_SAID = re.compile(r"0\d{2,3}[-\s—–](?:\d{3,4}[-\s]?\d{4}|\d{7,8})(?!\d)")
# "(852) 2811 3306", "0086-138-2511-0963": a country code said without "+"
_COUNTRY_SAID = re.compile(r"(?<![\d+])(?:\((852|853|886|86)\)|00(852|853|886|86)(?=[\s-]?\d))")
# several blanks inside a number ("0755-8821&nbsp;6634" once the entity is blanked)
_WIDE_GAP = re.compile(r"(?<=[\d-])[ \t\u3000\xa0]{2,12}(?=\d)")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})+")
_KINDS = {
    PhoneNumberType.MOBILE: PhoneKind.MOBILE,
    PhoneNumberType.FIXED_LINE: PhoneKind.FIXED_LINE,
    PhoneNumberType.FIXED_LINE_OR_MOBILE: PhoneKind.MOBILE,
}


@dataclass(frozen=True, slots=True)
class PhoneMatch:
    e164: str
    extension: str | None
    kind: PhoneKind
    span: tuple[int, int]

    @property
    def dialled(self) -> str:
        """The number with its extension, in the export form (``+862161234567;ext=801``)."""
        return format_phone(Phone(self.e164, self.extension, self.kind))


@dataclass(frozen=True, slots=True)
class EmailMatch:
    text: str
    span: tuple[int, int]


def find_phones(note: str, region: str = "CN") -> tuple[PhoneMatch, ...]:
    """Valid phone numbers, in order, with the extension said after them."""
    found: list[PhoneMatch] = []
    # same-length rewrites, so spans still point into the note
    note = _CN_DIGIT_RUN.sub(lambda m: m.group().translate(_CN_TO_ASCII), note)
    note, where = _squeeze(note)
    note = _COUNTRY_SAID.sub(
        lambda m: ("+" + (m.group(1) or m.group(2))).rjust(len(m.group())), note
    )
    note = _LANDLINE_EXT.sub(lambda m: m.group(1) + "转", note)
    for match in _matches(note, region):
        start, end = match.start, match.end
        if (start and note[start - 1].isdigit()) or (end < len(note) and note[end].isdigit()):
            continue  # part of a longer run of digits (a bank account, an order number)
        if note[start] != "+" and _NOT_PHONE.search(note[max(0, start - 12) : start]):
            continue  # (but "his mainland no. +86 135…": a number with "+" is a phone)
        number = match.number
        typed = phonenumbers.number_type(number)
        # (a landline libphonenumber only holds possible is of no type it knows: a landline)
        unknown = typed is PhoneNumberType.UNKNOWN and _LANDLINE_SAID.match(match.raw_string)
        kind = PhoneKind.FIXED_LINE if unknown else _KINDS.get(typed, PhoneKind.OTHER)
        extension = number.extension
        if extension is not None and re.search(r"x\s*\d$", match.raw_string, re.IGNORECASE):
            extension = None  # "Rang 0592-603 8817 x3": three tries, not extension 3
        if extension is None:
            ext = _EXTENSION.match(note, end)
            if ext and kind is PhoneKind.FIXED_LINE:
                extension, end = ext.group(1) or ext.group(2), ext.end()
        if extension is None and kind is PhoneKind.FIXED_LINE:
            # "her extension is 617 on the main line 0311-8596 3320"
            said = _EXTENSION_BEFORE.search(note[max(0, start - 40) : start])
            extension = said.group(1) if said else None
        number.extension = None
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        span = (start, end) if where is None else (where[start], where[end - 1] + 1)
        found.append(PhoneMatch(e164, extension, kind, span))
    return tuple(found)


def _matches(note: str, region: str) -> list[phonenumbers.PhoneNumberMatch]:
    """The numbers libphonenumber holds valid, and the landlines written with an area code
    and a break after it ("0315-2867 3390") that it only holds possible: its number ranges
    lag the operators', and a number written so is a phone."""
    valid = list(
        phonenumbers.PhoneNumberMatcher(note, region, leniency=phonenumbers.Leniency.VALID)
    )
    spans = [(m.start, m.end) for m in valid]
    more = [
        m
        for m in phonenumbers.PhoneNumberMatcher(
            note, region, leniency=phonenumbers.Leniency.POSSIBLE
        )
        if _LANDLINE_SAID.match(m.raw_string)
        and not any(a < m.end and m.start < b for a, b in spans)
    ]
    return sorted([*valid, *more], key=lambda m: m.start)


def _squeeze(note: str) -> tuple[str, list[int] | None]:
    """``note`` with each wide gap between digits cut to one blank, and where each character
    of the result was in ``note`` (None when nothing was cut)."""
    gaps = [m.span() for m in _WIDE_GAP.finditer(note)]
    if not gaps:
        return note, None
    keep: list[int] = []
    last = 0
    for a, b in gaps:
        keep.extend(range(last, a + 1))
        last = b
    keep.extend(range(last, len(note)))
    return "".join(note[i] for i in keep), keep


def find_emails(note: str) -> tuple[EmailMatch, ...]:
    """E-mail addresses, in order."""
    return tuple(EmailMatch(m.group(), m.span()) for m in _EMAIL.finditer(note))
