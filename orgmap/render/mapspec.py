"""A debtor's map as vis-network data (nodes, edges, options), built with pyvis.

:func:`map_spec` is pure: it takes a :class:`DebtorMap` and returns a JSON-ready
dict that :func:`orgmap.render.html.render_html` turns into an offline page and
the Streamlit component draws in the app.  Every user-typed string in it is
plain text (labels are painted on a canvas; tooltips are built with
``textContent`` by the page), so nothing here needs HTML escaping.

Keys of the returned dict: ``nodes`` and ``edges`` (vis-network items; a node's
``id`` is the contact key), ``options`` (vis-network options), ``route`` (the
route's contact keys, first call first), ``focus`` (the keys to frame when the
whole map is too small to read), ``legend`` (see :func:`orgmap.render.style.legend`),
``words`` (the page's own words), ``layout`` and ``lang``.
"""

from __future__ import annotations

import itertools
import json
from collections import defaultdict
from collections.abc import Sequence
from enum import StrEnum
from functools import cache
from typing import Any, Literal

from pyvis.network import Network
from pyvis.options import Layout

from orgmap.domain.model import Contact, DebtorMap, Disposition, Relation, RelationType
from orgmap.i18n import label, normalize_lang
from orgmap.render.geometry import Box, Curve
from orgmap.render.orgchart import NODE_MARGIN, NODE_MAX_WIDTH, label_size, org_chart, org_levels
from orgmap.render.style import (
    AUTHORIZER_BORDER,
    DEPARTMENT_COLOURS,
    DO_NOT_CONTACT_BORDER,
    FONT_FACE,
    RELATION_STYLES,
    ROUTE_COLOUR,
    legend,
    words,
)

__all__ = ["LAYOUTS", "map_spec"]

LAYOUTS = ("hierarchical", "free")

#: The free layout stops its physics after this many iterations at most, then
#: switches physics off.  Measured in headless Chromium on a 2-core machine:
#: a 200-contact map is still in about 0.9 s with 150.
STABILIZATION_ITERATIONS = 150

# Canvas labels are for recognising people at a glance; the tooltip has the rest.
_NAME_CHARS = 22
_TITLE_CHARS = 18
_NOTE_CHARS = 600


def map_spec(
    m: DebtorMap,
    *,
    route_steps: Sequence[str] = (),
    layout: Literal["hierarchical", "free"] = "hierarchical",
    lang: str = "en",
) -> dict[str, Any]:
    """Build the drawable map of one debtor.

    ``route_steps`` are contact keys, first call first (the best route's steps);
    they are highlighted and numbered 1, 2, 3 … in the labels.  ``layout`` is
    ``"hierarchical"`` (a top-down org chart by department) or ``"free"``
    (physics, then still).  ``lang`` is ``"zh-CN"`` or ``"en"``.  Archived
    contacts and relations, and relations touching an archived contact, are
    left out entirely.

    Raises :class:`ValueError` naming ``layout`` or ``route_steps`` when one is
    not usable (unknown layout; a step that is not a visible contact of ``m``).

    >>> from decimal import Decimal
    >>> from orgmap.domain.model import Contact, Debtor, Department
    >>> m = DebtorMap(Debtor("acme", "Acme", Decimal("10")),
    ...               contacts=(Contact("boss", "Wang", Department.OWNER,
    ...                                 authorizes_payment=True),))
    >>> spec = map_spec(m, route_steps=["boss"])
    >>> spec["nodes"][0]["label"]
    '1. ★ Wang'
    """
    if layout not in LAYOUTS:
        raise ValueError(f"layout: expected one of {', '.join(LAYOUTS)}, got {layout!r}")
    lang = normalize_lang(lang)
    contacts = [c for c in m.contacts if not c.archived]
    # Externals last: vis keeps data order within a level, so they land at its right end.
    contacts.sort(key=lambda c: c.department == "external")
    visible = {c.key: c for c in contacts}
    # One edge per (source, target, type): vis-network refuses a page with two
    # items of the same id, and validation alone is no guarantee for old data.
    relations: list[Relation] = []
    seen: set[tuple[str, str, str]] = set()
    for r in m.relations:
        shown = not r.archived and r.source in visible and r.target in visible
        if shown and r.source != r.target and (r.source, r.target, r.type) not in seen:
            seen.add((r.source, r.target, r.type))
            relations.append(r)
    route = _checked_route(route_steps, visible)
    step_of = {key: i + 1 for i, key in enumerate(route)}
    labels = {c.key: _contact_label(c, step=step_of.get(c.key), lang=lang) for c in contacts}
    hops = _route_hops(route, relations)
    # Route steps that no relation joins get a line of their own, after the relations.
    unjoined = [
        (step, a, b)
        for step, (a, b) in enumerate(itertools.pairwise(route), start=2)
        if step not in hops.values()
    ]
    chart, levels = None, {}
    if layout == "hierarchical":
        levels = org_levels(contacts, relations)
        chart = org_chart(
            [c.key for c in contacts],
            levels,
            {c.key: label_size(labels[c.key], font_size=_font_size(c)) for c in contacts},
            [(r.source, r.target) for r in relations] + [(a, b) for _, a, b in unjoined],
        )

    net = Network(directed=True)
    for c in contacts:
        _add_contact(
            net,
            c,
            label=labels[c.key],
            step=step_of.get(c.key),
            total=len(route),
            box=chart.boxes[c.key] if chart else None,
            level=levels.get(c.key),
            lang=lang,
        )
    _add_relations(
        net,
        relations,
        visible,
        hops=hops,
        unjoined=unjoined,
        curves=chart.curves if chart else None,
        highlighted=bool(route),
        lang=lang,
    )
    _set_options(net, layout=layout, size=len(contacts))

    nodes, edges, _heading, _height, _width, options = net.get_network_data()
    authorizers = [c.key for c in contacts if c.authorizes_payment]
    return {
        "version": 1,
        "layout": layout,
        "lang": lang,
        "nodes": nodes,
        "edges": edges,
        "options": json.loads(options),
        "route": route,
        "focus": route or authorizers,
        "legend": legend(lang),
        "words": words(lang),
    }


@cache
def _named(kind: type[StrEnum], value: str, lang: str) -> str:
    return label(kind(value), lang)


def _name(value: StrEnum, lang: str) -> str:
    # Cached per enum class: members of different enums can share a value ("other").
    return _named(type(value), value.value, lang)


def _checked_route(route_steps: Sequence[str], visible: dict[str, Contact]) -> list[str]:
    route = [str(key) for key in route_steps]
    for i, key in enumerate(route):
        if key not in visible:
            raise ValueError(
                f"route_steps[{i}]: {key!r} is not a visible contact of this debtor "
                "(unknown or archived)"
            )
    return route


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())  # a label is one line: newlines and tabs become spaces
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _contact_label(c: Contact, *, step: int | None, lang: str) -> str:
    first = "".join(
        (
            f"{step}. " if step else "",
            "★ " if c.authorizes_payment else "",
            "⊘ " if c.do_not_contact else "",
            _short(c.name, _NAME_CHARS),
        )
    )
    second = [_short(c.title, _TITLE_CHARS)] if c.title.strip() else []
    if c.disposition != Disposition.UNKNOWN:
        second.append(_name(c.disposition, lang))
    return first + ("\n" + " · ".join(second) if second else "")


def _contact_tooltip(c: Contact, *, step: int | None, total: int, lang: str) -> str:
    """Plain text, one fact a line, the name first; the page turns it into DOM text."""
    w = words(lang)
    lines = [c.name]
    if step:
        lines.append(w["route_step"].format(step=step, total=total))
    if c.authorizes_payment:
        lines.append("★ " + w["authorizer"])
    if c.do_not_contact:
        lines.append("⊘ " + w["do_not_contact"])
    if c.title:
        lines.append(f"{w['title']}{w['colon']}{c.title}")
    lines.append(f"{w['department']}{w['colon']}{_name(c.department, lang)}")
    lines.append(f"{w['disposition']}{w['colon']}{_name(c.disposition, lang)}")
    if c.phones:
        phones = [
            p.e164
            + (f" {w['extension']} {p.extension}" if p.extension else "")
            + f" ({_name(p.kind, lang)})"
            for p in c.phones
        ]
        lines.append(w["phones"] + w["colon"] + ", ".join(phones))
    if c.email:
        lines.append(f"{w['email']}{w['colon']}{c.email}")
    if c.notes.strip():
        notes = c.notes.strip()
        if len(notes) > _NOTE_CHARS:
            notes = notes[: _NOTE_CHARS - 1] + "…"
        lines.append(f"{w['notes']}{w['colon']}{notes}")
    return "\n".join(lines)


_FONT_SIZE = 14
_AUTHORIZER_FONT_SIZE = 17


def _font_size(c: Contact) -> int:
    return _AUTHORIZER_FONT_SIZE if c.authorizes_payment else _FONT_SIZE


def _add_contact(
    net: Network,
    c: Contact,
    *,
    label: str,
    step: int | None,
    total: int,
    box: Box | None,
    level: int | None,
    lang: str,
) -> None:
    """One box, filled by department; only what differs from the defaults in
    :func:`_set_options` is set on the node, to keep a 200-contact page small.

    In the org chart the box sits where ``box`` says (``x``, ``y``), and ``box``
    records the size the layout assumed for it (width, height), for the tests
    that hold the drawn boxes to it."""
    colour = DEPARTMENT_COLOURS[c.department]
    border = colour.border
    extra: dict[str, Any] = {}
    if box is not None:
        # level is the org-chart row (not used by vis-network once the layout is ours).
        extra.update(x=box.x, y=box.y, level=level, box=[box.width, box.height])
    if c.authorizes_payment:
        border = AUTHORIZER_BORDER
        extra.update(borderWidth=4, borderWidthSelected=6, font={"size": _AUTHORIZER_FONT_SIZE})
    if step:
        border = border if c.authorizes_payment else ROUTE_COLOUR
        extra.setdefault("borderWidth", 3)
        extra.setdefault("borderWidthSelected", 5)
    if c.do_not_contact:
        border = DO_NOT_CONTACT_BORDER
        extra.update(borderWidth=3, shapeProperties={"borderDashes": [6, 4], "borderRadius": 6})
        extra["font"] = {**extra.get("font", {}), "color": "#7a1f1f"}
    glow = ROUTE_COLOUR if step else AUTHORIZER_BORDER if c.authorizes_payment else None
    if glow:
        extra["shadow"] = {"enabled": True, "color": glow + "99", "size": 14, "x": 0, "y": 0}
    net.add_node(
        c.key,
        label=label,
        shape="box",
        color={
            "background": colour.fill,
            "border": border,
            "highlight": {"background": "#fffbe6", "border": border},
            "hover": {"background": "#ffffff", "border": border},
        },
        title=_contact_tooltip(c, step=step, total=total, lang=lang),
        department=str(c.department),  # not a vis-network field: for the page and tests
        **extra,
    )


# When two route steps are joined by several relations, the one drawn as the
# hop is the kind routing prefers (cheapest first).
_HOP_PREFERENCE = (
    RelationType.REFERS_TO,
    RelationType.REPORTS_TO,
    RelationType.INFLUENCES,
    RelationType.COLLEAGUE,
    RelationType.GATEKEEPS,
    RelationType.PASSES_BUCK_TO,
)


def _route_hops(route: list[str], relations: list[Relation]) -> dict[int, int]:
    """Which relation (by index) draws each hop of the route, with the step it leads to.

    A relation pointing along the route wins over one pointing back; hops that
    no relation joins are missing from the answer (drawn as a plain route line).
    """
    hops: dict[int, int] = {}
    for step, (a, b) in enumerate(itertools.pairwise(route), start=2):
        joining = [
            (r.source != a, _HOP_PREFERENCE.index(r.type), i)
            for i, r in enumerate(relations)
            if {r.source, r.target} == {a, b}
        ]
        if joining:
            hops[min(joining)[2]] = step
    return hops


def _add_relations(
    net: Network,
    relations: list[Relation],
    visible: dict[str, Contact],
    *,
    hops: dict[int, int],
    unjoined: list[tuple[int, str, str]],
    curves: Sequence[Curve] | None,
    highlighted: bool,
    lang: str,
) -> None:
    """One edge per relation, styled by type; the route's hops thick and numbered.

    ``curves`` (the org chart's, one per relation and then one per ``unjoined``
    hop) say how each edge is drawn; without them (the free layout) edges curve
    a little, and apart where two join the same people."""
    parallel: dict[frozenset[str], int] = defaultdict(int)
    for i, r in enumerate(relations):
        style = RELATION_STYLES[r.type]
        pair = frozenset((r.source, r.target))
        parallel[pair] += 1
        if curves is not None:
            smooth = curves[i].smooth()
        else:
            # Edges between the same two people curve apart instead of overlapping.
            smooth = {
                "enabled": True,
                "type": "curvedCW",
                "roundness": 0.02 + 0.14 * parallel[pair],
            }
        step = hops.get(i)
        colour = ROUTE_COLOUR if step else style.colour
        numbered = {"label": str(step)} if step else {}
        net.add_edge(
            r.source,
            r.target,
            id=f"{r.source}>{r.target}:{r.type}",
            relation=str(r.type),  # not a vis-network field: for the page and tests
            title=_relation_tooltip(r, visible, lang=lang),
            color={
                "color": colour,
                "highlight": colour,
                "hover": colour,
                # With a route shown, the other lines step back a little.
                "opacity": 1.0 if step or not highlighted else 0.75,
            },
            dashes=style.dashes,
            width=5 if step else style.width,
            arrows={"to": {"enabled": style.arrow, "scaleFactor": 0.7}},
            smooth=smooth,
            **numbered,
        )
    for j, (step, a, b) in enumerate(unjoined):  # no relation joins these steps: show the hop
        if curves is not None:
            smooth = curves[len(relations) + j].smooth()
        else:
            smooth = {"enabled": True, "type": "curvedCW", "roundness": 0.2}
        net.add_edge(
            a,
            b,
            id=f"route:{step}",
            relation="route",
            color={"color": ROUTE_COLOUR, "highlight": ROUTE_COLOUR, "opacity": 1.0},
            dashes=[2, 6],
            width=4,
            arrows={"to": {"enabled": True, "scaleFactor": 0.8}},
            smooth=smooth,
            label=str(step),
        )


def _relation_tooltip(r: Relation, visible: dict[str, Contact], *, lang: str) -> str:
    lines = [f"{visible[r.source].name} → {visible[r.target].name}", _name(r.type, lang)]
    if r.note.strip():
        lines.append(_short(r.note, _NOTE_CHARS))
    return "\n".join(lines)


def _set_options(net: Network, *, layout: str, size: int) -> None:
    """vis-network options through pyvis's options object, plus what pyvis has no field for."""
    opts = net.options
    opts.nodes = {
        "shape": "box",
        "margin": dict(NODE_MARGIN),
        "widthConstraint": {"maximum": NODE_MAX_WIDTH},
        "font": {"face": FONT_FACE, "size": _FONT_SIZE, "color": "#1f2328", "multi": False},
        "labelHighlightBold": True,
        "borderWidth": 1.5,
        "borderWidthSelected": 3,
        "shapeProperties": {"borderRadius": 6},
        "shadow": {"enabled": False},
        "scaling": {"label": {"drawThreshold": 4}},
    }
    opts.edges.inherit_colors(False)
    # Every edge sets its own curve; "dynamic" (pyvis's default) would add a
    # physics support node per edge.
    opts.edges.toggle_smoothness("curvedCW")
    opts.edges.font = {"face": FONT_FACE, "size": 14, "color": ROUTE_COLOUR, "strokeWidth": 4}
    opts.edges.selectionWidth = 2
    opts.edges.hoverWidth = 1
    opts.interaction.hover = True
    opts.interaction.tooltipDelay = 120
    opts.interaction.navigationButtons = False
    opts.interaction.keyboard = {"enabled": True, "bindToWindow": False}
    # Redrawing 300 edges while panning a big map is what makes it feel slow.
    opts.interaction.hideEdgesOnDrag = size > 150
    if layout == "hierarchical":
        # Every box has its place from orgmap.render.orgchart (vis-network's own
        # hierarchical layout would draw edges through third boxes); physics
        # would only shake them.
        opts.layout = Layout(randomSeed=7, improvedLayout=False)
        opts.layout.hierarchical.enabled = False
        net.toggle_physics(False)
        opts.physics.stabilization.enabled = False
    else:
        opts.layout = Layout(randomSeed=7, improvedLayout=size <= 100)
        opts.layout.hierarchical.enabled = False
        # Full overlap avoidance, and repulsion that grows with the map: boxes
        # with two lines of text are much wider than the point masses physics
        # assumes, yet a 10-contact map spread as wide as a 200-contact one
        # would open with unreadably small labels.
        crowd = min(size, 200) / 200
        net.barnes_hut(
            gravity=round(-5000 - 15000 * crowd),
            central_gravity=0.15 + 0.15 * (1 - crowd),
            spring_length=round(150 + 70 * crowd),
            spring_strength=0.035,
            damping=0.35,
            overlap=1,
        )
        opts.physics.solver = "barnesHut"
        opts.physics.minVelocity = 1.0
        opts.physics.maxVelocity = 60
        st = opts.physics.stabilization
        # Bounded: iterations cost O(n log n) each, so big maps get fewer.
        st.iterations = max(40, min(STABILIZATION_ITERATIONS, 30_000 // max(size, 1)))
        st.updateInterval = 50
        st.fit = True
