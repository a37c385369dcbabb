"""Benchmark and check: a PostgreSQL backup of Seamline restores to the same data.

Dumps DATABASE_URL's database with `pg_dump --format=custom`, restores the file with
`pg_restore` into a fresh database, and compares the two: the same tables, the same number of
rows in each, the same applied migrations (django_migrations, row by row), the same sequence
positions (so new rows get fresh ids); then `manage.py migrate --check` on the restored copy
(the code finds nothing to migrate). When DATABASE_URL's database holds no people yet (a CI
database), it first seeds the demo organisation into a scratch database and backs that up
instead, so there is something to compare.

ours   = seconds for pg_dump and pg_restore together
floor  = seconds to read every table's rows once (COPY … TO STDOUT): what any backup must do
ratio  = ours ÷ floor, for information: process start-up dominates on small databases
The check is the point: any difference exits with status 1. The fresh (and any scratch)
database and the dump file are gone at the end.

    DATABASE_URL=postgres://… python bench/backup_restore.py
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent


def database_url(url: str, name: str) -> str:
    return urlsplit(url)._replace(path=f"/{name}").geturl()


def admin(url: str, statement: sql.Composable) -> None:
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(statement)


def create(url: str, name: str) -> str:
    admin(url, sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return database_url(url, name)


def drop(url: str, name: str) -> None:
    admin(url, sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def run(command: list[str], **kwargs) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, **kwargs)
    if result.returncode:
        output = (result.stdout + result.stderr)[-3000:]
        sys.exit(f"{' '.join(command[:3])} failed ({result.returncode}):\n{output}")
    return time.perf_counter() - started


def manage(url: str, *args: str) -> float:
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": os.environ.get("SECRET_KEY", "bench")}
    env.pop("REDIS_URL", None)  # the demo's metric computation runs in-process
    return run([sys.executable, "manage.py", *args], env=env)


def has_people(url: str) -> bool:
    with psycopg.connect(url) as connection:
        found = connection.execute("SELECT to_regclass('public.seams_user') IS NOT NULL")
        if not found.fetchone()[0]:
            return False
        return connection.execute("SELECT EXISTS (SELECT 1 FROM seams_user)").fetchone()[0]


def inventory(connection: psycopg.Connection) -> dict:
    """Every table's row count, the applied migrations and every sequence's position."""
    tables = [
        row[0]
        for row in connection.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1"
        )
    ]
    counts = {
        table: connection.execute(
            sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
        ).fetchone()[0]
        for table in tables
    }
    migrations = sorted(connection.execute("SELECT app, name FROM django_migrations").fetchall())
    sequences = dict(
        connection.execute(
            "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"
        ).fetchall()
    )
    return {"counts": counts, "migrations": migrations, "sequences": sequences}


def read_everything(url: str, tables: list[str]) -> float:
    """Seconds to stream every row of every table out of the database once."""
    started = time.perf_counter()
    with psycopg.connect(url) as connection, connection.cursor() as cursor:
        for table in tables:
            statement = sql.SQL("COPY {} TO STDOUT").format(sql.Identifier(table))
            with cursor.copy(statement) as copy:
                for _ in copy:
                    pass
    return time.perf_counter() - started


def differences(source: dict, restored: dict) -> list[str]:
    problems = []
    for table in sorted(set(source["counts"]) | set(restored["counts"])):
        before, after = source["counts"].get(table), restored["counts"].get(table)
        if before != after:
            problems.append(f"{table}: {before} rows backed up, {after} restored")
    if source["migrations"] != restored["migrations"]:
        problems.append("django_migrations differs")
    for name in sorted(set(source["sequences"]) | set(restored["sequences"])):
        before, after = source["sequences"].get(name), restored["sequences"].get(name)
        if before != after:
            problems.append(f"sequence {name}: at {before}, restored at {after}")
    return problems


# Long: the benchmark's steps in the order they run, each printing its figure.
def main() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to the PostgreSQL database to back up.")
    tag = os.getpid()
    restored_name, scratch_name = f"seamline_restore_{tag}", f"seamline_backup_src_{tag}"
    workdir = Path(tempfile.mkdtemp(prefix="seamline-backup-"))
    dump = workdir / "seamline.dump"
    source = url
    try:
        if not has_people(url):
            print("DATABASE_URL's database has no people yet: backing up the demo organisation")
            source = create(url, scratch_name)
            manage(source, "migrate", "--noinput", "--verbosity=0")
            manage(source, "seed_demo")
        # The counts and the dump read the same snapshot, so writes made meanwhile (a live
        # database) don't show up as differences.
        with psycopg.connect(source) as connection:
            connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            connection.read_only = True
            snapshot = connection.execute("SELECT pg_export_snapshot()").fetchone()[0]
            before = inventory(connection)
            dumped = run(
                [
                    "pg_dump",
                    "--format=custom",
                    f"--snapshot={snapshot}",
                    f"--file={dump}",
                    f"--dbname={source}",
                ]
            )
        restored = create(url, restored_name)
        loaded = run(
            [
                "pg_restore",
                "--exit-on-error",
                "--no-owner",
                "--no-privileges",
                f"--dbname={restored}",
                str(dump),
            ]
        )
        with psycopg.connect(restored) as connection:
            after = inventory(connection)
        floor = read_everything(source, list(before["counts"]))
        manage(restored, "migrate", "--check", "--noinput")  # exits 1 if any is unapplied
        size = dump.stat().st_size
    finally:
        drop(url, restored_name)
        drop(url, scratch_name)
        shutil.rmtree(workdir, ignore_errors=True)

    problems = differences(before, after)
    rows = sum(before["counts"].values())
    print(
        f"pg_dump: {dumped:.2f} s, {size / 1024:.0f} kB; pg_restore into a fresh database: "
        f"{loaded:.2f} s"
    )
    print(
        f"compared {len(before['counts'])} tables ({rows:,} rows), "
        f"{len(before['migrations'])} applied migrations, {len(before['sequences'])} sequences; "
        "migrate --check on the copy: nothing to migrate"
    )
    busiest = sorted(before["counts"].items(), key=lambda item: -item[1])[:5]
    print("largest tables: " + ", ".join(f"{table} {count:,}" for table, count in busiest))
    print(f"reading every row once: {floor:.2f} s")
    print("restored copy matches: " + ("yes" if not problems else "NO"))
    for problem in problems:
        print(f"  {problem}")
    ours = dumped + loaded
    print(
        json.dumps(
            {
                "bench": "backup_restore",
                "ours": round(ours, 3),
                "floor": round(floor, 3),
                "unit": "s",
                "ratio": round(ours / floor, 1) if floor else None,
                "target": None,
                "higher_is_better": False,
                "mismatches": len(problems),
            }
        )
    )
    if problems:
        sys.exit(1)


if __name__ == "__main__":
    main()
