"""The raw loaders map SQL columns onto the source schemas by name, never by position."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
import sqlalchemy as sa
from polars.testing import assert_frame_equal

from data_access import models as m
from data_access.db import create_schema, get_engine
from data_access.raw import _column, _Origin, _statements, load_sources, read_frame
from indicators.periods import periods_frame
from indicators.sources import SCHEMAS, Sources

D = dt.date


def test_every_raw_source_frame_has_a_select_labelled_with_its_schema_columns() -> None:
    assert set(_statements()) == set(Sources.names()) - {"periods"}
    for name, stmt in _statements().items():
        assert [c.name for c in stmt.selected_columns] == list(SCHEMAS[name]), name


def test_a_column_found_in_two_joined_tables_must_be_mapped_explicitly() -> None:
    # Staff and StaffTraining both have ``id``; a silent first-match would pick one of them.
    origin = _Origin((m.StaffTraining, m.Staff))
    with pytest.raises(LookupError, match="'id' is in 2 of the tables"):
        _column("id", origin)
    assert _column("institution_id", origin) is m.Staff.institution_id  # only Staff has it


@pytest.fixture
def small_store(tmp_path):  # type: ignore[no-untyped-def]
    """A real SQLite file with hand-picked ids, chosen so that any mix-up of columns shows:
    attendance id 900 ≠ session id 70 ≠ group id 5, staff 31 in institution 3."""
    engine = get_engine(f"sqlite:///{tmp_path / 'raw.sqlite'}")
    create_schema(engine)
    with engine.begin() as conn:
        conn.execute(sa.insert(m.OrgUnit.__table__), [
            dict(id=1, code="K", name="Kommune", level="municipality", parent_id=None,
                 path="/1/"),
            dict(id=3, code="I", name="Dagtilbud", level="institution", parent_id=1,
                 path="/1/3/"),
        ])
        conn.execute(sa.insert(m.FamilyGroup.__table__), [
            dict(id=5, code="G5", institution_id=3, started_on=D(2025, 1, 1), planned_sessions=8)])
        conn.execute(sa.insert(m.FamilyGroupSession.__table__), [
            dict(id=70, group_id=5, held_on=D(2025, 2, 3))])
        conn.execute(sa.insert(m.FamilyGroupAttendance.__table__), [
            dict(id=900, session_id=70, family_code="F1", present=True),
            dict(id=901, session_id=70, family_code="F2", present=False)])
        conn.execute(sa.insert(m.Staff.__table__), [
            dict(id=31, code="M31", institution_id=3, role="paedagog",
                 employed_from=D(2020, 1, 1), employed_to=None)])
        conn.execute(sa.insert(m.StaffTraining.__table__), [
            dict(id=400, staff_id=31, held_on=D(2025, 3, 4), kind="uddannelsesdag",
                 self_assessment=4)])
    return engine


def test_joined_sources_take_each_column_from_the_right_table(small_store) -> None:
    with small_store.connect() as conn:
        src = load_sources(conn, periods=periods_frame("2025H1", "2025H1"))
    expected_attendance = pl.DataFrame(
        {"group_id": [5, 5], "institution_id": [3, 3], "session_id": [70, 70],
         "held_on": [D(2025, 2, 3)] * 2, "family_code": ["F1", "F2"], "present": [True, False]},
        schema=SCHEMAS["family_attendance"])
    assert_frame_equal(src.family_attendance.sort("family_code"), expected_attendance)
    expected_training = pl.DataFrame(
        {"staff_id": [31], "institution_id": [3], "held_on": [D(2025, 3, 4)],
         "kind": ["uddannelsesdag"], "self_assessment": [4]}, schema=SCHEMAS["training"])
    assert_frame_equal(src.training, expected_training)
    assert src.staff.row(0, named=True) == {"staff_id": 31, "institution_id": 3,
                                            "employed_from": D(2020, 1, 1), "employed_to": None}


def test_a_select_in_another_column_order_reads_the_same_frame(small_store) -> None:
    stmt = _statements()["family_attendance"]
    shuffled = stmt.with_only_columns(*reversed(list(stmt.selected_columns)))
    with small_store.connect() as conn:
        assert_frame_equal(read_frame(conn, shuffled, SCHEMAS["family_attendance"]),
                           read_frame(conn, stmt, SCHEMAS["family_attendance"]))


def test_a_select_that_does_not_fit_the_schema_is_refused(small_store) -> None:
    t = m.Staff
    wrong = sa.select(t.id, t.institution_id, t.employed_from, t.employed_to)  # "id", not staff_id
    with small_store.connect() as conn, pytest.raises(ValueError, match="do not match"):
        read_frame(conn, wrong, SCHEMAS["staff"])
