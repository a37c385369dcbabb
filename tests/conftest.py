import os
import shutil
import uuid

import pytest
from django.test import Client, override_settings
from rest_framework.throttling import SimpleRateThrottle

from common import rate_limits
from config.celery import app as celery_app
from seams.models import Membership
from tests.factories import (
    PASSWORD,
    MembershipFactory,
    SeamFactory,
    TeamFactory,
    UserFactory,
    write_spec,
)

# The real OpenID provider's fixtures (openid_provider, sso), for single sign-on tests.
pytest_plugins = ["tests.identity.provider"]

# live_server tests drive the ORM from Playwright's event-loop thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not shutil.which(CHROMIUM):
        if os.environ.get("SEAMLINE_REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def live_server(django_db_setup, live_server):
    """The live server, started after the test database so that it stops before it.

    Otherwise its thread may still hold a connection when the test database is dropped.
    """
    return live_server


@pytest.fixture(scope="session", autouse=True)
def _close_stray_connections(django_db_setup, django_db_blocker):
    """Before the test database is dropped, end connections nobody will close.

    Playwright's sync API runs in greenlets; Django keeps one connection per context, so
    browser tests leave connections that pytest-django's cleanup never sees, and
    PostgreSQL then refuses to drop a database that is "being accessed by other users".
    """
    yield
    with django_db_blocker.unblock():
        from django.db import connection

        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )


@pytest.fixture(scope="session", autouse=True)
def _plain_http():
    """The suite runs production settings over plain HTTP (the test client, the live server):
    redirecting to HTTPS would answer every request with a 301. For the whole session, since
    the live server reads the setting once, when it starts."""
    with override_settings(SECURE_SSL_REDIRECT=False):
        yield


@pytest.fixture(scope="session", autouse=True)
def _plain_static_files():
    """Plain static storage from the start of the session, for module-scoped fixtures that
    render pages before `_test_settings` runs (the manifest needs collectstatic)."""
    from django.conf import settings
    from django.test import override_settings

    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages):
        yield


@pytest.fixture(autouse=True)
def _test_settings(settings, request):
    # The suite does not run collectstatic; production's manifest storage needs it.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Sign-in lockout needs the request, which Client.login() does not pass to authenticate().
    # tests/test_lockout.py turns it on, and browser tests sign in through the real sign-in
    # page with it on, as in production.
    settings.AXES_ENABLED = request.node.get_closest_marker("e2e") is not None


@pytest.fixture(autouse=True)
def _fresh_throttles(monkeypatch):
    """API throttles count requests in the default cache, which outlives a test (Redis in CI,
    where clearing it would clear Celery's queues too): each test counts under keys of its own,
    so one test's requests never slow down the next."""
    namespace = f"throttle_{uuid.uuid4().hex}_%(scope)s_%(ident)s"
    monkeypatch.setattr(SimpleRateThrottle, "cache_format", namespace)
    # The same for Seamline's own counters (refused writes, password resets).
    monkeypatch.setattr(rate_limits, "PREFIX", f"rate_{uuid.uuid4().hex}")


@pytest.fixture
def celery_eager():
    """Run tasks in-process for this test, even when REDIS_URL points at a real broker."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


# --- Teams and the five kinds of user -------------------------------------------------


@pytest.fixture(params=["rows", "copy"])
def csv_path(request, db, monkeypatch):
    """Run a CSV import test through each way a file can go: the row-by-row reader (any
    database) and PostgreSQL's COPY path. Both must accept, refuse and word things alike."""
    from django.db import connection

    import seams.csv_import as csv_import

    if request.param == "copy" and connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    monkeypatch.setattr(csv_import, "use_copy", lambda: request.param == "copy")
    return request.param


@pytest.fixture
def rows_path(csv_path):
    """The row-by-row reader only, for tests about its chunks."""
    if csv_path != "rows":
        pytest.skip("about the row-by-row reader")


@pytest.fixture
def team(db):
    return TeamFactory(name="Sales")


@pytest.fixture
def other_team(db):
    return TeamFactory(name="Product")


@pytest.fixture
def seam(team, other_team, owner):
    """Sales → Product, with a written spec (v1) owned by the Sales owner."""
    seam = SeamFactory(name="Custom integration intake", from_team=team, to_team=other_team)
    write_spec(seam, by=owner)
    seam.spec.refresh_from_db()
    return seam


@pytest.fixture
def third_team(db):
    return TeamFactory(name="Legal")


@pytest.fixture
def unrelated_owner(third_team):
    """Owns a team that is on neither side of `seam`."""
    user = UserFactory(username="unrelated_owner", first_name="Una", last_name="Related")
    MembershipFactory(team=third_team, user=user, role=Membership.Role.OWNER)
    return user


@pytest.fixture
def leader(db):
    return UserFactory(username="leader", first_name="Lena", last_name="Leader", roles=["leader"])


@pytest.fixture
def owner(team):
    user = UserFactory(username="owner", first_name="Owen", last_name="Owner")
    MembershipFactory(team=team, user=user, role=Membership.Role.OWNER)
    return user


@pytest.fixture
def other_owner(other_team):
    user = UserFactory(username="other_owner", first_name="Otto", last_name="Other")
    MembershipFactory(team=other_team, user=user, role=Membership.Role.OWNER)
    return user


@pytest.fixture
def ops(db):
    return UserFactory(username="ops", first_name="Opal", last_name="Ops", roles=["ops"])


@pytest.fixture
def viewer(db):
    return UserFactory(username="viewer", first_name="Vic", last_name="Viewer", roles=["viewer"])


def client_for(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def leader_client(leader):
    return client_for(leader)


@pytest.fixture
def owner_client(owner):
    return client_for(owner)


@pytest.fixture
def ops_client(ops):
    return client_for(ops)


@pytest.fixture
def viewer_client(viewer):
    return client_for(viewer)


@pytest.fixture
def other_owner_client(other_owner):
    return client_for(other_owner)


@pytest.fixture
def unrelated_owner_client(unrelated_owner):
    return client_for(unrelated_owner)
