from django.urls import path

from metrics import guide_views, views

app_name = "metrics"

urlpatterns = [
    path("start/", guide_views.overview, name="guide"),
    path("start/begin/", guide_views.begin, name="guide-begin"),
    path("start/seams/", guide_views.seams_step, name="guide-seams"),
    path("start/seams/misses/", guide_views.misses_add, name="guide-misses-add"),
    path("start/seams/misses/<int:pk>/tag/", guide_views.miss_tag, name="guide-miss-tag"),
    path("start/seams/misses/<int:pk>/remove/", guide_views.miss_remove, name="guide-miss-remove"),
    path("start/cadence/", guide_views.cadence_step, name="guide-cadence"),
    path("start/cadence/decisions/", guide_views.cadence_decision, name="guide-decision-add"),
    path("start/cadence/constraints/", guide_views.cadence_constraint, name="guide-constraint-add"),
    path("start/spec/", guide_views.spec_step, name="guide-spec"),
    path("start/data/", guide_views.data_step, name="guide-data"),
    path("start/data/jira/", guide_views.data_jira, name="guide-jira"),
    path("start/data/example.csv", guide_views.data_example, name="guide-example-csv"),
    path("start/metrics/", guide_views.metrics_step, name="guide-metrics"),
    path("teams/", views.teams, name="teams"),
    path("my-seams/", views.my_seams, name="mine"),
    path("review/", views.review_dashboard, name="review"),
    path("review/export.csv", views.review_export, name="review-export"),
    path("review/pack.css", views.review_pack_style, name="review-pack-style"),
    path("review/seams/<slug:slug>/", views.seam_drilldown, name="seam"),
    path("reviews/start/", views.review_start, name="review-start"),
    path("reviews/<int:pk>/", views.review_record, name="review-record"),
    path("reviews/<int:pk>/close/", views.review_close, name="review-close"),
    path(
        "reviews/<int:pk>/seams/<slug:seam>/root-cause/",
        views.review_root_cause,
        name="review-root-cause",
    ),
    path(
        "reviews/<int:pk>/seams/<slug:seam>/actions/",
        views.review_add_action,
        name="review-add-action",
    ),
    path("actions/", views.action_list, name="actions"),
    path("metrics/", views.metrics_month, name="month"),
    path("metrics/recompute/", views.recompute, name="recompute"),
    path("metrics/export.csv", views.metrics_export, name="export"),
    path("data-quality/", views.quality_card, name="data-quality"),
    path("data-quality/run/", views.run_quality_check, name="run-quality-check"),
]
