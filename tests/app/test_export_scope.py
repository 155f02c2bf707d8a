"""An export contains only the viewer's units (and the aggregate benchmarks above them), even
when asked for every unit in the store."""

from __future__ import annotations

import polars as pl
import pytest
import streamlit as st

from data_access.db import get_engine
from data_access.raw import load_org_unit_frame
from data_access.scope import scope_for_codes
from ui.context import Viewer
from ui.export import export_frame
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
    frame, code = export_frame(filters, viewer, units["id"].to_list())  # ask for everything
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
