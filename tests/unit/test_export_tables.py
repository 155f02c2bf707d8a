"""Exports are the view: per-page rows, Danish headers and values, counts, suppression, file names.

A tiny hand-built programme and hand-built values; every expected number is worked out by hand in
the comments next to it.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from core.model_config import ProgrammeSpec, parse_programmes
from exports.files import ABOUT_SHEET, to_csv_bytes, to_xlsx_bytes
from exports.tables import (
    ROW_COLUMNS,
    daycare_rows,
    export_table,
    layer_rows,
    overview_rows,
    points_rows,
    view_export,
)
from exports.view import ExportView, export_filename, slug
from indicators.registry import COMPUTATIONS


def _indicator(id_: str, computation: str, unit: str, *, min_n: int = 5,
               direction: str = "higher", target: float = 75.0) -> dict:
    return {"id": id_, "name": f"Indikator {id_} med æøå", "definition": "Til test.",
            "computation": computation, "unit": unit, "direction": direction,
            "target": target, "target_year": 2027, "min_n": min_n}


PROGRAMME: ProgrammeSpec = parse_programmes({"programmes": [{
    "id": "testprog", "title": "Testprogram", "owner": "Test Kommune",
    "layers": [
        {"id": "aktiviteter", "title": "Aktiviteter", "boxes": [
            {"id": "A1", "title": "Åben rådgivning", "text": "Tekst.", "indicators": [
                _indicator("A1_sessions", "sessions_per_institution_month", "antal", min_n=1,
                           target=1.0),
                _indicator("A1_days", "training_days_held", "dage", min_n=1, target=10.0),
            ]},
        ]},
        {"id": "kort-sigt", "title": "Resultater på kort sigt", "boxes": [
            {"id": "K1", "title": "Medarbejdere", "text": "Tekst.", "indicators": [
                _indicator("K1_trained", "staff_programme_completion", "%", min_n=10),
                _indicator("K1_self", "mean_self_assessment", "score", target=4.0),
            ]},
        ]},
        {"id": "lang-sigt", "title": "Virkninger på lang sigt", "boxes": [
            {"id": "L1", "title": "Grønne børn", "text": "Tekst.", "indicators": [
                _indicator("L1_green", "share_in_position", "%"),
            ]},
            {"id": "L2", "title": "Social arv", "text": "Tekst.", "indicators": [
                _indicator("L2_gap", "green_gap", "procentpoint", direction="lower",
                           target=10.0),
            ]},
        ]},
    ],
}]}, computations=COMPUTATIONS).programmes[0]

UNITS = pl.DataFrame({
    "id": [1, 2, 3, 4, 5],
    "code": ["580", "580-N", "580-001", "580-002", "580-003"],
    "name": ["Aabenraa Kommune", "Område Nord", "Børnehuset Åen", "Spirens Vuggestue",
             '=HYPERLINK("x")'],
    "level": ["municipality", "area", "institution", "institution", "institution"],
    "parent_id": [None, 1, 2, 2, 2],
    "path": ["/1/", "/1/2/", "/1/2/3/", "/1/2/4/", "/1/2/5/"],
})


def _row(indicator_id: str, unit_id: int, period: str, value: float | None, num: float | None,
         den: float | None, n: int, *, suppressed: bool = False, age_group: str = "alle",
         vulnerable_only: bool = False) -> dict:
    return {"indicator_id": indicator_id, "unit_id": unit_id, "period": period,
            "age_group": age_group, "vulnerable_only": vulnerable_only, "value": value,
            "numerator": num, "denominator": den, "n": n, "suppressed": suppressed}


def stored_values() -> pl.DataFrame:
    """Stored values (``VALUE_COLUMNS``) as the engine writes them."""
    rows = [
        # 9 sessions over 2 institutions × 6 months = 0.75 per institution-month → 0,8 on screen.
        _row("A1_sessions", 1, "2025H2", 0.75, 9.0, 12.0, 2),
        # 13 training days: a count in days, whole numbers on screen.
        _row("A1_days", 1, "2025H2", 13.0, 13.0, 13.0, 4),
        # 179 of 240 staff = 74.58333 % → 74,6 %.
        _row("K1_trained", 1, "2025H1", 100 * 179 / 240, 179.0, 240.0, 240),
        _row("K1_trained", 1, "2025H2", 80.0, 200.0, 250.0, 250),
        # An institution with 7 staff < min_n 10: withheld (the engine keeps n, nulls the rest).
        _row("K1_trained", 3, "2025H2", None, None, None, 7, suppressed=True),
        _row("K1_trained", 4, "2025H2", 90.0, 18.0, 20.0, 20),
        _row("K1_trained", 5, "2025H2", 60.0, 12.0, 20.0, 20),
        _row("K1_trained", 2, "2025H2", 70.0, 35.0, 50.0, 50),
        # Mean of 3 scores summing to 11: 3.6667 → 3,7; the numerator is a sum of scores.
        _row("K1_self", 1, "2025H2", 11 / 3, 11.0, 3.0, 3),
        # Share green, per subgroup.
        _row("L1_green", 1, "2025H2", 62.5, 50.0, 80.0, 80),
        _row("L1_green", 1, "2025H2", 55.0, 11.0, 20.0, 20, age_group="0-2",
             vulnerable_only=True),
        _row("L1_green", 1, "2025H2", 40.0, 8.0, 20.0, 20, age_group="alle",
             vulnerable_only=True),
        # Gap: the engine stores the two shares (others 63.456 %, focus 60 %) as num/den.
        _row("L2_gap", 1, "2025H2", 3.456, 63.456, 60.0, 20),
        _row("L2_gap", 1, "2025H1", -3.456, 56.544, 60.0, 20),
    ]
    return pl.DataFrame(rows, schema={
        "indicator_id": pl.Utf8, "unit_id": pl.Int64, "period": pl.Utf8, "age_group": pl.Utf8,
        "vulnerable_only": pl.Boolean, "value": pl.Float64, "numerator": pl.Float64,
        "denominator": pl.Float64, "n": pl.Int64, "suppressed": pl.Boolean,
    })


def view(page: str = "overview", **changes: object) -> ExportView:
    base: dict[str, object] = dict(
        page=page, programme_id="testprog", unit_code="580", unit_name="Aabenraa Kommune",
        period_from="2025H1", period_to="2025H2", created=dt.date(2026, 11, 24))
    if page == "layer":
        base["layer_id"] = "kort-sigt"
    base.update(changes)
    return ExportView(**base)  # type: ignore[arg-type]


def one(frame: pl.DataFrame, **where: object) -> dict:
    rows = frame.filter(*[pl.col(k) == v for k, v in where.items()])
    assert rows.height == 1, rows
    return rows.row(0, named=True)


# --- Headers and values in Danish ------------------------------------------------------------


def test_danish_headers_are_the_default() -> None:
    table = view_export(stored_values(), PROGRAMME, UNITS, view=view())
    assert table.columns == [
        "Program", "Lag", "Boks", "Boksens titel", "Indikator-id", "Indikator", "Enhedskode",
        "Enhed", "Niveau", "Periode", "Periodekode", "Aldersgruppe", "Kun udsatte", "Værdi",
        "Måleenhed", "Vist som", "Tæller", "Nævner", "n", "Mål", "Målår", "Status",
        "Tilbageholdt", "Bemærkning",
    ]


def test_code_names_and_machine_values_for_analysts() -> None:
    table = view_export(stored_values(), PROGRAMME, UNITS, view=view(), danish_headers=False)
    assert table.columns == list(ROW_COLUMNS)
    assert table.schema["suppressed"] == pl.Boolean
    row = one(table, indicator_id="K1_trained", org_unit_code="580", period="2025H2")
    assert (row["status"], row["unit"], row["org_level"], row["suppressed"]) == (
        "on_track", "%", "municipality", False)


def test_booleans_status_unit_and_level_in_words() -> None:
    table = view_export(stored_values(), PROGRAMME, UNITS, view=view())
    assert set(table["Tilbageholdt"]) == {"Ja", "Nej"}
    assert set(table["Kun udsatte"]) == {"Nej"}
    row = one(table, **{"Indikator-id": "K1_trained", "Enhedskode": "580",
                        "Periodekode": "2025H2"})
    assert (row["Status"], row["Niveau"], row["Tilbageholdt"]) == ("På sporet", "Kommune", "Nej")


def test_periods_as_words_with_a_sortable_code() -> None:
    table = view_export(stored_values(), PROGRAMME, UNITS, view=view())
    pairs = set(zip(table["Periodekode"], table["Periode"], strict=True))
    assert pairs == {("2025H1", "1. halvår 2025"), ("2025H2", "2. halvår 2025")}


def test_values_rounded_as_on_screen_with_their_unit() -> None:
    table = view_export(stored_values(), PROGRAMME, UNITS, view=view())
    got = {
        (r["Indikator-id"], r["Periodekode"]): (r["Værdi"], r["Måleenhed"], r["Vist som"])
        for r in table.filter(pl.col("Enhedskode") == "580").iter_rows(named=True)
    }
    assert got[("K1_trained", "2025H1")] == (74.6, "%", "74,6 %")  # 74.5833…
    assert got[("A1_sessions", "2025H2")] == (0.8, "antal", "0,8")  # 0.75 rounds half up
    assert got[("A1_days", "2025H2")] == (13.0, "dage", "13 dage")
    assert got[("K1_self", "2025H2")] == (3.7, "score", "3,7")  # 3.6667
    assert got[("L2_gap", "2025H2")] == (3.5, "pct.-point", "3,5 pct.-point")  # 3.456
    # A real minus sign in the text: no "-" a spreadsheet would read as the start of a formula.
    assert got[("L2_gap", "2025H1")] == (-3.5, "pct.-point", "\u22123,5 pct.-point")
    target = one(table, **{"Indikator-id": "K1_self", "Enhedskode": "580"})["Mål"]
    assert target == 4.0


def test_rounding_follows_the_screen_where_polars_would_round_differently() -> None:
    # 0.35 is stored as 0.34999…: the screen writes 0,3 (polars' round would give 0.4).
    values = stored_values().with_columns(
        pl.when(pl.col("indicator_id") == "A1_sessions").then(0.35).otherwise(pl.col("value"))
        .alias("value"))
    row = one(view_export(values, PROGRAMME, UNITS, view=view()), **{"Indikator-id": "A1_sessions"})
    assert (row["Værdi"], row["Vist som"]) == (0.3, "0,3")


# --- Numerator and denominator are counts ----------------------------------------------------


def test_numerator_and_denominator_are_counts_or_empty_with_a_note() -> None:
    rows = overview_rows(stored_values(), PROGRAMME, UNITS, view=view())
    mine = rows.filter(pl.col("org_unit_code") == "580")

    def counts(indicator_id: str, period: str = "2025H2") -> tuple:
        r = one(mine, indicator_id=indicator_id, period=period)
        return r["numerator"], r["denominator"], r["n"], r["note"]

    assert rows.schema["numerator"] == pl.Int64 and rows.schema["denominator"] == pl.Int64
    assert counts("K1_trained", "2025H1") == (179, 240, 240, None)  # hits and cases
    assert counts("A1_sessions") == (9, 12, 2, None)  # sessions and institution-months
    # The gap's stored "numerator/denominator" are two percentages: not counts, left empty.
    num, den, n, note = counts("L2_gap")
    assert (num, den, n) == (None, None, 20)
    assert "procentpoint" in note and "ingen tæller og nævner" in note
    # A mean of scores: the sum of scores is no count; the number of answers is.
    num, den, n, note = counts("K1_self")
    assert (num, den, n) == (None, 3, 3)
    assert "nævneren er antal besvarelser" in note


# --- Suppression -----------------------------------------------------------------------------


def test_a_withheld_row_leaves_without_numbers_and_says_less_than_min_n() -> None:
    table = view_export(stored_values(), PROGRAMME, UNITS, view=view())
    row = one(table, **{"Indikator-id": "K1_trained", "Enhedskode": "580-001"})
    assert row["Tilbageholdt"] == "Ja"
    assert (row["Værdi"], row["n"], row["Tæller"], row["Nævner"]) == (None,) * 4
    assert row["Vist som"] == "< 10"  # from the indicator's min_n, not a fixed 5
    assert row["Status"] == "Ingen data"
    assert "færre end 10" in row["Bemærkning"]
    # In the CSV the withheld row's number fields are empty and its stored n (7) is nowhere.
    lines = to_csv_bytes(table).decode("utf-8-sig").splitlines()
    header = lines[0].split(";")
    fields = next(ln for ln in lines if "580-001" in ln and "K1_trained" in ln).split(";")
    assert [fields[header.index(h)] for h in ("Værdi", "Tæller", "Nævner", "n")] == [""] * 4
    assert "7" not in fields


def test_a_withheld_funnel_point_loses_its_limits_too() -> None:
    points = pl.DataFrame({
        "unit_id": [3, 4, 5], "value": [None, 90.0, 60.0], "n": [7, 20, 20],
        "suppressed": [True, False, False],
        # Limits come from n: a withheld point's limits would give its n away.
        "lower_limit": [41.2, 55.1, 55.1], "upper_limit": [98.0, 92.3, 92.3],
        "outside_limits": [False, False, True],
    })
    rows = points_rows(points, PROGRAMME, UNITS,
                       view=view("funnel", indicator_id="K1_trained"))
    assert rows["org_unit_code"].to_list() == ["580-003", "580-002", "580-001"]  # by value
    hidden = one(rows, org_unit_code="580-001")
    assert (hidden["lower_limit"], hidden["upper_limit"], hidden["outside_limits"],
            hidden["n"]) == (None, None, None, None)
    shown = export_table(rows).row(0, named=True)
    assert (shown["Enhed"], shown["Uden for grænserne"], shown["Nedre grænse"]) == (
        '=HYPERLINK("x")', "Ja", 55.1)
    assert set(rows["period"]) == {"2025H2"}


# --- Each page exports what it shows ----------------------------------------------------------


def test_a_layer_export_holds_only_that_layer() -> None:
    values = stored_values()
    layer = layer_rows(values, PROGRAMME, UNITS, view=view("layer"))
    assert set(layer["indicator_id"]) == {"K1_trained", "K1_self"}
    assert set(layer["layer"]) == {"Resultater på kort sigt"}
    other = layer_rows(values, PROGRAMME, UNITS, view=view("layer", layer_id="lang-sigt"))
    assert set(other["indicator_id"]) == {"L1_green", "L2_gap"}
    overview = overview_rows(values, PROGRAMME, UNITS, view=view())
    assert set(overview["indicator_id"]) == {
        "A1_sessions", "A1_days", "K1_trained", "K1_self", "L1_green", "L2_gap"}
    assert to_csv_bytes(export_table(layer)) != to_csv_bytes(export_table(overview))


def test_an_unknown_layer_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="Laget 'nope' findes ikke"):
        layer_rows(stored_values(), PROGRAMME, UNITS, view=view("layer", layer_id="nope"))


def test_the_daycare_table_is_the_last_period_with_each_daycares_place() -> None:
    rows = daycare_rows(stored_values(), PROGRAMME, UNITS,
                        view=view("daycare", unit_code="580-002", unit_name="Spirens"))
    assert set(rows["period"]) == {"2025H2"}
    trained = rows.filter(pl.col("indicator_id") == "K1_trained")
    places = dict(zip(trained["org_unit_code"], trained["rank"], strict=True))
    # Higher is better: 90 % (580-002) first, 60 % (580-003) second; the withheld daycare and the
    # benchmarks (area, municipality) have no place.
    assert places == {"580": None, "580-N": None, "580-001": None, "580-002": 1, "580-003": 2}
    assert export_table(rows).columns[9] == "Plads"


def test_the_page_age_group_and_udsatte_filter_are_in_every_row_that_they_apply_to() -> None:
    table = view_export(stored_values(), PROGRAMME, UNITS,
                        view=view(age_group="0-2", vulnerable_only=True))
    green = one(table, **{"Indikator-id": "L1_green"})
    assert (green["Aldersgruppe"], green["Kun udsatte"], green["Værdi"]) == ("0-2 år", "Ja", 55.0)
    # Staff indicators are not about children: the same under the filters, and they say so.
    trained = one(table, **{"Indikator-id": "K1_trained", "Enhedskode": "580",
                            "Periodekode": "2025H2"})
    assert (trained["Aldersgruppe"], trained["Kun udsatte"]) == ("Alle aldre", "Nej")
    assert "gælder alle" in trained["Bemærkning"]
    # The gap has no value inside the vulnerable group (the engine computes none): no row.
    assert table.filter(pl.col("Indikator-id") == "L2_gap").is_empty()


def test_a_page_may_pass_the_values_it_drew() -> None:
    """``ui.views.view_values`` output (subgroup picked, status added) gives the same rows."""
    from indicators.summary import IndicatorMeta, pick_subgroup, with_status

    metas = {i.id: IndicatorMeta.of(i) for i in PROGRAMME.indicators()}
    drawn = with_status(pick_subgroup(stored_values(), metas, age_group="alle",
                                      vulnerable_only=False), metas)
    assert overview_rows(drawn, PROGRAMME, UNITS, view=view()).equals(
        overview_rows(stored_values(), PROGRAMME, UNITS, view=view()))


# --- File names ------------------------------------------------------------------------------


def test_file_names_name_the_view_and_differ_per_view() -> None:
    name = export_filename(view("layer", unit_code="580-N", period_to="2026H2",
                                vulnerable_only=True))
    assert name == "testprog_lag-kort-sigt_580-N_2025H1-2026H2_alle_udsatte_2026-11-24.csv"
    views = [view(), view("layer"), view("layer", layer_id="lang-sigt"), view("daycare"),
             view("funnel", indicator_id="K1_trained"), view(age_group="3-5"),
             view(vulnerable_only=True), view(unit_code="580-001"), view(period_from="2025H2")]
    names = [export_filename(v, "xlsx") for v in views]
    assert len(set(names)) == len(names)
    assert all(re.fullmatch(r"[A-Za-z0-9_.-]+\.xlsx", n) for n in names)


def test_file_name_parts_are_ascii() -> None:
    assert slug("Børnehuset Åen/Syd ÆØ") == "Boernehuset-Aaen-Syd-AeOe"
    assert slug("../../etc") == "etc"
    assert export_filename(view(unit_code="Ærø/../x"), ".csv").split("_")[2] == "Aeroe-x"


def test_a_view_refuses_what_it_cannot_name() -> None:
    with pytest.raises(ValueError):
        ExportView(page="layer", programme_id="p", unit_code="1", unit_name="x",
                   period_from="2025H1", period_to="2025H1")
    with pytest.raises(ValueError):
        view(age_group="6-9")


# --- Files -----------------------------------------------------------------------------------


def test_danish_csv_reads_back_as_numbers_with_the_filters_in_columns() -> None:
    table = view_export(stored_values(), PROGRAMME, UNITS,
                        view=view(age_group="0-2", vulnerable_only=True))
    data = to_csv_bytes(table)
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Program;Lag;Boks;")  # no lines above the header
    back = pl.read_csv(io.BytesIO(data), separator=";", decimal_comma=True,
                       schema_overrides={"Periodekode": pl.Utf8, "Enhedskode": pl.Utf8})
    assert back.schema["Værdi"] == pl.Float64 and back.schema["Tæller"] == pl.Int64
    assert back["Værdi"].to_list() == table["Værdi"].to_list()
    assert "'=HYPERLINK(\"x\")" in back["Enhed"].to_list()
    assert set(back["Aldersgruppe"]) == {"0-2 år", "Alle aldre"}


def test_xlsx_has_widths_number_formats_frozen_header_filter_and_an_about_sheet() -> None:
    the_view = view("layer", programme_title="Testprogram", vulnerable_only=True)
    table = view_export(stored_values(), PROGRAMME, UNITS, view=the_view)
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(table, view=the_view)))
    assert book.sheetnames == ["Indikatorer", ABOUT_SHEET]
    sheet = book["Indikatorer"]
    header = [c.value for c in sheet[1]]
    assert header == table.columns
    letter = {name: sheet.cell(1, k + 1).column_letter for k, name in enumerate(header)}
    assert sheet.freeze_panes == "A2"
    assert sheet.tables["Udtraek"].autoFilter is not None
    body = list(sheet.iter_rows(min_row=2))
    value = [r[header.index("Værdi")] for r in body if r[header.index("Værdi")].value is not None]
    assert value and all(c.number_format == "0.0" for c in value)
    assert isinstance(value[0].value, float)
    counts = [r[header.index("Tæller")] for r in body if r[header.index("Tæller")].value]
    assert counts and all(c.number_format == "0" and isinstance(c.value, int) for c in counts)
    widths = {name: sheet.column_dimensions[col].width for name, col in letter.items()}
    assert widths["Indikator"] >= 40 and widths["Boks"] < widths["Indikator"]
    assert all(sheet.column_dimensions[col].customWidth for col in letter.values())
    assert widths["n"] >= len("n") + 3  # room for the filter arrow next to the header
    assert all(not (isinstance(c.value, str) and c.value.startswith("="))
               for row in body for c in row)
    about = dict(book[ABOUT_SHEET].iter_rows(min_row=2, values_only=True))
    assert about["Side"] == "Lag: kort-sigt"
    assert about["Program"] == "Testprogram"
    assert about["Kun børn i udsatte positioner"] == "Ja"
    assert about["Perioder"] == "1. halvår 2025 – 2. halvår 2025"
    assert about["Udtrukket"] == "24.11.2026"


def test_the_exports_package_stays_free_of_the_app_and_the_store() -> None:
    from tests.unit.test_architecture import imported_roots

    forbidden = {"streamlit", "sqlmodel", "sqlalchemy", "data_access", "ui", "pages"}
    root = Path(__file__).resolve().parents[2] / "exports"
    offenders = {p.name: imported_roots(p) & forbidden for p in root.glob("*.py")}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_a_value_of_a_unit_the_page_did_not_pass_never_leaves() -> None:
    """Scope: the caller passes the units the viewer may see; values of any other unit (here
    daycare 580-002, left out of ``org_units``) are dropped, not exported under an empty name."""
    seen = UNITS.filter(pl.col("code") != "580-002")
    rows = overview_rows(stored_values(), PROGRAMME, seen, view=view())
    assert "580-002" not in set(rows["org_unit_code"])
    assert rows["org_unit"].null_count() == 0
