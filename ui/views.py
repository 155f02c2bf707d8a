"""What pages show: stored values for the chosen view, with subgroup and status applied."""

from __future__ import annotations

import polars as pl

from indicators.summary import pick_subgroup, with_status
from ui import cache, session
from ui.context import app_settings, current_viewer, indicator_metas
from ui.filters import Filters, running_units, with_ancestors


def data_version() -> int:
    return session.data_version()


def benchmark_units(filters: Filters) -> pl.DataFrame:
    """The chosen unit and the units above it (root first): id, name, level. On a national
    programme the national unit is its aggregate over the participants: named *Landsplan*."""
    url = app_settings().database_url
    chain = cache.ancestors(url, filters.unit_id, data_version())
    return with_national_name(chain, filters)


NATIONAL_NAME = "Landsplan (deltagende kommuner)"


def with_national_name(units: pl.DataFrame, filters: Filters) -> pl.DataFrame:
    """``units`` with the national unit named :data:`NATIONAL_NAME` on a national programme
    (its values rest on the member municipalities only, not on the whole country)."""
    if not filters.programme.is_national:
        return units
    return units.with_columns(pl.when(pl.col("level") == "national").then(pl.lit(NATIONAL_NAME))
                              .otherwise(pl.col("name")).alias("name"))


def institutions_below(filters: Filters) -> pl.DataFrame:
    """The daycares to rank: those under the chosen unit, or, when a daycare is chosen, those of
    its area (as far as the viewer's scope reaches)."""
    viewer = current_viewer()
    units = cache.org_units(app_settings().database_url, viewer.scope, data_version())
    anchor = filters.unit_id
    if filters.unit_level == "institution":
        parent = units.filter(pl.col("id") == anchor)["parent_id"]
        if parent.len() and parent[0] in set(units["id"]):
            anchor = parent[0]
    me = units.filter(pl.col("id") == anchor)
    if me.is_empty():
        return units.clear()
    prefix = me["path"].item()
    return units.filter(
        (pl.col("level") == "institution") & pl.col("path").str.starts_with(prefix)
    ).sort("name")


def view_values(filters: Filters, unit_ids: list[int]) -> pl.DataFrame:
    """Values (with ``target`` and ``status``) for the given units, filtered as chosen."""
    viewer = current_viewer()
    metas = indicator_metas(filters.programme)
    raw = cache.indicator_values(
        app_settings().database_url, viewer.scope, filters.programme.id, filters.period_from,
        filters.period_to, filters.age_group, filters.vulnerable_only,
        tuple(sorted(set(unit_ids))), data_version(),
    )
    picked = pick_subgroup(raw, metas, age_group=filters.age_group,
                           vulnerable_only=filters.vulnerable_only)
    return with_status(picked, metas)


def areas_below(filters: Filters) -> pl.DataFrame:
    """The areas under the chosen unit within the viewer's scope (for areas side by side);
    empty when the chosen unit is an area or a daycare."""
    viewer = current_viewer()
    units = cache.org_units(app_settings().database_url, viewer.scope, data_version())
    me = units.filter(pl.col("id") == filters.unit_id)
    if me.is_empty() or filters.unit_level in {"area", "institution"}:
        return units.clear()
    return units.filter((pl.col("level") == "area")
                        & pl.col("path").str.starts_with(me["path"].item())).sort("name")


def compared_municipalities(filters: Filters) -> tuple[pl.DataFrame, pl.DataFrame]:
    """For the *Kommuner* page: the municipalities in the viewer's scope where the programme
    runs in the chosen periods (by name), and the national unit above them (empty when the
    programme is not aggregated to the national level or the viewer cannot see it)."""
    viewer = current_viewer()
    url, version = app_settings().database_url, data_version()
    units = cache.org_units(url, viewer.scope, version)
    running = running_units(filters.programme, units, with_ancestors(units, url, version),
                            filters.period_from, filters.period_to)
    municipalities = running.filter(pl.col("level") == "municipality").sort("name")
    national = with_national_name(running.filter(pl.col("level") == "national"), filters)
    return municipalities, national
