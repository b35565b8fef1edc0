"""A debtor as typed in the form, and its article-5 facts, turned into domain values.

Like :mod:`orgmap.domain.contact_draft` for people: the form holds text as typed
(the amount, the credit code) and enums already chosen; :func:`debtor_from_draft`
checks every field, reports every bad one at once as a
:class:`~orgmap.domain.validation.ValidationError` whose problems are named by
field (``amount_owed``, ``credit_code`` …), and returns canonical values.

Nobody has to invent a key: :func:`suggest_debtor_key` makes one from the name
(``上海恒达机电设备有限公司`` → ``shanghai-hengda-jidian-shebei``), which the
service then makes free (:func:`orgmap.services.debtors.create_debtor`).

Pure: standard library, ``phonenumbers`` and ``pypinyin`` (imported on first use:
it costs a tenth of a second, which commands that never make a key don't pay).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Set
from dataclasses import dataclass, replace
from datetime import date

from orgmap.domain.fields import (
    check_credit_code,
    check_currency,
    check_email,
    check_key,
    check_name,
    check_text,
    format_phone,
    normalize_credit_code,
    normalize_phone,
    parse_amount,
    parse_date,
)
from orgmap.domain.model import Debtor, DebtorFacts, DebtorStatus
from orgmap.domain.validation import FieldProblems, Problem

__all__ = [
    "DEBTOR_KEY_BASE_CHARS",
    "DebtorDraft",
    "debtor_from_draft",
    "debtor_key_base",
    "facts_from_form",
    "suggest_debtor_key",
]

#: A key made from a name is cut (between words) to this many characters, which keeps
#: it readable and leaves room for a "-2" when the name is taken.
DEBTOR_KEY_BASE_CHARS = 40
#: What a key starts with when the name gives no letters or digits ("debtor-1", …).
_FALLBACK_BASE = "debtor"


@dataclass(frozen=True, slots=True)
class DebtorDraft:
    """A debtor as typed in the form; ``amount_owed`` and ``credit_code`` are text.

    A blank ``key`` asks :func:`~orgmap.services.debtors.create_debtor` to make one
    from the name; :func:`debtor_from_draft` itself needs a key.
    """

    key: str
    name: str
    amount_owed: str
    currency: str = "CNY"
    credit_code: str = ""
    address: str = ""
    due_date: date | None = None
    status: DebtorStatus = DebtorStatus.OPEN
    assigned_to: str = ""


def debtor_from_draft(
    draft: DebtorDraft, *, facts: DebtorFacts
) -> tuple[Debtor, tuple[Problem, ...]]:
    """The debtor the form describes (with ``facts``), and warnings to show beside it.

    A credit code with a wrong check character is a warning, kept as typed (some
    early codes fail the GB 32100-2015 checksum but are real); a malformed one is
    a problem.

    >>> draft = DebtorDraft("acme", "恒达机电", "¥12,000", credit_code="91350100M000100Y44")
    >>> debtor, warnings = debtor_from_draft(draft, facts=DebtorFacts())
    >>> debtor.amount_owed, debtor.credit_code, [w.path for w in warnings]
    (Decimal('12000.00'), '91350100M000100Y44', ['credit_code'])
    """
    p = FieldProblems()
    key = p.check("key", check_key, draft.key)
    name = p.check("name", check_name, draft.name)
    amount = p.check("amount_owed", parse_amount, draft.amount_owed, field="amount_owed")
    currency = p.check("currency", check_currency, draft.currency or "CNY")
    address = p.check("address", check_name, draft.address, field="address", required=False)
    assigned = p.check(
        "assigned_to", check_name, draft.assigned_to, field="assigned_to", required=False
    )
    due_date = None
    if draft.due_date is not None:
        due_date = p.check("due_date", parse_date, draft.due_date, field="due_date")
    credit_code: str | None = None
    warnings: tuple[Problem, ...] = ()
    if draft.credit_code.strip():
        warning = p.check("credit_code", check_credit_code, draft.credit_code)
        if not any(problem.path == "credit_code" for problem in p.found):
            credit_code = normalize_credit_code(draft.credit_code)
            warnings = (Problem.from_error("credit_code", warning),) if warning else ()
    p.raise_any()
    debtor = Debtor(
        key=key,
        name=name,
        amount_owed=amount,
        currency=currency,
        credit_code=credit_code,
        address=address,
        due_date=due_date,
        status=draft.status,
        assigned_to=assigned,
        facts=facts,
    )
    return debtor, warnings


def facts_from_form(facts: DebtorFacts, *, region: str) -> DebtorFacts:
    """The article-5 checklist as typed, cleaned: stories trimmed, the leader's mobile in
    its canonical form, the email checked."""
    p = FieldProblems()
    mobile = facts.top_leader_mobile.strip()
    if mobile:
        phone = p.check("top_leader_mobile", normalize_phone, mobile, region=region)
        mobile = format_phone(phone) if phone else mobile
    email = facts.top_leader_email.strip()
    if email:
        email = p.check("top_leader_email", check_email, email, field="top_leader_email")
    clean = replace(
        facts,
        reason_unpaid=p.check(
            "reason_unpaid", check_text, facts.reason_unpaid, field="reason_unpaid"
        ),
        who_pays=p.check("who_pays", check_text, facts.who_pays, field="who_pays"),
        top_leader=p.check(
            "top_leader", check_name, facts.top_leader, field="top_leader", required=False
        ),
        top_leader_mobile=mobile,
        top_leader_email=email,
    )
    p.raise_any()
    return clean


# --- keys from names ---------------------------------------------------------------

# Chinese legal forms at the end of a company name say nothing about which company it
# is; one is taken off (the longest that fits), so keys stay short.
_LEGAL_FORMS = ("股份有限公司", "有限责任公司", "有限公司", "分公司", "公司")
# A place name in a company name ends in one of these (湖南省长沙市…): each ends a word.
# Reading the place on its own also keeps pypinyin from seeing 省长 or 市长 ("governor",
# "mayor") across the boundary and reading 长沙 as "zhangsha".
_PLACE_ENDS = "省市区县"
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUNS = re.compile(f"([{_HAN}]+)|[^{_HAN}]+")
_PLACES = re.compile(f"[^{_PLACE_ENDS}]*[{_PLACE_ENDS}]|[^{_PLACE_ENDS}]+")
_WORD = re.compile("[a-z0-9]+")


def debtor_key_base(name: str) -> str:
    """What a key made from ``name`` starts with: its words in pinyin or ASCII, joined by
    ``-``, at most :data:`DEBTOR_KEY_BASE_CHARS` long; ``debtor`` when it has no words.

    Chinese is read two characters to a word (most words are two), a place name ending
    in 省, 市, 区 or 县 as one word; a trailing legal form (有限公司 …) is dropped.  The
    reading is pypinyin's and can be wrong for a rare name: the key is only an
    identifier, and a collector who wants another one types it.

    >>> debtor_key_base("东莞市长安福满包装制品厂")
    'dongguanshi-changan-fuman-baozhuang'
    >>> debtor_key_base("上海恒达机电设备有限公司"), debtor_key_base("Acme Trading Co., Ltd.")
    ('shanghai-hengda-jidian-shebei', 'acme-trading-co-ltd')
    >>> debtor_key_base("华为（中国）"), debtor_key_base("！！")
    ('huawei-zhongguo', 'debtor')
    """
    text = unicodedata.normalize("NFKC", name).strip()
    for form in _LEGAL_FORMS:
        if text.endswith(form) and len(text) > len(form):
            text = text.removesuffix(form)
            break
    words: list[str] = []
    for run in _RUNS.finditer(text):
        if run.group(1):  # Chinese characters
            words += _pinyin_words(run.group())
        else:
            latin = unicodedata.normalize("NFKD", run.group()).encode("ascii", "ignore").decode()
            words += _WORD.findall(latin.lower())
    return _bounded("-".join(words)) or _FALLBACK_BASE


def _pinyin_words(chinese: str) -> list[str]:
    from pypinyin import lazy_pinyin  # see the module docstring

    words = []
    for part in _PLACES.findall(chinese):
        syllables = [s for s in lazy_pinyin(part, errors="ignore") if _WORD.fullmatch(s)]
        if part[-1] in _PLACE_ENDS:
            words.append("".join(syllables))
        else:
            words += ["".join(syllables[i : i + 2]) for i in range(0, len(syllables), 2)]
    return [word for word in words if word]


def _bounded(slug: str) -> str:
    """``slug`` cut to :data:`DEBTOR_KEY_BASE_CHARS`, between words when there is one."""
    if len(slug) <= DEBTOR_KEY_BASE_CHARS:
        return slug
    cut = slug[: DEBTOR_KEY_BASE_CHARS + 1]
    return (cut.rsplit("-", 1)[0] if "-" in cut else cut[:DEBTOR_KEY_BASE_CHARS]).strip("-")


def suggest_debtor_key(name: str, *, taken: Set[str]) -> str:
    """A key made from ``name`` that is not in ``taken``: :func:`debtor_key_base`, or
    that with ``-2``, ``-3`` … (``debtor-1``, ``debtor-2`` … for a name without words).

    ``taken`` need only hold the keys starting with the base.

    >>> suggest_debtor_key("恒达机电", taken={"hengda-jidian"})
    'hengda-jidian-2'
    >>> suggest_debtor_key("★", taken=set())
    'debtor-1'
    """
    base = debtor_key_base(name)
    if base != _FALLBACK_BASE and base not in taken:
        return base
    n = 1 if base == _FALLBACK_BASE else 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"
