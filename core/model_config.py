"""The change model as configuration: programmes → layers → boxes → indicators.

``load_programmes`` reads ``config.toml`` and validates it with pydantic. Any error stops the app at
start with a message that names the bad key and says what is wrong in plain (Danish) words.
"""

from __future__ import annotations

import inspect
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from indicators.registry import COMPUTATIONS

UNITS = ("%", "antal", "dage", "score", "procentpoint")


class ConfigError(Exception):
    """The configuration is invalid; the message is meant for the person who edits it."""


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

    @field_validator("computation")
    @classmethod
    def _known_computation(cls, value: str) -> str:
        if value not in COMPUTATIONS:
            known = ", ".join(sorted(COMPUTATIONS))
            raise ValueError(f"ukendt beregning '{value}'. Kendte beregninger: {known}")
        return value

    @model_validator(mode="after")
    def _params_fit(self) -> IndicatorSpec:
        allowed = COMPUTATIONS[self.computation].parameters()
        unknown = sorted(set(self.params) - set(allowed))
        if unknown:
            raise ValueError(
                f"beregningen '{self.computation}' kender ikke parameteren "
                f"{', '.join(unknown)} (tilladte: {', '.join(allowed) or 'ingen'})"
            )
        missing = [k for k, p in allowed.items()
                   if p.default is inspect.Parameter.empty and k not in self.params]
        if missing:
            raise ValueError(f"beregningen '{self.computation}' mangler parameteren "
                             f"{', '.join(missing)}")
        return self

    @property
    def subgroups(self) -> bool:
        return COMPUTATIONS[self.computation].subgroups


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


class ProgrammeSpec(_Strict):
    id: str = Field(pattern=r"^[a-z0-9_\-]+$")
    title: str = Field(min_length=1)
    subtitle: str = ""
    owner: str = Field(min_length=1)
    layers: list[LayerSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> ProgrammeSpec:
        seen: set[str] = set()
        for ind in self.indicators():
            if ind.id in seen:
                raise ValueError(f"indikator-id '{ind.id}' bruges mere end én gang")
            seen.add(ind.id)
        return self

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
    "literal_error": "har en ugyldig værdi",
    "too_short": "må ikke være tom",
    "string_too_short": "må ikke være tom",
    "string_pattern_mismatch": "må kun indeholde bogstaver a-z, tal, '-' og '_'",
    "greater_than_equal": "er for lille",
    "less_than_equal": "er for stor",
}


def _key_path(raw: dict, loc: tuple) -> str:
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


def describe_errors(raw: dict, error: ValidationError, source: str) -> str:
    lines = [f"Fejl i {source}:"]
    for err in error.errors():
        key = _key_path(raw, tuple(err["loc"]))
        if err["type"] == "value_error":
            what = str(err["msg"]).removeprefix("Value error, ")
        else:
            what = _MESSAGES.get(err["type"], err["msg"])
            if err["type"] == "literal_error":
                what = f"{what}: {err['msg']}"
        lines.append(f"  - {key or '(roden)'}: {what}")
    return "\n".join(lines)


def parse_programmes(raw: dict, *, source: str = "config.toml") -> ChangeModelConfig:
    try:
        return ChangeModelConfig.model_validate({"programmes": raw.get("programmes", [])})
    except ValidationError as exc:
        raise ConfigError(describe_errors(raw, exc, source)) from None


def load_programmes(path: Path) -> ChangeModelConfig:
    try:
        with path.open("rb") as fh:
            raw = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"Konfigurationsfilen {path} findes ikke.") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path.name} er ikke gyldig TOML: {exc}") from None
    return parse_programmes(raw, source=path.name)
