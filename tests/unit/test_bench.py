"""The benchmark's own parts: its model (every programme everywhere, bench/config.py), the check
that a timed page is the page (bench/pages.py) and the printed table (bench/national.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.config import everywhere, without_membership, write_config
from bench.national import figure_rows, format_table
from bench.pages import PagePlan, Shown, missing, page_plans
from core.model_config import ChangeModelConfig
from core.settings import CONFIG_PATH

CONFIG_TEXT = """[app]
min_n = 5

[[programmes]]
id = "a"
membership = [{ unit = "580", from = 2024-01-01 }]

  [[programmes.layers]]
  id = "l"

[[programmes]]
id = "b"

  [[programmes.membership]]
  unit = "901"
  from = 2016-01-01
  to = 2019-12-31

  [[programmes.membership]]
  unit = "902"
  from = 2016-01-01

  [[programmes.layers]]
  id = "m"
"""


def test_without_membership_removes_both_forms_and_nothing_else() -> None:
    assert without_membership(CONFIG_TEXT) == """[app]
min_n = 5

[[programmes]]
id = "a"

  [[programmes.layers]]
  id = "l"

[[programmes]]
id = "b"

  [[programmes.layers]]
  id = "m\""""


def test_the_written_model_is_the_projects_with_every_programme_everywhere(
    tmp_path: Path, config: ChangeModelConfig
) -> None:
    assert any(p.membership for p in config.programmes)  # else this test proves nothing
    path, written = write_config(CONFIG_PATH, tmp_path)
    assert path.parent == tmp_path
    assert [p.membership for p in written.programmes] == [[] for _ in config.programmes]
    assert written == everywhere(config)
    assert [p.model_dump(exclude={"membership"}) for p in written.programmes] == [
        p.model_dump(exclude={"membership"}) for p in config.programmes]


def test_a_membership_written_another_way_stops_the_bench(tmp_path: Path) -> None:
    text = CONFIG_PATH.read_text(encoding="utf-8").replace(
        'membership = [{ unit = "580", from = 2024-01-01 }]',
        'membership = [\n  { unit = "580", from = 2024-01-01 },\n]', 1)
    source = tmp_path / "source.toml"
    source.write_text(text, encoding="utf-8")
    (tmp_path / "out").mkdir()
    with pytest.raises(ValueError, match="every membership removed"):
        write_config(source, tmp_path / "out")


PLAN = PagePlan("lag-x", {"side": "lag-x"}, ("Lag X", "X1 · Boks"), "cm-tile", 2, "trend_",
                tables=1)
RENDERED = Shown(headings=["Filtre", "Lag X", "X1 · Boks"],
                 markdown=['<div class="cm-tile">a</div>', '<div class="cm-tile">b</div>', "c"],
                 charts=["trend_X1_a"], tables=1)


def test_a_page_with_its_own_headings_and_content_is_the_page() -> None:
    assert missing(PLAN, RENDERED) == []


@pytest.mark.parametrize(("shown", "lack"), [
    # the default page instead of the chosen one (what the old bench timed)
    (Shown(headings=["Filtre", "En bedre chance i livet"], markdown=[], charts=[], tables=0),
     ["heading 'Lag X'", "heading 'X1 · Boks'", "2 elements with 'cm-tile' (found 0)",
      "a chart keyed 'trend_'…", "1 tables (found 0)"]),
    (Shown(headings=["Lag X", "X1 · Boks"], markdown=RENDERED.markdown[:1],
           charts=["trend_X1_a"], tables=1),
     ["2 elements with 'cm-tile' (found 1)"]),
    (Shown(headings=["Lag X", "X1 · Boks"], markdown=RENDERED.markdown, charts=["own_X1"],
           tables=1, errors=["Der opstod en uventet fejl"]),
     ["error 'Der opstod en uventet fejl'", "a chart keyed 'trend_'…"]),
])
def test_a_page_that_lacks_its_content_is_not_the_page(shown: Shown, lack: list[str]) -> None:
    assert missing(PLAN, shown) == lack


def test_before_the_widgets_are_set_only_headings_and_errors_count() -> None:
    shown = Shown(headings=["Lag X", "X1 · Boks"])
    assert missing(PLAN, shown, content=False) == []
    assert missing(PLAN, Shown(headings=["Lag X"]), content=False) == ["heading 'X1 · Boks'"]


def test_the_plan_has_every_page_an_admin_can_open(config: ChangeModelConfig) -> None:
    plans = page_plans(everywhere(config), institution=("580-001", "Børnehuset Solsikken"))
    assert [p.query.get("side", "") for p in plans] == [
        "", "lag-aktiviteter", "lag-kort-sigt", "lag-mellemlang-sigt", "lag-lang-sigt",
        "dagtilbud", "dagtilbud", "dagtilbud", "moede", "kommuner", "ordforklaring", "indlaes",
        "log", "brugere"]
    assert plans[0].count == 15  # the overview's boxes
    assert plans[9].query == {"side": "kommuner", "program": "socialstyrelsen"}
    assert plans[7].query["enhed"] == "580-001"
    assert plans[7].markup == "Børnehuset Solsikken · "


def _figures(*, sessions: dict, warm: float) -> dict:
    phases = {"read_seconds": 1.0, "compute_seconds": 2.0, "write_seconds": 1.0}
    return {
        "institutions": 40.0, "data_version_ms": 0.1, "page_chain_ms": 3.0,
        "page_ranking_ms": 4.0, "scale": 1.0, "years": 3, "store": "SQLite",
        "bench_seconds": 660.0,
        "steps": {
            "build": {"rows": {"child": 2500, "assessment": 7500}, "write_seconds": 1.5,
                      "first_refresh_seconds": 20.0, "peak_mb": 300.0},
            "refresh": {"seconds": 12.0, **phases, "audit_seconds": 6.0, "workers": 2,
                        "analyses_seconds": 2.0, "peak_mb": 310.0},
            "plain": {"reader": "adbc-sqlite", "seconds": 4.0, **phases, "peak_mb": 290.0},
            "plain-suppressed": {"reader": "adbc-sqlite", "seconds": 6.0, **phases,
                                 "peak_mb": 295.0},
            "check": {"identical": True, "peak_mb": 280.0},
            "pages": {"user": "admin", "peak_mb": 360.0, "pages": {
                "oversigt": {"cold_ms": 900.0, "warm_ms": 40.0, "cold_apptest_ms": 905.0,
                             "warm_apptest_ms": 43.0},
                "lag-a": {"cold_ms": 300.0, "warm_ms": warm, "cold_apptest_ms": 304.0,
                          "warm_apptest_ms": warm + 5.0}}},
            "sessions": {**sessions, "peak_mb": 60.0},
            "incremental": {"rows": 58, "seconds": 7.0, "period": "2026H2", "peak_mb": 299.0},
        },
    }


MEASURED = {"sessions": 5, "username": "admin", "per_session_mb": 2.5,
            "not_returned_per_session_mb": 0.4, "kept_per_session_mb": 1.5,
            "server_start_mb": 240.0, "baseline_mb": 340.0, "open_mb": 352.5,
            "after_mb": 342.0, "server_peak_mb": 355.0}


def test_the_table_says_what_is_met_against_the_issues_targets() -> None:
    rows = {r[0]: r[1:] for r in figure_rows(_figures(sessions=MEASURED, warm=151.0))
            if not isinstance(r, str)}
    assert rows["oversigt"] == ("900 / 40", "≤ 1.000 / ≤ 150", "ja")
    assert rows["lag-a"] == ("300 / 151", "≤ 1.000 / ≤ 150", "NEJ")
    assert rows["langsomste side, kold / varm"] == ("900 / 151", "≤ 1.000 / ≤ 150", "NEJ")
    assert rows["  AppTests eget tillæg pr. kørsel, ikke med (ms)"][0] == "4"  # median of 3, 5
    assert rows["hukommelse pr. åben session (MB)"] == ("2,5", "≤ 10", "ja")
    assert rows["ikke givet tilbage efter lukning, pr. session (MB)"] == ("0,4", "≤ 1", "ja")
    assert rows["vækst over en ny runde, pr. session (MB)"] == ("1,5", "≤ 1", "NEJ")
    assert rows["genberegning / plan med sek. diskretion"] == ("2,00×", "≤ 1,25×", "NEJ")
    assert rows["genberegning / plan uden sek. diskretion"][0] == "3,00×"
    assert rows["genberegning, i alt (s)"] == ("12,0", "≤ 45", "ja")
    assert rows["  top-hukommelse i genberegningen (MB)"] == ("310", "≤ 1.536", "ja")
    assert rows["indlæsning af ét dagtilbuds halvår (s)"] == ("7,00", "≤ 5", "NEJ")
    assert rows["  tid i læs / beregn / revision / analyser / skriv, summeret over 2 tråde (s)"][
        0] == "1,00 / 2,00 / 6,00 / 2,00 / 1,00"
    assert rows["bench, ende til ende (min)"] == ("11,0", "≤ 10", "NEJ")
    assert rows["sessions: serveren (VmHWM)"][0] == "355"
    table = format_table(figure_rows(_figures(sessions=MEASURED, warm=100.0)))
    assert table.splitlines()[0].split() == ["figur", "målt", "mål", "opfyldt?"]
    assert "langsomste side, kold / varm" in table and "NEJ" in table  # the bench's 11 min


def test_sessions_that_could_not_be_measured_say_why() -> None:
    rows = {r[0]: r[1:] for r in figure_rows(_figures(
        sessions={"skipped": "/usr/bin/chromium findes ikke"}, warm=100.0))
        if not isinstance(r, str)}
    assert rows["hukommelse pr. åben session (MB)"] == (
        "ikke målt: /usr/bin/chromium findes ikke", "≤ 10", "?")
