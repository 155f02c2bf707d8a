"""The Socialstyrelsen and Aalborg programmes as configuration, and programme membership."""

from __future__ import annotations

import copy
import datetime as dt
import tomllib

import polars as pl
import pytest

from core.model_config import ConfigError, parse_programmes
from core.settings import CONFIG_PATH
from indicators.engine import aggregate
from indicators.membership import (
    Member,
    member_periods,
    programme_tree,
    programmes_for_units,
    restrict_observations,
)
from indicators.periods import periods_frame
from indicators.registry import COMPUTATIONS
from indicators.sources import frame

D = dt.date


@pytest.fixture
def raw() -> dict:
    with CONFIG_PATH.open("rb") as fh:
        return tomllib.load(fh)


def programme(raw: dict, programme_id: str) -> dict:
    return next(p for p in raw["programmes"] if p["id"] == programme_id)


def test_socialstyrelsen_is_national_with_its_four_themes_as_boxes(raw: dict) -> None:
    social = parse_programmes(raw, computations=COMPUTATIONS).programme("socialstyrelsen")
    assert social.is_national
    themes = social.layers[0]
    assert [box.title for box in themes.boxes] == [
        "En stærk faglig ledelse", "En god organisering af læringsmiljøerne",
        "Styrkelse af forældresamarbejdet", "Et tydeligt tværfagligt samarbejde"]
    assert [(m.unit, m.start, m.end) for m in social.membership] == [
        ("901", D(2016, 1, 1), D(2019, 12, 31)), ("902", D(2016, 1, 1), D(2019, 12, 31)),
        ("903", D(2017, 1, 1), D(2019, 12, 31))]
    # One indicator per theme, comparable across municipalities: shares and rates.
    assert [box.headline.unit for box in themes.boxes] == ["%", "%", "%", "antal"]


def test_aalborg_counts_daycares_with_resource_places_from_10_to_15(raw: dict) -> None:
    aalborg = parse_programmes(raw, computations=COMPUTATIONS).programme("aalborg")
    spread = aalborg.indicator("AAL_resource_daycares")
    assert (spread.baseline, spread.target, spread.direction) == (10.0, 15.0, "higher")
    assert {i.computation for i in aalborg.indicators()} >= {
        "institutions_with_resource_places", "resource_place_use", "local_support_share",
        "share_in_position", "parent_followup_share"}
    assert not aalborg.is_national


@pytest.mark.parametrize("programme_id", ["socialstyrelsen", "aalborg"])
def test_every_box_has_an_indicator_with_baseline_target_direction_and_min_n(
    raw: dict, programme_id: str
) -> None:
    spec = parse_programmes(raw, computations=COMPUTATIONS).programme(programme_id)
    for _layer, box in spec.boxes():
        assert box.indicators, box.id
        for ind in box.indicators:
            assert ind.baseline is not None and ind.min_n >= 1, ind.id


def test_the_l2_box_has_the_language_gap(raw: dict) -> None:
    aabenraa = parse_programmes(raw, computations=COMPUTATIONS).programme("aabenraa")
    gap = aabenraa.indicator("L2_language_gap")
    assert (gap.computation, gap.direction, dict(gap.params)) == (
        "language_gap", "lower", {"group": "generel"})
    assert aabenraa.box_of("L2_language_gap")[1].id == "L2"


@pytest.mark.parametrize(("change", "message"), [
    (lambda m: m.update({"from": "i går"}), "membership[0].from: skal være en dato"),
    (lambda m: m.update({"to": D(2015, 1, 1)}), "'to' ligger før 'from'"),
    (lambda m: m.pop("unit"), "membership[0].unit: mangler"),
    (lambda m: m.update({"units": "851"}), "er ikke en kendt nøgle"),
])
def test_a_bad_membership_is_refused_with_a_danish_message(raw: dict, change,
                                                           message: str) -> None:
    bad = copy.deepcopy(raw)
    change(programme(bad, "socialstyrelsen")["membership"][0])
    with pytest.raises(ConfigError) as err:
        parse_programmes(bad, computations=COMPUTATIONS)
    assert message in str(err.value)


def test_a_bad_top_level_is_refused(raw: dict) -> None:
    bad = copy.deepcopy(raw)
    programme(bad, "socialstyrelsen")["top_level"] = "verden"
    with pytest.raises(ConfigError, match="top_level: ugyldig værdi 'verden'"):
        parse_programmes(bad, computations=COMPUTATIONS)


# --- Membership (pure functions) ---------------------------------------------------------------

# DK (1) → municipality 851 (2) → area (3) → daycares 4, 5; municipality 167 (6) → area (7) →
# daycare 8.
UNITS = frame("org_units", [
    dict(id=1, code="DK", level="national", parent_id=None, path="/1/"),
    dict(id=2, code="851", level="municipality", parent_id=1, path="/1/2/"),
    dict(id=3, code="851-O", level="area", parent_id=2, path="/1/2/3/"),
    dict(id=4, code="851-001", level="institution", parent_id=3, path="/1/2/3/4/"),
    dict(id=5, code="851-002", level="institution", parent_id=3, path="/1/2/3/5/"),
    dict(id=6, code="167", level="municipality", parent_id=1, path="/1/6/"),
    dict(id=7, code="167-N", level="area", parent_id=6, path="/1/6/7/"),
    dict(id=8, code="167-001", level="institution", parent_id=7, path="/1/6/7/8/"),
])
PERIODS = periods_frame("2024H2", "2025H2")


def test_member_periods_are_the_member_daycares_in_periods_overlapping_the_membership() -> None:
    members = [Member("851", D(2025, 3, 1)), Member("167-001", D(2024, 1, 1), D(2024, 12, 31))]
    runs = member_periods(UNITS, PERIODS, members)
    # 851 from 01.03.2025: its daycares 4 and 5 in 2025H1 (overlaps) and 2025H2; daycare 8 only
    # in 2024H2 (to 31.12.2024). An unknown code matches nothing.
    assert runs.rows() == [(4, "2025H1"), (4, "2025H2"), (5, "2025H1"), (5, "2025H2"),
                           (8, "2024H2")]
    assert member_periods(UNITS, PERIODS, [Member("999", D(2020, 1, 1))]).is_empty()


def test_a_municipal_programme_tree_stops_at_the_municipality() -> None:
    tree = programme_tree(UNITS, [Member("851", D(2020, 1, 1))], top_level="municipality")
    assert tree.select("id", "parent_id", "path").rows() == [
        (2, None, "/2/"), (3, 2, "/2/3/"), (4, 3, "/2/3/4/"), (5, 3, "/2/3/5/")]


def test_a_national_programme_tree_keeps_the_root_above_its_members_only() -> None:
    tree = programme_tree(UNITS, [Member("851-002", D(2020, 1, 1)), Member("167", D(2020, 1, 1))],
                          top_level="national")
    # The member daycare 5 with the units above it; 167 with everything below it; not daycare 4.
    assert sorted(tree["id"].to_list()) == [1, 2, 3, 5, 6, 7, 8]
    assert tree.filter(pl.col("id") == 5)["path"].item() == "/1/2/3/5/"


def test_values_rest_only_on_member_daycares_in_member_periods() -> None:
    # Three observations in 2025H1: daycare 4 (hit), daycare 5 (miss), daycare 8 (hit).
    obs = pl.DataFrame({"institution_id": [4, 5, 8], "period": ["2025H1"] * 3,
                        "subject": ["a", "b", "c"], "num": [1.0, 0.0, 1.0],
                        "den": [1.0, 1.0, 1.0]})
    members = [Member("851-001", D(2025, 1, 1)), Member("167", D(2025, 1, 1))]
    runs = member_periods(UNITS, PERIODS, members)
    tree = programme_tree(UNITS, members, top_level="national")
    values = aggregate(restrict_observations(obs, runs), org_units=tree, aggregation="share",
                       min_n=1, subgroups=False)
    by_unit = dict(zip(values["unit_id"], values["value"], strict=True))
    # Daycare 5 is not a member: the area and 851 rest on daycare 4 alone (100 %); the national
    # root on 4 and 8 (2 of 2 = 100 %). No row for daycare 5.
    assert by_unit == {1: 100.0, 2: 100.0, 3: 100.0, 4: 100.0, 6: 100.0, 7: 100.0, 8: 100.0}


def test_the_picker_offers_programmes_running_in_or_above_the_viewers_units(raw: dict) -> None:
    config = parse_programmes(raw, computations=COMPUTATIONS)
    ids = [p.id for p in programmes_for_units(config.programmes, {"580-001", "580-N", "580",
                                                                  "DK"})]
    assert ids == ["aabenraa"]
    assert [p.id for p in programmes_for_units(config.programmes, {"DK", "901", "902"},
                                               national_only=True)] == ["socialstyrelsen"]
    assert programmes_for_units(config.programmes, set()) == []
