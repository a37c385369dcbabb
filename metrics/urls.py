from django.urls import path

from metrics import views

app_name = "metrics"

urlpatterns = [
    path("data-quality/run/", views.run_quality_check, name="run-quality-check"),
]
