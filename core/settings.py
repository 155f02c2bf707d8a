"""One typed settings object, read from ``config.toml`` [app] and overridden by the environment."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG_PATH = ROOT / "config.toml"
DEFAULT_SQLITE_PATH = ROOT / "data" / "demo.sqlite"


@dataclass(frozen=True)
class ImportLimits:
    """Bounds on one imported file, checked before it is parsed (``[app] import_max_rows`` etc.,
    or the environment: ``IMPORT_MAX_ROWS``). The defaults fit a national nightly file (≈ 300,000
    children: a year of assessments is ≈ 600,000 rows of ≈ 60 bytes)."""

    max_bytes: int = 200_000_000            # the uploaded file as it is
    max_rows: int = 2_000_000               # data rows (lines for CSV, <row> elements for XLSX)
    max_columns: int = 50
    max_line_bytes: int = 4_000             # one CSV line
    max_unpacked_bytes: int = 100_000_000   # XLSX: all its parts unpacked
    max_xlsx_rows: int = 200_000            # XLSX is for people; nightly bulk files are CSV
    lock_wait_seconds: float = 5.0          # wait this long for another import to finish


@dataclass(frozen=True)
class Settings:
    database_url: str
    demo_mode: bool
    config_path: Path
    import_limits: ImportLimits = field(default_factory=ImportLimits)

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
    return Settings(database_url=url, demo_mode=demo, config_path=path,
                    import_limits=_import_limits(app))


def _import_limits(app: dict) -> ImportLimits:
    """``IMPORT_MAX_ROWS`` (environment) or ``import_max_rows`` ([app]) for each limit."""
    values: dict[str, float] = {}
    for item in fields(ImportLimits):
        key = f"import_{item.name}"
        raw = os.environ.get(key.upper(), app.get(key))
        if raw is not None:
            number = float(raw)
            values[item.name] = number if item.name == "lock_wait_seconds" else int(number)
    return ImportLimits(**values)  # type: ignore[arg-type]
