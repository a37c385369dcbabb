from django.urls import path

from onboarding import setup_views, views

app_name = "onboarding"

urlpatterns = [
    path("start/", views.overview, name="guide"),
    path("start/begin/", views.begin, name="guide-begin"),
    path("start/seams/", views.seams_step, name="guide-seams"),
    path("start/seams/misses/", views.misses_add, name="guide-misses-add"),
    path("start/seams/misses/<int:pk>/tag/", views.miss_tag, name="guide-miss-tag"),
    path("start/seams/misses/<int:pk>/remove/", views.miss_remove, name="guide-miss-remove"),
    path("start/cadence/", views.cadence_step, name="guide-cadence"),
    path("start/cadence/decisions/", views.cadence_decision, name="guide-decision-add"),
    path("start/cadence/constraints/", views.cadence_constraint, name="guide-constraint-add"),
    path("start/spec/", setup_views.spec_step, name="guide-spec"),
    path("start/data/", setup_views.data_step, name="guide-data"),
    path("start/data/jira/", setup_views.data_jira, name="guide-jira"),
    path("start/data/example.csv", setup_views.data_example, name="guide-example-csv"),
    path("start/metrics/", setup_views.metrics_step, name="guide-metrics"),
]
