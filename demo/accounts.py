"""The demo store's logins, all with the password ``demo``. Only ever written to a demo store."""

from __future__ import annotations

import polars as pl

DEMO_PASSWORD = "demo"


def demo_accounts(org_units: pl.DataFrame) -> list[dict]:
    """The demo accounts, scoped to units of the generated tree.

    The first six are the Aabenraa-like municipality's (``580``); with the other programmes'
    municipalities there are also leaders of the Aalborg- and Hvidovre-like ones, of one
    Socialstyrelsen participant, and ``national`` (Socialstyrelsen: the municipalities and the
    national level, never areas or daycares).
    """
    municipalities = org_units.filter(pl.col("level") == "municipality")
    main = municipalities.filter(pl.col("code") == "580")
    root = (main if not main.is_empty() else municipalities).row(0, named=True)
    area = org_units.filter(pl.col("parent_id") == root["id"]).sort("id").row(0, named=True)
    inst = org_units.filter(
        (pl.col("level") == "institution") & (pl.col("parent_id") == area["id"])
    ).sort("id").row(0, named=True)
    top = org_units.filter(pl.col("parent_id").is_null()).row(0, named=True)
    # With a national root above 580 the administrator keeps 580 (as before the other
    # programmes' municipalities existed); the bench's generated country keeps its root.
    admin_code = root["code"] if not main.is_empty() else top["code"]
    accounts = [
        dict(username="admin", display_name="Administrator", roles=("admin",),
             org_unit_codes=(admin_code,)),
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
    codes = set(municipalities["code"])
    others = {"aalborg": ("851", "Dagtilbudschef, Aalborg (demo)"),
              "hvidovre": ("167", "Dagtilbudschef, Hvidovre (demo)"),
              "fjordby": ("901", "Dagtilbudschef, Fjordby (demo)")}
    for username, (code, name) in others.items():
        if code in codes:
            accounts.append(dict(username=username, display_name=name, roles=("leder",),
                                 org_unit_codes=(code,)))
    if "580" in codes and top["level"] == "national":
        accounts.append(dict(username="national", display_name="Socialstyrelsen (praksiskonsulent)",
                             roles=("national",), org_unit_codes=(top["code"],)))
    return accounts
