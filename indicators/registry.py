"""The computations the config may name, with how their observations aggregate.

``aggregation``:

- ``share``: 100 × Σnum / Σden, in %.
- ``rate``: Σnum / Σden (e.g. sessions per institution-month).
- ``mean``: Σnum / Σden with one observation per subject-event (den = 1).
- ``sum``: Σnum (a count).
- ``gap``: share(others) − share(focus), in percentage points; n is the smaller group.

``subgroups``: the observations are about children, so the age-group and "vulnerable only"
filters apply. Other indicators (sessions, staff, institutions) are the same under those filters.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from indicators import computations as c
from indicators.sources import Sources


@dataclass(frozen=True)
class Computation:
    func: Callable[..., pl.DataFrame]
    aggregation: str
    subgroups: bool

    def parameters(self) -> dict[str, inspect.Parameter]:
        params = inspect.signature(self.func).parameters
        return {k: v for k, v in params.items() if v.kind is inspect.Parameter.KEYWORD_ONLY}

    def observations(self, src: Sources, params: dict) -> pl.DataFrame:
        return self.func(src, **params)


COMPUTATIONS: dict[str, Computation] = {
    "sessions_per_institution_month": Computation(c.sessions_per_institution_month, "rate", False),
    "share_sessions_min_professions": Computation(c.share_sessions_min_professions, "share",
                                                  False),
    "consultations_per_session": Computation(c.consultations_per_session, "mean", False),
    "family_attendance_rate": Computation(c.family_attendance_rate, "share", False),
    "family_completion_share": Computation(c.family_completion_share, "share", False),
    "training_days_held": Computation(c.training_days_held, "sum", False),
    "staff_programme_completion": Computation(c.staff_programme_completion, "share", False),
    "mean_self_assessment": Computation(c.mean_self_assessment, "mean", False),
    "survey_agreement_share": Computation(c.survey_agreement_share, "share", True),
    "parent_followup_share": Computation(c.parent_followup_share, "share", True),
    "meetings_per_institution": Computation(c.meetings_per_institution, "rate", False),
    "share_meetings_parents_invited": Computation(c.share_meetings_parents_invited, "share", True),
    "plan_within_days_share": Computation(c.plan_within_days_share, "share", True),
    "share_in_position": Computation(c.share_in_position, "share", True),
    "mean_area_score": Computation(c.mean_area_score, "mean", True),
    "yellow_transition_share": Computation(c.yellow_transition_share, "share", True),
    "relation_share": Computation(c.relation_share, "share", True),
    "interview_positive_share": Computation(c.interview_positive_share, "share", True),
    "green_gap": Computation(c.green_gap, "gap", True),
    "practice_share_at_least": Computation(c.practice_share_at_least, "share", False),
}
