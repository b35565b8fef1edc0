# ruff: noqa: E501
"""Writes notes_labelled.jsonl: template notes whose labels come from the templates (seed 13)."""

import calendar
import json
import random
from datetime import date, datetime, timedelta
from pathlib import Path

R = random.Random(13)
ATS = [
    "2026-12-01T10:15:00+08:00",
    "2026-11-18T15:40:00+08:00",
    "2026-12-10T09:05:00+08:00",
    "2026-02-24T11:00:00+08:00",
]
CALLED = {
    "wang": ("前台小王", "小王", "", "the receptionist", ("", "receptionist")),
    "zhao": ("销售赵经理", "赵经理", "经理", "Manager Zhao", ("Manager Zhao", "Manager")),
}
NEW = [
    ("财务", "李姐", "姐"),
    ("", "王总", "总"),
    ("采购", "刘经理", "经理"),
    ("财务", "张会计", "会计"),
    ("", "孙老板", "老板"),
    ("财务", "何出纳", "出纳"),
    ("", "周总监", "总监"),
    ("财务部的", "黄姐", "姐"),
    ("", "郑总", "总"),
    ("法务", "林律师", "律师"),
    ("", "陈董", "董"),
]
MOB = [
    "138",
    "139",
    "136",
    "150",
    "151",
    "186",
    "188",
    "135",
    "137",
    "158",
    "159",
    "182",
    "187",
    "131",
    "177",
]


def phone():
    k = R.random()
    if k < 0.6:
        n = R.choice(MOB) + "".join(R.choice("0123456789") for _ in range(8))
        fmt = R.choice(
            [
                n,
                f"{n[:3]} {n[3:7]} {n[7:]}",
                f"{n[:3]}-{n[3:7]}-{n[7:]}",
                f"+86 {n}",
                f"+86-{n[:3]}-{n[3:7]}-{n[7:]}",
            ]
        )
        return fmt, "+86" + n
    area, first = R.choice([("010", "6"), ("021", "5"), ("0755", "8"), ("020", "3"), ("0571", "8")])
    sub = first + "".join(R.choice("0123456789") for _ in range(7))
    txt = f"{area}-{sub}"
    if R.random() < 0.4:  # an extension, said after the number and dialled with it
        said = R.choice(["转", "转", " ext "])
        extension = R.randint(100, 8999)
        return f"{txt}{said}{extension}", f"+86{area[1:]}{sub};ext={extension}"
    return txt, "+86" + area[1:] + sub


AMTS = [
    ("5万", 50000),
    ("五万元", 50000),
    ("50,000", 50000),
    ("12.8万", 128000),
    ("3万块", 30000),
    ("两万", 20000),
    ("8000元", 8000),
    ("一万二", 12000),
    ("20w", 200000),
    ("1.5万", 15000),
    ("三千五百元", 3500),
    ("十万", 100000),
    ("6万元", 60000),
]
AMTS_EN = [
    ("50k", 50000),
    ("RMB 30,000", 30000),
    ("20,000 yuan", 20000),
    ("¥8000", 8000),
    ("100k", 100000),
]


def eom(t):
    return t.replace(day=calendar.monthrange(t.year, t.month)[1])


def nextwd(t, wd):
    return t - timedelta(days=t.weekday()) + timedelta(days=7 + wd)


def thiswd(t, wd):
    return t + timedelta(days=(wd - t.weekday()) % 7)


def dom(t, d):
    y, m = t.year, t.month
    if d < t.day:
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return date(y, m, d)


def md(t, m, d):
    x = date(t.year, m, d)
    return date(t.year + 1, m, d) if x < t - timedelta(days=60) else x


DATES = [
    ("月底", eom),
    ("下周五", lambda t: nextwd(t, 4)),
    ("15号", lambda t: dom(t, 15)),
    ("12月20日", lambda t: md(t, 12, 20)),
    ("明天", lambda t: t + timedelta(1)),
    ("后天", lambda t: t + timedelta(2)),
    ("周五", lambda t: thiswd(t, 4)),
    ("二十号", lambda t: dom(t, 20)),
    ("1月10日", lambda t: md(t, 1, 10)),
    ("25号", lambda t: dom(t, 25)),
]
DATES_EN = [
    ("Friday", lambda t: thiswd(t, 4)),
    ("next Monday", lambda t: nextwd(t, 0)),
    ("end of month", eom),
    ("Dec 20", lambda t: md(t, 12, 20)),
    ("tomorrow", lambda t: t + timedelta(1)),
]
CB = [
    ("明天下午三点再打", 1, 15, 0),
    ("后天上午10点再联系", 2, 10, 0),
    ("明天上午九点半再打", 1, 9, 30),
    ("下午4点回电", 0, 16, 0),
    ("明天再打", 1, 10, 0),
    ("明天下午两点再催", 1, 14, 0),
]
CB_EN = [
    ("call back tomorrow 3pm", 1, 15, 0),
    ("call again tomorrow at 10:30", 1, 10, 30),
    ("follow up tomorrow 4 pm", 1, 16, 0),
]
FILL = [
    "",
    "态度还行，",
    "说吗上付款，",
    "语气不太好，",
    "说领导出差了，",
    "公司在搬家，",
    "说财物忘了，",
]
out = []


def new_people(k):
    return R.sample(NEW, k)


def rec(note, called, at, people, relations, outcome, promise, callback, phones):
    out.append(
        dict(
            note=note,
            called=called,
            at=at,
            people=[{"name": n, "title": t} for n, t in people],
            relations=[{"from": a, "to": b, "type": c} for c, a, b in relations],
            outcome=outcome,
            promise=promise,
            callback=callback,
            phones=phones,
        )
    )


for i in range(200):
    at = R.choice(ATS)
    t = datetime.fromisoformat(at)
    today = t.date()
    called = R.choice(list(CALLED))
    ctext, cname, ctitle, cen, cen_pt = CALLED[called]
    kind = i % 10
    if kind in (0, 1):  # referral + phone + promise
        ((d1, n1, t1),) = new_people(1)
        ph, e = phone()
        a, av = R.choice(AMTS)
        dt, df = R.choice(DATES)
        verb = R.choice(["说付款找", "让我找", "说找", "给了"])
        tail = "的号码" if verb == "给了" else ""
        note = f"{ctext}{verb}{d1}{n1}{tail}，{R.choice(['手机', '电话', '座机', ''])}{ph}，{R.choice(FILL)}她{dt}前先付{a}"
        rec(
            note,
            called,
            at,
            [(cname, ctitle), (n1, t1)],
            [("refers_to", called, n1)],
            "promised",
            {"amount": str(av), "date": df(today).isoformat()},
            None,
            [e],
        )
    elif kind == 2:  # passes buck chain
        (d1, n1, t1), (d2, n2, t2) = new_people(2)
        ph, e = phone()
        note = f"{ctext}让我找{d1}{n1}，{n1}又推给{d2}{n2}，{R.choice(FILL)}{n2}电话{ph}"
        rec(
            note,
            called,
            at,
            [(cname, ctitle), (n1, t1), (n2, t2)],
            [("refers_to", called, n1), ("passes_buck_to", n1, n2)],
            "referred",
            None,
            None,
            [e],
        )
    elif kind == 3:  # authorizer + callback
        ((d1, n1, t1),) = new_people(1)
        ph, e = phone()
        cb, dd, hh, mm = R.choice(CB)
        auth = R.choice(["是老板", "说了算", "负责审批"])
        note = f"{ctext}说{d1}{n1}{auth}，手机{ph}，{cb}"
        cbv = (
            datetime.combine(today + timedelta(dd), datetime.min.time()).replace(
                hour=hh, minute=mm, tzinfo=t.tzinfo
            )
        ).isoformat()
        rec(
            note,
            called,
            at,
            [(cname, ctitle), (n1, t1)],
            # giving the number is a referral (DOMAIN.md: refers_to "gave us the other's number")
            [("refers_to", called, n1), ("authorizes", n1, None)],
            "referred",
            None,
            cbv,
            [e],
        )
    elif kind == 4:  # no answer + callback, noise numbers
        cb, dd, hh, mm = R.choice(CB)
        order = "2023" + "".join(R.choice("0123456789") for _ in range(9))
        note = f"打了{R.choice(['两', '三', '3'])}次{R.choice(['没人接', '无人接听', '关机'])}，订单号{order}，欠款共{R.choice(['30万', '12万元'])}，{cb}"
        cbv = (
            datetime.combine(today + timedelta(dd), datetime.min.time()).replace(
                hour=hh, minute=mm, tzinfo=t.tzinfo
            )
        ).isoformat()
        rec(note, called, at, [], [], "no_answer", None, cbv, [])
    elif kind == 5:  # wrong number / refused
        if R.random() < 0.5:
            rec(
                R.choice(["空号", "打错了，不是这家公司", "号码不对，对方说不认识"]),
                called,
                at,
                [],
                [],
                "wrong_number",
                None,
                None,
                [],
            )
        else:
            acct = "6222" + "".join(R.choice("0123456789") for _ in range(15))
            rec(
                f"{cname}拒绝付款，说货有质量问题，让我们发函到公司，对公账号{acct}",
                called,
                at,
                [(cname, ctitle)],
                [],
                "refused",
                None,
                None,
                [],
            )
    elif kind in (6, 7):  # English
        ph, e = phone()
        a, av = R.choice(AMTS_EN)
        dt, df = R.choice(DATES_EN)
        role, who = R.choice([("finance manager", "she"), ("accountant", "she"), ("boss", "he")])
        note = f"{cen} gave me the {role}'s number {ph}, {who} promised {a} by {dt}"
        rec(
            note,
            called,
            at,
            [cen_pt, ("", role)],
            [("refers_to", called, role)],
            "promised",
            {"amount": str(av), "date": df(today).isoformat()},
            None,
            [e],
        )
    elif kind == 8:
        ((d1, n1, t1),) = new_people(1)
        cb, dd, hh, mm = R.choice(CB_EN)
        ph, e = phone()
        en = {
            "李姐": "Ms Li",
            "王总": "Mr. Wang",
            "刘经理": "Manager Liu",
            "张会计": "Ms Zhang",
            "孙老板": "Boss Sun",
            "何出纳": "Ms He",
            "周总监": "Director Zhou",
            "黄姐": "Ms Huang",
            "郑总": "Mr Zheng",
            "林律师": "Mr Lin",
            "陈董": "Mr. Chen",
        }[n1]
        hon = en.split()[0]
        note = f"no answer on {ph}, {cen} says {en} is the boss, {cb}"
        cbv = (
            datetime.combine(today + timedelta(dd), datetime.min.time()).replace(
                hour=hh, minute=mm, tzinfo=t.tzinfo
            )
        ).isoformat()
        rec(
            note,
            called,
            at,
            [cen_pt, (en, hon)],
            [("authorizes", en, None)],
            "no_answer",
            None,
            cbv,
            [e],
        )
    else:  # several people, two phones, email
        (d1, n1, t1), (d2, n2, t2) = new_people(2)
        ph, e = phone()
        ph2, e2 = phone()
        a, av = R.choice(AMTS)
        note = f"{d1}{n1}介绍了{d2}{n2}，{n2}手机{ph}，邮箱 fin{i}@acme.cn；{n1}座机{ph2}。{n2}答应付{a}"
        rec(
            note,
            called,
            at,
            [(n1, t1), (n2, t2)],
            [("refers_to", n1, n2)],
            "promised",
            {"amount": str(av), "date": None},
            None,
            [e, e2],
        )
with open(Path(__file__).with_name("notes_labelled.jsonl"), "w", encoding="utf-8") as f:
    for r in out:
        f.write(json.dumps(r, ensure_ascii=False) + "\n")
print(len(out))
