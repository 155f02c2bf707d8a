"""The one role → capability table (core/capabilities.py), printed and pinned."""

from __future__ import annotations

import pytest

from core.capabilities import (
    ROLE_CAPABILITIES,
    Capability,
    aggregates_only,
    capabilities_of,
    has_capability,
)
from data_access.accounts import ROLES

C = Capability
EXPECTED = {
    "admin": set(Capability),
    "leder": {C.VIEW_MODEL, C.VIEW_INSTITUTIONS, C.MEETING, C.COMMENT},
    "konsulent": {C.VIEW_MODEL, C.VIEW_INSTITUTIONS, C.MEETING, C.EXPORT, C.COMMENT},
    "styregruppe": {C.VIEW_MODEL, C.MEETING, C.COMMENT, C.DECIDE},
    "national": {C.VIEW_MODEL, C.EXPORT},
}


def table() -> str:
    """The table as a reviewer reads it: roles across, capabilities down."""
    roles = list(ROLE_CAPABILITIES)
    lines = [f"{'':<18}" + "".join(f"{r:<12}" for r in roles)]
    lines += [f"{c.value:<18}" + "".join(f"{'x' if c in ROLE_CAPABILITIES[r] else '-':<12}"
                                         for r in roles) for c in Capability]
    return "\n".join(lines)


def test_the_role_capability_table(capsys: pytest.CaptureFixture[str]) -> None:
    print(table())  # shown with pytest -s
    assert {role: set(caps) for role, caps in ROLE_CAPABILITIES.items()} == EXPECTED
    assert "export            x           -           x           -           x" in table()


def test_every_role_an_account_can_have_is_in_the_table() -> None:
    assert set(ROLE_CAPABILITIES) == set(ROLES)


def test_several_roles_add_up_and_unknown_roles_give_nothing() -> None:
    assert capabilities_of(("leder", "styregruppe")) == frozenset(
        EXPECTED["leder"] | EXPECTED["styregruppe"])
    assert capabilities_of(()) == frozenset()
    assert capabilities_of(("superuser", "ADMIN")) == frozenset()
    assert not has_capability(("leder",), C.EXPORT)
    assert has_capability(("leder", "konsulent"), C.EXPORT)


@pytest.mark.parametrize(("roles", "expected"), [
    (("styregruppe",), True),
    (("styregruppe", "leder"), False),  # the leader's role lets them see their daycares
    (("leder",), False), (("konsulent",), False), (("admin",), False),
    (("national",), True),  # municipalities compared, never a daycare
    ((), True),  # no role: default deny
])
def test_aggregates_only_is_every_viewer_without_view_institutions(roles, expected) -> None:
    assert aggregates_only(roles) is expected
