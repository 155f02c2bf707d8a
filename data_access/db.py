"""The store: one engine per URL, schema creation and the data version.

The same code path serves SQLite (default, demo) and PostgreSQL (production).
"""

from __future__ import annotations

import datetime as dt
import importlib
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlmodel import SQLModel, col

from data_access import (
    meeting_models,  # noqa: F401
    models,  # noqa: F401  (registers the tables)
)


class DatabaseUnavailable(Exception):
    """The store cannot be reached right now."""


@lru_cache(maxsize=8)
def get_engine(url: str) -> Engine:
    """One engine (and connection pool) per URL for the whole process."""
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: DBAPIConnection, _record: object) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        return engine
    # pool_pre_ping: a connection that died with a database restart is replaced, not used.
    return sa.create_engine(url, pool_pre_ping=True, pool_recycle=1800)


ROOT = Path(__file__).resolve().parent.parent
ALEMBIC_INI = ROOT / "alembic.ini"
BASELINE_REVISION = "0001"
# The tables of the baseline revision: a store made by ``create_all`` before there were
# migrations is adopted (missing baseline tables created, stamped at the baseline, upgraded).
BASELINE_TABLES = frozenset({
    "audit_event", "child", "child_interview", "counselling_session", "cross_sector_meeting",
    "data_version", "family_group", "family_group_attendance", "family_group_session",
    "indicator_value", "login_attempt", "org_unit", "parent_survey_answer",
    "practice_self_assessment", "relation_mapping", "staff", "staff_training", "assessment",
    "user_account",
})


def import_model_modules() -> None:
    """Import every model module (models.py and data_access/*_models.py): registers all tables."""
    for path in sorted(Path(__file__).resolve().parent.glob("*_models.py")):
        importlib.import_module(f"data_access.{path.stem}")


def alembic_config(engine: Engine | None = None) -> Config:
    """The Alembic config of this project; with an engine, pointed at that engine's store."""
    cfg = Config(str(ALEMBIC_INI))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.attributes["configure_logger"] = False  # keep the application's logging as it is
    if engine is not None:
        # The real URL (with its password); "%" doubled for the ConfigParser behind Config.
        url = engine.url.render_as_string(hide_password=False)
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def _upgrade(engine: Engine, revision: str = "head") -> None:
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        tables = set(sa.inspect(conn).get_table_names())
        if "alembic_version" not in tables and tables & BASELINE_TABLES:
            # Made by create_all before migrations existed: adopt it at the baseline.
            baseline = [t for t in SQLModel.metadata.sorted_tables if t.name in BASELINE_TABLES]
            SQLModel.metadata.create_all(conn, tables=baseline)
            command.stamp(cfg, BASELINE_REVISION)
        command.upgrade(cfg, revision)


def create_schema(engine: Engine, *, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (``alembic upgrade``) and make sure data_version exists."""
    _upgrade(engine, revision)
    with engine.begin() as conn:
        exists = conn.execute(sa.select(col(models.DataVersion.version))).first()
        if exists is None:
            conn.execute(sa.insert(models.DataVersion).values(id=1, version=0))


def drop_schema(engine: Engine) -> None:
    import_model_modules()  # every table, also those of modules nobody imported yet
    SQLModel.metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))


@lru_cache(maxsize=1)
def head_revision() -> str:
    """The newest revision in migrations/ (read once per process: code changes mean a restart)."""
    return str(ScriptDirectory.from_config(alembic_config()).get_current_head())


def is_outage(exc: BaseException) -> bool:
    """True for the errors a lost or refused database connection shows up as (any driver)."""
    if isinstance(exc, DatabaseUnavailable | sa.exc.OperationalError | sa.exc.InterfaceError):
        return True
    return isinstance(exc, sa.exc.DBAPIError) and bool(exc.connection_invalidated)


def schema_status(engine: Engine) -> tuple[str | None, str]:
    """(the store's revision or None when it has none, the newest revision in migrations/)."""
    head = head_revision()
    try:
        with engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
    except sa.exc.DBAPIError as exc:
        if not is_outage(exc):
            raise
        raise DatabaseUnavailable(str(exc)) from exc
    return current, head


def data_version(engine: Engine) -> int:
    """The current data version; bumped by every import, demo build and refresh."""
    try:
        with engine.connect() as conn:
            value = conn.execute(
                sa.select(col(models.DataVersion.version)).where(col(models.DataVersion.id) == 1)
            ).scalar()
    except sa.exc.DBAPIError as exc:
        if not is_outage(exc):
            raise
        raise DatabaseUnavailable(str(exc)) from exc
    return int(value or 0)


def bump_data_version(conn: Connection) -> None:
    conn.execute(
        sa.update(models.DataVersion)
        .where(col(models.DataVersion.id) == 1)
        .values(version=col(models.DataVersion.version) + 1, changed_at=dt.datetime.now(dt.UTC))
    )
