"""The standalone HTML map: offline, and safe with whatever people type (issue 4, item 2)."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orgmap.domain.model import Department, RelationType
from orgmap.render import json_for_html, map_assets, map_spec, render_html
from orgmap.render.html import TEMPLATES
from tests.factories import make_contact, make_map, make_relation

HOSTILE = [
    "<img src=x onerror=alert(1)>",
    "</script><script>alert(1)</script>",
    '<a href="javascript:alert(2)">click</a>',
    "\"quotes' & <!-- comment",
    "line\u2028separator\u2029para",
]


class Page(HTMLParser):
    """The page as the browser's tokenizer sees it: tags, attributes, script bodies."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.title = ""
        self._in: str | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in = tag
        if tag == "script":
            self.scripts.append((dict(attrs), ""))

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in == "script":
            attrs, body = self.scripts[-1]
            self.scripts[-1] = (attrs, body + data)
        elif self._in == "title":
            self.title += data


def hostile_map():
    contacts = (
        make_contact("desk", name=HOSTILE[0], title=HOSTILE[2], notes=" ".join(HOSTILE)),
        make_contact("boss", name=HOSTILE[1], department=Department.OWNER, authorizes_payment=True),
        make_contact("cust", name=HOSTILE[3], department=Department.EXTERNAL, notes=HOSTILE[4]),
    )
    relations = (
        make_relation("desk", "boss", RelationType.REFERS_TO, note=HOSTILE[1] + " href"),
        make_relation("cust", "boss", RelationType.INFLUENCES, note=HOSTILE[2]),
    )
    return make_map(contacts=contacts, relations=relations)


@pytest.fixture(scope="module", params=["hierarchical", "free"])
def rendered(request):
    spec = map_spec(hostile_map(), route_steps=["desk", "boss"], layout=request.param, lang="en")
    return spec, render_html(spec, title="Acme " + HOSTILE[1] + HOSTILE[0], lang="en")


def test_hostile_text_appears_only_escaped(rendered):
    _spec, page = rendered
    for text in HOSTILE:
        assert text not in page
    assert "\u2028" not in page.split('id="orgmap-data">')[1].split("</script>")[0]


def test_data_cannot_close_its_script_element_and_reads_back_exactly(rendered):
    spec, page = rendered
    data = [body for attrs, body in Page(page).scripts if attrs.get("id") == "orgmap-data"]
    assert len(data) == 1
    assert json.loads(data[0]) == spec  # nothing cut short, nothing altered
    names = [n["title"].split("\n")[0] for n in json.loads(data[0])["nodes"]]
    assert sorted(names) == sorted([HOSTILE[0], HOSTILE[1], HOSTILE[3]])


def test_page_has_exactly_our_three_scripts_and_no_injected_elements(rendered):
    _, page = rendered
    parsed = Page(page)
    assert [attrs for attrs, _ in parsed.scripts] == [
        {"type": "application/json", "id": "orgmap-data"},
        {},
        {},
    ]
    tags = {tag for tag, _ in parsed.tags}
    assert not tags & {"img", "a", "iframe", "object", "embed", "link", "base", "form"}


def test_title_is_escaped():
    page = render_html(
        map_spec(make_map()), title='Acme </title><script>x()</script> & "co"', lang="en"
    )
    parsed = Page(page)
    assert parsed.title == 'Acme </title><script>x()</script> & "co"'
    assert (
        "<title>Acme &lt;/title&gt;&lt;script&gt;x()&lt;/script&gt; &amp; &quot;co&quot;</title>"
        in page
    )
    assert len(parsed.scripts) == 3


def test_nothing_is_loaded_from_anywhere(rendered):
    _, page = rendered
    for tag, attrs in Page(page).tags:
        for name in ("src", "href", "srcset", "data", "action", "poster"):
            assert name not in attrs, (tag, attrs)
    # URLs left in the page are text: vis-network's licence header and an SVG namespace.
    for url in re.findall(r"https?://[^\s\"')]+", page):
        assert url.startswith(
            (
                "http://www.w3.org/2000/svg",
                "https://github.com/",
                "https://visjs.github.io/",
                "http://almende.com",
                "http://www.apache.org/licenses/",
                "http://opensource.org/",
            )
        ), url
    assert "sourceMappingURL" not in page
    assert "bootstrap" not in page.lower() and "cdn" not in page.lower()


def test_content_security_policy_forbids_remote_loads_and_allows_our_scripts(rendered):
    _, page = rendered
    parsed = Page(page)
    (csp,) = [
        a["content"] for t, a in parsed.tags if a.get("http-equiv") == "Content-Security-Policy"
    ]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["img-src"] == "data:"
    assert directives["style-src"] == "'unsafe-inline'"
    assert directives["base-uri"] == "'none'" and directives["form-action"] == "'none'"
    # Hashes make browsers ignore 'unsafe-inline', so every script we run must be listed.
    for attrs, body in parsed.scripts:
        if attrs.get("type") == "application/json":
            continue
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in directives["script-src"]
    meta_at = page.index("Content-Security-Policy")
    assert meta_at < page.index("<script") and meta_at < page.index("<style")


def test_our_scripts_never_write_html():
    page_js = (TEMPLATES / "page.js").read_text(encoding="utf-8")
    for script in (map_assets().map_js, page_js):
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
            assert sink not in script, sink
        assert "textContent" in script


def test_page_is_marked_for_tests_and_in_the_requested_language():
    page = render_html(map_spec(make_map(), lang="zh-CN"), title="某公司", lang="zh-CN")
    assert '<html lang="zh-CN">' in page
    assert 'id="orgmap-network"' in page
    js = map_assets().map_js + (TEMPLATES / "page.js").read_text(encoding="utf-8")
    assert 'dataset.orgmapReady = "1"' in js and "window.orgmapNetwork = network" in js
    assert "setOptions({ physics: { enabled: false } })" in js  # still after stabilising


def test_vis_network_is_inlined_from_pyvis_without_unused_icons():
    assets = map_assets()
    assert "vis-network" in assets.vis_js[:200] and "@version 9.1.2" in assets.vis_js[:400]
    assert "div.vis-tooltip" in assets.vis_css
    assert "url(" not in assets.vis_css  # 205 KB of navigation-button PNGs left out
    assert map_assets() is assets  # read once


def test_rendering_is_deterministic_and_validates_its_input():
    spec = map_spec(make_map())
    assert render_html(spec, title="t", lang="en") == render_html(spec, title="t", lang="en")
    with pytest.raises(ValueError, match="spec: missing nodes"):
        render_html({"edges": [], "options": {}}, title="t", lang="en")
    # Values are inserted in one pass: a title that looks like a placeholder stays text.
    page = render_html(spec, title="{{data}} {{vis_js}}", lang="en")
    assert "<title>{{data}} {{vis_js}}</title>" in page
    assert page.count(map_assets().vis_js[:300]) == 1


def test_empty_map_still_renders():
    page = render_html(map_spec(make_map(contacts=(), relations=())), title="empty", lang="en")
    data = next(b for a, b in Page(page).scripts if a.get("id") == "orgmap-data")
    assert json.loads(data)["nodes"] == []


def test_two_hundred_contacts_stay_under_800_kb():
    departments = list(Department)
    contacts = tuple(
        make_contact(
            f"c{i}",
            name=f"联系人{i}",
            title="经理",
            department=departments[i % 9],
            notes="上次来电说老板出差，下周回来。" * 2,
        )
        for i in range(200)
    )
    relations = tuple(
        make_relation(f"c{i}", f"c{i // 2}", RelationType.REPORTS_TO) for i in range(1, 200)
    ) + tuple(make_relation(f"c{i}", f"c{i + 1}", RelationType.COLLEAGUE) for i in range(0, 198, 3))
    m = make_map(contacts=contacts, relations=relations)
    for layout in ("hierarchical", "free"):
        spec = map_spec(m, route_steps=["c9", "c4", "c1", "c0"], layout=layout, lang="zh-CN")
        render_html(spec, title="warm-up", lang="zh-CN")
        start = time.perf_counter()
        page = render_html(
            map_spec(m, route_steps=["c9", "c4", "c1", "c0"], layout=layout, lang="zh-CN"),
            title="200",
            lang="zh-CN",
        )
        took = (time.perf_counter() - start) * 1000
        size = len(page.encode("utf-8"))
        print(f"{layout}: 200 contacts, {took:.1f} ms warm, {size / 1024:.0f} KB")
        assert size < 800_000


@given(st.text())
@settings(max_examples=300, deadline=None)
def test_json_for_html_round_trips_and_never_leaves_markup(text):
    out = json_for_html({"t": text})
    assert json.loads(out) == {"t": text}
    assert not set(out) & {"<", ">", "&", "\u2028", "\u2029"}


# --- the side panel: calls, promises and facts (issue 11, item 14) ----------------------

PANEL_HOSTILE = "</script><img src=x onerror=alert(1)>\x1b[2J\u202e\x00"


def test_side_panel_lists_calls_newest_first_promises_and_facts_all_escaped():
    from dataclasses import replace
    from decimal import Decimal

    from orgmap.domain.model import DebtorFacts, Outcome
    from orgmap.render.panel import debtor_panel
    from tests.factories import make_interaction

    m = hostile_map()
    m = replace(
        m,
        debtor=replace(
            m.debtor, facts=DebtorFacts(reason_unpaid=PANEL_HOSTILE, money_in_account=False)
        ),
        interactions=(
            make_interaction("desk", minutes=0, note="first"),
            make_interaction(
                "boss",
                minutes=30,
                outcome=Outcome.PROMISED,
                note=PANEL_HOSTILE,
                promise_amount=Decimal("128000"),
            ),
        ),
    )
    panel = debtor_panel(m, lang="zh-CN")
    assert [c["note"] for c in panel["calls"]] == [PANEL_HOSTILE, "first"]
    assert panel["promises"][0]["amount"].startswith("128,000.00")
    facts = {f["label"]: f["value"] for f in panel["facts"]}
    assert facts["未付款原因"] == PANEL_HOSTILE and facts["账上有钱"] == "否"

    page = render_html(map_spec(m, lang="zh-CN"), title="t", lang="zh-CN", panel=panel)
    assert PANEL_HOSTILE not in page and "<img" not in page
    parsed = Page(page)
    data = next(b for a, b in parsed.scripts if a.get("id") == "orgmap-data")
    assert json.loads(data)["panel"] == panel  # read back exactly
    assert len(parsed.scripts) == 3
    assert 'id="orgmap-panel"' in page
