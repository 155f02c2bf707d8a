"""Write the demo data into a store and compute its indicator values."""

from __future__ import annotations

import time
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from core.model_config import ChangeModelConfig
from data_access import programme_models  # noqa: F401  (registers the programme data tables)
from data_access.accounts import hash_password, upsert_account
from data_access.db import bump_data_version, create_schema, drop_schema
from data_access.raw import load_org_unit_frame as load_sources_org_units
from demo.accounts import DEMO_PASSWORD, demo_accounts
from demo.generator import DemoSpec, generate
from demo.meeting import seed_meeting
from pipeline.refresh import RefreshReport, refresh


@dataclass(frozen=True)
class DemoReport:
    rows: dict[str, int]
    write_seconds: float
    refresh: RefreshReport


def reset_sequences(conn: sa.Connection) -> None:
    """After inserting explicit ids on PostgreSQL, move each id sequence past the largest id."""
    if conn.dialect.name != "postgresql":
        return
    for table in SQLModel.metadata.sorted_tables:
        if "id" not in table.c or not table.c.id.autoincrement:
            continue
        next_id = sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0) + 1).scalar_subquery()
        sequence = sa.func.pg_get_serial_sequence(table.name, "id")
        conn.execute(sa.select(sa.func.setval(sequence, next_id, False)))


def build_demo_store(engine: Engine, config: ChangeModelConfig, spec: DemoSpec) -> DemoReport:
    """Replace everything in the store by the demo data (demo stores only)."""
    started = time.perf_counter()
    drop_schema(engine)
    create_schema(engine)
    counts: dict[str, int] = {}
    with engine.begin() as conn:
        for table_name, rows in generate(spec):
            table = SQLModel.metadata.tables[table_name]
            for start in range(0, len(rows), 20_000):
                conn.execute(sa.insert(table), rows[start:start + 20_000])
            counts[table_name] = counts.get(table_name, 0) + len(rows)
        reset_sequences(conn)
        org_units = load_sources_org_units(conn)
        password_hash = hash_password(DEMO_PASSWORD)
        for account in demo_accounts(org_units):
            upsert_account(conn, email=f"{account['username']}@demo.invalid",
                           password_hash=password_hash, **account)
        bump_data_version(conn)
    written = time.perf_counter() - started
    report = DemoReport(rows=counts, write_seconds=written, refresh=refresh(engine, config))
    seed_meeting(engine, config)  # the standard saved view and a few notes
    return report
