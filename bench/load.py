"""Benchmark: Seamline under load, served as in production, with signed-in users.

Starts gunicorn with the production settings (DEBUG off, a generated SECRET_KEY, ALLOWED_HOSTS
127.0.0.1, plain HTTP on loopback with SECURE_COOKIES=0, static files collected and served by
WhiteNoise) on a temporary PostgreSQL database next to DATABASE_URL's, seeded with the demo
organisation. Then Locust (bench/locustfile.py) runs headless: each user signs in through the
login form as one of the demo people and, a second or so apart, reads the review dashboard
/review/, a spec page /seams/<slug>/spec/ and GET /api/v1/handoffs/ (token), posts a handoff
to the API at a third of that rate, and reads /healthz as often.

Figures are per endpoint (requests, req/s, p50/p95/p99, errors) over the run once every user
has signed in (sign-in is slow on purpose, and a burst of them is not a working day), beside
each read timed alone, one request at a time, before the load: what it costs on an idle server.

ours   = p95 of the three reads, in seconds
floor  = p95 of /healthz under the same load: what the server answers doing nearly nothing
ratio  = ours ÷ floor
target = 0.3: the issue's p95 for reads at 20 users on a 2-core machine (and no errors)

Workers: sync, cores + 1 by default, which measured best on this 2-core machine (p95 of reads
181 ms with 3 workers, as with 2; 214 ms with 4; 241-330 ms with 5, the usual 2 × cores + 1,
as more processes than cores time-slice the CPU that PostgreSQL and Locust share; gthread
workers dropped kept-alive connections under load). Celery tasks run in-process (no REDIS_URL for
the server), so a handoff POST refreshes its seam's metrics inside the request, as `make run`
does. The temporary database, the collected static files and the server are gone at the end.
Server, database and Locust share the machine: other work on it shows in the figures.

    DATABASE_URL=postgres://… python bench/load.py [--users 20] [--spawn-rate 5] [--seconds 60]
        [--workers 3] [--threads 1]
"""

import argparse
import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import requests
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
READS = ["/review/", "/seams/[slug]/spec/", "GET /api/v1/handoffs/"]
FLOOR = "/healthz"
TARGET = 0.3
SETTLE_SECONDS = 2
DEMO_PEOPLE = ["elena", "priya", "olivia", "victor"]  # leader, team owner, ops, viewer
WRITER = "olivia"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=20, help="concurrent Locust users")
    parser.add_argument("--spawn-rate", type=float, default=5, help="users started per second")
    parser.add_argument("--seconds", type=int, default=60, help="how long Locust runs")
    parser.add_argument(
        "--workers", type=int, default=(os.cpu_count() or 1) + 1, help="gunicorn workers"
    )
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker")
    return parser.parse_args()


# --- A database of its own ---------------------------------------------------------------------


def scratch_database(url: str) -> tuple[str, str]:
    """A name for this run's database, and DATABASE_URL pointing at it instead."""
    name = f"seamline_load_{os.getpid()}"
    return urlsplit(url)._replace(path=f"/{name}").geturl(), name


def create_database(url: str, name: str) -> None:
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(url: str, name: str) -> None:
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


# --- The server ----------------------------------------------------------------------------------


def server_environment(database_url: str, workdir: Path) -> dict:
    """Production settings; only where the static files are collected differs (settings.py
    has no STATIC_ROOT variable), through a settings module that imports everything else."""
    (workdir / "seamline_load_settings.py").write_text(
        "from config.settings import *  # noqa: F403\n\n"
        f"STATIC_ROOT = {str(workdir / 'static')!r}\n"
    )
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("REDIS_URL", "DJANGO_SETTINGS_MODULE", "DEBUG")
    }
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="seamline_load_settings",
        PYTHONPATH=os.pathsep.join([str(workdir), str(ROOT)]),
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_COOKIES="0",  # plain HTTP on loopback: no HTTPS redirect, no secure-only cookies
        MEDIA_ROOT=str(workdir / "media"),
        LOG_LEVEL="ERROR",
        ORGANISATION_NAME="Northwind Cloud",
    )
    return env


def manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if result.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


SETUP = """
import json
from rest_framework.authtoken.models import Token
from seams.models import Seam, User
people = []
for name in {people!r}:
    user = User.objects.get(username=name)
    people.append({{"username": name, "token": Token.objects.get_or_create(user=user)[0].key}})
seams = list(Seam.objects.order_by("slug").values_list("slug", flat=True))
print(json.dumps({{"people": people, "seams": seams}}))
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(env: dict, port: int, workers: int, threads: int) -> subprocess.Popen:
    command = [
        str(BIN / "gunicorn"),
        "config.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        f"--threads={threads}",
        f"--worker-class={'gthread' if threads > 1 else 'sync'}",
        "--log-level=warning",
        "--timeout=60",
    ]
    return subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)


def wait_until_up(host: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited with {server.returncode}")
        with contextlib.suppress(requests.RequestException):  # not listening yet
            if requests.get(f"{host}/healthz", timeout=2).status_code == 200:
                return
        time.sleep(0.3)
    sys.exit("gunicorn did not answer /healthz within 60 s")


def stop(process: subprocess.Popen | None) -> None:
    """Stop a process this script started, and its children (it leads its own group)."""
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def sign_in(host: str, username: str) -> requests.Session:
    session = requests.Session()
    session.get(f"{host}/accounts/login/")
    response = session.post(
        f"{host}/accounts/login/",
        {
            "username": username,
            "password": "seamline-demo",
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        headers={"Referer": f"{host}/accounts/login/"},
        allow_redirects=False,
    )
    if response.status_code != 302:
        sys.exit(f"{username} could not sign in: {response.status_code}")
    return session


def reads(host: str, person: dict, seams: list[str]) -> list[tuple[str, str, dict, bool]]:
    """(name, URL, headers, through the browser session) of each read Locust makes."""
    token = {"Authorization": f"Token {person['token']}"}
    return [
        ("/review/", f"{host}/review/", {}, True),
        ("/seams/[slug]/spec/", f"{host}/seams/{seams[0]}/spec/", {}, True),
        ("GET /api/v1/handoffs/", f"{host}/api/v1/handoffs/", token, False),
        ("/healthz", f"{host}/healthz", {}, False),
    ]


def check_and_warm(host: str, people: list[dict], seams: list[str], workers: int) -> dict:
    """Sign in as each person and read every page a few times, so no worker meets Locust cold;
    check that static files come from WhiteNoise with far-future caching. Then time each read
    alone, one at a time: what a request costs when nothing else runs (median ms)."""
    for person in people:
        session = sign_in(host, person["username"])
        for _ in range(2 * workers):
            for _name, url, headers, browser in reads(host, person, seams):
                response = (session if browser else requests).get(url, headers=headers)
                if response.status_code != 200:
                    sys.exit(f"{url} answered {response.status_code} for {person['username']}")
    css = re.search(r'href="(/static/[^"]+\.css)"', session.get(f"{host}/review/").text)
    if not css:
        sys.exit("the review page links no stylesheet under /static/")
    response = requests.get(f"{host}{css.group(1)}")
    if response.status_code != 200:
        sys.exit(f"{css.group(1)} answered {response.status_code}")
    alone = {"static": f"{css.group(1)}: {response.headers.get('Cache-Control', 'none')}"}
    leader = people[0]
    session = sign_in(host, leader["username"])
    for name, url, headers, browser in reads(host, leader, seams):
        timings = []
        for _ in range(15):
            started = time.perf_counter()
            (session if browser else requests).get(url, headers=headers)
            timings.append((time.perf_counter() - started) * 1000)
        alone[name] = statistics.median(timings)
    return alone


# --- Locust and the figures ----------------------------------------------------------------------


def run_locust(host: str, args: argparse.Namespace, setup: dict, out: Path) -> None:
    env = dict(os.environ)
    env.update(
        SEAMLINE_LOAD_USERS=json.dumps(setup["people"]),
        SEAMLINE_LOAD_SEAMS=json.dumps(setup["seams"]),
        SEAMLINE_LOAD_WRITER=next(p["token"] for p in setup["people"] if p["username"] == WRITER),
        SEAMLINE_LOAD_OUT=str(out),
    )
    command = [
        str(BIN / "locust"),
        "--headless",
        f"--users={args.users}",
        f"--spawn-rate={args.spawn_rate}",
        f"--run-time={args.seconds}s",
        f"--host={host}",
        f"--locustfile={ROOT / 'bench' / 'locustfile.py'}",
        "--only-summary",
        "--loglevel=ERROR",
    ]
    # Locust exits 1 when any request failed; the figures below say which.
    result = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    if not out.exists():
        sys.exit(f"Locust wrote no results:\n{result.stderr[-3000:]}")


def percentile(times: list[float], p: int) -> float:
    if len(times) == 1:
        return times[0]
    return statistics.quantiles(times, n=100, method="inclusive")[p - 1]


def figures(samples: list, seconds: float) -> dict:
    """Per endpoint, the reads together and everything: requests, rate, p50/p95/p99 (ms) and
    the share that failed."""
    names = sorted({name for name, *_ in samples}, key=lambda n: (n not in READS, n))
    groups = {name: [s for s in samples if s[0] == name] for name in names}
    groups["reads"] = [s for s in samples if s[0] in READS]
    groups["all"] = samples
    table = {}
    for name, rows in groups.items():
        times = sorted(duration for _, _, duration, _ in rows)
        table[name] = {
            "requests": len(rows),
            "rps": len(rows) / seconds,
            "p50": percentile(times, 50),
            "p95": percentile(times, 95),
            "p99": percentile(times, 99),
            "errors": sum(1 for *_, problem in rows if problem) / len(rows),
        }
    return table


def print_table(table: dict, alone: dict) -> None:
    print(
        f"{'endpoint':<24}{'requests':>9}{'req/s':>7}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}"
        f"{'errors':>8}{'alone ms':>10}"
    )
    for name, row in table.items():
        if name in ("reads", "all"):
            print("-" * 82)
        single = f"{alone[name]:>10.0f}" if name in alone else ""
        print(
            f"{name:<24}{row['requests']:>9}{row['rps']:>7.1f}{row['p50']:>8.0f}"
            f"{row['p95']:>8.0f}{row['p99']:>8.0f}{row['errors']:>8.1%}{single}"
        )


# Long: the benchmark's steps in the order they run, each printing its figure.
def main() -> None:
    args = parse_args()
    base_url = os.environ.get("DATABASE_URL", "")
    if not base_url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL database: the load test makes one beside it.")
    scratch_url, name = scratch_database(base_url)
    workdir = Path(tempfile.mkdtemp(prefix="seamline-load-"))
    server = None
    create_database(base_url, name)
    try:
        env = server_environment(scratch_url, workdir)
        started = time.perf_counter()
        manage(env, "migrate", "--noinput", "--verbosity=0")
        manage(env, "seed_demo")
        manage(env, "collectstatic", "--noinput", "--verbosity=0")
        setup = json.loads(
            manage(env, "shell", "-c", SETUP.format(people=DEMO_PEOPLE)).strip().splitlines()[-1]
        )
        print(f"database {name}: migrated and seeded in {time.perf_counter() - started:.0f} s")
        port = free_port()
        host = f"http://127.0.0.1:{port}"
        server = start_gunicorn(env, port, args.workers, args.threads)
        wait_until_up(host, server)
        alone = check_and_warm(host, setup["people"], setup["seams"], args.workers)
        print(
            f"gunicorn: {args.workers} workers × {args.threads} thread(s) on {host}; "
            f"static {alone.pop('static')}"
        )
        out = workdir / "samples.json"
        run_locust(host, args, setup, out)
        results = json.loads(out.read_text())
    finally:
        stop(server)
        drop_database(base_url, name)
        shutil.rmtree(workdir, ignore_errors=True)

    # Measured once every user has signed in (password hashing is slow on purpose, and a
    # burst of sign-ins is not what a working day looks like) and the server has settled.
    sign_ins = [s for s in results["samples"] if s[0] == "sign in"]
    signed_in = max([results["spawned_at"] or 0] + [s[1] + s[2] / 1000 for s in sign_ins])
    since = signed_in + SETTLE_SECONDS
    samples = [s for s in results["samples"] if s[1] >= since]
    if not samples:
        sys.exit("no requests after every user had signed in: run longer (--seconds)")
    window = max(s[1] for s in samples) - since
    table = figures(samples, window)
    sign_in_ms = statistics.median(s[2] for s in sign_ins)
    print(
        f"Locust: {args.users} users (+{args.spawn_rate:g}/s) for {args.seconds} s; figures "
        f"from the last {window:.0f} s, after every user had signed in (sign-in median "
        f"{sign_in_ms:.0f} ms); {os.cpu_count()} cores shared by server, database and Locust"
    )
    print_table(table, alone)
    problems = Counter(f"{name}: {problem}" for name, _, _, problem in samples if problem)
    for problem, count in problems.most_common(5):
        print(f"  {count} × {problem}")
    ours = table["reads"]["p95"] / 1000
    floor = table[FLOOR]["p95"] / 1000
    errors = table["all"]["errors"]
    verdict = "met" if ours < TARGET and errors == 0 else "NOT met"
    print(f"target p95 < {TARGET * 1000:.0f} ms for reads with no errors: {verdict}")
    print(
        json.dumps(
            {
                "bench": "load",
                "ours": round(ours, 4),
                "floor": round(floor, 4),
                "unit": "s",
                "ratio": round(ours / floor, 2) if floor else None,
                "target": TARGET,
                "higher_is_better": False,
                "errors": round(errors, 4),
                "rps": round(table["all"]["rps"], 1),
            }
        )
    )


if __name__ == "__main__":
    main()
