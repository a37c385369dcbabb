from django.apps import AppConfig
from django.db.backends.signals import connection_created


class MetricsConfig(AppConfig):
    name = "metrics"

    def ready(self) -> None:
        from metrics import staleness
        from metrics.percentile import register_sqlite

        connection_created.connect(register_sqlite, dispatch_uid="metrics-sqlite-percentile")
        staleness.subscribe()
