"""The input frames that indicator computations read, with their schemas.

``data_access`` loads these from the store; tests build them by hand with :func:`frame`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

import polars as pl
from polars._typing import PolarsDataType

I, S, D, B = pl.Int64, pl.Utf8, pl.Date, pl.Boolean  # noqa: E741

SCHEMAS: dict[str, dict[str, PolarsDataType]] = {
    "org_units": {"id": I, "code": S, "name": S, "level": S, "parent_id": I, "path": S},
    "children": {"child_id": I, "birth_month": D, "vulnerable": B, "institution_id": I,
                 "enrolled_on": D, "left_on": D},
    "assessments": {
        "child_id": I, "institution_id": I, "assessed_on": D, "position": S,
        "score_cognitive": I, "score_emotional": I, "score_social": I, "score_physical": I,
    },
    "relations": {
        "child_id": I, "institution_id": I, "mapped_on": D, "has_close_adult": B,
        "best_friendship_rating": I, "mutual_play_relation": B,
    },
    "counselling": {
        "session_id": I, "institution_id": I, "held_on": D, "n_professions": I,
        "staff_consultations": I, "parent_consultations": I,
    },
    "family_attendance": {
        "group_id": I, "institution_id": I, "session_id": I, "held_on": D, "family_code": S,
        "present": B,
    },
    "staff": {"staff_id": I, "institution_id": I, "employed_from": D, "employed_to": D},
    "training": {"staff_id": I, "institution_id": I, "held_on": D, "kind": S,
                 "self_assessment": I},
    "survey": {"child_id": I, "institution_id": I, "answered_on": D, "question": S, "answer": I},
    "meetings": {
        "child_id": I, "institution_id": I, "held_on": D, "n_professions": I,
        "parents_invited": B, "parents_present": B, "plan_agreed": B,
    },
    "interviews": {"child_id": I, "institution_id": I, "interviewed_on": D, "feels_important": I},
    "practice": {"institution_id": I, "assessed_on": D, "theme": S, "score": I},
    "periods": {"period": S, "start": D, "end": D},
    # Sprogvurdering: group generel / fokuseret / saerlig.
    "language": {"child_id": I, "institution_id": I, "assessed_on": D, "age_years": I,
                 "language_group": S},
    # Ressourcepladser per daycare over time (valid_to null = still running).
    "resource_places": {"institution_id": I, "places": I, "valid_from": D, "valid_to": D},
    # Where a child needing support gets it: ressourceplads / lokal_stoette / specialtilbud.
    "placements": {"child_id": I, "institution_id": I, "offer": S, "placed_from": D,
                   "placed_to": D},
}

# The columns every computation returns: one row per observation (a child, a family, a session,
# a staff member or an institution in a period). The engine aggregates them up the org tree.
OBSERVATION_SCHEMA: dict[str, PolarsDataType] = {
    "institution_id": I,
    "period": S,
    "subject": S,  # who the observation is about; n = distinct subjects
    "num": pl.Float64,
    "den": pl.Float64,
    "age_group": S,  # "0-2" / "3-5" for child-based observations, else null
    "vulnerable": B,  # child's flag for child-based observations, else null
    "group": S,  # for gap indicators: "focus" (vulnerable) or "others"
}


def frame(name: str, rows: list[dict[str, Any]] | None = None) -> pl.DataFrame:
    """A source frame with its schema; missing columns are null. For tests and loaders."""
    schema = SCHEMAS[name]
    return pl.DataFrame([{k: r.get(k) for k in schema} for r in rows or []], schema=schema)


@dataclass
class Sources:
    """All input frames. Any frame not given is empty with the right schema."""

    org_units: pl.DataFrame = field(default_factory=lambda: frame("org_units"))
    periods: pl.DataFrame = field(default_factory=lambda: frame("periods"))
    children: pl.DataFrame = field(default_factory=lambda: frame("children"))
    assessments: pl.DataFrame = field(default_factory=lambda: frame("assessments"))
    relations: pl.DataFrame = field(default_factory=lambda: frame("relations"))
    counselling: pl.DataFrame = field(default_factory=lambda: frame("counselling"))
    family_attendance: pl.DataFrame = field(default_factory=lambda: frame("family_attendance"))
    staff: pl.DataFrame = field(default_factory=lambda: frame("staff"))
    training: pl.DataFrame = field(default_factory=lambda: frame("training"))
    survey: pl.DataFrame = field(default_factory=lambda: frame("survey"))
    meetings: pl.DataFrame = field(default_factory=lambda: frame("meetings"))
    interviews: pl.DataFrame = field(default_factory=lambda: frame("interviews"))
    practice: pl.DataFrame = field(default_factory=lambda: frame("practice"))
    language: pl.DataFrame = field(default_factory=lambda: frame("language"))
    resource_places: pl.DataFrame = field(default_factory=lambda: frame("resource_places"))
    placements: pl.DataFrame = field(default_factory=lambda: frame("placements"))

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]
