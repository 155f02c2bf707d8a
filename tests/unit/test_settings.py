"""The settings object: min_n and the text a withheld value is shown as, the standard view."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.settings import DEFAULT_STANDARD_VIEW, SettingsError, load_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATABASE_URL", "CONFIG_PATH", "DEMO_MODE", "MIN_N", "STANDARD_VIEW",
                 "COMPLETENESS_THRESHOLD"):
        monkeypatch.delenv(name, raising=False)


def config_file(tmp_path: Path, app: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f"[app]\n{app}\n", encoding="utf-8")
    return path


def test_the_withheld_text_follows_min_n(tmp_path: Path) -> None:
    settings = load_settings(config_path=config_file(tmp_path, "min_n = 10"))
    assert (settings.min_n, settings.withheld_text) == (10, "< 10")


def test_the_defaults_are_five_and_the_steering_groups_view(tmp_path: Path) -> None:
    settings = load_settings(config_path=config_file(tmp_path, ""))
    assert (settings.min_n, settings.withheld_text) == (5, "< 5")
    assert settings.standard_view == DEFAULT_STANDARD_VIEW == "Styregruppens standardvisning"


def test_the_environment_wins_over_the_file(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MIN_N", "3")
    monkeypatch.setenv("STANDARD_VIEW", "Mødet")
    settings = load_settings(config_path=config_file(tmp_path, 'min_n = 10\nstandard_view = "x"'))
    assert (settings.withheld_text, settings.standard_view) == ("< 3", "Mødet")


@pytest.mark.parametrize("bad", ["0", "-1", '"fem"', "2.5", "true"])
def test_a_bad_min_n_stops_with_a_danish_message_naming_it(tmp_path: Path, bad: str) -> None:
    with pytest.raises(SettingsError, match=r"^min_n skal være et helt tal på mindst 1"):
        load_settings(config_path=config_file(tmp_path, f"min_n = {bad}"))


def test_the_shipped_config_keeps_five() -> None:
    assert load_settings().withheld_text == "< 5"


def test_every_shipped_indicator_that_withholds_uses_the_settings_min_n(config) -> None:
    """The screens say "< 5" for any withheld value; that is only true when the indicators about
    people withhold at the same number (1 = counts of activities, never withheld)."""
    settings = load_settings()
    thresholds = {spec.min_n for p in config.programmes for spec in p.indicators()}
    assert thresholds <= {1, settings.min_n}, thresholds


def test_the_completeness_threshold_defaults_to_80_and_can_be_set(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings(config_path=config_file(tmp_path, "")).completeness_threshold == 80.0
    path = config_file(tmp_path, "completeness_threshold = 70")
    assert load_settings(config_path=path).completeness_threshold == 70.0
    monkeypatch.setenv("COMPLETENESS_THRESHOLD", "90")
    assert load_settings(config_path=path).completeness_threshold == 90.0


@pytest.mark.parametrize("bad", ["120", "-1", '"høj"', "true"])
def test_a_bad_completeness_threshold_stops_with_a_danish_message(tmp_path: Path,
                                                                  bad: str) -> None:
    with pytest.raises(SettingsError, match=r"^completeness_threshold skal være et tal"):
        load_settings(config_path=config_file(tmp_path, f"completeness_threshold = {bad}"))
