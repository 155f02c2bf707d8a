"""The Arrow path (ADBC) returns exactly what the streamed path returns, with bound parameters."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from polars.testing import assert_frame_equal

from data_access import models as m
from data_access.db import get_engine
from data_access.raw import _statements, arrow_available, read_frame
from indicators.sources import SCHEMAS

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg(postgres_demo: str):  # type: ignore[no-untyped-def]
    engine = get_engine(postgres_demo)
    with engine.connect() as conn:
        if not arrow_available(conn):
            pytest.fail("adbc-driver-postgresql is in requirements.txt but not installed")
    return engine


@pytest.mark.parametrize("name", sorted(_statements()))
def test_every_source_frame_is_the_same_through_arrow(pg, name: str) -> None:
    stmt, schema = _statements()[name], SCHEMAS[name]
    with pg.connect() as conn:
        streamed = read_frame(conn, stmt, schema)
        arrow = read_frame(conn, stmt, schema, bulk=True)
    assert arrow.schema == streamed.schema
    assert_frame_equal(arrow.sort(arrow.columns), streamed.sort(streamed.columns))
    assert arrow.height > 0


def test_parameters_are_bound_not_spliced(pg) -> None:
    a = m.Assessment
    stmt, schema = _statements()["assessments"], SCHEMAS["assessments"]
    filtered = stmt.where(a.position.in_(["red", "yellow"]),
                          a.assessed_on >= dt.date(2026, 1, 1))
    hostile = stmt.where(a.position == "red' OR '1'='1")
    with pg.connect() as conn:
        streamed = read_frame(conn, filtered, schema)
        arrow = read_frame(conn, filtered, schema, bulk=True)
        nothing = read_frame(conn, hostile, schema, bulk=True)
        total = conn.execute(sa.select(sa.func.count()).select_from(a)).scalar_one()
    assert 0 < arrow.height < total
    assert_frame_equal(arrow.sort(arrow.columns), streamed.sort(streamed.columns))
    assert nothing.height == 0
