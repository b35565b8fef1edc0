"""Dates and times of day in a call note, resolved against the call's local date.

>>> from datetime import date
>>> today = date(2026, 12, 1)  # a Tuesday
>>> [d.value.isoformat() for d in find_dates("月底前付，下周五，15号，12月20日前，明天", today)]
['2026-12-31', '2026-12-11', '2026-12-15', '2026-12-20', '2026-12-02']
>>> [d.value.isoformat() for d in find_dates("年前结清，before Christmas，元旦前", today)]
['2027-02-05', '2026-12-24', '2026-12-31']
>>> find_dates("2月30日", today)
()
>>> said = "明天下午三点半再打，or call at 10am，15:45，下午3:05"
>>> [t.value.isoformat() for t in find_times(said)]
['15:30:00', '10:00:00', '15:45:00', '15:05:00']
>>> [d.value.isoformat() for d in find_dates("三天内付，5个工作日内，within 10 days", today)]
['2026-12-04', '2026-12-08', '2026-12-11']
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, time, timedelta
from functools import lru_cache

from lunardate import LunarDate

from orgmap.domain.notes.numerals import CN_DIGITS, small_int

__all__ = ["DateMatch", "TimeMatch", "find_dates", "find_times", "the_call_day"]

_N = rf"(?:\d{{1,2}}|[{CN_DIGITS}十]{{1,3}})"
_WEEKDAY_CN = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "1": 0}
_WEEKDAY_CN |= {"2": 1, "3": 2, "4": 3, "5": 4, "6": 5, "7": 6}
_WEEKDAY_EN = {
    name: i
    for i, names in enumerate(
        (
            "mon monday",
            "tue tues tuesday",
            "wed wednesday",
            "thu thur thurs thursday",
            "fri friday",
            "sat saturday",
            "sun sunday",
        )
    )
    for name in names.split()
}
_MONTH_EN = {
    name: i + 1
    for i, names in enumerate(
        (
            "jan january",
            "feb february",
            "mar march",
            "apr april",
            "may",
            "jun june",
            "jul july",
            "aug august",
            "sep sept september",
            "oct october",
            "nov november",
            "dec december",
        )
    )
    for name in names.split()
}
# lunar months said by name: 正月 the first, 冬月 the eleventh, 腊月 the twelfth
_LUNAR_MONTH = {"正": 1, "冬": 11, "腊": 12}
# holidays on a fixed day, said as a deadline: (month, day) of the last day meant
_HOLIDAY_CN = {
    "年底": (12, 31),
    "年末": (12, 31),
    "元旦前": (12, 31),
    "国庆前": (9, 30),
    "国庆节前": (9, 30),
    "五一前": (4, 30),
    "劳动节前": (4, 30),
    "圣诞前": (12, 24),
    "圣诞节前": (12, 24),
    "平安夜": (12, 24),
    "圣诞节": (12, 25),
    "圣诞": (12, 25),
}
_HOLIDAY_EN = {
    "before christmas": (12, 24),
    "christmas eve": (12, 24),
    "christmas": (12, 25),
    "end of the year": (12, 31),
    "end of year": (12, 31),
    "year end": (12, 31),
    "year-end": (12, 31),
    "before new year": (12, 31),
}
_YEARS = {"去年": -1, "今年": 0, "明年": 1}
_CN_NUM_BEFORE = f"\\d{CN_DIGITS}十几多去前"
_RELATIVE = {"今天": 0, "今日": 0, "明天": 1, "明日": 1, "后天": 2, "大后天": 3, "today": 0}
_RELATIVE |= {"听日": 1, "后日": 2, "昨天": -1, "昨日": -1, "琴日": -1, "前天": -2}
_RELATIVE |= {"明早": 1, "明晚": 1, "明儿": 1, "今早": 0, "今晚": 0, "明朝": 1, "今朝": 0}
# in the north: 今儿个, 明儿个, 后儿个, 大后儿个, 夜儿个 (yesterday)
_RELATIVE |= {"今儿个": 0, "明儿个": 1, "后儿个": 2, "大后儿个": 3, "夜儿个": -1}
_RELATIVE |= {"tomorrow": 1, "tmr": 1, "tmrw": 1, "yesterday": -1, "the day after tomorrow": 2}
_RELATIVE_CN = "|".join(sorted((k for k in _RELATIVE if not k.isascii()), key=len, reverse=True))
_EN_WD = "|".join(sorted(_WEEKDAY_EN, key=len, reverse=True))
_EN_MON = "|".join(sorted(_MONTH_EN, key=len, reverse=True))
_HOLIDAYS_CN = "|".join(sorted(_HOLIDAY_CN, key=len, reverse=True))
_HOLIDAYS_EN = "|".join(sorted(_HOLIDAY_EN, key=len, reverse=True))
_DATE = re.compile(
    # "年前" but not "三年前" (three years ago); "before the Spring Festival", "before CNY"
    # "正月十五前", "元宵节前": the Lantern Festival, fourteen days after the Spring Festival
    r"(?P<lantern>正月十五|元宵节?)"
    # a lunar day: in 正月, 冬月 or 腊月, or written 初八, 廿三 ("腊月二十前", "三月初三")
    rf"|(?P<lunar>(?P<lmon>[正冬腊]|{_N})月(?P<lday>初[{CN_DIGITS}十]|廿[{CN_DIGITS}]?|"
    rf"(?<=[正冬腊]月)(?:[{CN_DIGITS}十]{{1,3}}))(?![{CN_DIGITS}十\d号日]))"
    rf"|(?P<cny>春节前|过年前|除夕|大年三十|(?<![{_CN_NUM_BEFORE}])年前"
    r"|\bbefore (?:the )?(?:spring festival|chinese new year|lunar new year|cny)\b)"
    # ("年底了", "年底最后一天": it is the year's end now, no day to pay by)
    rf"|(?P<holiday>(?:{_HOLIDAYS_CN})(?!了|最后)|(?<![{_CN_NUM_BEFORE}])年内|\b(?:{_HOLIDAYS_EN})\b)"
    # "去年12月20日付过": a year said makes the day a past one, or a later one
    rf"|(?P<md>(?:(?P<yr>去年|今年|明年)|(?P<yyyy>20\d\d)\s?年)?\s?(?P<m>{_N}|元|正)\s?月"
    rf"\s?(?P<d>{_N})\s?[日号])"
    # ("先付1/3", "first 1/3 of 240k": a share, not the third of January)
    rf"|(?P<slash>(?<![\d/.-])(?<![付还])(?<!first )(?P<sm>\d{{1,2}})/(?P<sd>\d{{1,2}})(?![\d/])"
    r"(?!\s*of\b))"
    # "12月底": the end of that month
    # ("两万二 月底", "4万8月底": the digit ends an amount)
    rf"|(?P<meom>(?<![\d万千百十{CN_DIGITS}])(?P<me>{_N})\s?月(?:底|末))"
    rf"|(?P<midm>(?P<mm>{_N})\s?月中旬?)"
    rf"|(?P<nextmonth>下个?月\s?(?P<nd>{_N})\s?[号日])"
    rf"|(?P<lastmonth>上个?月\s?(?P<ld>{_N})\s?[号日])"
    rf"|(?P<day>(?<!\d)(?<!\d月)(?<![{CN_DIGITS}十]月)(?P<dd>{_N})\s?[号](?!码)(?!了))"
    r"|(?P<mid>月中旬?)"
    r"|(?P<neom>下个?月(?:底|末))"
    r"|(?P<eom>月底|月末|月尾|end of (?:the |this )?month|month[- ]end|eom)"
    r"|(?P<nmb>下个?月初)"
    # "月初" said after the fifth: the start of next month (earlier, it is too vague to say)
    r"|(?P<bom>(?<![个下])月初)"
    # "三天内", "5个工作日内", "within 3 days": counted from the call
    rf"|(?P<within>(?P<wn>{_N})\s?个?(?P<workdays>工作日|天)之?内"
    r"|\bwithin (?P<wn2>\d{1,2}) (?P<workdays2>working |business )?days?\b)"
    r"|(?P<next2>下下(?:个)?(?:周|星期|礼拜)(?P<nnw>[一二三四五六日天1-7]))"
    r"|(?P<next>下(?:个)?(?:周|星期|礼拜)(?P<nw>[一二三四五六日天1-7]))"
    r"|(?P<last>上(?:个)?(?:周|星期|礼拜)(?P<lw>[一二三四五六日天1-7]))"
    r"|(?P<this>(?:这|本)?(?:周|星期|礼拜)(?P<tw>[一二三四五六日天1-7]))"
    # 听日, 后日: Cantonese for tomorrow and the day after; 昨天 and 前天 are past days
    # 明朝, 今朝: Shanghainese
    rf"|(?P<rel>{_RELATIVE_CN})"
    # "周末再打": the Saturday coming, or next week's
    r"|(?P<weekend>(?P<nextweekend>下个?)?(?:这个?|本)?(?:周末|礼拜六日))"
    rf"|(?P<enrel>\b(?:today|the day after tomorrow|tomorrow|tmrw|tmr|yesterday)\b)"
    # "12.15前5w": month.day, said before 前 or 号
    r"|(?P<dot>(?<![\d.])(?P<dm>1[0-2]|0?[1-9])\.(?P<dd2>[12]\d|3[01]|0?[1-9])(?=\s?(?:前|之前|号|日)))"
    rf"|(?P<ennext>\bnext (?P<enw>{_EN_WD})\b|\b(?P<enw2>{_EN_WD}) (?:of )?next week\b)"
    # ("Ms Sun" is someone, not Sunday)
    rf"|(?P<enwd>(?<!Ms )(?<!Mr )(?<!Ms\. )(?<!Mr\. )(?<!Mrs )(?<!Miss )\b(?P<ew>{_EN_WD})\b)"
    rf"|(?P<enmd>\b(?P<emon>{_EN_MON})\.?\s+(?P<eday>\d{{1,2}})(?:st|nd|rd|th)?\b)"
    rf"|(?P<endm>\b(?P<eday2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<emon2>{_EN_MON})\b)"
    r"|(?P<enthnext>\bthe (?P<ethn>\d{1,2})(?:st|nd|rd|th)? of next month\b)"
    r"|(?P<enth2>(?:(?<=back )|(?<=on )|(?<=by )|(?<=before ))(?P<eth2>\d{1,2})(?:st|nd|rd|th)\b)"
    # ("the 2nd milestone payment", "settle the 2nd phase": which one, not which day)
    r"|(?P<enth>\bthe (?P<eth>\d{1,2})(?:st|nd|rd|th)\b(?!\s+(?:phase|milestone|stage|batch|"
    r"instal(?:l)?ment|tranche|payment|part|round|shipment|invoice|time|lot|order)\b))",
    re.IGNORECASE,
)
_PART_HOURS = {"上午": 10, "早上": 9, "中午": 12, "下午": 15, "晚上": 19}
_PART_HOURS |= {"上昼": 10, "朝早": 9, "下昼": 15}  # Cantonese
_PART_HOURS |= {"明早": 9, "今早": 9, "明晚": 19, "今晚": 19, "pm": 15, "am": 10}
_PART_HOURS |= {"上半天": 10, "下半天": 15, "傍晚": 18, "黄昏": 18}
# in Wu and Hakka speech 晏昼 is the afternoon and 日昼 noon; in the north 前晌 and 头晌 the
# morning, 后晌, 下晌 and 过晌 the afternoon
_PART_HOURS |= {"晏昼": 15, "日昼": 12, "前晌": 10, "头晌": 10, "上晌": 10, "晌午": 12}
_PART_HOURS |= {"后晌": 15, "下晌": 15, "过晌": 15, "晌午前": 10, "晌午后": 15}
# the parts after noon: an hour said with one is past noon ("晏昼三点" is 15:00)
_AFTER_NOON_SAID = "下午 晚上 傍晚 黄昏 下昼 明晚 今晚 晏昼 后晌 下晌 过晌 晌午后"
_AFTER_NOON = frozenset(_AFTER_NOON_SAID.split())
_PARTS_CN = "|".join(sorted((k for k in _PART_HOURS if not k.isascii()), key=len, reverse=True))
_PART_HOURS |= {"morning": 10, "afternoon": 15, "evening": 19, "noon": 12, "tonight": 19}
_TIME = re.compile(
    rf"(?P<cn>(?P<part>{_PARTS_CN})?\s?(?<!第)(?P<h>{_N})\s?[点點时](?:\s?(?P<half>半)"
    rf"|\s?(?P<min>\d{{1,2}}|[{CN_DIGITS}十]{{1,3}})\s?分?)?)"
    # "15:30再打", "下午3:30" (with am/pm it is read below)
    rf"|(?P<hm>(?P<hpart>{_PARTS_CN})?\s?(?<![\d:：.])(?P<hh>\d{{1,2}})[:：](?P<mm>\d{{2}})"
    r"(?![\d:：])(?!\s?(?:am|pm|a\.m\.|p\.m\.)))"
    # "周三pm": the afternoon
    rf"|(?P<part_only>{_PARTS_CN}|(?<=[一二三四五六日天])\s?[ap]m(?![a-z])"
    r"|\b(?:morning|afternoon|evening|noon|tonight)\b)"
    r"|(?P<en>\b(?P<eh>\d{1,2})(?::(?P<em>\d{2}))?\s?(?P<ampm>am|pm|a\.m\.|p\.m\.)"
    r"|\b(?:at\s)(?P<eh2>\d{1,2}):(?P<em2>\d{2})\b"
    # "Try Raj tomorrow at 11": an hour said after a day
    r"|(?:(?<=tomorrow )|(?<=today )|(?<=tmrw )|(?<=tmr )|(?<=tonight ))(?:at|after|around|about) "
    r"(?P<eh3>\d{1,2})\b(?![:%\d])(?!\.\d))",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class DateMatch:
    value: date
    span: tuple[int, int]
    text: str
    weekday_said: bool = False  # named by its weekday alone: 周六, 礼拜天, 周末, Saturday

    @property
    def past(self) -> bool:
        """Said as a day gone by: 去年12月20日, 上个月15号, 上周五, 昨天."""
        return self.text.startswith(("去年", "上", "昨", "前天", "琴日")) or (
            self.text.lower() == "yesterday"
        )


@dataclass(frozen=True, slots=True)
class TimeMatch:
    value: time
    span: tuple[int, int]
    text: str


def _safe(year: int, month: int | None, day: int | None) -> date | None:
    if month is None or day is None:
        return None
    try:
        return date(year, month, day)
    except ValueError:  # 2月30日: no such day
        return None


def _next_day(today: date, month: int, day: int) -> date:
    this_year = date(today.year, month, day)
    return this_year if this_year >= today else date(today.year + 1, month, day)


def lunar_date(year: int, month: int, day: int) -> date | None:
    """The day of the Gregorian calendar that is ``day`` of lunar ``month`` of lunar ``year``
    (lunardate's tables: 1900 to 2099), or None when there is no such day."""
    try:
        return LunarDate(year, month, day).to_solar_date()
    except ValueError:
        return None


def spring_festival(year: int) -> date | None:
    """The first day of the Spring Festival (春节) of ``year``: the first of the first lunar
    month."""
    return lunar_date(year, 1, 1)


def _next_lunar(today: date, month: int, day: int) -> date | None:
    """That lunar day, in this lunar year or, if already two months past, the next:
    "腊月二十前" said in December is in January or February."""
    try:
        year = LunarDate.from_solar_date(today.year, today.month, today.day).year
    except ValueError:
        return None
    for y in (year, year + 1):
        found = lunar_date(y, month, day)
        if found is not None and found >= today - timedelta(days=60):
            return found
    return None


def _lunar_day(said: str) -> int | None:
    """初八 → 8, 廿三 → 23, 十五 → 15, 三十 → 30."""
    if said.startswith("初"):
        return small_int(said[1:])
    if said.startswith("廿"):
        return 20 + (small_int(said[1:]) or 0) if len(said) > 1 else 20
    return small_int(said)


def _before_spring_festival(today: date) -> date | None:
    for year in (today.year, today.year + 1):
        festival = spring_festival(year)
        if festival is not None and festival - timedelta(days=1) >= today:
            return festival - timedelta(days=1)
    return None


def _resolve(m: re.Match[str], today: date) -> date | None:
    g = m.group
    if g("cny"):
        return _before_spring_festival(today)
    if g("lunar"):
        month = _LUNAR_MONTH.get(g("lmon")) or small_int(g("lmon"))
        day = _lunar_day(g("lday"))
        if month is None or day is None or not (1 <= month <= 12 and 1 <= day <= 30):
            return None
        return _next_lunar(today, month, day)
    if g("lantern"):
        return next(
            (
                festival + timedelta(days=14)
                for year in (today.year, today.year + 1)
                if (festival := spring_festival(year)) is not None
                and festival + timedelta(days=14) >= today
            ),
            None,
        )
    if g("holiday"):
        said = g("holiday").lower()
        return _next_day(today, *(_HOLIDAY_CN.get(said) or _HOLIDAY_EN.get(said) or (12, 31)))
    if g("md") or g("slash") or g("enmd") or g("endm") or g("dot"):
        if g("md"):
            # 元月 and 正月 are January
            month = 1 if g("m") in ("元", "正") else small_int(g("m"))
            day = small_int(g("d"))
        elif g("slash"):
            month, day = int(g("sm")), int(g("sd"))
        elif g("dot"):
            month, day = int(g("dm")), int(g("dd2"))
        elif g("enmd"):
            month, day = _MONTH_EN[g("emon").lower()], int(g("eday"))
        else:
            month, day = _MONTH_EN[g("emon2").lower()], int(g("eday2"))
        if g("yr") or g("yyyy"):
            year = int(g("yyyy")) if g("yyyy") else today.year + _YEARS[g("yr")]
            return _safe(year, month, day)
        found = _safe(today.year, month, day)
        if found is not None and found < today - timedelta(days=60):
            found = _safe(today.year + 1, month, day)  # "1月10日" said in December
        return found
    if g("lastmonth"):
        year, month = (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)
        return _safe(year, month, small_int(g("ld")))
    if g("day") or g("enth") or g("nextmonth") or g("enthnext") or g("enth2"):
        day = small_int(g("dd") or g("eth") or g("nd") or g("ethn") or g("eth2"))
        year, month = today.year, today.month
        if g("nextmonth") or g("enthnext") or (day is not None and day < today.day):
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return _safe(year, month, day)
    if g("meom"):
        month = small_int(g("me"))
        if month is None or not 1 <= month <= 12:
            return None
        found = date(today.year, month, calendar.monthrange(today.year, month)[1])
        if found < today - timedelta(days=60):
            found = date(today.year + 1, month, calendar.monthrange(today.year + 1, month)[1])
        return found
    if g("midm"):
        month = small_int(g("mm"))
        found = _safe(today.year, month, 15)
        if found is not None and found < today - timedelta(days=60):
            found = _safe(today.year + 1, month, 15)
        return found
    if g("mid"):
        if today.day <= 15:
            return today.replace(day=15)
        return (
            date(today.year + 1, 1, 15)
            if today.month == 12
            else date(today.year, today.month + 1, 15)
        )
    if g("next2"):
        monday = today - timedelta(days=today.weekday()) + timedelta(days=14)
        return monday + timedelta(days=_WEEKDAY_CN[g("nnw")])
    if g("neom"):
        year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
        return date(year, month, calendar.monthrange(year, month)[1])
    if g("eom"):
        return today.replace(day=calendar.monthrange(today.year, today.month)[1])
    if g("nmb") or g("bom"):
        if g("bom") and today.day <= 5:
            return None
        return (
            date(today.year + 1, 1, 1)
            if today.month == 12
            else date(today.year, today.month + 1, 1)
        )
    if g("within"):
        days = small_int(g("wn") or g("wn2"))
        if days is None or not 0 < days <= 90:
            return None
        if g("workdays") == "工作日" or g("workdays2"):
            found = today
            while days:
                found += timedelta(days=1)
                days -= found.weekday() < 5
            return found
        return today + timedelta(days=days)
    if g("next") or g("ennext"):
        wd = _WEEKDAY_CN[g("nw")] if g("next") else _WEEKDAY_EN[(g("enw") or g("enw2")).lower()]
        monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
        return monday + timedelta(days=wd)
    if g("weekend"):
        saturday = today + timedelta(days=(5 - today.weekday()) % 7)
        return saturday + timedelta(days=7) if g("nextweekend") else saturday
    if g("last"):
        monday = today - timedelta(days=today.weekday()) - timedelta(days=7)
        return monday + timedelta(days=_WEEKDAY_CN[g("lw")])
    if g("this") or g("enwd"):
        wd = _WEEKDAY_CN[g("tw")] if g("this") else _WEEKDAY_EN[g("ew").lower()]
        return today + timedelta(days=(wd - today.weekday()) % 7)
    if g("rel") or g("enrel"):
        return today + timedelta(days=_RELATIVE[(g("rel") or g("enrel")).lower()])
    return None  # pragma: no cover - every branch of the pattern is handled


# (the rules and the model read one note's days and times several times: read once, kept)
@lru_cache(maxsize=32)
def find_dates(note: str, today: date) -> tuple[DateMatch, ...]:
    """Dates that exist, in order; ``today`` is the call's local date."""
    found = []
    for m in _DATE.finditer(note):
        value = _resolve(m, today)
        if value is not None:
            by_weekday = any(m.group(g) for g in ("this", "weekend", "enwd"))
            found.append(DateMatch(value, m.span(), m.group(), by_weekday))
    return tuple(found)


def the_call_day(d: DateMatch, today: date) -> bool:
    """A day named by its weekday alone that is the call's own day: "周六打的", "周日小王回了",
    "Called reception on Saturday" say when the call was made, not a day to pay or call back.

    >>> saturday = date(2026, 11, 28)
    >>> [the_call_day(d, saturday) for d in find_dates("周六打的，下周三付", saturday)]
    [True, False]
    """
    return d.weekday_said and d.value == today


@lru_cache(maxsize=32)
def find_times(note: str) -> tuple[TimeMatch, ...]:
    """Times of day, in order; an hour without 上午/am under 7 is taken as the afternoon."""
    found: list[TimeMatch] = []
    for m in _TIME.finditer(note):
        g = m.group
        if g("part_only"):
            hour = _PART_HOURS[g("part_only").strip().lower()]
            found.append(TimeMatch(time(hour), m.span(), m.group()))
            continue
        if g("cn") or g("hm"):
            if g("cn"):
                said_hour = small_int(g("h"))
                said_minute = 30 if g("half") else small_int(g("min") or "0")
            else:
                said_hour, said_minute = int(g("hh")), int(g("mm"))
            if said_hour is None or said_minute is None:
                continue
            hour, minute, part = said_hour, said_minute, g("part") or g("hpart")
            if (part in _AFTER_NOON and hour < 12) or (not part and hour < 7):
                hour += 12
        else:
            hour = int(g("eh") or g("eh2") or g("eh3"))
            minute = int(g("em") or g("em2") or 0)
            ampm = (g("ampm") or "").lower().replace(".", "")
            if (ampm == "pm" or (g("eh3") and hour < 7)) and hour < 12:
                hour += 12  # ("tomorrow at 3": the afternoon)
            elif ampm == "am" and hour == 12:
                hour = 0
        if 0 <= hour < 24 and 0 <= minute < 60:
            found.append(TimeMatch(time(hour, minute), m.span(), m.group()))
    # "afternoon 2pm": the part of the day said just before a time is that time's
    return tuple(
        t
        for i, t in enumerate(found)
        if not (
            t.text.strip().lower() in _PART_HOURS
            and i + 1 < len(found)
            and found[i + 1].span[0] - t.span[1] <= 3
            and found[i + 1].text.strip().lower() not in _PART_HOURS  # ("过晌再打，头晌不在")
        )
    )
