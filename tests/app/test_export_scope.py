"""An export contains only the viewer's units (and the aggregate benchmarks above them), even
when asked for every unit in the store."""

from __future__ import annotations

import polars as pl
import pytest
import streamlit as st

from data_access.db import get_engine
from data_access.raw import load_org_unit_frame
from data_access.scope import scope_for_codes
from exports.tables import export_table
from exports.view import export_filename
from ui.context import Viewer
from ui.export import export_rows
from ui.filters import Filters


@pytest.mark.parametrize("scope_code", ["580-N", "580-001"])
def test_an_export_never_holds_units_outside_the_scope(
    sqlite_demo: str, config, monkeypatch: pytest.MonkeyPatch, scope_code: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", sqlite_demo)
    st.cache_resource.clear()
    st.cache_data.clear()
    engine = get_engine(sqlite_demo)
    with engine.connect() as conn:
        units = load_org_unit_frame(conn)
    own = units.filter(pl.col("code") == scope_code).row(0, named=True)
    viewer = Viewer(username="k", display_name="K", roles=("konsulent",),
                    scope=scope_for_codes(engine, [scope_code]))
    filters = Filters(programme=config.programme("aabenraa"), period_from="2025H1",
                      period_to="2026H2", unit_id=own["id"], unit_name=own["name"],
                      unit_level=own["level"], age_group="alle", vulnerable_only=False,
                      periods=("2025H1", "2025H2", "2026H1", "2026H2"))
    frame, view = export_rows(filters, viewer, units["id"].to_list(),  # ask for everything
                              page="overview")
    code = view.unit_code
    allowed = set(units.filter(pl.col("path").str.starts_with(own["path"]))["code"])
    # (the national level above the municipality has no values in the municipality's programme)
    above = set(units.filter(pl.col("id").is_in(
        [int(x) for x in own["path"].strip("/").split("/")]) & (pl.col("level") != "national")
    )["code"])
    exported = set(frame["org_unit_code"])
    assert code == scope_code
    # Every unit of the scope (all have data in the demo) and the benchmarks above it, no more
    assert exported == allowed | above
    # Benchmarks above the scope are aggregates of a whole area or municipality, never a sibling.
    siblings = set(units.filter(pl.col("parent_id") == own["parent_id"])["code"]) - {scope_code}
    assert not exported & siblings


def test_each_page_exports_its_own_view(sqlite_demo: str, config,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """The overview holds every indicator, a layer page only its layer's, the daycare page the
    last period with each daycare's place; the file names say which page and filters."""
    monkeypatch.setenv("DATABASE_URL", sqlite_demo)
    st.cache_resource.clear()
    st.cache_data.clear()
    engine = get_engine(sqlite_demo)
    with engine.connect() as conn:
        units = load_org_unit_frame(conn)
    area = units.filter(pl.col("code") == "580-N").row(0, named=True)
    viewer = Viewer(username="k", display_name="K", roles=("konsulent",),
                    scope=scope_for_codes(engine, ["580"]))
    programme = config.programme("aabenraa")
    filters = Filters(programme=programme, period_from="2025H1", period_to="2026H2",
                      unit_id=area["id"], unit_name=area["name"], unit_level=area["level"],
                      age_group="3-5", vulnerable_only=True,
                      periods=("2025H1", "2025H2", "2026H1", "2026H2"))
    overview, o_view = export_rows(filters, viewer, [area["id"]], page="overview")
    layer = programme.layers[1]
    layered, l_view = export_rows(filters, viewer, [area["id"]], page="layer", layer=layer)
    daycares = units.filter(pl.col("parent_id") == area["id"])["id"].to_list()
    daycare, d_view = export_rows(filters, viewer, [area["id"], *daycares], page="daycare")
    layer_ids = {s.id for box in layer.boxes for s in box.indicators}
    every = {s.id for s in programme.indicators()}
    assert set(layered["indicator_id"]) == layer_ids & set(overview["indicator_id"])
    assert set(layered["indicator_id"]) and set(overview["indicator_id"]) - layer_ids
    assert set(overview["indicator_id"]) <= every and layered.height < overview.height
    assert set(overview["period"]) == {"2025H1", "2025H2", "2026H1", "2026H2"}
    assert set(daycare["period"]) == {"2026H2"} and "rank" in daycare.columns
    assert set(daycare.filter(pl.col("org_level") == "institution")["org_unit_code"]) == set(
        units.filter(pl.col("id").is_in(daycares))["code"])
    names = [export_filename(v, "csv") for v in (o_view, l_view, d_view)]
    assert names[0].startswith("aabenraa_overblik_580-N_2025H1-2026H2_3-5_udsatte_")
    assert names[1].startswith(f"aabenraa_lag-{layer.id}_580-N_2025H1-2026H2_3-5_udsatte_")
    assert names[2].startswith("aabenraa_dagtilbud_580-N_")
    # Child indicators carry the subgroup; the Danish table says it in words
    child = overview.filter(pl.col("indicator_id") == "M2_yellow_to_green")
    assert set(child["age_group"]) == {"3-5"} and child["vulnerable_only"].all()
    danish = export_table(layered)
    assert {"Periode", "Periodekode", "Kun udsatte", "Værdi"} <= set(danish.columns)
    assert set(danish["Kun udsatte"]) <= {"Ja", "Nej"}
