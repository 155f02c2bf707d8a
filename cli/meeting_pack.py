"""``manage.py meeting-pack [--view NAME] --period 2026H2 --out FILE``: the meeting pack of a saved
view (by default the standard view, ``Settings.standard_view``) as HTML or PDF (by the file's
extension), archived in the store and audited.

Wired into ``cli/main.py`` with ``meeting_pack.register(sub)``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from sqlalchemy.engine import Engine

from core.model_config import ChangeModelConfig
from core.settings import Settings
from data_access.analytics import available_periods
from data_access.meeting_store import find_view
from data_access.scope import Scope, scope_for_codes
from reports.assemble import PackRequest, make_and_archive


def register(subparsers: argparse._SubParsersAction) -> None:
    cmd = subparsers.add_parser("meeting-pack", help="lav mødepakken (HTML eller PDF) for en "
                                                     "gemt visning")
    cmd.add_argument("--view", help="navnet på den gemte visning (standard: standardvisningen, "
                                    "[app] standard_view i config.toml)")
    cmd.add_argument("--period", help="mødets periode, fx 2026H2 (standard: visningens)")
    cmd.add_argument("--out", required=True, help="filnavn; .html eller .pdf")
    cmd.add_argument("--date", help="mødedato ÅÅÅÅ-MM-DD (standard: i dag)")
    cmd.add_argument("--user", default="cli", help="brugernavn i revisionsloggen")
    cmd.set_defaults(func=cmd_meeting_pack)


def cmd_meeting_pack(args: argparse.Namespace) -> int:
    from core.model_config import load_programmes
    from core.settings import load_settings
    from data_access.db import get_engine
    from indicators.registry import COMPUTATIONS

    settings = load_settings()
    config = load_programmes(settings.config_path, computations=COMPUTATIONS)
    return run(get_engine(settings.database_url), config, view=args.view, period=args.period,
               out=Path(args.out), user=args.user, settings=settings,
               meeting_date=dt.date.fromisoformat(args.date) if args.date else dt.date.today())


def _whole_tree(engine: Engine) -> Scope:
    import sqlalchemy as sa
    from sqlmodel import col

    from data_access.models import OrgUnit

    with engine.connect() as conn:
        codes = conn.execute(sa.select(col(OrgUnit.code))
                             .where(col(OrgUnit.parent_id).is_(None))).scalars()
        return scope_for_codes(engine, list(codes))


def run(engine: Engine, config: ChangeModelConfig, *, view: str | None, period: str | None,
        out: Path, settings: Settings, user: str = "cli",
        meeting_date: dt.date | None = None) -> int:
    """The command itself (called directly by the tests). Exit code 0, or 1 with a message.

    ``view`` None means the standard view (``settings.standard_view``).
    """
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in ("html", "pdf"):
        print("Filnavnet skal ende på .html eller .pdf.", file=sys.stderr)
        return 1
    saved = find_view(engine, scope=_whole_tree(engine), name=view or settings.standard_view)
    if saved is None and view is None:
        print(f"Der er ingen standardvisning ('{settings.standard_view}'). Gem en visning med "
              "det navn på mødesiden, eller angiv en gemt visning med --view NAVN.",
              file=sys.stderr)
        return 1
    if saved is None:
        print(f"Der er ingen gemt visning med navnet '{view}'.", file=sys.stderr)
        return 1
    programme = config.programme(saved["programme_id"])
    period_to = period or saved["period_to"]
    if period_to not in available_periods(engine, programme_id=programme.id):
        print(f"Der er ingen data for perioden {period_to}.", file=sys.stderr)
        return 1
    period_from = min(saved["period_from"], period_to)
    request = PackRequest(programme=programme, unit_code=saved["unit_code"],
                          period_from=period_from, period_to=period_to,
                          age_group=saved["age_group"], vulnerable_only=saved["vulnerable_only"],
                          view_name=saved["name"])
    files, pack_id = make_and_archive(engine, scope=_whole_tree(engine), request=request,
                                      username=user, meeting_date=meeting_date or dt.date.today(),
                                      formats=(fmt,), min_n=settings.min_n)
    out.write_bytes(files[fmt])
    print(f"Mødepakken er skrevet til {out} (arkiveret som nr. {pack_id}).")
    return 0
