from django.apps import AppConfig


class SeamsConfig(AppConfig):
    name = "seams"

    def ready(self) -> None:
        from seams import model_events

        model_events.connect()
