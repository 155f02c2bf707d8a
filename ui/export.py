"""Download buttons for exactly the view on screen (konsulent and admin), with an audit trail."""

from __future__ import annotations

import datetime as dt

import polars as pl
import streamlit as st

from core.capabilities import Capability
from data_access.accounts import record_event
from exports.tidy import export_filename, tidy_frame, to_csv_bytes, to_xlsx_bytes
from ui import cache
from ui.context import Viewer, app_settings, current_viewer, engine
from ui.filters import Filters
from ui.views import data_version


def export_frame(filters: Filters, viewer: Viewer,
                 unit_ids: list[int]) -> tuple[pl.DataFrame, str]:
    """The tidy export of ``unit_ids`` as the viewer may see them, and the chosen unit's code.

    Values come through the same scoped loader as the screen: units outside the viewer's scope
    never appear, units above it only as the aggregate benchmarks shown on screen.
    """
    url = app_settings().database_url
    raw = cache.indicator_values(
        url, viewer.scope, filters.programme.id, filters.period_from, filters.period_to,
        filters.age_group, filters.vulnerable_only, tuple(sorted(set(unit_ids))), data_version())
    units = cache.org_units(url, viewer.scope, data_version())
    benchmarks = cache.ancestors(url, filters.unit_id, data_version())
    known = units.vstack(benchmarks).unique("id")
    frame = tidy_frame(raw, filters.programme, known, age_group=filters.age_group,
                       vulnerable_only=filters.vulnerable_only)
    code = known.filter(pl.col("id") == filters.unit_id)["code"].item()
    return frame, code


def export_buttons(filters: Filters, unit_ids: list[int], *, what: str) -> None:
    """CSV (Danish Excel by default) and XLSX of the indicator values for ``unit_ids``."""
    viewer = current_viewer()
    if not viewer.can(Capability.EXPORT):
        return
    frame, code = export_frame(filters, viewer, unit_ids)
    today = dt.date.today()
    detail = (f"{what}: program={filters.programme.id} enhed={code} "
              f"periode={filters.period_from}-{filters.period_to} alder={filters.age_group} "
              f"udsatte={'ja' if filters.vulnerable_only else 'nej'}")

    def audit(fmt: str) -> None:
        record_event(engine(), username=viewer.username, action="export",
                     detail=f"{detail} format={fmt}", rows=frame.height)

    with st.expander(f"Eksportér ({frame.height} rækker)", icon=":material/download:"):
        international = st.toggle("Internationalt CSV-format (komma og punktum)",
                                  key=f"csv_intl_{what}")
        name = export_filename(filters.programme.id, code, filters.period_from,
                               filters.period_to, today, "csv")
        left, right = st.columns(2)
        left.download_button(
            "Hent CSV", to_csv_bytes(frame, danish=not international), file_name=name,
            mime="text/csv", on_click=audit, args=("csv",), key=f"csv_{what}",
        )
        right.download_button(
            "Hent Excel (XLSX)", to_xlsx_bytes(frame), file_name=name[:-3] + "xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            on_click=audit, args=("xlsx",), key=f"xlsx_{what}",
        )
        st.caption(f"Værdier bygget på færre end {app_settings().min_n} børn, familier eller "
                   "medarbejdere er markeret som skjulte (suppressed) og eksporteres uden tal.")
