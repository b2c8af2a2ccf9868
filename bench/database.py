"""The benchmarks' PostgreSQL databases: which one a run may drop, dropping and recreating it, Django
set up on it, and the bench's own connections beside Django's."""
from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the project root (scripts run from it as files)
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
LOCAL_SERVER = {"HOST": "127.0.0.1", "PORT": 5432, "USER": "postgres", "PASSWORD": ""}


def bench_database() -> dict:
    """The DATABASE_URL config, if it is safe to drop: PostgreSQL, "bench" in the name, loopback host."""
    import dj_database_url

    url = os.environ.get("DATABASE_URL", "")
    if not url:
        sys.exit("DATABASE_URL is not set, e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/teenplay_bench")
    config = dj_database_url.parse(url)
    name, host = config.get("NAME") or "", str(config.get("HOST") or "")
    if "postgresql" not in config["ENGINE"]:
        sys.exit(f"refusing to run: {config['ENGINE']} is not PostgreSQL")
    if "bench" not in name.lower():
        sys.exit(f"refusing to run against database {name!r}: the benchmark drops and recreates its database, "
                 "so its name must contain 'bench' (e.g. teenplay_bench)")
    if host not in LOOPBACK_HOSTS:
        sys.exit(f"refusing to run against host {host!r}: benchmarks run on a loopback address only (127.0.0.1)")
    return config


def database_url(name: str) -> str:
    """The URL of database `name` on the local server."""
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def connect(dbname: str, config: dict | None = None):
    """A psycopg connection (autocommit) to `dbname` on the config's server (default: the local one)."""
    import psycopg

    config = config or LOCAL_SERVER
    return psycopg.connect(host=config["HOST"], port=int(config.get("PORT") or 5432), user=config.get("USER") or None,
                           password=config.get("PASSWORD") or None, dbname=dbname, autocommit=True)


def admin_connection(config: dict | None = None):
    """A connection to the `postgres` database of the config's server (default: the local one)."""
    return connect("postgres", config)


def recreate_database(config: dict) -> None:
    from psycopg import sql

    with admin_connection(config) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(config["NAME"])))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))


def setup_django(config: dict) -> None:
    """django.setup() on the bench database, `settings.DEBUG` off (DEBUG=1 only supplies a development
    SECRET_KEY: time without DEBUG's query logging), then `migrate`."""
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    if settings.DATABASES["default"]["NAME"] != config["NAME"]:
        sys.exit("settings point at another database than DATABASE_URL; refusing to run")
    settings.DEBUG = False
    call_command("migrate", verbosity=0)


def scalar(query: str, params=()):
    """One value from Django's connection."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchone()[0]


def vacuum_analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def database_comment(database: str) -> str | None:
    """The database's comment ("" when it has none), or None when there is no such database."""
    with admin_connection() as conn:
        row = conn.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
                           [database]).fetchone()
    return None if row is None else (row[0] or "")


def set_database_comment(database: str, comment: str) -> None:
    from psycopg import sql

    with admin_connection() as conn:
        conn.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(sql.Identifier(database), sql.Literal(comment)))
