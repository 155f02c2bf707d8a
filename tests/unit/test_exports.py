"""Tidy export: CSV round-trip, formula neutralising, no small n leaks."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import polars as pl

from core.model_config import load_programmes
from exports.tidy import (
    TIDY_COLUMNS,
    export_filename,
    neutralise,
    tidy_frame,
    to_csv_bytes,
    to_xlsx_bytes,
)
from indicators.registry import COMPUTATIONS

PROGRAMME = load_programmes(Path("config.toml"), computations=COMPUTATIONS).programmes[0]


def _values() -> pl.DataFrame:
    ids = [i.id for i in PROGRAMME.indicators()][:2]
    return pl.DataFrame({
        "indicator_id": [ids[0], ids[0], ids[1]],
        "unit_id": [1, 2, 1],
        "period": ["2026H1", "2026H1", "2026H2"],
        "age_group": ["alle"] * 3,
        "vulnerable_only": [False] * 3,
        "value": [-3.5, 50.0, 12.25],
        "numerator": [1.0, 2.0, 3.0],
        "denominator": [4.0, 4.0, 9.0],
        "n": [40, 3, 12],
        "suppressed": [False, True, False],
    })


def _units() -> pl.DataFrame:
    return pl.DataFrame({"id": [1, 2], "code": ["580", "580-001"],
                         "name": ['=HYPERLINK("x")', "Børnehuset"],
                         "level": ["municipality", "institution"], "parent_id": [None, 1],
                         "path": ["/1/", "/1/2/"]})


def test_tidy_columns_and_suppression() -> None:
    frame = tidy_frame(_values(), PROGRAMME, _units())
    assert frame.columns == list(TIDY_COLUMNS)
    hidden = frame.filter(pl.col("suppressed"))
    assert hidden.height == 1
    assert hidden.select("value", "numerator", "denominator", "n").row(0) == (None,) * 4
    assert hidden["status"][0] == "Ingen data"


def test_csv_round_trip_danish() -> None:
    frame = tidy_frame(_values(), PROGRAMME, _units())
    data = to_csv_bytes(frame)
    assert data.startswith(b"\xef\xbb\xbf")
    back = pl.read_csv(io.BytesIO(data), separator=";", decimal_comma=True,
                       schema_overrides={"period": pl.Utf8})
    assert back["value"].to_list() == frame["value"].to_list()
    assert -3.5 in back["value"].to_list()
    assert back["org_unit"][0] == "'=HYPERLINK(\"x\")"
    assert back.filter(pl.col("suppressed"))["n"].to_list() == [None]


def test_csv_international() -> None:
    data = to_csv_bytes(tidy_frame(_values(), PROGRAMME, _units()), danish=False)
    back = pl.read_csv(io.BytesIO(data))
    assert back["value"].drop_nulls().to_list() == [-3.5, 12.25]


def test_neutralise() -> None:
    assert neutralise('=HYPERLINK("x")') == "'=HYPERLINK(\"x\")"
    for start in "=+-@\t\r":
        assert neutralise(start + "a") == "'" + start + "a"
    assert neutralise(-3.5) == -3.5
    assert neutralise("Børnehuset") == "Børnehuset"


def test_xlsx_keeps_numbers_and_neutralises() -> None:
    frame = tidy_frame(_values(), PROGRAMME, _units())
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(frame))).active
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    values = [r[header.index("value")] for r in rows[1:]]
    assert -3.5 in values
    assert all(not (isinstance(r[header.index("org_unit")], str)
                    and r[header.index("org_unit")].startswith("=")) for r in rows[1:])
    suppressed = [r for r in rows[1:] if r[header.index("suppressed")] is True]
    assert suppressed and suppressed[0][header.index("n")] is None


def test_export_filename() -> None:
    name = export_filename("aabenraa", "580/001", "2025H1", "2026H2", dt.date(2026, 11, 23),
                           "csv")
    assert name == "aabenraa_580-001_2025H1-2026H2_2026-11-23.csv"
