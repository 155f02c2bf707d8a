"""Every page through Streamlit's AppTest, logged in (a seeded session), against the small demo
store."""

from __future__ import annotations

import json
import re
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from data_access.db import get_engine
from data_access.raw import load_org_unit_frame, load_sources
from data_access.sessions import load_session
from indicators.format import format_value
from indicators.periods import periods_frame
from pipeline.refresh import compute_programme_values

TIMEOUT = 60
APP = str(Path(__file__).resolve().parents[2] / "app.py")


def tiles(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if 'class="cm-tile"' in m.value]


def expected_values(url: str, config, period: str, unit_code: str) -> dict[str, dict]:
    """The headline values computed directly by the indicator functions from the raw rows."""
    engine = get_engine(url)
    with engine.connect() as conn:
        units = load_org_unit_frame(conn)
        sources = load_sources(conn, periods=periods_frame("2025H1", period))
    unit_id = units.filter(pl.col("code") == unit_code)["id"].item()
    values = compute_programme_values(config.programme("aabenraa"), sources).filter(
        (pl.col("unit_id") == unit_id) & (pl.col("period") == period)
        & (pl.col("age_group") == "alle") & ~pl.col("vulnerable_only"))
    return {row["indicator_id"]: row for row in values.iter_rows(named=True)}


def test_overview_shows_all_15_boxes_with_the_values_of_the_indicator_functions(
    app, sqlite_demo: str, config
) -> None:
    at = app("leder")
    shown = tiles(at)
    assert len(shown) == 15
    programme = config.programme("aabenraa")
    expected = expected_values(sqlite_demo, config, "2026H2", "580")
    for (_layer, box), html in zip(programme.boxes(), shown, strict=True):
        assert f"{box.id} · " in html
        row = expected.get(box.headline.id)
        text = (format_value(row["value"], box.headline.unit, suppressed=row["suppressed"])
                if row else "Ingen data")
        assert f'<span class="cm-value">{text.replace("<", "&lt;")}</span>' in html, box.id
    assert [t.value for t in at.title] == ["En bedre chance i livet"]


def test_the_filters_are_written_to_the_url(app) -> None:
    at = app("leder")
    # (AppTest reads a single value back as a string; the default page adds no ?side=)
    # The default period range: the newest six half-years
    assert at.query_params == {"program": "aabenraa", "enhed": "580", "fra": "2024H1",
                               "til": "2026H2", "alder": "alle", "udsatte": "0"}


def test_a_link_with_filters_opens_exactly_that_view(app, store_url: str) -> None:
    at = app("leder", enhed="580-N", alder="3-5", udsatte="0", fra="2025H2", til="2026H1")
    with get_engine(store_url).connect() as conn:
        units = load_org_unit_frame(conn)
    area = at.sidebar.selectbox(key="f_unit_1")
    assert area.value == units.filter(pl.col("code") == "580-N")["id"].item()
    assert area.options == ["Alle (områder)", "Område Nord", "Område Syd", "Område Vest",
                            "Område Øst"]
    assert at.sidebar.radio(key="f_age").value == "3-5"
    assert at.sidebar.toggle(key="f_vulnerable").value is False
    header = " ".join(m.value for m in at.markdown)
    assert "Område Nord" in header and "1. halvår 2026" in header


def test_every_layer_page_draws_a_trend_chart_per_indicator_with_data(
    app, store_url: str, config
) -> None:
    at = app("leder")
    programme = config.programme("aabenraa")
    engine = get_engine(store_url)
    with engine.connect() as conn:
        units = load_org_unit_frame(conn)
        sources = load_sources(conn, periods=periods_frame("2024H1", "2026H2"))
    root = units.filter(pl.col("code") == "580")["id"].item()
    values = compute_programme_values(programme, sources).filter(
        (pl.col("unit_id") == root) & (pl.col("age_group") == "alle")
        & ~pl.col("vulnerable_only"))
    with_data = set(values["indicator_id"])
    for layer in programme.layers:
        at._page_hash = _hash(f"lag-{layer.id}")  # noqa: SLF001 (AppTest has no public way)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        assert [t.value for t in at.title] == [layer.title]
        specs = [spec for box in layer.boxes for spec in box.indicators]
        charts = [json.loads(c.proto.spec)["layout"]["title"]["text"]
                  for c in at.get("plotly_chart") if c.key.startswith("trend_")]
        no_data = [i.value for i in at.info if "Ingen data for perioden" in i.value]
        assert charts == [spec.name for spec in specs if spec.id in with_data], layer.id
        assert no_data == [f"**{spec.name}**: Ingen data for perioden." for spec in specs
                           if spec.id not in with_data], layer.id


def test_institution_page_compares_a_daycare_with_its_area_and_municipality(
    app, store_url: str, config
) -> None:
    at = app("leder", enhed="580-001")
    at.switch_page("pages/institution.py").run()
    assert not at.exception
    at.segmented_control(key="compare_view").set_value("Rangering").run()
    frames = at.dataframe
    assert len(frames) == 2  # comparison and ranking (the funnel is the default view)
    comparison = frames[0].value
    assert list(comparison.columns)[:5] == ["Boks", "Indikator", "Børnehuset Solsikken",
                                            "Område Nord", "Aabenraa Kommune (demo)"]
    # The ranking: the area's daycares on the first indicator, best first, with its values
    spec = config.programme("aabenraa").layers[0].boxes[0].indicators[0]
    assert at.selectbox(key="rank_indicator").value == spec.id
    shown = {code: expected_values(store_url, config, "2026H2", code)[spec.id]
             for code in ("580-001", "580-005", "580-009")}
    names = {"580-001": "Børnehuset Solsikken", "580-005": "Børnehaven Kastanjen",
             "580-009": "Naturbørnehaven Troldebo"}
    best_first = sorted(shown, key=lambda code: -shown[code]["value"])
    ranking = frames[1].value
    assert list(ranking["Plads"]) == [1, 2, 3]
    assert list(ranking["Dagtilbud"]) == [names[code] for code in best_first]
    assert list(ranking[spec.name]) == [format_value(shown[code]["value"], spec.unit)
                                        for code in best_first]


def test_the_steering_group_has_no_institution_page(app) -> None:
    at = app("styregruppe")
    with pytest.raises(ValueError, match="Could not find"):
        at.switch_page("pages/institution.py")


def test_an_institution_leader_sees_only_their_own_institution_in_the_filter(app) -> None:
    at = app("institution")
    # One unit in scope: no unit picker at all, only the programme
    assert [(box.label, box.options) for box in at.sidebar.selectbox] == [
        ("Program", ["En bedre chance i livet"])]
    assert "Børnehuset Solsikken" in " ".join(m.value for m in at.markdown)


def _hash(url_path: str) -> str:
    from streamlit.util import calc_hash

    return calc_hash(url_path)


def test_the_steering_group_is_offered_areas_but_no_single_institution(app) -> None:
    at = app("styregruppe")
    assert [(box.label, box.options) for box in at.sidebar.selectbox] == [
        ("Program", ["En bedre chance i livet"]),
        ("Område", ["Alle (områder)", "Område Nord", "Område Syd", "Område Vest",
                    "Område Øst"])]
    at = app("styregruppe", enhed="580-N")  # a link to an area offers no daycare below it
    assert [box.label for box in at.sidebar.selectbox] == ["Program", "Område"]


def test_only_consultants_and_admins_get_export_buttons(app) -> None:
    def labels(username: str) -> list[str]:
        return [b.proto.label for b in app(username).get("download_button")]

    assert labels("leder") == []
    assert labels("styregruppe") == []
    assert labels("konsulent") == ["Hent CSV", "Hent Excel (XLSX)"]
    assert labels("admin") == ["Hent CSV", "Hent Excel (XLSX)"]


def test_logout_works_on_the_first_click_and_ends_the_session_in_the_store(
    app, store_url: str
) -> None:
    at = app("leder")
    session_id = at.session_state["session_id"]
    assert load_session(get_engine(store_url), session_id=session_id) is not None
    at.sidebar.button(key="logout_button").click()
    at.run()
    assert [t.value for t in at.title] == ["Forandringsmodel-dashboard"]
    assert [t.label for t in at.text_input] == ["Brugernavn", "Adgangskode"]
    assert load_session(get_engine(store_url), session_id=session_id) is None


def test_withheld_values_read_as_the_min_n_setting_says(app, monkeypatch) -> None:
    monkeypatch.setenv("MIN_N", "7")  # read when the app loads its settings, at the first run
    at = app("leder", enhed="580-001")
    shown = {re.search(r'data-box="(\w+)"', t)[1]: t for t in tiles(at)}
    assert '<span class="cm-value">&lt; 7</span>' in shown["M2"]  # withheld in Solsikken
    assert not any("&lt; 5" in t for t in shown.values())
    legend = [c.value for c in at.caption if "færre end" in c.value]
    assert len(legend) == 1 and "**< 7** = færre end 7 børn/familier/medarbejdere" in legend[0]
    at.switch_page("pages/institution.py").run()
    comparison = at.dataframe[0].value
    row = comparison[comparison["Indikator"] == "Selvvurderet handlekompetence"].iloc[0]
    assert row["Børnehuset Solsikken"] == "< 7" and row["Status"] == "Ingen data"
