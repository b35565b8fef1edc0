"""The org chart never draws an edge through a third person's box (issue 11, item 14)."""

from __future__ import annotations

import itertools

from hypothesis import example, given, settings
from hypothesis import strategies as st

from orgmap.domain.model import Department, RelationType
from orgmap.render import map_spec
from orgmap.render.geometry import (
    CLEARANCE,
    STRAIGHT,
    Box,
    Curve,
    blocking,
    curve_points,
    segment_hits_box,
)
from orgmap.render.orgchart import label_size
from tests.factories import make_contact, make_map, make_relation


def drawn(spec: dict) -> tuple[dict[str, Box], list[tuple[str, str]], list[Curve]]:
    """The boxes, edges and curves exactly as the spec hands them to vis-network."""
    boxes = {n["id"]: Box(n["x"], n["y"], *n["box"]) for n in spec["nodes"]}
    edges = [(e["from"], e["to"]) for e in spec["edges"]]
    curves = [
        Curve(e["smooth"]["type"], e["smooth"]["roundness"])
        if e["smooth"].get("enabled")
        else STRAIGHT
        for e in spec["edges"]
    ]
    return boxes, edges, curves


def fuman_map():
    """The issue's case: 小王 at reception referred us to 陈丽 in finance, and 赵强 in
    sales sits right between them in the org chart."""
    contacts = (
        make_contact("zhou", name="周德明", department=Department.OWNER, authorizes_payment=True),
        make_contact("chen", name="陈丽", department=Department.FINANCE),
        make_contact("zhao", name="赵强", department=Department.SALES),
        make_contact("wang", name="小王", department=Department.RECEPTION),
    )
    relations = (
        make_relation("wang", "chen", RelationType.REFERS_TO),
        make_relation("chen", "zhou", RelationType.REPORTS_TO),
        make_relation("zhao", "zhou", RelationType.REPORTS_TO),
    )
    return make_map(contacts=contacts, relations=relations, interactions=())


def test_the_referral_bows_round_the_person_between():
    spec = map_spec(fuman_map(), lang="zh-CN")
    boxes, edges, curves = drawn(spec)
    # As vis-network's own layout drew it: 小王, 赵强 and 陈丽 in one column.
    assert boxes["wang"].x == boxes["zhao"].x == boxes["chen"].x
    assert (0, "zhao") in blocking(boxes, edges, [STRAIGHT] * len(edges))
    referral = edges.index(("wang", "chen"))
    assert curves[referral] != STRAIGHT
    assert blocking(boxes, edges, curves) == []


def test_a_straight_edge_is_kept_where_nothing_is_in_its_way():
    spec = map_spec(fuman_map())
    _, edges, curves = drawn(spec)
    assert curves[edges.index(("chen", "zhou"))] == STRAIGHT


def test_curves_are_sampled_as_vis_network_draws_them():
    points = curve_points((0, 0), (200, 0), Curve("curvedCW", 0.5))
    assert points[0] == (0, 0) and points[-1] == (200, 0)
    assert min(y for _, y in points) < -40  # bows up, clear of a 60 px high box in the middle
    counter = curve_points((0, 0), (200, 0), Curve("curvedCCW", 0.5))
    assert max(y for _, y in counter) > 40


def test_segment_box_intersection():
    box = (10, 10, 20, 20)
    assert segment_hits_box((0, 15), (30, 15), box)  # straight through
    assert segment_hits_box((15, 15), (15, 15), box)  # a point inside
    assert not segment_hits_box((0, 0), (30, 5), box)  # passes above
    assert not segment_hits_box((0, 30), (9, 0), box)  # ends before the box
    assert segment_hits_box((0, 0), (30, 30), box)  # the diagonal


def test_edges_between_the_same_people_never_lie_on_each_other():
    contacts = (
        make_contact("sales", department=Department.SALES),
        make_contact("fin", department=Department.FINANCE),
    )
    relations = (
        make_relation("sales", "fin", RelationType.PASSES_BUCK_TO),
        make_relation("fin", "sales", RelationType.PASSES_BUCK_TO),
        make_relation("fin", "sales", RelationType.COLLEAGUE),
    )
    spec = map_spec(make_map(contacts=contacts, relations=relations, interactions=()))
    _, edges, curves = drawn(spec)
    sides = [c.side(a, b) for (a, b), c in zip(edges, curves, strict=True)]
    assert len({round(s, 2) for s in sides}) == 3


def test_box_sizes_grow_with_the_label():
    short, long_ = (
        label_size("王"),
        label_size("王建国 高级 副总裁 兼 财务 总监 负责 付款\n经理 · 狐狸"),
    )
    assert short[0] < long_[0] <= 190 + 13 and short[1] < long_[1]
    # A word too long to wrap keeps its width, as in vis-network.
    assert label_size("王" * 22)[0] > 300
    assert label_size("★ 王", font_size=17)[1] > label_size("★ 王")[1]


DEPARTMENTS = list(Department)
TYPES = list(RelationType)


@st.composite
def random_maps(draw):
    n = draw(st.integers(2, 26))
    contacts = tuple(
        make_contact(
            f"c{i}",
            name=draw(
                st.sampled_from(["王", "陈丽", "Li Wei", "欧阳建国先生", "W" * 12, "张" * 22])
            ),
            title=draw(st.sampled_from(["", "经理", "Finance Director"])),
            department=draw(st.sampled_from(DEPARTMENTS)),
            authorizes_payment=draw(st.booleans()),
            phones=(),
        )
        for i in range(n)
    )
    pairs = draw(
        st.lists(
            st.tuples(st.integers(0, n - 1), st.integers(0, n - 1), st.sampled_from(TYPES)),
            max_size=2 * n,
        )
    )
    relations = tuple(make_relation(f"c{a}", f"c{b}", t) for a, b, t in pairs if a != b)
    route = draw(st.lists(st.integers(0, n - 1), max_size=4, unique=True))
    return make_map(contacts=contacts, relations=relations, interactions=()), [
        f"c{i}" for i in route
    ]


def crowded_row_map():
    """Hypothesis's find: c2 -> c16 moved c16 along its row after a corridor had pushed
    it far left, and the push went with c16, onto c8 (boxes 142.1 ± 63.9 and 283.7 ± 94.5)."""
    people = {
        "c0": ("王", "", Department.MANAGEMENT),
        "c1": ("Li Wei", "", Department.RECEPTION),
        "c2": ("王", "Finance Director", Department.SALES),
        "c3": ("张" * 22, "", Department.SALES),
        "c4": ("王", "", Department.RECEPTION),
        "c5": ("王", "", Department.RECEPTION),
        "c6": ("王", "", Department.RECEPTION),
        "c7": ("王", "", Department.MANAGEMENT),
        "c8": ("王", "Finance Director", Department.SALES),
        "c9": ("王", "", Department.FINANCE),
        "c10": ("王", "", Department.OWNER),
        "c11": ("王", "经理", Department.MANAGEMENT),
        "c12": ("王", "", Department.RECEPTION),
        "c13": ("王", "Finance Director", Department.FINANCE),
        "c14": ("王", "Finance Director", Department.RECEPTION),
        "c15": ("王", "Finance Director", Department.RECEPTION),
        "c16": ("王", "Finance Director", Department.PURCHASING),
        "c17": ("王", "", Department.RECEPTION),
        "c18": ("王", "", Department.RECEPTION),
        "c19": ("王", "Finance Director", Department.OWNER),
        "c20": ("王", "", Department.RECEPTION),
    }
    authorizers = {"c1", "c2", "c16"}
    contacts = tuple(
        make_contact(
            key,
            name=name,
            title=title,
            department=department,
            authorizes_payment=key in authorizers,
            phones=(),
        )
        for key, (name, title, department) in people.items()
    )
    reports = [("c0", "c6"), ("c0", "c14"), ("c1", "c9"), ("c3", "c6"), ("c4", "c1"), ("c4", "c9")]
    relations = (
        *(make_relation(a, b, RelationType.REPORTS_TO) for a, b in reports),
        make_relation("c2", "c16", RelationType.REFERS_TO),
    )
    m = make_map(contacts=contacts, relations=relations, interactions=())
    return m, ["c13", "c20", "c0", "c17"]


@given(random_maps())
@example(crowded_row_map())
@settings(max_examples=120, deadline=None)
def test_no_edge_passes_through_a_third_box(generated):
    m, route = generated
    spec = map_spec(m, route_steps=route, layout="hierarchical")
    boxes, edges, curves = drawn(spec)
    assert blocking(boxes, edges, curves, clearance=CLEARANCE - 0.5) == []
    # No two boxes overlap either.
    rows: dict[float, list[Box]] = {}
    for box in boxes.values():
        rows.setdefault(box.y, []).append(box)
    for row in rows.values():
        row.sort(key=lambda b: b.x)
        for left, right in itertools.pairwise(row):
            assert left.x + left.width / 2 < right.x - right.width / 2
