"""Issue 4's benchmark: producing a debtor's map on the server, and how big the page is.

Each size is measured in a fresh interpreter (``python -m bench.map_bench
--contacts N``), because the first render of a process pays for reading and
inlining vis-network's script and later ones don't: *first* is that first
``map_spec`` + ``render_html``, *warm* the median of the repeats after it.
The map is the generated debtor with its best route highlighted (found
beforehand, not timed), in the hierarchical layout, in Chinese.

Optionally (:func:`time_browser_layout`) Chromium opens the page from a file
and the time until the layout is still (``body[data-orgmap-ready]``) is taken.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.generate import generate_debtor
from bench.timing import summarize

__all__ = ["MapFigures", "measure_map", "time_browser_layout", "time_maps"]

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")


@dataclass(frozen=True, slots=True)
class MapFigures:
    """One map size, measured in a fresh process (times in ms)."""

    contacts: int
    nodes: int
    edges: int
    import_ms: float  # importing orgmap.render (pyvis, jinja2) — paid once per process
    first_ms: float
    warm: dict[str, Any]  # Timing of map_spec + render_html, warm
    spec_ms: float  # warm median of map_spec alone
    html_ms: float  # warm median of render_html alone
    html_kb: float
    browser_layout_ms: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            k: round(v, 3) if isinstance(v, float) else v
            for k, v in {
                "contacts": self.contacts,
                "nodes": self.nodes,
                "edges": self.edges,
                "import_ms": self.import_ms,
                "first_ms": self.first_ms,
                "warm": self.warm,
                "spec_ms": self.spec_ms,
                "html_ms": self.html_ms,
                "html_kb": self.html_kb,
                "browser_layout_ms": self.browser_layout_ms,
            }.items()
        }


def time_maps(
    sizes: Sequence[int], *, repeats: int, seed: int, browser: bool = False
) -> list[MapFigures]:
    """Measure each map size in its own fresh interpreter (see the module docstring)."""
    figures = []
    for size in sizes:
        command = [sys.executable, "-m", "bench.map_bench", "--contacts", str(size)]
        command += ["--repeats", str(repeats), "--seed", str(seed)]
        if browser:
            command.append("--browser")
        done = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"map benchmark for {size} contacts failed: {done.stderr}")
        figures.append(MapFigures(**json.loads(done.stdout)))
    return figures


def measure_map(*, contacts: int, repeats: int, seed: int, browser: bool = False) -> MapFigures:
    """Measure one size in *this* process: call it first thing in a fresh interpreter."""
    started = time.perf_counter_ns()
    from orgmap.render import map_spec, render_html

    import_ms = (time.perf_counter_ns() - started) / 1e6

    from orgmap.routing import cheapest_routes

    now = datetime.now(UTC)
    m = generate_debtor(index=0, seed=seed, now=now, contacts=contacts)
    best = cheapest_routes(m, k=1, now=now).routes
    steps = [s.contact for s in best[0].steps] if best else []

    def render() -> str:
        spec = map_spec(m, route_steps=steps, lang="zh-CN")
        return render_html(spec, title=m.debtor.name, lang="zh-CN")

    started = time.perf_counter_ns()
    page = render()
    first_ms = (time.perf_counter_ns() - started) / 1e6

    whole, spec_only, html_only = [], [], []
    for _ in range(repeats):
        t0 = time.perf_counter_ns()
        spec = map_spec(m, route_steps=steps, lang="zh-CN")
        t1 = time.perf_counter_ns()
        render_html(spec, title=m.debtor.name, lang="zh-CN")
        t2 = time.perf_counter_ns()
        whole.append(t2 - t0)
        spec_only.append(t1 - t0)
        html_only.append(t2 - t1)
    spec = map_spec(m, route_steps=steps, lang="zh-CN")
    return MapFigures(
        contacts=contacts,
        nodes=len(spec["nodes"]),
        edges=len(spec["edges"]),
        import_ms=import_ms,
        first_ms=first_ms,
        warm=summarize(whole).as_dict(),
        spec_ms=summarize(spec_only).median_ms,
        html_ms=summarize(html_only).median_ms,
        html_kb=len(page.encode("utf-8")) / 1024,
        browser_layout_ms=time_browser_layout(page) if browser else None,
    )


def time_browser_layout(page: str, *, timeout_s: float = 30) -> float | None:
    """Milliseconds from opening ``page`` (from a file) until its layout is still.

    Uses Debian's Chromium through Playwright with every outside request
    blocked; ``None`` when either is missing.
    """
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if not CHROMIUM.exists():
        return None
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "map.html"
        path.write_text(page, encoding="utf-8")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM))
            try:
                tab = browser.new_page(viewport={"width": 1400, "height": 900})
                tab.route("http*://**", lambda route: route.abort())
                started = time.perf_counter_ns()
                tab.goto(path.as_uri())
                tab.wait_for_function(
                    "document.body.dataset.orgmapReady === '1'", timeout=timeout_s * 1000
                )
                return (time.perf_counter_ns() - started) / 1e6
            finally:
                browser.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.map_bench", description=__doc__)
    parser.add_argument("--contacts", type=int, required=True)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--browser", action="store_true", help="also time the layout in Chromium")
    args = parser.parse_args(argv)
    figures = measure_map(
        contacts=args.contacts, repeats=args.repeats, seed=args.seed, browser=args.browser
    )
    print(json.dumps(figures.as_dict()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
