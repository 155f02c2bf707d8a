"""A computation declares its contract next to its function; the registry is built from that."""

from __future__ import annotations

from typing import Annotated, Literal

import polars as pl
import pytest
from pydantic import Field, ValidationError

from indicators import computations as c
from indicators.contract import Computation, collect, computation
from indicators.registry import COMPUTATIONS
from indicators.sources import Sources


def test_the_registry_is_every_decorated_function_in_source_order() -> None:
    declared = [name for name, value in vars(c).items() if hasattr(value, "__computation__")]
    assert list(COMPUTATIONS) == declared
    assert all(COMPUTATIONS[name].func is getattr(c, name) for name in declared)


def test_the_declaration_carries_aggregation_subgroups_and_typed_parameters() -> None:
    yellow = COMPUTATIONS["yellow_transition_share"]
    assert (yellow.aggregation, yellow.subgroups) == ("share", True)
    assert list(yellow.parameters()) == ["to"]
    assert yellow.parameters()["to"].annotation == Literal["green", "yellow", "red"]
    assert (COMPUTATIONS["green_gap"].aggregation, COMPUTATIONS["training_days_held"].subgroups) \
        == ("gap", False)


def test_validate_params_fills_defaults_and_refuses_bad_values() -> None:
    survey = COMPUTATIONS["survey_agreement_share"]
    assert survey.validate_params({"question": "q"}) == {
        "question": "q", "population": "all", "agree_min": 4}
    for bad in ({"question": "q", "population": "alle"}, {"question": "q", "agree_min": 6},
                {"question": ""}, {}, {"question": "q", "colour": 1}):
        with pytest.raises(ValidationError):
            survey.validate_params(bad)


def test_observations_refuse_a_bad_value_instead_of_silently_returning_zero() -> None:
    # Before the contract, to="gren" matched no child and gave 0 %.
    with pytest.raises(ValidationError):
        COMPUTATIONS["yellow_transition_share"].observations(Sources(), {"to": "gren"})


def _empty(src: Sources, **_: object) -> pl.DataFrame:
    return pl.DataFrame()


def test_a_decorated_function_is_returned_unchanged_and_collected() -> None:
    @computation(aggregation="sum", subgroups=False, title="t", numerator="n", denominator="d",
                 n="n", params={"days": "dage"})
    def counted(src: Sources, *, days: Annotated[int, Field(ge=0)] = 3) -> pl.DataFrame:
        return pl.DataFrame({"days": [days]})

    def plain(src: Sources) -> pl.DataFrame:
        return pl.DataFrame()

    assert counted(Sources(), days=5)["days"].to_list() == [5]
    found = collect({"counted": counted, "plain": plain, "x": 1})
    assert list(found) == ["counted"]
    assert isinstance(found["counted"], Computation)
    assert found["counted"].validate_params({}) == {"days": 3}


def test_developer_mistakes_in_a_declaration_fail_at_import() -> None:
    with pytest.raises(TypeError, match="unknown aggregation"):
        computation(aggregation="median", subgroups=False)  # type: ignore[arg-type]

    def unannotated(src, *, days=3):  # type: ignore[no-untyped-def]
        return pl.DataFrame()

    def positional(src: Sources, days: int = 3) -> pl.DataFrame:
        return pl.DataFrame()

    def bad_default(src: Sources, *, to: Literal["green", "red"] = "gren") -> pl.DataFrame:
        return pl.DataFrame()

    def fine(src: Sources, *, to: Literal["green", "red"] = "green") -> pl.DataFrame:
        return pl.DataFrame()

    declare = computation(aggregation="share", subgroups=True)
    with pytest.raises(TypeError, match="needs a type annotation"):
        declare(unannotated)
    with pytest.raises(TypeError, match="must be keyword-only"):
        declare(positional)
    with pytest.raises(ValidationError):
        declare(bad_default)
    with pytest.raises(TypeError, match=r"texts for unknown parameters \['too'\]"):
        computation(aggregation="share", subgroups=True, params={"too": "x"})(fine)


def test_missing_danish_texts_are_listed_not_hidden() -> None:
    def bare(src: Sources, *, to: Literal["green", "red"] = "green") -> pl.DataFrame:
        return pl.DataFrame()

    declared = computation(aggregation="share", subgroups=True, title="Andel", n="børn")(bare)
    doc = declared.__computation__.doc  # type: ignore[attr-defined]
    assert doc.missing(["to"]) == ["numerator", "denominator", "params.to"]
