"""The page list, built per role with ``st.navigation``: a page not in the list cannot be opened,
not even by URL. Which pages a viewer gets comes from ``core.capabilities``.

A layer page is a callable page: ``functools.partial(layer_page, layer)`` for each layer of the
programme, so the page gets its layer from its own ``st.Page``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import polars as pl
import streamlit as st

from core.capabilities import Capability
from core.model_config import ChangeModelConfig, LayerSpec, ProgrammeSpec
from ui import cache, session
from ui.context import Viewer, app_settings

LayerPage = Callable[[LayerSpec], None]

PAGES_DIR = "pages"


def _overview() -> st.Page:
    return st.Page(f"{PAGES_DIR}/overview.py", title="Forandringsmodellen",
                   icon=":material/account_tree:", url_path="oversigt", default=True)


def _layer_pages(layers: list[LayerSpec], layer_page: LayerPage) -> list[st.Page]:
    return [
        st.Page(partial(layer_page, layer), title=layer.title, url_path=f"lag-{layer.id}",
                icon=f":material/counter_{min(i + 1, 9)}:")
        for i, layer in enumerate(layers)
    ]


def _meeting() -> st.Page:
    return st.Page(f"{PAGES_DIR}/meeting.py", title="Styregruppemøde", url_path="moede",
                   icon=":material/groups:")


def _institution() -> st.Page:
    return st.Page(f"{PAGES_DIR}/institution.py", title="Dagtilbud", icon=":material/home:",
                   url_path="dagtilbud")


def _glossary() -> st.Page:
    return st.Page(f"{PAGES_DIR}/glossary.py", title="Ordforklaring", url_path="ordforklaring",
                   icon=":material/menu_book:")


def _municipalities() -> st.Page:
    return st.Page(f"{PAGES_DIR}/municipalities.py", title="Kommuner", url_path="kommuner",
                   icon=":material/compare_arrows:")


def _compares_municipalities(viewer: Viewer, programme: ProgrammeSpec) -> bool:
    """*Kommuner* is for viewers who see the national level of a national programme (the
    ``national`` role, admin); a municipal user never sees another municipality."""
    if not programme.is_national:
        return False
    if viewer.scope.lowest_level == "municipality":
        return True
    units = cache.org_units(app_settings().database_url, viewer.scope, session.data_version())
    return units.filter(pl.col("level") == "national").height > 0


def _admin_pages() -> list[st.Page]:
    return [
        st.Page(f"{PAGES_DIR}/admin_import.py", title="Indlæs data", url_path="indlaes",
                icon=":material/upload:"),
        st.Page(f"{PAGES_DIR}/admin_audit.py", title="Revisionslog", url_path="log",
                icon=":material/policy:"),
        st.Page(f"{PAGES_DIR}/admin_users.py", title="Brugere", url_path="brugere",
                icon=":material/group:"),
    ]


def anonymous_navigation(config: ChangeModelConfig, layer_page: LayerPage) -> None:
    """Before login: register every page, hidden, so a link to a page survives the login form
    (the page itself is not run until someone is logged in and allowed to see it)."""
    layers = {layer.id: layer for p in config.programmes for layer in p.layers}
    st.navigation([_overview(), _meeting(), *_layer_pages(list(layers.values()), layer_page),
                   _institution(), _glossary(), _municipalities(), *_admin_pages()],
                  position="hidden")


def pages_for(viewer: Viewer, programme: ProgrammeSpec, layer_page: LayerPage) -> st.Page:
    """Build the navigation for this viewer and return the page to run."""
    if not viewer.can(Capability.VIEW_MODEL):
        st.warning("Din bruger har ingen rolle, der giver adgang til dashboardet. "
                   "Kontakt en administrator.")
        st.stop()
    layers = _layer_pages(programme.layers, layer_page)
    session.set_layer_pages(dict(zip([layer.id for layer in programme.layers], layers,
                                      strict=True)))
    sections: dict[str, list[st.Page]] = {"Overblik": [_overview()], "Lag i modellen": layers}
    if _compares_municipalities(viewer, programme):
        sections["Overblik"].append(_municipalities())
    if viewer.can(Capability.VIEW_INSTITUTIONS):
        sections["Dagtilbud"] = [_institution()]
    if viewer.can(Capability.MEETING):
        sections["Overblik"].append(_meeting())
    sections["Hjælp"] = [_glossary()]  # every role
    if viewer.can(Capability.ADMIN):
        sections["Administration"] = _admin_pages()
    page = st.navigation(sections)
    # The page is also kept in the URL (?side=…): a link that passes through the login form
    # lands on the default page, so go on to the page the link names, once per session, if this
    # viewer may open it.
    requested = st.query_params.get("side")
    if not session.side_followed():
        session.mark_side_followed()
        wanted = [p for group in sections.values() for p in group if p.url_path == requested]
        if wanted and requested != page.url_path:
            st.switch_page(wanted[0], query_params=st.query_params.to_dict())
    if page.url_path:
        st.query_params["side"] = page.url_path
    else:
        st.query_params.pop("side", None)
    return page


def link_to_layer(layer_id: str, label: str) -> None:
    """A link to a layer's page that keeps the current filters."""
    page = session.layer_pages().get(layer_id)
    if page is not None:
        st.page_link(page, label=label, query_params=st.query_params.to_dict())
