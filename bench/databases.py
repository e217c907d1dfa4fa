"""Throwaway databases: SQLite files under bench/results/, and PostgreSQL databases created
next to the one BENCH_DATABASE_URL (or DATABASE_URL) names, dropped at the end."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

RESULTS = Path(__file__).resolve().parent / "results"


@dataclass(frozen=True)
class Database:
    backend: str  # "sqlite" or "postgresql"
    url: str
    name: str


def postgres_server_url() -> str | None:
    """The PostgreSQL server to bench on, if the environment names one."""
    for variable in ("BENCH_DATABASE_URL", "DATABASE_URL"):
        url = os.environ.get(variable, "")
        if url.startswith(("postgres://", "postgresql://")):
            return url
    return None


def create_sqlite(label: str) -> Database:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{label}.sqlite3"
    for leftover in RESULTS.glob(f"{label}.sqlite3*"):  # the file and its WAL, from a past run
        leftover.unlink()
    return Database("sqlite", f"sqlite:///{path}", str(path))


def drop_sqlite(database: Database) -> None:
    for path in RESULTS.glob(f"{Path(database.name).name}*"):
        path.unlink()


def create_postgres(server_url: str, label: str) -> Database:
    import psycopg

    name = f"kinga_bench_{label}_{os.getpid()}"
    with psycopg.connect(_with_database(server_url, "postgres"), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    return Database("postgresql", _with_database(server_url, name), name)


def drop_postgres(server_url: str, database: Database) -> None:
    import psycopg

    with psycopg.connect(_with_database(server_url, "postgres"), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{database.name}" WITH (FORCE)')


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))
