"""The refresh step for the analysis tables: position flows and time in yellow (for programmes
whose config opts an indicator into ``view = "flows"``) and completeness (for every child
indicator), per org unit, stored like the indicator values."""

from __future__ import annotations

import polars as pl
from sqlalchemy.engine import Connection

from core.model_config import ChangeModelConfig
from data_access.analyses import replace_analysis_tables
from indicators.registry import COMPUTATIONS
from indicators.sources import Sources
from indicators.unit_analyses import (
    UNIT_FLOW_SCHEMA,
    UNIT_SUMMARY_SCHEMA,
    UNIT_SURVIVAL_SCHEMA,
    completeness_table,
    flow_tables,
    next_rounds,
    survival_tables,
)


def store_analyses(conn: Connection, config: ChangeModelConfig, sources: Sources, *,
                   flow_rounds: list[str] | None = None) -> int:
    """Compute and replace the analysis tables; returns the rows written.

    ``flow_rounds`` (the incremental refresh): recompute and replace only the flows from these
    rounds (a flow from round *r* rests on rounds *r* and *r* + 1 only, and the tree rule links
    units within one round); time in yellow and completeness are recomputed whole."""
    specs = [spec for programme in config.programmes for spec in programme.indicators()]
    flow_specs = [spec for spec in specs if spec.view == "flows"]
    child_specs = [spec for spec in specs if COMPUTATIONS[spec.computation].subgroups]
    rounds = sources.periods["period"].to_list()
    if flow_specs:
        min_n = max(spec.min_n for spec in flow_specs)
        from_rounds = next_rounds(rounds)
        if flow_rounds is not None:
            from_rounds = [r for r in from_rounds if r in set(flow_rounds)]
        flows = flow_tables(sources.assessments, sources.org_units, rounds=from_rounds,
                            min_n=min_n)
        survival, summary = survival_tables(sources.assessments, sources.org_units,
                                            rounds=rounds, min_n=min_n)
    else:
        flows = pl.DataFrame(schema=UNIT_FLOW_SCHEMA)
        survival = pl.DataFrame(schema=UNIT_SURVIVAL_SCHEMA)
        summary = pl.DataFrame(schema=UNIT_SUMMARY_SCHEMA)
    completeness = completeness_table(
        sources.children, sources.assessments, sources.org_units, periods=sources.periods,
        min_n=max((spec.min_n for spec in child_specs), default=5))
    return replace_analysis_tables(conn, flows=flows, survival=survival, summary=summary,
                                   completeness=completeness, flow_rounds=flow_rounds)
