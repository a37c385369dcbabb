from django.apps import AppConfig
from django.db.backends.signals import connection_created


class MetricsConfig(AppConfig):
    name = "metrics"

    def ready(self) -> None:
        from common import panels
        from metrics import staleness
        from metrics.forecast_panels import initiative_forecast_panel
        from metrics.percentile import register_sqlite
        from metrics.quality_views import data_quality_panel
        from metrics.reality_panels import contract_reality_panel, spec_reality_panel

        connection_created.connect(register_sqlite, dispatch_uid="metrics-sqlite-percentile")
        staleness.subscribe()
        panels.register("teams-aside", data_quality_panel)
        panels.register("spec-aside", spec_reality_panel)
        panels.register("contract-aside", contract_reality_panel)
        panels.register("initiative-forecast", initiative_forecast_panel)
