"""``manage.py audit-privacy``: run the exact disclosure audit on the values in the store."""

from __future__ import annotations

import argparse
import time

import polars as pl
import sqlalchemy as sa

from data_access.analytics import VALUE_COLUMNS
from data_access.models import IndicatorValue
from data_access.raw import load_org_unit_frame, read_frame
from data_access.tables import table_of
from indicators.disclosure_audit import audit_publication, merge_reports
from indicators.format import format_number
from pipeline.refresh import audit_rules


def cmd_audit_privacy(args: argparse.Namespace) -> int:
    from cli.main import _context

    _settings, config, engine = _context()
    started = time.perf_counter()
    reports = []
    t = table_of(IndicatorValue)
    with engine.connect() as conn:
        org_units = load_org_unit_frame(conn)
        for programme in config.programmes:
            stmt = sa.select(*[t.c[name] for name in VALUE_COLUMNS]).where(
                t.c.programme_id == programme.id)
            values = read_frame(conn, stmt, VALUE_COLUMNS)
            rules = audit_rules(programme)
            values = values.filter(pl.col("indicator_id").is_in(list(rules)))
            reports.append(audit_publication(values, org_units=org_units, rules=rules,
                                             intervals=args.intervals))
    report = merge_reports(reports)
    for finding in report.findings[:args.limit]:
        print(finding.describe())
    print(f"{report.summary() if report.clean else str(len(report.findings)) + ' fund.'} "
          f"Tid: {format_number(time.perf_counter() - started)} s.")
    return 0 if report.clean else 1


def register(sub: argparse._SubParsersAction) -> None:
    audit = sub.add_parser("audit-privacy",
                           help="kontrollér at ingen skjult værdi kan regnes ud af de viste")
    audit.add_argument("--intervals", action="store_true",
                       help="kontrollér også intervaller (LP; langsommere)")
    audit.add_argument("--limit", type=int, default=200, help="vis højst så mange fund")
    audit.set_defaults(func=cmd_audit_privacy)
