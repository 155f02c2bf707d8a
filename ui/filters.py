"""The sidebar filters, kept in the URL so a leader can send a link to exactly this view.

URL keys: ``program``, ``fra``, ``til``, ``enhed`` (org-unit code), ``alder`` (alle / 0-2 / 3-5),
``udsatte`` (1 = children in vulnerable positions only); ``side`` (the page) is added by
``ui.navigation``.

The page is known before the filters are drawn (``app.py``): the navigation needs only the
programme (:func:`chosen_programme`), and pages that show no data (the admin pages,
:data:`PAGES_WITHOUT_FILTERS`) get no filters at all; :func:`keep_filters` keeps the filters'
state meanwhile, so going back to a data page shows the same view. A link whose programme,
period or unit is unknown or outside the viewer's scope says so (in Danish) instead of silently
showing something else.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
import streamlit as st

from core.model_config import ChangeModelConfig, ProgrammeSpec
from indicators.membership import (
    Member,
    active_members,
    programmes_for_units,
    running_unit_ids,
)
from indicators.periods import period_bounds, period_label
from ui import cache, session
from ui.context import Viewer

AGE_GROUPS = {"alle": "Alle aldre", "0-2": "0-2 år", "3-5": "3-5 år"}
LEVEL_LABELS = {"national": "Land", "municipality": "Kommune", "area": "Område",
                "institution": "Dagtilbud"}
ALL = "__alle__"
# The url paths (ui/navigation.py) of the pages that show no data and so get no data filters
PAGES_WITHOUT_FILTERS = frozenset({"indlaes", "log", "brugere"})
# Widget state kept while a page without filters is shown (f_periods is not kept: the period
# range is kept by ui.session, and the slider is drawn with a value)
_KEPT_PREFIX = "f_"


@dataclass(frozen=True)
class Filters:
    programme: ProgrammeSpec
    period_from: str
    period_to: str
    unit_id: int
    unit_name: str
    unit_level: str
    age_group: str
    vulnerable_only: bool
    periods: tuple[str, ...]  # all periods with data, for pickers

    def description(self) -> str:
        span = f"{period_label(self.period_from)} – {period_label(self.period_to)}"
        parts = [self.unit_name, span]
        if self.age_group != "alle":
            parts.append(AGE_GROUPS[self.age_group])
        if self.vulnerable_only:
            parts.append("kun børn i udsatte positioner")
        return " · ".join(parts)


def _init(key: str, value: object) -> None:
    """Seed a widget's state once: from the URL on the first run of a session."""
    if key not in st.session_state:
        st.session_state[key] = value


def needs_filters(url_path: str) -> bool:
    """Whether the page at ``url_path`` shows data and so gets the sidebar's filters."""
    return url_path not in PAGES_WITHOUT_FILTERS


def keep_filters() -> None:
    """On a page without filters: keep the filter widgets' state (Streamlit drops the state of
    widgets not drawn in a run), so the data pages show the same view afterwards."""
    _reassign_filter_state()
    session.set_filters_kept(True)


def _reassign_filter_state() -> None:
    """Set each filter widget's state to itself: kept when the widget is not drawn, and sent to
    the browser when it is drawn in the same run (else the browser shows the widget's default
    while the server holds the kept value)."""
    for key in [k for k in st.session_state if str(k).startswith(_KEPT_PREFIX)]:
        if key not in ("f_periods", "f_from", "f_to"):
            st.session_state[key] = st.session_state[key]


def chosen_programme(config: ChangeModelConfig, viewer: Viewer, url: str,
                     version: int) -> ProgrammeSpec | None:
    """The programme of this run, before any filter is drawn (the navigation needs its layers):
    the picker's state, else the URL's, else the viewer's first; None when none runs in the
    viewer's units."""
    units = cache.org_units(url, viewer.scope, version)
    context = with_ancestors(units, url, version)
    ids = [p.id for p in _programmes_for(config, viewer, units, context)]
    if not ids:
        return None
    for wanted in (st.session_state.get("f_programme"), st.query_params.get("program")):
        if wanted in ids:
            return config.programme(wanted)
    return config.programme(ids[0])


def sidebar_filters(config: ChangeModelConfig, viewer: Viewer, url: str,
                    version: int) -> Filters | None:
    """Draw the filters; return None (after a Danish message) when there is nothing to show.
    A link naming a programme, period or unit that is unknown or outside the viewer's scope
    gets a Danish warning above the page saying what is shown instead."""
    params = st.query_params
    sidebar = st.sidebar
    sidebar.header("Filtre", anchor=False)
    notices: list[str] = []
    if session.filters_kept():  # back from a page without filters: show the kept values
        session.set_filters_kept(False)
        _reassign_filter_state()

    # 1. Programme: only those running in the viewer's units (or above them)
    units = cache.org_units(url, viewer.scope, version)
    context = with_ancestors(units, url, version)
    ids = [p.id for p in _programmes_for(config, viewer, units, context)]
    if not ids:
        st.info("Ingen programmer kører i dine enheder.")
        return None
    if "f_programme" not in st.session_state:
        wanted = params.get("program")
        if wanted and wanted not in ids:
            notices.append(f"Programmet «{wanted}» i linket findes ikke eller kører ikke i dine "
                           f"enheder. Du ser {config.programme(ids[0]).title}.")
        _init("f_programme", wanted if wanted in ids else ids[0])
    programme_id = sidebar.selectbox(
        "Program", ids, key="f_programme", placeholder="Vælg et program",
        format_func=lambda pid: config.programme(pid).title,
    )
    programme = config.programme(programme_id)

    # 2. Periods
    periods = _running_periods(programme, units, context,
                               cache.periods(url, programme_id, version))
    if not periods:
        st.info("Ingen data for programmet endnu. En administrator kan indlæse data.")
        return None
    default_from = periods[max(0, len(periods) - 6)]
    from_url = session.period_range() is None
    kept = session.period_range() or (params.get("fra"), params.get("til"))
    start = kept[0] if kept[0] in periods else default_from
    end = kept[1] if kept[1] in periods else periods[-1]
    unknown = [p for p in kept if from_url and p and p not in periods]
    if unknown:
        notices.append(f"Perioden «{'», «'.join(unknown)}» i linket findes ikke for "
                       f"{programme.title}. Du ser {period_label(start)} – {period_label(end)}.")
    period_from, period_to = sidebar.select_slider(
        "Periode", options=periods, value=(start, end), format_func=period_label,
        key="f_periods",
    )
    session.set_period_range(period_from, period_to)

    # 3. Org units: one picker per level below the viewer's top units, only where the programme
    # runs in the chosen periods
    units = running_units(programme, units, context, period_from, period_to)
    if viewer.aggregates_only:
        units = units.filter(pl.col("level") != "institution")
    if units.is_empty():
        st.warning("Din bruger har ikke adgang til nogen enheder. Kontakt en administrator.")
        return None
    url_code = params.get("enhed")
    first_time = not any(str(k).startswith("f_unit_") for k in st.session_state)
    selected = _unit_pickers(units, url_code)
    if first_time and url_code and url_code not in set(units["code"].to_list()):
        # Not told apart: a unit that does not exist and one outside the viewer's scope
        notices.append(f"Enheden «{url_code}» i linket findes ikke eller er ikke blandt de "
                       f"enheder, du har adgang til. Du ser {selected['name']}.")

    # 4. Children
    _init("f_age", params.get("alder") if params.get("alder") in AGE_GROUPS else "alle")
    age_group = sidebar.radio("Aldersgruppe", list(AGE_GROUPS), key="f_age",
                              format_func=AGE_GROUPS.get, horizontal=True)
    _init("f_vulnerable", params.get("udsatte") == "1")
    vulnerable_only = sidebar.toggle("Kun børn i udsatte positioner", key="f_vulnerable")

    for notice in notices:
        st.warning(notice, icon=":material/link_off:")
    st.query_params.update({
        "program": programme_id, "fra": period_from, "til": period_to,
        "enhed": selected["code"], "alder": age_group, "udsatte": "1" if vulnerable_only else "0",
    })
    return Filters(
        programme=programme, period_from=period_from, period_to=period_to,
        unit_id=selected["id"], unit_name=selected["name"], unit_level=selected["level"],
        age_group=age_group, vulnerable_only=vulnerable_only, periods=tuple(periods),
    )


def with_ancestors(units: pl.DataFrame, url: str, version: int) -> pl.DataFrame:
    """The units in scope and every unit above them (names and codes only, for membership)."""
    frames = [units]
    for top in units.filter(~pl.col("parent_id").is_in(units["id"].implode())
                            | pl.col("parent_id").is_null())["id"].to_list():
        frames.append(cache.ancestors(url, top, version).select(units.columns))
    return pl.concat(frames).unique("id", keep="first").sort("path")


def _programmes_for(config: ChangeModelConfig, viewer: Viewer, units: pl.DataFrame,
                    context: pl.DataFrame) -> list[ProgrammeSpec]:
    """The programmes whose membership touches the viewer's units or the units above them; a
    national user gets only national programmes (``indicators.membership``)."""
    national_only = viewer.scope.lowest_level == "municipality"
    return programmes_for_units(config.programmes, context["code"].to_list(),
                                national_only=national_only)


def running_units(programme: ProgrammeSpec, units: pl.DataFrame, context: pl.DataFrame,
                   period_from: str, period_to: str) -> pl.DataFrame:
    """The units in scope where ``programme`` runs in the chosen periods (its membership)."""
    members = [Member(m.unit, m.start, m.end) for m in programme.membership]
    running = running_unit_ids(context, members, top_level=programme.top_level,
                               first_day=period_bounds(period_from)[0],
                               last_day=period_bounds(period_to)[1])
    return units if running is None else units.filter(pl.col("id").is_in(list(running)))


def _running_periods(programme: ProgrammeSpec, units: pl.DataFrame, context: pl.DataFrame,
                     periods: list[str]) -> list[str]:
    """The programme's periods in which it runs in one of the viewer's units."""
    members = [Member(m.unit, m.start, m.end) for m in programme.membership]
    running: dict[tuple, bool] = {}  # one tree per distinct set of active memberships
    out = []
    for period in periods:
        first_day, last_day = period_bounds(period)
        active = active_members(members, first_day=first_day, last_day=last_day)
        if active not in running:
            running[active] = not running_units(programme, units, context, period,
                                                 period).is_empty()
        if running[active]:
            out.append(period)
    return out


def _unit_pickers(units: pl.DataFrame, url_code: str | None) -> dict:
    """Cascading pickers (Kommune → Område → Dagtilbud) over the units in scope."""
    by_id = {row["id"]: row for row in units.iter_rows(named=True)}
    in_scope = set(by_id)
    tops = [r for r in by_id.values() if r["parent_id"] not in in_scope]
    preset = next((r for r in by_id.values() if r["code"] == url_code), None)
    chain = _chain(preset, by_id) if preset else []
    if len(tops) == 1:
        current = tops[0]
    else:
        current = _pick(LEVEL_LABELS.get(tops[0]["level"], "Enhed"), tops, chain, "f_unit_top",
                        allow_all=False) or tops[0]  # without "all" a unit is always picked
    while True:
        children = [r for r in by_id.values() if r["parent_id"] == current["id"]]
        if not children:
            return current
        label = LEVEL_LABELS.get(children[0]["level"], "Enhed")
        choice = _pick(label, children, chain, f"f_unit_{current['id']}", allow_all=True)
        if choice is None:
            return current
        current = choice


def _chain(unit: dict | None, by_id: dict) -> list[int]:
    chain = []
    while unit is not None:
        chain.append(unit["id"])
        unit = by_id.get(unit["parent_id"])
    return chain


def _pick(label: str, options: list[dict], chain: list[int], key: str,
          *, allow_all: bool) -> dict | None:
    ids = ([ALL] if allow_all else []) + [r["id"] for r in sorted(options, key=lambda r: r["name"])]
    preset = next((i for i in ids if i in chain), ids[0])
    _init(key, preset)
    if st.session_state[key] not in ids:
        st.session_state[key] = ids[0]
    names = {r["id"]: r["name"] for r in options}
    everything = f"Alle ({label.lower()}r)" if label != "Dagtilbud" else "Alle dagtilbud"
    chosen = st.sidebar.selectbox(
        label, ids, key=key, placeholder="Vælg",
        format_func=lambda i: everything if i == ALL else names[i]
    )
    return None if chosen == ALL else next(r for r in options if r["id"] == chosen)
