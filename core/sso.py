"""Single sign-on settings (OpenID Connect) and the mapping of a group claim to roles.

Read from ``config.toml`` ``[sso]`` and the environment (``OIDC_*`` wins); the client secret only
from the environment (``OIDC_CLIENT_SECRET``) or ``.streamlit/secrets.toml`` (``[sso]
client_secret``), never from ``config.toml``. Single sign-on is on when a metadata URL and a
client id are set.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from core.capabilities import ROLE_CAPABILITIES

DEFAULT_LABEL = "Log ind med Microsoft/kommunens login"
DEFAULT_SCOPE = "openid email profile"


class SsoSettingsError(ValueError):
    """Single sign-on is configured wrongly; the message (Danish) names the setting."""


@dataclass(frozen=True)
class SsoSettings:
    # The provider's discovery document (…/.well-known/openid-configuration).
    metadata_url: str
    client_id: str
    client_secret: str = field(repr=False)
    # The button on the login form.
    label: str = DEFAULT_LABEL
    # The callback registered at the provider; empty = worked out from the request.
    redirect_uri: str = ""
    scope: str = DEFAULT_SCOPE
    # The claim whose value is looked up as user_account.email (Entra ID: email or
    # preferred_username).
    match_claim: str = "email"
    # The claim with the user's groups, and which group gives which role; an empty mapping
    # leaves the roles to user_account.
    groups_claim: str = "groups"
    group_roles: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def roles_for_groups(groups: Iterable[str], group_roles: Mapping[str, tuple[str, ...]],
                     ) -> tuple[str, ...]:
    """The roles the user's groups give, in a stable order, each once.

    >>> roles_for_groups(["g-ledere", "g-andet", "g-admin"],
    ...                  {"g-admin": ("admin",), "g-ledere": ("leder",)})
    ('admin', 'leder')
    """
    found = {role for group in groups for role in group_roles.get(str(group), ())}
    return tuple(sorted(found))


def _group_roles(raw: object) -> dict[str, tuple[str, ...]]:
    """``{"group": "role"}`` or ``{"group": ["role", …]}`` from the file, or ``group=role,…``
    from the environment (a group named twice gets both roles)."""
    mapping: dict[str, tuple[str, ...]] = {}
    if isinstance(raw, str):
        pairs = [item.split("=", 1) for item in raw.split(",") if item.strip()]
        if any(len(pair) != 2 for pair in pairs):
            raise SsoSettingsError("OIDC_GROUP_ROLES skal have formen gruppe=rolle,gruppe=rolle.")
        for group, role in pairs:
            mapping[group.strip()] = (*mapping.get(group.strip(), ()), role.strip())
    elif not isinstance(raw, Mapping):
        raise SsoSettingsError("[sso.group_roles] skal være en tabel: \"gruppe\" = \"rolle\".")
    else:
        for group, roles in raw.items():
            mapping[str(group)] = (roles,) if isinstance(roles, str) else tuple(map(str, roles))
    unknown = {role for roles in mapping.values() for role in roles} - set(ROLE_CAPABILITIES)
    if unknown:
        raise SsoSettingsError(f"Ukendte roller i gruppe-tilknytningen: "
                               f"{', '.join(sorted(unknown))}.")
    return mapping


def _secret(secrets_path: Path) -> str:
    if os.environ.get("OIDC_CLIENT_SECRET"):
        return os.environ["OIDC_CLIENT_SECRET"]
    if secrets_path.exists():
        with secrets_path.open("rb") as fh:
            return str(tomllib.load(fh).get("sso", {}).get("client_secret", ""))
    return ""


def load_sso(section: Mapping[str, object], *, secrets_path: Path) -> SsoSettings | None:
    """The single sign-on settings, or None when it is not configured."""
    def value(name: str, default: str = "") -> str:
        return str(os.environ.get(f"OIDC_{name.upper()}") or section.get(name) or default).strip()

    metadata_url, client_id = value("metadata_url"), value("client_id")
    if not metadata_url and not client_id:
        return None
    if not metadata_url or not client_id:
        raise SsoSettingsError("Single sign-on kræver både metadata_url og client_id "
                               "(OIDC_METADATA_URL, OIDC_CLIENT_ID).")
    secret = _secret(secrets_path)
    if not secret:
        raise SsoSettingsError("Single sign-on mangler klienthemmeligheden: sæt "
                               "OIDC_CLIENT_SECRET eller [sso] client_secret i "
                               ".streamlit/secrets.toml.")
    raw_groups = os.environ.get("OIDC_GROUP_ROLES") or section.get("group_roles") or {}
    return SsoSettings(
        metadata_url=metadata_url, client_id=client_id, client_secret=secret,
        label=value("label", DEFAULT_LABEL), redirect_uri=value("redirect_uri"),
        scope=value("scope", DEFAULT_SCOPE), match_claim=value("match_claim", "email"),
        groups_claim=value("groups_claim", "groups"), group_roles=_group_roles(raw_groups),
    )
