from django.urls import path

from metrics import views

app_name = "metrics"

urlpatterns = [
    path("review/", views.review_dashboard, name="review"),
    path("metrics/", views.metrics_month, name="month"),
    path("metrics/recompute/", views.recompute, name="recompute"),
    path("metrics/export.csv", views.metrics_export, name="export"),
    path("data-quality/", views.quality_card, name="data-quality"),
    path("data-quality/run/", views.run_quality_check, name="run-quality-check"),
]
