"""Real HTTP receivers on 127.0.0.1 for the outbound tests: one that answers 200 and records
what it got, one that answers 500, and one that takes the connection and never answers."""

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from config.celery import app as celery_app
from connections.models import Channel


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str
    received: list[Received] = field(default_factory=list)


@pytest.fixture(autouse=True)
def _outbound_settings(settings):
    # The receivers listen on 127.0.0.1; without a broker, deliveries wait for the sweep.
    settings.OUTBOUND_ALLOW_PRIVATE_URLS = True
    settings.OUTBOUND_SEND_IN_THREAD = False
    settings.SITE_URL = "https://seamline.example.com"


def _serve(status: int | None):
    release = threading.Event()
    received: list[Received] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            received.append(Received(self.path, dict(self.headers.items()), body))
            if status is None:  # never answer: hold the connection until the test ends
                release.wait(30)
                return
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"ok" if status == 200 else b"no")

        def log_message(self, *args):  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    receiver = Receiver(url=f"http://127.0.0.1:{server.server_port}/hook")
    receiver.received = received
    yield receiver
    release.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def receiver():
    """Answers 200 and records each request."""
    yield from _serve(200)


@pytest.fixture
def failing_receiver():
    """Answers 500 to everything."""
    yield from _serve(500)


@pytest.fixture
def silent_receiver():
    """Accepts the connection, reads the request, never answers."""
    yield from _serve(None)


@pytest.fixture(autouse=True)
def _tasks_in_process(request):
    """Tasks in-process, as without a broker, even when REDIS_URL is set: the tests here send
    deliveries themselves. The real worker's test keeps the broker."""
    if request.node.get_closest_marker("celery_worker"):
        yield
        return
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


def make_channel(kind: str, url: str = "", **fields) -> Channel:
    from connections.outbound_payloads import new_secret

    defaults = {
        "name": f"{kind} channel",
        "kind": kind,
        "url": url,
        "events": ["handoff.returned", "handoff.breached", "revision.awaiting_signature"],
        "secret": new_secret() if kind == Channel.Kind.WEBHOOK else "",
    }
    return Channel.objects.create(**(defaults | fields))


@pytest.fixture
def deliver(django_capture_on_commit_callbacks):
    """POST through the real URL and run what the outbox sends after commit (in-process
    without a broker, as the embedded default does)."""
    from tests.connections.senders import post

    def send(slug, body, headers, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return post(slug, body, headers, **kwargs)

    return send
