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
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import opencc

from orgmap.domain.model import DebtorMap
from orgmap.domain.notes.clauses import Clauses
from orgmap.domain.notes.learned import (
    NONE,
    Candidate,
    Features,
    NotesModel,
    amount_features,
    callback_candidates,
    callback_features,
    candidates,
    date_features,
    outcome_features,
    person_features,
    promise_context,
    promise_features,
    second_callback,
    second_promise,
    second_reading,
)
from orgmap.domain.notes.linking import (
    MentionIndex,
    People,
    Person,
    Relation,
    back_and_forth,
    give_numbers,
    link_relations,
    names_on_the_map,
    referrals_by_number,
    resolve_people,
    who_decides,
)
from orgmap.domain.notes.people import Mention, find_mentions, find_pronouns
from orgmap.domain.notes.phones import PhoneMatch, find_emails, find_phones
from orgmap.domain.notes.promises import (
    CallbackSuggestion,
    PromiseReading,
    PromiseSuggestion,
    find_callback,
    read_promise,
)
from orgmap.domain.notes.relations import (
    PUT_OFF,
    REACHED,
    WRONG_NUMBER,
    Trigger,
    find_outcome,
    find_triggers,
)

__all__ = [
    "CallbackSuggestion",
    "Examples",
    "OutcomeSuggestion",
    "PersonSuggestion",
    "PromiseSuggestion",
    "RelationSuggestion",
    "Suggestions",
    "extract",
    "training_examples",
]

MAX_NOTE = 5000  # characters read; a longer note is cut, not refused
# markup, HTML entities (``&nbsp;`` pasted from a web form) and control characters
_NOISE = re.compile(
    r"<[^>\n]{0,200}>|&(?:[a-zA-Z]{2,8}|#\d{1,5}|#x[0-9a-fA-F]{1,4});|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
)


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


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def simplified(text: str) -> str:
    """``text`` in simplified characters where it is traditional (老闆說 → 老板说), character for
    character so that spans keep their place; unchanged when a phrase would change its length.

    >>> simplified("老闆說禮拜五付款，陳小姐電話")
    '老板说礼拜五付款，陈小姐电话'
    """
    if text.isascii():
        return text
    said = _t2s().convert(text)
    return (said if len(said) == len(text) else text).translate(_DIALECT)


# characters of a dialect read as Mandarin's, one for one: 尕 is 小 in Gansu and Qinghai (尕王)
_DIALECT = str.maketrans("尕", "小")


def _as_typed(said: str, typed: str) -> str:
    """A name read from the simplified note, given back as the collector typed it."""
    return typed if typed != said and simplified(typed) == said else said


def _title_as_typed(said: Mention, name: str, typed: str) -> str:
    """The title as typed: 老闆 in 老闆, 經理 in 陳經理, 老闆 in 老闆周德明."""
    if said.title and said.name.endswith(said.title) and len(name) == len(said.name):
        return name[len(name) - len(said.title) :]
    start, size = said.span[0], len(said.title)
    for at in (start, start - size):  # a role said before the name, inside its span or not
        if size and at >= 0 and simplified(typed[at : at + size]) == said.title:
            return typed[at : at + size]
    return said.title


@lru_cache(maxsize=4096)
def _simplified_name(name: str) -> str:
    return simplified(name)


def _simplified_map(m: DebtorMap) -> DebtorMap:
    """The map with its names in simplified characters, to find them in a simplified note."""
    names = {c.key: _simplified_name(c.name) for c in m.contacts}
    if all(names[c.key] == c.name for c in m.contacts):
        return m
    return replace(m, contacts=tuple(replace(c, name=names[c.key]) for c in m.contacts))


def _clean(note: str) -> str:
    """The note cut to MAX_NOTE, markup, entities and control characters blanked (spans keep
    their place)."""
    note = note[:MAX_NOTE]
    return _NOISE.sub(lambda m: " " * len(m.group()), note)


_DIALLED_IT = re.compile(
    r"\s*(?:我)?(?:又)?(?:打过去|拨过去|打了|called it|rang it|dialled it)", re.I
)


_HAN = re.compile(r"[\u3400-\u9fff]")
_NEAR = 160  # characters either side of a number the words saying it is wrong are read over
_TAIWAN = re.compile(r"台湾|台北|台中|高雄|新竹|Taiwan|Taipei", re.IGNORECASE)
# a note from Hong Kong (its money, its name, Cantonese): an eight-digit number said without a
# country code is Hong Kong's ("Carmen直线 2815 3306"), or Macau's when Macau is said just before
_HONG_KONG = re.compile(
    r"HK\$|港币|香港|Hong Kong|(?<![A-Za-z])HK(?![A-Za-z])|佢|哋|唔|喺|咗|嘅|冇|揾|搵",
    re.IGNORECASE,
)
_MACAU_BEFORE = re.compile(r"(?:澳门|Macau|Macao)[^，,。；;\n\d]{0,10}$", re.IGNORECASE)


def _merged(first: tuple[PhoneMatch, ...], more: tuple[PhoneMatch, ...]) -> tuple[PhoneMatch, ...]:
    """``first`` with the matches of ``more`` that overlap none of them, in order."""
    extra = [
        p
        for p in more
        if not any(a < p.span[1] and p.span[0] < b for a, b in (q.span for q in first))
    ]
    return tuple(sorted((*first, *extra), key=lambda p: p.span))


def _said_wrong(c: Clauses, span: tuple[int, int], phones: tuple[PhoneMatch, ...]) -> bool:
    """The note says this number is wrong: in its clause, or in a later clause of its sentence
    before the next number's clause ("换了个号码 139… 打过去是个卖保险的，打错了")."""
    lo, _ = c.clause(span[0])
    _, stop = c.sentence(span[0])
    # (a note of thousands of characters typed without a stop is read near the number)
    lo, stop = max(lo, span[0] - _NEAR), min(stop, span[1] + _NEAR)
    k = bisect_left(phones, span[1], key=lambda p: p.span[0])
    nxt = phones[k].span[0] if k < len(phones) else None
    if nxt is not None and nxt < stop:
        stop = max(span[1], c.clause(nxt)[0])
    if WRONG_NUMBER.search(c.text, lo, stop) is not None:
        return True
    # "…给了 135 3317 2208。我打过去，提示已停机。": dialled in the next sentence
    if nxt is None or nxt >= stop:
        after_lo, after_hi = c.sentence(min(stop + 1, len(c.text)))
        if after_lo >= stop and _DIALLED_IT.match(c.text, after_lo):
            return WRONG_NUMBER.search(c.text, after_lo, after_hi) is not None
    return False


@dataclass(slots=True)
class _Reading:
    """What the rules read in one note, before the learned second reading."""

    typed: str  # the note as typed, cleaned
    c: Clauses  # over the note in simplified characters
    found: People
    relations: list[Relation]
    triggers: tuple[Trigger, ...]  # the relation phrases the rules know, in order
    names: dict[str, str]  # each name as read (simplified) → as typed
    free: Callable[[tuple[int, int]], bool]  # no number or e-mail over this span


def _read(note: str, called: str | None, m: DebtorMap, region: str) -> _Reading | None:
    if not isinstance(note, str) or not note.strip():
        return None
    typed = _clean(note)
    # traditional characters are read as simplified ones (老闆 is 老板); names keep their form
    text = simplified(typed)
    m = _simplified_map(m)
    c = Clauses(text)
    said = find_phones(text, region)
    if region == "CN" and (text != typed or _TAIWAN.search(text)):
        # a note typed in traditional script may give Taiwanese numbers (0928-551-306,
        # 02-2718-6530): read what the mainland reading left
        said = _merged(said, find_phones(text, "TW"))
    if region == "CN" and _HONG_KONG.search(text):
        macau = tuple(
            p
            for p in find_phones(text, "MO")
            if _MACAU_BEFORE.search(text, max(0, p.span[0] - 12), p.span[0])
        )
        said = _merged(_merged(said, macau), find_phones(text, "HK"))
    # a number the note says is wrong is noise, but still not an amount or a date
    busy = [p.span for p in said]
    phones = tuple(p for p in said if not _said_wrong(c, p.span, said))
    emails = find_emails(text)
    busy += [e.span for e in emails]

    def free(span: tuple[int, int]) -> bool:
        return not any(a < span[1] and span[0] < b for a, b in busy)

    triggers = find_triggers(text)
    # "是老板" says who the boss is; the word 老板 in it is no one new
    in_authorizes = {i for t in triggers if t.type == "authorizes" for i in range(*t.span)}
    mentions = tuple(
        x for x in find_mentions(text) if free(x.span) and x.span[0] not in in_authorizes
    )
    mentions = names_on_the_map(text, mentions, m, free)
    found = resolve_people(mentions, called, m)
    ix = MentionIndex(found, tuple(p for p in find_pronouns(text) if free(p)))
    first_item = give_numbers(c, ix, [*phones, *emails], m.contact(called) if called else None)
    people = found.people
    # a new name whose number is already on the map is that contact
    for person in people:
        if person.existing is None and person.phones:
            numbers = {p.e164 for p in person.phones}
            person.existing = next(
                (c.key for c in m.contacts if numbers & {p.e164 for p in c.phones}), None
            )

    relations = link_relations(c, triggers, ix, called)
    if called is not None:
        relations += referrals_by_number(c, ix, called, first_item, relations)
    relations += who_decides(c, relations)
    relations = back_and_forth(c, relations, called, ix)
    names = {
        p.mention.name: _as_typed(p.mention.name, typed[p.mention.span[0] : p.mention.span[1]])
        for p in people
    }
    return _Reading(typed, c, found, relations, triggers, names, free)


def _timing(at: datetime, timezone: str) -> tuple[ZoneInfo, datetime]:
    zone = ZoneInfo(timezone)
    return zone, at.astimezone(zone) if at.tzinfo else at.replace(tzinfo=zone)


def _typed_person(r: _Reading, p: Person) -> tuple[str, str]:
    """The name and title of ``p`` as the collector typed them."""
    name = r.names[p.mention.name]
    return name, _title_as_typed(p.mention, name, r.typed)


@dataclass(frozen=True, slots=True)
class _Said:
    """The call-back, the promise (with every amount and day weighed) and the outcome the
    rules read in a note, and the call's moment in the team's time zone."""

    callback: CallbackSuggestion | None
    reading: PromiseReading
    outcome: OutcomeSuggestion | None
    zone: ZoneInfo
    local: datetime

    @property
    def promise(self) -> PromiseSuggestion | None:
        return self.reading.promise

    @property
    def context(self) -> Features:
        return promise_context(self.outcome.value if self.outcome else None, self.promise)


def _said(r: _Reading, at: datetime, timezone: str) -> _Said:
    """What the rules read in ``r`` of the call-back, the promise and the outcome."""
    zone, local = _timing(at, timezone)
    callback, callback_spans = find_callback(r.c, local.date(), zone, local)
    reading = read_promise(r.c, local.date(), r.free, callback_spans)
    return _Said(callback, reading, _outcome(r.c, reading.promise, r.relations), zone, local)


def _promised_day(said: _Said) -> date | None:
    return said.promise.date if said.promise else None


def extract(
    note: str,
    *,
    called: str | None,
    m: DebtorMap,
    at: datetime,
    timezone: str = "Asia/Shanghai",
    region: str = "CN",
    learned: bool = True,
    model: NotesModel | None = None,
) -> Suggestions:
    """Suggestions from ``note``, written after calling ``called`` at ``at``.

    ``learned=False`` gives the rules' findings alone, without the model's second reading of
    the relations, the people, the outcome, the promise and the call-back
    (:mod:`~orgmap.domain.notes.learned`): to
    measure each, and to train the model on what the rules say.  ``model`` reads with another
    model than the one shipped (one trained without some sets, to measure it on them)."""
    r = _read(note, called, m, region)
    if r is None:
        return Suggestions()
    c, names = r.c, r.names
    said = _said(r, at, timezone)
    callback, promise, outcome = said.callback, said.promise, said.outcome
    relations, people = r.relations, r.found.people
    if learned:
        model = model or NotesModel.load()
        today = said.local.date()
        promise = second_promise(c, said.reading, today, said.context, model)
        callback = second_callback(
            c, callback, _promised_day(said), today, said.zone, said.local, model
        )
        if promise != said.promise:
            # the outcome the rules read with the model's promise ("promised" with no promise
            # left is no outcome; leave-one-wave-out over held-out 15 to 42: outcome 0.888 /
            # 0.922 → 0.907 / 0.929)
            outcome = _outcome(c, promise, r.relations)
        relations, no_one = second_reading(c, r.found, r.relations, called, r.triggers, model)
        people = [p for p in people if p.ref not in no_one]
        # (a note with no Chinese that names no one and says nothing the rules know is no call
        # to read: noise such as "<script>alert(1)</script>" gets no outcome)
        if people or r.triggers or promise or callback or _HAN.search(c.text):
            outcome = _learned_outcome(c, model, outcome, r.relations, promise, callback, relations)
    return Suggestions(
        people=tuple(
            PersonSuggestion(
                *_typed_person(r, p),
                department=p.mention.department,
                phones=tuple(p.phones),
                email=p.email,
                existing=p.existing,
                span=p.mention.span,
            )
            for p in people
        ),
        relations=tuple(
            RelationSuggestion(
                names.get(x.source, x.source),
                None if x.target is None else names.get(x.target, x.target),
                x.type,
                x.span,
            )
            for x in relations
        ),
        outcome=outcome,
        promise=promise,
        callback=callback,
    )


def _outcome_features(
    c: Clauses,
    said: OutcomeSuggestion | None,
    rules: list[Relation],
    promise: PromiseSuggestion | None,
    callback: CallbackSuggestion | None,
) -> Features:
    """What the outcome head reads: the rules' outcome, relations, promise and call-back."""
    return outcome_features(
        c,
        said.value if said else None,
        rules,
        promise is not None,
        promise is not None and promise.amount is not None,
        callback is not None,
    )


def _learned_outcome(
    c: Clauses,
    model: NotesModel,
    said: OutcomeSuggestion | None,
    rules: list[Relation],
    promise: PromiseSuggestion | None,
    callback: CallbackSuggestion | None,
    relations: list[Relation],
) -> OutcomeSuggestion | None:
    """The outcome the model reads, at the words that say it (the rules', the promise's, the
    referral's; else the first sentence)."""
    if said is not None:
        return said  # what a rule says stands
    value = model.outcome.finding(_outcome_features(c, said, rules, promise, callback))
    if value == NONE:
        return None
    if value == "promised" and promise is not None:
        return OutcomeSuggestion(value, promise.span)
    referral = next((x for x in relations if x.type != "authorizes"), None)
    if value == "referred" and referral is not None:
        return OutcomeSuggestion(value, referral.span)
    return OutcomeSuggestion(value, c.sentence(0))


@dataclass(frozen=True, slots=True)
class Examples:
    """What the model's heads score in one note, named as the suggestions name people, for
    ``bench.train_notes_model`` to label from the labelled notes."""

    relations: tuple[Candidate, ...]
    people: tuple[tuple[str, str, Features], ...]  # name, title, features
    outcome: Features | None
    amounts: tuple[tuple[str, Features], ...] = ()  # each amount weighed, as a decimal string
    dates: tuple[tuple[str, Features], ...] = ()  # each day weighed, ISO 8601
    promise: Features | None = None  # the note as a whole
    callbacks: tuple[tuple[str, Features], ...] = ()  # each moment, ISO 8601


def training_examples(
    note: str,
    *,
    called: str | None,
    m: DebtorMap,
    at: datetime,
    timezone: str = "Asia/Shanghai",
    region: str = "CN",
) -> Examples:
    """The model's inputs for ``note``, all read from the rules' findings alone."""
    r = _read(note, called, m, region)
    if r is None:
        return Examples((), (), None)
    said = _said(r, at, timezone)  # (the note read once)
    today, reading = said.local.date(), said.reading
    moments = callback_candidates(r.c, today, said.zone, said.local)
    return Examples(
        relations=tuple(
            replace(
                cand,
                source=r.names.get(cand.source, cand.source),
                target=None if cand.target is None else r.names.get(cand.target, cand.target),
            )
            for cand in candidates(r.c, r.found, r.relations, called, r.triggers)
        ),
        people=tuple(
            (*_typed_person(r, r.found.people[i]), f)
            for i, f in person_features(r.c, r.found, r.relations)
        ),
        outcome=_outcome_features(r.c, said.outcome, r.relations, said.promise, said.callback),
        amounts=tuple(
            (str(a.value), f)
            for (a, _), f in zip(
                reading.amounts, amount_features(r.c, reading, said.context), strict=True
            )
        ),
        dates=tuple(
            (d.value.isoformat(), f)
            for (d, _), f in zip(
                reading.dates, date_features(r.c, reading, today, said.context), strict=True
            )
        ),
        promise=promise_features(r.c, said.context),
        callbacks=tuple(
            (moment.isoformat(), f)
            for (moment, _, _), f in zip(
                moments,
                callback_features(r.c, moments, said.callback, _promised_day(said), today),
                strict=True,
            )
        ),
    )


# a reply by another channel after an unanswered call: "回短信说", "QQ上说", "replied by WeChat"
_OTHER_CHANNEL = re.compile(
    r"短信|微信|QQ|邮件|回复|回了?消息|\b(?:text(?:ed)?|sms|wechat|e-?mail(?:ed)?|replied|messaged)\b",
    re.IGNORECASE,
)


_FLAT_REFUSAL = re.compile(r"拒绝|拒付|refus|won'?t pay|will not pay", re.IGNORECASE)


def _outcome(c: Clauses, promise, relations) -> OutcomeSuggestion | None:
    text = c.text
    said = find_outcome(text)
    if said and said[0] == "promised" and PUT_OFF.search(text, *c.sentence(said[1][0])):
        said = None  # "pay next month maybe, depend on their customer": a hedge
    referred = next((r for r in relations if r.type in ("refers_to", "passes_buck_to")), None)
    if said and said[0] == "wrong_number" and referred is not None:
        # "老号码停机了，财务现在的电话是…，找财务的方姐": a wrong number, then who to call
        said = ("referred", referred.span)
    if (
        said
        and said[0] == "refused"
        and referred is not None
        and referred.span[0] > said[1][0]
        and not _FLAT_REFUSAL.match(text, said[1][0])
    ):
        # "新公司不认旧账，让我们去找原来的老板" (but "他拒绝付款，推给了孙经理" refused)
        said = ("referred", referred.span)
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
    if (
        said
        and said[0] == "no_answer"
        and promise is not None
        and promise.span[0] >= said[1][1]
        and _OTHER_CHANNEL.search(text, said[1][1], promise.span[0])
    ):
        # "打了四五次都没人接…小王回短信说财务1月8日前付3万": promised later, by SMS or QQ;
        # without another channel between, the note holds two outcomes and the form asks
        return OutcomeSuggestion("promised", promise.span)
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
