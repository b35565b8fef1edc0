"""Suggestions read from a typed call note: people, relations, outcome, promise, call-back.

Pure rules over the standard library and ``phonenumbers``; nothing is written,
the collector confirms.  Each suggestion carries the ``(start, end)`` span of
the note it came from.

>>> from datetime import datetime
>>> from decimal import Decimal
>>> from orgmap.domain.model import Contact, Debtor, DebtorMap, Department
>>> m = DebtorMap(Debtor("acme", "Acme", Decimal(0)),
...               (Contact("wang", "小王", Department.RECEPTION),))
>>> s = extract("前台小王说付款找财务李姐，手机13812345678，她月底前先付5万，明天下午三点再打",
...             called="wang", m=m, at=datetime.fromisoformat("2026-12-01T10:00+08:00"))
>>> [(p.name, p.department, [x.e164 for x in p.phones], p.existing) for p in s.people]
[('小王', 'reception', [], 'wang'), ('李姐', 'finance', ['+8613812345678'], None)]
>>> [(r.source, r.target, r.type) for r in s.relations]
[('wang', '李姐', 'refers_to')]
>>> s.outcome.value, str(s.promise.amount), s.promise.date.isoformat(), s.callback.at.isoformat()
('promised', '50000', '2026-12-31', '2026-12-02T15:00:00+08:00')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from orgmap.domain.model import Contact, DebtorMap
from orgmap.domain.notes.amounts import find_amounts
from orgmap.domain.notes.dates import find_dates, find_times
from orgmap.domain.notes.people import Mention, find_mentions, find_pronouns
from orgmap.domain.notes.phones import EmailMatch, PhoneMatch, find_emails, find_phones
from orgmap.domain.notes.relations import (
    ALREADY_PAID,
    CALLBACK,
    NOT_PROMISE,
    PAY_BEFORE,
    PROMISE_WORDS,
    find_outcome,
    find_triggers,
)

__all__ = [
    "CallbackSuggestion",
    "OutcomeSuggestion",
    "PersonSuggestion",
    "PromiseSuggestion",
    "RelationSuggestion",
    "Suggestions",
    "extract",
]

MAX_NOTE = 5000  # characters read; a longer note is cut, not refused
_SENTENCE = re.compile(r"[。；;！!？?\n]|(?<!Mr)(?<!Mrs)(?<!Ms)(?<!Dr)\.(?:\s|$)")
_CLAUSE = re.compile(r"[，,。；;！!？?\n]|\.(?:\s|$)")
_NOISE = re.compile(r"<[^>\n]{0,200}>|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_DEFAULT_CALLBACK_TIME = time(10, 0)


@dataclass(frozen=True, slots=True)
class PersonSuggestion:
    name: str  # as said: 李姐, 王总, 小王; empty for "the receptionist"
    title: str
    department: str | None
    phones: tuple[PhoneMatch, ...]
    email: str | None
    existing: str | None  # the contact key when the person is already on the map
    span: tuple[int, int]

    @property
    def ref(self) -> str:
        """The contact key for a known person, else the name as said (or the title)."""
        return self.existing or self.name or self.title


@dataclass(frozen=True, slots=True)
class RelationSuggestion:
    source: str  # contact key or name
    target: str | None  # None for "authorizes"
    type: str  # refers_to, passes_buck_to, authorizes
    span: tuple[int, int]


@dataclass(frozen=True, slots=True)
class OutcomeSuggestion:
    value: str
    span: tuple[int, int]


@dataclass(frozen=True, slots=True)
class PromiseSuggestion:
    amount: Decimal | None
    date: date | None
    span: tuple[int, int]  # from the first to the last part said


@dataclass(frozen=True, slots=True)
class CallbackSuggestion:
    at: datetime
    span: tuple[int, int]


@dataclass(frozen=True, slots=True)
class Suggestions:
    people: tuple[PersonSuggestion, ...] = ()
    relations: tuple[RelationSuggestion, ...] = ()
    outcome: OutcomeSuggestion | None = None
    promise: PromiseSuggestion | None = None
    callback: CallbackSuggestion | None = None

    @property
    def authorizers(self) -> tuple[str, ...]:
        return tuple(r.source for r in self.relations if r.type == "authorizes")


def _clean(note: str) -> str:
    """The note cut to MAX_NOTE, markup and control characters blanked (spans keep their place)."""
    note = note[:MAX_NOTE]
    return _NOISE.sub(lambda m: " " * len(m.group()), note)


def _bounds(pattern: re.Pattern[str], text: str, at: int) -> tuple[int, int]:
    start = 0
    for m in pattern.finditer(text):
        if m.end() <= at:
            start = m.end()
        else:
            return start, m.start() if m.start() >= at else len(text)
    return start, len(text)


# pinyin of common surnames, to know "Manager Zhao" or "Xiao Wang" is 赵经理 or 小王 on the map
_PINYIN = {
    "wang": "王",
    "li": "李",
    "zhang": "张",
    "liu": "刘",
    "chen": "陈",
    "yang": "杨",
    "huang": "黄",
    "zhao": "赵",
    "wu": "吴",
    "zhou": "周",
    "sun": "孙",
    "ma": "马",
    "zhu": "朱",
    "hu": "胡",
    "guo": "郭",
    "he": "何",
    "gao": "高",
    "lin": "林",
    "luo": "罗",
    "zheng": "郑",
    "liang": "梁",
    "xie": "谢",
    "song": "宋",
    "tang": "唐",
    "han": "韩",
    "feng": "冯",
    "deng": "邓",
    "cao": "曹",
    "peng": "彭",
    "zeng": "曾",
    "tian": "田",
    "dong": "董",
    "yuan": "袁",
    "pan": "潘",
    "jiang": "蒋",
    "cai": "蔡",
    "du": "杜",
    "ye": "叶",
    "cheng": "程",
    "su": "苏",
    "wei": "魏",
    "ding": "丁",
    "shen": "沈",
    "yao": "姚",
    "zhong": "钟",
    "meng": "孟",
    "qian": "钱",
    "qin": "秦",
    "fang": "方",
    "bai": "白",
    "lu": "陆",
    "xu": "徐",
    "yu": "余",
    "xiao": "肖",
}
_HON_EN = {"manager": "经理", "director": "总监", "boss": "老板", "xiao": "小", "lao": "老"}


def _matches_english(mention: Mention, contact: Contact) -> bool:
    hon, _, surname = mention.name.rpartition(" ")
    hon = hon.rstrip(".").lower()
    sur = _PINYIN.get(surname.lower())
    if sur is None or not hon:
        return False
    if hon in ("xiao", "lao"):
        return contact.name == _HON_EN[hon] + sur
    title = _HON_EN.get(hon)
    return contact.name.startswith(sur) and (
        title is None or title in contact.name or title in contact.title
    )


def _matches(mention: Mention, contact: Contact) -> bool:
    if not mention.name:
        return False
    if mention.name == contact.name:
        return True
    if mention.name.isascii():
        return _matches_english(mention, contact)
    return bool(
        mention.title
        and contact.name[:1] == mention.name[:1]
        and mention.title in contact.title
        and len(mention.name) <= len(mention.title) + 2
    )


def _resolve_people(note: str, mentions: tuple[Mention, ...], called: str | None, m: DebtorMap):
    """Mentions merged per person; returns the people and, per mention, its person index."""
    people: list[dict] = []
    index: list[int] = []
    for mention in mentions:
        key = mention.name or mention.title
        existing = next((c.key for c in m.contacts if _matches(mention, c)), None)
        called_contact = m.contact(called) if called else None
        if (
            existing is None
            and called_contact is not None
            and (not mention.name or mention.name == mention.title)
            and mention.department == called_contact.department.value
        ):
            existing = called  # "the receptionist" when we called the receptionist
        for i, person in enumerate(people):
            if (existing and person["existing"] == existing) or person["key"] == key:
                index.append(i)
                break
        else:
            people.append(
                {"key": key, "mention": mention, "existing": existing, "phones": [], "email": None}
            )
            index.append(len(people) - 1)
    return people, index


def _person_before(pos: int, lo: int, spans, pronouns, mentions_idx) -> int | None:
    """The person named (or a pronoun standing for one) last before ``pos`` but after ``lo``."""
    best: tuple[int, int | None] | None = None
    for (start, _end), i in zip(spans, mentions_idx, strict=True):
        if lo <= start < pos and (best is None or start > best[0]):
            best = (start, i)
    for start, _end in pronouns:
        if lo <= start < pos and (best is None or start > best[0]):
            earlier = [i for (s, _), i in zip(spans, mentions_idx, strict=True) if s < start]
            best = (start, earlier[-1] if earlier else None)
    return None if best is None else best[1]


_SAID = re.compile(r"\s?(?:说|讲|said|says|told me)", re.IGNORECASE)


def _speaker(text: str, pos: int, lo: int, spans, idx, nearest: int | None) -> int | None:
    """Who says a referral: when the person named last sits in an earlier clause
    ("小王说老板不在，让我找财务"), the one who "说" in that sentence, else the nearest."""
    clause_lo, _ = _bounds(_CLAUSE, text, pos)
    near = [s for (s, _), i in zip(spans, idx, strict=True) if lo <= s < pos and i == nearest]
    if nearest is None or not near or near[-1] >= clause_lo:
        return nearest
    for (start, end), i in zip(spans, idx, strict=True):
        if lo <= start < pos and end > 0 and _SAID.match(text, end):
            return i
    return nearest


def extract(
    note: str,
    *,
    called: str | None,
    m: DebtorMap,
    at: datetime,
    timezone: str = "Asia/Shanghai",
    region: str = "CN",
) -> Suggestions:
    """Suggestions from ``note``, written after calling ``called`` at ``at``."""
    if not isinstance(note, str) or not note.strip():
        return Suggestions()
    text = _clean(note)
    zone = ZoneInfo(timezone)
    local = at.astimezone(zone) if at.tzinfo else at.replace(tzinfo=zone)
    today = local.date()

    phones = find_phones(text, region)
    busy = [p.span for p in phones]
    emails = find_emails(text)
    busy += [e.span for e in emails]

    def free(span: tuple[int, int]) -> bool:
        return not any(a < span[1] and span[0] < b for a, b in busy)

    triggers = find_triggers(text)
    mentions = tuple(
        x
        for x in find_mentions(text)
        if free(x.span)
        # "是老板" says who the boss is; the word 老板 in it is no one new
        and not any(t.type == "authorizes" and t.span[0] <= x.span[0] < t.span[1] for t in triggers)
    )
    pronouns = tuple(p for p in find_pronouns(text) if free(p))
    people, idx = _resolve_people(text, mentions, called, m)
    spans = [x.span for x in mentions]
    called_contact = m.contact(called) if called else None

    def ref(i: int | None) -> str | None:
        if i is None:
            return called
        return people[i]["existing"] or people[i]["key"]

    # phones and e-mails belong to the person named last before them, else the called contact
    items: list[PhoneMatch | EmailMatch] = [*phones, *emails]
    for item in items:
        i = _person_before(item.span[0], 0, spans, pronouns, idx)
        if i is None:
            if called_contact is None:
                continue
            known = [j for j, p in enumerate(people) if p["existing"] == called]
            if known:
                i = known[0]
        if i is None and called_contact is not None:
            people.insert(
                0,
                {
                    "key": called_contact.name,
                    "existing": called,
                    "phones": [],
                    "email": None,
                    "mention": Mention(
                        called_contact.name,
                        called_contact.title,
                        called_contact.department.value,
                        item.span,
                    ),
                },
            )
            idx = [j + 1 for j in idx]
            i = 0
            spans.insert(0, (-1, -1))
            idx.insert(0, 0)
        if i is None:
            continue
        if isinstance(item, PhoneMatch):
            people[i]["phones"].append(item)
        elif people[i]["email"] is None:
            people[i]["email"] = item.text

    # a new name whose number is already on the map is that contact
    for person in people:
        if person["existing"] is None and person["phones"]:
            numbers = {p.e164 for p in person["phones"]}
            person["existing"] = next(
                (c.key for c in m.contacts if numbers & {p.e164 for p in c.phones}), None
            )

    relations: list[RelationSuggestion] = []
    for t in triggers:
        lo, hi = _bounds(_SENTENCE, text, t.span[0])
        before = _person_before(t.span[0], lo, spans, pronouns, idx)
        if t.type != "authorizes":
            before = _speaker(text, t.span[0], lo, spans, idx, before)
        after = next((i for (s, _), i in zip(spans, idx, strict=True) if t.span[1] <= s < hi), None)
        if t.type == "authorizes":
            who = after if t.direction == "after" else before
            if who is None and t.direction == "before" and called is None:
                continue
            source = ref(who)
            if source and not any(r.type == "authorizes" and r.source == source for r in relations):
                relations.append(RelationSuggestion(source, None, "authorizes", t.span))
            continue
        if after is None:
            continue
        source, target = ref(before), ref(after)
        if source is None or target is None or source == target:
            continue
        kind = t.type
        if kind == "refers_to" and source != called and any(r.target == source for r in relations):
            kind = "passes_buck_to"  # the person we were sent to sends us on
        if not any((r.source, r.target, r.type) == (source, target, kind) for r in relations):
            relations.append(RelationSuggestion(source, target, kind, t.span))

    callback, callback_spans = _callback(text, today, zone)
    promise = _promise(text, today, free, callback_spans)
    outcome = _outcome(text, promise, relations)

    return Suggestions(
        people=tuple(
            PersonSuggestion(
                name=p["mention"].name,
                title=p["mention"].title,
                department=p["mention"].department,
                phones=tuple(p["phones"]),
                email=p["email"],
                existing=p["existing"],
                span=p["mention"].span,
            )
            for p in people
        ),
        relations=tuple(relations),
        outcome=outcome,
        promise=promise,
        callback=callback,
    )


def _callback(text: str, today: date, zone: ZoneInfo):
    for trigger in CALLBACK.finditer(text):
        lo, hi = _bounds(_CLAUSE, text, trigger.start())
        dates = [d for d in find_dates(text[lo:hi], today)]
        times = [t for t in find_times(text[lo:hi])]
        if not dates and not times:
            continue
        day = dates[0].value if dates else today
        moment = times[0].value if times else _DEFAULT_CALLBACK_TIME
        parts = [(lo + d.span[0], lo + d.span[1]) for d in dates[:1]]
        parts += [(lo + t.span[0], lo + t.span[1]) for t in times[:1]]
        span = (
            min(a for a, _ in [*parts, trigger.span()]),
            max(b for _, b in [*parts, trigger.span()]),
        )
        return CallbackSuggestion(datetime.combine(day, moment, zone), span), parts
    return None, []


def _promise(text: str, today: date, free, callback_spans) -> PromiseSuggestion | None:
    amounts = [
        a
        for a in find_amounts(text)
        if free(a.span)
        and not NOT_PROMISE.search(text[max(0, a.span[0] - 8) : a.span[0]])
        and not ALREADY_PAID.search(text[max(0, a.span[0] - 8) : a.span[0]])
    ]
    # the amount said right after a payment verb is the one promised, else the first
    amounts.sort(key=lambda a: not PAY_BEFORE.search(text[max(0, a.span[0] - 4) : a.span[0]]))
    dates = [
        d
        for d in find_dates(text, today)
        if free(d.span) and not any(a < d.span[1] and d.span[0] < b for a, b in callback_spans)
    ]
    if dates and not amounts:
        # a date alone is a promise only near a payment word in its clause
        lo, hi = _bounds(_CLAUSE, text, dates[0].span[0])
        if not PROMISE_WORDS.search(text[lo:hi]):
            dates = []
    if not amounts and not dates:
        return None
    amount = amounts[0] if amounts else None
    when = dates[0] if dates else None
    parts = [x.span for x in (amount, when) if x is not None]
    return PromiseSuggestion(
        amount.value if amount else None,
        when.value if when else None,
        (min(a for a, _ in parts), max(b for _, b in parts)),
    )


def _outcome(text: str, promise, relations) -> OutcomeSuggestion | None:
    said = find_outcome(text)
    if said and said[0] in ("wrong_number", "no_answer"):
        return OutcomeSuggestion(*said)
    if said and said[0] == "refused" and (promise is None or promise.amount is None):
        return OutcomeSuggestion(*said)
    if said and said[0] == "promised":
        return OutcomeSuggestion(*said)
    if promise is not None:
        return OutcomeSuggestion("promised", promise.span)
    if said:
        return OutcomeSuggestion(*said)
    for r in relations:
        if r.type in ("refers_to", "passes_buck_to"):
            return OutcomeSuggestion("referred", r.span)
    return None
