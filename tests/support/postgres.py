"""A throwaway PostgreSQL cluster for tests, built with the server's own tools.

Usage::

    with throwaway_postgres() as url:          # SQLAlchemy URL (str)
        ...
        stop_server(url)                       # simulate an outage
        start_server(url)                      # same port, same data

    with throwaway_postgres_server() as server:  # the PostgresServer object
        server.stop(); server.start()

``initdb`` and ``pg_ctl`` refuse to run as root, so when we are root every
server command runs as the ``postgres`` OS user through ``runuser``.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import psycopg

DATABASE = "dashboard_test"
OS_USER = "postgres"
START_TIMEOUT_S = 30

# Servers started by throwaway_postgres(), keyed by their URL.
_SERVERS: dict[str, PostgresServer] = {}


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _bin_dir() -> Path | None:
    """The newest /usr/lib/postgresql/<version>/bin holding initdb and pg_ctl."""
    candidates = [Path(p) for p in glob.glob("/usr/lib/postgresql/*/bin")]
    usable = [
        p for p in candidates if (p / "initdb").is_file() and (p / "pg_ctl").is_file()
    ]
    if not usable:
        return None
    return max(
        usable, key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else -1
    )


def _as_root() -> bool:
    return os.geteuid() == 0


def postgres_available() -> str | None:
    """None if a throwaway server can be started here, else the reason why not."""
    if _bin_dir() is None:
        return "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin"
    if _as_root():
        try:
            pwd.getpwnam(OS_USER)
        except KeyError:
            return f"running as root but there is no {OS_USER!r} OS user to run initdb/pg_ctl"
        if shutil.which("runuser") is None:
            return "running as root but runuser is not available"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed"
    return None


def _locale() -> str:
    """C.UTF-8 when the system has it (proper ctype for æøå), else plain C."""
    try:
        names = subprocess.run(
            ["locale", "-a"], capture_output=True, text=True, check=False
        ).stdout
    except OSError:
        return "C"
    wanted = {"c.utf8", "c.utf-8"}
    return (
        "C.UTF-8"
        if any(line.strip().lower() in wanted for line in names.splitlines())
        else "C"
    )


class PostgresServer:
    """One cluster in a temporary directory, listening on 127.0.0.1:<port> only."""

    def __init__(self, root: Path, port: int) -> None:
        bin_dir = _bin_dir()
        if bin_dir is None:
            raise RuntimeError("PostgreSQL server binaries not found")
        self.bin_dir = bin_dir
        self.root = root
        self.port = port
        self.data_dir = root / "data"
        self.socket_dir = root / "sock"
        self.log_file = root / "server.log"
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/{DATABASE}"

    # -- running server tools ------------------------------------------------

    def _run(
        self, tool: str, *args: str, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        cmd = [str(self.bin_dir / tool), *args]
        if _as_root():
            cmd = ["runuser", "-u", OS_USER, "--", *cmd]
        proc = subprocess.run(
            cmd,
            cwd=self.root,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
        )
        if check and proc.returncode != 0:
            raise RuntimeError(
                f"{tool} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}\n"
                f"--- server log tail ---\n{self.log_tail()}"
            )
        return proc

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(
                self.log_file.read_text(errors="replace").splitlines()[-lines:]
            )
        except OSError:
            return "(no server log)"

    # -- lifecycle -------------------------------------------------------------

    def init(self) -> None:
        """initdb the cluster (trust auth, UTF8) and create the test database."""
        self.socket_dir.mkdir()
        if _as_root():
            pw = pwd.getpwnam(OS_USER)
            for path in (self.root, self.socket_dir):
                os.chown(path, pw.pw_uid, pw.pw_gid)
        self._run(
            "initdb",
            "-D", str(self.data_dir),
            "-U", "postgres",
            "--auth=trust",
            "-E", "UTF8",
            f"--locale={_locale()}",
            "--no-sync",
        )  # fmt: skip
        self.start()
        self._create_database()

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 "
            f"-c unix_socket_directories={self.socket_dir} -c fsync=off"
        )
        self._run(
            "pg_ctl", "start", "-D", str(self.data_dir), "-l", str(self.log_file),
            "-o", options, "-w", "-t", str(START_TIMEOUT_S),
        )  # fmt: skip
        self._wait_ready()

    def stop(self) -> None:
        """Stop the server at once (like a crash); start() recovers the same data."""
        self._run("pg_ctl", "stop", "-D", str(self.data_dir), "-m", "immediate", "-w")

    def is_running(self) -> bool:
        return (
            self._run(
                "pg_ctl", "status", "-D", str(self.data_dir), check=False
            ).returncode
            == 0
        )

    def _connect(self, dbname: str) -> psycopg.Connection[Any]:
        import psycopg

        return psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname=dbname,
            connect_timeout=2, autocommit=True,
        )  # fmt: skip

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            try:
                with self._connect("postgres"):
                    return
            except Exception as exc:  # noqa: BLE001 - any failure means "not yet"
                last_error = exc
                time.sleep(0.2)
        raise RuntimeError(
            f"PostgreSQL on port {self.port} did not accept connections: {last_error}\n"
            f"--- server log tail ---\n{self.log_tail()}"
        )

    def _create_database(self) -> None:
        with self._connect("postgres") as conn:
            # Fixed identifier: no user input reaches this statement.
            conn.execute("CREATE DATABASE dashboard_test")

    def cleanup(self) -> None:
        """Stop the server if it runs and remove the directory."""
        if self.data_dir.exists() and self.is_running():
            self._run(
                "pg_ctl",
                "stop",
                "-D",
                str(self.data_dir),
                "-m",
                "immediate",
                "-w",
                check=False,
            )
        shutil.rmtree(self.root, ignore_errors=True)


@contextmanager
def throwaway_postgres_server() -> Iterator[PostgresServer]:
    """A fresh cluster with an empty ``dashboard_test`` database; yields the server."""
    reason = postgres_available()
    if reason is not None:
        raise RuntimeError(reason)
    server = PostgresServer(Path(tempfile.mkdtemp(prefix="pg-test-")), free_port())
    try:
        server.init()
        yield server
    finally:
        server.cleanup()


@contextmanager
def throwaway_postgres() -> Iterator[str]:
    """A fresh cluster; yields its SQLAlchemy URL (see stop_server/start_server)."""
    with throwaway_postgres_server() as server:
        _SERVERS[server.url] = server
        try:
            yield server.url
        finally:
            _SERVERS.pop(server.url, None)


def stop_server(url: str) -> None:
    """Stop the throwaway server behind ``url`` (immediate mode)."""
    _SERVERS[url].stop()


def start_server(url: str) -> None:
    """Start the throwaway server behind ``url`` again, on the same port."""
    _SERVERS[url].start()
