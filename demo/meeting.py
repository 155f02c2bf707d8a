"""The demo store's meeting material: the steering group's standard view and a few notes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.engine import Engine

from core.model_config import ChangeModelConfig
from core.settings import DEFAULT_STANDARD_VIEW
from data_access.analytics import available_periods
from data_access.interpretations import add_interpretation
from data_access.meeting_store import save_view
from data_access.scope import scope_for_codes

STANDARD_VIEW = DEFAULT_STANDARD_VIEW  # the view the meeting opens (Settings.standard_view)
MUNICIPALITY_CODE = "580"


def seed_meeting(engine: Engine, config: ChangeModelConfig) -> None:
    programme = config.programmes[0]
    periods = available_periods(engine, programme_id=programme.id)
    if not periods:
        return
    scope = scope_for_codes(engine, [MUNICIPALITY_CODE])
    if scope.is_empty:
        return
    save_view(engine, scope=scope, username="styregruppe", name=STANDARD_VIEW,
              programme_id=programme.id, period_from=periods[max(0, len(periods) - 4)],
              period_to=periods[-1], unit_code=MUNICIPALITY_CODE, age_group="alle",
              vulnerable_only=False)
    unit_id = scope.root_ids[0]
    last, previous = periods[-1], periods[max(0, len(periods) - 2)]
    first_box = programme.layers[0].boxes[0]
    common: dict[str, Any] = dict(scope=scope, programme_id=programme.id, unit_id=unit_id)
    add_interpretation(
        engine, **common, username="konsulent", roles=("konsulent",), box_id=first_box.id,
        indicator_id=first_box.headline.id, period=last, kind="kommentar",
        text="Færre sessioner i efteråret skyldes sygdom i PPR; forventes at rette sig.")
    add_interpretation(
        engine, **common, username="styregruppe", roles=("styregruppe",), box_id=first_box.id,
        indicator_id=None, period=previous, kind="beslutning",
        text="Åben rådgivning udvides til alle dagtilbud i Område Syd fra næste halvår.")
    add_interpretation(
        engine, **common, username="styregruppe", roles=("styregruppe",),
        box_id=programme.layers[1].boxes[0].id, indicator_id=None, period=last,
        kind="opfoelgning", text="Plan for de sidste aktionslæringsdage fremlægges.",
        owner="Pædagogisk konsulent", due_on=dt.date.today() + dt.timedelta(days=14))
