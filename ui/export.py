"""Download buttons for exactly the view on screen (konsulent and admin), with an audit trail.

Each page says which of its views it exports (``page``: overview, layer, daycare) and the units
it drew; the rows are built by :mod:`exports.tables` from the same scoped loader as the screen,
the file by :mod:`exports.files`. The file's bytes are made only when a download is asked for
(``st.download_button`` with a callable) and cached per view, format and header choice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

import polars as pl
import streamlit as st

from core.capabilities import Capability
from core.model_config import LayerSpec
from data_access import analyses, analytics
from data_access import scope as scope_access
from data_access.accounts import record_event
from data_access.db import get_engine
from exports.files import to_csv_bytes, to_xlsx_bytes
from exports.tables import export_table, view_rows, with_completeness_columns
from exports.view import ExportView, PageKind, export_filename
from indicators.glossary import completeness_applies
from indicators.registry import COMPUTATIONS
from ui import cache
from ui.context import Viewer, app_settings, current_viewer, engine
from ui.filters import Filters
from ui.views import data_version

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DANISH_TIME = ZoneInfo("Europe/Copenhagen")


def export_view(filters: Filters, *, page: PageKind, unit_code: str,
                layer: LayerSpec | None = None, today: dt.date | None = None) -> ExportView:
    """The :class:`ExportView` of a page with the sidebar's filters (the day in Danish time)."""
    return ExportView(
        page=page, programme_id=filters.programme.id, programme_title=filters.programme.title,
        unit_code=unit_code, unit_name=filters.unit_name, period_from=filters.period_from,
        period_to=filters.period_to, age_group=filters.age_group,
        vulnerable_only=filters.vulnerable_only, layer_id=layer.id if layer else None,
        layer_title=layer.title if layer else None,
        created=today or dt.datetime.now(DANISH_TIME).date(),
    )


def export_rows(filters: Filters, viewer: Viewer, unit_ids: list[int], *, page: PageKind,
                layer: LayerSpec | None = None, url: str | None = None,
                ) -> tuple[pl.DataFrame, ExportView]:
    """The code-named rows of the page's view for ``unit_ids`` as the viewer may see them.

    Values come through the same scoped loaders as the screen (read directly, not through the
    page cache: this runs only when a file is asked for, possibly on the download's own
    thread): units outside the viewer's scope never appear, units above it only as the
    aggregate benchmarks shown on screen.
    """
    store = get_engine(url or app_settings().database_url)
    raw = analytics.load_indicator_values(
        store, scope=viewer.scope, programme_id=filters.programme.id,
        period_from=filters.period_from, period_to=filters.period_to,
        age_group=filters.age_group, vulnerable_only=filters.vulnerable_only,
        unit_ids=tuple(sorted(set(unit_ids))), with_ancestors=True)
    units = scope_access.load_org_units(store, scope=viewer.scope)
    benchmarks = scope_access.load_ancestors(store, unit_id=filters.unit_id)
    known = units.vstack(benchmarks).unique("id")
    code = known.filter(pl.col("id") == filters.unit_id)["code"].item()
    view = export_view(filters, page=page, unit_code=code, layer=layer)
    rows = view_rows(raw, filters.programme, known, view=view)
    # Completeness next to every value about children, as on screen
    found = analyses.load_completeness(
        store, scope=viewer.scope, unit_ids=known["id"].to_list(),
        period_from=filters.period_from, period_to=filters.period_to)
    codes = found.join(known.select(pl.col("id").alias("unit_id"),
                                    pl.col("code").alias("org_unit_code")), on="unit_id")
    children = {spec.id for spec in filters.programme.indicators()
                if completeness_applies(COMPUTATIONS[spec.computation])}
    rows = with_completeness_columns(rows, codes, child_indicators=children,
                                     threshold=app_settings().completeness_threshold)
    return rows, view


@st.cache_data(max_entries=16, ttl=600, show_spinner=False)
def _file_bytes(key: tuple, fmt: str, danish_headers: bool, international: bool,
                _make: Callable[[], tuple[pl.DataFrame, ExportView]]) -> bytes:
    """The file of one view (``key`` names it: file name, filters, scope, units, data
    version); its rows are read only now, when a download is asked for."""
    rows, view = _make()
    table = export_table(rows, danish_headers=danish_headers)
    if fmt == "csv":
        return to_csv_bytes(table, danish=not international)
    return to_xlsx_bytes(table, view=view)


def export_buttons(filters: Filters, unit_ids: list[int], *, page: PageKind,
                   layer: LayerSpec | None = None) -> None:
    """CSV (Danish Excel by default) and XLSX of what the page shows."""
    viewer = current_viewer()
    if not viewer.can(Capability.EXPORT):
        return
    # Nothing is read for the file until a download is asked for: the view (file name, audit
    # text) comes from the org units the page has already loaded.
    url = app_settings().database_url
    version = data_version()
    known = cache.org_units(url, viewer.scope, version).vstack(
        cache.ancestors(url, filters.unit_id, version)).unique("id")
    code = known.filter(pl.col("id") == filters.unit_id)["code"].item()
    view = export_view(filters, page=page, unit_code=code, layer=layer)
    slug = view.page_slug()
    detail = (f"{slug}: program={view.programme_id} enhed={view.unit_code} "
              f"periode={view.period_from}-{view.period_to} alder={view.age_group} "
              f"udsatte={'ja' if view.vulnerable_only else 'nej'}")

    def make() -> tuple[pl.DataFrame, ExportView]:
        return export_rows(filters, viewer, unit_ids, page=page, layer=layer, url=url)

    def audit(fmt: str) -> None:
        rows, _view = make()
        record_event(engine(), username=viewer.username, action="export",
                     detail=f"{detail} format={fmt}", rows=rows.height)

    with st.expander("Eksportér det viste", icon=":material/download:"):
        left, right = st.columns(2)
        codes = left.toggle("Kodenavne i stedet for danske overskrifter (til analytikere)",
                            key=f"export_codes_{slug}")
        international = right.toggle("Internationalt CSV-format (komma og punktum)",
                                     key=f"csv_intl_{slug}")
        key = (export_filename(view, "csv"), view.programme_id, view.period_from,
               view.period_to, view.age_group, view.vulnerable_only, view.layer_id, viewer.scope,
               tuple(sorted(set(unit_ids))), version)

        def maker(fmt: str) -> Callable[[], bytes]:
            return lambda: _file_bytes(key, fmt, not codes, international, make)

        left.download_button(
            "Hent CSV", maker("csv"), file_name=export_filename(view, "csv"), mime="text/csv",
            on_click=audit, args=("csv",), key=f"csv_{slug}", icon=":material/download:",
        )
        right.download_button(
            "Hent Excel (XLSX)", maker("xlsx"), file_name=export_filename(view, "xlsx"),
            mime=XLSX_MIME, on_click=audit, args=("xlsx",), key=f"xlsx_{slug}",
            icon=":material/download:",
        )
        st.caption(f"Filen er det, siden viser ({view.about()[0][1]}); filtrene står i hver "
                   "række. Værdier bygget på færre end "
                   f"{app_settings().min_n} børn, familier eller medarbejdere er tilbageholdt "
                   "og eksporteres uden tal.")
