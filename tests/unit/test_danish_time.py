"""Times are stored in UTC and read in Danish time, in summer (UTC+2) and winter (UTC+1)."""

from __future__ import annotations

import datetime as dt

import pytest

from indicators.format import danish_time, format_datetime


@pytest.mark.parametrize(("stored", "shown"), [
    (dt.datetime(2026, 7, 1, 12, 5, tzinfo=dt.UTC), "01.07.2026 14:05"),    # summer time
    (dt.datetime(2026, 1, 15, 13, 5, tzinfo=dt.UTC), "15.01.2026 14:05"),   # winter time
    (dt.datetime(2026, 1, 15, 13, 5), "15.01.2026 14:05"),                  # naive = UTC (SQLite)
    (dt.datetime(2026, 3, 29, 0, 59, tzinfo=dt.UTC), "29.03.2026 01:59"),   # just before the switch
    (dt.datetime(2026, 3, 29, 1, 0, tzinfo=dt.UTC), "29.03.2026 03:00"),    # summer time begins
    (dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC), "25.10.2026 02:30"),  # first 02:30
    (dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.UTC), "25.10.2026 02:30"),  # second 02:30
    (dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC), "01.01.2027 00:30"),  # the date moves too
])
def test_a_stored_utc_moment_is_shown_in_danish_time(stored: dt.datetime, shown: str) -> None:
    assert format_datetime(stored) == shown


def test_danish_time_keeps_the_moment() -> None:
    moment = dt.datetime(2026, 7, 1, 12, 5, tzinfo=dt.UTC)
    assert danish_time(moment) == moment and danish_time(moment).utcoffset() == dt.timedelta(
        hours=2)
