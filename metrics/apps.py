from django.apps import AppConfig
from django.db.backends.signals import connection_created


class MetricsConfig(AppConfig):
    name = "metrics"

    def ready(self) -> None:
        from common import panels
        from metrics import staleness
        from metrics.percentile import register_sqlite
        from metrics.quality_views import data_quality_panel

        connection_created.connect(register_sqlite, dispatch_uid="metrics-sqlite-percentile")
        staleness.subscribe()
        panels.register("teams-aside", data_quality_panel)
