"""The drawable map spec: what is shown, how it is marked, where it sits (issue 4, item 2)."""

from __future__ import annotations

import json
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orgmap.domain.model import Contact, DebtorMap, Department, Disposition, Relation, RelationType
from orgmap.i18n import label
from orgmap.render import LAYOUTS, legend, map_spec
from orgmap.render.orgchart import org_levels
from orgmap.render.style import (
    AUTHORIZER_BORDER,
    DEPARTMENT_BAND,
    DEPARTMENT_COLOURS,
    DO_NOT_CONTACT_BORDER,
    RELATION_STYLES,
    ROUTE_COLOUR,
)
from tests.factories import make_contact, make_map, make_phone, make_relation

HOSTILE_NAME = "<img src=x onerror=alert(1)>"
HOSTILE_NOTE = (
    '</script><script>alert(1)</script> <a href="javascript:alert(2)">x</a> "quotes\'\u2028'
)


def nodes_by_id(spec: dict) -> dict[str, dict]:
    return {n["id"]: n for n in spec["nodes"]}


def edges_by_id(spec: dict) -> dict[str, dict]:
    return {e["id"]: e for e in spec["edges"]}


def big_map(n: int) -> DebtorMap:
    """``n`` contacts spread over the departments, each reporting up or to a colleague."""
    departments = list(DEPARTMENT_BAND)
    contacts = tuple(
        make_contact(
            f"c{i}",
            name=f"联系人{i}",
            department=departments[i % len(departments)],
            disposition=list(Disposition)[i % 5],
            authorizes_payment=i == 0,
        )
        for i in range(n)
    )
    relations = tuple(
        make_relation(f"c{i}", f"c{(i * 7) // 10}", RelationType.REPORTS_TO) for i in range(1, n)
    )
    return make_map(contacts=contacts, relations=relations, interactions=())


# --- what is shown -----------------------------------------------------------------


def test_archived_contacts_and_relations_are_left_out():
    m = make_map(
        contacts=(
            make_contact("desk"),
            make_contact("boss", department=Department.OWNER),
            make_contact("gone", archived=True),
        ),
        relations=(
            make_relation("desk", "boss", RelationType.REFERS_TO),
            make_relation("desk", "boss", RelationType.GATEKEEPS, archived=True),
            make_relation("gone", "boss", RelationType.REPORTS_TO),
        ),
    )
    for layout in LAYOUTS:
        spec = map_spec(m, layout=layout)
        assert set(nodes_by_id(spec)) == {"desk", "boss"}
        assert [e["relation"] for e in spec["edges"]] == ["refers_to"]
        assert "gone" not in json.dumps(spec)


def test_every_visible_contact_and_relation_is_drawn_once():
    m = make_map()
    spec = map_spec(m)
    assert sorted(nodes_by_id(spec)) == sorted(c.key for c in m.contacts)
    assert len(spec["edges"]) == len(m.relations)
    json.dumps(spec)  # JSON-ready, nothing but plain values


def test_a_repeated_relation_is_drawn_once():
    twice = make_relation("desk", "boss", RelationType.REFERS_TO, note="first")
    again = make_relation("desk", "boss", RelationType.REFERS_TO, note="again")
    spec = map_spec(make_map(relations=(twice, again)))
    assert [e["title"].split("\n")[-1] for e in spec["edges"]] == ["first"]


def test_nodes_are_coloured_by_department():
    contacts = tuple(
        make_contact(d.value, department=d, phones=()) for d in DEPARTMENT_COLOURS if d != "owner"
    )
    spec = map_spec(make_map(contacts=contacts, relations=()))
    for key, node in nodes_by_id(spec).items():
        colour = DEPARTMENT_COLOURS[Department(key)]
        assert node["color"]["background"] == colour.fill
        assert node["color"]["border"] == colour.border
    assert len({n["color"]["background"] for n in spec["nodes"]}) == len(contacts)


def test_the_authorizer_stands_out():
    spec = map_spec(make_map())
    nodes = nodes_by_id(spec)
    boss, others = nodes["boss"], [n for k, n in nodes.items() if k != "boss"]
    assert boss["color"]["border"] == AUTHORIZER_BORDER
    assert boss["borderWidth"] > spec["options"]["nodes"]["borderWidth"]
    assert boss["font"]["size"] > spec["options"]["nodes"]["font"]["size"]
    assert boss["label"].startswith("★ ")
    assert boss["shadow"]["enabled"]
    assert all("★" not in n["label"] and n["color"]["border"] != AUTHORIZER_BORDER for n in others)
    assert spec["focus"] == ["boss"]  # with no route, the page frames the authorizers


def test_do_not_contact_is_marked_with_a_dashed_red_border():
    m = make_map(contacts=(make_contact("desk", do_not_contact=True), make_contact("ok")))
    nodes = nodes_by_id(map_spec(m, lang="en"))
    marked, plain = nodes["desk"], nodes["ok"]
    assert marked["color"]["border"] == DO_NOT_CONTACT_BORDER
    assert marked["shapeProperties"]["borderDashes"]
    assert "⊘" in marked["label"] and "Do not contact" in marked["title"]
    assert "shapeProperties" not in plain and "⊘" not in plain["label"]


@pytest.mark.parametrize(
    ("lang", "words"),
    [("en", ["sheep", "fox", "eagle", "donkey"]), ("zh-CN", ["绵羊", "狐狸", "鹰", "驴"])],
)
def test_dispositions_are_written_under_the_name(lang, words):
    kinds = [Disposition.SHEEP, Disposition.FOX, Disposition.EAGLE, Disposition.DONKEY]
    contacts = (
        *(
            make_contact(d.value, name=f"N{i}", title="经理", disposition=d)
            for i, d in enumerate(kinds)
        ),
        make_contact("who", name="Nobody", disposition=Disposition.UNKNOWN),
    )
    nodes = nodes_by_id(map_spec(make_map(contacts=contacts, relations=()), lang=lang))
    for d, word in zip(kinds, words, strict=True):
        _name_line, second = nodes[d.value]["label"].split("\n")
        assert second == f"经理 · {word}"
    assert nodes["who"]["label"] == "Nobody"


def test_tooltip_holds_every_fact_as_plain_text_and_names_as_typed():
    boss = make_contact(
        "boss",
        name=HOSTILE_NAME,
        title="总经理 & CEO",
        department=Department.OWNER,
        disposition=Disposition.EAGLE,
        authorizes_payment=True,
        phones=(make_phone("+8613812345678"), make_phone("+862161234567", extension="801")),
        email="wang@acme.example",
        notes=HOSTILE_NOTE,
    )
    title = nodes_by_id(map_spec(make_map(contacts=(boss,), relations=()), lang="en"))["boss"][
        "title"
    ]
    lines = title.split("\n")
    assert lines[0] == HOSTILE_NAME  # the name exactly as typed: escaping is the page's job
    for fact in (
        "Title: 总经理 & CEO",
        "Department: owner",
        "Disposition: eagle",
        "+8613812345678 (mobile)",
        "+862161234567 ext. 801",
        "Email: wang@acme.example",
        "★ Authorizes payment",
    ):
        assert fact in title, fact
    assert HOSTILE_NOTE.strip() in title


def test_labels_are_short_and_single_line_per_fact():
    long = make_contact("x", name="很长的名字" * 20 + "\n第二行", title="")
    node = nodes_by_id(map_spec(make_map(contacts=(long,), relations=())))["x"]
    assert "\n" not in node["label"] and node["label"].endswith("…")
    assert len(node["label"]) <= 22
    assert node["title"].startswith("很长的名字" * 20)  # the tooltip keeps it whole


def test_chinese_map_translates_departments_and_fields():
    spec = map_spec(make_map(), lang="zh-CN")
    finance = nodes_by_id(spec)["finance"]["title"]
    assert "部门：财务部" in finance and "邮箱：chen@acme.example" in finance
    assert spec["words"]["fit"] == "显示全部"
    assert spec["lang"] == "zh-CN"
    assert map_spec(make_map(), lang="zh_cn")["lang"] == "zh-CN"


# --- relations ---------------------------------------------------------------------


def test_edges_are_styled_by_relation_type():
    types = list(RelationType)
    contacts = tuple(make_contact(f"p{i}") for i in range(len(types) + 1))
    relations = tuple(make_relation(f"p{i}", f"p{i + 1}", t) for i, t in enumerate(types))
    edges = map_spec(make_map(contacts=contacts, relations=relations))["edges"]
    by_type = {e["relation"]: e for e in edges}
    for t in types:
        style = RELATION_STYLES[t]
        assert by_type[t]["color"]["color"] == style.colour
        assert by_type[t]["dashes"] == style.dashes
        assert by_type[t]["arrows"]["to"]["enabled"] is (t != RelationType.COLLEAGUE)
    assert len({(s.colour, str(s.dashes)) for s in RELATION_STYLES.values()}) == len(types)


def test_edges_between_the_same_two_people_curve_apart():
    spec = map_spec(make_map(), layout="free")
    sales, finance = (
        edges_by_id(spec)["sales>finance:passes_buck_to"],
        edges_by_id(spec)["finance>sales:passes_buck_to"],
    )
    assert sales["smooth"]["roundness"] != finance["smooth"]["roundness"]


def test_relation_tooltip_names_both_people_and_keeps_the_note():
    spec = map_spec(make_map(), lang="zh-CN")
    edge = edges_by_id(spec)["desk>boss:refers_to"]
    assert edge["title"].split("\n") == ["小张 → 王总", "引荐", "前台给了老板手机"]


# --- the route ---------------------------------------------------------------------


def test_route_nodes_are_numbered_in_order_and_highlighted():
    spec = map_spec(make_map(), route_steps=["desk", "boss"])
    nodes = nodes_by_id(spec)
    assert nodes["desk"]["label"].startswith("1. ")
    assert nodes["boss"]["label"].startswith("2. ★ ")
    assert nodes["desk"]["color"]["border"] == ROUTE_COLOUR
    assert nodes["boss"]["color"]["border"] == AUTHORIZER_BORDER  # gold wins over blue
    assert not any(nodes[k]["label"][0].isdigit() for k in ("sales", "finance"))
    hop = edges_by_id(spec)["desk>boss:refers_to"]
    assert hop["label"] == "2" and hop["color"]["color"] == ROUTE_COLOUR
    assert hop["width"] > max(s.width for s in RELATION_STYLES.values())
    others = [e for e in spec["edges"] if e is not hop]
    assert all("label" not in e and e["color"]["opacity"] < 1 for e in others)
    assert spec["route"] == spec["focus"] == ["desk", "boss"]
    assert "Route step 1 of 2" in nodes["desk"]["title"]


def test_route_hop_prefers_the_relation_pointing_along_the_route():
    m = make_map(
        relations=(
            make_relation("boss", "finance", RelationType.COLLEAGUE),
            make_relation("finance", "boss", RelationType.PASSES_BUCK_TO),
            make_relation("finance", "boss", RelationType.REPORTS_TO),
        )
    )
    edges = edges_by_id(map_spec(m, route_steps=["finance", "boss"]))
    assert edges["finance>boss:reports_to"]["label"] == "2"
    assert "label" not in edges["finance>boss:passes_buck_to"]
    assert "label" not in edges["boss>finance:colleague"]
    # Only a relation pointing back: it is the one marked.
    back = make_map(relations=(make_relation("boss", "finance", RelationType.COLLEAGUE),))
    assert edges_by_id(map_spec(back, route_steps=["finance", "boss"]))["boss>finance:colleague"][
        "label"
    ] == ("2")


def test_route_hop_without_a_relation_is_still_drawn():
    spec = map_spec(make_map(relations=()), route_steps=["desk", "finance", "boss"])
    hops = [e for e in spec["edges"] if e["relation"] == "route"]
    assert [(e["from"], e["to"], e["label"]) for e in hops] == [
        ("desk", "finance", "2"),
        ("finance", "boss", "3"),
    ]


@pytest.mark.parametrize("bad", ["nobody", "gone"])
def test_route_through_an_unknown_or_archived_contact_is_refused(bad):
    m = make_map(contacts=(*make_map().contacts, make_contact("gone", archived=True)))
    with pytest.raises(ValueError, match=r"route_steps\[1\]: '" + bad):
        map_spec(m, route_steps=["desk", bad])


def test_unknown_layout_is_refused_naming_the_field():
    with pytest.raises(ValueError, match="layout: expected one of hierarchical, free"):
        map_spec(make_map(), layout="circle")  # type: ignore[arg-type]


# --- layouts -----------------------------------------------------------------------


def test_hierarchical_layout_is_a_top_down_org_chart_without_physics():
    m = make_map(
        contacts=(
            *make_map().contacts,
            make_contact("cust", department=Department.EXTERNAL),
            make_contact("gm", department=Department.MANAGEMENT),
        ),
        relations=(*make_map().relations, make_relation("cust", "boss", RelationType.INFLUENCES)),
    )
    spec = map_spec(m, layout="hierarchical")
    # orgmap places every box itself (vis-network's layout ran edges through boxes).
    assert spec["options"]["layout"]["hierarchical"]["enabled"] is False
    assert spec["options"]["physics"]["enabled"] is False
    level = {k: n["y"] for k, n in nodes_by_id(spec).items()}
    assert level["boss"] < level["gm"] < level["finance"] < level["sales"] < level["desk"]
    assert level["cust"] == level["boss"]  # the customer sits beside the boss he can lean on
    assert all(len(n["box"]) == 2 for n in spec["nodes"])


def test_free_layout_uses_bounded_physics():
    spec = map_spec(big_map(200), layout="free")
    physics = spec["options"]["physics"]
    assert physics["enabled"] and physics["solver"] == "barnesHut"
    assert physics["stabilization"]["enabled"]
    assert 0 < physics["stabilization"]["iterations"] <= 150
    assert spec["options"]["layout"]["hierarchical"]["enabled"] is False
    assert all("level" not in n for n in spec["nodes"])
    # No per-edge physics support nodes: pyvis's default "dynamic" smoothing is replaced.
    assert all(e["smooth"]["type"] != "dynamic" for e in spec["edges"])
    assert spec["options"]["edges"]["smooth"]["type"] != "dynamic"


def test_big_map_levels_wrap_into_readable_rows():
    m = big_map(200)
    start = time.perf_counter()
    spec = map_spec(m, route_steps=["c9", "c6", "c4", "c2", "c1", "c0"], layout="hierarchical")
    print(f"map_spec, 200 contacts: {(time.perf_counter() - start) * 1000:.1f} ms (first call)")
    per_level: dict[float, int] = {}
    for n in spec["nodes"]:
        per_level[n["y"]] = per_level.get(n["y"], 0) + 1
    assert max(per_level.values()) <= 17  # ≈ 1.2·√200: about as wide as tall
    assert len(per_level) >= 10
    assert [nodes_by_id(spec)[k]["label"].split(".")[0] for k in spec["route"]] == [
        "1",
        "2",
        "3",
        "4",
        "5",
        "6",
    ]


def test_long_reporting_chain_does_not_hit_the_recursion_limit():
    n = 3000
    contacts = [Contact(f"c{i}", f"c{i}", Department.SALES) for i in range(n)]
    relations = [Relation(f"c{i}", f"c{i - 1}", RelationType.REPORTS_TO) for i in range(1, n)]
    relations.append(Relation("c0", f"c{n - 1}", RelationType.REPORTS_TO))  # and a cycle
    levels = org_levels(contacts, relations)
    assert sorted(levels.values()) == list(range(n))


KEYS = [f"k{i}" for i in range(8)]


@st.composite
def org_maps(draw):
    departments = draw(st.lists(st.sampled_from(list(Department)), min_size=1, max_size=8))
    contacts = [Contact(KEYS[i], KEYS[i], d) for i, d in enumerate(departments)]
    pairs = draw(
        st.lists(
            st.tuples(st.integers(0, len(contacts) - 1), st.integers(0, len(contacts) - 1)),
            max_size=12,
        )
    )
    # reports_to only to an earlier contact: no cycles, so the order must show.
    relations = [
        Relation(contacts[a].key, contacts[b].key, RelationType.REPORTS_TO)
        for a, b in pairs
        if b < a
    ]
    return contacts, relations, draw(st.integers(1, 4))


@given(org_maps())
@settings(max_examples=200, deadline=None)
def test_org_levels_keep_bands_and_bosses_above(generated):
    contacts, relations, width = generated
    levels = org_levels(contacts, relations, row_width=width)
    band = {c.key: DEPARTMENT_BAND[c.department] for c in contacts}
    assert set(levels) == set(band)
    for a in contacts:
        for b in contacts:
            if band[a.key] < band[b.key] and "external" not in (a.department, b.department):
                assert levels[a.key] < levels[b.key]
    department = {c.key: c.department for c in contacts}
    for r in relations:
        # An outsider joins the row of whom they lean on (checked by example above).
        if department[r.source] != "external" and band[r.source] == band[r.target]:
            assert levels[r.source] > levels[r.target]
    rows: dict[int, int] = {}
    for level in levels.values():
        rows[level] = rows.get(level, 0) + 1
    assert max(rows.values()) <= width


@given(
    st.lists(st.booleans(), min_size=1, max_size=6),
    st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5), st.booleans()), max_size=10),
)
@settings(max_examples=100, deadline=None)
def test_no_edge_ever_touches_a_hidden_contact(archived, links):
    contacts = tuple(make_contact(f"p{i}", archived=a) for i, a in enumerate(archived))
    n = len(contacts)
    relations = tuple(
        make_relation(f"p{a % n}", f"p{b % n}", RelationType.COLLEAGUE, archived=gone)
        for a, b, gone in {(a % n, b % n, g) for a, b, g in links}
        if a % n != b % n
    )
    unique = tuple({(r.source, r.target): r for r in relations}.values())
    spec = map_spec(make_map(contacts=contacts, relations=unique))
    shown = {c.key for c in contacts if not c.archived}
    assert set(nodes_by_id(spec)) == shown
    for e in spec["edges"]:
        assert e["from"] in shown and e["to"] in shown
    expected = {
        (r.source, r.target)
        for r in unique
        if not r.archived and r.source in shown and r.target in shown
    }
    assert {(e["from"], e["to"]) for e in spec["edges"]} == expected


# --- legend ------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_legend_names_every_colour_and_line_style(lang):
    items = legend(lang)
    by_kind: dict[str, list[dict]] = {}
    for item in items:
        by_kind.setdefault(item["kind"], []).append(item)
    assert {i["key"] for i in by_kind["department"]} == {d.value for d in Department}
    assert {i["key"] for i in by_kind["relation"]} == {t.value for t in RelationType}
    assert {i["key"] for i in by_kind["marker"]} == {"authorizer", "do_not_contact", "route"}
    assert {i["key"] for i in by_kind["disposition"]} == {"sheep", "fox", "eagle", "donkey"}
    for item in by_kind["department"]:
        assert item["label"] == label(Department(item["key"]), lang)
        assert item["fill"] == DEPARTMENT_COLOURS[Department(item["key"])].fill
    for item in by_kind["relation"]:
        assert item["stroke"] == RELATION_STYLES[RelationType(item["key"])].colour
    assert next(i["key"] for i in by_kind["department"]) == "owner"  # org-chart order
    json.dumps(items)


def test_legend_differs_by_language():
    en, zh = legend("en"), legend("zh-CN")
    assert [i["key"] for i in en] == [i["key"] for i in zh]
    assert all(a["label"] != b["label"] for a, b in zip(en, zh, strict=True))
    zh_departments = {i["key"]: i["label"] for i in zh if i["kind"] == "department"}
    assert zh_departments["finance"] == "财务部"
    assert zh_departments["legal"] == "法务部", (
        "orgmap/i18n.py keys _ZH by StrEnum members, and DebtorStatus.LEGAL == "
        "Department.LEGAL == 'legal', so one overwrites the other"
    )
