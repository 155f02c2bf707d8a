"""The throwaway PostgreSQL helper round-trips typed values and survives a restart."""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, text

from tests.support.postgres import (
    postgres_available,
    start_server,
    stop_server,
    throwaway_postgres,
)


def _require_postgres() -> None:
    reason = postgres_available()
    if reason is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def test_round_trip_and_restart() -> None:
    _require_postgres()
    row = {
        "day": date(2024, 2, 29),
        "active": True,
        "amount": Decimal("12345678.90"),
        "at": datetime(
            2024, 3, 31, 1, 30, 15, 123456, tzinfo=timezone(timedelta(hours=2))
        ),
    }
    with throwaway_postgres() as url:
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "CREATE TABLE sample (id serial PRIMARY KEY, day date NOT NULL,"
                    " active boolean NOT NULL, amount numeric(10, 2) NOT NULL,"
                    " at timestamptz NOT NULL)"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO sample (day, active, amount, at)"
                    " VALUES (:day, :active, :amount, :at)"
                ),
                row,
            )
        with engine.connect() as conn:
            got = (
                conn.execute(text("SELECT day, active, amount, at FROM sample"))
                .mappings()
                .one()
            )
        assert dict(got) == row
        assert isinstance(got["amount"], Decimal)
        assert got["at"].tzinfo is not None
        engine.dispose()

        stop_server(url)
        start_server(url)

        fresh = create_engine(url)
        try:
            with fresh.connect() as conn:
                assert (
                    conn.execute(text("SELECT count(*) FROM sample")).scalar_one() == 1
                )
        finally:
            fresh.dispose()
