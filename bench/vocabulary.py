"""The words and proportions :mod:`bench.generate` draws realistic debtors from.

Weights are relative (``random.choices`` style).  Proportions follow the seed's
articles 4 and 5: receptionists are sheep or foxes, bosses eagles or donkeys,
and most calls go unanswered or end in a promise.
"""

from __future__ import annotations

from orgmap.domain.model import Channel, DebtorStatus, Department, Disposition, Outcome

D, Disp = Department, Disposition


def _pairs(text: str) -> tuple[tuple[str, str], ...]:
    """``"王:wang 李:li"`` -> ``(("王", "wang"), ("李", "li"))``."""
    return tuple(tuple(item.split(":")) for item in text.split())  # type: ignore[misc]


# (city, area code, administrative region code, districts)
CITIES = (
    ("上海", "21", "310000", ("浦东新", "闵行", "徐汇", "嘉定")),
    ("深圳", "755", "440300", ("南山", "福田", "宝安", "龙岗")),
    ("广州", "20", "440100", ("天河", "白云", "番禺", "黄埔")),
    ("杭州", "571", "330100", ("西湖", "滨江", "余杭", "萧山")),
    ("苏州", "512", "320500", ("工业园", "姑苏", "吴中", "相城")),
    ("南京", "25", "320100", ("江宁", "鼓楼", "建邺", "栖霞")),
    ("成都", "28", "510100", ("武侯", "高新", "锦江", "双流")),
)
# Company brand names with the pinyin used for their e-mail domain.
BRANDS = _pairs(
    "华信:huaxin 金龙:jinlong 宏达:hongda 鑫源:xinyuan 恒泰:hengtai 永盛:yongsheng "
    "东方:dongfang 瑞丰:ruifeng 盛世:shengshi 天成:tiancheng 润达:runda 佳禾:jiahe"
)
TRADES = ("贸易", "科技", "实业", "电子", "机械", "服饰", "食品", "建材", "物流", "化工")
ROADS = ("建设", "人民", "中山", "解放", "科技", "长江", "青年", "新华")
SURNAMES = _pairs(
    "王:wang 李:li 张:zhang 刘:liu 陈:chen 杨:yang 赵:zhao 黄:huang 周:zhou 吴:wu "
    "徐:xu 孙:sun 胡:hu 朱:zhu 高:gao 林:lin 何:he 郭:guo 马:ma 罗:luo"
)
GIVEN_NAME_CHARS = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红"
COLLECTORS = ("li", "chen", "zhou", "wang", "sun", "he")

#: Job titles by department; the first is the head of the department's.
TITLES = {
    D.RECEPTION: ("前台", "前台接待"),
    D.SALES: ("销售经理", "销售代表", "客户经理", "区域销售"),
    D.PURCHASING: ("采购主管", "采购员", "供应链专员"),
    D.FINANCE: ("财务总监", "会计", "出纳", "财务经理"),
    D.LEGAL: ("法务主管", "法务"),
    D.MANAGEMENT: ("总经理", "副总经理", "运营总监"),
    D.OWNER: ("董事长", "老板", "法定代表人"),
    D.EXTERNAL: ("客户采购总监", "大客户老板"),
    D.OTHER: ("行政", "仓库主管", "人事"),
}
CONTACT_NOTES = ("", "", "", "上午通常不在", "只接微信", "说话很直接")

DISPOSITIONS: dict[Department, dict[Disposition, int]] = {
    D.RECEPTION: {Disp.SHEEP: 45, Disp.FOX: 35, Disp.UNKNOWN: 20},
    D.OWNER: {Disp.EAGLE: 45, Disp.DONKEY: 35, Disp.UNKNOWN: 20},
    D.MANAGEMENT: {Disp.EAGLE: 30, Disp.DONKEY: 20, Disp.UNKNOWN: 50},
    D.FINANCE: {Disp.SHEEP: 25, Disp.FOX: 25, Disp.UNKNOWN: 50},
    D.SALES: {Disp.SHEEP: 30, Disp.FOX: 20, Disp.UNKNOWN: 50},
    D.PURCHASING: {Disp.SHEEP: 30, Disp.FOX: 20, Disp.UNKNOWN: 50},
    D.EXTERNAL: {Disp.SHEEP: 50, Disp.UNKNOWN: 50},
    D.LEGAL: {Disp.SHEEP: 15, Disp.FOX: 15, Disp.UNKNOWN: 70},
    D.OTHER: {Disp.SHEEP: 15, Disp.FOX: 15, Disp.UNKNOWN: 70},
}

#: Every company has these, in this order of priority (a 5-person map has no manager).
CORE_DEPARTMENTS = (D.RECEPTION, D.OWNER, D.FINANCE, D.SALES, D.PURCHASING, D.MANAGEMENT)
#: The rest of the staff.
STAFF = {D.SALES: 36, D.PURCHASING: 19, D.FINANCE: 15, D.MANAGEMENT: 8, D.OTHER: 12}
#: Listing order: the front desk and leaders first, outsiders last.
_LISTED = "reception owner management finance sales purchasing legal other external"
DEPARTMENT_ORDER = {Department(name): i for i, name in enumerate(_LISTED.split())}

#: Whom collectors end up calling (others weigh 1): the front desk, sales and finance.
CALLED = {D.RECEPTION: 5, D.SALES: 3, D.FINANCE: 3, D.PURCHASING: 2}
CHANNELS = {Channel.PHONE: 70, Channel.SMS: 10, Channel.WECHAT: 8, Channel.VISIT: 3}
CHANNELS_LETTER, CHANNELS_EMAIL = 2, 7  # letter: anyone; e-mail: when we have an address
OUTCOMES = {
    Outcome.NO_ANSWER: 34,
    Outcome.REACHED: 20,
    Outcome.PROMISED: 12,
    Outcome.REFERRED: 9,
    Outcome.REFUSED: 8,
    Outcome.DISPUTED: 3,
    Outcome.WRONG_NUMBER: 2,
    Outcome.PAID: 2,
}
#: What people answer, by outcome.
CALL_NOTES = {
    Outcome.NO_ANSWER: ("", "无人接听", "响铃后挂断"),
    Outcome.REACHED: ("", "说老板出差了", "答应转告财务", "说会查一下"),
    Outcome.PROMISED: ("说马上付款", "答应本周内付款", "说老板签字后就付"),
    Outcome.REFERRED: ("让找财务", "给了老板的手机号", "财务说单据没到，让找销售"),
    Outcome.REFUSED: ("说质量有问题不付", "态度强硬，拒绝沟通"),
    Outcome.DISPUTED: ("对金额有异议", "说货没收到"),
    Outcome.WRONG_NUMBER: ("空号", "对方说打错了"),
    Outcome.PAID: ("付了一部分",),
}
PROMISED_SHARES = ("0.1", "0.2", "0.5", "1")  # of the amount owed

STATUSES = {
    DebtorStatus.OPEN: 70,
    DebtorStatus.PROMISED: 12,
    DebtorStatus.PAYING: 8,
    DebtorStatus.DISPUTED: 6,
    DebtorStatus.LEGAL: 4,
}
REASONS_UNPAID = ("资金紧张", "说货物有质量问题", "老板还没签字", "财务说没收到发票", "")

#: Mobile prefixes that phonenumbers accepts for any eight digits after them.
#: Regular contacts and shared people (group bosses, customers) use disjoint sets.
_MOBILE_RANGES = (range(130, 134), range(135, 140), range(150, 154), range(155, 160), [166])
MOBILE_PREFIXES = tuple(
    str(n)
    for r in (*_MOBILE_RANGES, [176, 177], range(180, 184), range(185, 190), [199])
    for n in r
)
SHARED_PREFIXES = ("134", "178", "191", "198")
