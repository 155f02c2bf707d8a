"""The Core ``Table`` of a SQLModel table class, typed.

SQLModel builds ``__table__`` on every ``table=True`` class but does not declare it, so
``Model.__table__`` is untyped (mypy: "has no attribute"). Queries that need the Core table
(``sa.insert(t)``, ``t.c.username``, bulk statements) take it from here instead.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import SQLModel


def table_of(model: type[SQLModel]) -> sa.Table:
    """The table a SQLModel table class is mapped to.

    >>> from data_access.models import UserAccount
    >>> table_of(UserAccount).name
    'user_account'
    """
    table = sa.inspect(model).local_table
    if not isinstance(table, sa.Table):
        raise TypeError(f"{model.__name__} is not mapped to a single table")
    return table
