"""One typed settings object, read from ``config.toml`` [app] and overridden by the environment."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from core.sso import SsoSettings, SsoSettingsError, load_sso

ROOT = Path(__file__).resolve().parent.parent
CONFIG_PATH = ROOT / "config.toml"
DEFAULT_SQLITE_PATH = ROOT / "data" / "demo.sqlite"
DEFAULT_MIN_N = 5
DEFAULT_STANDARD_VIEW = "Styregruppens standardvisning"
DEFAULT_ACCESS_CONTACT = "en administrator i kommunen"
SECRETS_PATH = ROOT / ".streamlit" / "secrets.toml"
DEFAULT_COMPLETENESS_THRESHOLD = 80.0


class SettingsError(ValueError):
    """A setting is invalid; the message (Danish) names it."""


def withheld_text(min_n: int) -> str:
    """What a withheld value is shown as: ``< 5`` when values on fewer than 5 are withheld."""
    return f"< {min_n}"


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
    # Values resting on fewer than this many children/families/staff are withheld; the screens,
    # the exports and the meeting pack say so with ``withheld_text``.
    min_n: int = DEFAULT_MIN_N
    # The saved view the meeting page and ``manage.py meeting-pack`` start from.
    standard_view: str = DEFAULT_STANDARD_VIEW

    # Completeness (share of the enrolled children assessed, in %) below which a child
    # indicator's value is marked "usikkert datagrundlag" (issue 15).
    completeness_threshold: float = DEFAULT_COMPLETENESS_THRESHOLD

    @property
    def withheld_text(self) -> str:
        return withheld_text(self.min_n)

    # Login sessions (issue 11): lifetimes, proxies whose X-Forwarded-For is believed, throttle.
    session_idle_hours: float = 8.0
    session_absolute_hours: float = 24.0
    trusted_proxies: tuple[str, ...] = ()
    lockout_minutes: int = 15
    lockout_max_failures: int = 5
    import_limits: ImportLimits = field(default_factory=ImportLimits)
    # Single sign-on (core/sso.py), None when not configured; whom people without an account
    # are told to contact ("Du har ikke adgang endnu – kontakt …").
    sso: SsoSettings | None = None
    access_contact: str = DEFAULT_ACCESS_CONTACT

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def load_settings(*, config_path: Path | None = None) -> Settings:
    """Read settings; ``DATABASE_URL`` and ``CONFIG_PATH`` in the environment win over the file."""
    path = Path(os.environ.get("CONFIG_PATH", config_path or CONFIG_PATH))
    with path.open("rb") as fh:
        document = tomllib.load(fh)
    app = document.get("app", {})
    url = os.environ.get("DATABASE_URL") or app.get("database_url") or ""
    if not url:
        url = f"sqlite:///{DEFAULT_SQLITE_PATH}"
    demo_default = url == f"sqlite:///{DEFAULT_SQLITE_PATH}"
    demo_env = os.environ.get("DEMO_MODE")
    demo = demo_env.lower() in {"1", "true", "yes"} if demo_env is not None else demo_default
    min_n = os.environ.get("MIN_N") or app.get("min_n", DEFAULT_MIN_N)
    if isinstance(min_n, bool) or not str(min_n).isdigit() or int(min_n) < 1:
        raise SettingsError(f"min_n skal være et helt tal på mindst 1 (er {min_n!r}).")
    standard_view = str(os.environ.get("STANDARD_VIEW") or app.get("standard_view")
                        or DEFAULT_STANDARD_VIEW).strip()
    try:
        sso = load_sso(document.get("sso", {}), secrets_path=SECRETS_PATH)
    except SsoSettingsError as exc:
        raise SettingsError(str(exc)) from exc
    threshold = os.environ.get("COMPLETENESS_THRESHOLD") or app.get(
        "completeness_threshold", DEFAULT_COMPLETENESS_THRESHOLD)
    try:
        threshold = -1.0 if isinstance(threshold, bool) else float(threshold)
    except (TypeError, ValueError):
        threshold = -1.0
    if not 0 <= threshold <= 100:
        raise SettingsError("completeness_threshold skal være et tal mellem 0 og 100 (procent).")
    proxies = os.environ.get("TRUSTED_PROXIES", ",".join(app.get("trusted_proxies", [])))
    return Settings(
        database_url=url, demo_mode=demo, config_path=path, min_n=int(min_n),
        standard_view=standard_view, completeness_threshold=threshold,
        session_idle_hours=float(os.environ.get(
            "SESSION_IDLE_HOURS", app.get("session_idle_hours", 8.0))),
        session_absolute_hours=float(os.environ.get(
            "SESSION_ABSOLUTE_HOURS", app.get("session_absolute_hours", 24.0))),
        trusted_proxies=tuple(p.strip() for p in proxies.split(",") if p.strip()),
        lockout_minutes=int(app.get("lockout_minutes", 15)),
        lockout_max_failures=int(app.get("lockout_max_failures", 5)),
        import_limits=_import_limits(app),
        sso=sso,
        access_contact=str(os.environ.get("ACCESS_CONTACT") or app.get("access_contact")
                           or DEFAULT_ACCESS_CONTACT).strip(),
    )


def _import_limits(app: dict[str, Any]) -> ImportLimits:
    """``IMPORT_MAX_ROWS`` (environment) or ``import_max_rows`` ([app]) for each limit."""
    values: dict[str, float] = {}
    for item in fields(ImportLimits):
        key = f"import_{item.name}"
        raw = os.environ.get(key.upper(), app.get(key))
        if raw is not None:
            number = float(raw)
            values[item.name] = number if item.name == "lock_wait_seconds" else int(number)
    return ImportLimits(**values)  # type: ignore[arg-type]
