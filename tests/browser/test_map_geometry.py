"""The map as Chromium draws it: no edge through a third box, fitted on open, room on a phone
(issue 11, items 13 and 14).

Reads vis-network's own geometry: every node's ``getBoundingBox`` and every edge's
drawn curve (``edgeType.getPoint``, the function vis-network places arrows and labels
with), on the demo debtor 福满 (with the issue's 小王 → 陈丽 referral past 赵强) and on
the 60-contact bench map, in the app and in the exported page.  Screenshots of the
desktop (1280×800) and the phone (390×844), in Chinese and English, go to
``test-artifacts/``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from bench.generate import generate_debtor
from orgmap.domain.access import Actor, Role
from orgmap.services.database import open_database
from orgmap.services.transfer import DEMO_FILE, export_html, import_file, load_demo
from orgmap.settings import load_settings
from orgmap.store import save_maps, transaction
from tests.browser.app_server import (
    ARTIFACTS,
    open_page,
    playwright_or_skip,
    serve,
    wait_for_map,
)

#: Who the tests act as where who acts does not matter: an administrator.
ADMIN = Actor("t", Role.ADMIN)

pytestmark = pytest.mark.browser

sync_api = playwright_or_skip()

FUMAN = "fuman-baozhuang"
BENCH = "d00000"
#: The issue's people: 小王 at reception referred us to 陈丽 in finance; 赵强 in sales
#: sits between them, and vis-network drew the referral straight through him.
FUMAN_MORE = {
    "contacts": [
        {"key": "xiao_wang", "name": "小王", "department": "reception", "disposition": "sheep"},
        {"key": "zhao_qiang", "name": "赵强", "department": "sales", "disposition": "fox"},
        {"key": "chen_li", "name": "陈丽", "department": "finance", "title": "财务主管"},
    ],
    "relations": [
        {"from": "xiao_wang", "to": "chen_li", "type": "refers_to"},
        {"from": "zhao_qiang", "to": "chen_li", "type": "passes_buck_to"},
        {"from": "chen_li", "to": "zhou_deming", "type": "reports_to"},
    ],
}

# Samples every edge as drawn and tests each piece against every third node's box;
# also reports each box against the size the layout assumed, and whether it is in view.
GEOMETRY_JS = """() => {
  const net = window.orgmapNetwork;
  const ids = net.body.data.nodes.getIds();
  const spec = Object.fromEntries(net.body.data.nodes.get().map((n) => [n.id, n]));
  const boxes = Object.fromEntries(ids.map((id) => [id, net.getBoundingBox(id)]));
  const hits = (p, q, b) => {
    let lo = 0, hi = 1;
    const dx = q.x - p.x, dy = q.y - p.y;
    for (const [step, room] of [[-dx, p.x - b.left], [dx, b.right - p.x],
                                [-dy, p.y - b.top], [dy, b.bottom - p.y]]) {
      if (step === 0) { if (room < 0) return false; continue; }
      const t = room / step;
      if (step < 0) lo = Math.max(lo, t); else hi = Math.min(hi, t);
      if (lo > hi) return false;
    }
    return true;
  };
  const through = [];
  for (const edgeId of net.body.data.edges.getIds()) {
    const edge = net.body.edges[edgeId];
    const points = [];
    for (let i = 0; i <= 64; i++) points.push(edge.edgeType.getPoint(i / 64));
    for (const id of ids) {
      if (id === edge.fromId || id === edge.toId) continue;
      for (let i = 0; i < 64; i++) {
        if (hits(points[i], points[i + 1], boxes[id])) { through.push([edgeId, id]); break; }
      }
    }
  }
  const frame = net.body.container.getBoundingClientRect();
  const outside = [];
  const oversize = [];
  for (const id of ids) {
    const b = boxes[id];
    const a = net.canvasToDOM({ x: b.left, y: b.top });
    const z = net.canvasToDOM({ x: b.right, y: b.bottom });
    if (a.x < -1 || a.y < -1 || z.x > frame.width + 1 || z.y > frame.height + 1) outside.push(id);
    const assumed = spec[id].box;
    if (assumed && (b.right - b.left > assumed[0] + 1 || b.bottom - b.top > assumed[1] + 1)) {
      oversize.push([id, b.right - b.left, b.bottom - b.top, assumed]);
    }
  }
  return { nodes: ids.length, edges: net.body.data.edges.length, through, outside, oversize,
           frame: [frame.width, frame.height], scale: net.getScale() };
}"""


@pytest.fixture(scope="module")
def seeded_url(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('geometry') / 'app.db'}"
    settings = load_settings({"ORGMAP_DATABASE_URL": url})
    engine = open_database(url)
    load_demo(engine, settings=settings)
    demo = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    fuman = next(d for d in demo["debtors"] if d["key"] == FUMAN)
    fuman["contacts"] += FUMAN_MORE["contacts"]
    fuman["relations"] += FUMAN_MORE["relations"]
    raw = json.dumps({"format": "orgmap/1", "debtors": [fuman]}, ensure_ascii=False).encode()
    import_file(engine, filename="fuman.json", raw=raw, settings=settings, actor=ADMIN)
    bench = generate_debtor(index=0, seed=1, now=datetime(2026, 11, 1, tzinfo=UTC), contacts=60)
    with transaction(engine) as connection:
        save_maps(connection, [bench], by="test")
    engine.dispose()
    return url


@pytest.fixture(scope="module", params=["en", "zh-CN"])
def app_url(request, seeded_url) -> Iterator[tuple[str, str]]:
    with serve(seeded_url, lang=request.param, log_name=f"geometry-{request.param}") as base:
        yield base, request.param


def _geometry(page: Any) -> dict[str, Any]:
    page.wait_for_timeout(300)
    return page.evaluate(GEOMETRY_JS)


def _open_map(page: Any, base: str, debtor: str, lang: str, viewport: tuple[int, int]) -> None:
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    page.goto(f"{base}/map?debtor={debtor}&lang={lang}")
    page.wait_for_function(
        "() => window.orgmapNetwork && window.orgmapNetwork.body.data.nodes.length > 0",
        timeout=30_000,
    )
    wait_for_map(page)


@pytest.mark.parametrize("debtor", [FUMAN, BENCH])
@pytest.mark.parametrize("viewport", [(1280, 800), (390, 844)], ids=["desktop", "phone"])
def test_in_the_app_no_edge_crosses_a_third_box_and_the_map_opens_fitted(app_url, debtor, viewport):
    base, lang = app_url
    with open_page(sync_api) as page:
        _open_map(page, base, debtor, lang, viewport)
        found = _geometry(page)
        name = f"map-{debtor}-{lang}-{viewport[0]}x{viewport[1]}.png"
        page.screenshot(path=str(ARTIFACTS / name), full_page=False)
        assert found["through"] == [], found["through"]
        assert found["outside"] == [], (found["outside"], found["frame"], found["scale"])
        assert found["oversize"] == [], found["oversize"]
        if debtor == BENCH:  # 60 people, a few of them archived
            assert found["nodes"] >= 50
        legend = page.evaluate(
            """() => {
              const root = window.orgmapNetwork.body.container.closest('.orgmap-root');
              const legend = root.querySelector('[data-orgmap=legend]');
              return { legend: legend.getBoundingClientRect().width,
                       root: root.getBoundingClientRect().width,
                       open: legend.querySelector('details').open,
                       canvas: window.orgmapNetwork.body.container.getBoundingClientRect().width };
            }"""
        )
        if viewport[0] < 720:  # a phone: the map takes the width, the legend is folded
            assert not legend["open"]
            assert legend["canvas"] >= 0.97 * legend["root"]
        else:  # the legend never takes more than a fifth of the frame
            assert legend["legend"] <= 0.2 * legend["root"] + 1
        assert page.outside_requests == []


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
@pytest.mark.parametrize("viewport", [(1280, 800), (390, 844)], ids=["desktop", "phone"])
def test_exported_page_draws_clean_edges_fitted_with_its_side_panel(seeded_url, lang, viewport):
    engine = open_database(seeded_url)
    try:
        page_html = export_html(engine, debtor_key=FUMAN, lang=lang, actor=ADMIN)
    finally:
        engine.dispose()
    with open_page(sync_api) as page:
        page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
        page.set_content(page_html)
        wait_for_map(page)
        found = _geometry(page)
        page.screenshot(
            path=str(ARTIFACTS / f"export-{FUMAN}-{lang}-{viewport[0]}x{viewport[1]}.png"),
            full_page=True,
        )
        assert found["through"] == [] and found["outside"] == [] and found["oversize"] == []
        panel = page.locator("#orgmap-panel")
        assert panel.is_visible()
        assert panel.locator("[data-panel=call]").count() >= 1
        assert page.outside_requests == [] and page.dialogs == []
