"""How a debtor map looks: department colours, relation line styles, markers, words, legend.

Pure data shared by :mod:`orgmap.render.mapspec` (which styles each node and edge)
and the pages that draw the legend, so the legend can never disagree with the map.
Enum values are named through :mod:`orgmap.i18n`; the few words only the map uses
live here in both languages.

>>> [item["label"] for item in legend("zh-CN") if item["kind"] == "relation"][:2]
['汇报给', '引荐']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypedDict

from orgmap.domain.model import Department, Disposition, RelationType
from orgmap.i18n import label, normalize_lang

__all__ = [
    "AUTHORIZER_BORDER",
    "DEPARTMENT_BAND",
    "DEPARTMENT_COLOURS",
    "DO_NOT_CONTACT_BORDER",
    "FONT_FACE",
    "RELATION_STYLES",
    "ROUTE_COLOUR",
    "DepartmentColour",
    "LegendItem",
    "RelationStyle",
    "legend",
    "words",
]

#: Canvas text is drawn by vis-network with this CSS font stack; the CJK faces
#: come first so Chinese names use a real CJK font wherever one is installed.
FONT_FACE = (
    "'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', "
    "'Helvetica Neue', Arial, sans-serif"
)


@dataclass(frozen=True, slots=True)
class DepartmentColour:
    fill: str
    border: str


# Pastel fills keep dark label text readable; the border carries the hue.
DEPARTMENT_COLOURS: dict[Department, DepartmentColour] = {
    Department.OWNER: DepartmentColour("#fde2e4", "#c9184a"),
    Department.MANAGEMENT: DepartmentColour("#efe3ff", "#7b2cbf"),
    Department.FINANCE: DepartmentColour("#dcfce7", "#2b9348"),
    Department.LEGAL: DepartmentColour("#d5f5f0", "#0f766e"),
    Department.SALES: DepartmentColour("#dbeafe", "#3b6fd8"),
    Department.PURCHASING: DepartmentColour("#d9f4fb", "#0e7490"),
    Department.RECEPTION: DepartmentColour("#ffedd5", "#c2410c"),
    Department.EXTERNAL: DepartmentColour("#ebe8e6", "#57534e"),
    Department.OTHER: DepartmentColour("#f1f5f9", "#64748b"),
}

#: Org-chart bands, top to bottom.  Externals (typically a customer of the
#: debtor who can lean on its boss) sit beside management rather than below it.
DEPARTMENT_BAND: dict[Department, int] = {
    Department.OWNER: 0,
    Department.MANAGEMENT: 1,
    Department.EXTERNAL: 1,
    Department.FINANCE: 2,
    Department.LEGAL: 2,
    Department.SALES: 3,
    Department.PURCHASING: 3,
    Department.RECEPTION: 4,
    Department.OTHER: 4,
}

AUTHORIZER_BORDER = "#d4a017"  # gold: "this is who we are trying to reach"
DO_NOT_CONTACT_BORDER = "#d62828"
ROUTE_COLOUR = "#1d4ed8"


@dataclass(frozen=True, slots=True)
class RelationStyle:
    colour: str
    dashes: bool | list[int]
    arrow: bool  # colleague is symmetric: no arrowhead
    width: float


RELATION_STYLES: dict[RelationType, RelationStyle] = {
    RelationType.REPORTS_TO: RelationStyle("#475569", False, True, 1.6),
    RelationType.REFERS_TO: RelationStyle("#15803d", False, True, 2.0),
    RelationType.GATEKEEPS: RelationStyle("#ea580c", [8, 4], True, 1.8),
    RelationType.PASSES_BUCK_TO: RelationStyle("#dc2626", [4, 4], True, 2.0),
    RelationType.INFLUENCES: RelationStyle("#9333ea", [12, 4, 2, 4], True, 1.8),
    RelationType.COLLEAGUE: RelationStyle("#a3a3a3", False, False, 1.2),
}

_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "colon": ": ",
        "title": "Title",
        "department": "Department",
        "disposition": "Disposition",
        "phones": "Phones",
        "email": "Email",
        "notes": "Notes",
        "extension": "ext.",
        "authorizer": "Authorizes payment",
        "do_not_contact": "Do not contact",
        "route": "Best route",
        "route_step": "Route step {step} of {total}",
        "legend": "Legend",
        "departments": "Departments",
        "markers": "Markers",
        "dispositions": "Dispositions (under the name)",
        "relations": "Relations",
        "search": "Find a contact…",
        "fit": "Show all",
        "empty": "No contacts on this map yet.",
        "no_match": "No contact matches.",
        "sheep": "cooperative gatekeeper: ask who is responsible",
        "fox": "obstructive gatekeeper: explain the consequences",
        "eagle": "decisive leader: be direct and concrete",
        "donkey": "face-saving leader: reach him through others",
    },
    "zh-CN": {
        "colon": "：",
        "title": "职务",
        "department": "部门",
        "disposition": "性格类型",
        "phones": "电话",
        "email": "邮箱",
        "notes": "备注",
        "extension": "分机",
        "authorizer": "可批准付款",
        "do_not_contact": "禁止联系",
        "route": "最佳路线",
        "route_step": "路线第 {step} 步，共 {total} 步",
        "legend": "图例",
        "departments": "部门",
        "markers": "标记",
        "dispositions": "性格类型（名字下方）",
        "relations": "关系",
        "search": "查找联系人…",
        "fit": "显示全部",
        "empty": "此地图还没有联系人。",
        "no_match": "没有匹配的联系人。",
        "sheep": "配合的前台：问清谁负责",
        "fox": "设障的前台：讲明后果",
        "eagle": "果断的领导：直接、尊重、具体",
        "donkey": "爱面子的领导：通过他人施压",
    },
}


def words(lang: str) -> dict[str, str]:
    """The map's own words in ``lang`` (``zh-CN`` or ``en``; others read as ``en``)."""
    return _WORDS[normalize_lang(lang)]


class LegendItem(TypedDict):
    """One legend row, JSON-ready: the page draws a swatch and the label beside it.

    ``kind`` says how to draw the swatch: ``department`` a filled box (``fill``,
    ``stroke``), ``marker`` the text ``symbol`` in a box outlined with ``stroke``
    (``dashed`` when the border is dashed), ``disposition`` just the word,
    ``relation`` a line in ``stroke`` (``dashed``, ``arrow``).
    """

    kind: Literal["department", "marker", "disposition", "relation"]
    key: str
    label: str
    description: str
    symbol: str
    fill: str
    stroke: str
    dashed: bool
    arrow: bool


def _item(
    kind: Literal["department", "marker", "disposition", "relation"],
    key: str,
    label_: str,
    *,
    description: str = "",
    symbol: str = "",
    fill: str = "",
    stroke: str = "",
    dashed: bool = False,
    arrow: bool = False,
) -> LegendItem:
    return LegendItem(
        kind=kind,
        key=key,
        label=label_,
        description=description,
        symbol=symbol,
        fill=fill,
        stroke=stroke,
        dashed=dashed,
        arrow=arrow,
    )


def legend(lang: str) -> list[LegendItem]:
    """Every colour, marker and line style the map uses, named in ``lang``.

    Departments first (in org-chart order), then the markers (authorizer,
    do-not-contact, route), the four dispositions, and the relation types.
    """
    w = words(lang)
    items = [
        _item("department", d.value, label(d, lang), fill=c.fill, stroke=c.border)
        for d, c in sorted(DEPARTMENT_COLOURS.items(), key=lambda kv: DEPARTMENT_BAND[kv[0]])
    ]
    items += [
        _item("marker", "authorizer", w["authorizer"], symbol="★", stroke=AUTHORIZER_BORDER),
        _item(
            "marker",
            "do_not_contact",
            w["do_not_contact"],
            symbol="⊘",
            stroke=DO_NOT_CONTACT_BORDER,
            dashed=True,
        ),
        _item("marker", "route", w["route"], symbol="1 2 3", stroke=ROUTE_COLOUR),
    ]
    items += [
        _item("disposition", d.value, label(d, lang), description=w[d.value])
        for d in (Disposition.SHEEP, Disposition.FOX, Disposition.EAGLE, Disposition.DONKEY)
    ]
    items += [
        _item(
            "relation",
            r.value,
            label(r, lang),
            stroke=s.colour,
            dashed=bool(s.dashes),
            arrow=s.arrow,
        )
        for r, s in RELATION_STYLES.items()
    ]
    return items
