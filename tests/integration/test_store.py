"""The demo store, the refresh and the loaders, on a real SQLite file and a real PostgreSQL."""

from __future__ import annotations

import polars as pl
import pytest
import sqlalchemy as sa
from polars.testing import assert_frame_equal
from sqlalchemy.engine import Engine

from data_access import analytics, models
from data_access.db import data_version
from data_access.raw import load_org_unit_frame, load_sources
from data_access.scope import Scope, load_org_units, scope_for_codes
from demo.generator import DemoSpec, generate
from indicators.periods import periods_frame
from pipeline.refresh import compute_programme_values


def count(engine: Engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def test_the_default_demo_municipality_has_4_areas_and_40_institutions() -> None:
    batches = list(generate(DemoSpec(other_programmes=False)))
    units = [row for table, rows in batches if table == "org_unit" for row in rows]
    children = sum(len(rows) for table, rows in batches if table == "child")
    assert [u["level"] for u in units].count("municipality") == 1
    assert [u["level"] for u in units].count("area") == 4
    assert [u["level"] for u in units].count("institution") == 40
    assert 2_000 <= children <= 3_000
    # The other programmes' municipalities come on top, under a national root, and leave the
    # Aabenraa-like municipality's rows as they were.
    everything = list(generate(DemoSpec()))
    all_units = [row for table, rows in everything if table == "org_unit" for row in rows]
    assert [u["level"] for u in all_units].count("national") == 1
    assert [u["level"] for u in all_units].count("municipality") == 6
    first_children = next(rows for table, rows in everything if table == "child")
    assert first_children == next(rows for table, rows in batches if table == "child")


def test_the_demo_is_deterministic() -> None:
    first = [(t, rows[:50]) for t, rows in generate(DemoSpec(scale=0.25, years=1))]
    second = [(t, rows[:50]) for t, rows in generate(DemoSpec(scale=0.25, years=1))]
    assert first == second


def test_scale_adds_municipalities_under_a_national_root() -> None:
    units = [row for table, rows in generate(DemoSpec(scale=2, years=1)) if table == "org_unit"
             for row in rows]
    assert [u["level"] for u in units].count("national") == 1
    assert [u["level"] for u in units].count("municipality") == 2
    assert [u["level"] for u in units].count("institution") == 80


def test_stored_values_equal_the_indicator_functions_on_the_stored_rows(
    demo_engine: Engine, config
) -> None:
    with demo_engine.connect() as conn:
        stored = analytics.load_indicator_values(
            demo_engine, scope=Scope((1,)), programme_id="aabenraa", period_from="2000H1",
            period_to="2100H2", age_group="alle", vulnerable_only=False,
        )
        periods = periods_frame(stored["period"].min(), stored["period"].max())
        sources = load_sources(conn, periods=periods)
    expected = compute_programme_values(config.programme("aabenraa"), sources).filter(
        (pl.col("age_group") == "alle") & ~pl.col("vulnerable_only")
    )
    key = ["indicator_id", "unit_id", "period"]
    assert_frame_equal(stored.sort(key).select(expected.columns),
                       expected.sort(key), check_dtypes=False)
    assert stored.height > 500


def test_every_aabenraa_box_has_a_value_for_the_municipality_in_the_last_period(
    demo_engine: Engine, config
) -> None:
    values = analytics.load_indicator_values(
        demo_engine, scope=Scope((1,)), programme_id="aabenraa", period_from="2026H2",
        period_to="2026H2", age_group="alle", vulnerable_only=False, unit_ids=(1,),
    )
    headline_ids = {box.headline.id for _l, box in config.programme("aabenraa").boxes()}
    shown = set(values.filter(pl.col("value").is_not_null())["indicator_id"])
    assert headline_ids <= shown


def test_scope_is_the_unit_and_everything_below_it(demo_engine: Engine) -> None:
    with demo_engine.connect() as conn:
        tree = load_org_unit_frame(conn)
    area = tree.filter(pl.col("level") == "area").row(0, named=True)
    scope = scope_for_codes(demo_engine, [area["code"]])
    visible = load_org_units(demo_engine, scope=scope)
    assert set(visible["id"]) == {area["id"]} | set(
        tree.filter(pl.col("parent_id") == area["id"])["id"])
    assert load_org_units(demo_engine, scope=Scope(())).is_empty()  # default deny


def test_values_outside_the_scope_never_leave_the_store(demo_engine: Engine) -> None:
    with demo_engine.connect() as conn:
        tree = load_org_unit_frame(conn)
    inst = tree.filter(pl.col("level") == "institution").row(0, named=True)
    scope = scope_for_codes(demo_engine, [inst["code"]])
    own = analytics.load_indicator_values(
        demo_engine, scope=scope, programme_id="aabenraa", period_from="2000H1",
        period_to="2100H2", age_group="alle", vulnerable_only=False,
    )
    assert set(own["unit_id"]) == {inst["id"]}
    with_benchmarks = analytics.load_indicator_values(
        demo_engine, scope=scope, programme_id="aabenraa", period_from="2000H1",
        period_to="2100H2", age_group="alle", vulnerable_only=False, with_ancestors=True,
    )
    ancestors = {int(x) for x in inst["path"].strip("/").split("/")}
    national = int(inst["path"].strip("/").split("/")[0])  # the demo's national root
    # Itself, its area and municipality: Aabenraa's own programme has no national value.
    assert set(with_benchmarks["unit_id"]) == ancestors - {national}


def test_the_demo_build_bumps_the_data_version_and_creates_the_demo_logins(
    demo_engine: Engine,
) -> None:
    assert data_version(demo_engine) >= 2
    with demo_engine.connect() as conn:
        names = set(conn.execute(sa.select(models.UserAccount.username)).scalars())
    # the demo store is shared by the session's tests; their own accounts start with "t-"
    names = {n for n in names if not n.startswith("t-")}
    assert names == {"admin", "leder", "omraade", "institution", "konsulent", "styregruppe",
                     "national", "aalborg", "hvidovre", "fjordby"}


@pytest.mark.parametrize("table", [models.Child, models.Assessment, models.OrgUnit])
def test_both_stores_hold_the_same_demo(sqlite_demo: str, postgres_demo: str, table) -> None:
    from data_access.db import get_engine

    assert count(get_engine(sqlite_demo), table) == count(get_engine(postgres_demo), table)
