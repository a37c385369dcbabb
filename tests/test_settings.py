"""Settings come from the environment; each case imports them fresh in a subprocess."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PRINT = """
import json
from django.conf import settings
db = settings.DATABASES["default"]
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "SECRET_KEY": settings.SECRET_KEY,
    "ALLOWED_HOSTS": settings.ALLOWED_HOSTS,
    "ENGINE": db["ENGINE"],
    "NAME": str(db["NAME"]),
    "CONN_HEALTH_CHECKS": db.get("CONN_HEALTH_CHECKS", False),
    "ATOMIC_REQUESTS": db["ATOMIC_REQUESTS"],
    "EAGER": settings.CELERY_TASK_ALWAYS_EAGER,
    "BROKER": settings.CELERY_BROKER_URL,
    "TIME_ZONE": settings.TIME_ZONE,
    "EMAIL_BACKEND": settings.EMAIL_BACKEND,
}))
"""
ENV_NAMES = (
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "REDIS_URL",
    "TIME_ZONE",
    "EMAIL_URL",
)


def load_settings(**env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in ENV_NAMES}
    return subprocess.run(
        [sys.executable, "-c", PRINT],
        env={**base, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def settings_for(**env: str) -> dict:
    result = load_settings(**env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = load_settings()
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_it_defaults_to_debug_off_sqlite_in_process_tasks_and_console_email():
    s = settings_for(SECRET_KEY="k")
    assert s["DEBUG"] is False
    assert s["ALLOWED_HOSTS"] == []
    assert s["ENGINE"] == "django.db.backends.sqlite3"
    assert s["NAME"].endswith("db.sqlite3")
    assert s["ATOMIC_REQUESTS"] is True
    assert s["EAGER"] is True
    assert s["BROKER"] == "memory://"
    assert s["TIME_ZONE"] == "Europe/London"
    assert s["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"


def test_it_generates_a_development_key_only_in_debug():
    s = settings_for(DEBUG="1")
    assert s["DEBUG"] is True
    assert len(s["SECRET_KEY"]) >= 50
    assert s["SECRET_KEY"] == settings_for(DEBUG="1")["SECRET_KEY"]  # kept across restarts
    assert "127.0.0.1" in s["ALLOWED_HOSTS"]


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (
            {"ALLOWED_HOSTS": "seamline.example.com,.internal"},
            {"ALLOWED_HOSTS": ["seamline.example.com", ".internal"]},
        ),
        (
            {"DATABASE_URL": "postgres://u:p@db:5432/seamline"},
            {
                "ENGINE": "django.db.backends.postgresql",
                "NAME": "seamline",
                "CONN_HEALTH_CHECKS": True,
            },
        ),
        ({"REDIS_URL": "redis://redis:6379/0"}, {"EAGER": False, "BROKER": "redis://redis:6379/0"}),
        ({"TIME_ZONE": "America/New_York"}, {"TIME_ZONE": "America/New_York"}),
        (
            {"EMAIL_URL": "smtp://mail.example.com:25"},
            {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend"},
        ),
    ],
)
def test_it_reads_the_environment(env, expected):
    s = settings_for(SECRET_KEY="k", **env)
    assert {key: s[key] for key in expected} == expected
