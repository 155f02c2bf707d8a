"""Who may do what: one table from role to capabilities.

Navigation (which pages exist for a viewer), exports, comments and decisions, and the scope rule
"aggregates only" all ask this table and nothing else. A viewer with several roles has every
capability of each of them; a viewer with no known role has none (default deny).

Examples
--------
>>> has_capability(("konsulent",), Capability.EXPORT)
True
>>> has_capability(("styregruppe",), Capability.VIEW_INSTITUTIONS)
False
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Capability(StrEnum):
    VIEW_MODEL = "view_model"  # the overview and the layer pages
    VIEW_INSTITUTIONS = "view_institutions"  # single daycares: the Dagtilbud page and pickers
    MEETING = "meeting"  # the steering group's meeting page and its pack
    EXPORT = "export"  # CSV/XLSX downloads of the view
    COMMENT = "comment"  # write comments and follow-ups, update follow-ups
    DECIDE = "decide"  # register and edit decisions
    EDIT_ANY_NOTE = "edit_any_note"  # change or withdraw another author's note
    ADMIN = "admin"  # import data, audit log, user list


C = Capability
ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    "admin": frozenset(Capability),
    "leder": frozenset({C.VIEW_MODEL, C.VIEW_INSTITUTIONS, C.MEETING, C.COMMENT}),
    "konsulent": frozenset({C.VIEW_MODEL, C.VIEW_INSTITUTIONS, C.MEETING, C.EXPORT, C.COMMENT}),
    # The steering group sees areas and up, never a single daycare: no VIEW_INSTITUTIONS.
    "styregruppe": frozenset({C.VIEW_MODEL, C.MEETING, C.COMMENT, C.DECIDE}),
    # Socialstyrelsen's practice consultants and evaluator: municipalities compared on a national
    # programme (the scope stops at municipality level), with the numbers to take away.
    "national": frozenset({C.VIEW_MODEL, C.EXPORT}),
}


def capabilities_of(roles: Iterable[str]) -> frozenset[Capability]:
    """Every capability of every role in ``roles``; unknown roles give nothing."""
    out: frozenset[Capability] = frozenset()
    for role in roles:
        out |= ROLE_CAPABILITIES.get(role, frozenset())
    return out


def has_capability(roles: Iterable[str], capability: Capability) -> bool:
    return capability in capabilities_of(roles)


def aggregates_only(roles: Iterable[str]) -> bool:
    """A viewer who may not see single daycares sees only areas and up (in pickers and data)."""
    return not has_capability(roles, Capability.VIEW_INSTITUTIONS)
