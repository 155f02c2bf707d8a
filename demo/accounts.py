"""The demo store's logins, all with the password ``demo``. Only ever written to a demo store."""

from __future__ import annotations

import polars as pl

DEMO_PASSWORD = "demo"


def demo_accounts(org_units: pl.DataFrame) -> list[dict]:
    """The six demo accounts, scoped to units of the generated tree."""
    root = org_units.filter(pl.col("level") == "municipality").row(0, named=True)
    area = org_units.filter(pl.col("level") == "area").row(0, named=True)
    inst = org_units.filter(
        (pl.col("level") == "institution") & (pl.col("parent_id") == area["id"])
    ).row(0, named=True)
    top = org_units.filter(pl.col("parent_id").is_null()).row(0, named=True)
    return [
        dict(username="admin", display_name="Administrator", roles=("admin",),
             org_unit_codes=(top["code"],)),
        dict(username="leder", display_name="Dagtilbudschef", roles=("leder",),
             org_unit_codes=(root["code"],)),
        dict(username="omraade", display_name=f"Områdeleder, {area['name']}", roles=("leder",),
             org_unit_codes=(area["code"],)),
        dict(username="institution", display_name=f"Dagtilbudsleder, {inst['name']}",
             roles=("leder",), org_unit_codes=(inst["code"],)),
        dict(username="konsulent", display_name="Pædagogisk konsulent", roles=("konsulent",),
             org_unit_codes=(root["code"],)),
        dict(username="styregruppe", display_name="Styregruppen", roles=("styregruppe",),
             org_unit_codes=(root["code"],)),
    ]
