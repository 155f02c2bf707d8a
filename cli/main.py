"""``manage.py``: one argparse parser; each command is a function ``cmd_*`` taking the args.

Messages for people are in Danish; exit code 0 on success, 1 on a user error, 2 on bad usage.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from core.model_config import ConfigError, load_programmes
from core.settings import DEFAULT_SQLITE_PATH, load_settings
from data_access.db import create_schema, get_engine
from demo.generator import DemoSpec


def _context():  # type: ignore[no-untyped-def]
    settings = load_settings()
    config = load_programmes(settings.config_path)
    return settings, config, get_engine(settings.database_url)


def cmd_migrate(args: argparse.Namespace) -> int:
    settings, _config, engine = _context()
    create_schema(engine)
    print("Databasens skema er opdateret.")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from pipeline.demo_store import build_demo_store

    settings, config, engine = _context()
    if not settings.demo_mode and not args.force:
        print("Demo-data må kun skrives til demo-databasen (brug --force for at overskrive "
              f"{settings.database_url}).", file=sys.stderr)
        return 1
    if args.if_missing and settings.is_sqlite and DEFAULT_SQLITE_PATH.exists():
        from data_access.db import data_version

        if data_version(engine) > 0:
            print("Demo-databasen findes allerede (make demo bygger den forfra).")
            return 0
    Path(DEFAULT_SQLITE_PATH).parent.mkdir(parents=True, exist_ok=True)
    spec = DemoSpec(scale=args.scale, years=args.years)
    report = build_demo_store(engine, config, spec)
    total = sum(report.rows.values())
    print(f"Demo-data skrevet: {total:,} rækker på {report.write_seconds:.1f} s; "
          f"{report.refresh.rows:,} indikatorværdier beregnet på {report.refresh.seconds:.1f} s.")
    return 0


def cmd_refresh(args: argparse.Namespace) -> int:
    from pipeline.refresh import refresh

    _settings, config, engine = _context()
    report = refresh(engine, config)
    print(f"{report.rows:,} indikatorværdier beregnet for {len(report.periods)} perioder "
          f"på {report.seconds:.1f} s.")
    return 0


def cmd_check_config(args: argparse.Namespace) -> int:
    settings = load_settings()
    config = load_programmes(settings.config_path)
    for programme in config.programmes:
        print(f"{programme.id}: {len(programme.boxes())} bokse, "
              f"{len(programme.indicators())} indikatorer")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="manage.py", description="Forandringsmodel-dashboard")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="opret/opdater databasens skema").set_defaults(func=cmd_migrate)
    demo = sub.add_parser("demo", help="byg demo-databasen forfra")
    demo.add_argument("--scale", type=float, default=1.0,
                      help="antal kommuner à 40 dagtilbud (1 = én kommune)")
    demo.add_argument("--years", type=int, default=3, help="antal år med data")
    demo.add_argument("--if-missing", action="store_true", help="kun hvis der ingen data er")
    demo.add_argument("--force", action="store_true", help="overskriv en ikke-demo-database")
    demo.set_defaults(func=cmd_demo)
    sub.add_parser("refresh", help="beregn indikatorværdierne igen").set_defaults(
        func=cmd_refresh)
    sub.add_parser("check-config", help="valider config.toml").set_defaults(
        func=cmd_check_config)
    return parser


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except ConfigError as exc:
        print(str(exc), file=sys.stderr)
        return 1
