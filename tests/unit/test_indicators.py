"""Every computation on tiny hand-built data, with answers worked out by hand in the comments."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from indicators import computations as c
from indicators.engine import aggregate, ancestors
from indicators.periods import periods_frame
from indicators.registry import COMPUTATIONS
from indicators.sources import Sources, frame

D = dt.date
MUNI, AREA, INST_A, INST_B = 1, 2, 3, 4

UNITS = frame("org_units", [
    dict(id=MUNI, code="K", name="Kommune", level="municipality", parent_id=None, path="/1/"),
    dict(id=AREA, code="O", name="Område", level="area", parent_id=1, path="/1/2/"),
    dict(id=INST_A, code="A", name="Dagtilbud A", level="institution", parent_id=2,
         path="/1/2/3/"),
    dict(id=INST_B, code="B", name="Dagtilbud B", level="institution", parent_id=2,
         path="/1/2/4/"),
])
PERIODS = periods_frame("2025H1", "2025H2")


BORN_2021 = D(2021, 1, 1)


def child(child_id: int, *, vulnerable: bool, inst: int = INST_A,
          born: dt.date = BORN_2021) -> dict:
    return dict(child_id=child_id, birth_month=born, vulnerable=vulnerable, institution_id=inst)


def sources(**frames: list[dict]) -> Sources:
    return Sources(org_units=UNITS, periods=PERIODS,
                   **{name: frame(name, rows) for name, rows in frames.items()})


def values_of(name: str, src: Sources, *, min_n: int = 1, **params: object) -> pl.DataFrame:
    computation = COMPUTATIONS[name]
    obs = computation.observations(src, params)
    return aggregate(obs, org_units=src.org_units, aggregation=computation.aggregation,
                     min_n=min_n, subgroups=computation.subgroups)


def value(values: pl.DataFrame, unit: int, period: str, *, age: str = "alle",
          vulnerable_only: bool = False) -> dict:
    rows = values.filter((pl.col("unit_id") == unit) & (pl.col("period") == period)
                         & (pl.col("age_group") == age)
                         & (pl.col("vulnerable_only") == vulnerable_only))
    assert rows.height == 1, rows
    return rows.row(0, named=True)


def test_ancestors_pairs_each_institution_with_itself_and_every_unit_above() -> None:
    pairs = ancestors(UNITS).sort("institution_id", "unit_id").rows()
    assert pairs == [(3, 1), (3, 2), (3, 3), (4, 1), (4, 2), (4, 4)]


ASSESSED_CHILDREN = [child(1, vulnerable=True), child(2, vulnerable=True),
                     child(3, vulnerable=False), child(4, vulnerable=True, inst=INST_B)]


def assessment(child_id: int, day: dt.date, position: str, inst: int = INST_A, **scores) -> dict:
    return dict(child_id=child_id, institution_id=inst, assessed_on=day, position=position,
                **scores)


def test_share_green_uses_each_childs_latest_assessment_in_the_period() -> None:
    src = sources(children=ASSESSED_CHILDREN, assessments=[
        assessment(1, D(2025, 3, 1), "green"), assessment(1, D(2025, 5, 1), "yellow"),
        assessment(2, D(2025, 3, 2), "green"), assessment(3, D(2025, 3, 3), "green"),
        assessment(4, D(2025, 3, 4), "red", inst=INST_B),
    ])
    values = values_of("share_in_position", src, position="green", population="vulnerable")
    # Vulnerable children: A has child 1 (latest yellow) and child 2 (green) → 1/2; B has child 4
    # (red) → 0/1; the area and municipality 1/3.
    assert value(values, INST_A, "2025H1")["value"] == pytest.approx(50.0)
    assert value(values, INST_B, "2025H1")["value"] == pytest.approx(0.0)
    muni = value(values, MUNI, "2025H1")
    assert muni["value"] == pytest.approx(100 / 3)
    assert (muni["numerator"], muni["denominator"], muni["n"]) == (1.0, 3.0, 3)


def test_a_group_below_the_minimum_n_has_no_value_numerator_or_denominator() -> None:
    src = sources(children=ASSESSED_CHILDREN, assessments=[
        assessment(1, D(2025, 3, 1), "green"), assessment(2, D(2025, 3, 2), "green"),
        assessment(3, D(2025, 3, 3), "yellow"), assessment(4, D(2025, 3, 4), "red", inst=INST_B),
    ])
    values = values_of("share_in_position", src, min_n=3, position="green")
    inst_b = value(values, INST_B, "2025H1")  # 1 child: withheld
    assert inst_b["suppressed"]
    assert (inst_b["value"], inst_b["numerator"], inst_b["denominator"]) == (None, None, None)
    # Institution A has 3 children, but the area (4) minus A would give B away: A is withheld
    # too. The area rests on 4 children of whom 2 are green: a count under min_n (3), withheld by
    # the small-numerator policy.
    assert value(values, INST_A, "2025H1")["suppressed"]
    assert value(values, AREA, "2025H1")["suppressed"]


def test_a_period_without_observations_has_no_row_rather_than_a_zero() -> None:
    src = sources(children=ASSESSED_CHILDREN,
                  assessments=[assessment(1, D(2025, 3, 1), "green")])
    values = values_of("share_in_position", src, position="green")
    assert values.filter(pl.col("period") == "2025H2").is_empty()
    assert values.filter(pl.col("unit_id") == INST_B).is_empty()


def test_empty_sources_give_an_empty_result_with_the_value_schema() -> None:
    for name in ("share_in_position", "family_attendance_rate", "green_gap", "relation_share"):
        values = values_of(name, sources())
        assert values.is_empty()
        assert "value" in values.columns


def test_subgroups_split_children_by_age_at_assessment_and_vulnerability() -> None:
    kids = [child(1, vulnerable=True, born=D(2024, 1, 1)),  # 14 months in March 2025: 0-2
            child(2, vulnerable=False, born=D(2021, 1, 1)),  # 4 years: 3-5
            child(3, vulnerable=True, born=D(2021, 6, 1))]   # 3-5
    src = sources(children=kids, assessments=[
        assessment(1, D(2025, 3, 1), "green"), assessment(2, D(2025, 3, 1), "yellow"),
        assessment(3, D(2025, 3, 1), "green"),
    ])
    values = values_of("share_in_position", src, position="green")
    assert value(values, MUNI, "2025H1")["value"] == pytest.approx(200 / 3)
    assert value(values, MUNI, "2025H1", age="0-2")["value"] == pytest.approx(100.0)
    assert value(values, MUNI, "2025H1", age="3-5")["value"] == pytest.approx(50.0)
    assert value(values, MUNI, "2025H1", vulnerable_only=True)["value"] == pytest.approx(100.0)
    assert value(values, MUNI, "2025H1", age="3-5", vulnerable_only=True)["n"] == 1


def test_yellow_child_that_turns_green_counts_as_brief_in_the_period_of_the_next_assessment(
) -> None:
    src = sources(children=ASSESSED_CHILDREN, assessments=[
        assessment(1, D(2025, 3, 1), "yellow"), assessment(1, D(2025, 9, 1), "green"),
        assessment(2, D(2025, 3, 1), "yellow"), assessment(2, D(2025, 9, 1), "red"),
        assessment(3, D(2025, 9, 1), "yellow"),  # no next assessment yet: not counted
    ])
    to_green = values_of("yellow_transition_share", src, to="green")
    to_red = values_of("yellow_transition_share", src, to="red")
    assert value(to_green, INST_A, "2025H2")["value"] == pytest.approx(50.0)
    assert value(to_green, INST_A, "2025H2")["n"] == 2
    assert value(to_red, INST_A, "2025H2")["value"] == pytest.approx(50.0)
    assert to_green.filter(pl.col("period") == "2025H1").is_empty()


def test_green_gap_is_others_minus_vulnerable_in_percentage_points() -> None:
    kids = [child(1, vulnerable=True), child(2, vulnerable=True), child(3, vulnerable=False),
            child(5, vulnerable=False)]
    src = sources(children=kids, assessments=[
        assessment(1, D(2025, 3, 1), "green"), assessment(2, D(2025, 3, 1), "yellow"),
        assessment(3, D(2025, 3, 1), "green"), assessment(5, D(2025, 3, 1), "green"),
    ])
    values = values_of("green_gap", src)
    row = value(values, MUNI, "2025H1")
    assert row["value"] == pytest.approx(50.0)  # 100 % − 50 %
    assert row["n"] == 2  # the smaller group
    assert values.filter(pl.col("vulnerable_only")).is_empty()  # no gap inside one group


def test_sessions_per_institution_month_counts_months_for_institutions_without_sessions(
) -> None:
    sessions = [dict(session_id=i, institution_id=INST_A, held_on=D(2025, m, 5), n_professions=p,
                     staff_consultations=1, parent_consultations=2)
                for i, (m, p) in enumerate([(1, 1), (2, 2), (3, 3)], start=1)]
    src = sources(counselling=sessions)
    rate = values_of("sessions_per_institution_month", src)
    assert value(rate, INST_A, "2025H1")["value"] == pytest.approx(3 / 6)
    assert value(rate, INST_B, "2025H1")["value"] == pytest.approx(0.0)
    assert value(rate, AREA, "2025H1")["value"] == pytest.approx(3 / 12)
    assert value(rate, AREA, "2025H2")["value"] == pytest.approx(0.0)
    share = values_of("share_sessions_min_professions", src, min_professions=2)
    assert value(share, INST_A, "2025H1")["value"] == pytest.approx(200 / 3)


def test_family_attendance_and_completion() -> None:
    rows = []
    for s, day in enumerate([D(2025, 2, 1), D(2025, 2, 15), D(2025, 3, 1), D(2025, 3, 15)]):
        rows.append(dict(group_id=1, institution_id=INST_A, session_id=s, held_on=day,
                         family_code="F1", present=True))
        rows.append(dict(group_id=1, institution_id=INST_A, session_id=s, held_on=day,
                         family_code="F2", present=s < 2))
    src = sources(family_attendance=rows)
    # F1 came 4/4, F2 2/4: attendance 6/8; completion (≥ 75 %) 1 of 2 families.
    assert value(values_of("family_attendance_rate", src), INST_A, "2025H1")["value"] == \
        pytest.approx(75.0)
    assert value(values_of("family_completion_share", src), INST_A, "2025H1")["value"] == \
        pytest.approx(50.0)


def test_staff_programme_completion_counts_days_cumulatively_and_only_staff_employed() -> None:
    staff = [dict(staff_id=1, institution_id=INST_A, employed_from=D(2020, 1, 1)),
             dict(staff_id=2, institution_id=INST_A, employed_from=D(2020, 1, 1)),
             dict(staff_id=3, institution_id=INST_A, employed_from=D(2020, 1, 1),
                  employed_to=D(2025, 3, 1))]
    training = []
    for staff_id, full_days in ((1, 6), (2, 5), (3, 6)):
        for k in range(full_days):
            training.append(dict(staff_id=staff_id, institution_id=INST_A,
                                 held_on=D(2024, 1 + k, 1), kind="uddannelsesdag",
                                 self_assessment=4))
        for k in range(5):
            training.append(dict(staff_id=staff_id, institution_id=INST_A,
                                 held_on=D(2024, 7 + k, 1), kind="aktionslaering"))
    src = sources(staff=staff, training=training)
    values = values_of("staff_programme_completion", src, training_days=6,
                       action_learning_days=5)
    # Staff 3 left before the end of 2025H1; of staff 1 and 2 only staff 1 has 6 + 5 days.
    row = value(values, INST_A, "2025H1")
    assert (row["value"], row["n"]) == (pytest.approx(50.0), 2)


def test_survey_agreement_share_counts_answers_of_four_and_five() -> None:
    kids = [child(i, vulnerable=i <= 2) for i in range(1, 5)]
    answers = [dict(child_id=i, institution_id=INST_A, answered_on=D(2025, 10, 1),
                    question="q", answer=a) for i, a in zip(range(1, 5), (5, 4, 3, 2),
                                                            strict=True)]
    src = sources(children=kids, survey=answers)
    assert value(values_of("survey_agreement_share", src, question="q"), INST_A,
                 "2025H2")["value"] == pytest.approx(50.0)
    vulnerable = values_of("survey_agreement_share", src, question="q", population="vulnerable")
    assert value(vulnerable, INST_A, "2025H2")["value"] == pytest.approx(100.0)
    assert values_of("survey_agreement_share", src, question="other").is_empty()


def meeting(child_id: int, day: dt.date, *, present: bool, plan: bool = False,
            invited: bool = True) -> dict:
    return dict(child_id=child_id, institution_id=INST_A, held_on=day, n_professions=3,
                parents_invited=invited, parents_present=present, plan_agreed=plan)


def test_parent_followup_share_among_children_in_yellow_or_red() -> None:
    src = sources(children=ASSESSED_CHILDREN, assessments=[
        assessment(1, D(2025, 3, 1), "yellow"), assessment(2, D(2025, 3, 1), "red"),
        assessment(3, D(2025, 3, 1), "green"),
    ], meetings=[meeting(1, D(2025, 4, 1), present=True),
                 meeting(2, D(2025, 4, 1), present=False)])
    row = value(values_of("parent_followup_share", src), INST_A, "2025H1")
    assert (row["value"], row["n"]) == (pytest.approx(50.0), 2)


def test_parent_followup_share_counts_a_child_where_it_was_last_flagged() -> None:
    # Child 1: red in A in January, yellow in B in March; the rows come latest first (as a
    # store may return them). It counts for B, where it was last assessed yellow or red.
    moved = assessment(1, D(2025, 3, 1), "yellow") | dict(institution_id=INST_B)
    rows = [moved, assessment(1, D(2025, 1, 5), "red")]
    for order in (rows, rows[::-1]):
        values = values_of("parent_followup_share", sources(
            children=ASSESSED_CHILDREN, assessments=order,
            meetings=[meeting(1, D(2025, 4, 1), present=True)]))
        assert value(values, INST_B, "2025H1")["n"] == 1
        assert values.filter(pl.col("unit_id") == INST_A).is_empty()


def test_plan_within_28_days_for_children_newly_in_yellow() -> None:
    src = sources(children=ASSESSED_CHILDREN, assessments=[
        assessment(1, D(2025, 1, 10), "green"), assessment(1, D(2025, 3, 1), "yellow"),
        assessment(2, D(2025, 3, 1), "yellow"),
        assessment(3, D(2025, 1, 10), "yellow"), assessment(3, D(2025, 3, 1), "yellow"),
    ], meetings=[
        meeting(1, D(2025, 3, 20), present=True, plan=True),  # 19 days: in time
        meeting(2, D(2025, 4, 15), present=True, plan=True),  # 45 days: too late
    ])
    # New in yellow: child 1 (1 March), child 2 (1 March), child 3 (10 January only) → 1 of 3.
    row = value(values_of("plan_within_days_share", src, days=28), INST_A, "2025H1")
    assert (row["value"], row["n"]) == (pytest.approx(100 / 3), 3)


def test_parents_invited_share() -> None:
    src = sources(children=ASSESSED_CHILDREN, meetings=[
        meeting(1, D(2025, 3, 1), present=True), meeting(2, D(2025, 3, 1), present=False,
                                                          invited=False),
        meeting(3, D(2025, 3, 1), present=True), meeting(3, D(2025, 5, 1), present=True)])
    row = value(values_of("share_meetings_parents_invited", src), INST_A, "2025H1")
    assert row["value"] == pytest.approx(75.0)  # 3 of 4 meetings
    assert row["n"] == 3  # children discussed


def test_relation_share_needs_a_mutual_relation_rated_four_or_five() -> None:
    kids = [child(i, vulnerable=True) for i in (1, 2, 3)]
    maps = [dict(child_id=i, institution_id=INST_A, mapped_on=D(2025, 10, 1),
                 has_close_adult=adult, best_friendship_rating=rating, mutual_play_relation=mut)
            for i, adult, rating, mut in ((1, True, 4, True), (2, True, 3, True),
                                          (3, False, 5, False))]
    src = sources(children=kids, relations=maps)
    community = values_of("relation_share", src, kind="community", population="vulnerable")
    adult = values_of("relation_share", src, kind="close_adult", population="vulnerable")
    assert value(community, INST_A, "2025H2")["value"] == pytest.approx(100 / 3)
    assert value(adult, INST_A, "2025H2")["value"] == pytest.approx(200 / 3)


def test_mean_area_score_ignores_missing_area_ratings() -> None:
    src = sources(children=ASSESSED_CHILDREN, assessments=[
        assessment(1, D(2025, 3, 1), "green", score_cognitive=4, score_emotional=4,
                   score_social=4, score_physical=4),
        assessment(2, D(2025, 3, 1), "yellow", score_cognitive=2, score_emotional=3,
                   score_social=3),
    ])
    row = value(values_of("mean_area_score", src, population="all"), INST_A, "2025H1")
    assert row["value"] == pytest.approx((4 + 8 / 3) / 2)


def test_interview_and_practice_shares() -> None:
    src = sources(children=ASSESSED_CHILDREN, interviews=[
        dict(child_id=1, institution_id=INST_A, interviewed_on=D(2025, 10, 1), feels_important=3),
        dict(child_id=2, institution_id=INST_A, interviewed_on=D(2025, 10, 1), feels_important=2),
    ], practice=[
        dict(institution_id=INST_A, assessed_on=D(2025, 5, 1), theme="t", score=3),
        dict(institution_id=INST_A, assessed_on=D(2025, 6, 1), theme="t", score=4),
        dict(institution_id=INST_B, assessed_on=D(2025, 5, 1), theme="t", score=2),
    ])
    assert value(values_of("interview_positive_share", src), INST_A, "2025H2")["value"] == \
        pytest.approx(50.0)
    practice = values_of("practice_share_at_least", src, theme="t", min_score=4)
    assert value(practice, INST_A, "2025H1")["value"] == pytest.approx(100.0)
    assert value(practice, AREA, "2025H1")["value"] == pytest.approx(50.0)


def test_training_days_held_is_a_count() -> None:
    training = [dict(staff_id=s, institution_id=INST_A, held_on=D(2025, 2, d),
                     kind="uddannelsesdag") for s in (1, 2) for d in (1, 2)]
    values = values_of("training_days_held", sources(training=training), kind="uddannelsesdag")
    assert value(values, MUNI, "2025H1")["value"] == 4.0


def test_consultations_per_session_is_a_mean() -> None:
    sessions = [dict(session_id=i, institution_id=INST_A, held_on=D(2025, 2, i), n_professions=2,
                     staff_consultations=0, parent_consultations=p)
                for i, p in ((1, 1), (2, 4))]
    values = values_of("consultations_per_session", sources(counselling=sessions),
                       with_whom="parents")
    assert value(values, INST_A, "2025H1")["value"] == pytest.approx(2.5)


def test_every_registered_computation_is_covered_by_a_test_here() -> None:
    source = Path(__file__).read_text(encoding="utf-8")
    missing = [name for name in COMPUTATIONS if f'"{name}"' not in source]
    assert missing == []


def test_computations_module_functions_are_all_registered() -> None:
    public = {n for n in dir(c) if not n.startswith("_") and callable(getattr(c, n))
              and getattr(c, n).__module__ == c.__name__}
    assert public == set(COMPUTATIONS)


def test_mean_self_assessment_over_training_days_with_an_answer() -> None:
    training = [dict(staff_id=1, institution_id=INST_A, held_on=D(2025, 2, 1),
                     kind="uddannelsesdag", self_assessment=3),
                dict(staff_id=2, institution_id=INST_A, held_on=D(2025, 2, 1),
                     kind="uddannelsesdag", self_assessment=5),
                dict(staff_id=2, institution_id=INST_A, held_on=D(2025, 3, 1),
                     kind="aktionslaering", self_assessment=None)]
    row = value(values_of("mean_self_assessment", sources(training=training)), INST_A, "2025H1")
    assert (row["value"], row["n"]) == (pytest.approx(4.0), 2)


def test_meetings_per_institution_averages_over_all_institutions() -> None:
    src = sources(children=ASSESSED_CHILDREN, meetings=[
        meeting(1, D(2025, 3, 1), present=True), meeting(2, D(2025, 4, 1), present=True),
        meeting(3, D(2025, 5, 1), present=True)])
    values = values_of("meetings_per_institution", src)
    assert value(values, INST_A, "2025H1")["value"] == pytest.approx(3.0)
    assert value(values, MUNI, "2025H1")["value"] == pytest.approx(1.5)  # 3 meetings, 2 inst.


# --- Sprogvurdering, ressourcepladser og placeringer ------------------------------------------


def language(child_id: int, day: dt.date, group: str, inst: int = INST_A, age: int = 3) -> dict:
    return dict(child_id=child_id, institution_id=inst, assessed_on=day, age_years=age,
                language_group=group)


LANGUAGE_CHILDREN = [child(1, vulnerable=True), child(2, vulnerable=True),
                     child(3, vulnerable=False), child(4, vulnerable=False),
                     child(5, vulnerable=False, inst=INST_B)]
LANGUAGE_ROWS = [
    language(1, D(2025, 2, 1), "generel"), language(1, D(2025, 5, 1), "fokuseret"),
    language(2, D(2025, 3, 1), "generel"),
    language(3, D(2025, 3, 1), "generel"), language(4, D(2025, 3, 1), "saerlig"),
    language(5, D(2025, 3, 1), "generel", inst=INST_B),
    language(5, D(2025, 9, 1), "fokuseret", inst=INST_B),
]


def test_language_group_share_uses_each_childs_latest_assessment_in_the_period() -> None:
    src = sources(children=LANGUAGE_CHILDREN, language=LANGUAGE_ROWS)
    values = values_of("language_group_share", src, group="generel")
    # A, 2025H1: child 1 latest fokuseret, 2 generel, 3 generel, 4 saerlig → 2/4 = 50 %.
    assert value(values, INST_A, "2025H1")["value"] == pytest.approx(50.0)
    # Municipality 2025H1: A's 2 of 4 plus B's child 5 (generel) → 3/5 = 60 %.
    assert value(values, MUNI, "2025H1")["value"] == pytest.approx(60.0)
    # 2025H2: only child 5, now fokuseret → 0 %.
    assert value(values, INST_B, "2025H2")["value"] == pytest.approx(0.0)
    vulnerable = values_of("language_group_share", src, group="generel", population="vulnerable")
    # Vulnerable in A: child 1 (fokuseret), child 2 (generel) → 50 %.
    assert value(vulnerable, INST_A, "2025H1")["value"] == pytest.approx(50.0)


def test_language_gap_is_others_minus_vulnerable_in_group_generel() -> None:
    src = sources(children=LANGUAGE_CHILDREN, language=LANGUAGE_ROWS)
    values = values_of("language_gap", src)
    # Municipality 2025H1: others = children 3 (generel), 4 (saerlig), 5 (generel) → 2/3 =
    # 66.67 %; vulnerable = 1 (fokuseret), 2 (generel) → 50 %. Gap 16.67 points, n = min(2, 3).
    row = value(values, MUNI, "2025H1")
    assert row["value"] == pytest.approx(200 / 3 - 50)
    assert row["n"] == 2
    # The vulnerable-only subgroup has no gap.
    assert values.filter(pl.col("vulnerable_only")).is_empty()


RESOURCE_PLACES = [
    # A: 2 places from 2024, raised to 4 from 1 May 2025.
    dict(institution_id=INST_A, places=2, valid_from=D(2024, 8, 1), valid_to=D(2025, 4, 30)),
    dict(institution_id=INST_A, places=4, valid_from=D(2025, 5, 1), valid_to=None),
    # B: 3 places from 1 August 2025 (the spread from 10 to 15 daycares).
    dict(institution_id=INST_B, places=3, valid_from=D(2025, 8, 1), valid_to=None),
]


def test_institutions_with_resource_places_counts_daycares_on_the_periods_last_day() -> None:
    values = values_of("institutions_with_resource_places",
                       sources(resource_places=RESOURCE_PLACES))
    # 30.06.2025: only A has places → 1; 31.12.2025: A and B → 2.
    assert value(values, MUNI, "2025H1")["value"] == pytest.approx(1.0)
    assert value(values, MUNI, "2025H2")["value"] == pytest.approx(2.0)
    # B without places in H1 counts as 0, not as missing.
    assert value(values, INST_B, "2025H1")["value"] == pytest.approx(0.0)


def placement(child_id: int, offer: str, start: dt.date, end: dt.date | None = None,
              inst: int = INST_A) -> dict:
    return dict(child_id=child_id, institution_id=inst, offer=offer, placed_from=start,
                placed_to=end)


PLACEMENTS = [
    placement(1, "ressourceplads", D(2025, 1, 10)),                    # A, running
    placement(2, "ressourceplads", D(2025, 2, 1), D(2025, 6, 1)),      # A, ended before 30.06
    placement(3, "ressourceplads", D(2025, 3, 1)),                     # A, running
    placement(4, "specialtilbud", D(2025, 3, 1), inst=INST_B),         # B, special offer
    placement(5, "lokal_stoette", D(2025, 9, 1), inst=INST_B),         # B, from H2
    placement(2, "specialtilbud", D(2025, 6, 2)),                      # A, child 2 moved on
]


def test_resource_place_use_is_children_on_places_over_places_on_the_last_day() -> None:
    values = values_of("resource_place_use", sources(resource_places=RESOURCE_PLACES,
                                                     placements=PLACEMENTS))
    # 30.06.2025: A has 4 places, children 1 and 3 on them (2 ended 01.06) → 2/4 = 50 %.
    assert value(values, INST_A, "2025H1")["value"] == pytest.approx(50.0)
    # 31.12.2025: A 2 of 4, B 0 of 3 → municipality 2/7.
    assert value(values, MUNI, "2025H2")["value"] == pytest.approx(100 * 2 / 7)
    assert value(values, MUNI, "2025H2")["n"] == 2  # daycares with places


def test_local_support_share_counts_each_childs_latest_placement_in_the_period() -> None:
    children = [child(1, vulnerable=True), child(2, vulnerable=False),
                child(3, vulnerable=False), child(4, vulnerable=True, inst=INST_B),
                child(5, vulnerable=False, inst=INST_B)]
    values = values_of("local_support_share", sources(children=children, placements=PLACEMENTS))
    # 2025H1: child 1 local, 2 latest = specialtilbud (from 02.06), 3 local, 4 special → 2/4.
    assert value(values, MUNI, "2025H1")["value"] == pytest.approx(50.0)
    # 2025H2: 1 local, 2 special, 3 local, 4 special, 5 local (lokal_stoette) → 3/5.
    assert value(values, MUNI, "2025H2")["value"] == pytest.approx(60.0)
    # A in H1: children 1, 2, 3 → 2/3.
    assert value(values, INST_A, "2025H1")["value"] == pytest.approx(200 / 3)
    # Vulnerable only, municipality H1: child 1 local, child 4 special → 50 %.
    assert value(values, MUNI, "2025H1", vulnerable_only=True)["value"] == pytest.approx(50.0)
