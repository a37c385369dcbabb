from django.apps import AppConfig


class AuditConfig(AppConfig):
    """The audit log and refused writes: imports every app, imported by none."""

    name = "audit"
