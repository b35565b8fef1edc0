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
from datetime import datetime
from zoneinfo import ZoneInfo

from orgmap.domain.model import Contact, DebtorMap
from orgmap.domain.notes.clauses import Clauses
from orgmap.domain.notes.people import PINYIN_SURNAMES, Mention, find_mentions, find_pronouns
from orgmap.domain.notes.phones import EmailMatch, PhoneMatch, find_emails, find_phones
from orgmap.domain.notes.promises import (
    CallbackSuggestion,
    PromiseSuggestion,
    find_callback,
    find_promise,
)
from orgmap.domain.notes.relations import (
    NO_AUTHORITY,
    REACHED,
    WRONG_NUMBER,
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
_NOISE = re.compile(r"<[^>\n]{0,200}>|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


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


_HON_EN = {"manager": "经理", "director": "总监", "boss": "老板", "xiao": "小", "lao": "老"}


def _matches_english(mention: Mention, contact: Contact) -> bool:
    hon, _, surname = mention.name.rpartition(" ")
    hon = hon.rstrip(".").lower()
    sur = PINYIN_SURNAMES.get(surname.lower())
    if sur is None:
        return False
    if not hon:  # a bare "Zhao": the contact whose surname it is
        return contact.name.lstrip("小老阿").startswith(sur)
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
    called_contact = m.contact(called) if called else None
    for mention in mentions:
        key = mention.name or mention.title
        known = [c.key for c in m.contacts if _matches(mention, c)]
        existing = called if called in known else next(iter(known), None)
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
# the called contact speaking, for a number they give without a word for it ("小王：…")
_TELLS = re.compile(r"\s?(?:说|讲|告诉|[：:]|said|says|told)", re.IGNORECASE)
# how far (characters, no punctuation) a name may sit before "签字": "等韦总回来签字"
_ADJACENT = re.compile(r"^[^，,。；;！!？?\s]{0,3}$")


def _speaker(c: Clauses, pos: int, lo: int, spans, idx, nearest: int | None) -> int | None:
    """Who says a referral: when the person named last sits in an earlier clause
    ("小王说老板不在，让我找财务"), the one who "说" in that sentence, else the nearest."""
    clause_lo, _ = c.clause(pos)
    near = [s for (s, _), i in zip(spans, idx, strict=True) if lo <= s < pos and i == nearest]
    if nearest is None or not near or near[-1] >= clause_lo:
        return nearest
    for (start, end), i in zip(spans, idx, strict=True):
        if lo <= start < pos and end > 0 and _SAID.match(c.text, end):
            return i
    return nearest


def _said_wrong(c: Clauses, span: tuple[int, int], phones: tuple[PhoneMatch, ...]) -> bool:
    """The note says this number is wrong: in its clause, or in a later clause of its sentence
    before the next number's clause ("换了个号码 139… 打过去是个卖保险的，打错了")."""
    lo, _ = c.clause(span[0])
    _, stop = c.sentence(span[0])
    nxt = next((p.span[0] for p in phones if p.span[0] >= span[1]), None)
    if nxt is not None and nxt < stop:
        stop = max(span[1], c.clause(nxt)[0])
    return WRONG_NUMBER.search(c.text, lo, stop) is not None


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
    c = Clauses(text)
    zone = ZoneInfo(timezone)
    local = at.astimezone(zone) if at.tzinfo else at.replace(tzinfo=zone)
    today = local.date()

    said = find_phones(text, region)
    # a number the note says is wrong is noise, but still not an amount or a date
    busy = [p.span for p in said]
    phones = tuple(p for p in said if not _said_wrong(c, p.span, said))
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
    first_item: dict[int, PhoneMatch | EmailMatch] = {}
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
            first_item = {j + 1: x for j, x in first_item.items()}
            i = 0
            spans.insert(0, (-1, -1))
            idx.insert(0, 0)
        if i is None:
            continue
        if i not in first_item or item.span < first_item[i].span:
            first_item[i] = item
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

    def add(source: str, target: str | None, kind: str, span: tuple[int, int]) -> None:
        if not any((r.source, r.target, r.type) == (source, target, kind) for r in relations):
            relations.append(RelationSuggestion(source, target, kind, span))

    for t in triggers:
        lo, hi = c.sentence(t.span[0])
        before = _person_before(t.span[0], lo, spans, pronouns, idx)
        if t.type != "authorizes":
            before = _speaker(c, t.span[0], lo, spans, idx, before)
        after = next((i for (s, _), i in zip(spans, idx, strict=True) if t.span[1] <= s < hi), None)
        if t.type == "authorizes":
            if t.direction == "adjacent":
                who = next(
                    (
                        i
                        for (s, e), i in reversed(list(zip(spans, idx, strict=True)))
                        if lo <= s and e <= t.span[0] and _ADJACENT.match(text[e : t.span[0]])
                    ),
                    None,
                )
                if who is None:
                    continue
            else:
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
        add(source, target, kind, t.span)

    if called is not None:
        _referrals_by_number(c, called, people, spans, idx, first_item, relations)
    # "这事他说了不算，要问陈总": whoever we are sent to next in that sentence decides
    for said_no in NO_AUTHORITY.finditer(text):
        _, hi = c.sentence(said_no.start())
        sent = next(
            (
                r
                for r in relations
                if r.target and r.type != "authorizes" and said_no.end() <= r.span[0] < hi
            ),
            None,
        )
        if sent is not None and sent.target is not None:
            add(sent.target, None, "authorizes", said_no.span())

    callback, callback_spans = find_callback(c, today, zone)
    promise = find_promise(c, today, free, callback_spans)
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


def _referrals_by_number(c: Clauses, called, people, spans, idx, first_item, relations) -> None:
    """A number (or e-mail) given for someone new while the called contact speaks is a referral,
    said or not: "小王说李姐跟陈会计都出差了，陈会计的手机159…" → 小王 refers to 陈会计."""
    for i, item in sorted(first_item.items(), key=lambda x: x[1].span):
        person = people[i]
        target = person["existing"] or person["key"]
        if target == called or any(r.target == target for r in relations):
            continue
        lo, _ = c.sentence(item.span[0])
        speaking = [
            s
            for (s, e), j in zip(spans, idx, strict=True)
            if lo <= s < item.span[0]
            and people[j]["existing"] == called
            and e > 0
            and _TELLS.match(c.text, e)
        ]
        if speaking:
            relations.append(
                RelationSuggestion(called, target, "refers_to", (speaking[0], item.span[1]))
            )


def _outcome(text: str, promise, relations) -> OutcomeSuggestion | None:
    said = find_outcome(text)
    if said and said[0] == "no_answer":
        # "打了两次没人接，第三次小王接了说…": reached after all, so what was said then
        reached = REACHED.search(text, said[1][1])
        if reached is not None:
            later = find_outcome(text[reached.end() :])
            said = (
                None
                if later is None
                else (later[0], (later[1][0] + reached.end(), later[1][1] + reached.end()))
            )
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
