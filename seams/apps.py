from django.apps import AppConfig


class SeamsConfig(AppConfig):
    name = "seams"

    def ready(self) -> None:
        from seams import audit, model_events

        # Every app's models are loaded by now, so the later apps' models are named, not
        # imported, and registered with the audit log here.
        audit.register_models()
        model_events.connect()
