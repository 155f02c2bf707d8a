"""Comments, decisions and follow-ups in a real store: history, role rules, scope, due dates."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from data_access.db import get_engine
from data_access.interpretations import (
    NotAllowed,
    add_interpretation,
    edit_interpretation,
    load_history,
    load_interpretations,
    may_write,
    open_followups,
    withdraw_interpretation,
)
from data_access.meeting_models import Interpretation
from data_access.meeting_store import find_view, load_views, save_view
from data_access.scope import Scope, scope_for_codes
from demo.generator import DemoSpec
from demo.meeting import STANDARD_VIEW
from indicators.meeting import order_followups
from pipeline.demo_store import build_demo_store

PROGRAMME = "aabenraa"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, config) -> Engine:
    url = f"sqlite:///{tmp_path_factory.mktemp('meeting') / 'store.sqlite'}"
    engine = get_engine(url)
    build_demo_store(engine, config, DemoSpec(scale=0.25, years=2))
    return engine


@pytest.fixture(scope="module")
def municipality(store: Engine) -> Scope:
    return scope_for_codes(store, ["580"])


def new_note(store: Engine, scope: Scope, *, kind: str = "kommentar", username: str = "leder",
             roles: tuple[str, ...] = ("leder",), unit_id: int | None = None, **extra) -> int:
    return add_interpretation(
        store, scope=scope, username=username, roles=roles, programme_id=PROGRAMME,
        box_id="A1", indicator_id="A1_sessions", unit_id=unit_id or scope.root_ids[0],
        period="2026H2", kind=kind, text=extra.pop("text", "Første udgave"), **extra)


def test_role_rules() -> None:
    for role in ("admin", "leder", "styregruppe", "konsulent"):
        assert may_write((role,), "kommentar") and may_write((role,), "opfoelgning")
    assert may_write(("styregruppe",), "beslutning") and may_write(("admin",), "beslutning")
    assert not may_write(("leder",), "beslutning") and not may_write(("konsulent",), "beslutning")
    assert not may_write((), "kommentar")


def test_create_and_read_back(store: Engine, municipality: Scope) -> None:
    note_id = new_note(store, municipality, text="Sessionerne er kommet godt i gang.")
    notes = load_interpretations(store, scope=municipality, programme_id=PROGRAMME)
    row = notes.filter(notes["id"] == note_id).row(0, named=True)
    assert row["text"] == "Sessionerne er kommet godt i gang."
    assert row["author"] == "leder" and row["kind"] == "kommentar" and row["version"] == 1
    assert row["box_id"] == "A1" and row["indicator_id"] == "A1_sessions"
    history = load_history(store, scope=municipality, interpretation_id=note_id)
    assert history["change"].to_list() == ["oprettet"]


def test_an_edit_keeps_every_version_in_the_history(store: Engine, municipality: Scope) -> None:
    note_id = new_note(store, municipality)
    edit_interpretation(store, scope=municipality, username="leder", roles=("leder",),
                        interpretation_id=note_id, text="Anden udgave")
    edit_interpretation(store, scope=municipality, username="admin", roles=("admin",),
                        interpretation_id=note_id, text="Tredje udgave")
    history = load_history(store, scope=municipality, interpretation_id=note_id)
    assert history["text"].to_list() == ["Første udgave", "Anden udgave", "Tredje udgave"]
    assert history["changed_by"].to_list() == ["leder", "leder", "admin"]
    assert history["version"].to_list() == [1, 2, 3]
    now = load_interpretations(store, scope=municipality, programme_id=PROGRAMME)
    row = now.filter(now["id"] == note_id).row(0, named=True)
    assert row["text"] == "Tredje udgave" and row["updated_by"] == "admin"


def test_only_the_author_or_an_admin_changes_the_text(store: Engine, municipality: Scope) -> None:
    note_id = new_note(store, municipality)
    with pytest.raises(NotAllowed):
        edit_interpretation(store, scope=municipality, username="konsulent",
                            roles=("konsulent",), interpretation_id=note_id, text="Ændret")


def test_withdraw_marks_the_note_and_keeps_it(store: Engine, municipality: Scope) -> None:
    note_id = new_note(store, municipality)
    with pytest.raises(NotAllowed):
        withdraw_interpretation(store, scope=municipality, username="konsulent",
                                roles=("konsulent",), interpretation_id=note_id)
    withdraw_interpretation(store, scope=municipality, username="leder", roles=("leder",),
                            interpretation_id=note_id)
    visible = load_interpretations(store, scope=municipality, programme_id=PROGRAMME)
    assert note_id not in visible["id"].to_list()
    everything = load_interpretations(store, scope=municipality, programme_id=PROGRAMME,
                                      include_withdrawn=True)
    row = everything.filter(everything["id"] == note_id).row(0, named=True)
    assert row["withdrawn"] and row["withdrawn_by"] == "leder" and row["withdrawn_at"]
    assert row["text"] == "Første udgave"  # the text is still there
    history = load_history(store, scope=municipality, interpretation_id=note_id)
    assert history["change"].to_list() == ["oprettet", "trukket_tilbage"]
    with pytest.raises(NotAllowed):  # a withdrawn note is frozen
        edit_interpretation(store, scope=municipality, username="leder", roles=("leder",),
                            interpretation_id=note_id, text="Igen")
    with store.connect() as conn:  # nothing was deleted
        assert conn.execute(sa.select(sa.func.count()).select_from(Interpretation)
                            .where(Interpretation.id == note_id)).scalar() == 1


def test_only_the_steering_group_and_admins_record_decisions(
    store: Engine, municipality: Scope
) -> None:
    for role in ("leder", "konsulent"):
        with pytest.raises(NotAllowed, match="beslutninger"):
            new_note(store, municipality, kind="beslutning", username=role, roles=(role,))
    decision = new_note(store, municipality, kind="beslutning", username="styregruppe",
                        roles=("styregruppe",), text="Vi fortsætter.")
    with pytest.raises(NotAllowed):  # not even an edit of someone else's decision
        edit_interpretation(store, scope=municipality, username="leder", roles=("leder",),
                            interpretation_id=decision, text="Vi stopper.")
    edit_interpretation(store, scope=municipality, username="admin", roles=("admin",),
                        interpretation_id=decision, text="Vi fortsætter i et år.")


def test_nobody_writes_or_reads_outside_their_scope(store: Engine, municipality: Scope) -> None:
    north = scope_for_codes(store, ["580-N"])
    south = scope_for_codes(store, ["580-S"])
    assert not north.is_empty and not south.is_empty
    with pytest.raises(NotAllowed, match="adgang"):
        new_note(store, north, unit_id=south.root_ids[0])
    in_south = new_note(store, south, text="Kun for Syd")
    assert in_south not in load_interpretations(store, scope=north,
                                                programme_id=PROGRAMME)["id"].to_list()
    assert in_south in load_interpretations(store, scope=municipality,
                                            programme_id=PROGRAMME)["id"].to_list()
    assert load_history(store, scope=north, interpretation_id=in_south).is_empty()
    with pytest.raises(NotAllowed):
        edit_interpretation(store, scope=north, username="admin", roles=("admin",),
                            interpretation_id=in_south, text="Fra Nord")


def test_follow_ups_have_owner_due_date_and_status(store: Engine, municipality: Scope) -> None:
    meeting = dt.date(2026, 11, 23)
    late = new_note(store, municipality, kind="opfoelgning", owner="Konsulent",
                    due_on=dt.date(2026, 11, 1), text="Sen")
    later = new_note(store, municipality, kind="opfoelgning", owner="Leder",
                     due_on=dt.date(2027, 1, 15), text="Senere")
    soon = new_note(store, municipality, kind="opfoelgning", owner="Leder",
                    due_on=dt.date(2026, 11, 20), text="Snart")
    done = new_note(store, municipality, kind="opfoelgning", owner="Leder",
                    due_on=dt.date(2026, 10, 1), text="Færdig")
    edit_interpretation(store, scope=municipality, username="styregruppe",
                        roles=("styregruppe",), interpretation_id=done, status="afsluttet")
    edit_interpretation(store, scope=municipality, username="konsulent", roles=("konsulent",),
                        interpretation_id=soon, status="i_gang")
    open_ = open_followups(store, scope=municipality, programme_id=PROGRAMME)
    ids = [i for i in open_["id"].to_list() if i in {late, later, soon, done}]
    assert ids == [late, soon, later]  # done is closed
    ordered = order_followups(open_, meeting_date=meeting)
    mine = ordered.filter(ordered["id"].is_in([late, later, soon]))
    assert mine["id"].to_list() == [late, soon, later]
    assert mine["due_before_meeting"].to_list() == [True, True, False]
    history = load_history(store, scope=municipality, interpretation_id=soon)
    assert history["status"].to_list() == ["aaben", "i_gang"]
    assert history["change"].to_list() == ["oprettet", "status"]
    with pytest.raises(ValueError):
        edit_interpretation(store, scope=municipality, username="leder", roles=("leder",),
                            interpretation_id=soon, status="glemt")


def test_empty_text_is_refused(store: Engine, municipality: Scope) -> None:
    with pytest.raises(ValueError):
        new_note(store, municipality, text="   ")


def test_saved_views_and_the_demo_standard_view(store: Engine, municipality: Scope) -> None:
    standard = find_view(store, scope=municipality, name=STANDARD_VIEW)
    assert standard is not None and standard["unit_code"] == "580"
    assert standard["period_to"] == "2026H2"
    save_view(store, scope=municipality, username="leder", name="Nord, 3-5 år",
              programme_id=PROGRAMME, period_from="2025H1", period_to="2026H1",
              unit_code="580-N", age_group="3-5", vulnerable_only=True)
    save_view(store, scope=municipality, username="leder", name="Nord, 3-5 år",
              programme_id=PROGRAMME, period_from="2025H2", period_to="2026H2",
              unit_code="580-N", age_group="3-5", vulnerable_only=True)  # replaced, not doubled
    views = load_views(store, scope=municipality, programme_id=PROGRAMME)
    assert views["name"].to_list().count("Nord, 3-5 år") == 1
    assert find_view(store, scope=municipality, name="Nord, 3-5 år")["period_from"] == "2025H2"
    # Someone else cannot overwrite it by saving under the same name.
    with pytest.raises(ValueError):
        save_view(store, scope=municipality, username="konsulent", name="Nord, 3-5 år",
                  programme_id=PROGRAMME, period_from="2025H1", period_to="2026H1",
                  unit_code="580", age_group="alle", vulnerable_only=False)
