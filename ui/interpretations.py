"""Comments, decisions and follow-ups on screen: a list under each indicator or box, with forms
to write, edit, follow up and withdraw (the store enforces who may do what)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import polars as pl
import streamlit as st

from core.capabilities import Capability
from core.model_config import BoxSpec
from data_access.interpretations import (
    NotAllowed,
    add_interpretation,
    edit_interpretation,
    load_history,
    load_interpretations,
    may_write,
    withdraw_interpretation,
)
from data_access.meeting_models import FOLLOWUP_STATUSES
from indicators.format import format_date, format_datetime, plain_text
from indicators.meeting import FOLLOWUP_LABELS, KIND_LABELS
from indicators.periods import period_label, periods_between
from ui.context import current_viewer, engine
from ui.filters import Filters


def notes_for_view(filters: Filters) -> pl.DataFrame:
    """The notes for the chosen unit in the chosen periods (one query per page run)."""
    viewer = current_viewer()
    return load_interpretations(
        engine(), scope=viewer.scope, programme_id=filters.programme.id,
        unit_ids=(filters.unit_id,),
        periods=tuple(periods_between(filters.period_from, filters.period_to)))


def note_markdown(row: dict) -> str:
    """One note as Markdown; everything the user typed is escaped (:func:`plain_text`)."""
    head = f"**{KIND_LABELS[row['kind']]}** · {plain_text(row['author'])} · " \
           f"{format_date(row['created_at'].date())} · {period_label(row['period'])}"
    if row["version"] > 1:
        head += f" · rettet {format_date(row['updated_at'].date())}"
    if row["kind"] == "opfoelgning":
        due = format_date(row["due_on"]) if row["due_on"] else "ingen frist"
        head += (f"  \nAnsvarlig: {plain_text(row['owner']) or '–'} · frist {due} · "
                 f"status: **{FOLLOWUP_LABELS.get(row['status'] or '', '–')}**")
    return f"{head}  \n{plain_text(row['text'])}"


def interpretation_panel(notes: pl.DataFrame, filters: Filters, *, box: BoxSpec,
                         indicator_id: str | None, key: str, show_box_notes: bool = False) -> None:
    """The notes on one indicator (or the whole box), and a form to write a new one."""
    if show_box_notes:
        mine = notes.filter(pl.col("box_id") == box.id)
    elif indicator_id is None:
        mine = notes.filter((pl.col("box_id") == box.id) & pl.col("indicator_id").is_null())
    else:
        mine = notes.filter(pl.col("indicator_id") == indicator_id)
    viewer = current_viewer()
    for row in mine.iter_rows(named=True):
        with st.container(border=True):
            st.markdown(note_markdown(row))
            _note_actions(row, key=f"{key}_{row['id']}")
    if may_write(viewer.roles, "kommentar"):
        with st.popover("Skriv kommentar", icon=":material/add_comment:"):
            _new_note_form(filters, box=box, indicator_id=indicator_id, key=key)


def _note_actions(row: dict, *, key: str) -> None:
    viewer = current_viewer()
    may_edit = row["author"] == viewer.username or viewer.can(Capability.EDIT_ANY_NOTE)
    if row["kind"] == "beslutning" and not may_write(viewer.roles, "beslutning"):
        may_edit = False
    follow_up = row["kind"] == "opfoelgning" and may_write(viewer.roles, "opfoelgning")
    label = "Historik og ret" if may_edit or follow_up else "Historik"
    with st.popover(label, icon=":material/history:"):
        history = load_history(engine(), scope=viewer.scope, interpretation_id=row["id"])
        for h in history.iter_rows(named=True):
            st.markdown(f"**v{h['version']}** {h['change'].replace('_', ' ')} · "
                        f"{plain_text(h['changed_by'])} · {format_datetime(h['changed_at'])}"
                        f"  \n{plain_text(h['text'])}"
                        + (f"  \nStatus: {FOLLOWUP_LABELS.get(h['status'], '')}"
                           if h["status"] else ""))
        if may_edit or follow_up:
            _edit_form(row, may_edit=may_edit, key=key)
        if may_edit and st.button("Træk tilbage", key=f"withdraw_{key}",
                                  icon=":material/undo:"):
            _run(withdraw_interpretation, interpretation_id=row["id"])


def _edit_form(row: dict, *, may_edit: bool, key: str) -> None:
    with st.form(f"edit_{key}"):
        text = st.text_area("Tekst", row["text"], disabled=not may_edit)
        changes: dict = {}
        if row["kind"] == "opfoelgning":
            changes["status"] = st.selectbox(
                "Status", FOLLOWUP_STATUSES, index=FOLLOWUP_STATUSES.index(row["status"]),
                format_func=FOLLOWUP_LABELS.__getitem__, placeholder="Vælg status")
            changes["owner"] = st.text_input("Ansvarlig", row["owner"] or "")
            changes["due_on"] = st.date_input("Frist", row["due_on"], format="DD.MM.YYYY")
        if st.form_submit_button("Gem ændringer"):
            _run(edit_interpretation, interpretation_id=row["id"],
                 text=text if may_edit else None, **changes)


def _new_note_form(filters: Filters, *, box: BoxSpec, indicator_id: str | None,
                   key: str) -> None:
    viewer = current_viewer()
    kinds = [k for k in KIND_LABELS if may_write(viewer.roles, k)]
    periods = periods_between(filters.period_from, filters.period_to)
    with st.form(f"new_{key}", clear_on_submit=True):
        kind = st.radio("Type", kinds, format_func=KIND_LABELS.get, horizontal=True)
        period = st.selectbox("Periode", periods, index=len(periods) - 1,
                              format_func=period_label, placeholder="Vælg periode")
        text = st.text_area("Tekst", max_chars=4000)
        st.caption("Kun for opfølgninger:")
        owner = st.text_input("Ansvarlig")
        due_on = st.date_input("Frist", dt.date.today() + dt.timedelta(days=30),
                               format="DD.MM.YYYY")
        if st.form_submit_button("Gem", type="primary"):
            _run(add_interpretation, programme_id=filters.programme.id, box_id=box.id,
                 indicator_id=indicator_id, unit_id=filters.unit_id, period=period, kind=kind,
                 text=text, owner=owner or None, due_on=due_on)


def _run(action: Callable[..., object], **kwargs: Any) -> None:
    viewer = current_viewer()
    try:
        action(engine(), scope=viewer.scope, username=viewer.username, roles=viewer.roles,
               **kwargs)
    except (NotAllowed, ValueError) as exc:
        st.error(str(exc))
        return
    st.rerun()
