"""Stores for import tests: a small demo copied per test (SQLite file copy, PostgreSQL template
database), and a dump of every table to prove that a refused import changed nothing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel import SQLModel

from data_access.db import import_model_modules


def create_database(server_url: str, name: str, *, template: str | None = None) -> str:
    from psycopg import sql

    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if template:
        statement = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
            sql.Identifier(name), sql.Identifier(template))
    with admin.connect() as conn:
        conn.exec_driver_sql(statement)  # type: ignore[arg-type]
    admin.dispose()
    return sa.make_url(server_url).set(database=name).render_as_string(hide_password=False)


def dump(engine: sa.Engine, *, skip: frozenset[str] | set[str] = frozenset()
         ) -> dict[str, Sequence[sa.Row[Any]]]:
    """Every row of every table (ordered by id), except the tables in ``skip``."""
    import_model_modules()
    out = {}
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            if table.name not in skip:
                out[table.name] = conn.execute(sa.select(table).order_by(*table.primary_key)
                                               ).all()
    return out
