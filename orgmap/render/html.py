"""A map spec as one standalone, offline HTML page.

Why our own template instead of pyvis's: pyvis's page loads bootstrap from a
CDN even with ``cdn_resources="in_line"``, switches every tooltip to
``innerHTML`` as soon as any title contains ``href``, and pastes the data into a
``<script>`` where a note containing ``</script>`` ends it.  Here:

* the data sits in ``<script type="application/json">`` with ``<``, ``>``, ``&``,
  U+2028 and U+2029 written as ``\\uXXXX`` (see :func:`json_for_html`), so no
  string can close the element; the page reads it with ``JSON.parse``;
* tooltips are DOM elements filled with ``textContent`` (``templates/map.js``);
* the page title is HTML-escaped;
* vis-network's script and styles are inlined from the copy pyvis ships, and a
  Content-Security-Policy forbids every remote load.  Scripts are allowed by
  hash, so even markup that slipped into the page could not run an inline
  ``onerror=`` handler.

The vis-network files are read once per process (:func:`map_assets`).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from dataclasses import dataclass
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from orgmap.i18n import normalize_lang

__all__ = ["VIS_VERSION", "MapAssets", "json_for_html", "map_assets", "render_html"]

#: The vis-network build inlined into pages: the newer of the two pyvis 0.3.2 ships.
VIS_VERSION = "9.1.2"

TEMPLATES = Path(__file__).parent / "templates"

_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


@dataclass(frozen=True, slots=True)
class MapAssets:
    """Everything a map needs in the browser, as text ready to inline."""

    vis_js: str
    vis_css: str
    map_js: str  # orgmapDraw() and its helpers, shared by the page and the component
    map_css: str


def _pyvis_vis_dir() -> Path:
    # Locate pyvis without importing it: its __init__ pulls in IPython (~0.4 s).
    spec = find_spec("pyvis")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("pyvis is not installed; it provides the vis-network script")
    root = Path(next(iter(spec.submodule_search_locations)))
    return root / "templates" / "lib" / f"vis-{VIS_VERSION}"


def _inline_script(js: str) -> str:
    # The source-map comment would make devtools fetch a file that isn't there.
    js = re.sub(r"^//# sourceMappingURL=.*$", "", js, flags=re.MULTILINE)
    return re.sub(r"</(script)", r"<\\/\1", js, flags=re.IGNORECASE)


def _inline_style(css: str) -> str:
    # Rules with url(...) are the navigation-button and manipulation-toolbar
    # icons (205 KB of base64 PNG); the map enables neither.
    css = re.sub(r"[^{}]+\{[^{}]*url\([^)]*\)[^{}]*\}", "", css)
    return re.sub(r"</(style)", r"<\\/\1", css, flags=re.IGNORECASE)


@cache
def map_assets() -> MapAssets:
    """vis-network as pyvis ships it, and orgmap's drawing script and styles; read once."""
    vis = _pyvis_vis_dir()
    return MapAssets(
        vis_js=_inline_script((vis / "vis-network.min.js").read_text(encoding="utf-8")),
        vis_css=_inline_style((vis / "vis-network.css").read_text(encoding="utf-8")),
        map_js=_inline_script((TEMPLATES / "map.js").read_text(encoding="utf-8")),
        map_css=_inline_style((TEMPLATES / "map.css").read_text(encoding="utf-8")),
    )


def json_for_html(value: Any) -> str:
    """``value`` as JSON that is safe between ``<script type="application/json">`` tags.

    ``<``, ``>`` and ``&`` become ``\\u003c`` etc. (JSON.parse reads them back),
    so ``</script>`` or ``<!--`` in a name or note cannot end the element; U+2028
    and U+2029 are escaped too, for the tools that still treat them as line ends.

    >>> json_for_html({"note": "</script><b>"})
    '{"note":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e"}'
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    # Outside strings JSON has no < > & or line separators, so these only touch string content.
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _csp_hash(script: str) -> str:
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


@dataclass(frozen=True, slots=True)
class _Page:
    parts: tuple[str, ...]  # literal text at even indexes, placeholder names at odd ones
    fixed: dict[str, str]  # the values that never change: scripts, styles, the policy

    def render(self, values: dict[str, str]) -> str:
        # One pass: inserted values are never scanned again for placeholders.
        return "".join(
            part if i % 2 == 0 else values[part] if part in values else self.fixed[part]
            for i, part in enumerate(self.parts)
        )


@cache
def _page() -> _Page:
    assets = map_assets()
    page_js = (
        assets.map_js + "\n" + _inline_script((TEMPLATES / "page.js").read_text(encoding="utf-8"))
    )
    csp = "; ".join(
        (
            "default-src 'none'",
            # 'unsafe-inline' only for browsers older than CSP 2; the hashes win elsewhere.
            f"script-src 'unsafe-inline' {_csp_hash(assets.vis_js)} {_csp_hash(page_js)}",
            "style-src 'unsafe-inline'",
            "img-src data:",
            "base-uri 'none'",
            "form-action 'none'",
        )
    )
    template = (TEMPLATES / "map.html").read_text(encoding="utf-8")
    return _Page(
        parts=tuple(_PLACEHOLDER.split(template)),
        fixed={
            "csp": csp,
            "vis_js": assets.vis_js,
            "vis_css": assets.vis_css,
            "map_css": assets.map_css,
            "page_js": page_js,
        },
    )


def render_html(
    spec: dict[str, Any], *, title: str, lang: str, panel: dict[str, Any] | None = None
) -> str:
    """A standalone page drawing ``spec`` (from :func:`orgmap.render.map_spec`).

    The page works from a file with no network: nothing is loaded from
    anywhere.  ``title`` is any text (it is escaped); ``lang`` is ``zh-CN`` or
    ``en``.  In the browser, ``#orgmap-network`` holds the canvas,
    ``window.orgmapNetwork`` is the vis.Network and ``document.body.dataset``
    gets ``orgmapReady = "1"`` once the layout is still.

    ``panel`` (from :func:`orgmap.render.panel.debtor_panel`) fills the side
    panel with the debtor's calls, promises and facts; it travels in the same
    escaped JSON as the spec, and the page writes it with ``textContent``.

    Raises :class:`ValueError` when ``spec`` lacks nodes, edges or options.
    """
    missing = [k for k in ("nodes", "edges", "options", "words", "legend") if k not in spec]
    if missing:
        raise ValueError(f"spec: missing {', '.join(missing)}; build it with map_spec()")
    safe_title = html.escape(title, quote=True)
    return _page().render(
        {
            "lang": normalize_lang(lang),
            "title": safe_title,
            "data": json_for_html(spec if panel is None else {**spec, "panel": panel}),
        }
    )
