"""The refresh's bulk reads and writes, on a real SQLite file and a real PostgreSQL.

- values written in bulk come back exactly (floats to the last bit, NULLs, booleans);
- a refresh cut off after its write leaves values, indexes and the data version as they were;
- a read inside a transaction that has written sees those writes (PostgreSQL: not through the
  separate ADBC session);
- ``date_range`` takes every dated table into account.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
import sqlalchemy as sa
from polars.testing import assert_frame_equal
from sqlalchemy.engine import Engine

import pipeline.refresh as refresh_module
from data_access import models as m
from data_access.analytics import VALUE_COLUMNS, value_writer
from data_access.db import data_version, get_engine
from data_access.raw import _statements, date_range, read_frame
from indicators.sources import SCHEMAS

D = dt.date


def tricky_values() -> pl.DataFrame:
    """Values whose text form is easy to get wrong: long fractions, tiny and huge numbers,
    NULLs (suppressed), both booleans."""
    return pl.DataFrame({
        "indicator_id": ["x_share", "x_share", "x_share", "x_mean"],
        "unit_id": [1, 1, 1, 1],
        "period": ["2024H1", "2024H2", "2025H1", "2025H1"],
        "age_group": ["alle", "0-2", "3-5", "alle"],
        "vulnerable_only": [False, True, False, True],
        "value": [100 / 3, 0.1 + 0.2, None, 1e-300],
        "numerator": [1.0, 12345678.123456789, None, 2.0**60],
        "denominator": [3.0, 7.0, None, 5e300],
        "n": [3, 7, 2, 5],
        "suppressed": [False, False, True, False],
    }, schema=VALUE_COLUMNS)


def stored(engine: Engine, programme_id: str) -> pl.DataFrame:
    t = m.IndicatorValue.__table__
    stmt = sa.select(*[t.c[c] for c in VALUE_COLUMNS]).where(t.c.programme_id == programme_id)
    with engine.connect() as conn:
        return read_frame(conn, stmt, VALUE_COLUMNS).sort("period", "indicator_id")


def index_names(engine: Engine) -> set[str]:
    return {ix["name"] for ix in sa.inspect(engine).get_indexes("indicator_value")}


def test_bulk_written_values_come_back_exactly(demo_engine: Engine) -> None:
    values = tricky_values()
    with demo_engine.begin() as conn:
        with value_writer(conn) as writer:
            assert writer.write("bulk_test", values) == 4
    assert_frame_equal(stored(demo_engine, "bulk_test"), values.sort("period", "indicator_id"),
                       check_exact=True)
    # Writing again replaces (no duplicates); other programmes are left alone.
    aabenraa_before = stored(demo_engine, "aabenraa").height
    with demo_engine.begin() as conn:
        with value_writer(conn) as writer:
            writer.write("bulk_test", values.head(1))
    assert stored(demo_engine, "bulk_test").height == 1
    assert stored(demo_engine, "aabenraa").height == aabenraa_before > 0
    with demo_engine.begin() as conn:
        conn.execute(sa.delete(m.IndicatorValue)
                     .where(m.IndicatorValue.programme_id == "bulk_test"))


@pytest.mark.parametrize("stage", ["adbc", "temp-table"])
def test_staged_values_replace_only_the_programmes_written(
    sqlite_demo: str, stage: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite stages the rows (ADBC's bulk ingest into a file of its own, or a TEMP table when
    the driver is missing) and moves them in at the end: exact values, replaced programmes
    only, the staging file detached when the connection goes back to its pool."""
    import data_access.analytics as analytics

    if stage == "temp-table":
        monkeypatch.setattr(analytics, "adbc_sqlite", None)
    engine = get_engine(sqlite_demo)
    values = tricky_values()
    aabenraa_before = stored(engine, "aabenraa")
    with engine.begin() as conn:
        with value_writer(conn) as writer:
            assert writer.write("bulk_a", values) == 4
            assert writer.write("bulk_b", values.head(2)) == 2
            with pytest.raises(ValueError, match="twice"):
                writer.write("bulk_a", values)
        # Inside the transaction: moved in, not yet committed.
        assert conn.execute(sa.select(sa.func.count()).select_from(m.IndicatorValue).where(
            m.IndicatorValue.programme_id.in_(["bulk_a", "bulk_b"]))).scalar_one() == 6
    assert_frame_equal(stored(engine, "bulk_a"), values.sort("period", "indicator_id"),
                       check_exact=True)
    assert stored(engine, "bulk_b").height == 2
    assert_frame_equal(stored(engine, "aabenraa"), aabenraa_before, check_exact=True)
    assert "ix_indicator_value_lookup" in index_names(engine)
    with engine.connect() as conn:  # the pooled connection has no staging file attached
        attached = [row[1] for row in conn.exec_driver_sql("PRAGMA database_list")]
        assert not [name for name in attached if name.startswith(analytics.STAGE_ALIAS)]
    # A block that fails leaves the stored values as they were.
    with pytest.raises(RuntimeError, match="stop"), engine.begin() as conn:
        with value_writer(conn) as writer:
            writer.write("bulk_a", values.head(1))
            raise RuntimeError("stop")
    assert stored(engine, "bulk_a").height == 4
    with engine.begin() as conn:
        conn.execute(sa.delete(m.IndicatorValue)
                     .where(m.IndicatorValue.programme_id.in_(["bulk_a", "bulk_b"])))


def test_the_lookup_index_is_there_after_a_refresh_and_the_redundant_ones_are_gone(
    demo_engine: Engine, config
) -> None:
    refresh_module.refresh(demo_engine, config)
    names = index_names(demo_engine)
    assert "ix_indicator_value_lookup" in names
    assert not names & {"ix_indicator_value_programme_id", "ix_indicator_value_unit_id"}


def test_a_refresh_cut_off_after_its_write_changes_nothing_on_sqlite(
    sqlite_demo: str, config, monkeypatch: pytest.MonkeyPatch  # type: ignore[no-untyped-def]
) -> None:
    engine = get_engine(sqlite_demo)
    t = m.IndicatorValue.__table__
    marker = sa.select(sa.func.count()).where(t.c.value == -12345.0)
    with engine.begin() as conn:  # a stale value that the refresh must overwrite
        conn.execute(sa.update(t).where(t.c.id == sa.select(sa.func.min(t.c.id)).scalar_subquery())
                     .values(value=-12345.0))
    values_before = stored(engine, "aabenraa")
    version_before, indexes_before = data_version(engine), index_names(engine)
    seen = []

    def fail_after_the_write(conn):  # type: ignore[no-untyped-def]
        seen.append((conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one(),
                     conn.execute(marker).scalar_one()))
        raise RuntimeError("cut off")

    monkeypatch.setattr(refresh_module, "bump_data_version", fail_after_the_write)
    with pytest.raises(RuntimeError, match="cut off"):
        refresh_module.refresh(engine, config)
    assert seen[0][0] > 0 and seen[0][1] == 0  # rewritten inside the transaction
    with engine.connect() as conn:
        assert conn.execute(marker).scalar_one() == 1  # … and rolled back
    assert_frame_equal(stored(engine, "aabenraa"), values_before, check_exact=True)
    assert data_version(engine) == version_before
    assert index_names(engine) == indexes_before
    monkeypatch.undo()
    refresh_module.refresh(engine, config)  # leave the shared store as it was built


def test_a_bulk_read_inside_a_writing_transaction_sees_its_writes(demo_engine: Engine) -> None:
    stmt, schema = _statements()["practice"], SCHEMAS["practice"]
    with demo_engine.connect() as conn:
        before = read_frame(conn, stmt, schema, bulk=True).height
    with demo_engine.connect() as conn, conn.begin() as tx:
        institution = conn.execute(sa.select(m.OrgUnit.id).where(
            m.OrgUnit.level == "institution").limit(1)).scalar_one()
        conn.execute(sa.insert(m.PracticeSelfAssessment).values(
            institution_id=institution, assessed_on=D(2031, 5, 6), theme="io-test", score=3))
        inside = read_frame(conn, stmt, schema, bulk=True)
        tx.rollback()
    assert inside.height == before + 1
    assert inside.filter(pl.col("theme") == "io-test").row(0, named=True) == {
        "institution_id": institution, "assessed_on": D(2031, 5, 6), "theme": "io-test",
        "score": 3}


def test_sqlite_bulk_reads_bind_parameters_and_equal_the_streamed_rows(sqlite_demo: str) -> None:
    a = m.Assessment
    stmt, schema = _statements()["assessments"], SCHEMAS["assessments"]
    engine = get_engine(sqlite_demo)
    with engine.connect() as conn:
        streamed = read_frame(conn, stmt, schema)
        everything = read_frame(conn, stmt, schema, bulk=True)
        filtered = read_frame(conn, stmt.where(a.position.in_(["red", "yellow"]),
                                               a.assessed_on >= D(2026, 1, 1)), schema, bulk=True)
        hostile = read_frame(conn, stmt.where(a.position == "red' OR '1'='1"), schema, bulk=True)
    assert_frame_equal(everything, streamed)
    expected = everything.filter(pl.col("position").is_in(["red", "yellow"])
                                 & (pl.col("assessed_on") >= D(2026, 1, 1)))
    assert 0 < filtered.height < everything.height
    assert_frame_equal(filtered.sort(filtered.columns), expected.sort(expected.columns))
    assert hostile.height == 0
    assert everything.schema["assessed_on"] == pl.Date


def test_date_range_spans_every_dated_table(demo_engine: Engine) -> None:
    with demo_engine.connect() as conn:
        low, high = date_range(conn)
    with demo_engine.connect() as conn, conn.begin() as tx:
        institution = conn.execute(sa.select(m.OrgUnit.id).where(
            m.OrgUnit.level == "institution").limit(1)).scalar_one()
        conn.execute(sa.insert(m.CounsellingSession).values(
            institution_id=institution, held_on=D(2040, 1, 2), professions="ppr",
            n_professions=1, staff_consultations=0, parent_consultations=0))
        conn.execute(sa.insert(m.StaffTraining).values(
            staff_id=conn.execute(sa.select(m.Staff.id).limit(1)).scalar_one(),
            held_on=D(1990, 3, 4), kind="uddannelsesdag"))
        assert date_range(conn) == (D(1990, 3, 4), D(2040, 1, 2))
        tx.rollback()
    assert low < high


@pytest.mark.parametrize("name", sorted(_statements()))
def test_every_source_frame_is_the_same_through_the_sqlite_cursor(sqlite_demo: str,
                                                                  name: str) -> None:
    stmt, schema = _statements()[name], SCHEMAS[name]
    with get_engine(sqlite_demo).connect() as conn:
        streamed = read_frame(conn, stmt, schema)
        bulk = read_frame(conn, stmt, schema, bulk=True)
    assert bulk.schema == streamed.schema
    assert_frame_equal(bulk, streamed)
    assert bulk.height > 0


def test_sqlite_bulk_reads_parse_datetimes(sqlite_demo: str) -> None:
    t = m.AuditEvent.__table__
    schema = {"at": pl.Datetime, "username": pl.Utf8}
    stmt = sa.select(t.c.at, t.c.username).where(t.c.username == "io-test")
    at = dt.datetime(2026, 11, 24, 3, 4, 5, 123456, tzinfo=dt.UTC)
    with get_engine(sqlite_demo).connect() as conn, conn.begin() as tx:
        conn.execute(sa.insert(t).values(at=at, username="io-test", action="login", detail=""))
        conn.execute(sa.insert(t).values(at=at.replace(microsecond=0), username="io-test",
                                         action="login", detail=""))
        bulk = read_frame(conn, stmt, schema, bulk=True)
        streamed = read_frame(conn, stmt, schema)
        tx.rollback()
    naive = at.replace(tzinfo=None)
    assert bulk["at"].to_list() == [naive, naive.replace(microsecond=0)]
    assert_frame_equal(bulk, streamed)


def _all_values(engine: Engine) -> pl.DataFrame:
    t = m.IndicatorValue.__table__
    columns = {"programme_id": pl.Utf8, **VALUE_COLUMNS}
    with engine.connect() as conn:
        return read_frame(conn, sa.select(*[t.c[c] for c in columns]), columns).sort(
            "programme_id", "indicator_id", "unit_id", "period", "age_group", "vulnerable_only")


def test_threads_compute_the_same_values_and_a_failing_one_changes_nothing(
    sqlite_demo: str, config, monkeypatch: pytest.MonkeyPatch  # type: ignore[no-untyped-def]
) -> None:
    engine = get_engine(sqlite_demo)
    monkeypatch.setenv("REFRESH_WORKERS", "1")
    refresh_module.refresh(engine, config)
    alone = _all_values(engine)
    monkeypatch.setenv("REFRESH_WORKERS", "3")
    assert refresh_module.refresh_workers() == 3
    refresh_module.refresh(engine, config)
    assert_frame_equal(_all_values(engine), alone, check_exact=True)
    assert alone.height > 0 and alone["programme_id"].n_unique() == len(config.programmes)

    # An indicator of the last programme fails in its thread: the refresh fails, and the
    # programmes already written are rolled back with it.
    real = refresh_module.indicator_values
    last = config.programmes[-1].indicators()[-1].id

    def failing(spec, *args):  # type: ignore[no-untyped-def]
        if spec.id == last:
            raise RuntimeError("indicator failed")
        return real(spec, *args)

    monkeypatch.setattr(refresh_module, "indicator_values", failing)
    version = data_version(engine)
    with engine.begin() as conn:  # a marker the failed refresh must not overwrite
        conn.execute(sa.update(m.IndicatorValue).where(
            m.IndicatorValue.programme_id == config.programmes[0].id).values(n=-7))
    with pytest.raises(RuntimeError, match="indicator failed"):
        refresh_module.refresh(engine, config)
    after = _all_values(engine)
    assert after.filter(pl.col("programme_id") == config.programmes[0].id)["n"].unique().to_list(
        ) == [-7]
    assert data_version(engine) == version
    monkeypatch.undo()
    refresh_module.refresh(engine, config)  # leave the shared store as it was built
    assert_frame_equal(_all_values(engine), alone, check_exact=True)
