"""The analysis views of issue 15 through AppTest, logged in, against the small demo store: the
flows on the M2 page match the store, the funnel classifies as the funnel functions do, the
low-completeness daycare is flagged, drill-through, the equity lines, help and glossary."""

from __future__ import annotations

import json
import os
import re

import polars as pl
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from data_access.db import get_engine
from data_access.models import DataVersion
from indicators.flows import LABELS, POSITIONS
from indicators.format import format_updated, format_value
from indicators.funnel import CLASS_LABELS, classify
from indicators.periods import period_label

FLOW_INDICATOR = "M2_yellow_to_green"
LOW_COMPLETENESS = "580-005"  # demo.generator.LOW_COMPLETENESS_INDEX: Børnehaven Kastanjen


def _hash(url_path: str) -> str:
    from streamlit.util import calc_hash

    return calc_hash(url_path)


def _open(at: AppTest, url_path: str) -> AppTest:
    at._page_hash = _hash(url_path)  # noqa: SLF001 (AppTest has no public way)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _store() -> sa.Engine:
    return get_engine(os.environ["DATABASE_URL"])


def _unit_id(code: str) -> int:
    with _store().connect() as conn:
        return conn.execute(sa.text("SELECT id FROM org_unit WHERE code = :c"),
                            {"c": code}).scalar()


def _figure(at: AppTest, key: str) -> dict:
    chart = next(c for c in at.get("plotly_chart") if c.key == key)
    return json.loads(chart.proto.spec)


def _values(indicator_id: str, period: str, unit_ids: list[int]) -> pl.DataFrame:
    stmt = sa.text(
        "SELECT unit_id, value, n, suppressed FROM indicator_value WHERE programme_id = 'aabenraa'"
        " AND indicator_id = :i AND period = :p AND age_group = 'alle' AND NOT vulnerable_only")
    with _store().connect() as conn:
        rows = conn.execute(stmt, {"i": indicator_id, "p": period}).mappings().all()
    return pl.DataFrame([dict(r) for r in rows if r["unit_id"] in unit_ids],
                        schema={"unit_id": pl.Int64, "value": pl.Float64, "n": pl.Int64,
                                "suppressed": pl.Boolean})


def test_the_m2_page_draws_the_sankey_with_the_stored_counts(app) -> None:
    at = _open(app("leder"), "lag-mellemlang-sigt")
    from_round = at.selectbox(key=f"flow_round_{FLOW_INDICATOR}").value
    with _store().connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT from_position, to_position, count, withheld FROM position_flow "
            "WHERE unit_id = :u AND from_round = :r"),
            {"u": _unit_id("580"), "r": from_round}).mappings().all()
    cells = {(r["from_position"], r["to_position"]): (None if r["withheld"] else r["count"])
             for r in rows}
    assert len(cells) == 16

    def shown(count: int | None) -> str:
        return "< 5" if count is None else format_value(float(count), "antal")

    expected = ([f"{LABELS[p]}: {shown(cells[p, 'alle'])}" for p in POSITIONS]
                + [f"{LABELS[p]}: {shown(cells['alle', p])}" for p in POSITIONS])
    sankey = _figure(at, f"sankey_{FLOW_INDICATOR}")["data"][0]
    assert sankey["node"]["label"] == expected
    links = dict(zip(zip(sankey["link"]["source"], sankey["link"]["target"], strict=True),
                     sankey["link"]["customdata"], strict=True))
    for i, source in enumerate(POSITIONS):
        for j, target in enumerate(POSITIONS):
            count = cells[source, target]
            if count == 0:
                assert (i, 3 + j) not in links
            else:
                word = "barn" if count == 1 else "børn"
                assert links[i, 3 + j].endswith(f": {shown(count)} {word}")
    assert _figure(at, f"survival_{FLOW_INDICATOR}")["data"][0]["x"][0] == "Ved overgang til gul"
    labels = [m.label for m in at.metric]
    assert {"Kom i gul", "Mediantid i gul", "Gul → rød"} <= set(labels)


def config_shares() -> list:
    from core.model_config import load_programmes
    from core.settings import CONFIG_PATH
    from indicators.registry import COMPUTATIONS

    programme = load_programmes(CONFIG_PATH, computations=COMPUTATIONS).programme("aabenraa")
    return [i for i in programme.indicators()
            if COMPUTATIONS[i.computation].aggregation == "share"]


def test_the_dagtilbud_page_shows_a_funnel_and_marks_only_the_daycares_outside_it(app) -> None:
    at = app("leder")
    at.switch_page("pages/institution.py").run()
    at.selectbox(key="rank_indicator").set_value("M1_area_score").run()
    assert any(i.value.startswith("Tragtdiagrammet kan kun tegnes for andele") for i in at.info)
    period = at.query_params["til"]
    period = period[0] if isinstance(period, list) else period
    with _store().connect() as conn:
        daycares = dict(conn.execute(sa.text(
            "SELECT id, name FROM org_unit WHERE level = 'institution'")).all())
    # the share indicator with the most daycares visible in the period (the linked-table
    # suppression withholds most daycare cells of the small demo's flow indicators)
    shares = [i.id for i in config_shares()]
    indicator = max(shares, key=lambda i: _values(i, period, list(daycares))
                    .filter(~pl.col("suppressed")).height)
    at.selectbox(key="rank_indicator").set_value(indicator).run()
    assert not at.exception
    stored = _values(indicator, period, [*daycares, _unit_id("580")])
    p0 = stored.filter(pl.col("unit_id") == _unit_id("580"))["value"].item()
    expected = classify(stored.filter(pl.col("unit_id") != _unit_id("580")).with_columns(
        pl.col("unit_id").replace_strict(daycares).alias("label")), p0)
    marks = {r["label"]: ("" if r["classification"] == "inside"
                          else CLASS_LABELS[r["classification"]])
             for r in expected.iter_rows(named=True)}
    table = at.dataframe[0].value
    assert dict(zip(table["Dagtilbud"], table["Skiller sig ud"], strict=True)) == marks
    funnel = _figure(at, f"funnel_{indicator}")
    assert f"Aabenraa Kommune (demo): {format_value(p0, '%')}" in [t.get("name") for t in
                                                                   funnel["data"]]
    # The plain ranking is one click away, and reads the same indicator and period.
    at.segmented_control(key="compare_view").set_value("Rangering").run()
    assert "Plads" in at.dataframe[0].value.columns


def test_a_daycare_leader_gets_own_trends_and_never_a_comparison_of_one(app) -> None:
    at = app("institution")
    at.switch_page("pages/institution.py").run()
    assert not at.exception
    keys = [c.key for c in at.get("plotly_chart")]
    assert not any(k.startswith("funnel_") for k in keys)
    assert any(k.startswith("own_") for k in keys)
    assert any("vises, når du har adgang til flere dagtilbud" in i.value for i in at.info)
    assert "Plads" not in " ".join(" ".join(f.value.columns) for f in at.dataframe)
    own = _figure(at, "own_M2_yellow_to_green")
    assert [t["name"] for t in own["data"][:1]] == ["Børnehuset Solsikken"]
    names = {t["name"] for t in own["data"]}
    assert {"Område Nord", "Aabenraa Kommune (demo)"} <= names


def test_the_low_completeness_daycare_is_flagged_on_its_tiles_and_charts(app) -> None:
    at = app("leder", enhed=LOW_COMPLETENESS)
    tiles = {re.search(r'data-box="([\w-]+)"', m.value)[1]: m.value
             for m in at.markdown if 'class="cm-tile"' in m.value}
    with _store().connect() as conn:
        stored = conn.execute(sa.text(
            "SELECT completeness FROM assessment_completeness WHERE unit_id = :u AND period = "
            "'2026H2'"), {"u": _unit_id(LOW_COMPLETENESS)}).scalar()
    assert stored < 80
    assert f"Datakomplethed {format_value(stored, '%')}" in tiles["M2"]
    assert "usikkert datagrundlag" in tiles["M2"]
    assert "Datakomplethed" not in tiles["A1"]  # sessions: not about assessed children
    at = _open(at, "lag-mellemlang-sigt")
    trend = _figure(at, f"trend_{FLOW_INDICATOR}_0")["data"][0]
    assert "usikkert datagrundlag" in trend["customdata"][-1] or "skjult" in trend[
        "customdata"][-1]
    assert any("usikkert datagrundlag" in w.value for w in at.warning)


def test_a_box_on_the_overview_links_to_its_layer_page_at_the_box(app) -> None:
    at = app("leder")
    tile = next(m.value for m in at.markdown if 'data-box="M2"' in m.value)
    href = re.search(r'href="([^"]+)"', tile)[1].replace("&amp;", "&")
    assert href.startswith("./lag-mellemlang-sigt?") and href.endswith("#boks-m2")
    assert "side=lag-mellemlang-sigt" in href and "enhed=580" in href
    at = _open(at, "lag-mellemlang-sigt")
    assert any(h.proto.anchor == "boks-m2" for h in at.subheader)


def test_a_chart_point_opens_the_daycares_behind_it_for_that_period(app) -> None:
    at = app("leder", punkt=f"{FLOW_INDICATOR}@2026H1")
    at = _open(at, "lag-mellemlang-sigt")
    drill = next(f.value for f in at.dataframe if "Enhed" in f.value.columns)
    with _store().connect() as conn:  # the daycares of the leader's municipality (580)
        daycares = dict(conn.execute(sa.text(
            "SELECT d.id, d.name FROM org_unit d JOIN org_unit m ON m.code = '580' "
            "WHERE d.level = 'institution' AND d.path LIKE m.path || '%'")).all())
    stored = _values(FLOW_INDICATOR, "2026H1", list(daycares))
    expected = {daycares[r["unit_id"]]: ("< 5" if r["suppressed"]
                                         else format_value(r["value"], "%"))
                for r in stored.iter_rows(named=True)}
    assert dict(zip(drill["Enhed"], drill["Værdi"], strict=True)) == {
        name: expected.get(name, "Ingen data") for name in sorted(daycares.values())}
    crumbs = " ".join(m.value for m in at.markdown)
    assert "Forandringsmodellen › " in crumbs
    assert period_label("2026H1") in crumbs
    at.button(key=f"drill_close_{FLOW_INDICATOR}").click().run()
    assert "punkt" not in at.query_params
    assert not any("Enhed" in f.value.columns for f in at.dataframe)


def test_the_steering_group_drills_into_areas_never_single_daycares(app) -> None:
    at = _open(app("styregruppe", punkt=f"{FLOW_INDICATOR}@2026H1"), "lag-mellemlang-sigt")
    drill = next(f.value for f in at.dataframe if "Enhed" in f.value.columns)
    assert sorted(drill["Enhed"]) == ["Område Nord", "Område Syd", "Område Vest", "Område Øst"]


def test_the_gap_indicator_draws_both_groups_and_the_gap_from_the_store(app) -> None:
    at = _open(app("leder"), "lag-lang-sigt")
    fig = _figure(at, "equity_L2_green_gap")
    by_name = {t["name"]: t for t in fig["data"]}
    stmt = sa.text("SELECT period, numerator, denominator, value FROM indicator_value WHERE "
                   "indicator_id = 'L2_green_gap' AND unit_id = :u AND age_group = 'alle' "
                   "AND NOT vulnerable_only ORDER BY period")
    with _store().connect() as conn:
        rows = {r[0]: r for r in conn.execute(stmt, {"u": _unit_id("580")})}
    x = by_name["Forskel"]["x"]
    periods = {period_label(p): p for p in rows}
    for label, gap, focus, others in zip(x, by_name["Forskel"]["y"],
                                         by_name["Børn i udsatte positioner"]["y"],
                                         by_name["Øvrige børn"]["y"], strict=True):
        if label not in periods:  # a period of the range with no stored value: no point
            assert (others, focus, gap) == (None, None, None), label
            continue
        row = rows[periods[label]]
        assert (others, focus, gap) == (row[1], row[2], row[3])
    assert by_name["Mål for forskellen: 10,0 pct.-point"]["y"][0] == 10.0


def test_every_page_says_when_the_data_were_updated_and_explains_itself(app) -> None:
    at = app("styregruppe")
    with _store().connect() as conn:
        changed = conn.execute(sa.select(DataVersion.changed_at)).scalar()
    assert f"Data opdateret den {format_updated(changed)}" in [m.value for m in at.sidebar.markdown]
    at = _open(at, "ordforklaring")
    assert [t.value for t in at.title] == ["Ordforklaring"]
    text = " ".join(m.value for m in at.markdown)
    assert "**< 5**" in text and "**Positionsskift**" in text and "**Datakomplethed**" in text
    assert "gælder **ikke**" in text  # A1: the age and udsatte filters do not apply
    assert "**Kilde:** TOPI-vurderinger" in text
