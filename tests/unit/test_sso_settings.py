"""Single sign-on settings: off unless configured, the secret never from config.toml, group
mapping from the file or the environment, and clear Danish errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.settings import SettingsError, load_settings
from core.sso import DEFAULT_LABEL, SsoSettingsError, load_sso, roles_for_groups

METADATA = "https://login.microsoftonline.com/t/v2.0/.well-known/openid-configuration"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("METADATA_URL", "CLIENT_ID", "CLIENT_SECRET", "LABEL", "REDIRECT_URI", "SCOPE",
                 "MATCH_CLAIM", "GROUPS_CLAIM", "GROUP_ROLES"):
        monkeypatch.delenv(f"OIDC_{name}", raising=False)
    monkeypatch.delenv("ACCESS_CONTACT", raising=False)


def test_without_metadata_url_and_client_id_single_sign_on_is_off(tmp_path: Path) -> None:
    assert load_sso({}, secrets_path=tmp_path / "none.toml") is None


def test_the_secret_comes_from_secrets_toml_and_is_never_printed(tmp_path: Path) -> None:
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[sso]\nclient_secret = "hemmelig-værdi"\n', encoding="utf-8")
    sso = load_sso({"metadata_url": METADATA, "client_id": "app",
                    "client_secret": "ignored-in-config"}, secrets_path=secrets)
    assert sso is not None
    assert (sso.client_secret, sso.label, sso.match_claim) == ("hemmelig-værdi", DEFAULT_LABEL,
                                                               "email")
    assert "hemmelig" not in repr(sso)


def test_the_environment_wins_and_maps_groups_to_roles(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OIDC_CLIENT_SECRET", "fra-miljøet")
    monkeypatch.setenv("OIDC_MATCH_CLAIM", "preferred_username")
    monkeypatch.setenv("OIDC_GROUP_ROLES", "g1=admin,g2=leder,g1=konsulent")
    sso = load_sso({"metadata_url": METADATA, "client_id": "app", "match_claim": "email",
                    "group_roles": {"ignored": "leder"}}, secrets_path=tmp_path / "x.toml")
    assert sso is not None and sso.client_secret == "fra-miljøet"
    assert sso.match_claim == "preferred_username"
    assert dict(sso.group_roles) == {"g1": ("admin", "konsulent"), "g2": ("leder",)}
    assert roles_for_groups(["g2", "g1", "g3"], sso.group_roles) == ("admin", "konsulent",
                                                                     "leder")


@pytest.mark.parametrize(("section", "env", "message"), [
    ({"client_id": "app"}, {"OIDC_CLIENT_SECRET": "s"}, "både metadata_url og client_id"),
    ({"metadata_url": METADATA, "client_id": "app"}, {}, "mangler klienthemmeligheden"),
    ({"metadata_url": METADATA, "client_id": "app", "group_roles": {"g": "chef"}},
     {"OIDC_CLIENT_SECRET": "s"}, "Ukendte roller i gruppe-tilknytningen: chef"),
    ({"metadata_url": METADATA, "client_id": "app"},
     {"OIDC_CLIENT_SECRET": "s", "OIDC_GROUP_ROLES": "bare-en-gruppe"}, "gruppe=rolle"),
])
def test_a_half_configuration_stops_with_a_danish_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, section: dict, env: dict, message: str,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SsoSettingsError, match=message):
        load_sso(section, secrets_path=tmp_path / "none.toml")


def test_load_settings_reads_the_sso_section_and_the_contact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f'[app]\naccess_contact = "IT, tlf. 1234"\n[sso]\nclient_id = "app"\n'
                    f'metadata_url = "{METADATA}"\n', encoding="utf-8")
    monkeypatch.setenv("OIDC_CLIENT_SECRET", "s")
    settings = load_settings(config_path=path)
    assert settings.sso is not None and settings.sso.client_id == "app"
    assert settings.access_contact == "IT, tlf. 1234"
    monkeypatch.delenv("OIDC_CLIENT_SECRET")
    monkeypatch.setattr("core.settings.SECRETS_PATH", tmp_path / "none.toml")
    with pytest.raises(SettingsError, match="klienthemmeligheden"):
        load_settings(config_path=path)
