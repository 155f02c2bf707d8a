"""Indicator computations: pure functions from :class:`Sources` to observations.

Each function returns one row per observation (see ``OBSERVATION_SCHEMA``): who it is about
(``subject``), in which institution and period, and its contribution to the numerator (``num``) and
denominator (``den``). :mod:`indicators.engine` aggregates observations to every org unit above the
institution, per subgroup, so the functions stay small and need no knowledge of the org tree.

The config names these functions in ``computation`` and passes ``params`` as keyword arguments.
Each function declares its contract with :func:`indicators.contract.computation`: how it
aggregates, whether the child subgroups apply, its typed parameters (the annotations are what the
config is validated against) and the Danish texts for config editors (``docs/INDICATORS.md``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

import polars as pl
from pydantic import Field

from indicators.contract import computation
from indicators.periods import period_expr
from indicators.sources import OBSERVATION_SCHEMA, Sources

AGE_GROUPS = ("0-2", "3-5")

# Parameter types shared by several computations (the config is validated against these).
Population = Literal["all", "vulnerable", "others"]
Position = Literal["green", "yellow", "red"]
Rating = Annotated[int, Field(ge=1, le=5)]  # an answer or score on a 1-5 scale
Days = Annotated[int, Field(ge=0)]
Code = Annotated[str, Field(min_length=1)]  # a code as written in the imported data

POPULATION = ("Hvilke børn der tæller med: all = alle børn, vulnerable = kun børn i udsatte "
              "positioner, others = de øvrige børn.")
CHILD_N = "Antal forskellige børn bag tallet."


def _age_group(birth_col: str, on_col: str) -> pl.Expr:
    months = (pl.col(on_col).dt.year() - pl.col(birth_col).dt.year()) * 12 + (
        pl.col(on_col).dt.month() - pl.col(birth_col).dt.month()
    )
    return pl.when(months < 36).then(pl.lit("0-2")).otherwise(pl.lit("3-5"))


def _with_child(frame: pl.DataFrame, src: Sources, on_col: str) -> pl.DataFrame:
    """Add the child's age group (at ``on_col``) and vulnerable flag."""
    kids = src.children.select("child_id", "birth_month", "vulnerable")
    return frame.join(kids, on="child_id", how="inner").with_columns(
        _age_group("birth_month", on_col).alias("age_group")
    )


def _population(frame: pl.DataFrame, population: str) -> pl.DataFrame:
    if population == "vulnerable":
        return frame.filter(pl.col("vulnerable"))
    if population == "others":
        return frame.filter(~pl.col("vulnerable"))
    return frame


def _observations(frame: pl.DataFrame, **columns: pl.Expr) -> pl.DataFrame:
    """Select the observation columns, filling those not given with nulls."""
    exprs = []
    for name, dtype in OBSERVATION_SCHEMA.items():
        expr = columns.get(name, pl.col(name) if name in frame.columns else pl.lit(None))
        exprs.append(expr.cast(dtype).alias(name))
    return frame.select(exprs)


def _child_subject() -> pl.Expr:
    return pl.col("child_id").cast(pl.Utf8)


def _in_periods(frame: pl.DataFrame, src: Sources, date_col: str) -> pl.DataFrame:
    """Keep rows whose date falls in one of the reporting periods, and label their period."""
    out = frame.with_columns(period_expr(date_col).alias("period"))
    return out.filter(pl.col("period").is_in(src.periods["period"].implode()))


def _events_per_institution(events: pl.DataFrame, src: Sources, *, per: float) -> pl.DataFrame:
    """Events (one row each, with ``period``) per institution and ``per`` time units.

    Each event adds 1 to the numerator; every institution adds ``per`` to the denominator in
    every period, so institutions without events count as zero instead of being left out.
    """
    held = _observations(events, subject=pl.col("institution_id").cast(pl.Utf8),
                         num=pl.lit(1.0), den=pl.lit(0.0))
    institutions = src.org_units.filter(pl.col("level") == "institution").select(
        pl.col("id").alias("institution_id")
    )
    exposure = institutions.join(src.periods.select("period"), how="cross")
    return pl.concat([held, _observations(
        exposure, subject=pl.col("institution_id").cast(pl.Utf8), num=pl.lit(0.0),
        den=pl.lit(per))])


# --- Aktiviteter ------------------------------------------------------------------------------


@computation(
    aggregation="rate", subgroups=False,
    title="Antal åbne rådgivninger pr. dagtilbud pr. måned.",
    numerator="Åbne rådgivninger afholdt i perioden.",
    denominator="Dagtilbudsmåneder: 6 pr. dagtilbud pr. halvår (dagtilbud uden rådgivninger "
                "tæller med som 0).",
    n="Antal dagtilbud.",
)
def sessions_per_institution_month(src: Sources) -> pl.DataFrame:
    """Open-counselling sessions held per institution per month.

    Numerator: sessions held. Denominator: institution-months (6 per institution and half-year).
    """
    return _events_per_institution(_in_periods(src.counselling, src, "held_on"), src, per=6.0)


@computation(
    aggregation="share", subgroups=False,
    title="Andel af de åbne rådgivninger, hvor mindst et givet antal faggrupper deltog.",
    numerator="Åbne rådgivninger med mindst `min_professions` faggrupper til stede.",
    denominator="Alle åbne rådgivninger afholdt i perioden.",
    n="Antal åbne rådgivninger.",
    params={"min_professions": "Mindste antal faggrupper, der skal være til stede."},
)
def share_sessions_min_professions(
    src: Sources, *, min_professions: Annotated[int, Field(ge=1)] = 2
) -> pl.DataFrame:
    """Share of open-counselling sessions with at least ``min_professions`` professions present."""
    sessions = _in_periods(src.counselling, src, "held_on")
    return _observations(
        sessions,
        subject=pl.col("session_id").cast(pl.Utf8),
        num=(pl.col("n_professions") >= min_professions).cast(pl.Float64),
        den=pl.lit(1.0),
    )


@computation(
    aggregation="mean", subgroups=False,
    title="Gennemsnitligt antal konsultationer pr. åben rådgivning, med forældre eller med "
          "personale.",
    numerator="Konsultationer i alt (med forældre eller med personale).",
    denominator="Åbne rådgivninger afholdt i perioden.",
    n="Antal åbne rådgivninger.",
    params={"with_whom": "Hvem konsultationerne er med: parents = forældre, staff = personale."},
)
def consultations_per_session(
    src: Sources, *, with_whom: Literal["parents", "staff"] = "parents"
) -> pl.DataFrame:
    """Consultations per open-counselling session, with parents or with staff."""
    column = "parent_consultations" if with_whom == "parents" else "staff_consultations"
    sessions = _in_periods(src.counselling, src, "held_on")
    return _observations(
        sessions, subject=pl.col("session_id").cast(pl.Utf8), num=pl.col(column),
        den=pl.lit(1.0),
    )


@computation(
    aggregation="share", subgroups=False,
    title="Fremmøde i familiegrupper: andel af de tilmeldte familier, der mødte op.",
    numerator="Gange en tilmeldt familie mødte op.",
    denominator="Gange en familie var tilmeldt en afholdt gruppegang.",
    n="Antal forskellige familier.",
)
def family_attendance_rate(src: Sources) -> pl.DataFrame:
    """Attendance rate in family groups: present / enrolled, over all sessions held."""
    rows = _in_periods(src.family_attendance, src, "held_on")
    return _observations(
        rows, subject=pl.col("family_code"), num=pl.col("present").cast(pl.Float64),
        den=pl.lit(1.0),
    )


@computation(
    aggregation="share", subgroups=False,
    title="Andel af de tilmeldte familier, der deltog i mindst en given andel af gruppens gange. "
          "Familien tæller i perioden for gruppens sidste gang.",
    numerator="Familier, der deltog i mindst `threshold` af gangene.",
    denominator="Alle tilmeldte familier i grupper, hvis sidste gang lå i perioden.",
    n="Antal familier.",
    params={"threshold": "Mindste fremmødeandel som decimaltal, fx 0.75 = 75 %."},
    window=(None, None),  # a group's sessions in any period
)
def family_completion_share(
    src: Sources, *, threshold: Annotated[float, Field(gt=0, le=1)] = 0.75
) -> pl.DataFrame:
    """Share of enrolled families attending at least ``threshold`` of their group's sessions.

    A family counts in the period of its group's last session.
    """
    per_family = src.family_attendance.group_by("group_id", "institution_id", "family_code").agg(
        pl.col("present").cast(pl.Float64).mean().alias("rate"),
        pl.col("held_on").max().alias("last_session"),
    )
    rows = _in_periods(per_family, src, "last_session")
    return _observations(
        rows, subject=pl.col("family_code"), num=(pl.col("rate") >= threshold).cast(pl.Float64),
        den=pl.lit(1.0),
    )


@computation(
    aggregation="sum", subgroups=False,
    title="Antal gennemførte uddannelsesdage (eller aktionslæringsdage) for personalet i "
          "perioden.",
    numerator="Gennemførte dage (én pr. medarbejder pr. dag).",
    denominator="Ingen (tallet er et antal).",
    n="Antal forskellige medarbejdere.",
    params={"kind": "Hvilken slags dag: uddannelsesdag eller aktionslaering."},
)
def training_days_held(
    src: Sources, *, kind: Literal["uddannelsesdag", "aktionslaering"] = "uddannelsesdag"
) -> pl.DataFrame:
    """Training days (or action-learning days) completed by staff in the period (a count)."""
    rows = _in_periods(src.training.filter(pl.col("kind") == kind), src, "held_on")
    return _observations(
        rows, subject=pl.col("staff_id").cast(pl.Utf8), num=pl.lit(1.0), den=pl.lit(1.0)
    )


# --- Resultater på kort sigt ------------------------------------------------------------------


@computation(
    aggregation="share", subgroups=False,
    title="Andel af personalet, ansat ved periodens udgang, der har gennemført "
          "kompetenceforløbet (dage talt sammen til og med periodens udgang).",
    numerator="Ansatte med mindst `training_days` uddannelsesdage og `action_learning_days` "
              "aktionslæringsdage.",
    denominator="Alle ansatte ved periodens udgang.",
    n="Antal ansatte.",
    params={"training_days": "Antal uddannelsesdage, der kræves.",
            "action_learning_days": "Antal aktionslæringsdage, der kræves."},
    window=(None, 0),  # days counted up to the period's end
)
def staff_programme_completion(
    src: Sources, *, training_days: Days = 6, action_learning_days: Days = 5
) -> pl.DataFrame:
    """Share of staff employed at the end of the period who have completed the programme.

    Completed = at least ``training_days`` full training days and ``action_learning_days``
    action-learning days, counted cumulatively up to the end of the period.
    """
    employed = src.staff.join(src.periods, how="cross").filter(
        (pl.col("employed_from") <= pl.col("end"))
        & (pl.col("employed_to").is_null() | (pl.col("employed_to") >= pl.col("end")))
    )
    days = (
        employed.select("staff_id", "period", "end")
        .join(src.training.select("staff_id", "held_on", "kind"), on="staff_id", how="left")
        .filter(pl.col("held_on") <= pl.col("end"))
        .group_by("staff_id", "period")
        .agg(
            (pl.col("kind") == "uddannelsesdag").sum().alias("training"),
            (pl.col("kind") == "aktionslaering").sum().alias("action"),
        )
    )
    rows = employed.join(days, on=["staff_id", "period"], how="left").with_columns(
        pl.col("training").fill_null(0), pl.col("action").fill_null(0)
    )
    done = (pl.col("training") >= training_days) & (pl.col("action") >= action_learning_days)
    return _observations(
        rows, subject=pl.col("staff_id").cast(pl.Utf8), num=done.cast(pl.Float64),
        den=pl.lit(1.0),
    )


@computation(
    aggregation="mean", subgroups=False,
    title="Gennemsnitlig selvvurderet kompetence (1-5), som personalet angiver efter en "
          "uddannelsesdag.",
    numerator="Summen af selvvurderingerne.",
    denominator="Antal selvvurderinger (uddannelsesdage med et svar).",
    n="Antal forskellige medarbejdere.",
)
def mean_self_assessment(src: Sources) -> pl.DataFrame:
    """Mean self-assessed competence (1-5) given by staff after training days in the period."""
    rows = _in_periods(src.training.drop_nulls("self_assessment"), src, "held_on")
    return _observations(
        rows, subject=pl.col("staff_id").cast(pl.Utf8), num=pl.col("self_assessment"),
        den=pl.lit(1.0),
    )


@computation(
    aggregation="share", subgroups=True,
    title="Andel af forældrene, der er enige i et udsagn i forældreundersøgelsen.",
    numerator="Svar på `agree_min` eller derover (skala 1-5).",
    denominator="Alle svar på spørgsmålet i perioden.",
    n=CHILD_N,
    params={"question": "Spørgsmålets kode, som i de importerede svar (fx "
                        "styrket_foraelderrolle).",
            "population": POPULATION,
            "agree_min": "Laveste svar (1-5), der tæller som enig."},
)
def survey_agreement_share(
    src: Sources, *, question: Code, population: Population = "all", agree_min: Rating = 4
) -> pl.DataFrame:
    """Share of parents answering ``agree_min`` or more (1-5 scale) to a survey statement."""
    rows = _in_periods(src.survey.filter(pl.col("question") == question), src, "answered_on")
    rows = _population(_with_child(rows, src, "answered_on"), population)
    return _observations(
        rows, subject=_child_subject(), num=(pl.col("answer") >= agree_min).cast(pl.Float64),
        den=pl.lit(1.0),
    )


@computation(
    aggregation="share", subgroups=True,
    title="Andel af børn vurderet gule eller røde i perioden, hvis forældre deltog i et "
          "tværfagligt møde om barnet i samme periode.",
    numerator="Børn vurderet gule eller røde, hvis forældre deltog i et møde om barnet.",
    denominator="Alle børn vurderet gule eller røde i perioden.",
    n=CHILD_N,
)
def parent_followup_share(src: Sources) -> pl.DataFrame:
    """Share of children assessed yellow or red in the period whose parents took part in a
    cross-sector meeting about the child in the same period."""
    flagged = (
        _in_periods(src.assessments.filter(pl.col("position").is_in(["yellow", "red"])), src,
                    "assessed_on")
        .sort("assessed_on")  # the institution of the latest, whatever order the rows came in
        .group_by("child_id", "period")
        .agg(pl.col("institution_id").last(), pl.col("assessed_on").max())
    )
    met = (
        _in_periods(src.meetings.filter(pl.col("parents_present")), src, "held_on")
        .select("child_id", "period").unique().with_columns(pl.lit(1.0).alias("met"))
    )
    rows = flagged.join(met, on=["child_id", "period"], how="left")
    rows = _with_child(rows, src, "assessed_on")
    return _observations(
        rows, subject=_child_subject(), num=pl.col("met").fill_null(0.0), den=pl.lit(1.0)
    )


@computation(
    aggregation="rate", subgroups=False,
    title="Antal tværfaglige møder pr. dagtilbud pr. halvår.",
    numerator="Tværfaglige møder afholdt i perioden.",
    denominator="Antal dagtilbud (dagtilbud uden møder tæller med som 0).",
    n="Antal dagtilbud.",
)
def meetings_per_institution(src: Sources) -> pl.DataFrame:
    """Cross-sector meetings held per institution in the half-year."""
    return _events_per_institution(_in_periods(src.meetings, src, "held_on"), src, per=1.0)


@computation(
    aggregation="share", subgroups=True,
    title="Andel af de tværfaglige møder, som forældrene var inviteret til.",
    numerator="Møder, forældrene var inviteret til.",
    denominator="Alle tværfaglige møder i perioden.",
    n="Antal forskellige børn, der blev drøftet.",
)
def share_meetings_parents_invited(src: Sources) -> pl.DataFrame:
    """Share of cross-sector meetings to which the parents were invited (Hvidovre's rule: no child
    is discussed without the parents being invited). n = children discussed."""
    rows = _with_child(_in_periods(src.meetings, src, "held_on"), src, "held_on")
    return _observations(
        rows, subject=_child_subject(), num=pl.col("parents_invited").cast(pl.Float64),
        den=pl.lit(1.0),
    )


def _plan_window(params: Mapping[str, Any]) -> tuple[int | None, int | None]:
    """Earlier assessments (is the child newly yellow?) and plans up to ``days`` days after the
    period's last assessment: ``ceil(days / 181)`` periods ahead (a half-year has ≥ 181 days)."""
    return None, -(-params["days"] // 181)


@computation(
    aggregation="share", subgroups=True,
    title="Andel af de nyligt gule børn, der inden for et antal dage har en skriftlig plan aftalt "
          "med forældrene. Nyligt gul = forrige vurdering var grøn, eller der var ingen.",
    numerator="Nyligt gule børn med en plan aftalt på et møde med forældrene inden for `days` "
              "dage efter vurderingen.",
    denominator="Alle børn, der blev nyligt gule i perioden.",
    n=CHILD_N,
    params={"days": "Antal dage efter vurderingen, planen skal være aftalt inden for."},
    window=_plan_window,  # earlier assessments; plans up to `days` later
)
def plan_within_days_share(src: Sources, *, days: Days = 28) -> pl.DataFrame:
    """Share of children newly assessed yellow with a written plan agreed with the parents within
    ``days`` days of the assessment. "Newly" = the previous assessment was green, or there was none.
    """
    ordered = src.assessments.sort("child_id", "assessed_on").with_columns(
        pl.col("position").shift(1).over("child_id").alias("previous")
    )
    new_yellow = ordered.filter(
        (pl.col("position") == "yellow")
        & (pl.col("previous").is_null() | (pl.col("previous") == "green"))
    ).select("child_id", "institution_id", "assessed_on")
    plans = src.meetings.filter(pl.col("plan_agreed") & pl.col("parents_present")).select(
        "child_id", pl.col("held_on").alias("plan_on")
    )
    with_plan = (
        new_yellow.join(plans, on="child_id", how="inner")
        .filter(
            (pl.col("plan_on") >= pl.col("assessed_on"))
            & ((pl.col("plan_on") - pl.col("assessed_on")).dt.total_days() <= days)
        )
        .select("child_id", "assessed_on").unique().with_columns(pl.lit(1.0).alias("planned"))
    )
    rows = new_yellow.join(with_plan, on=["child_id", "assessed_on"], how="left")
    rows = _with_child(_in_periods(rows, src, "assessed_on"), src, "assessed_on")
    return _observations(
        rows, subject=_child_subject(), num=pl.col("planned").fill_null(0.0), den=pl.lit(1.0)
    )


# --- Virkninger på mellemlang sigt ------------------------------------------------------------


def _latest_assessment_per_period(src: Sources) -> pl.DataFrame:
    """Each child's last assessment in each period (a child assessed twice counts once)."""
    rows = _in_periods(src.assessments, src, "assessed_on")
    return rows.sort("assessed_on").group_by("child_id", "period").last()


@computation(
    aggregation="share", subgroups=True,
    title="Andel af de vurderede børn, hvis seneste position i perioden er en given farve.",
    numerator="Børn, hvis seneste vurdering i perioden er `position`.",
    denominator="Alle børn vurderet i perioden (et barn vurderet to gange tæller én gang).",
    n=CHILD_N,
    params={"position": "Positionen der tælles: green, yellow eller red.",
            "population": POPULATION},
)
def share_in_position(
    src: Sources, *, position: Position = "green", population: Population = "all"
) -> pl.DataFrame:
    """Share of assessed children whose (latest) position in the period is ``position``."""
    rows = _population(_with_child(_latest_assessment_per_period(src), src, "assessed_on"),
                       population)
    return _observations(
        rows, subject=_child_subject(), num=(pl.col("position") == position).cast(pl.Float64),
        den=pl.lit(1.0),
    )


@computation(
    aggregation="mean", subgroups=True,
    title="Gennemsnit af de fire områdescorer (1-5) i børnenes seneste vurdering i perioden.",
    numerator="Summen af børnenes gennemsnitlige områdescore.",
    denominator="Antal vurderede børn med mindst én områdescore.",
    n=CHILD_N,
    params={"population": POPULATION},
)
def mean_area_score(src: Sources, *, population: Population = "all") -> pl.DataFrame:
    """Mean of the four area ratings (1-5) in the children's latest assessment in the period."""
    rows = _population(_with_child(_latest_assessment_per_period(src), src, "assessed_on"),
                       population)
    score = pl.mean_horizontal(
        "score_cognitive", "score_emotional", "score_social", "score_physical"
    )
    rows = rows.with_columns(score.alias("score")).drop_nulls("score")
    return _observations(rows, subject=_child_subject(), num=pl.col("score"), den=pl.lit(1.0))


@computation(
    aggregation="share", subgroups=True,
    title="Af børnene i gul ved en vurdering: andelen, hvis næste vurdering er en given farve "
          "(to = green: kun kortvarigt i gul). Tælles i perioden for den næste vurdering.",
    numerator="Gule børn, hvis næste vurdering er `to`.",
    denominator="Alle gule børn, der er vurderet igen i perioden (uden ny vurdering endnu tæller "
                "barnet ikke med).",
    n=CHILD_N,
    params={"to": "Positionen ved næste vurdering, der tælles: green, yellow eller red."},
    window=(None, 0),  # the yellow assessment before, in any period
)
def yellow_transition_share(src: Sources, *, to: Position = "green") -> pl.DataFrame:
    """Of the children in yellow at one assessment, the share whose next assessment is ``to``.

    "Only briefly in yellow" = gone from yellow (to green) by the next assessment. Counted in the
    period of that next assessment; a yellow child with no next assessment yet does not count.
    """
    ordered = src.assessments.sort("child_id", "assessed_on").with_columns(
        pl.col("position").shift(-1).over("child_id").alias("next_position"),
        pl.col("assessed_on").shift(-1).over("child_id").alias("next_on"),
        pl.col("institution_id").shift(-1).over("child_id").alias("next_institution"),
    )
    yellow = ordered.filter((pl.col("position") == "yellow") & pl.col("next_on").is_not_null())
    rows = _in_periods(yellow, src, "next_on").with_columns(
        pl.col("next_institution").alias("institution_id")
    )
    rows = _with_child(rows, src, "next_on")
    return _observations(
        rows, subject=_child_subject(), num=(pl.col("next_position") == to).cast(pl.Float64),
        den=pl.lit(1.0),
    )


@computation(
    aggregation="share", subgroups=True,
    title="Andel af børnene, der ifølge periodens seneste relationsafdækning er en del af "
          "fællesskabet eller har en tæt voksen.",
    numerator="Børn med den valgte slags relation.",
    denominator="Alle børn med en relationsafdækning i perioden.",
    n=CHILD_N,
    params={"kind": "community = en gensidig legerelation med venskabsvurdering 4-5; "
                    "close_adult = mindst én tæt voksen.",
            "population": POPULATION},
)
def relation_share(
    src: Sources, *, kind: Literal["community", "close_adult"] = "community",
    population: Population = "all",
) -> pl.DataFrame:
    """Share of children part of the community in their latest relationship mapping of the period.

    ``community``: a mutual play relation with a friendship rating of 4-5. ``close_adult``: at least
    one close adult.
    """
    rows = _in_periods(src.relations, src, "mapped_on").sort("mapped_on")
    rows = rows.group_by("child_id", "period").last()
    rows = _population(_with_child(rows, src, "mapped_on"), population)
    if kind == "close_adult":
        hit = pl.col("has_close_adult")
    else:
        hit = pl.col("mutual_play_relation") & (pl.col("best_friendship_rating") >= 4)
    return _observations(rows, subject=_child_subject(), num=hit.cast(pl.Float64),
                         den=pl.lit(1.0))


# --- Virkninger på lang sigt ------------------------------------------------------------------


@computation(
    aggregation="share", subgroups=True,
    title="Andel af de interviewede børn, der svarer \"ja\" til \"Jeg er vigtig for de andre\".",
    numerator="Børn, hvis seneste svar i perioden er \"ja\".",
    denominator="Alle interviewede børn i perioden.",
    n=CHILD_N,
    params={"population": POPULATION},
)
def interview_positive_share(src: Sources, *, population: Population = "all") -> pl.DataFrame:
    """Share of interviewed children answering "ja" to "Jeg er vigtig for de andre"."""
    rows = _in_periods(src.interviews, src, "interviewed_on").sort("interviewed_on")
    rows = rows.group_by("child_id", "period").last()
    rows = _population(_with_child(rows, src, "interviewed_on"), population)
    return _observations(
        rows, subject=_child_subject(), num=(pl.col("feels_important") == 3).cast(pl.Float64),
        den=pl.lit(1.0),
    )


@computation(
    aggregation="gap", subgroups=True,
    title="Forskellen i procentpoint mellem andelen grønne blandt de øvrige børn og blandt børn i "
          "udsatte positioner (et mindre tal er bedre).",
    numerator="Andel grønne blandt de øvrige børn (i %).",
    denominator="Andel grønne blandt børn i udsatte positioner (i %).",
    n="Antal børn i den mindste af de to grupper.",
)
def green_gap(src: Sources) -> pl.DataFrame:
    """The gap in share green between other children and children in vulnerable positions.

    Aggregated as a ``gap``: share(others) − share(focus), in percentage points.
    """
    rows = _with_child(_latest_assessment_per_period(src), src, "assessed_on")
    return _observations(
        rows,
        subject=_child_subject(),
        num=(pl.col("position") == "green").cast(pl.Float64),
        den=pl.lit(1.0),
        group=pl.when(pl.col("vulnerable")).then(pl.lit("focus")).otherwise(pl.lit("others")),
    )


@computation(
    aggregation="share", subgroups=False,
    title="Andel af dagtilbuddene, hvis seneste selvevaluering af et praksistema i perioden er "
          "mindst en given score (1-5).",
    numerator="Dagtilbud med score på mindst `min_score`.",
    denominator="Alle dagtilbud med en selvevaluering af temaet i perioden.",
    n="Antal dagtilbud.",
    params={"theme": "Temaets kode, som i de importerede data (fx tvaerfagligt_samarbejde).",
            "min_score": "Laveste score (1-5), der tæller med."},
)
def practice_share_at_least(
    src: Sources, *, theme: Code = "tvaerfagligt_samarbejde", min_score: Rating = 4
) -> pl.DataFrame:
    """Share of institutions whose latest self-assessment of ``theme`` in the period is at least
    ``min_score`` (1-5)."""
    rows = _in_periods(src.practice.filter(pl.col("theme") == theme), src, "assessed_on")
    rows = rows.sort("assessed_on").group_by("institution_id", "period").last()
    return _observations(
        rows, subject=pl.col("institution_id").cast(pl.Utf8),
        num=(pl.col("score") >= min_score).cast(pl.Float64), den=pl.lit(1.0),
    )


# --- Sprogvurdering, ressourcepladser og placeringer (Socialstyrelsen, Aalborg, L2) -----------

LanguageGroup = Literal["generel", "fokuseret", "saerlig"]
LANGUAGE_GROUP = ("Sprogvurderingens gruppe, der tælles: generel (generel indsats), fokuseret "
                  "(fokuseret indsats) eller saerlig (særlig indsats).")


def _latest_language_per_period(src: Sources) -> pl.DataFrame:
    """Each child's last language assessment in each period."""
    rows = _in_periods(src.language, src, "assessed_on")
    return rows.sort("assessed_on").group_by("child_id", "period").last()


@computation(
    aggregation="share", subgroups=True,
    title="Andel af de sprogvurderede børn, hvis seneste sprogvurdering i perioden er i en given "
          "gruppe (generel, fokuseret eller særlig indsats).",
    numerator="Børn, hvis seneste sprogvurdering i perioden er i gruppen `group`.",
    denominator="Alle sprogvurderede børn i perioden (et barn vurderet to gange tæller én gang).",
    n=CHILD_N,
    params={"group": LANGUAGE_GROUP, "population": POPULATION},
)
def language_group_share(
    src: Sources, *, group: LanguageGroup = "generel", population: Population = "all"
) -> pl.DataFrame:
    """Share of language-assessed children whose latest assessment in the period is ``group``."""
    rows = _population(_with_child(_latest_language_per_period(src), src, "assessed_on"),
                       population)
    return _observations(
        rows, subject=_child_subject(),
        num=(pl.col("language_group") == group).cast(pl.Float64), den=pl.lit(1.0),
    )


@computation(
    aggregation="gap", subgroups=True,
    title="Forskellen i procentpoint mellem andelen i en sprogvurderingsgruppe (normalt generel) "
          "blandt de øvrige børn og blandt børn i udsatte positioner (et mindre tal er bedre).",
    numerator="Andel i gruppen `group` blandt de øvrige sprogvurderede børn (i %).",
    denominator="Andel i gruppen `group` blandt sprogvurderede børn i udsatte positioner (i %).",
    n="Antal børn i den mindste af de to grupper.",
    params={"group": LANGUAGE_GROUP},
)
def language_gap(src: Sources, *, group: LanguageGroup = "generel") -> pl.DataFrame:
    """The gap in share in language group ``group`` between other children and children in
    vulnerable positions: share(others) − share(focus), in percentage points."""
    rows = _with_child(_latest_language_per_period(src), src, "assessed_on")
    return _observations(
        rows, subject=_child_subject(),
        num=(pl.col("language_group") == group).cast(pl.Float64), den=pl.lit(1.0),
        group=pl.when(pl.col("vulnerable")).then(pl.lit("focus")).otherwise(pl.lit("others")),
    )


def _places_at_period_end(src: Sources) -> pl.DataFrame:
    """Resource places per daycare and period, as they stand on the period's last day."""
    return (
        src.resource_places.join(src.periods.select("period", "end"), how="cross")
        .filter((pl.col("valid_from") <= pl.col("end"))
                & (pl.col("valid_to").is_null() | (pl.col("valid_to") >= pl.col("end"))))
        .group_by("institution_id", "period").agg(pl.col("places").sum())
    )


@computation(
    aggregation="sum", subgroups=False,
    title="Antal dagtilbud med ressourcepladser ved periodens udgang.",
    numerator="Dagtilbud med mindst én ressourceplads på periodens sidste dag.",
    denominator="Ingen (tallet er et antal; dagtilbud uden ressourcepladser tæller som 0).",
    n="Antal dagtilbud.",
)
def institutions_with_resource_places(src: Sources) -> pl.DataFrame:
    """Daycares with at least one resource place on the period's last day (a count). Every
    daycare is an observation (0 or 1), so an area without resource places shows 0."""
    institutions = src.org_units.filter(pl.col("level") == "institution").select(
        pl.col("id").alias("institution_id"))
    rows = (institutions.join(src.periods.select("period"), how="cross")
            .join(_places_at_period_end(src), on=["institution_id", "period"], how="left"))
    return _observations(
        rows, subject=pl.col("institution_id").cast(pl.Utf8),
        num=(pl.col("places").fill_null(0) > 0).cast(pl.Float64), den=pl.lit(1.0),
    )


@computation(
    aggregation="share", subgroups=False,
    title="Udnyttelse af ressourcepladserne: børn på en ressourceplads i forhold til antal "
          "ressourcepladser ved periodens udgang.",
    numerator="Børn med en igangværende placering på en ressourceplads på periodens sidste dag.",
    denominator="Ressourcepladser på periodens sidste dag.",
    n="Antal dagtilbud med ressourcepladser.",
)
def resource_place_use(src: Sources) -> pl.DataFrame:
    """Children on a resource place ÷ resource places, both on the period's last day, per
    daycare with resource places."""
    places = _places_at_period_end(src).filter(pl.col("places") > 0)
    used = (
        src.placements.filter(pl.col("offer") == "ressourceplads")
        .join(src.periods.select("period", "end"), how="cross")
        .filter((pl.col("placed_from") <= pl.col("end"))
                & (pl.col("placed_to").is_null() | (pl.col("placed_to") >= pl.col("end"))))
        .group_by("institution_id", "period").agg(pl.col("child_id").n_unique().alias("used"))
    )
    rows = places.join(used, on=["institution_id", "period"], how="left")
    return _observations(
        rows, subject=pl.col("institution_id").cast(pl.Utf8),
        num=pl.col("used").fill_null(0).cast(pl.Float64), den=pl.col("places").cast(pl.Float64),
    )


@computation(
    aggregation="share", subgroups=True,
    title="Af børnene, der får støtte: andelen, der får den i deres eget nærmiljø (på en "
          "ressourceplads eller med støtte i eget dagtilbud) frem for i et specialtilbud.",
    numerator="Børn, hvis seneste placering i perioden er ressourceplads eller lokal_stoette.",
    denominator="Alle børn med en placering, der løber i (en del af) perioden.",
    n=CHILD_N,
    params={"population": POPULATION},
)
def local_support_share(src: Sources, *, population: Population = "all") -> pl.DataFrame:
    """Of the children with a support placement running in the period, the share whose latest
    placement is local (a resource place or support in their own daycare), not a special offer.
    Age is taken on the period's last day; the placement counts for the child's local daycare."""
    rows = (
        src.placements.join(src.periods.select("period", "start", "end"), how="cross")
        .filter((pl.col("placed_from") <= pl.col("end"))
                & (pl.col("placed_to").is_null() | (pl.col("placed_to") >= pl.col("start"))))
        .sort("placed_from").group_by("child_id", "period").last()
    )
    rows = _population(_with_child(rows, src, "end"), population)
    return _observations(
        rows, subject=_child_subject(),
        num=(pl.col("offer") != "specialtilbud").cast(pl.Float64), den=pl.lit(1.0),
    )
