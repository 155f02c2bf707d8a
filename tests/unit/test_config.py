"""The change model is configuration; a bad config stops the app with a clear Danish message."""

from __future__ import annotations

import copy
import tomllib

import pytest

from core.model_config import ConfigError, load_programmes, parse_programmes
from core.settings import CONFIG_PATH
from indicators.registry import COMPUTATIONS


@pytest.fixture
def raw() -> dict:
    with CONFIG_PATH.open("rb") as fh:
        return tomllib.load(fh)


def first_indicator(raw: dict) -> dict:
    return raw["programmes"][0]["layers"][0]["boxes"][0]["indicators"][0]


def test_the_shipped_config_has_aabenraas_15_boxes_each_with_an_indicator(raw: dict) -> None:
    config = parse_programmes(raw, computations=COMPUTATIONS)
    aabenraa = config.programme("aabenraa")
    assert [layer.title for layer in aabenraa.layers] == [
        "Aktiviteter", "Resultater på kort sigt", "Virkninger på mellemlang sigt",
        "Virkninger på lang sigt"]
    assert [box.id for _layer, box in aabenraa.boxes()] == [
        "A1", "A2", "K1", "K2", "K3", "K4", "K5", "K6", "M1", "M2", "M3", "M4", "L1", "L2", "L3"]
    assert all(box.indicators for _layer, box in aabenraa.boxes())


def test_hvidovre_is_a_second_programme_with_the_75_percent_target(raw: dict) -> None:
    hvidovre = parse_programmes(raw, computations=COMPUTATIONS).programme("hvidovre")
    trained = hvidovre.indicator("H_staff_trained")
    assert (trained.target, trained.unit, trained.params["training_days"]) == (75.0, "%", 6)


def test_a_missing_target_names_the_key(raw: dict) -> None:
    broken = copy.deepcopy(raw)
    del first_indicator(broken)["target"]
    with pytest.raises(ConfigError) as err:
        parse_programmes(broken, computations=COMPUTATIONS)
    assert "programmes[aabenraa].layers[aktiviteter].boxes[A1].indicators[A1_sessions].target: " \
           "mangler" in str(err.value)


def test_an_unknown_computation_is_refused_with_the_known_ones_listed(raw: dict) -> None:
    broken = copy.deepcopy(raw)
    first_indicator(broken)["computation"] = "sessions_per_moon"
    with pytest.raises(ConfigError) as err:
        parse_programmes(broken, computations=COMPUTATIONS)
    message = str(err.value)
    assert "indicators[A1_sessions].computation" in message
    assert "ukendt beregning 'sessions_per_moon'" in message
    assert "share_in_position" in message


def test_an_unknown_parameter_and_a_misspelt_key_are_refused(raw: dict) -> None:
    broken = copy.deepcopy(raw)
    first_indicator(broken)["params"] = {"colour": "blue"}
    with pytest.raises(ConfigError) as err:
        parse_programmes(broken, computations=COMPUTATIONS)
    assert "indicators[A1_sessions].params.colour: beregningen 'sessions_per_institution_month' " \
           "kender ikke parameteren colour (tilladte: ingen)" in str(err.value)
    misspelt = copy.deepcopy(raw)
    first_indicator(misspelt)["traget"] = 1
    with pytest.raises(ConfigError) as err:
        parse_programmes(misspelt, computations=COMPUTATIONS)
    assert "traget: er ikke en kendt nøgle" in str(err.value)


def test_a_file_that_is_not_toml_gives_a_clear_error(tmp_path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[[programmes]\nid = ", encoding="utf-8")
    with pytest.raises(ConfigError, match="ikke gyldig TOML"):
        load_programmes(path, computations=COMPUTATIONS)


def indicator(raw: dict, indicator_id: str) -> dict:
    return next(ind for programme in raw["programmes"] for layer in programme["layers"]
                for box in layer["boxes"] for ind in box["indicators"] if ind["id"] == indicator_id)


def test_a_misspelt_parameter_value_in_the_real_config_file_fails_at_start(tmp_path) -> None:
    # The editor writes to = "gren" in M2's "kun kortvarigt i gul" indicator.
    text = CONFIG_PATH.read_text(encoding="utf-8")
    old = 'computation = "yellow_transition_share"\n      params = { to = "green" }'
    assert text.count(old) == 1
    path = tmp_path / "config.toml"
    path.write_text(text.replace(old, old.replace('"green"', '"gren"')), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_programmes(path, computations=COMPUTATIONS)
    assert str(err.value) == (
        "Fejl i config.toml:\n"
        "  - programmes[aabenraa].layers[mellemlang-sigt].boxes[M2].indicators[M2_yellow_to_green]"
        ".params.to: ugyldig værdi 'gren' – tilladte værdier: green, yellow, red")


@pytest.mark.parametrize(("params", "key", "message"), [
    ({"position": "blå"}, "params.position",
     "ugyldig værdi 'blå' – tilladte værdier: green, yellow, red"),
    ({"population": "sårbare"}, "params.population",
     "ugyldig værdi 'sårbare' – tilladte værdier: all, vulnerable, others"),
    ({"position": 1}, "params.position", "ugyldig værdi 1 – tilladte værdier: green, yellow, red"),
])
def test_literal_parameter_values_are_checked(raw: dict, params: dict, key: str,
                                              message: str) -> None:
    broken = copy.deepcopy(raw)
    indicator(broken, "M1_green_vulnerable")["params"] = params
    with pytest.raises(ConfigError) as err:
        parse_programmes(broken, computations=COMPUTATIONS)
    assert f"indicators[M1_green_vulnerable].{key}: {message}" in str(err.value)


@pytest.mark.parametrize(("value", "message"), [
    ("28", "skal være et helt tal"),  # a string is not silently read as a number
    (2.5, "skal være et helt tal"),
    (True, "skal være et helt tal"),
    (-1, "skal være mindst 0"),
])
def test_typed_parameter_values_are_checked(raw: dict, value: object, message: str) -> None:
    broken = copy.deepcopy(raw)
    plan = next(ind for programme in broken["programmes"] for layer in programme["layers"]
                for box in layer["boxes"] for ind in box["indicators"]
                if ind["computation"] == "plan_within_days_share")
    plan["params"] = {"days": value}
    with pytest.raises(ConfigError) as err:
        parse_programmes(broken, computations=COMPUTATIONS)
    assert f"indicators[{plan['id']}].params.days: {message}" in str(err.value)


def test_a_required_parameter_is_named_when_missing(raw: dict) -> None:
    broken = copy.deepcopy(raw)
    survey = next(ind for programme in broken["programmes"] for layer in programme["layers"]
                  for box in layer["boxes"] for ind in box["indicators"]
                  if ind["computation"] == "survey_agreement_share")
    survey["params"] = {"population": "vulnerable"}
    with pytest.raises(ConfigError) as err:
        parse_programmes(broken, computations=COMPUTATIONS)
    assert f"indicators[{survey['id']}].params.question: mangler (beregningen " \
           "'survey_agreement_share' kræver den)" in str(err.value)


def test_parameter_and_structural_errors_are_reported_together(raw: dict) -> None:
    broken = copy.deepcopy(raw)
    indicator(broken, "M1_green_vulnerable")["params"] = {"position": "gron"}
    del indicator(broken, "M1_green_vulnerable")["target"]
    with pytest.raises(ConfigError) as err:
        parse_programmes(broken, computations=COMPUTATIONS)
    lines = str(err.value).splitlines()[1:]
    assert [line.split(": ", 1)[0].rsplit(".", 1)[-1] for line in lines] == ["target", "position"]


def test_valid_params_are_kept_as_written_and_an_int_is_accepted_for_a_fraction(
        raw: dict) -> None:
    changed = copy.deepcopy(raw)
    completion = next(ind for programme in changed["programmes"] for layer in programme["layers"]
                      for box in layer["boxes"] for ind in box["indicators"]
                      if ind["computation"] == "family_completion_share")
    completion["params"] = {"threshold": 1}
    spec = parse_programmes(changed, computations=COMPUTATIONS).programme(
        "aabenraa").indicator(completion["id"])
    assert spec.params == {"threshold": 1.0}
    assert isinstance(spec.params["threshold"], float)


def test_the_unit_literal_error_is_in_danish_too(raw: dict) -> None:
    broken = copy.deepcopy(raw)
    first_indicator(broken)["unit"] = "stk"
    with pytest.raises(ConfigError) as err:
        parse_programmes(broken, computations=COMPUTATIONS)
    assert "indicators[A1_sessions].unit: ugyldig værdi 'stk' – tilladte værdier: %, antal, " \
           "dage, score, procentpoint" in str(err.value)
