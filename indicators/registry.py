"""The computations the config may name, collected from their declarations.

Every function in :mod:`indicators.computations` decorated with
:func:`indicators.contract.computation` is registered under its own name; the contract
(aggregation, subgroups, typed parameters, Danish documentation) lives next to the function.
"""

from __future__ import annotations

from indicators import computations
from indicators.contract import Computation, collect

COMPUTATIONS: dict[str, Computation] = collect(vars(computations))

__all__ = ["COMPUTATIONS", "Computation"]
