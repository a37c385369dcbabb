from django.apps import AppConfig


class AuditConfig(AppConfig):
    """The audit log and refused writes: imports every app, imported by none."""

    name = "audit"

    def ready(self) -> None:
        from audit import registry, sign_ins, writes

        # Every app's models are loaded and their own receivers connected by now.
        registry.register_models()
        writes.connect()
        sign_ins.connect()
