"""Meeting computations on hand-built frames."""

from __future__ import annotations

import datetime as dt

import polars as pl

from indicators.meeting import biggest_moves, clamp_step, order_followups, status_counts
from indicators.summary import IndicatorMeta


def meta(id_: str, *, direction: str = "higher", baseline: float | None = 0.0,
         target: float = 100.0) -> IndicatorMeta:
    return IndicatorMeta(id=id_, name=id_, unit="%", direction=direction, baseline=baseline,
                         target=target, subgroups=False)


def frame(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={"indicator_id": pl.Utf8, "unit_id": pl.Int64,
                                      "period": pl.Utf8, "value": pl.Float64,
                                      "suppressed": pl.Boolean, "status": pl.Utf8},
                        orient="row")


def test_status_counts_per_layer_with_missing_indicators_as_no_data() -> None:
    values = frame([
        ("a", 1, "2026H2", 90.0, False, "on_track"),
        ("b", 1, "2026H2", 70.0, False, "close"),
        ("c", 1, "2026H2", None, True, "no_data"),
        ("d", 1, "2026H2", 10.0, False, "off_track"),
        ("d", 2, "2026H2", 99.0, False, "on_track"),  # another unit: ignored
        ("a", 1, "2026H1", 10.0, False, "off_track"),  # another period: ignored
    ])
    counts = status_counts(values, {"L1": ["a", "b"], "L2": ["c", "d", "e"]}, unit_id=1,
                           period="2026H2")
    assert counts.to_dicts() == [
        {"layer_id": "L1", "on_track": 1, "close": 1, "off_track": 0, "no_data": 0, "total": 2},
        {"layer_id": "L2", "on_track": 0, "close": 0, "off_track": 1, "no_data": 2, "total": 3},
    ]


def test_status_counts_of_an_empty_frame_are_all_no_data() -> None:
    counts = status_counts(frame([]), {"L1": ["a"]}, unit_id=1, period="2026H2")
    assert counts.row(0, named=True)["no_data"] == 1


def test_biggest_moves_are_ranked_by_change_relative_to_the_distance_to_target() -> None:
    metas = {
        "pct": meta("pct", baseline=50.0, target=100.0),       # scale 50
        "cnt": meta("cnt", baseline=1.0, target=2.0),          # scale 1
        "low": meta("low", direction="lower", baseline=20.0, target=10.0),  # scale 10
        "hid": meta("hid"),
        "flat": meta("flat"),
    }
    values = frame([
        ("pct", 1, "2026H1", 60.0, False, "off_track"), ("pct", 1, "2026H2", 70.0, False, "close"),
        ("cnt", 1, "2026H1", 1.0, False, "off_track"), ("cnt", 1, "2026H2", 1.5, False, "close"),
        ("low", 1, "2026H1", 12.0, False, "close"), ("low", 1, "2026H2", 15.0, False, "off_track"),
        ("hid", 1, "2026H1", 10.0, False, "close"), ("hid", 1, "2026H2", None, True, "no_data"),
        ("flat", 1, "2026H1", 5.0, False, "close"), ("flat", 1, "2026H2", 5.0, False, "close"),
    ])
    moves = biggest_moves(values, metas, unit_id=1, period="2026H2")
    assert moves["indicator_id"].to_list() == ["cnt", "low", "pct"]  # 0.5, -0.3, 0.2
    rows = {r["indicator_id"]: r for r in moves.iter_rows(named=True)}
    assert rows["cnt"]["improved"] and rows["cnt"]["change"] == 0.5
    assert not rows["low"]["improved"] and abs(rows["low"]["relative"] + 0.3) < 1e-9
    assert rows["pct"]["previous_status"] == "off_track" and rows["pct"]["status"] == "close"
    assert "hid" not in rows and "flat" not in rows  # withheld, or no change
    assert biggest_moves(values, metas, unit_id=1, period="2026H2", limit=1).height == 1


def test_biggest_moves_without_a_previous_period_is_empty() -> None:
    values = frame([("pct", 1, "2026H2", 70.0, False, "close")])
    assert biggest_moves(values, {"pct": meta("pct")}, unit_id=1, period="2026H2").is_empty()


def test_followups_due_before_the_meeting_come_first() -> None:
    followups = pl.DataFrame({
        "id": [1, 2, 3, 4],
        "due_on": [dt.date(2026, 12, 20), dt.date(2026, 11, 1), None, dt.date(2026, 11, 20)],
    })
    ordered = order_followups(followups, meeting_date=dt.date(2026, 11, 23))
    assert ordered["id"].to_list() == [2, 4, 1, 3]
    assert ordered["due_before_meeting"].to_list() == [True, True, False, False]


def test_walk_through_stays_within_the_sections() -> None:
    assert clamp_step(0, -1, 4) == 0
    assert clamp_step(3, 1, 4) == 3
    assert clamp_step(1, 1, 4) == 2
    assert clamp_step(5, 0, 0) == 0


def test_the_last_meeting_is_the_newest_pack_for_a_meeting_before_the_meeting_date() -> None:
    import datetime as dt

    from ui.meeting import previous_packs

    packs = pl.DataFrame({
        "id": [1, 2, 3, 4],
        "meeting_date": [dt.date(2026, 6, 1), dt.date(2026, 6, 1), dt.date(2026, 11, 24),
                         dt.date(2026, 3, 1)],
        "created_at": [dt.datetime(2026, 5, 30, 9), dt.datetime(2026, 5, 31, 9),
                       dt.datetime(2026, 11, 24, 8), dt.datetime(2026, 2, 27, 9)],
    })
    # the pack made today for today's meeting is not "the last meeting"
    assert previous_packs(packs, dt.date(2026, 11, 24))["id"].to_list() == [2, 1, 4]
    assert previous_packs(packs, dt.date(2026, 6, 1))["id"].to_list() == [4]
    assert previous_packs(packs, dt.date(2026, 1, 1)).is_empty()
