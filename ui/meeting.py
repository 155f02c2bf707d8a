"""The steering group's meeting on screen: presentation styling, the summary, one layer at a
time, the meeting pack and the last meeting's pack."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html import escape

import polars as pl
import streamlit as st

from charts.presentation import readable_chart, trend_alt, trend_table
from charts.tiles import TILE_CSS, box_tile_html
from charts.trend import trend_chart, trend_series
from core.model_config import LayerSpec
from data_access.interpretations import open_followups
from data_access.meeting_store import load_pack_html, load_packs
from indicators.format import (
    format_change,
    format_date,
    format_datetime,
    format_value,
    plain_text,
)
from indicators.meeting import (
    FOLLOWUP_LABELS,
    biggest_moves,
    clamp_step,
    order_followups,
    status_counts,
)
from indicators.periods import period_label, periods_between
from indicators.status import STATUS_COLOURS, STATUS_LABELS, STATUS_TEXT_COLOURS
from indicators.summary import snapshot
from reports.assemble import PackRequest, make_and_archive, pack_filename
from ui import cache, session
from ui.context import app_settings, change_model, current_viewer, engine, indicator_metas
from ui.figures import chart_with_table
from ui.filters import Filters
from ui.interpretations import interpretation_panel
from ui.views import data_version

PRESENTATION_CSS = """
<style>
[data-testid="stMainBlockContainer"] { max-width: 100%; padding: 2.5rem 2rem 2rem 2rem; }
[data-testid="stMainBlockContainer"] [data-testid="stMarkdownContainer"] p,
[data-testid="stMainBlockContainer"] [data-testid="stMarkdownContainer"] li {
  font-size: 1.3rem; line-height: 1.45; color: #111; }
[data-testid="stMainBlockContainer"] h1 { font-size: 2.4rem; color: #0b2e4f; padding-top: 0; }
[data-testid="stMarkdownContainer"] h2.mt-section, .mt-section { padding: 0; font-size: 2.6rem;
  font-weight: 800; color: #0b2e4f; margin: .2rem 0 .6rem 0;
  border-bottom: 5px solid #0b4f8a; line-height: 1.2; overflow-wrap: anywhere; }
.mt-counts { width: 100%; border-collapse: separate; border-spacing: .35rem; font-size: 1.3rem;
  table-layout: fixed; }
.mt-counts th { text-align: left; color: #0b2e4f; font-weight: 700; padding: .2rem .4rem; }
.mt-counts th.s { text-align: center; border-radius: 8px; background: var(--s); color: var(--t);
  font-size: 1.1rem; }
.mt-counts td { text-align: center; font-size: 2rem; font-weight: 800; border-radius: 8px;
  border: 3px solid var(--s); color: #111; padding: .1rem; }
.mt-counts td.zero { color: #5b6370; font-weight: 600; }
.mt-counts th.layer { width: 34%; }
.mt-statement { background: #eef2f6; color: #0b2e4f; border-left: 6px solid #0b4f8a;
  padding: .45rem .8rem; font-size: 1.25rem; margin: .2rem 0 .6rem 0; }
.mt-step { font-size: 1.3rem; font-weight: 700; color: #333; text-align: center;
  padding-top: .35rem; }
[data-testid="stMainBlockContainer"] .cm-tile h4 { font-size: 1.35rem; }
[data-testid="stMainBlockContainer"] .cm-tile .cm-ind,
[data-testid="stMainBlockContainer"] .cm-tile .cm-change,
[data-testid="stMainBlockContainer"] .cm-target { font-size: 1.05rem; }
[data-testid="stMainBlockContainer"] .cm-tile .cm-value { font-size: 2.2rem; }
[data-testid="stMainBlockContainer"] .cm-badge { font-size: 1.05rem; }
[data-testid="stMainBlockContainer"] button p { font-size: 1.2rem; }
[data-testid="stMainBlockContainer"] button[kind="primary"]:not(:disabled),
[data-testid="stMainBlockContainer"] button[kind="primary"]:not(:disabled) p {
  color: #ffffff !important; }
</style>
"""


SIDEBAR = "__sidepanel__"  # the meeting shows the sidebar's filters instead of a saved view
VIEW_KEY = session.MEETING_VIEW  # the widget that chooses what the meeting shows


@dataclass(frozen=True)
class MeetingView:
    """What the meeting shows: one set of filters for the summary, every section and the pack."""

    filters: Filters
    unit_code: str
    view_name: str | None  # the saved view's name, None for the sidebar's filters

    def statement(self) -> str:
        """The filters in words, as every section and the pack state them."""
        text = f"{self.filters.programme.title} · {self.filters.description()}"
        return text + (f" · visning: {self.view_name}" if self.view_name else
                       " · filtrene i sidepanelet")

    def statement_html(self) -> str:
        what = (f"visningen <b>{escape(self.view_name)}</b>" if self.view_name
                else "<b>filtrene i sidepanelet</b>")
        # A short part (a unit, "1. halvår 2025 – 2. halvår 2026") never breaks inside
        parts = [f'<span style="white-space:nowrap">{escape(p)}</span>' if len(p) <= 40
                 else escape(p) for p in self.filters.description().split(" · ")]
        return (f"Mødet viser {what}: {escape(self.filters.programme.title)} · "
                + " · ".join(parts))


def filters_from_view(view: dict, sidebar: Filters) -> tuple[Filters, str] | None:
    """The saved view as :class:`Filters` for this viewer, or None when its unit is not theirs
    (or its programme or periods are unknown)."""
    viewer = current_viewer()
    url = app_settings().database_url
    try:
        programme = (sidebar.programme if view["programme_id"] == sidebar.programme.id
                     else change_model().programme(view["programme_id"]))
    except KeyError:
        return None
    units = cache.org_units(url, viewer.scope, data_version())
    if viewer.aggregates_only:
        units = units.filter(pl.col("level") != "institution")
    unit = units.filter(pl.col("code") == view["unit_code"])
    periods = cache.periods(url, programme.id, data_version())
    if unit.is_empty() or view["period_from"] not in periods or view["period_to"] not in periods:
        return None
    row = unit.row(0, named=True)
    return Filters(
        programme=programme, period_from=view["period_from"], period_to=view["period_to"],
        unit_id=row["id"], unit_name=row["name"], unit_level=row["level"],
        age_group=view["age_group"], vulnerable_only=bool(view["vulnerable_only"]),
        periods=tuple(periods),
    ), row["code"]


def choose_meeting_view(sidebar: Filters, views: pl.DataFrame) -> MeetingView:
    """"Mødet viser": the standard view by default, another saved view, or the sidebar's
    filters. The choice is the meeting's one source of filters."""
    names = views["name"].to_list()
    standard = app_settings().standard_view
    options = [*names, SIDEBAR]
    if session.meeting_view_choice() not in options:
        session.set_meeting_view_choice(standard if standard in names else SIDEBAR)
    choice = st.selectbox(
        "Mødet viser", options, key=VIEW_KEY, placeholder="Vælg en visning",
        format_func=lambda n: "Filtrene i sidepanelet" if n == SIDEBAR else f"Visning: {n}")
    own = MeetingView(sidebar, str(st.query_params.get("enhed", "")), None)
    if choice == SIDEBAR:
        return own
    built = filters_from_view(views.filter(pl.col("name") == choice).row(0, named=True), sidebar)
    if built is None:
        st.warning(f"Visningen «{plain_text(choice)}» viser en enhed eller periode, du ikke har "
                   "adgang til eller som ikke findes. Mødet viser filtrene i sidepanelet.")
        return own
    return MeetingView(built[0], built[1], choice)


def select_view(row: dict) -> None:
    """A saved view opened from the sidebar on the meeting page: the meeting shows it."""
    session.set_meeting_view_choice(row["name"])


def walk_controls(titles: list[str]) -> int:
    """"Forrige" / "Næste" over the sections; returns the section to show."""
    count = len(titles)
    index = clamp_step(session.meeting_section(), 0, count)
    session.set_meeting_section(index)

    def step(by: int) -> None:  # a callback: runs before the rerun draws the buttons
        session.set_meeting_section(clamp_step(session.meeting_section(), by, count))

    left, middle, right = st.columns([1, 3, 1], vertical_alignment="center")
    left.button("Forrige", icon=":material/arrow_back:", disabled=index == 0, width="stretch",
                key="meeting_prev", on_click=step, args=(-1,))
    right.button("Næste", icon=":material/arrow_forward:", disabled=index == count - 1,
                 width="stretch", key="meeting_next", type="primary", on_click=step, args=(1,))
    middle.markdown(f'<div class="mt-step">{index + 1} af {len(titles)} · '
                    f"{titles[index]}</div>", unsafe_allow_html=True)
    return index


def previous_packs(packs: pl.DataFrame, meeting_date: dt.date) -> pl.DataFrame:
    """Packs for meetings before ``meeting_date``, the last meeting's newest pack first."""
    return (packs.filter(pl.col("meeting_date") < meeting_date)
            .sort("meeting_date", "created_at", "id", descending=True))


def nobreak(text: str) -> str:
    """A number and its unit on one line: no break before the unit or inside "pct.-point"
    (a no-break space and a word joiner after the hyphen).

    >>> nobreak("−1,9 pct.-point") == "−1,9\u00a0pct.-\u2060point"
    True
    """
    return text.replace(" pct.-point", "\u00a0pct.-\u2060point").replace(" %", "\u00a0%")


def counts_table(counts: pl.DataFrame, titles: dict[str, str]) -> str:
    """Layers as rows, statuses as columns, with large numbers."""
    head = "".join(
        f'<th class="s" style="--s:{STATUS_COLOURS[s]};--t:{STATUS_TEXT_COLOURS[s]}">'
        f"{STATUS_LABELS[s]}</th>" for s in STATUS_LABELS)
    body = "".join(
        f'<tr><th class="layer">{titles[r["layer_id"]]} ({r["total"]} bokse)</th>'
        + "".join(f'<td class="{"zero" if r[s] == 0 else ""}" '
                  f'style="--s:{STATUS_COLOURS[s]}">{r[s]}</td>' for s in STATUS_LABELS)
        + "</tr>" for r in counts.iter_rows(named=True))
    return f'<table class="mt-counts"><tr><th class="layer">Lag</th>{head}</tr>{body}</table>'


def summary_section(filters: Filters, values: pl.DataFrame, meeting_date: dt.date) -> None:
    programme = filters.programme
    st.markdown('<h2 class="mt-section">Resumé</h2>', unsafe_allow_html=True)
    layers = {lay.id: [b.headline.id for b in lay.boxes] for lay in programme.layers}
    counts = status_counts(values, layers, unit_id=filters.unit_id, period=filters.period_to)
    titles = {lay.id: lay.title for lay in programme.layers}
    st.markdown(counts_table(counts, titles), unsafe_allow_html=True)
    metas = indicator_metas(programme)
    left, right = st.columns(2, gap="large")
    left.subheader("Største ændringer siden forrige periode", anchor=False)
    moves = biggest_moves(values, metas, unit_id=filters.unit_id, period=filters.period_to)
    for r in moves.iter_rows(named=True):
        meta = metas[r["indicator_id"]]
        box = programme.box_of(r["indicator_id"])[1]
        arrow = "▲ bedre" if r["improved"] else "▼ dårligere"
        left.markdown(f"**{box.id} · {meta.name}**: "
                      f"{nobreak(format_value(r['previous_value'], meta.unit))}"
                      f" → **{nobreak(format_value(r['value'], meta.unit))}** "
                      f"({nobreak(format_change(r['change'], meta.unit))}, {arrow})")
    if moves.is_empty():
        left.markdown("Ingen sammenlignelige ændringer.")
    right.subheader("Opfølgninger", anchor=False)
    viewer = current_viewer()
    followups = order_followups(open_followups(
        engine(), scope=viewer.scope, programme_id=programme.id, unit_ids=(filters.unit_id,)),
        meeting_date=meeting_date)
    for r in followups.iter_rows(named=True):
        due = format_date(r["due_on"]) if r["due_on"] else "ingen frist"
        flag = "**Forfalden før mødet** · " if r["due_before_meeting"] else ""
        right.markdown(f"{flag}Frist {due} · {plain_text(r['owner']) or '–'} · "
                       f"{plain_text(r['box_id'])}: {plain_text(r['text'])} "
                       f"({FOLLOWUP_LABELS.get(r['status'] or '', '')})")
    if followups.is_empty():
        right.markdown("Ingen åbne opfølgninger.")


def layer_section(layer: LayerSpec, filters: Filters, values: pl.DataFrame,
                  names: dict[int, str], notes: pl.DataFrame) -> None:
    """One layer: per box its tile, the headline's trend (``names``: the chosen unit first, then
    its benchmarks) and the notes."""
    withheld = app_settings().withheld_text
    st.markdown(f'<h2 class="mt-section">{layer.title} · {period_label(filters.period_to)}'
                "</h2>", unsafe_allow_html=True)
    st.markdown(TILE_CSS, unsafe_allow_html=True)
    periods = periods_between(filters.period_from, filters.period_to)
    current = {r["indicator_id"]: r for r in snapshot(
        values, unit_id=filters.unit_id, period=filters.period_to).iter_rows(named=True)}
    for box in layer.boxes:
        spec = box.headline
        row = current.get(spec.id, {})
        change = row.get("change")
        tile_col, chart_col, notes_col = st.columns([2, 3, 2], gap="medium")
        tile_col.markdown(box_tile_html(
            box_id=box.id, title=box.title, full_text=box.text, indicator_name=spec.name,
            value=row.get("value"), suppressed=bool(row.get("suppressed")), change=change,
            unit=spec.unit, target=spec.target, status=row.get("status", "no_data"),
            withheld_text=withheld,
        ), unsafe_allow_html=True)
        series = trend_series(values, indicator_id=spec.id, unit_names=names)
        chart_col.markdown(f"**{spec.name}**")
        if series.is_empty():
            chart_col.markdown("Ingen data for perioden.")
        else:
            fig = readable_chart(trend_chart(series, unit=spec.unit, target=spec.target,
                                             title="", periods=periods,
                                             withheld_text=withheld), height=400)
            chart_with_table(
                fig, trend_table(series, periods=periods, unit=spec.unit, withheld_text=withheld),
                key=f"meet_{spec.id}", where=chart_col, toolbar=False,
                alt=trend_alt(series, name=spec.name, unit=spec.unit, periods=periods,
                              withheld_text=withheld))
        with notes_col:
            interpretation_panel(notes, filters, box=box, indicator_id=None,
                                 key=f"m_{box.id}", show_box_notes=True)
        st.divider()


def pack_controls(shown: MeetingView, meeting_date: dt.date) -> None:
    """"Lav mødepakke": HTML and PDF of the view the meeting shows, archived and audited."""
    viewer = current_viewer()
    filters = shown.filters
    request = PackRequest(
        programme=filters.programme, unit_code=shown.unit_code,
        period_from=filters.period_from, period_to=filters.period_to,
        age_group=filters.age_group, vulnerable_only=filters.vulnerable_only,
        view_name=shown.view_name or "", statement=shown.statement())
    if st.button("Lav mødepakke", icon=":material/picture_as_pdf:", key="make_pack"):
        with st.spinner("Laver mødepakken (HTML og PDF) …"):
            files, pack_id = make_and_archive(
                engine(), scope=viewer.scope, request=request, username=viewer.username,
                meeting_date=meeting_date, formats=("html", "pdf"), min_n=app_settings().min_n)
        session.set_meeting_pack(session.MadePack(files=files, unit_code=request.unit_code,
                                                  pack_id=pack_id, meeting_date=meeting_date))
    made = session.meeting_pack()
    if made:
        name = pack_filename(filters.programme.id, made.unit_code, filters.period_to,
                             made.meeting_date, "")
        left, right = st.columns(2)
        left.download_button("Hent PDF", made.files["pdf"], file_name=name + "pdf",
                             mime="application/pdf", icon=":material/download:")
        right.download_button("Hent HTML", made.files["html"], file_name=name + "html",
                              mime="text/html", icon=":material/download:")
        st.caption(f"Mødepakke nr. {made.pack_id} er gemt i arkivet.")


def last_meeting(filters: Filters, meeting_date: dt.date) -> None:
    """The pack of the last meeting before ``meeting_date`` (the newest pack made for it), shown
    as it was handed out; a pack made for this meeting is not the last meeting's."""
    viewer = current_viewer()
    packs = load_packs(engine(), scope=viewer.scope, programme_id=filters.programme.id,
                       limit=200)
    packs = previous_packs(packs, meeting_date)
    if packs.is_empty():
        st.info(f"Der er ingen mødepakke til et møde før {format_date(meeting_date)}.")
        return
    pack = packs.row(0, named=True)
    st.markdown(f"Mødepakke til mødet {format_date(pack['meeting_date'])}, lavet "
                f"{format_datetime(pack['created_at'])} af {plain_text(pack['author'])}.")
    html = load_pack_html(engine(), scope=viewer.scope, pack_id=pack["id"]) or ""
    st.download_button("Hent sidste mødepakke (HTML)", html.encode("utf-8"),
                       file_name=f"moedepakke_{pack['meeting_date'].isoformat()}.html",
                       mime="text/html", icon=":material/download:")
    # The pack is HTML this app generated itself (all user text escaped), read from our store.
    st.iframe(html, height=900)
