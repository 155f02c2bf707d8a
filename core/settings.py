"""One typed settings object, read from ``config.toml`` [app] and overridden by the environment."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG_PATH = ROOT / "config.toml"
DEFAULT_SQLITE_PATH = ROOT / "data" / "demo.sqlite"


@dataclass(frozen=True)
class Settings:
    database_url: str
    demo_mode: bool
    config_path: Path

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def load_settings(*, config_path: Path | None = None) -> Settings:
    """Read settings; ``DATABASE_URL`` and ``CONFIG_PATH`` in the environment win over the file."""
    path = Path(os.environ.get("CONFIG_PATH", config_path or CONFIG_PATH))
    with path.open("rb") as fh:
        app = tomllib.load(fh).get("app", {})
    url = os.environ.get("DATABASE_URL") or app.get("database_url") or ""
    if not url:
        url = f"sqlite:///{DEFAULT_SQLITE_PATH}"
    demo_default = url == f"sqlite:///{DEFAULT_SQLITE_PATH}"
    demo_env = os.environ.get("DEMO_MODE")
    demo = demo_env.lower() in {"1", "true", "yes"} if demo_env is not None else demo_default
    return Settings(database_url=url, demo_mode=demo, config_path=path)
