"""Where each contact sits in the top-down org chart (the map's hierarchical layout).

:func:`org_levels` gives each contact its row (0 at the top), from the
department (owner, then management, finance and legal, sales and purchasing,
reception), refined by ``reports_to`` inside a department, with wide rows
wrapped so that a 200-contact map stays roughly as wide as it is tall instead
of one long line.  :func:`org_chart` then places every box and picks how each
edge is drawn, so that no edge runs through a third person's box: vis-network's
own hierarchical layout draws ``小王 → 陈丽`` straight through ``赵强`` when he
sits between them, and reads as ``小王 → 赵强 → 陈丽``.
"""

from __future__ import annotations

import math
import unicodedata
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from orgmap.domain.model import Contact, Department, Relation, RelationType
from orgmap.render.geometry import CLEARANCE, STRAIGHT, Box, Curve, route_edges
from orgmap.render.style import DEPARTMENT_BAND

__all__ = [
    "NODE_MARGIN",
    "NODE_MAX_WIDTH",
    "OrgChart",
    "label_size",
    "org_chart",
    "org_levels",
]

#: A box is at most this wide (vis-network's ``widthConstraint.maximum``); longer text wraps.
NODE_MAX_WIDTH = 190
#: The room around a box's text (vis-network's node ``margin``).
NODE_MARGIN = {"top": 8, "bottom": 8, "left": 10, "right": 10}
#: Free room between neighbouring boxes in a row, and between rows.
BOX_GAP = 56.0
ROW_GAP = 96.0
# A line of text is taken as this many font sizes high (Chromium draws 14 px text 20 px
# apart), and a box's border (with what getBoundingBox adds) as this many px a side.
_LINE_HEIGHT = 1.5
_BORDER = 6.5
# How many rounds of moving boxes aside, then of spreading the whole chart (x 1.25 each),
# may be spent on clearing the edges that no shape clears.
_REPAIRS = 3
_SPREADS = 30


def org_levels(
    contacts: Sequence[Contact], relations: Sequence[Relation], *, row_width: int | None = None
) -> dict[str, int]:
    """The level of every contact, by key; relations must join contacts in ``contacts``.

    * Departments stack in bands (see :data:`orgmap.render.style.DEPARTMENT_BAND`);
      empty bands take no room.
    * Within a band, someone who ``reports_to`` a colleague of the same band sits
      a level below them (cycles, which are bad data, are cut where they close).
    * A row holds at most ``row_width`` contacts (default: about 1.2 √n, at
      least 8); the rest wrap onto the next level.
    * An external contact with a relation into the company (a customer who can
      lean on the boss) joins the row of the highest person they are related to,
      at its end (``contacts`` order), wrapping with it when the row is full.

    >>> from orgmap.domain.model import Contact, Department as D, Relation, RelationType as T
    >>> people = [Contact("boss", "Wang", D.OWNER), Contact("cfo", "Zhang", D.FINANCE),
    ...           Contact("clerk", "Li", D.FINANCE), Contact("cust", "Chen", D.EXTERNAL)]
    >>> links = [Relation("clerk", "cfo", T.REPORTS_TO), Relation("cust", "boss", T.INFLUENCES)]
    >>> org_levels(people, links)
    {'boss': 0, 'cfo': 1, 'clerk': 2, 'cust': 0}
    """
    keys = [c.key for c in contacts]
    department = {c.key: c.department for c in contacts}
    band = {key: DEPARTMENT_BAND[department[key]] for key in keys}
    depth = _reporting_depth(keys, relations, band)
    group = {key: (band[key], depth[key]) for key in keys}
    for r in relations:
        inside = department[r.target] != Department.EXTERNAL
        if department[r.source] == Department.EXTERNAL and inside:
            # Joins the highest group it leans on; it wraps with that group.
            group[r.source] = min(group[r.source], group[r.target])

    width = row_width or max(8, math.ceil(1.2 * math.sqrt(len(keys))))
    rows: dict[tuple[int, int], list[str]] = defaultdict(list)
    for key in keys:
        rows[group[key]].append(key)
    levels: dict[str, int] = {}
    top = 0
    for row in sorted(rows):
        members = rows[row]
        for i, key in enumerate(members):
            levels[key] = top + i // width
        top += math.ceil(len(members) / width)
    return {key: levels[key] for key in keys}


def _reporting_depth(
    keys: list[str], relations: Sequence[Relation], band: dict[str, int]
) -> dict[str, int]:
    """How many same-band bosses are above each contact (0 for the band's top)."""
    bosses: dict[str, list[str]] = defaultdict(list)
    for r in relations:
        if r.type == RelationType.REPORTS_TO and band[r.source] == band[r.target]:
            bosses[r.source].append(r.target)
    # Iterative depth-first search: a 2,000-long chain must not hit the recursion limit.
    depth: dict[str, int] = {}
    deepest_boss: dict[str, int] = {}
    on_path: set[str] = set()
    for root in keys:
        if root in depth:
            continue
        stack = [(root, iter(bosses.get(root, ())))]
        on_path.add(root)
        deepest_boss[root] = -1
        while stack:
            key, pending = stack[-1]
            for boss in pending:
                if boss in on_path:  # a cycle closes here: cut it
                    continue
                if boss in depth:
                    deepest_boss[key] = max(deepest_boss[key], depth[boss])
                    continue
                on_path.add(boss)
                deepest_boss[boss] = -1
                stack.append((boss, iter(bosses.get(boss, ()))))
                break
            else:
                stack.pop()
                on_path.discard(key)
                depth[key] = deepest_boss[key] + 1
                if stack:
                    below = stack[-1][0]
                    deepest_boss[below] = max(deepest_boss[below], depth[key])
    return depth


# --- box sizes -----------------------------------------------------------------------


def _char_em(ch: str) -> float:
    """A generous width for ``ch`` in font sizes: CJK a full em, wide Latin letters
    almost one, the rest about two thirds (measured labels stay below these)."""
    if unicodedata.combining(ch):
        return 0.0
    if ord(ch) >= 0x1F000:  # emoji and pictographs
        return 1.3
    if unicodedata.east_asian_width(ch) in "WFA":
        return 1.0
    if ch in "MWmw@%&" or ch.isupper():
        return 0.95
    return 0.66


def _text_width(text: str, size: float) -> float:
    return sum(_char_em(ch) for ch in text) * size


def _wrapped(line: str, room: float, size: float) -> list[str]:
    """``line`` wrapped as vis-network wraps a label: at spaces, whole words while they
    fit; a word wider than the room has a line of its own, as wide as it is."""
    lines: list[str] = []
    current = ""
    for word in line.split(" "):
        candidate = f"{current} {word}" if current else word
        if current and _text_width(candidate, size) > room:
            lines.append(current)
            current = word
        else:
            current = candidate
    lines.append(current)
    return lines


def label_size(label: str, *, font_size: float = 14) -> tuple[float, float]:
    """The width and height a box with ``label`` (lines split by ``\\n``) takes at most.

    >>> label_size("王")
    (47.0, 50.0)
    >>> width, height = label_size("Wang Jianguo Senior Vice President of Finance")
    >>> width <= NODE_MAX_WIDTH + 13, height > label_size("王")[1]
    (True, True)
    """
    room = NODE_MAX_WIDTH - NODE_MARGIN["left"] - NODE_MARGIN["right"]
    lines = [piece for line in label.split("\n") for piece in _wrapped(line, room, font_size)]
    widest = max(_text_width(line, font_size) for line in lines)
    # Only a single word wider than the room makes a box wider than NODE_MAX_WIDTH.
    width = widest + NODE_MARGIN["left"] + NODE_MARGIN["right"]
    height = len(lines) * font_size * _LINE_HEIGHT + NODE_MARGIN["top"] + NODE_MARGIN["bottom"]
    width, height = width + 2 * _BORDER, height + 2 * _BORDER
    return round(width, 1), round(height, 1)


# --- the chart -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OrgChart:
    """Where every box is (canvas px, centre) and how every edge is drawn."""

    boxes: dict[str, Box]
    curves: tuple[Curve, ...]  # one per edge given, in order
    spread: float  # 1.0, or how far the rows had to be pulled apart to clear every edge


def org_chart(
    keys: Sequence[str],
    levels: Mapping[str, int],
    sizes: Mapping[str, tuple[float, float]],
    edges: Sequence[tuple[str, str]],
) -> OrgChart:
    """Place the boxes row by row and choose each edge's shape so that no edge comes
    near a third box (see :func:`orgmap.render.geometry.route_edges`).

    ``levels`` from :func:`org_levels`, ``sizes`` from :func:`label_size`; ``edges``
    are (source, target) keys.  Inside a row people sit near those they are linked
    to.  An edge that no shape clears opens a corridor: the boxes in its way move
    aside along their row (and someone linked to a far neighbour in their own row
    moves next to them).  Should that not settle it, the whole chart is spread out
    (distances grow, boxes do not) until every edge is clear.

    >>> chart = org_chart(["boss", "desk", "sales", "cfo"],
    ...                   {"boss": 0, "cfo": 1, "sales": 2, "desk": 3},
    ...                   {k: (80, 40) for k in ("boss", "desk", "sales", "cfo")},
    ...                   [("desk", "cfo"), ("sales", "cfo"), ("cfo", "boss")])
    >>> chart.spread, [c.roundness > 0 for c in chart.curves]  # desk -> cfo bows round sales
    (1.0, [True, False, False])
    """
    rows = _rows(keys, levels, edges)
    row_of = {key: i for i, row in enumerate(rows) for key in row}
    room = _Room(rows)
    boxes = _place(rows, sizes, room)
    curves = route_edges(boxes, edges)
    for _ in range(_REPAIRS):
        if all(curve is not None for curve in curves):
            break
        failed = [edge for edge, curve in zip(edges, curves, strict=True) if curve is None]
        _open_corridors(failed, rows, row_of, boxes, room)
        boxes = _place(rows, sizes, room)
        curves = route_edges(boxes, edges)
    spread = 1.0
    for _ in range(_SPREADS):
        if all(curve is not None for curve in curves):
            break
        spread *= 1.25
        boxes = {k: Box(b.x * 1.25, b.y * 1.25, b.width, b.height) for k, b in boxes.items()}
        curves = route_edges(boxes, edges)
    return OrgChart(boxes, tuple(c or STRAIGHT for c in curves), spread)


class _Room:
    """The room opened in each row: extra space left of a box (never negative, so a box
    never comes nearer its neighbour than :data:`BOX_GAP`) and how far the row moved.

    Space belongs to the gap, not to the person: when someone moves within their row
    the gap they leave stays where it was, with the box that now follows it.
    """

    def __init__(self, rows: list[list[str]]) -> None:
        self.before: dict[str, float] = defaultdict(float)
        self.offset = [0.0] * len(rows)

    def push(self, row: list[str], index: int, i: int, by: float) -> None:
        """Move ``row[i]`` and everything beyond it (right if ``by`` > 0, else left)."""
        if by > 0:
            self.before[row[i]] += by
        else:
            self.offset[index] += by
            if i + 1 < len(row):
                self.before[row[i + 1]] -= by

    def move(self, row: list[str], key: str, *, after: str) -> None:
        """Move ``key`` within ``row`` to just after ``after``."""
        i = row.index(key)
        row.pop(i)
        left = self.before.pop(key, 0.0)
        if i < len(row):
            self.before[row[i]] += left
        row.insert(row.index(after) + 1, key)


def _open_corridors(
    failed: list[tuple[str, str]],
    rows: list[list[str]],
    row_of: dict[str, int],
    boxes: dict[str, Box],
    room: _Room,
) -> None:
    """Move the boxes that block each failed edge's straight line out of its way.

    Between rows: every box the line passes moves away from where the line crosses
    its row (with the rest of the row beyond it).  Within a row: the far end moves
    next to the near one."""
    for source, target in failed:
        a, b = boxes[source], boxes[target]
        if row_of[source] == row_of[target]:
            row = rows[row_of[source]]
            room.move(row, target, after=source)
            continue
        slope = abs((b.x - a.x) / (b.y - a.y))
        for key, box in boxes.items():
            if key in (source, target) or not min(a.y, b.y) < box.y < max(a.y, b.y):
                continue
            cross = a.x + (box.y - a.y) * (b.x - a.x) / (b.y - a.y)
            reach = slope * (box.height / 2 + CLEARANCE) + CLEARANCE + 1
            half = box.width / 2
            if box.x >= cross and box.x - half < cross + reach:
                push = cross + reach - (box.x - half)
            elif box.x < cross and box.x + half > cross - reach:
                push = -(box.x + half - (cross - reach))
            else:
                continue
            row = rows[row_of[key]]
            room.push(row, row_of[key], row.index(key), push)


def _rows(
    keys: Sequence[str], levels: Mapping[str, int], edges: Sequence[tuple[str, str]]
) -> list[list[str]]:
    """The rows top to bottom, each ordered so that people sit below those they link to
    (two barycentre sweeps: first against the rows above, then against all neighbours)."""
    linked: dict[str, list[str]] = defaultdict(list)
    for a, b in edges:
        if a != b:
            linked[a].append(b)
            linked[b].append(a)
    by_level: dict[int, list[str]] = defaultdict(list)
    for key in keys:
        by_level[levels[key]].append(key)
    rows = [by_level[level] for level in sorted(by_level)]
    level_of = {key: levels[key] for key in keys}
    place: dict[str, float] = {}
    for sweep in range(2):
        for row in rows:
            here = level_of[row[0]]
            width = len(row)
            own = {key: (i - (width - 1) / 2) for i, key in enumerate(row)}

            def centre(
                key: str, here: int = here, own: dict[str, float] = own, sweep: int = sweep
            ) -> float:
                seen = [
                    place[other]
                    for other in linked[key]
                    if other in place and (sweep or level_of[other] < here)
                ]
                return sum(seen) / len(seen) if seen else own[key]

            row.sort(key=centre)
            for i, key in enumerate(row):
                place[key] = i - (width - 1) / 2
    return rows


def _place(
    rows: list[list[str]], sizes: Mapping[str, tuple[float, float]], room: _Room
) -> dict[str, Box]:
    boxes: dict[str, Box] = {}
    y = 0.0
    previous_half = 0.0
    for i, row in enumerate(rows):
        half = max(sizes[key][1] for key in row) / 2
        if i:
            y += previous_half + ROW_GAP + half
        previous_half = half
        total = sum(sizes[key][0] for key in row) + BOX_GAP * (len(row) - 1)
        x = -total / 2 + room.offset[i]
        for key in row:
            width, height = sizes[key]
            x += room.before.get(key, 0.0)
            boxes[key] = Box(round(x + width / 2, 1), round(y, 1), width, height)
            x += width + BOX_GAP
    return boxes
