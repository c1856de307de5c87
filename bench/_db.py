"""A private, migrated database for a benchmark: SQLite in a temporary directory, or its own database on
the PostgreSQL server DATABASE_URL names (never the shared one), dropped afterwards."""

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def private_database(tmp: Path, name: str) -> Iterator[str]:
    """Yield a DATABASE_URL for a new database called ``name`` (PostgreSQL) or a file in ``tmp`` (SQLite)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield f"sqlite:///{tmp / 'db.sqlite3'}"
        return
    import psycopg

    base = url.rpartition("/")[0]

    def admin(sql: str) -> None:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(sql)

    admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    admin(f"CREATE DATABASE {name}")
    try:
        yield f"{base}/{name}"
    finally:
        admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def production_env(tmp: Path, database_url: str) -> dict:
    """Environment for production settings on ``database_url`` (no Redis, embedded search, no HTTPS redirect)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("DJANGO_SETTINGS_MODULE", "REDIS_URL", "ELASTICSEARCH_URL")}
    env.update({
        "DJANGO_SETTINGS_MODULE": "deploy.settings.production",
        "SECRET_KEY": "bench-" + "x" * 60,
        "DATABASE_URL": database_url,
        "ALLOWED_HOSTS": "*",
        "SECURE_SSL_REDIRECT": "0",
        "ZHUNRU_VAR_DIR": str(tmp / "var"),
        "LOG_LEVEL": "WARNING",
    })
    return env


def manage(env: dict, *args: str, timeout: float = 600) -> None:
    """Run a management command; on failure raise with the last line it wrote to stderr."""
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, timeout=timeout)
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"manage.py {' '.join(args)} failed ({result.returncode}): {last[:300]}")


@contextmanager
def django_on_private_database(prefix: str, name: str) -> Iterator[tuple[Path, str]]:
    """A temporary directory and a migrated private database (``private_database``), with Django set up in this
    process on production settings over it; yields (directory, DATABASE_URL) and drops it all afterwards."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        tmp = Path(tmp)
        with private_database(tmp, name) as database_url:
            env = production_env(tmp, database_url)
            manage(env, "migrate", "--noinput", "-v0")
            os.environ.update(env)
            os.chdir(ROOT)
            if str(ROOT) not in sys.path:
                sys.path.insert(0, str(ROOT))
            import django

            django.setup()
            try:
                yield tmp, database_url
            finally:
                from django.db import connections

                connections.close_all()
