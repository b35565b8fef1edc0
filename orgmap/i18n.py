"""Names of the domain's enum values in the two languages collectors read: zh-CN and en.

Pure and shared: routing reasons, the map legend and the app's forms all name a
department or a disposition the same way.

>>> label(Department.RECEPTION, "zh-CN")
'前台'
>>> label(Disposition.FOX, "en")
'fox'
>>> label(Department.LEGAL, "zh-CN"), label(DebtorStatus.LEGAL, "zh-CN")
('法务部', '法律程序')
"""

from __future__ import annotations

from enum import StrEnum

from orgmap.domain.model import (
    Channel,
    DebtorStatus,
    Department,
    Disposition,
    Outcome,
    PhoneKind,
    RelationType,
)

__all__ = ["LANGUAGES", "label", "normalize_lang"]

LANGUAGES = ("zh-CN", "en")

# One table per enum: StrEnum members of different enums with the same value compare
# (and hash) equal, e.g. Department.LEGAL == DebtorStatus.LEGAL == "legal".
_ZH: dict[type[StrEnum], dict[StrEnum, str]] = {
    Department: {
        Department.RECEPTION: "前台",
        Department.SALES: "销售部",
        Department.PURCHASING: "采购部",
        Department.FINANCE: "财务部",
        Department.LEGAL: "法务部",
        Department.MANAGEMENT: "管理层",
        Department.OWNER: "老板",
        Department.EXTERNAL: "外部",
        Department.OTHER: "其他",
    },
    Disposition: {
        Disposition.SHEEP: "绵羊",
        Disposition.FOX: "狐狸",
        Disposition.EAGLE: "鹰",
        Disposition.DONKEY: "驴",
        Disposition.UNKNOWN: "未知",
    },
    RelationType: {
        RelationType.REPORTS_TO: "汇报给",
        RelationType.REFERS_TO: "引荐",
        RelationType.GATEKEEPS: "把关",
        RelationType.PASSES_BUCK_TO: "推诿给",
        RelationType.INFLUENCES: "能影响",
        RelationType.COLLEAGUE: "同事",
    },
    Channel: {
        Channel.PHONE: "电话",
        Channel.SMS: "短信",
        Channel.EMAIL: "邮件",
        Channel.WECHAT: "微信",
        Channel.LETTER: "信函",
        Channel.VISIT: "外访",
    },
    Outcome: {
        Outcome.NO_ANSWER: "无人接听",
        Outcome.REACHED: "已接通",
        Outcome.REFUSED: "拒绝",
        Outcome.PROMISED: "承诺付款",
        Outcome.PAID: "已付款",
        Outcome.REFERRED: "转介他人",
        Outcome.WRONG_NUMBER: "号码错误",
        Outcome.DISPUTED: "有争议",
    },
    DebtorStatus: {
        DebtorStatus.OPEN: "催收中",
        DebtorStatus.PROMISED: "已承诺",
        DebtorStatus.PAYING: "还款中",
        DebtorStatus.DISPUTED: "有争议",
        DebtorStatus.LEGAL: "法律程序",
        DebtorStatus.PAID: "已结清",
        DebtorStatus.CLOSED: "已关闭",
    },
    PhoneKind: {
        PhoneKind.MOBILE: "手机",
        PhoneKind.FIXED_LINE: "座机",
        PhoneKind.OTHER: "其他",
    },
}

_EN: dict[type[StrEnum], dict[StrEnum, str]] = {
    RelationType: {
        RelationType.REPORTS_TO: "reports to",
        RelationType.REFERS_TO: "refers to",
        RelationType.PASSES_BUCK_TO: "passes the buck to",
    },
    Outcome: {
        Outcome.NO_ANSWER: "no answer",
        Outcome.WRONG_NUMBER: "wrong number",
    },
    PhoneKind: {
        PhoneKind.FIXED_LINE: "fixed line",
    },
    Channel: {
        Channel.SMS: "SMS",
        Channel.WECHAT: "WeChat",
    },
}


def normalize_lang(lang: str | None) -> str:
    """``zh``, ``zh-cn``, ``zh_CN`` → ``zh-CN``; anything else → ``en``."""
    return "zh-CN" if (lang or "").lower().replace("_", "-").startswith("zh") else "en"


def label(value: StrEnum, lang: str) -> str:
    """How ``value`` reads to a collector in ``lang``."""
    if normalize_lang(lang) == "zh-CN":
        return _ZH.get(type(value), {}).get(value, str(value))
    return _EN.get(type(value), {}).get(value, str(value).replace("_", " "))
