"""Edges that never run through a third person's box: vis-network's curves, checked here.

vis-network draws an edge from the centre of one node to the centre of the
other (the boxes are painted over the ends), either straight or, with
``smooth.type`` ``curvedCW``/``curvedCCW``, as a quadratic Bézier curve whose
control point it works out from ``roundness``.  :func:`curve_points` repeats
that computation exactly, so the layout can try a few shapes per edge and keep
the first one that stays clear of every other box (:func:`route_edges`).

>>> boxes = {"a": Box(0, 0, 80, 40), "b": Box(400, 0, 80, 40), "c": Box(200, 0, 80, 40)}
>>> [c.smooth()["type"] if c.roundness else "straight"
...  for c in route_edges(boxes, [("a", "c"), ("a", "b")])]
['straight', 'curvedCW']
>>> blocking(boxes, [("a", "b")], [STRAIGHT])
[(0, 'c')]
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    "CLEARANCE",
    "STRAIGHT",
    "Box",
    "Curve",
    "blocking",
    "curve_points",
    "route_edges",
    "segment_hits_box",
]

Point = tuple[float, float]

#: How far (px, at zoom 1) an edge keeps from a third person's box: room for a
#: thick route line and for the sampling of curves.
CLEARANCE = 6.0
#: Points per curve when it is checked; the error this leaves is added to the clearance.
SAMPLES = 24
# The shapes tried for each edge, gentlest first.
_ROUNDNESS = tuple(round(0.05 * i, 2) for i in range(1, 21))


@dataclass(frozen=True, slots=True)
class Box:
    """A node's box: centre ``x``, ``y`` and its ``width`` and ``height`` (canvas px)."""

    x: float
    y: float
    width: float
    height: float

    def padded(self, pad: float) -> tuple[float, float, float, float]:
        """left, top, right, bottom, ``pad`` further out on every side."""
        hw, hh = self.width / 2 + pad, self.height / 2 + pad
        return (self.x - hw, self.y - hh, self.x + hw, self.y + hh)


@dataclass(frozen=True, slots=True)
class Curve:
    """How vis-network draws one edge: straight (``roundness`` 0) or curved."""

    kind: Literal["curvedCW", "curvedCCW"] = "curvedCW"
    roundness: float = 0.0

    def smooth(self) -> dict[str, Any]:
        """The edge's vis-network ``smooth`` option."""
        if not self.roundness:
            return {"enabled": False}
        return {"enabled": True, "type": self.kind, "roundness": self.roundness}

    def side(self, source: str, target: str) -> float:
        """Which way and how far it bows, the same sign for the same side whichever
        way the edge points (so two edges between one pair can be told apart)."""
        sign = 1 if (self.kind == "curvedCW") == (source < target) else -1
        return sign * self.roundness


STRAIGHT = Curve()
_CANDIDATES = (
    STRAIGHT,
    *(Curve(kind, r) for r in _ROUNDNESS for kind in ("curvedCW", "curvedCCW")),
)


def via_point(a: Point, b: Point, curve: Curve) -> Point:
    """The control point vis-network 9 uses for ``curve`` from ``a`` to ``b``
    (``BezierEdgeStatic._getViaCoordinates``)."""
    r = curve.roundness
    dx, dy = b[0] - a[0], a[1] - b[1]
    length = math.hypot(dx, dy)
    factor = 0.5 * r + 0.5
    turn = (0.5 * r + 0.5) if curve.kind == "curvedCW" else (-0.5 * r + 0.5)
    angle = (math.atan2(dy, dx) + turn * math.pi) % (2 * math.pi)
    return (a[0] + factor * length * math.sin(angle), a[1] + factor * length * math.cos(angle))


def curve_points(a: Point, b: Point, curve: Curve, *, samples: int = SAMPLES) -> list[Point]:
    """Points along the edge as drawn, from ``a`` to ``b``; two for a straight one.

    >>> curve_points((0, 0), (100, 0), STRAIGHT)
    [(0, 0), (100, 0)]
    >>> [(round(x), round(y)) for x, y in curve_points((0, 0), (100, 0), Curve("curvedCW", 1),
    ...                                                 samples=2)]
    [(0, 0), (25, -50), (100, 0)]
    """
    if not curve.roundness:
        return [a, b]
    v = via_point(a, b, curve)
    points = []
    for i in range(samples + 1):
        t = i / samples
        u = 1 - t
        points.append(
            (
                u * u * a[0] + 2 * u * t * v[0] + t * t * b[0],
                u * u * a[1] + 2 * u * t * v[1] + t * t * b[1],
            )
        )
    return points


def _sampling_error(a: Point, b: Point, curve: Curve, samples: int) -> float:
    # A chord of a quadratic Bézier strays from it by at most |a - 2v + b| / (4 n²).
    if not curve.roundness:
        return 0.0
    v = via_point(a, b, curve)
    return math.hypot(a[0] - 2 * v[0] + b[0], a[1] - 2 * v[1] + b[1]) / (4 * samples * samples)


def segment_hits_box(p: Point, q: Point, box: tuple[float, float, float, float]) -> bool:
    """Whether the segment ``p``–``q`` touches the rectangle (left, top, right, bottom).

    Liang–Barsky clipping: exact, no sampling.

    >>> segment_hits_box((0, 0), (10, 10), (4, 4, 6, 6))
    True
    >>> segment_hits_box((0, 0), (10, 0), (4, 1, 6, 6))
    False
    """
    left, top, right, bottom = box
    dx, dy = q[0] - p[0], q[1] - p[1]
    low, high = 0.0, 1.0
    for step, room in (
        (-dx, p[0] - left),
        (dx, right - p[0]),
        (-dy, p[1] - top),
        (dy, bottom - p[1]),
    ):
        if step == 0:
            if room < 0:
                return False
            continue
        t = room / step
        if step < 0:
            low = max(low, t)
        else:
            high = min(high, t)
        if low > high:
            return False
    return True


class _Index:
    """The boxes by row (equal centre y) and, inside a row, by x: a curve asks only
    for the boxes near it."""

    def __init__(self, boxes: Mapping[str, Box]) -> None:
        rows: dict[float, list[tuple[float, str]]] = defaultdict(list)
        for key, box in boxes.items():
            rows[box.y].append((box.x, key))
        self.boxes = boxes
        self.ys = sorted(rows)
        self.rows = [sorted(rows[y]) for y in self.ys]
        self.xs = [[x for x, _ in row] for row in self.rows]
        self.half_height = [max(boxes[k].height for _, k in row) / 2 for row in self.rows]
        self.half_width = max((b.width for b in boxes.values()), default=0) / 2
        self.tallest = max(self.half_height, default=0)

    def near(self, left: float, top: float, right: float, bottom: float) -> Iterable[str]:
        start = bisect.bisect_left(self.ys, top - self.tallest)
        stop = bisect.bisect_right(self.ys, bottom + self.tallest)
        for i in range(start, stop):
            y, hh = self.ys[i], self.half_height[i]
            if y + hh < top or y - hh > bottom:
                continue
            xs, row = self.xs[i], self.rows[i]
            lo = bisect.bisect_left(xs, left - self.half_width)
            hi = bisect.bisect_right(xs, right + self.half_width)
            for _, key in row[lo:hi]:
                yield key


def _hits(
    index: _Index, source: str, target: str, curve: Curve, *, clearance: float
) -> Iterable[str]:
    """The third boxes that the edge drawn as ``curve`` comes within ``clearance`` of."""
    a, b = index.boxes[source], index.boxes[target]
    pa, pb = (a.x, a.y), (b.x, b.y)
    points = curve_points(pa, pb, curve)
    pad = clearance + _sampling_error(pa, pb, curve, SAMPLES)
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    area = (min(xs) - pad, min(ys) - pad, max(xs) + pad, max(ys) + pad)
    # Each piece with its bounding rectangle: most pieces of a curve are nowhere near a
    # given box, and comparing rectangles is far cheaper than clipping.
    pieces = [
        (min(p[0], q[0]), min(p[1], q[1]), max(p[0], q[0]), max(p[1], q[1]), p, q)
        for p, q in itertools.pairwise(points)
    ]
    for key in index.near(*area):
        if key in (source, target):
            continue
        box = index.boxes[key].padded(pad)
        left, top, right, bottom = box
        for x0, y0, x1, y1, p, q in pieces:
            if x1 < left or x0 > right or y1 < top or y0 > bottom:
                continue
            if segment_hits_box(p, q, box):
                yield key
                break


def blocking(
    boxes: Mapping[str, Box],
    edges: Sequence[tuple[str, str]],
    curves: Sequence[Curve],
    *,
    clearance: float = CLEARANCE,
) -> list[tuple[int, str]]:
    """Every (edge index, third key) where edge ``i`` drawn as ``curves[i]`` comes within
    ``clearance`` of the third node's box; empty when the drawing is clean."""
    index = _Index(boxes)
    return [
        (i, key)
        for i, ((source, target), curve) in enumerate(zip(edges, curves, strict=True))
        for key in _hits(index, source, target, curve, clearance=clearance)
    ]


def route_edges(
    boxes: Mapping[str, Box],
    edges: Sequence[tuple[str, str]],
    *,
    clearance: float = CLEARANCE,
) -> list[Curve | None]:
    """A shape for each edge that passes no third box, or ``None`` where none of the
    shapes tried does.  Straight where possible; edges joining the same two people
    bow differently, so they never lie on top of each other."""
    index = _Index(boxes)
    sides: dict[frozenset[str], list[float]] = defaultdict(list)
    chosen: list[Curve | None] = []
    for source, target in edges:
        taken = sides[frozenset((source, target))]
        found = None
        for curve in _CANDIDATES:
            side = curve.side(source, target)
            if any(abs(side - other) < 0.09 for other in taken):
                continue
            if next(iter(_hits(index, source, target, curve, clearance=clearance)), None) is None:
                found = curve
                taken.append(side)
                break
        chosen.append(found)
    return chosen
