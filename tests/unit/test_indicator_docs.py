"""docs/INDICATORS.md documents every computation for config editors and is up to date."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from cli.main import INDICATOR_DOCS, main
from indicators.contract import computation
from indicators.docs import allowed_values, render_markdown, undocumented
from indicators.registry import COMPUTATIONS
from indicators.sources import Sources


def test_every_computation_has_danish_documentation_for_every_part_and_parameter() -> None:
    assert undocumented(COMPUTATIONS) == {}


def test_the_checked_in_indicator_docs_are_generated_from_the_registry() -> None:
    assert INDICATOR_DOCS.read_text(encoding="utf-8") == render_markdown(COMPUTATIONS), \
        "docs/INDICATORS.md is stale: run python manage.py indicator-docs"


def test_the_docs_check_fails_for_an_undocumented_computation() -> None:
    # Guard: the check above can fail.
    def new_one(src: Sources, *, days: int = 3) -> pl.DataFrame:
        return pl.DataFrame()

    declared = computation(aggregation="sum", subgroups=False, title="Nyt antal")(new_one)
    gaps = undocumented({"new_one": declared.__computation__})  # type: ignore[attr-defined]
    assert gaps == {"new_one": ["numerator", "denominator", "n", "params.days"]}


def test_a_section_names_numerator_denominator_n_and_the_allowed_values() -> None:
    text = render_markdown(COMPUTATIONS)
    section = text.split("## `yellow_transition_share`")[1].split("\n## ")[0]
    assert "- **Tæller:** Gule børn, hvis næste vurdering er `to`." in section
    assert "- **n:** Antal forskellige børn bag tallet." in section
    assert "| `to` | Positionen ved næste vurdering, der tælles: green, yellow eller red. | " \
           'én af: `"green"`, `"yellow"`, `"red"` | `"green"` |' in section
    assert 'params = { to = "green" }' in section


def test_constraints_are_described_in_words() -> None:
    fields = COMPUTATIONS["family_completion_share"].parameters()
    assert allowed_values(fields["threshold"]) == "tal, større end 0, højst 1"
    assert allowed_values(COMPUTATIONS["plan_within_days_share"].parameters()["days"]) == \
        "helt tal, mindst 0"


def test_the_command_writes_the_file_and_check_notices_a_stale_one(tmp_path: Path,
                                                                   capsys) -> None:
    out = tmp_path / "INDICATORS.md"
    assert main(["indicator-docs", "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == render_markdown(COMPUTATIONS)
    assert main(["indicator-docs", "--check", "--out", str(out)]) == 0
    out.write_text("gammel\n", encoding="utf-8")
    assert main(["indicator-docs", "--check", "--out", str(out)]) == 1
    assert "er ikke opdateret (kør: python manage.py indicator-docs)" in capsys.readouterr().err
