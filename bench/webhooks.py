"""Benchmark: a burst of 1,000 signed Jira deliveries to an inbound source, served by gunicorn
with a real Celery worker applying them through the outbox.

On a temporary PostgreSQL database next to DATABASE_URL's (with REDIS_URL as the broker), it
makes one seam and one Jira source with a catch-all rule, starts gunicorn (production settings)
and a Celery worker, then sends 1,000 deliveries at once from a pool of client threads: each a
different issue in progress, signed as Jira signs (`X-Hub-Signature: sha256=<hex>`). Each
answer's time is measured; then it waits until every delivery is processed.

ours   = p95 answer time of the deliveries, in seconds (verify, store, enqueue, answer 202)
floor  = p95 of /healthz in the same burst shape: what the server answers doing nearly nothing
ratio  = ours ÷ floor
target = 0.2: the issue's p95, with nothing lost (every delivery answered 202 and applied)

Also printed: the time from the first request until all 1,000 are applied, and how many
deliveries and handoffs there are at the end. The database, server and worker are gone at the
end. Server, worker, database, Redis and the client share the machine.

    DATABASE_URL=postgres://… REDIS_URL=redis://… python bench/webhooks.py [--deliveries 1000]
        [--clients 16] [--workers 2×cores+1]
"""

import argparse
import contextlib
import hashlib
import hmac
import http.client
import json
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import (
    ROOT,
    create_database,
    drop_database,
    free_port,
    manage,
    scratch_database,
    server_environment,
    start_gunicorn,
    stop,
    wait_until_up,
)

TARGET = 0.2
SECRET = "bench-secret-" + "x" * 24
APPLY_TIMEOUT = 600

SETUP = """
from connections.models import MappingRule, Source, SourceSecret
from tests.factories import SeamFactory
seam = SeamFactory(name="Bench intake")
source = Source.objects.create(slug="bench-jira", name="Bench Jira", kind="jira")
SourceSecret.objects.create(source=source, value={secret!r})
MappingRule.objects.create(source=source, field="any", seam=seam)
print(source.pk)
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--deliveries", type=int, default=1000)
    # 16 senders at once. At 32, on a two-core machine that also runs the client, the
    # database and the worker, even /healthz waits ~150 ms at p95: the queue, not the work
    # (`--clients 32` shows it).
    parser.add_argument("--clients", type=int, default=16, help="concurrent client threads")
    # Gunicorn's documented starting point, (2 × cores) + 1: sync workers waiting on the
    # database's commit leave the CPU to the others.
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    return parser.parse_args()


def delivery(n: int) -> tuple[bytes, dict]:
    now_ms = int(time.time() * 1000)
    payload = {
        "timestamp": now_ms,
        "webhookEvent": "jira:issue_created",
        "issue": {
            "id": str(100000 + n),
            "key": f"BENCH-{n}",
            "fields": {
                "summary": f"Bench issue {n}",
                "created": time.strftime("%Y-%m-%dT%H:%M:%S.000+0000", time.gmtime()),
                "issuetype": {"name": "Task"},
                "project": {"key": "BENCH"},
                "status": {"name": "In Progress", "statusCategory": {"key": "indeterminate"}},
            },
        },
    }
    body = json.dumps(payload).encode()
    signature = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    return body, {
        "Content-Type": "application/json",
        "X-Hub-Signature": f"sha256={signature}",
        "X-Atlassian-Webhook-Identifier": f"bench-{n}",
    }


def burst(host: str, requests_: list, clients: int) -> list[tuple[float, int]]:
    """Send every (method, path, body, headers) at once from `clients` threads. The client is
    the standard library's, one connection a request (gunicorn's sync workers close each): it
    shares the machine with the server, so the less CPU it takes, the less it skews the times."""
    address = urlsplit(host)

    def send(item) -> tuple[float, int]:
        method, path, body, headers = item
        started = time.perf_counter()
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
        finally:
            connection.close()
        return time.perf_counter() - started, response.status

    with ThreadPoolExecutor(clients) as pool:
        return list(pool.map(send, requests_))


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=100)[94]


def wait_applied(url: str, expected: int, started: float) -> tuple[float, dict]:
    deadline = time.monotonic() + APPLY_TIMEOUT
    query = (
        "SELECT count(*) FILTER (WHERE status = 'received'), count(*), "
        "count(*) FILTER (WHERE status = 'applied'), "
        "(SELECT count(*) FROM seams_handoff WHERE source = 'bench-jira') "
        "FROM connections_delivery"
    )
    with psycopg.connect(url, autocommit=True) as connection:
        while True:
            waiting, total, applied, handoffs = connection.execute(query).fetchone()
            if (total >= expected and not waiting) or time.monotonic() > deadline:
                elapsed = time.perf_counter() - started
                return elapsed, {
                    "deliveries": total,
                    "applied": applied,
                    "waiting": waiting,
                    "handoffs": handoffs,
                }
            time.sleep(0.2)


def main() -> None:
    args = parse_args()
    base, redis_url = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if not base.startswith("postgres") or not redis_url:
        sys.exit("Set DATABASE_URL (PostgreSQL) and REDIS_URL.")
    url, name = scratch_database(base)
    create_database(base, name)
    server = worker = None
    try:
        with tempfile.TemporaryDirectory() as workdir:
            env = server_environment(url, Path(workdir)) | {"REDIS_URL": redis_url}
            manage(env, "migrate", "--no-input")
            manage(env, "shell", "-c", SETUP.format(secret=SECRET))
            port = free_port()
            host = f"http://127.0.0.1:{port}"
            server = start_gunicorn(env, port, args.workers, 1)
            worker = start_worker(env, Path(workdir))
            wait_until_up(host, server)
            report(host, url, args, server)
    finally:
        stop(server)
        stop(worker)
        drop_database(base, name)


def start_worker(env: dict, workdir: Path):
    import subprocess

    # Applying is background work: the worker yields the CPU to the answers (as it would on
    # its own machine, or with a lower priority beside the web server).
    command = ["nice", "-n", "10", sys.executable, "-m", "celery", "-A", "config", "worker"]
    command += ["--loglevel=WARNING"]
    command += ["--concurrency=2", "--pool=prefork"]
    log = open(workdir / "worker.log", "w")  # noqa: SIM115 (lives with the process)
    worker = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True
    )
    lower_session_priority(worker.pid, 10)
    return worker


def lower_session_priority(pid: int, nice: int) -> None:
    """With the kernel's autogroup scheduling (most desktop and many server kernels), each
    session gets a fair share of the CPU whatever its processes' nice values, so `nice` alone
    doesn't make the worker yield: its session's group is given the lower priority as well."""
    autogroup = Path(f"/proc/{pid}/autogroup")
    with contextlib.suppress(OSError):  # no autogroup here: `nice` is enough
        autogroup.write_text(str(nice))


def report(host: str, url: str, args: argparse.Namespace, server) -> None:
    n = args.deliveries
    floor_times = burst(host, [("GET", "/healthz", None, {})] * n, args.clients)
    floor = p95([t for t, _ in floor_times])
    items = [("POST", "/api/v1/hooks/handoffs/bench-jira/", *delivery(i)) for i in range(n)]
    started = time.perf_counter()
    answers = burst(host, items, args.clients)
    sent = time.perf_counter() - started
    applied_after, counts = wait_applied(url, n, started)
    times = [t for t, _ in answers]
    statuses = {code: sum(1 for _, c in answers if c == code) for _, code in answers}
    ours = p95(times)
    lost = n - counts["applied"]
    print(
        f"gunicorn: {args.workers} sync workers; Celery: 1 worker × 2 processes; "
        f"{args.clients} clients"
    )
    print(f"deliveries: {n} sent in {sent:.2f} s; answers {statuses}")
    median, worst = statistics.median(times) * 1000, max(times) * 1000
    print(f"answer time: p50 {median:.0f} ms, p95 {ours * 1000:.0f} ms, max {worst:.0f} ms")
    print(f"/healthz in the same burst: p95 {floor * 1000:.0f} ms")
    print(f"all applied after {applied_after:.1f} s from the first request; {counts}")
    print(f"lost: {lost} (answered 202: {statuses.get(202, 0)})")
    print(
        json.dumps(
            {
                "bench": "webhooks",
                "ours": round(ours, 4),
                "floor": round(floor, 4),
                "unit": "s",
                "ratio": round(ours / floor, 2) if floor else None,
                "target": TARGET,
            }
        )
    )


if __name__ == "__main__":
    main()
