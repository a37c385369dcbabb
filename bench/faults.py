"""Faults Seamline must survive, on real components of its own: a PostgreSQL cluster and a
Redis server started for the run (so nothing else on the machine is disturbed), gunicorn with
the production settings, and Celery workers.

    python bench/faults.py [redis|worker|postgres|all]

- redis: with Redis stopped, a write still succeeds at once and the work it enqueues waits in
  the outbox; when Redis is back, beat's relay sends it and a worker does it.
- worker: the process computing snapshots is killed mid-run; its task is redone (acks late,
  rejected on worker loss) and the snapshots equal a clean computation's.
- postgres: PostgreSQL restarted under load; errors only while it is down, then every request
  succeeds again without restarting the app.

Prints what happened and, last, one JSON line per STYLE.md ("ratio" is failures: 0 passes).
Needs PostgreSQL's server binaries and redis-server (installed on this machine and in CI).
"""

import argparse
import contextlib
import glob
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PG_PORT, REDIS_PORT, WEB_PORT = 15439, 16391, 18765
BASE = f"http://127.0.0.1:{WEB_PORT}"
PASSWORD = "seamline-demo"


def say(text: str) -> None:
    print(text, flush=True)


def pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise SystemExit(f"PostgreSQL's {name} is not installed.")
    return found[-1]


def as_postgres(*command: str) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else list(command)


class Services:
    """A throwaway PostgreSQL cluster and Redis server, and Seamline's processes on them."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="seamline-faults-"))
        os.chmod(self.dir, 0o777)
        self.pgdata = self.dir / "pg"
        self.processes: dict[str, subprocess.Popen] = {}
        self.env = {
            **os.environ,
            "DATABASE_URL": f"postgres://seamline:seamline@127.0.0.1:{PG_PORT}/seamline",
            "REDIS_URL": f"redis://127.0.0.1:{REDIS_PORT}/0",
            "SECRET_KEY": "faults-" + "x" * 50,
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            # Plain http on loopback: no TLS redirect, no secure-only cookies.
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_COOKIES": "0",
            "SECURE_HSTS_SECONDS": "0",
            "CONN_MAX_AGE": "60",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }

    # PostgreSQL
    def start_postgres(self) -> None:
        if not self.pgdata.exists():
            self.pgdata.mkdir()
            shutil.chown(self.pgdata, "postgres") if os.geteuid() == 0 else None
            subprocess.run(
                as_postgres(
                    pg_bin("initdb"), "-D", str(self.pgdata), "-A", "trust", "-U", "postgres"
                ),
                check=True,
                capture_output=True,
            )
        subprocess.run(
            as_postgres(
                pg_bin("pg_ctl"),
                "-D",
                str(self.pgdata),
                "-l",
                str(self.dir / "pg.log"),
                "-o",
                f"-p {PG_PORT} -k {self.dir} -c listen_addresses=127.0.0.1",
                "-w",
                "start",
            ),
            check=True,
            capture_output=True,
        )

    def stop_postgres(self) -> None:
        subprocess.run(
            as_postgres(pg_bin("pg_ctl"), "-D", str(self.pgdata), "-m", "fast", "-w", "stop"),
            check=False,
            capture_output=True,
        )

    def psql(self, sql: str) -> None:
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "postgres", "-qAt", "-c", sql],
            check=True,
            capture_output=True,
        )

    # Redis
    def start_redis(self) -> None:
        self.processes["redis"] = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(REDIS_PORT),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: redis_answers(), "Redis to answer")

    def stop_redis(self) -> None:
        self.stop("redis")

    # Seamline
    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [PYTHON, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True
        )
        if done.returncode:
            raise SystemExit(f"manage.py {' '.join(args)} failed:\n{done.stderr[-3000:]}")
        return done.stdout

    def start_web(self) -> None:
        self.processes["web"] = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "gunicorn",
                "config.wsgi",
                "-b",
                f"127.0.0.1:{WEB_PORT}",
                "-w",
                "3",
                "--timeout",
                "30",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=open(self.dir / "web.log", "w"),  # noqa: SIM115 (lives with the process)
        )
        wait_for(lambda: ok(f"{BASE}/healthz"), "gunicorn to serve")

    def start_worker(self, *, beat: bool = False, concurrency: int = 1) -> None:
        command = [
            PYTHON,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--loglevel",
            "WARNING",
            "--concurrency",
            str(concurrency),
            "--pool",
            "prefork",
        ]
        if beat:
            command += [
                "--beat",
                "--scheduler",
                "celery.beat:PersistentScheduler",
                "--schedule",
                str(self.dir / "beat-schedule"),
            ]
        self.processes["worker"] = subprocess.Popen(
            command,
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=open(self.dir / "worker.log", "a"),  # noqa: SIM115 (lives with the process)
        )

    def stop(self, name: str) -> None:
        process = self.processes.pop(name, None)
        if process and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def close(self) -> None:
        for name in list(self.processes):
            self.stop(name)
        self.stop_postgres()
        shutil.rmtree(self.dir, ignore_errors=True)

    def prepare(self) -> None:
        for port in (PG_PORT, REDIS_PORT, WEB_PORT):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    raise SystemExit(f"Port {port} is in use; stop what listens there first.")
        say(f"Starting a PostgreSQL cluster on :{PG_PORT} and Redis on :{REDIS_PORT} …")
        self.start_postgres()
        self.psql("CREATE ROLE seamline LOGIN PASSWORD 'seamline' SUPERUSER")
        self.psql("CREATE DATABASE seamline OWNER seamline")
        self.start_redis()
        say("Migrating and seeding the demo organisation …")
        self.manage("migrate", "--noinput", "-v0")
        self.manage("seed_demo")
        self.manage("collectstatic", "--noinput", "-v0")


def redis_answers() -> bool:
    with contextlib.suppress(Exception):
        import redis

        return redis.Redis(port=REDIS_PORT, socket_connect_timeout=0.5).ping()
    return False


def ok(url: str) -> bool:
    with contextlib.suppress(requests.RequestException):
        return requests.get(url, timeout=2).status_code == 200
    return False


def wait_for(check, what: str, timeout: float = 60) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if check():
            return time.monotonic() - started
        time.sleep(0.2)
    raise SystemExit(f"Gave up waiting for {what} after {timeout:.0f} s.")


def signed_in(username: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{BASE}/accounts/login/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = session.post(
        f"{BASE}/accounts/login/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{BASE}/accounts/login/"},
        timeout=10,
    )
    response.raise_for_status()
    if "sessionid" not in session.cookies:
        raise SystemExit(f"Could not sign in as {username}: {response.status_code} {response.url}")
    return session


def post_form(session: requests.Session, path: str) -> requests.Response:
    token = session.cookies.get("csrftoken")
    return session.post(
        BASE + path,
        headers={"X-CSRFToken": token, "Referer": BASE + path},
        allow_redirects=False,
        timeout=30,
    )


def orm(services: Services):
    """Django, in this process, on the throwaway database."""
    os.environ.update({k: v for k, v in services.env.items() if k not in ("PYTHONPATH",)})
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# --- The faults --------------------------------------------------------------------------------


def redis_down(services: Services) -> list[str]:
    from common.models import OutboxMessage
    from metrics.models import DataQualityReport

    failures = []
    services.start_worker(beat=True)
    session = signed_in("olivia")  # ops: runs the data-quality check
    before = DataQualityReport.objects.count()
    services.stop_redis()
    say("Redis stopped. Asking for a data-quality check (a write that enqueues work) …")
    started = time.monotonic()
    response = post_form(session, "/data-quality/run/")
    took = time.monotonic() - started
    say(f"  answered {response.status_code} in {took:.2f} s → {response.headers.get('Location')}")
    if response.status_code != 302 or took > 5:
        failures.append(f"redis: the write answered {response.status_code} in {took:.1f} s")
    waiting = OutboxMessage.objects.filter(sent_at__isnull=True).count()
    say(f"  messages waiting in the outbox: {waiting}")
    services.start_redis()
    say("Redis is back. Waiting for beat's relay (every minute) and the worker …")
    with contextlib.suppress(SystemExit):
        seconds = wait_for(lambda: DataQualityReport.objects.count() > before, "the check", 150)
        say(f"  the check ran {seconds:.0f} s after Redis came back")
    if DataQualityReport.objects.count() <= before:
        failures.append("redis: the enqueued work never ran")
        say((services.dir / "worker.log").read_text()[-4000:])
    services.stop("worker")
    return failures


def snapshot_values(months) -> dict:
    from metrics.models import MonthlySeamMetrics

    skip = {"id", "computed_at"}
    fields = [f.name for f in MonthlySeamMetrics._meta.concrete_fields if f.name not in skip]
    return {
        (row["seam"], row["month"]): row
        for row in MonthlySeamMetrics.objects.filter(month__in=months).values(*fields)
    }


def worker_killed(services: Services) -> list[str]:
    from metrics import engine
    from metrics.models import MonthlySeamMetrics
    from metrics.tasks import compute_metrics
    from seams.models import Seam

    failures = []
    months = [engine.current_month()]
    for _ in range(11):
        months.append(engine.previous_month(months[-1]))
    seams = list(Seam.objects.values_list("pk", flat=True))
    engine.compute(months, seams)
    reference = snapshot_values(months)
    MonthlySeamMetrics.objects.filter(month__in=months).delete()
    expected = len(months) * len(seams)

    services.start_worker(concurrency=1)
    time.sleep(3)
    compute_metrics.delay([f"{m:%Y-%m}" for m in months])
    say(f"Computing {expected} snapshots on one worker process; killing it mid-run …")
    wait_for(lambda: MonthlySeamMetrics.objects.filter(month__in=months).count() >= 3, "progress")
    main = services.processes["worker"].pid
    children = subprocess.run(["pgrep", "-P", str(main)], capture_output=True, text=True).stdout
    killed = [int(pid) for pid in children.split()]
    for pid in killed:
        os.kill(pid, signal.SIGKILL)
    done_at_kill = MonthlySeamMetrics.objects.filter(month__in=months).count()
    say(f"  killed pool process {killed} with {done_at_kill} of {expected} done")
    with contextlib.suppress(SystemExit):
        wait_for(
            lambda: MonthlySeamMetrics.objects.filter(month__in=months).count() >= expected,
            "the rest of the snapshots",
            180,
        )
    services.stop("worker")
    after = snapshot_values(months)
    say(f"  snapshots afterwards: {len(after)} of {expected}")
    if len(after) != expected:
        failures.append(f"worker: {len(after)} of {expected} snapshots after the kill")
    differing = [key for key, row in reference.items() if after.get(key) != row]
    say(f"  differing from a clean computation: {len(differing)}")
    if differing:
        failures.append(f"worker: {len(differing)} snapshots differ from a clean computation")
    return failures


# Long: one fault, injected and recovered from, step by step.
def postgres_restarted(services: Services) -> list[str]:
    failures = []
    session = signed_in("elena")
    paths = ["/review/", "/seams/custom-integration-intake/spec/", "/api/v1/handoffs/"]
    results: list[tuple[float, int]] = []  # (time, status; 0 for a connection error)
    stop = threading.Event()

    def load() -> None:
        local = requests.Session()
        local.cookies.update(session.cookies)
        n = 0
        while not stop.is_set():
            path = paths[n % len(paths)]
            n += 1
            try:
                status = local.get(BASE + path, timeout=15, allow_redirects=False).status_code
            except requests.RequestException:
                status = 0
            results.append((time.monotonic(), status))

    threads = [threading.Thread(target=load) for _ in range(6)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    time.sleep(8)
    say("Restarting PostgreSQL under load …")
    down_at = time.monotonic()
    services.stop_postgres()
    time.sleep(3)
    services.start_postgres()
    up_at = time.monotonic()
    say(f"  PostgreSQL was down for {up_at - down_at:.1f} s")
    time.sleep(15)
    stop.set()
    for thread in threads:
        thread.join()
    before = [s for t, s in results if t < down_at]
    during = [s for t, s in results if down_at <= t < up_at + 2]
    after = [s for t, s in results if t >= up_at + 2]
    bad = lambda rows: sum(1 for s in rows if s != 200)  # noqa: E731
    say(f"  before: {len(before)} requests, {bad(before)} failed")
    say(f"  during the outage (and 2 s after): {len(during)} requests, {bad(during)} failed")
    say(
        f"  after: {len(after)} requests, {bad(after)} failed "
        f"over {time.monotonic() - up_at - 2:.0f} s"
    )
    if bad(before):
        failures.append(f"postgres: {bad(before)} failures before the restart")
    if bad(after) or not after:
        failures.append(f"postgres: {bad(after)} failures after recovery")
    first_ok = next((t for t, s in results if t >= up_at and s == 200), None)
    if first_ok:
        say(f"  first success {first_ok - up_at:.1f} s after PostgreSQL was back")
    del started
    return failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "fault", nargs="?", default="all", choices=["redis", "worker", "postgres", "all"]
    )
    chosen = parser.parse_args().fault
    services = Services()
    failures: list[str] = []
    try:
        services.prepare()
        orm(services)
        services.start_web()
        for name, run in (
            ("redis", redis_down),
            ("worker", worker_killed),
            ("postgres", postgres_restarted),
        ):
            if chosen in (name, "all"):
                say(f"\n== {name}")
                failures += run(services)
    finally:
        services.close()
    say("")
    for failure in failures:
        say(f"FAILED {failure}")
    say("All faults survived." if not failures else f"{len(failures)} failures.")
    print(
        json.dumps(
            {
                "bench": "faults",
                "ours": len(failures),
                "floor": 0,
                "unit": "failures",
                "ratio": len(failures),
                "target": 0,
            }
        )
    )
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
