"""A throw-away PostgreSQL cluster for the test run and the benchmarks.

Uses pytest-postgresql's executor with the machine's own ``pg_ctl``. PostgreSQL refuses to run as root, so
when we are root (CI machines, containers) every ``pg_ctl`` call goes through ``runuser -u postgres`` and the
cluster lives in a directory that user owns. The cluster listens on 127.0.0.1 on a free port of its own and
is deleted when stopped.

    with Cluster() as pg:
        os.environ["DATABASE_URL"] = pg.url

or from a shell: ``python -m gongzhi.testing.postgres -- pytest …`` runs the command with DATABASE_URL set.
"""
from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

MIN_VERSION = 15


class PostgresUnavailable(RuntimeError):
    pass


def find_pg_ctl() -> str | None:
    """The newest pg_ctl on this machine: $PG_CTL, then Debian's versioned dirs, then $PATH."""
    if explicit := os.environ.get("PG_CTL"):
        return explicit
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
                        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    if candidates:
        return candidates[-1]
    return shutil.which("pg_ctl")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _version(pg_ctl: str) -> int:
    out = subprocess.run([pg_ctl, "--version"], capture_output=True, text=True, check=True).stdout
    # "pg_ctl (PostgreSQL) 15.8 (Debian 15.8-0+deb12u1)"
    return int(out.split(")")[1].strip().split(".")[0])


class Cluster:
    def __init__(self, *, dbname: str = "gongzhi", fast: bool = True, port: int | None = None,
                 extra_options: str = "", keep_in: Path | None = None):
        """``keep_in``: a directory that keeps the cluster between runs (benchmark data); else a temp dir."""
        self.dbname = dbname
        self.fast = fast
        self.port = port or _free_port()
        self.extra_options = extra_options
        self.keep_in = Path(keep_in) if keep_in else None
        self.base: Path | None = None
        self.executor = None

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{self.dbname}"

    def start(self) -> Cluster:
        from pytest_postgresql.executors import PostgreSQLExecutor

        pg_ctl = find_pg_ctl()
        if not pg_ctl or not os.path.exists(pg_ctl):
            raise PostgresUnavailable("pg_ctl not found: install PostgreSQL 15+ (apt-get install postgresql)")
        if (version := _version(pg_ctl)) < MIN_VERSION:
            raise PostgresUnavailable(f"PostgreSQL {version} found, {MIN_VERSION}+ needed")
        if self.keep_in is not None:
            self.base = self.keep_in
            self.base.mkdir(parents=True, exist_ok=True)
        else:
            self.base = Path(tempfile.mkdtemp(prefix="gongzhi-pg-"))
        os.chmod(self.base, 0o755)
        executable = pg_ctl
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError as e:
                raise PostgresUnavailable("running as root but there is no 'postgres' user to run the cluster") from e
            os.chown(self.base, owner.pw_uid, owner.pw_gid)
            executable = str(self.base / "pg_ctl")
            Path(executable).write_text(f'#!/bin/sh\nexec runuser -u postgres -- {pg_ctl} "$@"\n')
            os.chmod(executable, 0o755)
        options = "-c max_connections=200 " + self.extra_options
        if self.fast:  # a throw-away cluster: durability buys nothing here
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self.executor = PostgreSQLExecutor(
            executable=executable, host="127.0.0.1", port=self.port, datadir=str(self.base / "data"),
            unixsocketdir=str(self.base), logfile=str(self.base / "postgresql.log"), startparams="-w",
            dbname=self.dbname, user="postgres", postgres_options=options.strip(), timeout=120,
        )
        if self.keep_in is not None:
            # the executor deletes its data directory when stopped or garbage-collected; not this one
            self.executor.clean_directory = lambda: None
            if (self.base / "data" / "PG_VERSION").exists():
                self.executor._directory_initialised = True  # reuse the kept cluster instead of initdb
        self.executor.start()
        self.executor.wait_for_postgres()
        self._createdb()
        return self

    def _createdb(self) -> None:
        import time

        import psycopg

        # a kept cluster that was killed replays its WAL first; wait for it rather than fail
        for attempt in range(600):
            try:
                conn = psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres",
                                       autocommit=True)
                break
            except psycopg.OperationalError as e:
                if "not yet accepting connections" not in str(e) or attempt == 599:
                    raise
                time.sleep(1)
        with conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [self.dbname]).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{self.dbname}"')

    def stop(self) -> None:
        if self.executor is not None:
            with contextlib.suppress(Exception):  # a cluster that is already gone is stopped
                self.executor.stop()
            self.executor = None
        if self.base is not None and self.keep_in is None:
            shutil.rmtree(self.base, ignore_errors=True)
        self.base = None

    def __enter__(self) -> Cluster:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def main(argv: list[str]) -> int:
    if "--" in argv:
        argv = argv[argv.index("--") + 1:]
    if not argv:
        print("usage: python -m gongzhi.testing.postgres -- COMMAND …", file=sys.stderr)
        return 2
    with Cluster() as pg:
        env = dict(os.environ, DATABASE_URL=pg.url)
        print(f"PostgreSQL cluster on 127.0.0.1:{pg.port}", file=sys.stderr)
        return subprocess.call(argv, env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
