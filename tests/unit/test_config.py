"""The change model is configuration; a bad config stops the app with a clear Danish message."""

from __future__ import annotations

import copy
import tomllib

import pytest

from core.model_config import ConfigError, load_programmes, parse_programmes
from core.settings import CONFIG_PATH


@pytest.fixture
def raw() -> dict:
    with CONFIG_PATH.open("rb") as fh:
        return tomllib.load(fh)


def first_indicator(raw: dict) -> dict:
    return raw["programmes"][0]["layers"][0]["boxes"][0]["indicators"][0]


def test_the_shipped_config_has_aabenraas_15_boxes_each_with_an_indicator(raw: dict) -> None:
    config = parse_programmes(raw)
    aabenraa = config.programme("aabenraa")
    assert [layer.title for layer in aabenraa.layers] == [
        "Aktiviteter", "Resultater på kort sigt", "Virkninger på mellemlang sigt",
        "Virkninger på lang sigt"]
    assert [box.id for _layer, box in aabenraa.boxes()] == [
        "A1", "A2", "K1", "K2", "K3", "K4", "K5", "K6", "M1", "M2", "M3", "M4", "L1", "L2", "L3"]
    assert all(box.indicators for _layer, box in aabenraa.boxes())


def test_hvidovre_is_a_second_programme_with_the_75_percent_target(raw: dict) -> None:
    hvidovre = parse_programmes(raw).programme("hvidovre")
    trained = hvidovre.indicator("H_staff_trained")
    assert (trained.target, trained.unit, trained.params["training_days"]) == (75.0, "%", 6)


def test_a_missing_target_names_the_key(raw: dict) -> None:
    broken = copy.deepcopy(raw)
    del first_indicator(broken)["target"]
    with pytest.raises(ConfigError) as err:
        parse_programmes(broken)
    assert "programmes[aabenraa].layers[aktiviteter].boxes[A1].indicators[A1_sessions].target: " \
           "mangler" in str(err.value)


def test_an_unknown_computation_is_refused_with_the_known_ones_listed(raw: dict) -> None:
    broken = copy.deepcopy(raw)
    first_indicator(broken)["computation"] = "sessions_per_moon"
    with pytest.raises(ConfigError) as err:
        parse_programmes(broken)
    message = str(err.value)
    assert "indicators[A1_sessions].computation" in message
    assert "ukendt beregning 'sessions_per_moon'" in message
    assert "share_in_position" in message


def test_an_unknown_parameter_and_a_misspelt_key_are_refused(raw: dict) -> None:
    broken = copy.deepcopy(raw)
    first_indicator(broken)["params"] = {"colour": "blue"}
    with pytest.raises(ConfigError) as err:
        parse_programmes(broken)
    assert "indicators[A1_sessions]: beregningen 'sessions_per_institution_month' kender ikke " \
           "parameteren colour" in str(err.value)
    misspelt = copy.deepcopy(raw)
    first_indicator(misspelt)["traget"] = 1
    with pytest.raises(ConfigError) as err:
        parse_programmes(misspelt)
    assert "traget: er ikke en kendt nøgle" in str(err.value)


def test_a_file_that_is_not_toml_gives_a_clear_error(tmp_path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[[programmes]\nid = ", encoding="utf-8")
    with pytest.raises(ConfigError, match="ikke gyldig TOML"):
        load_programmes(path)
