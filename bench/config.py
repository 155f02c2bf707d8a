"""The benchmark's change model: every programme running everywhere.

The generated country's municipalities (K001, …) are no programme's members, so the benchmark
measures every programme as running everywhere, as before programme membership existed. The
refresh, the baseline *and the app* must see the same model: the app reads its model from a file
(``CONFIG_PATH``), so the benchmark writes one, the project's config.toml without its
``membership`` entries, and every step (and the server it starts) reads that file.
"""

from __future__ import annotations

import re
from pathlib import Path

from core.model_config import ChangeModelConfig, load_programmes
from indicators.registry import COMPUTATIONS

_INLINE = re.compile(r"^\s*membership\s*=\s*\[.*\]\s*$")
_TABLE = re.compile(r"^\s*\[\[programmes\.membership\]\]\s*$")
_KEY = re.compile(r"^\s*[A-Za-z0-9_\-]+\s*=")
CONFIG_NAME = "bench-config.toml"


def without_membership(text: str) -> str:
    """``text`` (a config.toml) without its ``membership`` entries: the inline arrays and the
    ``[[programmes.membership]]`` tables with their keys (and the blank line after each)."""
    kept: list[str] = []
    in_table = False
    for line in text.splitlines():
        if _INLINE.match(line):
            continue
        if _TABLE.match(line):
            in_table = True
            continue
        if in_table:
            if _KEY.match(line):
                continue
            in_table = False
            if not line.strip():
                continue
        kept.append(line)
    return "\n".join(kept)


def everywhere(config: ChangeModelConfig) -> ChangeModelConfig:
    """``config`` with every programme's membership emptied: each runs everywhere."""
    return config.model_copy(update={"programmes": [
        p.model_copy(update={"membership": []}) for p in config.programmes]})


def write_config(source: Path, folder: Path) -> tuple[Path, ChangeModelConfig]:
    """Write ``source`` without memberships to ``folder``; its path and the model it holds.

    Raises
    ------
    ValueError
        When the written file does not hold exactly ``source``'s model with every membership
        emptied (a membership written in a form ``without_membership`` does not know).
    """
    path = folder / CONFIG_NAME
    path.write_text(without_membership(source.read_text(encoding="utf-8")) + "\n",
                    encoding="utf-8")
    written = load_programmes(path, computations=COMPUTATIONS)
    wanted = everywhere(load_programmes(source, computations=COMPUTATIONS))
    if written != wanted:
        raise ValueError(f"{path} is not {source} with every membership removed: update "
                         "bench/config.py for the way membership is written now")
    return path, written
