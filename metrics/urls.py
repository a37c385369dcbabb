from django.urls import path

from metrics import views

app_name = "metrics"

urlpatterns = [
    path("review/", views.review_dashboard, name="review"),
    path("review/export.csv", views.review_export, name="review-export"),
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
