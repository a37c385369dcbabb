"""Locust users for bench/load.py: signed-in people reading Seamline, and an integration
posting handoffs. Run by bench/load.py, which starts the server and passes, in the environment:

    SEAMLINE_LOAD_USERS   JSON list of {"username", "token"}: each Locust user signs in as the
                          next one (through the login form, with its CSRF token)
    SEAMLINE_LOAD_SEAMS   JSON list of seam slugs whose spec pages are read
    SEAMLINE_LOAD_WRITER  the API token that posts handoffs (an ops person's)
    SEAMLINE_LOAD_OUT     where to write, as JSON, when spawning finished and every request's
                          name, start (Unix time), duration (ms) and error ("" if none)

Not a benchmark on its own: `python bench/load.py` is.
"""

import itertools
import json
import os
import random
import time
import uuid
from datetime import UTC, datetime, timedelta

from locust import HttpUser, between, events, task
from locust.clients import HttpSession

USERS = json.loads(os.environ.get("SEAMLINE_LOAD_USERS", "[]"))
SEAMS = json.loads(os.environ.get("SEAMLINE_LOAD_SEAMS", "[]"))
WRITER = os.environ.get("SEAMLINE_LOAD_WRITER", "")
PASSWORD = os.environ.get("SEAMLINE_LOAD_PASSWORD", "seamline-demo")
OUT = os.environ.get("SEAMLINE_LOAD_OUT", "")

_next_person = itertools.count()
_samples: list[tuple[str, float, float, str]] = []
_spawned = {"at": None}


@events.request.add_listener
def _record(name, response_time, exception, start_time=None, **kwargs) -> None:
    problem = "" if exception is None else str(exception)[:200]
    _samples.append((name, start_time or time.time(), response_time, problem))


@events.spawning_complete.add_listener
def _all_started(user_count, **kwargs) -> None:
    _spawned["at"] = time.time()


@events.test_stop.add_listener
def _write(environment, **kwargs) -> None:
    if OUT:
        with open(OUT, "w") as handle:
            json.dump({"spawned_at": _spawned["at"], "samples": _samples}, handle)


class Person(HttpUser):
    """Someone with the app open: the review, a spec, the handoffs API; a second or so apart."""

    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        person = USERS[next(_next_person) % len(USERS)]
        self.token = person["token"]
        # The API is called as an integration would: a token and no session cookie (with the
        # browser's cookie, session authentication would win and ask for a CSRF token).
        self.api = HttpSession(self.host, self.environment.events.request, self)
        self.client.get("/accounts/login/", name="login form")
        csrf = self.client.cookies.get("csrftoken", "")
        response = self.client.post(
            "/accounts/login/",
            {"username": person["username"], "password": PASSWORD, "csrfmiddlewaretoken": csrf},
            headers={"Referer": f"{self.host}/accounts/login/"},
            name="sign in",
            allow_redirects=False,
        )
        if response.status_code != 302:
            raise RuntimeError(f"{person['username']} could not sign in: {response.status_code}")

    @task(3)
    def review(self) -> None:
        self.client.get("/review/", name="/review/")

    @task(3)
    def spec(self) -> None:
        self.client.get(f"/seams/{random.choice(SEAMS)}/spec/", name="/seams/[slug]/spec/")

    @task(3)
    def handoffs(self) -> None:
        self.api.get(
            "/api/v1/handoffs/",
            headers={"Authorization": f"Token {self.token}"},
            name="GET /api/v1/handoffs/",
        )

    @task(1)
    def post_handoff(self) -> None:
        submitted = datetime.now(UTC) - timedelta(hours=random.randint(1, 48))
        row = {
            "seam": random.choice(SEAMS),
            "external_id": f"LOAD-{uuid.uuid4().hex[:12]}",
            "title": "Load test handoff",
            "approval_type": "standard",
            "submitted_at": submitted.isoformat(),
            "source": "load",
        }
        self.api.post(
            "/api/v1/handoffs/",
            json=row,
            headers={"Authorization": f"Token {WRITER}"},
            name="POST /api/v1/handoffs/",
        )

    @task(1)
    def healthz(self) -> None:
        self.client.get("/healthz", name="/healthz")


if __name__ == "__main__":
    # `make bench` runs every script in bench/; this one is Locust's, driven by load.py.
    print("bench/locustfile.py holds Locust's users; `python bench/load.py` runs them.")
