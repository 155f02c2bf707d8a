"""Every page through Streamlit's AppTest, logged in, against the small demo store."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from data_access.db import get_engine
from data_access.raw import load_org_unit_frame, load_sources
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
    assert at.query_params["program"] == ["aabenraa"] or at.query_params["program"] == "aabenraa"
    assert "enhed" in at.query_params


def test_a_link_with_filters_opens_exactly_that_view(app, sqlite_demo: str, config) -> None:
    at = app("leder", enhed="580-N", alder="3-5", udsatte="0", fra="2025H2", til="2026H1")
    assert at.sidebar.selectbox(key="f_unit_1").value is not None
    header = " ".join(m.value for m in at.markdown)
    assert "Område Nord" in header and "1. halvår 2026" in header


def test_every_layer_page_draws_a_trend_chart_per_indicator_with_data(app, config) -> None:
    at = app("leder")
    programme = config.programme("aabenraa")
    for layer in programme.layers:
        at._page_hash = _hash(f"lag-{layer.id}")  # noqa: SLF001 (AppTest has no public way)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        assert [t.value for t in at.title] == [layer.title]
        charts = [c for c in at.get("plotly_chart") if c.key.startswith("trend_")]
        n_indicators = sum(len(box.indicators) for box in layer.boxes)
        no_data = [i.value for i in at.info if "Ingen data for perioden" in i.value]
        assert len(charts) + len(no_data) == n_indicators
        assert len(charts) >= 1


def test_institution_page_compares_a_daycare_with_its_area_and_municipality(app) -> None:
    at = app("leder", enhed="580-001")
    at.switch_page("pages/institution.py").run()
    assert not at.exception
    at.segmented_control(key="compare_view").set_value("Rangering").run()
    frames = at.dataframe
    assert len(frames) == 2  # comparison and ranking (the funnel is the default view)
    comparison = frames[0].value
    assert list(comparison.columns)[:5] == ["Boks", "Indikator", "Børnehuset Solsikken",
                                            "Område Nord", "Aabenraa Kommune (demo)"]
    ranking = frames[1].value
    assert "Plads" in ranking.columns and ranking.shape[0] >= 1


def test_the_steering_group_has_no_institution_page(app) -> None:
    at = app("styregruppe")
    with pytest.raises(ValueError, match="Could not find"):
        at.switch_page("pages/institution.py")


def test_an_institution_leader_sees_only_their_own_institution_in_the_filter(app) -> None:
    at = app("institution")
    options = [o for box in at.sidebar.selectbox for o in box.options]
    assert not any(re.match(r"Område (Syd|Øst|Vest)", o) for o in options)
    assert "Aabenraa Kommune (demo)" not in options


def _hash(url_path: str) -> str:
    from streamlit.util import calc_hash

    return calc_hash(url_path)


def test_the_steering_group_is_offered_areas_but_no_single_institution(app) -> None:
    at = app("styregruppe")
    labels = [box.label for box in at.sidebar.selectbox]
    assert "Område" in labels and "Dagtilbud" not in labels


def test_only_consultants_and_admins_get_export_buttons(app) -> None:
    assert not app("leder").get("download_button")
    buttons = app("konsulent").get("download_button")
    assert len(buttons) == 2


def test_logout_works_on_the_first_click(app) -> None:
    at = app("leder")
    at.sidebar.button(key="logout_button").click()
    at.run()
    assert [t.value for t in at.title] == ["Forandringsmodel-dashboard"]
    assert at.text_input[0].label == "Brugernavn"


def test_the_audit_log_lists_the_admins_own_login(app) -> None:
    at = app("admin")
    at._page_hash = _hash("log")  # noqa: SLF001
    at.run()
    log = at.dataframe[0].value
    mine = log[(log["Bruger"] == "admin") & (log["Handling"] == "Login")]
    assert len(mine) >= 1


def test_withheld_values_read_as_the_min_n_setting_says(app, monkeypatch) -> None:
    monkeypatch.setenv("MIN_N", "7")  # read when the app loads its settings, at the first run
    at = app("leder", enhed="580-001")
    shown = {re.search(r'data-box="(\w+)"', t)[1]: t for t in tiles(at)}
    assert '<span class="cm-value">&lt; 7</span>' in shown["M2"]  # withheld in Solsikken
    assert not any("&lt; 5" in t for t in shown.values())
    assert any("**< 7** = færre end 7 børn/familier/medarbejdere" in c.value for c in at.caption)
    at.switch_page("pages/institution.py").run()
    comparison = at.dataframe[0].value
    row = comparison[comparison["Indikator"] == "Selvvurderet handlekompetence"].iloc[0]
    assert row["Børnehuset Solsikken"] == "< 7" and row["Status"] == "Ingen data"
