"""Who is who in a call note, whose number is whose, and who sent us to whom.

The mentions found by :mod:`~orgmap.domain.notes.people` become people (one per person,
matched to the map), numbers and e-mails go to the person they were said for, and the relation
phrases of :mod:`~orgmap.domain.notes.relations` are tied to the people around them.  Every
look-up around a position is a bisection over the mentions in order, so a 5,000-character note
full of names and phrases stays fast.

>>> from decimal import Decimal
>>> from orgmap.domain.model import Contact, Debtor, DebtorMap, Department
>>> from orgmap.domain.notes.clauses import Clauses
>>> from orgmap.domain.notes.people import find_mentions, find_pronouns
>>> from orgmap.domain.notes.relations import find_triggers
>>> m = DebtorMap(Debtor("acme", "Acme", Decimal(0)),
...               (Contact("wang", "小王", Department.RECEPTION),))
>>> text = "小王说找采购的唐经理，唐经理说付款要问财务的戚会计"
>>> people = resolve_people(find_mentions(text), "wang", m)
>>> [(p.key, p.existing) for p in people.people]
[('小王', 'wang'), ('唐经理', None), ('戚会计', None)]
>>> ix = MentionIndex(people, find_pronouns(text))
>>> found = link_relations(Clauses(text), find_triggers(text), ix, "wang")
>>> [(r.type, r.source, r.target) for r in found]
[('refers_to', 'wang', '唐经理'), ('passes_buck_to', '唐经理', '戚会计')]
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field

from orgmap.domain.model import Contact, DebtorMap
from orgmap.domain.notes.clauses import Clauses
from orgmap.domain.notes.people import PINYIN_SURNAMES, Mention
from orgmap.domain.notes.phones import EmailMatch, PhoneMatch
from orgmap.domain.notes.relations import BACK_AND_FORTH, GIVES, NO_AUTHORITY, NOT_MINE, Trigger

__all__ = [
    "MentionIndex",
    "Person",
    "Relation",
    "give_numbers",
    "link_relations",
    "referrals_by_number",
    "resolve_people",
    "who_decides",
]

Span = tuple[int, int]

_SAID = re.compile(r"\s?(?:又|也|就|还|却)?(?:说|讲|话(?!费)|said|says|told me)", re.IGNORECASE)
# the called contact speaking, for a number they give without a word for it ("小王：…")
_TELLS = re.compile(r"\s?(?:说|讲|告诉|念|报|[：:]|said|says|told)", re.IGNORECASE)
# someone speaks before a bare "找" ("小王说财务室电话是…，找钱会计")
_KIN_BARE = re.compile(r"老公|老婆|爱人|弟弟|哥哥|妹妹|姐姐|儿子|女儿|爸|妈")
_ROLE_JUST_BEFORE = re.compile(r"(?:老板娘|老板|财务|会计|出纳|厂长|老总|董事长|总经理)$")
_ROLE_DEPARTMENT = {
    "老板娘": "owner",
    "老板": "owner",
    "董事长": "owner",
    "财务": "finance",
    "会计": "finance",
    "出纳": "finance",
    "老总": "management",
    "总经理": "management",
}
_NAMED_NEXT = re.compile(r"\s*(?:是|到了?|给了?)")
# how far back a "not mine" is heard before a referral: a sentence typed without full stops
# can run for the whole note, and each referral must not read it all again
_NOT_MINE_REACH = 80
_COLLECTOR_SAYS = re.compile(r"\s*我(?:说|问|讲)")
# a sentence that opens with a pronoun speaking: "她说…", "He said…"
_PRONOUN_SAYS = re.compile(r"\s*(?:[她他](?:说|讲|话|告诉我)|(?:she|he) (?:said|says|told))", re.I)
# "老板的弟弟阿斌", "the boss's brother, Kenny": someone named through a kin or a helper
_KIN = re.compile(
    r"的(?:弟弟|哥哥|妹妹|姐姐|表姐|表哥|表弟|表妹|侄子|侄女|儿子|女儿|老婆|老公|爱人|亲戚|秘书|助理|司机)"
    r"|['’]s (?:brother|sister|son|daughter|wife|husband|nephew|niece|assistant|secretary),?\s*"
)
_SPEAKS = re.compile(
    r"说|讲|(?<=[\u4e00-\u9fff])(?<!电)话(?![费筒])|告诉|[：:]|said|says|told",  # 话: Cantonese
    re.IGNORECASE,
)
# "号码：150…，是他们财务主管的，姓龙，龙主管": the number belongs to the one named after it
_OWNER_AFTER = re.compile(r"\s*[，,]?\s*(?:说是|是|为)")
# "是我的", "是她的": a number of the speaker or of someone named before, not after
_SELF_OR_PRONOUN = re.compile(r"我|[她他](?!们)|\b(?:my|mine|his|hers)\b", re.IGNORECASE)
# who may authorize by agreeing ("老板同意了")
_LEADER_WORDS = "总 老总 总经理 总监 董 董事长 老板 老板娘 大老板 boss owner ceo gm director"
_LEADERS = frozenset(_LEADER_WORDS.split())
# how far (characters, no punctuation) a name may sit before "签字": "等韦总回来签字"
_ADJACENT = re.compile(r"^[^，,。；;！!？?\s]{0,3}$")
# how many mentions back a rule looks for a speaker within one sentence: a real sentence names
# a handful of people; a pasted wall of names must not make every phrase scan all of them
_LOOK_BACK = 64
_HON_EN = {"manager": "经理", "director": "总监", "boss": "老板", "xiao": "小", "lao": "老"}


@dataclass(slots=True)
class Person:
    """One person of the note, while the note is read: how first said, and what was given."""

    key: str  # the name as said, or the title for "the receptionist"
    mention: Mention
    existing: str | None  # the contact key when on the map
    phones: list[PhoneMatch] = field(default_factory=list)
    email: str | None = None

    @property
    def ref(self) -> str:
        return self.existing or self.key


@dataclass(frozen=True, slots=True)
class Relation:
    source: str
    target: str | None
    type: str
    span: Span


@dataclass(slots=True)
class People:
    people: list[Person]
    spans: list[Span]  # every mention, in order (a number's owner added unsaid is at (-1, -1))
    index: list[int]  # per mention, its person


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


# Ways of saying "the boss": 周总, 周老板 and 周董 are all 周德明 the owner.
_BOSS_WORDS = ("总", "老板", "董")
_BOSS_DEPARTMENTS = frozenset({"owner", "management"})


def _is_boss(contact: Contact) -> bool:
    return contact.department.value in _BOSS_DEPARTMENTS or any(
        w in contact.title for w in _BOSS_WORDS
    )


def _matches(mention: Mention, contact: Contact) -> bool:
    if not mention.name:
        return False
    if mention.name == contact.name:
        return True
    if mention.name.isascii():
        return _matches_english(mention, contact)
    if mention.name == mention.title:  # 老板 said alone: the owner, when the map has one
        return mention.department == "owner" == contact.department.value
    if not mention.title or len(mention.name) > len(mention.title) + 2:
        return False
    if contact.name[:1] != mention.name[:1]:
        return False
    if mention.title in contact.title:
        return True
    return any(w in mention.title for w in _BOSS_WORDS) and _is_boss(contact)


def names_on_the_map(
    text: str, mentions: tuple[Mention, ...], m: DebtorMap, free: Callable[[Span], bool]
) -> tuple[Mention, ...]:
    """``mentions`` with every full name of a contact on the map said in ``text`` (周德明 has
    no title to be found by); a role said just before it ("老板周德明", "财务吴芳") is that
    person's title, not someone else.

    >>> from decimal import Decimal
    >>> from orgmap.domain.model import Debtor, Department
    >>> boss = Contact("zhou", "周德明", Department.OWNER, "老板")
    >>> said = names_on_the_map("要老板周德明签字", (Mention("老板", "老板", "owner", (1, 3)),),
    ...     DebtorMap(Debtor("d", "D", Decimal(1)), (boss,)), lambda span: True)
    >>> [(x.name, x.title, x.department, x.span) for x in said]
    [('周德明', '老板', 'owner', (1, 6))]
    """
    names = {c.name for c in m.contacts if not c.archived and len(c.name) >= 2}
    names = {n for n in names if not n.isascii()}  # English names: the patterns find them
    if not names:
        return mentions
    found = list(mentions)
    for name in sorted(names, key=len, reverse=True):
        start = text.find(name)
        while start >= 0:
            span = (start, start + len(name))
            start = text.find(name, span[1])
            same = next((x for x in found if x.span == span and not x.title), None)
            role = (  # the role is at most three characters: look no further back
                _ROLE_JUST_BEFORE.search(text, max(0, span[0] - 3), span[0])
                if same is not None
                else None
            )
            if same is not None and role is not None:  # "老板周德明", read as a full name
                found[found.index(same)] = Mention(
                    name, role.group(), _ROLE_DEPARTMENT.get(role.group()), span
                )
                continue
            if not free(span) or any(a <= span[0] and span[1] <= b for a, b in _spans(found)):
                continue
            found = [x for x in found if not (x.span[0] < span[1] and span[0] < x.span[1])]
            before = next((x for x in found if x.span[1] == span[0] and x.name == x.title), None)
            if before is not None:  # "老板周德明": the role is his
                found.remove(before)
                said = Mention(name, before.title, before.department, (before.span[0], span[1]))
            else:
                said = Mention(name, "", None, span)
            found.append(said)
    found.sort(key=lambda x: x.span)
    return tuple(found)


def _spans(mentions: list[Mention]) -> list[Span]:
    return [x.span for x in mentions]


def resolve_people(mentions: tuple[Mention, ...], called: str | None, m: DebtorMap) -> People:
    """Mentions merged per person, matched to the map."""
    people: list[Person] = []
    index: list[int] = []
    called_contact = m.contact(called) if called else None
    # "小王今天请假，代班的前台说…": with the called contact named, "the receptionist" is another
    called_named = called_contact is not None and any(
        x.name and x.name != x.title and _matches(x, called_contact) for x in mentions
    )
    by_key: dict[str, int] = {}
    by_existing: dict[str, int] = {}
    for mention in mentions:
        key = mention.name or mention.title
        known = [c.key for c in m.contacts if not c.archived and _matches(mention, c)]
        if mention.name == mention.title and len(known) > 1:
            known = []  # 老板 alone, and the map has two owners: say which is not ours to guess
        existing = called if called in known else next(iter(known), None)
        if (
            existing is None
            and called_contact is not None
            and not called_named
            and (not mention.name or mention.name == mention.title)
            and mention.department == called_contact.department.value
        ):
            existing = called  # "the receptionist" when we called the receptionist
        same = [i for i in (by_existing.get(existing or ""), by_key.get(key)) if i is not None]
        if same:
            index.append(min(same))  # the first person that is this one
            continue
        people.append(Person(key, mention, existing))
        by_key.setdefault(key, len(people) - 1)
        if existing:
            by_existing.setdefault(existing, len(people) - 1)
        index.append(len(people) - 1)
    return People(people, [x.span for x in mentions], index)


def _start(span: Span) -> int:
    return span[0]


class MentionIndex:
    """The mentions and pronouns of a note in order, for look-ups around a position."""

    __slots__ = ("p", "pronouns")

    def __init__(self, people: People, pronouns: tuple[Span, ...]) -> None:
        self.p = people
        self.pronouns = pronouns

    def last_before(self, pos: int) -> int:
        """The position in the mention list of the last mention starting before ``pos``."""
        return bisect_left(self.p.spans, pos, key=_start) - 1

    def first_from(self, pos: int) -> int:
        return bisect_left(self.p.spans, pos, key=_start)

    def before(self, pos: int, lo: int) -> int | None:
        """The person named (or a pronoun standing for one) last before ``pos``, from ``lo``."""
        spans, index = self.p.spans, self.p.index
        k = self.last_before(pos)
        best = (spans[k][0], index[k]) if k >= 0 and spans[k][0] >= lo else None
        q = bisect_left(self.pronouns, pos, key=_start) - 1
        if q >= 0 and self.pronouns[q][0] >= lo and (best is None or self.pronouns[q][0] > best[0]):
            j = self.last_before(self.pronouns[q][0])  # she: the one named last before her
            return index[j] if j >= 0 else None
        return None if best is None else best[1]

    def after(self, pos: int, hi: int) -> int | None:
        """The person named first from ``pos``, before ``hi``."""
        k = self.first_from(pos)
        spans = self.p.spans
        return self.p.index[k] if k < len(spans) and spans[k][0] < hi else None

    def speaker(self, c: Clauses, pos: int, lo: int, nearest: int | None) -> int | None:
        """Who says a referral: when the person named last sits in an earlier clause
        ("小王说老板不在，让我找财务"), the one who "说" last before it in that sentence
        ("小王说找唐经理，唐经理说…付款要问戚会计": 唐经理), else the nearest."""
        if nearest is None:
            return None
        spans, index = self.p.spans, self.p.index
        clause_lo, _ = c.clause(pos)
        back = range(self.last_before(pos), max(-1, self.last_before(pos) - _LOOK_BACK), -1)
        near = next((spans[j][0] for j in back if spans[j][0] >= lo and index[j] == nearest), None)
        if near is None or near >= clause_lo:
            return nearest
        for j in back:
            start, end = spans[j]
            if start < lo:
                break
            if end > 0 and _SAID.match(c.text, end):
                return index[j]
        return nearest

    def right_before(self, text: str, pos: int, lo: int) -> int | None:
        """The person named just before ``pos`` (a few characters, no punctuation between)."""
        spans = self.p.spans
        for j in range(self.last_before(pos), max(-1, self.last_before(pos) - 8), -1):
            start, end = spans[j]
            if start < lo:
                break
            if end <= pos and _ADJACENT.match(text[end:pos]):
                return self.p.index[j]
        return None

    def owner_after(self, text: str, end: int, stop: int) -> int | None:
        """The person a number is said to be of, named after it: "150…，是他们财务主管的，姓龙，
        龙主管"."""
        if not _OWNER_AFTER.match(text, end):
            return None
        spans = self.p.spans
        k = self.first_from(end)
        if k >= len(spans) or spans[k][0] >= stop:
            return None
        start, name_end = spans[k]
        if _SELF_OR_PRONOUN.search(text, end, start):
            return None  # "138…是我的，李姐不在": the speaker's own
        if "的" in text[end:start] or text.startswith("的", name_end):  # "是李姐的"
            return self.p.index[k]
        return None


def give_numbers(
    c: Clauses,
    ix: MentionIndex,
    items: list[PhoneMatch | EmailMatch],
    called_contact: Contact | None,
) -> dict[int, PhoneMatch | EmailMatch]:
    """Numbers and e-mails to the person named last before them (or said after them, "是X的"),
    else to the called contact, added when not named; returns each person's first one."""
    p = ix.p
    first_item: dict[int, PhoneMatch | EmailMatch] = {}
    for item in items:
        _, stop = c.sentence(item.span[0])
        i = ix.owner_after(c.text, item.span[1], stop)
        if i is None:
            i = ix.before(item.span[0], 0)
        if i is None and called_contact is not None:
            known = [j for j, x in enumerate(p.people) if x.existing == called_contact.key]
            if known:
                i = known[0]
            else:
                said = Mention(
                    called_contact.name,
                    called_contact.title,
                    called_contact.department.value,
                    item.span,
                )
                p.people.insert(0, Person(called_contact.name, said, called_contact.key))
                p.index = [0, *(j + 1 for j in p.index)]
                p.spans.insert(0, (-1, -1))
                first_item = {j + 1: x for j, x in first_item.items()}
                i = 0
        if i is None:
            continue
        if i not in first_item or item.span < first_item[i].span:
            first_item[i] = item
        if isinstance(item, PhoneMatch):
            p.people[i].phones.append(item)
        elif p.people[i].email is None:
            p.people[i].email = item.text
    return first_item


def _is_leader(mention: Mention) -> bool:
    words = {mention.title, mention.name, *mention.name.split()[:1]}
    return any(w.rstrip(".").lower() in _LEADERS for w in words if w)


class _Relations:
    """Relations found so far, each once, with the look-ups the rules ask of them."""

    def __init__(self) -> None:
        self.found: list[Relation] = []
        self._seen: set[tuple[str, str | None, str]] = set()
        self.targets: set[str] = set()
        self.authorizers: set[str] = set()

    def add(self, source: str, target: str | None, kind: str, span: Span) -> None:
        if (source, target, kind) in self._seen:
            return
        if kind == "authorizes" and source in self.authorizers:
            return
        self._seen.add((source, target, kind))
        self.found.append(Relation(source, target, kind, span))
        if target is not None:
            self.targets.add(target)
        if kind == "authorizes":
            self.authorizers.add(source)


def link_relations(
    c: Clauses, triggers: tuple[Trigger, ...], ix: MentionIndex, called: str | None
) -> list[Relation]:
    """Each relation phrase tied to the people around it, in the note's order."""
    text, people = c.text, ix.p.people
    found = _Relations()

    def ref(i: int | None) -> str | None:
        return called if i is None else people[i].ref

    for t in triggers:
        lo, hi = c.sentence(t.span[0])
        if t.type == "authorizes":
            if t.direction in ("adjacent", "leader"):
                who = ix.right_before(text, t.span[0], lo)
                if who is None or _reports(text, ix, who, lo, t.span[0]):
                    continue  # (and "赵经理说钱批了": he says someone approved it)
                if t.direction == "leader" and not _is_leader(people[who].mention):
                    continue
            elif t.direction == "after":  # "钱都是她在管": the pronoun's person
                who = _pronoun_right_after(text, t.span[1], ix, lo)
                if who is None:
                    who = ix.after(t.span[1], hi)
            else:
                who = ix.before(t.span[0], lo)
                if who is None:  # "钱批了": approved by someone unsaid, not the called contact
                    continue
                if _reports(text, ix, who, lo, t.span[0]):
                    continue  # "赵经理说钱批了": he says someone approved it
            source = ref(who)
            if source:
                found.add(source, None, "authorizes", t.span)
            continue
        if _COLLECTOR_SAYS.match(c.clause_text(t.span[0])):
            continue  # "我说找财务": the collector's words
        if t.direction == "back":  # "小王说叶姐在，帮我转过去": to the one named last
            # ("转过去是出纳小林": to the one named next)
            to = (
                ix.after(t.span[1], hi)
                if _NAMED_NEXT.match(text, t.span[1])
                else ix.before(t.span[0], lo)
            )
            source = called
            if to is not None and source is not None and ref(to) != source:
                found.add(source, ref(to), "refers_to", t.span)
            continue
        # "发票的事找他，钱的事找老板": the pronoun said right after is the one sent to
        after = _pronoun_right_after(text, t.span[1], ix, lo)
        if after is None:
            after = ix.after(t.span[1], hi)
        if after is None:
            continue
        if t.direction == "bare" and not _SPEAKS.search(text, lo, t.span[0]):
            continue  # "找李姐，李姐说…": we looked for her, no one sent us
        after = _past_kin(text, ix, after)
        before = ix.speaker(c, t.span[0], lo, ix.before(t.span[0], lo))
        source, target = ref(before), ref(after)
        if source == target and called is not None and _named_in(ix, called, lo, t.span[0]):
            # "Called Xiao Wang, he said the boss Mr. Shi…, gave me Mr. Shi's mobile": the one
            # named last is the one given; the called contact, named earlier, gives
            source = called
        elif (source is None or source == target) and _PRONOUN_SAYS.match(text, lo):
            # "…第三次小王接了。她说…让我那时候打麦姐的座机": the pronoun is who spoke last
            said_by = ix.before(lo, 0)
            source = ref(said_by) if said_by is not None else source
        if source is None or target is None or source == target:
            continue
        kind = t.type
        if kind == "refers_to" and (
            # "结算不归他管，让我找…": not theirs (said within the few clauses before)
            NOT_MINE.search(text, max(lo, t.span[0] - _NOT_MINE_REACH), t.span[0])
            # the person we were sent to sends us on ("张姐说找出纳"); giving a number is a
            # referral all the same ("给了前任会计小翁的手机")
            or (source != called and source in found.targets and not GIVES.search(text, *t.span))
        ):
            kind = "passes_buck_to"
        found.add(source, target, kind, t.span)
    return found.found


# a speaker's verb: what follows is what they say
_SPEAKS_THEN = re.compile(r"\s*[:：]|\s*(?:说|讲|话|表示|称|回|says?|said)", re.IGNORECASE)
_SELF = re.compile(r"[他她]|自己|\b(?:he|she|him|her)\b", re.IGNORECASE)


def _reports(text: str, ix: MentionIndex, who: int, lo: int, at: int) -> bool:
    """``who``, named last before ``at`` (from ``lo``), is the one speaking, and speaks of an
    approval without saying it is theirs ("赵经理说钱批了", not "王总说了算" nor
    "老板说他签字就付")."""
    spans, index = ix.p.spans, ix.p.index
    k = ix.last_before(at)
    while k >= 0 and spans[k][0] >= lo and index[k] != who:
        k -= 1
    if k < 0 or spans[k][0] < lo or spans[k][1] <= 0:
        return False
    end = spans[k][1]
    said = _SPEAKS_THEN.match(text, end)
    if said is None or said.end() >= at:
        return False  # "王总说了算": the phrase is theirs
    return _SELF.search(text, said.end(), at) is None


def _past_kin(text: str, ix: MentionIndex, i: int) -> int:
    """ "老板的弟弟阿斌": not the boss but the one named after the kin word."""
    end = ix.p.people[i].mention.span[1]
    kin = _KIN.match(text, end)
    if kin is None:
        return i
    nxt = ix.after(kin.end(), kin.end() + 4)
    return i if nxt is None else nxt


def _named_from(ix: MentionIndex, key: str, pos: int) -> bool:
    """The contact ``key`` is named at or after ``pos``."""
    people, spans, index = ix.p.people, ix.p.spans, ix.p.index
    return any(people[index[k]].existing == key for k in range(ix.first_from(pos), len(spans)))


def _named_in(ix: MentionIndex, key: str, lo: int, hi: int) -> bool:
    """The contact ``key`` is named between ``lo`` and ``hi``."""
    people, spans, index = ix.p.people, ix.p.spans, ix.p.index
    k = ix.first_from(lo)
    while k < len(spans) and spans[k][0] < hi:
        if people[index[k]].existing == key:
            return True
        k += 1
    return False


def _pronoun_right_after(text: str, pos: int, ix: MentionIndex, lo: int) -> int | None:
    """ "…周德明签字，让我找他": the person a pronoun said right at ``pos`` stands for."""
    start = pos + len(text[pos:]) - len(text[pos:].lstrip())
    q = bisect_left(ix.pronouns, start, key=_start)
    if q == len(ix.pronouns) or ix.pronouns[q][0] != start:
        return None
    rest = text[ix.pronouns[q][1] : ix.pronouns[q][1] + 3].lstrip()
    if rest[:1] in ("们", "的") or (rest[:1].isascii() and rest[:1].isalpha()):
        return None  # "找他们财务", "找他的助理", "passed me to her boss": not the one sent to
    if _KIN_BARE.match(rest):
        return None  # "都是她老公邓总管": her husband
    return ix.before(ix.pronouns[q][1], lo)


def referrals_by_number(
    c: Clauses,
    ix: MentionIndex,
    called: str,
    first_item: dict[int, PhoneMatch | EmailMatch],
    relations: list[Relation],
) -> list[Relation]:
    """A number (or e-mail) given for someone new while the called contact speaks is a referral,
    said or not: "小王说李姐跟陈会计都出差了，陈会计的手机159…" → 小王 refers to 陈会计; and
    so is one given after the called contact spoke last ("front desk: boss is Mr Xie. Mr Xie
    mobile …")."""
    people, spans, index = ix.p.people, ix.p.spans, ix.p.index
    speakers = [
        (s, j) for (s, e), j in zip(spans, index, strict=True) if e > 0 and _TELLS.match(c.text, e)
    ]
    starts = [s for s, _ in speakers]
    by_called = [s for s, j in speakers if people[j].existing == called]
    targets = {r.target for r in relations}
    found = []
    for i, item in sorted(first_item.items(), key=lambda x: x[1].span):
        target = people[i].ref
        if target == called or target in targets:
            continue
        lo, _ = c.sentence(item.span[0])
        k = bisect_left(by_called, lo)
        if k < len(by_called) and by_called[k] < item.span[0]:
            said_at = by_called[k]  # the called contact speaks in this sentence
        else:
            last = bisect_left(starts, item.span[0]) - 1
            if last < 0 or people[speakers[last][1]].existing != called:
                continue
            said_at = starts[last]
        found.append(Relation(called, target, "refers_to", (said_at, item.span[1])))
        targets.add(target)
    return found


def back_and_forth(
    c: Clauses,
    relations: list[Relation],
    called: str | None = None,
    ix: MentionIndex | None = None,
) -> list[Relation]:
    """ "来回推", "踢皮球": the two sent each other on, so both pass the buck.  A referral back
    becomes a buck-pass, and a buck-pass said one way only gets its way back.

    >>> r = [Relation("zhao", "蔺姐", "passes_buck_to", (0, 3))]
    >>> [(x.source, x.target, x.type) for x in back_and_forth(Clauses("又说找蔺姐，来回推"), r)]
    [('zhao', '蔺姐', 'passes_buck_to'), ('蔺姐', 'zhao', 'passes_buck_to')]
    """
    said = BACK_AND_FORTH.search(c.text)
    if said is None:
        # "胖哥说找财务，财务说找胖哥": sent there and sent back, without saying so
        pairs = {(r.source, r.target) for r in relations if r.type != "authorizes"}
        return [
            Relation(r.source, r.target, "passes_buck_to", r.span)
            if r.type == "refers_to" and (r.target, r.source) in pairs and r.source != called
            else r
            for r in relations
        ]

    def one_of_the_two(r: Relation) -> bool:
        # the called contact who only put us through is not one of the two; one named again
        # later ("还是要赵经理那边先提交") is
        return r.source != called or (ix is not None and _named_from(ix, r.source, r.span[1]))

    passes = [
        Relation(r.source, r.target, "passes_buck_to", r.span)
        if r.type == "refers_to" and one_of_the_two(r)
        else r
        for r in relations
    ]
    sent = [r for r in passes if r.type == "passes_buck_to"]
    pairs = {(r.source, r.target) for r in sent}
    if (
        len(sent) == 1
        and (back := sent[0]).target is not None
        and (back.target, back.source) not in pairs
    ):
        passes.append(Relation(back.target, back.source, "passes_buck_to", said.span()))
    return passes


def who_decides(c: Clauses, relations: list[Relation]) -> list[Relation]:
    """Who decides, said as no authority: "这事他说了不算，要问陈总" → whoever we are sent to
    next in that sentence."""
    sent = sorted(
        ((r.span[0], r) for r in relations if r.target and r.type != "authorizes"),
        key=lambda x: x[0],
    )
    starts = [s for s, _ in sent]
    authorizers = {r.source for r in relations if r.type == "authorizes"}
    found = []
    for said_no in NO_AUTHORITY.finditer(c.text):
        _, hi = c.sentence(said_no.start())
        k = bisect_left(starts, said_no.end())
        if k < len(sent) and starts[k] < hi:
            target = sent[k][1].target
            if target is not None and target not in authorizers:
                found.append(Relation(target, None, "authorizes", said_no.span()))
                authorizers.add(target)
    return found
