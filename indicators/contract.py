"""The contract of an indicator computation, declared next to its function.

A computation is a pure function ``f(src: Sources, *, param: Type = default, ...) -> observations``
decorated with :func:`computation`::

    @computation(
        aggregation="share", subgroups=True,
        title="Andel gule børn, der ved næste vurdering er i en given position",
        numerator="…", denominator="…", n="…", params={"to": "…"},
    )
    def yellow_transition_share(src: Sources, *, to: Position = "green") -> pl.DataFrame: ...

The decorator reads the keyword-only parameters and their annotations (``Literal[...]``, ``int``,
``Annotated[int, Field(ge=0)]`` …) into a pydantic model, so config values are validated from the
same declaration the function is called with. It returns the function unchanged and hangs the
:class:`Computation` on it as ``__computation__``; :mod:`indicators.registry` collects them.

``aggregation`` says how observations add up:

- ``share``: 100 × Σnum / Σden, in %.
- ``rate``: Σnum / Σden (e.g. sessions per institution-month).
- ``mean``: Σnum / Σden with one observation per subject-event (den = 1).
- ``sum``: Σnum (a count).
- ``gap``: share(others) − share(focus), in percentage points; n is the smaller group.

``subgroups``: the observations are about children, so the age-group and "vulnerable only"
filters apply. Other indicators (sessions, staff, institutions) are the same under those filters.

``window`` (for the incremental refresh, :mod:`indicators.incremental`): the raw rows the value
of period *p* rests on, as (periods behind *p*, periods ahead of *p*); ``None`` is unbounded.
Most computations read their own period only, ``(0, 0)``, the default. "Yellow → next
assessment" reads the child's earlier assessments, ``(None, 0)``; a cumulative count likewise.
It may be a function of the validated params (a plan within ``days`` days reaches ahead). A
change of raw rows in period *q* therefore changes the values of periods *q* − ahead … *q* +
behind.

The Danish texts (``title``, ``numerator``, ``denominator``, ``n``, one line per parameter) are for
the people who edit ``config.toml``; ``docs/INDICATORS.md`` is generated from them.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

import polars as pl
from pydantic import BaseModel, ConfigDict, TypeAdapter, create_model

Aggregation = Literal["share", "rate", "mean", "sum", "gap"]
AGGREGATIONS: tuple[Aggregation, ...] = typing.get_args(Aggregation)

F = TypeVar("F", bound=Callable[..., pl.DataFrame])
Reach = tuple[int | None, int | None]  # (periods behind, periods ahead); None = unbounded
Window = Reach | Callable[[Mapping[str, Any]], Reach]


class Params(BaseModel):
    """Base of the generated parameter models: unknown keys refused, no silent type coercion
    (``"28"`` is not a number of days; an int is accepted where a float is declared)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, validate_default=True)


@dataclass(frozen=True)
class ComputationDoc:
    """Danish documentation for config editors."""

    title: str = ""  # what it computes, one sentence
    numerator: str = ""
    denominator: str = ""
    n: str = ""  # what n (the count behind the value, used for small-number suppression) counts
    params: Mapping[str, str] = field(default_factory=dict)  # parameter → what it means

    def missing(self, parameters: typing.Iterable[str]) -> list[str]:
        """The parts that have no text (empty means fully documented)."""
        parts = {"title": self.title, "numerator": self.numerator,
                 "denominator": self.denominator, "n": self.n}
        gaps = [name for name, text in parts.items() if not text.strip()]
        gaps += [f"params.{p}" for p in parameters if not self.params.get(p, "").strip()]
        return gaps


@dataclass(frozen=True)
class Computation:
    """A registered computation: the function, how it aggregates, and its parameter model."""

    name: str
    func: Callable[..., pl.DataFrame]
    aggregation: Aggregation
    subgroups: bool
    params_model: type[Params]
    doc: ComputationDoc
    window: Window = (0, 0)

    def reach(self, params: Mapping[str, Any]) -> Reach:
        """The raw rows period *p*'s value rests on: (periods behind, periods ahead)."""
        if callable(self.window):
            return self.window(self.validate_params(params))
        return self.window

    def parameters(self) -> dict[str, Any]:
        """Parameter name → pydantic ``FieldInfo`` (annotation, default, constraints)."""
        return dict(self.params_model.model_fields)

    def validate_params(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """The params with defaults filled in; raises ``pydantic.ValidationError``."""
        return self.params_model.model_validate(dict(params)).model_dump()

    def observations(self, src: Any, params: Mapping[str, Any]) -> pl.DataFrame:
        return self.func(src, **self.validate_params(params))


def _params_model(func: Callable[..., Any]) -> type[Params]:
    """A pydantic model with one field per keyword-only parameter of ``func``."""
    hints = typing.get_type_hints(func, include_extras=True)
    fields: dict[str, Any] = {}
    for position, (name, param) in enumerate(inspect.signature(func).parameters.items()):
        if position == 0 and param.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD:
            continue  # the sources argument
        if param.kind is not inspect.Parameter.KEYWORD_ONLY:
            raise TypeError(f"{func.__name__}: parameter '{name}' must be keyword-only (after *)")
        if name not in hints:
            raise TypeError(f"{func.__name__}: parameter '{name}' needs a type annotation")
        if param.default is inspect.Parameter.empty:
            fields[name] = (hints[name], ...)
        else:
            TypeAdapter(hints[name]).validate_python(param.default, strict=True)
            fields[name] = (hints[name], param.default)
    return create_model(f"{func.__name__}_params", __base__=Params, **fields)


def computation(
    *, aggregation: Aggregation, subgroups: bool, title: str = "", numerator: str = "",
    denominator: str = "", n: str = "", params: Mapping[str, str] | None = None,
    window: Window = (0, 0),
) -> Callable[[F], F]:
    """Declare a function as an indicator computation (see the module docstring).

    Mistakes a developer makes here (an unknown aggregation, an unannotated parameter, a default
    that does not fit its annotation, a text for a parameter that does not exist) fail at import.
    Missing Danish texts do not: ``tests/unit/test_indicator_docs.py`` reports them.
    """
    if aggregation not in AGGREGATIONS:
        raise TypeError(f"unknown aggregation {aggregation!r}; one of {AGGREGATIONS}")

    def register(func: F) -> F:
        model = _params_model(func)  # also validates the defaults against the annotations
        texts = dict(params or {})
        unknown = sorted(set(texts) - set(model.model_fields))
        if unknown:
            raise TypeError(f"{func.__name__}: texts for unknown parameters {unknown}")
        doc = ComputationDoc(title=title, numerator=numerator, denominator=denominator, n=n,
                             params=texts)
        func.__computation__ = Computation(  # type: ignore[attr-defined]
            name=func.__name__, func=func, aggregation=aggregation, subgroups=subgroups,
            params_model=model, doc=doc, window=window)
        return func

    return register


def collect(namespace: Mapping[str, Any]) -> dict[str, Computation]:
    """The computations declared in a module's namespace (``vars(module)``), in source order."""
    found: dict[str, Computation] = {}
    for value in namespace.values():
        declared = getattr(value, "__computation__", None)
        if isinstance(declared, Computation):
            found[declared.name] = declared
    return found
