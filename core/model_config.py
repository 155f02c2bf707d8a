"""The change model as configuration: programmes → layers → boxes → indicators.

``load_programmes`` reads ``config.toml`` and validates it with pydantic. Any error stops the app at
start with a message that names the bad key and says what is wrong in plain (Danish) words.

Which computations exist and which parameters they take is not known here: ``core`` sits below
``indicators`` and does not import it. The caller passes the registry
(``load_programmes(path, computations=indicators.registry.COMPUTATIONS)``); all this module needs
of an entry is its pydantic ``params_model`` (:class:`ComputationContract`). Parameter values are
validated by that model and its errors are named by key, e.g.
``programmes[aabenraa]…indicators[M2_yellow_to_green].params.to: ugyldig værdi 'gren' – …``.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

UNITS = ("%", "antal", "dage", "score", "procentpoint")


class ConfigError(Exception):
    """The configuration is invalid; the message is meant for the person who edits it."""


class ComputationContract(Protocol):
    """What config validation needs of a computation (``indicators.contract.Computation``)."""

    @property
    def params_model(self) -> type[BaseModel]: ...


Computations = Mapping[str, ComputationContract]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class IndicatorSpec(_Strict):
    id: str = Field(pattern=r"^[A-Za-z0-9_\-]+$")
    name: str = Field(min_length=1)
    definition: str = Field(min_length=1)
    computation: str
    params: dict[str, Any] = Field(default_factory=dict)
    unit: Literal["%", "antal", "dage", "score", "procentpoint"]
    direction: Literal["higher", "lower"]
    baseline: float | None = None
    target: float
    target_year: int = Field(ge=2000, le=2100)
    min_n: int = Field(ge=1)
    # ``computation`` and ``params`` are checked against the registry by ``_check_computations``.


class BoxSpec(_Strict):
    id: str = Field(pattern=r"^[A-Za-z0-9_\-]+$")
    title: str = Field(min_length=1)
    text: str = Field(min_length=1)
    indicators: list[IndicatorSpec] = Field(min_length=1)

    @property
    def headline(self) -> IndicatorSpec:
        return self.indicators[0]


class LayerSpec(_Strict):
    id: str = Field(pattern=r"^[a-z0-9_\-]+$")
    title: str = Field(min_length=1)
    boxes: list[BoxSpec] = Field(min_length=1)


OrgLevel = Literal["national", "municipality", "area", "institution"]


class MembershipSpec(_Strict):
    """Where and since when a programme runs: an org unit (and everything below it) from a date,
    optionally to a date. ``[[programmes.membership]] unit = "851", from = 2020-01-01``."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    unit: str = Field(min_length=1)  # an org-unit code: a municipality, an area or a daycare
    start: dt.date = Field(alias="from")
    end: dt.date | None = Field(default=None, alias="to")

    @model_validator(mode="after")
    def _ordered(self) -> MembershipSpec:
        if self.end is not None and self.end < self.start:
            raise ValueError("'to' ligger før 'from'")
        return self


class ProgrammeSpec(_Strict):
    id: str = Field(pattern=r"^[a-z0-9_\-]+$")
    title: str = Field(min_length=1)
    subtitle: str = ""
    owner: str = Field(min_length=1)
    # Where the programme runs. Empty: everywhere, in every period (and aggregated to the root).
    membership: list[MembershipSpec] = Field(default_factory=list)
    # The highest level its values are aggregated to (over member units only). "national" for a
    # programme across municipalities: its national aggregate is every member's benchmark.
    top_level: OrgLevel = "municipality"
    layers: list[LayerSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> ProgrammeSpec:
        seen: set[str] = set()
        for ind in self.indicators():
            if ind.id in seen:
                raise ValueError(f"indikator-id '{ind.id}' bruges mere end én gang")
            seen.add(ind.id)
        return self

    @property
    def is_national(self) -> bool:
        return self.top_level == "national"

    def boxes(self) -> list[tuple[LayerSpec, BoxSpec]]:
        return [(layer, box) for layer in self.layers for box in layer.boxes]

    def indicators(self) -> list[IndicatorSpec]:
        return [ind for layer in self.layers for box in layer.boxes for ind in box.indicators]

    def indicator(self, indicator_id: str) -> IndicatorSpec:
        return next(i for i in self.indicators() if i.id == indicator_id)

    def box_of(self, indicator_id: str) -> tuple[LayerSpec, BoxSpec]:
        return next((lay, box) for lay, box in self.boxes()
                    if any(i.id == indicator_id for i in box.indicators))


class ChangeModelConfig(_Strict):
    programmes: list[ProgrammeSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_programmes(self) -> ChangeModelConfig:
        ids = [p.id for p in self.programmes]
        if len(ids) != len(set(ids)):
            raise ValueError("to programmer har samme id")
        return self

    def programme(self, programme_id: str) -> ProgrammeSpec:
        for programme in self.programmes:
            if programme.id == programme_id:
                return programme
        raise KeyError(programme_id)


_MESSAGES = {
    "missing": "mangler",
    "extra_forbidden": "er ikke en kendt nøgle (stavefejl?)",
    "float_parsing": "skal være et tal",
    "float_type": "skal være et tal",
    "int_parsing": "skal være et helt tal",
    "int_type": "skal være et helt tal",
    "int_from_float": "skal være et helt tal",
    "string_type": "skal være tekst (i anførselstegn)",
    "bool_type": "skal være true eller false",
    "dict_type": "skal være en tabel, fx { navn = værdi }",
    "list_type": "skal være en liste",
    "date_type": "skal være en dato, fx 2020-01-01 (uden anførselstegn)",
    "date_from_datetime_parsing": "skal være en dato, fx 2020-01-01 (uden anførselstegn)",
    "date_parsing": "skal være en dato, fx 2020-01-01 (uden anførselstegn)",
    "too_short": "må ikke være tom",
    "string_too_short": "må ikke være tom",
    "string_pattern_mismatch": "må kun indeholde bogstaver a-z, tal, '-' og '_'",
    "greater_than_equal": "skal være mindst {ge}",
    "greater_than": "skal være større end {gt}",
    "less_than_equal": "må højst være {le}",
    "less_than": "skal være mindre end {lt}",
}

Problem = tuple[tuple[str | int, ...], str]  # (location in the raw config, Danish message)


def _key_path(raw: dict[str, Any], loc: tuple[str | int, ...]) -> str:
    """Turn pydantic's location into a readable key, using ids instead of list positions."""
    parts: list[str] = []
    node: Any = raw
    for item in loc:
        if isinstance(item, int) and isinstance(node, list):
            node = node[item] if item < len(node) else {}
            label = node.get("id") if isinstance(node, dict) else None
            parts[-1] = f"{parts[-1]}[{label or item}]"
        else:
            parts.append(str(item))
            node = node.get(item, {}) if isinstance(node, dict) else {}
    return ".".join(parts)


def _message(err: Any) -> str:
    """One pydantic error in plain Danish."""
    ctx = err.get("ctx") or {}
    if err["type"] == "value_error":
        return str(err["msg"]).removeprefix("Value error, ")
    if err["type"] == "literal_error":
        expected = str(ctx.get("expected", ""))
        allowed = re.findall(r"'([^']*)'", expected) or [expected.replace(" or ", ", ")]
        return f"ugyldig værdi {err['input']!r} – tilladte værdier: {', '.join(allowed)}"
    template = _MESSAGES.get(err["type"])
    return template.format(**ctx) if template else str(err["msg"])


def _check_computations(raw: dict[str, Any],
                        computations: Computations) -> tuple[dict[str, Any], list[Problem]]:
    """Check every indicator's ``computation`` and ``params`` against the registry.

    Walks the raw config (so these problems are reported together with the structural ones) and
    returns a copy in which valid params are replaced by their validated values.
    """
    checked = copy.deepcopy(raw)
    problems: list[Problem] = []

    def items(node: Any, key: str) -> list[tuple[int, dict[str, Any]]]:
        children = node.get(key) if isinstance(node, dict) else None
        if not isinstance(children, list):
            return []
        return [(i, child) for i, child in enumerate(children) if isinstance(child, dict)]

    for p, programme in items(checked, "programmes"):
        for la, layer in items(programme, "layers"):
            for b, box in items(layer, "boxes"):
                for i, indicator in items(box, "indicators"):
                    loc: tuple[str | int, ...] = ("programmes", p, "layers", la, "boxes", b,
                                                  "indicators", i)
                    name = indicator.get("computation")
                    if not isinstance(name, str):
                        continue  # missing or not text: the structural check says so
                    if name not in computations:
                        known = ", ".join(sorted(computations))
                        problems.append((loc + ("computation",), f"ukendt beregning '{name}'. "
                                         f"Kendte beregninger: {known}"))
                        continue
                    params = indicator.get("params", {})
                    if not isinstance(params, dict):
                        continue
                    model = computations[name].params_model
                    try:
                        valid = model.model_validate(params)
                    except ValidationError as exc:
                        for err in exc.errors():
                            what = _message(err)
                            if err["type"] == "extra_forbidden":
                                allowed = ", ".join(model.model_fields) or "ingen"
                                what = (f"beregningen '{name}' kender ikke parameteren "
                                        f"{err['loc'][-1]} (tilladte: {allowed})")
                            elif err["type"] == "missing":
                                what = f"mangler (beregningen '{name}' kræver den)"
                            problems.append((loc + ("params", *err["loc"]), what))
                        continue
                    indicator["params"] = valid.model_dump(exclude_unset=True)
    return checked, problems


def describe_errors(raw: dict[str, Any], problems: list[Problem], source: str) -> str:
    lines = [f"Fejl i {source}:"]
    for loc, what in problems:
        key = _key_path(raw, loc)
        lines.append(f"  - {key or '(roden)'}: {what}")
    return "\n".join(lines)


def parse_programmes(raw: dict[str, Any], *, computations: Computations,
                     source: str = "config.toml") -> ChangeModelConfig:
    """Validate the raw config: its structure, and each indicator against ``computations``."""
    checked, problems = _check_computations(raw, computations)
    try:
        config = ChangeModelConfig.model_validate({"programmes": checked.get("programmes", [])})
    except ValidationError as exc:
        structural: list[Problem] = [(tuple(e["loc"]), _message(e)) for e in exc.errors()]
        raise ConfigError(describe_errors(raw, structural + problems, source)) from None
    if problems:
        raise ConfigError(describe_errors(raw, problems, source))
    return config


def load_programmes(path: Path, *, computations: Computations) -> ChangeModelConfig:
    try:
        with path.open("rb") as fh:
            raw = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"Konfigurationsfilen {path} findes ikke.") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path.name} er ikke gyldig TOML: {exc}") from None
    return parse_programmes(raw, computations=computations, source=path.name)
