"""Kommuner (municipalities compared on a national programme) and pickers that offer only where
the chosen programme runs, logged in for real on the small demo store."""

from __future__ import annotations

import json

import polars as pl
import pytest

from data_access.analytics import load_indicator_values
from data_access.db import get_engine
from data_access.raw import load_org_unit_frame
from data_access.scope import Scope
from indicators.format import format_value
from tests.app.test_access import visible_text
from tests.app.test_every_programme import open_page, param

PARTICIPANTS = ["Fjordby Kommune (demo)", "Havnsø Kommune (demo)", "Skovlund Kommune (demo)"]
LANDSPLAN = "Landsplan (deltagende kommuner)"
pytestmark = pytest.mark.parametrize("app", ["sqlite"], indirect=True)


def stored(url: str, indicator_id: str, period: str) -> dict[str, dict]:
    """The stored whole-population values of one indicator by unit name."""
    engine = get_engine(url)
    with engine.connect() as conn:
        units = load_org_unit_frame(conn)
    root = tuple(units.filter(pl.col("parent_id").is_null())["id"].to_list())
    values = load_indicator_values(engine, scope=Scope(root), programme_id="socialstyrelsen",
                                   period_from=period, period_to=period, age_group="alle",
                                   vulnerable_only=False).filter(
        (pl.col("indicator_id") == indicator_id) & (pl.col("age_group") == "alle")
        & ~pl.col("vulnerable_only"))
    names = dict(zip(units["id"], units["name"], strict=True))
    return {names[r["unit_id"]]: r for r in values.iter_rows(named=True)}


def test_the_national_user_compares_the_participants_on_every_theme_with_the_stored_values(
    app, sqlite_demo: str, config
) -> None:
    at = open_page(app("national"), "kommuner")
    programme = config.programme("socialstyrelsen")
    assert [t.value for t in at.title] == ["Kommuner"]
    assert [h.value for h in at.subheader] == [f"{b.id} · {b.title}" for _l, b in
                                              programme.boxes()]
    period = param(at, "til")
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    tables = [frame.value for frame in at.dataframe]
    assert len(charts) == len(tables) == len(programme.indicators())
    for spec, chart, table in zip(programme.indicators(), charts, tables, strict=True):
        rows = stored(sqlite_demo, spec.id, period)
        assert list(table["Kommune"]) == [*PARTICIPANTS, LANDSPLAN]
        for name, value, n in zip(table["Kommune"], table["Værdi"], table["n"], strict=True):
            row = rows[name if name != LANDSPLAN else "Danmark (demo)"]
            if row["suppressed"]:
                assert (value, n) == ("< 5", "< 5"), (spec.id, name)  # n is never shown
            else:
                assert (value, n) == (format_value(row["value"], spec.unit), str(row["n"]))
        bars = chart["data"][0]
        assert bars["y"] == PARTICIPANTS
        # The national value is the dotted reference line; the target the dashed one.
        national = rows["Danmark (demo)"]
        lines = {s["line"]["dash"]: s["x0"] for s in chart["layout"]["shapes"]}
        assert lines["dash"] == spec.target
        if not national["suppressed"]:
            assert lines["dot"] == pytest.approx(national["value"])
    # One theme by hand: Fjordby's share of daycares whose leadership uses data
    assert tables[0]["Værdi"][0] == format_value(
        stored(sqlite_demo, "S_T1_data_leadership", period)["Fjordby Kommune (demo)"]["value"],
        "%")
    text = visible_text(at)
    assert "Fjordby By" not in text and "Aabenraa Kommune (demo)" not in text


def test_a_participant_that_joined_later_is_not_offered_before_it_joined(app) -> None:
    at = app("admin", program="socialstyrelsen", fra="2016H1", til="2016H2")
    municipalities = next(b for b in at.selectbox if b.label == "Kommune")
    assert municipalities.options == ["Alle (kommuner)", "Fjordby Kommune (demo)",
                                      "Skovlund Kommune (demo)"]  # Havnsø from 2017
    at = open_page(at, "kommuner")
    assert list(at.dataframe[0].value["Kommune"]) == [
        "Fjordby Kommune (demo)", "Skovlund Kommune (demo)", LANDSPLAN]


def test_the_admin_is_offered_only_the_municipality_and_periods_where_a_programme_runs(
    app, config
) -> None:
    at = app("admin", program="aalborg")
    labels = [b.label for b in at.selectbox]
    assert "Kommune" not in labels  # only 851 runs it: the tree starts there
    areas = next(b for b in at.selectbox if b.label == "Område")
    assert all(o.startswith("Aalborg") or o == "Alle (områder)" for o in areas.options)
    periods = at.select_slider[0].options
    assert periods[0] == "1. halvår 2020"  # member from 19.05.2020
    at = app("admin", program="socialstyrelsen")
    assert at.select_slider[0].options[-1] == "2. halvår 2019"  # the project period


def test_a_municipal_leader_on_the_national_programme_sees_landsplan_and_no_other_municipality(
    app
) -> None:
    at = open_page(app("fjordby"), "lag-temaer")
    for chart in at.get("plotly_chart"):
        names = [t.get("name") for t in json.loads(chart.proto.spec)["data"]]
        # the unit's own line first, the national benchmark among the rest (withheld points
        # of a line are a marker series of their own)
        assert names[0] == "Fjordby Kommune (demo)" and LANDSPLAN in names, names
    text = visible_text(at)
    assert not [name for name in PARTICIPANTS[1:] if name in text]
