"""The debtor map inside the Streamlit app; a click on a contact comes back to Python.

Built on Streamlit's components v2 (``st.components.v2.component``) with inline
HTML, CSS and JS: no build step, no CDN, nothing to serve.  The script is
vis-network as pyvis ships it, the drawing code shared with the exported page
(``orgmap/render/templates/map.js``) and the small adapter below.  The spec
travels as component data (JSON, parsed by Streamlit) and user text reaches the
DOM only through ``textContent``, exactly as in the exported page.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, Any, Literal

import streamlit as st

from orgmap.domain.model import DebtorMap
from orgmap.render import map_assets, map_spec

if TYPE_CHECKING:
    from orgmap.services.debtors import DebtorView

__all__ = ["cached_map_spec", "show_map"]

_HTML = (
    '<div class="orgmap-root" data-orgmap="root">'
    '<div class="orgmap-stage">'
    '<div class="orgmap-network" data-orgmap="network"></div>'
    '<p class="orgmap-empty" data-orgmap="empty" hidden></p>'
    "</div>"
    '<aside class="orgmap-legend" data-orgmap="legend"></aside>'
    "</div>"
)

# Streamlit calls the default export again on every rerun with the same
# parentElement, so the network is kept per element and only redrawn when the
# spec changed; a rerun that only moves the selection must not re-run the layout.
_ADAPTER = """
const orgmapMounts = new WeakMap();

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  const root = parentElement.querySelector("[data-orgmap=root]");
  root.style.height = String(data.height) + "px";
  const specText = JSON.stringify(data.spec);
  let mount = orgmapMounts.get(parentElement);
  if (!mount || mount.specText !== specText) {
    if (mount) mount.network.destroy();
    delete root.dataset.orgmapReady;
    delete document.body.dataset.orgmapReady;
    const fresh = { specText, setTriggerValue, network: null };
    fresh.network = orgmapDraw(root, data.spec, {
      onSelect: (key) => fresh.setTriggerValue("select", key),
      onReady: () => {
        root.dataset.orgmapReady = "1";
        document.body.dataset.orgmapReady = "1";
      },
    });
    orgmapMounts.set(parentElement, fresh);
    mount = fresh;
  }
  mount.setTriggerValue = setTriggerValue;
  // For browser tests, as on the exported page.
  window.orgmapNetwork = mount.network;
  if (data.selected && mount.network.body.data.nodes.get(data.selected)) {
    mount.network.selectNodes([data.selected]);
  } else {
    mount.network.unselectAll();
  }
  const current = mount;
  return () => {
    current.network.destroy();
    orgmapMounts.delete(parentElement);
  };
}
"""


@cache
def _map_component() -> Any:
    # Registered once per process, on first use; Streamlit re-registers it on a
    # new runtime (AppTest makes one per test) when it is mounted there.
    assets = map_assets()
    return st.components.v2.component(
        "orgmap_map",
        html=_HTML,
        css=assets.vis_css + "\n" + assets.map_css,
        js=assets.vis_js + "\n" + assets.map_js + "\n" + _ADAPTER,
    )


def cached_map_spec(
    view: DebtorView,
    *,
    database: str,
    route_steps: Sequence[str] = (),
    layout: Literal["hierarchical", "free"] = "hierarchical",
    lang: str = "en",
) -> dict[str, Any]:
    """:func:`orgmap.render.map_spec` of ``view.map``, laid out once per state of the map.

    The org-chart layout of a 200-contact map takes a fraction of a second, and the
    page reruns on every click; the spec only changes when a record of the debtor
    does, and every change to a contact (phones included) or relation bumps its
    version.  ``database`` (the database URL) keeps equal keys of two databases apart.
    """
    v = view.versions
    # The numbers and emails as this user sees them: a viewer's are masked, and must
    # never be served from (or into) another user's cached spec of the same versions.
    shown = tuple((c.key, c.email, tuple(p.e164 for p in c.phones)) for c in view.map.contacts)
    stamp = (
        v.debtor,
        tuple(sorted(v.contacts.items())),
        tuple(sorted(v.relations.items())),
        shown,
    )
    key = view.map.debtor.key
    return _map_spec(database, key, stamp, tuple(route_steps), layout, lang, view.map)


@st.cache_data(max_entries=64, show_spinner=False)
def _map_spec(
    database: str,
    debtor_key: str,
    stamp: tuple[Any, ...],
    route_steps: tuple[str, ...],
    layout: Literal["hierarchical", "free"],
    lang: str,
    _m: DebtorMap,
) -> dict[str, Any]:
    # The map itself is not hashed (``_m``): the debtor's key and versions stand for it.
    return map_spec(_m, route_steps=route_steps, layout=layout, lang=lang)


def _ignore() -> None:
    """Streamlit only reports a trigger that has an ``on_<name>_change`` callback."""


def show_map(
    spec: dict[str, Any], *, key: str, height: int = 600, selected: str | None = None
) -> str | None:
    """Draw ``spec`` (from :func:`orgmap.render.map_spec`) and return a clicked contact key.

    The key comes back only on the rerun that the click caused, and ``None`` on
    every other run, so a page stores it (e.g. in ``st.session_state``) if it
    must remember it.  ``selected`` (a contact key) is shown selected on the map.
    ``key`` is the Streamlit widget key; ``height`` is in pixels.
    """
    result = _map_component()(
        key=key,
        data={"spec": spec, "height": int(height), "selected": selected},
        height=int(height),
        on_select_change=_ignore,
    )
    clicked = result.get("select")
    # Only the keys we drew are accepted back from the browser.
    known = {node["id"] for node in spec.get("nodes", ())}
    return clicked if isinstance(clicked, str) and clicked in known else None
