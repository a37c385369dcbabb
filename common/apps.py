from django.apps import AppConfig


class CommonConfig(AppConfig):
    """Plumbing every app may use and that imports no app."""

    name = "common"
