from django.urls import path

from metrics import views

app_name = "metrics"

urlpatterns = [
    path("data-quality/", views.quality_card, name="data-quality"),
    path("data-quality/run/", views.run_quality_check, name="run-quality-check"),
]
