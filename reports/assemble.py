"""Gather what a meeting pack needs from the store, build it, archive it and audit it.

Shared by the meeting page and ``manage.py meeting-pack``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import col

from core.model_config import ProgrammeSpec
from data_access.accounts import record_event
from data_access.analytics import load_indicator_values
from data_access.interpretations import load_interpretations
from data_access.meeting_store import archive_pack
from data_access.models import OrgUnit
from data_access.scope import Scope, load_ancestors, units_in_scope_clause
from indicators.periods import period_label
from indicators.summary import IndicatorMeta, pick_subgroup, with_status
from reports.meeting_pack import build_meeting_pack


@dataclass(frozen=True)
class PackRequest:
    programme: ProgrammeSpec
    unit_code: str
    period_from: str
    period_to: str
    age_group: str = "alle"
    vulnerable_only: bool = False
    view_name: str = ""
    statement: str = ""  # the filters in words, as the meeting page states them


def metas_of(programme: ProgrammeSpec) -> dict[str, IndicatorMeta]:
    return {s.id: IndicatorMeta.of(s) for s in programme.indicators()}


def pack_filename(programme_id: str, unit_code: str, period: str, day: dt.date, ext: str) -> str:
    return f"moedepakke_{programme_id}_{unit_code}_{period}_{day.isoformat()}.{ext}"


def unit_id_for_code(engine: Engine, code: str) -> int | None:
    with engine.connect() as conn:
        return conn.execute(sa.select(col(OrgUnit.id)).where(col(OrgUnit.code) == code)).scalar()


def build_pack_html(engine: Engine, *, scope: Scope, request: PackRequest, username: str,
                    meeting_date: dt.date, min_n: int) -> tuple[str, int]:
    """The pack's HTML for a view, and the unit id it is about (values limited to ``scope``;
    withheld values marked as resting on fewer than ``min_n``, ``Settings.min_n``)."""
    unit_id = unit_id_for_code(engine, request.unit_code)
    if unit_id is None:
        raise ValueError(f"Ukendt enhed: {request.unit_code}")
    if not _in_scope(engine, scope, unit_id):
        raise PermissionError("Du har ikke adgang til denne enhed.")
    chain = load_ancestors(engine, unit_id=unit_id)  # root first
    unit_names = {r["id"]: r["name"] for r in reversed(list(chain.iter_rows(named=True)))}
    programme = request.programme
    metas = metas_of(programme)
    raw = load_indicator_values(
        engine, scope=scope, programme_id=programme.id, period_from=request.period_from,
        period_to=request.period_to, age_group=request.age_group,
        vulnerable_only=request.vulnerable_only, unit_ids=tuple(unit_names), with_ancestors=True,
    )
    values = with_status(pick_subgroup(raw, metas, age_group=request.age_group,
                                       vulnerable_only=request.vulnerable_only), metas)
    notes = load_interpretations(engine, scope=scope, programme_id=programme.id,
                                 unit_ids=(unit_id,))
    html = build_meeting_pack(
        programme=programme, metas=metas, values=values, unit_id=unit_id, unit_names=unit_names,
        period_from=request.period_from, period=request.period_to, interpretations=notes,
        meeting_date=meeting_date, author=username, view_name=request.view_name, min_n=min_n,
        statement=request.statement or _statement(request, unit_names[unit_id]),
    )
    return html, unit_id


def _statement(request: PackRequest, unit_name: str) -> str:
    """The filters in words (as ``ui.filters.Filters.description`` says them)."""
    parts = [request.programme.title, unit_name,
             f"{period_label(request.period_from)} – {period_label(request.period_to)}"]
    if request.age_group != "alle":
        parts.append(f"{request.age_group} år")
    if request.vulnerable_only:
        parts.append("kun børn i udsatte positioner")
    return " · ".join(parts) + (f" · visning: {request.view_name}" if request.view_name else "")


def _in_scope(engine: Engine, scope: Scope, unit_id: int) -> bool:
    stmt = sa.select(col(OrgUnit.id)).where(col(OrgUnit.id) == unit_id,
                                       units_in_scope_clause(col(OrgUnit.id), scope))
    with engine.connect() as conn:
        return conn.execute(stmt).first() is not None


def make_and_archive(engine: Engine, *, scope: Scope, request: PackRequest, username: str,
                     meeting_date: dt.date, min_n: int, formats: tuple[str, ...] = ("html",),
                     ) -> tuple[dict[str, bytes], int]:
    """Build the pack (any of ``html``, ``pdf``), archive its HTML, write the audit event.

    Returns the files' bytes by format and the archived pack's id.
    """
    html, unit_id = build_pack_html(engine, scope=scope, request=request, username=username,
                                    meeting_date=meeting_date, min_n=min_n)
    files: dict[str, bytes] = {}
    if "html" in formats:
        files["html"] = html.encode("utf-8")
    if "pdf" in formats:
        from reports.pdf import html_to_pdf

        files["pdf"] = html_to_pdf(html)
    filters = {"program": request.programme.id, "fra": request.period_from,
               "til": request.period_to, "enhed": request.unit_code,
               "alder": request.age_group, "udsatte": "1" if request.vulnerable_only else "0"}
    pack_id = archive_pack(engine, username=username, programme_id=request.programme.id,
                           view_name=request.view_name, filters=filters, unit_id=unit_id,
                           period=request.period_to, meeting_date=meeting_date, html=html)
    detail = (f"mødepakke: program={request.programme.id} enhed={request.unit_code} "
              f"periode={request.period_from}-{request.period_to} alder={request.age_group} "
              f"udsatte={'ja' if request.vulnerable_only else 'nej'} "
              f"format={'+'.join(files)} visning={request.view_name or '-'} pakke={pack_id}")
    record_event(engine, username=username, action="export", detail=detail)
    return files, pack_id
